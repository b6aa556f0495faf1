"""The price of gapless positions under concurrent writers: the outbox's counter row against no lock.

Every transaction that writes events takes its positions from the one row of ``outbox_counter``
and holds its lock until it commits (docs/events.md). With one writer (``bench/lifecycle.py``)
that is one more UPDATE per action; with several, writers of events queue on the row. This
script runs start-a-business lifecycles from ``--threads`` threads at once against PostgreSQL,
alternating rounds between the real counter and a stand-in that gives unique positions from a
process-local counter without touching the database (no lock, no gaplessness: for measuring
only), and prints cases per second and the ratio.

    python bench/outbox.py --postgres URL [--threads 1,4,8] [--cases 40] [--rounds 2]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import lifecycle as lc  # noqa: E402

from oneservice import OneService, SimulatedClock, Store, load_catalogue  # noqa: E402
from oneservice.store import transaction as tx_module  # noqa: E402

_REAL = tx_module.claim_positions
_FAKE = itertools.count(10**12)
_FAKE_LOCK = threading.Lock()


def _no_lock(conn: Any, n: int) -> int:
    with _FAKE_LOCK:
        first = next(_FAKE)
        for _ in range(n - 1):
            next(_FAKE)
    return first


def run(url: str, catalogue: Any, threads: int, cases: int, *, counter: bool) -> float:
    tx_module.claim_positions = _REAL if counter else _no_lock  # type: ignore[assignment]
    store = Store(url, schema=f"bench_outbox_{uuid.uuid4().hex[:8]}")
    store.migrate()
    service = OneService(catalogue, store, clock=SimulatedClock(_start()))
    lc.lifecycle(service)  # the definition row, warm caches
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(cases):
                service.with_retry(lambda: lc.lifecycle(service))
        except BaseException as exc:  # reported after the round
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    store.drop_schema()
    store.dispose()
    tx_module.claim_positions = _REAL  # type: ignore[assignment]
    if errors:
        raise errors[0]
    return threads * cases / elapsed


def _start() -> Any:
    import datetime as dt

    from oneservice import TZ

    return dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--threads", default="1,4,8")
    parser.add_argument("--cases", type=int, default=40, help="lifecycles per thread")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    catalogue = load_catalogue([ROOT / "workflows"])
    print("threads  counter cases/s  no-lock cases/s  counter/no-lock")
    for threads in (int(t) for t in args.threads.split(",")):
        best = {True: 0.0, False: 0.0}
        for _ in range(args.rounds):
            for counter in (True, False):
                best[counter] = max(best[counter], run(args.postgres, catalogue, threads, args.cases,
                                                       counter=counter))
        print(f"{threads:7}  {best[True]:15.1f}  {best[False]:15.1f}  {best[True] / best[False]:15.2f}")


if __name__ == "__main__":
    main()
