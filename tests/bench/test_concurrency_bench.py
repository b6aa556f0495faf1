"""bench/concurrency.py at the smallest size: it completes, and its floor replays oneservice's writes.

The benchmark's figures are printed, never asserted. What is asserted is what makes its ratios
mean something: the driver-alone floor (and its variant without the outbox counter's UPDATE)
writes exactly the rows oneservice writes (every table, the same count), in processes that each
handled their own share of distinct cases.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_concurrency_bench_runs_and_the_floor_writes_what_oneservice_writes(tmp_path: Path) -> None:
    systems = ["oneservice", "driver", "nocounter"]
    if importlib.util.find_spec("SpiffWorkflow") is not None:
        systems.append("spiff")
    pg = os.environ.get("ONESERVICE_TEST_DATABASE_URL")
    out = tmp_path / "runs.json"
    command = [sys.executable, str(ROOT / "bench" / "concurrency.py"), "--processes", "1,2", "--cases", "2",
               "--rounds", "1", "--systems", ",".join(systems), "--json", str(out),
               *(["--postgres", pg] if pg else ["--sqlite"])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "oneservice ÷ floor" in done.stdout
    runs = {(r["system"], r["processes"]): r for r in json.loads(out.read_text())}
    assert set(runs) == {(s, p) for s in systems for p in (1, 2)}
    for processes in (1, 2):
        mine, floor = runs["oneservice", processes], runs["driver", processes]
        assert mine["cases"] == floor["cases"] == 2
        # one case before the processes start, one warm-up per process, then the timed cases
        assert mine["rows"]["cases"] == 1 + processes + 2
        assert mine["rows"]["events"] > 0
        assert mine["rows"] == floor["rows"] == runs["nocounter", processes]["rows"]
        if "spiff" in systems:
            assert runs["spiff", processes]["rows"]["spiff_workflows"] == processes + 2
