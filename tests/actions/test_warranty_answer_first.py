"""Answer first (issue #10): a warranty question is answered from what its message says;
the form asks only what a personal check still needs. Real rasa_sdk actions on a real
Desk; every answer's text ends with the rule IDs of its decision."""

from __future__ import annotations

import asyncio
import re
from unittest import mock

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.faq
from actions.desk import use_desk
from actions.faq import ActionAnswerFaq
from actions.faq_warranty import DECIDED_TOPICS
from actions.warranty import ActionAnswerWarranty, ValidateWarrantyForm
from bot.settings import ROOT
from tests.conftest import make_desk

DOMAIN_FILE = yaml.safe_load((ROOT / "domain.yml").read_text())
DOMAIN = {"slots": {}, "forms": DOMAIN_FILE["forms"]}
RESPONSES = DOMAIN_FILE["responses"]
FORM_SLOTS = DOMAIN_FILE["forms"]["warranty_form"]["required_slots"]


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path, today="2024-01-10")
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(text, slots=None, intent="warranty_enquiry", topic=None, requested=None):
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if topic is not None:
        message["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": topic, "utter_action": f"utter_{topic}"},
                "ranking": [{"intent_response_key": topic, "confidence": 0.9}],
            }
        }
    slots = dict(slots or {})
    slots["requested_slot"] = requested
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message=message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "warranty_form"},
        latest_action_name="action_listen",
    )


def start_form(text, slots=None):
    """The form's validation on the message that starts it: (slots after, messages)."""
    dispatcher = CollectingDispatcher()
    track = tracker(text, slots)
    events = asyncio.run(ValidateWarrantyForm().run(dispatcher, track, DOMAIN))
    after = dict(slots or {})
    after.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    return after, dispatcher.messages


def answer(slots, text=""):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerWarranty().run(dispatcher, tracker(text, slots), DOMAIN))
    return events, dispatcher.messages


def said(message) -> str:
    """The response's text with the message's values filled in, as the bot says it."""
    text = RESPONSES[message["response"]][0]["text"]
    values = {k: v for k, v in message.items() if isinstance(v, str)}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def ends_with_rules(text: str, *rules: str) -> bool:
    return text.endswith(f"({', '.join(rules)}).")


def first_then_answer(text, slots=None):
    after, _ = start_form(text, slots)
    _, messages = answer(after, text)
    return after, messages[-1]


# --- answered at once, nothing asked -------------------------------------------------------------
def test_the_warranty_length_is_answered_at_once(desk) -> None:
    after, message = first_then_answer(
        "how long is the warranty on a xiaomi 12 pro bought in pakistan"
    )
    assert after["warranty_question"] == "length"
    assert after.get("requested_slot") is None
    assert message["response"] == "utter_faq/war_24_month"
    assert ends_with_rules(said(message), "WAR-4")


def test_a_phone_bought_in_dubai_gets_the_pakistan_only_answer(desk) -> None:
    after, message = first_then_answer(
        "does the pakistan promotion apply to a xiaomi 12 bought in dubai"
    )
    assert after.get("requested_slot") is None
    assert message["response"] == "utter_warranty_outside_country"
    assert "United Arab Emirates" in said(message) and ends_with_rules(said(message), "WAR-1")


def test_the_screen_repair_validity_is_computed_from_the_two_dates(desk) -> None:
    _, message = first_then_answer(
        "bought 1 march 2023, is the free screen repair still valid on 1 october 2023"
    )
    assert message["response"] == "utter_warranty_screen_ended_on"
    text = said(message)
    assert "1 September 2023" in text and ends_with_rules(text, "WAR-5", "WAR-8")


def test_the_free_labour_end_counts_from_purchase_and_not_before_the_start(desk) -> None:
    _, message = first_then_answer(
        "bought on 30 may 2022, until when can i use the free labour repair"
    )
    text = said(message)
    assert "30 May 2023" in text and "29 July 2022" in text
    assert ends_with_rules(text, "WAR-2", "WAR-3")


def test_a_screen_cracked_eight_months_after_purchase_is_paid(desk) -> None:
    _, message = first_then_answer("screen cracked 8 months after i bought it")
    assert message["response"] == "utter_warranty_screen_months_after_ended"
    assert ends_with_rules(said(message), "WAR-5", "WAR-8")


def test_a_named_exclusion_is_answered_with_the_exclusion(desk) -> None:
    _, message = first_then_answer("does the 24 month warranty cover a removed imei sticker")
    assert message["response"] == "utter_warranty_excluded"
    assert "IMEI" in said(message) and ends_with_rules(said(message), "WAR-4")


def test_how_to_claim_is_the_canned_war_6_answer(desk) -> None:
    _, message = first_then_answer("how do i claim")
    assert message["response"] == "utter_faq/war_how_to_claim"


# --- a personal check asks only what is missing ------------------------------------------------
def test_a_personal_check_with_every_fact_given_asks_nothing(desk) -> None:
    after, _ = start_form(
        "my xiaomi 12 from Lahore stopped working, bought from mi.com on 3/3/2023, am i covered"
    )
    assert after["warranty_question"] == "coverage"
    assert all(after.get(slot) for slot in FORM_SLOTS)
    assert after["country"] == "Pakistan" and after["purchase_date"] == "2023-03-03"


def test_a_personal_check_keeps_the_facts_given_and_leaves_only_the_rest(desk) -> None:
    after, _ = start_form("is my xiaomi 12 covered? i bought it in pakistan")
    missing = [slot for slot in FORM_SLOTS if not after.get(slot)]
    assert missing == ["warranty_channel", "purchase_date", "warranty_problem"]


def test_a_country_said_earlier_is_not_asked_again(desk) -> None:
    after, _ = start_form("is my xiaomi 12 covered", {"country": "Pakistan"})
    assert "country" not in [slot for slot in FORM_SLOTS if not after.get(slot)]


def test_a_terms_question_does_not_take_another_programs_country_as_the_purchase(desk) -> None:
    _, message = first_then_answer("how long is the warranty", {"country": "Spain"})
    assert message["response"] == "utter_faq/war_24_month"


# --- the same answers through the terms topics -------------------------------------------------
def faq(text, topic):
    dispatcher = CollectingDispatcher()
    table = {**actions.faq.DECIDED_TOPICS, **DECIDED_TOPICS}
    with mock.patch.object(actions.faq, "DECIDED_TOPICS", table):
        asyncio.run(
            ActionAnswerFaq().run(dispatcher, tracker(text, intent="faq", topic=topic), DOMAIN)
        )
    return dispatcher.messages


def test_the_free_labour_topic_answers_from_a_purchase_date(desk) -> None:
    [message] = faq(
        "bought on 30 may 2022, until when can i use the free labour repair",
        "faq/war_free_labour",
    )
    assert message["response"] == "utter_warranty_oow_labour_until_from_start"


def test_the_topic_without_facts_says_its_canned_answer(desk) -> None:
    [message] = faq("is labour free on the xiaomi 12", "faq/war_free_labour")
    assert message["response"] == "utter_faq/war_free_labour"


def test_a_second_screen_repair_is_one_time_whatever_topic_the_selector_picked(desk) -> None:
    [message] = faq("i already used my free screen repair, is a second one free", "faq/war_screen")
    assert message["response"] == "utter_warranty_screen_once"
    assert ends_with_rules(said(message), "WAR-5")


def test_every_terms_answer_response_ends_with_its_rule_ids() -> None:
    kinds = ("outside_", "extended_warranty_", "screen_", "oow_labour_", "excluded", "counted")
    keys = [k for k in RESPONSES if k.startswith(tuple(f"utter_warranty_{p}" for p in kinds))]
    assert len(keys) >= 25
    for key in keys:
        assert re.search(r"\((WAR-\d+)(, WAR-\d+)*\)\.$", RESPONSES[key][0]["text"]), key


def test_a_typed_model_left_unvalidated_by_a_terms_question_is_read_as_the_covered_one(
    desk,
) -> None:
    _, [message] = answer(
        {
            "warranty_question": "length",
            "warranty_product": "mi 12 pro",
            "purchase_date": "3 march 2023",
        }
    )
    assert message["response"] == "utter_warranty_extended_warranty_until"
    assert message["until"] == "3 March 2025"


def test_a_covered_phone_named_for_another_program_is_kept(desk) -> None:
    after, _ = start_form("is it covered", {"product": "Xiaomi 12"})
    assert after["warranty_product"] == "Xiaomi 12"


def test_another_phone_named_for_another_program_is_not_this_question(desk) -> None:
    _, message = first_then_answer("how long is the warranty", {"product": "Redmi Pad"})
    assert message["response"] == "utter_faq/war_24_month"


# --- answers inside the form that say more than was asked ------------------------------------
def form_turn(text, slots, requested, intent="inform"):
    dispatcher = CollectingDispatcher()
    track = tracker(text, slots, intent=intent, requested=requested)
    events = asyncio.run(ValidateWarrantyForm().run(dispatcher, track, DOMAIN))
    after = dict(slots)
    after.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    return after, dispatcher.messages


def test_a_city_of_pakistan_answers_the_country_question(desk) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateWarrantyForm().validate_country(
        "Lahore", dispatcher, tracker("Lahore", requested="country"), DOMAIN
    )
    assert result == {"country": "Pakistan"} and dispatcher.messages == []


def test_an_unknown_place_is_still_refused_with_a_specific_message(desk) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateWarrantyForm().validate_country(
        "Atlantis", dispatcher, tracker("Atlantis", requested="country"), DOMAIN
    )
    assert result == {"country": None}
    assert dispatcher.messages[0]["response"] == "utter_country_unknown"


def test_an_answer_that_says_more_fills_the_other_empty_facts(desk) -> None:
    slots = {
        "warranty_question": "coverage",
        "warranty_product": "Xiaomi 12",
        "country": "Pakistan",
    }
    after, _ = form_turn("from mi.com on 3 march 2023", slots, "warranty_channel")
    assert after["purchase_date"] == "2023-03-03"
    assert after["warranty_question"] == "coverage"  # the question stays the one asked first


def test_a_phone_outside_the_promotion_named_in_a_terms_question_gets_war_1(desk) -> None:
    track = tracker(
        "is the redmi note 12 covered by the pakistan screen warranty",
        intent="faq",
        topic="faq/war_screen",
    )
    track.latest_message["entities"] = [{"entity": "product", "value": "redmi note 12"}]
    dispatcher = CollectingDispatcher()
    with mock.patch.object(actions.faq, "DECIDED_TOPICS", {**actions.faq.DECIDED_TOPICS}):
        asyncio.run(ActionAnswerFaq().run(dispatcher, track, DOMAIN))
    [message] = dispatcher.messages
    assert message["response"] == "utter_warranty_outside_product"
    assert "(WAR-1)" in RESPONSES["utter_warranty_outside_product"][0]["text"]
