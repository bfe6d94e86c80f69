"""The core's tables (SQLAlchemy Core). Alembic migrations build them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every database (SQLite drops zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return (
            value.replace(tzinfo=timezone.utc)
            if value.tzinfo is None
            else value.astimezone(timezone.utc)
        )


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# DEV-1: the device registry, loaded by an operator from CSV.
devices = Table(
    "devices",
    metadata,
    Column("identifier", String(32), primary_key=True),  # normalised IMEI or SN
    Column("product", String(80), nullable=False),
    Column("activation_date", Date, nullable=False),
    Column("channel", String(120), nullable=False),
    Column("returned", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# RED-9: one row per IMEI/SN per activity family, whatever the campaign.
participations = Table(
    "participations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("family", String(40), nullable=False),
    Column("identifier", String(32), nullable=False),
    Column("identifier_kind", String(4), nullable=False),
    Column("program_id", String(20), nullable=False),
    Column("product", String(80), nullable=False),
    Column("channel", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    Column("mi_id", String(12), nullable=False, index=True),
    Column("status", String(12), nullable=False),  # issued | review | revoked
    Column("rule_ids", String(200), nullable=False),
    Column("coupon_code", String(40)),
    Column("coupon_valid_until", UtcDateTime()),
    Column("due_date", Date),
    Column("conversation_id", String(120)),
    Column("submitted_at", UtcDateTime(), nullable=False, index=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("family", "identifier", name="uq_participations_family_identifier"),
    UniqueConstraint("coupon_code", name="uq_participations_coupon_code"),
)

# Transactional outbox: written in the same transaction as the decision it reports.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("participation_id", Integer, ForeignKey("participations.id")),
    Column("kind", String(40), nullable=False),
    Column("to_address", String(254), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),  # pending|sending|sent|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Index("ix_outbox_status", "status", "next_attempt_at"),
)
