"""The warranty answer (WAR-1..8) on the real WAR program, with pinned dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.decisions import Outcome
from bot.decisions.warranty import (
    WarrantyFacts,
    decide_warranty,
    period_end,
    within_months,
)
from bot.errors import FutureDate
from bot.programs import load_programs
from bot.programs.warranty import EXTENDED_WARRANTY, OOW_LABOUR, SCREEN, WarrantyProgram

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"
ONLINE = "mi.com (Xiaomi Pakistan online store)"
PURCHASE = date(2023, 3, 15)


@pytest.fixture(scope="module")
def war() -> WarrantyProgram:
    program = load_programs(PROGRAMS)["WAR"]
    assert isinstance(program, WarrantyProgram)
    return program


def ask(
    war: WarrantyProgram,
    problem: str,
    today: date,
    *,
    purchase: date = PURCHASE,
    product: str = "Xiaomi 12",
    country: str = "PK",
    channel: str = ONLINE,
    reported: frozenset[str] = frozenset(),
    used: dict[str, date] | None = None,
):
    known = war.channel(channel)
    problem_type = war.problem(problem)
    assert known is not None and problem_type is not None
    facts = WarrantyFacts(
        product=product,
        country=country,
        channel=known,
        purchase_date=purchase,
        problem=problem_type,
        today=today,
        reported=reported,
        used=used or {},
        country_name={"PK": "Pakistan", "AE": "United Arab Emirates"}.get(country, country),
    )
    return decide_warranty(war, facts)


def route(answer) -> str | None:
    return answer.route.key if answer.route else None


# --- "within N months": one helper, month ends clamped -----------------------------------
@pytest.mark.parametrize(
    ("purchase", "months", "last_day"),
    [
        (date(2023, 3, 15), 6, date(2023, 9, 15)),
        (date(2023, 3, 15), 12, date(2024, 3, 15)),
        (date(2022, 8, 31), 6, date(2023, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 12, 31), 24, date(2025, 12, 31)),
    ],
)
def test_a_period_ends_on_the_same_day_n_months_later_clamped_to_the_month_end(
    purchase: date, months: int, last_day: date
) -> None:
    assert period_end(purchase, months) == last_day
    assert within_months(purchase, months, last_day)
    assert not within_months(purchase, months, date.fromordinal(last_day.toordinal() + 1))


# --- WAR-5: the screen repair, exactly 6 months and one day after -----------------------------
def test_a_cracked_screen_on_the_last_day_of_the_6_months_gets_the_free_screen_repair(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "screen_damage", date(2023, 9, 15))
    assert answer.decision.outcome is Outcome.ELIGIBLE
    assert route(answer) == SCREEN
    # the service that serves it first, then why the 24-month warranty doesn't (WAR-8)
    assert answer.decision.rule_ids == ("WAR-5", "WAR-8")
    assert "15 September 2023" in answer.decision.explanation
    assert answer.decision.next_step == "claim_with_proof"
    assert answer.claimable and answer.customer_pays == ()


def test_a_cracked_screen_one_day_after_6_months_falls_back_to_the_free_labour_repair(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "screen_damage", date(2023, 9, 16))
    assert route(answer) == OOW_LABOUR
    assert answer.decision.rule_ids == ("WAR-3", "WAR-8", "WAR-5")
    assert answer.customer_pays == (
        "spare parts",
        "logistics (courier) costs",
        "the inspection cost if you decline the quote",
    )
    screen = next(b for b in answer.benefits if b.benefit.key == SCREEN)
    assert not screen.usable and "15 September 2023" in screen.decision.explanation


# --- WAR-3: the free-labour repair, exactly 12 months and one day after ----------------------
def test_liquid_damage_on_the_last_day_of_the_12_months_gets_free_labour(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "liquid_damage", date(2024, 3, 15))
    assert answer.decision.outcome is Outcome.ELIGIBLE and route(answer) == OOW_LABOUR
    assert "external cause" in answer.decision.explanation  # why not the 24-month warranty
    warranty = next(b for b in answer.benefits if b.benefit.key == EXTENDED_WARRANTY)
    assert not warranty.usable and warranty.decision.rule_ids == ("WAR-4",)


def test_liquid_damage_one_day_after_12_months_is_a_paid_repair(war: WarrantyProgram) -> None:
    answer = ask(war, "liquid_damage", date(2024, 3, 16))
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert answer.decision.next_step == "paid_repair"
    assert answer.decision.rule_ids == ("WAR-4", "WAR-3")
    assert "15 March 2024" in answer.decision.explanation


# --- WAR-4: 24 months for quality problems ---------------------------------------------------
def test_a_fault_in_normal_use_is_free_under_the_24_month_warranty_until_its_last_day(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "quality_fault", date(2025, 3, 15))
    assert route(answer) == EXTENDED_WARRANTY
    assert answer.decision.rule_ids == ("WAR-4",)
    assert not answer.claimable  # repeatable: nothing to reserve
    assert ask(war, "quality_fault", date(2025, 3, 16)).decision.outcome is Outcome.NOT_ELIGIBLE


def test_a_screen_fault_without_damage_uses_the_warranty_not_the_one_screen_repair(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "screen_malfunction", date(2023, 5, 1))
    assert route(answer) == EXTENDED_WARRANTY
    assert {b.benefit.key for b in answer.benefits if b.usable} == {
        EXTENDED_WARRANTY,
        SCREEN,
        OOW_LABOUR,
    }


@pytest.mark.parametrize(
    ("exclusion", "rule"),
    [
        ("imei_tampered", "WAR-4"),
        ("unauthorised_repair", "WAR-4"),
        ("wrong_voltage", "WAR-4"),
        ("missing_parts", "WAR-4"),
    ],
)
def test_a_reported_exclusion_takes_the_fault_out_of_the_24_month_warranty(
    war: WarrantyProgram, exclusion: str, rule: str
) -> None:
    answer = ask(war, "quality_fault", date(2024, 6, 1), reported=frozenset({exclusion}))
    warranty = next(b for b in answer.benefits if b.benefit.key == EXTENDED_WARRANTY)
    assert not warranty.usable and warranty.decision.rule_ids == (rule,)


def test_a_tampered_imei_is_excluded_from_every_service(war: WarrantyProgram) -> None:
    answer = ask(war, "screen_damage", date(2023, 4, 1), reported=frozenset({"imei_tampered"}))
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert "tampered" in answer.decision.explanation


def test_without_proof_of_purchase_the_screen_repair_is_refused(war: WarrantyProgram) -> None:
    answer = ask(
        war, "screen_damage", date(2023, 4, 1), reported=frozenset({"no_proof_of_purchase"})
    )
    screen = next(b for b in answer.benefits if b.benefit.key == SCREEN)
    assert not screen.usable and "proof of purchase" in screen.decision.explanation
    assert route(answer) == OOW_LABOUR


# --- WAR-8: a damaged screen after the screen repair ---------------------------------------------
def test_a_damaged_screen_after_12_months_is_a_paid_repair_citing_war_8(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "screen_damage", date(2024, 5, 1))
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert answer.decision.rule_ids[0] == "WAR-8"
    assert set(answer.decision.rule_ids) == {"WAR-8", "WAR-5", "WAR-3"}


# --- one-time services already claimed (WAR-3, WAR-5, WAR-7) ----------------------------------
def test_a_second_screen_repair_is_refused_and_names_the_earlier_claim(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "screen_damage", date(2023, 5, 1), used={SCREEN: date(2023, 4, 2)})
    screen = next(b for b in answer.benefits if b.benefit.key == SCREEN)
    assert not screen.usable and "2 April 2023" in screen.decision.explanation
    assert route(answer) == OOW_LABOUR


def test_with_both_one_time_services_used_a_cracked_screen_is_paid(war: WarrantyProgram) -> None:
    used = {SCREEN: date(2023, 4, 2), OOW_LABOUR: date(2023, 4, 20)}
    answer = ask(war, "screen_damage", date(2023, 5, 1), used=used)
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert "20 April 2023" in answer.decision.explanation


# --- WAR-2: the start date; periods count from purchase -------------------------------------------
def test_a_purchase_before_the_start_counts_from_the_purchase_date(war: WarrantyProgram) -> None:
    # The seed's example: bought 30 May 2022, 12 months to use the free-labour repair.
    early = date(2022, 5, 30)
    inside = ask(war, "liquid_damage", date(2023, 5, 30), purchase=early)
    after = ask(war, "liquid_damage", date(2023, 5, 31), purchase=early)
    assert route(inside) == OOW_LABOUR and "30 May 2023" in inside.decision.explanation
    assert after.decision.outcome is Outcome.NOT_ELIGIBLE


def test_no_service_can_be_used_before_29_july_2022(war: WarrantyProgram) -> None:
    answer = ask(war, "screen_damage", date(2022, 7, 28), purchase=date(2022, 5, 30))
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert answer.decision.rule_ids == ("WAR-2",)
    assert answer.decision.next_step == "not_started"
    assert "29 July 2022" in answer.decision.explanation
    on_the_day = ask(war, "screen_damage", date(2022, 7, 29), purchase=date(2022, 5, 30))
    assert route(on_the_day) == SCREEN


# --- WAR-1: other products, countries and channels --------------------------------------------------
def test_another_xiaomi_phone_is_not_this_promotion_but_keeps_the_statutory_warranty(
    war: WarrantyProgram,
) -> None:
    answer = ask(war, "quality_fault", date(2023, 5, 1), product="Xiaomi 13")
    assert answer.decision.rule_ids == ("WAR-1",)
    assert answer.decision.next_step == "statutory"
    assert "Xiaomi 13" in answer.decision.explanation
    assert "statutory warranty still applies" in answer.decision.explanation


def test_a_phone_bought_abroad_is_not_covered_naming_the_country(war: WarrantyProgram) -> None:
    answer = ask(war, "quality_fault", date(2023, 5, 1), country="AE")
    assert answer.decision.outcome is Outcome.NOT_ELIGIBLE
    assert "United Arab Emirates" in answer.decision.explanation


def test_a_grey_import_is_not_an_official_channel(war: WarrantyProgram) -> None:
    answer = ask(war, "quality_fault", date(2023, 5, 1), channel="Bought abroad or grey import")
    assert answer.decision.rule_ids == ("WAR-1",)
    assert "not an official Xiaomi sales channel" in answer.decision.explanation


def test_every_reason_of_an_uncovered_purchase_is_given_at_once(war: WarrantyProgram) -> None:
    answer = ask(
        war,
        "quality_fault",
        date(2023, 5, 1),
        product="Redmi Note 12",
        country="AE",
        channel="Second-hand or private seller",
    )
    assert len(answer.decision.reasons) == 3


def test_a_purchase_date_after_today_is_refused(war: WarrantyProgram) -> None:
    with pytest.raises(FutureDate):
        ask(war, "quality_fault", date(2023, 5, 1), purchase=date(2023, 5, 2))
