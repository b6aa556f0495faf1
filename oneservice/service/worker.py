"""The worker: jobs that run on a schedule, shared by any number of workers without running twice.

::

    worker = Worker(service, [Job("deem_accepted", dt.timedelta(minutes=5), service.deem_overdue_accepted)])
    worker.tick()                  # runs every job that is due now (service.clock) and claims it
    worker.run(stop)               # tick, wait ``interval`` seconds, until ``stop`` is set

Each job has a row in ``worker_jobs`` with the time it is next due. A worker **claims** a due job
by moving that time on by the job's period in one short transaction — on PostgreSQL the row is
read ``FOR UPDATE SKIP LOCKED``, so a second worker skips a job another is claiming instead of
waiting for it; on SQLite writers queue (``BEGIN IMMEDIATE``) and the second finds the job no
longer due. Only the claimer runs the job; the others go on with the next one. Every job is a
scan whose actions are one transaction per case (a warning recorded once, a case deemed
accepted once), so a worker killed mid-job leaves no case half-changed, and the next claim —
by any worker, one period later — finishes what it left.

The time is the service's clock: tests drive :meth:`Worker.tick` with a
:class:`~oneservice.engine.clock.SimulatedClock`, without sleeping.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable

import attrs
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..store.tables import worker_jobs
from .facade import OneService

__all__ = ["Job", "JobRun", "Worker"]

log = logging.getLogger("oneservice.worker")


@attrs.frozen
class Job:
    """A scan run every ``every`` by one worker at a time; ``run`` returns what it did."""

    name: str
    every: dt.timedelta
    run: Callable[[], object]


@attrs.frozen
class JobRun:
    """One job run by this worker: its result, or the error it raised (text)."""

    name: str
    at: dt.datetime
    result: object = None
    error: str | None = None


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Worker:
    """Runs ``jobs`` over ``service``'s store when they are due (``service.clock``)."""

    def __init__(self, service: OneService, jobs: Iterable[Job], *, name: str | None = None) -> None:
        self.service = service
        self.jobs = tuple(jobs)
        self.name = name or _worker_name()
        seen: set[str] = set()
        for job in self.jobs:
            if job.name in seen:
                raise ValueError(f"two jobs named {job.name!r}")
            seen.add(job.name)

    def tick(self) -> list[JobRun]:
        """Claim and run every job due now; returns the jobs this worker ran."""
        ran = []
        for job in self.jobs:
            now = self.service.clock.now()
            if not self._claim(job, now):
                continue
            try:
                result = job.run()
            except Exception as exc:  # one failing job never stops the others
                log.exception("job failed", extra={"fields": {"job": job.name, "worker": self.name}})
                self._finish(job, error=f"{type(exc).__name__}: {exc}")
                ran.append(JobRun(job.name, now, error=f"{type(exc).__name__}: {exc}"))
                continue
            self._finish(job, error=None)
            ran.append(JobRun(job.name, now, result=result))
        return ran

    def run(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Tick until ``stop`` is set, waiting ``interval`` seconds between ticks."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # the database away for a moment: try again next tick
                log.exception("worker tick failed", extra={"fields": {"worker": self.name}})
            stop.wait(interval)

    def start(self, *, interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
        """:meth:`run` in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), kwargs={"interval": interval},
                                  name="oneservice-worker", daemon=True)
        thread.start()
        return thread, stop

    # ------------------------------------------------------------------------------ claiming

    def _claim(self, job: Job, now: dt.datetime) -> bool:
        store = self.service.store
        with store.transaction(readonly=True) as tx:  # most ticks: not due, and no write at all
            due_at = tx.connection.execute(
                select(worker_jobs.c.due_at).where(worker_jobs.c.name == job.name)
            ).scalar()
        if due_at is not None and due_at > now:
            return False
        with store.transaction() as tx:
            conn = tx.connection
            _ensure(conn, job.name, now)
            if conn.dialect.name == "postgresql":
                due = conn.execute(
                    select(worker_jobs.c.name)
                    .where(worker_jobs.c.name == job.name, worker_jobs.c.due_at <= now)
                    .with_for_update(skip_locked=True)
                ).scalar()
                if due is None:
                    return False
            moved = conn.execute(
                update(worker_jobs)
                .where(worker_jobs.c.name == job.name, worker_jobs.c.due_at <= now)
                .values(due_at=now + job.every, claimed_at=now, claimed_by=self.name,
                        runs=worker_jobs.c.runs + 1)
            )
            return bool(moved.rowcount == 1)

    def _finish(self, job: Job, *, error: str | None) -> None:
        with self.service.store.transaction() as tx:
            tx.connection.execute(
                update(worker_jobs)
                .where(worker_jobs.c.name == job.name)
                .values(finished_at=self.service.clock.now(), last_error=error)
            )


def _ensure(conn: Connection, name: str, now: dt.datetime) -> None:
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(worker_jobs).on_conflict_do_nothing(index_elements=["name"]),
        {"name": name, "due_at": now, "runs": 0},
    )
