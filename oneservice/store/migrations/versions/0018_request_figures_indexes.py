"""The 12345 figures at scale: covering indexes, and each request event carrying its request's
category, area and competent department (set at intake, never changed), so that the figures by
category and by area read one index instead of joining every event to its request.

- ``request_events``: columns ``category``, ``area``, ``competent`` (filled from ``requests`` for
  the events stored before); index ``ix_request_events_figures`` (type, at, on_time, department,
  category, area, competent) replaces ``ix_request_events_type_department_at``.
- ``requests``: index ``ix_requests_callbacks`` (called_back_at, category, answered_by, area,
  competent, resolved, satisfaction) replaces ``ix_requests_called_back_at``; the daily ranking's
  ``ix_requests_received_at_category`` (received_at, category) replaces ``…_category_received_at``
  and ``…_received_at`` (a scan in category order made SQLite read every row of the table for the
  figures by category instead of the covering index).
- ``webhooks``: column ``requests_of`` — a hotline system's webhook, pushed only the public events
  of the 12345 requests that system took in (``None``: a supervisor's, as before).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENTS = ["type", "at", "on_time", "department", "category", "area", "competent"]
_CALLBACKS = ["called_back_at", "category", "answered_by", "area", "competent", "resolved", "satisfaction"]


def upgrade() -> None:
    with op.batch_alter_table("request_events", recreate="never") as batch:
        batch.add_column(sa.Column("category", sa.String(100), nullable=True))
        batch.add_column(sa.Column("area", sa.String(12), nullable=True))
        batch.add_column(sa.Column("competent", sa.String(100), nullable=True))
    op.execute("UPDATE request_events SET category = requests.category, area = requests.area, "
               "competent = requests.competent FROM requests WHERE requests.id = request_events.request_id")
    op.drop_index(op.f("ix_request_events_type_department_at"), table_name="request_events")
    op.create_index("ix_request_events_figures", "request_events", _EVENTS, unique=False)
    op.drop_index(op.f("ix_requests_called_back_at"), table_name="requests")
    op.create_index("ix_requests_callbacks", "requests", _CALLBACKS, unique=False)
    op.drop_index(op.f("ix_requests_category_received_at"), table_name="requests")
    op.drop_index(op.f("ix_requests_received_at"), table_name="requests")
    op.create_index(op.f("ix_requests_received_at_category"), "requests", ["received_at", "category"],
                    unique=False)
    for table in ("requests", "request_events"):  # the planner's statistics of the new indexes
        op.execute(f"ANALYZE {table}")
    with op.batch_alter_table("webhooks", recreate="never") as batch:
        batch.add_column(sa.Column("requests_of", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("requests_of")
    op.drop_index(op.f("ix_requests_received_at_category"), table_name="requests")
    op.create_index(op.f("ix_requests_received_at"), "requests", ["received_at"], unique=False)
    op.create_index(op.f("ix_requests_category_received_at"), "requests", ["category", "received_at"],
                    unique=False)
    op.drop_index("ix_requests_callbacks", table_name="requests")
    op.create_index(op.f("ix_requests_called_back_at"), "requests", ["called_back_at"], unique=False)
    op.drop_index("ix_request_events_figures", table_name="request_events")
    op.create_index(op.f("ix_request_events_type_department_at"), "request_events",
                    ["type", "department", "at"], unique=False)
    with op.batch_alter_table("request_events") as batch:
        batch.drop_column("competent")
        batch.drop_column("area")
        batch.drop_column("category")
