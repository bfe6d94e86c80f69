"""Mi Exchange use cases (EXC): read brand and model, quote the old phone, issue the coupon.

The coupon is recorded against the old phone's IMEI, once per program (EXC-3), with
its email (if the customer gave an address) in the same transaction.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import errors
from bot.asked import asked
from bot.calendar import Clock
from bot.coupons import new_code
from bot.customer import parse_email
from bot.decisions import Decision, Outcome
from bot.decisions.exchange import (
    CouponUse,
    ExchangeFacts,
    ExchangeQuote,
    PriorExchange,
    coupon_valid_until,
    decide_coupon,
    decide_coupon_use,
    decide_exchange,
    money,
    price_to_pay,
)
from bot.decisions.redemption import long_date, long_moment
from bot.identifiers import parse_imei
from bot.mentions import Amount, amounts_in, dates_in
from bot.notify.templates import Templates
from bot.programs.exchange import Condition, ExchangeProgram
from bot.store.program_records import ExchangeCouponRecords
from bot.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
_MAX_INPUT = 120
_CLOSE = 0.8


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.casefold())) + " "


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


# --- reading what the customer typed ----------------------------------------------------------
def read_brand(program: ExchangeProgram, text: str) -> tuple[str, ...]:
    """The supported brand(s) the text names (EXC-2); empty when it names none."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return ()
    typed = _words(text)
    found: list[tuple[int, int, str]] = []
    for brand in program.brands:
        for alias in (brand.name, *brand.aliases):
            phrase = _words(alias)
            start = typed.find(phrase)
            if phrase.strip() and start >= 0:
                found.append((start, start + len(phrase), brand.name))
    if found:
        return tuple(dict.fromkeys(name for _, _, name in sorted(found)))
    names = {_compact(a): b.name for b in program.brands for a in (b.name, *b.aliases)}
    close = difflib.get_close_matches(_compact(text), list(names), n=3, cutoff=_CLOSE)
    return tuple(dict.fromkeys(names[c] for c in close))


def read_phone_model(program: ExchangeProgram, brand: str, text: str) -> tuple[str, ...]:
    """The listed model(s) of ``brand`` the text names ("s10", "Galaxy S10", "samsung
    galaxy s10"); empty when none is listed (EXC-2: only listed models)."""
    known = program.brand(brand)
    if known is None or not isinstance(text, str) or len(text) > _MAX_INPUT:
        return ()
    typed = _words(text)
    for alias in sorted((known.name, *known.aliases), key=len, reverse=True):
        typed = typed.replace(_words(alias), " ")
    typed_compact = _compact(typed)
    if not typed_compact:
        return ()
    models = program.models_of(known.name)
    exact = [m.name for m in models if _compact(m.name) == typed_compact]
    if exact:
        return tuple(exact)
    # Without the series word ("Galaxy", "Redmi", "Moto"): "s10" names the Galaxy S10.
    short = {_compact(m.name.split(" ", 1)[-1]): m.name for m in models if " " in m.name}
    if typed_compact in short:
        return (short[typed_compact],)
    every = {_compact(m.name): m.name for m in models} | short
    close = difflib.get_close_matches(typed_compact, list(every), n=3, cutoff=_CLOSE)
    return tuple(dict.fromkeys(every[c] for c in close))


def _named(text: str, owners: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The owners whose name or alias the text says, in the order said; a phrase inside
    a longer one ("pad" in "redmi pad") gives way to it."""
    typed = _words(text)
    found: list[tuple[int, int, str]] = []
    for owner, aliases in owners.items():
        for alias in (owner, *aliases):
            phrase = _words(alias)
            start = typed.find(phrase)
            while phrase.strip() and start >= 0:
                found.append((start, start + len(phrase), owner))
                start = typed.find(phrase, start + 1)
    kept = [
        f
        for f in found
        if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)
    ]
    return tuple(dict.fromkeys(owner for _, _, owner in sorted(kept)))


def read_coupon_use(program: ExchangeProgram, text: str) -> CouponUse:
    """What the text wants to buy with the coupon and where (EXC-4): "can I use it on
    earphones" names accessories; "on flipkart" names Flipkart. Nothing named: empty."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return CouponUse()
    terms = program.coupon_use
    kinds = _named(text, {k.id: k.aliases for k in terms.kinds})
    channels = _named(text, {c.name: c.aliases for c in terms.channels})
    # "mi.com" and "Flipkart" both named: the shop that refuses is the one to explain.
    refusing = [c for c in channels if c not in terms.eligible_channels]
    channel = refusing[0] if refusing else (channels[0] if channels else None)
    return CouponUse(kinds, channel)


@dataclass(frozen=True)
class CouponUseAnswer:
    decision: Decision
    next_step: str
    named: bool  # the text named a product kind or a shop (else: the rule in general)


def answer_coupon_use(program: ExchangeProgram, text: str) -> CouponUseAnswer:
    """Can the exchange coupon pay for what the customer named? (EXC-4) — the same
    decision any later use of a coupon asks."""
    use = read_coupon_use(program, text)
    decision = decide_coupon_use(program, use)
    named = bool(use.kinds) or use.channel is not None
    return CouponUseAnswer(decision, exchange_next_step(program, decision), named)


# --- which questions the quote needs -------------------------------------------------------------
def exchange_questions(
    program: ExchangeProgram,
    *,
    brand: str | None,
    model: str | None,
    answers: Mapping[str, bool | None],
) -> tuple[str, ...]:
    """The questions the quote needs, in asking order: brand, model, then the condition
    ids (EXC-1). An unsupported brand, an unlisted model (EXC-2) or a "no" that refuses
    the exchange ends the list there: that already answers."""
    if brand is not None and program.brand(brand) is None:
        return ("brand",)
    if brand is not None and model is not None and program.model(brand, model) is None:
        return ("brand", "model")
    questions = ["brand", "model"]
    for condition in program.conditions:
        questions.append(condition.id)
        if answers.get(condition.id) is False and condition.if_no == "refuse":
            break
    return tuple(questions)


# --- quoting and issuing -----------------------------------------------------------------------
def exchange_today(program: ExchangeProgram, clock: Clock) -> date:
    """Today in the program's territory (EXC-4 counts from the exchange date)."""
    return clock.today(program.territory.time_zone)


def quote_exchange(
    program: ExchangeProgram,
    brand: str,
    model: str,
    answers: Mapping[str, bool | None],
    clock: Clock,
) -> ExchangeQuote:
    """The exchange value of the old phone, or why it can't be exchanged (EXC-1, EXC-2)."""
    facts = ExchangeFacts(brand, model, answers, exchange_today(program, clock))
    return decide_exchange(program, facts)


@dataclass(frozen=True)
class ExchangeCouponRequest:
    brand: str
    model: str
    answers: Mapping[str, bool | None]
    imei: str
    accepted_terms: bool
    email: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class ExchangeCouponResult:
    decision: Decision
    next_step: str
    value: int | None = None
    coupon_code: str | None = None
    valid_until: datetime | None = None
    emailed: bool = False
    value_text: str = ""  # e.g. "INR 9,000"

    @property
    def issued(self) -> bool:
        return self.coupon_code is not None and self.decision.outcome is Outcome.ELIGIBLE


def _values(program: ExchangeProgram, **extra: object) -> dict[str, object]:
    return {
        "store": program.coupon.store,
        "page": program.territory.page,
        "valid_days": program.coupon.valid_days,
        "promoter": program.territory.promoter,
        "program_name": program.name,
        **extra,
    }


def _result(
    program: ExchangeProgram,
    decision: Decision,
    *,
    value: int | None = None,
    code: str | None = None,
    valid_until: datetime | None = None,
    emailed: bool = False,
) -> ExchangeCouponResult:
    next_step = exchange_next_step(program, decision, code=code, valid_until=valid_until)
    value_text = money(program, value) if value is not None else ""
    return ExchangeCouponResult(decision, next_step, value, code, valid_until, emailed, value_text)


def exchange_next_step(
    program: ExchangeProgram,
    decision: Decision,
    *,
    code: str | None = None,
    valid_until: datetime | None = None,
) -> str:
    """The next-step sentence of a quote or coupon decision, from the program file."""
    return program.next_steps[decision.next_step].format(
        **_values(
            program,
            coupon_code=code or "",
            valid_until=long_moment(valid_until) if valid_until else "",
        )
    )


def issue_exchange_coupon(
    program: ExchangeProgram,
    request: ExchangeCouponRequest,
    engine: Engine,
    clock: Clock,
    templates: Templates,
) -> ExchangeCouponResult:
    """Issue the exchange coupon once the terms are accepted (EXC-3): valid for the
    program's days from today (EXC-4), one per old phone — a second request for the
    same IMEI is refused and changes nothing."""
    if not request.accepted_terms:
        raise errors.TermsNotAccepted("The exchange terms were not accepted.")
    phone = parse_imei(request.imei)
    email = parse_email(request.email) if request.email else None
    quote = quote_exchange(program, request.brand, request.model, request.answers, clock)
    if not quote.exchangeable:
        return _result(program, quote.decision)
    for _attempt in range(3):
        try:
            return _issue(
                program, request, quote, phone.value, phone.masked, email, engine, clock, templates
            )
        except IntegrityError:
            # The same old phone was exchanged meanwhile (or a code collided): decide again.
            log.info("exchange coupon for %s raced another; deciding again", phone.masked)
    raise errors.BotError("The exchange coupon could not be recorded; please try again.")


def _issue(
    program: ExchangeProgram,
    request: ExchangeCouponRequest,
    quote: ExchangeQuote,
    imei: str,
    masked: str,
    email: str | None,
    engine: Engine,
    clock: Clock,
    templates: Templates,
) -> ExchangeCouponResult:
    assert quote.model is not None and quote.value is not None  # exchangeable
    now, today = clock.now(), exchange_today(program, clock)
    code = new_code(program.coupon.code_prefix)
    with UnitOfWork(engine) as uow:
        records = ExchangeCouponRecords(uow.connection)
        prior_row = records.find(program.id, imei)
        prior = PriorExchange(prior_row.exchange_date, prior_row.coupon_code) if prior_row else None
        decision = decide_coupon(
            program, quote, masked_imei=masked, coupon_code=code, today=today, prior=prior
        )
        if prior is not None:
            return _result(program, decision)
        valid_until = coupon_valid_until(program, today)
        records.add(
            program_id=program.id,
            old_imei=imei,
            brand=quote.model.brand,
            model=quote.model.name,
            value=quote.value,
            currency=program.territory.currency,
            coupon_code=code,
            exchange_date=today,
            valid_until=valid_until,
            email=email,
            rule_ids=",".join(decision.rule_ids),
            conversation_id=request.conversation_id,
            now=now,
        )
        if email:
            message = templates.render(
                "exchange_coupon",
                email,
                **_values(
                    program,
                    brand=quote.model.brand,
                    model=quote.model.name,
                    value=money(program, quote.value),
                    masked_imei=masked,
                    coupon_code=code,
                    valid_until=long_moment(valid_until),
                    exchange_date=long_date(today),
                    explanation=decision.explanation,
                ),
            )
            uow.outbox.add(
                kind="exchange_coupon",
                to_address=email,
                subject=message.subject,
                body=message.body,
                now=now,
            )
        uow.commit()
    log.info("exchange coupon issued for %s (%s)", masked, ",".join(decision.rule_ids))
    return _result(
        program,
        decision,
        value=quote.value,
        code=code,
        valid_until=valid_until,
        emailed=email is not None,
    )


# --- questions answered from the message alone ---------------------------------------------------
# "if the new phone costs inr 15000 and my exchange value is inr 3000, how much do I pay",
# "is realme accepted", "can I use the coupon on 20 march if I exchanged on 1 march", "can
# I exchange a phone with a cracked screen": each answered from what the message says.
_FAR = 10_000  # no cue of that kind in the message
_AFTER_PENALTY = 3  # a word just before an amount names it more often than one after


def exchange_question(program: ExchangeProgram, text: str, topics: Sequence[str] = ()) -> str:
    """The name of the question the message asks (program data ``questions``), or ""."""
    question = asked(program.questions, text, topics)
    return question.name if question else ""


@dataclass(frozen=True)
class PriceSum:
    """What is left to pay for the new phone once the exchange coupon is applied (EXC-4)."""

    price: int
    value: int
    to_pay: int


def _cue_spans(text: str, cues: tuple[str, ...]) -> list[tuple[int, int]]:
    folded = text.casefold()
    spans = []
    for cue in cues:
        pattern = r"(?<![\w])" + r"\s+".join(map(re.escape, cue.casefold().split())) + r"(?![\w])"
        spans += [m.span() for m in re.finditer(pattern, folded)]
    return spans


def _distance(spans: list[tuple[int, int]], amount: Amount) -> int:
    best = _FAR
    for start, end in spans:
        if end <= amount.start:
            best = min(best, amount.start - end)
        elif start >= amount.end:
            best = min(best, start - amount.end + _AFTER_PENALTY)
    return best


def read_price_sum(program: ExchangeProgram, text: str) -> PriceSum | None:
    """The new phone's price and the exchange value, told apart by the words nearest
    each amount ("costs", "new phone" / "exchange value", "coupon"); None unless the
    message says exactly two amounts and its words tell which is which (one word near
    one amount is enough: the other amount is the other one)."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return None
    amounts = amounts_in(text)
    if len(amounts) != 2:
        return None
    value_spans = _cue_spans(text, program.value_words)
    # A price word inside a value phrase ("phone" in "old phone") says the value.
    price_spans = [
        p
        for p in _cue_spans(text, program.price_words)
        if not any(v[0] <= p[0] and p[1] <= v[1] and v != p for v in value_spans)
    ]
    value_spans = [
        v
        for v in value_spans
        if not any(p[0] <= v[0] and v[1] <= p[1] and v != p for p in price_spans)
    ]
    first, second = amounts
    as_said = _distance(price_spans, first) + _distance(value_spans, second)
    swapped = _distance(value_spans, first) + _distance(price_spans, second)
    if as_said == swapped or min(as_said, swapped) >= 2 * _FAR:  # no word names either
        return None
    price, value = (first, second) if as_said < swapped else (second, first)
    return PriceSum(price.value, value.value, price_to_pay(price.value, value.value))


@dataclass(frozen=True)
class BrandAnswer:
    """Whether Mi Exchange takes the brand the message asks about (EXC-2)."""

    brand: str
    accepted: bool


def _without_program_names(program: ExchangeProgram, text: str) -> str:
    """ "mi exchange", "mi.com" name the program and its store, not the old phone's brand."""
    typed = _words(text)
    for name in (program.name, program.coupon.store, program.territory.page):
        typed = typed.replace(_words(name), " ")
    return typed


def read_brand_question(program: ExchangeProgram, text: str) -> BrandAnswer | None:
    """The first brand the message names, accepted or not (EXC-2); None when it names
    none of the program's lists."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return None
    typed = _without_program_names(program, text)
    owners = {b.name: b.aliases for b in (*program.brands, *program.other_brands)}
    named = _named(typed, owners)
    if not named:
        return None
    return BrandAnswer(named[0], program.brand(named[0]) is not None)


@dataclass(frozen=True)
class CouponDates:
    """Until when a coupon from an exchange on ``exchanged_on`` is valid (EXC-4), and
    whether it is on ``asked_on`` (None when no second date was said)."""

    exchanged_on: date
    valid_until: datetime
    asked_on: date | None = None

    @property
    def valid_on_asked(self) -> bool | None:
        if self.asked_on is None:
            return None
        return self.exchanged_on <= self.asked_on <= self.valid_until.date()


def read_coupon_dates(program: ExchangeProgram, text: str, today: date) -> CouponDates | None:
    """The exchange date (the earlier date said; without a year, the latest such day
    up to today) and the day asked about (the other date), from the message (EXC-4)."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return None
    said = dates_in(text)
    if not said or len(said) > 2:
        return None
    resolved = [(d, d.on_or_before(today)) for d in said]
    if any(day is None for _, day in resolved):
        return None
    resolved.sort(key=lambda pair: pair[1] or today)
    exchanged_on = resolved[0][1]
    assert exchanged_on is not None
    asked_on = resolved[1][0].on_or_after(exchanged_on) if len(resolved) == 2 else None
    if len(resolved) == 2 and asked_on is None:
        return None
    return CouponDates(exchanged_on, coupon_valid_until(program, exchanged_on), asked_on)


def read_condition_question(program: ExchangeProgram, text: str) -> Condition | None:
    """The EXC-1 condition whose "no" the message describes ("cracked screen" is the
    screen; "locked" the locks): the one with the longest cue said. None: none said."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return None
    typed = _words(text)
    best: tuple[int, Condition] | None = None
    for condition in program.conditions:
        for cue in condition.cues:
            phrase = _words(cue)
            if phrase.strip() and phrase in typed and (best is None or len(phrase) > best[0]):
                best = (len(phrase), condition)
    return best[1] if best else None


def find_phone_model(program: ExchangeProgram, brand: str, text: str) -> str | None:
    """The listed model of ``brand`` a whole message names ("my galaxy s10 with a
    cracked screen" -> "Galaxy S10"), the longest name said; None when none is."""
    if program.brand(brand) is None or not isinstance(text, str) or len(text) > _MAX_INPUT * 4:
        return None
    typed = _words(text)
    known = program.brand(brand)
    assert known is not None
    said = []
    for model in program.models_of(brand):
        names = {model.name, model.name.split(" ", 1)[-1]}
        for name in names:
            phrase = _words(name)
            if len(_compact(name)) > 1 and phrase in typed:
                said.append((len(phrase), model.name))
            # A one-character name ("OnePlus 7") only right after the brand.
            for alias in (known.name, *known.aliases):
                if _words(f"{alias} {name}") in typed:
                    said.append((len(phrase), model.name))
    return max(said)[1] if said else None


@dataclass(frozen=True)
class QuickAnswer:
    """An answer from the message alone: which one (``kind``) and its values."""

    kind: str  # price_sum, brand_accepted, brand_not_accepted, coupon_valid_until, ...
    values: dict[str, object]


def quick_answer(
    program: ExchangeProgram, question: str, text: str, today: date
) -> QuickAnswer | None:
    """Answer ``question`` (a name from the program's ``questions``) from the facts the
    message gives; None when it doesn't give them."""
    if question == "price_sum" and (price := read_price_sum(program, text)):
        return QuickAnswer(
            "price_sum",
            {
                "price": money(program, price.price),
                "value": money(program, price.value),
                "to_pay": money(program, price.to_pay),
            },
        )
    if question == "brands" and (brand := read_brand_question(program, text)):
        kind = "brand_accepted" if brand.accepted else "brand_not_accepted"
        brands = ", ".join(b.name for b in program.brands)
        return QuickAnswer(kind, {"brand": brand.brand, "brands": brands})
    if question == "coupon_validity" and (dates := read_coupon_dates(program, text, today)):
        values: dict[str, object] = {
            "exchanged_on": long_date(dates.exchanged_on),
            "valid_until": long_moment(dates.valid_until),
            "valid_days": program.coupon.valid_days,
            "store": program.coupon.store,
            "asked_on": long_date(dates.asked_on) if dates.asked_on else "",
        }
        kinds = {None: "coupon_valid_until", True: "coupon_valid_on", False: "coupon_expired_on"}
        return QuickAnswer(kinds[dates.valid_on_asked], values)
    if question == "condition" and (condition := read_condition_question(program, text)):
        kind = "condition_refused" if condition.if_no == "refuse" else "condition_reminder"
        return QuickAnswer(kind, {"says": condition.says, "condition": condition.id})
    return None
