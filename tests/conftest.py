"""Shared fixtures: the real program data, a real SQLite database, a pinned clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import limits
from bot.bootstrap import Desk
from bot.calendar import Clock
from bot.device_import import read_file
from bot.programs import RedemptionProgram, load_programs
from bot.settings import ROOT, Settings

LONDON = ZoneInfo("Europe/London")
SAMPLE_REGISTRY = ROOT / "data" / "devices" / "sample_registry.csv"


def london(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(scope="session")
def program() -> RedemptionProgram:
    return load_programs(ROOT / "data" / "programs")["RED"]


def make_desk(tmp_path: Path, today: str | None = "2023-09-28", **overrides: str) -> Desk:
    """A Desk on a fresh database and a file outbox under ``tmp_path``. The database is a
    SQLite file, or a fresh PostgreSQL schema when TEST_DATABASE_URL is set."""
    from tests.postgres.databases import database_url

    settings = replace(
        Settings.from_env({}),
        database_url=overrides.pop("database_url", None) or database_url(tmp_path),
        email_url=f"file://{tmp_path / 'outbox'}",
        today=today,
    )
    settings = replace(settings, **overrides)
    desk = Desk(settings)
    desk.migrate()
    return desk


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """Pinned to 2023-09-28 (inside the window, before the coupon expires), with the
    sample device registry loaded."""
    desk = make_desk(tmp_path)
    desk.import_devices(read_file(SAMPLE_REGISTRY))
    return desk


def pin(desk: Desk, moment: datetime) -> Desk:
    desk.__dict__["clock"] = Clock.fixed(moment)
    return desk


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch):
    """Every test counts rates afresh: in memory (never a shared Redis), with the limits of
    data/limits.yml unless the test sets LIMITS_FILE."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("LIMITS_FILE", raising=False)
    limits.reset()
    yield
    limits.reset()
