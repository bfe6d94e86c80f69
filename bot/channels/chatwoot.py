"""Chatwoot on the Rasa server (HND-5), both directions of a handed-over conversation:

- ``POST /webhooks/chatwoot/webhook`` receives Chatwoot's webhooks: an agent's
  ``message_created`` (outgoing, not private) goes to the customer on their own
  channel; ``conversation_status_changed`` to ``resolved`` hands the conversation
  back to the assistant. Requests must be signed (``X-Chatwoot-Signature``) or carry
  ``?token=CHATWOOT_WEBHOOK_SECRET``.
- ``HandoverRelay``, an event broker (``event_broker:`` in endpoints.yml), passes what
  the customer writes during a Chatwoot handover on to Chatwoot.

Both are off unless ``CHATWOOT_URL`` (and the other CHATWOOT_* settings) are set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import errors
from bot.bootstrap import Desk
from bot.channels import guard
from bot.channels.agents import KEPT, PUSHED, Conversations, shared_desk
from bot.chatwoot import webhook_is_authentic
from bot.services import conversation_label

log = logging.getLogger(__name__)


class ChatwootInput(InputChannel):
    """``/webhooks/chatwoot/webhook``: Chatwoot's webhooks for handed-over conversations."""

    @classmethod
    def name(cls) -> str:
        return "chatwoot"

    def __init__(self, desk: Desk | None = None) -> None:
        self._desk = desk

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            self._desk = shared_desk()
        return self._desk

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hooks = Blueprint("chatwoot_webhooks", __name__)

        @hooks.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.desk.chatwoot is not None})

        @hooks.route("/webhook", methods=["POST"], stream=True)
        async def webhook(request: Request) -> HTTPResponse:
            settings = self.desk.settings.chatwoot
            if settings is None:
                return response.json({"error": "Chatwoot is not configured here"}, 404)
            try:
                body = await guard.read_body(request, self.name(), guard.limits())
            except guard.BadInput as exc:
                log.warning("chatwoot webhook refused: %s", exc.reason)
                return response.json(exc.as_json(), exc.status)
            if not webhook_is_authentic(
                settings.webhook_secret,
                body,
                signature=request.headers.get("x-chatwoot-signature"),
                timestamp=request.headers.get("x-chatwoot-timestamp"),
                token=request.args.get("token"),
            ):
                log.warning("chatwoot webhook refused: not signed with our secret")
                return response.json({"error": "not authentic"}, 403)
            try:
                payload = checked(guard.json_object(body))
            except guard.BadInput as exc:
                log.warning("chatwoot webhook refused: %s", exc.reason)
                return response.json(exc.as_json(), exc.status)
            outcome = await self.handle(request.app, payload)
            return response.json({"result": outcome})

        return hooks

    async def handle(self, app: Any, payload: dict[str, Any]) -> str:
        """Act on one webhook; returns what was done (for the reply and the tests)."""
        event = payload.get("event")
        if event == "message_created":
            return await self._message(app, payload)
        if event == "conversation_status_changed":
            return await self._status(app, payload)
        return "ignored: event not used"

    async def _handover(self, conversation: Any) -> Any:
        external_id = (conversation or {}).get("id") if isinstance(conversation, dict) else None
        if external_id is None:
            return None
        return await asyncio.to_thread(self.desk.handover_in_chatwoot, str(external_id))

    async def _message(self, app: Any, payload: dict[str, Any]) -> str:
        # Only what an agent writes to the customer: not the customer's own messages
        # (we posted them), not private notes, not automated templates.
        if payload.get("message_type") != "outgoing" or payload.get("private"):
            return "ignored: not an agent's reply"
        text = str(payload.get("content") or "").strip()
        if not text:
            return "ignored: no text"
        handover = await self._handover(payload.get("conversation"))
        if handover is None or not handover.is_open:
            return "ignored: no open handover for this conversation"
        sender: dict[str, Any] = payload.get("sender") or {}  # an object (``checked``)
        agent = str(sender.get("name") or sender.get("available_name") or "Chatwoot")[:60]
        try:
            message = await asyncio.to_thread(
                self.desk.agent_reply,
                handover.id,
                agent,
                text,
                external_id=f"chatwoot:{payload.get('id')}",
            )
        except errors.HandoverError as exc:
            log.warning("chatwoot reply for handover %s refused: %s", handover.id, exc.message)
            return f"refused: {exc.message}"
        if message is None:
            return "ignored: already delivered"
        outcome = await Conversations(app, self.desk).deliver_agent_message(handover, message)
        return {PUSHED: "delivered", KEPT: "kept for the customer"}.get(
            outcome, "not delivered: the customer's channel refused it"
        )

    async def _status(self, app: Any, payload: dict[str, Any]) -> str:
        if payload.get("status") != "resolved":
            return "ignored: not resolved"
        handover = await self._handover(payload)
        if handover is None:
            return "ignored: no handover for this conversation"
        closed = await asyncio.to_thread(self.desk.close_handover, handover.id, "chatwoot")
        if closed is None:
            return "ignored: already closed"
        await Conversations(app, self.desk).resume(closed)
        return "resumed"


def checked(payload: dict[str, Any]) -> dict[str, Any]:
    """The fields this channel reads have the types Chatwoot sends; BadInput if not."""
    for key, kind, name in (
        ("event", str, "a string"),
        ("content", str, "a string"),
        ("message_type", str, "a string"),
        ("status", str, "a string"),
        ("conversation", dict, "an object"),
        ("sender", dict, "an object"),
    ):
        if payload.get(key) is not None and not isinstance(payload[key], kind):
            raise guard.BadInput(f"{key} must be {name}")
    return payload


class HandoverRelay(EventBroker):
    """Passes the customer's messages during a Chatwoot handover on to Chatwoot.

    Rasa publishes every tracker event here; only ``user`` events matter. Relaying
    runs on one worker thread, so messages arrive in Chatwoot in the order typed."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatwoot-relay")

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Any, event_loop: Any = None
    ) -> HandoverRelay | None:
        desk = shared_desk()
        if desk.chatwoot is None:
            return None  # Chatwoot off: no broker at all, nothing to pay per event
        log.info("relaying customer messages of Chatwoot handovers to Chatwoot")
        return cls(desk)

    def publish(self, event: dict[str, Any]) -> None:
        if event.get("event") != "user" or not event.get("sender_id"):
            return
        text = str(event.get("text") or "")
        if not text.strip():
            return
        future = self._worker.submit(self._relay, str(event["sender_id"]), text)
        future.add_done_callback(self._report)

    def _relay(self, conversation_id: str, text: str) -> None:
        try:
            self.desk.relay_customer_message(conversation_id, text)
        except errors.ChatwootUnavailable as exc:
            # The message stays in the conversation (the inbox shows it); agents in
            # Chatwoot miss it, so say which conversation, without personal data.
            raise errors.ChatwootUnavailable(
                f"customer message of {conversation_label(conversation_id)} not relayed: "
                f"{exc.message}"
            ) from exc

    @staticmethod
    def _report(future: Future) -> None:
        problem = future.exception()
        if problem is not None:
            log.error("chatwoot relay failed: %s", problem)

    async def close(self) -> None:
        self._worker.shutdown(wait=True)
