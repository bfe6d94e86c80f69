"""End to end, as a new user would run it: the real Rasa and action servers (scripts/run.sh
with the trained model) over the REST channel, the staff decisions made with the real
command line (`python -m bot cases decide …`, a separate process on the same database),
and every email received by a real SMTP server on loopback.

difficulty form -> case reference -> status -> staff rejects -> failure notice with the
appeal deadline -> appeal in the chat -> staff upholds -> coupon email; a second appeal
is refused (APL-3); an appeal on a case whose notice is older than 7 working days is
refused with both dates (APL-2); a redemption RED cannot decide tells its case reference.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from bot import services
from bot.bootstrap import Desk
from bot.settings import ROOT, Settings
from tests.e2e.test_redemption_over_rest import converse, say
from tests.servers import running_assistant, smtp_inbox

pytestmark = pytest.mark.e2e
TODAY = "2023-09-28"  # inside the activity, before the coupon expires (RED-2, RED-13)
PHONE = "867234051234562"  # Xiaomi 13 in the sample registry (Currys is authorised)
OLD = "352108112233445"  # POCO X5 Pro 5G in the sample registry
UNKNOWN = "350000111122228"  # a valid IMEI the registry does not know (RED-8)
MI_ID, EMAIL = "6123456789", "sam.case@example.com"
REFERENCE = re.compile(r"\b(?:RC|AP)-[A-Z2-9]{4}-[A-Z2-9]{2}\b")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e-cases")
    with (
        smtp_inbox() as (inbox, email_url),
        running_assistant(tmp, email_url=email_url, token="e2e-token", today=TODAY) as running,
    ):
        yield {"url": running.url, "tmp": tmp, "inbox": inbox, "env": running.env}


def cli(env, *args: str, today: str | None = None) -> str:
    """Run `python -m bot …` as staff would, on the same database; its output."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**env, "BOT_TODAY": today or env["BOT_TODAY"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def email_with(assistant, *phrases: str, to: str = EMAIL):
    """The one email to ``to`` containing every phrase (waits for the outbox worker)."""
    deadline = time.monotonic() + 30
    while True:
        found = [
            m
            for m in assistant["inbox"].messages
            if m["To"] == to
            and all(p in f"{m['Subject']}\n{m.get_payload(decode=True).decode()}" for p in phrases)
        ]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(found) == 1, f"expected one email to {to} with {phrases}"
    return found[0].get_payload(decode=True).decode()


def reference_in(answer: str, prefix: str = "RC-") -> str:
    found = [r for r in REFERENCE.findall(answer) if r.startswith(prefix)]
    assert found, f"no {prefix} reference in {answer!r}"
    return found[0]


DIFFICULTY_FORM = [
    ("the redemption page keeps erroring", "difficulty form"),
    ("yes", "which product"),
    ("xiaomi 13", "where did you buy"),
    ("currys", "IMEI"),
    (PHONE, "reply to"),
    (EMAIL, "Mi ID"),
    (MI_ID, "opened case"),
]


def test_difficulty_form_rejection_appeal_in_time_and_upheld_with_the_coupon(assistant):
    env = assistant["env"]
    answers = converse(assistant, "e2e-case-form", DIFFICULTY_FORM)
    case = reference_in(answers[-1])
    assert "Monday 2 October 2023" in answers[-1]  # FAQ-3: 2 working days after Thursday
    email_with(assistant, case, "Monday 2 October 2023")

    # The same device again: the open case comes back (FAQ-4).
    again = converse(assistant, "e2e-case-again", DIFFICULTY_FORM[:-1] + [(MI_ID, "already open")])
    assert case in again[-1]

    converse(assistant, "e2e-case-status", [(f"status of case {case}", "is reviewing it")])

    # Staff reject from the command line; the failure notice states reasons and deadline.
    listed = cli(env, "cases", "list")
    assert case in listed and PHONE not in listed
    decided = cli(
        env,
        "cases",
        "decide",
        case,
        "reject",
        "--reason",
        "RED-14: the proof of purchase was not provided",
        "--by",
        "e2e-staff",
    )
    assert "appeal until 23:59 on Monday 9 October 2023" in decided
    notice = email_with(assistant, case, "did not pass the review")
    assert "RED-14" in notice and "23:59 on Monday 9 October 2023" in notice
    assert "I want to appeal case" in notice

    # The customer appeals in the chat, inside the window (APL-1).
    answers = converse(
        assistant,
        "e2e-case-appeal",
        [
            ("I want to appeal", "reference"),
            (case, "why"),
            ("I bought it at Currys and I have the receipt", "proof-of-purchase"),
            ("INV-88213", "is open"),
        ],
    )
    assert "23:59 on Monday 9 October 2023" in answers[1]
    appeal = reference_in(answers[-1], "AP-")
    email_with(assistant, appeal, "received")

    # A second appeal on the same case is refused (APL-3).
    second = converse(
        assistant, "e2e-case-appeal-2", [("I want to appeal", "reference"), (case, appeal)]
    )
    assert "APL-3" in second[-1]

    # Staff uphold from the command line: the coupon is issued and emailed (APL-4, RED-12).
    upheld = cli(
        env, "cases", "decide", appeal, "uphold", "--reason", "receipt checked", "--by", "lead"
    )
    assert "coupon issued and emailed" in upheld
    coupon = email_with(assistant, f"Appeal {appeal} upheld")
    assert re.search(r"IMEI10-[A-Z2-9]{4}-", coupon)
    converse(assistant, "e2e-case-status-2", [(f"any news on {case}?", "upheld")])


def test_an_appeal_after_seven_working_days_is_refused_with_both_dates(assistant):
    env = assistant["env"]
    # A case whose failure notice is old: opened and rejected on Thursday 14 September,
    # so appeals closed at 23:59 on Monday 25 September; the chat runs on 28 September.
    old = Desk(replace(Settings.from_env(env), today="2023-09-14"))
    request = services.DifficultyRequest("POCO X5 Pro 5G", "Argos", OLD, EMAIL, MI_ID)
    case = old.open_difficulty_case(request).case.reference
    cli(env, "cases", "decide", case, "reject", "--reason", "RED-8: too recent", today="2023-09-14")
    answers = converse(
        assistant,
        "e2e-case-late",
        [("I want to appeal", "reference"), (case.lower(), "deemed accepted")],
    )
    assert "14 September 2023" in answers[-1]
    assert "23:59 on Monday 25 September 2023" in answers[-1]
    assert "APL-2" in answers[-1]


def test_a_redemption_that_needs_review_tells_its_case_reference(assistant):
    answers = converse(
        assistant,
        "e2e-case-review",
        [
            ("I want my 10% coupon", "privacy notice"),
            ("yes", "which product"),
            ("xiaomi 13", "where did you buy"),
            ("currys", "IMEI"),
            (UNKNOWN, "email"),
            ("rev.case@example.com", "Mi ID"),
            ("7123456780", "case reference"),
        ],
    )
    case = reference_in(answers[-1])
    assert "RED-8" in answers[-1]
    email_with(assistant, case, to="rev.case@example.com")
    status = say(assistant, "e2e-case-review-2", f"what's the status of {case}?")
    assert case in status


def test_no_personal_data_in_the_logs_of_the_case_conversations(assistant):
    logs = "".join(path.read_text() for path in (assistant["tmp"] / "log").glob("*.log"))
    assert logs, "the servers wrote no logs"
    for secret in (PHONE, OLD, UNKNOWN, EMAIL, MI_ID, "rev.case@example.com"):
        assert secret not in logs
