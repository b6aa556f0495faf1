"""The 12345 figures and the daily ranking at scale: seconds per grouping over N stored requests.

    python bench/request_figures_scale.py --requests 1000000 [--sqlite /tmp/req-1m.sqlite] \
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test --schema requests_1m] [--rounds 3]

Requests are generated straight into the tables (not through the engine: a million lifecycles
would take hours), spread over 2026 across the catalogue's request categories and departments,
each with its events — received, dispatched, sometimes returned and re-dispatched, acknowledged,
answered, called back, sometimes reopened — about 6 per request, on time or late at the rates
below. The SQLite file and the PostgreSQL schema are kept for later runs (``--drop`` removes the
schema). The table prints the median seconds of ``request_figures`` per grouping and of
``daily_ranking``, as ``OneService`` runs them (docs/performance.md, "12345 requests");
``--write-cost`` adds what the figures' covering index (migration 0018) costs an event insert.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import func, select  # noqa: E402
from synthetic import _copy_value  # noqa: E402

from oneservice import TZ, Store, load_catalogue  # noqa: E402
from oneservice.store.request_figures import GROUPS, daily_ranking, request_figures  # noqa: E402
from oneservice.store.tables import request_events, requests  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ)
BATCH = 5000


def _rows(catalogue: Any, count: int, seed: int) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    rnd = random.Random(seed)
    categories = sorted(catalogue.request_categories)
    departments = sorted(catalogue.departments)
    position = 0
    batch: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for n in range(count):
        received = START + dt.timedelta(minutes=rnd.randrange(0, 330 * 24 * 60))
        department = rnd.choice(departments)
        category = rnd.choice(categories)
        resolved = rnd.random() < 0.92
        satisfaction = rnd.choices(["satisfied", "basically_satisfied", "dissatisfied"], [80, 13, 7])[0]
        request_id = f"R{received:%Y%m%d}-{n:08d}"
        at = received
        events: list[tuple[str, str | None, bool | None]] = [("RequestReceived", None, None),
                                                             ("RequestDispatched", department, None)]
        if rnd.random() < 0.06:
            events += [("RequestReturned", department, None), ("RequestDispatched", department, None)]
        events += [("RequestAcknowledged", department, rnd.random() < 0.95),
                   ("RequestAnswered", department, rnd.random() < 0.9),
                   ("RequestCalledBack", None, None)]
        if not resolved and rnd.random() < 0.5:
            events.append(("RequestReopened", None, None))
        rows = []
        for seq, (kind, dep, on_time) in enumerate(events, start=1):
            at = at + dt.timedelta(hours=rnd.randrange(1, 30))
            position += 1
            rows.append({"request_id": request_id, "seq": seq, "at": at, "type": kind,
                         "actor": "bench", "state": "closed", "public": True, "department": dep,
                         "note": "", "on_time": on_time, "data": {}, "position": position,
                         "category": category, "area": None, "competent": department})
        batch[0].append({
            "id": request_id, "version": len(rows), "state": "closed", "kind": "complaint",
            "channel": "hotline", "category": category, "urgency": "normal", "contact_name": "张*",
            "contact_phone": "138****0000", "content": "-", "location": None, "regions": {},
            "area": None, "case_id": None, "item_code": None, "competent": department,
            "department": department, "answered_by": department, "received_at": received,
            "dispatched_at": received, "acknowledge_due": received + dt.timedelta(days=1),
            "answer_due": received + dt.timedelta(days=5), "provisional": False,
            "acknowledged_at": received, "answered_at": at, "result": "-", "called_back_at": at,
            "resolved": resolved, "satisfaction": satisfaction, "reopens": 0, "escalated_at": None,
            "closed_at": at, "returns": {}, "event_count": len(rows)})
        batch[1].extend(rows)
        if len(batch[0]) >= BATCH:
            yield batch
            batch = ([], [])
    if batch[0]:
        yield batch


def generate(store: Store, catalogue: Any, count: int, seed: int) -> float:
    started = time.perf_counter()
    tables = (requests, request_events)
    if store.dialect == "postgresql":
        raw = store.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for batch in _rows(catalogue, count, seed):
                for table, rows in zip(tables, batch, strict=True):
                    columns = list(rows[0])
                    buffer = io.StringIO()
                    for row in rows:
                        buffer.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
                    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write(buffer.getvalue())
            raw.commit()
            for table in tables:
                cursor.execute(f"ANALYZE {table.name}")
            raw.commit()
        finally:
            raw.close()
    else:
        with store.engine.begin() as conn:
            for batch in _rows(catalogue, count, seed):
                for table, rows in zip(tables, batch, strict=True):
                    conn.execute(table.insert(), rows)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def measure(name: str, store: Store, catalogue: Any, count: int, seed: int, rounds: int) -> list[str]:
    store.migrate()
    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(requests)).scalar_one()
    if stored != count:
        if stored:
            raise SystemExit(f"{name} holds {stored} requests, not {count}: use another file or schema")
        print(f"{name}: generating {count:,} requests …", file=sys.stderr)
        print(f"{name}: generated in {generate(store, catalogue, count, seed):.1f} s", file=sys.stderr)
    regions = {d.id: d.region for d in catalogue.departments.values()}
    lines = []
    for by in GROUPS:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            with store.engine.connect() as conn:
                groups = request_figures(conn, by=by, department_regions=regions if by == "area" else None)
            times.append(time.perf_counter() - started)
        lines.append(f"| {name} | figures by {by} | {len(groups)} | {statistics.median(times):.2f} |")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with store.engine.connect() as conn:
            frequent, _rising = daily_ranking(conn, dt.date(2026, 6, 15))
        times.append(time.perf_counter() - started)
    lines.append(f"| {name} | daily ranking | {len(frequent)} | {statistics.median(times):.2f} |")
    return lines


def write_cost(path: str, rounds: int, count: int = 3000) -> str:
    """µs per request event row inserted (6 per request, one executemany each, as ``save_request``)
    with 0018's four figure indexes (``ix_request_events_figures`` and the three
    ``ix_request_events_by_…``), with 0017's one ``(type, department, at)`` instead, and with none, side by side in one transaction of the SQLite file, rolled back
    (SQLite's DDL is transactional: the file is left as it was)."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    columns = ("request_id, seq, at, type, actor, state, public, department, note, on_time, data, position, "
               "category, area, competent")
    types = ["RequestReceived", "RequestDispatched", "RequestAcknowledged", "RequestAnswered",
             "RequestCalledBack", "RequestClosed"]

    def insert(tag: str) -> float:
        base = conn.execute("SELECT max(position) FROM request_events").fetchone()[0] + 1
        started = time.perf_counter()
        for n in range(count):
            conn.executemany(f"INSERT INTO request_events ({columns}) VALUES ({', '.join('?' * 15)})", [
                (f"RW{tag}-{n:08d}", seq, f"2026-0{1 + n % 9}-1{n % 9} 0{seq}:00:00.000000", kind, "bench",
                 "closed", 1, f"dep-{n % 44}", "", 1, "{}", base + n * 6 + seq, f"cat-{n % 7}", None,
                 f"dep-{n % 44}") for seq, kind in enumerate(types, start=1)])
        return (time.perf_counter() - started) / (count * len(types)) * 1e6

    new, old, neither = [], [], []
    for r in range(rounds):
        conn.execute("BEGIN")
        insert(f"w{r}")  # warm the cache: the first batch would pay for reading the index in
        new.append(insert(f"a{r}"))
        for name in ("figures", "by_department", "by_category", "by_area"):
            conn.execute(f"DROP INDEX ix_request_events_{name}")
        neither.append(insert(f"b{r}"))
        conn.execute("CREATE INDEX ix_0017 ON request_events (type, department, at)")
        old.append(insert(f"c{r}"))
        conn.execute("ROLLBACK")
    conn.close()
    a, b, c = (statistics.median(x) for x in (new, old, neither))
    return (f"µs per request event row inserted: {a:.1f} with 0018's four figure indexes, {b:.1f} with "
            f"0017's (type, department, at), {c:.1f} with none (0018 / 0017: {a / b:.2f}; median of "
            f"{rounds} × {count * len(types):,} rows, rolled back)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", default=None, help="SQLite file (default: /tmp/requests-N.sqlite)")
    parser.add_argument("--postgres", default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"))
    parser.add_argument("--schema", default=None, help="PostgreSQL schema (default: requests_N)")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL schema at the end")
    parser.add_argument("--write-cost", action="store_true",
                        help="also: what the 0018 index costs an event insert on the SQLite file")
    args = parser.parse_args()
    catalogue = load_catalogue([ROOT / "workflows"])
    print(f"{args.requests:,} requests, {len(catalogue.request_categories)} categories, median of "
          f"{args.rounds} rounds, {dt.date.today()}, {os.cpu_count()} cores")
    print("| database | query | groups | seconds |\n|---|---|---|---|")
    sqlite = Store(f"sqlite:///{args.sqlite or f'/tmp/requests-{args.requests}.sqlite'}")
    print("\n".join(measure("SQLite file", sqlite, catalogue, args.requests, args.seed, args.rounds)))
    sqlite.dispose()
    if args.write_cost:
        print(write_cost(args.sqlite or f"/tmp/requests-{args.requests}.sqlite", args.rounds))
    if args.postgres:
        pg = Store(args.postgres, schema=args.schema or f"requests_{args.requests}")
        try:
            print("\n".join(measure("PostgreSQL", pg, catalogue, args.requests, args.seed, args.rounds)))
        finally:
            if args.drop:
                pg.drop_schema()
            pg.dispose()


if __name__ == "__main__":
    main()
