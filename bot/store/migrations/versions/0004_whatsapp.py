"""WhatsApp message de-duplication and contact windows (issue #4).

Revision ID: 0004
Revises: 0003
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the issue named above


def downgrade() -> None:
    pass
