"""Device registry, IMEI/SN participations and the email outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("identifier", sa.String(32), nullable=False),
        sa.Column("product", sa.String(80), nullable=False),
        sa.Column("activation_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(120), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("identifier", name="pk_devices"),
    )
    op.create_table(
        "participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(40), nullable=False),
        sa.Column("identifier", sa.String(32), nullable=False),
        sa.Column("identifier_kind", sa.String(4), nullable=False),
        sa.Column("program_id", sa.String(20), nullable=False),
        sa.Column("product", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("mi_id", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rule_ids", sa.String(200), nullable=False),
        sa.Column("coupon_code", sa.String(40), nullable=True),
        sa.Column("coupon_valid_until", sa.DateTime(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("conversation_id", sa.String(120), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_participations"),
        sa.UniqueConstraint("family", "identifier", name="uq_participations_family_identifier"),
        sa.UniqueConstraint("coupon_code", name="uq_participations_coupon_code"),
    )
    op.create_index("ix_participations_mi_id", "participations", ["mi_id"])
    op.create_index("ix_participations_submitted_at", "participations", ["submitted_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participations.id"],
            name="fk_outbox_participation_id_participations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_participations_submitted_at", table_name="participations")
    op.drop_index("ix_participations_mi_id", table_name="participations")
    op.drop_table("participations")
    op.drop_table("devices")
