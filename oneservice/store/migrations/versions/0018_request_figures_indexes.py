"""The 12345 figures at scale: covering indexes, and each request event carrying its request's
category, area and competent department (set at intake, never changed), so that the figures by
category and by area read one index instead of joining every event to its request.

- ``request_events``: columns ``category``, ``area``, ``competent`` (filled from ``requests`` for
  the events stored before); index ``ix_request_events_figures`` (type, at, on_time, department,
  category, area, competent) replaces ``ix_request_events_type_department_at``; and one index per
  grouping in its order, ``ix_request_events_by_department`` (type, department, on_time, at),
  ``…_by_category`` (type, category, on_time, at), ``…_by_area`` (type, area, competent, on_time,
  at): SQLite then groups by (type, key) as it reads, without sorting millions of rows.
- ``requests``: index ``ix_requests_callbacks`` (called_back_at, category, answered_by, area,
  competent, resolved, satisfaction) replaces ``ix_requests_called_back_at``; the daily ranking's
  ``ix_requests_received_at_category`` (received_at, category) replaces ``…_category_received_at``
  and ``…_received_at`` (a scan in category order made SQLite read every row of the table for the
  figures by category instead of the covering index).
- ``webhooks``: column ``requests_of`` — a hotline system's webhook, pushed only the public events
  of the 12345 requests that system took in (``None``: a supervisor's, as before).

The indexes are built with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL
(:mod:`oneservice.store.ddl`): writes to the tables go on meanwhile. Each step can run again after
an interruption (the columns are added once, the copy fills only what is still empty).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from oneservice.store.ddl import create_index_online, drop_index_online

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENTS = ["type", "at", "on_time", "department", "category", "area", "competent"]
_BY = {"department": ["type", "department", "on_time", "at"],
       "category": ["type", "category", "on_time", "at"],
       "area": ["type", "area", "competent", "on_time", "at"]}
_CALLBACKS = ["called_back_at", "category", "answered_by", "area", "competent", "resolved", "satisfaction"]


def _columns(table: str) -> set[str]:
    """The table's columns now (none when the SQL is only printed: ``oneservice migrate --sql``)."""
    if op.get_context().as_sql:
        return set()
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if "category" not in _columns("request_events"):
        with op.batch_alter_table("request_events", recreate="never") as batch:
            batch.add_column(sa.Column("category", sa.String(100), nullable=True))
            batch.add_column(sa.Column("area", sa.String(12), nullable=True))
            batch.add_column(sa.Column("competent", sa.String(100), nullable=True))
    if "requests_of" not in _columns("webhooks"):
        with op.batch_alter_table("webhooks", recreate="never") as batch:
            batch.add_column(sa.Column("requests_of", sa.String(200), nullable=True))
    op.execute("UPDATE request_events SET category = requests.category, area = requests.area, "
               "competent = requests.competent FROM requests "
               "WHERE requests.id = request_events.request_id AND request_events.category IS NULL")
    create_index_online("ix_request_events_figures", "request_events", _EVENTS, unique=False)
    for name, columns in _BY.items():
        create_index_online(f"ix_request_events_by_{name}", "request_events", columns, unique=False)
    drop_index_online("ix_request_events_type_department_at", "request_events")
    create_index_online("ix_requests_callbacks", "requests", _CALLBACKS, unique=False)
    drop_index_online("ix_requests_called_back_at", "requests")
    create_index_online("ix_requests_received_at_category", "requests", ["received_at", "category"],
                        unique=False)
    drop_index_online("ix_requests_category_received_at", "requests")
    drop_index_online("ix_requests_received_at", "requests")
    for table in ("requests", "request_events"):  # the planner's statistics of the new indexes
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    create_index_online("ix_requests_received_at", "requests", ["received_at"], unique=False)
    create_index_online("ix_requests_category_received_at", "requests", ["category", "received_at"],
                        unique=False)
    drop_index_online("ix_requests_received_at_category", "requests")
    create_index_online("ix_requests_called_back_at", "requests", ["called_back_at"], unique=False)
    drop_index_online("ix_requests_callbacks", "requests")
    create_index_online("ix_request_events_type_department_at", "request_events",
                        ["type", "department", "at"], unique=False)
    drop_index_online("ix_request_events_figures", "request_events")
    for name in _BY:
        drop_index_online(f"ix_request_events_by_{name}", "request_events")
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("requests_of")
    with op.batch_alter_table("request_events") as batch:
        batch.drop_column("competent")
        batch.drop_column("area")
        batch.drop_column("category")
