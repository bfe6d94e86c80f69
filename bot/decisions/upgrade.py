"""Mi Smart Upgrade decisions (UPG-1..5) as pure functions.

Months since purchase are counted by ``month_since``: month 1 starts on the
purchase date and month N starts N-1 calendar months later (clamped to the month's
last day), so a phone bought on 10 January is in month 4 from 10 April.

>>> month_since(date(2024, 1, 10), date(2024, 4, 9)), month_since(date(2024, 1, 10), date(2024, 4, 10))
(3, 4)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.calendar import add_months
from bot.dates import spell
from bot.decisions.model import Decision, Outcome, Reason
from bot.errors import FutureDate, InvalidAmount
from bot.programs.upgrade import BuybackBand, UpgradeModel, UpgradeProgram


def month_since(purchased_on: date, day: date) -> int:
    """The month (1, 2, …) since purchase that ``day`` falls in."""
    if day < purchased_on:
        raise FutureDate(f"{spell(purchased_on)} is after {spell(day)}")
    months = (day.year - purchased_on.year) * 12 + day.month - purchased_on.month
    if add_months(purchased_on, months) > day:
        months -= 1
    return months + 1


def month_starts(purchased_on: date, month: int) -> date:
    """The first day of month ``month`` since purchase."""
    return add_months(purchased_on, month - 1)


@dataclass(frozen=True)
class UpgradeFacts:
    """What the customer told us; ``srp`` (rupees) only if known."""

    model: UpgradeModel
    purchased_on: date
    channel: str
    working_and_intact: bool
    today: date
    srp: Decimal | None = None


@dataclass(frozen=True)
class Fee:
    """UPG-2: the enrolment fee, ``rupees`` None when not published."""

    model: str
    rupees: int | None
    reason: Reason


@dataclass(frozen=True)
class BuybackQuote:
    """The answer: which month this is, the buyback share and amount, or why not."""

    model: str
    fee: Fee
    month: int
    percent: int | None
    amount: Decimal | None
    opens_on: date
    closes_on: date
    decision: Decision
    next_step: str


class _Values(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class _Text:
    program: UpgradeProgram
    values: dict[str, object] = field(default_factory=dict)

    def reason(self, key: str, **extra: object) -> Reason:
        rule_id = "-".join(key.split("-")[:2])  # "UPG-3-early" explains UPG-3
        return Reason(rule_id, self.program.reasons[key].format_map(_Values(self.values, **extra)))

    def step(self, key: str) -> str:
        return self.program.next_steps[key].format_map(_Values(self.values))


def rupees(amount: Decimal | int) -> str:
    """``9,099`` or ``9,099.30``: grouped, decimals only when there are paise."""
    value = Decimal(amount)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01')):,}"


def fee_for(program: UpgradeProgram, model: UpgradeModel) -> Fee:
    """The enrolment fee of a covered model, or "not published" (UPG-2)."""
    text = _Text(program, {"model": model.name})
    if model.fee is None:
        return Fee(model.name, None, text.reason("UPG-2-unpublished"))
    return Fee(model.name, model.fee, text.reason("UPG-2", fee=rupees(model.fee)))


def buyback_amount(srp: Decimal, percent: int) -> Decimal:
    """``percent`` of ``srp``, to the paisa (half up)."""
    if srp <= 0:
        raise InvalidAmount("a price must be more than zero")
    return (srp * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def decide_upgrade(program: UpgradeProgram, facts: UpgradeFacts) -> BuybackQuote:
    """Buyback share and amount for this month, or the rules that stop it (UPG-1..5)."""
    month = month_since(facts.purchased_on, facts.today)
    opens_on = month_starts(facts.purchased_on, program.first_month)
    closes_on = month_starts(facts.purchased_on, program.last_month + 1) - timedelta(days=1)
    store = next((c.label for c in program.channels if c.covered), "")
    text = _Text(
        program,
        {
            "model": facts.model.name,
            "month": month,
            "first_month": program.first_month,
            "last_month": program.last_month,
            "opens_on": spell(opens_on),
            "closed_on": spell(closes_on),
            "store": store,
        },
    )
    fee = fee_for(program, facts.model)
    channel = program.channel(facts.channel)

    refusals: list[tuple[Reason, str]] = []
    if channel is None or not channel.covered:
        refusals.append((text.reason("UPG-1"), "not_covered"))
    if not facts.working_and_intact:
        refusals.append((text.reason("UPG-5"), "condition"))
    if month < program.first_month:
        refusals.append((text.reason("UPG-3-early"), "too_early"))
    elif month > program.last_month:
        refusals.append((text.reason("UPG-3-expired"), "expired"))

    percent: int | None = None
    amount: Decimal | None = None
    if refusals:
        step = refusals[0][1]
        decision = Decision(
            Outcome.NOT_ELIGIBLE, tuple(r for r, _ in refusals) + (fee.reason,), step
        )
    else:
        band = program.band(month)
        if band is None or band.percent is None:
            # The loader makes the bands cover every valid month; None is a safety net.
            low, high = (band.from_month, band.to_month) if band else (month, month)
            reason = text.reason("UPG-4-unpublished", from_month=low, to_month=high)
            decision = Decision(Outcome.NEEDS_REVIEW, (reason, fee.reason), "ask_agent")
        else:
            percent = band.percent
            if facts.srp is not None:
                amount = buyback_amount(facts.srp, percent)
            reason = text.reason("UPG-4", percent=percent)
            decision = Decision(Outcome.ELIGIBLE, (reason, fee.reason), "eligible")
    return BuybackQuote(
        model=facts.model.name,
        fee=fee,
        month=month,
        percent=percent,
        amount=amount,
        opens_on=opens_on,
        closes_on=closes_on,
        decision=decision,
        next_step=text.step(decision.next_step),
    )


@dataclass(frozen=True)
class MonthValue:
    """UPG-3/UPG-4 for one month since purchase, without a phone: ``outcome`` is
    "early" or "late" (outside the window), "percent" or "not_published"."""

    month: int
    outcome: str
    percent: int | None = None
    band: BuybackBand | None = None


def month_value(program: UpgradeProgram, month: int) -> MonthValue:
    """What month ``month`` since purchase pays back, or why it can't (UPG-3, UPG-4):
    with the published plan, month 3 is early, 5 is 70%, 12 not published, 19 late."""
    if month < program.first_month:
        return MonthValue(month, "early")
    if month > program.last_month:
        return MonthValue(month, "late")
    band = program.band(month)
    if band is None or band.percent is None:
        return MonthValue(month, "not_published", band=band)
    return MonthValue(month, "percent", band.percent, band)
