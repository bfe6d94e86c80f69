"""The action server's one Desk, built on first use (never at import)."""

from __future__ import annotations

from bot.bootstrap import Desk

_desk: Desk | None = None


def desk() -> Desk:
    global _desk
    if _desk is None:
        _desk = Desk()
    return _desk


def use_desk(replacement: Desk | None) -> None:
    """Point the actions at another Desk (tests)."""
    global _desk
    _desk = replacement
