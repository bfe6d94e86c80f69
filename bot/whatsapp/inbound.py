"""Read a WhatsApp webhook body (``object: whatsapp_business_account``) into messages.

Text arrives as the customer's words; a tapped reply button or list row arrives as
the payload we put in its id; media, locations, stickers, contacts and other kinds
are flagged ``unsupported`` so the assistant can answer politely. Delivery
statuses, reactions and system notices are counted and otherwise ignored.

>>> hook = parse_webhook(b'{"object": "whatsapp_business_account", "entry": [{"changes": ['
...     b'{"field": "messages", "value": {"messages": [{"from": "16505551234", "id": "wamid.A",'
...     b' "timestamp": "1739321024", "type": "text", "text": {"body": "hi"}}]}}]}]}')
>>> [(m.kind, m.text, m.wa_id) for m in hook.messages]
[('text', 'hi', '16505551234')]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.errors import MalformedWebhook
from bot.whatsapp.outbound import payload_of

TEXT = "text"
CHOICE = "choice"
UNSUPPORTED = "unsupported"

# Kinds that carry nothing to answer: a reaction emoji, a number-change notice, a
# first-open event. Everything else we cannot read gets the polite "unsupported" answer.
_SILENT_TYPES = frozenset({"reaction", "system", "request_welcome", "ephemeral"})


@dataclass(frozen=True)
class Inbound:
    """One message from a customer."""

    message_id: str
    wa_id: str
    sent_at: datetime | None
    kind: str  # TEXT | CHOICE | UNSUPPORTED
    text: str  # the words, or the chosen option's payload; "" when unsupported
    meta_type: str  # Meta's own type: text, interactive, image, location, sticker, …


@dataclass(frozen=True)
class Webhook:
    messages: tuple[Inbound, ...] = ()
    ignored: int = 0  # statuses and silent kinds
    problems: tuple[str, ...] = ()  # error codes and titles Meta reported (no personal data)


def parse_webhook(body: bytes | str | Mapping[str, Any] | None) -> Webhook:
    """The messages in a webhook body; MalformedWebhook if it is not a JSON object."""
    data = _load(body)
    if data.get("object") != "whatsapp_business_account":
        return Webhook()
    messages: list[Inbound] = []
    ignored = 0
    problems: list[str] = []
    for change in _changes(data):
        value = change.get("value")
        if change.get("field") != "messages" or not isinstance(value, dict):
            ignored += 1
            continue
        problems.extend(_problems(value.get("errors")))
        for status in _dicts(value.get("statuses")):
            ignored += 1
            problems.extend(
                f"message {status.get('status', '?')}: {problem}"
                for problem in _problems(status.get("errors"))
            )
        for raw in _dicts(value.get("messages")):
            message = _message(raw)
            if message is None:
                ignored += 1
            else:
                messages.append(message)
    return Webhook(tuple(messages), ignored, tuple(problems))


def _load(body: bytes | str | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    if not body:
        raise MalformedWebhook("the webhook body is empty")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedWebhook(f"the webhook body is not JSON ({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise MalformedWebhook("the webhook body is not a JSON object")
    return data


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _changes(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        change for entry in _dicts(data.get("entry")) for change in _dicts(entry.get("changes"))
    ]


def _problems(errors: object) -> list[str]:
    return [
        f"{error.get('code', '?')} {error.get('title', '')}".strip() for error in _dicts(errors)
    ]


def _message(raw: dict[str, Any]) -> Inbound | None:
    message_id, wa_id, meta_type = raw.get("id"), raw.get("from"), raw.get("type")
    if not (isinstance(message_id, str) and message_id and isinstance(wa_id, str) and wa_id):
        return None
    meta_type = meta_type if isinstance(meta_type, str) else "unknown"
    if meta_type in _SILENT_TYPES:
        return None
    kind, text = _content(meta_type, raw)
    if kind == TEXT and not text:
        return None  # an empty text has nothing to answer
    return Inbound(message_id, wa_id, _timestamp(raw.get("timestamp")), kind, text, meta_type)


def _content(meta_type: str, raw: dict[str, Any]) -> tuple[str, str]:
    section = raw.get(meta_type)
    section = section if isinstance(section, dict) else {}
    if meta_type == "text":
        return TEXT, _str(section.get("body")).strip()
    if meta_type == "interactive":
        reply_type = _str(section.get("type"))
        reply = section.get(reply_type)
        if reply_type in ("button_reply", "list_reply") and isinstance(reply, dict):
            chosen = payload_of(_str(reply.get("id"))) or _str(reply.get("title"))
            if chosen:
                return CHOICE, chosen
    if meta_type == "button":  # a quick-reply button of a template message
        chosen = _str(section.get("payload")) or _str(section.get("text"))
        if chosen:
            return CHOICE, chosen
    return UNSUPPORTED, ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _timestamp(value: object) -> datetime | None:
    try:
        seconds = int(str(value))
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
