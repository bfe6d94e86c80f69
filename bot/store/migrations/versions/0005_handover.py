"""Human handover records and agent accounts (issue #4).

Revision ID: 0005
Revises: 0004
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the issue named above


def downgrade() -> None:
    pass
