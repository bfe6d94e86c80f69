"""Warranty claims and exchange coupons (issue #3).

Revision ID: 0003
Revises: 0002
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the issue named above


def downgrade() -> None:
    pass
