"""The Mi Points form with rasa_sdk trackers and CollectingDispatcher, on a real Desk."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.faq as faq_module
from actions.desk import use_desk
from actions.faq import ActionAnswerFaq
from actions.faq_points import DECIDED_TOPICS
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


def tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    requested: str | None = None,
    intent: str = "inform",
    topic: str | None = None,
):
    slots = dict(slots or {})
    if requested:
        slots["requested_slot"] = requested
    message: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 1.0}}
    if topic:
        picked = {"intent_response_key": topic, "utter_action": f"utter_{topic}"}
        message["response_selector"] = {
            "faq": {"response": picked, "ranking": [{**picked, "confidence": 0.9}]}
        }
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message=message,
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


@pytest.mark.parametrize("question", ["worth", "discount", "earn", "expiry"])
async def test_a_question_asked_in_words_needs_nothing_more_not_even_the_country(
    desk, question: str
) -> None:
    assert await required({"points_question": question}) == ["points_question"]


async def test_the_value_picked_from_the_menu_asks_only_the_balance(desk) -> None:
    slots = {"points_question": "worth", "points_ask_figures": True}
    assert await required(slots) == ["points_question", "points_balance", "points_ask_figures"]


async def test_what_activities_earn_from_the_menu_asks_spend_shares_reviews_and_fuel(desk) -> None:
    slots = {"points_question": "earn", "country": "Italy", "points_ask_figures": True}
    assert (await required(slots))[1:5] == [
        "points_spend",
        "points_shares",
        "points_reviews",
        "points_fuel_days",
    ]
    assert "country" in await required(slots)  # kept, already given: never asked


async def test_expiry_from_the_menu_asks_only_when_the_points_were_earned(desk) -> None:
    slots = {"points_question": "expiry", "points_ask_figures": True}
    assert (await required(slots))[:2] == ["points_question", "points_earned_on"]


async def test_a_country_outside_the_program_asks_nothing_more(desk) -> None:
    slots = {"points_question": "worth", "country": "India", "points_ask_figures": True}
    assert await required(slots) == ["points_question", "country", "points_ask_figures"]


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


def test_a_button_of_the_menu_asks_for_the_figures(desk) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidatePointsForm().validate_points_question(
        "expiry", dispatcher, tracker(text="/inform", requested="points_question"), DOMAIN
    )
    assert result == {"points_question": "expiry", "points_ask_figures": True}


def test_a_question_typed_at_the_menu_is_answered_from_what_it_says(desk) -> None:
    typed = "how many points for sharing 5 links"
    result = ValidatePointsForm().validate_points_question(
        typed, CollectingDispatcher(), tracker(text=typed, requested="points_question"), DOMAIN
    )
    assert result["points_question"] == "earn" and "points_ask_figures" not in result
    assert result["points_shares"] == "5" and result["points_activity"] == "share"


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
            "points_ask_figures": True,
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


# --- answer first: the message that starts the form ------------------------------------
async def start(text: str, slots: dict[str, Any] | None = None, topic: str | None = None):
    """Run the form on the message that starts it, then the answer if nothing is asked."""
    dispatcher = CollectingDispatcher()
    first = tracker(slots, text=text, intent="points_enquiry", topic=topic)
    events = await ValidatePointsForm().run(dispatcher, first, DOMAIN)
    filled = {**(slots or {}), **{e["name"]: e["value"] for e in events if e["event"] == "slot"}}
    if filled.get("requested_slot") is not None:
        return filled, dispatcher.messages
    await ActionAnswerPoints().run(dispatcher, tracker(filled, text=text), DOMAIN)
    return filled, dispatcher.messages


async def test_a_balance_in_the_question_is_valued_at_once_without_a_country(desk) -> None:
    filled, [message] = await start("how much is 2500 mi points worth")
    assert filled["points_question"] == "worth" and filled["requested_slot"] is None
    assert message["response"] == "utter_points_worth_pay" and message["euros"] == "25"


async def test_what_one_point_is_worth_is_the_published_rate(desk) -> None:
    _, [message] = await start("what is one mi point worth in euros")
    assert message["response"] == "utter_points_rate"
    assert message["euro_per_point"] == "0.01" and message["minimum"] == "1,000"


async def test_800_points_cannot_be_used_as_a_discount(desk) -> None:
    _, [message] = await start("can i use 800 points as a discount")
    assert message["response"] == "utter_points_discount_no"
    assert (message["points"], message["short"], message["minimum"]) == ("800", "200", "1,000")


@pytest.mark.parametrize(
    ("text", "response", "total"),
    [("how many points do I get for registering", "utter_points_for_register", None),
     ("how many points for my first login to the Mi Store app", "utter_points_for_app_login", None),
     ("how many points do i get for writing a review", "utter_points_review_rule", None),
     ("how many points for sharing 5 links this month", "utter_points_for_shares_capped", "15"),
     ("how many points for tapping fuel 7 days in a row", "utter_points_for_fuel_streak", "170"),
     ("how many points per euro spent", "utter_points_for_purchase_rate", None),
     ("I paid 250 euros for a phone that was 300, how many points do i get",
      "utter_points_for_purchase", "250"),
     ("whats the most points from sharing links in a month", "utter_points_share_rule", None),
     ("do i get points if i wasnt logged in when i bought", "utter_points_logged_in", None)],
)  # fmt: skip
async def test_the_points_of_the_activity_named_are_said_at_once(
    desk, text: str, response: str, total: str | None
) -> None:
    filled, [message] = await start(text)
    assert filled["points_question"] == "earn" and filled["requested_slot"] is None
    assert message["response"] == response
    assert message.get("total") == total


async def test_the_share_cap_says_how_many_links_earned_nothing(desk) -> None:
    _, [message] = await start("how many points for sharing 5 links this month")
    assert (message["share_max"], message["dropped"], message["count"]) == (3, 2, 5)


async def test_do_points_expire_is_the_rule_at_once(desk) -> None:
    filled, [message] = await start("do my mi points expire")
    assert filled["requested_slot"] is None
    assert message["response"] == "utter_points_expiry_rule" and message["months"] == 12


async def test_points_from_january_2023_are_gone_by_march_2024(desk) -> None:
    _, [message] = await start(
        "i earned points in january 2023, will they still be there in march 2024"
    )
    assert message["response"] == "utter_points_expired_on"
    assert (message["earned_on"], message["valid_until"], message["on"]) == (
        "1 January 2023",
        "1 January 2024",
        "1 March 2024",
    )


async def test_points_from_last_june_are_still_there_next_month(desk) -> None:
    # Today is 15 March 2024: June 2023 points count until 1 June 2024.
    _, [message] = await start("i got points in june 2023, will i still have them in april 2024")
    assert message["response"] == "utter_points_valid_on"
    assert message["valid_until"] == "1 June 2024"


async def test_a_country_said_earlier_is_kept_and_outside_the_program_is_told_so(desk) -> None:
    filled, [message] = await start("how much is 2500 mi points worth", {"country": "Pakistan"})
    assert message["response"] == "utter_points_not_member" and message["country"] == "Pakistan"
    assert filled["country"] == "Pakistan"


async def test_a_member_country_said_earlier_is_never_asked_again(desk) -> None:
    filled, [message] = await start("do my mi points expire", {"country": "Spain"})
    assert filled["requested_slot"] is None and message["response"] == "utter_points_expiry_rule"


async def test_a_country_outside_the_program_is_answered_without_the_menu(desk) -> None:
    _, [message] = await start("is there mi points in india", {"country": "India"})
    assert message["response"] == "utter_points_not_member" and "(PTS-1)" in message["explanation"]


async def test_a_country_named_in_words_nlu_did_not_tag_is_read_and_kept(desk) -> None:
    filled, [message] = await start("can i earn mi points in germany")
    assert message["response"] == "utter_points_not_member" and message["country"] == "Germany"
    assert filled["country"] == "Germany" and filled["requested_slot"] is None


async def test_a_question_without_figures_gets_its_terms_text_at_once(desk) -> None:
    filled, [message] = await start("if i send the phone back do i lose my points")
    assert filled["points_question"] == "clawback" and filled["requested_slot"] is None
    assert message["response"] == "utter_faq/pts_clawback"


async def test_the_menu_shows_only_when_nothing_says_which_question(desk) -> None:
    filled, messages = await start("mi points")
    assert filled["requested_slot"] == "points_question" and messages == []


async def test_the_selectors_topic_says_which_question_when_no_cue_does(desk) -> None:
    filled, [message] = await start("mi points and time", topic="faq/pts_expiry")
    assert filled["points_question"] == "expiry"
    assert message["response"] == "utter_points_expiry_rule"


# --- decided faq topics -----------------------------------------------------------------
async def faq(text: str, topic: str, slots: dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    action = ActionAnswerFaq()
    # The coordinator merges this table into faq.py's; here the test merges it.
    merged = {**faq_module.DECIDED_TOPICS, **DECIDED_TOPICS}
    original, faq_module.DECIDED_TOPICS = faq_module.DECIDED_TOPICS, merged
    try:
        await action.run(dispatcher, tracker(slots, text=text, intent="faq", topic=topic), DOMAIN)
    finally:
        faq_module.DECIDED_TOPICS = original
    return dispatcher.messages


async def test_the_discount_topic_with_a_balance_decides_it(desk) -> None:
    [message] = await faq("can i use 800 points as a discount", "faq/pts_balance_discount")
    assert message["response"] == "utter_points_discount_no"


async def test_the_discount_topic_without_a_balance_is_its_own_answer(desk) -> None:
    [message] = await faq("can i pay with my points", "faq/pts_balance_discount")
    assert message["response"] == "utter_faq/pts_balance_discount"


async def test_the_coupon_topic_with_a_balance_values_it(desk) -> None:
    [message] = await faq("what coupons can i get with 1200 points", "faq/pts_coupon_values")
    assert message["response"] == "utter_points_worth_pay"
    assert message["coupons"] == "€5 (500), €10 (1,000)"


async def test_the_expiry_topic_with_a_date_computes_it(desk) -> None:
    [message] = await faq("do points from 3/10/23 expire", "faq/pts_expiry")
    assert message["response"] == "utter_points_valid"
    assert message["valid_until"] == "3 October 2024"


async def test_the_expiry_topic_without_a_date_is_its_own_answer(desk) -> None:
    [message] = await faq("do mi points expire", "faq/pts_expiry")
    assert message["response"] == "utter_faq/pts_expiry"


async def test_the_join_topic_outside_the_countries_is_the_pts1_answer(desk) -> None:
    [message] = await faq("can i join mi points", "faq/pts_join", {"country": "India"})
    assert message["response"] == "utter_points_not_member"


async def test_the_join_topic_naming_registering_says_its_points(desk) -> None:
    [message] = await faq("how many points for registering", "faq/pts_join")
    assert message["response"] == "utter_points_for_register" and message["register"] == 50


async def test_the_credit_topic_with_the_day_of_the_activity_says_the_day_points_arrive(
    desk,
) -> None:
    [message] = await faq(
        "i shared a link on 2 March 2024, when do i get it", "faq/pts_credit_time"
    )
    assert message["response"] == "utter_points_credited_by"
    assert message["credited_by"] == "18 March 2024"


# Points per activity are points enquiries (the contract's "how do I earn Mi Points?"):
# the form answers them from the message at once.
async def test_a_share_count_asked_applies_the_monthly_cap(desk) -> None:
    _, [message] = await start("if i share 6 product links this month how many points do i get")
    assert message["response"] == "utter_points_for_shares_capped"
    assert (message["total"], message["dropped"]) == ("15", 3)


async def test_a_purchase_price_asked_counts_whole_euros(desk) -> None:
    _, [message] = await start("i paid €129,90 for a phone on mi.com, how many points?")
    assert message["response"] == "utter_points_for_purchase" and message["total"] == "129"


async def test_how_fuel_works_without_days_is_the_fuel_rule(desk) -> None:
    _, [message] = await start("how does the fuel thing work for points")
    assert message["response"] == "utter_points_fuel_rule"


async def test_one_activity_named_says_its_points(desk) -> None:
    _, [message] = await start("points for my first login to the app?")
    assert message["response"] == "utter_points_for_app_login"
    assert message["first_app_login"] == 30


async def test_a_country_outside_mi_points_gets_pts_1_whatever_topic_was_picked(desk) -> None:
    [message] = await faq(
        "do mi points expire in germany", "faq/pts_expiry", {"country": "Germany"}
    )
    assert message["response"] == "utter_points_not_member"


async def test_a_member_country_keeps_the_topics_own_answer(desk) -> None:
    [message] = await faq("do mi points expire in spain", "faq/pts_expiry", {"country": "Spain"})
    assert message["response"] == "utter_faq/pts_expiry"
