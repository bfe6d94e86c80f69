"""Coupon codes (RED-12): unique and unguessable.

Codes use an alphabet without look-alike characters (no 0/O, 1/I/L) and carry
about 79 random bits from ``secrets``, e.g. ``IMEI10-7KQ4-XP2M-9HTC-R3WD``.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 symbols: 16 of them ≈ 79 bits
GROUPS, GROUP_SIZE = 4, 4


def new_code(prefix: str) -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS))
    return "-".join((prefix, *groups))
