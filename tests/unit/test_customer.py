"""Email address and Mi ID parsing (RED-3, RED-12)."""

from __future__ import annotations

import pytest

from bot import errors
from bot.customer import parse_email, parse_mi_id


# --- email: accepted -------------------------------------------------------------
def test_lower_cases_the_domain_and_keeps_the_name_as_typed() -> None:
    assert parse_email("Jane.Doe+promo@Example.CO.UK") == "Jane.Doe+promo@example.co.uk"


@pytest.mark.parametrize(
    "typed",
    [
        "my email is x@y.com",
        "x@y.com.",
        "<x@y.com>",
        "email: x@y.com",
        "  x@Y.COM  ",
    ],
)
def test_extracts_the_one_address_from_a_sentence(typed: str) -> None:
    assert parse_email(typed) == "x@y.com"


def test_accepts_a_hyphen_inside_a_domain_label() -> None:
    assert parse_email("jane@ex-ample.co.uk") == "jane@ex-ample.co.uk"


# --- email: refused with the reason ------------------------------------------------
@pytest.mark.parametrize("typed", ["jane.doe.example.com", "jane at example dot com"])
def test_refuses_an_address_without_an_at_sign(typed: str) -> None:
    with pytest.raises(errors.EmailMissingAt):
        parse_email(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "a@localhost",  # no dot
        "a@b.c1",  # the ending is not a real one
        "a@b.c",  # one-letter ending
        "a@-b.com",  # label starts with a hyphen
        "a@b-.com",  # label ends with a hyphen
        "a@b..com",  # empty label
        "a@exa_mple.com",  # underscore is not allowed in a host name
    ],
)
def test_refuses_an_address_with_a_bad_domain(typed: str) -> None:
    with pytest.raises(errors.EmailBadDomain):
        parse_email(typed)


@pytest.mark.parametrize(
    "typed", ["a..b@x.com", ".ab@x.com", "ab.@x.com", "ü@x.com", "a" * 65 + "@x.com"]
)
def test_refuses_an_address_with_a_bad_name(typed: str) -> None:
    with pytest.raises(errors.EmailBadName):
        parse_email(typed)


@pytest.mark.parametrize("typed", ["a@x.com b@y.com", "a@x.com, b@y.com", "a@x.com or a@x.co.uk"])
def test_refuses_two_addresses_in_one_message(typed: str) -> None:
    with pytest.raises(errors.EmailSeveral):
        parse_email(typed)


def test_refuses_text_longer_than_any_address_could_be() -> None:
    with pytest.raises(errors.InvalidEmail) as caught:
        parse_email("a" * 300 + "@example.com" + " " * 20)
    assert "too long" in caught.value.message


def test_keeps_an_apostrophe_in_the_name_or_refuses_the_address() -> None:
    try:
        parsed = parse_email("o'brien@example.com")
    except errors.InvalidEmail:
        return
    assert parsed == "o'brien@example.com"


# --- Mi ID ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "6123456789",
        "mi id: 6123 456 789",
        "My Mi ID is 6123-456-789",
        "Xiaomi account number 6123456789.",
    ],
)
def test_accepts_a_mi_id_with_a_label_and_separators(typed: str) -> None:
    assert parse_mi_id(typed) == "6123456789"


@pytest.mark.parametrize("typed", ["612345", "612345678901"])
def test_accepts_a_mi_id_of_6_to_12_digits(typed: str) -> None:
    assert parse_mi_id(typed) == typed


@pytest.mark.parametrize(
    "typed",
    [
        "abcdefg",
        "61234a6789",
        "12345",
        "1234567890123",
        "0000000",
        "١٢٣٤٥٦٧",  # Arabic-Indic digits: isdigit() is true, but they are not a Mi ID
        "６１２３４５６７８９",  # full-width digits
    ],
)
def test_refuses_what_is_not_a_mi_id(typed: str) -> None:
    with pytest.raises(errors.InvalidMiId) as caught:
        parse_mi_id(typed)
    assert caught.value.message.strip()


def test_says_how_many_digits_a_mi_id_of_the_wrong_length_had() -> None:
    with pytest.raises(errors.InvalidMiId) as caught:
        parse_mi_id("12345")
    assert "that has 5" in caught.value.message
