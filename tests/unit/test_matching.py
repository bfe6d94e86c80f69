"""Typed product and sales-channel names matched against the real RED data (RED-5, RED-7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import match_channel, match_product
from bot.programs import RedemptionProgram, load_programs

PROGRAMS = Path(__file__).resolve().parents[2] / "data" / "programs"


@pytest.fixture(scope="module")
def red() -> RedemptionProgram:
    return load_programs(PROGRAMS)["RED"]


def products(red: RedemptionProgram, typed: object) -> set[str]:
    return {p.name for p in match_product(typed, red.products).candidates}  # type: ignore[arg-type]


def channels(red: RedemptionProgram, typed: object) -> set[str]:
    match = match_channel(typed, red.channels, red.ambiguous_channels)  # type: ignore[arg-type]
    return {c.name for c in match.candidates}


# --- products ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "note 12 pro plus",
        "redmi note12 pro+",
        "REDMI NOTE 12 PRO+ 5G",
        "Redmi Note 12 Pro+",
        "i bought a redmi note 12 pro+ 5g",
    ],
)
def test_matches_how_people_type_the_note_12_pro_plus_to_its_canonical_name(
    red: RedemptionProgram, typed: str
) -> None:
    match = match_product(typed, red.products)
    assert match.unique is not None
    assert match.unique.name == "Redmi Note 12 Pro+ 5G"


def test_the_exact_canonical_name_wins_over_its_5g_sibling(red: RedemptionProgram) -> None:
    assert products(red, "Redmi Note 12") == {"Redmi Note 12"}


@pytest.mark.parametrize(
    ("typed", "both"),
    [
        ("note 12", {"Redmi Note 12", "Redmi Note 12 5G"}),
        ("note 11 pro", {"Redmi Note 11 Pro", "Redmi Note 11 Pro 5G"}),
        ("10", {"Mi 10", "Redmi 10"}),
    ],
)
def test_returns_every_product_that_fits_so_the_assistant_can_ask(
    red: RedemptionProgram, typed: str, both: set[str]
) -> None:
    match = match_product(typed, red.products)
    assert {p.name for p in match.candidates} == both
    assert match.unique is None


def test_saying_5g_picks_the_5g_model(red: RedemptionProgram) -> None:
    assert products(red, "note 12 5g") == {"Redmi Note 12 5G"}


def test_mi_and_xiaomi_are_the_same_brand(red: RedemptionProgram) -> None:
    assert products(red, "mi 11 lite 5g ne") == {"Xiaomi 11 Lite 5G NE"}


def test_matches_an_aiot_product_and_knows_it_needs_a_serial_number(red: RedemptionProgram) -> None:
    match = match_product("redmi pad", red.products)
    assert match.unique is not None
    assert (match.unique.name, match.unique.kind, match.unique.identifier_kind) == (
        "Redmi Pad",
        "aiot",
        "sn",
    )


def test_a_typo_gives_no_candidate_but_suggests_the_close_names(red: RedemptionProgram) -> None:
    match = match_product("redmi not 12 pro", red.products)
    assert match.candidates == ()
    assert "Redmi Note 12 Pro 5G" in {p.name for p in match.suggestions}


def test_another_brand_matches_nothing(red: RedemptionProgram) -> None:
    match = match_product("iphone 14", red.products)
    assert (match.candidates, match.suggestions) == ((), ())


def test_a_model_not_on_the_list_is_not_matched_to_a_neighbour(red: RedemptionProgram) -> None:
    match = match_product("Redmi Note 13", red.products)
    assert match.candidates == ()
    assert "Redmi Note 13" not in {p.name for p in match.suggestions}


@pytest.mark.parametrize(
    "typed",
    ["", "   ", None, "9" * 10_000, "a" * 10_000],
    ids=["empty", "blank", "None", "10 kB of nines", "10 kB of letters"],
)
def test_empty_or_huge_product_text_matches_nothing(red: RedemptionProgram, typed: object) -> None:
    assert products(red, typed) == set()


# --- channels --------------------------------------------------------------------------
def test_plain_amazon_fits_two_channels_one_authorised_and_one_not(red: RedemptionProgram) -> None:
    match = match_channel("Amazon", red.channels, red.ambiguous_channels)
    assert {(c.name, c.authorised) for c in match.candidates} == {
        ("Amazon UK (sold by Amazon or Xiaomi)", True),
        ("Amazon Marketplace third-party seller", False),
    }


def test_a_third_party_seller_on_amazon_is_the_unauthorised_marketplace(
    red: RedemptionProgram,
) -> None:
    match = match_channel("third-party seller on amazon", red.channels, red.ambiguous_channels)
    assert match.unique is not None
    assert (match.unique.name, match.unique.authorised) == (
        "Amazon Marketplace third-party seller",
        False,
    )


@pytest.mark.parametrize(
    ("typed", "channel"),
    [
        ("currys", "Currys"),
        ("bought it at Argos", "Argos"),
        ("mi.com", "Xiaomi UK online store (mi.com)"),
        ("sold by amazon", "Amazon UK (sold by Amazon or Xiaomi)"),
    ],
)
def test_recognises_authorised_channels(red: RedemptionProgram, typed: str, channel: str) -> None:
    match = match_channel(typed, red.channels, red.ambiguous_channels)
    assert match.unique is not None
    assert (match.unique.name, match.unique.authorised) == (channel, True)


@pytest.mark.parametrize("typed", ["ebay", "I got it on eBay", "from a friend"])
def test_recognises_unauthorised_channels(red: RedemptionProgram, typed: str) -> None:
    match = match_channel(typed, red.channels, red.ambiguous_channels)
    assert match.unique is not None
    assert match.unique.authorised is False


def test_a_misspelt_channel_gives_a_suggestion(red: RedemptionProgram) -> None:
    match = match_channel("Argoss", red.channels, red.ambiguous_channels)
    assert match.candidates == ()
    assert [c.name for c in match.suggestions] == ["Argos"]


def test_an_ordinary_word_does_not_hide_the_unauthorised_channel_named(
    red: RedemptionProgram,
) -> None:
    # "very" is also a shop: both are offered, so the customer says which (RED-7).
    assert channels(red, "it was very cheap on ebay") == {"Very", "eBay"}
    assert channels(red, "I bought three on ebay") == {"Three", "eBay"}


@pytest.mark.parametrize(
    "typed", ["", "   ", None, "a" * 10_000], ids=["empty", "blank", "None", "10 kB"]
)
def test_empty_or_huge_channel_text_matches_nothing(red: RedemptionProgram, typed: object) -> None:
    match = match_channel(typed, red.channels, red.ambiguous_channels)  # type: ignore[arg-type]
    assert (match.candidates, match.suggestions) == ((), ())
