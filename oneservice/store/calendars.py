"""The calendar years loaded into a database, and the deadlines a year can move.

A year of the official calendar loaded after the bundled data
(:meth:`~oneservice.service.calendar_updates.CalendarUpdates.load_calendar`) is kept in
``calendar_years`` so that every service started on the database computes on it. Loading a year
is one transaction: :func:`deadlines_in` finds every deadline whose count may examine a day of
that year, the service checks the frozen ones against the new data and recomputes the provisional
ones, and :func:`put_year` records the year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, or_, select, true

from oneservice.domain.case import Deadline
from oneservice.store.mapping import deadline_from_row
from oneservice.store.rows import CalendarYearRow
from oneservice.store.tables import OPEN_STATES, calendar_years, cases, deadlines

__all__ = ["deadlines_in", "provisional_cases_in", "put_year", "stored_years"]


def stored_years(conn: Connection) -> list[CalendarYearRow]:
    """Every loaded year, in year order."""
    rows = conn.execute(select(calendar_years).order_by(calendar_years.c.year)).mappings()
    return [CalendarYearRow(**row) for row in rows]


def put_year(
    conn: Connection, year: int, data: Mapping[str, Any], source: str, at: dt.datetime, by: str
) -> None:
    """Record ``year`` (replacing the data loaded for it before, if any)."""
    conn.execute(calendar_years.delete().where(calendar_years.c.year == year))
    conn.execute(
        calendar_years.insert(),
        {"year": year, "data": dict(data), "source": source, "loaded_at": at, "loaded_by": by},
    )


def deadlines_in(conn: Connection, year: int) -> list[tuple[str, Deadline]]:
    """``(case_id, deadline)`` of every deadline, of any case, whose count may examine a day of
    ``year``: it starts before the year ends and is due once the year has begun."""
    d = deadlines.c
    stmt = (
        select(deadlines)
        .where(d.due_date >= dt.date(year, 1, 1), d.start_date <= dt.date(year, 12, 31))
        .order_by(d.case_id, d.kind, d.subject)
    )
    return [(row["case_id"], deadline_from_row(row)) for row in conn.execute(stmt).mappings()]


def provisional_cases_in(conn: Connection, years: Iterable[int]) -> list[str]:
    """Open cases with an unmet provisional deadline whose count may examine a day of ``years``:
    the deadlines a process computed on the guess while another was loading those years."""
    d = deadlines.c
    touching = or_(*(and_(d.due_date >= dt.date(y, 1, 1), d.start_date <= dt.date(y, 12, 31))
                     for y in sorted(set(years))))
    stmt = (
        select(d.case_id)
        .join_from(deadlines, cases, cases.c.id == d.case_id)
        .where(d.provisional == true(), d.met_at.is_(None), touching,
               cases.c.state.in_(OPEN_STATES))
        .distinct()
        .order_by(d.case_id)
    )
    return list(conn.execute(stmt).scalars())
