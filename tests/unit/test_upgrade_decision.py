"""Smart Upgrade decisions (UPG-1..5): months since purchase, buyback share and amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.decisions import Outcome
from bot.decisions.upgrade import (
    UpgradeFacts,
    buyback_amount,
    decide_upgrade,
    fee_for,
    month_since,
    month_starts,
    rupees,
)
from bot.errors import FutureDate, InvalidAmount
from bot.programs import load_programs
from bot.programs.upgrade import UpgradeProgram
from bot.settings import ROOT

BOUGHT = date(2024, 1, 10)


@pytest.fixture(scope="module")
def upg() -> UpgradeProgram:
    program = load_programs(ROOT / "data" / "programs")["UPG"]
    assert isinstance(program, UpgradeProgram)
    return program


def facts(
    upg: UpgradeProgram,
    today: date,
    model: str = "Redmi Note 9 Pro",
    channel: str = "store",
    intact: bool = True,
    srp: Decimal | None = None,
    bought: date = BOUGHT,
) -> UpgradeFacts:
    found = upg.model(model)
    assert found is not None
    return UpgradeFacts(found, bought, channel, intact, today, srp)


# --- counting months --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2024, 1, 10), 1),   # the purchase day
        (date(2024, 2, 9), 1),
        (date(2024, 2, 10), 2),
        (date(2024, 4, 9), 3),    # the last day of month 3
        (date(2024, 4, 10), 4),   # the first day of month 4
        (date(2024, 7, 9), 6),
        (date(2024, 7, 10), 7),
        (date(2024, 10, 9), 9),
        (date(2024, 10, 10), 10),
        (date(2025, 7, 9), 18),
        (date(2025, 7, 10), 19),
    ],
)  # fmt: skip
def test_month_n_starts_n_minus_1_calendar_months_after_purchase(today: date, month: int) -> None:
    assert month_since(BOUGHT, today) == month


def test_a_purchase_on_the_31st_starts_its_months_on_the_last_day_of_shorter_months() -> None:
    bought = date(2024, 1, 31)
    assert month_starts(bought, 2) == date(2024, 2, 29)
    assert month_since(bought, date(2024, 2, 28)) == 1
    assert month_since(bought, date(2024, 2, 29)) == 2
    assert month_since(bought, date(2024, 3, 30)) == 2
    assert month_since(bought, date(2024, 3, 31)) == 3


def test_counting_from_a_purchase_after_today_is_refused() -> None:
    with pytest.raises(FutureDate):
        month_since(date(2024, 5, 1), date(2024, 4, 30))


# --- UPG-2 -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "fee"),
    [("Redmi 9", 399), ("Redmi 9 Prime", 399), ("Redmi Note 9", 499), ("Redmi Note 9 Pro", 549),
     ("Redmi Note 9 Pro Max", 599), ("Mi 10", 1999)],
)  # fmt: skip
def test_each_model_has_its_published_fee(upg: UpgradeProgram, model: str, fee: int) -> None:
    found = upg.model(model)
    assert found is not None and fee_for(upg, found).rupees == fee


@pytest.mark.parametrize("model", ["Redmi K20 Pro", "Mi 10T", "Mi 10T Pro"])
def test_covered_models_without_a_published_fee_say_not_published(
    upg: UpgradeProgram, model: str
) -> None:
    found = upg.model(model)
    assert found is not None
    fee = fee_for(upg, found)
    assert fee.rupees is None and "not published" in fee.reason.text
    assert fee.reason.rule_id == "UPG-2"


def test_the_fee_is_written_with_thousands_grouped(upg: UpgradeProgram) -> None:
    found = upg.model("Mi 10")
    assert found is not None and "Rs 1,999" in fee_for(upg, found).reason.text


# --- UPG-3, UPG-4 -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "percent"),
    [(date(2024, 4, 10), 70), (date(2024, 7, 9), 70), (date(2024, 7, 10), 60), (date(2024, 10, 9), 60)],
)  # fmt: skip
def test_months_4_to_6_pay_70_and_months_7_to_9_pay_60_percent_of_srp(
    upg: UpgradeProgram, today: date, percent: int
) -> None:
    quote = decide_upgrade(upg, facts(upg, today))
    assert quote.decision.outcome is Outcome.ELIGIBLE
    assert quote.percent == percent and quote.amount is None
    assert quote.decision.rule_ids == ("UPG-4", "UPG-2")


def test_month_3_is_not_redeemable_yet_and_says_from_when(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2024, 4, 9)))
    assert quote.month == 3 and quote.percent is None
    assert quote.decision.outcome is Outcome.NOT_ELIGIBLE
    assert quote.decision.rule_ids[0] == "UPG-3"
    assert quote.opens_on == date(2024, 4, 10)
    assert quote.next_step == "Come back from 10 April 2024."


@pytest.mark.parametrize("today", [date(2024, 10, 10), date(2025, 7, 9)])
def test_months_10_to_18_are_not_published_and_an_agent_is_offered(
    upg: UpgradeProgram, today: date
) -> None:
    quote = decide_upgrade(upg, facts(upg, today, srp=Decimal(12999)))
    assert quote.decision.outcome is Outcome.NEEDS_REVIEW
    assert quote.percent is None and quote.amount is None
    assert "not published" in quote.decision.explanation and "(UPG-4)" in quote.decision.explanation
    assert quote.decision.next_step == "ask_agent" and "agent" in quote.next_step


def test_after_month_18_the_plan_has_expired(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2025, 7, 10)))
    assert quote.month == 19
    assert quote.decision.outcome is Outcome.NOT_ELIGIBLE
    assert quote.closes_on == date(2025, 7, 9)
    assert "9 July 2025" in quote.decision.explanation
    assert quote.decision.next_step == "expired"


def test_the_amount_is_the_percentage_of_the_srp_when_given(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2024, 5, 1), srp=Decimal(12999)))
    assert quote.amount == Decimal("9099.30")
    assert rupees(quote.amount) == "9,099.30"


def test_amounts_round_half_up_to_the_paisa() -> None:
    assert buyback_amount(Decimal("0.05"), 70) == Decimal("0.04")  # 0.035 -> 0.04
    assert rupees(Decimal(14000)) == "14,000"


def test_a_price_of_zero_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        buyback_amount(Decimal(0), 70)


# --- UPG-1, UPG-5 -----------------------------------------------------------------------
def test_a_phone_bought_online_is_not_covered(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2024, 5, 1), channel="online"))
    assert quote.decision.outcome is Outcome.NOT_ELIGIBLE
    assert quote.decision.rule_ids[0] == "UPG-1" and quote.percent is None
    assert quote.decision.next_step == "not_covered"


def test_a_damaged_or_repaired_phone_is_not_bought_back(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2024, 5, 1), intact=False))
    assert quote.decision.outcome is Outcome.NOT_ELIGIBLE
    assert quote.decision.rule_ids[0] == "UPG-5"


def test_every_refusal_is_named_at_once(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2024, 2, 1), channel="online", intact=False))
    assert quote.decision.rule_ids == ("UPG-1", "UPG-5", "UPG-3", "UPG-2")


def test_an_unknown_channel_is_treated_as_not_covered(upg: UpgradeProgram) -> None:
    quote = decide_upgrade(upg, facts(upg, date(2024, 5, 1), channel="market stall"))
    assert quote.decision.rule_ids[0] == "UPG-1"
