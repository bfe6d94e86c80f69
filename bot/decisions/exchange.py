"""The Mi Exchange quote and coupon (EXC-1..5) as pure functions.

Brand, model and the condition answers give the exchange value (or why there is
none); the coupon takes that value off a new smartphone's price:

>>> price_to_pay(12000, 2000)
10000
>>> price_to_pay(5000, 9000)   # a coupon is not cash: nothing is paid back
0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.calendar import end_of_day
from bot.decisions.model import Decision, Outcome, Reason
from bot.decisions.redemption import long_date
from bot.errors import MissingAnswer
from bot.programs.exchange import ExchangeProgram, PhoneModel


def price_to_pay(phone_price: int, exchange_value: int) -> int:
    """What is left to pay for a phone once the coupon is applied (EXC-4)."""
    return max(phone_price - exchange_value, 0)


def coupon_valid_until(program: ExchangeProgram, exchange_day: date) -> datetime:
    """The coupon's last minute: the exchange day + the valid days, 23:59 local (EXC-4)."""
    last_day = exchange_day + timedelta(days=program.coupon.valid_days)
    return end_of_day(last_day, program.territory.time_zone)


def money(program: ExchangeProgram, amount: int) -> str:
    """``INR 12,000``."""
    return f"{program.territory.currency} {amount:,}"


@dataclass(frozen=True)
class ExchangeFacts:
    brand: str  # as the customer named it, or the canonical name
    model: str
    answers: Mapping[str, bool | None]  # condition id -> yes / no / not asked
    today: date  # in the program's territory


@dataclass(frozen=True)
class ExchangeQuote:
    """The exchange value of one old phone, or why it can't be exchanged."""

    decision: Decision
    model: PhoneModel | None = None
    value: int | None = None  # after deductions; None when it can't be exchanged
    value_text: str = ""  # e.g. "INR 9,000"

    @property
    def exchangeable(self) -> bool:
        return self.decision.outcome is Outcome.ELIGIBLE


@dataclass(frozen=True)
class PriorExchange:
    """An exchange coupon already issued for the same old phone (EXC-3)."""

    issued_on: date
    coupon_code: str


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Explainer:
    def __init__(self, program: ExchangeProgram, **values: object) -> None:
        self.program = program
        self.values = _Values(
            brands=", ".join(b.name for b in program.brands),
            page=program.territory.page,
            store=program.coupon.store,
            valid_days=program.coupon.valid_days,
            **values,
        )

    def reason(self, key: str, rule: str, **extra: object) -> Reason:
        text = self.program.reasons[key].format_map(_Values(self.values, **extra))
        return Reason(rule, text)


def _coupon_terms(explain: _Explainer, program: ExchangeProgram, value: int, day: date) -> Reason:
    example = program.coupon.example_phone_price
    return explain.reason(
        "EXC-4",
        "EXC-4",
        valid_until=long_date(coupon_valid_until(program, day)),
        example_price=money(program, example),
        example_to_pay=money(program, price_to_pay(example, value)),
    )


def decide_exchange(program: ExchangeProgram, facts: ExchangeFacts) -> ExchangeQuote:
    """The value of the old phone in the program's currency (EXC-1, EXC-2), the
    conditions that refuse or reduce it (EXC-1, EXC-5), and the coupon terms (EXC-4)."""
    brand = program.brand(facts.brand)
    explain = _Explainer(program, brand=facts.brand, model=facts.model)
    if brand is None:
        reason = explain.reason("EXC-2-brand", "EXC-2")
        return ExchangeQuote(Decision(Outcome.NOT_ELIGIBLE, (reason,), "not_exchangeable"))
    model = program.model(brand.name, facts.model)
    if model is None:
        reason = explain.reason("EXC-2-model", "EXC-2")
        return ExchangeQuote(Decision(Outcome.NOT_ELIGIBLE, (reason,), "not_exchangeable"))

    value = model.value
    changes: list[Reason] = []
    reminders: list[Reason] = []
    for condition in program.conditions:
        answer = facts.answers.get(condition.id)
        if answer is None:
            raise MissingAnswer(f"the condition {condition.id!r} was not answered")
        if answer:
            continue
        if condition.if_no == "refuse":
            # The first refusal decides; later questions need no answer.
            reason = explain.reason("EXC-1-refused", condition.rule, says=condition.says)
            return ExchangeQuote(
                Decision(Outcome.NOT_ELIGIBLE, (reason,), "not_exchangeable"), model
            )
        if condition.if_no == "remind":
            reminders.append(explain.reason("EXC-1-reminder", condition.rule, says=condition.says))
        else:
            # Deductions apply one after another, each rounded down to a whole unit.
            before = value
            value = value * (100 - condition.deduct_percent) // 100
            changes.append(
                explain.reason(
                    "EXC-1-deduction",
                    condition.rule,
                    value_before=money(program, before),
                    percent=condition.deduct_percent,
                    says=condition.says,
                )
            )
    reasons = [explain.reason("EXC-1-value", "EXC-1", value=money(program, value)), *changes]
    if program.table_is_example:
        reasons.append(explain.reason("EXC-2-example", "EXC-2"))
    reasons += [*reminders, _coupon_terms(explain, program, value, facts.today)]
    decision = Decision(Outcome.ELIGIBLE, tuple(reasons), "offer")
    return ExchangeQuote(decision, model, value, money(program, value))


def decide_coupon(
    program: ExchangeProgram,
    quote: ExchangeQuote,
    *,
    masked_imei: str,
    coupon_code: str,
    today: date,
    prior: PriorExchange | None = None,
) -> Decision:
    """Issue the exchange coupon for an exchangeable phone not exchanged before (EXC-3),
    with its terms (EXC-4) and the courier's check at delivery (EXC-5)."""
    if not quote.exchangeable or quote.model is None or quote.value is None:
        return quote.decision
    explain = _Explainer(
        program,
        brand=quote.model.brand,
        model=quote.model.name,
        masked_imei=masked_imei,
        coupon_code=coupon_code,
    )
    if prior is not None:
        reason = explain.reason("EXC-3-used", "EXC-3", issued_on=long_date(prior.issued_on))
        return Decision(Outcome.NOT_ELIGIBLE, (reason,), "already_issued")
    return Decision(
        Outcome.ELIGIBLE,
        (
            explain.reason("EXC-3-issued", "EXC-3"),
            _coupon_terms(explain, program, quote.value, today),
            explain.reason("EXC-5", "EXC-5"),
        ),
        "issued",
    )


@dataclass(frozen=True)
class CouponUse:
    """What the customer wants to spend the exchange coupon on, and where (EXC-4):
    product kind ids and a shop name from the program's lists; empty or None when
    not said."""

    kinds: tuple[str, ...] = ()
    channel: str | None = None


def decide_coupon_use(program: ExchangeProgram, use: CouponUse) -> Decision:
    """Whether the exchange coupon can pay for this (EXC-4): one new smartphone on the
    program's store only. The chat answer and any later use of a coupon both ask here.

    With nothing said, the answer is the rule itself (what the coupon can be used on)."""
    terms = program.coupon_use
    explain = _Explainer(program)
    refusals: list[Reason] = []
    labels = {k.id: k.label for k in terms.kinds}
    unknown = [k for k in use.kinds if k not in labels]
    if unknown:
        raise ValueError(f"not a product kind of {program.id}: {', '.join(unknown)}")
    other = [labels[k] for k in dict.fromkeys(use.kinds) if k not in terms.eligible_kinds]
    if other:
        kinds = other[0] if len(other) == 1 else f"{', '.join(other[:-1])} or {other[-1]}"
        refusals.append(explain.reason("EXC-4-kind", "EXC-4", kinds=kinds))
    if use.channel is not None and use.channel not in terms.eligible_channels:
        refusals.append(explain.reason("EXC-4-channel", "EXC-4", channel=use.channel))
    if refusals:
        return Decision(Outcome.NOT_ELIGIBLE, tuple(refusals), "coupon_not_usable")
    return Decision(Outcome.ELIGIBLE, (explain.reason("EXC-4-use", "EXC-4"),), "coupon_usable")
