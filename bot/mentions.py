"""Amounts and dates said inside a longer message, where they stand in it.

``bot.amounts`` and ``bot.dates`` read one answer ("15000", "3 Oct 2023"); a question
says several facts in one sentence ("the phone costs inr 15000 and my exchange value
is 3k", "exchanged on 1 march, can I use it on 20 march"). These find each one with
its place, so a program can tell them apart by the words around them. Pure; junk
(very long text, absurd numbers, impossible days) gives nothing rather than an error.

>>> [m.value for m in amounts_in("phone is rs 15,000 and coupon ₹3k")]
[15000, 3000]
>>> [(d.day, d.month, d.year) for d in dates_in("on monday 18 december 2023, or 20 Mar")]
[(18, 12, 2023), (20, 3, None)]
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.dates import MONTH_NAMES

_MAX_TEXT = 500
_LARGEST = 10_000_000  # more than any phone price or exchange value
_SMALLEST_BARE = 100  # a bare number below this is a count or a day, not money

_CURRENCY = r"(?:inr|rs\.?|rupees?|₹)"
_NUMBER = r"\d{1,3}(?:,\d{2,3})+|\d+"
_AMOUNT = re.compile(
    rf"(?P<before>{_CURRENCY}\s*)?(?<![\d.,/])(?P<number>{_NUMBER})(?P<frac>\.\d{{1,2}})?(?!\d|/\d)"
    rf"\s*(?P<k>k\b)?\s*(?P<after>{_CURRENCY}|/-)?",
    re.IGNORECASE,
)
_MONTHS = {name.casefold(): n for n, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].casefold(): n for name, n in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?,?(?:\s+(?P<year>\d{{4}})\b)?",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\b\.?\s+(?P<day>\d{{1,2}}){_ORDINAL}\b,?(?:\s+(?P<year>\d{{4}})\b)?",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"(?<![\d/.-])(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})\b")


@dataclass(frozen=True)
class Amount:
    """A money amount in whole units, and where the message says it."""

    value: int
    start: int
    end: int


@dataclass(frozen=True)
class SaidDate:
    """A day and month (and the year, when said), and where the message says it."""

    day: int
    month: int
    year: int | None
    start: int
    end: int

    def on_or_before(self, today: date) -> date | None:
        """The date said; without a year, the latest such day not after ``today``."""
        if self.year is not None:
            return _make(self.year, self.month, self.day)
        for year in (today.year, today.year - 1):
            day = _make(year, self.month, self.day)
            if day is not None and day <= today:
                return day
        return None

    def on_or_after(self, start: date) -> date | None:
        """The date said; without a year, the first such day not before ``start``."""
        if self.year is not None:
            return _make(self.year, self.month, self.day)
        for year in (start.year, start.year + 1):
            day = _make(year, self.month, self.day)
            if day is not None and day >= start:
                return day
        return None


def _make(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100 or not 1 <= month <= 12:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _text(text: object) -> str:
    return text[:_MAX_TEXT] if isinstance(text, str) else ""


def dates_in(text: object) -> tuple[SaidDate, ...]:
    """Every date the message says ("18 December 2023", "March 20th", "22/12/2023"),
    in the order said. An impossible day (31 June) is left out."""
    typed = _text(text)
    found: list[SaidDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_NUMERIC, _DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(typed):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            month_text = match["month"]
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.casefold()]
            year = int(match["year"]) if match["year"] else None
            day = int(match["day"])
            probe = _make(year or 2000, month, day)  # 2000: a leap year, 29 Feb is fine
            if probe is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(SaidDate(day, month, year, match.start(), match.end()))
    return tuple(sorted(found, key=lambda d: d.start))


def amounts_in(text: object) -> tuple[Amount, ...]:
    """Every money amount the message says: "inr 15000", "rs 15,000", "₹15000", "15k",
    "15000/-", or a bare number of 100 or more that is not part of a date. In order."""
    typed = _text(text)
    in_dates = [(d.start, d.end) for d in dates_in(typed)]
    found: list[Amount] = []
    for match in _AMOUNT.finditer(typed):
        start, end = match.span("number")
        if any(s <= start < e for s, e in in_dates):
            continue
        digits = match["number"].replace(",", "")
        if len(digits) > 8:
            continue  # an IMEI, a phone number or an order number, not a price
        number = Decimal(digits + (match["frac"] or ""))
        value = int(number * (1000 if match["k"] else 1))  # "1.5k" is 1500; paise dropped
        marked = bool(match["before"] or match["after"] or match["k"])
        if not marked and value < _SMALLEST_BARE:
            continue
        if not 0 < value <= _LARGEST:
            continue
        found.append(Amount(value, match.start(), match.end()))
    return tuple(found)


def days_between(first: date, second: date) -> int:
    """Whole days from ``first`` to ``second`` (negative when ``second`` is earlier)."""
    return (second - first) // timedelta(days=1)
