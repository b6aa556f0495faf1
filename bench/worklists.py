"""Time one page of the worklists with many stored cases: paging in Python (before) and in SQL.

    python bench/worklists.py --cases 100000 [--sqlite PATH] [--postgres URL] [--repeat 7] [--explain]

Fills a database with ``bench/synthetic.py``'s generator (a realistic mix: about 2 % of the
cases open, the rest delivered or closed over 320 days), at schema revision 0002, then times
each list three ways, median of ``--repeat`` runs after one warm-up, each in a read transaction:

* **before** — the full-list queries of revision 0002 (copied below, unchanged), the page cut
  in Python as ``oneservice.http`` did (``rows[start:start + size]``, ``len(rows)``);
* **old queries, new indexes** — the same after ``migrate()`` to the newest revision (0003's
  worklist indexes), to tell the indexes from the paging;
* **after** — ``Transaction.*_page`` (``LIMIT``/``OFFSET`` and the total in one statement):
  the first page and a deep one (page 13 of 50 rows).

The lists: a department's worklist (the department with most open tasks), cases by colour red
and yellow (as ``OneService.cases_by_colour`` computes them on the generator's "today"), and an
applicant's cases (the generator gives every case the same applicant: the worst case of
``/me/cases``). Every page is checked equal to the slice of the full list. ``--explain`` prints
the database's plan of each page statement (``EXPLAIN QUERY PLAN`` / ``EXPLAIN``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import Connection, and_, event, func, or_, select  # noqa: E402
from synthetic import TODAY, generate  # noqa: E402

from oneservice import OneService, SimulatedClock, Store, load_catalogue  # noqa: E402
from oneservice.domain.case import CaseState, MaterialStatus, TaskState  # noqa: E402
from oneservice.engine.clock import TZ  # noqa: E402
from oneservice.store.rows import CaseRow, TaskRow  # noqa: E402
from oneservice.store.store import MIGRATIONS  # noqa: E402
from oneservice.store.tables import cases, item_tasks, materials  # noqa: E402

SIZE = 50
DEEP = 13  # the deep page's number (rows 601-650: inside every non-empty list of the generator)

# ----------------------------------------------------------------- revision 0002's queries (before)

_FINISHED = (CaseState.DELIVERED, CaseState.CLOSED, CaseState.REFUSED, CaseState.TERMINATED,
             CaseState.WITHDRAWN)
_DEPARTMENT = (TaskState.READY, TaskState.IN_REVIEW, TaskState.CORRECTION_REQUESTED, TaskState.SUSPENDED)
_CASE_ROW = (
    cases.c.id, cases.c.matter_id, cases.c.state, cases.c.location, cases.c.channel, cases.c.applicant_id,
    cases.c.applicant_name, cases.c.opened_at, cases.c.concluded_at, cases.c.due_date.label("due"),
    cases.c.due_provisional, cases.c.trips, cases.c.over_budget, cases.c.version,
)
_OPEN = cases.c.state.not_in(_FINISHED)


def old_department_tasks(conn: Connection, department: str) -> list[TaskRow]:
    t = item_tasks.c
    stmt = (
        select(t.case_id, t.item_code, t.department, t.state, cases.c.matter_id, t.dispatched_at,
               t.started_at, t.due_date.label("due"), t.due_provisional, t.suspended_since, t.reviewer)
        .join_from(item_tasks, cases, cases.c.id == t.case_id)
        .where(t.department == department, t.state.in_(list(_DEPARTMENT)))
        .order_by(t.due_date.asc().nulls_last(), t.dispatched_at, t.case_id, t.item_code)
    )
    return [TaskRow(**row) for row in conn.execute(stmt).mappings()]


def _old_case_rows(conn: Connection, *where: Any, order: Sequence[Any] = ()) -> list[CaseRow]:
    stmt = select(*_CASE_ROW).where(*where).order_by(*order, cases.c.id)
    return [CaseRow(**row) for row in conn.execute(stmt).mappings()]


def old_due_before(conn: Connection, day: dt.date) -> list[CaseRow]:
    return _old_case_rows(conn, cases.c.due_date < day, _OPEN, order=[cases.c.due_date])


def old_due_between(conn: Connection, start: dt.date, end: dt.date) -> list[CaseRow]:
    return _old_case_rows(conn, cases.c.due_date >= start, cases.c.due_date <= end, _OPEN,
                          order=[cases.c.due_date])


def old_for_applicant(conn: Connection, applicant_id: str) -> list[CaseRow]:
    return _old_case_rows(conn, cases.c.applicant_id == applicant_id, order=[cases.c.opened_at.desc()])


def old_awaiting(conn: Connection) -> list[CaseRow]:
    owed = select(materials.c.case_id).where(materials.c.status == MaterialStatus.OWED)
    return _old_case_rows(
        conn, or_(cases.c.state == CaseState.AWAITING_MATERIALS, and_(_OPEN, cases.c.id.in_(owed))),
        order=[cases.c.opened_at],
    )


# ----------------------------------------------------------------- timing


def _migrate(store: Store, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    with store.engine.begin() as conn:
        if store.schema is not None:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{store.schema}"')
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _median_ms(store: Store, call: Callable[[Any], Any], repeat: int) -> tuple[float, Any]:
    with store.transaction(readonly=True) as tx:
        result = call(tx)  # warm-up (and the result to check)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with store.transaction(readonly=True) as tx:
            call(tx)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def _cut(rows: list[Any], page: int) -> tuple[list[Any], int]:
    """The HTTP layer's paging before: the whole list loaded, one page sliced out."""
    start = (page - 1) * SIZE
    return rows[start:start + SIZE], len(rows)


def _lists(store: Store, service: OneService) -> list[tuple[str, Callable[[Connection], list[Any]], Any]]:
    """``(name, old full-list query, new page method)`` of each list timed."""
    today = service.clock.today()
    edge = service.calendar.add_working_days(today, service.yellow_days).date
    with store.engine.connect() as conn:
        t = item_tasks.c
        department = conn.execute(
            select(t.department).where(t.state.in_(list(_DEPARTMENT)))
            .group_by(t.department).order_by(func.count().desc(), t.department).limit(1)
        ).scalar_one()
        applicant = conn.execute(select(cases.c.applicant_id).limit(1)).scalar_one()
    return [
        (f"department {department}", lambda c: old_department_tasks(c, department),
         lambda tx, o: tx.department_tasks_page(department, limit=SIZE, offset=o)),
        ("colour red", lambda c: old_due_before(c, today),
         lambda tx, o: tx.open_cases_due_before_page(today, limit=SIZE, offset=o)),
        ("colour yellow", lambda c: old_due_between(c, today, edge),
         lambda tx, o: tx.open_cases_due_between_page(today, edge, limit=SIZE, offset=o)),
        ("awaiting materials", old_awaiting,
         lambda tx, o: tx.awaiting_materials_page(limit=SIZE, offset=o)),
        ("applicant's cases", lambda c: old_for_applicant(c, applicant),
         lambda tx, o: tx.cases_for_applicant_page(applicant, limit=SIZE, offset=o)),
    ]


def _plan(store: Store, call: Callable[[Any], Any]) -> list[str]:
    """The plan of each statement ``call`` runs, from the database (same SQL, same parameters)."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.transaction(readonly=True) as tx:
            call(tx)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    lines = []
    with store.engine.connect() as conn:
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(prefix + statement, parameters)
            lines += ["      " + str(row[-1] if store.dialect == "sqlite" else row[0]) for row in cursor]
    return lines


def measure(name: str, store: Store, catalogue: Any, count: int, seed: int, repeat: int,
            explain: bool = False) -> list[str]:
    _migrate(store, "0002")
    generated = generate(store, catalogue, count, seed)
    clock = SimulatedClock(dt.datetime.combine(TODAY, dt.time(9), TZ))
    service = OneService(catalogue, store, clock=clock)
    lists = _lists(store, service)
    before: dict[str, tuple[float, float, list[Any], int]] = {}
    for title, old, _new in lists:
        ms1, (page1, total) = _median_ms(store, lambda tx, old=old: _cut(old(tx.connection), 1), repeat)
        ms20, _ = _median_ms(store, lambda tx, old=old: _cut(old(tx.connection), DEEP), repeat)
        before[title] = (ms1, ms20, page1, total)
    store.migrate()  # 0003: the worklist indexes
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    floor, _ = _median_ms(store, lambda tx: tx.connection.exec_driver_sql("SELECT 1").all(), repeat)
    lines = [f"{name}: {count:,} cases generated in {generated:.1f} s; one page = {SIZE} rows; "
             f"median of {repeat}, ms (a read transaction running SELECT 1: {floor:.2f} ms)",
             f"  {'list':<28}{'total':>8}  {'before p1':>10}{'p' + str(DEEP):>8}  "
             f"{'old q+idx':>10}  {'after p1':>9}{'p' + str(DEEP):>8}"]
    for title, old, new in lists:
        b1, b20, page1, total = before[title]
        o1, _ = _median_ms(store, lambda tx, old=old: _cut(old(tx.connection), 1), repeat)
        a1, page = _median_ms(store, lambda tx, new=new: new(tx, 0), repeat)
        a20, deep = _median_ms(store, lambda tx, new=new: new(tx, (DEEP - 1) * SIZE), repeat)
        assert list(page.items) == page1 and page.total == total, title
        with store.transaction(readonly=True) as tx:
            assert list(deep.items) == _cut(old(tx.connection), DEEP)[0], title
        lines.append(f"  {title:<28}{total:>8,}  {b1:>10.1f}{b20:>8.1f}  {o1:>10.1f}  {a1:>9.2f}{a20:>8.2f}")
        if explain:
            lines += _plan(store, lambda tx, new=new: new(tx, (DEEP - 1) * SIZE))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the plan of each page statement")
    parser.add_argument("--sqlite", default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument("--postgres", default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"),
                        help="PostgreSQL URL; a fresh schema is created and dropped")
    args = parser.parse_args()
    catalogue = load_catalogue([ROOT / "workflows"])
    with tempfile.TemporaryDirectory() as tmp:
        path = args.sqlite or f"{tmp}/worklists.sqlite"
        if os.path.exists(path):
            sys.exit(f"{path} exists: give a new file")
        store = Store(f"sqlite:///{path}")
        try:
            for line in measure("sqlite", store, catalogue, args.cases, args.seed, args.repeat, args.explain):
                print(line, flush=True)
        finally:
            store.dispose()
    if args.postgres:
        store = Store(args.postgres, schema="worklists_" + uuid.uuid4().hex[:8])
        try:
            for line in measure("postgresql", store, catalogue, args.cases, args.seed, args.repeat,
                                args.explain):
                print(line, flush=True)
        finally:
            store.drop_schema()
            store.dispose()


if __name__ == "__main__":
    main()
