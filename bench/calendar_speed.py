"""Time the working-day calendar: one deadline computation, side by side with two baselines.

    python bench/calendar_speed.py [--number 500] [--repeat 3]

Every acceptance computes the case deadline and one deadline per item, and every suspension
recomputes two, so ``WorkCalendar.add_working_days`` runs on the hot path of the engine. This
prints the time per call of

* ``oneservice`` — ``WorkCalendar.default().add_working_days(start, n)`` once the year is indexed
  (the warm-up call indexes it),
* ``chinese_calendar`` — ``chinese_calendar.find_workday(n, start)``, the library the bundled
  calendar data comes from,
* ``weekdays only`` — a bare Python loop that steps day by day and skips Saturdays and Sundays
  (no holiday data at all): the floor of any day-by-day walk,

for 1, 20 and 100 working days from Mon 2 Mar 2026, the best of ``--repeat`` runs of ``--number``
calls each, with the ratio of oneservice to each baseline. All three are measured in this run, on
this machine, so the ratios compare like with like; there is no pass or fail (the test suite used
to assert < 0.5 ms per call, a wall-clock limit on a shared machine).
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chinese_calendar  # noqa: E402

from oneservice.engine.calendar import WorkCalendar  # noqa: E402

START = date(2026, 3, 2)  # a Monday
SPANS = (1, 20, 100)  # all inside 2026, the last year chinese_calendar 1.11 knows
_ONE_DAY = timedelta(days=1)


def weekdays_only(start: date, n: int) -> date:
    """The n-th Monday-to-Friday day after ``start``, stepping one day at a time."""
    day = start
    while n:
        day += _ONE_DAY
        if day.weekday() < 5:
            n -= 1
    return day


def per_call(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best time per call, in seconds, of ``repeat`` runs of ``number`` calls."""
    fn()  # warm-up: the calendar indexes the year on first use
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=500, help="calls per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is kept")
    args = parser.parse_args(argv)

    cal = WorkCalendar.default()
    print(f"add_working_days from {START} (Mon), best of {args.repeat} x {args.number} calls, µs per call")
    print(f"{'days':>5}  {'oneservice':>11}  {'chinese_calendar':>16}  {'weekdays only':>13}  "
          f"{'ours ÷ chinese_calendar':>23}  {'ours ÷ weekdays only':>20}")
    for n in SPANS:
        ours = cal.add_working_days(START, n).date
        theirs = chinese_calendar.find_workday(n, START)
        if ours != theirs:  # the comparison means something only if both agree
            raise SystemExit(f"{n} working days: oneservice says {ours}, chinese_calendar {theirs}")
        t_ours = per_call(lambda n=n: cal.add_working_days(START, n), args.number, args.repeat)
        t_lib = per_call(lambda n=n: chinese_calendar.find_workday(n, START), args.number, args.repeat)
        t_floor = per_call(lambda n=n: weekdays_only(START, n), args.number, args.repeat)
        print(f"{n:>5}  {t_ours * 1e6:>11.2f}  {t_lib * 1e6:>16.2f}  {t_floor * 1e6:>13.2f}  "
              f"{t_ours / t_lib:>23.2f}  {t_ours / t_floor:>20.2f}")


if __name__ == "__main__":
    main()
