"""Amounts and dates found inside a whole message (bot.mentions): the facts a question
gives, each with where it stands, and nothing from junk."""

from __future__ import annotations

from datetime import date

import pytest

from bot.mentions import amounts_in, dates_in


def values(text: object) -> list[int]:
    return [a.value for a in amounts_in(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the new phone costs inr 15000 and my exchange value is inr 3000", [15000, 3000]),
        ("rs 15,000 phone and rs. 2,500 coupon", [15000, 2500]),
        ("₹15000 minus ₹3000", [15000, 3000]),
        ("phone is 15k, coupon 1.5k", [15000, 1500]),
        ("phone 12000, exchange value 2000", [12000, 2000]),
        ("price 15000/- and 3000 rupees", [15000, 3000]),
        ("Rs 1,00,000", [100000]),  # Indian grouping
    ],
)
def test_amounts_as_customers_type_them(text: str, expected: list[int]) -> None:
    assert values(text) == expected


def test_amounts_keep_their_place_in_the_message() -> None:
    first, second = amounts_in("phone inr 15000, coupon inr 3000")
    assert first.start < first.end <= second.start


@pytest.mark.parametrize(
    "text",
    [
        "my imei is 356938035643809",  # an IMEI is not a price
        "call me on 9876543210",
        "i have 2 phones and 15 days",  # small bare numbers are counts
        "exchanged on 1 march 2024",  # a date's numbers are not money
        "",
        None,
        12000,
        "x" * 5000,
    ],
)
def test_no_amount_in_identifiers_counts_dates_or_junk(text: object) -> None:
    assert values(text) == []


def test_a_long_message_is_read_only_up_to_its_limit() -> None:
    assert values("inr 15000 " + "a" * 1000 + " inr 3000") == [15000]


def said(text: object) -> list[tuple[int, int, int | None]]:
    return [(d.day, d.month, d.year) for d in dates_in(text)]


def test_dates_with_and_without_the_year_weekday_or_ordinal() -> None:
    assert said("got it on monday 18 december 2023, appeal on 20th Dec") == [
        (18, 12, 2023),
        (20, 12, None),
    ]
    assert said("March 3rd, 2024 or 5/3/2024") == [(3, 3, 2024), (5, 3, 2024)]
    assert said("the 1st of march") == [(1, 3, None)]


def test_impossible_days_and_junk_give_no_date() -> None:
    assert said("on 31 june or 30 february") == []
    assert said("marching band 12 players") == []
    assert said(None) == [] and said(42) == []


def test_a_date_without_a_year_is_the_latest_up_to_today_or_the_first_after_a_day() -> None:
    first, second = dates_in("1 march and 20 march")
    assert first.on_or_before(date(2026, 12, 1)) == date(2026, 3, 1)
    assert first.on_or_before(date(2026, 2, 1)) == date(2025, 3, 1)
    assert second.on_or_after(date(2025, 3, 1)) == date(2025, 3, 20)
    (leap,) = dates_in("29 feb")
    assert leap.on_or_before(date(2026, 12, 1)) is None  # no 29 Feb in 2026 or 2025
