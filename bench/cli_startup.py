"""Wall time of ``oneservice --help`` beside the interpreter's own start-up (``python -c pass``).

    python bench/cli_startup.py [--repeat 20] [--command "check --help"]

Each round runs every process once, in turn, so the machine's load falls on all of them alike;
the table gives the median and the best of ``--repeat`` rounds after one warm-up round, and each
row's difference from and ratio to ``python -c pass``. The rows:

* ``python -c pass`` — the floor: the interpreter and ``site`` (the editable install's finder);
* ``oneservice --help`` — the installed console script next to this interpreter (else
  ``python -m oneservice.cli``), and ``oneservice CMD --help`` for each ``--command``;
* ``import oneservice.cli`` — the import alone, without click's help formatting;
* ``... + service + http`` — the same with the service (SQLAlchemy, transitions, the
  catalogue) and the HTTP app (Flask) imported too: what every command paid before the
  command modules imported what they run inside their bodies.

Nothing is asserted; the target is ``oneservice --help`` ≤ 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "oneservice"


def oneservice(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "oneservice.cli", *args]


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="rounds measured (after one warm-up)")
    parser.add_argument("--command", action="append", default=None,
                        help='a command line to time with --help, e.g. "serve" (repeatable; default: '
                             'check, serve, token issue)')
    args = parser.parse_args()
    commands = args.command if args.command is not None else ["check", "serve", "token issue"]
    runs: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "oneservice --help": oneservice("--help"),
        **{f"oneservice {c} --help": oneservice(*c.split(), "--help") for c in commands},
        "import oneservice.cli": [sys.executable, "-c", "import oneservice.cli"],
        "... + service + http": [sys.executable, "-c",
                                 "import oneservice.cli, oneservice.service, oneservice.http"],
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(args.repeat + 1):
        for name, argv in runs.items():
            elapsed = wall(argv)
            if round_:  # the first round warms the file cache and the bytecode
                times[name].append(elapsed)
    floor = statistics.median(times["python -c pass"])
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{args.repeat} rounds; console script: {' '.join(oneservice())}")
    print(f"{'process':<32}{'median s':>10}{'best s':>9}{'- floor s':>11}{'x floor':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<32}{median:>10.3f}{min(values):>9.3f}{median - floor:>11.3f}{median / floor:>9.1f}")


if __name__ == "__main__":
    main()
