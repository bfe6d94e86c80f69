"""The outbox over a real SMTP conversation (aiosmtpd on loopback) and the file sender."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot import services
from bot.errors import ConfigurationError
from bot.notify.senders import FileSender, SmtpSender, sender_from_url
from bot.store.tables import outbox
from tests.conftest import SAMPLE_REGISTRY, london, make_desk, pin
from tests.support import Inbox, free_port


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def smtp_desk(tmp_path, port):
    from bot.device_import import read_file

    desk = make_desk(tmp_path, email_url=f"smtp://127.0.0.1:{port}")
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    return desk


def claim():
    return services.RedemptionRequest(
        product="Xiaomi 13",
        channel="Argos",
        identifier="867234051234562",
        email="sam@example.org",
        mi_id="6123456789",
    )


def test_the_coupon_email_is_delivered_over_smtp(tmp_path, smtp_server):
    controller, inbox = smtp_server
    desk = smtp_desk(tmp_path, controller.port)
    result = desk.redeem(claim())
    [message] = inbox.messages
    assert message["To"] == "sam@example.org"
    assert message["X-RcptTo"] == "sam@example.org"
    assert "10% off Coupon | IMEI" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert result.coupon_code in body and "Xiaomi 13" in body
    with desk.engine.connect() as connection:
        assert connection.execute(select(outbox.c.status)).scalar_one() == "sent"


def test_an_unreachable_smtp_server_keeps_the_email_and_retries_later(tmp_path):
    port = free_port()
    desk = smtp_desk(tmp_path, port)
    result = desk.redeem(claim())
    assert result.coupon_code  # the decision stands even though the email is not out yet
    with desk.engine.connect() as connection:
        row = connection.execute(select(outbox)).mappings().one()
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "ConnectionRefusedError" in row["last_error"]
    assert row["next_attempt_at"] == desk.clock.now() + timedelta(minutes=1)

    # Not due yet: nothing is tried again.
    assert desk.deliver_email().sent == 0
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        pin(desk, london(2023, 9, 28, 12, 5))
        report = desk.deliver_email()
    finally:
        controller.stop()
    assert report.sent == 1
    assert result.coupon_code in inbox.messages[0].get_payload(decode=True).decode()
    assert desk.deliver_email().sent == 0  # sent once, never again


def test_gives_up_after_the_last_attempt_and_says_so(tmp_path):
    desk = smtp_desk(tmp_path, free_port())
    desk.redeem(claim())
    for minutes in (2, 5, 10, 20, 40):
        pin(desk, london(2023, 9, 28, 12) + timedelta(minutes=minutes * 3))
        desk.deliver_email()
    with desk.engine.connect() as connection:
        row = connection.execute(select(outbox)).mappings().one()
    assert (row["status"], row["attempts"]) == ("failed", 6)


@pytest.mark.parametrize(
    ("url", "kind", "detail"),
    [
        ("file://var/outbox", FileSender, "var/outbox"),
        (
            "smtp://user:p%40ss@mail.example.com:2525",
            SmtpSender,
            ("mail.example.com", 2525, "p@ss", "plain"),
        ),
        (
            "smtp+starttls://mail.example.com",
            SmtpSender,
            ("mail.example.com", 587, None, "starttls"),
        ),
        ("smtps://mail.example.com", SmtpSender, ("mail.example.com", 465, None, "ssl")),
    ],
)
def test_email_url_picks_the_sender(tmp_path, url, kind, detail):
    sender = sender_from_url(url, tmp_path)
    assert isinstance(sender, kind)
    if kind is FileSender:
        assert sender.directory == tmp_path / detail
    else:
        assert (sender.host, sender.port, sender.password, sender.mode) == detail


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:notaport"])
def test_a_bad_email_url_is_refused_with_the_reason(tmp_path, url):
    with pytest.raises(ConfigurationError, match="EMAIL_URL"):
        sender_from_url(url, tmp_path)
