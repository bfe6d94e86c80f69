"""Every Annex I name (data/programs/red.yml), typed as printed, in lower case, without
the brand and with "plus" for "+", reads as exactly that product through the reader the
redemption form calls (RED-5) — "+" and "5G" included."""

from __future__ import annotations

import re

import pytest

from bot import errors
from bot.programs import RedemptionProgram, load_programs
from bot.services.redemption import read_product
from bot.settings import ROOT

RED = load_programs(ROOT / "data" / "programs")["RED"]
assert isinstance(RED, RedemptionProgram)
BRANDS = ("Xiaomi ", "Mi ", "Redmi ", "POCO ")

# Without its brand a name can fit two products: the assistant asks with buttons.
AMBIGUOUS_WITHOUT_BRAND = {
    "10": {"Mi 10", "Redmi 10"},
    "Note 12": {"Redmi Note 12", "Redmi Note 12 5G"},
    "Note 11 Pro": {"Redmi Note 11 Pro", "Redmi Note 11 Pro 5G"},
}


def _without_brand(name: str) -> str | None:
    return next((name[len(b) :] for b in BRANDS if name.startswith(b)), None)


def _typings(name: str) -> dict[str, str]:
    """How people type ``name``: label -> text."""
    typed = {
        "as printed": name,
        "lower case": name.lower(),
        "upper case": name.upper(),
        "plus": name.replace("+", " plus"),
        "plus, lower case": name.lower().replace("+", " plus"),
        "plus glued": name.lower().replace("+", "plus"),
    }
    if re.search(r"[^\d\s] 5G", name):  # "Pro 5G" as "pro5g" (never "12 5G" as "125g")
        typed["5G glued"] = re.sub(r"(?<=[^\d\s]) 5G", "5g", name).lower()
    bare = _without_brand(name)
    if bare is not None and bare not in AMBIGUOUS_WITHOUT_BRAND:
        typed |= {
            "without brand": bare,
            "without brand, lower case": bare.lower(),
            "without brand, plus": bare.lower().replace("+", " plus"),
        }
    return typed


CASES = [
    pytest.param(p.name, text, id=f"{p.name} / {label}")
    for p in RED.products
    for label, text in _typings(p.name).items()
]


def test_annex_i_is_the_forty_names_of_the_terms() -> None:
    assert len(RED.products) == 40
    assert "Redmi Note 12 Pro+ 5G" in {p.name for p in RED.products}


@pytest.mark.parametrize(("name", "typed"), CASES)
def test_every_annex_i_name_reads_as_exactly_that_product(name: str, typed: str) -> None:
    assert [p.name for p in read_product(RED, typed)] == [name]


@pytest.mark.parametrize(("bare", "fitting"), AMBIGUOUS_WITHOUT_BRAND.items())
def test_a_name_that_fits_two_products_without_its_brand_offers_both(
    bare: str, fitting: set[str]
) -> None:
    for typed in (bare, bare.lower()):
        assert {p.name for p in read_product(RED, typed)} == fitting


def test_only_those_names_fit_two_products_without_their_brand() -> None:
    several = set()
    for product in RED.products:
        bare = _without_brand(product.name)
        if bare is not None and len(read_product(RED, bare)) > 1:
            several.add(bare)
    assert several == set(AMBIGUOUS_WITHOUT_BRAND)


@pytest.mark.parametrize(
    "typed",
    [
        "Redmi Note 12 Pro+ 5G",
        "redmi note 12 pro+ 5g",
        "redmi note 12 pro+",
        "redmi note 12 pro plus",
        "note 12 pro+",
        "note 12 pro plus 5g",
        "Redmi Note 12 Pro+5G",
        "redmi note12 pro+",
    ],
)
def test_the_note_12_pro_plus_is_never_the_pro_or_refused(typed: str) -> None:
    assert [p.name for p in read_product(RED, typed)] == ["Redmi Note 12 Pro+ 5G"]


def test_a_typo_still_suggests_and_does_not_guess() -> None:
    with pytest.raises(errors.UnknownProduct) as refused:
        read_product(RED, "redmi not 12 pro plus")
    assert "Redmi Note 12 Pro+ 5G" in refused.value.suggestions
