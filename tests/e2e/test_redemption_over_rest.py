"""End to end: the real Rasa server and action server (started by scripts/run.sh, as
`make run` does) with the trained model, a conversation over the REST channel, then
the database row and the email received by a real SMTP server."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import create_engine, select

from bot.store.tables import participations
from tests.servers import running_assistant, smtp_inbox

pytestmark = pytest.mark.e2e
PHONE = "356938035643809"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    with (
        smtp_inbox() as (inbox, email_url),
        running_assistant(tmp, email_url=email_url, token="e2e-token") as running,
    ):
        yield {"url": running.url, "tmp": tmp, "inbox": inbox, "env": running.env}


def say(assistant, sender: str, text: str) -> str:
    reply = requests.post(
        f"{assistant['url']}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=120,
    )
    reply.raise_for_status()
    return "\n".join(message.get("text", "") for message in reply.json())


def converse(assistant, sender, turns):
    """Each turn: (customer text, a phrase the answer must contain)."""
    answers = []
    for text, expected in turns:
        answer = say(assistant, sender, text)
        assert expected.lower() in answer.lower(), f"after {text!r} the assistant said: {answer!r}"
        answers.append(answer)
    return answers


CLAIM = [
    ("I want my 10% coupon", "privacy notice"),
    ("yes", "which product"),
    ("redmi note 12 pro plus", "where did you buy"),
    ("currys", "IMEI"),
]


def test_a_full_redemption_issues_records_and_emails_the_coupon(assistant):
    answers = converse(
        assistant,
        "e2e-happy",
        CLAIM
        + [
            (PHONE, "email"),
            ("jane.doe@example.com", "Mi ID"),
            ("6123456789", "coupon is ready"),
        ],
    )
    final = answers[-1]
    assert "RED-12" in final and "IMEI10-" in final
    code = next(word.strip(" .()") for word in final.split() if word.startswith("IMEI10-"))

    engine = create_engine(assistant["env"]["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(select(participations)).mappings().one()
    assert (row["identifier"], row["status"], row["coupon_code"]) == (PHONE, "issued", code)
    assert (row["email"], row["mi_id"]) == ("jane.doe@example.com", "6123456789")

    deadline = time.monotonic() + 30
    while not assistant["inbox"].messages and time.monotonic() < deadline:
        time.sleep(0.5)
    [email] = [m for m in assistant["inbox"].messages if m["To"] == "jane.doe@example.com"]
    assert code in email.get_payload(decode=True).decode()


def test_a_second_attempt_with_the_same_imei_is_refused(assistant):
    answers = converse(
        assistant,
        "e2e-again",
        CLAIM
        + [
            (PHONE, "email"),
            ("someone@example.com", "Mi ID"),
            ("7000000001", "doesn't qualify"),
        ],
    )
    assert "RED-9" in answers[-1]


def test_an_unauthorised_channel_is_refused_with_red_7(assistant):
    answers = converse(assistant, "e2e-ebay", CLAIM[:3] + [("ebay", "doesn't qualify")])
    assert "RED-7" in answers[-1]


def test_a_question_mid_form_is_answered_and_cancel_leaves_cleanly(assistant):
    converse(
        assistant,
        "e2e-interrupt",
        CLAIM
        + [
            ("where do I find my IMEI?", "*#06#"),
            ("12345", "15"),
            ("cancel", "stopped"),
        ],
    )


def test_personal_data_never_appears_in_the_logs(assistant):
    logs = "".join(path.read_text() for path in (assistant["tmp"] / "log").glob("*.log"))
    assert logs, "the servers wrote no logs"
    for secret in (PHONE, "jane.doe@example.com", "6123456789"):
        assert secret not in logs
