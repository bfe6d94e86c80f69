"""Reads the servers' logs for unhandled errors: tracebacks and lines at level ERROR or
CRITICAL (the servers' format is "%(asctime)s %(levelname)-7s %(name)s - %(message)s";
Rasa's structlog writes "[error    ]"). Each traceback becomes one line: the log record
that carried it, the innermost frame and the exception; equal findings are counted.
"""

from __future__ import annotations

import re
from collections import Counter

ERROR_LINE = re.compile(r"\s(ERROR|CRITICAL)\s|\[(error|critical|ERROR|CRITICAL)\s*\]")
# "2023-09-28 12:00:00 " (ours) or "[2023-09-28 12:00:00 +0000] [123] " (Sanic's own)
TIMESTAMP = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(,\d+)? |\[\d{4}-\d\d-\d\d [\d:]+ [+-]\d{4}\] \[\d+\] )"
)
# ERROR lines that are Rasa's own report of a request it refused, not a fault: the HTTP
# API logs every wrong or missing token at ERROR and answers 401.
EXPECTED = (re.compile(r"rasa\.server\s+- User is not authenticated\.$"),)


def _split(line: str) -> tuple[str, str]:
    """("rasa.log", the text) from "rasa.log: the text"."""
    name, _, text = line.partition(": ")
    return name, text


def findings(lines: list[str]) -> Counter[str]:
    """Each unhandled error in LINES ("file: text" each), counted.

    >>> findings([
    ...     "rasa.log: 2023-09-28 12:00:00 INFO     x - fine",
    ...     "rasa.log: message async handler error",
    ...     "rasa.log: Traceback (most recent call last):",
    ...     'rasa.log:   File "/x/packet.py", line 119, in add_attachment',
    ...     "rasa.log:     raise ValueError('Unexpected binary attachment')",
    ...     "rasa.log: ValueError: Unexpected binary attachment",
    ...     "rasa.log: 2023-09-28 12:00:01 ERROR    rasa.server  - User is not authenticated.",
    ...     "rasa.log: 2023-09-28 12:00:02 ERROR    bot.x  - boom",
    ... ])  # doctest: +NORMALIZE_WHITESPACE
    Counter({'rasa.log: message async handler error | File "/x/packet.py", line 119, in
    add_attachment | ValueError: Unexpected binary attachment': 1,
    'rasa.log: ERROR    bot.x  - boom': 1})
    """
    found: Counter[str] = Counter()
    i = 0
    while i < len(lines):
        name, text = _split(lines[i])
        if text.startswith("Traceback (most recent call last)"):
            before = _split(lines[i - 1])[1] if i else ""
            frame, j = "", i + 1
            while j < len(lines):
                body = _split(lines[j])[1]
                if body.strip().startswith("File "):
                    frame = body.strip()
                if body and not body[0].isspace():
                    break
                j += 1
            ending = _split(lines[j])[1] if j < len(lines) else "(the log ends)"
            context = TIMESTAMP.sub("", before)[:160]
            found[f"{name}: {context} | {frame[:160]} | {ending[:200]}"] += 1
            i = j + 1
            continue
        carries_traceback = i + 1 < len(lines) and _split(lines[i + 1])[1].startswith("Traceback")
        if ERROR_LINE.search(text) and not carries_traceback:  # else counted with it
            message = TIMESTAMP.sub("", text)
            if not any(pattern.search(message) for pattern in EXPECTED):
                found[f"{name}: {message[:300]}"] += 1
        i += 1
    return found


def summary(lines: list[str], first: int = 15) -> list[str]:
    """The most frequent findings, each with its count, for an assertion message."""
    return [f"{count}x {text}" for text, count in findings(lines).most_common(first)]
