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


# --- only personal data ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, clear",
    [
        ("IMEI 356938035643809", "356938035643809"),
        ("imei 35-693803-564380-9", "693803"),
        ("imei 35 693803 564380 9", "693803"),
        ("imei 3569 3803 5643 809", "3803 5643"),
        ("from whatsapp:447700900999 at noon", "447700900999"),
        ("E.164 +447700900999", "447700900999"),
        ("call +44 7700 900999", "7700 900999"),
        ("sender=4915112345678&x=1", "4915112345678"),
        ("Mi ID 612345", "612345"),
        ("mi_id=61234567", "61234567"),
        ('{"mi_id": "6123456"}', "6123456"),
        ("unlabelled mi id 6123456789", "6123456789"),
        ("sn 35719/G2XB01234", "G2XB0"),
        ("S/N: g2xb01234ab", "g2xb01234"),
        ("device 35719/G2XB01234 sent", "G2XB0"),
        ("serial_number='AB12CD34EF'", "AB12CD34EF"),
        ("mail jane.doe@example.co.uk", "jane.doe"),
    ],
)
def test_masks_personal_data_in_its_written_forms(text: str, clear: str) -> None:
    assert clear not in mask_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "Starting Rasa server on http://0.0.0.0:5005",
        "Action endpoint is up and running on http://127.0.0.1:5055",
        "POST http://localhost:5055/webhook took 0.532 s",
        "connected to 192.168.100.200:6379",
        "Loading model models/model-c2c41279381c006e.tar.gz...",
        "rasa 3.6.21, rasa_sdk 3.6.2, python 3.10.14, tensorflow 2.12.0",
        "on 2023-09-28 at 12:54:35, next 2023-09-28T12:54:35.123456+01:00",
        "ready in 54 s; restarting in 0.25 s; timeout 300000 ms",
        "outbox: 3 sent, 0 failed, 12345678 bytes",
        "request id 9f1c2a7b4d6e4f0a8b3c5d7e9f1a2b3c",
        "coupon IMEI10-ABCD1234 for rule RED-12, case C-2023-0042",
        "uuid 0f3c9a6d-2b8e-4e51-a7c4-d9b2e6f10a3c",
        "epoch 1695902400.123456 and 1.5e-07",
        "Redmi Note 12 Pro+ 5G, Xiaomi 13T Pro, Redmi Pad SE",
        "ResourceExhaustedError: OOM when allocating tensor with shape[1,100000,256]",
        'File "/work/main/.venv/lib/python3.10/site-packages/engineio/packet.py", line 60',
        "loaded from lib/python3/dist-packages/x and static/js2/widget",
    ],
)
def test_leaves_urls_dates_versions_models_and_ordinary_numbers_intact(text: str) -> None:
    assert mask_text(text) == text


def test_a_long_message_is_bounded_and_says_how_much_was_left_out() -> None:
    masking = MaskingFilter(max_length=50)
    text = "x" * 40 + f" {IMEI} " + "y" * 1_000_000
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "text: %s", (text,), None)
    masking.filter(record)
    line = record.getMessage()
    assert line.startswith("text: " + "x" * 40 + " ***…")
    assert line.endswith(f"… ({len('text: ' + text) - 50} more characters)")
    assert len(line) < 100 and IMEI not in line


def test_an_email_crossing_the_cut_is_still_masked() -> None:
    masking = MaskingFilter(max_length=12)
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "to jane.doe@example.com", None, None
    )
    masking.filter(record)
    assert "jane" not in record.getMessage() and record.getMessage().startswith("to j***@")


def test_the_default_bound_is_2000_characters_and_a_bad_one_is_refused() -> None:
    assert MaskingFilter().max_length == 2000
    with pytest.raises(ValueError, match="positive number of characters"):
        MaskingFilter(max_length=0)
