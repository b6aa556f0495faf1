"""The open deadlines by kind and due date (a partial index: the report's open cases past their
promise), and the report's figures kept per case and per (case, department): ``figure_cases`` and
``figure_departments``, written in the transaction of every save that changes them
(:mod:`oneservice.store.figure_upkeep`), and filled here from the stored cases.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oneservice.store.ddl import create_index_online, drop_index_online

AWARE = sa.DateTime(timezone=True)  # oneservice.store.types.AwareDateTime in the database
LEVELS = ("level_1", "level_2", "level_3", "level_4", "level_5")

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counts(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f(f"fk_{table}_case_id_cases"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "figure_cases",
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("opened_at", AWARE, nullable=False),
        sa.Column("matter_id", sa.String(100), nullable=False),
        sa.Column("location", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("duration_days", sa.Integer()),
        *[sa.Column(name, sa.Boolean(), nullable=False) for name in ("active", "submitted", "concluded")],
        sa.Column("delivery_channel", sa.String(20)),
        *[sa.Column(name, sa.Boolean(), nullable=False) for name in ("rated", "deficient", "withdrawn")],
        sa.Column("case_met_month", sa.String(7)),
        *_counts("notices", "trips", "tasks", "case_n", "case_met", "case_on_time", "timed_n", "timed_amount",
                 "legal_n", "legal_met", "legal_on_time", "rect_n", "rect_on_time", *LEVELS, "bad", "called",
                 "appeals", "upheld", "suspended_days", "correction_days"),
        _case_fk("figure_cases"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_figure_cases")),
    )
    op.create_table(
        "figure_departments",
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("opened_at", AWARE, nullable=False),
        sa.Column("has_items", sa.Boolean(), nullable=False),
        *_counts("item_met", "item_on_time", "legal_met", "legal_on_time", *LEVELS, "bad", "called",
                 "appeals", "upheld", "suspended_days", "correction_days"),
        _case_fk("figure_departments"),
        sa.PrimaryKeyConstraint("case_id", "department", name=op.f("pk_figure_departments")),
    )
    create_index_online("ix_deadlines_open_kind_due_date", "deadlines", ["kind", "due_date"],
                        postgresql_where=sa.text("met_at IS NULL"), sqlite_where=sa.text("met_at IS NULL"))
    from oneservice.store.figure_upkeep import rebuild, rebuild_statements

    if op.get_context().as_sql:  # printed, not run
        for statement in rebuild_statements(op.get_context().dialect.name):
            op.execute(statement)
    else:
        rebuild(op.get_bind())


def downgrade() -> None:
    drop_index_online("ix_deadlines_open_kind_due_date", "deadlines")
    op.drop_table("figure_departments")
    op.drop_table("figure_cases")
