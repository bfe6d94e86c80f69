"""Send messages through the Graph API: ``POST {graph_url}/{version}/{phone_number_id}/messages``.

Busy or failing answers (429, 5xx) and connection failures are retried with
exponential backoff (or the server's ``Retry-After``); a 4xx is final, since the same
request would be refused again. Final failures raise WhatsAppRejected or
WhatsAppUnavailable carrying Meta's error code and message, with personal data masked.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import requests

from bot.errors import ConfigurationError, WhatsAppRejected, WhatsAppUnavailable
from bot.privacy import mask_identifier, mask_text
from bot.settings import WhatsAppSettings

log = logging.getLogger(__name__)

ATTEMPTS = 4
FIRST_BACKOFF = 0.5  # seconds; doubles each attempt
MAX_WAIT = 30.0  # never sleep longer than this, whatever Retry-After says
TIMEOUT = (5.0, 20.0)  # connect, read (seconds)


class GraphClient:
    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        session: requests.Session | None = None,
        attempts: int = ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF,
        timeout: tuple[float, float] = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.attempts = max(attempts, 1)
        self.first_backoff = first_backoff
        self.timeout = timeout
        self.sleep = sleep

    @property
    def url(self) -> str:
        s = self.settings
        return f"{s.graph_url}/{s.api_version}/{s.phone_number_id}/messages"

    def send(self, message: dict[str, Any]) -> str:
        """Send one message body; returns the id WhatsApp gave it."""
        if not (self.settings.access_token and self.settings.phone_number_id):
            raise ConfigurationError(
                "WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID must be set to send WhatsApp messages"
            )
        headers = {"Authorization": f"Bearer {self.settings.access_token}"}
        recipient = mask_identifier(str(message.get("to", "")))
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = self.session.post(
                    self.url, json=message, headers=headers, timeout=self.timeout
                )
            except requests.exceptions.ReadTimeout as exc:
                # The request arrived and may have been delivered: sending again could
                # send it twice, so the caller decides (the outbox retries later).
                raise WhatsAppUnavailable(
                    f"WhatsApp did not answer within {self.timeout[1]:g} s; the message may or may not have been delivered"
                ) from exc
            except requests.exceptions.RequestException as exc:
                if last:
                    raise WhatsAppUnavailable(
                        f"WhatsApp could not be reached after {attempt} attempts ({type(exc).__name__})"
                    ) from exc
                self._wait(attempt, None, f"{type(exc).__name__}", recipient)
                continue
            if response.status_code < 300:
                return _message_id(response)
            problem = _problem(response)
            retryable = response.status_code == 429 or response.status_code >= 500
            if not retryable:
                raise WhatsAppRejected(
                    f"WhatsApp refused the {message.get('type', '')} message (HTTP {response.status_code}): {problem.text}",
                    http_status=response.status_code,
                    graph_code=problem.code,
                )
            if last:
                raise WhatsAppUnavailable(
                    f"WhatsApp stayed unavailable after {attempt} attempts (HTTP {response.status_code}): {problem.text}",
                    http_status=response.status_code,
                    graph_code=problem.code,
                )
            self._wait(attempt, response.headers.get("Retry-After"), problem.text, recipient)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait(self, attempt: int, retry_after: str | None, why: str, recipient: str) -> None:
        delay = self.first_backoff * 2 ** (attempt - 1)
        # Retry-After in seconds wins; an HTTP date or junk keeps our own backoff.
        if retry_after and re.fullmatch(r"\d+(\.\d+)?", retry_after.strip()):
            delay = float(retry_after)
        delay = min(delay, MAX_WAIT)
        log.warning(
            "WhatsApp send to %s failed (attempt %d: %s); retrying in %.1f s",
            recipient,
            attempt,
            why,
            delay,
        )
        self.sleep(delay)


class _Problem:
    def __init__(self, code: int | None, text: str) -> None:
        self.code, self.text = code, text


def _problem(response: requests.Response) -> _Problem:
    """Meta's ``{"error": {"message", "code", "error_data": {"details"}}}``, masked."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    message = str(error.get("message") or response.reason or "no error message")
    message = re.sub(r"^\(#\d+\)\s*", "", message)  # the code is added back, unmasked
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    text = mask_text(f"{message} — {details}" if details else message)
    return _Problem(code, (f"(#{code}) {text}" if code is not None else text)[:400])


def _message_id(response: requests.Response) -> str:
    try:
        messages = response.json().get("messages") or []
        return str(messages[0].get("id", ""))
    except (ValueError, AttributeError, IndexError, TypeError):
        return ""
