"""A worker process for the concurrency and crash tests (run as a script, not collected).

    python case_worker.py URL SCHEMA MODE SEED CASE_ID ...

MODE ``race``: review and approve every item of the given cases in a random order, retrying
conflicts; prints one JSON line of counts at the end. MODE ``drive``: take each case as far as it
goes (accept → approve all → deliver → conclude), printing ``done <action>`` after every committed
action so a parent can kill the process at a known point.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from oneservice import (  # noqa: E402
    TZ,
    ActionRejected,
    Actor,
    ConcurrencyConflict,
    IllegalAction,
    OneService,
    Role,
    SimulatedClock,
    Store,
    load_catalogue,
)
from oneservice.samples import sample_deliveries  # noqa: E402

CLERK = Actor(Role.CLERK, "clerk", location="hz-citizen-centre")


def main() -> None:
    url, schema, mode, seed, *case_ids = sys.argv[1:]
    store = Store(url, schema=schema or None)
    clock = SimulatedClock(dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ))
    service = OneService(load_catalogue([ROOT / "workflows"]), store, clock=clock)
    rng = random.Random(int(seed))
    counts = {"done": 0, "conflict": 0, "illegal": 0, "retried_ok": 0}
    if mode == "race":
        # cases in a random order; within a case the first item (everything else waits for it)
        # first, then the others in a random order — so the worker that approves the first item
        # always goes on to the rest, and every action succeeds once in some worker
        order = [item.code for item in service.catalogue.plan("start-a-business").items]
        rng.shuffle(case_ids)
        work = []
        for c in case_ids:
            rest = order[1:]
            rng.shuffle(rest)
            work += [(c, code) for code in [order[0], *rest]]
        for case_id, code in work:
            department = service.catalogue.item(code).department
            reviewer = Actor(Role.REVIEWER, f"rev-{seed}", department=department)
            for action in (service.start_review, service.approve):
                try:
                    service.with_retry(lambda a=action, c=case_id, i=code, r=reviewer: a(r, c, i), attempts=20)
                    counts["done"] += 1
                except ConcurrencyConflict:
                    counts["conflict"] += 1
                except (IllegalAction, ActionRejected):
                    counts["illegal"] += 1  # another worker did it first, or its upstream is not approved yet
        print(json.dumps(counts), flush=True)
    else:
        for case_id in case_ids:
            summary = service.get(CLERK, case_id)
            if summary.state == "submitted":
                service.accept(CLERK, case_id)
                print(f"done accept {case_id}", flush=True)
            for code in list(service.get(CLERK, case_id).tasks):
                reviewer = Actor(Role.REVIEWER, "rev", department=service.case(CLERK, case_id).tasks[code].department)
                state = service.get(CLERK, case_id).tasks[code]  # now: an earlier step may have done it
                if state == "ready":
                    service.start_review(reviewer, case_id, code)
                    print(f"done start_review {case_id} {code}", flush=True)
                    state = "in_review"
                if state == "in_review":
                    service.approve(reviewer, case_id, code)
                    print(f"done approve {case_id} {code}", flush=True)
                    for other, other_state in service.get(CLERK, case_id).tasks.items():
                        if other_state == "ready":
                            rev = Actor(Role.REVIEWER, "rev",
                                        department=service.case(CLERK, case_id).tasks[other].department)
                            service.start_review(rev, case_id, other)
                            service.approve(rev, case_id, other)
                            print(f"done approve {case_id} {other}", flush=True)
            summary = service.get(CLERK, case_id)
            if summary.state == "ready_for_pickup":
                plan = service.catalogue.plan(summary.matter_id)
                service.deliver(CLERK, case_id, results=sample_deliveries(plan, f"EMS-{case_id}"))
                print(f"done deliver {case_id}", flush=True)
                summary = service.get(CLERK, case_id)
            if summary.state == "delivered":
                service.conclude(CLERK, case_id)
                print(f"done conclude {case_id}", flush=True)
    store.dispose()


if __name__ == "__main__":
    main()
