"""Personal data in logs (PRIV-2): IMEI/SN to the last 4, email to its first
letter and domain, Mi ID to its last 2 — and a logging filter that applies the
same masking to every record of a process.

>>> mask_identifier("356938035643809")
'***********3809'
>>> mask_email("jane.doe@example.co.uk")
'j***@example.co.uk'
>>> mask_text("imei 35-693803-564380-9 from jane@example.com")
'imei ***********3809 from j***@example.com'
"""

from __future__ import annotations

import logging
import re
import traceback

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# runs of 6+ digits, possibly broken by spaces, dashes or dots (IMEI, Mi ID, phone-like)
_DIGITS = re.compile(r"(?<![\w])\d(?:[ .\-]?\d){5,}(?![\w])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# serial-number-like tokens: 8-20 letters/digits/slash with at least 3 digits and a letter
_SERIAL = re.compile(r"\b(?=[A-Za-z0-9/]*[A-Za-z])(?=(?:[A-Za-z/]*\d){3})[A-Za-z0-9/]{8,20}\b")


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
    if _DATE.fullmatch(match.group(0)):
        return match.group(0)  # a date is not personal data
    digits = re.sub(r"\D", "", match.group(0))
    return mask_identifier(digits) if len(digits) >= 12 else mask_mi_id(digits)


def mask_text(text: str) -> str:
    """Mask anything in free text that looks like an email, IMEI, Mi ID or SN."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    text = _DIGITS.sub(_mask_digits, text)
    return _SERIAL.sub(lambda m: mask_identifier(m.group(0)), text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's final message with personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        # Format the traceback now, masked: a formatter reuses exc_text instead of
        # formatting the exception again with personal data in it.
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
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
