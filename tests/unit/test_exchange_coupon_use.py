"""EXC-4 as a decision: the exchange coupon pays for one new smartphone on mi.com only.
The chat answer ("can I use it on earphones?") and any later use of a coupon share it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.decisions import Outcome
from bot.decisions.exchange import CouponUse, decide_coupon_use
from bot.errors import ProgramDataError
from bot.programs import load_programs
from bot.programs.exchange import ExchangeProgram, load_exchange_program
from bot.programs.fields import read_fields
from bot.services.exchange import answer_coupon_use, read_coupon_use

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"


@pytest.fixture(scope="module")
def exc() -> ExchangeProgram:
    program = load_programs(PROGRAMS)["EXC"]
    assert isinstance(program, ExchangeProgram)
    return program


# --- the program data ---------------------------------------------------------------------------
def test_the_coupon_use_terms_are_program_data_under_exc_4(exc: ExchangeProgram) -> None:
    assert exc.coupon_use.eligible_kinds == ("smartphone",)
    assert exc.coupon_use.eligible_channels == ("mi.com",)
    assert {k.id for k in exc.coupon_use.kinds} >= {"smartphone", "tablet", "accessory"}


def test_an_eligible_kind_not_listed_is_refused_on_load() -> None:
    data = read_fields(PROGRAMS / "exc.yml").data
    data["coupon_use"] = {**data["coupon_use"], "eligible_kinds": ["smartwatch"]}
    with pytest.raises(ProgramDataError, match="eligible_kinds"):
        load_exchange_program("exc.yml", data)


# --- the decision -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "said"),
    [("accessory", "accessories"), ("tablet", "a tablet"), ("other_product", "TVs")],
)
def test_anything_but_a_smartphone_is_refused_naming_it(
    exc: ExchangeProgram, kind: str, said: str
) -> None:
    decision = decide_coupon_use(exc, CouponUse((kind,), "mi.com"))
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert decision.rule_ids == ("EXC-4",)
    assert said in decision.explanation and "smartphone bought on mi.com" in decision.explanation
    assert decision.next_step == "coupon_not_usable"


def test_a_smartphone_bought_elsewhere_is_refused_naming_the_shop(exc: ExchangeProgram) -> None:
    decision = decide_coupon_use(exc, CouponUse(("smartphone",), "Flipkart"))
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert decision.rule_ids == ("EXC-4",)
    assert "at Flipkart" in decision.explanation


def test_a_smartphone_on_mi_com_is_what_the_coupon_is_for(exc: ExchangeProgram) -> None:
    decision = decide_coupon_use(exc, CouponUse(("smartphone",), "mi.com"))
    assert decision.outcome is Outcome.ELIGIBLE
    assert decision.rule_ids == ("EXC-4",)
    assert decision.next_step == "coupon_usable"


def test_an_accessory_in_another_shop_gets_both_reasons(exc: ExchangeProgram) -> None:
    decision = decide_coupon_use(exc, CouponUse(("accessory",), "Amazon"))
    assert len(decision.reasons) == 2
    assert "accessories" in decision.explanation and "at Amazon" in decision.explanation


def test_with_nothing_named_the_answer_is_the_rule_itself(exc: ExchangeProgram) -> None:
    decision = decide_coupon_use(exc, CouponUse())
    assert decision.outcome is Outcome.ELIGIBLE
    assert "one new smartphone bought on mi.com" in decision.explanation
    assert "accessories" in decision.explanation


def test_a_kind_the_program_does_not_list_is_a_programming_error(exc: ExchangeProgram) -> None:
    with pytest.raises(ValueError, match="fridge"):
        decide_coupon_use(exc, CouponUse(("fridge",)))


# --- reading the question -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "kinds", "channel"),
    [
        ("can I use the exchange coupon on accessories", ("accessory",), None),
        ("can i use it on earphones", ("accessory",), None),
        ("exchange voucher for a redmi pad tablet?", ("tablet",), None),
        ("can i buy a tablet with my mi exchange coupon", ("tablet",), None),
        ("can i use the coupon for a new phone on flipkart", ("smartphone",), "Flipkart"),
        ("use the coupon on a smartphone on mi.com", ("smartphone",), "mi.com"),
        ("redmi buds with the exchange coupon", ("accessory",), None),
        ("what can I buy with the exchange coupon", (), None),
    ],
)
def test_reads_the_product_kind_and_shop_the_question_names(
    exc: ExchangeProgram, typed: str, kinds: tuple[str, ...], channel: str | None
) -> None:
    assert read_coupon_use(exc, typed) == CouponUse(kinds, channel)


@pytest.mark.parametrize("typed", ["", None, "a" * 10_000, "🙂"])
def test_junk_names_nothing(exc: ExchangeProgram, typed: object) -> None:
    assert read_coupon_use(exc, typed) == CouponUse()  # type: ignore[arg-type]


def test_the_answer_to_earphones_is_the_decision_with_its_next_step(exc: ExchangeProgram) -> None:
    answer = answer_coupon_use(exc, "can I use the exchange coupon on earphones")
    assert answer.named
    assert answer.decision == decide_coupon_use(exc, CouponUse(("accessory",)))
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert "(EXC-4)" in answer.decision.explanation
    assert "new smartphone on mi.com" in answer.next_step and "15 days" in answer.next_step
