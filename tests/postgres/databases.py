"""Where a test's core database lives: a SQLite file, or a fresh PostgreSQL schema.

With ``TEST_DATABASE_URL`` set (``make test-postgres``), each test directory gets a new
schema in that database and a URL whose connections see only it; ``drop_all`` removes
them.
"""

from __future__ import annotations

import atexit
import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

ENV = "TEST_DATABASE_URL"
made = 0  # schemas made in this run: the plugin fails a run that made none
_pending: list[str] = []
_by_path: dict[Path, str] = {}
_admin_engine: Engine | None = None


def target_url() -> str | None:
    """The PostgreSQL URL the tests run against, or None for SQLite."""
    return os.environ.get(ENV) or None


def database_url(tmp_path: Path) -> str:
    """One test's core database: a SQLite file under ``tmp_path``, or a fresh schema.
    Like the file, the schema is the same for every call with the same ``tmp_path``."""
    base = target_url()
    if base is None:
        return f"sqlite:///{tmp_path / 'desk.db'}"
    if tmp_path not in _by_path:
        _by_path[tmp_path] = new_schema()
    return schema_url(base, _by_path[tmp_path])


def new_schema() -> str:
    """Create an empty schema in the target database; dropped by ``drop_all``."""
    global made
    name = f"test_{uuid.uuid4().hex[:16]}"
    with admin().connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    if made == 0:
        atexit.register(drop_all)  # when run without the plugin, still leave nothing behind
    _pending.append(name)
    made += 1
    return name


def schema_url(base: str, schema: str) -> str:
    """``base`` with connections confined to ``schema`` and named after it."""
    url = make_url(base).update_query_dict(
        # search_path alone: tables, and Alembic's version table, land in the schema.
        # application_name lets drop_all find connections a test left open.
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


def drop_all() -> None:
    """Drop every schema made so far, ending connections still open on them."""
    if not _pending:
        return
    with admin().connect() as connection:
        for name in list(_pending):
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            _pending.remove(name)
    _by_path.clear()


def admin() -> Engine:
    """An autocommit engine on the target database, for schemas and checks."""
    global _admin_engine
    base = target_url()
    if base is None:
        raise RuntimeError(f"{ENV} is unset")
    if _admin_engine is None:
        _admin_engine = create_engine(
            base, future=True, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
    return _admin_engine
