"""Handovers per sender per hour (issue #9: 44 junk handovers made a real customer wait
181 minutes) and conversation ids the tables cannot keep, on a real SQLite desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.desk import use_desk
from actions.handover import ActionHandover
from bot import errors, services
from bot import limits as limits_module
from bot.limits import LimitExceeded
from bot.store.tables import cases, handovers
from tests.conftest import london, make_desk, pin

NOON = london(2023, 9, 28, 12, 0)  # Thursday: agents at work


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    monkeypatch.delenv("LIMITS_FILE", raising=False)
    limits_module.reset()
    yield
    limits_module.reset()


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)
    use_desk(desk)
    yield desk
    use_desk(None)


def ask(desk, conversation="web-1"):
    return desk.request_handover(
        services.HandoverRequest(conversation_id=conversation, channel="rest")
    )


def rows(desk, table=handovers):
    with desk.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def handed_over_and_back(desk, at, conversation="web-1"):
    """One handover, answered and handed back by an agent at ``at``."""
    pin(desk, at)
    result = ask(desk, conversation)
    assert result.outcome == "handed_over"
    desk.close_handover(result.handover.id, "agent:alice")


def three_handovers(desk):
    for minutes in (0, 10, 20):
        handed_over_and_back(desk, NOON + timedelta(minutes=minutes))


def test_the_fourth_handover_in_an_hour_is_refused_and_nothing_is_written(desk):
    three_handovers(desk)
    pin(desk, NOON + timedelta(minutes=59))
    with pytest.raises(LimitExceeded) as refused:
        ask(desk)
    assert (refused.value.code, refused.value.response) == (
        "handover_rate",
        "utter_limit_handover",
    )
    assert rows(desk) == 3
    assert desk.open_handovers() == []


def test_an_hour_after_the_first_handover_another_one_opens(desk):
    three_handovers(desk)
    pin(desk, NOON + timedelta(hours=1))  # the first one is now more than an hour ago
    result = ask(desk)
    assert result.outcome == "handed_over"
    assert rows(desk) == 4
    desk.close_handover(result.handover.id, "agent:alice")
    with pytest.raises(LimitExceeded):  # 12:10, 12:20 and 13:00 are within the hour
        ask(desk)


def test_the_limit_counts_each_conversation_apart(desk):
    three_handovers(desk)
    pin(desk, NOON + timedelta(minutes=30))
    assert ask(desk, "web-2").outcome == "handed_over"


def test_a_customer_already_waiting_is_told_so_rather_than_refused(desk):
    for minutes in (0, 10):
        handed_over_and_back(desk, NOON + timedelta(minutes=minutes))
    pin(desk, NOON + timedelta(minutes=20))
    waiting = ask(desk).handover
    pin(desk, NOON + timedelta(minutes=30))
    again = ask(desk)
    assert (again.outcome, again.handover.id) == ("already_waiting", waiting.id)


def test_the_limit_is_data(desk, tmp_path, monkeypatch):
    changed = tmp_path / "limits.yml"
    changed.write_text("handovers: {per_sender_per_hour: 1}\n")
    monkeypatch.setenv("LIMITS_FILE", str(changed))
    limits_module.reset()
    handed_over_and_back(desk, NOON)
    pin(desk, NOON + timedelta(minutes=5))
    with pytest.raises(LimitExceeded):
        ask(desk)
    assert rows(desk) == 1


def tracker(sender_id):
    return Tracker(
        sender_id=sender_id,
        slots={},
        latest_message={"intent": {"name": "human_handoff"}, "text": "a person please"},
        events=[{"event": "user", "text": "a person please", "input_channel": "rest"}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(sender_id="web-1"):
    dispatcher = CollectingDispatcher()
    events = await ActionHandover().run(dispatcher, tracker(sender_id), {})
    return [m["response"] for m in dispatcher.messages], events


async def test_the_action_answers_the_fourth_request_with_the_limit_and_does_not_pause(desk):
    three_handovers(desk)
    pin(desk, NOON + timedelta(minutes=30))
    said, events = await run()
    assert (said, events) == (["utter_limit_handover"], [])
    assert rows(desk) == 3


# --- conversation ids the tables cannot keep ------------------------------------------------
@pytest.mark.parametrize("conversation", ["\ud800", "web-\udfff-1"])
def test_a_sender_with_a_lone_surrogate_is_refused_clearly_and_nothing_is_written(
    desk, conversation
):
    with pytest.raises(errors.HandoverError, match="lone surrogate"):
        ask(desk, conversation)
    assert rows(desk) == 0
    assert desk.open_handover(conversation) is None
    assert desk.take_pending_messages(conversation) == []


def test_out_of_hours_a_surrogate_sender_opens_no_callback_case(desk):
    pin(desk, london(2023, 9, 30, 15, 0))  # Saturday afternoon
    with pytest.raises(errors.HandoverError, match="lone surrogate"):
        ask(desk, "\ud800")
    assert rows(desk, cases) == 0


@pytest.mark.parametrize("conversation", ["", "x" * 121])
def test_an_empty_or_overlong_conversation_id_is_refused(desk, conversation):
    with pytest.raises(errors.HandoverError, match="1 to 120 characters"):
        ask(desk, conversation)
    assert rows(desk) == 0


async def test_the_action_answers_a_surrogate_sender_without_recording_anything(desk):
    said, events = await run("\ud800")
    assert (said, events) == (["utter_handover_unavailable"], [])
    assert rows(desk) == 0
