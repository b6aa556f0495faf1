"""Start-a-business lifecycle throughput: oneservice next to the floor, measured in one run.

The floor is bare SQLAlchemy Core executing the very row writes oneservice makes (captured from
one oneservice lifecycle: every INSERT, UPDATE and DELETE, grouped by transaction) with the same
transaction boundaries, for fresh case ids. oneservice additionally reads the case it changes,
checks authorisation, state and guards, computes deadlines and events.

    python bench/lifecycle.py [--cases 200] [--rounds 3] [--postgres URL]

Prints cases per second, actions per second and the ratio to the floor for each database.
Rounds alternate between oneservice and the floor so both see the same machine conditions; the
best round of each counts.

    python bench/lifecycle.py --profile 300 [--postgres URL]

profiles oneservice lifecycles on each database instead, and prints where the time goes: first
without a profiler (the phases of an action timed by thin wrappers: statements and COMMIT, loading,
the engine, saving, the summary, the rest), then under cProfile (own time summed by component:
database driver, SQLAlchemy, store, engine, … and the functions with the most own time).
SpiffWorkflow joins the comparison in ``bench/spiff_compare.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oneservice import TZ, Actor, Applicant, OneService, Role, SimulatedClock, Store, load_catalogue  # noqa: E402
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id  # noqa: E402

MATTER = "start-a-business"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(1), "张三")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)


_FORMS: dict[str, dict[str, Any]] = {}


def lifecycle(service: OneService) -> int:
    """One case from opening to closing; returns the number of actions."""
    plan = service.catalogue.plan(MATTER)
    form = _FORMS.get(MATTER) or _FORMS.setdefault(MATTER, sample_form(plan))  # the applicant's data
    materials = [line.material.id for line in plan.materials]
    case = service.open_case(ME, MATTER, PERSON, channel="online", location=LOCATION)
    service.submit(ME, case.id, form=form, materials=materials, channel="online")
    service.accept(CLERK, case.id)
    actions = 3
    for item in plan.items:
        reviewer = Actor(Role.REVIEWER, "rev", department=item.department)
        service.start_review(reviewer, case.id, item.code)
        service.approve(reviewer, case.id, item.code)
        actions += 2
    service.deliver(CLERK, case.id, results=sample_deliveries(plan, "EMS 0000 0000 1"))
    service.rate(ME, case.id, 5)
    service.conclude(CLERK, case.id)
    return actions + 3


def make_service(url: str, catalogue: Any) -> OneService:
    store = Store(url)
    store.migrate()
    clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    return OneService(catalogue, store, clock=clock)


def capture(url: str, catalogue: Any) -> tuple[list[list[tuple[str, Any]]], str]:
    """The write statements of one lifecycle, per transaction, and the case id they use."""
    service = make_service(url, catalogue)
    lifecycle(service)  # warm: the definition row is written once per database, not per case
    transactions: list[list[tuple[str, Any]]] = []
    current: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            current.append((statement, parameters))

    def commit(conn: Any) -> None:
        if current:
            transactions.append(list(current))
        current.clear()

    engine = service.store.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", commit)
    ids_before = set(_case_ids(service))
    lifecycle(service)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "commit", commit)
    case_id = next(iter(set(_case_ids(service)) - ids_before))
    service.store.dispose()
    return transactions, case_id


def _case_ids(service: OneService) -> list[str]:
    with service.store.transaction() as tx:
        return tx.case_ids(limit=100000)


def _swap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _swap(v, old, new) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_swap(v, old, new) for v in value)
    return value


Plan = list[list[tuple[str, Any]]]


def floor_plans(transactions: Plan, case_id: str, cases: int) -> list[Plan]:
    """The captured writes for ``cases`` fresh case ids, made before any timing starts: the floor
    does no work of its own beyond handing SQLAlchemy the statements and their parameters."""
    plans = []
    for _ in range(cases):
        new = case_id[:9] + uuid.uuid4().hex[:12]
        plans.append([[(stmt, _fresh_positions(stmt, _swap(params, case_id, new))) for stmt, params in tx]
                      for tx in transactions])
    return plans


_POSITIONS = itertools.count(10**12)  # far above any position oneservice's own rounds reach


def _fresh_positions(stmt: str, params: Any) -> Any:
    """The events' outbox positions are unique: new ones for each replayed case (the counter's
    ``UPDATE … RETURNING`` is replayed as captured, so the floor takes its lock as oneservice does)."""
    if not stmt.lstrip().upper().startswith("INSERT INTO EVENTS"):
        return params
    if isinstance(params, list):
        return [_fresh_positions(stmt, p) for p in params]
    if isinstance(params, dict):
        return {**params, "position": next(_POSITIONS)} if "position" in params else params
    columns = [c.strip() for c in stmt[stmt.index("(") + 1:stmt.index(")")].split(",")]
    if "position" not in columns:
        return params
    index = columns.index("position")
    return (*params[:index], next(_POSITIONS), *params[index + 1:])


def replay(engine: Any, plan: Plan) -> None:
    """One case of the floor: each transaction of the plan in ``engine.begin()``."""
    for tx in plan:
        with engine.begin() as conn:
            for stmt, params in tx:
                conn.exec_driver_sql(stmt, params)


def floor(url: str, transactions: Plan, case_id: str, cases: int) -> float:
    """Replay the captured writes with bare Core for ``cases`` fresh case ids; seconds taken."""
    store = Store(url)
    store.migrate()
    engine = store.engine
    plans = floor_plans(transactions, case_id, cases)
    start = time.perf_counter()
    for plan in plans:
        replay(engine, plan)
    elapsed = time.perf_counter() - start
    store.dispose()
    return elapsed


def engine_run(url: str, catalogue: Any, cases: int) -> tuple[float, int]:
    service = make_service(url, catalogue)
    lifecycle(service)  # warm caches, store the definition
    start = time.perf_counter()
    actions = sum(lifecycle(service) for _ in range(cases))
    elapsed = time.perf_counter() - start
    service.store.dispose()
    return elapsed, actions


def connections_ab(url_factory: Callable[[str], str], catalogue: Any, cases: int, rounds: int) -> str:
    """PostgreSQL: lifecycles with the connection each thread keeps (pinged after an idle second)
    beside one checked out of the pool, pre-pinged, per transaction (before issue 18), rounds
    alternating; the best round of each, in cases/s."""
    from oneservice.store._fast.connections import Connections

    best = {"kept": float("inf"), "pooled": float("inf")}
    for r in range(rounds):
        for way in ("kept", "pooled") if r % 2 == 0 else ("pooled", "kept"):
            service = make_service(url_factory(f"{way}{r}"), catalogue)
            if way == "pooled":
                service.store._connections = Connections(service.store.engine, keep=False)
            lifecycle(service)  # warm caches, store the definition
            start = time.perf_counter()
            for _ in range(cases):
                lifecycle(service)
            best[way] = min(best[way], time.perf_counter() - start)
            service.store.dispose()
    kept, pooled = cases / best["kept"], cases / best["pooled"]
    return (f"postgresql connections: kept per thread {kept:.1f} cases/s, pooled and pre-pinged "
            f"{pooled:.1f} cases/s, kept ÷ pooled {kept / pooled:.2f} ({rounds} rounds of {cases} cases)")


def measure(
    name: str, url_factory: Callable[[str], str], catalogue: Any, cases: int, rounds: int
) -> dict[str, Any]:
    transactions, case_id = capture(url_factory("capture"), catalogue)
    best_engine, best_floor, actions = float("inf"), float("inf"), 0
    for r in range(rounds):
        t_engine, actions = engine_run(url_factory(f"engine{r}"), catalogue, cases)
        t_floor = floor(url_factory(f"floor{r}"), transactions, case_id, cases)
        best_engine, best_floor = min(best_engine, t_engine), min(best_floor, t_floor)
    return {
        "database": name,
        "cases": cases,
        "transactions_per_case": len(transactions),
        "writes_per_case": sum(len(t) for t in transactions),
        "engine_cases_s": cases / best_engine,
        "floor_cases_s": cases / best_floor,
        "engine_actions_s": actions / best_engine,
        "ratio": best_floor / best_engine,
    }


# ------------------------------------------------------------------------------------ profile

_COMPONENTS = (
    # (marker in the file name, component); the first match wins
    ("/psycopg", "database driver (psycopg)"),
    ("/sqlalchemy/", "SQLAlchemy (connection, execution context, events, pool)"),
    ("/oneservice/store/", "oneservice store (version check, cache, diff, bind parameters)"),
    ("/oneservice/engine/", "oneservice engine (rules, guards, deadlines, events)"),
    ("/oneservice/domain/", "oneservice engine (rules, guards, deadlines, events)"),
    ("/transitions/", "transitions (state machines)"),
    ("/celpy/", "CEL acceptance conditions (celpy)"),
    ("/lark/", "CEL acceptance conditions (celpy)"),
    ("/stdnum/", "ID number validation (python-stdnum)"),
    ("/oneservice/service/views.py", "summary returned by every action"),
    ("/oneservice/service", "service (actions, transaction per action)"),
    ("/oneservice/", "oneservice, other"),
    ("/attr/", "attrs (frozen values, evolve)"),
    ("/json/", "json"),
    ("bench/", "benchmark driver"),
)


def _component(filename: str, name: str) -> str:
    if filename == "~":  # a built-in: name says whose
        if "sqlite3" in name:
            return "database driver (sqlite3: execute, commit)"
        if "psycopg" in name or name.startswith(("<built-in method select", "<built-in method poll")):
            return "database driver (psycopg)"
        return "built-ins (dict, isinstance, datetime, …)"
    path = filename.replace("\\", "/")
    for marker, component in _COMPONENTS:
        if marker in path:
            return component
    return "Python standard library, other"


def profile(name: str, url: str, catalogue: Any, cases: int) -> list[str]:
    """Where the time of ``cases`` lifecycles goes, by component (cProfile own time)."""
    import cProfile
    import pstats

    service = make_service(url, catalogue)
    for _ in range(20):
        lifecycle(service)  # warm: definitions, compiled statements, cache
    start = time.perf_counter()
    for _ in range(cases):
        lifecycle(service)
    plain = time.perf_counter() - start
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(cases):
        lifecycle(service)
    profiler.disable()
    service.store.dispose()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_component: dict[str, float] = {}
    total = 0.0
    for (filename, _line, func), (_cc, _nc, own, _cum, _callers) in raw.items():
        component = _component(filename, func)
        by_component[component] = by_component.get(component, 0.0) + own
        total += own
    lines = [
        f"{name}: {cases} lifecycles, {plain / cases * 1000:.1f} ms per case unprofiled, "
        f"{total / cases * 1000:.1f} ms profiled (cProfile inflates Python code, not the driver's C calls)",
        f"  {'component':<66}{'share':>7}{'ms/case':>9}",
    ]
    for component, own in sorted(by_component.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {component:<66}{own / total:>7.1%}{own / cases * 1000:>9.2f}")
    lines.append("  functions with the most own time:")
    top = sorted(raw.items(), key=lambda kv: -kv[1][2])[:25]
    for (filename, line, func), (_cc, nc, own, _cum, _callers) in top:
        where = func if filename == "~" else f"{_short(filename)}:{line}({func})"
        lines.append(f"  {own / total:>6.1%} {nc / cases:>6.0f} calls/case  {where}")
    return lines


_ENGINE_ACTIONS = ("open_case", "submit", "accept", "start_review", "approve", "deliver", "rate", "conclude")


def phases(name: str, url: str, catalogue: Any, cases: int) -> list[str]:
    """Where the time of an action goes, without a profiler: the phases of an action are timed by
    thin wrappers, the statements by a wrapper around ``execute_driver`` (the DBAPI cursor call,
    BEGIN included), COMMIT by a wrapper around the dialect's ``do_commit``. Each phase's own time
    excludes the phases and statements inside it. (No cursor-event listener is attached: that
    would route the statements through SQLAlchemy's execution context.)"""
    from oneservice.engine.engine import CaseEngine
    from oneservice.service.runner import ActionRunner
    from oneservice.store import transaction
    from oneservice.store._fast import compiled, connections
    from oneservice.store._fast.cache import CachedCase
    from oneservice.store._fast.compiled import Compiled

    service = make_service(url, catalogue)
    for _ in range(20):
        lifecycle(service)
    spent: dict[str, float] = {}
    stack: list[list[Any]] = [["rest: transaction begin/end, connection, pool, service", 0.0]]
    patched: list[tuple[Any, str, Any]] = []

    def charge(phase: str, seconds: float) -> None:
        spent[phase] = spent.get(phase, 0.0) + seconds

    def wrap(owner: Any, attr: str, phase: str) -> None:
        original = getattr(owner, attr)
        raw = vars(owner).get(attr) if isinstance(owner, type) else vars(owner).get(attr, _MISSING)
        if raw is None:
            raw = _MISSING

        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [phase, 0.0]  # [phase, time of nested phases]
            stack.append(frame)
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                stack.pop()
                charge(phase, elapsed - frame[1])
                stack[-1][1] += elapsed

        setattr(owner, attr, timed)
        patched.append((owner, attr, raw))

    wrap(Transaction_ := transaction.Transaction, "_get_case", "load: the cached case (handed over)")
    wrap(Transaction_, "_save_case", "save: diff, rows, version guard")
    wrap(Transaction_, "add_case", "save: diff, rows, version guard")
    wrap(transaction, "snapshot_of", "mapping: case → rows (snapshot)")
    wrap(transaction, "case_row", "mapping: case → rows (snapshot)")
    wrap(CachedCase, "of", "case cache: normalise the saved rows")
    wrap(CachedCase, "hold", "case cache: normalise the saved rows")
    wrap(CachedCase, "case", "case cache: new case object from cached rows")
    wrap(Compiled, "execute", "bind parameters (values → driver types)")
    wrap(compiled, "execute_driver", "database: statements (driver execute)")
    wrap(connections, "execute_driver", "database: statements (driver execute)")  # BEGIN
    wrap(connections, "_end", "database: COMMIT")  # kept SQLite connections commit here
    for action in _ENGINE_ACTIONS:
        wrap(CaseEngine, action, "engine: rules, guards, deadlines, events")
    wrap(ActionRunner, "summary", "summary returned by the action")
    engine = service.store.engine
    wrap(engine.dialect, "do_commit", "database: COMMIT")
    wrap(engine.dialect, "do_begin", "database: statements (driver execute)")
    t0 = time.perf_counter()
    for _ in range(cases):
        lifecycle(service)
    total = time.perf_counter() - t0
    for owner, attr, raw in reversed(patched):
        if raw is _MISSING:
            delattr(owner, attr)
        else:
            setattr(owner, attr, raw)
    service.store.dispose()
    actions = cases * 20
    spent[stack[0][0]] = total - sum(spent.values())
    database = sum(v for k, v in spent.items() if k.startswith("database:"))
    lines = [
        f"{name}: {cases} lifecycles, {total / actions * 1000:.3f} ms per action (timed phases, no "
        f"profiler); the database's own work (statements + COMMIT, in the driver) {database / total:.0%}",
        f"  {'phase (own time)':<58}{'µs/action':>10}{'share':>8}",
    ]
    for key, value in sorted(spent.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {key:<58}{value / actions * 1e6:>10.0f}{value / total:>8.1%}")
    return lines


_MISSING = object()


def _short(filename: str) -> str:
    path = filename.replace("\\", "/")
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"),
        help="PostgreSQL URL (default: $ONESERVICE_TEST_DATABASE_URL); omit to skip",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="CASES",
        help="profile CASES oneservice lifecycles per database instead of measuring throughput",
    )
    parser.add_argument(
        "--connections",
        action="store_true",
        help="PostgreSQL only: kept connections beside pooled, pre-pinged ones, rounds alternating",
    )
    args = parser.parse_args()
    catalogue = load_catalogue([ROOT / "workflows"])
    if args.connections:
        if not args.postgres:
            parser.error("--connections needs --postgres")
        print(connections_ab(lambda tag: _fresh_pg(args.postgres), catalogue, args.cases, args.rounds))
        return
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_url = f"sqlite:///{tmp}/profile.sqlite"
            print("\n".join(phases("sqlite (file, WAL)", sqlite_url, catalogue, args.profile)))
            print("\n".join(profile("sqlite (file, WAL)", sqlite_url, catalogue, args.profile)))
        if args.postgres:
            pg_url = _fresh_pg(args.postgres)
            print("\n".join(phases("postgresql", pg_url, catalogue, args.profile)))
            print("\n".join(profile("postgresql", pg_url, catalogue, args.profile)))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            measure(
                "sqlite (file, WAL)",
                lambda tag: f"sqlite:///{tmp}/{tag}.sqlite",
                catalogue,
                args.cases,
                args.rounds,
            )
        )
    if args.postgres:
        results.append(
            measure("postgresql", lambda tag: _fresh_pg(args.postgres), catalogue, args.cases, args.rounds)
        )
    print(
        f"start-a-business lifecycle ({results[0]['transactions_per_case']} transactions, "
        f"{results[0]['writes_per_case']} row writes per case); machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'database':<22}{'cases/s':>10}{'actions/s':>11}{'floor cases/s':>15}{'engine/floor':>14}")
    for r in results:
        print(
            f"{r['database']:<22}{r['engine_cases_s']:>10.1f}{r['engine_actions_s']:>11.0f}"
            f"{r['floor_cases_s']:>15.1f}{r['ratio']:>14.2f}"
        )


def _fresh_pg(url: str) -> str:
    """A PostgreSQL URL whose tables live in a new schema (dropped at exit)."""
    import atexit

    schema = "bench_" + uuid.uuid4().hex[:8]
    store = Store(url, schema=schema)
    store.migrate()
    atexit.register(store.drop_schema)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
