"""Acceptance conditions in CEL (the Common Expression Language): safe, no Python ``eval``.

A condition is a boolean expression over the form fields of an item, for example
``registered_capital > 0 && size(company_name) >= 4``. Expressions are parsed when definitions
load (syntax errors and unknown field names are definition errors) and evaluated at intake.

Evaluation uses celpy's ``CompiledRunner``: the *parsed* CEL syntax tree (never the raw text, never
form data) is translated into Python once per expression, which is several times faster than
walking the tree on every evaluation. Form values reach it only as the CEL activation.

celpy (0.5) runs a transpiled program by storing the activation in, and reading the result
from, the globals of its ``celpy.evaluation`` module: two threads evaluating at once can see
each other's form values. Every evaluation here therefore holds one lock.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import threading
from collections.abc import Mapping
from typing import Any

import attrs
import celpy
from celpy import celtypes

__all__ = ["ConditionSyntaxError", "Outcome", "compile_expression", "evaluate"]

_ENV = celpy.Environment(runner_class=celpy.CompiledRunner)  # transpiled once per expression
_EVALUATING = threading.Lock()  # celpy evaluates through module globals: one at a time


class ConditionSyntaxError(ValueError):
    """The expression is not valid CEL; ``column`` is 1-based within the expression."""

    def __init__(self, message: str, column: int | None) -> None:
        self.column = column
        super().__init__(message)


@attrs.frozen
class Compiled:
    expression: str
    identifiers: frozenset[str]
    program: Any = attrs.field(eq=False, repr=False)  # celpy's transpiled (compiled) program
    ast: Any = attrs.field(default=None, eq=False, repr=False)


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
        program = _ENV.program(ast)
    except RecursionError:
        raise ConditionSyntaxError("the expression is nested too deeply", None) from None
    except Exception as exc:  # celpy raises CELParseError and, on odd input, lark errors
        column = getattr(exc, "column", None)
        column = column if isinstance(column, int) and column >= 1 else None
        message = f"syntax error at column {column}" if column else "syntax error"
        raise ConditionSyntaxError(message, column) from None
    return Compiled(expression, _free_identifiers(ast), program, ast)


_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


def _free_identifiers(ast: Any) -> frozenset[str]:
    """The names an expression reads from its activation (form fields).

    Variables bound by the comprehension macros (``xs.all(x, x > 0)``) are not form fields.
    """
    names: set[str] = set()
    bound: set[str] = set()
    for tree in ast.iter_subtrees():
        if tree.data in ("ident", "dot_ident") and tree.children:
            names.add(str(tree.children[0]))
        elif tree.data == "member_dot_arg" and len(tree.children) == 3:
            method, args = tree.children[1], tree.children[2]
            if str(method) in _MACROS and getattr(args, "children", None):
                first = args.children[0]
                idents = [t for t in first.iter_subtrees() if t.data in ("ident", "dot_ident")]
                if len(idents) == 1 and idents[0].children:
                    bound.add(str(idents[0].children[0]))
    return frozenset(names - bound)


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


def _reason(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first if len(first) <= 200 else first[:199] + "…"


def evaluate(expression: str, values: Mapping[str, Any]) -> Outcome:
    """Evaluate ``expression`` with form ``values``; never raises for bad data.

    A field without a value is CEL ``null``. An expression that cannot be evaluated (a type
    mismatch, division by zero) does not pass, and ``error`` says why.
    """
    compiled = compile_expression(expression)
    try:
        activation = {name: _to_cel(values.get(name)) for name in compiled.identifiers}
        with _EVALUATING:
            result = compiled.program.evaluate(activation)
    except Exception as exc:  # evaluation errors are data problems, reported as outcomes
        return Outcome(False, _explain(compiled, locals().get("activation")) or _reason(exc))
    if isinstance(result, (celtypes.BoolType, bool)):
        return Outcome(bool(result))
    if isinstance(result, Exception):
        return Outcome(False, _explain(compiled, activation) or _reason(result))
    return Outcome(False, f"expression gave {type(result).__name__}, not a boolean")


def _explain(compiled: Compiled, activation: Any) -> str | None:
    """The interpreter's precise reason for an evaluation error (the transpiled program says less).

    Runs only when the fast transpiled program failed, so its cost is paid on errors alone.
    """
    if activation is None:
        return None
    try:
        with _EVALUATING:
            result = celpy.InterpretedRunner(_ENV, compiled.ast).evaluate(activation)
    except Exception as exc:
        return _reason(exc)
    return _reason(result) if isinstance(result, Exception) else None
