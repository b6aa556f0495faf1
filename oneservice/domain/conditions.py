"""Acceptance conditions in CEL (the Common Expression Language): safe, no Python ``eval``.

A condition is a boolean expression over the form fields of an item, for example
``registered_capital > 0 && size(company_name) >= 4``. Expressions are parsed when definitions
load (syntax errors and unknown field names are definition errors) and evaluated at intake.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Mapping
from typing import Any

import attrs
import celpy
from celpy import celtypes

__all__ = ["ConditionSyntaxError", "Outcome", "compile_expression", "evaluate"]

_ENV = celpy.Environment()


class ConditionSyntaxError(ValueError):
    """The expression is not valid CEL; ``column`` is 1-based within the expression."""

    def __init__(self, message: str, column: int | None) -> None:
        self.column = column
        super().__init__(message)


@attrs.frozen
class Compiled:
    expression: str
    identifiers: frozenset[str]
    program: Any = attrs.field(eq=False, repr=False)


@attrs.frozen
class Outcome:
    """The result of evaluating one condition: ``passed`` or not, and why it could not run."""

    passed: bool
    error: str | None = None


@functools.lru_cache(maxsize=4096)
def compile_expression(expression: str) -> Compiled:
    """Parse ``expression``; raise :class:`ConditionSyntaxError` when it is not valid CEL."""
    try:
        ast = _ENV.compile(expression)
    except Exception as exc:  # celpy raises CELParseError and, on odd input, lark errors
        column = getattr(exc, "column", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConditionSyntaxError(first, column if isinstance(column, int) else None) from None
    identifiers = frozenset(
        str(tree.children[0])
        for tree in ast.iter_subtrees()
        if tree.data == "ident" and tree.children
    )
    return Compiled(expression, identifiers, _ENV.program(ast))


def _to_cel(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, (float, decimal.Decimal)):
        return celtypes.DoubleType(float(value))
    if isinstance(value, dt.datetime):
        return celtypes.TimestampType(value)
    if isinstance(value, dt.date):
        return celtypes.StringType(value.isoformat())
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([_to_cel(v) for v in value])
    if isinstance(value, Mapping):
        return celtypes.MapType({celtypes.StringType(str(k)): _to_cel(v) for k, v in value.items()})
    return celtypes.StringType(str(value))


def evaluate(expression: str, values: Mapping[str, Any]) -> Outcome:
    """Evaluate ``expression`` with form ``values``; never raises for bad data."""
    compiled = compile_expression(expression)
    activation = {name: _to_cel(values.get(name)) for name in compiled.identifiers}
    try:
        result = compiled.program.evaluate(activation)
    except Exception as exc:  # evaluation errors are data problems, reported as outcomes
        return Outcome(False, str(exc.args[0]) if exc.args else type(exc).__name__)
    if isinstance(result, celtypes.BoolType) or isinstance(result, bool):
        return Outcome(bool(result))
    if isinstance(result, Exception):
        return Outcome(False, str(result.args[0]) if result.args else type(result).__name__)
    return Outcome(False, f"expression gave {type(result).__name__}, not a boolean")
