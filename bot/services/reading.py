"""Reading what customers type that several programs share: dates, countries, and
whether an answer can be a product or shop name at all.

Actions of every program call these instead of parsing text themselves.
"""

from __future__ import annotations

from datetime import date

from bot.countries import Country, country_in
from bot.countries import read_country as _read_country
from bot.dates import ReadDate, spell
from bot.dates import read_date as _read_date
from bot.matching import misfit, name_as_typed, typed_around


def read_date(text: object, today: date) -> ReadDate:
    """A past or today's date from the customer's words, with how it was read.

    Raises ``UnreadableDate``, ``FutureDate`` or ``ImpossibleDate``."""
    return _read_date(text, today)


def spell_date(day: date) -> str:
    """A date as customers read it in every territory: ``3 October 2023``."""
    return spell(day)


def read_country(text: object) -> Country:
    """The country the customer named; raises ``UnknownCountry`` with suggestions."""
    return _read_country(text)


__all__ = [
    "Country",
    "country_in",
    "ReadDate",
    "misfit",
    "name_as_typed",
    "read_country",
    "read_date",
    "spell_date",
    "typed_around",
]
