"""Decided RED terms topics through the real faq action, with actions/faq_redemption.py's
table merged in as the coordinator merges it: the answer comes from what the message
names (RED-2, RED-5, RED-8), else the topic's own response."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq, faq_redemption
from actions.desk import use_desk
from tests.conftest import london, make_desk, pin

DOMAIN: dict = {"slots": {}, "forms": {}}


@pytest.fixture
def desk(tmp_path, monkeypatch):
    desk = make_desk(tmp_path)  # today: 28 September 2023
    use_desk(desk)
    monkeypatch.setattr(
        faq, "DECIDED_TOPICS", {**faq.DECIDED_TOPICS, **faq_redemption.DECIDED_TOPICS}
    )
    yield desk
    use_desk(None)


def asked(text, topic, entities=()):
    return Tracker(
        sender_id="terms-test",
        slots={},
        latest_message={
            "text": text,
            "intent": {"name": "faq", "confidence": 1.0},
            "entities": list(entities),
            "response_selector": {
                "faq": {
                    "response": {"intent_response_key": topic, "utter_action": f"utter_{topic}"}
                }
            },
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def answer(text, topic, entities=()):
    dispatcher = CollectingDispatcher()
    await faq.ActionAnswerFaq().run(dispatcher, asked(text, topic, entities), DOMAIN)
    return dispatcher.messages


async def test_a_phone_not_on_annex_i_is_not_eligible(desk):
    [message] = await answer("is the poco f5 eligible", "faq/red_eligible_products")
    assert message["response"] == "utter_red_product_not_listed"
    assert message["typed"] == "poco f5"


async def test_the_bots_own_example_is_eligible(desk):
    [message] = await answer("is the redmi note 12 pro+ 5g eligible", "faq/red_eligible_products")
    assert message["response"] == "utter_red_product_listed"
    assert message["product"] == "Redmi Note 12 Pro+ 5G"


async def test_a_tagged_product_split_by_the_model_is_read_as_typed(desk):
    text = "does the Redmi Note 12 Pro+ 5G qualify"
    start = text.index("Redmi")
    entities = [
        {"entity": "product", "value": "Redmi Note 12 Pro", "start": start, "end": start + 17},
        {"entity": "product", "value": "5G", "start": start + 19, "end": start + 21},
    ]
    [message] = await answer(text, "faq/red_eligible_products", entities)
    assert message["product"] == "Redmi Note 12 Pro+ 5G"


async def test_two_fitting_products_are_both_named(desk):
    [message] = await answer("is the redmi note 12 eligible?", "faq/red_eligible_products")
    assert message["response"] == "utter_red_product_listed"  # the exact name wins
    [message] = await answer("is the redmi note 11 pro on it", "faq/red_eligible_products")
    assert message["response"] == "utter_red_product_listed"


async def test_no_product_named_says_the_list(desk):
    [message] = await answer("which phones are eligible?", "faq/red_eligible_products")
    assert message["response"] == "utter_faq/red_eligible_products"


@pytest.mark.parametrize(
    ("text", "response", "day"),
    [
        ("can I still submit on 31 December 2023?", "utter_red_date_in_window", "31 December 2023"),
        ("is 1 January 2024 too late to claim", "utter_red_date_outside_window", "1 January 2024"),
        (
            "could I have sent it on 12/09/2023",
            "utter_red_date_outside_window",
            "12 September 2023",
        ),
        ("will it still be on on 20 december", "utter_red_date_in_window", "20 December 2023"),
    ],
)
async def test_a_submission_date_is_inside_the_window_or_not(desk, text, response, day):
    [message] = await answer(text, "faq/red_offer_dates")
    assert message["response"] == response and message["day"] == day
    assert (message["opens"], message["closes"]) == ("13 September 2023", "31 December 2023")


async def test_without_a_date_the_offer_dates_are_said(desk):
    [message] = await answer("when does the offer end?", "faq/red_offer_dates")
    assert message["response"] == "utter_faq/red_offer_dates"


async def test_activated_ten_days_ago_says_from_which_day(desk):
    [message] = await answer(
        "I activated my phone ten days ago, can I claim?", "faq/red_activation_15_days"
    )
    assert message["response"] == "utter_red_activation_from"
    # 28 September - 10 days = 18 September; more than 15 days: from 4 October (RED-8)
    assert (message["activated"], message["eligible_from"]) == (
        "18 September 2023",
        "4 October 2023",
    )
    assert message["min_days"] == desk.program().min_activation_days


async def test_the_activation_answer_follows_the_clock(desk):
    pin(desk, london(2023, 10, 20))
    [message] = await answer("activated it 3 days ago", "faq/red_activation_15_days")
    assert message["eligible_from"] == "2 November 2023"


async def test_without_a_date_the_activation_rule_is_said(desk):
    [message] = await answer("what is the 15 day rule", "faq/red_activation_15_days")
    assert message["response"] == "utter_faq/red_activation_15_days"
