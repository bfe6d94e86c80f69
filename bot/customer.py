"""Customer details other than the device: email address and Mi ID (RED-3).

>>> parse_email("my email is Jane.Doe@Example.CO.UK")
'Jane.Doe@example.co.uk'
>>> parse_mi_id("mi id: 6123 456 789")
'6123456789'
"""

from __future__ import annotations

import re

from bot import errors

_OPENING, _CLOSING = "<([{\"'`", ">)]},;:\"'`.!?"
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?$")
_MI_ID_LABEL = re.compile(
    r"^\s*(?:(?:my|the|it'?s|its|is|mi|xiaomi|account|id|number|no\.?)\b[\s:#=\-]*)+",
    re.IGNORECASE,
)
MI_ID_DIGITS = (6, 12)


def parse_email(text: object) -> str:
    """One email address found in the text, with its domain lower-cased."""
    if not isinstance(text, str) or not text.strip():
        raise errors.InvalidEmail("No email address was given.")
    if len(text) > 320:
        raise errors.InvalidEmail("That is too long for an email address.")
    # Tokens with an '@', minus punctuation around them (not inside: "o'brien@…" stays whole).
    found = [token.lstrip(_OPENING).rstrip(_CLOSING) for token in text.split() if "@" in token]
    if not found:
        raise errors.EmailMissingAt("That has no '@', so it is not an email address.")
    if len(found) > 1:
        raise errors.EmailSeveral("Please send just one email address.")
    local, _, domain = found[0].rpartition("@")
    labels = domain.split(".")
    if len(found[0]) > 254 or len(local) > 64 or not _LOCAL.match(local):
        raise errors.EmailBadName("The part before the '@' is not valid.")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise errors.EmailBadDomain(
            "The part after the '@' is not a valid domain, like example.com."
        )
    if not re.fullmatch(r"[A-Za-z]{2,24}", labels[-1]):
        raise errors.EmailBadDomain(
            "The domain must end with a real ending such as .com or .co.uk."
        )
    return f"{local}@{domain.lower()}"


def parse_mi_id(text: object) -> str:
    """A Mi ID: the account number shown in the Mi account profile (digits)."""
    if not isinstance(text, str) or not text.strip():
        raise errors.InvalidMiId("No Mi ID was given.")
    if len(text) > 100:
        raise errors.InvalidMiId("That is too long for a Mi ID.")
    value = re.sub(r"[\s\-]", "", _MI_ID_LABEL.sub("", text)).strip(".:")
    low, high = MI_ID_DIGITS
    if not value.isdigit() or not value.isascii():
        raise errors.InvalidMiId(
            "A Mi ID is a number (digits only), shown in your Mi account profile."
        )
    if not low <= len(value) <= high:
        raise errors.InvalidMiId(f"A Mi ID has {low} to {high} digits; that has {len(value)}.")
    if len(set(value)) == 1:
        raise errors.InvalidMiId("That is a placeholder number, not a Mi ID.")
    return value
