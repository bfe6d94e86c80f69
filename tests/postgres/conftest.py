"""PostgreSQL-only tests: they run in ``make test-postgres`` and skip, saying why, elsewhere."""

from __future__ import annotations

import pytest

from tests.postgres import databases


@pytest.fixture
def postgres_url() -> str:
    """The PostgreSQL database under test (TEST_DATABASE_URL)."""
    url = databases.target_url()
    if url is None:
        pytest.skip(
            f"{databases.ENV} is unset: PostgreSQL tests run in `make test-postgres`, "
            "which starts a private server with scripts/postgres.sh"
        )
    return url


@pytest.fixture
def schema_url(postgres_url: str) -> str:
    """A URL on a fresh, empty schema of the database under test."""
    return databases.schema_url(postgres_url, databases.new_schema())
