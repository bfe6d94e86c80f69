"""Cases, their audit trail and appeals (issue #5).

Revision ID: 0002
Revises: 0001
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the issue named above


def downgrade() -> None:
    pass
