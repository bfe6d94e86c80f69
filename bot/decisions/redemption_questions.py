"""Terms questions about the IMEI/SN coupon that the facts of the message answer:
is this product on the Annex I list (RED-5), is a submission on this day inside the
activity (RED-2), from which day can a device activated on a day take part (RED-8).

Pure functions: the caller reads the product name, the date and today.

>>> from bot.programs import load_programs
>>> from pathlib import Path
>>> red = load_programs(Path("data/programs"))["RED"]
>>> [p.name for p in listed_products(red, "redmi note 12 pro+ 5g").listed]
['Redmi Note 12 Pro+ 5G']
>>> listed_products(red, "poco f5").listed
()
>>> submission_in_window(red, date(2023, 12, 31)), submission_in_window(red, date(2024, 1, 1))
(True, False)
>>> first_submission_day(red, date(2023, 9, 18))
datetime.date(2023, 10, 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.decisions.redemption import eligible_from
from bot.matching import match_product
from bot.programs.model import Product, RedemptionProgram


@dataclass(frozen=True)
class ProductListing:
    """What the Annex I list says of a typed name: the products it names (RED-5), or
    none and the closest names on the list."""

    typed: str
    listed: tuple[Product, ...]
    closest: tuple[Product, ...] = ()


def listed_products(program: RedemptionProgram, typed: str) -> ProductListing:
    """The Annex I products the typed name fits (RED-5)."""
    match = match_product(typed, program.products)
    return ProductListing(typed, match.candidates, match.suggestions)


def submission_in_window(program: RedemptionProgram, day: date) -> bool:
    """Whether a submission on ``day`` (territory date) is inside the window, both
    ends included (RED-2)."""
    zone = program.window.opens.tzinfo
    opens = program.window.opens.astimezone(zone).date()
    closes = program.window.closes.astimezone(zone).date()
    return opens <= day <= closes


def first_submission_day(program: RedemptionProgram, activated_on: date) -> date:
    """The first day a device activated on ``activated_on`` can be submitted: more
    than the minimum number of days after activation (RED-8)."""
    return eligible_from(activated_on, program)
