"""The warranty form, answer and claim actions with rasa_sdk trackers and
CollectingDispatcher, on a real Desk (SQLite)."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.desk import use_desk
from actions.warranty import (
    ActionAnswerWarranty,
    ActionAskWarrantyChannel,
    ActionAskWarrantyProblem,
    ActionAskWarrantyProduct,
    ActionRecordWarrantyClaim,
    ValidateWarrantyClaimForm,
    ValidateWarrantyForm,
)
from bot.settings import ROOT
from bot.store.tables import warranty_claims, warranty_enquiries
from tests.conftest import make_desk

DOMAIN_FILE = yaml.safe_load((ROOT / "domain.yml").read_text())
DOMAIN = {"slots": {}, "forms": DOMAIN_FILE["forms"]}
IMEI = "356938035643809"
STORE = "Xiaomi Store (Pakistan)"
COVERED = {
    "warranty_product": "Xiaomi 12",
    "country": "Pakistan",
    "warranty_channel": STORE,
    "purchase_date": "2023-03-15",
}


@pytest.fixture
def desk(tmp_path):
    desk = make_desk(tmp_path, today="2023-05-01")
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(slots=None, text="", intent="inform", requested=None, form="warranty_form"):
    slots = dict(slots or {})
    if requested:
        slots["requested_slot"] = requested
    return Tracker(
        sender_id="test-user",
        slots=slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": form},
        latest_action_name="action_listen",
    )


def validate(slot, value, slots=None):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateWarrantyForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(slots, text=str(value)), DOMAIN)
    return result, dispatcher.messages


def required(slots):
    form = ValidateWarrantyForm()
    return asyncio.run(form.required_slots([], CollectingDispatcher(), tracker(slots), DOMAIN))


def run(action, slots, form=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(slots, form=form), DOMAIN))
    return events, dispatcher.messages


def rows(desk, table):
    with desk.engine.connect() as connection:
        return connection.execute(select(table)).mappings().all()


# --- asking only what the answer needs ------------------------------------------------------------
def test_a_covered_phone_needs_all_five_questions(desk) -> None:
    assert required(COVERED) == [
        "warranty_product",
        "country",
        "warranty_channel",
        "purchase_date",
        "warranty_problem",
    ]


def test_another_phone_needs_no_further_question(desk) -> None:
    assert required({"warranty_product": "Redmi Note 12"}) == ["warranty_product"]


def test_a_phone_bought_abroad_needs_no_channel_date_or_problem(desk) -> None:
    slots = {"warranty_product": "Xiaomi 12", "country": "United Arab Emirates"}
    assert required(slots) == ["warranty_product", "country"]


def test_a_country_already_given_in_the_conversation_is_not_asked_again(desk) -> None:
    slots = {"warranty_product": "Xiaomi 12", "country": "Pakistan"}
    missing = [s for s in required(slots) if s not in slots]
    assert missing[0] == "warranty_channel"


# --- reading each answer ---------------------------------------------------------------------------
def test_a_tolerant_product_name_becomes_the_covered_one(desk) -> None:
    result, messages = validate("warranty_product", "my mi 12 pro")
    assert result == {"warranty_product": "Xiaomi 12 Pro"} and messages == []


def test_a_product_between_two_covered_ones_is_asked_with_buttons(desk) -> None:
    result, [message] = validate("warranty_product", "xiaomi 12 pr")
    assert result == {"warranty_product": None}
    assert message["response"] == "utter_warranty_choose_product"
    assert [b["title"] for b in message["buttons"]] == ["Xiaomi 12 Pro", "Xiaomi 12"]


def test_another_phone_is_kept_as_typed_for_the_war_1_answer(desk) -> None:
    result, messages = validate("warranty_product", "Redmi Note 12")
    assert result == {"warranty_product": "Redmi Note 12"} and messages == []


def test_a_country_is_stored_by_its_english_name(desk) -> None:
    assert validate("country", "pakistan")[0] == {"country": "Pakistan"}


def test_an_unknown_country_gets_the_shared_country_response(desk) -> None:
    result, [message] = validate("country", "Narnia")
    assert result == {"country": None} and message["response"] == "utter_country_unknown"


def test_the_purchase_date_is_confirmed_as_read_and_stored_as_iso(desk) -> None:
    result, [message] = validate("purchase_date", "2 months ago")
    assert result == {"purchase_date": "2023-03-01"}
    assert message["response"] == "utter_date_read"
    assert "1 March 2023" in message["reading"]


def test_a_purchase_date_in_the_future_is_refused_with_the_reason(desk) -> None:
    result, [message] = validate("purchase_date", "3/10/2023")
    assert result == {"purchase_date": None}
    assert message["response"] == "utter_date_future"


def test_the_problem_is_read_from_plain_words(desk) -> None:
    result, messages = validate("warranty_problem", "it fell in water")
    assert result == {"warranty_problem": "liquid_damage"} and messages == []


def test_an_unplaceable_problem_offers_every_problem_as_a_button(desk) -> None:
    result, [message] = validate("warranty_problem", "it makes me sad")
    assert result == {"warranty_problem": None}
    assert len(message["buttons"]) == 6
    assert message["buttons"][1]["payload"] == '/inform{"warranty_problem": "screen_damage"}'


def test_an_unknown_shop_offers_the_channels_as_buttons(desk) -> None:
    result, [message] = validate("warranty_channel", "my uncle's kiosk")
    assert result == {"warranty_channel": None}
    assert message["response"] == "utter_warranty_channel_unknown"
    assert "Xiaomi Store (Pakistan)" in [b["title"] for b in message["buttons"]]


def test_the_country_is_read_from_the_message_while_the_form_asks_for_it(desk) -> None:
    form = ValidateWarrantyForm()
    asked = tracker(text="Pakistan", requested="country")
    assert form.extract_country(CollectingDispatcher(), asked, DOMAIN) == {"country": "Pakistan"}
    question = tracker(text="when does it end?", intent="faq", requested="country")
    assert form.extract_country(CollectingDispatcher(), question, DOMAIN) == {}
    other = tracker(text="Pakistan", requested="warranty_channel")
    assert form.extract_country(CollectingDispatcher(), other, DOMAIN) == {}


# --- questions with choices from the program file --------------------------------------------------
def test_the_product_question_offers_the_covered_phones_and_another_model(desk) -> None:
    _, [message] = run(ActionAskWarrantyProduct(), {})
    assert [b["title"] for b in message["buttons"]] == [
        "Xiaomi 12",
        "Xiaomi 12 Pro",
        "Another model",
    ]
    assert message["products"] == "Xiaomi 12 and Xiaomi 12 Pro"


def test_the_channel_and_problem_questions_offer_the_program_lists(desk) -> None:
    _, [channels] = run(ActionAskWarrantyChannel(), {})
    _, [problems] = run(ActionAskWarrantyProblem(), {})
    assert len(channels["buttons"]) == 7 and len(problems["buttons"]) == 6


# --- the answer --------------------------------------------------------------------------------------
def test_a_cracked_screen_in_time_is_covered_and_the_claim_is_offered(desk) -> None:
    events, messages = run(ActionAnswerWarranty(), {**COVERED, "warranty_problem": "screen_damage"})
    assert [m["response"] for m in messages] == [
        "utter_warranty_covered",
        "utter_warranty_offer_claim",
    ]
    assert messages[0]["service"] == "Free screen repair"
    assert "(WAR-5)" in messages[0]["explanation"]
    assert "proof of purchase" in messages[0]["next_step"]
    assert events == [SlotSet("warranty_claimable", True), SlotSet("warranty_benefit", "screen")]
    [row] = rows(desk, warranty_enquiries)
    assert row["route"] == "screen" and row["conversation_id"] == "test-user"


def test_a_fault_under_the_24_month_warranty_is_answered_and_only_the_problem_forgotten(
    desk,
) -> None:
    events, [message] = run(
        ActionAnswerWarranty(), {**COVERED, "warranty_problem": "quality_fault"}
    )
    assert message["response"] == "utter_warranty_covered"
    assert "(WAR-4)" in message["explanation"]
    assert SlotSet("warranty_problem", None) in events
    # The phone's facts stay for the next question; the country is shared.
    for slot in ("purchase_date", "warranty_product", "warranty_channel", "country"):
        assert SlotSet(slot, None) not in events


def test_a_phone_bought_abroad_gets_the_war_1_answer(desk) -> None:
    slots = {"warranty_product": "Xiaomi 12", "country": "United Arab Emirates"}
    _, [message] = run(ActionAnswerWarranty(), slots)
    assert message["response"] == "utter_warranty_outside"
    assert "United Arab Emirates" in message["explanation"]
    assert "statutory warranty" in message["next_step"]


def test_a_cracked_screen_after_a_year_is_a_paid_repair(desk) -> None:
    slots = {**COVERED, "purchase_date": "2022-01-10", "warranty_problem": "screen_damage"}
    _, [message] = run(ActionAnswerWarranty(), slots)
    assert message["response"] == "utter_warranty_not_covered"
    assert "(WAR-8)" in message["explanation"]


# --- the claim ------------------------------------------------------------------------------------
def test_a_wrong_imei_gets_its_specific_reason(desk) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateWarrantyClaimForm().validate_warranty_imei(
        "35693803564380", dispatcher, tracker(form="warranty_claim_form"), DOMAIN
    )
    assert result == {"warranty_imei": None}
    assert dispatcher.messages[0]["response"] == "utter_imei_missing_check_digit"


def test_the_claim_is_recorded_once_and_the_second_time_says_why_not(desk) -> None:
    slots = {
        **COVERED,
        "warranty_problem": "screen_damage",
        "warranty_imei": IMEI,
        "warranty_benefit": "screen",
        "warranty_claimable": True,
    }
    events, [message] = run(ActionRecordWarrantyClaim(), slots)
    assert message["response"] == "utter_warranty_claim_recorded"
    assert message["masked_imei"] == "***********3809"
    assert SlotSet("warranty_imei", None) in events
    _, [again] = run(ActionRecordWarrantyClaim(), slots)
    assert again["response"] == "utter_warranty_claim_not_recorded"
    assert "already claimed" in again["explanation"]
    assert len(rows(desk, warranty_claims)) == 1
