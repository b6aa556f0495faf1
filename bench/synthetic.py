"""Generate synthetic cases in bulk and time the supervision scan and the report on them.

    python bench/synthetic.py --cases 1000000 [--sqlite PATH] [--postgres URL [--schema NAME]]
        [--seed 7] [--computed]

Rows are written straight into the schema in large batches (executemany on SQLite, COPY on
PostgreSQL): a case row, its item tasks, its case and item deadlines and, for a third of the
concluded cases, a rating — a realistic mix of matters, locations, states, trips, notices,
deficiency acceptances, late conclusions and bad ratings with their rectification deadlines —
and then the figures kept per case are rebuilt from them (as migration 0019 does), timed.
A ``--sqlite`` file or ``--schema`` that already holds cases is reused as it is (the warnings of
an earlier run deleted first), so that 1M cases are generated once per database.

Then it times one full ``Supervision.scan()`` and a repeated one, and ``Supervision.report()``
(total and by matter, department, location and month) from the kept figures — with
``--computed``, also computed from the cases, the reports checked equal — printing wall and CPU
seconds (the machine is shared: CPU seconds are what the report itself costs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402

from oneservice import TZ, OneService, SimulatedClock, Store, load_catalogue  # noqa: E402
from oneservice.store.tables import cases, deadlines, item_tasks, ratings  # noqa: E402
from oneservice.supervision import Supervision  # noqa: E402

BATCH = 20_000
TODAY = dt.date(2026, 11, 20)
UTC = dt.UTC


def _rows(catalogue: Any, count: int, seed: int) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    """Batches of (cases, item_tasks, deadlines, ratings) rows."""
    rng = random.Random(seed)
    plans = [catalogue.plan(m) for m in sorted(catalogue.matters)]
    locations = sorted(catalogue.locations)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ)
    batch: tuple[list[dict[str, Any]], ...] = ([], [], [], [])
    for n in range(count):
        plan = plans[n % len(plans)]
        opened = start + dt.timedelta(minutes=rng.randrange(0, 320 * 24 * 60))
        accepted = opened + dt.timedelta(hours=rng.randrange(1, 30))
        due = (accepted + dt.timedelta(days=plan.matter.promise.value * 7 // 5 + 1)).date()
        roll = rng.random()
        if accepted.date() >= TODAY - dt.timedelta(days=10) and roll < 0.6:
            state, met = "in_progress", None
        else:
            late = rng.random() < 0.08
            met = dt.datetime.combine(due + dt.timedelta(days=3 if late else -1), dt.time(15), TZ)
            state = rng.choice(["delivered", "closed", "closed"])
        case_id = f"S{n:09d}-{uuid.UUID(int=rng.getrandbits(128)).hex[:8]}"
        trips = 0 if plan.trips.budget == 0 else rng.choice([1, 1, 1, 1, 2])
        notices = 1 if rng.random() < 0.12 else 0
        row = {
            "id": case_id, "matter_id": plan.matter.id, "matter_version": plan.matter.version,
            "definition_hash": plan.content_hash, "state": state, "version": 10,
            "applicant_kind": "person", "applicant_id": "330106199001010011", "applicant_name": "合成",
            "applicant_phone": "", "channel": "online", "location": rng.choice(locations), "agent": None,
            "opened_at": opened, "submitted_at": opened, "accepted_at": accepted,
            "concluded_at": met, "due_date": due, "due_provisional": False, "outcome": None if met is None
            else "approved", "refusal_reason": None, "form": {}, "notified": [], "notices": notices,
            "delivery_channel": "electronic" if met else None, "over_budget": trips > 1, "trips": trips,
            "event_count": 10, "rectification": None,
        }
        batch[0].append(row)
        for item in plan.items[:2]:
            batch[1].append({
                "case_id": case_id, "item_code": item.code, "department": item.department,
                "state": "approved" if met else "in_review", "dispatched_at": accepted, "started_at": accepted,
                "concluded_at": met, "due_date": due, "due_provisional": False, "suspended_since": None,
                "suspended_days": 0, "reviewer": "rev", "result_id": item.result.id, "reason": None,
            })
            batch[2].append(_deadline(case_id, "item", item.code, accepted.date(), due, met))
        batch[2].append(_deadline(case_id, "case", case_id, accepted.date(), due, met))
        if rng.random() < 0.03:
            batch[2].append(_deadline(case_id, "deficiency", "owed-material", accepted.date(),
                                      accepted.date() + dt.timedelta(days=7), accepted + dt.timedelta(days=2)))
        if met is not None and rng.random() < 0.35:
            level = rng.choices([5, 4, 3, 2, 1], weights=[70, 20, 6, 3, 1])[0]
            batch[3].append({"case_id": case_id, "seq": 1, "level": level, "comment": "", "at": met,
                             "follow_up": False})
            if level <= 2:
                done = met + dt.timedelta(days=10) if rng.random() < 0.8 else None
                batch[2].append(_deadline(case_id, "rectification", case_id, met.date(),
                                          met.date() + dt.timedelta(days=21), done))
        if len(batch[0]) >= BATCH:
            yield batch
            batch = ([], [], [], [])
    if batch[0]:
        yield batch


def _deadline(case_id: str, kind: str, subject: str, start: dt.date, due: dt.date,
              met: dt.datetime | None) -> dict[str, Any]:
    return {"case_id": case_id, "kind": kind, "subject": subject, "start_date": start, "amount": 5,
            "unit": "working_days", "extra_days": 0, "due_date": due, "provisional": False, "met_at": met}


TABLES = (cases, item_tasks, deadlines, ratings)


def generate(store: Store, catalogue: Any, count: int, seed: int) -> float:
    started = time.perf_counter()
    engine = store.engine
    if store.dialect == "postgresql":
        _copy(store, catalogue, count, seed)
    else:
        with engine.begin() as conn:
            for batch in _rows(catalogue, count, seed):
                for table, rows in zip(TABLES, batch, strict=True):
                    if rows:
                        conn.execute(table.insert(), rows)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def _copy_value(value: Any) -> str:
    import json

    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dt.datetime):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy(store: Store, catalogue: Any, count: int, seed: int) -> None:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for batch in _rows(catalogue, count, seed):
            for table, rows in zip(TABLES, batch, strict=True):
                if not rows:
                    continue
                columns = list(rows[0])
                buffer = io.StringIO()
                for row in rows:
                    buffer.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
        raw.commit()
        for table in TABLES:  # this schema's tables only: a bare ANALYZE takes every schema's locks
            cursor.execute(f"ANALYZE {table.name}")
        raw.commit()
    finally:
        raw.close()


def _timed(run: Any) -> tuple[Any, float, float]:
    """``run()``, its wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def measure(name: str, store: Store, catalogue: Any, count: int, seed: int, computed: bool = False) -> list[str]:
    from sqlalchemy import func, select

    from oneservice.store.figure_upkeep import rebuild

    store.migrate()
    with store.engine.connect() as conn:
        have = int(conn.execute(select(func.count()).select_from(cases)).scalar_one())
    lines = []
    if have:
        lines.append(f"{name}: {have:,} stored cases reused (warnings of earlier runs deleted)")
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM warnings")
        if store.dialect == "postgresql":  # not 26k dead rows for the scan to step over
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE warnings")
    else:
        generated = generate(store, catalogue, count, seed)
        with store.transaction() as tx:
            _, kept, _ = _timed(lambda: rebuild(tx.connection))
        lines.append(f"{name}: {count:,} cases generated in {generated:.1f} s; kept figures rebuilt in {kept:.1f} s")
    clock = SimulatedClock(dt.datetime.combine(TODAY, dt.time(9), TZ))
    service = OneService(catalogue, store, clock=clock)
    supervision = Supervision(service)
    scan, scan_s, _ = _timed(lambda: supervision.scan(batch=5000))
    rescan, rescan_s, _ = _timed(lambda: supervision.scan(batch=5000))
    lines.append(f"  supervision scan: {scan.yellow:,} yellow + {scan.red:,} red warnings in {scan_s:.2f} s "
                 f"({scan.batches} batches); rescan (nothing new: {rescan.yellow + rescan.red}) in {rescan_s:.2f} s")
    report = None
    for by in (None, "matter", "department", "location", "month"):
        kept_report, wall, cpu = _timed(lambda by=by: supervision.report(by=by))
        line = f"  report by {by or 'all'}: kept {wall:.2f} s (CPU {cpu:.2f} s)"
        if computed:
            reference, c_wall, c_cpu = _timed(lambda by=by: supervision.report(by=by, computed=True))
            same = attrs.evolve(reference, generated_at=None) == attrs.evolve(kept_report, generated_at=None)
            if not same:
                raise SystemExit(f"{name}: the kept and computed reports by {by or 'all'} differ")
            line += f"; computed {c_wall:.2f} s (CPU {c_cpu:.2f} s); equal"
        lines.append(line)
        report = report or kept_report
    assert report is not None
    total = report.total
    lines.append(
        f"  figures: cases {total.cases:,}, on time {total.on_time / max(1, total.concluded):.1%}, "
        f"avg trips {total.avg_trips:.2f}, ≤1 trip {total.at_most_one_trip / max(1, total.cases):.1%}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument("--postgres", default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"),
                        help="PostgreSQL URL; a fresh schema is created and dropped, but for --schema")
    parser.add_argument("--schema", default=None, help="PostgreSQL schema, kept and reused")
    parser.add_argument("--computed", action="store_true", help="time the computed report too, and compare")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    catalogue = load_catalogue([ROOT / "workflows"])
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            path = args.sqlite or f"{tmp}/synthetic.sqlite"
            store = Store(f"sqlite:///{path}")
            out += measure("sqlite", store, catalogue, args.cases, args.seed, args.computed)
            store.dispose()
            for line in out:
                print(line, flush=True)
    if args.postgres:
        schema = args.schema or "synthetic_" + uuid.uuid4().hex[:8]
        store = Store(args.postgres, schema=schema)
        try:
            for line in measure("postgresql", store, catalogue, args.cases, args.seed, args.computed):
                print(line, flush=True)
        finally:
            if args.schema is None:
                store.drop_schema()
            store.dispose()


if __name__ == "__main__":
    main()
