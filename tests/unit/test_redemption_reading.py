"""What a redemption message carries besides its intent: personal data said before it
was asked for (held until consent, PRIV-1), bare values that are answers and not terms
questions, and the product or date a terms question names (RED-2, RED-5, RED-8)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.decisions.redemption_questions import (
    first_submission_day,
    listed_products,
    submission_in_window,
)
from bot.services.redemption import (
    bare_value,
    date_named_in,
    email_in,
    imei_in,
    last_digits,
    mi_id_in,
    product_named_in,
    read_identifier,
    serial_in,
)

FIRST = (
    "Hi, I bought a Redmi Note 12 on mi.com, IMEI 015386007654326, please send my 10% "
    "coupon to ana@example.org"
)


def test_the_imei_and_email_of_an_all_in_one_request_are_found():
    assert imei_in(FIRST) == "015386007654326"
    assert email_in(FIRST) == "ana@example.org"


@pytest.mark.parametrize(
    "text",
    [
        "my imei is 356938035643808",  # wrong check digit
        "35693803564380",  # 14 digits
        "356938035643809 and 015386007654326",  # two: which one?
        "send my 10% coupon",
        "",
        None,
        "9" * 10_000,
    ],
)
def test_no_imei_is_held_from_a_wrong_missing_or_doubtful_number(text):
    assert imei_in(text) is None


def test_a_grouped_imei_is_found():
    assert imei_in("it's 35 693803 564380 9 thanks") == "356938035643809"


@pytest.mark.parametrize(
    "text",
    ["coupon for my redmi pad, SN: 35719/G2XB01234", "serial number is 35719/G2XB01234 thanks",
     "my pad 35719/g2xb01234 from currys", "s/n 35719G2XB01234"],
)  # fmt: skip
def test_a_labelled_or_slashed_serial_number_is_found(text):
    assert serial_in(text).replace("/", "") == "35719G2XB01234"


@pytest.mark.parametrize(
    "text",
    ["sn 015386007654326",  # an IMEI is not a serial number
     "i want the coupon for my redmi pad asap pleaseee",  # bare words are words
     "SN 35719/G2XB01234 and SN 35720/H3XB05678",  # two: which one?
     "serial number 1111/11111111",  # a placeholder
     "", None, "A/" * 5_000],
)  # fmt: skip
def test_no_serial_is_held_from_a_word_an_imei_or_a_doubtful_value(text):
    assert serial_in(text) is None


@pytest.mark.parametrize(
    "text",
    ["my mi id is 6123456789", "Mi ID: 612 345 6789", "xiaomi account id 6123456789",
     "imei 015386007654326, mi id 6123456789, email ana@example.org"],
)  # fmt: skip
def test_a_labelled_mi_id_is_found(text):
    assert mi_id_in(text) == "6123456789"


@pytest.mark.parametrize(
    "text",
    ["6123456789",  # unlabelled: any number
     "my imei is 015386007654326", "mi id 12345",  # too short
     "mi id 6123456789 or mi id 6123456780", "mi id 1111111111", "", None,
     "my mi number is 03001234567", "xiaomi no. 6123456789"],  # a phone number, unlabelled
)  # fmt: skip
def test_no_mi_id_is_held_unlabelled_short_doubtful_or_a_placeholder(text):
    assert mi_id_in(text) is None


@pytest.mark.parametrize(
    "text", ["mail me at jane@example", "a@b.com or c@d.com", "no email", None]
)
def test_no_email_is_held_from_a_broken_or_doubtful_address(text):
    assert email_in(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ana@example.org", "email"),
        ("  ana@example.org ", "email"),
        ("015386007654326", "identifier"),
        ("35719/G2XB01234", "identifier"),
        ("6123456789", "identifier"),
        ("612345", "number"),
        ("what data do you collect?", None),
        ("is my email safe", None),
        ("", None),
    ],
)
def test_a_bare_value_is_told_from_a_question(text, kind):
    assert bare_value(text) == kind


def test_an_imei_said_before_the_product_is_read_as_a_phones(program):
    assert read_identifier(program, "", "015386007654326").kind == "imei"
    assert last_digits("015386007654326") == "4326"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("is the poco f5 eligible", "poco f5"),
        ("is the redmi note 12 pro+ 5g eligible?", "redmi note 12 pro+ 5g"),
        ("does my Mi 11 qualify", "mi 11"),
        ("is my phone eligible", None),
        ("I bought it on mi.com", None),
    ],
)
def test_the_product_a_question_names(text, named):
    assert product_named_in(text) == named


def test_every_annex_i_name_as_printed_is_listed(program):
    for product in program.products:
        assert listed_products(program, product.name).listed == (product,)


def test_a_model_off_the_list_is_not_listed(program):
    assert listed_products(program, "poco f5").listed == ()


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2023, 9, 12), False),
        (date(2023, 9, 13), True),
        (date(2023, 12, 31), True),
        (date(2024, 1, 1), False),
    ],
)
def test_the_window_includes_both_ends(program, day, inside):
    assert submission_in_window(program, day) is inside


def test_the_first_submission_day_is_after_more_than_the_minimum_days(program):
    activated = date(2023, 9, 18)
    first = first_submission_day(program, activated)
    assert (first - activated).days == program.min_activation_days + 1


def test_a_date_without_a_year_is_its_next_one_and_ago_counts_back():
    today = date(2023, 9, 28)
    assert date_named_in("can I submit on 5 January", today).value == date(2024, 1, 5)
    assert date_named_in("activated ten days ago", today).value == date(2023, 9, 18)
    assert date_named_in("on 31/12/2023 ok?", today).value == date(2023, 12, 31)
    assert date_named_in("when does it end", today) is None
