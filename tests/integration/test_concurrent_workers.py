"""Several processes on the same cases, and a worker killed with SIGKILL: nothing is lost."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from oneservice import TZ, Actor, Applicant, OneService, Role, SimulatedClock, load_catalogue
from oneservice.engine.machines import LEGAL_CASE_MOVES
from oneservice.samples import sample_form, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("case_worker.py")
BIZ = "start-a-business"
CLERK = Actor(Role.CLERK, "clerk", location="hz-citizen-centre")
PERSON = Applicant("person", sample_resident_id(11), "孙八")
ME = Actor(Role.APPLICANT, "sunba", applicant_id=PERSON.id_number)
LEGAL = LEGAL_CASE_MOVES


@pytest.fixture
def service(store):
    clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    return OneService(load_catalogue([ROOT / "workflows"]), store, clock=clock)


def submitted_cases(service, count):
    plan = service.catalogue.plan(BIZ)
    ids = []
    for _ in range(count):
        case = service.open_case(ME, BIZ, PERSON, channel="online", location="hz-citizen-centre")
        service.submit(ME, case.id, form=sample_form(plan), materials=[ln.material.id for ln in plan.materials],
                       channel="online")
        ids.append(case.id)
    return ids


def worker(store, mode, seed, ids):
    return subprocess.Popen(
        [sys.executable, str(WORKER), store.url, store.schema or "", mode, str(seed), *ids],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def assert_consistent(service, case_id):
    """Gapless events, legal transitions, state equal to the log, tasks equal to their events."""
    supervisor = Actor(Role.SUPERVISOR, "sup")
    case = service.case(supervisor, case_id)
    events = service.events(supervisor, case_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    states = [e.state for e in events]
    assert set(itertools.pairwise(states)) - {(s, s) for s in states} <= LEGAL
    assert states[-1] == case.state
    approvals = collections.Counter(e.data["item"] for e in events if e.type == "ItemApproved")
    assert all(n == 1 for n in approvals.values()), approvals
    assert {code for code, t in case.tasks.items() if t.state == "approved"} == set(approvals)
    return case


class TestConcurrentWorkers:
    def test_three_processes_approve_the_same_cases(self, service, store):
        """Racing reviewers: every item approved exactly once, conflicts retried, logs gapless."""
        ids = submitted_cases(service, 6)
        for case_id in ids:
            service.accept(CLERK, case_id)
        procs = [worker(store, "race", seed, ids) for seed in (1, 2, 3)]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        for case_id in ids:
            case = assert_consistent(service, case_id)
            assert case.state == "ready_for_pickup"
        done = sum(r["done"] for r in results)
        items = service.catalogue.plan(BIZ).items
        assert done == len(ids) * len(items) * 2  # every start_review and approve happened once, in some process
        assert sum(r["conflict"] for r in results) == 0  # with_retry absorbed every conflict


class TestCrash:
    def test_killed_worker_leaves_consistent_cases_and_a_new_one_finishes(self, service, store):
        """SIGKILL mid-run: every case equals its log; a restarted worker carries on to the end."""
        ids = submitted_cases(service, 4)
        # the worker prints a line per committed step of a case: accept, start_review and approve of
        # the first item, one line per other item (reviewed and approved), deliver, conclude
        per_case = 3 + (len(service.catalogue.plan(BIZ).items) - 1) + 2
        kill_at = per_case + 2  # in the middle of the second case: accepted, first item in review
        proc = worker(store, "drive", 0, ids)
        seen = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("done "):
                seen += 1
            if seen == kill_at:
                proc.kill()
                break
        proc.wait(timeout=60)
        assert seen == kill_at
        states = [assert_consistent(service, case_id).state for case_id in ids]
        assert states[0] == "closed" and states[-1] != "closed"  # really stopped half way
        again = worker(store, "drive", 0, ids)
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        for case_id in ids:
            assert assert_consistent(service, case_id).state == "closed"
