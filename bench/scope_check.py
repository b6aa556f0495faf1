"""What the scope check costs a request: requests/s with and without it, side by side in one run.

    python bench/scope_check.py [--requests 400] [--rounds 5] [--cases 50] [--postgres URL]

The HTTP app (Flask test client, in process: no network, so the check's share is not diluted
by sockets) over a store holding ``--cases`` accepted start-a-business cases. Each request is a
read a clerk makes of a case of their location: ``GET /cases/{id}`` (summary), ``…/progress``,
``…/events`` in turn. Two apps over the same store and tokens, one as served (the scope check
before every case route: the case is read and the caller's scope checked, a refusal audited) and
one with the check's ``before_request`` function removed; rounds of ``--requests`` requests
alternate between the two (the order flips each round), and the table prints the median
requests/s of each and their ratio. Prints, never asserts.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "http"))

from http_helpers import SECRET, Http  # noqa: E402

from oneservice import TZ, OneService, SimulatedClock, Store, load_catalogue  # noqa: E402
from oneservice.http import TokenAuthority, create_app  # noqa: E402

PATHS = ("", "/progress", "/events")


def _without_scope(app: Any) -> Any:
    """``app`` with the scope check's ``before_request`` function taken out."""
    funcs = app.before_request_funcs.get(None, [])
    kept = [f for f in funcs if f.__name__ != "_scope"]
    assert len(kept) == len(funcs) - 1, [f.__name__ for f in funcs]
    app.before_request_funcs[None] = kept
    return app


def _round(client: Any, headers: dict[str, str], ids: list[str], n: int) -> float:
    """Requests per second over ``n`` reads."""
    start = time.perf_counter()
    for i in range(n):
        case_id = ids[i % len(ids)]
        r = client.get(f"/cases/{case_id}{PATHS[i % len(PATHS)]}", headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"{r.status_code}: {r.get_data(as_text=True)[:300]}")
    return n / (time.perf_counter() - start)


def run(store: Store, label: str, args: argparse.Namespace) -> None:
    store.migrate()
    catalogue = load_catalogue([ROOT / "workflows"])
    clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    service = OneService(catalogue, store, clock=clock)
    authority = TokenAuthority(SECRET)
    checked = create_app(service, authority)
    unchecked = _without_scope(create_app(service, authority))
    http = Http(checked.test_client(), authority, catalogue)
    ids = [http.accepted_business() for _ in range(args.cases)]
    headers = http.headers("clerk")
    clients = {"with the scope check": checked.test_client(), "without": unchecked.test_client()}
    for client in clients.values():  # warm-up: caches, compiled statements
        _round(client, headers, ids, max(30, args.requests // 10))
    rates: dict[str, list[float]] = {name: [] for name in clients}
    for n in range(args.rounds):
        order = list(clients) if n % 2 == 0 else list(reversed(clients))
        for name in order:
            rates[name].append(_round(clients[name], headers, ids, args.requests))
    with_check, without = (statistics.median(rates[name]) for name in clients)
    print(f"\n{label}: {args.cases} cases, {args.rounds} rounds of {args.requests} reads "
          f"(GET /cases/{{id}}, /progress, /events as a clerk)")
    print(f"  {'':24} {'requests/s':>11}  {'ms/request':>10}")
    for name, rate in (("with the scope check", with_check), ("without", without)):
        print(f"  {name:24} {rate:11.0f}  {1000 / rate:10.2f}")
    print(f"  ratio with/without: {with_check / without:.2f} "
          f"(the check adds {1000 / with_check - 1000 / without:.2f} ms a request)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("ONESERVICE_BENCH_PG"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'scope.sqlite'}")
        try:
            run(store, "SQLite", args)
        finally:
            store.dispose()
    if args.postgres:
        store = Store(args.postgres, schema=f"oneservice_bench_{uuid.uuid4().hex[:12]}")
        try:
            run(store, "PostgreSQL", args)
        finally:
            store.drop_schema()
            store.dispose()


if __name__ == "__main__":
    main()
