"""IMEI and serial-number parsing (RED-6).

A phone is identified by its IMEI: 15 digits, the last one a Luhn check digit
(validated with python-stdnum). People type spaces, dashes or a label around
it; those are fine. A 14-digit IMEI (no check digit) and a 16-digit IMEISV are
explained and refused, never silently accepted. AIOT products use the serial
number (SN) instead.

>>> parse_imei("IMEI: 35-693803-564380-9").value
'356938035643809'
>>> parse_imei("35693803564380")
Traceback (most recent call last):
...
bot.errors.MissingCheckDigit: That has 14 digits: the IMEI is missing its last (check) digit.
>>> parse_serial("sn 35719/g2xb01234").value
'35719/G2XB01234'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from stdnum import imei as stdnum_imei
from stdnum.exceptions import ValidationError

from bot import errors
from bot.privacy import mask_identifier

IdentifierKind = Literal["imei", "sn"]
MAX_INPUT = 200  # longer text is not an identifier someone typed

_DIGIT_RUN = re.compile(r"[0-9](?:[\s\-.]*[0-9])*")
_LABEL = re.compile(
    r"^\s*(?:(?:my|the|it'?s|its|is|number|no\.?|num|imei|sn|s/n|serial|serial\s+number)\b[\s:#=\-]*)+",
    re.IGNORECASE,
)
_SERIAL_CHARS = re.compile(r"^[A-Z0-9/]{8,20}$")


@dataclass(frozen=True)
class Identifier:
    """A validated device identifier, normalised (no separators, upper case)."""

    kind: IdentifierKind
    value: str

    @property
    def masked(self) -> str:
        return mask_identifier(self.value)

    @property
    def label(self) -> str:
        return "IMEI" if self.kind == "imei" else "serial number (SN)"


def _as_text(text: object) -> str:
    if text is None or (isinstance(text, str) and not text.strip()):
        raise errors.EmptyIdentifier("No IMEI or serial number was given.")
    if not isinstance(text, str):
        raise errors.InvalidIdentifier("An IMEI or serial number must be typed as text.")
    if len(text) > MAX_INPUT:
        raise errors.InvalidIdentifier(
            f"That is {len(text)} characters long; an IMEI has 15 digits and an SN 8 to 20 characters."
        )
    # Full-width and other compatibility forms become plain ASCII, so one device has one key.
    return unicodedata.normalize("NFKC", text).strip()


def _is_degenerate(value: str) -> bool:
    return len(set(value)) == 1 or value[:8] == "0" * 8 or value in "01234567890123456789"


def parse_imei(text: object) -> Identifier:
    """A phone's IMEI: exactly 15 digits with a valid check digit."""
    raw = _as_text(text)
    runs = _DIGIT_RUN.findall(raw)
    rest = re.sub(r"[\s.,:;#\-]", "", _DIGIT_RUN.sub("", _LABEL.sub("", raw)))
    if not runs or rest:
        raise errors.NotDigits(
            "An IMEI has digits only (15 of them); spaces and dashes between them are fine."
        )
    if len(runs) > 1:
        raise errors.NotDigits("Please send just one IMEI, as 15 digits.")
    digits = re.sub(r"[^0-9]", "", runs[0])
    if len(digits) == 14:
        raise errors.MissingCheckDigit(
            "That has 14 digits: the IMEI is missing its last (check) digit."
        )
    if len(digits) == 16:
        raise errors.ImeiSvNotAccepted(
            "That has 16 digits, which is an IMEISV (software version), not the 15-digit IMEI."
        )
    if len(digits) != 15:
        raise errors.WrongLength(
            f"That has {len(digits)} digits; an IMEI has exactly 15.", digits=len(digits)
        )
    if _is_degenerate(digits):
        raise errors.DegenerateNumber("That is a placeholder number, not a real IMEI.")
    try:
        stdnum_imei.validate(digits)
    except ValidationError as exc:
        raise errors.BadCheckDigit(
            "The last digit does not match the others (check digit): probably a typo."
        ) from exc
    return Identifier("imei", digits)


def _looks_like_imei(raw: str) -> bool:
    digits = re.sub(r"[\s\-.]", "", _LABEL.sub("", raw))
    return digits.isdigit() and len(digits) in (14, 15, 16) and stdnum_imei.is_valid(digits)


def parse_serial(text: object) -> Identifier:
    """An AIOT product's serial number: 8 to 20 letters and digits, '/' allowed."""
    raw = _as_text(text)
    if _looks_like_imei(raw):
        raise errors.ImeiGivenForAiot(
            "That is an IMEI; this product is identified by its serial number (SN)."
        )
    value = re.sub(r"[\s\-.]", "", _LABEL.sub("", raw)).upper()
    if not _SERIAL_CHARS.match(value) or not re.search(r"\d", value):
        raise errors.InvalidSerial(
            "A serial number has 8 to 20 letters and digits (a '/' is allowed)."
        )
    if _is_degenerate(value.replace("/", "")):
        raise errors.DegenerateNumber("That is a placeholder, not a real serial number.")
    return Identifier("sn", value)


def parse_identifier(text: object, product_kind: str) -> Identifier:
    """The identifier the product needs: IMEI for phones, SN for AIOT (RED-6)."""
    if product_kind == "aiot":
        return parse_serial(text)
    raw = _as_text(text)
    if re.search(r"[A-Za-z]", _LABEL.sub("", raw)) and not _looks_like_imei(raw):
        raise errors.SerialGivenForPhone(
            "Phones are identified by their 15-digit IMEI, not a serial number."
        )
    return parse_imei(raw)
