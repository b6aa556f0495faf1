"""Start-a-business lifecycles by several OS processes at once, side by side with the floor and Spiff.

    python bench/concurrency.py [--processes 1,2,4,8,16] [--cases 96] [--rounds 3] [--postgres URL]
    python bench/concurrency.py --sqlite --processes 1,2 --cases 2 --rounds 1   # the test's size

For each number of processes P, each system runs ``--cases`` full lifecycles (split evenly over
P processes, distinct cases) by P forked processes released together by a barrier, each with its
own engine and connection:

oneservice
    the library as ``bench/lifecycle.py`` drives it (20 actions, one transaction each).
driver alone (the floor)
    the row writes oneservice makes for one case (captured by ``lifecycle.capture``, grouped by
    transaction: the outbox counter's ``UPDATE … RETURNING`` included, so the floor queues on the
    counter row as oneservice does) replayed on the DBAPI connection for fresh case ids
    (``spiff_compare.DriverFloorRunner``).
SpiffWorkflow
    ``bench/start_a_business.bpmn``, its JSON stored after every step, the workflow kept in memory
    (``spiff_compare.SpiffRunner``; needs ``pip install -e '.[bench]'``).

Every system gets a PostgreSQL schema of its own for each run (``conc_…``, dropped after; with
``--sqlite`` a file). Rounds run every P and, within it, the systems in rotating order, so that
load from elsewhere on the machine affects all alike; cases/s are summed over the rounds. Prints
cases/s, oneservice's ratio to the floor at each P (and the range over rounds), p50/p99 per action
(merged over processes and rounds), and where the CPU went: the client processes' own CPU
(``getrusage``), their PostgreSQL backends' (``/proc/<pid>/stat`` of the backends named by
``application_name``), the machine's busy share (``/proc/stat``), and what the backends were doing,
sampled every 20 ms from ``pg_stat_activity`` (on CPU, waiting for a lock, for a WAL flush, for the
client). ``--hold CASES`` measures instead how long a transaction of oneservice and of the floor
holds the outbox counter row (one process). ``--json PATH`` writes the figures and each schema's row count per table (the test checks
that oneservice and the floor wrote the same rows).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lifecycle  # noqa: E402
import spiff_compare  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402
from together import (  # noqa: E402
    Gate,
    action_table,
    busy_share,
    cpu_seconds,
    machine_cpu,
    process_cpu,
    retrying,
    run_together,
)

from oneservice import Store, load_catalogue  # noqa: E402

SYSTEMS = ("oneservice", "driver", "spiff", "nocounter")
DEFAULT_SYSTEMS = "oneservice,driver,spiff"
LABELS = {"oneservice": "oneservice", "driver": "driver alone (floor)", "spiff": "SpiffWorkflow",
          "nocounter": "floor, no counter"}
COUNTER = "UPDATE OUTBOX_COUNTER"
ACTIONS = ("open_case", "submit", "accept", "start_review", "approve", "deliver", "rate", "conclude")


def action_of(step: str) -> str:
    """``start_review_company_registration`` → ``start_review``: the action a step is an instance of."""
    return next(a for a in ACTIONS if step == a or step.startswith(a + "_"))


class TimedService:
    """``OneService`` for ``lifecycle.lifecycle``, timing each action it is asked for."""

    def __init__(self, service: Any, latencies: dict[str, list[float]]) -> None:
        self._service = service
        self._latencies = latencies

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._service, name)
        if name not in ACTIONS:
            return attr
        times = self._latencies[name]

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = attr(*args, **kwargs)
            times.append(time.perf_counter() - started)
            return result

        return timed


class Place:
    """Where one system's run writes: a PostgreSQL schema of its own (or a SQLite file)."""

    def __init__(self, base: str, system: str, tmp: Path) -> None:
        self.system = system
        self.name = f"conc_{system}_{uuid.uuid4().hex[:8]}"
        self.app = f"conc_{system}_{os.getpid()}"
        self.postgres = base.startswith("postgresql")
        if self.postgres:
            sep = "&" if "?" in base else "?"
            self.url = f"{base}{sep}options=-csearch_path%3D{self.name}&application_name={self.app}"
            self.owner = Store(base, schema=self.name)
        else:
            self.url = f"sqlite:///{tmp / self.name}.sqlite"
            self.owner = Store(self.url)

    def prepare(self, catalogue: Any) -> None:
        """Tables made and the definition row written before any process starts (one case of
        oneservice for both oneservice and the floor, so that their row counts compare)."""
        retrying(self.owner.migrate)
        if self.system == "spiff":
            spiff_compare.SPIFF_TABLE.create(self.owner.engine, checkfirst=True)
        else:
            service = retrying(lambda: lifecycle.make_service(self.url, catalogue))
            lifecycle.lifecycle(service)
            service.store.dispose()

    def row_counts(self) -> dict[str, int]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                tables = inspect(conn).get_table_names()
                return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in sorted(tables)}
        finally:
            engine.dispose()

    def drop(self) -> None:
        if self.postgres:
            self.owner.drop_schema()
        self.owner.dispose()
        if not self.postgres:
            Path(self.url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def worker(index: int, gate: Gate, system: str, url: str, catalogue: Any, capture: Any, cases: int) -> None:
    """One process of a run: its own engine and connection, warmed, then ``cases`` lifecycles."""
    transactions, case_id = capture
    steps = [action_of(name) for name, _ in spiff_compare.spiff_actions(catalogue)]
    latencies: dict[str, list[float]] = defaultdict(list)

    def record(step: int, seconds: float) -> None:
        latencies[steps[step]].append(seconds)

    runner: Any
    if system == "oneservice":
        service = retrying(lambda: lifecycle.make_service(url, catalogue))
        lifecycle.lifecycle(service)  # warm: compiled statements, caches
        timed = TimedService(service, latencies)

        def case() -> None:
            lifecycle.lifecycle(timed)  # type: ignore[arg-type]

        close = service.store.dispose
    else:
        if system in ("driver", "nocounter"):
            # the replayed events' positions: unique across the processes (one range each)
            lifecycle._POSITIONS = itertools.count(10**12 + (index + 1) * 10**9)
            if system == "nocounter":  # measuring only: the floor without the counter row's lock
                transactions = [[(q, v) for q, v in tx if not q.lstrip().upper().startswith(COUNTER)]
                                for tx in transactions]
            runner = retrying(lambda: spiff_compare.DriverFloorRunner(url, transactions, case_id))  # replays one case: warm
            runner.prepare(cases)  # the parameters for fresh ids, made before the timed part
        else:
            runner = retrying(lambda: spiff_compare.SpiffRunner(url, catalogue, stateless=False))
            runner.case()  # warm
        latencies.clear()

        def case() -> None:
            runner.case(record)

        close = runner.close
    cpu0 = cpu_seconds()
    gate.start()
    started = time.perf_counter()
    for _ in range(cases):
        case()
    finished = time.perf_counter()
    cpu = cpu_seconds() - cpu0
    gate.done()  # the connections stay open until the parent has read their backends' CPU
    gate.leave({"started": started, "finished": finished, "cases": cases, "cpu": cpu,
                "latencies": dict(latencies)})
    close()


class PgMonitor:
    """What the PostgreSQL backends of one run did while it was timed: their CPU, the machine's
    busy share, and samples of their state from ``pg_stat_activity``."""

    def __init__(self, base: str, app: str) -> None:
        import psycopg

        self.conn = psycopg.connect(_libpq(base), autocommit=True, application_name="conc_monitor")
        self.app = app
        self.samples: Counter[str] = Counter()
        self.wal0: tuple[int, ...] = ()
        self.wal: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.backend_cpu = 0.0
        self.busy = self.iowait = 0.0

    def _pids(self) -> list[int]:
        rows = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.app,))
        return [r[0] for r in rows]

    def _wal(self) -> tuple[int, ...]:
        row = self.conn.execute(
            "SELECT w.wal_write, w.wal_sync, w.wal_records, d.xact_commit FROM pg_stat_wal w, pg_stat_database d "
            "WHERE d.datname = current_database()"
        ).fetchone()
        return tuple(int(v) for v in row) if row else (0, 0, 0, 0)

    def begin(self) -> None:
        self.cpu0 = {pid: process_cpu(pid) for pid in self._pids()}
        self.machine0 = machine_cpu()
        self.wal0 = self._wal()
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            rows = self.conn.execute(
                "SELECT state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (self.app,),
            ).fetchall()
            for state, kind, event, query in rows:
                self.samples[_classify(state, kind, event, query or "")] += 1

    def end(self) -> None:
        self._stop.set()
        self._thread.join()
        self.busy, self.iowait = busy_share(self.machine0, machine_cpu())
        self.backend_cpu = sum(process_cpu(pid) - self.cpu0.get(pid, 0.0) for pid in self._pids())
        wal1 = self._wal()
        writes, syncs, records, commits = (b - a for a, b in zip(self.wal0, wal1, strict=True))
        self.wal = {"wal_syncs": syncs, "wal_writes": writes, "wal_records": records, "commits": commits}
        self.conn.close()


def _classify(state: str | None, kind: str | None, event: str | None, query: str) -> str:
    if state in ("idle", "idle in transaction"):
        return "client"  # the backend waits for its client's next statement
    if kind is None:
        return "cpu"
    if kind == "Lock":  # a row lock (transactionid / tuple): whose row the waiting statement says
        return "counter lock" if "outbox_counter" in query else "other lock"
    if (kind == "LWLock" and event and event.startswith("WAL")) or (kind == "IO" and event and "WAL" in event):
        return "wal"  # waiting for the WAL to be written and flushed (COMMIT)
    return "other"


class MachineMonitor:
    """The machine's busy share only (SQLite: no backends)."""

    def __init__(self) -> None:
        self.samples: Counter[str] = Counter()
        self.backend_cpu = 0.0
        self.busy = self.iowait = 0.0
        self.wal: dict[str, float] = {}

    def begin(self) -> None:
        self.machine0 = machine_cpu()

    def end(self) -> None:
        self.busy, self.iowait = busy_share(self.machine0, machine_cpu())


def _libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as a libpq one."""
    return "postgresql://" + url.split("://", 1)[1]


def run_one(base: str, tmp: Path, system: str, processes: int, cases: int, catalogue: Any,
            capture: Any) -> dict[str, Any]:
    load = os.getloadavg()[0]
    place = Place(base, system, tmp)
    try:
        place.prepare(catalogue)
        monitor: PgMonitor | MachineMonitor = PgMonitor(base, place.app) if place.postgres else MachineMonitor()
        per = max(1, -(-cases // processes))
        results = run_together(processes, worker, (system, place.url, catalogue, capture, per), monitor)
        rows = place.row_counts()
    finally:
        place.drop()
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    latencies: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for action, times in r["latencies"].items():
            latencies[action].extend(times)
    return {
        "system": system, "processes": processes, "cases": sum(r["cases"] for r in results),
        "elapsed": elapsed, "client_cpu": sum(r["cpu"] for r in results), "backend_cpu": monitor.backend_cpu,
        "busy": monitor.busy, "iowait": monitor.iowait, "states": dict(monitor.samples), "wal": monitor.wal,
        "latencies": dict(latencies), "rows": rows, "load": load,
    }


def measure(base: str, tmp: Path, systems: list[str], counts: list[int], cases: int, rounds: int,
            catalogue: Any) -> list[dict[str, Any]]:
    capture_place = Place(base, "capture", tmp)
    try:
        retrying(capture_place.owner.migrate)
        capture = lifecycle.capture(capture_place.url, catalogue)
    finally:
        capture_place.drop()
    runs: list[dict[str, Any]] = []
    order = list(systems)
    for r in range(rounds):
        for processes in counts:
            for system in order:
                run = run_one(base, tmp, system, processes, cases, catalogue, capture)
                run["round"] = r
                runs.append(run)
                print(f"  round {r + 1}/{rounds}, {processes} processes, {system}: "
                      f"{run['cases'] / run['elapsed']:.1f} cases/s", file=sys.stderr, flush=True)
            order = order[1:] + order[:1]
    return runs


def summary(runs: list[dict[str, Any]], systems: list[str], counts: list[int]) -> dict[int, dict[str, Any]]:
    """Per P and system: the runs of all rounds together."""
    out: dict[int, dict[str, Any]] = {}
    for p in counts:
        out[p] = {}
        for s in systems:
            mine = [r for r in runs if r["processes"] == p and r["system"] == s]
            cases = sum(r["cases"] for r in mine)
            elapsed = sum(r["elapsed"] for r in mine)
            latencies: dict[str, list[float]] = defaultdict(list)
            states: Counter[str] = Counter()
            for r in mine:
                states.update(r["states"])
                for action, times in r["latencies"].items():
                    latencies[action].extend(times)
            out[p][s] = {
                "cases_s": cases / elapsed,
                "per_round": {r["round"]: r["cases"] / r["elapsed"] for r in mine},
                "client_ms": 1000 * sum(r["client_cpu"] for r in mine) / cases,
                "backend_ms": 1000 * sum(r["backend_cpu"] for r in mine) / cases,
                "busy": sum(r["busy"] * r["elapsed"] for r in mine) / elapsed,
                "iowait": sum(r["iowait"] * r["elapsed"] for r in mine) / elapsed,
                "states": states,
                "latencies": latencies,
            }
    return out


def report(runs: list[dict[str, Any]], systems: list[str], counts: list[int], database: str) -> list[str]:
    table = summary(runs, systems, counts)
    rounds = 1 + max(r["round"] for r in runs)
    per = {r["processes"]: r["cases"] for r in runs if r["system"] == systems[0]}
    loads = [r.get("load", 0.0) for r in runs]
    lines = [
        f"start-a-business lifecycles by P processes at once on {database}; cases per run: "
        + ", ".join(f"P={p}: {per[p]}" for p in counts)
        + f"; {rounds} round(s), systems interleaved; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average (1 min) as the runs began {min(loads):.1f}–{max(loads):.1f}",
        "",
        f"{'P':>3}" + "".join(f"{LABELS[s] + ' cases/s':>30}" for s in systems)
        + (f"{'oneservice ÷ floor':>20}{'median, range of rounds':>25}{'by CPU per case':>17}"
           if "driver" in systems and "oneservice" in systems else "")
        + (f"{'oneservice × Spiff':>20}" if "spiff" in systems and "oneservice" in systems else ""),
    ]
    for p in counts:
        row = table[p]
        cells = [f"{row[s]['cases_s']:.1f} (×{row[s]['cases_s'] / table[counts[0]][s]['cases_s']:.2f})"
                 for s in systems]
        line = f"{p:>3}" + "".join(f"{c:>30}" for c in cells)
        if "driver" in systems and "oneservice" in systems:
            ratios = sorted(row["oneservice"]["per_round"][r] / row["driver"]["per_round"][r] for r in range(rounds))
            median = statistics.median(ratios)
            cpu = {s: row[s]["client_ms"] + row[s]["backend_ms"] for s in ("oneservice", "driver")}
            line += f"{row['oneservice']['cases_s'] / row['driver']['cases_s']:>20.2f}"
            line += f"{f'{median:.2f} ({ratios[0]:.2f}–{ratios[-1]:.2f})':>25}"
            line += f"{cpu['driver'] / cpu['oneservice'] if cpu['oneservice'] else float('nan'):>17.2f}"
        if "spiff" in systems and "oneservice" in systems:
            line += f"{row['oneservice']['cases_s'] / row['spiff']['cases_s']:>19.2f}×"
        lines.append(line)
    lines.append(f"  (×: the speed-up over P = {counts[0]}; by CPU per case: the floor's client + backend CPU per "
                 "case ÷ oneservice's, the ratio a saturated CPU allows)")
    lines += ["", "where the time went (CPU ms per case: the client processes, their database backends; the "
              "machine's busy share; the backends' state, sampled):",
              f"  {'P':>3} {'system':<22}{'client ms':>10}{'backend ms':>11}{'busy':>6}{'iowait':>7}"
              "   backend states"]
    for p in counts:
        for s in systems:
            row = table[p][s]
            states = row["states"]
            total = sum(states.values()) or 1
            shares = ", ".join(f"{k} {v / total:.0%}" for k, v in states.most_common())
            lines.append(f"  {p:>3} {LABELS[s]:<22}{row['client_ms']:>10.1f}{row['backend_ms']:>11.1f}"
                         f"{row['busy']:>6.0%}{row['iowait']:>7.0%}   {shares}")
    lines += ["", "latency per action, p50 / p99 ms (all processes and rounds):"]
    for p in counts:
        lines.append(f" P = {p}")
        lines += action_table([LABELS[s] for s in systems], [table[p][s]["latencies"] for s in systems], ACTIONS)
    return lines


def _runner(system: str, url: str, catalogue: Any, capture: Any) -> Any:
    if system == "oneservice":
        return spiff_compare.OneserviceRunner(url, catalogue)
    return spiff_compare.DriverFloorRunner(url, *capture)


def hold_times(base: str, tmp: Path, catalogue: Any, capture: Any, cases: int) -> list[str]:
    """How long a transaction holds the outbox counter row: from the start of its
    ``UPDATE outbox_counter`` to the end of its COMMIT, for oneservice and the floor, one process,
    measured alike by wrappers around psycopg's ``Cursor.execute`` and ``Connection.commit``."""
    import psycopg

    real_execute, real_commit = psycopg.Cursor.execute, psycopg.Connection.commit
    held: list[float] = []
    mark: list[float] = []

    def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if not mark and isinstance(query, str) and query.lstrip().upper().startswith(COUNTER):
            mark.append(time.perf_counter())
        return real_execute(self, query, *args, **kwargs)

    def commit(self: Any) -> None:
        real_commit(self)
        if mark:
            held.append(time.perf_counter() - mark.pop())

    lines = [f"the outbox counter held per transaction, one process, {cases} lifecycles each, "
             "the two alternating in blocks of 5 (UPDATE outbox_counter → end of COMMIT):"]
    systems = ("oneservice", "driver")
    places = {s: Place(base, s, tmp) for s in systems}
    held_by: dict[str, list[float]] = {s: [] for s in systems}
    runners: dict[str, Any] = {}
    try:
        for system, place in places.items():
            place.prepare(catalogue)
            runners[system] = retrying(functools.partial(_runner, system, place.url, catalogue, capture))
        runners["driver"].prepare(cases)
        done = 0
        while done < cases:
            block = min(5, cases - done)
            for system in systems if done % 10 == 0 else systems[::-1]:
                held.clear()
                psycopg.Cursor.execute, psycopg.Connection.commit = execute, commit  # type: ignore[method-assign]
                try:
                    for _ in range(block):
                        runners[system].case()
                finally:
                    psycopg.Cursor.execute, psycopg.Connection.commit = real_execute, real_commit  # type: ignore[method-assign]
                held_by[system] += held
            done += block
    finally:
        for runner in runners.values():
            runner.close()
        for place in places.values():
            place.drop()
    for system in systems:
        times = sorted(held_by[system])
        lines.append(f"  {LABELS[system]:<22} {len(times)} transactions: median {statistics.median(times) * 1000:.2f} ms, "
                     f"mean {statistics.mean(times) * 1000:.2f} ms, p90 {times[int(len(times) * 0.9)] * 1000:.2f} ms")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", default="1,2,4,8,16", help="numbers of processes (default 1,2,4,8,16)")
    parser.add_argument("--cases", type=int, default=96, help="lifecycles per run, split over the processes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--systems", default=DEFAULT_SYSTEMS,
                        help=f"some of {','.join(SYSTEMS)} (default {DEFAULT_SYSTEMS}; nocounter: the floor without "
                             "the outbox counter's UPDATE, to see what its lock costs)")
    parser.add_argument("--postgres", default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"),
                        help="PostgreSQL URL (default: $ONESERVICE_TEST_DATABASE_URL)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file per system instead (the test)")
    parser.add_argument("--json", type=Path, help="write the runs (figures, row counts) to this file")
    parser.add_argument("--hold", type=int, default=0, metavar="CASES",
                        help="instead: how long oneservice and the floor hold the outbox counter per transaction, "
                             "CASES lifecycles in one process (PostgreSQL)")
    args = parser.parse_args()
    counts = [int(p) for p in args.processes.split(",")]
    systems = [s for s in args.systems.split(",") if s]
    if unknown := set(systems) - set(SYSTEMS):
        sys.exit(f"unknown systems {sorted(unknown)}: choose from {', '.join(SYSTEMS)}")
    if "spiff" in systems and spiff_compare.SPIFF_MISSING:
        sys.exit(spiff_compare.SPIFF_MISSING + "  (or leave spiff out of --systems)")
    if not args.sqlite and not args.postgres:
        sys.exit("give --postgres URL (or set ONESERVICE_TEST_DATABASE_URL), or --sqlite")
    catalogue = load_catalogue([lifecycle.ROOT / "workflows"])
    with tempfile.TemporaryDirectory() as tmp:
        base = "sqlite" if args.sqlite else args.postgres
        if args.hold:
            if args.sqlite:
                sys.exit("--hold measures PostgreSQL's row lock: give --postgres")
            capture_place = Place(base, "capture", Path(tmp))
            try:
                retrying(capture_place.owner.migrate)
                capture = lifecycle.capture(capture_place.url, catalogue)
            finally:
                capture_place.drop()
            print("\n".join(hold_times(base, Path(tmp), catalogue, capture, args.hold)))
            return
        runs = measure(base, Path(tmp), systems, counts, args.cases, args.rounds, catalogue)
    print("\n".join(report(runs, systems, counts, "SQLite files" if args.sqlite else "PostgreSQL")))
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "latencies"} for r in runs], indent=1))


if __name__ == "__main__":
    main()
