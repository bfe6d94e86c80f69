"""action_handover and the session start with rasa_sdk trackers and CollectingDispatcher,
on a real Desk (SQLite): what the customer is told, what is recorded, and the pause."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import use_desk
from actions.handover import ActionHandover, ActionSessionStart, offered_reason, transcript
from tests.conftest import london, make_desk, pin

DOMAIN = {"session_config": {"carry_over_slots_to_new_session": False}}


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path)  # Thursday noon in London: agents at work
    use_desk(desk)
    yield desk
    use_desk(None)


def user(text, intent, at=1695898800.0):
    return {
        "event": "user",
        "text": text,
        "timestamp": at,
        "parse_data": {"intent": {"name": intent}},
        "input_channel": "socketio",
    }


def bot(text, utter_action=None, at=1695898801.0, **metadata):
    return {
        "event": "bot",
        "text": text,
        "timestamp": at,
        "metadata": {"utter_action": utter_action, **metadata} if utter_action else metadata,
    }


def tracker(events, slots=None, loop=None):
    return Tracker(
        sender_id="web-1",
        slots={"product": "Xiaomi 13", "imei": "356938035643809", **(slots or {})},
        latest_message=(events[-1].get("parse_data") or {}) | {"text": events[-1].get("text")},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name="action_listen",
    )


async def run(events, slots=None, loop=None):
    dispatcher = CollectingDispatcher()
    result = await ActionHandover().run(dispatcher, tracker(events, slots, loop), DOMAIN)
    return dispatcher.messages, result


async def test_asking_for_a_person_says_the_wait_records_everything_and_pauses(desk):
    [said], events = await run(
        [user("hi", "greet"), bot("Hello!"), user("a person please", "human_handoff")]
    )
    assert (said["response"], said["wait_minutes"]) == ("utter_handover_started", 5)
    assert events == [ConversationPaused()]
    [handover] = desk.open_handovers()
    assert (handover.reason, handover.channel, handover.territory) == (
        "customer_asked",
        "socketio",
        "GB",
    )
    assert handover.facts == {"product": "Xiaomi 13", "imei": "356938035643809"}
    assert [(line.speaker, line.text) for line in handover.transcript] == [
        ("customer", "hi"),
        ("bot", "Hello!"),
        ("customer", "a person please"),
    ]


async def test_a_handover_during_a_form_ends_the_form_first(desk):
    _, events = await run([user("a person please", "human_handoff")], loop="redemption_form")
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), ConversationPaused()]


async def test_accepting_an_offer_records_what_triggered_it(desk):
    events = [
        user("123", "inform"),
        bot("That has 3 digits", "utter_imei_wrong_length"),
        bot("A person can help", "utter_offer_handover_identifier"),
        bot("What is the IMEI?", "utter_ask_imei"),
        user("/human_handoff", "human_handoff"),
    ]
    await run(events)
    [handover] = desk.open_handovers()
    assert handover.reason == "identifier_failures"
    assert handover.transcript[-1].text == "[button: human_handoff]"


def test_an_offer_made_before_the_last_turn_does_not_count():
    events = [
        bot("Talk to a person?", "utter_offer_handover_misunderstood"),
        user("no", "deny"),
        bot("OK"),
        user("actually, a person", "human_handoff"),
    ]
    assert offered_reason(events) is None
    assert offered_reason(events[:2]) == "misunderstood"
    assert offered_reason([]) is None


async def test_asking_again_says_the_customer_is_already_waiting(desk):
    await run([user("a person please", "human_handoff")])
    [said], events = await run([user("hello??", "human_handoff")])
    assert said["response"] == "utter_handover_already_waiting"
    assert events == [ConversationPaused()] and len(desk.open_handovers()) == 1


async def test_the_upgrade_topic_is_answered_from_india(desk):
    pin(desk, london(2023, 9, 27, 7, 0))  # 11:30 in India, before the UK desk opens
    await run(
        [user("buyback after 12 months?", "upgrade_enquiry"), user("a person", "human_handoff")]
    )
    [handover] = desk.open_handovers()
    assert handover.territory == "IN"


async def test_out_of_hours_the_customer_hears_when_someone_answers_and_gets_a_case(desk):
    pin(desk, london(2023, 9, 30, 15, 0))  # Saturday afternoon
    [said], events = await run([user("a person please", "human_handoff")])
    assert said["response"] == "utter_handover_out_of_hours"
    assert said["opens_at"] == "Monday 2 October 2023 at 09:00 (UK time)"
    assert said["case_reference"].startswith("RC-")
    assert events == []  # not paused: the assistant keeps helping
    assert desk.open_handovers() == []


async def test_a_broken_handover_setup_is_explained_and_nothing_pauses(desk, tmp_path):
    broken = tmp_path / "handover.yml"
    broken.write_text("territories: {}\n")
    use_desk(replace(desk, settings=replace(desk.settings, handover_file=broken)))
    [said], events = await run([user("a person please", "human_handoff")])
    assert said["response"] == "utter_handover_unavailable" and events == []


def test_the_transcript_names_who_said_what():
    lines = transcript(
        [
            {"event": "action", "name": "action_listen"},
            user("hi", "greet"),
            bot("Hello!", "utter_greet"),
            bot("I'm Alice", None, **{"from": "agent", "agent_name": "alice"}),
            {"event": "bot", "text": None},
        ]
    )
    assert [(line.speaker, line.text, line.agent_name) for line in lines] == [
        ("customer", "hi", ""),
        ("bot", "Hello!", ""),
        ("agent", "I'm Alice", "alice"),
    ]


async def test_a_new_session_keeps_a_conversation_a_person_holds_paused(desk):
    start = ActionSessionStart()
    quiet = await start.run(CollectingDispatcher(), tracker([user("hi", "greet")]), DOMAIN)
    assert quiet[0] == SessionStarted() and ConversationPaused() not in quiet
    await run([user("a person please", "human_handoff")])
    held = await start.run(CollectingDispatcher(), tracker([user("hi", "greet")]), DOMAIN)
    assert held[0] == SessionStarted() and held[-1] == ConversationPaused()


@pytest.mark.parametrize(
    ("metadata", "language"),
    [({"calling_code": "34"}, "es"), ({"lang": "fr-FR"}, "fr"), ({"calling_code": "44"}, None)],
)
async def test_a_new_conversation_starts_in_the_language_its_channel_suggests(
    desk, metadata, language
):
    started = await ActionSessionStart().run(
        CollectingDispatcher(),
        tracker([user("hi", "greet")], slots={"session_started_metadata": metadata}),
        DOMAIN,
    )
    chosen = [e["value"] for e in started if e.get("event") == "slot" and e["name"] == "language"]
    assert chosen == ([language] if language else [])


async def test_a_new_session_keeps_the_language_the_customer_chose(desk):
    slots = {"language": "it", "session_started_metadata": {"calling_code": "34"}}
    started = await ActionSessionStart().run(
        CollectingDispatcher(), tracker([user("ciao", "greet")], slots=slots), DOMAIN
    )
    assert SlotSet("language", "it") in started
