"""Repositories for handovers, agents' messages and agent accounts (HND-4..6).

Each takes the connection of a unit of work: ``HandoverRepository(uow.connection)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from bot.errors import HandoverError
from bot.handover import Handover, HandoverState, Line
from bot.store.tables import agent_messages, agents, handovers

MAX_CONVERSATION_ID = handovers.c.conversation_id.type.length


def storable_conversation_id(conversation_id: str) -> str:
    """The conversation id as the tables keep it: 1 to 120 characters of text that can
    be encoded (a lone surrogate such as "\\ud800" cannot). Else HandoverError."""
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= MAX_CONVERSATION_ID:
        raise HandoverError(
            f"A conversation id must be text of 1 to {MAX_CONVERSATION_ID} characters; "
            "nothing was recorded."
        )
    try:
        conversation_id.encode("utf-8")
    except UnicodeEncodeError:
        raise HandoverError(
            "A conversation id must be valid Unicode text (this one has a lone surrogate); "
            "nothing was recorded."
        ) from None
    return conversation_id


def _storable(conversation_id: str) -> bool:
    try:
        storable_conversation_id(conversation_id)
    except HandoverError:
        return False
    return True


MAX_ROW_ID = 2**63 - 1  # the largest integer key SQLite and PostgreSQL store


class HandoverRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        *,
        conversation_id: str,
        channel: str,
        territory: str,
        reason: str,
        facts: dict[str, str],
        transcript: tuple[Line, ...],
        now: datetime,
    ) -> int:
        result = self.connection.execute(
            insert(handovers).values(
                conversation_id=storable_conversation_id(conversation_id),
                channel=channel,
                territory=territory,
                state=HandoverState.WAITING.value,
                reason=reason,
                facts=json.dumps(facts),
                transcript=json.dumps([line.as_json() for line in transcript]),
                requested_at=now,
            )
        )
        return int(result.inserted_primary_key[0])

    def get(self, handover_id: int) -> Handover | None:
        if not 0 < handover_id <= MAX_ROW_ID:  # no such row, and the driver would overflow
            return None
        row = (
            self.connection.execute(select(handovers).where(handovers.c.id == handover_id))
            .mappings()
            .first()
        )
        return _handover(row) if row else None

    def open_for(self, conversation_id: str) -> Handover | None:
        """The conversation's waiting or active handover, if any."""
        if not _storable(conversation_id):
            return None  # nothing can have been recorded under it
        row = (
            self.connection.execute(
                select(handovers)
                .where(
                    handovers.c.conversation_id == conversation_id,
                    handovers.c.state.in_(HandoverState.open_states()),
                )
                .order_by(handovers.c.id.desc())
            )
            .mappings()
            .first()
        )
        return _handover(row) if row else None

    def requested_since(self, conversation_id: str, since: datetime) -> int:
        """How many handovers the conversation asked for after ``since``, open or closed."""
        if not _storable(conversation_id):
            return 0
        return self.connection.execute(
            select(func.count())
            .select_from(handovers)
            .where(
                handovers.c.conversation_id == conversation_id,
                handovers.c.requested_at > since,
            )
        ).scalar_one()

    def by_external_id(self, external_id: str) -> Handover | None:
        row = (
            self.connection.execute(
                select(handovers)
                .where(handovers.c.external_id == external_id)
                .order_by(handovers.c.id.desc())
            )
            .mappings()
            .first()
        )
        return _handover(row) if row else None

    def open_ones(self) -> list[Handover]:
        """Waiting and active handovers, longest waiting first."""
        rows = self.connection.execute(
            select(handovers)
            .where(handovers.c.state.in_(HandoverState.open_states()))
            .order_by(handovers.c.requested_at, handovers.c.id)
        ).mappings()
        return [_handover(row) for row in rows]

    def waiting_count(self, territory: str, before_id: int | None = None) -> int:
        """Customers waiting in a territory; only those who asked first with ``before_id``."""
        query = (
            select(func.count())
            .select_from(handovers)
            .where(
                handovers.c.state == HandoverState.WAITING.value,
                handovers.c.territory == territory,
            )
        )
        if before_id is not None:
            query = query.where(handovers.c.id < before_id)
        return self.connection.execute(query).scalar_one()

    def set_external_id(self, handover_id: int, external_id: str) -> None:
        self.connection.execute(
            update(handovers).where(handovers.c.id == handover_id).values(external_id=external_id)
        )

    def answered(self, handover_id: int, agent: str, now: datetime) -> None:
        """The first answer makes a waiting handover active; later ones change nothing."""
        self.connection.execute(
            update(handovers)
            .where(
                handovers.c.id == handover_id,
                handovers.c.state == HandoverState.WAITING.value,
            )
            .values(state=HandoverState.ACTIVE.value, agent=agent, answered_at=now)
        )

    def close(self, handover_id: int, by: str, now: datetime) -> bool:
        """Close an open handover; False when it was already closed."""
        result = self.connection.execute(
            update(handovers)
            .where(
                handovers.c.id == handover_id,
                handovers.c.state.in_(HandoverState.open_states()),
            )
            .values(state=HandoverState.CLOSED.value, closed_at=now, closed_by=by[:60])
        )
        return result.rowcount == 1


def _handover(row) -> Handover:
    return Handover(
        id=row["id"],
        conversation_id=row["conversation_id"],
        channel=row["channel"],
        territory=row["territory"],
        state=HandoverState(row["state"]),
        reason=row["reason"],
        facts=json.loads(row["facts"]),
        transcript=tuple(Line.from_json(line) for line in json.loads(row["transcript"])),
        requested_at=row["requested_at"],
        answered_at=row["answered_at"],
        closed_at=row["closed_at"],
        agent=row["agent"],
        closed_by=row["closed_by"],
        external_id=row["external_id"],
    )


@dataclass(frozen=True)
class AgentMessage:
    id: int
    handover_id: int
    conversation_id: str
    agent: str
    text: str
    created_at: datetime
    delivered_at: datetime | None


class AgentMessageRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        *,
        handover: Handover,
        agent: str,
        text: str,
        now: datetime,
        external_id: str | None = None,
    ) -> AgentMessage:
        result = self.connection.execute(
            insert(agent_messages).values(
                handover_id=handover.id,
                conversation_id=handover.conversation_id,
                agent=agent,
                text=text,
                external_id=external_id,
                created_at=now,
            )
        )
        return AgentMessage(
            int(result.inserted_primary_key[0]),
            handover.id,
            handover.conversation_id,
            agent,
            text,
            now,
            None,
        )

    def knows(self, external_id: str) -> bool:
        return (
            self.connection.execute(
                select(agent_messages.c.id).where(agent_messages.c.external_id == external_id)
            ).first()
            is not None
        )

    def take_pending(self, conversation_id: str, now: datetime) -> list[AgentMessage]:
        """Undelivered messages for a conversation, oldest first, marked delivered now."""
        if not _storable(conversation_id):
            return []
        rows = list(
            self.connection.execute(
                select(agent_messages)
                .where(
                    agent_messages.c.conversation_id == conversation_id,
                    agent_messages.c.delivered_at.is_(None),
                )
                .order_by(agent_messages.c.id)
            ).mappings()
        )
        if rows:
            self.connection.execute(
                update(agent_messages)
                .where(agent_messages.c.id.in_([row["id"] for row in rows]))
                .values(delivered_at=now)
            )
        return [
            AgentMessage(
                row["id"],
                row["handover_id"],
                row["conversation_id"],
                row["agent"],
                row["text"],
                row["created_at"],
                now,
            )
            for row in rows
        ]

    def mark_delivered(self, message_id: int, now: datetime) -> None:
        self.connection.execute(
            update(agent_messages)
            .where(agent_messages.c.id == message_id, agent_messages.c.delivered_at.is_(None))
            .values(delivered_at=now)
        )


@dataclass(frozen=True)
class AgentAccount:
    id: int
    username: str
    password_hash: str
    session_epoch: int
    failed_logins: int
    locked_until: datetime | None


class AgentRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, username: str) -> AgentAccount | None:
        row = (
            self.connection.execute(select(agents).where(agents.c.username == username))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return AgentAccount(
            row["id"],
            row["username"],
            row["password_hash"],
            row["session_epoch"],
            row["failed_logins"],
            row["locked_until"],
        )

    def count(self) -> int:
        return self.connection.execute(select(func.count()).select_from(agents)).scalar_one()

    def add(self, username: str, password_hash: str, now: datetime) -> None:
        self.connection.execute(
            insert(agents).values(
                username=username,
                password_hash=password_hash,
                session_epoch=0,
                failed_logins=0,
                created_at=now,
            )
        )

    def set_password(self, username: str, password_hash: str) -> None:
        # A new password also ends every session of the old one.
        self.connection.execute(
            update(agents)
            .where(agents.c.username == username)
            .values(
                password_hash=password_hash,
                session_epoch=agents.c.session_epoch + 1,
                failed_logins=0,
                locked_until=None,
            )
        )

    def login_failed(self, username: str, locked_until: datetime | None) -> None:
        values: dict[str, object] = {"failed_logins": agents.c.failed_logins + 1}
        if locked_until is not None:
            values.update(locked_until=locked_until, failed_logins=0)
        self.connection.execute(
            update(agents).where(agents.c.username == username).values(**values)
        )

    def login_succeeded(self, username: str, now: datetime) -> None:
        self.connection.execute(
            update(agents)
            .where(agents.c.username == username)
            .values(failed_logins=0, locked_until=None, last_login_at=now)
        )

    def end_sessions(self, username: str) -> None:
        self.connection.execute(
            update(agents)
            .where(agents.c.username == username)
            .values(session_epoch=agents.c.session_epoch + 1)
        )
