"""Chatwoot, for teams that already answer customers there (HND-5): the handed-over
conversation is opened in a Chatwoot API inbox and messages go both ways.

Only Chatwoot's documented application API is used, authenticated with the
``api_access_token`` header (``/api/v1/accounts/{account_id}/…``):

- ``GET contacts/search?q=`` and ``POST contacts`` — find or create the contact;
- ``POST contacts/{id}/contact_inboxes`` — tie a known contact to our inbox;
- ``POST conversations`` — open the conversation (``source_id``, ``inbox_id``);
- ``POST conversations/{id}/messages`` — the customer's messages (``incoming``)
  and the handover note for agents (``private``);
- ``POST conversations/{id}/toggle_status`` — ``resolved`` when we close it.

Webhooks come back the other way (``message_created``, ``conversation_status_changed``):
see ``bot/channels/chatwoot.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from bot.errors import ChatwootUnavailable, ConfigurationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatwootSettings:
    url: str
    account_id: int
    inbox_id: int
    api_token: str
    webhook_secret: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ChatwootSettings | None:
        """None unless ``CHATWOOT_URL`` is set (Chatwoot is off by default)."""
        url = (env.get("CHATWOOT_URL") or "").strip()
        if not url:
            return None
        missing = [
            name
            for name in (
                "CHATWOOT_ACCOUNT_ID",
                "CHATWOOT_INBOX_ID",
                "CHATWOOT_API_TOKEN",
                "CHATWOOT_WEBHOOK_SECRET",
            )
            if not (env.get(name) or "").strip()
        ]
        if missing:
            raise ConfigurationError(f"CHATWOOT_URL is set, so {', '.join(missing)} must be too")
        try:
            account, inbox = int(env["CHATWOOT_ACCOUNT_ID"]), int(env["CHATWOOT_INBOX_ID"])
        except ValueError as exc:
            raise ConfigurationError(
                "CHATWOOT_ACCOUNT_ID and CHATWOOT_INBOX_ID are numbers"
            ) from exc
        return cls(
            url.rstrip("/"),
            account,
            inbox,
            env["CHATWOOT_API_TOKEN"].strip(),
            env["CHATWOOT_WEBHOOK_SECRET"].strip(),
        )


def webhook_is_authentic(
    secret: str,
    body: bytes,
    *,
    signature: str | None = None,
    timestamp: str | None = None,
    token: str | None = None,
    now: float | None = None,
    max_age: float = 300.0,
) -> bool:
    """True for a webhook Chatwoot really sent: a signed one (``X-Chatwoot-Signature:
    sha256=HMAC(secret, "{timestamp}.{body}")``, recent), or — for Chatwoot versions
    that do not sign — one whose URL carries ``?token=<secret>``. Constant-time."""
    if not secret:
        return False
    if signature:
        try:
            age = abs((time.time() if now is None else now) - int(timestamp or ""))
        except ValueError:
            return False
        digest = hmac.new(
            secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        return age <= max_age and hmac.compare_digest(signature, f"sha256={digest}")
    return bool(token) and hmac.compare_digest(str(token).encode(), secret.encode())


class ChatwootClient:
    """The few application API calls a handover needs. Errors raise ChatwootUnavailable.

    Only connection failures are retried: a POST that reached Chatwoot is never sent
    twice, so a conversation or message is not duplicated."""

    def __init__(
        self,
        settings: ChatwootSettings,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.settings = settings
        self.timeout, self.attempts, self.backoff = timeout, attempts, backoff
        self.session = session or requests.Session()
        self.base = f"{settings.url}/api/v1/accounts/{settings.account_id}"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        problem = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.session.request(
                    method,
                    f"{self.base}/{path}",
                    headers={"api_access_token": self.settings.api_token},
                    timeout=self.timeout,
                    **kwargs,
                )
            except requests.ConnectionError as exc:
                problem = type(exc).__name__
                if attempt < self.attempts:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            except requests.RequestException as exc:  # e.g. a timeout: it may have arrived
                problem = type(exc).__name__
                break
            if response.status_code >= 400:
                problem = f"HTTP {response.status_code} on {method} {path.split('?')[0]}"
                break
            try:
                return response.json()
            except ValueError:
                problem = f"not JSON from {method} {path.split('?')[0]}"
                break
        log.warning("chatwoot request failed: %s", problem)
        raise ChatwootUnavailable(f"Chatwoot did not accept the request ({problem}).")

    @staticmethod
    def _payload(data: Any) -> Any:
        return data.get("payload", data) if isinstance(data, dict) else data

    def _source_id_in_inbox(self, contact: dict[str, Any]) -> str | None:
        for link in contact.get("contact_inboxes") or []:
            inbox = link.get("inbox") or {}
            if inbox.get("id") == self.settings.inbox_id and link.get("source_id"):
                return str(link["source_id"])
        return None

    def contact_for(self, identifier: str, name: str) -> tuple[int, str]:
        """The contact with ``identifier`` (created if new) and its source id in our inbox."""
        found = self._payload(self._call("GET", "contacts/search", params={"q": identifier}))
        contact = next(
            (c for c in found or [] if isinstance(c, dict) and c.get("identifier") == identifier),
            None,
        )
        if contact is None:
            created = self._payload(
                self._call(
                    "POST",
                    "contacts",
                    json={
                        "inbox_id": self.settings.inbox_id,
                        "name": name,
                        "identifier": identifier,
                    },
                )
            )
            contact = created.get("contact", created)
            source = (created.get("contact_inbox") or {}).get("source_id")
            if source:
                return int(contact["id"]), str(source)
        source_id = self._source_id_in_inbox(contact)
        if source_id is None:
            link = self._payload(
                self._call(
                    "POST",
                    f"contacts/{contact['id']}/contact_inboxes",
                    json={"inbox_id": self.settings.inbox_id},
                )
            )
            source_id = str(link["source_id"])
        return int(contact["id"]), source_id

    def open_conversation(self, identifier: str, name: str, note: str) -> str:
        """Open a conversation for the customer and post ``note`` (a private note for
        agents: why, the facts, the transcript). Returns Chatwoot's conversation id."""
        try:
            contact_id, source_id = self.contact_for(identifier, name)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ChatwootUnavailable(f"Chatwoot sent an unexpected contact ({exc}).") from exc
        created = self._call(
            "POST",
            "conversations",
            json={
                "source_id": source_id,
                "inbox_id": self.settings.inbox_id,
                "contact_id": contact_id,
                "status": "open",
            },
        )
        try:
            conversation_id = str(self._payload(created)["id"])
        except (KeyError, TypeError) as exc:
            raise ChatwootUnavailable("Chatwoot sent no conversation id.") from exc
        self.post_message(conversation_id, note, incoming=False, private=True)
        return conversation_id

    def post_message(
        self, conversation_id: str, text: str, *, incoming: bool, private: bool = False
    ) -> None:
        """Add a message: ``incoming`` from the customer, else ours (``private``: a note
        only agents see — our own outgoing public messages would echo back)."""
        self._call(
            "POST",
            f"conversations/{conversation_id}/messages",
            json={
                "content": text,
                "message_type": "incoming" if incoming else "outgoing",
                "private": private,
            },
        )

    def set_status(self, conversation_id: str, status: str) -> None:
        """``open``, ``pending`` or ``resolved``."""
        self._call(
            "POST", f"conversations/{conversation_id}/toggle_status", json={"status": status}
        )
