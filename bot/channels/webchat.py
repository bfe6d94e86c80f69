"""The website chat widget's server side: Rasa's socket.io channel, and the page.

``WebchatSocketIO`` is Rasa's socket.io channel (name "socketio", at /socket.io/)
with session persistence that works and keeps sessions apart; ``WebchatPage``
serves ``web/index.html`` at ``/webhooks/webchat/`` and the widget's files under
``/webhooks/webchat/static/``. Both are registered in credentials.yml.
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
SESSION_ID = re.compile(r"[0-9a-f]{32}")
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
MISSING_CLIENT = (
    "socket.io client missing: web/node_modules is not installed. "
    "Run `make web` (npm ci in web/) and reload the page.\n"
)


class WebchatSocketIO(SocketIOInput):
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

        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if is_session_id(asked) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):  # python-socketio >= 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def user_message(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            text = data.get("message")
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not isinstance(text, str) or sender_id not in sio.rooms(sid, namespace=namespace):
                logger.warning("socket.io: a message outside the socket's session was ignored")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            await on_new_message(
                UserMessage(
                    text,
                    SocketIOOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata if isinstance(metadata, dict) else {},
                )
            )

        # replace the handlers Rasa registered for the same events
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, user_message, namespace=namespace)
        return webhook


def is_session_id(value: Any) -> bool:
    """True for an id of the form the server issues (``uuid4().hex``).

    >>> is_session_id("0f3c9a6d2b8e4e51a7c4d9b2e6f10a3c"), is_session_id("447700900123")
    (True, False)
    """
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


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
