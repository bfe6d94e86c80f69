"""Mi Points use cases (PTS): read what the customer typed, then decide.

Nothing is stored: every answer is computed from the program rules and the
customer's own figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot import formats
from bot.amounts import read_amount, read_count, read_points
from bot.asked import asked
from bot.countries import Country
from bot.dates import read_date
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
from bot.errors import FutureDate, InvalidAmount, InvalidCount, InvalidDate
from bot.programs.points import PointsProgram

__all__ = [
    "PointsAnswer",
    "PointsFacts",
    "PointsPlan",
    "answer_points",
    "canned_topic",
    "money",
    "plan_history",
    "points_earned",
    "points_expiry",
    "points_membership",
    "points_value",
    "read_amount",
    "read_count",
    "read_points",
    "question_asked",
    "read_points_message",
    "terms_figures",
    "thousands",
    "worth_answer",
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
    name = (
        formats.territory(country.code, program.language)
        if program.language != "en"
        else country.name
    )
    return rules.decide_membership(program, country.code, name, age)


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


# --- Answer first: what a message asks and gives ---------------------------------------
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|febr|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_IN_TEXT = re.compile(
    rf"\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b"
    rf"|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})\b"
    rf"|\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    rf"(?:days?|weeks?|months?|years?)\s+ago\b"
    rf"|\b(?:(?:last|this)\s+)?(?:{_ORDINAL}\s+(?:of\s+)?)?{_MONTH}\b\.?"
    rf"(?:\s+{_ORDINAL}\b)?(?:,?\s+(?:\d{{4}}|'\d{{2}}))?",
    re.IGNORECASE,
)
_NUMBER_IN_TEXT = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_POINTS_AFTER = re.compile(r"^\s*(?:mi\s+)?(?:points?|pts|puntos|punti)\b", re.IGNORECASE)
_EUROS_AFTER = re.compile(r"\s*(?:€|euros?\b|eur\b)", re.IGNORECASE)
_COUNT_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
# Only these count activities take a number from the message (register, login are fixed).
_COUNTED = ("share", "review", "fuel")


@dataclass(frozen=True)
class PointsFacts:
    """What a points message asks (``question``) and gives: the activities it names, a
    balance, a spend, a count, the day points were earned and a day to check them on."""

    question: str | None = None
    activities: tuple[str, ...] = ()
    balance: int | None = None
    spend: Decimal | None = None
    count: int | None = None
    earned_on: date | None = None
    on: date | None = None


@dataclass(frozen=True)
class PointsAnswer:
    """One reply: the domain response ``utter_points_<kind>`` and the values it shows."""

    kind: str
    values: dict[str, object]


def _dates(text: str, today: date) -> tuple[date | None, date | None]:
    """The day points were earned (the first past date in ``text``) and the day the
    customer asks about (a later date, which may be ahead: "still there in March 2027")."""
    earned: date | None = None
    asked_on: date | None = None
    for match in _DATE_IN_TEXT.finditer(text):
        chunk = match.group(0).strip()
        if chunk.casefold().strip(".") in {"may", "mar", "jan", "sep", "dec", "oct"}:
            continue  # "may I...", a bare abbreviation: too often not a date
        # Read against a later "today" so a day ahead is allowed: with a year, any year;
        # without one, the next such month ("in March": the coming March).
        ahead = date(today.year + 50, 12, 31) if re.search(r"\d{4}", chunk) else None
        try:
            if earned is None and asked_on is None:
                try:
                    earned = read_date(chunk, today).value
                    continue
                except FutureDate:
                    pass
            if asked_on is None:
                asked_on = read_date(chunk, ahead or today + timedelta(days=365)).value
        except InvalidDate:
            continue
        if asked_on is not None:
            break
    return earned, asked_on


def _numbers(text: str) -> list[tuple[Decimal, bool, str]]:
    """Numbers outside dates: (value, said in euros, the words right after it)."""
    blanked = _DATE_IN_TEXT.sub(lambda m: " " * len(m.group(0)), text)
    numbers = []
    for match in _NUMBER_IN_TEXT.finditer(blanked):
        try:
            value = read_amount(match.group(0))
        except InvalidAmount:
            continue
        after = text[match.end() :]
        in_euros = text[: match.start()].rstrip().endswith("€") or bool(_EUROS_AFTER.match(after))
        numbers.append((value, in_euros, after))
    return numbers


def question_asked(program: PointsProgram, text: object, topics: Sequence[str] = ()) -> str | None:
    """The name of the points question ``text`` asks (cue phrases, then topics), or None."""
    found = asked(program.questions, text, topics)
    return found.name if found else None


def canned_topic(program: PointsProgram, question: str) -> str | None:
    """The terms topic whose fixed text answers ``question`` when nothing is computed."""
    found = next((q for q in program.questions if q.name == question), None)
    return found.topics[0] if found and found.topics else None


def read_points_message(
    program: PointsProgram, text: object, today: date, topics: Sequence[str] = ()
) -> PointsFacts:
    """What ``text`` asks and gives, read with the program's cue phrases (pure)."""
    if not isinstance(text, str) or not text.strip():
        return PointsFacts()
    text = text[:500]
    found = asked(program.questions, text, topics)
    named = tuple(a.name for a in program.activities if asked((a,), text))
    if not named:  # no word names one: the selector's topic may ("faq/pts_fuel")
        by_topic = asked(program.activities, None, topics)
        named = (by_topic.name,) if by_topic else ()
    earned_on, on = _dates(text, today)
    numbers = _numbers(text)
    whole = [int(n) for n, _, _ in numbers if n == n.to_integral_value()]
    balance = next(
        (
            int(n)
            for n, _, after in numbers
            if n == n.to_integral_value() and _POINTS_AFTER.match(after)
        ),
        None,
    )
    question = found.name if found else None
    if question is None:
        question = (
            "worth" if balance is not None else "earn" if named else "expiry" if earned_on else None
        )
    if balance is None and question in ("worth", "discount") and len(whole) == len(numbers) == 1:
        balance = None if numbers[0][1] else whole[0]  # "a 20 euro coupon" is no balance
    spend = None
    if "purchase" in named and numbers:
        # "I paid 250 for a phone that was 300": points go on the final price, the lowest.
        euros = [n for n, in_euros, _ in numbers if in_euros]
        spend = min(euros or [n for n, _, _ in numbers])
    count = None
    if any(kind in named for kind in _COUNTED):
        words = re.findall(r"[a-z]+", text.casefold())
        count = next(iter(whole), None)
        if count is None:
            count = next((_COUNT_WORDS.index(w) + 1 for w in words if w in _COUNT_WORDS), None)
    return PointsFacts(question, named, balance, spend, count, earned_on, on)


def terms_figures(program: PointsProgram) -> dict[str, object]:
    """Every PTS-1..5 figure a reply may show, from the program data, written in the
    program's language (its terms texts and answers have these placeholders)."""
    earning, redeeming, language = program.earning, program.redeeming, program.language
    return {
        "countries": rules.member_countries(program),
        "min_age": program.membership.min_age,
        "register": earning.register,
        "first_app_login": earning.first_app_login,
        "points_per_euro": earning.points_per_euro,
        "share_points": earning.share_points,
        "share_max": earning.share_max_per_month,
        "share_month_most": earning.share_points * earning.share_max_per_month,
        "first_review": earning.first_review,
        "fuel_points": earning.fuel_points_per_day,
        "streak_days": earning.streak_days,
        "streak_bonus": earning.streak_bonus,
        "euro_per_point": money(Decimal(redeeming.euro_cents_per_point) / 100, language),
        "minimum": thousands(redeeming.whole_balance_minimum, language),
        "coupon_list": formats.items(
            [formats.whole_money(value, "EUR", language) for value in redeeming.coupon_euros],
            language,
        ),
        "coupon_points_per_euro": redeeming.coupon_points_per_euro,
        "smallest_coupon": redeeming.coupon_euros[0],
        "smallest_coupon_points": thousands(
            redeeming.coupon_cost(redeeming.coupon_euros[0]), language
        ),
        "months": program.expiry_months,
        "expiry_months": program.expiry_months,
        "days": program.credit_within_days,
        "credit_days": program.credit_within_days,
    }


def worth_answer(program: PointsProgram, points: int) -> PointsAnswer:
    """What a balance is worth (PTS-4): pay with it, or the coupons it affords."""
    value = points_value(program, points)
    kind = (
        "worth_pay"
        if value.can_pay_with_balance
        else "worth_coupons"
        if value.coupons
        else "worth_nothing"
    )
    return PointsAnswer(
        kind,
        {
            "points": thousands(value.points, program.language),
            "euros": money(value.euros, program.language),
            "short": thousands(value.short_of_minimum, program.language),
            "coupons": ", ".join(
                f"{formats.whole_money(c.euros, 'EUR', program.language)}"
                f" ({thousands(c.points, program.language)})"
                for c in value.coupons
            ),
            "explanation": value.decision.explanation,
            "next_step": value.next_step,
        },
    )


def _earned(
    program: PointsProgram, plan: PointsPlan, today: date
) -> tuple[dict[str, object], dict[str, int]]:
    """(the total and credit date to show, the points by kind) for a plan (PTS-2, PTS-3)."""
    earnings = points_earned(program, plan, today)
    shown: dict[str, object] = {
        "total": thousands(earnings.total, program.language),
        "credited_by": rules.spell_day(earnings.credited_by, program)
        if earnings.credited_by
        else "",
    }
    return shown, earnings.by_kind


def _activity_answer(program: PointsProgram, facts: PointsFacts, today: date) -> PointsAnswer:
    """PTS-2 for the one activity the message names, with its figure if it gives one."""
    rates = terms_figures(program)
    named = [a for a in facts.activities if a != "cap"]
    if "logged_in" in named:
        return PointsAnswer("logged_in", rates)  # about the purchase it names, if any
    if "app_login" in named:
        named = [a for a in named if a != "register"]  # "first login after registering"
    if len(named) != 1:
        return PointsAnswer("earning_rates", rates)
    kind = named[0]
    if kind in ("register", "app_login"):
        return PointsAnswer(f"for_{kind}", rates)
    if kind == "purchase":
        if facts.spend is None:
            return PointsAnswer("for_purchase_rate", rates)
        plan = PointsPlan(spend_euros=facts.spend)
        return PointsAnswer(
            "for_purchase",
            {
                **rates,
                **_earned(program, plan, today)[0],
                "euros": money(facts.spend, program.language),
            },
        )
    if facts.count is None or "cap" in facts.activities or facts.count > 366:
        return PointsAnswer(f"{kind}_rule", rates)
    plan = PointsPlan(
        shares=facts.count if kind == "share" else 0,
        first_reviews=facts.count if kind == "review" else 0,
        fuel_days=facts.count if kind == "fuel" else 0,
    )
    earned, by_kind = _earned(program, plan, today)
    values = {**rates, **earned, "count": facts.count}
    if kind == "share":
        dropped = max(0, facts.count - program.earning.share_max_per_month)
        return PointsAnswer(
            "for_shares_capped" if dropped else "for_shares", {**values, "dropped": dropped}
        )
    if kind == "review":
        return PointsAnswer("for_reviews", values)
    bonus = by_kind.get("fuel_bonus", 0)
    return PointsAnswer(
        "for_fuel_streak" if bonus else "for_fuel",
        {**values, "daily": by_kind.get("fuel", 0), "bonus": bonus,
         "bonuses": bonus // max(1, program.earning.streak_bonus)},
    )  # fmt: skip


def answer_points(
    program: PointsProgram, question: str, facts: PointsFacts, today: date
) -> PointsAnswer | None:
    """The reply to ``question`` from the message's facts alone, or None when the
    question has no figures to compute (its terms text answers it: see ``canned_topic``)."""
    rates = terms_figures(program)
    if question == "worth":
        if facts.balance is None:
            return PointsAnswer("rate", rates)
        return worth_answer(program, facts.balance)
    if question == "discount":
        if facts.balance is None:
            return PointsAnswer("discount_rule", rates)
        value = points_value(program, facts.balance)
        return PointsAnswer(
            "discount_yes" if value.can_pay_with_balance else "discount_no",
            {
                **rates,
                "points": thousands(value.points, program.language),
                "euros": money(value.euros, program.language),
                "short": thousands(value.short_of_minimum, program.language),
            },
        )
    if question == "earn":
        return _activity_answer(program, facts, today)
    if question == "credit" and facts.earned_on is not None:
        credited_by = facts.earned_on + timedelta(days=program.credit_within_days)
        return PointsAnswer(
            "credited_by",
            {
                **rates,
                "earned_on": rules.spell_day(facts.earned_on, program),
                "credited_by": rules.spell_day(credited_by, program),
            },
        )
    if question == "expiry":
        if facts.earned_on is None:
            return PointsAnswer("expiry_rule", rates)
        seen_on = facts.on or today
        expiry = points_expiry(program, facts.earned_on, seen_on)
        values = {
            **rates,
            "earned_on": rules.spell_day(facts.earned_on, program),
            "valid_until": rules.spell_day(expiry.valid_until, program),
            "on": rules.spell_day(seen_on, program),
            "days_left": expiry.days_left,
            "explanation": expiry.decision.explanation,
            "next_step": expiry.next_step,
        }
        if facts.on is None:
            return PointsAnswer("expired" if expiry.expired else "valid", values)
        return PointsAnswer("expired_on" if expiry.expired else "valid_on", values)
    return None
