"""Mi Exchange questions answered from the message alone (EXC-1, EXC-2, EXC-4, EXC-5):
which question is asked (cue phrases in data/programs/exc.yml), and its answer from
the amounts, brand, dates or condition the message gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.errors import ProgramDataError
from bot.programs import load_programs
from bot.programs.exchange import ExchangeProgram, load_exchange_program
from bot.programs.fields import read_fields
from bot.services.exchange import (
    exchange_question,
    find_phone_model,
    quick_answer,
    read_brand_question,
    read_condition_question,
    read_coupon_dates,
    read_price_sum,
)

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def exc() -> ExchangeProgram:
    program = load_programs(PROGRAMS)["EXC"]
    assert isinstance(program, ExchangeProgram)
    return program


# --- the questions are program data ------------------------------------------------------------
def test_the_questions_are_read_from_the_program_file_with_their_rules(exc) -> None:
    rules = {q.name: q.rule for q in exc.questions}
    assert rules == {
        "price_sum": "EXC-4",
        "brands": "EXC-2",
        "coupon_validity": "EXC-4",
        "condition": "EXC-1",
    }
    assert all(q.cues and q.topics for q in exc.questions)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("if the new phone costs inr 15000 and my exchange value is inr 3000, how much do i pay", "price_sum"),
        ("is realme accepted in mi exchange", "brands"),
        ("does mi exchange take huawei phones", "brands"),
        ("is motorola on the list", "brands"),
        ("i exchanged my phone on 1 march, can i still use the coupon on 20 march", "coupon_validity"),
        ("can i exchange a phone with a cracked screen", "condition"),
        ("good morning", ""),
    ],
)  # fmt: skip
def test_which_question_a_message_asks(exc, text: str, question: str) -> None:
    assert exchange_question(exc, text) == question


def test_the_selector_topic_names_the_question_when_no_cue_does(exc) -> None:
    assert exchange_question(exc, "hmm", ["faq/exc_brands"]) == "brands"


# --- the price after the coupon (EXC-4) ----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "price", "value"),
    [
        ("if the new phone costs inr 15000 and my exchange value is inr 3000, how much do i pay", 15000, 3000),
        ("phone 12000, exchange value 2000, what do I pay", 12000, 2000),
        ("my coupon is 3k and the phone is rs 15,999, final price?", 15999, 3000),
        ("15000 phone with a 3000 coupon", 15000, 3000),
        ("exchange value ₹4,500 on a ₹20000 redmi note, what do i pay", 20000, 4500),
    ],
)  # fmt: skip
def test_the_two_amounts_are_told_apart_by_their_words(exc, text, price, value) -> None:
    answer = read_price_sum(exc, text)
    assert answer is not None
    assert (answer.price, answer.value, answer.to_pay) == (price, value, price - value)


def test_a_coupon_worth_more_than_the_phone_leaves_nothing_to_pay(exc) -> None:
    answer = read_price_sum(exc, "phone costs 5000, exchange value 9000")
    assert answer is not None and answer.to_pay == 0


@pytest.mark.parametrize(
    "text",
    [
        "the phone costs inr 15000, how much do i pay",  # one amount
        "15000 and 3000, how much do i pay",  # no words tell them apart
        "phone 10000 or 12000 or 15000 with coupon 2000",  # three amounts
        "",
        "x" * 2000,
    ],
)
def test_no_sum_without_two_amounts_told_apart(exc, text: str) -> None:
    assert read_price_sum(exc, text) is None


def test_the_sum_is_said_in_the_programs_currency(exc) -> None:
    answer = quick_answer(exc, "price_sum", "phone inr 15000, exchange value inr 3000", TODAY)
    assert answer is not None and answer.kind == "price_sum"
    assert answer.values == {"price": "INR 15,000", "value": "INR 3,000", "to_pay": "INR 12,000"}


# --- the brand list (EXC-2) --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "brand", "accepted"),
    [
        ("is realme accepted in mi exchange", "Realme", False),
        ("does mi exchange take huawei phones", "Huawei", True),
        ("is motorola on the list", "Motorola", True),
        ("can i exchange my iphone for a redmi", "Apple", False),  # the old phone comes first
        ("do you take moto phones", "Motorola", True),
        ("is xiaomi accepted", "Xiaomi", True),
    ],
)
def test_the_brand_asked_about_and_whether_it_is_on_the_list(exc, text, brand, accepted) -> None:
    answer = read_brand_question(exc, text)
    assert answer is not None and (answer.brand, answer.accepted) == (brand, accepted)


def test_the_programs_own_name_is_not_the_brand_asked_about(exc) -> None:
    assert read_brand_question(exc, "which brands does mi exchange accept") is None


def test_the_no_names_the_brand_and_lists_the_accepted_ones(exc) -> None:
    answer = quick_answer(exc, "brands", "is realme accepted", TODAY)
    assert answer is not None and answer.kind == "brand_not_accepted"
    assert answer.values["brand"] == "Realme"
    assert answer.values["brands"] == ", ".join(b.name for b in exc.brands)


def test_a_brand_both_accepted_and_not_is_refused_on_load() -> None:
    data = read_fields(PROGRAMS / "exc.yml").data
    data["other_brands"] = {"rule": "EXC-2", "names": [{"name": "Samsung", "aliases": []}]}
    with pytest.raises(ProgramDataError, match="other_brands"):
        load_exchange_program("exc.yml", data)


# --- the coupon's validity (EXC-4) ------------------------------------------------------------------
def test_a_date_after_the_valid_days_is_refused(exc) -> None:
    text = "i exchanged my phone on 1 march, can i still use the coupon on 20 march"
    dates = read_coupon_dates(exc, text, TODAY)
    assert dates is not None
    assert dates.exchanged_on == date(2026, 3, 1) and dates.asked_on == date(2026, 3, 20)
    assert dates.valid_until.date() == date(2026, 3, 1 + exc.coupon.valid_days)
    assert dates.valid_on_asked is False
    answer = quick_answer(exc, "coupon_validity", text, TODAY)
    assert answer is not None and answer.kind == "coupon_expired_on"
    assert answer.values["valid_until"] == "16 March 2026, 23:59"


def test_the_last_valid_day_is_still_valid_and_the_next_is_not(exc) -> None:
    last = read_coupon_dates(exc, "exchanged 1 march 2026, use on 16 march 2026?", TODAY)
    after = read_coupon_dates(exc, "exchanged 1 march 2026, use on 17 march 2026?", TODAY)
    assert last is not None and last.valid_on_asked is True
    assert after is not None and after.valid_on_asked is False


def test_the_dates_may_come_in_either_order(exc) -> None:
    dates = read_coupon_dates(exc, "can i use it on 10 march? i exchanged on 1 march", TODAY)
    assert dates is not None and dates.exchanged_on == date(2026, 3, 1)
    assert dates.valid_on_asked is True


def test_one_date_gives_the_last_day(exc) -> None:
    answer = quick_answer(exc, "coupon_validity", "exchanged on 20 nov, valid till when", TODAY)
    assert answer is not None and answer.kind == "coupon_valid_until"
    assert answer.values["exchanged_on"] == "20 November 2026"
    assert answer.values["valid_until"] == "5 December 2026, 23:59"


def test_no_date_no_answer(exc) -> None:
    assert quick_answer(exc, "coupon_validity", "how long is the coupon valid", TODAY) is None


# --- the phone's condition (EXC-1, EXC-5) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("can i exchange a phone with a cracked screen", "screen_intact"),
        ("my phone is not working, can i still exchange it", "working"),
        ("the body has dents", "body_intact"),
        ("phone is locked with my google account", "locks_removed"),
    ],
)
def test_the_condition_the_message_describes(exc, text: str, condition: str) -> None:
    found = read_condition_question(exc, text)
    assert found is not None and found.id == condition


def test_a_refusing_condition_and_a_reminder_are_different_answers(exc) -> None:
    refused = quick_answer(exc, "condition", "cracked screen ok?", TODAY)
    reminder = quick_answer(exc, "condition", "it has a screen lock", TODAY)
    assert refused is not None and refused.kind == "condition_refused"
    assert "cracked screen" in str(refused.values["says"])
    assert reminder is not None and reminder.kind == "condition_reminder"


# --- a personal quote: the model named in the message -------------------------------------------
def test_the_listed_model_a_whole_message_names(exc) -> None:
    assert find_phone_model(exc, "Samsung", "value of my samsung galaxy s10 pls") == "Galaxy S10"
    assert find_phone_model(exc, "Google", "my pixel 3a") == "Pixel 3a"  # not "Pixel 3"
    assert find_phone_model(exc, "Samsung", "my samsung") is None
    assert find_phone_model(exc, "OnePlus", "mi exchange price of a oneplus 7?") == "7"
    assert find_phone_model(exc, "OnePlus", "i have 7 phones from oneplus") is None
    assert find_phone_model(exc, "Nokia", "nokia 3310") is None
