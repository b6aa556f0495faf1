"""Load test of ``oneservice serve``: concurrent clients drive start-a-business cases over loopback.

Starts the server as a subprocess on 127.0.0.1 (a free port, a fresh SQLite file unless --db is
given), then runs ``--clients`` threads, each with one keep-alive connection, each driving whole
lifecycles (open, submit, accept, seven departments start review and approve, deliver, rate,
progress: 20 requests) until ``--duration`` seconds have passed or ``--lifecycles`` are done.
Prints requests per second and p50/p99 latency per action, and the error count (any status that
is not 2xx, or a failed connection); exits 1 if there was an error.

    python bench/http_load.py                      # 8 clients, 20 s, at most 400 lifecycles
    python bench/http_load.py --clients 16 --duration 30 --db postgresql+psycopg://…/bench
    python bench/http_load.py --workers 2 --db postgresql+psycopg://…/bench   # gunicorn, 2 processes

Only loopback is used, and both the number of requests and the time are bounded.

    python bench/http_load.py --compare --db postgresql+psycopg://…/test [--workers-list 1,2,4]
        [--clients-list 8,32] [--duration 15] [--rounds 2]

measures, in one run, ``serve --workers N`` for each N and each number of clients, each next to
the library driven directly at the same concurrency: the same actions (``lifecycle`` below,
through ``OneService`` instead of HTTP) by as many threads as there are clients, spread over N
forked processes like the server's (each with its own ``OneService`` and engine, released
together, ``bench/together.py``). Every run gets a PostgreSQL schema of its own (``conc_http_…``,
dropped after); within a round the two alternate in order. Prints requests (actions) per second,
the ratio of HTTP to the library, and p50/p99 per action.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from together import Gate, action_table, retrying, run_together  # noqa: E402

from oneservice import Actor, Applicant, OneService, Role, load_catalogue  # noqa: E402
from oneservice.http import TokenAuthority  # noqa: E402
from oneservice.http.auth import load_secret  # noqa: E402
from oneservice.http.ledger import DatabaseLedger  # noqa: E402
from oneservice.samples import sample_form, sample_resident_id  # noqa: E402
from oneservice.store import Store  # noqa: E402

MATTER = "start-a-business"
LOCATION = "hz-citizen-centre"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.lifecycles = 0

    def record(self, action: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency[action].append(seconds)
            if not ok:
                self.errors[action] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{action}: {detail}")


class Client:
    def __init__(self, host: str, port: int, stats: Stats) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.stats = stats

    def call(self, action: str, method: str, path: str, token: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.stats.record(action, time.perf_counter() - started, False, repr(exc))
            return None
        ok = 200 <= status < 300
        self.stats.record(action, time.perf_counter() - started, ok, f"{status} {payload[:200]!r}")
        return json.loads(payload) if ok and payload else None


def lifecycle(client: Client, tokens: dict[str, str], me: str, person: dict[str, str],
              plan: Any, form: dict[str, Any], materials: list[str]) -> bool:
    case = client.call("open", "POST", "/cases", me,
                       {"matter_id": MATTER, "applicant": person, "channel": "online", "location": LOCATION})
    if case is None:
        return False
    base = f"/cases/{case['id']}"
    steps: list[tuple[str, str, str, Any]] = [
        ("submit", f"{base}/submit", me, {"form": form, "materials": materials, "channel": "online"}),
        ("accept", f"{base}/accept", tokens["clerk"], None),
    ]
    for item in plan.items:
        reviewer = tokens[item.department]
        steps.append(("start-review", f"{base}/items/{item.code}/start-review", reviewer, None))
        steps.append(("approve", f"{base}/items/{item.code}/approve", reviewer, {"note": "ok"}))
    steps += [
        ("deliver", f"{base}/deliver", tokens["clerk"],
         {"channel": "electronic", "results": {"seal-filing": {"channel": "mail", "tracking": "EMS 1180 0000 9"}}}),
        ("rate", f"{base}/rating", me, {"level": 5}),
    ]
    for action, path, token, body in steps:
        if client.call(action, "POST", path, token, body) is None:
            return False
    return client.call("progress", "GET", f"{base}/progress", me) is not None


ORDER = ["open", "submit", "accept", "start-review", "approve", "deliver", "rate", "progress"]
DELIVERY: dict[str, Any] = {"channel": "electronic", "results": {"seal-filing": {"channel": "mail", "tracking": "EMS 1180 0000 9"}}}


class Run:
    """What one measured run gave: latencies per action, errors, lifecycles, seconds."""

    def __init__(self, stats: Stats, elapsed: float) -> None:
        self.stats = stats
        self.elapsed = elapsed

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.stats.latency.values())

    @property
    def errors(self) -> int:
        return sum(self.stats.errors.values())


def serve_run(db: str, workdir: Path, catalogue: Any, *, clients: int, workers: int, threads: int,
              duration: float, lifecycles: int) -> Run:
    """``oneservice serve`` on ``db`` as a subprocess, ``clients`` client threads driving lifecycles."""
    secret = workdir / f"bench-{uuid.uuid4().hex[:6]}.secret"
    ledger = Store(db)  # the tokens go into the database's ledger, which the server reads
    retrying(ledger.migrate)
    authority = TokenAuthority(load_secret(secret), DatabaseLedger(ledger))  # secret created 0600
    plan = catalogue.plan(MATTER)
    tokens = {"clerk": authority.issue(Actor(Role.CLERK, "clerk-01", location=LOCATION)).token}
    for item in plan.items:
        tokens[item.department] = authority.issue(
            Actor(Role.REVIEWER, f"rev-{item.department}", department=item.department)).token
    people = []
    for n in range(clients):
        number = sample_resident_id(n + 1)
        person = {"kind": "person", "id_number": number, "name": f"申请人{n}", "phone": "13800138000"}
        people.append((authority.issue(Actor(Role.APPLICANT, f"app-{n}", applicant_id=number)).token, person))
    form = sample_form(plan)
    materials = [line.material.id for line in plan.materials if line.required]

    command = [sys.executable, "-m", "oneservice.cli", "serve", "--db", db, "--host", "127.0.0.1",
               "--port", "0", "--threads", str(threads), "--secret-file", str(secret),
               "--workflows", str(ROOT / "workflows"), "--log-level", "warning", "--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if k != "ONESERVICE_SECRET"}
    log = (workdir / "server.log").open("a")  # the server's JSON logs, kept for a look afterwards
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=workdir)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the server did not start (see {workdir / 'server.log'})")
        port = int(url.rsplit(":", 1)[1])
        stats = Stats()
        warm = Stats()
        budget = threading.Semaphore(lifecycles)
        clock: dict[str, float] = {}

        def go() -> None:  # run by the barrier as it releases everyone: the timed part starts
            clock["started"] = time.monotonic()
            clock["deadline"] = clock["started"] + duration

        ready = threading.Barrier(clients + 1, action=go)

        def worker(n: int) -> None:
            me, person = people[n]
            # untimed first lifecycle: every server process has loaded the catalogue, connected, …
            lifecycle(Client("127.0.0.1", port, warm), tokens, me, person, plan, form, materials)
            ready.wait(duration + 120)
            client = Client("127.0.0.1", port, stats)
            while time.monotonic() < clock["deadline"] and budget.acquire(blocking=False):
                if lifecycle(client, tokens, me, person, plan, form, materials):
                    with stats.lock:
                        stats.lifecycles += 1

        client_threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
        for thread in client_threads:
            thread.start()
        ready.wait(duration + 120)  # all warm (at most two minutes)
        for thread in client_threads:
            thread.join(timeout=duration + 60)
        elapsed = time.monotonic() - clock["started"]
        stats.samples += warm.samples
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        ledger.dispose()
    return Run(stats, elapsed)


def library_lifecycle(service: OneService, stats: Stats, n: int, plan: Any, form: dict[str, Any],
                      materials: list[str]) -> None:
    """The actions ``lifecycle`` sends over HTTP, on ``OneService`` directly, timed alike."""
    number = sample_resident_id(n + 1)
    me = Actor(Role.APPLICANT, f"app-{n}", applicant_id=number)
    clerk = Actor(Role.CLERK, "clerk-01", location=LOCATION)

    def timed(action: str, call: Any) -> Any:
        started = time.perf_counter()
        try:
            result = call()
        except Exception as exc:
            stats.record(action, time.perf_counter() - started, False, repr(exc))
            raise
        stats.record(action, time.perf_counter() - started, True)
        return result

    person = Applicant("person", number, f"申请人{n}", "13800138000")
    case = timed("open", lambda: service.open_case(me, MATTER, person, channel="online", location=LOCATION))
    timed("submit", lambda: service.submit(me, case.id, form=form, materials=materials, channel="online"))
    timed("accept", lambda: service.accept(clerk, case.id))
    for item in plan.items:
        reviewer = Actor(Role.REVIEWER, f"rev-{item.department}", department=item.department)
        timed("start-review", lambda r=reviewer, i=item.code: service.start_review(r, case.id, i))
        timed("approve", lambda r=reviewer, i=item.code: service.approve(r, case.id, i, note="ok"))
    timed("deliver", lambda: service.deliver(clerk, case.id, **DELIVERY))
    timed("rate", lambda: service.rate(me, case.id, 5))
    timed("progress", lambda: service.progress(me, case.id))


def _library_process(index: int, gate: Gate, db: str, catalogue: Any, shares: list[list[int]],
                     duration: float, lifecycles: int) -> None:
    """One process of the library run: its own OneService, a thread for each client number of
    ``shares[index]`` driving lifecycles until the shared deadline."""
    threads = shares[index]
    store = Store(db)
    service = OneService(catalogue, store)
    plan = catalogue.plan(MATTER)
    form = sample_form(plan)
    materials = [line.material.id for line in plan.materials if line.required]
    library_lifecycle(service, Stats(), index, plan, form, materials)  # warm: compiled statements, caches
    stats = Stats()
    budget = threading.Semaphore(lifecycles)
    gate.start()
    started = time.perf_counter()
    deadline = time.monotonic() + duration

    def worker(n: int) -> None:
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            try:
                library_lifecycle(service, stats, n, plan, form, materials)
            except Exception:  # recorded by library_lifecycle; the next lifecycle starts
                continue
            with stats.lock:
                stats.lifecycles += 1

    workers = [threading.Thread(target=worker, args=(n,)) for n in threads]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    finished = time.perf_counter()
    gate.done()
    gate.leave({"started": started, "finished": finished, "latency": dict(stats.latency),
                "errors": dict(stats.errors), "samples": stats.samples, "lifecycles": stats.lifecycles})
    store.dispose()


def library_run(db: str, catalogue: Any, *, clients: int, processes: int, duration: float,
                lifecycles: int) -> Run:
    """The library at the concurrency of ``serve --workers processes`` with ``clients`` clients:
    ``clients`` threads spread over ``processes`` forked processes."""
    store = Store(db)
    retrying(store.migrate)
    plan = catalogue.plan(MATTER)  # one lifecycle first: the definition row, before the processes race for it
    library_lifecycle(OneService(catalogue, store), Stats(), 0, plan, sample_form(plan),
                      [line.material.id for line in plan.materials if line.required])
    store.dispose()
    shares = [list(range(clients))[p::processes] for p in range(processes)]
    per = max(1, lifecycles // processes)
    results = run_together(processes, _library_process, (db, catalogue, shares, duration, per))
    stats = Stats()
    for r in results:
        for action, times in r["latency"].items():
            stats.latency[action].extend(times)
        for action, count in r["errors"].items():
            stats.errors[action] += count
        stats.samples += r["samples"]
        stats.lifecycles += r["lifecycles"]
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    return Run(stats, elapsed)


def print_run(run: Run, title: str) -> None:
    print(f"{title}, {run.elapsed:.1f} s: {run.stats.lifecycles} lifecycles, {run.requests} requests, "
          f"{run.requests / run.elapsed:.0f} requests/s, {run.errors} errors")
    print(f"{'action':<14}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for action in ORDER:
        times = sorted(run.stats.latency.get(action, []))
        if not times:
            continue
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{action:<14}{len(times):>8}{len(times) / run.elapsed:>9.1f}{statistics.median(times) * 1000:>9.1f}"
              f"{p99 * 1000:>9.1f}{run.stats.errors.get(action, 0):>8}")
    for sample in run.stats.samples:
        print("error:", sample)


def _schema_db(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def compare(args: argparse.Namespace, catalogue: Any, workdir: Path) -> int:
    """``serve --workers N`` next to the library in N processes, for each N and number of clients."""
    if not args.db or not args.db.startswith("postgresql"):
        print("--compare needs --db with a PostgreSQL URL (serve --workers N > 1 needs PostgreSQL)", file=sys.stderr)
        return 2
    workers_list = [int(w) for w in args.workers_list.split(",")]
    clients_list = [max(1, min(int(c), 64)) for c in args.clients_list.split(",")]
    duration = max(1.0, min(args.duration, 300.0))
    runs: dict[tuple[str, int, int], list[Run]] = defaultdict(list)
    load = [os.getloadavg()]
    for r in range(args.rounds):
        for workers in workers_list:
            for clients in clients_list:
                kinds = ["http", "library"] if (r + workers + clients) % 2 == 0 else ["library", "http"]
                for kind in kinds:
                    schema = f"conc_http_{kind}_{uuid.uuid4().hex[:8]}"
                    owner = Store(args.db, schema=schema)
                    retrying(owner.migrate)
                    db = _schema_db(args.db, schema)
                    try:
                        if kind == "http":
                            run = serve_run(db, workdir, catalogue, clients=clients, workers=workers,
                                            threads=args.threads, duration=duration, lifecycles=args.lifecycles)
                        else:
                            run = library_run(db, catalogue, clients=clients, processes=workers,
                                              duration=duration, lifecycles=args.lifecycles)
                    finally:
                        owner.drop_schema()
                        owner.dispose()
                    runs[kind, workers, clients].append(run)
                    print(f"  round {r + 1}/{args.rounds}: {kind}, {workers} process(es), {clients} clients: "
                          f"{run.requests / run.elapsed:.0f} requests/s, {run.errors} errors",
                          file=sys.stderr, flush=True)
    load.append(os.getloadavg())
    print(f"serve --workers N (waitress for 1, else gunicorn; {args.threads} threads each) against the library "
          f"in N processes, same clients as threads; PostgreSQL; {duration:.0f} s per run, {args.rounds} round(s); "
          f"load average {load[0][0]:.2f} at the start, {load[1][0]:.2f} at the end")
    print(f"{'N':>3}{'clients':>9}{'HTTP req/s':>12}{'library actions/s':>19}{'HTTP ÷ library':>16}"
          f"{'HTTP p50/p99 ms':>18}{'library p50/p99 ms':>20}{'errors':>8}")

    def rate(kind: str, w: int, c: int) -> float:
        mine = runs[kind, w, c]
        return sum(x.requests for x in mine) / sum(x.elapsed for x in mine)

    def merged(kind: str, w: int, c: int) -> dict[str, list[float]]:
        out: dict[str, list[float]] = defaultdict(list)
        for x in runs[kind, w, c]:
            for action, times in x.stats.latency.items():
                out[action].extend(times)
        return out

    def p(kind: str, w: int, c: int) -> str:
        times = sorted(t for ts in merged(kind, w, c).values() for t in ts)
        return f"{statistics.median(times) * 1000:.1f} / {times[min(len(times) - 1, int(len(times) * 0.99))] * 1000:.1f}"

    errors = 0
    for w in workers_list:
        for c in clients_list:
            e = sum(x.errors for kind in ("http", "library") for x in runs[kind, w, c])
            errors += e
            print(f"{w:>3}{c:>9}{rate('http', w, c):>12.0f}{rate('library', w, c):>19.0f}"
                  f"{rate('http', w, c) / rate('library', w, c):>16.2f}{p('http', w, c):>18}{p('library', w, c):>20}{e:>8}")
    for w in workers_list:
        for c in clients_list:
            print(f" N = {w}, {c} clients: p50 / p99 ms per action")
            print("\n".join(action_table(["HTTP", "library"], [merged("http", w, c), merged("library", w, c)], ORDER)))
    for kind in ("http", "library"):
        for key, mine in runs.items():
            if key[0] == kind:
                for x in mine:
                    for sample in x.stats.samples[:2]:
                        print(f"error ({kind}, N={key[1]}, {key[2]} clients):", sample)
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (1-64)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run (at most 300)")
    parser.add_argument("--lifecycles", type=int, default=400, help="stop a run after this many cases")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (above 1: gunicorn; PostgreSQL only)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--compare", action="store_true",
                        help="serve --workers N next to the library in N processes, for --workers-list × --clients-list")
    parser.add_argument("--workers-list", default="1,2,4", help="with --compare (default 1,2,4)")
    parser.add_argument("--clients-list", default="8,32", help="with --compare (default 8,32)")
    parser.add_argument("--rounds", type=int, default=2, help="with --compare (default 2)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="oneservice-bench-"))
    catalogue = load_catalogue([ROOT / "workflows"])
    if args.compare:
        return compare(args, catalogue, workdir)
    clients = max(1, min(args.clients, 64))
    db = args.db or f"sqlite:///{workdir / 'bench.sqlite'}"
    run = serve_run(db, workdir, catalogue, clients=clients, workers=args.workers, threads=args.threads,
                    duration=max(1.0, min(args.duration, 300.0)), lifecycles=args.lifecycles)
    print_run(run, f"oneservice serve on {db.split('://')[0]}, {clients} clients, {args.workers} process(es) of "
                   f"{args.threads} server threads")
    print(f"server log: {workdir / 'server.log'}")
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
