"""Reading countries: codes, names, nicknames, accents, typos, and helpful refusals."""

from __future__ import annotations

import pytest

from bot.countries import Country, country, read_country
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
