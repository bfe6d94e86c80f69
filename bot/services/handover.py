"""Handover use cases (HND): hand a conversation to a person, let agents answer and
close it, relay messages to Chatwoot, and manage agent accounts.

Plain values in, records out. The Rasa side (pausing, the transcript, delivering
a reply on the customer's channel) belongs to the adapters that call these.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import errors
from bot.calendar import Clock
from bot.cases import STAFF_VERBS, CaseState, allowed_verbs
from bot.chatwoot import ChatwootClient
from bot.customer import parse_email
from bot.handover import (
    LOGIN_REFUSED,
    Handover,
    HandoverRules,
    Line,
    Territory,
    check_agent_name,
    hash_password,
    select_facts,
    verify_password,
)
from bot.limits import LimitExceeded, Limits
from bot.limits import limits as process_limits
from bot.privacy import mask_text
from bot.store.case_records import CaseRepository
from bot.store.handover_records import (
    AgentMessage,
    AgentMessageRepository,
    AgentRepository,
    HandoverRepository,
    storable_conversation_id,
)
from bot.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

TranscriptLine = Line  # what entry points build a transcript from


@dataclass(frozen=True)
class CallbackRequest:
    """What a callback case needs when nobody is at work (HND-3)."""

    conversation_id: str
    channel: str
    territory: Territory
    opens_at: datetime
    reason: str
    facts: dict[str, str]
    transcript: tuple[Line, ...]
    language: str | None = None  # the conversation's: the acknowledgement is written in it


@dataclass(frozen=True)
class HandoverPorts:
    engine: Engine
    clock: Clock
    rules: HandoverRules
    chatwoot: ChatwootClient | None = None
    # Opens the callback case out of staffed hours and returns its reference.
    open_callback: Callable[[CallbackRequest], str] | None = None
    # Real time for logins, even when the business clock is pinned (BOT_TODAY):
    # a lockout must end.
    auth_clock: Clock = field(default_factory=Clock)
    # data/limits.yml: handovers.per_sender_per_hour, among others.
    limits: Limits = field(default_factory=process_limits)


@dataclass(frozen=True)
class HandoverRequest:
    conversation_id: str
    channel: str
    reason: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    transcript: tuple[Line, ...] = ()
    topics: tuple[str, ...] = ()  # recent intents or program ids, newest first (territory)


@dataclass(frozen=True)
class HandoverResult:
    """``handed_over`` (now waiting), ``already_waiting`` or ``out_of_hours``."""

    outcome: str
    territory: Territory
    handover: Handover | None = None
    wait_minutes: int = 0
    opens_at: str = ""  # when agents are next at work, as customers read it
    case_reference: str = ""

    @property
    def paused(self) -> bool:
        """True when a person now holds the conversation (the assistant stays quiet)."""
        return self.handover is not None


def _masked_facts(rules: HandoverRules, facts: dict[str, str]) -> str:
    personal = {f.slot for f in rules.facts if f.personal}
    return ", ".join(
        f"{slot}={'***' + value[-2:] if slot in personal else mask_text(value)}"
        for slot, value in facts.items()
    )


def conversation_label(conversation_id: str) -> str:
    """A short stable name for a conversation that reveals nothing (a phone number is a
    WhatsApp conversation id): for logs and for Chatwoot's contact list."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:8]


def callback_case_values(request: CallbackRequest) -> dict[str, Any]:
    """What the callback case records (HND-3): the facts, why, the customer's last words,
    an email for the acknowledgement when one was given, and when someone answers."""
    said = [line.text for line in request.transcript if line.speaker == "customer"]
    last_words = said[-1] if said else ""
    email = request.facts.get("email")
    try:
        email = parse_email(email) if email else None
    except errors.InvalidEmail:
        email = None
    return {
        "conversation_id": request.conversation_id,
        "channel": request.channel,
        "facts": {
            **request.facts,
            "handover_reason": request.reason,
            "territory": request.territory.code,
            "last_message": last_words,
        },
        "email": email,
        "due": request.opens_at + timedelta(minutes=request.territory.expected_wait(0)),
        "language": request.language,
    }


def request_handover(request: HandoverRequest, ports: HandoverPorts) -> HandoverResult:
    """Hand the conversation to a person (HND-1..4). In staffed hours: record it with
    the transcript and the facts, and say the expected wait; a second request returns
    the open one. Out of hours: open a callback case and say when someone answers.
    More than ``handovers.per_sender_per_hour`` new handovers of one conversation within
    an hour (of the business clock, from the database: every server counts alike) raise
    ``LimitExceeded('handover_rate')`` and record nothing."""
    storable_conversation_id(request.conversation_id)
    rules, now = ports.rules, ports.clock.now()
    territory = rules.territory_for(request.topics)
    reason = rules.reason(request.reason)
    facts = select_facts(rules, request.slots)
    transcript = request.transcript[-rules.transcript_lines :]
    label = conversation_label(request.conversation_id)
    language = request.slots.get("language")  # the conversation's (issue #11)
    language = str(language) if language else None
    if not territory.is_staffed(now):
        opens = territory.next_opening(now)
        reference = ""
        if ports.open_callback is not None:
            reference = ports.open_callback(
                CallbackRequest(
                    request.conversation_id,
                    request.channel,
                    territory,
                    opens,
                    reason,
                    facts,
                    transcript,
                    language,
                )
            )
        log.info(
            "handover of %s (%s) out of hours in %s: callback %s",
            label,
            reason,
            territory.code,
            reference or "not opened",
        )
        return HandoverResult(
            "out_of_hours",
            territory,
            opens_at=territory.describe(opens, language),
            case_reference=reference,
        )
    with UnitOfWork(ports.engine) as uow:
        records = HandoverRepository(uow.connection)
        existing = records.open_for(request.conversation_id)
        if existing is not None:
            ahead = records.waiting_count(existing.territory, before_id=existing.id)
            answering = rules.territory(existing.territory)
            return HandoverResult(
                "already_waiting", answering, existing, answering.expected_wait(ahead)
            )
        allowed = ports.limits.handovers_per_sender_per_hour
        recent = records.requested_since(request.conversation_id, now - timedelta(hours=1))
        if recent >= allowed:
            log.warning(
                "handover of %s refused: %d in the past hour (limit %d)", label, recent, allowed
            )
            raise LimitExceeded(
                "handover_rate", f"{recent} handovers in the past hour; the limit is {allowed}"
            )
        ahead = records.waiting_count(territory.code)
        handover_id = records.add(
            conversation_id=request.conversation_id,
            channel=request.channel or "unknown",
            territory=territory.code,
            reason=reason,
            facts=facts,
            transcript=transcript,
            now=now,
        )
        uow.commit()
    log.info(
        "handover %s of %s (%s, %s): %d ahead; facts %s",
        handover_id,
        label,
        reason,
        request.channel,
        ahead,
        _masked_facts(rules, facts),
    )
    handover = get_handover(handover_id, ports)
    if ports.chatwoot is not None:
        handover = _open_in_chatwoot(handover, ports)
    return HandoverResult("handed_over", territory, handover, territory.expected_wait(ahead))


def handover_note(handover: Handover, rules: HandoverRules) -> str:
    """What an agent reads first in Chatwoot: why, the facts, the conversation so far."""
    labels = {f.slot: f.label for f in rules.facts}
    lines = [f"Handed over by the assistant ({handover.reason}, {handover.channel})."]
    lines += [f"{labels.get(slot, slot)}: {value}" for slot, value in handover.facts.items()]
    lines.append("")
    lines += [
        f"[{line.at:%H:%M}] {line.agent_name or line.speaker}: {line.text}"
        for line in handover.transcript
    ]
    return "\n".join(lines)


def _open_in_chatwoot(handover: Handover, ports: HandoverPorts) -> Handover:
    # Chatwoot down must not strand the customer: the built-in inbox still lists the
    # handover, and the failure is logged with the handover it concerns.
    assert ports.chatwoot is not None
    label = conversation_label(handover.conversation_id)
    try:
        external_id = ports.chatwoot.open_conversation(
            identifier=f"promotions-desk:{label}",
            name=f"{handover.channel} customer {label}",
            note=handover_note(handover, ports.rules),
        )
    except errors.ChatwootUnavailable as exc:
        log.warning("handover %s stays in the built-in inbox: %s", handover.id, exc.message)
        return handover
    with UnitOfWork(ports.engine) as uow:
        HandoverRepository(uow.connection).set_external_id(handover.id, external_id)
        uow.commit()
    log.info("handover %s opened as Chatwoot conversation %s", handover.id, external_id)
    return get_handover(handover.id, ports)


def get_handover(handover_id: int, ports: HandoverPorts) -> Handover:
    with ports.engine.connect() as connection:
        handover = HandoverRepository(connection).get(handover_id)
    if handover is None:
        raise errors.HandoverNotFound(f"There is no handover {handover_id}.")
    return handover


def open_handovers(ports: HandoverPorts) -> list[Handover]:
    """Waiting and active handovers, longest waiting first."""
    with ports.engine.connect() as connection:
        return HandoverRepository(connection).open_ones()


def handover_for_conversation(conversation_id: str, ports: HandoverPorts) -> Handover | None:
    with ports.engine.connect() as connection:
        return HandoverRepository(connection).open_for(conversation_id)


def handover_in_chatwoot(external_id: str, ports: HandoverPorts) -> Handover | None:
    with ports.engine.connect() as connection:
        return HandoverRepository(connection).by_external_id(str(external_id))


def agent_reply(
    handover_id: int,
    agent: str,
    text: str,
    ports: HandoverPorts,
    *,
    external_id: str | None = None,
    from_chatwoot: bool = False,
) -> AgentMessage | None:
    """Record an agent's reply (HND-5); the first one makes the handover active.
    Returns the message to deliver, or None for a webhook retry already recorded."""
    text = (text or "").strip()
    if not text or len(text) > ports.rules.max_reply_length:
        raise errors.InvalidReply(
            f"A reply needs between 1 and {ports.rules.max_reply_length} characters."
        )
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        handover = HandoverRepository(uow.connection).get(handover_id)
        if handover is None:
            raise errors.HandoverNotFound(f"There is no handover {handover_id}.")
        if not handover.is_open:
            raise errors.HandoverClosed(
                f"Handover {handover_id} is closed: the assistant has the conversation again."
            )
        if handover.external_id and not from_chatwoot:
            raise errors.HandledInChatwoot(
                f"Handover {handover_id} is handled in Chatwoot "
                f"(conversation {handover.external_id}); reply there."
            )
        messages = AgentMessageRepository(uow.connection)
        if external_id and messages.knows(external_id):
            return None
        HandoverRepository(uow.connection).answered(handover_id, agent, now)
        try:
            message = messages.add(
                handover=handover, agent=agent, text=text, now=now, external_id=external_id
            )
        except IntegrityError:  # the same Chatwoot message, delivered twice at once
            return None
        uow.commit()
    log.info("handover %s: agent %s replied (%d characters)", handover_id, agent, len(text))
    return message


def close_handover(handover_id: int, by: str, ports: HandoverPorts) -> Handover | None:
    """Hand the conversation back to the assistant (HND-5). Returns the closed handover,
    or None when it was already closed (a second click, a webhook after our close)."""
    now = ports.clock.now()
    with UnitOfWork(ports.engine) as uow:
        records = HandoverRepository(uow.connection)
        if records.get(handover_id) is None:
            raise errors.HandoverNotFound(f"There is no handover {handover_id}.")
        closed = records.close(handover_id, by, now)
        uow.commit()
    if not closed:
        return None
    handover = get_handover(handover_id, ports)
    log.info("handover %s closed by %s", handover_id, by)
    if handover.external_id and ports.chatwoot is not None and not by.startswith("chatwoot"):
        try:
            ports.chatwoot.set_status(handover.external_id, "resolved")
        except errors.ChatwootUnavailable as exc:
            # The conversation is back with the assistant either way; agents see it
            # still open in Chatwoot and can resolve it by hand.
            log.warning("handover %s: Chatwoot not resolved: %s", handover_id, exc.message)
    return handover


def take_pending_messages(conversation_id: str, ports: HandoverPorts) -> list[AgentMessage]:
    """Agent messages not delivered yet (channels without push: REST), now delivered."""
    with UnitOfWork(ports.engine) as uow:
        messages = AgentMessageRepository(uow.connection).take_pending(
            conversation_id, ports.clock.now()
        )
        uow.commit()
    return messages


def queue_assistant_message(handover_id: int, text: str, ports: HandoverPorts) -> None:
    """Keep something the assistant said outside a turn (it is back, HND-5) for a
    channel that cannot push it (REST)."""
    handover = get_handover(handover_id, ports)
    with UnitOfWork(ports.engine) as uow:
        AgentMessageRepository(uow.connection).add(
            handover=handover, agent="", text=text, now=ports.clock.now()
        )
        uow.commit()


def mark_delivered(message_id: int, ports: HandoverPorts) -> None:
    with UnitOfWork(ports.engine) as uow:
        AgentMessageRepository(uow.connection).mark_delivered(message_id, ports.clock.now())
        uow.commit()


def relay_customer_message(conversation_id: str, text: str, ports: HandoverPorts) -> bool:
    """Pass what the customer wrote during a Chatwoot handover on to Chatwoot.
    True when relayed; False when the conversation is not handled in Chatwoot."""
    if ports.chatwoot is None or not (text or "").strip():
        return False
    handover = handover_for_conversation(conversation_id, ports)
    if handover is None or not handover.external_id:
        return False
    ports.chatwoot.post_message(handover.external_id, text, incoming=True)
    return True


# --- agent accounts (HND-6) -----------------------------------------------------------
def add_agent(username: str, password: str, ports: HandoverPorts) -> str:
    """Create an agent account; the password is stored only as a salted scrypt hash."""
    username = check_agent_name(username)
    password_hash = hash_password(password, ports.rules.agents)
    with UnitOfWork(ports.engine) as uow:
        agents = AgentRepository(uow.connection)
        if agents.get(username) is not None:
            raise errors.AgentExists(f"An agent named {username!r} already exists.")
        agents.add(username, password_hash, ports.clock.now())
        uow.commit()
    log.info("agent %s added", username)
    return username


def set_agent_password(username: str, password: str, ports: HandoverPorts) -> None:
    """A new password; every session of the old one ends."""
    password_hash = hash_password(password, ports.rules.agents)
    with UnitOfWork(ports.engine) as uow:
        agents = AgentRepository(uow.connection)
        if agents.get(username) is None:
            raise errors.InvalidAgent(f"There is no agent named {username!r}.")
        agents.set_password(username, password_hash)
        uow.commit()


def count_agents(ports: HandoverPorts) -> int:
    with ports.engine.connect() as connection:
        return AgentRepository(connection).count()


def log_in(username: str, password: str, ports: HandoverPorts) -> int:
    """Check an agent's password; returns the session epoch to sign into the session.
    Too many failures in a row lock the account for a while (HND-6)."""
    policy, now = ports.rules.agents, ports.auth_clock.now()
    username = (username or "").strip()[:40]
    with UnitOfWork(ports.engine) as uow:
        agents = AgentRepository(uow.connection)
        account = agents.get(username)
        # Always hash, even for an unknown name: the answer time must not tell names apart.
        matches = verify_password(password, account.password_hash if account else None)
        # One answer for an unknown name, a wrong password and a locked account alike:
        # the refusal must not tell which agent names exist (LOGIN_REFUSED).
        if account is None:
            raise errors.AgentLoginRefused(LOGIN_REFUSED)
        if account.locked_until is not None and account.locked_until > now:
            log.warning("agent login refused for %s (locked)", username)
            raise errors.AgentLoginRefused(LOGIN_REFUSED)
        if not matches:
            lock = account.failed_logins + 1 >= policy.max_failed_logins
            agents.login_failed(
                username, now + timedelta(minutes=policy.lockout_minutes) if lock else None
            )
            uow.commit()
            log.warning("agent login refused for %s%s", username, " (now locked)" if lock else "")
            raise errors.AgentLoginRefused(LOGIN_REFUSED)
        agents.login_succeeded(username, now)
        uow.commit()
    log.info("agent %s logged in", username)
    return account.session_epoch


def session_is_current(username: str, epoch: int, ports: HandoverPorts) -> bool:
    """False once the agent logged out, changed password or was removed."""
    with ports.engine.connect() as connection:
        account = AgentRepository(connection).get(username)
    return account is not None and account.session_epoch == epoch


def log_out(username: str, ports: HandoverPorts) -> None:
    """End every session of this agent."""
    with UnitOfWork(ports.engine) as uow:
        AgentRepository(uow.connection).end_sessions(username)
        uow.commit()


# --- cases an agent can decide from the inbox -------------------------------------------
@dataclass(frozen=True)
class LinkedCase:
    """An open case of the handed-over customer, with the decisions staff can take."""

    reference: str
    kind: str
    state: str
    due_at: datetime
    verbs: tuple[str, ...]


def cases_for_handover(handover: Handover, ports: HandoverPorts) -> list[LinkedCase]:
    """Open cases of this conversation, or of the IMEI/SN the customer gave (FAQ-3)."""
    identifiers = [handover.facts[k] for k in ("imei", "serial_number") if handover.facts.get(k)]
    with ports.engine.connect() as connection:
        repo = CaseRepository(connection)
        found = [c for c in repo.open_cases() if c.conversation_id == handover.conversation_id]
        for identifier in identifiers:
            found += [c for c in repo.claims_for(identifier) if c.state is CaseState.OPEN]
    unique = {case.id: case for case in found}
    return [
        LinkedCase(
            case.reference,
            case.kind.value,
            case.state.value,
            case.due_at,
            tuple(v for v in allowed_verbs(case.kind, case.state) if v in STAFF_VERBS),
        )
        for case in sorted(unique.values(), key=lambda c: (c.due_at, c.id))
    ]
