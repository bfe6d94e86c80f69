"""Warranty claims and exchange coupons (issue #3).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_warranty_and_exchange()


def downgrade() -> None:
    _drop_warranty_and_exchange()


# --- WAR-7, WAR-3, WAR-5, EXC-3: warranty enquiries and claims, exchange coupons ------------
def _create_warranty_and_exchange() -> None:
    op.create_table(
        "warranty_enquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(20), nullable=False),
        sa.Column("product", sa.String(80), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("channel", sa.String(120), nullable=True),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("problem", sa.String(40), nullable=True),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("route", sa.String(40), nullable=True),
        sa.Column("rule_ids", sa.String(200), nullable=False),
        sa.Column("conversation_id", sa.String(120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_warranty_enquiries"),
    )
    op.create_index("ix_warranty_enquiries_created_at", "warranty_enquiries", ["created_at"])
    op.create_table(
        "warranty_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(20), nullable=False),
        sa.Column("benefit", sa.String(40), nullable=False),
        sa.Column("imei", sa.String(32), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["warranty_enquiries.id"],
            name="fk_warranty_claims_enquiry_id_warranty_enquiries",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_warranty_claims"),
        sa.UniqueConstraint(
            "program_id", "benefit", "imei", name="uq_warranty_claims_program_id_benefit_imei"
        ),
    )
    op.create_table(
        "exchange_coupons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(20), nullable=False),
        sa.Column("old_imei", sa.String(32), nullable=False),
        sa.Column("brand", sa.String(40), nullable=False),
        sa.Column("model", sa.String(80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("coupon_code", sa.String(40), nullable=False),
        sa.Column("exchange_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("rule_ids", sa.String(200), nullable=False),
        sa.Column("conversation_id", sa.String(120), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exchange_coupons"),
        sa.UniqueConstraint(
            "program_id", "old_imei", name="uq_exchange_coupons_program_id_old_imei"
        ),
        sa.UniqueConstraint("coupon_code", name="uq_exchange_coupons_coupon_code"),
    )


def _drop_warranty_and_exchange() -> None:
    op.drop_table("exchange_coupons")
    op.drop_table("warranty_claims")
    op.drop_index("ix_warranty_enquiries_created_at", table_name="warranty_enquiries")
    op.drop_table("warranty_enquiries")
