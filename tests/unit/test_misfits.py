"""A percentage, an amount, a date, an IMEI or a yes/no is never a product name; an
email address is never a channel (bot.matching: misfit, and the matchers that use it)."""

from __future__ import annotations

import pytest

from bot.matching import match_channel, match_product, misfit, name_as_typed, typed_around
from bot.programs import RedemptionProgram, load_programs
from bot.programs.warranty import WarrantyProgram
from bot.settings import ROOT

PROGRAMS = load_programs(ROOT / "data" / "programs")
RED = PROGRAMS["RED"]
WAR = PROGRAMS["WAR"]
assert isinstance(RED, RedemptionProgram) and isinstance(WAR, WarrantyProgram)

KINDS = [
    ("10%", "percentage"),
    ("10 %", "percentage"),
    ("10 percent off", "percentage"),
    ("£200", "amount"),
    ("Rs. 12,000", "amount"),
    ("200 pounds", "amount"),
    ("12/03/2023", "date"),
    ("2023-03-12", "date"),
    ("12 March 2023", "date"),
    ("march 2023", "date"),
    ("356938035643809", "identifier"),
    ("35-693803-564380-9", "identifier"),
    ("IMEI: 356938035643809", "identifier"),
    ("35719/G2XB01234", "identifier"),
    ("yes", "yes_no"),
    ("no", "yes_no"),
    ("Yes that's right", "yes_no"),
    ("no it's not", "yes_no"),
    ("ok", "yes_no"),
    ("ana@example.org", "email"),
    ("my email is ana@example.org", "email"),
]


@pytest.mark.parametrize(("typed", "kind"), KINDS)
def test_says_what_an_answer_is_when_it_is_not_a_name(typed: str, kind: str) -> None:
    assert misfit(typed) == kind


@pytest.mark.parametrize(("typed", "kind"), KINDS)
def test_it_matches_no_product_and_no_channel(typed: str, kind: str) -> None:
    assert match_product(typed, RED.products).candidates == ()
    assert match_product(typed, RED.products).suggestions == ()
    assert match_channel(typed, RED.channels, RED.ambiguous_channels).candidates == ()
    assert match_channel(typed, WAR.channels).candidates == ()


NAMES = sorted(
    {p.name for p in RED.products}
    | {p.name for p in WAR.products}
    | {n for c in RED.channels for n in (c.name, *c.aliases)}
    | {n for c in WAR.channels for n in (c.name, *c.aliases)}
    | {"10", "Note 12", "Very", "Three", "O2", "EE", "3 mobile", "Redmi 10 2022"}
)


@pytest.mark.parametrize("name", NAMES)
def test_no_product_or_channel_name_of_the_programs_is_a_misfit(name: str) -> None:
    assert misfit(name) is None


def test_an_email_address_names_no_shop_even_on_a_shop_domain() -> None:
    assert match_channel("ana@mi.com", RED.channels).candidates == ()
    [found] = match_channel("mi.com, my email is ana@currys.co.uk", RED.channels).candidates
    assert found.name == "Xiaomi UK online store (mi.com)"


@pytest.mark.parametrize("junk", ["", "   ", None, 42, "a" * 10_000, "🙂", "\x00"])
def test_junk_is_not_called_anything(junk: object) -> None:
    assert misfit(junk) is None


def test_the_word_around_a_tagged_number_shows_the_percentage() -> None:
    text = "please send my 10% coupon"
    start = text.index("10")
    assert typed_around(text, start, start + 2) == "10%"


def test_split_entities_are_joined_into_the_name_as_typed() -> None:
    text = "my phone is a redmi note 12 pro + 5g thanks"
    first = (text.index("redmi"), text.index(" +"))
    second = (text.index("5g"), text.index("5g") + 2)
    assert name_as_typed(text, [first, second], first) == "redmi note 12 pro + 5g"
    assert name_as_typed(text, [first], first) == "redmi note 12 pro + 5g"  # tail restored


def test_separate_names_are_not_joined() -> None:
    text = "xiaomi 13 or redmi pad"
    first, second = (0, 9), (13, 22)
    assert name_as_typed(text, [first, second], second) == "redmi pad"
