"""Sending to WhatsApp through a local fake of the Graph API: retries, refusals, the
24-hour window for later notifications, and outbox rows addressed whatsapp:<wa_id>."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.errors import ConfigurationError, WhatsAppRejected, WhatsAppUnavailable
from bot.settings import WhatsAppSettings
from bot.store import UnitOfWork
from bot.whatsapp.graph_client import GraphClient
from bot.whatsapp.outbound import text_messages
from bot.whatsapp.sender import whatsapp_address
from tests.channels.whatsapp_fake_graph import PHONE_NUMBER_ID, TOKEN, VERSION, FakeGraph
from tests.conftest import london, make_desk, pin
from tests.support import free_port

WA_ID = "16505551234"
NOW = london(2023, 9, 28, 12)


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        yield fake


def settings_for(graph: FakeGraph, **changes: str) -> WhatsAppSettings:
    settings = WhatsAppSettings(
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_version=VERSION,
        graph_url=graph.url,
        template_name="promotions_update",
        template_language="en_GB",
    )
    return replace(settings, **changes)


@pytest.fixture
def client(graph):
    waits: list[float] = []
    graph_client = GraphClient(settings_for(graph), sleep=waits.append)
    graph_client.waits = waits  # type: ignore[attr-defined]
    return graph_client


# --- the Graph API client ----------------------------------------------------------
def test_a_message_is_posted_with_the_bearer_token_and_its_whatsapp_id_returned(graph, client):
    message_id = client.send(text_messages(WA_ID, "Hello")[0])
    assert message_id.startswith("wamid.")
    [request] = graph.requests
    assert request.path == f"/{VERSION}/{PHONE_NUMBER_ID}/messages"
    assert request.authorization == f"Bearer {TOKEN}"


def test_a_rate_limit_is_retried_with_growing_waits_until_it_passes(graph, client):
    graph.fail_next(2, 429)
    client.send(text_messages(WA_ID, "Hello")[0])
    assert [r.status for r in graph.requests] == [429, 429, 200]
    assert client.waits == [0.5, 1.0]


def test_a_server_error_is_retried(graph, client):
    graph.fail_next(1, 500)
    client.send(text_messages(WA_ID, "Hello")[0])
    assert [r.status for r in graph.requests] == [500, 200]


def test_retry_after_from_the_server_sets_the_wait(graph, client):
    graph.fail_next(1, 429, retry_after="3")
    client.send(text_messages(WA_ID, "Hello")[0])
    assert client.waits == [3.0]


def test_a_refusal_is_not_retried_and_carries_metas_code_and_reason(graph, client):
    message = text_messages(WA_ID, "Hello")[0]
    message["text"]["body"] = "x" * 5000  # beyond Meta's limit, on purpose
    with pytest.raises(WhatsAppRejected) as refused:
        client.send(message)
    assert len(graph.requests) == 1 and client.waits == []
    assert refused.value.details["graph_code"] == 131009
    assert "Parameter value is not valid" in refused.value.message
    assert "Max length: 4096" in refused.value.message


def test_a_service_that_stays_down_gives_up_after_four_attempts(graph, client):
    graph.fail_next(10, 503)
    with pytest.raises(WhatsAppUnavailable) as down:
        client.send(text_messages(WA_ID, "Hello")[0])
    assert len(graph.requests) == 4 and client.waits == [0.5, 1.0, 2.0]
    assert down.value.details["http_status"] == 503


def test_a_graph_api_that_cannot_be_reached_is_retried_then_reported():
    waits: list[float] = []
    unreachable = WhatsAppSettings(
        access_token=TOKEN, phone_number_id="1", graph_url=f"http://127.0.0.1:{free_port()}"
    )
    with pytest.raises(WhatsAppUnavailable, match="could not be reached after 4 attempts"):
        GraphClient(unreachable, sleep=waits.append).send(text_messages(WA_ID, "Hi")[0])
    assert waits == [0.5, 1.0, 2.0]


def test_a_phone_number_in_metas_error_is_masked(graph, client):
    graph.fail_next(1, 400, code=131026, message=f"Message undeliverable to {WA_ID}")
    with pytest.raises(WhatsAppRejected) as refused:
        client.send(text_messages(WA_ID, "Hello")[0])
    assert WA_ID not in refused.value.message
    assert refused.value.message.endswith(
        "(#131026) Message undeliverable to *********34 — scripted failure 400"
    )


def test_without_a_token_nothing_is_sent(graph):
    with pytest.raises(ConfigurationError, match="WHATSAPP_ACCESS_TOKEN"):
        GraphClient(settings_for(graph, access_token="")).send(text_messages(WA_ID, "Hi")[0])
    assert graph.requests == []


# --- later notifications and the 24-hour window -------------------------------------
@pytest.fixture
def desk(tmp_path, graph):
    return pin(make_desk(tmp_path, whatsapp=settings_for(graph)), NOW)


def test_inside_24_hours_of_the_customers_last_message_the_notice_is_free_text(desk, graph):
    desk.whatsapp.store.note_inbound(WA_ID, NOW - timedelta(hours=23, minutes=59))
    delivery = desk.whatsapp.notifier.notify(WA_ID, "Your coupon", "Hello,\n\nIt is issued.")
    assert delivery.via == "text"
    [sent] = graph.sent
    assert (
        sent["type"] == "text" and sent["text"]["body"] == "Your coupon\n\nHello,\n\nIt is issued."
    )


def test_after_24_hours_the_notice_is_the_approved_template_with_one_line_parameters(desk, graph):
    desk.whatsapp.store.note_inbound(WA_ID, NOW - timedelta(hours=24))
    delivery = desk.whatsapp.notifier.notify(WA_ID, "Your coupon", "Hello,\n\nIt is issued.")
    assert delivery.via == "template"
    [sent] = graph.sent
    template = sent["template"]
    assert (template["name"], template["language"]["code"]) == ("promotions_update", "en_GB")
    parameters = [p["text"] for p in template["components"][0]["parameters"]]
    assert parameters == ["Your coupon", "Hello, It is issued."]


def test_a_customer_who_never_wrote_gets_the_template(desk, graph):
    assert desk.whatsapp.notifier.notify(WA_ID, "Reminder", "Your case is open.").via == "template"
    assert graph.sent[0]["type"] == "template"


def test_when_meta_says_the_window_closed_first_the_template_follows(desk, graph):
    desk.whatsapp.store.note_inbound(WA_ID, NOW - timedelta(hours=1))
    graph.closed_windows.add(WA_ID)  # Meta's clock disagrees with ours
    delivery = desk.whatsapp.notifier.notify(WA_ID, "Your coupon", "It is issued.")
    assert delivery.via == "template"
    assert [r.status for r in graph.requests] == [400, 200]


def test_an_outbox_row_addressed_to_whatsapp_is_delivered_there_and_email_still_by_email(
    desk, graph, tmp_path
):
    with UnitOfWork(desk.engine) as uow:
        for address in (whatsapp_address(WA_ID), "jane@example.com"):
            uow.outbox.add(
                kind="case_decided",
                to_address=address,
                subject="Your appeal was decided",
                body="Hello,\n\nWe approved it (APL-3).",
                now=NOW,
            )
        uow.commit()
    report = desk.deliver_email()
    assert report.sent == 2
    [sent] = graph.sent
    assert sent["to"] == WA_ID and sent["type"] == "template"
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_without_whatsapp_configured_its_outbox_rows_wait_and_email_goes_on(tmp_path):
    desk = pin(make_desk(tmp_path), NOW)
    with UnitOfWork(desk.engine) as uow:
        for address in (whatsapp_address(WA_ID), "jane@example.com"):
            uow.outbox.add(
                kind="reminder", to_address=address, subject="Reminder", body="Hi", now=NOW
            )
        uow.commit()
    report = desk.deliver_email()
    assert (report.sent, report.retrying) == (1, 1)
    with UnitOfWork(desk.engine) as uow:
        assert uow.outbox.counts() == {"sent": 1, "pending": 1}
