"""Human handover records and agent accounts (issue #4).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(120), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("territory", sa.String(8), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("agent", sa.String(40), nullable=True),
        sa.Column("external_id", sa.String(80), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(60), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_handovers"),
    )
    op.create_index("ix_handovers_state", "handovers", ["state", "requested_at"])
    op.create_index("ix_handovers_conversation_id", "handovers", ["conversation_id"])
    op.create_index("ix_handovers_external_id", "handovers", ["external_id"])
    op.create_table(
        "agent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(120), nullable=False),
        sa.Column("agent", sa.String(60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("external_id", sa.String(80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name="fk_agent_messages_handover_id_handovers",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agent_messages"),
        sa.UniqueConstraint("external_id", name="uq_agent_messages_external_id"),
    )
    op.create_index(
        "ix_agent_messages_pending", "agent_messages", ["conversation_id", "delivered_at"]
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("username", name="uq_agents_username"),
    )


def downgrade() -> None:
    op.drop_table("agents")
    op.drop_index("ix_agent_messages_pending", table_name="agent_messages")
    op.drop_table("agent_messages")
    op.drop_index("ix_handovers_external_id", table_name="handovers")
    op.drop_index("ix_handovers_conversation_id", table_name="handovers")
    op.drop_index("ix_handovers_state", table_name="handovers")
    op.drop_table("handovers")
