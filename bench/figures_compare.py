"""The report's SQL before and after, side by side in one run, on the same stored cases.

    python bench/figures_compare.py --cases 1000000 --sqlite /tmp/figures-1m.sqlite \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test --schema figures_1m \
        [--before d4c1107 | --kept] [--rounds 3]

``--kept``: "before" is the report computed from the cases (``figures.report_rows``), "after"
the report from the figures kept per case (``figure_reads.kept_report_rows``, migration 0019).

The cases are generated once by ``bench/synthetic.py``'s generator into the given SQLite file
and PostgreSQL schema, both kept so that later runs reuse them (``--drop`` removes the schema at
the end). "Before" is ``oneservice/store/figures.py`` as of the ``--before`` commit, read with
``git show`` and loaded as a module beside the current one; both compute the same rows (checked
here on every database and grouping), rounds alternate before/after, and the table prints the
median seconds and the ratio after ÷ before per grouping.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import func, select  # noqa: E402
from synthetic import TODAY, generate  # noqa: E402

from oneservice import Store, load_catalogue  # noqa: E402
from oneservice.store import figure_reads  # noqa: E402
from oneservice.store import figures as after  # noqa: E402
from oneservice.store.tables import cases  # noqa: E402

GROUPINGS = ("all", "matter", "department", "location")


def module_at(rev: str, path_in_repo: str, name: str) -> ModuleType:
    """``path_in_repo`` as of git revision ``rev``, loaded as module ``name``."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path_in_repo}"], check=True, capture_output=True, text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _norm(value: Any) -> Any:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def normalised(rows: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted((tuple(_norm(v) for v in row) for row in rows[k]), key=repr) for k in sorted(rows)}


def stored(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


def run(name: str, store: Store, catalogue: Any, count: int, seed: int, rounds: int,
        versions: dict[str, Any]) -> list[str]:
    store.migrate()
    have = stored(store)
    if have == 0:
        print(f"{name}: generating {count:,} cases …", flush=True)
        print(f"{name}: generated in {generate(store, catalogue, count, seed):.1f} s", flush=True)
        have = stored(store)
    lines = []
    for by in GROUPINGS:
        times: dict[str, list[float]] = {label: [] for label in versions}
        results: dict[str, dict[str, Any]] = {}
        for _ in range(rounds):
            for label, module in versions.items():
                with store.transaction() as tx:
                    t0 = time.perf_counter()
                    rows = module.report_rows(tx, None, None, by, TODAY)
                    times[label].append(time.perf_counter() - t0)
                if label != "baseline":
                    results[label] = normalised(rows)
        same = results["before"] == results["after"]
        if not same:
            diff = [k for k in results["after"] if results["before"].get(k) != results["after"][k]]
            raise SystemExit(f"{name} by {by}: before and after differ in {diff}")
        median = {label: statistics.median(seconds) for label, seconds in times.items()}
        a, b = median["after"], median["before"]
        cells = [f"{median['baseline']:.2f} s"] if "baseline" in median else []
        cells += [f"{b:.2f} s", f"{a:.2f} s", f"{a / b:.2f}"]
        if "baseline" in median:
            cells.append(f"{a / median['baseline']:.2f}")
        lines.append(f"| {name} | {have:,} | {by} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", default=None, help="SQLite file, kept and reused (default: temporary)")
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL")
    parser.add_argument("--schema", default="figures_bench", help="PostgreSQL schema, kept and reused")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL schema at the end")
    parser.add_argument("--before", default="d4c1107", help="git revision of the 'before' figures.py")
    parser.add_argument("--baseline", default=None, metavar="REV:PATH",
                        help="also time this older report_rows (e.g. 0ee8472:oneservice/store/supervision.py, "
                             "before issue 13 added figures); its rows differ, so they are not compared")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kept", action="store_true",
                        help="before: the report computed from the cases; after: from the kept figures")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    catalogue = load_catalogue([ROOT / "workflows"])
    if args.kept:
        versions = {"before": after, "after": SimpleNamespace(report_rows=figure_reads.kept_report_rows)}
        args.before = "computed"
    else:
        versions = {"before": module_at(args.before, "oneservice/store/figures.py", "figures_before"),
                    "after": after}
    header = ["before", "after", "after ÷ before"]
    if args.baseline:
        rev, _, path = args.baseline.partition(":")
        versions = {"baseline": module_at(rev, path, "figures_baseline"), **versions}
        header = ["baseline", *header, "after ÷ baseline"]
    print(f"report_rows of {', '.join(versions)} (before: {args.before}, baseline: {args.baseline}), "
          f"median of {args.rounds} alternating rounds, {dt.date.today()}")
    print("| database | cases | grouping | " + " | ".join(header) + " |")
    print("|---|---|---|" + "---|" * len(header))
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{args.sqlite or tmp + '/figures.sqlite'}")
            run("SQLite", store, catalogue, args.cases, args.seed, args.rounds, versions)
            store.dispose()
    if args.postgres:
        store = Store(args.postgres, schema=args.schema)
        try:
            run("PostgreSQL", store, catalogue, args.cases, args.seed, args.rounds, versions)
        finally:
            if args.drop:
                store.drop_schema()
            store.dispose()


if __name__ == "__main__":
    main()
