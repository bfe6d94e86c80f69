"""Rasa's SQL tracker store configured by one URL (``TRACKER_STORE_URL``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from bot.store.database import private_sqlite_file


class UrlSQLTrackerStore(SQLTrackerStore):
    """``sqlite:///var/tracker.db`` or ``postgresql://user:pass@host:5432/db``."""

    def __init__(
        self, host: str | None = None, domain: Any = None, event_broker: Any = None, **kwargs: Any
    ) -> None:
        if not host:
            raise ValueError("TRACKER_STORE_URL is empty: give an SQLAlchemy URL")
        url = make_url(host)
        dialect = url.get_backend_name()
        if dialect == "sqlite" and url.database:
            private_sqlite_file(Path(url.database))  # conversations hold personal data
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=url.host,
            port=url.port,
            db=url.database or "rasa.db",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            **kwargs,
        )
