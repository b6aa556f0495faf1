"""The law's clocks and the single window: when an application was received, the applicant's
commitment under 容缺受理, the hand-over of each result, correction days apart from suspension
days, and the working days an approved extension (延期) added to a deadline.

Only columns are added, each nullable or with a constant default: on PostgreSQL (11 and later)
that changes the catalogue only and does not rewrite or lock the tables for long; no index is
built (the supervision scan's ``(kind, due_date)`` index serves the new deadline kinds).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("commitment", sa.Text()))
        batch.add_column(sa.Column("deliveries", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("item_tasks", recreate="never") as batch:
        batch.add_column(sa.Column("correction_days", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("deadlines", recreate="never") as batch:
        batch.add_column(sa.Column("extension_days", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", recreate="never") as batch:
        batch.drop_column("extension_days")
    with op.batch_alter_table("item_tasks", recreate="never") as batch:
        batch.drop_column("correction_days")
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("deliveries")
        batch.drop_column("commitment")
        batch.drop_column("received_at")
