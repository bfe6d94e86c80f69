"""Handover use cases on a real SQLite desk (HND-1..6): handing over in and out of
staffed hours, agents' replies, closing, messages kept for REST, agent accounts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import errors, services
from bot.calendar import Clock
from bot.store.tables import agents, handovers
from tests.conftest import london, make_desk, pin

PHONE = "356938035643809"
SAID = (
    services.TranscriptLine(datetime(2023, 9, 28, 10, 59, tzinfo=timezone.utc), "customer", "hi"),
    services.TranscriptLine(datetime(2023, 9, 28, 11, 0, tzinfo=timezone.utc), "bot", "Hello!"),
    services.TranscriptLine(
        datetime(2023, 9, 28, 11, 1, tzinfo=timezone.utc), "customer", "a person please"
    ),
)
SLOTS = {
    "product": "Redmi Note 12 Pro+ 5G",
    "imei": PHONE,
    "email": "jane.doe@example.com",
    "privacy_consent": True,
    "requested_slot": "mi_id",
}


@pytest.fixture
def desk(tmp_path):
    return make_desk(tmp_path)  # Thursday 28 September 2023, noon in London: staffed


def ask(desk, conversation="web-1", reason=None, topics=("human_handoff",), channel="socketio"):
    return desk.request_handover(
        services.HandoverRequest(
            conversation_id=conversation,
            channel=channel,
            reason=reason,
            slots=SLOTS,
            transcript=SAID,
            topics=topics,
        )
    )


def test_a_handover_in_staffed_hours_waits_for_an_agent_with_the_transcript_and_facts(desk):
    result = ask(desk, reason="misunderstood")
    assert (result.outcome, result.paused, result.wait_minutes) == ("handed_over", True, 5)
    handover = result.handover
    assert (handover.state.value, handover.channel, handover.reason) == (
        "waiting",
        "socketio",
        "misunderstood",
    )
    assert handover.facts == {
        "product": "Redmi Note 12 Pro+ 5G",
        "imei": PHONE,
        "email": "jane.doe@example.com",
        "privacy_consent": "yes",
    }
    assert [line.text for line in handover.transcript] == ["hi", "Hello!", "a person please"]
    assert [h.id for h in desk.open_handovers()] == [handover.id]


def test_asking_twice_returns_the_handover_already_waiting(desk):
    first = ask(desk)
    second = ask(desk)
    assert second.outcome == "already_waiting" and second.handover.id == first.handover.id
    assert len(desk.open_handovers()) == 1


def test_the_expected_wait_counts_the_customers_already_waiting(desk):
    assert [ask(desk, f"web-{n}").wait_minutes for n in range(3)] == [5, 9, 13]
    # asking again keeps one's place: only those who asked first count
    assert ask(desk, "web-1").wait_minutes == 9


def test_the_territory_follows_the_topic_of_the_conversation(desk):
    # Wednesday: 11:30 in India, 07:00 in the UK (28 September is a holiday in India)
    pin(desk, datetime(2023, 9, 27, 6, 0, tzinfo=timezone.utc))
    india = ask(desk, topics=("human_handoff", "upgrade_enquiry"))
    assert (india.outcome, india.handover.territory) == ("handed_over", "IN")
    uk = ask(desk, "web-2", topics=("human_handoff", "redeem_coupon"))
    assert (uk.outcome, uk.territory.code) == ("out_of_hours", "GB")


def test_out_of_hours_a_callback_case_is_opened_and_nothing_waits(desk):
    pin(desk, london(2023, 9, 30, 15, 0))  # Saturday afternoon: closed until Monday
    result = ask(desk, reason="identifier_failures")
    assert (result.outcome, result.paused) == ("out_of_hours", False)
    assert result.opens_at == "Monday 2 October 2023 at 09:00 (UK time)"
    assert result.case_reference.startswith("RC-")
    assert desk.open_handovers() == []
    [case] = desk.list_cases()
    assert (case.reference, case.kind) == (result.case_reference, "callback")


def test_the_handover_log_masks_personal_data(desk, caplog):
    caplog.set_level(logging.INFO, logger="bot.services.handover")
    ask(desk, conversation="447700900123")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "handover" in logged
    for secret in (PHONE, "jane.doe@example.com", "447700900123"):
        assert secret not in logged


# --- agents answer and close -----------------------------------------------------------------
def test_an_agents_reply_makes_the_handover_active_and_waits_for_delivery(desk):
    handover = ask(desk).handover
    message = desk.agent_reply(handover.id, "alice", "  Hello, I'm Alice.  ")
    assert (message.text, message.agent, message.delivered_at) == (
        "Hello, I'm Alice.",
        "alice",
        None,
    )
    now_active = desk.handover(handover.id)
    assert (now_active.state.value, now_active.agent) == ("active", "alice")
    assert now_active.answered_at is not None


def test_messages_kept_for_a_channel_without_push_are_delivered_once(desk):
    handover = ask(desk, channel="rest").handover
    first = desk.agent_reply(handover.id, "alice", "one")
    desk.agent_reply(handover.id, "alice", "two")
    desk.mark_delivered(first.id)  # say the first one was pushed
    assert [m.text for m in desk.take_pending_messages("web-1")] == ["two"]
    assert desk.take_pending_messages("web-1") == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_overlong_reply_is_refused_and_changes_nothing(desk, text):
    handover = ask(desk).handover
    with pytest.raises(errors.InvalidReply):
        desk.agent_reply(handover.id, "alice", text)
    assert desk.handover(handover.id).state.value == "waiting"
    assert desk.take_pending_messages("web-1") == []


def test_closing_hands_back_once_and_a_closed_handover_takes_no_reply(desk):
    handover = ask(desk).handover
    closed = desk.close_handover(handover.id, "agent:alice")
    assert (closed.state.value, closed.closed_by) == ("closed", "agent:alice")
    assert desk.close_handover(handover.id, "agent:bob") is None
    with pytest.raises(errors.HandoverClosed):
        desk.agent_reply(handover.id, "alice", "still there?")
    assert desk.open_handovers() == []
    # a new request after the close opens a new handover
    assert ask(desk).handover.id != handover.id


def test_an_unknown_handover_is_named_as_such(desk):
    with pytest.raises(errors.HandoverNotFound):
        desk.handover(999)
    with pytest.raises(errors.HandoverNotFound):
        desk.close_handover(999, "agent:alice")


def test_the_same_chatwoot_message_is_recorded_once(desk):
    handover = ask(desk).handover
    with desk.engine.begin() as connection:
        connection.execute(
            handovers.update().where(handovers.c.id == handover.id).values(external_id="42")
        )
    with pytest.raises(errors.HandledInChatwoot):
        desk.agent_reply(handover.id, "alice", "from the inbox")
    assert desk.agent_reply(handover.id, "Bob", "hi", external_id="chatwoot:7") is not None
    assert desk.agent_reply(handover.id, "Bob", "hi", external_id="chatwoot:7") is None
    assert desk.handover_in_chatwoot("42").id == handover.id


def test_the_open_cases_of_the_customer_are_listed_for_the_agent(desk):
    pin(desk, london(2023, 9, 30, 15, 0))
    reference = ask(desk).case_reference  # a callback case of this conversation
    pin(desk, london(2023, 10, 2, 10, 0))
    handover = ask(desk).handover
    [case] = desk.cases_for_handover(handover)
    assert (case.reference, case.kind, case.verbs) == (reference, "callback", ("close",))


# --- agent accounts ---------------------------------------------------------------------------
def test_an_agent_logs_in_with_the_right_password_only(desk):
    desk.add_agent("alice", "correct horse battery")
    assert desk.agent_log_in("alice", "correct horse battery") == 0
    with pytest.raises(errors.AgentLoginRefused):
        desk.agent_log_in("alice", "wrong horse battery")
    with pytest.raises(errors.AgentLoginRefused):
        desk.agent_log_in("nobody", "correct horse battery")


def test_the_password_is_not_stored_in_clear(desk):
    desk.add_agent("alice", "correct horse battery")
    with desk.engine.connect() as connection:
        stored = connection.execute(select(agents.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt$") and "correct horse" not in stored


def test_a_second_agent_with_the_same_name_is_refused(desk):
    desk.add_agent("alice", "correct horse battery")
    with pytest.raises(errors.AgentExists):
        desk.add_agent("alice", "another long password")
    assert desk.count_agents() == 1


def test_repeated_failures_lock_the_account_for_a_while(desk):
    desk.add_agent("alice", "correct horse battery")
    start = datetime(2023, 9, 28, 12, 0, tzinfo=timezone.utc)
    desk.__dict__["auth_clock"] = Clock.fixed(start)
    for _ in range(5):
        with pytest.raises(errors.AgentLoginRefused):
            desk.agent_log_in("alice", "wrong")
    with pytest.raises(errors.AgentLoginRefused):
        desk.agent_log_in("alice", "correct horse battery")  # right, but locked
    desk.__dict__["auth_clock"] = Clock.fixed(start + timedelta(minutes=15, seconds=1))
    assert desk.agent_log_in("alice", "correct horse battery") == 0


def test_logging_out_or_a_new_password_ends_every_session(desk):
    desk.add_agent("alice", "correct horse battery")
    epoch = desk.agent_log_in("alice", "correct horse battery")
    assert desk.agent_session_is_current("alice", epoch)
    desk.agent_log_out("alice")
    assert not desk.agent_session_is_current("alice", epoch)
    epoch = desk.agent_log_in("alice", "correct horse battery")
    desk.set_agent_password("alice", "a brand new password")
    assert not desk.agent_session_is_current("alice", epoch)
    assert not desk.agent_session_is_current("nobody", 0)
