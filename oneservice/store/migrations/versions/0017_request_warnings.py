"""电子监察 of 12345 requests: ``request_warnings``, one row per request deadline (acknowledgement
or answer of one dispatch) and level, recorded exactly once by the supervision scan.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

AWARE = sa.DateTime(timezone=True)

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_warnings",
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("dispatched_at", AWARE, nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("due_at", AWARE, nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("at", AWARE, nullable=False),
        sa.Column("worker", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"],
                                name=op.f("fk_request_warnings_request_id_requests"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id", "kind", "dispatched_at", "level",
                                name=op.f("pk_request_warnings")),
    )
    op.create_index(op.f("ix_request_warnings_level_at"), "request_warnings", ["level", "at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_request_warnings_level_at"), table_name="request_warnings")
    op.drop_table("request_warnings")
