"""Reading the figures a points answer needs (balance, spend, counts), and turning a
member's plan into an activity history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.amounts import read_amount, read_count, read_points
from bot.decisions.points import ActivityKind
from bot.errors import InvalidAmount, InvalidCount, InvalidNumber, InvalidPoints
from bot.services.points import PointsPlan, plan_history


@pytest.mark.parametrize(
    ("text", "points"),
    [("2500", 2500), ("2,500", 2500), ("2.500", 2500), ("2 500", 2500), ("1,234,567", 1234567),
     ("I have 800 points", 800), ("0", 0), (1200, 1200)],
)  # fmt: skip
def test_reads_a_balance_with_any_thousands_grouping(text: object, points: int) -> None:
    assert read_points(text) == points


@pytest.mark.parametrize("text", ["12.5", "-5", "lots", "200 or 300", "", None, True])
def test_a_balance_that_is_not_one_whole_number_is_refused(text: object) -> None:
    with pytest.raises(InvalidPoints):
        read_points(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("300", Decimal(300)), ("€249.99", Decimal("249.99")), ("249,99 €", Decimal("249.99")),
     ("1.299,00", Decimal("1299.00")), ("1,299.50", Decimal("1299.50")), ("Rs 12,999", Decimal(12999)),
     ("₹12999", Decimal(12999)), ("12k", Decimal(12000)), ("300 euros", Decimal(300))],
)  # fmt: skip
def test_reads_money_with_decimal_commas_or_points(text: str, amount: Decimal) -> None:
    assert read_amount(text) == amount


@pytest.mark.parametrize("text", ["-20", "twenty euros", "10 or 20", "1.2.3.4,5,6", ""])
def test_money_that_is_not_one_positive_amount_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmount):
        read_amount(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [("3", 3), ("three", 3), ("none", 0), ("no", 0), ("twice", 2), ("5 shares", 5), (2.0, 2)],
)
def test_reads_counts_in_digits_or_words(text: object, count: int) -> None:
    assert read_count(text) == count


@pytest.mark.parametrize("text", ["a few", "some", "-1", "2.5", "one or two"])
def test_vague_counts_are_refused(text: str) -> None:
    with pytest.raises(InvalidCount):
        read_count(text)


@pytest.mark.parametrize(
    "junk", [None, "", "🙂", "x" * 10_000, "9" * 10_000, b"12", [], {}, object(), "\x00"]
)
@pytest.mark.parametrize("reader", [read_points, read_amount, read_count])
def test_junk_is_refused_with_a_number_error_and_never_crashes(
    reader: object, junk: object
) -> None:
    with pytest.raises(InvalidNumber):
        reader(junk)  # type: ignore[operator]


def test_a_plan_becomes_a_purchase_shares_reviews_and_a_fuel_run_ending_today() -> None:
    today = date(2024, 3, 2)
    history = plan_history(
        PointsPlan(Decimal("99.90"), shares=2, first_reviews=2, fuel_days=3), today
    )
    kinds = [a.kind for a in history]
    assert kinds.count(ActivityKind.SHARE) == 2
    assert len({a.product for a in history if a.kind is ActivityKind.REVIEW}) == 2
    fuel = sorted(a.on for a in history if a.kind is ActivityKind.FUEL)
    assert fuel == [date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 2)]
    assert [a.euros for a in history if a.kind is ActivityKind.PURCHASE] == [Decimal("99.90")]


def test_a_plan_with_a_negative_count_is_refused() -> None:
    with pytest.raises(InvalidCount):
        plan_history(PointsPlan(shares=-1), date(2024, 3, 2))
