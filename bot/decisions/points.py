"""Mi Points decisions (PTS-1..5) as pure functions.

What an activity history earns with every cap (PTS-2), when it is credited
(PTS-3), what a balance is worth (PTS-4), when points expire (PTS-5) and who may
be a member (PTS-1). Dates come in; nothing here reads a clock.

>>> from bot.programs import load_programs
>>> from bot.settings import ROOT
>>> pts = load_programs(ROOT / "data" / "programs")["PTS"]
>>> balance_value(pts, 1234).euros
Decimal('12.34')
>>> [c.euros for c in balance_value(pts, 2000).coupons]
[5, 10, 20]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from bot import formats
from bot.calendar import add_months
from bot.decisions.model import Decision, Outcome, Reason
from bot.errors import InvalidAmount, InvalidPoints
from bot.programs.points import PointsProgram


class ActivityKind(str, Enum):
    REGISTER = "register"
    APP_LOGIN = "app_login"
    PURCHASE = "purchase"
    SHARE = "share"
    REVIEW = "review"
    FUEL = "fuel"


@dataclass(frozen=True)
class Activity:
    """One thing a member did: a purchase carries its final price, a review its product."""

    kind: ActivityKind
    on: date
    euros: Decimal = Decimal(0)
    product: str = ""


@dataclass(frozen=True)
class EarnedLine:
    """Points one activity earned (0 when a cap applied); ``kind`` "fuel_bonus" for a streak."""

    kind: str
    on: date
    points: int
    credited_by: date


@dataclass(frozen=True)
class Earnings:
    """What a history earns (PTS-2) and when it is all credited (PTS-3)."""

    total: int
    by_kind: dict[str, int]
    lines: tuple[EarnedLine, ...]
    credited_by: date | None
    decision: Decision
    next_step: str


@dataclass(frozen=True)
class CouponOption:
    """A coupon and its price in points (PTS-4, derived)."""

    euros: int
    points: int


@dataclass(frozen=True)
class BalanceValue:
    """What a balance can buy (PTS-4)."""

    points: int
    euros: Decimal  # at the published rate, usable only from the minimum balance
    can_pay_with_balance: bool
    short_of_minimum: int
    coupons: tuple[CouponOption, ...]  # the coupons the balance affords
    decision: Decision
    next_step: str


@dataclass(frozen=True)
class Expiry:
    """Points earned on ``earned_on`` can be used until the end of ``valid_until`` (PTS-5)."""

    earned_on: date
    valid_until: date
    expired: bool
    days_left: int
    decision: Decision
    next_step: str


@dataclass(frozen=True)
class _Text:
    """Fills the program's sentences; unknown placeholders stay visible, never crash."""

    program: PointsProgram
    values: dict[str, object] = field(default_factory=dict)

    def reason(self, key: str, **extra: object) -> Reason:
        rule_id = "-".join(key.split("-")[:2])  # "PTS-2-share-cap" explains PTS-2
        return Reason(rule_id, _fill(self.program.reasons[key], {**self.values, **extra}))

    def step(self, key: str, **extra: object) -> str:
        return _fill(self.program.next_steps[key], {**self.values, **extra})


class _Values(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: dict[str, object]) -> str:
    return template.format_map(_Values(values))


def thousands(number: int, language: str | None = None) -> str:
    """1,000-style grouping in English, as the terms write numbers; 1.000 in Spanish."""
    return formats.number(number, language)


def money(amount: Decimal, language: str | None = None) -> str:
    """``12``, ``12.30`` (``12,30``): whole amounts without decimals, others with two."""
    return formats.amount(amount, language)


def spell_day(day: date, program: PointsProgram) -> str:
    """A date as the program's language writes it ("3 October 2023", "3 de octubre de 2023")."""
    return formats.long_date(day, program.language)


def member_countries(program: PointsProgram) -> str:
    """The member countries as the program's language lists them (PTS-1)."""
    return formats.items(
        [formats.territory(code, program.language) for code in program.membership.countries],
        program.language,
    )


# --- PTS-1 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberCheck:
    """Whether someone may be a member (PTS-1), and what to do next."""

    decision: Decision
    next_step: str

    @property
    def eligible(self) -> bool:
        return self.decision.outcome is Outcome.ELIGIBLE


def decide_membership(
    program: PointsProgram, country_code: str, country_name: str, age: int | None = None
) -> MemberCheck:
    """May someone in this country (and of this age, if known) be a member? (PTS-1)"""
    text = _Text(
        program,
        {
            "country": country_name,
            "countries": member_countries(program),
            "min_age": program.membership.min_age,
        },
    )
    refusals = []
    if country_code not in program.membership.countries:
        refusals.append(text.reason("PTS-1"))
    if age is not None and age < program.membership.min_age:
        refusals.append(text.reason("PTS-1-age"))
    if refusals:
        decision = Decision(Outcome.NOT_ELIGIBLE, tuple(refusals), "not_member")
    else:
        decision = Decision(Outcome.ELIGIBLE, (text.reason("PTS-1-member"),), "member")
    return MemberCheck(decision, text.step(decision.next_step))


# --- PTS-2, PTS-3 -----------------------------------------------------------------------
def earn(program: PointsProgram, history: list[Activity] | tuple[Activity, ...]) -> Earnings:
    """Points a history earns with every cap, and the date all are credited by."""
    rules = program.earning
    credit = timedelta(days=program.credit_within_days)
    lines: list[EarnedLine] = []
    dropped: Counter[str] = Counter()
    shares_in_month: Counter[tuple[int, int]] = Counter()
    reviewed: set[str] = set()
    once_done: set[ActivityKind] = set()
    fuel_days: set[date] = set()

    def add(kind: str, on: date, points: int) -> None:
        lines.append(EarnedLine(kind, on, points, on + credit))

    for activity in sorted(history, key=lambda a: a.on):
        kind = activity.kind
        if kind in (ActivityKind.REGISTER, ActivityKind.APP_LOGIN):
            points = rules.register if kind is ActivityKind.REGISTER else rules.first_app_login
            if kind in once_done:
                dropped["once"] += 1
                points = 0
            once_done.add(kind)
            add(kind.value, activity.on, points)
        elif kind is ActivityKind.PURCHASE:
            if activity.euros < 0:
                raise InvalidAmount("a purchase amount cannot be negative")
            # "1 point for every euro": whole euros of the final price.
            add(kind.value, activity.on, math.floor(activity.euros) * rules.points_per_euro)
        elif kind is ActivityKind.SHARE:
            month = (activity.on.year, activity.on.month)
            shares_in_month[month] += 1
            capped = shares_in_month[month] > rules.share_max_per_month
            dropped["share"] += capped
            add(kind.value, activity.on, 0 if capped else rules.share_points)
        elif kind is ActivityKind.REVIEW:
            product = activity.product.casefold().strip()
            repeat = product in reviewed
            reviewed.add(product)
            dropped["review"] += repeat
            add(kind.value, activity.on, 0 if repeat else rules.first_review)
        elif kind is ActivityKind.FUEL:
            # One tap a day counts; a second tap the same day earns nothing.
            add(
                kind.value,
                activity.on,
                0 if activity.on in fuel_days else rules.fuel_points_per_day,
            )
            fuel_days.add(activity.on)
    for bonus_day in streak_bonus_days(fuel_days, rules.streak_days):
        add("fuel_bonus", bonus_day, rules.streak_bonus)

    by_kind: dict[str, int] = defaultdict(int)
    for line in lines:
        by_kind[line.kind] += line.points
    credited_by = max((line.credited_by for line in lines), default=None)
    text = _Text(
        program,
        {
            "register": rules.register,
            "first_app_login": rules.first_app_login,
            "points_per_euro": rules.points_per_euro,
            "share_points": rules.share_points,
            "share_max": rules.share_max_per_month,
            "first_review": rules.first_review,
            "fuel_points": rules.fuel_points_per_day,
            "streak_bonus": rules.streak_bonus,
            "streak_days": rules.streak_days,
            "days": program.credit_within_days,
            "credited_by": spell_day(credited_by, program) if credited_by else "",
        },
    )
    reasons = [text.reason("PTS-2")]
    for key, cap in (("share", "PTS-2-share-cap"), ("review", "PTS-2-review-repeat")):
        if dropped[key]:
            reasons.append(text.reason(cap, dropped=dropped[key]))
    if dropped["once"]:
        reasons.append(text.reason("PTS-2-once", dropped=dropped["once"]))
    if credited_by:
        reasons.append(text.reason("PTS-3"))
    return Earnings(
        total=sum(line.points for line in lines),
        by_kind=dict(by_kind),
        lines=tuple(sorted(lines, key=lambda line: line.on)),
        credited_by=credited_by,
        decision=Decision(Outcome.ELIGIBLE, tuple(reasons), "earned"),
        next_step=text.step("earned"),
    )


def streak_bonus_days(days: set[date], streak: int) -> list[date]:
    """The days a streak bonus is earned: the last day of every complete run of
    ``streak`` consecutive days (14 days in a row earn two bonuses)."""
    bonuses = []
    run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        if run % streak == 0:
            bonuses.append(day)
        previous = day
    return bonuses


# --- PTS-4 ------------------------------------------------------------------------------
def balance_value(program: PointsProgram, points: int) -> BalanceValue:
    """What a balance can pay, and which coupons it affords (PTS-4)."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise InvalidPoints("a balance is a whole number of points, 0 or more")
    rules = program.redeeming
    euros = Decimal(points * rules.euro_cents_per_point) / 100
    coupons = tuple(
        CouponOption(value, rules.coupon_cost(value))
        for value in rules.coupon_euros
        if rules.coupon_cost(value) <= points
    )
    can_pay = points >= rules.whole_balance_minimum
    text = _Text(
        program,
        {
            "minimum": thousands(rules.whole_balance_minimum, program.language),
            "points": thousands(points, program.language),
            "coupon_list": "/".join(
                formats.whole_money(value, "EUR", program.language) for value in rules.coupon_euros
            ),
            "points_per_euro": rules.coupon_points_per_euro,
        },
    )
    if can_pay:
        reasons = (text.reason("PTS-4-balance"), text.reason("PTS-4-coupons"))
        decision = Decision(Outcome.ELIGIBLE, reasons, "pay_with_balance")
    else:
        reasons = (text.reason("PTS-4-below-minimum"), text.reason("PTS-4-coupons"))
        key = "coupons_only" if coupons else "nothing_yet"
        decision = Decision(Outcome.NOT_ELIGIBLE, reasons, key)
    cheapest = rules.coupon_cost(rules.coupon_euros[0])
    return BalanceValue(
        points=points,
        euros=euros,
        can_pay_with_balance=can_pay,
        short_of_minimum=max(0, rules.whole_balance_minimum - points),
        coupons=coupons,
        decision=decision,
        next_step=text.step(
            decision.next_step, short=thousands(max(0, cheapest - points), program.language)
        ),
    )


# --- PTS-5 ------------------------------------------------------------------------------
def expiry_date(program: PointsProgram, earned_on: date) -> date:
    """The last day points earned on ``earned_on`` can be used: "older than 12 months"
    expire, so on the day they turn 12 months old they still count."""
    return add_months(earned_on, program.expiry_months)


def points_expiry(program: PointsProgram, earned_on: date, today: date) -> Expiry:
    """When points earned on ``earned_on`` expire, seen from ``today`` (PTS-5)."""
    valid_until = expiry_date(program, earned_on)
    expired = today > valid_until
    text = _Text(
        program,
        {
            "months": program.expiry_months,
            "earned_on": spell_day(earned_on, program),
            "valid_until": spell_day(valid_until, program),
        },
    )
    if expired:
        decision = Decision(Outcome.NOT_ELIGIBLE, (text.reason("PTS-5-expired"),), "expired")
    else:
        decision = Decision(Outcome.ELIGIBLE, (text.reason("PTS-5"),), "still_valid")
    return Expiry(
        earned_on=earned_on,
        valid_until=valid_until,
        expired=expired,
        days_left=max(0, (valid_until - today).days),
        decision=decision,
        next_step=text.step(decision.next_step),
    )


def expiry_schedule(program: PointsProgram, earnings: Earnings) -> list[tuple[date, int]]:
    """Which points expire when: (last valid day, points), earliest first (PTS-5)."""
    due: Counter[date] = Counter()
    for line in earnings.lines:
        if line.points:
            due[expiry_date(program, line.on)] += line.points
    return sorted(due.items())
