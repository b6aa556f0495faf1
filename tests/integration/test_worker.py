"""The worker: jobs claimed so that several workers never run one twice, driven by a simulated
clock (no sleeps); the embedded server's worker warns and deems acceptance by itself."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from oneservice import Actor, OneService, Role, SimulatedClock
from oneservice.http import TokenAuthority, create_app
from oneservice.jobs import PERIOD, standard_worker
from oneservice.samples import sample_form, sample_resident_id
from oneservice.service.worker import Job, Worker
from oneservice.supervision import Supervision

BIZ = "start-a-business"
REGISTRATION = "330102-SCJG-QYSLDJ"
LOCATION = "hz-citizen-centre"
PERSON = {"kind": "person", "id_number": sample_resident_id(1), "name": "张三", "phone": "13800138000"}
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=sample_resident_id(1))
SECRET = b"worker-tests-secret-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


def counting(name: str, runs: list[str], every: dt.timedelta = PERIOD) -> Job:
    return Job(name, every, lambda: runs.append(name))


class TestClaims:
    def test_a_due_job_runs_once_per_period(self, service: OneService, clock: SimulatedClock) -> None:
        """The first tick runs the job; a second worker's tick in the same period does not;
        one period later it does."""
        runs: list[str] = []
        one = Worker(service, [counting("scan", runs)], name="one")
        two = Worker(service, [counting("scan", runs)], name="two")
        assert [r.name for r in one.tick()] == ["scan"]
        assert two.tick() == [] and one.tick() == []
        clock.advance(PERIOD)
        assert [r.name for r in two.tick()] == ["scan"]
        assert runs == ["scan", "scan"]

    def test_concurrent_workers_never_run_a_job_twice(self, service: OneService) -> None:
        """Four workers ticking at once: each job is run by exactly one of them."""
        runs: list[str] = []
        lock = threading.Lock()

        def job(name: str) -> Job:
            def run() -> None:
                with lock:
                    runs.append(name)
            return Job(name, PERIOD, run)

        workers = [Worker(service, [job("a"), job("b"), job("c")], name=f"w{i}") for i in range(4)]
        barrier = threading.Barrier(len(workers))
        errors: list[BaseException] = []

        def tick(worker: Worker) -> None:
            barrier.wait()
            try:
                worker.tick()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=tick, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(runs) == ["a", "b", "c"]

    def test_a_failing_job_does_not_stop_the_others(self, service: OneService) -> None:
        """A job that raises is reported with its error; the next job still runs."""
        runs: list[str] = []

        def boom() -> None:
            raise RuntimeError("database away")

        done = Worker(service, [Job("boom", PERIOD, boom), counting("scan", runs)]).tick()
        assert [(r.name, r.error) for r in done] == [("boom", "RuntimeError: database away"), ("scan", None)]
        assert runs == ["scan"]

    def test_a_worker_that_dies_after_its_claim(self, service: OneService, clock: SimulatedClock) -> None:
        """A claim whose worker died (SIGKILL) is taken again by another worker one period later."""
        runs: list[str] = []
        dead = Worker(service, [counting("scan", runs)], name="dead")
        assert dead._claim(dead.jobs[0], clock.now())  # claimed, then killed before running
        alive = Worker(service, [counting("scan", runs)], name="alive")
        assert alive.tick() == []
        clock.advance(PERIOD)
        assert [r.name for r in alive.tick()] == ["scan"] and runs == ["scan"]

    def test_job_names_are_unique(self, service: OneService) -> None:
        """Two jobs of one name would share one schedule: refused."""
        with pytest.raises(ValueError, match="two jobs named 'x'"):
            Worker(service, [counting("x", []), counting("x", [])])


class TestEmbeddedServer:
    def test_warns_and_deems_acceptance_by_itself(
        self, service: OneService, clock: SimulatedClock, tmp_path: Path
    ) -> None:
        """What `oneservice serve` runs: the app and its worker. An application submitted online
        and never answered gets a yellow warning, then is deemed accepted, with no manual call."""
        authority = TokenAuthority(SECRET, tmp_path / "tokens.jsonl")
        app = create_app(service, authority)
        worker = standard_worker(service)  # serve starts this in a thread unless --no-worker
        client = app.test_client()
        auth = {"Authorization": f"Bearer {authority.issue(ME).token}"}
        r = client.post("/cases", json={"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                        "location": LOCATION}, headers=auth)
        assert r.status_code == 201, r.json
        case_id = r.json["id"]
        plan = service.catalogue.plan(BIZ)
        r = client.post(f"/cases/{case_id}/submit", headers=auth, json={
            "form": sample_form(plan), "materials": [m.material.id for m in plan.materials if m.required],
            "channel": "online"})
        assert r.status_code == 200, r.json
        warnings = Supervision(service).warnings
        worker.tick()
        assert warnings(case_id) == []
        clock.advance(dt.timedelta(days=7))  # Monday 9 November: the 5th working day, still in time
        assert "deem_accepted" not in {r.name: r.result for r in worker.tick() if r.result}
        assert client.get(f"/cases/{case_id}", headers=auth).json["state"] == "submitted"
        clock.advance(dt.timedelta(days=1))  # Tuesday: the 5 working days to notify have passed
        ran = {r.name: r.result for r in worker.tick()}
        assert ran["deem_accepted"] == [case_id]  # 视为受理, from the day of receipt
        assert client.get(f"/cases/{case_id}", headers=auth).json["state"] == "in_progress"
        deemed = service.feed.events_after(0, kinds=["CaseDeemedAccepted"])
        assert [(e.case_id, e.actor) for e in deemed] == [(case_id, "system:timer")]
        clock.advance(dt.timedelta(days=1))  # the registration's promise runs out tomorrow
        worker.tick()
        assert ("item", REGISTRATION, "yellow") in {(w["kind"], w["subject"], w["level"]) for w in warnings(case_id)}
        assert worker.tick() == []  # every job ran this minute already



class TestCommand:
    def test_worker_once(self, tmp_path: Path) -> None:
        """`oneservice worker --once` runs every job due now and prints what each did."""
        from click.testing import CliRunner

        from oneservice.cli import main

        db = str(tmp_path / "w.sqlite")
        args = ["worker", "--once", "--db", db, "--workflows", str(ROOT / "workflows")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert [line.split(":")[0] for line in lines] == [
            "supervision", "deem_accepted", "terminate_overdue", "webhooks", "purge_files"]
        again = CliRunner().invoke(main, args)
        assert again.exit_code == 0 and "supervision" not in again.output  # a minute has not passed
