"""Personal data in logs (PRIV-2): IMEI/SN to the last 4, email to its first
letter and domain, Mi ID to its last 2, phone numbers to the last 4 — and a logging
filter that applies the same masking to every record of a process and bounds its
length. Only personal data is masked: URLs, ports, dates, times, versions, model file
names, durations and ordinary numbers stay as they are.

>>> mask_identifier("356938035643809")
'***********3809'
>>> mask_email("jane.doe@example.co.uk")
'j***@example.co.uk'
>>> mask_text("imei 35-693803-564380-9 from jane@example.com")
'imei ***********3809 from j***@example.com'
>>> mask_text("POST http://127.0.0.1:5055/webhook 2023-09-28T12:00:01 took 0.25 s")
'POST http://127.0.0.1:5055/webhook 2023-09-28T12:00:01 took 0.25 s'
>>> mask_text("whatsapp +447700900999, mi_id=612345, sn 35719/G2XB01234")
'whatsapp +********0999, mi_id=****45, sn ***********1234'
"""

from __future__ import annotations

import logging
import re
import traceback

MAX_MESSAGE = 2000  # characters of a log record's message (scripts/logging.yml sets it)

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Spans that are never personal data, matched first and kept: ISO dates and times,
# dotted quads (IP addresses), and decimal numbers (a single dot: durations, amounts).
_KEEP = (
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"|\d{1,3}(?:\.\d{1,3}){3}(?![.\d])"
    r"|\d+\.\d+(?![.\d])"
)
# Digit runs, possibly broken by single spaces, dashes or dots (IMEI, phone, Mi ID),
# with a leading + (E.164); 10 to 16 digits are masked whatever their label.
_DIGITS = re.compile(rf"(?<![\w.+\-])(?:(?P<keep>{_KEEP})|\+?\d(?:[ .\-]?\d)*)(?![\w])")
MASKED_DIGITS = (10, 16)
# A Mi ID has 6 to 12 digits (bot/customer.py); shorter than 10 is masked only when
# labelled (``Mi ID 612345``, ``mi_id=612345``, ``"mi_id": "612345"``): unlabelled it
# is an ordinary number.
_MI_ID = re.compile(r"(?i)(\bmi[ _\-]?id\b[\s\"':=#]{0,4})(\d{6,12})(?!\d)")
# A serial number (bot/identifiers.py): 8 to 20 letters, digits and "/", with both a
# letter and a digit, when it has Xiaomi's 12345/ABCD01234 form, is labelled
# (``SN``, ``S/N``, ``serial``) or is all upper case. Lower-case hex (model files,
# request ids) and words joined by dashes (coupon codes, rule ids) are not serials.
_SERIAL_TOKEN = r"(?=[A-Za-z0-9/]*[A-Za-z])(?=[A-Za-z0-9/]*\d)[A-Za-z0-9/]{8,20}"
# Xiaomi's slashed form is digits / letters and digits ("35719/G2XB01234"); a path
# such as "venv/lib/python3" is not a serial.
_SLASHED_SERIAL = re.compile(r"\d+/[A-Za-z0-9]+")
_SERIAL = re.compile(
    r"(?P<url>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]*)|"  # a URL's path is not a serial
    rf"(?i:(?P<label>\b(?:sn|s/n|serial(?:[ _]number)?)\b[\s\"':=#]{{0,4}}))?"
    rf"(?<![\w/\-])(?P<token>{_SERIAL_TOKEN})(?![\w/\-])"
)


def mask_identifier(value: str) -> str:
    """Keep the last 4 characters of an IMEI or serial number."""
    value = value or ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_email(value: str) -> str:
    """Keep the first letter and the domain."""
    local, _, domain = (value or "").partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_mi_id(value: str) -> str:
    value = value or ""
    return "*" * max(len(value) - 2, 0) + value[-2:]


def _mask_digits(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("keep"):
        return text
    digits = re.sub(r"\D", "", text)
    low, high = MASKED_DIGITS
    if not low <= len(digits) <= high:
        return text  # an ordinary number (or too long to be an identifier)
    plus = "+" if text.startswith("+") else ""
    return plus + (mask_identifier(digits) if len(digits) >= 12 else mask_mi_id(digits))


def _mask_serial(match: re.Match[str]) -> str:
    if match.group("url"):
        return match.group(0)
    label, token = match.group("label") or "", match.group("token")
    if label or _SLASHED_SERIAL.fullmatch(token) or token == token.upper():
        return label + mask_identifier(token)
    return match.group(0)


def mask_text(text: str) -> str:
    """Mask the emails, IMEIs, SNs, Mi IDs and phone numbers in free text."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    text = _MI_ID.sub(lambda m: m.group(1) + mask_mi_id(m.group(2)), text)
    text = _DIGITS.sub(_mask_digits, text)
    return _SERIAL.sub(_mask_serial, text)


def bounded(text: str, limit: int) -> str:
    """At most ``limit`` characters, saying how many were left out.

    >>> bounded("x" * 12, 5)
    'xxxxx… (7 more characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def mask_bounded(text: str, limit: int) -> str:
    """``mask_text`` then ``bounded``, without masking megabytes that are cut anyway."""
    # The margin lets an identifier or address that crosses the cut be seen whole.
    margin = 320
    masked = mask_text(text[: limit + margin])
    left_out = len(text) - min(len(text), limit + margin)
    if len(masked) <= limit and not left_out:
        return masked
    return f"{masked[:limit]}… ({len(masked) - limit + left_out} more characters)"


class MaskingFilter(logging.Filter):
    """Rewrites each record's final message with personal data masked, at most
    ``max_length`` characters (a traceback at most 4 times that)."""

    def __init__(self, name: str = "", max_length: int = MAX_MESSAGE) -> None:
        super().__init__(name)
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ValueError(f"max_length must be a positive number of characters: {max_length!r}")
        self.max_length = max_length

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg = mask_bounded(message, self.max_length)
        record.args = None
        # Format the traceback now, masked: a formatter reuses exc_text instead of
        # formatting the exception again with personal data in it.
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = mask_bounded(record.exc_text, 4 * self.max_length)
        if record.stack_info:
            record.stack_info = mask_bounded(record.stack_info, 4 * self.max_length)
        return True


def install_masking() -> None:
    """Mask every record of this process, whichever handler emits it."""
    masking = MaskingFilter()
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_personal_data", False):
        return

    def masked_factory(*args, **kwargs):
        record = factory(*args, **kwargs)
        masking.filter(record)
        return record

    setattr(masked_factory, "masks_personal_data", True)  # noqa: B010 (marks our own factory)
    logging.setLogRecordFactory(masked_factory)
