"""Answer first (issue #10): a Mi Exchange or appeal question that gives its facts is
answered at once through the real actions on a real Desk — as a terms topic
(actions/faq_exchange.py, actions/faq_appeal.py merged into faq's table) and as the
exchange form's first turn, which then asks nothing."""

from __future__ import annotations

import asyncio
import re

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq, faq_appeal, faq_exchange
from actions.desk import use_desk
from actions.exchange import ActionAnswerExchange, ValidateExchangeForm
from actions.faq import ActionAnswerFaq
from bot.settings import ROOT
from tests.conftest import make_desk

DOMAIN_FILE = yaml.safe_load((ROOT / "domain.yml").read_text())
RESPONSES = DOMAIN_FILE["responses"]
DOMAIN = {"slots": {}, "forms": DOMAIN_FILE["forms"]}
RULE_AT_END = re.compile(r"\((?:[A-Z]{3}-\d+(?:, )?)+\)\.?$")


@pytest.fixture
def desk(tmp_path, monkeypatch):
    desk = make_desk(tmp_path, today="2026-12-01")
    use_desk(desk)
    merged = {**faq.DECIDED_TOPICS, **faq_exchange.DECIDED_TOPICS, **faq_appeal.DECIDED_TOPICS}
    monkeypatch.setattr(faq, "DECIDED_TOPICS", merged)
    yield desk
    use_desk(None)


def tracker(text, topic=None, slots=None, intent="faq", form=None):
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if topic is not None:
        message["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {
                    "intent_response_key": topic,
                    "utter_action": f"utter_{topic}",
                    "confidence": 0.9,
                },
                "ranking": [{"intent_response_key": topic, "confidence": 0.9}],
            },
        }
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
        latest_message=message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": form} if form else {},
        latest_action_name="action_listen",
    )


def next_asked(events, slots):
    """The slot the form asks next: the one it sets, else (Rasa's own choice when the list
    is the domain's) the first required slot still empty."""
    set_ = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    if "requested_slot" in set_:
        return set_["requested_slot"]
    filled = {**slots, **set_}
    return next(s for s in DOMAIN["forms"]["exchange_form"]["required_slots"] if not filled.get(s))


def run(action, track):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, DOMAIN))
    return events, dispatcher.messages


def faq_answer(text, topic):
    _, messages = run(ActionAnswerFaq(), tracker(text, topic))
    assert len(messages) == 1
    return messages[0]


def said(message) -> str:
    """The response's text with its values filled in, as the customer reads it."""
    text = RESPONSES[message["response"]][0]["text"]
    values = {k: v for k, v in message.items() if k not in ("response", "buttons")}
    return text.format(**values)


# --- every new response states its rule -----------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        *(
            f"utter_exchange_{kind}"
            for kind in (
                "price_sum",
                "brand_accepted",
                "brand_not_accepted",
                "coupon_valid_until",
                "coupon_valid_on",
                "coupon_expired_on",
                "condition_refused",
                "condition_reminder",
            )
        ),
        "utter_appeal_deadline",
        "utter_appeal_deadline_passed",
        "utter_appeal_deadline_in_time",
        "utter_appeal_deadline_too_late",
    ],
)
def test_each_answer_is_a_domain_response_ending_with_its_rule(name: str) -> None:
    assert RULE_AT_END.search(RESPONSES[name][0]["text"]), name


# --- terms topics answered from the message's facts ------------------------------------------------
def test_the_price_after_the_coupon(desk) -> None:
    text = "if the new phone costs inr 15000 and my exchange value is inr 3000, how much do i pay"
    message = faq_answer(text, "faq/exc_coupon_use")
    assert message["response"] == "utter_exchange_price_sum"
    assert said(message).startswith("You pay INR 12,000")
    assert said(message).endswith("(EXC-4).")


def test_a_coupon_use_question_without_amounts_keeps_its_canned_answer(desk) -> None:
    message = faq_answer("is the exchange coupon cash?", "faq/exc_coupon_use")
    assert message == {**message, "response": "utter_faq/exc_coupon_use"}


def test_the_coupon_use_refusal_still_answers_for_earphones(desk) -> None:
    message = faq_answer("can i use my exchange coupon on earphones", "faq/exc_coupon_use")
    assert message["response"] == "utter_exchange_coupon_use"
    assert "accessories" in message["explanation"]


@pytest.mark.parametrize(
    ("text", "response", "brand"),
    [
        ("is realme accepted in mi exchange", "utter_exchange_brand_not_accepted", "Realme"),
        ("does mi exchange take huawei phones", "utter_exchange_brand_accepted", "Huawei"),
        ("is motorola on the list", "utter_exchange_brand_accepted", "Motorola"),
    ],
)
def test_a_brand_is_answered_yes_or_no_by_name(desk, text, response, brand) -> None:
    message = faq_answer(text, "faq/exc_brands")
    assert message["response"] == response and message["brand"] == brand
    assert said(message).endswith("(EXC-2).")


def test_which_brands_without_a_name_is_the_list(desk) -> None:
    message = faq_answer("which phones can i exchange", "faq/exc_brands")
    assert message["response"] == "utter_faq/exc_brands"


def test_the_coupon_dates(desk) -> None:
    text = "i exchanged my phone on 1 march, can i still use the coupon on 20 march"
    message = faq_answer(text, "faq/exc_coupon_validity")
    assert message["response"] == "utter_exchange_coupon_expired_on"
    assert "until 16 March 2026, 23:59" in said(message)
    assert said(message).endswith("(EXC-4).")


def test_the_condition(desk) -> None:
    message = faq_answer("can i exchange a phone with a cracked screen", "faq/exc_condition")
    assert message["response"] == "utter_exchange_condition_refused"
    assert said(message).startswith("No: a phone with a cracked screen")
    assert said(message).endswith("(EXC-1, EXC-5).")


@pytest.mark.parametrize(
    ("text", "response", "deadline"),
    [
        (
            "i got the failure notice on monday 18 december 2023, what is my last day to appeal",
            "utter_appeal_deadline_passed",
            "23:59 on Friday 29 December 2023",
        ),
        (
            "notice came on friday 22 december 2023, until when can i appeal",
            "utter_appeal_deadline_passed",
            "23:59 on Friday 5 January 2024",
        ),
        (
            "got my failure notice on 1 november 2023, can i still appeal on 20 november 2023",
            "utter_appeal_deadline_too_late",
            "23:59 on Friday 10 November 2023",
        ),
        (
            "got my failure notice on 1 november 2023, can i still appeal on 8 november 2023",
            "utter_appeal_deadline_in_time",
            "23:59 on Friday 10 November 2023",
        ),
        (
            "the failure notice came on 27 november, last day to appeal?",
            "utter_appeal_deadline",
            "23:59 on Tuesday 8 December 2026",
        ),
    ],
)
def test_the_last_day_to_appeal(desk, text, response, deadline) -> None:
    message = faq_answer(text, "faq/red_appeal_window")
    assert message["response"] == response
    assert message["deadline"] == deadline and message["working_days"] == 7
    assert said(message).rstrip(".").endswith(("APL-1)", "APL-1, APL-2)"))


def test_an_appeal_window_question_without_a_date_is_the_rule(desk) -> None:
    message = faq_answer("how long do i have to appeal", "faq/red_appeal_window")
    assert message["response"] == "utter_faq/red_appeal_window"


# --- the exchange form: answered at once, or asked only what is missing ------------------------
def required(text, slots=None):
    track = tracker(text, slots=slots, intent="exchange_enquiry", form="exchange_form")
    form = ValidateExchangeForm()
    return asyncio.run(form.required_slots([], CollectingDispatcher(), track, DOMAIN))


def test_a_question_the_message_answers_needs_nothing_and_is_answered(desk) -> None:
    text = "phone 12000, exchange value 2000, what do I pay"
    assert required(text) == []
    events, [message] = run(ActionAnswerExchange(), tracker(text, intent="exchange_enquiry"))
    assert message["response"] == "utter_exchange_price_sum"
    assert message["to_pay"] == "INR 10,000"


def test_an_unsupported_brand_question_is_answered_at_once(desk) -> None:
    assert required("is realme accepted in mi exchange") == []
    _, [message] = run(ActionAnswerExchange(), tracker("is realme accepted in mi exchange"))
    assert message["response"] == "utter_exchange_brand_not_accepted"


def test_a_personal_quote_is_asked_only_the_conditions(desk) -> None:
    text = "can i exchange my samsung galaxy s10"
    track = tracker(text, intent="exchange_enquiry", form="exchange_form")
    events = asyncio.run(ValidateExchangeForm().run(CollectingDispatcher(), track, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["exchange_brand"] == "Samsung" and slots["exchange_model"] == "Galaxy S10"
    assert next_asked(events, {}) == "exchange_working"


def test_a_brand_given_earlier_is_not_asked_again(desk) -> None:
    remaining = required("how much will i get", {"exchange_brand": "Samsung"})
    assert remaining[:2] == ["exchange_brand", "exchange_model"]  # the list the quote needs
    track = tracker(
        "how much will i get", slots={"exchange_brand": "Samsung"}, form="exchange_form"
    )
    events = asyncio.run(ValidateExchangeForm().run(CollectingDispatcher(), track, DOMAIN))
    assert next_asked(events, {"exchange_brand": "Samsung"}) == "exchange_model"


def test_later_turns_are_not_taken_for_a_new_question(desk) -> None:
    slots = {"requested_slot": "exchange_brand"}
    assert required("inr 15000 phone and 3000 coupon, what do i pay", slots)[0] == "exchange_brand"


def test_wanting_to_exchange_a_brand_starts_its_quote_not_a_yes(desk) -> None:
    text = "i want to exchange my old samsung"
    track = tracker(text, intent="exchange_enquiry", form="exchange_form")
    events = asyncio.run(ValidateExchangeForm().run(CollectingDispatcher(), track, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["exchange_brand"] == "Samsung"
    assert next_asked(events, {}) == "exchange_model"


def test_a_condition_named_with_a_listed_model_is_answered_at_once(desk) -> None:
    text = "my galaxy s10 has a cracked screen, can i still exchange it"
    assert required(text) == []
    _, [message] = run(ActionAnswerExchange(), tracker(text, intent="exchange_enquiry"))
    assert message["response"] == "utter_exchange_condition_refused"


def test_a_brand_question_is_answered_by_name_whatever_exchange_topic_was_picked(desk) -> None:
    message = faq_answer("is motorola on the mi exchange list", "faq/exc_territory")
    assert message["response"] == "utter_exchange_brand_accepted"
    assert message["brand"] == "Motorola"


def test_an_exchange_topic_without_facts_keeps_its_canned_answer(desk) -> None:
    message = faq_answer("where does mi exchange run", "faq/exc_territory")
    assert message["response"] == "utter_faq/exc_territory"
