"""Initial schema: cases and their parts, events, idempotency records, definitions.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Written out with plain SQLAlchemy types (a migration is a snapshot and must not follow later
changes of ``oneservice.store.tables``): enums are VARCHAR / INTEGER, aware datetimes are
``DateTime(timezone=True)`` (timestamptz on PostgreSQL, UTC text on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)


def _case_id() -> sa.Column[str]:
    return sa.Column("case_id", sa.String(40), nullable=False)


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_id"], ["cases.id"], name=op.f(f"fk_{table}_case_id_cases"), ondelete="CASCADE"
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("matter_id", sa.String(100), nullable=False),
        sa.Column("matter_version", sa.String(40), nullable=False),
        sa.Column("definition_hash", sa.String(100), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applicant_kind", sa.String(20), nullable=False),
        sa.Column("applicant_id", sa.String(40), nullable=False),
        sa.Column("applicant_name", sa.String(200), nullable=False),
        sa.Column("applicant_phone", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("location", sa.String(100), nullable=False),
        sa.Column("agent", sa.String(100), nullable=True),
        sa.Column("opened_at", AWARE, nullable=False),
        sa.Column("submitted_at", AWARE, nullable=True),
        sa.Column("accepted_at", AWARE, nullable=True),
        sa.Column("concluded_at", AWARE, nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("notified", sa.JSON(), nullable=False),
        sa.Column("notices", sa.Integer(), nullable=False),
        sa.Column("delivery_channel", sa.String(20), nullable=True),
        sa.Column("over_budget", sa.Boolean(), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("rectification", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    _index("cases", "state")
    _index("cases", "matter_id", "state")
    _index("cases", "location", "state")
    _index("cases", "applicant_id")
    _index("cases", "due_date")
    _index("cases", "opened_at")

    op.create_table(
        "definitions",
        sa.Column("hash", sa.String(100), nullable=False),
        sa.Column("matter_id", sa.String(100), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("stored_at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_definitions")),
    )

    op.create_table(
        "idempotency",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency")),
    )

    op.create_table(
        "item_tasks",
        _case_id(),
        sa.Column("item_code", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("dispatched_at", AWARE, nullable=True),
        sa.Column("started_at", AWARE, nullable=True),
        sa.Column("concluded_at", AWARE, nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("suspended_since", sa.Date(), nullable=True),
        sa.Column("suspended_days", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=True),
        sa.Column("result_id", sa.String(100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _case_fk("item_tasks"),
        sa.PrimaryKeyConstraint("case_id", "item_code", name=op.f("pk_item_tasks")),
    )
    _index("item_tasks", "department", "state")
    _index("item_tasks", "due_date")

    op.create_table(
        "materials",
        _case_id(),
        sa.Column("material_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("received_at", AWARE, nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("provider", sa.String(100), nullable=True),
        _case_fk("materials"),
        sa.PrimaryKeyConstraint("case_id", "material_id", name=op.f("pk_materials")),
    )
    _index("materials", "status", "due_date")

    op.create_table(
        "visits",
        _case_id(),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("location", sa.String(100), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("over_budget_reason", sa.Text(), nullable=True),
        _case_fk("visits"),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_visits")),
    )

    op.create_table(
        "deadlines",
        _case_id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("extra_days", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("met_at", AWARE, nullable=True),
        _case_fk("deadlines"),
        sa.PrimaryKeyConstraint("case_id", "kind", "subject", name=op.f("pk_deadlines")),
    )
    _index("deadlines", "provisional")
    _index("deadlines", "kind", "due_date")

    op.create_table(
        "ratings",
        _case_id(),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        _case_fk("ratings"),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_ratings")),
    )

    op.create_table(
        "events",
        _case_id(),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _case_fk("events"),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_events")),
    )
    _index("events", "type", "at")


def downgrade() -> None:
    for table in ("events", "ratings", "deadlines", "visits", "materials", "item_tasks"):
        op.drop_table(table)
    op.drop_table("idempotency")
    op.drop_table("definitions")
    op.drop_table("cases")
