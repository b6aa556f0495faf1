"""The outbox: a global, gapless position on every event; relay cursors; worker jobs; webhooks.

* ``events.position`` — the event's place in the store's feed (``GET /events``), given in the
  transaction that writes the event from the one row of ``outbox_counter``; events written
  before this revision are numbered in the order they happened (time, case, seq);
* ``outbox_cursors`` — how far each relay has delivered;
* ``worker_jobs`` — the worker's schedule (``oneservice worker``);
* ``webhooks`` and ``webhook_deliveries`` — targets and their per-event delivery state.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

AWARE = sa.DateTime(timezone=True)  # oneservice.store.types.AwareDateTime in the database

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("position", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE events SET position = ranked.n FROM (SELECT case_id AS c, seq AS s, "
        "row_number() OVER (ORDER BY at, case_id, seq) AS n FROM events) AS ranked "
        "WHERE events.case_id = ranked.c AND events.seq = ranked.s"
    )
    op.create_index(op.f("ix_events_position"), "events", ["position"], unique=True)
    op.create_table(
        "outbox_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_counter")),
    )
    op.execute("INSERT INTO outbox_counter (id, position) SELECT 1, COALESCE(MAX(position), 0) FROM events")
    op.create_table(
        "outbox_cursors",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", AWARE, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbox_cursors")),
    )
    op.create_table(
        "worker_jobs",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("due_at", AWARE, nullable=False),
        sa.Column("claimed_at", AWARE, nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("finished_at", AWARE, nullable=True),
        sa.Column("runs", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_jobs")),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.Column("registered_at", AWARE, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("webhook_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", AWARE, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", AWARE, nullable=True),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_webhook_id_webhooks")),
        sa.PrimaryKeyConstraint("webhook_id", "position", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(op.f("ix_webhook_deliveries_state_next_at"), "webhook_deliveries",
                    ["state", "next_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_deliveries_state_next_at"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_table("worker_jobs")
    op.drop_table("outbox_cursors")
    op.drop_table("outbox_counter")
    op.drop_index(op.f("ix_events_position"), table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("position")
