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
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oneservice import Actor, Role, load_catalogue  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (1-64)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds (at most 300)")
    parser.add_argument("--lifecycles", type=int, default=400, help="stop after this many cases")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (above 1: gunicorn; PostgreSQL only)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    clients = max(1, min(args.clients, 64))
    duration = max(1.0, min(args.duration, 300.0))

    workdir = Path(tempfile.mkdtemp(prefix="oneservice-bench-"))
    db = args.db or f"sqlite:///{workdir / 'bench.sqlite'}"
    secret = workdir / "bench.secret"
    ledger = Store(db)  # the tokens go into the database's ledger, which the server reads
    ledger.migrate()
    authority = TokenAuthority(load_secret(secret), DatabaseLedger(ledger))  # secret created 0600
    catalogue = load_catalogue([ROOT / "workflows"])
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
               "--port", "0", "--threads", str(args.threads), "--secret-file", str(secret),
               "--workflows", str(ROOT / "workflows"), "--log-level", "warning", "--workers", str(args.workers)]
    env = {k: v for k, v in os.environ.items() if k != "ONESERVICE_SECRET"}
    log = (workdir / "server.log").open("w")  # the server's JSON logs, kept for a look afterwards
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=workdir)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            print("the server did not start", file=sys.stderr)
            return 1
        port = int(url.rsplit(":", 1)[1])
        stats = Stats()
        deadline = time.monotonic() + duration
        budget = threading.Semaphore(args.lifecycles)

        def worker(n: int) -> None:
            client = Client("127.0.0.1", port, stats)
            me, person = people[n]
            while time.monotonic() < deadline and budget.acquire(blocking=False):
                if lifecycle(client, tokens, me, person, plan, form, materials):
                    with stats.lock:
                        stats.lifecycles += 1

        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=duration + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    total = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    print(f"oneservice serve on {db.split('://')[0]}, {clients} clients, {args.workers} process(es) of "
          f"{args.threads} server threads, "
          f"{elapsed:.1f} s: {stats.lifecycles} lifecycles, {total} requests, "
          f"{total / elapsed:.0f} requests/s, {errors} errors")
    print(f"{'action':<14}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    order = ["open", "submit", "accept", "start-review", "approve", "deliver", "rate", "progress"]
    for action in order:
        times = sorted(stats.latency.get(action, []))
        if not times:
            continue
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{action:<14}{len(times):>8}{len(times) / elapsed:>9.1f}{statistics.median(times) * 1000:>9.1f}"
              f"{p99 * 1000:>9.1f}{stats.errors.get(action, 0):>8}")
    for sample in stats.samples:
        print("error:", sample)
    print(f"server log: {workdir / 'server.log'}")
    ledger.dispose()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
