"""The conversation store holds what customers typed: its SQLite file is owner-only."""

from __future__ import annotations

import os

from bot.channels.tracker_store import UrlSQLTrackerStore


def test_the_tracker_database_is_created_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "var" / "tracker.db"
    previous = os.umask(0o000)
    try:
        store = UrlSQLTrackerStore(host=f"sqlite:///{path}")
        store.engine.dispose()
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o600
