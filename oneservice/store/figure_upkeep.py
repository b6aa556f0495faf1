"""The report's figures kept per case (``figure_cases``) and per case and department
(``figure_departments``), so that a report reads one narrow row per case instead of joining the
cases with their deadlines, ratings and item tasks (docs/supervision.md, "Kept figures").

A case's rows are computed by the database from the case's own rows, with the same expressions
as the computed report (:mod:`oneservice.store.figures`), by :func:`refresh` in the transaction
of every save that changes what they hold, so that they are never out of step with the cases.
What depends on the day the report is made (deadlines open past due) is not kept: the report
counts it from the open deadlines (an index holds them). :func:`rebuild` computes every row
again (migration 0019 and ``oneservice report --rebuild``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Dialect,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.domain.case import RatingLevel
from oneservice.store._fast.cache import Changes
from oneservice.store._fast.compiled import execute_driver
from oneservice.store.figures import ACTIVE, _count, _month, _on_time
from oneservice.store.mapping import Snapshot
from oneservice.store.tables import (
    LEVELS,
    cases,
    deadlines,
    figure_cases,
    figure_departments,
    item_tasks,
    ratings,
)

__all__ = [
    "FIGURE_COLUMNS", "after_save", "case_rows", "department_rows", "rebuild", "rebuild_statements",
    "refresh",
]

Only = Callable[[ColumnElement[Any]], ColumnElement[bool]]

FIGURE_COLUMNS = frozenset({
    "opened_at", "matter_id", "location", "channel", "duration_days", "state", "notices", "trips",
    "submitted_at", "concluded_at", "delivery_channel",
})
"""The ``cases`` columns the kept figures read: a save that changes none of them (nor a deadline,
rating or item task) leaves the figures as they are."""

_TASK_COLUMNS = frozenset({"department", "suspended_days", "correction_days"})
_DEADLINE_COLUMNS = frozenset({"met_at", "due_date", "amount", "unit"})
_CASE_KINDS = frozenset({"case", "case_legal", "rectification", "deficiency", "callback"})
_DEPARTMENT_KINDS = frozenset({"item", "item_legal", "callback"})


def _all(_column: ColumnElement[Any]) -> ColumnElement[bool]:
    return true()


def _zero(name: str) -> ColumnElement[Any]:
    return cast(literal(0), Integer).label(name)


def _levels(judged: ColumnElement[bool]) -> list[ColumnElement[Any]]:
    r = ratings.c
    return [_count(and_(judged, r.level == level)).label(name)
            for level, name in zip(sorted(RatingLevel), LEVELS, strict=True)]


def case_rows(dialect: str, only: Only = _all) -> Select[Any]:
    """The ``figure_cases`` rows of the cases ``only`` selects (by their id column)."""
    c, d, r, t = cases.c, deadlines.c, ratings.c, item_tasks.c
    met, on_time = d.met_at.is_not(None), _on_time(dialect)
    kind = d.kind
    wd = and_(kind == "case", d.unit == "working_days")
    dl = select(
        d.case_id,
        _count(kind == "case").label("case_n"), _count(and_(kind == "case", met)).label("case_met"),
        _count(and_(kind == "case", met, on_time)).label("case_on_time"),
        func.max(case((and_(kind == "case", met), _month(dialect, d.met_at)), else_=None)).label("month"),
        _count(wd).label("wd_n"), func.sum(case((wd, d.amount), else_=0)).label("wd_amount"),
        _count(kind == "case_legal").label("legal_n"),
        _count(and_(kind == "case_legal", met)).label("legal_met"),
        _count(and_(kind == "case_legal", met, on_time)).label("legal_on_time"),
        _count(kind == "rectification").label("rect_n"),
        _count(and_(kind == "rectification", met, on_time)).label("rect_on_time"),
        _count(kind == "deficiency").label("deficiency_n"),
        _count(and_(kind == "callback", met)).label("callback_met"),
    ).where(only(d.case_id)).group_by(d.case_id).subquery("dl")
    judged = and_(r.follow_up.is_(False), r.counted.is_(True))
    rt = select(
        r.case_id, *_levels(judged), _count(and_(judged, r.bad.is_(True))).label("bad"),
        _count(r.appeal.is_not(None)).label("appeals"),
        _count(and_(r.appeal.is_not(None), r.counted.is_(False))).label("upheld"),
        _count(r.follow_up.is_(False)).label("rated_n"),
        _count(and_(r.counted.is_(False), r.follow_up.is_(False))).label("withdrawn_n"),
    ).where(only(r.case_id)).group_by(r.case_id).subquery("rt")
    tk = select(t.case_id, func.count().label("tasks"), func.sum(t.suspended_days).label("suspended"),
                func.sum(t.correction_days).label("corrected")).where(
        only(t.case_id)).group_by(t.case_id).subquery("tk")

    def z(column: Any) -> ColumnElement[Any]:
        return func.coalesce(column, 0)

    timed = c.duration_days.is_not(None)
    columns: dict[str, Any] = {
        "case_id": c.id, "opened_at": c.opened_at, "matter_id": c.matter_id, "location": c.location,
        "channel": c.channel, "duration_days": c.duration_days, "active": c.state.in_(ACTIVE),
        "submitted": c.submitted_at.is_not(None), "concluded": c.concluded_at.is_not(None),
        "delivery_channel": c.delivery_channel, "rated": z(rt.c.rated_n) > 0,
        "deficient": z(dl.c.deficiency_n) > 0, "withdrawn": z(rt.c.withdrawn_n) > 0,
        "case_met_month": dl.c.month, "notices": c.notices, "trips": c.trips, "tasks": z(tk.c.tasks),
        "case_n": z(dl.c.case_n), "case_met": z(dl.c.case_met), "case_on_time": z(dl.c.case_on_time),
        "timed_n": case((timed, z(dl.c.wd_n)), else_=0),
        "timed_amount": case((timed, z(dl.c.wd_amount)), else_=0),
        "legal_n": z(dl.c.legal_n), "legal_met": z(dl.c.legal_met), "legal_on_time": z(dl.c.legal_on_time),
        "rect_n": z(dl.c.rect_n), "rect_on_time": z(dl.c.rect_on_time),
        **{name: z(rt.c[name]) for name in LEVELS},
        "bad": z(rt.c.bad), "called": case((z(dl.c.callback_met) > 0, z(rt.c.bad)), else_=0),
        "appeals": z(rt.c.appeals), "upheld": z(rt.c.upheld),
        "suspended_days": z(tk.c.suspended), "correction_days": z(tk.c.corrected),
    }
    assert list(columns) == list(figure_cases.c.keys())
    source = (cases.outerjoin(dl, dl.c.case_id == c.id).outerjoin(rt, rt.c.case_id == c.id)
              .outerjoin(tk, tk.c.case_id == c.id))
    labelled = (value.label(name) for name, value in columns.items())
    return select(*labelled).select_from(source).where(only(c.id))


def department_rows(dialect: str, only: Only = _all) -> Select[Any]:
    """The ``figure_departments`` rows of the cases ``only`` selects: a row for every department
    with an item in the case or a rating about it."""
    c, d, r, t = cases.c, deadlines.c, ratings.c, item_tasks.c
    met, on_time = d.met_at.is_not(None), _on_time(dialect)
    judged = and_(r.follow_up.is_(False), r.counted.is_(True))
    names = [n for n in figure_departments.c.keys() if n not in ("case_id", "department", "opened_at")]  # noqa: SIM118
    zeros = {n: _zero(n) for n in names}

    def part(case_id: Any, department: Any, source: Any, where: Iterable[Any], **values: Any) -> Select[Any]:
        out = {**zeros, **{n: v.label(n) for n, v in values.items()}}
        return (select(case_id.label("case_id"), department.label("department"), *(out[n] for n in names))
                .select_from(source).where(only(case_id), *where).group_by(case_id, department))

    tasks = part(t.case_id, t.department, item_tasks, [], has_items=func.max(literal(1)),
                 suspended_days=func.sum(t.suspended_days), correction_days=func.sum(t.correction_days))
    own = part(t.case_id, t.department, deadlines.join(item_tasks, and_(
        t.case_id == d.case_id, t.item_code == d.subject)), [d.kind.in_(["item", "item_legal"])],
        item_met=_count(and_(d.kind == "item", met)),
        item_on_time=_count(and_(d.kind == "item", met, on_time)),
        legal_met=_count(and_(d.kind == "item_legal", met)),
        legal_on_time=_count(and_(d.kind == "item_legal", met, on_time)))
    callback = deadlines.alias("callback_met")
    called = select(callback.c.case_id).where(callback.c.case_id == r.case_id, callback.c.kind == "callback",
                                              callback.c.met_at.is_not(None)).exists()
    bad = and_(judged, r.bad.is_(True))
    rated = part(r.case_id, r.about_id, ratings, [r.about == "department", r.about_id.is_not(None)],
                 **dict(zip(LEVELS, _levels(judged), strict=True)),
                 bad=_count(bad), called=_count(and_(bad, called)),
                 appeals=_count(r.appeal.is_not(None)),
                 upheld=_count(and_(r.appeal.is_not(None), r.counted.is_(False))))
    parts = union_all(tasks, own, rated).subquery("parts")
    p = parts.c
    summed = [(func.max(p.has_items) > 0).label("has_items") if n == "has_items" else func.sum(p[n]).label(n)
              for n in names]
    return (select(p.case_id, p.department, c.opened_at, *summed)
            .select_from(parts.join(cases, c.id == p.case_id))
            .group_by(p.case_id, p.department, c.opened_at))


_MARK = "__figures_case_id__"


class _OneCase:
    """A statement about one case, compiled once per database with its constants written out and
    the case's id its only parameter (run on the DBAPI cursor, like the save's own statements)."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        self.count = sql.count(f"'{_MARK}'")
        self.positional = dialect.paramstyle == "qmark"
        self.sql = sql.replace(f"'{_MARK}'", "?" if self.positional else "%(case_id)s")
        assert self.count and (self.positional or "%" not in sql)

    def run(self, conn: Connection, case_id: str) -> None:
        execute_driver(conn, self.sql, (case_id,) * self.count if self.positional else {"case_id": case_id})


def _upsert(dialect: Dialect, table: Any, rows: Select[Any]) -> Any:
    """``INSERT INTO table SELECT rows``, each row that is there already updated instead."""
    insert = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(table)
    statement = insert.from_select(list(table.c.keys()), rows)
    keys = [c.name for c in table.primary_key.columns]
    return statement.on_conflict_do_update(index_elements=keys, set_={
        name: statement.excluded[name] for name in table.c.keys() if name not in keys})  # noqa: SIM118


class _Statements:
    """The refresh of one case's kept figures: its case row upserted, its department rows
    upserted (deleted first only when one may have gone: a rating or a task changed its subject)."""

    def __init__(self, dialect: Dialect) -> None:
        name = dialect.name
        one: Only = lambda column: column == literal(_MARK)  # noqa: E731
        fc, fd = figure_cases, figure_departments
        self.case = _OneCase(_upsert(dialect, fc, case_rows(name, one)), dialect)
        self.clear_departments = _OneCase(fd.delete().where(one(fd.c.case_id)), dialect)
        self.departments = _OneCase(_upsert(dialect, fd, department_rows(name, one)), dialect)


_STATEMENTS: weakref.WeakKeyDictionary[Dialect, _Statements] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def after_save(conn: Connection, case_id: str, columns: tuple[str, ...], changes: tuple[Changes, ...],
               old: Snapshot, new: Snapshot) -> None:
    """The save of a case from snapshot ``old`` to ``new`` changed ``columns`` of its ``cases``
    row and its parts as ``changes`` says (tasks, materials, visits, deadlines, ratings): refresh
    what of its kept figures they feed, if anything."""
    tasks, _materials, _visits, dates, rated = changes
    case = not FIGURE_COLUMNS.isdisjoint(columns)
    departments = gone = False
    if rated.columns or rated.reordered:
        case = departments = gone = True
    for changed in tasks.columns.values():
        if changed is None or not _TASK_COLUMNS.isdisjoint(changed):
            case = departments = True
            gone = gone or (changed is not None and "department" in changed)
    if tasks.reordered and old.tasks.keys() - new.tasks.keys():
        case = departments = gone = True
    kinds = {kind for (kind, _subject), changed in dates.columns.items()
             if changed is None or not _DEADLINE_COLUMNS.isdisjoint(changed)}
    if dates.reordered:  # inserted (in ``columns``) or deleted
        kinds.update(kind for kind, _subject in old.deadlines.keys() - new.deadlines.keys())
    case = case or not _CASE_KINDS.isdisjoint(kinds)
    departments = departments or not _DEPARTMENT_KINDS.isdisjoint(kinds)
    if case or departments:
        refresh(conn, case_id, case=case, departments=departments, clear=gone)


def refresh(conn: Connection, case_id: str, *, case: bool = True, departments: bool = True,
            clear: bool = True) -> None:
    """Compute the kept figures of one case again from its rows (in the caller's transaction):
    its ``figure_cases`` row (``case``) and its ``figure_departments`` rows (``departments``; with
    ``clear``, those of departments it no longer has are deleted)."""
    dialect = conn.dialect
    statements = _STATEMENTS.get(dialect)
    if statements is None:
        with _LOCK:
            statements = _STATEMENTS.setdefault(dialect, _Statements(dialect))
    if case:
        statements.case.run(conn, case_id)
    if departments:
        if clear:
            statements.clear_departments.run(conn, case_id)
        statements.departments.run(conn, case_id)


def rebuild_statements(dialect: str) -> list[Any]:
    """The statements of :func:`rebuild` (a migration printed as SQL runs them as they are)."""
    fc, fd = figure_cases, figure_departments
    return [fd.delete(), fc.delete(), fc.insert().from_select(list(fc.c.keys()), case_rows(dialect)),
            fd.insert().from_select(list(fd.c.keys()), department_rows(dialect))]


def rebuild(conn: Connection) -> tuple[int, int]:
    """Compute every kept figure again from the stored cases; returns the rows written (cases,
    departments)."""
    for statement in rebuild_statements(conn.dialect.name):
        conn.execute(statement)
    return tuple(  # type: ignore[return-value]
        int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in (figure_cases, figure_departments))
