"""Handover to a human agent (HND): staffed hours, the expected wait, the handover
record, and the agents' credentials.

Staffed hours are data (``data/handover.yml``, HND-3): per territory a time zone,
opening hours per weekday, and whether public holidays (from the maintained
``holidays`` package, through ``WorkingCalendar``) are closed.

>>> from bot.settings import ROOT
>>> rules = load_handover_rules(ROOT / "data" / "handover.yml")
>>> uk = rules.territory("GB")
>>> uk.is_staffed(datetime(2023, 9, 28, 12, 0, tzinfo=timezone.utc))   # a Thursday
True
>>> uk.next_opening(datetime(2023, 12, 24, 12, 0, tzinfo=timezone.utc)).isoformat()
'2023-12-27T09:00:00+00:00'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import formats
from bot.calendar import WorkingCalendar
from bot.errors import ConfigurationError, InvalidAgent
from bot.programs.fields import Fields, read_fields

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# Far enough ahead to step over any run of public holidays and closed weekdays.
_LOOKAHEAD_DAYS = 21


# --- staffed hours (HND-3) and the expected wait (HND-2) ------------------------
@dataclass(frozen=True)
class Territory:
    """Where agents answer from: their time zone, hours, holidays and pace."""

    code: str
    name: str
    country: str
    subdivision: str | None
    time_zone: str
    time_label: str  # how customers read the zone, e.g. "UK time"
    hours: dict[int, tuple[time, time]]  # weekday (0 = Monday) -> opens, closes
    closed_on_public_holidays: bool
    first_reply_minutes: int
    minutes_per_customer_ahead: int

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.country, self.subdivision)

    def _open_on(self, day: date) -> tuple[time, time] | None:
        hours = self.hours.get(day.weekday())
        if hours is None:
            return None
        if self.closed_on_public_holidays and self.calendar.holiday_name(day):
            return None
        return hours

    def is_staffed(self, now: datetime) -> bool:
        """True while agents are at work (local opening hours, not a holiday)."""
        local = now.astimezone(ZoneInfo(self.time_zone))
        hours = self._open_on(local.date())
        return hours is not None and hours[0] <= local.time().replace(tzinfo=None) < hours[1]

    def next_opening(self, now: datetime) -> datetime:
        """``now`` while staffed, else the local moment agents are next at work."""
        if self.is_staffed(now):
            return now
        zone = ZoneInfo(self.time_zone)
        today = now.astimezone(zone).date()
        for offset in range(_LOOKAHEAD_DAYS):
            day = today + timedelta(days=offset)
            hours = self._open_on(day)
            if hours is None:
                continue
            # Through UTC and back: a local time skipped by a DST change becomes real.
            opening = datetime.combine(day, hours[0], tzinfo=zone)
            opening = opening.astimezone(timezone.utc).astimezone(zone)
            if opening > now:
                return opening
        raise ConfigurationError(
            f"handover territory {self.code}: no staffed hours in the next {_LOOKAHEAD_DAYS} days"
        )

    def expected_wait(self, customers_ahead: int) -> int:
        """Minutes until an agent answers, with ``customers_ahead`` already waiting (HND-2)."""
        return self.first_reply_minutes + max(customers_ahead, 0) * self.minutes_per_customer_ahead

    def describe(self, moment: datetime, language: str | None = None) -> str:
        """A moment as customers read it: ``Monday 2 October 2023 at 09:00 (UK time)``,
        in the conversation's language (bot/formats.py)."""
        local = moment.astimezone(ZoneInfo(self.time_zone))
        return f"{formats.weekday_moment(local, language)} ({self.time_label})"


@dataclass(frozen=True)
class Fact:
    """A slot an agent sees when a conversation is handed over (HND-4)."""

    slot: str
    label: str
    personal: bool  # masked in logs (PRIV-2)


@dataclass(frozen=True)
class AgentPolicy:
    """How agent accounts are protected (HND-6)."""

    min_password_length: int
    max_failed_logins: int
    lockout_minutes: int
    session_hours: int
    attempts_per_address: int
    address_window_minutes: int


@dataclass(frozen=True)
class HandoverRules:
    """Everything ``data/handover.yml`` says, validated."""

    source: str
    default_territory: str
    territories: dict[str, Territory]
    topic_territories: dict[str, str]  # intent or program id -> territory code
    reasons: tuple[str, ...]
    facts: tuple[Fact, ...]
    transcript_lines: int
    max_reply_length: int
    agents: AgentPolicy

    def territory(self, code: str | None = None) -> Territory:
        """The territory ``code``, else the default one."""
        return self.territories.get(code or "", self.territories[self.default_territory])

    def territory_for(self, topics: tuple[str, ...]) -> Territory:
        """Who answers a conversation: the territory of its latest known topic (an intent
        or a program id, newest first), else the default territory (HND-3)."""
        code = next(
            (self.topic_territories[t] for t in topics if t in self.topic_territories), None
        )
        return self.territory(code)

    def reason(self, name: str | None) -> str:
        """A known trigger name; anything else counts as the customer asking (HND-1)."""
        return name if name in self.reasons else self.reasons[0]


def _hours(fields: Fields) -> dict[int, tuple[time, time]]:
    section = fields.sub("hours")
    unknown = sorted(set(map(str, section.data)) - set(WEEKDAYS))
    if unknown:
        section.fail(unknown[0], f"not a weekday; use {', '.join(WEEKDAYS)}")
    hours = {}
    for index, name in enumerate(WEEKDAYS):
        if section.data.get(name) is None:
            continue
        match = _HOURS.match(section.text(name))
        try:
            if not match:
                raise ValueError
            h1, m1, h2, m2 = map(int, match.groups())
            opens, closes = time(h1, m1), time(h2, m2)
        except ValueError:
            section.fail(name, 'expected local opening hours like "09:00-18:00"')
        if closes <= opens:
            section.fail(name, "closing time must be after opening time")
        hours[index] = (opens, closes)
    if not hours:
        section.fail("", "at least one weekday must be staffed")
    return hours


def _territory(code: str, fields: Fields) -> Territory:
    wait = fields.sub("expected_wait")
    return Territory(
        code=code,
        name=fields.text("name"),
        country=fields.text("country"),
        subdivision=fields.text("subdivision", optional=True) or None,
        time_zone=fields.time_zone("time_zone"),
        time_label=fields.text("time_label"),
        hours=_hours(fields),
        closed_on_public_holidays=fields.flag("closed_on_public_holidays", True),
        first_reply_minutes=wait.whole("first_reply_minutes", 1),
        minutes_per_customer_ahead=wait.whole("minutes_per_customer_ahead"),
    )


def load_handover_rules(path: Path) -> HandoverRules:
    """Read and validate ``data/handover.yml``; errors name the file and the field."""
    top = read_fields(path)
    section = top.sub("territories")
    territories = {
        str(code): _territory(str(code), section.sub(str(code))) for code in section.data
    }
    default = top.text("default_territory")
    if default not in territories:
        top.fail("default_territory", f"{default!r} is not one of the territories")
    topics = top.sub("topic_territories")
    topic_territories = {str(t): topics.text(str(t)) for t in topics.data}
    for topic, code in topic_territories.items():
        if code not in territories:
            topics.fail(topic, f"{code!r} is not one of the territories")
    facts = [
        Fact(item.text("slot"), item.text("label"), item.flag("personal"))
        for item in top.items("facts")
    ]
    agents = top.sub("agents")
    return HandoverRules(
        source=top.source,
        default_territory=default,
        territories=territories,
        topic_territories=topic_territories,
        reasons=top.texts("reasons") or ("customer_asked",),
        facts=tuple(facts),
        transcript_lines=top.whole("transcript_lines", 1),
        max_reply_length=top.whole("max_reply_length", 1),
        agents=AgentPolicy(
            min_password_length=agents.whole("min_password_length", 8),
            max_failed_logins=agents.whole("max_failed_logins", 1),
            lockout_minutes=agents.whole("lockout_minutes", 1),
            session_hours=agents.whole("session_hours", 1),
            attempts_per_address=agents.whole("attempts_per_address", 1),
            address_window_minutes=agents.whole("address_window_minutes", 1),
        ),
    )


# --- the handover record (HND-4) ------------------------------------------------
class HandoverState(str, Enum):
    WAITING = "waiting"  # no agent has answered yet
    ACTIVE = "active"  # an agent is talking to the customer
    CLOSED = "closed"  # handed back to the assistant

    @classmethod
    def open_states(cls) -> tuple[str, ...]:
        return (cls.WAITING.value, cls.ACTIVE.value)


@dataclass(frozen=True)
class Line:
    """One line of a transcript."""

    at: datetime
    speaker: str  # customer | bot | agent
    text: str
    agent_name: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "at": self.at.isoformat(),
            "speaker": self.speaker,
            "text": self.text,
            "agent_name": self.agent_name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        return cls(
            at=datetime.fromisoformat(str(data["at"])),
            speaker=str(data["speaker"]),
            text=str(data["text"]),
            agent_name=str(data.get("agent_name") or ""),
        )


@dataclass(frozen=True)
class Handover:
    """A conversation handed to a person: who, why, what is known, and where it stands."""

    id: int
    conversation_id: str
    channel: str
    territory: str
    state: HandoverState
    reason: str
    facts: dict[str, str]
    transcript: tuple[Line, ...]
    requested_at: datetime
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    agent: str | None = None
    closed_by: str | None = None
    external_id: str | None = None  # the Chatwoot conversation, when Chatwoot is used

    @property
    def is_open(self) -> bool:
        return self.state is not HandoverState.CLOSED

    def waited(self, now: datetime) -> timedelta:
        """How long the customer has waited for a first answer (so far, if none yet)."""
        until = self.answered_at or self.closed_at or now
        return max(until - self.requested_at, timedelta(0))


def select_facts(rules: HandoverRules, slots: dict[str, Any]) -> dict[str, str]:
    """The facts an agent sees: the listed slots that have a value, in the listed order."""
    facts = {}
    for fact in rules.facts:
        value = slots.get(fact.slot)
        if value is None or value == "" or isinstance(value, (list, dict)):
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        facts[fact.slot] = str(value)[:200]
    return facts


# --- agent credentials (HND-6) ----------------------------------------------------
# scrypt with a per-user salt (RFC 7914 parameters for interactive logins, ~16 MB).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _KEY_BYTES = 2**14, 8, 1, 32
_AGENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES, maxmem=64 * 2**20
    )


def check_agent_name(name: str) -> str:
    """An agent name: 2 to 40 letters, digits, dots, dashes or underscores."""
    name = (name or "").strip()
    if not _AGENT_NAME.match(name):
        raise InvalidAgent(
            "An agent name has 2 to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


def hash_password(password: str, policy: AgentPolicy) -> str:
    """``scrypt$n$r$p$salt$key`` for a new password; never the password itself."""
    if len(password or "") < policy.min_password_length:
        raise InvalidAgent(f"A password needs at least {policy.min_password_length} characters.")
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; compares in constant time. With no
    stored hash (unknown agent) it still does the same work, so timing tells nothing."""
    try:
        scheme, n, r, p, salt, key = (stored or _UNKNOWN_AGENT).split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        expected = _unb64(key)
        actual = _scrypt(password or "", _unb64(salt), int(n), int(r), int(p))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected) and stored is not None


# Hashed with a random password nobody knows: what an unknown agent name is checked
# against, so a wrong name costs as much time as a wrong password.
_UNKNOWN_AGENT = (
    f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(b'0' * 16)}${_b64(b'1' * _KEY_BYTES)}"
)


@dataclass(frozen=True)
class AgentSession:
    """What the inbox's signed session cookie holds."""

    agent: str
    epoch: int  # the agent's session epoch: logging out bumps it, ending every session
    csrf: str  # a per-session token every form must send back
    expires: int  # Unix time


class SessionSigner:
    """Signs and checks session tokens with HMAC-SHA256 (``payload.signature``)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ConfigurationError("the agent session secret needs at least 32 bytes")
        self._secret = secret

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str | None) -> dict[str, Any] | None:
        """The payload of a token this signer made, else None (tampered, foreign, junk)."""
        body, _, mac = (token or "").partition(".")
        if not body or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        try:
            payload = json.loads(_unb64(body))
        except (ValueError, binascii.Error):
            return None
        return payload if isinstance(payload, dict) else None

    def new_session(self, agent: str, epoch: int, now: datetime, hours: int) -> str:
        expires = int((now + timedelta(hours=hours)).timestamp())
        return self.sign({"a": agent, "e": epoch, "c": secrets.token_urlsafe(32), "x": expires})

    def read_session(self, token: str | None, now: datetime) -> AgentSession | None:
        """The session in a valid, unexpired token; None otherwise."""
        data = self.verify(token)
        try:
            session = AgentSession(str(data["a"]), int(data["e"]), str(data["c"]), int(data["x"]))  # type: ignore[index]
        except (TypeError, KeyError, ValueError):
            return None
        return session if session.expires > now.timestamp() else None


def csrf_matches(expected: str | None, submitted: str | None) -> bool:
    """True when a form sent back its session's CSRF token (constant-time)."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


# The one answer to a refused agent login — unknown name, wrong password or locked
# account alike (HND-6): a different answer after the lockout would tell which agent
# names exist.
LOGIN_REFUSED = "Wrong username or password, or too many failed logins: try again in a few minutes."


@dataclass
class LoginThrottle:
    """At most ``attempts`` logins per ``window`` from one address (HND-6); in memory,
    per process — account lockout in the database covers the rest."""

    attempts: int
    window: timedelta
    _seen: dict[str, deque[datetime]] = field(default_factory=dict)

    def allow(self, address: str, now: datetime) -> bool:
        """Count one attempt from ``address``; False once it is over the limit."""
        recent = self._seen.setdefault(address, deque())
        while recent and now - recent[0] >= self.window:
            recent.popleft()
        if len(recent) >= self.attempts:
            return False
        recent.append(now)
        if len(self._seen) > 10_000:  # forget quiet addresses so memory stays bounded
            for key in [k for k, v in self._seen.items() if not v]:
                del self._seen[key]
        return True


def session_secret(configured: str | None, key_file: Path) -> bytes:
    """The inbox's session signing key: ``AGENT_SESSION_SECRET`` when set, else a random
    key generated once into ``key_file`` (readable by its owner only)."""
    if configured:
        return configured.encode()
    try:
        return key_file.read_bytes().strip()
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    try:
        # O_EXCL: when two processes start together, one writes and both read the same key.
        with open(key_file, "xb", opener=lambda p, f: os.open(p, f, 0o600)) as out:
            out.write(key)
    except FileExistsError:
        return key_file.read_bytes().strip()
    return key
