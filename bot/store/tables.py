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
    Column("status", String(12), nullable=False),  # bot.coupons.ParticipationStatus
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
    Column("status", String(10), nullable=False),  # bot.store.repositories.OutboxStatus
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Index("ix_outbox_status", "status", "next_attempt_at"),
)

# WhatsApp (issue #4): one row per webhook message id, inserted before the message is
# processed, so a delivery Meta repeats (or one that arrives after a restart) is
# answered once.
whatsapp_messages = Table(
    "whatsapp_messages",
    metadata,
    Column("message_id", String(255), primary_key=True),  # Meta's "wamid.…"
    Column("received_at", UtcDateTime(), nullable=False, index=True),
)

# WhatsApp: when each customer last wrote to us; free text may be sent only within
# 24 hours of it (Meta's customer service window), templates otherwise.
whatsapp_contacts = Table(
    "whatsapp_contacts",
    metadata,
    Column("wa_id", String(32), primary_key=True),
    Column("last_inbound_at", UtcDateTime(), nullable=False),
)

# Cases (issue #5): difficulty forms, manual reviews, appeals and callbacks (FAQ, APL).
# ``open_key`` is set only while a case is open and is unique, so the database itself
# keeps one open case per IMEI/SN (FAQ-4) and one open appeal per case (APL-3).
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(12), nullable=False, unique=True),
    Column("kind", String(12), nullable=False),  # difficulty | review | appeal | callback
    Column("state", String(12), nullable=False),  # bot.cases.CaseState
    Column("program_id", String(20), nullable=False),
    Column("parent_id", Integer, ForeignKey("cases.id")),  # an appeal's rejected case
    Column("participation_id", Integer, ForeignKey("participations.id")),
    Column("identifier", String(32), index=True),
    Column("identifier_kind", String(4)),
    Column("mi_id", String(12)),
    Column("email", String(254)),
    Column("product", String(80)),
    Column("facts", Text, nullable=False),  # JSON object of what was collected
    Column("rule_ids", String(200), nullable=False),
    Column("open_key", String(80), unique=True),
    Column("conversation_id", String(120)),
    Column("contact_channel", String(40)),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("decision_note", Text),
    Column("notice_at", UtcDateTime()),  # failure notice sent (APL-1 counts from here)
    Column("appeal_deadline", UtcDateTime()),  # as stated in the failure notice
    Column("reminded_at", UtcDateTime()),  # the one overdue reminder was queued
    Index("ix_cases_state_due_at", "state", "due_at"),
)

# The audit trail: every change of a case's state, by whom, with the reason given.
case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("actor", String(80), nullable=False),
    Column("from_state", String(12)),
    Column("to_state", String(12), nullable=False),
    Column("note", Text, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# HND-4: a conversation handed to a person (issue #4). At most one open (waiting or
# active) handover per conversation; the services keep it so.
handovers = Table(
    "handovers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(120), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("territory", String(8), nullable=False),
    Column("state", String(8), nullable=False),  # waiting | active | closed
    Column("reason", String(40), nullable=False),
    Column("facts", Text, nullable=False),  # JSON: slot -> value, as the agent sees them
    Column("transcript", Text, nullable=False),  # JSON: the conversation until the handover
    Column("agent", String(40)),
    Column("external_id", String(80)),  # the Chatwoot conversation id, when Chatwoot is used
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("answered_at", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    Column("closed_by", String(60)),
    Index("ix_handovers_state", "state", "requested_at"),
    Index("ix_handovers_conversation_id", "conversation_id"),
    Index("ix_handovers_external_id", "external_id"),
)

# HND-5: what agents said. Channels without push (REST) collect undelivered ones.
agent_messages = Table(
    "agent_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("handover_id", Integer, ForeignKey("handovers.id"), nullable=False),
    Column("conversation_id", String(120), nullable=False),
    Column("agent", String(60), nullable=False),
    Column("text", Text, nullable=False),
    Column("external_id", String(80)),  # Chatwoot's message id: a webhook retry is ignored
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
    UniqueConstraint("external_id", name="uq_agent_messages_external_id"),
    Index("ix_agent_messages_pending", "conversation_id", "delivered_at"),
)

# HND-6: agent accounts. Passwords are stored as scrypt hashes with a per-user salt.
agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(40), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("session_epoch", Integer, nullable=False, default=0),  # +1 on logout
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_login_at", UtcDateTime()),
    UniqueConstraint("username", name="uq_agents_username"),
)

# WAR-7 (issue #3): every "am I covered?" answer, without personal data.
warranty_enquiries = Table(
    "warranty_enquiries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", String(20), nullable=False),
    Column("product", String(80), nullable=False),
    # Not asked (None) once the product, country or channel is outside the promotion.
    Column("country", String(2)),
    Column("channel", String(120)),
    Column("purchase_date", Date),
    Column("problem", String(40)),
    Column("outcome", String(12), nullable=False),
    Column("route", String(40)),  # the service that serves the problem, if any
    Column("rule_ids", String(200), nullable=False),
    Column("conversation_id", String(120)),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
)

# WAR-3, WAR-5: a one-time service claimed for a phone. Unique per program, service and
# IMEI, so the database itself grants it once, whatever races.
warranty_claims = Table(
    "warranty_claims",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", String(20), nullable=False),
    Column("benefit", String(40), nullable=False),
    Column("imei", String(32), nullable=False),
    Column("enquiry_id", Integer, ForeignKey("warranty_enquiries.id"), nullable=False),
    Column("purchase_date", Date, nullable=False),
    Column("claimed_at", UtcDateTime(), nullable=False),
    UniqueConstraint(
        "program_id", "benefit", "imei", name="uq_warranty_claims_program_id_benefit_imei"
    ),
)

# EXC-3: one exchange coupon per old phone (IMEI) per program; codes are unique.
exchange_coupons = Table(
    "exchange_coupons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("program_id", String(20), nullable=False),
    Column("old_imei", String(32), nullable=False),
    Column("brand", String(40), nullable=False),
    Column("model", String(80), nullable=False),
    Column("value", Integer, nullable=False),  # whole units of ``currency``
    Column("currency", String(3), nullable=False),
    Column("coupon_code", String(40), nullable=False),
    Column("exchange_date", Date, nullable=False),  # territory date (EXC-4 counts from it)
    Column("valid_until", UtcDateTime(), nullable=False),
    Column("email", String(254)),
    Column("rule_ids", String(200), nullable=False),
    Column("conversation_id", String(120)),
    Column("issued_at", UtcDateTime(), nullable=False),
    UniqueConstraint("program_id", "old_imei", name="uq_exchange_coupons_program_id_old_imei"),
    UniqueConstraint("coupon_code", name="uq_exchange_coupons_coupon_code"),
)
