"""The staff's case search by service location, newest first: ``ix_cases_location_opened_at_id``.

``GET /cases`` of a clerk or a regional supervisor filters by service location and sorts by the
opening time; the index serves both. It is built with ``CREATE INDEX CONCURRENTLY`` on
PostgreSQL, outside the migration transaction (:mod:`oneservice.store.ddl`): writes to ``cases``
go on while it is built.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from oneservice.store.ddl import create_index_online, drop_index_online

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_cases_location_opened_at_id"


def upgrade() -> None:
    create_index_online(NAME, "cases", ["location", "opened_at", "id"], unique=False)


def downgrade() -> None:
    drop_index_online(NAME, "cases")
