"""Personal data never appears in logs in clear (PRIV-2)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest

from bot.privacy import (
    MaskingFilter,
    install_masking,
    mask_email,
    mask_identifier,
    mask_mi_id,
    mask_text,
)

IMEI = "356938035643809"
EMAIL = "jane.doe@example.co.uk"
MI_ID = "6123456789"
SERIAL = "35719/G2XB01234"

Captured = tuple[logging.Logger, io.StringIO]


# --- single values ---------------------------------------------------------------------
def test_masks_an_imei_to_its_last_4_digits() -> None:
    assert mask_identifier(IMEI) == "***********3809"


def test_masks_a_serial_number_to_its_last_4_characters() -> None:
    assert mask_identifier(SERIAL) == "***********1234"


def test_masks_an_email_to_its_first_letter_and_domain() -> None:
    assert mask_email(EMAIL) == "j***@example.co.uk"


def test_masks_a_mi_id_to_its_last_2_digits() -> None:
    assert mask_mi_id(MI_ID) == "********89"


@pytest.mark.parametrize("mask", [mask_identifier, mask_email, mask_mi_id])
def test_masking_nothing_reveals_nothing(mask: Callable[[str], str]) -> None:
    assert mask("").strip("*") == ""
    assert mask(None).strip("*") == ""  # type: ignore[arg-type]


def test_an_address_without_a_domain_is_masked_entirely() -> None:
    assert mask_email("jane.doe") == "***"


# --- free text ---------------------------------------------------------------------------
def test_masks_every_personal_identifier_in_a_sentence() -> None:
    sentence = (
        f"Customer with Mi ID {MI_ID} sent IMEI 35-693803-564380-9, SN {SERIAL} and email {EMAIL}."
    )
    masked = mask_text(sentence)
    for clear in (MI_ID, "35-693803-564380-9", IMEI, SERIAL, "G2XB0", "jane.doe", EMAIL):
        assert clear not in masked
    assert "***********3809" in masked
    assert "j***@example.co.uk" in masked
    assert "********89" in masked
    assert masked.startswith("Customer with Mi ID ")


def test_leaves_text_without_personal_data_unchanged() -> None:
    text = "Coupon issued for Redmi Note 12 Pro+ 5G, case 42, RED-12."
    assert mask_text(text) == text


def test_masks_an_imei_written_with_dots_to_its_last_4_digits() -> None:
    masked = mask_text("imei 35.693803.564380.9")
    assert sum(ch.isdigit() for ch in masked) == 4


# --- logging -------------------------------------------------------------------------------
@pytest.fixture
def captured() -> Iterator[Captured]:
    """A real logger writing to a string, with masking installed for the process."""
    original = logging.getLogRecordFactory()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("tests.unit.privacy")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    install_masking()
    try:
        yield logger, stream
    finally:
        logging.setLogRecordFactory(original)
        logger.removeHandler(handler)


def test_masks_personal_data_passed_as_log_arguments(captured: Captured) -> None:
    logger, stream = captured
    logger.info("redeem %s for %s", "35-693803-564380-9", EMAIL)
    output = stream.getvalue()
    assert "INFO tests.unit.privacy redeem ***********3809 for j***@example.co.uk" in output
    for clear in (IMEI, "35-693803-564380-9", EMAIL, "jane.doe"):
        assert clear not in output


def test_masks_personal_data_passed_as_a_mapping(captured: Captured) -> None:
    logger, stream = captured
    logger.warning("mi id %(mi_id)s", {"mi_id": MI_ID})
    assert stream.getvalue().strip() == "WARNING tests.unit.privacy mi id ********89"


def test_installing_masking_twice_wraps_the_factory_once(captured: Captured) -> None:
    factory = logging.getLogRecordFactory()
    install_masking()
    assert logging.getLogRecordFactory() is factory


def test_a_broken_format_string_still_logs_its_text(captured: Captured) -> None:
    logger, stream = captured
    logger.info("two holes %s %s for " + IMEI, "one argument")
    output = stream.getvalue()
    assert "two holes" in output
    assert IMEI not in output


def test_masks_personal_data_in_a_logged_traceback(captured: Captured) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"IMEI {IMEI} already used by {EMAIL}")
    except ValueError:
        logger.exception("redemption failed")
    output = stream.getvalue()
    assert "Traceback" in output
    assert IMEI not in output
    assert EMAIL not in output


def test_the_masking_filter_on_a_handler_masks_the_final_message() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("tests.unit.privacy.filter")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info("serial %s, mail %s", SERIAL, EMAIL)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().strip() == "serial ***********1234, mail j***@example.co.uk"
