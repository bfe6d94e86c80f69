"""The exchange form, value and coupon actions with rasa_sdk trackers and
CollectingDispatcher, on a real Desk (SQLite, file outbox)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.desk import use_desk
from actions.exchange import (
    ActionAnswerExchange,
    ActionAskExchangeBrand,
    ActionAskExchangeModel,
    ActionIssueExchangeCoupon,
    ValidateExchangeCouponForm,
    ValidateExchangeForm,
)
from bot.settings import ROOT
from bot.store.tables import exchange_coupons
from tests.conftest import make_desk, pin

DOMAIN_FILE = yaml.safe_load((ROOT / "domain.yml").read_text())
DOMAIN = {"slots": {}, "forms": DOMAIN_FILE["forms"]}
IMEI = "356938035643809"
GOOD = {
    "exchange_working": True,
    "exchange_screen_intact": True,
    "exchange_body_intact": True,
    "exchange_locks_removed": True,
}
S10 = {"exchange_brand": "Samsung", "exchange_model": "Galaxy S10", **GOOD}


@pytest.fixture
def desk(tmp_path):
    desk = pin(make_desk(tmp_path), datetime(2024, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata")))
    use_desk(desk)
    yield desk
    use_desk(None)


def tracker(slots=None, text="", intent="inform", form="exchange_form"):
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
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


def validate(form, slot, value, slots=None):
    dispatcher = CollectingDispatcher()
    method = getattr(form, f"validate_{slot}")
    result = method(value, dispatcher, tracker(slots, text=str(value)), DOMAIN)
    return result, dispatcher.messages


def required(form, slots):
    return asyncio.run(form.required_slots([], CollectingDispatcher(), tracker(slots), DOMAIN))


def run(action, slots):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(slots), DOMAIN))
    return events, dispatcher.messages


def rows(desk, table):
    with desk.engine.connect() as connection:
        return connection.execute(select(table)).mappings().all()


# --- asking only what the quote needs ------------------------------------------------------------
def test_a_listed_phone_is_asked_brand_model_and_the_four_conditions(desk) -> None:
    assert required(ValidateExchangeForm(), {}) == [
        "exchange_brand",
        "exchange_model",
        "exchange_working",
        "exchange_screen_intact",
        "exchange_body_intact",
        "exchange_locks_removed",
    ]


def test_an_unsupported_brand_ends_the_questions(desk) -> None:
    assert required(ValidateExchangeForm(), {"exchange_brand": "Nokia"}) == ["exchange_brand"]


def test_a_phone_that_does_not_work_is_asked_nothing_more(desk) -> None:
    slots = {"exchange_brand": "Samsung", "exchange_model": "Galaxy S10", "exchange_working": False}
    assert required(ValidateExchangeForm(), slots)[-1] == "exchange_working"


# --- reading each answer ---------------------------------------------------------------------------
def test_a_misspelt_brand_becomes_its_exc_2_name(desk) -> None:
    result, messages = validate(ValidateExchangeForm(), "exchange_brand", "samsng")
    assert result["exchange_brand"] == "Samsung" and messages == []


def test_an_unsupported_brand_is_kept_as_typed_for_the_answer(desk) -> None:
    result, _ = validate(ValidateExchangeForm(), "exchange_brand", "Nokia")
    assert result["exchange_brand"] == "Nokia"


def test_a_short_model_name_becomes_the_listed_one(desk) -> None:
    result, messages = validate(
        ValidateExchangeForm(), "exchange_model", "s10", {"exchange_brand": "Samsung"}
    )
    assert result == {"exchange_model": "Galaxy S10"} and messages == []


def test_two_fitting_models_are_offered_as_buttons(desk) -> None:
    result, [message] = validate(
        ValidateExchangeForm(), "exchange_model", "zenfone max pro", {"exchange_brand": "Asus"}
    )
    assert result == {"exchange_model": None}
    assert message["response"] == "utter_exchange_choose_model"
    assert {b["title"] for b in message["buttons"]} == {"Zenfone Max Pro M1", "Zenfone Max Pro M2"}


def test_the_brand_question_names_the_supported_brands(desk) -> None:
    _, [message] = run(ActionAskExchangeBrand(), {})
    assert message["brands"].startswith("Xiaomi, Samsung, Sony")


def test_the_model_question_offers_the_brands_listed_models(desk) -> None:
    _, [message] = run(ActionAskExchangeModel(), {"exchange_brand": "Google"})
    assert [b["title"] for b in message["buttons"]] == ["Pixel 3", "Pixel 3a"]
    assert message["buttons"][0]["payload"] == '/inform{"phone_model": "Pixel 3"}'


# --- the value -------------------------------------------------------------------------------------
def test_the_value_comes_first_then_the_terms_then_the_offer(desk) -> None:
    events, messages = run(ActionAnswerExchange(), S10)
    assert [m["response"] for m in messages] == [
        "utter_exchange_value",
        "utter_exchange_offer_coupon",
    ]
    assert messages[0]["value"] == "INR 9,000"
    assert "example table" in messages[0]["explanation"]
    assert "(EXC-4)" in messages[0]["explanation"]
    assert events == [SlotSet("exchange_offer", True)]


def test_a_cracked_phone_gets_no_value_and_is_forgotten(desk) -> None:
    events, [message] = run(ActionAnswerExchange(), {**S10, "exchange_screen_intact": False})
    assert message["response"] == "utter_exchange_not_exchangeable"
    assert "(EXC-5)" in message["explanation"]
    assert SlotSet("exchange_brand", None) in events


def test_an_unsupported_brand_is_answered_with_the_list(desk) -> None:
    _, [message] = run(ActionAnswerExchange(), {"exchange_brand": "Nokia"})
    assert message["response"] == "utter_exchange_not_exchangeable"
    assert "Nokia phones aren't part of Mi Exchange" in message["explanation"]


# --- the coupon --------------------------------------------------------------------------------------
def test_declined_terms_end_the_coupon_form(desk) -> None:
    assert required(ValidateExchangeCouponForm(), {"exchange_terms": False}) == ["exchange_terms"]


def test_no_email_is_a_valid_answer(desk) -> None:
    result, messages = validate(ValidateExchangeCouponForm(), "exchange_email", "none")
    assert result == {"exchange_email": "none"} and messages == []


def test_a_wrong_email_gets_its_specific_reason(desk) -> None:
    result, [message] = validate(ValidateExchangeCouponForm(), "exchange_email", "priya.gmail.com")
    assert result == {"exchange_email": None}
    assert message["response"] == "utter_email_missing_at"


def test_a_16_digit_number_is_explained_as_an_imeisv(desk) -> None:
    result, [message] = validate(ValidateExchangeCouponForm(), "exchange_imei", "3569380356438091")
    assert result == {"exchange_imei": None} and message["response"] == "utter_imei_sv"


def test_the_coupon_is_issued_recorded_and_the_answers_forgotten(desk) -> None:
    slots = {**S10, "exchange_terms": True, "exchange_imei": IMEI, "exchange_email": "none"}
    events, [message] = run(ActionIssueExchangeCoupon(), slots)
    assert message["response"] == "utter_exchange_coupon_issued"
    assert message["coupon_code"].startswith("MIEXC-") and message["value"] == "INR 9,000"
    assert "16 March 2024" in message["next_step"]
    assert SlotSet("exchange_imei", None) in events
    [row] = rows(desk, exchange_coupons)
    assert row["coupon_code"] == message["coupon_code"] and row["email"] is None


def test_the_same_old_phone_gets_no_second_coupon(desk) -> None:
    slots = {**S10, "exchange_terms": True, "exchange_imei": IMEI, "exchange_email": "none"}
    run(ActionIssueExchangeCoupon(), slots)
    _, [message] = run(ActionIssueExchangeCoupon(), slots)
    assert message["response"] == "utter_exchange_coupon_refused"
    assert "(EXC-3)" in message["explanation"]
    assert len(rows(desk, exchange_coupons)) == 1


def test_without_accepted_terms_nothing_is_stored(desk) -> None:
    slots = {**S10, "exchange_terms": False}
    _, [message] = run(ActionIssueExchangeCoupon(), slots)
    assert message["response"] == "utter_exchange_terms_declined"
    assert rows(desk, exchange_coupons) == []
