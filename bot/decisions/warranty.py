"""The aftersales warranty answer (WAR-1..8) as a pure function.

Facts in (product, country, channel, purchase date, problem, reported exclusions,
one-time benefits already claimed, today), ``WarrantyAnswer`` out: for each service
whether it applies and why, which one serves the problem, and what the customer pays.

"Within N months of purchase" means up to and including the same calendar day N
months later; a day the month lacks is clamped to its last day:

>>> period_end(date(2022, 8, 31), 6)
datetime.date(2023, 2, 28)
>>> period_end(date(2023, 8, 31), 6)
datetime.date(2024, 2, 29)
>>> within_months(date(2022, 5, 30), 12, date(2023, 5, 30))
True
>>> within_months(date(2022, 5, 30), 12, date(2023, 5, 31))
False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.calendar import add_months
from bot.decisions.model import Decision, Outcome, Reason
from bot.decisions.redemption import long_date
from bot.errors import FutureDate, MissingAnswer
from bot.programs.model import SalesChannel
from bot.programs.warranty import (
    EXTENDED_WARRANTY,
    OOW_LABOUR,
    SCREEN,
    Benefit,
    Problem,
    WarrantyProgram,
)

# The free service that serves a problem first: the repeatable warranty before a
# one-time benefit, and a fully free repair before a free-labour one.
ROUTE_ORDER = (EXTENDED_WARRANTY, SCREEN, OOW_LABOUR)


def period_end(purchase: date, months: int) -> date:
    """The last day "within ``months`` months" of ``purchase`` (month-end clamped)."""
    return add_months(purchase, months)


def within_months(purchase: date, months: int, today: date) -> bool:
    """True while ``today`` is within ``months`` months of ``purchase``, end day included."""
    return purchase <= today <= period_end(purchase, months)


@dataclass(frozen=True)
class WarrantyFacts:
    """What the customer told us, resolved against the program's lists."""

    product: str
    country: str | None  # ISO 3166 alpha-2; None: not asked (WAR-1 already answered)
    channel: SalesChannel | None
    purchase_date: date | None
    problem: Problem | None
    today: date  # in the program's territory
    reported: frozenset[str] = frozenset()  # exclusion ids the customer reported
    used: Mapping[str, date] = field(default_factory=dict)  # benefit key -> day claimed
    country_name: str = ""


@dataclass(frozen=True)
class BenefitAnswer:
    """Whether one service can be used for this problem now, and until when."""

    benefit: Benefit
    decision: Decision
    until: date

    @property
    def usable(self) -> bool:
        return self.decision.outcome is Outcome.ELIGIBLE


@dataclass(frozen=True)
class WarrantyAnswer:
    """The answer to "am I covered?" (WAR-7): overall, per service, and the cost."""

    decision: Decision
    route: Benefit | None  # the service that serves this problem, if any
    benefits: tuple[BenefitAnswer, ...] = ()
    customer_pays: tuple[str, ...] = ()

    @property
    def claimable(self) -> bool:
        """The route is a one-time benefit: recording the claim reserves it (WAR-3, WAR-5)."""
        return self.route is not None and self.route.once


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _join(items: list[str] | tuple[str, ...]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class _Explainer:
    def __init__(self, program: WarrantyProgram, facts: WarrantyFacts) -> None:
        self.program = program
        self.values = _Values(
            product=facts.product,
            products=_join([p.name for p in program.products]),
            territory=program.territory.country_name,
            country=facts.country_name or facts.country,
            channel=facts.channel.name if facts.channel else "",
            start=long_date(program.start),
            purchase_date=long_date(facts.purchase_date) if facts.purchase_date else "",
            screen_months=program.benefits[SCREEN].months,
        )

    def reason(self, key: str, rule: str, **extra: object) -> Reason:
        text = self.program.reasons[key].format_map(_Values(self.values, **extra))
        return Reason(rule, text)


def _benefit(
    explain: _Explainer,
    benefit: Benefit,
    facts: WarrantyFacts,
    purchase: date,
    reported: frozenset[str],
) -> BenefitAnswer:
    until = period_end(purchase, benefit.months)
    values = {
        "until": long_date(until),
        "months": benefit.months,
        "customer_pays": _join([c.text for c in benefit.customer_pays] or ["nothing"]),
    }
    excluded = benefit.first_exclusion(reported)
    if facts.today > until:
        reason = explain.reason(f"{benefit.rule}-expired", benefit.rule, **values)
    elif benefit.once and benefit.key in facts.used:
        used_on = long_date(facts.used[benefit.key])
        reason = explain.reason(f"{benefit.rule}-used", benefit.rule, used_on=used_on, **values)
    elif excluded is not None:
        reason = explain.reason(
            f"{benefit.rule}-excluded", excluded.rule, exclusion=excluded.text, **values
        )
    else:
        covered = explain.reason(benefit.rule, benefit.rule, **values)
        return BenefitAnswer(benefit, Decision(Outcome.ELIGIBLE, (covered,), "claim"), until)
    return BenefitAnswer(benefit, Decision(Outcome.NOT_ELIGIBLE, (reason,), "paid_repair"), until)


def _outside(explain: _Explainer, program: WarrantyProgram, facts: WarrantyFacts) -> list[Reason]:
    """WAR-1: the product, the country and the channel this promotion covers."""
    reasons = []
    if program.product(facts.product) is None:
        reasons.append(explain.reason("WAR-1-product", "WAR-1"))
    if facts.country is not None and facts.country != program.territory.country:
        reasons.append(explain.reason("WAR-1-country", "WAR-1"))
    if facts.channel is not None and not facts.channel.authorised:
        reasons.append(explain.reason("WAR-1-channel", "WAR-1"))
    return reasons


def decide_warranty(program: WarrantyProgram, facts: WarrantyFacts) -> WarrantyAnswer:
    """Covered or not, by which service, until when and at what cost — with rule IDs.

    Facts not asked because WAR-1 already answers may be None; otherwise every fact
    is needed (``MissingAnswer``)."""
    if facts.purchase_date is not None and facts.purchase_date > facts.today:
        raise FutureDate(
            "the purchase date is after today",
            date=long_date(facts.purchase_date),
            today=long_date(facts.today),
        )
    explain = _Explainer(program, facts)
    outside = _outside(explain, program, facts)
    if outside:
        return WarrantyAnswer(Decision(Outcome.NOT_ELIGIBLE, tuple(outside), "statutory"), None)
    purchase, problem = facts.purchase_date, facts.problem
    if facts.country is None or facts.channel is None or purchase is None or problem is None:
        raise MissingAnswer("country, channel, purchase date and problem are all needed")
    if facts.today < program.start:
        reason = explain.reason("WAR-2-not-started", "WAR-2")
        return WarrantyAnswer(Decision(Outcome.NOT_ELIGIBLE, (reason,), "not_started"), None)

    reported = frozenset(facts.reported) | frozenset(problem.implies)
    keys = [k for k in ROUTE_ORDER if k != SCREEN or problem.screen]
    answers = {k: _benefit(explain, program.benefits[k], facts, purchase, reported) for k in keys}
    route = next((answers[k] for k in ROUTE_ORDER if k in answers and answers[k].usable), None)
    ordered = tuple(answers[k] for k in keys)
    screen_damage = "screen_damage" in problem.implies

    def why_not(answer: BenefitAnswer) -> tuple[Reason, ...]:
        if screen_damage and answer.benefit.key == EXTENDED_WARRANTY:
            return (explain.reason("WAR-8", "WAR-8"),)  # says it for a damaged screen
        return answer.decision.reasons

    # WAR-2: bought before the start, the periods above still count from the purchase.
    counted = (explain.reason("WAR-2", "WAR-2"),) if purchase < program.start else ()
    if route is not None:
        # What serves the problem, then why the better services don't (if any).
        better = ordered[: [a.benefit.key for a in ordered].index(route.benefit.key)]
        reasons = (*route.decision.reasons, *(r for a in better for r in why_not(a)), *counted)
        next_step = "claim_with_proof" if route.benefit.key == SCREEN else "claim"
        decision = Decision(Outcome.ELIGIBLE, reasons, next_step)
        pays = tuple(c.text for c in route.benefit.customer_pays)
        return WarrantyAnswer(decision, route.benefit, ordered, pays)
    reasons = (*(r for a in ordered for r in why_not(a)), *counted)
    return WarrantyAnswer(Decision(Outcome.NOT_ELIGIBLE, reasons, "paid_repair"), None, ordered)
