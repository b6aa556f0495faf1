"""Pickup points: where a case's results wait (docs/authoring.md, "Intake and pickup points").

* ``cases.pickup_location`` — the service location whose window hands the results out: the intake
  point by default (existing cases: their location, where the window queue showed them), another
  point the applicant chose, or NULL when no window fits (mail or electronic delivery).
* ``ix_cases_pickup_location_state_concluded_at_id`` replaces
  ``ix_cases_location_state_concluded_at_id``: the window queue of a point lists the cases
  whose results wait there, including those taken in elsewhere.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("pickup_location", sa.String(100), nullable=True))
    op.execute(sa.text("UPDATE cases SET pickup_location = location"))
    op.create_index(op.f("ix_cases_pickup_location_state_concluded_at_id"), "cases",
                    ["pickup_location", "state", "concluded_at", "id"], unique=False)
    op.drop_index(op.f("ix_cases_location_state_concluded_at_id"), table_name="cases")


def downgrade() -> None:
    op.create_index(op.f("ix_cases_location_state_concluded_at_id"), "cases",
                    ["location", "state", "concluded_at", "id"], unique=False)
    op.drop_index(op.f("ix_cases_pickup_location_state_concluded_at_id"), table_name="cases")
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("pickup_location")
