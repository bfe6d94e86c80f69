"""Shape outgoing messages so WhatsApp never refuses them (Cloud API ``/messages`` bodies).

Meta's documented limits are below. Lengths are counted in UTF-16 code units, the
stricter reading, so an emoji counts as two and a message near a limit still fits.
Texts longer than a limit are split at a paragraph, line, sentence or word boundary;
titles are shortened with an ellipsis. Up to 3 choices become reply buttons, more
become list messages of at most 10 rows each (several lists, headed "1/2", "2/2", when
there are more than 10 choices: every option stays one tap away).

>>> split_text("First paragraph.\\n\\nSecond one.", limit=20)
['First paragraph.', 'Second one.']
>>> shorten("Mi Exchange: trade in for a new phone (India)", 20)
'Mi Exchange: trade…'
>>> payload_of(choice_id(2, Choice("Yes", "/affirm"), 256))
'/affirm'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Meta's limits (Cloud API reference: text, interactive reply buttons, interactive lists).
TEXT_LIMIT = 4096
BUTTON_BODY_LIMIT = 1024
LIST_BODY_LIMIT = 4096
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
LIST_BUTTON_LIMIT = 20
HEADER_LIMIT = 60
# Later lists of a long menu repeat the question only as a short reminder.
REMINDER_LIMIT = 120

ELLIPSIS = "…"
# Boundaries to split long text at, strongest first.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"[.!?…][\"'”’)\]]*\s"),
    re.compile(r"\s"),
)
_OUR_ID = re.compile(r"(\d{1,2}):(.*)", re.DOTALL)


@dataclass(frozen=True)
class Choice:
    """An option the customer can tap: what it says and what it sends back."""

    title: str
    payload: str


def units(text: str) -> int:
    """Length as WhatsApp may count it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` units (never half a character)."""
    total = 0
    for index, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > limit:
            return text[:index]
    return text


def shorten(text: str, limit: int) -> str:
    """One line within ``limit`` units; cut at a word when that keeps most of it, then '…'."""
    text = " ".join(text.split())
    if units(text) <= limit:
        return text
    head = fit(text, limit - 1)
    space = head.rfind(" ")
    if space >= len(head) // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–—/(") + ELLIPSIS


def split_text(text: str, limit: int = TEXT_LIMIT, last_limit: int | None = None) -> list[str]:
    """Pieces of at most ``limit`` units (the last one at most ``last_limit``), cut at
    the strongest boundary available."""
    last_limit = limit if last_limit is None else last_limit
    text = text.strip()
    parts: list[str] = []
    while units(text) > last_limit:
        hi = len(fit(text, limit))
        tail_start = _tail_start(text, last_limit)
        if last_limit < limit and tail_start <= hi:
            # this cut can be the last one: give the (smaller) final piece all it can hold
            cut = _cut(text, max(tail_start, 1), hi, late=False)
        else:
            cut = _cut(text, max(hi // 2, 1), hi, late=True)
        head, text = text[:cut].rstrip(), text[cut:].lstrip()
        if head:
            parts.append(head)
    if text:
        parts.append(text)
    return parts


def _tail_start(text: str, limit: int) -> int:
    total = 0
    for index in range(len(text) - 1, -1, -1):
        total += 2 if ord(text[index]) > 0xFFFF else 1
        if total > limit:
            return index + 1
    return 0


def _cut(text: str, lo: int, hi: int, *, late: bool) -> int:
    for pattern in _BREAKS:
        ends = [match.end() for match in pattern.finditer(text, 0, hi) if match.end() >= lo]
        if ends:
            return max(ends) if late else min(ends)
    return hi if late else lo


def unique_titles(titles: Sequence[str], limit: int, start: int = 1) -> list[str]:
    """Each title shortened to ``limit`` (a blank one becomes its number); repeats get
    " (2)", " (3)" so none are equal."""
    result: list[str] = []
    for index, title in enumerate(titles, start=start):
        shortened = shorten(title, limit) or str(index)
        count = 1
        candidate = shortened
        while candidate in result:
            count += 1
            suffix = f" ({count})"
            candidate = shorten(title, limit - units(suffix)) + suffix
        result.append(candidate)
    return result


def choice_id(index: int, choice: Choice, limit: int) -> str:
    """A unique id that carries the payload back to us (``3:/affirm``); a payload too
    long for an id is replaced by the full title, which reads as the customer's words."""
    prefix = f"{index}:"
    # Meta refuses ids with spaces at either end
    payload = choice.payload.strip() or choice.title.strip()
    if units(prefix + payload) > limit:
        payload = " ".join(choice.title.split())
    return fit(prefix + payload, limit).rstrip()


def payload_of(reply_id: str) -> str:
    """The payload in a reply id; ids we did not make pass through unchanged."""
    match = _OUR_ID.fullmatch(reply_id)
    return match.group(2) if match else reply_id


def _envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text_messages(to: str, text: str) -> list[dict[str, Any]]:
    """One text message per piece of ``text``; none for empty text."""
    return [
        _envelope(to, "text", {"preview_url": "http" in part, "body": part})
        for part in split_text(text, TEXT_LIMIT)
    ]


def choice_messages(
    to: str, text: str, choices: Sequence[Choice], list_button: str
) -> list[dict[str, Any]]:
    """``text`` with tappable ``choices``: reply buttons for up to 3, lists for more.
    ``list_button`` labels the list's button (and stands in for an empty text)."""
    choices = [c for c in choices if c.title.strip() or c.payload.strip()]
    if not choices:
        return text_messages(to, text)
    label = shorten(list_button, LIST_BUTTON_LIMIT) or ELLIPSIS
    body_limit = BUTTON_BODY_LIMIT if len(choices) <= MAX_BUTTONS else LIST_BODY_LIMIT
    pieces = split_text(text, TEXT_LIMIT, last_limit=body_limit) or [label]
    messages = [_envelope(to, "text", {"preview_url": False, "body": p}) for p in pieces[:-1]]
    body = pieces[-1]
    if len(choices) <= MAX_BUTTONS:
        titles = unique_titles([c.title.strip() or c.payload for c in choices], BUTTON_TITLE_LIMIT)
        buttons = [
            {"type": "reply", "reply": {"id": choice_id(i, c, BUTTON_ID_LIMIT), "title": t}}
            for i, (c, t) in enumerate(zip(choices, titles, strict=True), start=1)
        ]
        interactive = {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
        return [*messages, _envelope(to, "interactive", interactive)]
    groups = [choices[start : start + MAX_ROWS] for start in range(0, len(choices), MAX_ROWS)]
    for number, group in enumerate(groups, start=1):
        first = (number - 1) * MAX_ROWS + 1
        rows = _rows(group, first)
        list_message: dict[str, Any] = {
            "type": "list",
            "body": {"text": body if number == 1 else shorten(body, REMINDER_LIMIT)},
            "action": {"button": label, "sections": [{"rows": rows}]},
        }
        if len(groups) > 1:
            list_message["header"] = {"type": "text", "text": f"{number}/{len(groups)}"}
        messages.append(_envelope(to, "interactive", list_message))
    return messages


def _rows(group: Sequence[Choice], first: int) -> list[dict[str, str]]:
    full_titles = [" ".join((c.title or c.payload).split()) for c in group]
    titles = unique_titles(full_titles, ROW_TITLE_LIMIT, start=first)
    rows = []
    for index, (choice, full, title) in enumerate(
        zip(group, full_titles, titles, strict=True), start=first
    ):
        row = {"id": choice_id(index, choice, ROW_ID_LIMIT), "title": title}
        if full and title != full:  # the description shows what the short title left out
            row["description"] = shorten(full, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    return rows


def image_message(to: str, url: str) -> dict[str, Any]:
    return _envelope(to, "image", {"link": url})


def template_message(
    to: str, name: str, language: str, parameters: Sequence[str] = ()
) -> dict[str, Any]:
    """An approved template (the only kind allowed outside the 24-hour window)."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if parameters:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
        ]
    return _envelope(to, "template", template)


def template_parameter(text: str, limit: int) -> str:
    """Template parameters may not hold new lines, tabs or runs of spaces: one line."""
    return shorten(text, limit) or ELLIPSIS
