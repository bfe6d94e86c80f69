"""The device registry (DEV-1): activation date, model, sale channel, returned flag.

One interface, two implementations: the SQL table an operator loads from CSV
(the embedded default) and an HTTP client for a remote registry API.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Protocol

import requests
from sqlalchemy.engine import Engine

from bot.decisions.redemption import DeviceRecord
from bot.errors import RegistryUnavailable
from bot.store.repositories import DeviceRepository

log = logging.getLogger(__name__)


class DeviceRegistry(Protocol):
    def lookup(self, identifier: str) -> DeviceRecord | None:
        """The registry's record of a normalised IMEI/SN, or None if unknown."""


class SqlDeviceRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def lookup(self, identifier: str) -> DeviceRecord | None:
        with self.engine.connect() as connection:
            return DeviceRepository(connection).get(identifier)


class HttpDeviceRegistry:
    """``GET {base_url}/devices/{identifier}`` → 200 JSON record, or 404 when unknown.

    JSON fields: identifier, product, activation_date (YYYY-MM-DD), channel, returned.
    Retries connection errors and 429/5xx with backoff; never retries other 4xx.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout, self.attempts, self.backoff = timeout, attempts, backoff
        self.session = session or requests.Session()

    def lookup(self, identifier: str) -> DeviceRecord | None:
        url = f"{self.base_url}/devices/{identifier}"
        problem = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.session.get(url, timeout=self.timeout)
            except requests.RequestException as exc:
                problem = type(exc).__name__
            else:
                if response.status_code == 404:
                    return None
                if response.status_code == 200:
                    return self._record(response.json())
                problem = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    break
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.warning("device registry lookup failed after %d attempt(s): %s", attempt, problem)
        raise RegistryUnavailable(f"The device registry did not answer ({problem}).")

    @staticmethod
    def _record(data: dict) -> DeviceRecord:
        try:
            return DeviceRecord(
                identifier=str(data["identifier"]),
                product=str(data["product"]),
                activation_date=date.fromisoformat(str(data["activation_date"])),
                channel=str(data["channel"]),
                returned=bool(data["returned"]),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise RegistryUnavailable(
                f"The device registry sent a malformed record ({exc})."
            ) from exc
