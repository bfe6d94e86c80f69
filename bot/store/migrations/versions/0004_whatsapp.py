"""WhatsApp message de-duplication and contact windows (issue #4).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_messages",
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_whatsapp_messages"),
    )
    op.create_index("ix_whatsapp_messages_received_at", "whatsapp_messages", ["received_at"])
    op.create_table(
        "whatsapp_contacts",
        sa.Column("wa_id", sa.String(32), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("wa_id", name="pk_whatsapp_contacts"),
    )


def downgrade() -> None:
    op.drop_table("whatsapp_contacts")
    op.drop_index("ix_whatsapp_messages_received_at", table_name="whatsapp_messages")
    op.drop_table("whatsapp_messages")
