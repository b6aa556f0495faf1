"""Worklists and supervision queries: each one indexed SQL query returning small rows.

"Open" means not finished: a case in one of :data:`~oneservice.store.tables.OPEN_STATES` (every
state but :data:`~oneservice.domain.states.FINISHED_CASE_STATES`).

Every list is paginated in SQL: a method returning a list takes ``limit`` (``None``: to the end)
and ``offset`` (rows skipped, 0-based); its ``…_page`` twin returns a
:class:`~oneservice.store.rows.Page` whose ``total`` is counted by a scalar subquery of the same
statement, so the count and the rows come from one snapshot (a page past the end takes a second
``COUNT`` in the same transaction). Each order ends with the primary key, so the order is total
and consecutive pages neither skip nor repeat a row while the list does not change.

A window is read as a *deferred join*: the keys of its rows first, from the index that serves the
list's filter and order (the offset skips index entries only), then those rows alone. Paging is
by offset, not by keyset: the HTTP lists promise page numbers and a total, and a keyset cursor
would save only the skipping of index entries. The statements are built once, with named bind
parameters (SQLAlchemy then reuses their compiled SQL). Which index serves which list (see
``tables.py``):

=========================  ====================================================================
department_tasks           ``ix_item_tasks_worklist`` (partial: worklist states) — filter and
                           order (due dates NULLS LAST: PostgreSQL's index order; SQLite
                           reads the NULL entries after the others). Other states:
                           ``ix_item_tasks_department_state``, then a sort.
window_queue               ``ix_cases_pickup_location_state_concluded_at_id`` — filter and
                           order (the cases whose results wait at the point)
awaiting_materials         ``ix_cases_state`` and ``ix_materials_status_due_date`` find the
                           cases (few: open and waiting), which are then sorted (a location
                           or a set of them: a filter on those few rows)
open_cases_due_before,     ``ix_cases_open_due_date`` (partial: open cases) — filter and order
open_cases_due_between     (a set of locations, a scope: a filter on the range's rows)
cases_for_applicant        ``ix_case_parties_party_id_opened_at_case_id`` — every case the
                           person is a party of (applicant or another role): filter and order
                           of the opening time (read backwards); ties sorted by id
search_cases               a location (a clerk's scope), newest first:
                           ``ix_cases_location_opened_at_id`` — filter and order; other
                           filters: the planner's choice among the above and
                           ``ix_cases_opened_at`` (one statement per combination of filters
                           and order)
events_page                the primary key ``(case_id, seq)``
=========================  ====================================================================
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    RowMapping,
    Table,
    and_,
    bindparam,
    func,
    select,
    true,
    union,
)

from oneservice.domain.case import CaseState, Event, MaterialStatus, TaskState
from oneservice.errors import InvalidInput
from oneservice.store.mapping import event_from_row
from oneservice.store.rows import CaseRow, Page, TaskRow, check_window
from oneservice.store.tables import (
    OPEN_STATES,
    WORKLIST_TASK_STATES,
    case_parties,
    cases,
    deadlines,
    events,
    item_tasks,
    materials,
)

__all__ = ["SEARCH_SORTS", "Worklists"]

R = TypeVar("R")

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
_TASK_ROW = (
    item_tasks.c.case_id,
    item_tasks.c.item_code,
    item_tasks.c.department,
    item_tasks.c.state,
    cases.c.matter_id,
    item_tasks.c.dispatched_at,
    item_tasks.c.started_at,
    item_tasks.c.due_date.label("due"),
    item_tasks.c.due_provisional,
    item_tasks.c.suspended_since,
    item_tasks.c.reviewer,
)
_TOTAL = "oneservice_total"  # the label of the count column; no row type has such a field


def _in(column: Any, states: Sequence[enum.StrEnum]) -> ColumnElement[bool]:
    """``column IN ('a', 'b', …)`` with the values written into the SQL: SQLite uses a partial
    index only when the query repeats the index's ``WHERE`` term, literals included."""
    values = bindparam(None, list(states), type_=column.type, expanding=True, literal_execute=True)
    return column.in_(values)  # type: ignore[no-any-return]


_OPEN = _in(cases.c.state, OPEN_STATES)
_NO_LOCATION = ""  # no service location has an empty id: an empty scope matches no case


def _location_set(locations: Sequence[str]) -> list[str]:
    """The values of a ``location IN (…)`` filter: sorted and unique (the same scope, the same
    SQL), never empty (``IN ()`` is not portable SQL)."""
    if isinstance(locations, str):
        raise InvalidInput("locations is a list of location ids, not one string", field="locations")
    return sorted(set(locations)) or [_NO_LOCATION]


def _case_row(row: RowMapping) -> CaseRow:
    return CaseRow(**{k: v for k, v in row.items() if k != _TOTAL})


def _task_row(row: RowMapping) -> TaskRow:
    return TaskRow(**{k: v for k, v in row.items() if k != _TOTAL})


_Order = tuple[tuple[Column[Any], str], ...]
"""``(column, how)`` pairs, ``how`` one of ``asc``, ``desc``, ``asc nulls last``."""


def _sorted(column: ColumnElement[Any], how: str) -> Any:
    if how == "desc":
        return column.desc()
    if how == "asc nulls last":
        return column.asc().nulls_last()
    return column.asc()


_LIMIT = "oneservice_limit"
_OFFSET = "oneservice_offset"
_NO_LIMIT = 2**62  # LIMIT of a window with an offset and no limit (LIMIT ALL is not portable)


class _Listing(Generic[R]):
    """One list query, its statements built once (named bind parameters; SQLAlchemy caches the
    compiled SQL): rows of ``table`` where ``where`` in ``order`` (ending with the primary key,
    so the order is total), shown as ``columns`` (of ``table`` and of ``joined``, joined
    ``on``) and made into ``R`` by ``make``.

    * ``whole`` — the whole list;
    * ``keys`` — the order columns and primary key of a window (``LIMIT``/``OFFSET``): a range
      of the index that serves the list, whose entries alone are skipped for the offset;
    * ``window`` — the rows of the window: a *deferred join* of ``keys`` with the table, so
      that only the page's rows are read;
    * ``paged`` — ``window`` with the length of the whole list (``count``) as a scalar subquery.
    """

    __slots__ = ("count", "keys", "make", "paged", "whole", "window")

    def __init__(
        self,
        columns: Sequence[Any],
        table: Table,
        where: Sequence[ColumnElement[bool]],
        order: _Order,
        make: Callable[[RowMapping], R],
        *,
        joined: Table | None = None,
        on: ColumnElement[bool] | None = None,
    ) -> None:
        ordered = [_sorted(column, how) for column, how in order]
        source: FromClause = table if joined is None or on is None else table.join(joined, on)
        self.whole = select(*columns).select_from(source).where(*where).order_by(*ordered)
        key = list(table.primary_key.columns)
        wanted = [column for column, _ in order]
        self.keys = (
            select(*wanted, *(c for c in key if c not in wanted))
            .where(*where)
            .order_by(*ordered)
            .limit(bindparam(_LIMIT, type_=BigInteger))
            .offset(bindparam(_OFFSET, type_=BigInteger))
        )
        page = self.keys.subquery("page")
        found: FromClause = page.join(table, and_(*(page.c[c.name] == c for c in key)))
        if joined is not None and on is not None:
            found = found.join(joined, on)
        self.window = (
            select(*columns)
            .select_from(found)
            .order_by(*(_sorted(page.c[column.name], how) for column, how in order))
        )
        self.count = select(func.count()).select_from(table).where(*where)  # joins: by foreign key
        self.paged = self.window.add_columns(self.count.scalar_subquery().label(_TOTAL))
        self.make = make


def _cases(*where: ColumnElement[bool], order: _Order) -> _Listing[CaseRow]:
    return _Listing(_CASE_ROW, cases, where, (*order, (cases.c.id, "asc")), _case_row)


def _department(states: Sequence[TaskState]) -> _Listing[TaskRow]:
    t = item_tasks.c
    return _Listing(
        _TASK_ROW,
        item_tasks,
        (t.department == bindparam("department"), _in(t.state, tuple(states))),
        ((t.due_date, "asc nulls last"), (t.dispatched_at, "asc"), (t.case_id, "asc"), (t.item_code, "asc")),
        _task_row,
        joined=cases,  # for the matter id; every task has its case (foreign key)
        on=cases.c.id == t.case_id,
    )


def _awaiting(*where: ColumnElement[bool]) -> _Listing[CaseRow]:
    # "after a one-time notice, or open with a material owed", written as "open, and among the
    # cases after a notice or with a material owed" (AWAITING_MATERIALS is an open state): both
    # id sets come from an index, and only the open cases among them are read
    noticed = cases.alias("noticed")  # not correlated with the outer query's cases
    waiting = union(
        select(noticed.c.id).where(noticed.c.state == CaseState.AWAITING_MATERIALS),
        select(materials.c.case_id).where(materials.c.status == MaterialStatus.OWED),
    )
    return _cases(_OPEN, cases.c.id.in_(waiting), *where, order=((cases.c.opened_at, "asc"),))


SEARCH_SORTS: dict[str, _Order] = {
    "-opened_at": ((cases.c.opened_at, "desc"),),
    "opened_at": ((cases.c.opened_at, "asc"),),
    "due": ((cases.c.due_date, "asc nulls last"),),
}
"""The orders of :meth:`Worklists.search_cases` (each then by case id)."""

_SEARCH_FILTERS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "matter_id": lambda: cases.c.matter_id == bindparam("matter_id"),
    "states": lambda: cases.c.state.in_(bindparam("states", expanding=True)),
    "location": lambda: cases.c.location == bindparam("location"),
    "locations": lambda: cases.c.location.in_(bindparam("locations", expanding=True)),
    "applicant_id": lambda: cases.c.applicant_id == bindparam("applicant_id"),
    "department": lambda: cases.c.id.in_(
        select(item_tasks.c.case_id).where(item_tasks.c.department == bindparam("department"))),
    "opened_from": lambda: cases.c.opened_at >= bindparam("opened_from", type_=cases.c.opened_at.type),
    "opened_before": lambda: cases.c.opened_at < bindparam("opened_before", type_=cases.c.opened_at.type),
    "due_from": lambda: cases.c.due_date >= bindparam("due_from", type_=Date),
    "due_to": lambda: cases.c.due_date <= bindparam("due_to", type_=Date),
    "open": lambda: _OPEN,
}


@functools.cache
def _search(filters: frozenset[str], sort: str) -> _Listing[CaseRow]:
    """The search with these filters in this order, built once per combination."""
    where = [_SEARCH_FILTERS[name]() for name in sorted(filters)]
    return _cases(*where, order=SEARCH_SORTS[sort])


_LISTINGS: dict[str, _Listing[Any]] = {
    "department": _department(WORKLIST_TASK_STATES),
    "window": _cases(
        cases.c.pickup_location == bindparam("location"),
        cases.c.state == CaseState.READY_FOR_PICKUP,
        order=((cases.c.concluded_at, "asc"),),
    ),
    "awaiting": _awaiting(),
    "awaiting_at": _awaiting(cases.c.location == bindparam("location")),
    "awaiting_in": _awaiting(cases.c.location.in_(bindparam("locations", expanding=True))),
    "due_before": _cases(_OPEN, cases.c.due_date < bindparam("before", type_=Date),
                         order=((cases.c.due_date, "asc"),)),
    "due_between": _cases(
        _OPEN,
        cases.c.due_date >= bindparam("start", type_=Date),
        cases.c.due_date <= bindparam("end", type_=Date),
        order=((cases.c.due_date, "asc"),),
    ),
    "due_between_in": _cases(
        _OPEN,
        cases.c.due_date >= bindparam("start", type_=Date),
        cases.c.due_date <= bindparam("end", type_=Date),
        cases.c.location.in_(bindparam("locations", expanding=True)),
        order=((cases.c.due_date, "asc"),),
    ),
    "applicant": _Listing(  # every case the person is a party of, in any role
        _CASE_ROW, case_parties, (case_parties.c.party_id == bindparam("applicant_id"),),
        ((case_parties.c.opened_at, "desc"), (case_parties.c.case_id, "asc")), _case_row,
        joined=cases, on=cases.c.id == case_parties.c.case_id,
    ),
    "agent": _cases(cases.c.agent == bindparam("agent"), order=((cases.c.opened_at, "desc"),)),
    "events": _Listing(
        tuple(events.c), events, (events.c.case_id == bindparam("case_id"),),
        ((events.c.case_id, "asc"), (events.c.seq, "asc")), event_from_row,
    ),
}
"""Every list, by name; its bind parameters are named in its ``where``."""


class Worklists:
    """The queries of a :class:`~oneservice.store.Transaction` that return lists, not cases
    (each transaction holds one and offers its queries as its own: ``tx.window_queue(…)``)."""

    __slots__ = ("_conn",)

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # ------------------------------------------------------------------------- paging

    @staticmethod
    def _window(params: dict[str, Any], limit: int | None, offset: int) -> dict[str, Any]:
        return {**params, _LIMIT: _NO_LIMIT if limit is None else limit, _OFFSET: offset}

    def _list(self, listing: _Listing[R], params: dict[str, Any], limit: int | None, offset: int) -> list[R]:
        check_window(limit, offset)
        if limit is None and offset == 0:
            result = self._conn.execute(listing.whole, params)
        else:
            result = self._conn.execute(listing.window, self._window(params, limit, offset))
        return [listing.make(row) for row in result.mappings()]

    def _page(self, listing: _Listing[R], params: dict[str, Any], limit: int | None, offset: int) -> Page[R]:
        check_window(limit, offset)
        if limit is None and offset == 0:  # the whole list: its length is the total
            items = tuple(listing.make(row) for row in self._conn.execute(listing.whole, params).mappings())
            return Page(items, len(items), offset, limit)
        rows = self._conn.execute(listing.paged, self._window(params, limit, offset)).mappings().all()
        if rows:
            total = int(rows[0][_TOTAL])
        elif offset == 0:
            total = 0
        else:  # past the end: the count alone
            total = int(self._conn.execute(listing.count, params).scalar_one())
        return Page(tuple(listing.make(row) for row in rows), total, offset, limit)

    # ------------------------------------------------------------------------- departments

    @staticmethod
    def _department(states: Sequence[TaskState]) -> _Listing[TaskRow]:
        if tuple(states) == WORKLIST_TASK_STATES:
            return _LISTINGS["department"]
        return _department(states)  # other states: built for this call

    def department_tasks(
        self,
        department: str,
        states: Sequence[TaskState] = WORKLIST_TASK_STATES,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TaskRow]:
        """A department's item tasks in the given states, earliest due first (no due date last),
        then by dispatch time, case and item."""
        return self._list(self._department(states), {"department": department}, limit, offset)

    def department_tasks_page(
        self,
        department: str,
        states: Sequence[TaskState] = WORKLIST_TASK_STATES,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[TaskRow]:
        """:meth:`department_tasks` as a :class:`Page` with the total."""
        return self._page(self._department(states), {"department": department}, limit, offset)

    # ------------------------------------------------------------------------- window

    def window_queue(self, location: str, *, limit: int | None = None, offset: int = 0) -> list[CaseRow]:
        """Cases whose results wait at a location (its window queue, including cases taken in
        elsewhere and coming back to it), in the order they became ready."""
        return self._list(_LISTINGS["window"], {"location": location}, limit, offset)

    def window_queue_page(
        self, location: str, *, limit: int | None = None, offset: int = 0
    ) -> Page[CaseRow]:
        """:meth:`window_queue` as a :class:`Page` with the total."""
        return self._page(_LISTINGS["window"], {"location": location}, limit, offset)

    # ------------------------------------------------------------------------- awaiting materials

    @staticmethod
    def _awaiting(
        location: str | None, locations: Sequence[str] | None
    ) -> tuple[_Listing[CaseRow], dict[str, Any]]:
        if location is not None and locations is not None:
            raise InvalidInput("name one location or a set of locations, not both", field="locations")
        if locations is not None:
            return _LISTINGS["awaiting_in"], {"locations": _location_set(locations)}
        if location is None:
            return _LISTINGS["awaiting"], {}
        return _LISTINGS["awaiting_at"], {"location": location}

    def awaiting_materials(
        self,
        location: str | None = None,
        *,
        locations: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CaseRow]:
        """Open cases waiting for the applicant: one-time notice given, or materials owed;
        oldest first. ``location``: of one service location; ``locations``: of any of these (a
        scope: a clerk's location, the locations of a supervisor's region; empty: none)."""
        return self._list(*self._awaiting(location, locations), limit, offset)

    def awaiting_materials_page(
        self,
        location: str | None = None,
        *,
        locations: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[CaseRow]:
        """:meth:`awaiting_materials` as a :class:`Page` with the total."""
        return self._page(*self._awaiting(location, locations), limit, offset)

    # ------------------------------------------------------------------------- by due date

    def open_cases_due_before(
        self, day: dt.date, *, limit: int | None = None, offset: int = 0
    ) -> list[CaseRow]:
        """Open cases whose deadline is before ``day`` (overdue when ``day`` is today), earliest
        due first."""
        return self._list(_LISTINGS["due_before"], {"before": day}, limit, offset)

    def open_cases_due_before_page(
        self, day: dt.date, *, limit: int | None = None, offset: int = 0
    ) -> Page[CaseRow]:
        """:meth:`open_cases_due_before` as a :class:`Page` with the total."""
        return self._page(_LISTINGS["due_before"], {"before": day}, limit, offset)

    @staticmethod
    def _due_between(
        start: dt.date, end: dt.date, locations: Sequence[str] | None
    ) -> tuple[_Listing[CaseRow], dict[str, Any]]:
        if locations is None:
            return _LISTINGS["due_between"], {"start": start, "end": end}
        params = {"start": start, "end": end, "locations": _location_set(locations)}
        return _LISTINGS["due_between_in"], params

    def open_cases_due_between(
        self,
        start: dt.date,
        end: dt.date,
        *,
        locations: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CaseRow]:
        """Open cases whose deadline falls in ``start`` … ``end``, both included, earliest due
        first (``locations``: only cases of these service locations)."""
        return self._list(*self._due_between(start, end, locations), limit, offset)

    def open_cases_due_between_page(
        self,
        start: dt.date,
        end: dt.date,
        *,
        locations: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[CaseRow]:
        """:meth:`open_cases_due_between` as a :class:`Page` with the total."""
        return self._page(*self._due_between(start, end, locations), limit, offset)

    # ------------------------------------------------------------------------- applicants

    def cases_for_applicant(
        self, applicant_id: str, *, limit: int | None = None, offset: int = 0
    ) -> list[CaseRow]:
        """Every case of an applicant (resident ID number or credit code), newest first."""
        return self._list(_LISTINGS["applicant"], {"applicant_id": applicant_id}, limit, offset)

    def cases_for_applicant_page(
        self, applicant_id: str, *, limit: int | None = None, offset: int = 0
    ) -> Page[CaseRow]:
        """:meth:`cases_for_applicant` as a :class:`Page` with the total."""
        return self._page(_LISTINGS["applicant"], {"applicant_id": applicant_id}, limit, offset)

    def cases_run_by_agent(self, agent_id: str) -> list[CaseRow]:
        """Every case an agent (代办员) runs (the case's ``agent``), newest first; whether an
        authorisation is in force for each is the caller's check."""
        return self._list(_LISTINGS["agent"], {"agent": agent_id}, None, 0)

    # ------------------------------------------------------------------------- search

    def search_cases_page(
        self,
        *,
        matter_id: str | None = None,
        states: Sequence[CaseState] | None = None,
        location: str | None = None,
        locations: Sequence[str] | None = None,
        applicant_id: str | None = None,
        department: str | None = None,
        opened_from: dt.datetime | None = None,
        opened_before: dt.datetime | None = None,
        due_from: dt.date | None = None,
        due_to: dt.date | None = None,
        open_only: bool = False,
        sort: str = "-opened_at",
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[CaseRow]:
        """Cases matching every filter given, in ``sort`` order (:data:`SEARCH_SORTS`), then by
        id: of a matter, in one of ``states``, at a ``location`` and among ``locations`` (a
        scope; empty: none), of an applicant (ID number or credit code, exact), with an item of
        a ``department``, opened in ``opened_from`` ≤ t < ``opened_before``, due in
        ``due_from`` … ``due_to`` (both included; a case without a due date is outside any due
        range), open only. One statement for the page and the total, as every list."""
        if sort not in SEARCH_SORTS:
            raise InvalidInput(f"sort by one of {', '.join(SEARCH_SORTS)}, not {sort!r}", field="sort")
        given: dict[str, Any] = {
            "matter_id": matter_id, "location": location, "applicant_id": applicant_id,
            "department": department, "opened_from": opened_from, "opened_before": opened_before,
            "due_from": due_from, "due_to": due_to,
        }
        params = {name: value for name, value in given.items() if value is not None}
        if states is not None:
            if not states or isinstance(states, str):
                raise InvalidInput("states is a non-empty list of case states", field="states")
            params["states"] = sorted({CaseState(state) for state in states})
        if locations is not None:
            params["locations"] = _location_set(locations)
        filters = set(params) | ({"open"} if open_only else set())
        return self._page(_search(frozenset(filters), sort), params, limit, offset)

    # ------------------------------------------------------------------------- events

    def events_page(self, case_id: str, *, limit: int | None = None, offset: int = 0) -> Page[Event]:
        """Events of a case in order (``seq``), one page (``Transaction.events`` gives them all)."""
        return self._page(_LISTINGS["events"], {"case_id": case_id}, limit, offset)

    # ------------------------------------------------------------------------- sweeps

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

    def overdue_notices(self, today: dt.date) -> list[str]:
        """Ids of submitted cases whose notice-or-accept deadline (art. 32) passed before ``today``."""
        d = deadlines.c
        stmt = (
            select(d.case_id)
            .join_from(deadlines, cases, cases.c.id == d.case_id)
            .where(d.kind == "notice", d.met_at.is_(None), d.due_date < today,
                   cases.c.state == CaseState.SUBMITTED)
            .order_by(d.due_date, d.case_id)
        )
        return list(self._conn.execute(stmt).scalars())

    def case_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        """Case ids in id order, one page at a time."""
        stmt = select(cases.c.id).order_by(cases.c.id).limit(limit).offset(offset)
        return list(self._conn.execute(stmt).scalars())
