"""The action server dies mid-form under scripts/run.sh (issue #9, item 5): the customer
hears utter_action_unavailable over REST, the tracker keeps nothing unvalidated, one
warning is logged without a traceback, and once the supervisor has restarted the action
server the form goes on from the same question."""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import yaml
from sqlalchemy import create_engine, text

from bot.settings import ROOT
from tests.servers import Assistant, _group_commands, running_assistant, smtp_inbox

pytestmark = pytest.mark.e2e
IMEI = "356938035643809"
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def response(name: str) -> str:
    return RESPONSES[name][0]["text"]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("e2e-faults")
    with (
        smtp_inbox() as (_, email_url),
        running_assistant(tmp, email_url=email_url, token="e2e-faults-token") as running,
    ):
        yield running


def say(assistant: Assistant, sender: str, message: str) -> list[str]:
    reply = requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=120,
    )
    reply.raise_for_status()
    return [answer.get("text", "") for answer in reply.json()]


def stored_tracker(assistant: Assistant, sender: str) -> dict:
    """The tracker under whatever id the REST channel stores SENDER's conversation."""
    engine = create_engine(assistant.env["TRACKER_STORE_URL"])
    with engine.connect() as connection:
        [stored] = connection.execute(
            text("SELECT DISTINCT sender_id FROM events WHERE sender_id LIKE :id"),
            {"id": f"%{sender}"},
        ).scalars()
    return assistant.tracker(stored)


def one_pid(assistant: Assistant, part: str) -> int:
    [pid] = [pid for pid, line in _group_commands(assistant.process.pid) if part in line]
    return pid


def refuses(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.2)


@contextmanager
def restarts_held(assistant: Assistant) -> Iterator[None]:
    """Holds the supervisor (SIGSTOP) so a killed child stays dead for the block: the
    next message then meets a closed port, however fast a restart would be."""
    supervisor = one_pid(assistant, "bot.supervisor")
    os.kill(supervisor, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(supervisor, signal.SIGCONT)


def test_the_action_server_killed_mid_form_gives_a_polite_answer_and_the_form_goes_on(assistant):
    sender = f"e2e-down-{uuid.uuid4().hex[:8]}"
    assert say(assistant, sender, "I want my 10% coupon") == [response("utter_ask_privacy_consent")]
    assert say(assistant, sender, "yes") == [response("utter_ask_product")]
    assert say(assistant, sender, "redmi note 12 pro plus") == [
        response("utter_ask_purchase_channel")
    ]
    port = int(assistant.env["ACTION_SERVER_PORT"])
    rasa_log = assistant.log_dir / "rasa.log"
    logged_before = rasa_log.stat().st_size

    with restarts_held(assistant):
        actions = one_pid(assistant, "actions.server")
        os.kill(actions, signal.SIGKILL)
        wait_until(lambda: refuses(port), 30, "the action server's port to close")
        replies = say(assistant, sender, IMEI)  # typed where the shop was asked

    assert replies == [response("utter_action_unavailable")]
    tracker = stored_tracker(assistant, sender)
    assert tracker["slots"]["purchase_channel"] is None
    assert tracker["slots"]["requested_slot"] == "purchase_channel"
    assert tracker["active_loop"]["name"] == "redemption_form"
    written = rasa_log.read_text(errors="replace")[logged_before:]
    warnings = [line for line in written.splitlines() if "bot.channels.action_faults" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0]
    assert "Traceback" not in written and IMEI not in written

    wait_until(lambda: not refuses(port), 180, "the supervisor to restart the action server")
    wait_until(
        lambda: requests.get(f"http://127.0.0.1:{port}/health", timeout=5).ok,
        60,
        "the restarted action server to answer",
    )
    assert say(assistant, sender, "bought it from currys") == [response("utter_ask_imei")]
    tracker = stored_tracker(assistant, sender)
    assert tracker["slots"]["purchase_channel"] == "Currys"
    assert tracker["slots"]["requested_slot"] == "imei"
