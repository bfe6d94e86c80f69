"""The Mi Exchange quote and coupon decisions (EXC-1..5) on the real EXC program."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.decisions import Outcome
from bot.decisions.exchange import (
    ExchangeFacts,
    PriorExchange,
    coupon_valid_until,
    decide_coupon,
    decide_exchange,
    price_to_pay,
)
from bot.errors import MissingAnswer
from bot.programs import load_programs
from bot.programs.exchange import ExchangeProgram

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
TODAY = date(2024, 3, 1)
ALL_GOOD = {"working": True, "screen_intact": True, "body_intact": True, "locks_removed": True}


@pytest.fixture(scope="module")
def exc() -> ExchangeProgram:
    program = load_programs(PROGRAMS)["EXC"]
    assert isinstance(program, ExchangeProgram)
    return program


def quote(exc: ExchangeProgram, brand: str, model: str, **answers: bool | None):
    return decide_exchange(exc, ExchangeFacts(brand, model, {**ALL_GOOD, **answers}, TODAY))


def test_the_seed_example_leaves_10000_to_pay() -> None:
    assert price_to_pay(12000, 2000) == 10000


def test_a_coupon_worth_more_than_the_phone_leaves_nothing_to_pay() -> None:
    assert price_to_pay(5000, 9000) == 0


def test_a_listed_phone_in_good_order_gets_its_table_value_in_rupees(exc: ExchangeProgram) -> None:
    result = quote(exc, "Samsung", "Galaxy S10")
    assert result.decision.outcome is Outcome.ELIGIBLE and result.value == 9000
    assert "INR 9,000" in result.decision.explanation
    assert result.decision.next_step == "offer"
    assert result.decision.rule_ids == ("EXC-1", "EXC-2", "EXC-4")


def test_the_quote_says_the_table_is_an_example(exc: ExchangeProgram) -> None:
    text = quote(exc, "Samsung", "Galaxy S10").decision.explanation
    assert "example table" in text and "mi.com/in/miexchange" in text


def test_the_quote_states_the_coupon_terms_with_the_seed_price_example(
    exc: ExchangeProgram,
) -> None:
    text = quote(exc, "Xiaomi", "Redmi 8").decision.explanation  # worth INR 2,500
    assert "15 days" in text and "16 March 2024" in text
    assert "not accessories" in text
    assert "INR 12,000 then costs INR 9,500" in text


def test_a_brand_outside_exc_2_is_not_supported_and_the_list_is_given(
    exc: ExchangeProgram,
) -> None:
    result = quote(exc, "Nokia", "6.1")
    assert result.decision.outcome is Outcome.NOT_ELIGIBLE
    assert result.decision.rule_ids == ("EXC-2",)
    assert "Nokia phones aren't part" in result.decision.explanation
    assert "Samsung" in result.decision.explanation and result.value is None


def test_a_model_not_in_the_table_is_not_listed(exc: ExchangeProgram) -> None:
    result = quote(exc, "Samsung", "Galaxy S23")
    assert result.decision.rule_ids == ("EXC-2",)
    assert "Samsung Galaxy S23 isn't on the list" in result.decision.explanation


@pytest.mark.parametrize(
    ("condition", "rule"),
    [("working", "EXC-1"), ("screen_intact", "EXC-5"), ("body_intact", "EXC-5")],
)
def test_a_failed_condition_refuses_the_exchange(
    exc: ExchangeProgram, condition: str, rule: str
) -> None:
    result = quote(exc, "Oppo", "A5s", **{condition: False})
    assert result.decision.outcome is Outcome.NOT_ELIGIBLE
    assert result.decision.rule_ids == (rule,)
    assert result.decision.next_step == "not_exchangeable"


def test_a_refusal_needs_no_answer_to_the_later_questions(exc: ExchangeProgram) -> None:
    result = quote(exc, "Oppo", "A5s", working=False, screen_intact=None, body_intact=None)
    assert result.decision.outcome is Outcome.NOT_ELIGIBLE


def test_an_unanswered_question_before_any_refusal_is_an_error(exc: ExchangeProgram) -> None:
    with pytest.raises(MissingAnswer):
        quote(exc, "Oppo", "A5s", body_intact=None)


def test_locks_still_on_keep_the_value_with_a_reminder_to_remove_them(
    exc: ExchangeProgram,
) -> None:
    result = quote(exc, "Vivo", "V15", locks_removed=False)
    assert result.value == 4000 and result.decision.outcome is Outcome.ELIGIBLE
    assert "remove every lock" in result.decision.explanation
    assert "EXC-5" in result.decision.rule_ids


def test_deductions_from_program_data_apply_one_after_another_rounded_down(
    exc: ExchangeProgram,
) -> None:
    conditions = list(exc.conditions)
    conditions[1] = replace(conditions[1], if_no="deduct", deduct_percent=30, says="cracks")
    conditions[2] = replace(conditions[2], if_no="deduct", deduct_percent=15, says="dents")
    program = replace(exc, conditions=tuple(conditions))
    result = decide_exchange(
        program,
        ExchangeFacts(
            "HTC",
            "Desire 10 Pro",
            {**ALL_GOOD, "screen_intact": False, "body_intact": False},
            TODAY,
        ),
    )
    # 1,200 less 30% = 840; 840 less 15% = 714
    assert result.value == 714
    assert "INR 1,200 less 30%" in result.decision.explanation
    assert "INR 840 less 15%" in result.decision.explanation
    assert "INR 714" in result.decision.explanation


def test_the_coupon_lasts_until_2359_india_time_15_days_after_the_exchange(
    exc: ExchangeProgram,
) -> None:
    assert coupon_valid_until(exc, date(2024, 3, 1)) == datetime(
        2024, 3, 16, 23, 59, tzinfo=ZoneInfo("Asia/Kolkata")
    )


def test_the_coupon_is_issued_with_its_terms_and_the_courier_check(exc: ExchangeProgram) -> None:
    decision = decide_coupon(
        exc,
        quote(exc, "Google", "Pixel 3a"),
        masked_imei="***********3809",
        coupon_code="MIEXC-AAAA-BBBB-CCCC-DDDD",
        today=TODAY,
    )
    assert decision.outcome is Outcome.ELIGIBLE
    assert decision.rule_ids == ("EXC-3", "EXC-4", "EXC-5")
    assert "Google Pixel 3a (IMEI ***********3809)" in decision.explanation
    assert "courier checks" in decision.explanation


def test_an_old_phone_exchanged_before_gets_no_second_coupon(exc: ExchangeProgram) -> None:
    decision = decide_coupon(
        exc,
        quote(exc, "Google", "Pixel 3a"),
        masked_imei="***********3809",
        coupon_code="MIEXC-NEW",
        today=TODAY,
        prior=PriorExchange(date(2024, 2, 20), "MIEXC-OLD"),
    )
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert decision.rule_ids == ("EXC-3",) and decision.next_step == "already_issued"
    assert "20 February 2024" in decision.explanation


def test_no_coupon_for_a_phone_that_cannot_be_exchanged(exc: ExchangeProgram) -> None:
    refused = quote(exc, "Google", "Pixel 3a", working=False)
    decision = decide_coupon(
        exc, refused, masked_imei="***3809", coupon_code="MIEXC-X", today=TODAY
    )
    assert decision is refused.decision
