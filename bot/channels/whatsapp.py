"""WhatsApp (Meta Cloud API) as a Rasa input channel: ``/webhooks/whatsapp/webhook``.

GET answers Meta's verification (``hub.challenge`` for the right ``hub.verify_token``);
POST checks the body's size and ``X-Hub-Signature-256``, answers 200 at once and
handles the messages afterwards, each message id once (bot.whatsapp.store). A message
over a limit (length, rate: ``bot.channels.guard``) goes no further; the customer gets
one polite answer per rate window, not one per message. Refusals are short JSON
reasons (400 bad body, 403 bad signature, 413 too large). Settings come from
credentials.yml (``${WHATSAPP_…}`` values) and fall back to the environment; without
them the channel refuses every request and the rest of the server runs as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import language
from bot.bootstrap import Desk
from bot.channels import guard
from bot.errors import BadWebhookSignature, MalformedWebhook
from bot.limits import Counter, LimitExceeded, Limits, Rate, subject_key
from bot.privacy import mask_identifier
from bot.settings import Settings, WhatsAppSettings
from bot.whatsapp.gateway import WhatsApp
from bot.whatsapp.inbound import UNSUPPORTED, Inbound, parse_webhook
from bot.whatsapp.outbound import Choice, choice_messages, image_message, text_messages
from bot.whatsapp.signature import token_matches, verify

log = logging.getLogger(__name__)

# What Rasa reads for a message it cannot understand (image, location, sticker, …):
# an intent that a rule answers with the domain response utter_whatsapp_unsupported.
UNSUPPORTED_MESSAGE = "/whatsapp_unsupported"
# The domain response that labels the button opening a list of choices.
LIST_BUTTON_RESPONSE = "utter_whatsapp_list_button"
FALLBACK_LIST_BUTTON = "☰"  # no words, so nothing to translate, if the domain has none
SHUTDOWN_GRACE = 20.0  # seconds a stopping server gives taken messages to finish
CREDENTIALS = ("verify_token", "app_secret", "access_token", "phone_number_id", "api_version")


class WhatsAppOutput(OutputChannel):
    """Replies through the Graph API, shaped to WhatsApp's limits (bot.whatsapp.outbound)."""

    def __init__(self, whatsapp: WhatsApp, list_button: str = FALLBACK_LIST_BUTTON) -> None:
        self.whatsapp = whatsapp
        self.list_button = list_button

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def _send(self, messages: Iterable[dict[str, Any]]) -> None:
        for message in messages:
            # requests blocks (and sleeps between retries): keep the event loop free
            await asyncio.to_thread(self.whatsapp.send, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(text_messages(recipient_id, text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = [
            Choice(str(button.get("title") or ""), str(button.get("payload") or ""))
            for button in buttons
        ]
        await self._send(choice_messages(recipient_id, text, choices, self.list_button))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send([image_message(recipient_id, image)])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A response's ``custom: {whatsapp: {type: …, …}}`` is sent as that Cloud API body."""
        body = json_message.get("whatsapp") if isinstance(json_message, dict) else None
        if not isinstance(body, dict):
            log.warning("a custom response without a 'whatsapp' body was not sent to WhatsApp")
            return
        message = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        await self._send([{**message, **body, "to": recipient_id}])


class WhatsAppInput(guard.Limited, InputChannel):
    """Meta's webhook for one WhatsApp Business phone number."""

    def __init__(
        self, desk: Desk, limits: Limits | None = None, counter: Counter | None = None
    ) -> None:
        self.desk = desk
        self.tasks: set[asyncio.Task[None]] = set()
        self._limits = limits
        self._counter = counter

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        settings = Settings.from_env()
        given = {
            key: str(value).strip()
            for key, value in (credentials or {}).items()
            if key in CREDENTIALS and value is not None and str(value).strip()
        }
        return cls(Desk(replace(settings, whatsapp=replace(settings.whatsapp, **given))))

    @property
    def settings(self) -> WhatsAppSettings:
        return self.desk.settings.whatsapp

    def get_output_channel(self) -> OutputChannel | None:
        return WhatsAppOutput(self.desk.whatsapp)

    async def drain(self) -> None:
        """Wait until every message taken so far has been handled (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            s = self.settings
            ready = all((s.verify_token, s.app_secret, s.access_token, s.phone_number_id))
            return response.json({"status": "ok", "configured": ready})

        @webhook.route("/webhook", methods=["GET"])
        async def verify_subscription(request: Request) -> HTTPResponse:
            if not self.settings.verify_token:
                log.warning("WhatsApp verification refused: WHATSAPP_VERIFY_TOKEN is not set")
                return response.text("WhatsApp is not configured", status=403)
            mode = request.args.get("hub.mode")
            token = request.args.get("hub.verify_token")
            if mode != "subscribe" or not token_matches(self.settings.verify_token, token):
                log.warning("WhatsApp verification refused: wrong mode or verify token")
                return response.text("verification failed", status=403)
            return response.text(request.args.get("hub.challenge", ""))

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.app_secret:
                log.warning("WhatsApp webhook refused: WHATSAPP_APP_SECRET is not set")
                return response.json({"error": "WhatsApp is not configured"}, 503)
            try:
                body = await guard.read_body(request, self.name(), self.limits)
                verify(self.settings.app_secret, body, request.headers.get("X-Hub-Signature-256"))
                hook = parse_webhook(guard.json_object(body))
            except guard.BadInput as exc:
                log.warning("WhatsApp webhook refused: %s", exc.reason)
                return response.json(exc.as_json(), exc.status)
            except BadWebhookSignature as exc:
                log.warning("WhatsApp webhook refused: %s", exc.message)
                return response.json({"error": "bad signature"}, 403)
            except MalformedWebhook as exc:
                log.warning("WhatsApp webhook refused: %s", exc.message)
                return response.json({"error": "malformed body"}, 400)
            for problem in hook.problems:
                log.warning("WhatsApp reported a problem: %s", problem)
            if hook.messages:
                # Meta wants its 200 within seconds and retries otherwise: answer now,
                # handle the messages (model, actions, replies) afterwards.
                task = asyncio.create_task(self._handle(hook.messages, on_new_message, request.app))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            return response.text("EVENT_RECEIVED")

        @webhook.listener("before_server_stop")
        async def finish_taken_messages(*_: Any) -> None:
            # Meta already has its 200 for these and will not send them again.
            try:
                await asyncio.wait_for(self.drain(), timeout=SHUTDOWN_GRACE)
            except asyncio.TimeoutError:
                log.warning("stopping with %d WhatsApp message(s) unanswered", len(self.tasks))

        return webhook

    async def _handle(
        self,
        messages: Iterable[Inbound],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any,
    ) -> None:
        whatsapp = self.desk.whatsapp
        list_button = _list_button(app)
        for message in messages:  # in order: one webhook may carry several from one customer
            who = mask_identifier(message.wa_id)
            try:
                if not await asyncio.to_thread(whatsapp.accept, message):
                    log.info("WhatsApp message from %s was handled before; not again", who)
                    continue
                text = _rasa_text(message)
                if not text:
                    continue
                output = WhatsAppOutput(whatsapp, list_button)
                try:
                    guard.screen(message.wa_id, None, text, self.counter, self.limits)
                except LimitExceeded as exc:
                    log.info("WhatsApp message from %s dropped: %s", who, exc.message)
                    await self._tell(app, output, message.wa_id, exc)
                    continue
                await on_new_message(
                    UserMessage(
                        text,
                        output,
                        message.wa_id,
                        input_channel=self.name(),
                        message_id=message.message_id,
                        metadata={
                            "whatsapp": {"type": message.meta_type, "kind": message.kind},
                            # a first guess at the language (+34 Spanish...), not the number
                            "calling_code": language.calling_code(message.wa_id),
                        },
                    )
                )
            except Exception:  # one bad message must not stop the others; logged, masked
                log.exception("WhatsApp message from %s could not be handled", who)

    async def _tell(
        self, app: Any, output: WhatsAppOutput, wa_id: str, exceeded: LimitExceeded
    ) -> None:
        """The polite answer to a message over a limit; over a rate, once per window
        (each answer is a Graph API call, and a flood must not become one)."""
        if exceeded.code != "message_too_long":
            window = Rate(1, guard.retry_after(exceeded, self.limits))
            if not self.counter.hit(subject_key("told", wa_id), window):
                return
        text = guard.response_text(app, exceeded.response, max_chars=self.limits.max_message_chars)
        if text:
            await output.send_text_message(wa_id, text)


def _rasa_text(message: Inbound) -> str:
    if message.kind == UNSUPPORTED:
        return UNSUPPORTED_MESSAGE
    if message.kind == "text":
        # Typed text is always read by NLU: a leading "/" would let anyone type an
        # intent with entities. Only our own buttons' payloads may carry one.
        return message.text.lstrip("/").strip()
    return message.text


def _list_button(app: Any) -> str:
    """The list button label from the domain (so it is reviewed and translated there)."""
    agent = getattr(app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    responses = getattr(domain, "responses", None) or {}
    for variant in responses.get(LIST_BUTTON_RESPONSE) or []:
        if isinstance(variant, dict) and variant.get("text"):
            return str(variant["text"])
    return FALLBACK_LIST_BUTTON
