"""Repositories: the only code that writes SQL for the core's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from bot.coupons import ParticipationStatus
from bot.decisions.redemption import DeviceRecord
from bot.store.tables import devices, outbox, participations


class OutboxStatus(str, Enum):
    """An email in the outbox, as stored."""

    PENDING = "pending"  # waiting to be sent (again, after a failed attempt)
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # given up after the last attempt


class DeviceRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, identifier: str) -> DeviceRecord | None:
        row = (
            self.connection.execute(select(devices).where(devices.c.identifier == identifier))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return DeviceRecord(
            identifier=row["identifier"],
            product=row["product"],
            activation_date=row["activation_date"],
            channel=row["channel"],
            returned=row["returned"],
        )

    def upsert(self, records: list[DeviceRecord], now: datetime) -> tuple[int, int]:
        """Insert new devices and refresh known ones; returns (added, updated)."""
        known = set(
            self.connection.execute(
                select(devices.c.identifier).where(
                    devices.c.identifier.in_([r.identifier for r in records])
                )
            ).scalars()
        )
        for record in records:
            values = {
                "product": record.product,
                "activation_date": record.activation_date,
                "channel": record.channel,
                "returned": record.returned,
                "updated_at": now,
            }
            if record.identifier in known:
                self.connection.execute(
                    update(devices)
                    .where(devices.c.identifier == record.identifier)
                    .values(**values)
                )
            else:
                self.connection.execute(
                    insert(devices).values(identifier=record.identifier, **values)
                )
        return len(records) - len(known), len(known)


@dataclass(frozen=True)
class Participation:
    id: int
    identifier: str
    identifier_kind: str
    program_id: str
    product: str
    email: str
    mi_id: str
    status: ParticipationStatus
    coupon_code: str | None
    submitted_at: datetime


class ParticipationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def find(self, family: str, identifier: str) -> Participation | None:
        row = (
            self.connection.execute(
                select(participations).where(
                    participations.c.family == family, participations.c.identifier == identifier
                )
            )
            .mappings()
            .first()
        )
        return _participation(row) if row else None

    def count_since(
        self, since: datetime, *, mi_id: str | None = None, email: str | None = None
    ) -> int:
        """Participations by one Mi ID (or email) since ``since`` (RED-15). On PostgreSQL
        this also holds a lock on that Mi ID (or email) until the transaction ends."""
        column, value = (
            (participations.c.mi_id, mi_id) if mi_id else (participations.c.email, email)
        )
        if self.connection.dialect.name == "postgresql":
            # SQLite lets one writer in at a time; PostgreSQL does not, so two claims by one
            # customer could both count 5 and both get a coupon. The second waits here until
            # the first commits, then counts it (each READ COMMITTED statement sees commits).
            key = func.hashtext(f"participations.{column.name}:{value}")
            self.connection.execute(select(func.pg_advisory_xact_lock(key)))
        return self.connection.execute(
            select(func.count())
            .select_from(participations)
            .where(column == value, participations.c.submitted_at >= since)
        ).scalar_one()

    def add(self, **values: object) -> int:
        result = self.connection.execute(insert(participations).values(**values))
        return int(result.inserted_primary_key[0])

    def issued_among(self, identifiers: list[str]) -> list[Participation]:
        rows = self.connection.execute(
            select(participations).where(
                participations.c.identifier.in_(identifiers),
                participations.c.status == ParticipationStatus.ISSUED.value,
            )
        ).mappings()
        return [_participation(row) for row in rows]

    def set_status(self, participation_id: int, status: ParticipationStatus, now: datetime) -> None:
        self.connection.execute(
            update(participations)
            .where(participations.c.id == participation_id)
            .values(status=ParticipationStatus(status).value, updated_at=now)
        )


def _participation(row) -> Participation:
    return Participation(
        id=row["id"],
        identifier=row["identifier"],
        identifier_kind=row["identifier_kind"],
        program_id=row["program_id"],
        product=row["product"],
        email=row["email"],
        mi_id=row["mi_id"],
        status=ParticipationStatus(row["status"]),
        coupon_code=row["coupon_code"],
        submitted_at=row["submitted_at"],
    )


@dataclass(frozen=True)
class QueuedEmail:
    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


class OutboxRepository:
    # A claimed message whose sender died is offered again after this long.
    CLAIM_TIMEOUT = timedelta(minutes=10)

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        *,
        kind: str,
        to_address: str,
        subject: str,
        body: str,
        now: datetime,
        participation_id: int | None = None,
    ) -> int:
        result = self.connection.execute(
            insert(outbox).values(
                kind=kind,
                to_address=to_address,
                subject=subject,
                body=body,
                participation_id=participation_id,
                status=OutboxStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        return int(result.inserted_primary_key[0])

    def due(self, now: datetime, limit: int) -> list[int]:
        return list(
            self.connection.execute(
                select(outbox.c.id)
                .where(
                    outbox.c.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
                    outbox.c.next_attempt_at <= now,
                )
                .order_by(outbox.c.id)
                .limit(limit)
            ).scalars()
        )

    def claim(self, message_id: int, now: datetime) -> QueuedEmail | None:
        """Take one due message for sending; None if another sender has it."""
        # One conditional UPDATE, no read first. On PostgreSQL a second claimer waits on
        # the row lock, then re-checks this WHERE against the committed row; the first
        # claim moved next_attempt_at ahead, so the second updates nothing.
        claimed = self.connection.execute(
            update(outbox)
            .where(
                outbox.c.id == message_id,
                outbox.c.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
                outbox.c.next_attempt_at <= now,
            )
            .values(
                status=OutboxStatus.SENDING.value,
                attempts=outbox.c.attempts + 1,
                next_attempt_at=now + self.CLAIM_TIMEOUT,
            )
        )
        if claimed.rowcount != 1:
            return None
        row = (
            self.connection.execute(select(outbox).where(outbox.c.id == message_id))
            .mappings()
            .one()
        )
        return QueuedEmail(
            row["id"], row["to_address"], row["subject"], row["body"], row["attempts"]
        )

    def mark_sent(self, message_id: int, now: datetime) -> None:
        self.connection.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(status=OutboxStatus.SENT.value, sent_at=now, last_error=None)
        )

    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: pending again at ``retry_at``, or failed for good."""
        values: dict[str, object] = {"last_error": error[:500]}
        if retry_at is None:
            values["status"] = OutboxStatus.FAILED.value
        else:
            values.update(status=OutboxStatus.PENDING.value, next_attempt_at=retry_at)
        self.connection.execute(update(outbox).where(outbox.c.id == message_id).values(**values))

    def counts(self) -> dict[str, int]:
        rows = self.connection.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        return {status: count for status, count in rows}
