"""Extension requests (延期申请): a reviewer asks, a supervisor approves or rejects.

* ``item_tasks.extension_request_seq``, ``extension_requested_at``, ``extension_requested_by``,
  ``extension_request_days``, ``extension_request_reason`` — the item's pending request (one at a
  time): the number of its ``ExtensionRequested`` event, when, which reviewer, the working days
  asked and why; all NULL when none is pending (the decisions are events).
* ``ix_item_tasks_extension_requested_at`` — the supervisor's list of requests to decide.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWARE = sa.DateTime(timezone=True)  # oneservice.store.types.AwareDateTime in the database


def upgrade() -> None:
    op.add_column("item_tasks", sa.Column("extension_request_seq", sa.Integer(), nullable=True))
    op.add_column("item_tasks", sa.Column("extension_requested_at", AWARE, nullable=True))
    op.add_column("item_tasks", sa.Column("extension_requested_by", sa.String(200), nullable=True))
    op.add_column("item_tasks", sa.Column("extension_request_days", sa.Integer(), nullable=True))
    op.add_column("item_tasks", sa.Column("extension_request_reason", sa.Text(), nullable=True))
    op.create_index(op.f("ix_item_tasks_extension_requested_at"), "item_tasks", ["extension_requested_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_item_tasks_extension_requested_at"), table_name="item_tasks")
    with op.batch_alter_table("item_tasks", recreate="never") as batch:
        for name in ("extension_request_reason", "extension_request_days", "extension_requested_by",
                     "extension_requested_at", "extension_request_seq"):
            batch.drop_column(name)
