"""SQLite files hold personal data in clear: created readable by their owner only."""

from __future__ import annotations

import os

from sqlalchemy import text

from bot.store import make_engine
from bot.store.database import private_sqlite_file


def mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_desk_database_is_created_0600_whatever_the_umask(tmp_path):
    previous = os.umask(0o000)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'desk.db'}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        engine.dispose()
    finally:
        os.umask(previous)
    assert mode(tmp_path / "var" / "desk.db") == 0o600
    for companion in ("desk.db-wal", "desk.db-shm"):  # SQLite copies the file's mode
        if (tmp_path / "var" / companion).exists():
            assert mode(tmp_path / "var" / companion) == 0o600


def test_an_existing_world_readable_database_loses_group_and_other_access(tmp_path):
    path = tmp_path / "tracker.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    private_sqlite_file(path)
    assert mode(path) == 0o600
    assert path.read_bytes() == b""  # the contents are untouched


def test_an_owner_only_database_keeps_its_mode(tmp_path):
    path = tmp_path / "desk.db"
    path.write_bytes(b"x")
    path.chmod(0o400)
    private_sqlite_file(path)
    assert mode(path) == 0o400
