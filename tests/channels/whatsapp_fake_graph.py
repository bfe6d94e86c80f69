"""A local fake of the WhatsApp Cloud API's ``POST /{version}/{phone-number-id}/messages``.

It checks each request against Meta's documented shapes and limits and answers as
Meta does: ``{"messaging_product", "contacts", "messages": [{"id"}]}`` on success,
``{"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}``
otherwise. It can be told to fail the next requests (429, 500, 400) and to treat
customers as outside the 24-hour window (error 131047 for free-form messages).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import free_port

TOKEN = "test-access-token"
PHONE_NUMBER_ID = "106540352242922"  # Meta's documented example id
VERSION = "v21.0"


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Refusal(Exception):
    def __init__(self, code: int, message: str, details: str, status: int = 400) -> None:
        super().__init__(details)
        self.code, self.message, self.details, self.status = code, message, details, status


def _invalid(details: str) -> Refusal:
    return Refusal(131009, "Parameter value is not valid", details)


def _text_within(value: Any, limit: int, what: str, minimum: int = 1) -> None:
    if not isinstance(value, str) or not (minimum <= units(value) <= limit):
        length = units(value) if isinstance(value, str) else "missing"
        raise _invalid(
            f"{what} length invalid. Min length: {minimum}, Max length: {limit} (got {length})"
        )


def check_message(body: Any, closed_windows: set[str]) -> None:
    """Raise Refusal where Meta would refuse ``body``."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        raise Refusal(100, "Invalid parameter", "messaging_product must be whatsapp")
    if not isinstance(body.get("to"), str) or not body["to"]:
        raise Refusal(100, "Invalid parameter", "to is required")
    kind = body.get("type", "text")
    if kind != "template" and body["to"] in closed_windows:
        raise Refusal(
            131047,
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        )
    content = body.get(kind)
    if not isinstance(content, dict):
        raise Refusal(100, "Invalid parameter", f"{kind} object is required")
    if kind == "text":
        _text_within(content.get("body"), 4096, "Text body")
    elif kind == "interactive":
        _check_interactive(content)
    elif kind == "template":
        _check_template(content)
    elif kind == "image":
        if not content.get("link") and not content.get("id"):
            raise Refusal(100, "Invalid parameter", "image needs a link or an id")
    else:
        raise Refusal(100, "Invalid parameter", f"unknown message type {kind}")


def _check_interactive(content: dict[str, Any]) -> None:
    kind = content.get("type")
    action = content.get("action") or {}
    body = (content.get("body") or {}).get("text")
    header = content.get("header")
    if header is not None:
        _text_within(header.get("text"), 60, "Header text")
    if kind == "button":
        _text_within(body, 1024, "Body text")
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            raise _invalid(f"buttons: between 1 and 3 allowed, got {len(buttons)}")
        ids = [b["reply"]["id"] for b in buttons]
        titles = [b["reply"]["title"] for b in buttons]
        for button_id, title in zip(ids, titles, strict=True):
            _text_within(button_id, 256, "Button id")
            if button_id != button_id.strip():
                raise _invalid("Button id cannot have leading or trailing spaces")
            _text_within(title, 20, "Button title")
        if len(set(ids)) != len(ids) or len(set(titles)) != len(titles):
            raise _invalid("Button ids and titles must be unique")
    elif kind == "list":
        _text_within(body, 4096, "Body text")
        _text_within(action.get("button"), 20, "Button label")
        sections = action.get("sections") or []
        if not 1 <= len(sections) <= 10:
            raise _invalid(f"sections: between 1 and 10 allowed, got {len(sections)}")
        rows = [row for section in sections for row in section.get("rows") or []]
        if not 1 <= len(rows) <= 10:
            raise _invalid(f"rows: between 1 and 10 allowed in total, got {len(rows)}")
        if len(sections) > 1:
            for section in sections:
                _text_within(section.get("title"), 24, "Section title")
        for row in rows:
            _text_within(row.get("id"), 200, "Row id")
            _text_within(row.get("title"), 24, "Row title")
            if "description" in row:
                _text_within(row["description"], 72, "Row description")
        if len({row["id"] for row in rows}) != len(rows):
            raise _invalid("Row ids must be unique")
    else:
        raise Refusal(100, "Invalid parameter", f"unknown interactive type {kind}")


def _check_template(content: dict[str, Any]) -> None:
    if not content.get("name") or not (content.get("language") or {}).get("code"):
        raise Refusal(100, "Invalid parameter", "template name and language code are required")
    for component in content.get("components") or []:
        for parameter in component.get("parameters") or []:
            text = parameter.get("text", "")
            if "\n" in text or "\t" in text or "     " in text:
                raise Refusal(
                    132018,
                    "There was an issue with the parameters in your template.",
                    "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
                )


@dataclass
class Recorded:
    path: str
    authorization: str
    body: Any
    status: int


@dataclass
class FakeGraph:
    """Run with ``with FakeGraph() as graph:``; ``graph.url`` is its base URL."""

    requests: list[Recorded] = field(default_factory=list)
    closed_windows: set[str] = field(default_factory=set)
    _failures: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The message bodies accepted (as a phone would receive them), in order."""
        return [r.body for r in self.requests if r.status == 200]

    def fail_next(
        self,
        times: int,
        status: int,
        code: int = 0,
        message: str = "",
        retry_after: str | None = None,
    ) -> None:
        defaults = {
            429: (130429, "Rate limit hit"),
            500: (131000, "Something went wrong"),
            503: (131016, "Service unavailable"),
            400: (131009, "Parameter value is not valid"),
        }
        code, message = (code, message) if code else defaults.get(status, (1, "Unknown error"))
        self._failures.extend([(status, code, message, retry_after)] * times)

    def handle(
        self, path: str, authorization: str, raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        with self._lock:
            status, answer, headers = self._answer(path, authorization, body)
            self.requests.append(Recorded(path, authorization, body, status))
        return status, answer, headers

    def _answer(
        self, path: str, authorization: str, body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not re.fullmatch(rf"/{VERSION}/{PHONE_NUMBER_ID}/messages", path):
            return 400, _error(100, "Unsupported post request", f"no such path {path}"), {}
        if authorization != f"Bearer {TOKEN}":
            return (
                401,
                _error(190, "Invalid OAuth access token - Cannot parse access token", ""),
                {},
            )
        if self._failures:
            status, code, message, retry_after = self._failures.pop(0)
            headers = {"Retry-After": retry_after} if retry_after else {}
            return status, _error(code, message, f"scripted failure {status}"), headers
        try:
            check_message(body, self.closed_windows)
        except Refusal as refusal:
            return refusal.status, _error(refusal.code, refusal.message, refusal.details), {}
        return (
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.FAKE{next(self._ids):06d}"}],
            },
            {},
        )

    def __enter__(self) -> FakeGraph:
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer, headers = graph.handle(
                    self.path, self.headers.get("Authorization", ""), raw
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass  # keep test output quiet

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _error(code: int, message: str, details: str) -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": "AazZ8sxE6kq2ZmHUUU-Dzbo",
        }
    }
