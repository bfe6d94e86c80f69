"""The trained model the held-out stages measure (make test-nlu trains it first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nlu import measure


@pytest.fixture(scope="session")
def model() -> Path:
    try:
        return measure.current_model()
    except FileNotFoundError as exc:
        pytest.fail(f"{exc} (make test-nlu does)")
