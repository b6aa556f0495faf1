"""Supervision warnings (电子监察): one row per deadline and level, written exactly once;
an index of open deadlines by due date for the scan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warnings",
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_warnings_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "kind", "subject", "level", name=op.f("pk_warnings")),
    )
    op.create_index(op.f("ix_warnings_level_at"), "warnings", ["level", "at"], unique=False)
    op.create_index(op.f("ix_deadlines_met_at_due_date"), "deadlines", ["met_at", "due_date"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_deadlines_met_at_due_date"), table_name="deadlines")
    op.drop_index(op.f("ix_warnings_level_at"), table_name="warnings")
    op.drop_table("warnings")
