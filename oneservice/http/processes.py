"""Run the HTTP API in several processes under gunicorn (``oneservice serve --workers N``).

::

    serve_processes(build, workers=4, threads=8, port=8080, timers=make_worker, on_ready=print)

``build`` is an **app factory**: gunicorn forks its worker processes first and each calls
``build()`` after the fork, so every process opens its own :class:`~oneservice.store.Store`
(its own SQLAlchemy engine and connection pool; an engine is never shared across a fork). The
master process only binds the socket, watches the workers and restarts one that dies.

The timers (:func:`oneservice.jobs.standard_worker`) run in **at most one** of the N processes:
each process has a thread that waits for an exclusive lock on a file of this server
(``fcntl.flock``), and the one that holds it runs the worker; when that process exits or is
killed the kernel releases the lock and another process takes the timers over. Without
``timers`` no process runs them (``serve --no-worker``: ``oneservice worker`` runs beside).

gunicorn needs ``fork`` and ``fcntl``: it does not run on Windows, where ``serve`` keeps to one
waitress process (:mod:`.server`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import OneService
from ..service.worker import Worker
from .app import create_app
from .auth import Identifies
from .limits import DEFAULT_MAX_BODY

__all__ = ["gunicorn_missing", "serve_processes"]

log = logging.getLogger("oneservice.http.processes")

LOCK_WAIT = 1.0
"""Seconds between two tries of a process that waits to take the timers over."""


def gunicorn_missing() -> str | None:
    """Why gunicorn cannot run here (``None``: it can)."""
    if os.name != "posix":
        return "gunicorn does not run on Windows"
    try:
        import gunicorn  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return "gunicorn is not installed (pip install gunicorn)"
    return None


def _url(address: Any) -> str:
    host, port = address[0], address[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _run_timers(lock_file: Path, service: OneService, make_worker: Callable[[OneService], Worker],
                stop: threading.Event, alive: Callable[[], bool] = lambda: True) -> None:
    """Wait for the timers' lock, then run the worker until ``stop``.

    ``alive`` says whether this process still serves: once gunicorn has told it to stop (SIGTERM
    to every process at shutdown), it no longer takes the timers over from a process that has
    already exited, so a server that stops does not start its timers again in a dying process."""
    import fcntl

    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            if not alive():
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:  # another process runs the timers
                if stop.wait(LOCK_WAIT):
                    return
        if not alive():  # told to stop while the lock came free
            return
        worker = make_worker(service)
        fields = {"pid": os.getpid(), "worker": worker.name}
        log.info("this process runs the timers", extra={"fields": fields})
        worker.run(stop)
    finally:
        os.close(fd)  # releases the lock


def serve_processes(
    build: Callable[[], tuple[OneService, Identifies]],
    *,
    workers: int,
    host: str = "127.0.0.1",
    port: int = 8080,
    threads: int = 8,
    max_body: int = DEFAULT_MAX_BODY,
    config: dict[str, Any] | None = None,
    timers: Callable[[OneService], Worker] | None = None,
    log_level: str = "info",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve with ``workers`` gunicorn processes of ``threads`` threads each until SIGTERM or
    SIGINT; ``on_ready`` gets the base URL once the socket listens (``port=0``: a free port)."""
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped,unused-ignore]

    state = Path(tempfile.mkdtemp(prefix="oneservice-serve-"))
    lock_file = state / "timers.lock"
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    class Application(BaseApplication):  # type: ignore[misc,unused-ignore]
        def __init__(self) -> None:
            self.service: OneService | None = None
            self.stop = threading.Event()
            self.timers_thread: threading.Thread | None = None
            self.worker: Any = None  # this process's gunicorn worker (post_fork)
            super().__init__()

        def load_config(self) -> None:
            settings = {
                "bind": [bind],
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "proc_name": "oneservice",
                "accesslog": None,  # the app logs each request itself (JSON lines, .logs)
                "errorlog": "-",
                "loglevel": log_level,
                "graceful_timeout": 10,
                "preload_app": False,  # build() runs in each process, after the fork
                "when_ready": self._ready,
                "post_fork": self._post_fork,
                "worker_exit": self._worker_exit,
                "on_exit": lambda _arbiter: shutil.rmtree(state, ignore_errors=True),
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 25+: one path per user, shared
                settings["control_socket_disable"] = True
            for key, value in settings.items():
                self.cfg.set(key, value)

        @staticmethod
        def _ready(arbiter: Any) -> None:
            if on_ready is not None:
                on_ready(_url(arbiter.LISTENERS[0].sock.getsockname()))

        def _post_fork(self, _arbiter: Any, worker: Any) -> None:
            self.worker = worker

        def _alive(self) -> bool:
            return self.worker is None or bool(self.worker.alive)

        def _worker_exit(self, _arbiter: Any, _worker: Any) -> None:
            self.stop.set()
            if self.timers_thread is not None:
                self.timers_thread.join(timeout=5)
            if self.service is not None:
                self.service.store.dispose()

        def load(self) -> Any:  # in a worker process, after the fork
            service, tokens = build()
            self.service = service
            if timers is not None:
                self.timers_thread = threading.Thread(
                    target=_run_timers, args=(lock_file, service, timers, self.stop, self._alive),
                    name="oneservice-timers", daemon=True)
                self.timers_thread.start()
            return create_app(service, tokens, max_body=max_body, config=config)

    try:
        Application().run()
    finally:
        shutil.rmtree(state, ignore_errors=True)
