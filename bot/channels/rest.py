"""The REST channel (``POST /webhooks/rest/webhook``) with the conversation its own.

Unlike Rasa's ``RestInput`` this channel decides who is who, not the client:

- it always reports ``input_channel`` "rest" (a body naming another channel is refused);
- a client's ``sender`` is kept as the conversation ``rest:<sender>``, so REST can never
  write into a WhatsApp, widget or Chatwoot conversation (the reply's ``recipient_id``
  is still the client's own id);
- each reply carries ``X-Conversation-Token``: an HMAC of the conversation id with the
  server's secret (``REST_CONVERSATION_SECRET``, else a key generated once into
  ``var/rest_conversation.key``, mode 0600; set the variable to the same value on every
  server). ``GET /webhooks/rest/agent_messages?sender=ID`` gives what human agents said
  only with that token in the same header (403 otherwise, and nothing is taken);
- bodies, fields, rates and message length are checked first (``bot.channels.guard``):
  bad input gets 400/413 with a short JSON reason, a client over a rate 429 with
  ``Retry-After`` and the polite ``utter_limit_slow_down`` text.

What agents said while the customer was away also comes first in the reply to the
customer's next message. Rasa's ``?stream=true`` is not offered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.bootstrap import Desk
from bot.channels import guard
from bot.channels.agents import agent_metadata, shared_desk
from bot.handover import session_secret
from bot.limits import Counter, LimitExceeded, Limits
from bot.services import conversation_label

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Conversation-Token"
SECRET_ENV = "REST_CONVERSATION_SECRET"
KEY_FILE = "rest_conversation.key"  # under var/


class ConversationTokens:
    """Per-conversation secrets for REST clients: HMAC-SHA256 of the conversation id."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, conversation_id: str) -> str:
        digest = hmac.new(self._secret, b"rest-conversation\x00", hashlib.sha256)
        digest.update(conversation_id.encode("utf-8"))
        return digest.hexdigest()

    def matches(self, conversation_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.issue(conversation_id), str(token))


class RestWithAgentMessages(guard.Limited, InputChannel):
    """``/webhooks/rest/``: customers over plain HTTP, plus what agents said to them."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(
        self,
        desk: Desk | None = None,
        secret: bytes | None = None,
        limits: Limits | None = None,
        counter: Counter | None = None,
    ) -> None:
        self._desk = desk
        self._tokens = ConversationTokens(secret) if secret else None
        self._limits = limits
        self._counter = counter

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            self._desk = shared_desk()
        return self._desk

    @property
    def tokens(self) -> ConversationTokens:
        if self._tokens is None:
            key_file = self.desk.settings.root / "var" / KEY_FILE
            self._tokens = ConversationTokens(session_secret(os.environ.get(SECRET_ENV), key_file))
        return self._tokens

    def _as_messages(self, recipient: str, pending: list[Any]) -> list[dict[str, Any]]:
        messages = []
        for message in pending:
            item: dict[str, Any] = {"recipient_id": recipient, "text": message.text}
            if message.agent:
                item["metadata"] = agent_metadata(message.agent)
            messages.append(item)
        return messages

    async def _incoming(self, request: Request) -> guard.Incoming:
        body = await guard.read_body(request, self.name(), self.limits)
        payload = guard.json_object(body)
        if payload.get("input_channel") not in (None, self.name()):
            raise guard.BadInput("input_channel is set by the server; leave it out")
        return guard.read_message(payload, self.limits)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        # REST is always on: it installs the checks that cover every route of the server.
        rest.listener("before_server_start")(guard.guard_whole_app)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = await self._incoming(request)
            except guard.BadInput as exc:
                log.info("REST message refused: %s", exc.reason)
                return response.json(exc.as_json(), exc.status)
            client = incoming.sender
            conversation = guard.rest_conversation(client)
            headers = {TOKEN_HEADER: self.tokens.issue(conversation)}
            try:
                guard.screen(
                    conversation,
                    guard.address_of(request),
                    incoming.text,
                    self.counter,
                    self.limits,
                )
            except LimitExceeded as exc:
                return self._over_limit(request, client, exc, headers)
            collector = CollectingOutputChannel()
            pending = await asyncio.to_thread(self.desk.take_pending_messages, conversation)
            for item in self._as_messages(client, pending):
                await collector._persist_message(item)  # whole messages, with metadata
            try:
                await on_new_message(
                    UserMessage(
                        incoming.text,
                        collector,
                        conversation,
                        input_channel=self.name(),
                        metadata=incoming.metadata,
                    )
                )
            except asyncio.CancelledError:
                log.error(
                    "REST message of %s timed out: %s",
                    conversation_label(conversation),
                    guard.excerpt(incoming.text),
                )
            except Exception:  # as Rasa's REST channel: the reply says what was said so far
                log.exception(
                    "REST message of %s failed: %s",
                    conversation_label(conversation),
                    guard.excerpt(incoming.text),
                )
            return response.json(
                [{**message, "recipient_id": client} for message in collector.messages],
                headers=headers,
            )

        @rest.route("/agent_messages", methods=["GET"])
        async def agent_messages(request: Request) -> HTTPResponse:
            try:
                client = guard.check_sender(request.args.get("sender"), self.limits)
            except guard.BadInput as exc:
                return response.json({"error": f"give ?sender=ID: {exc.reason}"}, 400)
            conversation = guard.rest_conversation(client)
            if not self.tokens.matches(conversation, request.headers.get(TOKEN_HEADER)):
                log.warning(
                    "agent messages of %s refused: no valid %s",
                    conversation_label(conversation),
                    TOKEN_HEADER,
                )
                return response.json(
                    {"error": f"send the {TOKEN_HEADER} header of this conversation's replies"},
                    403,
                )
            pending = await asyncio.to_thread(self.desk.take_pending_messages, conversation)
            return response.json(self._as_messages(client, pending))

        return rest

    def _over_limit(
        self, request: Request, client: str, exc: LimitExceeded, headers: dict[str, str]
    ) -> HTTPResponse:
        text = guard.response_text(
            request.app, exc.response, max_chars=self.limits.max_message_chars
        )
        log.info("REST message refused: %s", exc.message)
        if exc.code == "message_too_long":
            return response.json([{"recipient_id": client, "text": text}], headers=headers)
        headers = {**headers, "Retry-After": str(guard.retry_after(exc, self.limits))}
        return response.json([{"recipient_id": client, "text": text}], 429, headers=headers)
