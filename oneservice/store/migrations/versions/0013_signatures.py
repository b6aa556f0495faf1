"""The signatures (签字) of a case's materials.

* ``cases.signatures`` — each signature: material, the role whose signature it is, when, the
  channel (window or online), who recorded it, the window's location, the agent who signed on the
  party's behalf (委托代理人); an agent party's written authorisation (委托书) is kept with the
  party in ``cases.parties``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("signatures", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("signatures")
