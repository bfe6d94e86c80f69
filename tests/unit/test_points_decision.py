"""Mi Points decisions (PTS-1..5): earnings with every cap, crediting, balance value, expiry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.decisions import Outcome
from bot.decisions.points import (
    Activity,
    ActivityKind,
    CouponOption,
    balance_value,
    decide_membership,
    earn,
    expiry_schedule,
    points_expiry,
    streak_bonus_days,
)
from bot.errors import InvalidAmount, InvalidPoints
from bot.programs import load_programs
from bot.programs.points import PointsProgram
from bot.settings import ROOT

K = ActivityKind


@pytest.fixture(scope="module")
def pts() -> PointsProgram:
    program = load_programs(ROOT / "data" / "programs")["PTS"]
    assert isinstance(program, PointsProgram)
    return program


def share(day: date) -> Activity:
    return Activity(K.SHARE, day)


def fuel_run(first: date, days: int) -> list[Activity]:
    return [Activity(K.FUEL, first + timedelta(days=n)) for n in range(days)]


# --- PTS-1 ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "name"), [("ES", "Spain"), ("FR", "France"), ("IT", "Italy"), ("GB", "United Kingdom")])  # fmt: skip
def test_members_in_the_four_countries_are_eligible(pts: PointsProgram, code: str, name: str) -> None:  # fmt: skip
    check = decide_membership(pts, code, name)
    assert check.eligible and check.decision.rule_ids == ("PTS-1",)
    assert "My Points" in check.next_step


def test_a_member_in_another_country_is_not_eligible_and_told_which_countries_are(
    pts: PointsProgram,
) -> None:
    decision = decide_membership(pts, "IN", "India").decision
    assert decision.outcome is Outcome.NOT_ELIGIBLE
    assert "Spain, France, Italy and United Kingdom" in decision.explanation
    assert "India" in decision.explanation


def test_someone_under_18_is_not_eligible_even_in_a_covered_country(pts: PointsProgram) -> None:
    decision = decide_membership(pts, "ES", "Spain", age=17).decision
    assert decision.outcome is Outcome.NOT_ELIGIBLE and "18" in decision.explanation
    assert decide_membership(pts, "ES", "Spain", age=18).eligible


# --- PTS-2 ----------------------------------------------------------------------------------
def test_each_activity_earns_its_published_points(pts: PointsProgram) -> None:
    day = date(2024, 3, 4)
    earnings = earn(
        pts,
        [
            Activity(K.REGISTER, day),
            Activity(K.APP_LOGIN, day),
            Activity(K.PURCHASE, day, euros=Decimal("300")),
            share(day),
            Activity(K.REVIEW, day, product="Redmi Note 13"),
            Activity(K.FUEL, day),
        ],
    )
    assert earnings.by_kind == {
        "register": 50,
        "app_login": 30,
        "purchase": 300,
        "share": 5,
        "review": 20,
        "fuel": 10,
    }
    assert earnings.total == 415


def test_a_purchase_earns_one_point_per_whole_euro_of_the_final_price(pts: PointsProgram) -> None:
    earnings = earn(pts, [Activity(K.PURCHASE, date(2024, 3, 4), euros=Decimal("249.99"))])
    assert earnings.total == 249


def test_a_negative_purchase_is_refused(pts: PointsProgram) -> None:
    with pytest.raises(InvalidAmount):
        earn(pts, [Activity(K.PURCHASE, date(2024, 3, 4), euros=Decimal("-1"))])


def test_registering_and_first_login_count_once_however_often_they_appear(
    pts: PointsProgram,
) -> None:
    day = date(2024, 3, 4)
    earnings = earn(pts, [Activity(K.REGISTER, day)] * 2 + [Activity(K.APP_LOGIN, day)] * 3)
    assert earnings.total == 80
    assert "3 repeat(s)" in earnings.decision.explanation


def test_only_three_shares_a_calendar_month_earn(pts: PointsProgram) -> None:
    earnings = earn(pts, [share(date(2024, 3, d)) for d in (1, 2, 3, 4, 5)])
    assert earnings.total == 15
    assert "2 more earned nothing" in earnings.decision.explanation


def test_the_share_cap_restarts_with_a_new_calendar_month(pts: PointsProgram) -> None:
    history = [share(date(2024, 1, 30)), share(date(2024, 1, 31)), share(date(2024, 1, 31))]
    history += [share(date(2024, 2, 1)), share(date(2024, 2, 1)), share(date(2024, 2, 2))]
    history += [share(date(2024, 1, 29)), share(date(2024, 2, 3))]  # the 4th in each month
    earnings = earn(pts, history)
    assert earnings.by_kind["share"] == 30  # 3 in January + 3 in February
    assert [line.points for line in earnings.lines if line.on == date(2024, 2, 3)] == [0]


def test_the_share_cap_is_per_calendar_month_not_per_30_days(pts: PointsProgram) -> None:
    # Six shares within five days across a month boundary all earn.
    days = [date(2024, 1, 29), date(2024, 1, 30), date(2024, 1, 31)]
    days += [date(2024, 2, 1), date(2024, 2, 2), date(2024, 2, 3)]
    assert earn(pts, [share(d) for d in days]).total == 30


def test_only_the_first_review_of_a_product_earns(pts: PointsProgram) -> None:
    day = date(2024, 3, 4)
    history = [
        Activity(K.REVIEW, day, product="Redmi Note 13"),
        Activity(K.REVIEW, day + timedelta(days=1), product="redmi note 13 "),
        Activity(K.REVIEW, day, product="Xiaomi 14"),
    ]
    earnings = earn(pts, history)
    assert earnings.total == 40
    assert "1 further review(s)" in earnings.decision.explanation


def test_fuel_earns_10_a_day_and_a_second_tap_the_same_day_earns_nothing(
    pts: PointsProgram,
) -> None:
    day = date(2024, 3, 4)
    assert earn(pts, [Activity(K.FUEL, day), Activity(K.FUEL, day)]).total == 10


def test_seven_days_in_a_row_earn_the_100_point_bonus(pts: PointsProgram) -> None:
    earnings = earn(pts, fuel_run(date(2024, 3, 1), 7))
    assert earnings.by_kind == {"fuel": 70, "fuel_bonus": 100}


def test_six_days_in_a_row_earn_no_bonus(pts: PointsProgram) -> None:
    assert earn(pts, fuel_run(date(2024, 3, 1), 6)).total == 60


def test_every_complete_run_of_seven_earns_a_bonus(pts: PointsProgram) -> None:
    earnings = earn(pts, fuel_run(date(2024, 3, 1), 15))
    assert earnings.by_kind["fuel_bonus"] == 200


def test_a_gap_breaks_the_streak(pts: PointsProgram) -> None:
    history = fuel_run(date(2024, 3, 1), 4) + fuel_run(date(2024, 3, 6), 4)  # 5 March missed
    assert "fuel_bonus" not in earn(pts, history).by_kind


def test_a_streak_bonus_falls_on_the_seventh_day_of_the_run_across_a_month_end() -> None:
    days = {date(2024, 1, 28) + timedelta(days=n) for n in range(8)}
    assert streak_bonus_days(days, 7) == [date(2024, 2, 3)]


def test_an_empty_history_earns_nothing_and_has_no_credit_date(pts: PointsProgram) -> None:
    earnings = earn(pts, [])
    assert earnings.total == 0 and earnings.credited_by is None
    assert earnings.decision.rule_ids == ("PTS-2",)


# --- PTS-3 ----------------------------------------------------------------------------------
def test_points_are_credited_within_16_days_of_the_latest_activity(pts: PointsProgram) -> None:
    history = [share(date(2024, 3, 1)), share(date(2024, 3, 20))]
    earnings = earn(pts, history)
    assert [line.credited_by for line in earnings.lines] == [date(2024, 3, 17), date(2024, 4, 5)]
    assert earnings.credited_by == date(2024, 4, 5)
    assert "PTS-3" in earnings.decision.rule_ids
    assert "5 April 2024" in earnings.next_step


# --- PTS-4 ----------------------------------------------------------------------------------
def test_a_balance_below_1000_cannot_pay_but_shows_the_coupons_it_affords(
    pts: PointsProgram,
) -> None:
    value = balance_value(pts, 999)
    assert value.can_pay_with_balance is False
    assert value.decision.outcome is Outcome.NOT_ELIGIBLE
    assert value.coupons == (CouponOption(5, 500),)
    assert value.short_of_minimum == 1
    assert value.decision.rule_ids == ("PTS-4",)
    assert "derived" in value.decision.explanation


def test_a_balance_of_exactly_1000_pays_ten_euros(pts: PointsProgram) -> None:
    value = balance_value(pts, 1000)
    assert value.can_pay_with_balance and value.euros == Decimal("10.00")
    assert [c.euros for c in value.coupons] == [5, 10]


def test_a_large_balance_is_worth_a_cent_a_point_and_affords_every_coupon(
    pts: PointsProgram,
) -> None:
    value = balance_value(pts, 12_345)
    assert value.euros == Decimal("123.45")
    assert [c.points for c in value.coupons] == [500, 1000, 2000, 5000]


def test_too_few_points_for_any_coupon_says_how_many_more_are_needed(pts: PointsProgram) -> None:
    value = balance_value(pts, 120)
    assert value.coupons == () and value.decision.next_step == "nothing_yet"
    assert "380 more points" in value.next_step


@pytest.mark.parametrize("bad", [-1, 1.5, "1000", True, None])
def test_a_balance_that_is_not_a_whole_number_of_points_is_refused(
    pts: PointsProgram, bad: object
) -> None:
    with pytest.raises(InvalidPoints):
        balance_value(pts, bad)  # type: ignore[arg-type]


# --- PTS-5 ----------------------------------------------------------------------------------
def test_points_are_usable_through_the_day_they_turn_12_months_old(pts: PointsProgram) -> None:
    expiry = points_expiry(pts, date(2023, 10, 3), today=date(2024, 10, 3))
    assert expiry.valid_until == date(2024, 10, 3)
    assert expiry.expired is False and expiry.days_left == 0
    assert expiry.decision.rule_ids == ("PTS-5",)


def test_points_older_than_12_months_have_expired(pts: PointsProgram) -> None:
    expiry = points_expiry(pts, date(2023, 10, 3), today=date(2024, 10, 4))
    assert expiry.expired is True
    assert expiry.decision.outcome is Outcome.NOT_ELIGIBLE
    assert "3 October 2024" in expiry.decision.explanation


def test_points_earned_on_29_february_expire_on_28_february(pts: PointsProgram) -> None:
    assert points_expiry(pts, date(2024, 2, 29), date(2024, 3, 1)).valid_until == date(2025, 2, 28)


def test_the_expiry_schedule_groups_points_by_their_last_valid_day(pts: PointsProgram) -> None:
    history = [share(date(2024, 3, 1)), share(date(2024, 3, 1)), share(date(2024, 4, 2))]
    history.append(Activity(K.PURCHASE, date(2024, 4, 2), euros=Decimal(0)))  # earns nothing
    schedule = expiry_schedule(pts, earn(pts, history))
    assert schedule == [(date(2025, 3, 1), 10), (date(2025, 4, 2), 5)]
