"""Mi Points use cases (PTS): read what the customer typed, then decide.

Nothing is stored: every answer is computed from the program rules and the
customer's own figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.amounts import read_amount, read_count, read_points
from bot.countries import Country
from bot.decisions import points as rules
from bot.decisions.points import (
    Activity,
    ActivityKind,
    BalanceValue,
    Earnings,
    Expiry,
    MemberCheck,
    money,
    thousands,
)
from bot.errors import InvalidCount
from bot.programs.points import PointsProgram

__all__ = [
    "PointsPlan",
    "money",
    "plan_history",
    "points_earned",
    "points_expiry",
    "points_membership",
    "points_value",
    "read_amount",
    "read_count",
    "read_points",
    "thousands",
]


@dataclass(frozen=True)
class PointsPlan:
    """What a member plans to do (or did) this month, as the points form asks it."""

    spend_euros: Decimal = Decimal(0)
    shares: int = 0
    first_reviews: int = 0
    fuel_days: int = 0


def points_membership(
    program: PointsProgram, country: Country, age: int | None = None
) -> MemberCheck:
    """PTS-1 for the customer's country (and age, if given)."""
    return rules.decide_membership(program, country.code, country.name, age)


def points_value(program: PointsProgram, points: int) -> BalanceValue:
    """What a balance is worth (PTS-4)."""
    return rules.balance_value(program, points)


def plan_history(plan: PointsPlan, today: date) -> list[Activity]:
    """The activity history a plan stands for: purchase and shares today, one review per
    product, and fuel on the ``fuel_days`` days in a row ending today."""
    if min(plan.shares, plan.first_reviews, plan.fuel_days) < 0:
        raise InvalidCount("a count cannot be negative")
    if plan.fuel_days > 366:
        raise InvalidCount("fuel can be collected once a day: at most 366 days in a row here")
    history = []
    if plan.spend_euros:
        history.append(Activity(ActivityKind.PURCHASE, today, euros=plan.spend_euros))
    history += [Activity(ActivityKind.SHARE, today) for _ in range(plan.shares)]
    history += [
        Activity(ActivityKind.REVIEW, today, product=f"product {n}")
        for n in range(plan.first_reviews)
    ]
    history += [
        Activity(ActivityKind.FUEL, today - timedelta(days=n)) for n in range(plan.fuel_days)
    ]
    return history


def points_earned(program: PointsProgram, plan: PointsPlan, today: date) -> Earnings:
    """What the plan earns, with the caps, and when it is credited (PTS-2, PTS-3)."""
    return rules.earn(program, plan_history(plan, today))


def points_expiry(program: PointsProgram, earned_on: date, today: date) -> Expiry:
    """When points earned on ``earned_on`` expire (PTS-5)."""
    return rules.points_expiry(program, earned_on, today)
