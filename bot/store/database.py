"""Engines for the core's database: SQLite embedded by default, PostgreSQL when configured."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def private_sqlite_file(path: Path) -> None:
    """Creates the SQLite file ``path`` readable by its owner only (personal data in
    clear), or takes group and other access away from an existing one. SQLite gives its
    -wal and -shm files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = path.stat().st_mode
        if mode & 0o077 and path.stat().st_uid == os.geteuid():
            os.chmod(path, mode & 0o700)


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite gets WAL and serialised write transactions,
    PostgreSQL a pinned isolation level."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Pinned, whatever the server's default: repositories rely on each statement
        # seeing what other transactions committed before it (READ COMMITTED).
        return create_engine(url, future=True, pool_pre_ping=True, isolation_level="READ COMMITTED")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        private_sqlite_file(Path(parsed.database))
    engine = create_engine(url, future=True, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front, so a read-then-insert (RED-9 check,
        # then the row) cannot interleave with another writer and deadlock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
