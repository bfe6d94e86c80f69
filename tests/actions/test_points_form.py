"""The Mi Points form with rasa_sdk trackers and CollectingDispatcher, on a real Desk."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.desk import use_desk
from actions.points import ActionAnswerPoints, ActionForgetPoints, ValidatePointsForm
from tests.conftest import make_desk

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {"points_form": {"required_slots": []}}}


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    # Nothing here writes to the database: one Desk serves the whole module.
    desk = make_desk(tmp_path_factory.mktemp("desk"), today="2024-03-15")
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(slots: dict[str, Any] | None = None, text: str = "", requested: str | None = None):
    slots = dict(slots or {})
    if requested:
        slots["requested_slot"] = requested
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message={"text": text, "intent": {"name": "inform", "confidence": 1.0}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "points_form"},
        latest_action_name="action_listen",
    )


async def required(slots: dict[str, Any]) -> list[str]:
    return await ValidatePointsForm().required_slots(
        [], CollectingDispatcher(), tracker(slots), DOMAIN
    )


def validate(slot: str, value: Any, slots: dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidatePointsForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(slots, text=str(value)), DOMAIN)
    return result, dispatcher.messages


async def answer(slots: dict[str, Any]):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerPoints().run(dispatcher, tracker(slots), DOMAIN)
    return events, dispatcher.messages


# --- what is asked ----------------------------------------------------------------------
async def test_the_question_comes_first(desk) -> None:
    assert (await required({}))[0] == "points_question"


async def test_the_value_of_a_balance_asks_only_the_country_and_the_balance(desk) -> None:
    assert await required({"points_question": "worth"}) == ["points_question", "country"]
    slots = {"points_question": "worth", "country": "Spain"}
    assert await required(slots) == ["points_question", "country", "points_balance"]


async def test_what_activities_earn_asks_spend_shares_reviews_and_fuel(desk) -> None:
    slots = {"points_question": "earn", "country": "Italy"}
    assert (await required(slots))[2:] == [
        "points_spend",
        "points_shares",
        "points_reviews",
        "points_fuel_days",
    ]


async def test_expiry_asks_only_when_the_points_were_earned(desk) -> None:
    slots = {"points_question": "expiry", "country": "France"}
    assert (await required(slots))[2:] == ["points_earned_on"]


async def test_a_country_outside_the_program_asks_nothing_more(desk) -> None:
    slots = {"points_question": "worth", "country": "India"}
    assert await required(slots) == ["points_question", "country"]


async def test_how_the_program_works_needs_no_other_answer(desk) -> None:
    assert await required({"points_question": "program"}) == ["points_question"]


# --- reading answers --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "question"),
    [("worth", "worth"), ("how much is my balance worth", "worth"),
     ("how many points will I get", "earn"), ("when do my points expire", "expiry"),
     ("how the program works", "program")],
)  # fmt: skip
def test_a_typed_question_is_understood(desk, typed: str, question: str) -> None:
    result, messages = validate("points_question", typed)
    assert result == {"points_question": question} and messages == []


def test_an_unclear_question_is_asked_again(desk) -> None:
    result, [message] = validate("points_question", "bananas")
    assert result == {"points_question": None}
    assert message["response"] == "utter_points_question_unclear"


def test_a_balance_given_up_front_answers_which_question_it_is(desk) -> None:
    result, _ = validate("points_balance", "2,500")
    assert result == {"points_balance": "2500", "points_question": "worth"}


def test_a_balance_that_is_not_a_number_gets_an_example(desk) -> None:
    result, [message] = validate("points_balance", "lots", {"points_question": "worth"})
    assert result == {"points_balance": None}
    assert message["response"] == "utter_points_invalid"


def test_the_country_is_stored_by_its_english_name(desk) -> None:
    assert validate("country", "España")[0] == {"country": "Spain"}


def test_an_unknown_country_gets_suggestions(desk) -> None:
    result, [message] = validate("country", "Austrlia")
    assert result == {"country": None}
    assert message["response"] == "utter_country_did_you_mean"
    assert "Australia" in message["suggestions"] and message["typed"] == "Austrlia"
    assert '/inform{"country": "Australia"}' in [b["payload"] for b in message["buttons"]]


def test_a_country_like_no_other_asks_for_its_name(desk) -> None:
    result, [message] = validate("country", "Narnia1")
    assert result == {"country": None}
    assert message["response"] == "utter_country_unknown" and message["buttons"] == []


def test_a_spend_with_a_decimal_comma_is_read(desk) -> None:
    assert validate("points_spend", "249,99 €")[0] == {"points_spend": "249.99"}


def test_counts_accept_words(desk) -> None:
    assert validate("points_shares", "none")[0] == {"points_shares": "0"}
    assert validate("points_fuel_days", "seven")[0] == {"points_fuel_days": "7"}


def test_the_earned_date_is_stored_as_iso_and_its_reading_is_said(desk) -> None:
    # Said in March 2024, "last March" is a year ago.
    result, [message] = validate("points_earned_on", "last March", {"country": "Spain"})
    assert result == {"points_earned_on": "2023-03-01"}
    assert message["response"] == "utter_date_read"
    assert message["reading"] == "1 March 2023 (last March; no day given, so the 1st)"


def test_a_future_earned_date_is_refused_with_today(desk) -> None:
    result, [message] = validate("points_earned_on", "next week", {"country": "Spain"})
    assert result == {"points_earned_on": None}
    assert message["response"] == "utter_date_future" and message["today"] == "15 March 2024"


def test_an_unreadable_earned_date_gets_an_example(desk) -> None:
    result, [message] = validate("points_earned_on", "ages", {"country": "Spain"})
    assert result == {"points_earned_on": None}
    assert message["response"] == "utter_date_unreadable" and "3 October 2023" in message["example"]


# --- answers ----------------------------------------------------------------------------
async def test_a_balance_of_2500_is_worth_25_euros_with_rule_and_next_step(desk) -> None:
    events, [message] = await answer(
        {"points_question": "worth", "country": "Spain", "points_balance": "2500"}
    )
    assert message["response"] == "utter_points_worth_pay"
    assert message["euros"] == "25" and message["points"] == "2,500"
    assert message["coupons"] == "€5 (500), €10 (1,000), €20 (2,000)"
    assert "(PTS-4)" in message["explanation"] and "mi.com" in message["next_step"]
    assert SlotSet("points_balance", None) in events
    assert SlotSet("country", None) not in events  # kept for later questions


async def test_a_balance_below_1000_offers_the_coupons_it_affords(desk) -> None:
    _, [message] = await answer(
        {"points_question": "worth", "country": "GB", "points_balance": "600"}
    )
    assert message["response"] == "utter_points_worth_coupons"
    assert message["short"] == "400" and message["coupons"] == "€5 (500)"


async def test_a_small_balance_says_how_many_more_points_are_needed(desk) -> None:
    _, [message] = await answer(
        {"points_question": "worth", "country": "Italy", "points_balance": "120"}
    )
    assert message["response"] == "utter_points_worth_nothing"
    assert "380 more points" in message["next_step"]


async def test_a_months_activities_earn_with_caps_and_a_credit_date(desk) -> None:
    _, [message] = await answer(
        {
            "points_question": "earn",
            "country": "France",
            "points_spend": "299.99",
            "points_shares": "5",
            "points_reviews": "1",
            "points_fuel_days": "7",
        }
    )
    assert message["response"] == "utter_points_earned"
    assert message["total"] == "504"  # 299 + 15 (3 shares) + 20 + 70 + 100
    assert (message["purchase"], message["shares"], message["fuel"]) == (299, 15, 170)
    assert "31 March 2024" in message["next_step"]
    assert "PTS-2" in message["explanation"] and "PTS-3" in message["explanation"]


async def test_points_still_valid_say_until_when(desk) -> None:
    _, [message] = await answer(
        {"points_question": "expiry", "country": "Spain", "points_earned_on": "2023-10-03"}
    )
    assert message["response"] == "utter_points_valid"
    assert message["valid_until"] == "3 October 2024" and "(PTS-5)" in message["explanation"]


async def test_points_older_than_12_months_are_expired(desk) -> None:
    _, [message] = await answer(
        {"points_question": "expiry", "country": "Spain", "points_earned_on": "2023-03-14"}
    )
    assert message["response"] == "utter_points_expired"


async def test_a_member_outside_the_four_countries_is_told_so(desk) -> None:
    _, [message] = await answer(
        {"points_question": "worth", "country": "Pakistan", "points_balance": "2500"}
    )
    assert message["response"] == "utter_points_not_member"
    assert message["country"] == "Pakistan" and "(PTS-1)" in message["explanation"]


async def test_how_the_program_works_is_the_program_summary(desk) -> None:
    _, [message] = await answer({"points_question": "program"})
    assert message["response"] == "utter_points_info"


async def test_forgetting_clears_the_answers_but_keeps_the_country(desk) -> None:
    events = await ActionForgetPoints().run(CollectingDispatcher(), tracker({}), DOMAIN)
    cleared = {e["name"] for e in events}
    assert "points_balance" in cleared and "points_question" in cleared
    assert "country" not in cleared
