"""Mi Smart Upgrade use cases (UPG): read what the customer typed, then quote.

Nothing is stored: the quote is computed from the program rules, the customer's
answers and today's date in India.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.amounts import read_amount
from bot.asked import asked
from bot.decisions.upgrade import (
    BuybackQuote,
    UpgradeFacts,
    buyback_amount,
    decide_upgrade,
    fee_for,
    month_since,
    month_value,
    rupees,
)
from bot.errors import BotError, UnknownChannel, UnknownUpgradeModel
from bot.matching import match_product
from bot.programs.model import Product
from bot.programs.upgrade import UpgradeChannel, UpgradeModel, UpgradeProgram

__all__ = [
    "MonthAsked",
    "Said",
    "UpgradeChannel",
    "UpgradeModel",
    "UpgradeProgram",
    "UpgradeRequest",
    "answer_upgrade_question",
    "find_amount",
    "find_upgrade_model",
    "read_amount",
    "read_months",
    "upgrade_question",
    "quote_upgrade",
    "read_upgrade_channel",
    "read_upgrade_model",
    "says_condition_ok",
    "rupees",
    "upgrade_questions",
]


@dataclass(frozen=True)
class UpgradeRequest:
    """The customer's answers, already read: canonical model and channel names."""

    model: str
    purchased_on: date
    channel: str
    working_and_intact: bool
    srp: Decimal | None = None


def read_upgrade_model(program: UpgradeProgram, text: str) -> tuple[UpgradeModel, ...]:
    """One covered model, or several when the name fits more than one (ask which)."""
    # The product matcher knows brands, spacing and "5G"; every UPG model is a phone.
    catalogue = tuple(Product(m.name, "phone") for m in program.models)
    match = match_product(text, catalogue)
    if not match.candidates:
        raise UnknownUpgradeModel(
            "That model is not covered by Smart Upgrade (UPG-2).",
            tuple(p.name for p in match.suggestions),
        )
    return tuple(m for p in match.candidates if (m := program.model(p.name)) is not None)


def read_upgrade_channel(program: UpgradeProgram, text: str) -> UpgradeChannel:
    """Store or online, from a button or words such as "Mi Home" or "Flipkart" (UPG-1)."""
    typed = " " + " ".join(re.findall(r"[a-z0-9.]+", str(text).casefold()[:120])) + " "
    found = {
        c.name: c
        for c in program.channels
        for alias in (c.name, *c.aliases)
        if f" {alias} " in typed
    }
    if len(found) != 1:
        raise UnknownChannel(
            "Say whether it was bought in a store or online.",
            tuple(c.name for c in program.channels),
        )
    return next(iter(found.values()))


def quote_upgrade(program: UpgradeProgram, request: UpgradeRequest, today: date) -> BuybackQuote:
    """Fee, month since purchase, buyback share and amount — or why not (UPG-1..5)."""
    model = program.model(request.model)
    if model is None:
        raise UnknownUpgradeModel("Choose a covered model first (UPG-2).")
    return decide_upgrade(
        program,
        UpgradeFacts(
            model=model,
            purchased_on=request.purchased_on,
            channel=request.channel,
            working_and_intact=request.working_and_intact,
            today=today,
            srp=request.srp,
        ),
    )


def upgrade_questions(
    program: UpgradeProgram,
    today: date,
    model: str | None = None,
    purchased_on: date | None = None,
    channel: str | None = None,
    working_and_intact: bool | None = None,
) -> tuple[str, ...]:
    """The questions whose answers still matter, in order: "model", "purchase_date",
    "channel", "condition", "srp". An answer that already decides "no" (too early or
    late, bought online, damaged) ends the list; the price is asked only when a
    published percentage will turn it into an amount (UPG-1, UPG-3..5)."""
    asked = ["model", "purchase_date"]
    if model is None or purchased_on is None:
        return (*asked, "channel", "condition")
    month = month_since(purchased_on, today)
    if not program.first_month <= month <= program.last_month:
        return tuple(asked)
    asked.append("channel")
    covered = program.channel(channel) if channel else None
    if channel is not None and (covered is None or not covered.covered):
        return tuple(asked)
    asked.append("condition")
    if working_and_intact is False:
        return tuple(asked)
    band = program.band(month)
    if band is not None and band.percent is not None:
        asked.append("srp")
    return tuple(asked)


# --- answer first (issue #10): what a message asks, answered from what it says ----------

_MAX_TEXT = 2_000
_MAX_MONTH = 240  # beyond any plan: a bigger "month" is a price or an identifier
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20,
}  # fmt: skip
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
QUOTE_QUESTION = "quote"  # the customer's own phone: needs the form
_GENERIC_NAME_WORDS = {"pro", "max", "plus", "lite", "series"}
_MONTH = {"month", "months", "mth", "mths", "mnth", "mnths", "mo", "mos"}
_YEAR = {"year", "years", "yr", "yrs"}
_PAST = {"ago", "back", "before"}  # "5 months ago" is a purchase date, not a month
_JOIN = {"or", "and", "to", "vs", "versus", "till", "until", "through"}
_MARKERS = {"no", "number", "num", "nr"}
_AMOUNT = re.compile(
    r"(?:rs\.?|inr|₹|rupees|srp|mrp|price|cost|costs|costing|worth)\s*(?:of|is|was|:)?\s*"
    r"(?:rs\.?|inr|₹)?\s*(\d[\d,]*(?:\.\d{1,2})?\s*k?)\b|(\d[\d,]*(?:\.\d{1,2})?)\s*(?:rs|inr|rupees|₹)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MonthAsked:
    """A month since purchase the message asks about; ``typed`` is the duration as
    written ("5 months") when it was a span of time, not a month's number."""

    month: int
    typed: str | None = None


def _cardinal(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def _ordinal(token: str) -> int | None:
    found = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", token)
    return int(found[1]) if found else _ORDINAL_WORDS.get(token)


def read_months(text: object) -> tuple[MonthAsked, ...]:
    """The months since purchase a message names, in order (UPG-3, UPG-4). "month 8",
    "the 12th month" and "months 6 or 7" are months 8, 12, 6 and 7; a span of time
    ("after 5 months", "at 5 months", "a year") is the month it leads into: after 5
    months the phone is in month 6, as month 1 starts on the purchase day. "5 months
    ago" is a purchase date, not a month. Junk reads as no month.

    >>> [m.month for m in read_months("is month 6 or 7 better, or after 2 months?")]
    [6, 7, 3]
    """
    if not isinstance(text, str):
        return ()
    tokens = re.findall(r"\d+(?:st|nd|rd|th)?|[^\W\d_]+", text[:_MAX_TEXT].casefold())
    found: list[MonthAsked] = []

    def add(month: int | None, typed: str | None = None) -> None:
        if month is not None and 1 <= month <= _MAX_MONTH:
            found.append(MonthAsked(month, typed))

    at = 0
    while at < len(tokens):
        token, after = tokens[at], tokens[at + 1 : at + 4]
        if token in _MONTH and token != "mo" and after:
            step = 1 + (after[0] in _MARKERS)
            number = _cardinal(tokens[at + step]) if at + step < len(tokens) else None
            if number is not None:
                add(number)
                at += step
                # "months 6 or 7": the second number is a month too
                if at + 2 < len(tokens) and tokens[at + 1] in _JOIN:
                    add(_cardinal(tokens[at + 2]))
        elif (ordinal := _ordinal(token)) is not None and after[:1] and after[0] in _MONTH:
            add(ordinal)
            at += 1
        elif (count := _cardinal(token) or (1 if token == "a" else None)) is not None and after:
            unit = after[0]
            past = len(after) > 1 and after[1] in _PAST
            if unit in _MONTH | _YEAR and not past:
                months = count * 12 if unit in _YEAR else count
                add(months + 1, f"{token} {unit}")
                at += 1
        at += 1
    first = {m.month: m for m in reversed(found)}  # each month once, as first named
    return tuple(m for m in found if first[m.month] is m)[:6]


def find_amount(text: object) -> Decimal | None:
    """A price written with its currency or "srp"/"price" ("srp rs 12000", "Rs 12,999",
    "15k rupees"), or None."""
    if not isinstance(text, str):
        return None
    for found in _AMOUNT.finditer(text[:_MAX_TEXT]):
        try:
            amount = read_amount(found[1] or found[2])
        except BotError:
            continue
        if amount > 0:
            return amount
    return None


def find_upgrade_model(program: UpgradeProgram, text: object) -> tuple[UpgradeModel, ...]:
    """The covered models a whole message names ("is my K20 Pro covered"): the longest
    run of words that fits one or more models; none when no run does."""
    if not isinstance(text, str):
        return ()
    words = re.findall(r"[^\s,;:!?()]+", text[:_MAX_TEXT])[:60]
    catalogue = tuple(Product(m.name, "phone") for m in program.models)
    # A run names a model only with a word of a model's name ("redmi", "note", "k20");
    # a bare number ("month 10", "9 months") or "pro" is no phone.
    naming = {
        w for m in program.models for w in m.name.casefold().split() if not w.isdigit()
    } - _GENERIC_NAME_WORDS
    for size in range(min(6, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            run = " ".join(words[start : start + size]).strip(".'\"")
            if not re.search(r"\d", run):
                continue  # every covered model has a number in its name
            said = run.casefold()  # "redmi9" names Redmi, "10t" the Mi 10T
            if not naming & {*re.findall(r"[^\W_]+", said), *re.findall(r"[^\W\d_]+", said)}:
                continue
            match = match_product(run, catalogue)
            if match.candidates:
                return tuple(
                    m for p in match.candidates if (m := program.model(p.name)) is not None
                )
    return ()


def says_condition_ok(program: UpgradeProgram, text: object) -> bool:
    """The message says, unasked, that the phone meets UPG-5 ("works fine, no damage")."""
    if not isinstance(text, str):
        return False
    said = _words(text)
    return any(_words(phrase) in said for phrase in program.condition_said_ok)


def _words(text: str) -> str:
    """Lower-case words, single-spaced and padded: whole-phrase matching."""
    return " " + " ".join(re.findall(r"[^\W_]+", text[:_MAX_TEXT].casefold())) + " "


def upgrade_question(program: UpgradeProgram, text: object, topics: tuple[str, ...] = ()) -> str:
    """The question a message asks (a name from the program's ``questions``); a named
    month makes it a buyback question, nothing at all a personal quote. A phone said to
    be fine ("no damage") does not ask the condition rule."""
    questions = program.questions
    if says_condition_ok(program, text):
        questions = tuple(q for q in questions if q.name != "condition")
    question = asked(questions, text, topics)
    if question is None:
        return "buyback" if read_months(text) else QUOTE_QUESTION
    return question.name


@dataclass(frozen=True)
class Said:
    """One line of an answer: which message (``key``) and the values it names."""

    key: str
    values: Mapping[str, object]


def _month_lines(
    program: UpgradeProgram, months: tuple[MonthAsked, ...], srp: Decimal | None
) -> list[Said]:
    lines: list[Said] = []
    window = {"first_month": program.first_month, "last_month": program.last_month}
    for asked_month in months:
        if asked_month.typed:
            lines.append(
                Said("month_read", {"typed": asked_month.typed, "month": asked_month.month})
            )
        value = month_value(program, asked_month.month)
        values: dict[str, object] = {"month": value.month, **window}
        if value.outcome == "percent" and value.percent is not None:
            values["percent"] = value.percent
            if srp is not None:
                values["amount"] = rupees(buyback_amount(srp, value.percent))
                values["srp"] = rupees(srp)
                lines.append(Said("month_amount", values))
            else:
                lines.append(Said("month_percent", values))
        elif value.outcome == "not_published":
            band = value.band
            values["from_month"] = band.from_month if band else value.month
            values["to_month"] = band.to_month if band else value.month
            lines.append(Said("month_not_published", values))
        else:
            lines.append(Said(f"month_{value.outcome}", values))
    return lines


def _model_lines(program: UpgradeProgram, models: tuple[UpgradeModel, ...]) -> list[Said]:
    lines = []
    for model in models[:3]:
        fee = fee_for(program, model)
        if fee.rupees is None:
            lines.append(Said("fee_not_published", {"model": model.name}))
        else:
            lines.append(Said("fee", {"model": model.name, "fee": rupees(fee.rupees)}))
    return lines


def answer_upgrade_question(
    program: UpgradeProgram,
    question: str,
    *,
    models: tuple[UpgradeModel, ...] = (),
    typed_model: str | None = None,
    months: tuple[MonthAsked, ...] = (),
    channel: UpgradeChannel | None = None,
    srp: Decimal | None = None,
) -> tuple[Said, ...] | None:
    """The answer to ``question`` from the message's facts alone, or None when it needs
    the customer's phone and purchase date (the quote form asks for them). ``models``:
    the covered models named; ``typed_model``: a name that fits none (UPG-1..5)."""
    window = {
        "first_month": program.first_month,
        "last_month": program.last_month,
        "months": program.last_month - program.first_month + 1,
        "wait": program.first_month - 1,
    }
    named = bool(models or typed_model)
    # A month named answers a month's question, whatever words led to it ("how much is
    # smart upgrade in month 5", "what will I get in month 8"), unless a phone is asked about.
    if (
        months
        and (question in ("buyback", "window", QUOTE_QUESTION) or not named)
        and (question != "condition")
    ):
        return tuple(_month_lines(program, months, srp))
    if question == "window":
        return (Said("window", window),)
    if question == "fee":
        if models:
            return tuple(_model_lines(program, models))
        if typed_model:
            return (Said("not_listed", _not_listed(program, typed_model)),)
        return (Said("fee_table", {}),)
    if question == "covered":
        if not models and typed_model:
            return (Said("not_listed", _not_listed(program, typed_model)),)
        if channel is not None and not channel.covered:
            if not models:
                return (Said("online_table", {}),)
            return tuple(Said("online", {"model": m.name}) for m in models[:3])
        if not models:
            return (Said("models_table", {}),)
        return tuple(Said("covered", {"model": m.name}) for m in models[:3]) + tuple(
            _model_lines(program, models)
        )
    if question == "condition":
        return (Said("condition", {"conditions": "; ".join(program.conditions)}),)
    if question == "buyback" and not named and srp is None:
        return (Said("buyback_table", {}),)  # "what is the buyback value": the table by month
    return None  # a buyback for a phone named, "quote": the customer's own phone


def _not_listed(program: UpgradeProgram, typed: str) -> dict[str, object]:
    return {"typed": typed[:60], "models": ", ".join(m.name for m in program.models)}
