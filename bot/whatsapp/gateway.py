"""The WhatsApp adapters bound to one database, clock and settings (built by Desk)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine

from bot.calendar import Clock
from bot.settings import WhatsAppSettings
from bot.whatsapp.graph_client import GraphClient
from bot.whatsapp.inbound import Inbound
from bot.whatsapp.notifier import MessageSender, Notifier
from bot.whatsapp.sender import WhatsAppSender
from bot.whatsapp.store import WhatsAppStore


class WhatsApp:
    def __init__(
        self,
        settings: WhatsAppSettings,
        engine: Engine,
        clock: Clock,
        client: MessageSender | None = None,
    ) -> None:
        self.settings, self.clock = settings, clock
        self.store = WhatsAppStore(engine)
        self._client = client

    @cached_property
    def client(self) -> MessageSender:
        return self._client or GraphClient(self.settings)

    @cached_property
    def notifier(self) -> Notifier:
        return Notifier(self.client, self.store, self.clock, self.settings)

    @cached_property
    def sender(self) -> WhatsAppSender:
        return WhatsAppSender(self.notifier)

    def accept(self, message: Inbound) -> bool:
        """Claim an incoming message (False if it was taken before) and note that the
        customer wrote, which opens the 24-hour window."""
        now = self.clock.now()
        # Meta's timestamp is when the customer wrote; never later than our own now
        # (a pinned demo clock must see the window in its own time).
        sent_at = min(message.sent_at or now, now)
        return self.store.accept(message.message_id, message.wa_id, sent_at, now)

    def send(self, message: dict[str, Any]) -> str:
        """Send one Cloud API message body now; returns its WhatsApp id."""
        return self.client.send(message)
