"""What every webhook checks before a message goes any further (issue #9, items 2-4).

- ``read_body`` / ``json_object``: the body is within its webhook's cap (HTTP 413)
  and a JSON object of bounded nesting (HTTP 400 otherwise, with a short reason).
- ``read_message``: one validator for what a customer sends: the sender a short
  non-empty string of printable Unicode, the message a string, metadata an object.
- ``screen``: rates per sender and per address, then the message length
  (``bot.limits``); over a limit, ``LimitExceeded`` names the domain response that
  tells the customer (``response_text``). Nothing refused reaches NLU or the tracker.
- Sender namespaces: each channel's conversation ids have their own form (``rest:…``,
  a widget session id, a WhatsApp number), so no channel can write into, or have
  agent replies sent to, another channel's conversation (``channel_of_id``).

>>> from bot.limits import load_limits
>>> read_message({"sender": "me", "message": "hi"}, load_limits()).text
'hi'
>>> read_message({"sender": "me", "message": 7}, load_limits())
Traceback (most recent call last):
...
bot.channels.guard.BadInput: message must be a string
>>> rest_conversation("447700900999"), channel_of_id("rest:447700900999")
('rest:447700900999', 'rest')
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from rasa.shared.core.domain import Domain
from sanic import response
from sanic.headers import parse_content_header
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse

from bot import limits as limits_module
from bot.limits import Counter, LimitExceeded, Limits, admit, check_message
from bot.privacy import mask_text
from bot.settings import ROOT

log = logging.getLogger(__name__)

# How deep a JSON body may nest. Real payloads (Meta's, Chatwoot's) nest about six
# levels; deeper ones only serve to exhaust a parser's recursion (RecursionError).
MAX_NESTING = 32
EXCERPT_CHARS = 200
REST_PREFIX = "rest:"
SESSION_ID = re.compile(r"[0-9a-f]{32}")  # the widget's session ids: uuid4().hex
WA_ID = re.compile(r"[0-9]{6,20}")  # WhatsApp ids are the customer's phone number
# Control characters and lone surrogates (which no encoder accepts); a message may
# keep tabs and line breaks, a sender id nothing of the kind.
_BAD_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BAD_IN_SENDER = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class BadInput(Exception):
    """A request the webhook cannot take: ``status`` and a short ``reason`` for the
    client (no personal data in it)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status

    def as_json(self) -> dict[str, str]:
        return {"error": self.reason}


@dataclass(frozen=True)
class Incoming:
    """A customer's message as validated: who, what, and the client's metadata."""

    sender: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


# --- the request body ---------------------------------------------------------------------
async def read_body(request: Request, channel: str, limits: Limits) -> bytes:
    """The body of ``request``, or BadInput(413) once it is over the channel's cap:
    judged by the declared Content-Length before anything is read, then by what
    arrives. A streaming route (``stream=True``) never holds more than the cap; the body
    is kept as ``request.body`` (so ``request.form`` and ``request.json`` work)."""
    cap = limits.body_limit(channel)
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BadInput("Content-Length is not a number")
        if int(declared) > cap:
            raise _too_large(request, cap)
    stream = getattr(request, "stream", None)
    if stream is None or not getattr(stream, "request_body", False) or request.body:
        body = request.body or b""  # read already (not a streaming route)
    else:
        chunks, size = [], 0
        while (chunk := await stream.read()) is not None:
            size += len(chunk)
            if size > cap:
                raise _too_large(request, cap)
            chunks.append(chunk)
        body = request.body = b"".join(chunks)
    if len(body) > cap:
        raise _too_large(request, cap)
    return body


def _too_large(request: Request, cap: int) -> BadInput:
    stream = getattr(request, "stream", None)
    if stream is not None and hasattr(stream, "request_max_size"):
        # Sanic drains what is left of an unread body after the answer: not past the cap
        # (it drops the connection instead).
        stream.request_max_size = cap
    return BadInput(f"the body is over {cap} bytes", 413)


def nesting(value: Any) -> int:
    """How deeply a parsed JSON value nests (iteratively: deep values are the point).

    >>> nesting({"a": [1, {"b": []}]}), nesting("x")
    (4, 0)
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def json_object(body: bytes | str) -> dict[str, Any]:
    """The body as a JSON object, or BadInput saying why not."""
    if not body or not body.strip():
        raise BadInput("the body is empty: send a JSON object")
    try:
        data = json.loads(body)
    except RecursionError:
        raise BadInput("the body nests too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise BadInput("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object")
    if nesting(data) > MAX_NESTING:
        raise BadInput("the body nests too deeply")
    return data


def read_form(request: Request) -> None:
    """Parse an HTML form post strictly (URL-encoded UTF-8, no control characters)
    and keep it as ``request.form``; BadInput otherwise. Sanic's own parser logs a
    traceback and gives an empty form for what it cannot read."""
    content_type, _ = parse_content_header(request.headers.get("content-type") or "")
    body = request.body or b""
    if content_type != "application/x-www-form-urlencoded" and body:
        raise BadInput("send the form as application/x-www-form-urlencoded")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadInput("the form is not valid URL-encoded UTF-8") from None
    for values in fields.values():
        if any(_BAD_IN_TEXT.search(value) for value in values):
            raise BadInput("the form has control characters")
    request.parsed_form = RequestParameters(fields)  # type: ignore[assignment]
    request.parsed_files = RequestParameters()  # type: ignore[assignment]


# --- the fields of a message -----------------------------------------------------------------
def check_sender(value: Any, limits: Limits) -> str:
    """A sender id: a non-empty string, at most ``message.max_sender_chars`` long,
    printable Unicode (no control characters, no lone surrogates)."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput("sender must be a non-empty string")
    if len(value) > limits.max_sender_chars:
        raise BadInput(f"sender must be at most {limits.max_sender_chars} characters")
    if _BAD_IN_SENDER.search(value):
        raise BadInput("sender must be printable Unicode text")
    return value


def check_text(value: Any) -> str:
    """A message text: a non-empty string of valid Unicode text."""
    if not isinstance(value, str):
        raise BadInput("message must be a string")
    if not value.strip():
        raise BadInput("message is empty")
    if _BAD_IN_TEXT.search(value):
        raise BadInput("message must be valid Unicode text without control characters")
    return value


def check_metadata(value: Any) -> dict[str, Any]:
    """Metadata: absent (or null) or a JSON object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInput("metadata must be a JSON object")
    return value


def read_message(
    payload: Any, limits: Limits, metadata_key: str = "metadata", sender: Any = None
) -> Incoming:
    """Validate a message sent as a JSON object; ``sender`` when the server, not the
    payload, knows who sent it (the widget's session)."""
    if not isinstance(payload, dict):
        raise BadInput("the body must be a JSON object")
    if nesting(payload) > MAX_NESTING:
        raise BadInput("the message nests too deeply")
    return Incoming(
        check_sender(payload.get("sender") if sender is None else sender, limits),
        check_text(payload.get("message")),
        check_metadata(payload.get(metadata_key)),
    )


# --- limits ------------------------------------------------------------------------------------
def screen(
    conversation_id: str, address: str | None, text: str, counter: Counter, limits: Limits
) -> None:
    """Count the message against the rates, then check its length: LimitExceeded when
    over one (the message must then go no further)."""
    admit(conversation_id, address, counter, limits)
    check_message(text, limits)


def retry_after(exceeded: LimitExceeded, limits: Limits) -> int:
    """Seconds a client over a rate should wait (the rate's window)."""
    rate = limits.per_address if exceeded.code == "address_rate" else limits.per_sender
    return rate.seconds


def address_of(request: Request) -> str | None:
    """The client's network address (behind a proxy, as Sanic's proxy settings tell)."""
    return request.remote_addr or request.ip or None


# --- what the customer is told ---------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _source_domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def response_text(app: Any, name: str, **values: Any) -> str:
    """The text of the domain response ``name``: from the loaded model's domain, else
    from domain.yml (a model trained before the response was added); ``{key}``
    placeholders take ``values``."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    responses: Mapping[str, Any] = getattr(getattr(agent, "domain", None), "responses", {}) or {}
    variants = responses.get(name) or _source_domain().responses.get(name) or []
    text = next((v["text"] for v in variants if isinstance(v, dict) and v.get("text")), "")
    if not text:
        log.error("the domain has no text for %s: the customer is told nothing", name)
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def excerpt(text: Any) -> str:
    """A bounded, masked excerpt of what a client sent, for a log line."""
    shown = str(text)[:EXCERPT_CHARS]
    more = "…" if len(str(text)) > EXCERPT_CHARS else ""
    return repr(mask_text(shown.encode("utf-8", "backslashreplace").decode()) + more)


# --- sender namespaces -------------------------------------------------------------------------
def rest_conversation(sender: str) -> str:
    """Where a REST client's messages are kept: never a widget's or WhatsApp's id."""
    return REST_PREFIX + sender


def is_session_id(value: Any) -> bool:
    """True for an id of the form the widget's server issues (``uuid4().hex``).

    >>> is_session_id("0f3c9a6d2b8e4e51a7c4d9b2e6f10a3c"), is_session_id("447700900123")
    (True, False)
    """
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


def channel_of_id(conversation_id: str) -> str | None:
    """The channel a conversation id belongs to by its form, or None if no channel
    claims that form (ids made before the namespaces, tests' own channels)."""
    if conversation_id.startswith(REST_PREFIX):
        return "rest"
    if is_session_id(conversation_id):
        return "socketio"
    if WA_ID.fullmatch(conversation_id):
        return "whatsapp"
    return None


def limits() -> Limits:
    """The process's limits (``bot.limits.limits``), read at call time."""
    return limits_module.limits()


def counter() -> Counter:
    """The process's rate counter (``bot.limits.counter``), read at call time."""
    return limits_module.counter()


class Limited:
    """A channel's limits and counter: given in tests, else the process-wide ones."""

    _limits: Limits | None = None
    _counter: Counter | None = None

    @property
    def limits(self) -> Limits:
        return self._limits or limits()

    @property
    def counter(self) -> Counter:
        return self._counter or counter()


BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "0").strip()
    chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
    return chunked or not length.isdigit() or int(length) > 0


async def refuse_unexpected_body(request: Request) -> HTTPResponse | None:
    """A GET/HEAD/OPTIONS/DELETE carrying a body is refused (400) before any route reads
    it: no route of the server takes one, and Sanic would leave it unread."""
    if request.method in BODILESS_METHODS and _has_body(request):
        reason = f"a {request.method} request has no body"
        return response.json({"error": reason}, status=400)
    return None


def guard_whole_app(app: Any, *_: Any) -> None:
    """Checks for every route of the Rasa server, ours and Rasa's own (a server listener)."""
    if refuse_unexpected_body not in app.request_middleware:
        # First, before CORS (sanic_cors answers OPTIONS from its own middleware).
        app.request_middleware.appendleft(refuse_unexpected_body)
