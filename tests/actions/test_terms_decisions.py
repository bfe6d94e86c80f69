"""Terms answers that are program decisions, through the real actions on a real Desk:
the warranty answer cites WAR-2 for a phone bought before 29 July 2022, and "can I
use the exchange coupon on earphones" is the EXC-4 decision about earphones."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import use_desk
from actions.faq import ActionAnswerFaq
from actions.warranty import ActionAnswerWarranty
from bot.settings import ROOT
from tests.conftest import make_desk

DOMAIN_TEXT = (ROOT / "domain.yml").read_text()


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path, today="2023-05-01")
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(text="", slots=None, topic=None):
    message = {"text": text, "intent": {"name": "faq", "confidence": 1.0}, "entities": []}
    if topic is not None:
        message["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {
                    "intent_response_key": topic,
                    "utter_action": f"utter_{topic}",
                    "confidence": 0.9,
                },
                "ranking": [],
            },
        }
    return Tracker(
        sender_id="test-user",
        slots=slots or {},
        latest_message=message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, track):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return events, dispatcher.messages


# --- WAR-2 in the warranty answer --------------------------------------------------------------
EARLY = {
    "warranty_product": "Xiaomi 12 Pro",
    "country": "Pakistan",
    "warranty_channel": "Xiaomi Store (Pakistan)",
    "purchase_date": "2022-05-30",
    "warranty_problem": "liquid_damage",
}


def test_the_answer_for_a_phone_bought_before_the_start_cites_war_2(desk) -> None:
    _, messages = run(ActionAnswerWarranty(), tracker(slots=EARLY))
    assert messages[0]["response"] == "utter_warranty_covered"
    explanation = messages[0]["explanation"]
    assert "(WAR-3)" in explanation and "(WAR-2)" in explanation
    assert "30 May 2022" in explanation and "29 July 2022" in explanation


def test_the_answer_for_a_phone_bought_after_the_start_does_not(desk) -> None:
    _, messages = run(
        ActionAnswerWarranty(), tracker(slots={**EARLY, "purchase_date": "2023-01-10"})
    )
    assert "(WAR-2)" not in messages[0]["explanation"]


# --- EXC-4 in the terms answer ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("can I use the exchange coupon on accessories", "accessories"),
        ("can I use it on earphones", "accessories"),
        ("can i use my exchange voucher on a tablet", "a tablet"),
    ],
)
def test_a_product_other_than_a_smartphone_gets_the_exc_4_decision(desk, typed, says) -> None:
    _, [message] = run(ActionAnswerFaq(), tracker(typed, topic="faq/exc_accessories"))
    assert message["response"] == "utter_exchange_coupon_use"
    assert f"can't be used on {says}" in message["explanation"]
    assert "(EXC-4)" in message["explanation"]
    assert "new smartphone on mi.com" in message["next_step"]


def test_a_smartphone_bought_on_flipkart_is_refused_naming_the_shop(desk) -> None:
    typed = "can i use the exchange coupon for a phone on flipkart"
    _, [message] = run(ActionAnswerFaq(), tracker(typed, topic="faq/exc_accessories"))
    assert "can't be used at Flipkart" in message["explanation"]


def test_a_smartphone_on_mi_com_is_told_how_to_use_it(desk) -> None:
    typed = "can i use the exchange coupon on a new smartphone on mi.com"
    _, [message] = run(ActionAnswerFaq(), tracker(typed, topic="faq/exc_accessories"))
    assert "can be used on one new smartphone bought on mi.com" in message["explanation"]
    assert "enter the coupon code at checkout" in message["next_step"]


def test_another_coupon_question_naming_earphones_gets_the_decision(desk) -> None:
    typed = "how does the exchange coupon work for earphones"
    _, [message] = run(ActionAnswerFaq(), tracker(typed, topic="faq/exc_coupon_use"))
    assert message["response"] == "utter_exchange_coupon_use"


def test_another_coupon_question_naming_nothing_refused_keeps_its_own_answer(desk) -> None:
    typed = "how long is the exchange coupon valid"
    _, [message] = run(ActionAnswerFaq(), tracker(typed, topic="faq/exc_coupon_validity"))
    assert message == {**message, "response": "utter_faq/exc_coupon_validity"}


def test_every_other_topic_gets_the_response_the_selector_picked(desk) -> None:
    _, [message] = run(ActionAnswerFaq(), tracker("when does it end", topic="faq/red_offer_dates"))
    assert message["response"] == "utter_faq/red_offer_dates"
    assert "utter_faq/red_offer_dates:" in DOMAIN_TEXT


def test_nothing_picked_says_nothing_like_utter_faq(desk) -> None:
    events, messages = run(ActionAnswerFaq(), tracker("/faq"))
    assert events == [] and messages == []


def test_the_decision_response_and_action_are_in_the_domain() -> None:
    assert "utter_exchange_coupon_use:" in DOMAIN_TEXT
    assert "  - action_answer_faq\n" in DOMAIN_TEXT
