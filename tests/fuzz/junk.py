"""Seeded junk for the fuzz stage: bodies, values, texts, paths and query strings.

Everything comes from one ``random.Random`` made from a fixed seed (FUZZ_SEED, printed
by the tests), so a failing input can be made again. Most of it is malformed (wrong
types, wrong encodings, deep nesting, sizes around and over the limits) and never
reaches the model; ``texts`` gives the well-formed words that do.
"""

from __future__ import annotations

import json
import os
import random
import string
from collections.abc import Iterator
from typing import Any

SEED = int(os.environ.get("FUZZ_SEED") or 20231128)

# Raw bodies no JSON parser should choke on, and some it should refuse.
RAW_BODIES: list[bytes] = [
    b"",
    b'""',
    b"[]",
    b"{}",
    b"null",
    b"0",
    b"-1",
    b"1e999",
    b"NaN",
    b"Infinity",
    b"true",
    b'"str"',
    b"{",
    b"}",
    b"[",
    b'{"sender": ',
    b"{'sender': 'x'}",
    b"\x00",
    b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
    b"\xff\xfe{\x00}\x00",  # UTF-16 with its mark
    b"\xff\xff\xff",  # not UTF-8
    b'{"sender": "\xff", "message": "\xfe"}',  # invalid UTF-8 inside strings
    b'{"sender": "\xed\xa0\x80", "message": "hi"}',  # a surrogate encoded as UTF-8
    b'{"sender": "\\ud800", "message": "hi"}',  # a lone surrogate, JSON-escaped
    b'{"sender": "x", "message": "\\udfff"}',
    b'{"sender": "x", "message": "\\u0000"}',
    b'{"sender": "x", "sender": "y", "message": "hi"}',  # duplicate keys
    b"[" * 20000 + b"]" * 20000,  # 20k deep
    b'{"a":' * 12000 + b"1" + b"}" * 12000,
    b"[" * 200000,  # deep and unterminated
    b'{"message": "' + b"\\" * 3001 + b'"}',
]

NASTY_STRINGS: list[str] = [
    "",
    " ",
    "\n\t\r",
    "\u200b\u200d\ufeff",  # zero-width
    "\u202eevil",  # right-to-left override
    "e\u0301" * 50,  # combining accents
    "😀" * 30,
    "👩‍👩‍👧‍👦",
    "𝕏𝕚𝕒𝕠𝕞𝕚",
    "中文信息",
    "ﷺ",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "/restart",
    "/session_start",
    '/inform{"imei": "356938035643809"}',
    '/request_coupon{"product": {"$gt": ""}}',
    "/handover",
    "{sender} {0} {{}} {text}",
    "%s %d %(name)s %n",
    "${HOME} $(id) `id`",
    "<script>alert(1)</script>",
    "'; DROP TABLE participations; --",
    "../../../../etc/passwd",
    "http://127.0.0.1:1/",
    "NaN",
    "null",
    "true",
    "-0",
    "9" * 400,
    "a" * 2001,
]

JUNK_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63,
    -(2**70),
    3.14,
    1e308,
    "",
    [],
    {},
    [None],
    ["hi"],
    {"text": "hi"},
    {"": None},
    [[[[[]]]]],
    "x" * 300,
]

CONTENT_TYPES: list[str | None] = [
    "application/json",
    "application/json; charset=utf-16",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "application/xml",
    "*/*",
    "",
    None,
]


def rng(salt: str) -> random.Random:
    """A generator of its own for each endpoint, so adding cases to one leaves the
    others' inputs unchanged."""
    return random.Random(f"{SEED}:{salt}")


def word(r: random.Random, size: int = 8) -> str:
    return "".join(r.choice(string.ascii_letters + string.digits) for _ in range(size))


def nasty_text(r: random.Random) -> str:
    pick = r.random()
    if pick < 0.5:
        return r.choice(NASTY_STRINGS)
    if pick < 0.8:
        return "".join(chr(r.randint(1, 0x2FFF)) for _ in range(r.randint(1, 40)))
    return "".join(r.choice(string.printable) for _ in range(r.randint(1, 200)))


def junk_value(r: random.Random, depth: int = 0) -> Any:
    """Any JSON value; strings are often nasty, containers sometimes nested."""
    pick = r.random()
    if pick < 0.35:
        return r.choice(JUNK_VALUES)
    if pick < 0.65:
        return nasty_text(r)
    if pick < 0.8 or depth > 3:
        return r.choice([r.randint(-(10**12), 10**12), r.random() * 10 ** r.randint(-5, 300)])
    if pick < 0.9:
        return [junk_value(r, depth + 1) for _ in range(r.randint(0, 4))]
    return {nasty_text(r)[:20]: junk_value(r, depth + 1) for _ in range(r.randint(0, 4))}


def mutate(r: random.Random, template: Any, rate: float = 0.3) -> Any:
    """TEMPLATE with some of its values (at any depth) replaced by junk, some keys
    dropped, some junk keys added."""
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            roll = r.random()
            if roll < rate / 3:
                continue  # dropped
            out[key] = junk_value(r) if roll < rate else mutate(r, value, rate)
        if r.random() < rate / 2:
            out[nasty_text(r)[:20]] = junk_value(r)
        return out
    if isinstance(template, list):
        items = [mutate(r, item, rate) for item in template]
        if r.random() < rate / 2:
            items.append(junk_value(r))
        return items
    return junk_value(r) if r.random() < rate else template


def encode(r: random.Random, value: Any) -> bytes:
    """VALUE as JSON; sometimes with an encoding glitch (a flipped byte, a cut end)."""
    data = json.dumps(value, ensure_ascii=r.random() < 0.5).encode("utf-8", "surrogatepass")
    roll = r.random()
    if roll < 0.05 and data:
        return data[: r.randrange(len(data))]
    if roll < 0.1 and data:
        i = r.randrange(len(data))
        return data[:i] + bytes([r.randint(0x80, 0xFF)]) + data[i + 1 :]
    return data


def deep(levels: int, opener: str = "[", closer: str = "]", inner: str = "1") -> str:
    return opener * levels + inner + closer * levels


def query_junk(r: random.Random) -> str:
    """A raw (already encoded) query string of junk."""
    parts = []
    for _ in range(r.randint(1, 5)):
        key = r.choice(
            ["token", "sender", "stream", "hub.mode", "hub.challenge", "hub.verify_token", "notice"]
            + [word(r, 3)]
        )
        value = r.choice(
            ["", "true", "1", "%00", "%ff%fe", "%ed%a0%80", "%", "%zz", "a" * 3000, word(r, 12)]
        )
        parts.append(f"{key}={value}")
    return "&".join(parts)


def path_junk(r: random.Random) -> str:
    """A raw path that no route serves, or a route's path bent out of shape."""
    base = r.choice(
        [
            "/webhooks/rest/webhook",
            "/webhooks/rest/agent_messages",
            "/webhooks/whatsapp/webhook",
            "/webhooks/chatwoot/webhook",
            "/webhooks/agents/conversations/1/reply",
            "/webhooks/webchat/static/",
            "/socket.io/",
            "/conversations/x/tracker",
            "/model/parse",
            "/webhooks",
            "",
        ]
    )
    tail = r.choice(
        [
            "",
            "/",
            "//",
            "/..",
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/",
            "/%00",
            "/%ff",
            "/%ed%a0%80",
            "/%",
            "/" + "a" * 5000,
            "/" + word(r),
            "/9999999999999999999999",
            "/-1",
            "/%F0%9F%98%80",
            ";jsessionid=1",
        ]
    )
    return "/" + (base + tail).lstrip("/")


HANDOVER_TEXTS = ("talk to a human",)  # after these a person holds the conversation


def texts(r: random.Random, count: int) -> Iterator[str]:
    """Well-formed customer messages (these reach the model, so keep COUNT small)."""
    real = [
        "hi",
        "I want my 10% coupon",
        "where do I find my IMEI?",
        "yes",
        "no",
        "cancel",
        *HANDOVER_TEXTS,
        "what's the status of case RC-ABCD-23",
        "356938035643809",
        "jane.doe@example.com",
        "6123456789",
    ]
    for _ in range(count):
        roll = r.random()
        if roll < 0.4:
            yield r.choice(real)
        elif roll < 0.8:
            yield r.choice(NASTY_STRINGS[:-1]) or "hi"
        else:
            yield " ".join(word(r, r.randint(1, 10)) for _ in range(r.randint(1, 30)))
