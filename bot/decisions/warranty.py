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


# --- terms questions answered from the facts a message gives (issue #10: answer first) -------
@dataclass(frozen=True)
class Told:
    """The facts a message (or the conversation) gave for a terms question."""

    product: str | None = None  # a covered product's name, or another phone as typed
    country: str | None = None  # ISO 3166 alpha-2
    country_name: str = ""
    channel: str | None = None  # a channel name of the program
    purchase_date: date | None = None
    check_date: date | None = None  # "is it still valid on 1 October 2023"
    months_after: int | None = None  # "cracked 8 months after I bought it"
    exclusions: tuple[str, ...] = ()  # exclusion ids the message names


@dataclass(frozen=True)
class TermsAnswer:
    """An answer computed from facts: ``key`` names the response, ``values`` fill it;
    the response text ends with ``rule_ids``."""

    key: str
    rule_ids: tuple[str, ...]
    values: Mapping[str, str]


# question name -> the benefit whose period it asks about
_PERIOD_QUESTIONS = {"length": EXTENDED_WARRANTY, "screen": SCREEN, "free_labour": OOW_LABOUR}
_ONCE_QUESTIONS = {"screen_once": SCREEN, "labour_once": OOW_LABOUR}
# Questions a phone or country outside the promotion answers with WAR-1 first.
_TERMS_OF_THE_PROMOTION = (*_PERIOD_QUESTIONS, *_ONCE_QUESTIONS, "territory", "exclusion")


def answer_terms_question(
    program: WarrantyProgram, question: str, told: Told
) -> TermsAnswer | None:
    """The answer to a terms question from the facts told, or None when the facts add
    nothing to the canned answer of the question's topic. Pure."""
    if question in _TERMS_OF_THE_PROMOTION:
        outside = _outside_promotion(program, told)
        if outside is not None:
            return outside
    if question in _PERIOD_QUESTIONS:
        return _period_answer(program, program.benefits[_PERIOD_QUESTIONS[question]], told)
    if question in _ONCE_QUESTIONS:
        benefit = program.benefits[_ONCE_QUESTIONS[question]]
        return TermsAnswer(f"{benefit.key}_once", (benefit.rule,), _benefit_values(benefit))
    if question == "exclusion":
        return _exclusion_answer(program, told)
    if question == "start_date" and told.purchase_date is not None:
        key = "counted_before_start" if told.purchase_date < program.start else "counted"
        return TermsAnswer(key, ("WAR-2",), _dates(program, told))
    return None


def _dates(program: WarrantyProgram, told: Told) -> dict[str, str]:
    values = {"start": long_date(program.start), "territory": program.territory.country_name}
    if told.purchase_date is not None:
        values["purchase_date"] = long_date(told.purchase_date)
    if told.check_date is not None:
        values["check_date"] = long_date(told.check_date)
    return values


def _benefit_values(benefit: Benefit) -> dict[str, str]:
    return {
        "service": benefit.name,
        "months": str(benefit.months),
        "customer_pays": _join([c.text for c in benefit.customer_pays] or ["nothing"]),
    }


def _outside_promotion(program: WarrantyProgram, told: Told) -> TermsAnswer | None:
    values = {
        "territory": program.territory.country_name,
        "products": _join([p.name for p in program.products]),
    }
    if told.product is not None and program.product(told.product) is None:
        return TermsAnswer("outside_product", ("WAR-1",), {**values, "product": told.product})
    if told.country is not None and told.country != program.territory.country:
        country = told.country_name or told.country
        return TermsAnswer("outside_country", ("WAR-1",), {**values, "country": country})
    channel = program.channel(told.channel) if told.channel is not None else None
    if channel is not None and not channel.authorised:
        return TermsAnswer("outside_channel", ("WAR-1",), {**values, "channel": channel.name})
    return None


def _period_answer(program: WarrantyProgram, benefit: Benefit, told: Told) -> TermsAnswer | None:
    """Until when ``benefit`` runs for this purchase, or whether a given day (or "N months
    after") is inside it. Damage to the screen outside the screen period is WAR-8."""
    values = {**_dates(program, told), **_benefit_values(benefit)}
    rules = (benefit.rule,)
    late_rules = (benefit.rule, "WAR-8") if benefit.key == SCREEN else rules
    purchase = told.purchase_date
    if purchase is not None:
        until = period_end(purchase, benefit.months)
        values["until"] = long_date(until)
        before_start = purchase < program.start
        when = told.check_date
        if when is None and told.months_after is not None:
            when = add_months(purchase, told.months_after)
            values["check_date"] = long_date(when)
        if when is not None and when > until:
            return TermsAnswer(f"{benefit.key}_ended_on", late_rules, values)
        if when is not None and when < program.start:
            return TermsAnswer(f"{benefit.key}_not_yet_on", ("WAR-2", *rules), values)
        if when is not None and when >= purchase:
            return TermsAnswer(f"{benefit.key}_within_on", rules, values)
        if before_start:
            return TermsAnswer(f"{benefit.key}_until_from_start", ("WAR-2", *rules), values)
        return TermsAnswer(f"{benefit.key}_until", rules, values)
    if told.months_after is not None:
        values["months_after"] = str(told.months_after)
        if told.months_after > benefit.months:
            return TermsAnswer(f"{benefit.key}_months_after_ended", late_rules, values)
        return TermsAnswer(f"{benefit.key}_months_after_within", rules, values)
    return None


def _exclusion_answer(program: WarrantyProgram, told: Told) -> TermsAnswer | None:
    """The first named exclusion of the 24-month warranty (WAR-4; a damaged screen is WAR-8)."""
    warranty = program.benefits[EXTENDED_WARRANTY]
    excluded = warranty.first_exclusion(frozenset(told.exclusions))
    if excluded is None:
        return None
    values = {
        **_benefit_values(warranty),
        "exclusion": excluded.text,
        "screen_months": str(program.benefits[SCREEN].months),
    }
    if excluded.id == "screen_damage":
        return TermsAnswer("screen_replacement", ("WAR-8", program.benefits[SCREEN].rule), values)
    return TermsAnswer("excluded", (excluded.rule,), values)
