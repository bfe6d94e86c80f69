"""Coupon codes (RED-12): unique and unguessable.

Codes use an alphabet without look-alike characters (no 0/O, 1/I/L) and carry
about 79 random bits from ``secrets``, e.g. ``IMEI10-7KQ4-XP2M-9HTC-R3WD``.
"""

from __future__ import annotations

import secrets
from enum import Enum

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 symbols: 16 of them ≈ 79 bits
GROUPS, GROUP_SIZE = 4, 4


class ParticipationStatus(str, Enum):
    """Where an IMEI/SN's one participation stands (RED-9), as stored."""

    ISSUED = "issued"  # the coupon was issued
    REVIEW = "review"  # a person decides (RED-8 unknown, RED-13, RED-15)
    REJECTED = "rejected"  # a person refused it
    REVOKED = "revoked"  # the device left the registry after issue (RED-10)


def new_code(prefix: str) -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS))
    return "-".join((prefix, *groups))
