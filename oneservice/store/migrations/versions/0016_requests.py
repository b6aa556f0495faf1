"""12345 requests (诉求): ``requests`` (one row per request, optimistic ``version``) and
``request_events`` (numbered per request, with a ``position`` in the same outbox as case events).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

AWARE = sa.DateTime(timezone=True)

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("urgency", sa.String(30), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_phone", sa.String(40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("location", sa.String(100), nullable=True),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("area", sa.String(12), nullable=True),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("item_code", sa.String(100), nullable=True),
        sa.Column("competent", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100), nullable=True),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.Column("received_at", AWARE, nullable=False),
        sa.Column("dispatched_at", AWARE, nullable=True),
        sa.Column("acknowledge_due", AWARE, nullable=True),
        sa.Column("answer_due", AWARE, nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_at", AWARE, nullable=True),
        sa.Column("answered_at", AWARE, nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("called_back_at", AWARE, nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("satisfaction", sa.String(30), nullable=True),
        sa.Column("reopens", sa.Integer(), nullable=False),
        sa.Column("escalated_at", AWARE, nullable=True),
        sa.Column("closed_at", AWARE, nullable=True),
        sa.Column("returns", sa.JSON(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    op.create_index(op.f("ix_requests_department_state_answer_due"), "requests",
                    ["department", "state", "answer_due"], unique=False)
    op.create_index(op.f("ix_requests_category_received_at"), "requests", ["category", "received_at"],
                    unique=False)
    op.create_index(op.f("ix_requests_received_at"), "requests", ["received_at"], unique=False)
    op.create_index(op.f("ix_requests_called_back_at"), "requests", ["called_back_at"], unique=False)
    op.create_index(op.f("ix_requests_case_id"), "requests", ["case_id"], unique=False)
    op.create_table(
        "request_events",
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("department", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"],
                                name=op.f("fk_request_events_request_id_requests"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id", "seq", name=op.f("pk_request_events")),
    )
    op.create_index(op.f("ix_request_events_position"), "request_events", ["position"], unique=True)
    op.create_index(op.f("ix_request_events_type_department_at"), "request_events",
                    ["type", "department", "at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_request_events_type_department_at"), table_name="request_events")
    op.drop_index(op.f("ix_request_events_position"), table_name="request_events")
    op.drop_table("request_events")
    for name in ("case_id", "called_back_at", "received_at", "category_received_at",
                 "department_state_answer_due"):
        op.drop_index(op.f(f"ix_requests_{name}"), table_name="requests")
    op.drop_table("requests")
