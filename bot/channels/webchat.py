"""The website chat widget's server side: Rasa's socket.io channel, and the page.

``WebchatSocketIO`` is Rasa's socket.io channel (name "socketio", at /socket.io/)
with session persistence that works and keeps sessions apart; ``WebchatPage``
serves ``web/index.html`` at ``/webhooks/webchat/`` and the widget's files under
``/webhooks/webchat/static/``. Both are registered in credentials.yml.

Each socket.io event is at most ``body_bytes.webchat`` (engine.io's buffer size) and is
validated (``bot.channels.guard``): a bad one gets an ``input_refused`` event with a
short reason, a message over a limit the polite answer as ``bot_uttered``; neither
reaches NLU or the tracker store.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import guard
from bot.channels.guard import is_session_id
from bot.limits import LimitExceeded
from bot.settings import ROOT

logger = logging.getLogger(__name__)

# The one file taken from node_modules; everything else comes from web/widget/.
SOCKET_IO_CLIENT = Path("node_modules/socket.io-client/dist/socket.io.min.js")
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# A plain file name: no separators, no leading dot, so no way out of the folder.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
REFUSED_EVT = "input_refused"  # what a socket hears when its event could not be taken
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
MISSING_CLIENT = (
    "socket.io client missing: web/node_modules is not installed. "
    "Run `make web` (npm ci in web/) and reload the page.\n"
)


# What python-socketio raises while decoding a packet a client made up (``42[``, ``4x``,
# ``42[]``, a stray binary frame); our own event handlers run as separate tasks.
MALFORMED_PACKET = (ValueError, TypeError, IndexError, KeyError, AttributeError)


def dropping_malformed_packets(
    handle: Callable[[str, Any], Awaitable[None]],
) -> Callable[[str, Any], Awaitable[None]]:
    """socket.io's packet handler, with a packet it cannot decode dropped with one warning
    instead of a traceback per packet (the socket stays connected; nothing reaches Rasa)."""

    async def handle_or_drop(eio_sid: str, data: Any) -> None:
        try:
            await handle(eio_sid, data)
        except MALFORMED_PACKET as exc:
            logger.warning("socket.io: a malformed packet was dropped (%s)", type(exc).__name__)

    return handle_or_drop


class PacketErrorsAsWarnings(logging.Filter):
    """engine.io catches what a client's undecodable packet raises on a websocket and
    keeps the connection, but logs it as an error with a traceback: one warning instead."""

    HANDLED = frozenset({"Unknown receive error"})

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage() in self.HANDLED:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            record.msg, record.args = "socket.io: a malformed packet was dropped (%s)", (kind,)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def closing_malformed_websockets(
    handle: Callable[..., Awaitable[Any]],
) -> Callable[..., Awaitable[Any]]:
    """engine.io's request handler, with a websocket that sends a frame engine.io cannot
    decode (an empty one, say) closed with one warning; engine.io would let the error out
    and Sanic would log a traceback and try to answer on the closed connection."""

    async def handle_or_close(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.headers.get("upgrade", "").lower() != "websocket":
            return await handle(request, *args, **kwargs)
        try:
            await handle(request, *args, **kwargs)
        except MALFORMED_PACKET as exc:
            logger.warning("socket.io: a websocket sent a malformed frame (%s)", type(exc).__name__)
        # The connection was a websocket: no HTTP response follows it (engine.io returns
        # one, which Sanic would try to write on a connection the client may have shut).
        return None

    handle_or_close.is_websocket = True  # type: ignore[attr-defined]  # Sanic: None is fine
    return handle_or_close


class WebchatSocketIO(guard.Limited, SocketIOInput):
    """Rasa's socket.io channel ("socketio"), with sessions that work and stay private.

    Two fixes over Rasa 3.6 with session persistence. It calls ``AsyncServer.enter_room``
    without awaiting it, but python-socketio 5.10+ made that a coroutine: the socket
    never joined its session's room, so replies were lost. And it took any
    ``session_id`` a client named as the sender id, so a crafted client could write into
    another channel's conversation (a WhatsApp sender id is a phone number). Here a
    session id has the form the server issues, and a message counts only for the
    session its socket joined.
    """

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint
        namespace = self.namespace
        # One event (a packet) at most this big: engine.io refuses larger ones unread.
        sio.eio.max_http_buffer_size = self.limits.body_limit("webchat")
        sio.eio.on("message", dropping_malformed_packets(sio._handle_eio_message))
        sio.eio.handle_request = closing_malformed_websockets(sio.eio.handle_request)
        if not any(isinstance(f, PacketErrorsAsWarnings) for f in sio.eio.logger.filters):
            sio.eio.logger.addFilter(PacketErrorsAsWarnings())

        async def refuse(sid: str, reason: str) -> None:
            await sio.emit(REFUSED_EVT, {"error": reason}, room=sid, namespace=namespace)

        # Any number of arguments: a client may send an event with none, or several.
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if is_session_id(asked) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):  # python-socketio >= 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def user_message(sid: str, data: Any = None, *extra: Any) -> None:
            if not isinstance(data, dict) or extra:
                return await refuse(sid, "the event must be a JSON object")
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not isinstance(sender_id, str) or sender_id not in sio.rooms(
                sid, namespace=namespace
            ):
                logger.warning("socket.io: a message outside the socket's session was ignored")
                return await refuse(sid, "session_id is not this socket's session")
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):  # Rasa's widgets may send it as JSON text
                try:
                    metadata = json.loads(metadata)
                except (ValueError, RecursionError):
                    return await refuse(sid, "metadata must be a JSON object")
            try:
                incoming = guard.read_message(
                    {**data, self.metadata_key: metadata},
                    self.limits,
                    self.metadata_key,
                    sender=sender_id,
                )
            except guard.BadInput as exc:
                logger.info("socket.io: a message was refused: %s", exc.reason)
                return await refuse(sid, exc.reason)
            output = SocketIOOutput(sio, self.bot_message_evt)
            request = (sio.get_environ(sid, namespace=namespace) or {}).get("sanic.request")
            address = guard.address_of(request) if request is not None else None
            try:
                guard.screen(sender_id, address, incoming.text, self.counter, self.limits)
            except LimitExceeded as exc:
                logger.info("socket.io: a message was dropped: %s", exc.message)
                text = guard.response_text(
                    getattr(request, "app", None),
                    exc.response,
                    max_chars=self.limits.max_message_chars,
                )
                if text:
                    await output.send_text_message(sid, text)
                return None
            await on_new_message(
                UserMessage(
                    incoming.text,
                    output,
                    sender_id,
                    input_channel=self.name(),
                    metadata=incoming.metadata,
                )
            )
            return None

        # replace the handlers Rasa registered for the same events
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, user_message, namespace=namespace)
        return webhook


class WebchatPage(InputChannel):
    """Serves the widget demo page and the widget's static files (no messages)."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(web_root=credentials.get("web_root"))

    def __init__(self, web_root: str | Path | None = None) -> None:
        root = Path(web_root) if web_root else ROOT / "web"
        self.web_root = root if root.is_absolute() else ROOT / root

    def static_file(self, name: str) -> Path | None:
        """The file a ``static/<name>`` URL stands for, or None if it is not served."""
        if not SAFE_NAME.match(name) or Path(name).suffix not in CONTENT_TYPES:
            return None
        if name == SOCKET_IO_CLIENT.name:
            return self.web_root / SOCKET_IO_CLIENT
        widget_dir = (self.web_root / "widget").resolve()
        path = (widget_dir / name).resolve()
        return path if path.parent == widget_dir and path.is_file() else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_page", __name__)
        if not (self.web_root / SOCKET_IO_CLIENT).is_file():
            logger.warning("web/node_modules is missing: the chat widget needs `make web`")

        @webchat.route("/", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            return await response.file(
                self.web_root / "index.html", mime_type=CONTENT_TYPES[".html"], headers=HEADERS
            )

        @webchat.route("/static/<name:str>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            path = self.static_file(name)
            if path is None:
                return response.text("not found\n", status=404, headers=HEADERS)
            if not path.is_file():  # only the socket.io client can be listed yet absent
                return response.text(MISSING_CLIENT, status=404, headers=HEADERS)
            return await response.file(path, mime_type=CONTENT_TYPES[path.suffix], headers=HEADERS)

        return webchat
