"""Limits on what one client may send (issue #9): message length, request body size,
message rates per sender and per address, handovers per sender per hour.

The numbers are data (``data/limits.yml``; ``LIMITS_FILE`` may change some of them).
Rates are counted through a ``Counter`` port: in process (``MemoryCounter``) or, when
``REDIS_URL`` is set, in Redis (``RedisCounter``), shared by every server.

>>> rules = load_limits()
>>> check_message("hi", rules)
>>> check_message("x" * (rules.max_message_chars + 1), rules)
Traceback (most recent call last):
...
bot.limits.LimitExceeded: a message of 2001 characters is over the limit of 2000
>>> counter = MemoryCounter(clock=lambda: 0.0)
>>> [counter.hit("k", Rate(count=2, seconds=60)) for _ in range(3)]
[True, True, False]
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import redis

from bot.errors import BotError, ConfigurationError, ProgramDataError
from bot.programs.fields import Fields, read_fields
from bot.settings import ROOT

log = logging.getLogger(__name__)

DEFAULT_FILE = ROOT / "data" / "limits.yml"
REDIS_PREFIX = "desk:limit:"


# --- the limits, as data ---------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    """At most ``count`` events in ``seconds``."""

    count: int
    seconds: int


@dataclass(frozen=True)
class Limits:
    max_message_chars: int
    max_sender_chars: int
    body_bytes: Mapping[str, int]  # by channel: rest, webchat, whatsapp, chatwoot, agents
    per_sender: Rate
    per_address: Rate
    handovers_per_sender_per_hour: int
    source: str = ""

    def body_limit(self, channel: str) -> int:
        """The body cap of a webhook; a channel the file does not name gets the
        strictest cap (a new webhook is never unlimited)."""
        return self.body_bytes.get(channel, min(self.body_bytes.values()))


def _source(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _read(path: Path) -> Any:
    return read_fields(path, _source(path)).data


def _unknown_fields(source: str, data: dict[str, Any], known: dict[str, Any], path: str) -> None:
    """Refuse a field the default file does not have (a typo would silently do nothing)."""
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in known:
            raise ProgramDataError(f"{source}: {where}: unknown field")
        if isinstance(known[key], dict):
            if not isinstance(value, dict):
                raise ProgramDataError(f"{source}: {where}: expected a mapping of fields")
            _unknown_fields(source, value, known[key], where)


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _merged(base[key], value) if isinstance(base[key], dict) else value
    return merged


def _rate(fields: Fields, key: str) -> Rate:
    section = fields.sub(key)
    return Rate(section.whole("count", 1), section.whole("seconds", 1))


def _validated(source: str, data: Any) -> Limits:
    top = Fields(source, data)
    message, bodies, rates = top.sub("message"), top.sub("body_bytes"), top.sub("rates")
    return Limits(
        max_message_chars=message.whole("max_chars", 1),
        max_sender_chars=message.whole("max_sender_chars", 1),
        body_bytes=MappingProxyType(
            {str(name): bodies.whole(str(name), 1) for name in bodies.data}
        ),
        per_sender=_rate(rates, "per_sender"),
        per_address=_rate(rates, "per_address"),
        handovers_per_sender_per_hour=top.sub("handovers").whole("per_sender_per_hour", 1),
        source=source,
    )


def load_limits(path: str | Path | None = None) -> Limits:
    """Read and validate the limits; errors name the file and the field. A file other
    than ``data/limits.yml`` may hold only the fields it changes."""
    base = _read(DEFAULT_FILE)
    limits = _validated(_source(DEFAULT_FILE), base)
    if path is None or Path(path).resolve() == DEFAULT_FILE.resolve():
        return limits
    path = Path(path)
    source, changes = _source(path), _read(path)
    _unknown_fields(source, changes, base, "")
    return _validated(source, _merged(base, changes))


# --- refusals ----------------------------------------------------------------------------
RESPONSES = {
    "message_too_long": "utter_limit_message_too_long",
    "sender_rate": "utter_limit_slow_down",
    "address_rate": "utter_limit_slow_down",
    "handover_rate": "utter_limit_handover",
}


class LimitExceeded(BotError):
    """Over a limit: nothing was processed. ``code`` says which limit, ``response``
    names the domain response that tells the customer."""

    def __init__(self, code: str, message: str = "") -> None:
        if code not in RESPONSES:
            raise ValueError(f"unknown limit {code!r}; one of {', '.join(RESPONSES)}")
        super().__init__(message or f"over the {code.replace('_', ' ')} limit")
        self.code = code
        self.response = RESPONSES[code]


# --- counting events -----------------------------------------------------------------------
class Counter(Protocol):
    """Counts events per key in a window of ``rate.seconds`` (the port)."""

    def hit(self, key: str, rate: Rate) -> bool:
        """Count one event; False when it is over ``rate`` in the window."""
        ...


class MemoryCounter:
    """Counts in this process (thread-safe): a fixed window per key that starts with the
    key's first event, as ``RedisCounter`` counts. Keys whose window ended are dropped,
    and at most ``max_keys`` are kept (the least recently used go first), so memory stays
    bounded whatever the keys. ``clock`` gives seconds (monotonic)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window ends at, events)
        self._next_sweep = 0.0

    def __len__(self) -> int:
        """How many keys are counted now."""
        return len(self._windows)

    def hit(self, key: str, rate: Rate) -> bool:
        with self._lock:
            now = self._clock()
            if now >= self._next_sweep:
                self._sweep(now)
                self._next_sweep = now + rate.seconds
            ends, events = self._windows.pop(key, (now, 0))
            if now >= ends:  # a new window
                ends, events = now + rate.seconds, 0
            self._windows[key] = (ends, events + 1)  # re-inserted: most recently used
            while len(self._windows) > self._max_keys:
                del self._windows[next(iter(self._windows))]
            return events + 1 <= rate.count

    def _sweep(self, now: float) -> None:
        for key in [k for k, (ends, _) in self._windows.items() if ends <= now]:
            del self._windows[key]


# INCR and the expiry in one atomic step: the first event of a window sets its expiry
# (and a key that somehow lost its expiry gets one, so no key lives forever).
_HIT_SCRIPT = """
local events = redis.call('INCR', KEYS[1])
if events == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return events
"""


class RedisCounter:
    """Counts in Redis, shared by every server using the same Redis: a fixed window per
    key that starts with its first event (INCR + PEXPIRE in one Lua script, keys under
    ``desk:limit:``, so they expire by themselves).

    Fails OPEN: when Redis cannot be reached (or refuses), every event is allowed, one
    warning is logged for the outage and Redis is tried again after ``retry_seconds``
    (a dead Redis must not silence the assistant; the limits pause until it is back)."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = REDIS_PREFIX,
        timeout: float = 0.5,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            self._client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        except ValueError as exc:
            raise ConfigurationError(f"REDIS_URL is not a Redis URL: {exc}") from None
        settings = self._client.connection_pool.connection_kwargs
        # Where, for logs: never the password in the URL.
        self.where = str(settings.get("path") or f"{settings.get('host')}:{settings.get('port')}")
        self._script = self._client.register_script(_HIT_SCRIPT)
        self._prefix = prefix
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down_until: float | None = None  # set while Redis is unreachable

    def hit(self, key: str, rate: Rate) -> bool:
        with self._lock:
            if self._down_until is not None and self._clock() < self._down_until:
                return True
        try:
            events = int(
                self._script(
                    keys=[f"{self._prefix}{key}:{rate.seconds}"], args=[rate.seconds * 1000]
                )
            )
        except (redis.RedisError, OSError) as exc:
            self._went_down(exc)
            return True
        with self._lock:
            if self._down_until is not None:
                self._down_until = None
                log.info("Redis at %s answers again: rate limits apply again", self.where)
        return events <= rate.count

    def _went_down(self, exc: Exception) -> None:
        with self._lock:
            first = self._down_until is None
            self._down_until = self._clock() + self._retry_seconds
        if first:
            log.warning(
                "Redis at %s is unreachable (%s): rate limits are off until it answers",
                self.where,
                type(exc).__name__,
            )


# --- the process-wide limits and counter ---------------------------------------------------
_lock = threading.Lock()
_limits: Limits | None = None
_counter: Counter | None = None


def limits() -> Limits:
    """The limits of this process: ``LIMITS_FILE`` when set, else ``data/limits.yml``
    (loaded once; ``reset()`` forgets them)."""
    global _limits
    with _lock:
        if _limits is None:
            _limits = load_limits(os.environ.get("LIMITS_FILE") or None)
        return _limits


def counter() -> Counter:
    """The counter of this process: Redis when ``REDIS_URL`` is set (shared by every
    server), in memory otherwise."""
    global _counter
    with _lock:
        if _counter is None:
            url = (os.environ.get("REDIS_URL") or "").strip()
            _counter = RedisCounter(url) if url else MemoryCounter()
        return _counter


def reset() -> None:
    """Forget the process-wide limits and counter (tests, after changing the environment)."""
    global _limits, _counter
    with _lock:
        _limits = _counter = None


# --- the checks ----------------------------------------------------------------------------
def check_message(text: str, limits: Limits) -> None:
    """Refuse a message longer than ``message.max_chars`` (before it reaches NLU)."""
    length = len(text or "")
    if length > limits.max_message_chars:
        raise LimitExceeded(
            "message_too_long",
            f"a message of {length} characters is over the limit of {limits.max_message_chars}",
        )


def subject_key(kind: str, value: str) -> str:
    """A counter key that does not reveal its subject (a sender id can be a phone number)."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{kind}:{digest}"


def admit(sender: str, address: str | None, counter: Counter, limits: Limits) -> None:
    """Count one message from ``sender`` (a conversation id) sent from ``address`` (the
    client's IP, when known); refuse it when either is over its rate."""
    if address and not counter.hit(subject_key("address", address), limits.per_address):
        raise LimitExceeded("address_rate", "too many requests from one address")
    if not counter.hit(subject_key("sender", sender), limits.per_sender):
        raise LimitExceeded("sender_rate", "too many messages from one sender")
