"""Time acceptance conditions: before (cel-python) and after (cel-expr-python), and 8 threads at once.

    python bench/conditions.py [--number 2000] [--repeat 5] [--threads 8]

Every condition of the shipped catalogue is evaluated with the form data that ``oneservice demo``
uses (``oneservice.samples.sample_form``), and this prints

* the time per evaluation, as the engine calls it (``oneservice.domain.conditions.evaluate``:
  the form values converted, the compiled program run, the outcome built), beside the same work
  done the way version 0.1 did it (cel-python 0.5's ``CompiledRunner`` behind one process-wide
  lock, activation converted to celpy types) when cel-python is installed
  (``pip install cel-python``), with the ratio; without it, the figure measured before the change
  (64–86 µs per evaluation, issue 14) is printed instead;
* the raw evaluation of each library alone (``Expression.eval`` of cel-expr-python, and
  ``Program.execute`` of common-expression-language when it is installed), for the record;
* the throughput of 1 thread and of ``--threads`` threads evaluating at once, and their ratio:
  oneservice takes no lock, so 8 threads get at least the throughput of one (neither CEL binding
  releases the GIL, so they do not get more); with the old lock and a slow condition, every
  other evaluation waited;
* how long a condition that spends the evaluator's whole budget (10 000 comprehension steps)
  takes before it stops with an error, and how long a cheap evaluation takes while 7 threads
  evaluate such a condition: after, it waits at most for a switch of the GIL; before, it waited
  behind the lock for every slow evaluation queued ahead of it.

All figures come from this run, on this machine; there is no pass or fail.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oneservice.catalog.loader import load_catalogue  # noqa: E402
from oneservice.domain import conditions  # noqa: E402
from oneservice.samples import sample_form  # noqa: E402

OLD_FIGURE = "64–86 µs (measured with cel-python 0.5 before the change, issue 14)"


def workload() -> list[tuple[str, dict[str, Any]]]:
    """(expression, form) for every condition of the shipped catalogue, with demo form data."""
    catalogue = load_catalogue(ROOT / "workflows")
    out = []
    for plan in catalogue.plans.values():
        form = sample_form(plan)
        for item in plan.items:
            out.extend((c.expression, form) for c in item.conditions)
    return out


def old_evaluator() -> Callable[[str, dict[str, Any]], bool] | None:
    """Version 0.1's evaluation (celpy CompiledRunner, one lock), or None without cel-python."""
    try:
        import celpy
        from celpy import celtypes
    except ImportError:
        return None
    env = celpy.Environment(runner_class=celpy.CompiledRunner)
    lock = threading.Lock()
    programs: dict[str, Any] = {}

    def to_cel(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return celtypes.BoolType(value)
        if isinstance(value, int):
            return celtypes.IntType(value)
        if isinstance(value, float):
            return celtypes.DoubleType(value)
        return celtypes.StringType(str(value))

    def evaluate(expression: str, form: dict[str, Any]) -> bool:
        program = programs.get(expression)
        if program is None:
            program = programs[expression] = env.program(env.compile(expression))
        names = conditions.compile_expression(expression).identifiers
        activation = {n: to_cel(form.get(n)) for n in names}
        with lock:
            result = program.evaluate(activation)
        return bool(result) if isinstance(result, celtypes.BoolType | bool) else False

    return evaluate


def per_call(fn: Callable[[], object], number: int, repeat: int) -> float:
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def throughput(fn: Callable[[], object], threads: int, total: int) -> float:
    """Evaluations per second of ``threads`` threads sharing ``total`` evaluations."""
    share = total // threads
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(share):
            fn()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return share * threads / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000, help="evaluations per timing run")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs (the best counts)")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    logging.getLogger("oneservice.conditions").setLevel(logging.ERROR)  # the bomb logs each failure

    work = workload()
    for expression, form in work:
        assert conditions.evaluate(expression, form).passed, expression
    count = len(work)

    def new_all() -> None:
        for expression, form in work:
            conditions.evaluate(expression, form)

    new = per_call(new_all, max(1, args.number // count), args.repeat) / count
    old_eval = old_evaluator()
    print(f"{count} conditions of the shipped catalogue, demo form data; time per evaluation")
    print(f"  {'after: oneservice evaluate (cel-expr-python)':<58}{new * 1e6:9.2f} µs")
    old = None
    if old_eval is not None:
        def old_all() -> None:
            for expression, form in work:
                old_eval(expression, form)

        old = per_call(old_all, max(1, args.number // count // 10), args.repeat) / count
        print(f"  {'before: cel-python CompiledRunner behind one lock':<58}{old * 1e6:9.2f} µs")
        print(f"  {'ratio before / after':<58}{old / new:9.1f} ×")
    else:
        print(f"  {'before: cel-python is not installed; the old figure':<58}{OLD_FIGURE}")
        print(f"  {'ratio before / after (from 64 µs)':<58}{64e-6 / new:9.1f} ×")

    from cel_expr_python import cel as google_cel

    expression, form = max(work, key=lambda w: len(w[0]))
    names = sorted(conditions.compile_expression(expression).identifiers)
    data = {n: form.get(n) for n in names}
    program = google_cel.NewEnv(variables=dict.fromkeys(names, google_cel.Type.DYN)).compile(expression)
    print(f"\nthe longest condition ({len(expression)} characters), the library alone")
    print(f"  {'cel-expr-python Expression.eval':<58}"
          f"{per_call(lambda: program.eval(data=data).value(), args.number, args.repeat) * 1e6:9.2f} µs")
    try:
        import cel as rust_cel
    except ImportError:
        print(f"  {'common-expression-language: not installed':<58}")
    else:
        rust = rust_cel.compile(expression)
        print(f"  {'common-expression-language Program.execute':<58}"
              f"{per_call(lambda: rust.execute(data), args.number, args.repeat) * 1e6:9.2f} µs")

    total = args.number * 4
    cheap_expr, cheap_form = work[0]

    def cheap() -> None:
        conditions.evaluate(cheap_expr, cheap_form)

    print(f"\nthroughput, {total} evaluations shared by the threads (best of {args.repeat})")
    one = max(throughput(cheap, 1, total) for _ in range(args.repeat))
    many = max(throughput(cheap, args.threads, total) for _ in range(args.repeat))
    print(f"  {'after, 1 thread':<58}{one:12,.0f} /s")
    print(f"  {f'after, {args.threads} threads at once':<58}{many:12,.0f} /s")
    print(f"  {f'ratio {args.threads} threads / 1 thread':<58}{many / one:12.2f}")
    if old_eval is not None:
        def old_cheap() -> None:
            old_eval(cheap_expr, cheap_form)

        one_old = max(throughput(old_cheap, 1, total // 10) for _ in range(args.repeat))
        many_old = max(throughput(old_cheap, args.threads, total // 10) for _ in range(args.repeat))
        print(f"  {'before, 1 thread':<58}{one_old:12,.0f} /s")
        print(f"  {f'before, {args.threads} threads at once':<58}{many_old:12,.0f} /s")
        print(f"  {f'ratio {args.threads} threads / 1 thread':<58}{many_old / one_old:12.2f}")

    values = ", ".join(str(n) for n in range(30))
    bomb = f"[{values}].all(a, [{values}].all(b, [{values}].all(c, a + b + c >= n)))"
    outcome = conditions.evaluate(bomb, {"n": 0}, name="bench")
    spent = per_call(lambda: conditions.evaluate(bomb, {"n": 0}, name="bench"), 20, args.repeat)
    print(f"\na condition over the budget (27 000 steps; OS263 at load), evaluated anyway: {outcome.error}")
    print(f"  {'time until it stops':<58}{spent * 1e3:9.2f} ms")
    print(f"\na cheap evaluation while {args.threads - 1} threads evaluate a slow condition (500 of them)")
    waits = waiting(cheap, lambda: conditions.evaluate(bomb, {"n": 0}, name="bench"), args.threads - 1)
    print(f"  {'after (the slow one spends the whole budget): median':<58}{statistics.median(waits) * 1e6:9.1f} µs")
    print(f"  {'… worst':<58}{max(waits) * 1e6:9.1f} µs")
    if old_eval is not None:
        ten = ", ".join(str(n) for n in range(10))
        slow = f"[{ten}].all(a, [{ten}].all(b, a + b >= n))"  # 100 steps; the budget bomb would take minutes
        old_slow = per_call(lambda: old_eval(slow, {"n": 0}), 3, 1)
        waits = waiting(lambda: old_eval(cheap_expr, cheap_form), lambda: old_eval(slow, {"n": 0}),
                        args.threads - 1)
        print(f"  {f'before (the slow one: 100 steps, {old_slow * 1e3:.1f} ms, under the lock): median':<58}"
              f"{statistics.median(waits) * 1e6:9.1f} µs")
        print(f"  {'… worst':<58}{max(waits) * 1e6:9.1f} µs")


def waiting(cheap: Callable[[], object], slow: Callable[[], object], threads: int) -> list[float]:
    """The time of 500 cheap evaluations, each while ``threads`` threads run ``slow`` in a loop."""
    stop = threading.Event()

    def heavy() -> None:
        while not stop.is_set():
            slow()

    pool = [threading.Thread(target=heavy) for _ in range(threads)]
    for t in pool:
        t.start()
    waits = []
    try:
        for _ in range(500):
            start = time.perf_counter()
            cheap()
            waits.append(time.perf_counter() - start)
    finally:
        stop.set()
        for t in pool:
            t.join()
    return waits


if __name__ == "__main__":
    main()
