"""How a step definition runs under pytest-bdd: argument conversion, errors, locations.

The runner pytest-bdd calls has the signature ``(oneservice_world, <placeholders>, datatable)``
so that pytest-bdd passes the parsed values and the data table. It converts typed values,
runs actions through :meth:`World.act` (a service error waits for the next step to assert it)
and turns a :class:`~oneservice.bdd.names.ScenarioProblem` into a failure naming the feature
file, the line and the step.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oneservice import OneServiceError

from .library import CHANNEL_WORDS, DELIVERY_WORDS, RATING_WORDS, placeholders
from .names import ScenarioProblem
from .world import World

if TYPE_CHECKING:
    from .library import StepDef

__all__ = ["STEP_ATTRIBUTE", "convert", "make_runner"]

STEP_ATTRIBUTE = "oneservice_step"
"""The attribute of a runner that holds its :class:`StepDef` (the plugin's hooks read it)."""

WORLD = "oneservice_world"


def _date(value: str) -> dt.date:
    try:
        year, month, day = (int(part) for part in value.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        raise ScenarioProblem(f"{value!r} is not a date (write it as 2026-09-29)") from None


def _time(value: str) -> dt.time:
    hour, minute = (int(part) for part in value.replace("：", ":").split(":"))
    try:
        return dt.time(hour, minute)
    except ValueError:
        raise ScenarioProblem(f"{value!r} is not a time of day (write it as 16:00)") from None


def _word(table: dict[str, dict[str, str]], value: str) -> str:
    return table["en"].get(value) or table["zh"][value]


def convert(kind: str, value: str) -> Any:
    """The Python value of a placeholder of type ``kind`` (see :data:`library.TYPES`)."""
    if kind == "text":
        return value.strip()
    if kind == "int":
        return int(value)
    if kind == "date":
        return _date(value)
    if kind == "time":
        return _time(value)
    if kind == "channel":
        return _word(CHANNEL_WORDS, value)  # type: ignore[arg-type]
    if kind == "delivery":
        return _word(DELIVERY_WORDS, value)  # type: ignore[arg-type]
    if kind == "rating":
        return int(value) if value.isdigit() else RATING_WORDS[value]
    raise AssertionError(f"unknown placeholder type {kind}")  # pragma: no cover


def make_runner(definition: StepDef) -> Callable[..., None]:
    """The function pytest-bdd calls for ``definition``."""
    types = placeholders(definition.en)
    func = definition.func
    wanted = inspect.signature(func).parameters
    missing = [name for name in types if name not in wanted]
    if missing:
        raise TypeError(f"step function {func.__name__} lacks the parameters {missing}")
    takes_table = "datatable" in wanted

    def run(**kwargs: Any) -> None:
        world: World = kwargs[WORLD]
        problem: str | None = None
        try:
            args = {name: None if kwargs.get(name) is None else convert(kind, kwargs[name])
                    for name, kind in types.items()}
            if takes_table:
                args["datatable"] = kwargs.get("datatable")
            if definition.kind == "action":
                world.act(lambda: func(world, **args))
            else:
                func(world, **args)
        except ScenarioProblem as exc:
            problem = str(exc)
        except OneServiceError as exc:
            problem = f"{type(exc).__name__} {exc.code}: {exc}"
        if problem is not None:  # failed outside the except block: no chained traceback
            world.fail(problem)

    parameters = [inspect.Parameter(WORLD, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters += [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)
                   for name in [*types, *(["datatable"] if takes_table else [])]]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__name__ = run.__qualname__ = func.__name__
    run.__doc__ = func.__doc__
    run.__module__ = func.__module__
    setattr(run, STEP_ATTRIBUTE, definition)
    return run
