"""Honest provisional dates: an owed material's due date says whether it is provisional; the
calendar years loaded after the bundled data are kept, so a restarted service loads them again.

* ``materials.due_provisional`` — the 容缺 due date was computed on a guessed calendar year;
  filled from the material's ``deficiency`` deadline, which has always carried the flag;
* ``calendar_years`` — one row per loaded year: its data, source, when and by whom.

Adding a column with a constant default is a catalogue-only change on PostgreSQL 11 and later
(no table rewrite); no index is built.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("materials",
                  sa.Column("due_provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE materials SET due_provisional = (SELECT d.provisional FROM deadlines d"
        " WHERE d.case_id = materials.case_id AND d.kind = 'deficiency'"
        " AND d.subject = materials.material_id)"
        " WHERE status = 'owed' AND EXISTS (SELECT 1 FROM deadlines d"
        " WHERE d.case_id = materials.case_id AND d.kind = 'deficiency'"
        " AND d.subject = materials.material_id)"
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
    with op.batch_alter_table("materials") as batch:
        batch.drop_column("due_provisional")
