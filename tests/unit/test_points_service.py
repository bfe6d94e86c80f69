"""Mi Points use cases through the Desk: today in the member's country, plans, balances."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from bot import services
from bot.bootstrap import Desk
from bot.decisions import Outcome
from tests.conftest import make_desk, pin


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path, today="2024-03-15")


def test_today_is_the_members_own_date_across_midnight(desk: Desk) -> None:
    # 23:30 UTC on 15 March is already 16 March in Rome but still 15 March in London.
    pin(desk, datetime(2024, 3, 15, 23, 30, tzinfo=timezone.utc))
    assert desk.points_today(services.read_country("Italy")) == date(2024, 3, 16)
    assert desk.points_today(services.read_country("UK")) == date(2024, 3, 15)


def test_membership_is_decided_for_the_country_read(desk: Desk) -> None:
    assert desk.points_membership(services.read_country("France")).eligible
    refused = desk.points_membership(services.read_country("Pakistan"))
    assert refused.decision.outcome is Outcome.NOT_ELIGIBLE
    assert "Pakistan" in refused.decision.explanation and "mi.com" in refused.next_step


def test_a_months_plan_earns_with_the_share_cap_and_the_streak_bonus(desk: Desk) -> None:
    plan = services.PointsPlan(Decimal("299.99"), shares=5, first_reviews=2, fuel_days=7)
    earnings = desk.points_earned(plan, services.read_country("Spain"))
    assert earnings.total == 299 + 15 + 40 + 70 + 100
    assert earnings.credited_by == date(2024, 3, 31)


def test_a_balance_is_valued(desk: Desk) -> None:
    value = desk.points_value(services.read_points("2,500"))
    assert value.euros == Decimal("25.00") and value.can_pay_with_balance


def test_expiry_is_seen_from_the_members_today(desk: Desk) -> None:
    expiry = desk.points_expiry(date(2023, 3, 14), services.read_country("Spain"))
    assert expiry.expired and expiry.valid_until == date(2024, 3, 14)
