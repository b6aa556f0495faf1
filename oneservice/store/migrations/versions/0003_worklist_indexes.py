"""Worklist indexes: every list is paginated in SQL, each with an index for its filter and order.

* ``ix_cases_open_due_date`` — partial (open cases only): cases by colour, earliest due first;
* ``ix_item_tasks_worklist`` — partial (tasks a department acts on): a department's worklist
  in its order (department, due date, dispatch time, primary key);
* ``ix_cases_location_state_concluded_at_id`` replaces ``ix_cases_location_state``: the window
  queue in the order cases became ready;
* ``ix_cases_applicant_id_opened_at_id`` replaces ``ix_cases_applicant_id``: an applicant's
  cases, newest first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a snapshot: the open case states and the worklist task states as of this revision, in the order
# of ``oneservice.store.tables`` (SQLite matches a query's IN list against the index term exactly)
OPEN = ("draft", "submitted", "awaiting_materials", "accepted", "in_progress", "ready_for_pickup")
WORKLIST = ("ready", "in_review", "correction_requested", "suspended")


def _state_in(states: tuple[str, ...]) -> sa.TextClause:
    return sa.text("state IN (" + ", ".join(f"'{s}'" for s in states) + ")")


def _partial(name: str, table: str, columns: list[str], states: tuple[str, ...]) -> None:
    where = _state_in(states)
    op.create_index(name, table, columns, unique=False, postgresql_where=where, sqlite_where=where)


def upgrade() -> None:
    _partial("ix_cases_open_due_date", "cases", ["due_date", "id"], OPEN)
    _partial("ix_item_tasks_worklist", "item_tasks",
             ["department", "due_date", "dispatched_at", "case_id", "item_code"], WORKLIST)
    op.create_index(op.f("ix_cases_location_state_concluded_at_id"), "cases",
                    ["location", "state", "concluded_at", "id"], unique=False)
    op.drop_index(op.f("ix_cases_location_state"), table_name="cases")
    op.create_index(op.f("ix_cases_applicant_id_opened_at_id"), "cases", ["applicant_id", "opened_at", "id"],
                    unique=False)
    op.drop_index(op.f("ix_cases_applicant_id"), table_name="cases")


def downgrade() -> None:
    op.create_index(op.f("ix_cases_applicant_id"), "cases", ["applicant_id"], unique=False)
    op.drop_index(op.f("ix_cases_applicant_id_opened_at_id"), table_name="cases")
    op.create_index(op.f("ix_cases_location_state"), "cases", ["location", "state"], unique=False)
    op.drop_index(op.f("ix_cases_location_state_concluded_at_id"), table_name="cases")
    op.drop_index("ix_item_tasks_worklist", table_name="item_tasks")
    op.drop_index("ix_cases_open_due_date", table_name="cases")
