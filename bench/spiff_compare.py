"""Start-a-business lifecycle: oneservice next to the floor and next to SpiffWorkflow, in one run.

    python bench/spiff_compare.py [--cases 100] [--rounds 3] [--block 5] [--postgres URL]

needs ``pip install -e '.[bench]'`` (SpiffWorkflow). For each database (a SQLite file, and
PostgreSQL when a URL is given) it measures full case lifecycles (20 actions: open, submit,
accept, start review + approve for each of the seven items, deliver, rate, conclude) for:

oneservice
    the library, exactly as ``bench/lifecycle.py`` drives it (one transaction per action).
floor
    bare SQLAlchemy Core replaying the row writes oneservice makes for one case (captured,
    grouped by transaction) with the same transaction boundaries, for fresh case ids (their
    parameters made before the timer starts).
driver alone
    the same writes and transactions on the DBAPI connection itself (sqlite3 / psycopg, one
    connection kept), without SQLAlchemy: the database's and its driver's own work. oneservice
    runs its statements on the DBAPI cursor too, so this is the honest lower bound.
SpiffWorkflow
    the Python BPMN engine running ``bench/start_a_business.bpmn`` (one user task per action,
    a parallel gateway after the registration); after every completed user task the workflow
    is serialised to JSON (``BpmnWorkflowSerializer``) and written to a ``spiff_workflows``
    table (case id, version, JSON) in the same database, one transaction per step: INSERT for
    the first, then an UPDATE guarded by the version (optimistic concurrency, as oneservice).
    The workflow object stays in memory between steps (the counterpart of oneservice's case
    cache) — the variant most favourable to Spiff.
SpiffWorkflow, stateless
    the same, but every step first SELECTs the JSON and deserialises the workflow in the
    transaction (what a service with several worker processes and no cache must do).

Each round uses fresh databases and runs the five systems interleaved, ``--block`` cases at a
time in rotating order, so that on a shared machine all see the same conditions; cases/s are
summed over all rounds. Prints cases/s, actions/s, the ratio of each to the floor and
oneservice's speed-up over each (and the range of the per-round ratios).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lifecycle  # noqa: E402
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, bindparam, select  # noqa: E402

from oneservice import Store, load_catalogue  # noqa: E402
from oneservice.samples import sample_form  # noqa: E402

try:
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    SPIFF_MISSING = ""
except ImportError:  # pragma: no cover - the floor runners below work without it (bench/concurrency.py)
    SPIFF_MISSING = "SpiffWorkflow is not installed: pip install -e '.[bench]'  (or: pip install SpiffWorkflow)"

BPMN = HERE / "start_a_business.bpmn"
Record = Callable[[int, float], None]
PROCESS = "start_a_business"

SPIFF_TABLE = Table(
    "spiff_workflows",
    MetaData(),
    Column("id", String(40), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("workflow", Text, nullable=False),
)
_INSERT = SPIFF_TABLE.insert()
_UPDATE = (
    SPIFF_TABLE.update()
    .where(SPIFF_TABLE.c.id == bindparam("k_id"), SPIFF_TABLE.c.version == bindparam("k_version"))
    .values(workflow=bindparam("workflow"), version=SPIFF_TABLE.c.version + 1)
)
_SELECT = select(SPIFF_TABLE.c.workflow, SPIFF_TABLE.c.version).where(SPIFF_TABLE.c.id == bindparam("k_id"))


def spiff_actions(catalogue: Any) -> list[tuple[str, dict[str, Any]]]:
    """The user tasks of one lifecycle in the order ``lifecycle.lifecycle`` performs the actions,
    each with the data the action carries (the form and materials on submit, as oneservice stores them)."""
    plan = catalogue.plan(lifecycle.MATTER)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("open_case", {"applicant": lifecycle.PERSON.id_number, "channel": "online"}),
        ("submit", {"form": sample_form(plan), "materials": [m.material.id for m in plan.materials]}),
        ("accept", {}),
    ]
    for item in plan.items:
        code = item.code.replace("-", "_")
        steps += [(f"start_review_{code}", {}), (f"approve_{code}", {})]
    steps += [("deliver", {"delivery": "electronic"}), ("rate", {"rating": 5}), ("conclude", {})]
    return steps


def load_spec() -> Any:
    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec(PROCESS)


class SpiffRunner:
    """Runs start-a-business cases through SpiffWorkflow, storing the JSON after every step."""

    def __init__(self, url: str, catalogue: Any, *, stateless: bool) -> None:
        if SPIFF_MISSING:
            sys.exit(SPIFF_MISSING)
        self.store = Store(url)  # same database and connection settings (WAL, BEGIN IMMEDIATE) as oneservice
        self.store.migrate()
        self.engine = self.store.engine
        SPIFF_TABLE.create(self.engine, checkfirst=True)
        self.spec = load_spec()
        self.serializer = BpmnWorkflowSerializer()
        self.steps = spiff_actions(catalogue)
        self.stateless = stateless
        self.json_bytes = 0

    def _run(self, workflow: Any, name: str, data: dict[str, Any]) -> None:
        task = workflow.get_next_task(state=TaskState.READY, spec_name=name)
        if task is None:
            raise RuntimeError(f"user task {name} is not ready")
        if data:
            task.data.update(data)
        task.run()
        workflow.do_engine_steps()

    def case(self, record: Record | None = None) -> int:
        """One lifecycle; ``record(step, seconds)`` is told the time of each step's transaction."""
        case_id = f"S-{uuid.uuid4().hex[:12]}"
        workflow = None
        version = 0
        serializer = self.serializer
        text = ""
        for n, (name, data) in enumerate(self.steps):
            started = time.perf_counter()
            with self.engine.begin() as conn:
                if n == 0:
                    workflow = BpmnWorkflow(self.spec)
                    workflow.do_engine_steps()
                elif self.stateless:
                    stored, version = conn.execute(_SELECT, {"k_id": case_id}).one()
                    workflow = serializer.deserialize_json(stored)
                self._run(workflow, name, data)
                text = serializer.serialize_json(workflow)
                if n == 0:
                    conn.execute(_INSERT, {"id": case_id, "version": 1, "workflow": text})
                elif (
                    conn.execute(_UPDATE, {"k_id": case_id, "k_version": version, "workflow": text}).rowcount
                    != 1
                ):
                    raise RuntimeError(f"{case_id}: concurrent change")
            if record is not None:
                record(n, time.perf_counter() - started)
            version += 1
        if workflow is None or not workflow.is_completed():
            raise RuntimeError(f"{case_id}: workflow did not complete")
        self.json_bytes = len(text.encode())
        return len(self.steps)

    def close(self) -> None:
        self.store.dispose()


class OneserviceRunner:
    """oneservice as ``bench/lifecycle.py`` drives it."""

    def __init__(self, url: str, catalogue: Any) -> None:
        self.service = lifecycle.make_service(url, catalogue)
        lifecycle.lifecycle(self.service)  # warm: the definition row, compiled statements

    def case(self) -> int:
        return lifecycle.lifecycle(self.service)

    def close(self) -> None:
        self.service.store.dispose()


class FloorRunner:
    """Bare Core replaying oneservice's captured row writes, transaction by transaction."""

    def __init__(self, url: str, transactions: list[list[tuple[str, Any]]], case_id: str) -> None:
        self.store = Store(url)
        self.store.migrate()
        self.transactions = transactions
        self.case_id = case_id
        self.plans: list[lifecycle.Plan] = []
        self.prepare(1)
        self.case()  # warm

    def prepare(self, cases: int) -> None:
        """Make the statements of the next ``cases`` cases (fresh ids) before the timer starts."""
        self.plans.extend(lifecycle.floor_plans(self.transactions, self.case_id, cases))

    def case(self) -> int:
        lifecycle.replay(self.store.engine, self.plans.pop())
        return len(self.transactions)

    def close(self) -> None:
        self.store.dispose()


class DriverFloorRunner(FloorRunner):
    """The same writes on the DBAPI connection itself (sqlite3 / psycopg), without SQLAlchemy:
    what the database and its driver alone need. Shown beside the issue's floor (bare Core),
    because oneservice runs its statements on the DBAPI cursor too."""

    def __init__(self, url: str, transactions: list[list[tuple[str, Any]]], case_id: str) -> None:
        self.raw: Any = None
        super().__init__(url, transactions, case_id)

    def case(self, record: Record | None = None) -> int:
        """One replayed case; ``record(transaction, seconds)`` is told the time of each."""
        if self.raw is None:  # one pooled connection, kept (as oneservice keeps one per thread)
            self.raw = self.store.engine.raw_connection()
        dbapi = self.raw.dbapi_connection
        sqlite = self.store.dialect == "sqlite"
        for n, tx in enumerate(self.plans.pop()):
            started = time.perf_counter()
            if sqlite:
                dbapi.execute("BEGIN IMMEDIATE")
            cursor = dbapi.cursor()
            for stmt, params in tx:
                if isinstance(params, list):
                    cursor.executemany(stmt, params)
                else:
                    cursor.execute(stmt, params)
            cursor.close()
            dbapi.commit()
            if record is not None:
                record(n, time.perf_counter() - started)
        return len(self.transactions)

    def close(self) -> None:
        if self.raw is not None:
            self.raw.close()
        super().close()


SYSTEMS = ("oneservice", "floor", "driver", "spiff", "spiff_stateless")
LABELS = {
    "oneservice": "oneservice",
    "floor": "floor (bare Core)",
    "driver": "driver alone (no SQLAlchemy)",
    "spiff": "SpiffWorkflow",
    "spiff_stateless": "SpiffWorkflow stateless",
}


def measure(
    name: str, url_factory: Callable[[str], str], catalogue: Any, cases: int, rounds: int, block: int
) -> dict[str, Any]:
    """Each round: fresh databases for the five systems, then ``cases`` cases each, run in
    blocks of ``block`` cases that rotate through the systems, so that every system sees the
    same machine conditions (other processes on a shared machine) in the same proportion."""
    transactions, case_id = lifecycle.capture(url_factory("capture"), catalogue)
    total = dict.fromkeys(SYSTEMS, 0.0)
    per_round: list[dict[str, float]] = []
    json_bytes = 0
    for r in range(rounds):
        runners: dict[str, Any] = {
            "oneservice": OneserviceRunner(url_factory(f"engine{r}"), catalogue),
            "floor": FloorRunner(url_factory(f"floor{r}"), transactions, case_id),
            "driver": DriverFloorRunner(url_factory(f"driver{r}"), transactions, case_id),
            "spiff": SpiffRunner(url_factory(f"spiff{r}"), catalogue, stateless=False),
            "spiff_stateless": SpiffRunner(url_factory(f"stateless{r}"), catalogue, stateless=True),
        }
        for runner in runners.values():
            if isinstance(runner, SpiffRunner):
                runner.case()  # warm
        spent = dict.fromkeys(SYSTEMS, 0.0)
        done = 0
        order = list(SYSTEMS)
        while done < cases:
            n = min(block, cases - done)
            for system in order:
                if system in ("floor", "driver"):
                    runners[system].prepare(n)  # untimed: the floor's parameters for n fresh ids
                run = runners[system].case
                t0 = time.perf_counter()
                for _ in range(n):
                    run()
                spent[system] += time.perf_counter() - t0
            order = order[1:] + order[:1]
            done += n
        json_bytes = runners["spiff"].json_bytes
        for runner in runners.values():
            runner.close()
        per_round.append({s: cases / spent[s] for s in SYSTEMS})
        for s in SYSTEMS:
            total[s] += spent[s]
        print(
            f"  {name} round {r + 1}/{rounds}: "
            + ", ".join(f"{s} {cases / spent[s]:.1f}" for s in SYSTEMS)
            + " cases/s",
            file=sys.stderr,
            flush=True,
        )
    return {
        "database": name,
        "cases": cases,
        "rounds": rounds,
        "actions_per_case": len(spiff_actions(catalogue)),
        "transactions_per_case": len(transactions),
        "writes_per_case": sum(len(t) for t in transactions),
        "json_bytes": json_bytes,
        "cases_s": {s: cases * rounds / total[s] for s in SYSTEMS},
        "per_round": per_round,
    }


def table(results: list[dict[str, Any]]) -> list[str]:
    r0 = results[0]
    lines = [
        f"start-a-business lifecycle: {r0['actions_per_case']} actions = {r0['transactions_per_case']} "
        f"transactions, {r0['writes_per_case']} row writes per case (oneservice and floor); "
        f"Spiff: {r0['actions_per_case']} user tasks, final JSON {r0['json_bytes'] / 1024:.0f} KiB per case",
        f"{r0['cases']} cases per system and round, {r0['rounds']} rounds, systems interleaved in blocks; "
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "",
        f"{'system':<30}{'database':<20}{'cases/s':>9}{'actions/s':>11}{'ms/action':>11}"
        f"{'÷ floor':>9}{'oneservice ×':>14}",
    ]
    for r in results:
        speed = r["cases_s"]
        per_case = r["actions_per_case"]
        for s in SYSTEMS:
            lines.append(
                f"{LABELS[s]:<30}{r['database']:<20}{speed[s]:>9.1f}{speed[s] * per_case:>11.0f}"
                f"{1000 / (speed[s] * per_case):>11.2f}{speed[s] / speed['floor']:>9.2f}"
                f"{speed['oneservice'] / speed[s]:>14.2f}"
            )
    lines.append("")
    for r in results:
        speed = r["cases_s"]
        to_floor = speed["oneservice"] / speed["floor"]
        to_spiff = speed["oneservice"] / speed["spiff"]
        to_stateless = speed["oneservice"] / speed["spiff_stateless"]
        to_driver = speed["oneservice"] / speed["driver"]
        spread = [p["oneservice"] / p["floor"] for p in r["per_round"]]
        spread_spiff = [p["oneservice"] / p["spiff"] for p in r["per_round"]]
        lines.append(
            f"{r['database']}: oneservice/floor = {to_floor:.2f} (target ≥ 0.5: "
            f"{'met' if to_floor >= 0.5 else 'NOT met'}); oneservice/SpiffWorkflow = {to_spiff:.2f}× "
            f"(target ≥ 5×: {'met' if to_spiff >= 5 else 'NOT met'}); "
            f"oneservice/SpiffWorkflow stateless = {to_stateless:.2f}×; oneservice/driver alone = "
            f"{to_driver:.2f}; per round: oneservice/floor "
            f"{min(spread):.2f}–{max(spread):.2f}, oneservice/SpiffWorkflow {min(spread_spiff):.2f}–{max(spread_spiff):.2f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100, help="cases per round and system (default 100)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--block", type=int, default=5, help="cases per system before switching (default 5)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"),
        help="PostgreSQL URL (default: $ONESERVICE_TEST_DATABASE_URL); omit to skip",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args()
    if SPIFF_MISSING:
        sys.exit(SPIFF_MISSING)
    catalogue = load_catalogue([lifecycle.ROOT / "workflows"])
    results = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(
                measure(
                    "sqlite (file, WAL)",
                    lambda tag: f"sqlite:///{tmp}/{tag}.sqlite",
                    catalogue,
                    args.cases,
                    args.rounds,
                    args.block,
                )
            )
    if args.postgres:
        results.append(
            measure(
                "postgresql",
                lambda tag: lifecycle._fresh_pg(args.postgres),
                catalogue,
                args.cases,
                args.rounds,
                args.block,
            )
        )
    if not results:
        sys.exit("nothing to measure: give --postgres with --no-sqlite")
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
