"""Every channel test counts rates afresh: in memory (never a shared Redis), and
with the limits of data/limits.yml unless the test sets LIMITS_FILE."""

from __future__ import annotations

import pytest

from bot import limits


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("LIMITS_FILE", raising=False)
    limits.reset()
    yield
    limits.reset()
