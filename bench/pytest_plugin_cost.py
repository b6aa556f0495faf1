"""What oneservice's pytest entry point costs a project that does not use oneservice.

    python bench/pytest_plugin_cost.py [--repeat 10]

An unrelated project (one test module with one test, in a temporary folder) is run with
``python -m pytest -q -p no:cacheprovider`` four ways, each round running each once, in turn, so
the machine's load falls on all alike; the table gives the median and the best of ``--repeat``
rounds after a warm-up round, and each row's ratio to the run without oneservice's entry point:

* ``without oneservice`` — ``-p no:oneservice``: the entry point is not loaded (the floor);
* ``with the entry point`` — the run as it is in an environment with oneservice installed:
  :mod:`oneservice.bdd.entry` is loaded and stays inert;
* ``step library forced`` — ``-p oneservice.bdd.plugin``: what every run paid when the entry
  point was the step library itself (pytest-bdd, oneservice, its steps);
* ``foreign pytest-bdd project`` — the project's module imports pytest_bdd (no oneservice
  catalogue): the entry point must stay inert there too.

Needs the ``[bdd]`` extra (pytest-bdd) for the last two rows. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = "def test_one():\n    assert 1 + 1 == 2\n"
FOREIGN = "import pytest_bdd  # noqa: F401\n\n\ndef test_one():\n    assert 1 + 1 == 2\n"


def wall(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} in {cwd} failed:\n{done.stdout.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10, help="rounds measured (after one warm-up)")
    args = parser.parse_args()
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryDirectory() as tmp:
        plain, foreign = Path(tmp) / "plain", Path(tmp) / "foreign"
        for folder, text in ((plain, PLAIN), (foreign, FOREIGN)):
            folder.mkdir()
            (folder / "test_unrelated.py").write_text(text)
            (folder / "pytest.ini").write_text("[pytest]\n")
        runs: dict[str, tuple[list[str], Path]] = {
            "without oneservice": ([*pytest, "-p", "no:oneservice"], plain),
            "with the entry point": (pytest, plain),
            "step library forced": ([*pytest, "-p", "oneservice.bdd.plugin"], plain),
            "foreign pytest-bdd project": (pytest, foreign),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for round_ in range(args.repeat + 1):
            for name, (argv, cwd) in runs.items():
                elapsed = wall(argv, cwd)
                if round_:  # the first round warms the file cache and the bytecode
                    times[name].append(elapsed)
    floor = statistics.median(times["without oneservice"])
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{args.repeat} rounds; one-test project, python -m pytest -q")
    print(f"{'run':<30}{'median s':>10}{'best s':>9}{'x without':>11}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<30}{median:>10.3f}{min(values):>9.3f}{median / floor:>11.2f}")


if __name__ == "__main__":
    main()
