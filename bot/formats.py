"""Dates, numbers, money and lists as each language writes them (Babel, issue #11).

One place for formats: the locale of each language is in data/languages/languages.yml
(English is en_GB, as the terms write: "3 October 2023", "1,000").

>>> long_date(date(2023, 10, 3), "es")
'3 de octubre de 2023'
>>> number(1000, "fr").replace("\\u202f", " ")
'1 000'
>>> money(Decimal("15"), "EUR", "es").replace("\\xa0", " ")
'15,00 €'
>>> money(Decimal("129999"), "INR", "en_IN")
'₹1,29,999.00'
>>> items(["Spain", "France", "Italy"], "en")
'Spain, France and Italy'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal

from bot.language import languages


def locale_of(language: str | None) -> str:
    """The Babel locale of one of our languages; a locale itself ("en_IN") is kept."""
    table = languages()
    if language and "_" in language:
        return language
    return table.locale(language)


def long_date(day: date, language: str | None = None) -> str:
    """``3 October 2023``, ``3 de octubre de 2023``, ``3 octobre 2023``."""
    return format_date(day, format="long", locale=locale_of(language))


def number(value: int | Decimal, language: str | None = None) -> str:
    """``1,000`` / ``1.000`` / ``1 000``; decimals only where the value has them."""
    return format_decimal(value, locale=locale_of(language))


def amount(value: Decimal, language: str | None = None) -> str:
    """A sum in a text that names its currency itself: ``12`` or ``12.30`` (``12,30``)."""
    if value == value.to_integral_value():
        return format_decimal(int(value), locale=locale_of(language))
    return format_decimal(
        value.quantize(Decimal("0.01")), format="#,##0.00", locale=locale_of(language)
    )


def money(value: Decimal, currency: str, language: str | None = None) -> str:
    """``15,00 €``, ``£15.00``, ``₹1,29,999.00``: the currency as the locale writes it."""
    return format_currency(value, currency, locale=locale_of(language))


def items(names: Sequence[str], language: str | None = None) -> str:
    """``Spain, France and Italy`` / ``España, Francia e Italia``."""
    return format_list(list(names), locale=locale_of(language)) if names else ""


def territory(code: str, language: str | None = None) -> str:
    """A country's name in the language: ``ES`` -> ``Spain`` / ``España`` / ``Espagne``."""
    return Locale.parse(locale_of(language)).territories.get(code.upper(), code)


def whole_money(value: int, currency: str, language: str | None = None) -> str:
    """A whole sum with its currency and no decimals: ``€5`` / ``5 €`` / ``₹399``."""
    locale = Locale.parse(locale_of(language))
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    whole = pattern.replace(".00", "").replace(",00", "")
    return format_currency(value, currency, format=whole, locale=locale, currency_digits=False)


def weekday_date(day: date, language: str | None = None) -> str:
    """``Monday 2 October 2023`` (as the English texts always wrote it) / ``lunes, 2 de
    octubre de 2023``."""
    if locale_of(language) == languages().locale(languages().default):
        return f"{day:%A} {day.day} {day:%B %Y}"
    return format_date(day, format="full", locale=locale_of(language))


def weekday_moment(moment: datetime, language: str | None = None) -> str:
    """``Monday 2 October 2023 at 09:00`` / ``lunes, 2 de octubre de 2023, 09:00``."""
    day = weekday_date(moment, language)
    if locale_of(language) == languages().locale(languages().default):
        return f"{day} at {moment:%H:%M}"
    return f"{day}, {format_time(moment, 'HH:mm', locale=locale_of(language))}"
