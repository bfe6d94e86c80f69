"""End to end: the real Rasa server and action server (started by scripts/run.sh, as
`make run` does) with the trained model, a conversation over the REST channel, then
the database row and the email received by a real SMTP server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, select

from bot.settings import ROOT
from bot.store.tables import participations
from tests.support import Inbox, free_port

pytestmark = pytest.mark.e2e
PHONE = "356938035643809"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    if not (ROOT / "models" / ".current").exists():
        pytest.fail("no trained model: run `make model` (make test does) before this stage")
    tmp = tmp_path_factory.mktemp("e2e")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    rasa_port, actions_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp / 'desk.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "BOT_TODAY": "2023-09-28",
        "RASA_PORT": str(rasa_port),
        "ACTION_SERVER_PORT": str(actions_port),
        "RUN_LOG_DIR": str(tmp / "log"),
        "RASA_TOKEN": "e2e-token",
        "OUTBOX_INTERVAL": "1",
    }
    for command in (["db", "upgrade"], ["devices", "import", "data/devices/sample_registry.csv"]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    process = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 420
    output = []
    for line in process.stdout:
        output.append(line)
        if line.startswith("ready in"):
            break
        if time.monotonic() > deadline:
            break
    if process.poll() is not None or not output or not output[-1].startswith("ready in"):
        stop(process)
        smtp.stop()
        logs = "".join(
            (tmp / "log" / name).read_text()[-3000:]
            for name in ("rasa.log", "actions.log")
            if (tmp / "log" / name).exists()
        )
        pytest.fail("the assistant did not start:\n" + "".join(output) + logs)
    yield {"url": f"http://127.0.0.1:{rasa_port}", "tmp": tmp, "inbox": inbox, "env": env}
    stop(process)
    smtp.stop()


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return  # already gone
    process.wait(timeout=60)


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
