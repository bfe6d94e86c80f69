"""Dates, numbers, money and lists per language, through Babel (bot/formats.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from bot import formats

NBSP, NNBSP = "\xa0", "\u202f"


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(NNBSP, " ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "3 October 2023"),
        ("es", "3 de octubre de 2023"),
        ("fr", "3 octobre 2023"),
        ("it", "3 ottobre 2023"),
    ],
)
def test_long_dates(language, expected):
    assert formats.long_date(date(2023, 10, 3), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,000"), ("es", "1.000"), ("fr", "1 000"), ("it", "1.000")],
)
def test_thousands(language, expected):
    assert plain(formats.number(1000, language)) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "12.30"), ("es", "12,30"), ("fr", "12,30"), ("it", "12,30")]
)
def test_amounts_keep_two_decimals_only_when_they_have_some(language, expected):
    assert formats.amount(Decimal("12.3"), language) == expected
    assert formats.amount(Decimal("12"), language) == "12"


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (Decimal("15"), "EUR", "es", "15,00 €"),
        (Decimal("15"), "EUR", "fr", "15,00 €"),
        (Decimal("15"), "GBP", "en", "£15.00"),
        (Decimal("129999"), "INR", "en_IN", "₹1,29,999.00"),
    ],
)
def test_money_as_the_locale_writes_it(value, currency, locale, expected):
    assert plain(formats.money(value, currency, locale)) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "€5"), ("es", "5 €"), ("fr", "5 €"), ("it", "5 €")]
)
def test_whole_money_has_no_decimals(language, expected):
    assert plain(formats.whole_money(5, "EUR", language)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Spain, France, Italy and United Kingdom"),
        ("es", "España, Francia, Italia y Reino Unido"),
        ("fr", "Espagne, France, Italie et Royaume-Uni"),
        ("it", "Spagna, Francia, Italia e Regno Unito"),
    ],
)
def test_country_lists(language, expected):
    names = [formats.territory(code, language) for code in ("ES", "FR", "IT", "GB")]
    assert formats.items(names, language) == expected


def test_a_moment_with_its_weekday():
    moment = datetime(2023, 10, 2, 9, 0)
    assert formats.weekday_moment(moment, "en") == "Monday 2 October 2023 at 09:00"
    assert formats.weekday_moment(moment, "es") == "lunes, 2 de octubre de 2023, 09:00"
