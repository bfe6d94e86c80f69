"""Read numbers the way customers type them: points, counts and money.

Thousands may be grouped with commas, dots or spaces ("2,500", "2.500", "2 500");
a decimal comma is read as in Spain, France and Italy ("249,99"). Currency signs
and words around the number are ignored.

>>> read_points("2,500 points"), read_points("1.200")
(2500, 1200)
>>> read_amount("€249,99"), read_amount("Rs 12,999")
(Decimal('249.99'), Decimal('12999'))
>>> read_count("three"), read_count("none")
(3, 0)
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.errors import InvalidAmount, InvalidCount, InvalidPoints

_MAX_LENGTH = 60
_LARGEST = Decimal(10) ** 9  # more than any balance or price we could be asked about
_WORDS = {
    "no": 0, "none": 0, "zero": 0, "nil": 0, "nothing": 0, "never": 0, "one": 1, "once": 1,
    "two": 2, "couple": 2, "twice": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_NUMBER = re.compile(r"\d[\d.,' \u00a0\u202f]*")
_GROUPED = re.compile(r"^\d{1,3}([.,' \u00a0\u202f])\d{3}(\1\d{3})*$")


def _numbers(text: object, error: type[Exception]) -> list[str]:
    if not isinstance(text, (str, int, float, Decimal)) or isinstance(text, bool):
        raise error()
    typed = str(text).strip()
    if not typed or len(typed) > _MAX_LENGTH:
        raise error()
    if re.search(r"(?<![\w])-\s*\d", typed):
        raise error(f"{error.__doc__} It cannot be negative.")
    return [n.strip(" .,'\u00a0\u202f") for n in _NUMBER.findall(typed)]


def _decimal(number: str) -> Decimal | None:
    """One number as typed: grouped thousands, a decimal comma or point."""
    if _GROUPED.match(number):
        return Decimal(re.sub(r"\D", "", number))
    match = re.fullmatch(r"(\d+(?:[.,' ]\d{3})*)(?:([.,])(\d{1,2}))?", number)
    if not match:
        return None
    whole = re.sub(r"\D", "", match[1])
    try:
        return Decimal(f"{whole}.{match[3]}" if match[3] else whole)
    except InvalidOperation:  # pragma: no cover - the pattern allows digits only
        return None


def read_amount(text: object) -> Decimal:
    """A money amount (euros, rupees): ``InvalidAmount`` unless exactly one, above 0."""
    numbers = _numbers(text, InvalidAmount)
    typed = str(text).casefold()
    if len(numbers) != 1:
        raise InvalidAmount()
    value = _decimal(numbers[0])
    if value is None or value > _LARGEST:
        raise InvalidAmount()
    if re.search(rf"{re.escape(numbers[0])}\s*k\b", typed):
        value *= 1000  # "12k"
    return value


def read_points(text: object) -> int:
    """A points balance: a whole number, 0 or more, thousands grouped or not."""
    numbers = _numbers(text, InvalidPoints)
    if len(numbers) != 1:
        raise InvalidPoints()
    value = _decimal(numbers[0])
    if value is None or value != value.to_integral_value() or value > _LARGEST:
        raise InvalidPoints()
    return int(value)


def read_count(text: object) -> int:
    """How many times: digits or a word ("three", "none"), 0 or more."""
    if isinstance(text, float) and text.is_integer() and text >= 0:
        text = int(text)
    if isinstance(text, str):
        words = re.findall(r"[a-z]+", text.casefold())
        if words and not re.search(r"\d", text) and len(words) <= 4:
            known = [_WORDS[w] for w in words if w in _WORDS]
            if len(set(known)) == 1:
                return known[0]
    numbers = _numbers(text, InvalidCount)
    if len(numbers) != 1 or not numbers[0].isdigit() or int(numbers[0]) > 10_000:
        raise InvalidCount()
    return int(numbers[0])
