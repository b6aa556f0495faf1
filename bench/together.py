"""Worker processes started together, for the benchmarks of several writers at once.

``run_together(count, target, args)`` forks ``count`` OS processes, each calling
``target(index, gate, *args)``. A process makes its own engine or connection, warms up, then calls
``gate.start()``; all are released at once (a barrier that the parent joins, so it can take a
snapshot of the machine as the timed part begins). After its timed part a process calls
``gate.done()`` and then ``gate.leave(result)``: it keeps its connections open until the parent has
taken its second snapshot (the database backends still exist then), and hands over its result. An
exception in a process breaks the barriers and is raised in the parent with the process's
traceback. ``retrying`` runs a store's set-up again when it deadlocks with another user's
migration. Also here: the quantiles and the per-action table the benchmarks print, and the CPU
counters of the machine and of processes (``/proc``).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import resource
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from threading import BrokenBarrierError
from typing import Any, Protocol, TypeVar

from oneservice import StoreError

T = TypeVar("T")

TIMEOUT = 900.0  # seconds a barrier waits before the run is given up


class Monitor(Protocol):
    def begin(self) -> None: ...

    def end(self) -> None: ...


class Gate:
    """The three barriers and the result queue shared by the processes of one run."""

    def __init__(self, ctx: Any, count: int) -> None:
        self._start = ctx.Barrier(count + 1)
        self._done = ctx.Barrier(count + 1)
        self._leave = ctx.Barrier(count + 1)
        self.results = ctx.Queue()

    def start(self) -> None:
        self._start.wait(TIMEOUT)

    def done(self) -> None:
        self._done.wait(TIMEOUT)

    def leave(self, result: dict[str, Any]) -> None:
        self._leave.wait(TIMEOUT)
        self.results.put(result)

    def abort(self) -> None:
        for barrier in (self._start, self._done, self._leave):
            barrier.abort()


def _child(target: Callable[..., None], index: int, gate: Gate, args: tuple[Any, ...]) -> None:
    try:
        target(index, gate, *args)
    except BaseException:
        gate.results.put({"error": f"process {index}:\n{traceback.format_exc()}"})
        gate.abort()


def run_together(
    count: int, target: Callable[..., None], args: tuple[Any, ...], monitor: Monitor | None = None
) -> list[dict[str, Any]]:
    """Run ``target`` in ``count`` forked processes released together; their results, in no order.

    ``monitor.begin()`` runs as the processes are released, ``monitor.end()`` when all have
    finished their timed part and before any closes its connections."""
    ctx = multiprocessing.get_context("fork")  # the parent's imports and loaded catalogue come along
    gate = Gate(ctx, count)
    processes = [ctx.Process(target=_child, args=(target, n, gate, args)) for n in range(count)]
    for process in processes:
        process.start()
    results: list[dict[str, Any]] = []
    try:
        gate.start()
        if monitor is not None:
            monitor.begin()
        gate.done()
        if monitor is not None:
            monitor.end()
        gate._leave.wait(TIMEOUT)
    except BrokenBarrierError:
        pass
    while len(results) < count:
        try:
            result = gate.results.get(timeout=60)  # each puts its result as it leaves the last barrier
        except queue.Empty:
            break
        results.append(result)
        if "error" in result:
            break
    for process in processes:
        process.join(timeout=60)
        if process.is_alive():  # only our own children: a broken run
            process.kill()
    errors = [r["error"] for r in results if "error" in r]
    if errors or len(results) < count:
        raise RuntimeError("a benchmark process failed:\n" + ("\n".join(errors) or "no result"))
    return results


def retrying(call: Callable[[], T]) -> T:
    """``call()``, again after a second when it fails with a StoreError: every runner migrates its
    store on creation, and migrations by other users of the database can deadlock with ours."""
    for attempt in range(5):
        try:
            return call()
        except StoreError:
            if attempt == 4:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (0 when it is gone or not readable)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_cpu() -> dict[str, float]:
    """The machine's CPU time so far by kind, in seconds summed over all cores (``/proc/stat``)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return {name: value / _TICK for name, value in zip(names, values, strict=False)}


def busy_share(before: Mapping[str, float], after: Mapping[str, float]) -> tuple[float, float]:
    """The share of the machine's CPU capacity busy between two ``machine_cpu()`` snapshots, and
    the share spent waiting for I/O."""
    spent = {k: after[k] - before[k] for k in before}
    total = sum(spent.values()) or 1.0
    return 1 - (spent["idle"] + spent["iowait"]) / total, spent["iowait"] / total


def quantile(times: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted ``times`` (nearest rank)."""
    return times[min(len(times) - 1, int(len(times) * q))] if times else float("nan")


def action_table(
    columns: Sequence[str], latencies: Sequence[Mapping[str, list[float]]], actions: Iterable[str]
) -> list[str]:
    """Lines of p50/p99 in ms per action (rows) for each column (a system, a setting)."""
    width = max(16, *(len(c) + 2 for c in columns))
    lines = [f"  {'action':<14}" + "".join(f"{c:>{width}}" for c in columns)]
    merged = [{a: sorted(t) for a, t in by_action.items()} for by_action in latencies]
    for action in [*actions, "all"]:
        cells = []
        for by_action in merged:
            times = sorted(t for ts in by_action.values() for t in ts) if action == "all" else by_action.get(action)
            cells.append(f"{quantile(times, 0.5) * 1000:.1f} / {quantile(times, 0.99) * 1000:.1f}" if times else "–")
        lines.append(f"  {action:<14}" + "".join(f"{c:>{width}}" for c in cells))
    return lines
