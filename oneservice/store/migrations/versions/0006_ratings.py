"""Figures and 好差评 as the rules say: the working days a concluded case took
(``cases.duration_days``); the policy's yellow rule frozen on each deadline (``deadlines.yellow_days``,
``yellow_from``); who recorded a rating (the applicant or their agent), what it is
about (the case, a department, a window, a staff member), whether it was a 差评 under the policy
in force, whether it still counts (an upheld appeal removes it from the figures), and the appeal.

Only columns with constant defaults (on PostgreSQL 11+ a catalogue change, no table rewrite) and
one UPDATE of the existing ratings; no index (an index, if a city needs one, should be built
CONCURRENTLY outside this migration's transaction, which the store's migration runner holds).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ratings", recreate="never") as batch:
        batch.add_column(sa.Column("actor", sa.String(200), nullable=False, server_default=sa.text("''")))
        batch.add_column(sa.Column("on_behalf", sa.Boolean(), nullable=False,
                                   server_default=sa.text("false")))
        batch.add_column(sa.Column("about", sa.String(20), nullable=False, server_default=sa.text("'case'")))
        batch.add_column(sa.Column("about_id", sa.String(100)))
        batch.add_column(sa.Column("bad", sa.Boolean(), nullable=False, server_default=sa.text("false")))
        batch.add_column(sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.text("true")))
        batch.add_column(sa.Column("appeal", sa.JSON()))
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.add_column(sa.Column("duration_days", sa.Integer()))
    with op.batch_alter_table("deadlines", recreate="never") as batch:
        batch.add_column(sa.Column("yellow_days", sa.Integer()))
        batch.add_column(sa.Column("yellow_from", sa.Date()))
    # the ratings recorded before: a 差评 was 不满意 or 非常不满意
    op.execute("UPDATE ratings SET bad = (level <= 2)")


def downgrade() -> None:
    with op.batch_alter_table("deadlines", recreate="never") as batch:
        batch.drop_column("yellow_from")
        batch.drop_column("yellow_days")
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("duration_days")
    with op.batch_alter_table("ratings", recreate="never") as batch:
        for column in ("appeal", "counted", "bad", "about_id", "about", "on_behalf", "actor"):
            batch.drop_column(column)
