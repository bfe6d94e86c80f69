"""Cases, their audit trail and appeals (issue #5).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("program_id", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("participation_id", sa.Integer(), nullable=True),
        sa.Column("identifier", sa.String(32), nullable=True),
        sa.Column("identifier_kind", sa.String(4), nullable=True),
        sa.Column("mi_id", sa.String(12), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("product", sa.String(80), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("rule_ids", sa.String(200), nullable=False),
        sa.Column("open_key", sa.String(80), nullable=True),
        sa.Column("conversation_id", sa.String(120), nullable=True),
        sa.Column("contact_channel", sa.String(40), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("notice_at", sa.DateTime(), nullable=True),
        sa.Column("appeal_deadline", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["cases.id"], name="fk_cases_parent_id_cases"),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participations.id"],
            name="fk_cases_participation_id_participations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("reference", name="uq_cases_reference"),
        sa.UniqueConstraint("open_key", name="uq_cases_open_key"),
    )
    op.create_index("ix_cases_identifier", "cases", ["identifier"])
    op.create_index("ix_cases_state_due_at", "cases", ["state", "due_at"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("from_state", sa.String(12), nullable=True),
        sa.Column("to_state", sa.String(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_events_case_id", table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_cases_state_due_at", table_name="cases")
    op.drop_index("ix_cases_identifier", table_name="cases")
    op.drop_table("cases")
