"""Worklists and supervision queries: each one indexed SQL query returning small rows.

"Open" means not finished: a case in any state but :data:`FINISHED_CASE_STATES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, or_, select, true

from oneservice.domain.case import CaseState, MaterialStatus, TaskState
from oneservice.store.rows import CaseRow, TaskRow
from oneservice.store.tables import cases, deadlines, item_tasks, materials

__all__ = ["DEPARTMENT_STATES", "FINISHED_CASE_STATES", "Worklists"]

FINISHED_CASE_STATES = (
    CaseState.DELIVERED,
    CaseState.CLOSED,
    CaseState.REFUSED,
    CaseState.TERMINATED,
    CaseState.WITHDRAWN,
)
"""A case in any other state is open: supervision and timers look at it."""

DEPARTMENT_STATES = (
    TaskState.READY,
    TaskState.IN_REVIEW,
    TaskState.CORRECTION_REQUESTED,
    TaskState.SUSPENDED,
)

_CASE_ROW = (
    cases.c.id,
    cases.c.matter_id,
    cases.c.state,
    cases.c.location,
    cases.c.channel,
    cases.c.applicant_id,
    cases.c.applicant_name,
    cases.c.opened_at,
    cases.c.concluded_at,
    cases.c.due_date.label("due"),
    cases.c.due_provisional,
    cases.c.trips,
    cases.c.over_budget,
    cases.c.version,
)
_OPEN = cases.c.state.not_in(FINISHED_CASE_STATES)


class Worklists:
    """The queries of a :class:`~oneservice.store.Transaction` that return lists, not cases."""

    _conn: Connection

    def department_tasks(
        self, department: str, states: Sequence[TaskState] = DEPARTMENT_STATES
    ) -> list[TaskRow]:
        """A department's item tasks in the given states, earliest due first."""
        t = item_tasks.c
        stmt = (
            select(
                t.case_id,
                t.item_code,
                t.department,
                t.state,
                cases.c.matter_id,
                t.dispatched_at,
                t.started_at,
                t.due_date.label("due"),
                t.due_provisional,
                t.suspended_since,
                t.reviewer,
            )
            .join_from(item_tasks, cases, cases.c.id == t.case_id)
            .where(t.department == department, t.state.in_(list(states)))
            .order_by(t.due_date.asc().nulls_last(), t.dispatched_at, t.case_id, t.item_code)
        )
        return [TaskRow(**row) for row in self._conn.execute(stmt).mappings()]

    def _case_rows(self, *where: Any, order: Sequence[Any] = ()) -> list[CaseRow]:
        stmt = select(*_CASE_ROW).where(*where).order_by(*order, cases.c.id)
        return [CaseRow(**row) for row in self._conn.execute(stmt).mappings()]

    def window_queue(self, location: str) -> list[CaseRow]:
        """Cases ready for pickup at a location, in the order they became ready."""
        return self._case_rows(
            cases.c.location == location,
            cases.c.state == CaseState.READY_FOR_PICKUP,
            order=[cases.c.concluded_at],
        )

    def awaiting_materials(self, location: str | None = None) -> list[CaseRow]:
        """Open cases waiting for the applicant: one-time notice given, or materials owed."""
        owed = select(materials.c.case_id).where(materials.c.status == MaterialStatus.OWED)
        where: list[Any] = [
            or_(
                cases.c.state == CaseState.AWAITING_MATERIALS,
                and_(_OPEN, cases.c.id.in_(owed)),
            )
        ]
        if location is not None:
            where.append(cases.c.location == location)
        return self._case_rows(*where, order=[cases.c.opened_at])

    def open_cases_due_before(self, day: dt.date) -> list[CaseRow]:
        """Open cases whose deadline is before ``day`` (overdue when ``day`` is today)."""
        return self._case_rows(cases.c.due_date < day, _OPEN, order=[cases.c.due_date])

    def open_cases_due_between(self, start: dt.date, end: dt.date) -> list[CaseRow]:
        """Open cases whose deadline falls in ``start`` … ``end``, both included."""
        return self._case_rows(
            cases.c.due_date >= start, cases.c.due_date <= end, _OPEN, order=[cases.c.due_date]
        )

    def cases_for_applicant(self, applicant_id: str) -> list[CaseRow]:
        """Every case of an applicant (resident ID number or credit code), newest first."""
        return self._case_rows(
            cases.c.applicant_id == applicant_id, order=[cases.c.opened_at.desc()]
        )

    def provisional_case_ids(self) -> list[str]:
        """Open cases with a provisional deadline not met yet (to recompute when calendars load)."""
        stmt = (
            select(deadlines.c.case_id)
            .join_from(deadlines, cases, cases.c.id == deadlines.c.case_id)
            .where(deadlines.c.provisional == true(), deadlines.c.met_at.is_(None), _OPEN)
            .distinct()
            .order_by(deadlines.c.case_id)
        )
        return list(self._conn.execute(stmt).scalars())

    def overdue_owed_materials(self, today: dt.date) -> list[tuple[str, str, dt.date]]:
        """``(case_id, material_id, due)`` of owed materials of open cases due before ``today``."""
        m = materials.c
        stmt = (
            select(m.case_id, m.material_id, m.due_date)
            .join_from(materials, cases, cases.c.id == m.case_id)
            .where(m.status == MaterialStatus.OWED, m.due_date < today, _OPEN)
            .order_by(m.due_date, m.case_id, m.material_id)
        )
        return [(row[0], row[1], row[2]) for row in self._conn.execute(stmt)]

    def case_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        """Case ids in id order, one page at a time."""
        stmt = select(cases.c.id).order_by(cases.c.id).limit(limit).offset(offset)
        return list(self._conn.execute(stmt).scalars())
