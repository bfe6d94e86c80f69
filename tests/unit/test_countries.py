"""Reading countries: codes, names, nicknames, accents, typos, and helpful refusals."""

from __future__ import annotations

import pytest

from bot.countries import Country, country, country_in, read_country
from bot.errors import UnknownCountry
from bot.services import read_country as service_read_country


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("GB", "GB"),
        ("UK", "GB"),
        ("uk", "GB"),
        ("U.K.", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Britain", "GB"),
        ("Great Britain", "GB"),
        ("United Kingdom", "GB"),
        ("the UK", "GB"),
        ("I live in the UK", "GB"),
        ("PK", "PK"),
        ("pakistan", "PK"),
        ("IN", "IN"),
        ("India", "IN"),
        ("Bharat", "IN"),
        ("ES", "ES"),
        ("Spain", "ES"),
        ("España", "ES"),
        ("espana", "ES"),
        ("from Spain", "ES"),
        ("FR", "FR"),
        ("France", "FR"),
        ("IT", "IT"),
        ("Italy", "IT"),
        ("Italia", "IT"),
        ("DE", "DE"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("US", "US"),
        ("USA", "US"),
        ("United States", "US"),
    ],
)
def test_reads_codes_names_and_nicknames(text: str, code: str) -> None:
    assert read_country(text).code == code


def test_a_country_has_its_code_and_english_name() -> None:
    assert read_country("españa") == Country("ES", "Spain")


@pytest.mark.parametrize(("text", "code"), [("Frnace", "FR"), ("Inda", "IN"), ("Germny", "DE")])
def test_a_typo_close_to_only_one_country_is_accepted(text: str, code: str) -> None:
    assert read_country(text).code == code


def test_a_typo_close_to_two_countries_is_refused_with_both_as_suggestions() -> None:
    with pytest.raises(UnknownCountry) as refused:
        read_country("Austrlia")
    assert set(refused.value.suggestions[:2]) == {"Australia", "Austria"}
    assert "Australia" in str(refused.value.details["suggestions"])


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(UnknownCountry):
        read_country("Narnia")


@pytest.mark.parametrize(
    "junk", [None, "", "   ", "🙂", "x" * 10_000, b"Spain", 44, ["Spain"], "\x00", "zz"]
)
def test_junk_is_refused_as_an_unknown_country_and_never_crashes(junk: object) -> None:
    with pytest.raises(UnknownCountry):
        read_country(junk)


def test_a_code_without_a_name_shows_as_itself() -> None:
    assert country("XK") == Country("XK", "XK")


def test_the_service_reads_countries_the_same_way() -> None:
    assert service_read_country("England") == read_country("England")


@pytest.mark.parametrize(
    ("text", "code"),
    [("can i earn mi points in germany", "DE"), ("mi points in the uk?", "GB"),
     ("bought it in the U.K. last year", "GB"), ("is it available in Italia", "IT"),
     ("I bought it in IN", "IN"), ("do points work in the uk's shops", "GB"),
     ("i live in united kingdom", "GB")],
)  # fmt: skip
def test_the_one_country_a_message_names_is_found_in_its_words(text: str, code: str) -> None:
    found = country_in(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize(
    "text",
    ["do points expire", "i bought it in march", "from it", "bought on mi.com",
     "spain or germany, where is it cheaper", "", None, 42, "🙂" * 5000],
)  # fmt: skip
def test_a_message_naming_no_country_or_two_names_none(text: object) -> None:
    assert country_in(text) is None
