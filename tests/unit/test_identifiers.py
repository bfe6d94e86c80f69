"""IMEI and serial-number parsing (RED-6), and the junk every parser must survive."""

from __future__ import annotations

import pytest
from stdnum import luhn

from bot import errors
from bot.customer import parse_email, parse_mi_id
from bot.identifiers import Identifier, parse_identifier, parse_imei, parse_serial

IMEI = "356938035643809"


def with_check_digit(first_14: str) -> str:
    return first_14 + luhn.calc_check_digit(first_14)


OTHER_IMEIS = [
    with_check_digit(body) for body in ("49015420323751", "35209900176148", "86920304123456")
]


# --- IMEI: accepted -----------------------------------------------------------
@pytest.mark.parametrize("imei", [IMEI, *OTHER_IMEIS])
def test_accepts_a_15_digit_imei_with_a_valid_check_digit(imei: str) -> None:
    assert parse_imei(imei) == Identifier("imei", imei)


@pytest.mark.parametrize(
    "typed",
    [
        "35 693803 564380 9",
        "35-693803-564380-9",
        "35.693803.564380.9",
        "  356938035643809  ",
        "IMEI: 356938035643809",
        "IMEI:356938035643809",
        "imei no. 356938035643809",
        "my imei is 356938035643809",
        "my IMEI is 35-693803-564380-9.",
    ],
)
def test_accepts_separators_and_a_label_and_normalises_to_15_digits(typed: str) -> None:
    assert parse_imei(typed).value == IMEI


# --- IMEI: refused, each with its own explanation ------------------------------
def test_refuses_a_14_digit_imei_missing_its_check_digit() -> None:
    with pytest.raises(errors.MissingCheckDigit):
        parse_imei(IMEI[:14])


def test_refuses_a_16_digit_imeisv() -> None:
    with pytest.raises(errors.ImeiSvNotAccepted):
        parse_imei(IMEI + "0")


@pytest.mark.parametrize("digits", [13, 17])
def test_refuses_a_number_of_the_wrong_length_and_says_how_many_digits_it_had(digits: int) -> None:
    typed = (IMEI * 2)[:digits]
    with pytest.raises(errors.WrongLength) as caught:
        parse_imei(typed)
    assert caught.value.details["digits"] == digits


def test_refuses_an_imei_whose_check_digit_does_not_match() -> None:
    wrong_last = str((int(IMEI[-1]) + 1) % 10)
    with pytest.raises(errors.BadCheckDigit):
        parse_imei(IMEI[:14] + wrong_last)


@pytest.mark.parametrize("digit", "0179")
def test_refuses_a_placeholder_made_of_one_repeated_digit(digit: str) -> None:
    with pytest.raises(errors.DegenerateNumber):
        parse_imei(digit * 15)


def test_refuses_an_imei_whose_type_allocation_code_is_all_zeros() -> None:
    # passes the Luhn check, so only the placeholder rule can catch it
    with pytest.raises(errors.DegenerateNumber):
        parse_imei(with_check_digit("00000000123456"))


def test_refuses_two_imeis_in_one_message() -> None:
    with pytest.raises(errors.NotDigits):
        parse_imei(f"{IMEI} and {OTHER_IMEIS[0]}")


@pytest.mark.parametrize("typed", ["35693803564a809", "IMEI 3569380356438O9", "abc"])
def test_refuses_an_imei_containing_letters(typed: str) -> None:
    with pytest.raises(errors.NotDigits):
        parse_imei(typed)


def test_normalises_full_width_digits_to_ascii_or_refuses_them() -> None:
    typed = IMEI.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    try:
        value = parse_imei(typed).value
    except errors.InvalidIdentifier:
        return
    assert value == IMEI


def test_accepts_an_imei_pasted_with_a_trailing_newline() -> None:
    assert parse_imei(IMEI + "\n").value == IMEI


# --- serial numbers (AIOT) ------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "35719/G2XB01234",
        "sn 35719/g2xb01234",
        "SN: 35719/G2XB01234",
        "serial number 35719/g2xb01234",
    ],
)
def test_accepts_a_serial_number_and_upper_cases_it(typed: str) -> None:
    assert parse_serial(typed) == Identifier("sn", "35719/G2XB01234")


@pytest.mark.parametrize("typed", ["ABCDEFGH", "A1B2C3", "A" * 19 + "12", "35719#G2XB01234"])
def test_refuses_a_serial_number_of_the_wrong_shape(typed: str) -> None:
    with pytest.raises(errors.InvalidSerial):
        parse_serial(typed)


def test_refuses_an_imei_given_for_an_aiot_product() -> None:
    with pytest.raises(errors.ImeiGivenForAiot):
        parse_identifier("35-693803-564380-9", "aiot")


def test_refuses_a_serial_number_given_for_a_phone() -> None:
    with pytest.raises(errors.SerialGivenForPhone):
        parse_identifier("35719/G2XB01234", "phone")


def test_parse_identifier_asks_a_phone_for_its_imei_and_an_aiot_product_for_its_serial() -> None:
    assert parse_identifier(f"IMEI {IMEI}", "phone") == Identifier("imei", IMEI)
    assert parse_identifier("sn 35719/g2xb01234", "aiot") == Identifier("sn", "35719/G2XB01234")


# --- masked form -----------------------------------------------------------------
def test_a_masked_imei_shows_only_its_last_4_digits() -> None:
    masked = parse_imei(IMEI).masked
    assert masked == "*" * 11 + "3809"
    assert IMEI[:11] not in masked


def test_a_masked_serial_number_shows_only_its_last_4_characters() -> None:
    assert parse_serial("35719/G2XB01234").masked == "*" * 11 + "1234"


# --- robustness: junk fed to every parser ------------------------------------------
PARSERS = {
    "parse_imei": parse_imei,
    "parse_serial": parse_serial,
    "parse_email": parse_email,
    "parse_mi_id": parse_mi_id,
    "parse_identifier(phone)": lambda text: parse_identifier(text, "phone"),
    "parse_identifier(aiot)": lambda text: parse_identifier(text, "aiot"),
}
EMPTY = {
    "parse_imei": errors.EmptyIdentifier,
    "parse_serial": errors.EmptyIdentifier,
    "parse_email": errors.InvalidEmail,
    "parse_mi_id": errors.InvalidMiId,
    "parse_identifier(phone)": errors.EmptyIdentifier,
    "parse_identifier(aiot)": errors.EmptyIdentifier,
}
FAMILY = {
    "parse_imei": errors.InvalidIdentifier,
    "parse_serial": errors.InvalidIdentifier,
    "parse_email": errors.InvalidEmail,
    "parse_mi_id": errors.InvalidMiId,
    "parse_identifier(phone)": errors.InvalidIdentifier,
    "parse_identifier(aiot)": errors.InvalidIdentifier,
}
JUNK = {
    "emoji": "📱📱📱",
    "10 kB of nines": "9" * 10_000,
    "10 kB of letters": "a" * 10_000,
    "bytes": b"123",
    "an int": 356938035643809,
    "a NUL character": "\x00",
    "right-to-left marks": "\u200f\u202e\u200e",
    "an IMEI wrapped in right-to-left marks": f"\u200f{IMEI}\u200f",
}


def _refusal(parser_name: str, value: object) -> errors.BotError:
    with pytest.raises(Exception) as caught:
        PARSERS[parser_name](value)
    assert isinstance(caught.value, errors.BotError), f"raised {type(caught.value).__name__}"
    assert caught.value.message.strip()
    return caught.value


@pytest.mark.parametrize("parser_name", PARSERS)
@pytest.mark.parametrize("value", [None, "", "   "], ids=["None", "empty", "blank"])
def test_every_parser_refuses_nothing_as_empty_with_a_message(
    parser_name: str, value: object
) -> None:
    assert isinstance(_refusal(parser_name, value), EMPTY[parser_name])


@pytest.mark.parametrize("parser_name", PARSERS)
@pytest.mark.parametrize("value", list(JUNK.values()), ids=list(JUNK))
def test_every_parser_refuses_junk_with_its_own_error_and_a_message(
    parser_name: str, value: object
) -> None:
    assert isinstance(_refusal(parser_name, value), FAMILY[parser_name])


@pytest.mark.parametrize("parser_name", ["parse_imei", "parse_serial", "parse_identifier(phone)"])
@pytest.mark.parametrize("value", [b"123", 356938035643809], ids=["bytes", "int"])
def test_identifier_parsers_say_an_identifier_must_be_typed_as_text(
    parser_name: str, value: object
) -> None:
    refusal = _refusal(parser_name, value)
    assert type(refusal) is errors.InvalidIdentifier
    assert "text" in refusal.message


@pytest.mark.parametrize("parser_name", ["parse_imei", "parse_serial", "parse_identifier(aiot)"])
def test_identifier_parsers_refuse_10_kb_as_too_long(parser_name: str) -> None:
    refusal = _refusal(parser_name, "9" * 10_000)
    assert type(refusal) is errors.InvalidIdentifier
    assert "10000 characters" in refusal.message


def test_imei_parser_refuses_emoji_as_not_digits() -> None:
    assert isinstance(_refusal("parse_imei", "📱📱📱"), errors.NotDigits)


def test_serial_parser_refuses_emoji_as_an_invalid_serial() -> None:
    assert isinstance(_refusal("parse_serial", "📱📱📱"), errors.InvalidSerial)
