"""Scaling of oneservice: per-action latency against stored cases, definition size, memory.

    python bench/scaling.py [--part latency,definitions,memory] [--sizes 1000,100000,1000000]
                            [--fresh 200] [--matters 10,100,1000] [--rounds 3]
                            [--memory-cases 10000,50000,100000] [--max-minutes 120]
                            [--postgres URL] [--pg-sizes 1000,100000]

latency
    One SQLite file (and one PostgreSQL schema when ``--postgres`` is given) is filled with
    synthetic cases (``bench/synthetic.py``'s generator: cases, item tasks, deadlines, ratings)
    up to each size in turn; at each size ``--fresh`` new start-a-business cases run their whole
    lifecycle and every action is timed. Two services share the database: one with the store's
    case cache (default, 1024 cases) and one with ``cache_size=0`` (every action loads the case
    with its child rows), alternating case by case. Prints median and p99 of accept,
    start_review, approve, deliver (and of all 20 actions) per size, and the ratio of the
    largest size to the smallest.
definitions
    Synthetic catalogues of 10, 100 and 1,000 matters, made by cloning the shipped
    ``workflows/`` (10 matters, 49 items) with renamed matter ids and item codes (every
    ``item:`` source and ``after:`` dependency renamed with them), written as YAML to a
    temporary directory. Times ``check`` (= ``load_catalogue``, ``oneservice check``) cold
    (no catalogue cache; also stage by stage: parsing the YAML, then validation, static
    analysis and building the catalogue), first (an empty cache: checked and written) and warm
    (from the cache, in this process and in a new one), best of ``--rounds``; then compiling the
    engine (state machines) of every matter.
memory
    One ``OneService`` on one SQLite file runs start-a-business lifecycles one after the other;
    the resident set size (``/proc/self/status`` VmRSS, after ``gc.collect()``) and the peak
    (``resource.getrusage``) are printed at each checkpoint with the growth per case since the
    previous checkpoint. ``--max-minutes`` bounds the run: it stops early and says so.

Progress goes to stderr; tables to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import lifecycle  # noqa: E402
import synthetic  # noqa: E402

from oneservice import TZ, Actor, OneService, Role, SimulatedClock, Store, load_catalogue  # noqa: E402
from oneservice.samples import sample_form  # noqa: E402

TIMED = ("accept", "start_review", "approve", "deliver")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------ latency


def timed_lifecycle(service: OneService, times: dict[str, list[float]]) -> None:
    """``lifecycle.lifecycle`` with every action timed (seconds, appended to ``times[action]``)."""
    plan = service.catalogue.plan(lifecycle.MATTER)
    form = lifecycle._FORMS.get(lifecycle.MATTER) or lifecycle._FORMS.setdefault(
        lifecycle.MATTER, sample_form(plan)
    )
    materials = [line.material.id for line in plan.materials]
    clerk, me = lifecycle.CLERK, lifecycle.ME
    clock = time.perf_counter

    def run(name: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = clock()
        result = call(*args, **kwargs)
        times.setdefault(name, []).append(clock() - t0)
        return result

    case = run(
        "open_case",
        service.open_case,
        me,
        lifecycle.MATTER,
        lifecycle.PERSON,
        channel="online",
        location=lifecycle.LOCATION,
    )
    run("submit", service.submit, me, case.id, form=form, materials=materials, channel="online")
    run("accept", service.accept, clerk, case.id)
    for item in plan.items:
        reviewer = Actor(Role.REVIEWER, "rev", department=item.department)
        run("start_review", service.start_review, reviewer, case.id, item.code)
        run("approve", service.approve, reviewer, case.id, item.code)
    run("deliver", service.deliver, clerk, case.id, channel="electronic")
    run("rate", service.rate, me, case.id, 5)
    run("conclude", service.conclude, clerk, case.id)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _stored_cases(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM cases").scalar() or 0)


class _Database:
    """One database (a SQLite file or a PostgreSQL schema) with two services on it: one with the
    store's case cache, one without."""

    def __init__(self, url: str, schema: str | None, catalogue: Any) -> None:
        self.store = Store(url, schema=schema)
        self.store.migrate()
        self.cold_store = Store(url, schema=schema, cache_size=0)
        start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
        self.services = {
            "cache": OneService(catalogue, self.store, clock=SimulatedClock(start)),
            "no cache": OneService(catalogue, self.cold_store, clock=SimulatedClock(start)),
        }
        self.generated = 0

    def grow(self, name: str, catalogue: Any, size: int) -> None:
        if size > self.generated:
            log(f"{name}: generating {size - self.generated:,} synthetic cases …")
            seconds = synthetic.generate(self.store, catalogue, size - self.generated, seed=size)
            log(f"{name}: … in {seconds:.1f} s")
            self.generated = size
        self.store.clear_cache()
        self.cold_store.clear_cache()
        for service in self.services.values():
            timed_lifecycle(service, {})  # warm up: definitions, compiled statements

    def close(self) -> None:
        self.store.dispose()
        self.cold_store.dispose()


def latency(
    name: str,
    urls: tuple[tuple[str, str | None], tuple[str, str | None]],
    catalogue: Any,
    sizes: list[int],
    fresh: int,
) -> list[dict[str, Any]]:
    """Per-action latency at each size of the database, measured side by side with a reference
    database that stays at the smallest size (lifecycles alternate between the two), so that
    the ratio big ÷ reference is not moved by what else the machine does meanwhile."""
    sizes = sorted(sizes)
    big = _Database(*urls[0], catalogue)
    ref = _Database(*urls[1], catalogue)
    results = []
    try:
        ref.grow(f"{name} reference", catalogue, sizes[0])
        for size in sizes:
            big.grow(name, catalogue, size)
            ref.grow(f"{name} reference", catalogue, sizes[0])
            times: dict[tuple[str, str], dict[str, list[float]]] = {
                (db, mode): {} for db in ("big", "ref") for mode in ("cache", "no cache")
            }
            t0 = time.perf_counter()
            for _ in range(fresh):
                for mode in ("cache", "no cache"):
                    timed_lifecycle(big.services[mode], times[("big", mode)])
                    timed_lifecycle(ref.services[mode], times[("ref", mode)])
            log(f"{name}: {size:,} stored: {4 * fresh} lifecycles in {time.perf_counter() - t0:.1f} s")
            stored = _stored_cases(big.store)
            ref_stored = _stored_cases(ref.store)
            for mode in ("cache", "no cache"):
                row: dict[str, Any] = {
                    "database": name,
                    "size": size,
                    "stored": stored,
                    "ref_stored": ref_stored,
                    "mode": mode,
                }
                for action in (*TIMED, "all"):
                    for db in ("big", "ref"):
                        by_action = times[(db, mode)]
                        values = (
                            [v for vs in by_action.values() for v in vs]
                            if action == "all"
                            else by_action[action]
                        )
                        row[(db, action)] = (statistics.median(values) * 1000, _p(values, 0.99) * 1000)
                results.append(row)
    finally:
        big.close()
        ref.close()
    return results


def latency_table(results: list[dict[str, Any]], fresh: int) -> list[str]:
    lines = [
        f"per-action latency, ms (median / p99), {fresh} fresh start-a-business lifecycles per size and mode;",
        "'÷ ref' = median of all actions ÷ the same on a reference database holding the smallest number",
        "of cases, measured alternately in the same minutes",
        f"{'database':<12}{'stored cases':>14}  {'case cache':<10}"
        + "".join(f"{a:>16}" for a in (*TIMED, "all 20 actions"))
        + f"{'÷ ref':>8}",
    ]
    for r in results:
        lines.append(
            f"{r['database']:<12}{r['stored']:>14,}  {r['mode']:<10}"
            + "".join(f"{r[('big', a)][0]:>8.2f} /{r[('big', a)][1]:>6.2f}" for a in (*TIMED, "all"))
            + f"{r[('big', 'all')][0] / r[('ref', 'all')][0]:>8.2f}"
        )
    lines.append("")
    for db in dict.fromkeys(r["database"] for r in results):
        for mode in ("cache", "no cache"):
            rows = [r for r in results if r["database"] == db and r["mode"] == mode]
            if len(rows) < 2:
                continue
            small, large = rows[0], rows[-1]
            side = ", ".join(
                f"{a} {large[('big', a)][0] / large[('ref', a)][0]:.2f}" for a in (*TIMED, "all")
            )
            seq = ", ".join(f"{a} {large[('big', a)][0] / small[('big', a)][0]:.2f}" for a in (*TIMED, "all"))
            worst = max(large[("big", a)][0] / large[("ref", a)][0] for a in (*TIMED, "all"))
            lines.append(
                f"{db}, {mode}: median at {large['stored']:,} ÷ reference at {large['ref_stored']:,} "
                f"(side by side): {side} (target ≤ 1.3: {'met' if worst <= 1.3 else 'NOT met'}); "
                f"÷ own run at {small['stored']:,} (earlier, machine load may differ): {seq}"
            )
    return lines


# -------------------------------------------------------------------------------- definitions


def synthetic_catalogue(target: Path, matters: int) -> tuple[int, int]:
    """Write ``matters`` matters (clones of the shipped ones) and their items under ``target``."""
    source = ROOT / "workflows"
    shutil.copy(source / "registry.yaml", target / "registry.yaml")
    if (source / "calendars").is_dir():
        shutil.copytree(source / "calendars", target / "calendars")
    item_files = sorted((source / "items").rglob("*.yaml"))
    matter_files = sorted((source / "matters").glob("*.yaml"))
    codes = [re.search(r"^\s*code:\s*(\S+)", f.read_text(), re.M).group(1) for f in item_files]  # type: ignore[union-attr]
    pattern = re.compile(
        r"(?<![A-Za-z0-9._-])("
        + "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
        + r")(?![A-Za-z0-9._-])"
    )
    copies = -(-matters // len(matter_files))
    written_matters = written_items = 0
    for k in range(copies):
        suffix = "" if k == 0 else f"-s{k:04d}"
        chosen = matter_files[: min(len(matter_files), matters - written_matters)]
        if not chosen:
            break
        # the items of the chosen matters (all items of a copy; unused ones are harmless but counted)
        needed = set()
        for m in chosen:
            needed |= set(pattern.findall(m.read_text()))
        out = target / f"copy{k:04d}"
        (out / "items").mkdir(parents=True)
        (out / "matters").mkdir()
        for f, code in zip(item_files, codes, strict=True):
            if code not in needed:
                continue
            text = pattern.sub(lambda m, s=suffix: m.group(1) + s, f.read_text())
            (out / "items" / f"{code}{suffix}.yaml").write_text(text)
            written_items += 1
        for m in chosen:
            text = pattern.sub(lambda x, s=suffix: x.group(1) + s, m.read_text())
            text = re.sub(
                r"^(  id:\s*)(\S+)",
                lambda x, s=suffix: x.group(1) + x.group(2) + s,
                text,
                count=1,
                flags=re.M,
            )
            (out / "matters" / f"{m.stem}{suffix}.yaml").write_text(text)
            written_matters += 1
    return written_matters, written_items


def definitions(sizes: list[int], rounds: int = 3) -> list[str]:
    """Loading a catalogue three ways, side by side at each size:

    * cold: ``check()`` without the catalogue cache, in its stages (YAML parsing — libyaml events,
      line numbers kept, ruamel for what it cannot match —, then validation, static analysis and
      building the catalogue) and whole;
    * first: ``check(cache=…)`` on an empty cache: the cold load plus writing the entry;
    * warm: ``check(cache=…)`` again (reading and hashing every file, then the entry), in this
      process and in a new one (``python -c``: the start of a command, imports included);

    then compiling the engine (state machines) of every matter. Each figure is the best of
    ``rounds`` rounds (a round measures cold, first and warm in turn), as CPU time of the
    process (``time.process_time``; for the new process its ``getrusage`` user + system) and as
    wall time: on a shared machine the CPU time moves far less with the load."""
    import subprocess

    from oneservice.catalog import loader, yamlio
    from oneservice.catalog.cache import CatalogueCache
    from oneservice.catalog.yamlio import read_document

    names = ("parse", "check", "cold", "first", "warm", "process")
    lines = [
        "definition load and check (synthetic catalogues cloned from workflows/); best of "
        f"{rounds} rounds; CPU seconds (wall seconds)",
        f"{'matters':>8}{'items':>7}{'files':>7}{'parse':>13}{'check+build':>13}{'cold':>13}"
        f"{'first':>13}{'warm':>13}{'warm, new process':>19}{'entry MB':>10}{'warm÷cold':>11}",
    ]
    probe = ("import sys; from oneservice.catalog.loader import check; "
             "assert check([sys.argv[1]], cache=sys.argv[2]).cached")

    def clocks() -> tuple[float, float]:
        return time.process_time(), time.perf_counter()

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp) / "site"
            site.mkdir()
            matters, items = synthetic_catalogue(site, n)
            cpu: dict[str, float] = {}
            wall: dict[str, float] = {}

            def keep(name: str, since: tuple[float, float], now: tuple[float, float] | None = None,
                     cpu: dict[str, float] = cpu, wall: dict[str, float] = wall) -> None:
                c, w = now or clocks()
                cpu[name] = min(cpu.get(name, float("inf")), c - since[0])
                wall[name] = min(wall.get(name, float("inf")), w - since[1])

            for r in range(rounds):
                yamlio._PLAIN_SEEN.clear()  # nothing remembered from the round before
                with loader.paused_collector():  # as check() does
                    t0 = clocks()
                    files, problems = loader._discover([site])  # what check() does, stage by stage
                    documents = []
                    for file in files:
                        doc, found = read_document(file, loader._display_name(file))
                        problems.extend(found)
                        if doc is not None:
                            documents.append(doc)
                    t1 = clocks()
                    report = loader._check_documents(documents, problems, len(files))
                    keep("check", t1)
                keep("parse", t0, t1)
                del documents, report
                yamlio._PLAIN_SEEN.clear()
                t0 = clocks()
                cold = loader.check([site])
                keep("cold", t0)
                errors = [f for f in cold.findings if f.is_error]
                if errors or cold.catalogue is None:
                    raise SystemExit(f"synthetic catalogue of {n} matters has errors: {errors[:3]}")
                assert len(cold.catalogue.plans) == matters, (len(cold.catalogue.plans), matters)
                yamlio._PLAIN_SEEN.clear()
                cache = CatalogueCache(Path(tmp) / f"cache{r}")
                t0 = clocks()
                first = loader.check([site], cache=cache)
                keep("first", t0)
                assert not first.cached and cache.writes == 1
                t0 = clocks()
                warm = loader.check([site], cache=cache)
                keep("warm", t0)
                assert warm.cached and warm.catalogue == cold.catalogue
                before, t0 = children(), clocks()
                subprocess.run([sys.executable, "-c", probe, str(site), str(cache.folder)], check=True, cwd=ROOT)
                keep("process", (before, t0[1]), (children(), time.perf_counter()))
                [entry] = cache.entries()
                megabytes = entry.stat().st_size / 1e6
                del first, warm
            catalogue = cold.catalogue
            log(f"definitions: {matters} matters done")
            shown = {k: f"{cpu[k]:.2f} ({wall[k]:.2f})" for k in names}
            lines.append(
                f"{matters:>8}{items:>7}{len(files):>7}{shown['parse']:>13}{shown['check']:>13}"
                f"{shown['cold']:>13}{shown['first']:>13}{shown['warm']:>13}{shown['process']:>19}"
                f"{megabytes:>10.1f}{cpu['warm'] / cpu['cold']:>11.2f}"
            )
            del catalogue, cold
    lines.append("warm, new process: `python -c` loading from the cache, interpreter start and imports "
                 "included")
    lines.append(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return lines


# ------------------------------------------------------------------------------------- memory


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory(catalogue: Any, checkpoints: list[int], max_minutes: float, directory: str | None) -> list[str]:
    tmp = tempfile.mkdtemp(dir=directory)
    store = Store(f"sqlite:///{tmp}/memory.sqlite")
    store.migrate()
    service = OneService(catalogue, store, clock=SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)))
    lines = [
        f"memory: one OneService, one SQLite file, start-a-business lifecycles in sequence "
        f"(case cache {store._cache.size})",
        f"{'cases':>9}{'RSS MiB':>9}{'peak MiB':>10}{'cached':>8}{'KiB/case since previous':>25}{'cases/s':>9}",
    ]
    deadline = time.monotonic() + max_minutes * 60
    done = 0
    first: tuple[int, float] | None = None
    t_start = time.perf_counter()
    stopped = False
    try:
        for target in sorted(checkpoints):
            while done < target:
                lifecycle.lifecycle(service)
                done += 1
                if done % 1000 == 0:
                    if done % 10000 == 0:
                        log(f"memory: {done:,} cases, RSS {rss_mib():.1f} MiB")
                    if time.monotonic() > deadline:
                        stopped = True
                        break
            gc.collect()
            rss = rss_mib()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            growth = "" if first is None else f"{(rss - first[1]) * 1024 / max(1, done - first[0]):.4f}"
            first = (done, rss)
            rate = done / (time.perf_counter() - t_start)
            lines.append(f"{done:>9,}{rss:>9.1f}{peak:>10.1f}{len(store._cache):>8}{growth:>25}{rate:>9.1f}")
            if stopped:
                lines.append(f"(stopped after {max_minutes:g} minutes at {done:,} cases)")
                break
    finally:
        store.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return lines


# --------------------------------------------------------------------------------------- main


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", default="latency,definitions,memory")
    parser.add_argument(
        "--sizes",
        type=_ints,
        default=[1000, 100_000, 1_000_000],
        help="stored cases for latency on SQLite (default 1000,100000,1000000)",
    )
    parser.add_argument(
        "--pg-sizes",
        type=_ints,
        default=[1000, 100_000],
        help="stored cases on PostgreSQL (default 1000,100000; 1M takes ~7 min to generate)",
    )
    parser.add_argument("--fresh", type=int, default=200, help="timed lifecycles per size and cache mode")
    parser.add_argument("--matters", type=_ints, default=[10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the definitions part (best kept)")
    parser.add_argument("--memory-cases", type=_ints, default=[1000, 10_000, 50_000, 100_000])
    parser.add_argument("--max-minutes", type=float, default=120, help="bound of the memory run")
    parser.add_argument("--dir", default=None, help="where the SQLite files go (default: the temp dir)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ONESERVICE_TEST_DATABASE_URL"),
        help="PostgreSQL URL for latency too; a fresh schema is created and dropped",
    )
    args = parser.parse_args()
    parts = set(args.part.split(","))
    catalogue = load_catalogue([ROOT / "workflows"])
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    if "definitions" in parts:
        print("\n".join(definitions(args.matters, args.rounds)) + "\n", flush=True)
    if "latency" in parts:
        results = []
        tmp = tempfile.mkdtemp(dir=args.dir)
        try:
            urls = ((f"sqlite:///{tmp}/scaling.sqlite", None), (f"sqlite:///{tmp}/reference.sqlite", None))
            results += latency("sqlite", urls, catalogue, args.sizes, args.fresh)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if args.postgres:
            tag = uuid.uuid4().hex[:8]
            schemas = (f"scaling_{tag}", f"scaling_ref_{tag}")
            try:
                urls = ((args.postgres, schemas[0]), (args.postgres, schemas[1]))
                results += latency("postgresql", urls, catalogue, args.pg_sizes, args.fresh)
            finally:
                for schema in schemas:
                    Store(args.postgres, schema=schema).drop_schema()
        print("\n".join(latency_table(results, args.fresh)) + "\n", flush=True)
    if "memory" in parts:
        print("\n".join(memory(catalogue, args.memory_cases, args.max_minutes, args.dir)), flush=True)


if __name__ == "__main__":
    main()
