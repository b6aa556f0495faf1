"""Acceptance conditions in CEL (the Common Expression Language): typed, bounded, no Python ``eval``.

A condition is a boolean expression over the form fields of an item, for example
``registered_capital > 0.0 && size(company_name) >= 4``.

When definitions load, :func:`check_expression` compiles every condition and type-checks it
against the declared types of the form fields (:data:`CEL_TYPES`); each problem it finds is a
:class:`Problem` with a stable code and its line and column within the expression:

========  ==================================================================================
OS306     not valid CEL (a syntax error)
OS307     a name that is not a form field of the item (or of the matter, for 容缺)
OS260     does not type-check: an operator or function applied to values of the wrong type,
          or a result that is not true or false
OS261     an unknown function or method
OS262     an invalid regular expression in ``matches``
OS263     over the cost bound: longer than :data:`MAX_LENGTH`, nested deeper than
          :data:`MAX_NESTING`, more than :data:`MAX_COMPREHENSIONS` comprehensions, or a
          comprehension inside another
OS264     reads no form field and is never true (``1 > 2``): no applicant could meet it
========  ==================================================================================

At intake, :func:`evaluate` runs a compiled program with the case's form values; it never raises
for bad data, and an expression that cannot be evaluated does not pass (:class:`Outcome` says
why, without any form value). ``today`` is the clock's date, when the caller gives it.

Types. A field of type string, text, phone, resident_id, uscc or choice is a CEL ``string``;
integer is ``int``, decimal ``double``, boolean ``bool``. A date is its ISO text
(``"2026-03-01"``): ISO dates compare as text in date order, so ``born < "2008-01-01"`` and
``born <= today`` mean what they say; ``timestamp(born + "T00:00:00+08:00")`` gives a CEL
timestamp for arithmetic. Every field may be empty (CEL ``null``): fields are declared with the
nullable wrapper types, so ``guardian_id != null`` type-checks, and an operator applied to an
empty field is an evaluation error (the condition does not pass). Applicants' attributes are not
exposed to conditions yet: conditions read the form only.

The library. ``cel-expr-python`` (Google's binding of cel-cpp, the reference C++ implementation)
replaced cel-python (celpy) in issue 14. It was chosen over ``common-expression-language``
(a binding of the Rust ``cel-interpreter``), both tried, measured with ``python
bench/conditions.py`` (figures in docs/performance.md):

* it type-checks: the checker of cel-cpp reports undeclared names, missing overloads and the
  result type, with line and column; the Rust binding only parses, so every check above would
  have had to be written here;
* it bounds evaluation: cel-cpp stops a program after 10 000 comprehension iterations
  ("iteration budget exceeded", about 2 ms; the binding's default, which it does not let a
  caller change) and refuses expressions over 100 000 code points; the
  Rust binding has no budget (a nested comprehension runs as long as it likes), and reports a
  type error or an unknown function only when the expression is evaluated;
* it has a checker and a budget at no cost in speed: about 4 µs per evaluation of the shipped
  conditions through :func:`evaluate`, 12 times faster than celpy's transpiled programs behind
  their lock measured side by side (48 µs; 64–86 µs in issue 14); the Rust binding is as fast
  on small expressions (2.7 µs beside 2.9 µs for the library call alone) and about twice as slow
  on comprehensions, and runs 216 000 comprehension steps (73 ms) where cel-cpp stops at 10 000;
* a compiled program is immutable and each evaluation has its own activation, so no lock is
  needed (celpy kept the activation in module globals and needed one for the whole process).
  Neither binding releases the GIL while it evaluates, so 8 threads evaluating at once get the
  throughput of one (ratio 0.95–1.0 measured), but nothing queues them: a cheap evaluation
  waits at most for a switch of the GIL behind a slow one (under 0.1 ms measured, while 7
  threads run conditions that spend the whole budget), where it waited behind every slow
  evaluation queued on celpy's lock (214 ms measured with 100-step conditions);
* it has no Python dependencies (the Rust binding brings typer, rich, prompt-toolkit and pygments
  for its command line).

Regular expressions are RE2 (linear time). A literal pattern is compiled when definitions load;
a pattern read from a form value is compiled at evaluation, and a bad one fails the condition.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

import attrs
from cel_expr_python import cel  # type: ignore[import-untyped, unused-ignore]

from .definitions import FieldType

__all__ = [
    "CEL_TYPES",
    "MAX_COMPREHENSIONS",
    "MAX_LENGTH",
    "MAX_NESTING",
    "TODAY",
    "Compiled",
    "ConditionSyntaxError",
    "Outcome",
    "Problem",
    "check_expression",
    "compile_expression",
    "evaluate",
]

log = logging.getLogger("oneservice.conditions")

MAX_LENGTH = 1000
"""Longest condition, in characters (code points)."""
MAX_NESTING = 12
"""Deepest nesting of parentheses, brackets and braces in a condition."""
MAX_COMPREHENSIONS = 4
"""Most comprehension macros (``all``, ``exists``, ``exists_one``, ``map``, ``filter``) in one
condition; a comprehension may not contain another (their costs would multiply)."""
TODAY = "today"
"""The variable that holds the clock's date (ISO text) when a condition is evaluated."""

CEL_TYPES: Mapping[FieldType, str] = {
    FieldType.STRING: "string",
    FieldType.TEXT: "string",
    FieldType.PHONE: "string",
    FieldType.RESIDENT_ID: "string",
    FieldType.USCC: "string",
    FieldType.REGION: "string",
    FieldType.CHOICE: "string",
    FieldType.DATE: "string",
    FieldType.INTEGER: "int",
    FieldType.DECIMAL: "double",
    FieldType.BOOLEAN: "bool",
}
"""The CEL type of each form field type (a date is its ISO text)."""

_WRAPPERS = {  # nullable types for the checker: a field may be empty
    "string": cel.Type("google.protobuf.StringValue"),
    "int": cel.Type("google.protobuf.Int64Value"),
    "double": cel.Type("google.protobuf.DoubleValue"),
    "bool": cel.Type("google.protobuf.BoolValue"),
}
_SHOWN_TYPES = (  # the checker's type names, as an author reads them
    ("wrapper(string)", "string"), ("wrapper(int)", "int"), ("wrapper(double)", "double"),
    ("wrapper(bool)", "bool"), ("string_wrapper", "string"), ("int64", "int"), ("null_type", "null"),
)
_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


class ConditionSyntaxError(ValueError):
    """The expression cannot be compiled; ``column`` is 1-based within the expression."""

    def __init__(self, message: str, column: int | None, code: str = "OS306") -> None:
        self.column = column
        self.code = code
        super().__init__(message)


@attrs.frozen
class Problem:
    """One problem of a condition: a code, what is wrong, where in the expression, what to do."""

    code: str
    message: str
    line: int = 1  # 1-based, within the expression
    column: int | None = None  # 1-based, within the expression
    hint: str | None = None
    name: str | None = None  # the unknown name (OS307, OS261)

    def hint_text(self) -> str:
        return (self.hint or "").lower()


@attrs.frozen
class Compiled:
    expression: str
    identifiers: frozenset[str]  # the form fields it reads
    program: Any = attrs.field(eq=False, repr=False)  # cel-cpp's planned program
    uses_today: bool = False


@attrs.frozen
class Outcome:
    """The result of evaluating one condition: ``passed`` or not, and why it could not run."""

    passed: bool
    error: str | None = None


# ---------------------------------------------------------------- errors of the checker

_ERROR = re.compile(r"ERROR: <input>:(-?\d+):(-?\d+): (.*)")
_UNDECLARED = re.compile(r"undeclared reference to '([^']+)'")
_OVERLOAD = re.compile(r"found no matching overload for '([^']+)' applied to '\((.*)\)'")
_OPERATORS = {
    "_>_": ">", "_>=_": ">=", "_<_": "<", "_<=_": "<=", "_==_": "==", "_!=_": "!=", "_+_": "+",
    "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%", "_&&_": "&&", "_||_": "||", "!_": "!",
    "-_": "-", "@in": "in", "_?_:_": "?:", "_[_]": "[]",
}


def _errors(exc: BaseException) -> list[tuple[int, int | None, str]]:
    """(line, column, message) of each error in a cel-cpp status message."""
    out = []
    for match in _ERROR.finditer(str(exc)):
        line, col = int(match[1]), int(match[2])
        text = match[3].removesuffix(" [INVALID_ARGUMENT]").strip()
        if line < 1:
            continue  # "<<nil>> parsetree", which follows a syntax error already reported
        out.append((line, col if col >= 1 else None, text))
    return out or [(1, None, _clean(str(exc)))]


def _clean(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "error"
    for prefix in ("INVALID_ARGUMENT: ", "UNKNOWN: ", "INTERNAL: ", "RESOURCE_EXHAUSTED: "):
        first = first.removeprefix(prefix)
    first = re.sub(r" \[[A-Z_]+\]$", "", first)
    for raw, shown in _SHOWN_TYPES:
        first = first.replace(raw, shown)
    return first


def _shown(text: str) -> str:
    for raw, shown in _SHOWN_TYPES:
        text = text.replace(raw, shown)
    return text


_RUNTIME_OVERLOAD = re.compile(r"No matching overloads found ?: ?(\S+)\((.*)\)")


def _runtime(text: str) -> str:
    """cel-cpp's run-time "no matching overload" said as the checker says it."""
    match = _RUNTIME_OVERLOAD.search(text)
    if match is None:
        return text
    function = match[1]
    shown = _OPERATORS.get(function)
    what = f"operator {shown!r}" if shown else f"function {function!r}"
    return f"{what} cannot be applied to ({_shown(match[2])})"


def _offset(expression: str, line: int, column: int | None) -> int:
    """The index in ``expression`` of (line, column), both 1-based."""
    lines = expression.split("\n")
    start = sum(len(x) + 1 for x in lines[: line - 1])
    return start + ((column or 1) - 1)


def _name_before(expression: str, index: int) -> tuple[int, str]:
    """The identifier that ends at or before ``index`` (skipping spaces): (its index, the name)."""
    end = index
    while end > 0 and expression[end - 1] in " \t\n":
        end -= 1
    start = end
    while start > 0 and (expression[start - 1].isalnum() or expression[start - 1] == "_"):
        start -= 1
    return start, expression[start:end]


def _position(expression: str, index: int) -> tuple[int, int]:
    line = expression.count("\n", 0, index) + 1
    return line, index - (expression.rfind("\n", 0, index) + 1) + 1


def _syntax(errors: list[tuple[int, int | None, str]]) -> list[Problem]:
    out = []
    for line, col, text in errors:
        if text.startswith("Syntax error") or "recursion" in text.lower() or "codepoint limit" in text:
            detail = text.removeprefix("Syntax error: ")
            detail = ("the expression ends too early" if "'<EOF>'" in detail
                      else detail.split(" expecting ")[0])
            where = f" at column {col}" if col else ""
            out.append(Problem("OS306", f"syntax error{where}", line, col, detail))
    return out


# ---------------------------------------------------------------- static bounds


_TOKEN = re.compile(
    r"(?P<string>(?:[rR][bB]?|[bB][rR]?)?(?:\"{3}[\s\S]*?\"{3}|'{3}[\s\S]*?'{3}"
    r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'))"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<number>\d[\w.]*)|(?P<space>\s+)|(?P<punct>.)",
    re.DOTALL,
)


def _tokens(expression: str) -> list[tuple[str, str, int]]:
    """(kind, text, index) of each token but spaces; only used on expressions that parse."""
    return [(m.lastgroup or "punct", m.group(), m.start()) for m in _TOKEN.finditer(expression)
            if m.lastgroup != "space"]


def _bounds(expression: str, tokens: list[tuple[str, str, int]]) -> list[Problem]:
    """The static cost bound (OS263): length, nesting, number and nesting of comprehensions."""
    out: list[Problem] = []
    if len(expression) > MAX_LENGTH:
        out.append(Problem("OS263", f"the condition is {len(expression)} characters long, more than "
                                    f"{MAX_LENGTH}", 1, 1, "split it into several conditions"))
        return out
    depth = 0
    opened: list[bool] = []  # per open bracket: whether it is a comprehension's
    comprehensions = 0
    deepest_reported = nested_reported = False
    for n, (kind, text, index) in enumerate(tokens):
        if kind == "punct" and text in "([{":
            depth += 1
            macro = (text == "(" and n >= 2 and tokens[n - 1][0] == "ident"
                     and tokens[n - 1][1] in _MACROS and tokens[n - 2][1] == ".")
            if macro:
                comprehensions += 1
                if any(opened) and not nested_reported:
                    nested_reported = True
                    line, col = _position(expression, tokens[n - 1][2])
                    out.append(Problem("OS263", f"a comprehension ({tokens[n - 1][1]}) inside another: "
                                                "their costs multiply", line, col,
                                       "compute the inner list once, or split the condition"))
                elif comprehensions == MAX_COMPREHENSIONS + 1:
                    line, col = _position(expression, tokens[n - 1][2])
                    out.append(Problem("OS263", f"more than {MAX_COMPREHENSIONS} comprehensions in one "
                                                "condition", line, col, "split it into several conditions"))
            opened.append(macro)
            if depth > MAX_NESTING and not deepest_reported:
                deepest_reported = True
                line, col = _position(expression, index)
                out.append(Problem("OS263", f"nested deeper than {MAX_NESTING} levels", line, col,
                                   "split it into several conditions"))
        elif kind == "punct" and text in ")]}" and opened:
            depth -= 1
            opened.pop()
    return out


def _regex_literals(tokens: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """The literal patterns given to ``matches`` (as CEL tokens, with their index)."""
    found = []
    for n, (kind, text, _) in enumerate(tokens):
        if kind != "ident" or text != "matches" or n + 1 >= len(tokens) or tokens[n + 1][1] != "(":
            continue
        member = n >= 1 and tokens[n - 1][1] == "."
        k, depth = n + 2, 0
        if not member:  # matches(text, pattern): skip to the comma at this level
            while k < len(tokens) and not (depth == 0 and tokens[k][1] == ","):
                depth += tokens[k][1] in "([{"
                depth -= tokens[k][1] in ")]}"
                k += 1
            k += 1
        if k + 1 < len(tokens) and tokens[k][0] == "string" and tokens[k + 1][1] == ")":
            found.append((tokens[k][1], tokens[k][2]))
    return found


_PLAIN_ENV = cel.NewEnv()


@functools.lru_cache(maxsize=1024)
def _regex_problem(token: str) -> str | None:
    """Why the CEL string literal ``token`` is not a valid RE2 pattern, or None."""
    try:
        result = _PLAIN_ENV.compile(f'"".matches({token})').eval()
    except Exception as exc:
        return _clean(str(exc))
    if result.type() == cel.Type.ERROR:
        return _clean(str(result.value())).removeprefix("invalid regular expression: ")
    return None


# ---------------------------------------------------------------- checking at load


def _env(declared: Mapping[str, str], dyn: bool = False) -> Any:
    variables = {name: (cel.Type.DYN if dyn else _WRAPPERS[t]) for name, t in declared.items()}
    variables[TODAY] = cel.Type.DYN if dyn else cel.Type.STRING  # the clock, even beside a field "today"
    return cel.NewEnv(variables=variables)


@functools.lru_cache(maxsize=256)
def _typed_env(declared: tuple[tuple[str, str], ...]) -> Any:
    return _env(dict(declared))


def check_expression(expression: str, fields: Mapping[str, FieldType | str]) -> list[Problem]:
    """Every problem of ``expression`` as a condition over form ``fields`` (id → declared type).

    ``fields`` maps a field id to its :class:`FieldType` or directly to a CEL type name
    (``string``, ``int``, ``double``, ``bool``). An empty list means the condition is sound: it
    parses, refers only to known fields and functions, type-checks to a boolean, stays within
    the cost bound and its literal regular expressions compile.
    """
    declared = tuple(sorted((name, CEL_TYPES[t] if isinstance(t, FieldType) else t)
                            for name, t in fields.items()))
    tokens = _tokens(expression)
    problems = _bounds(expression, tokens)
    if len(expression) > MAX_LENGTH:
        return problems
    try:
        checked = _typed_env(declared).compile(expression)
    except Exception as exc:
        errors = _errors(exc)
        syntax = _syntax(errors)
        if syntax:  # the first syntax error; none when the parser only gave up on the nesting
            return problems if problems and "recursion" in syntax[0].hint_text() else problems + syntax[:1]
        return problems + [_checker_problem(expression, e) for e in errors]
    result = _shown(checked.return_type().name().lower())
    if result not in ("bool", "dyn"):
        problems.append(Problem("OS260", f"the condition gives {result}, not true or false", 1, 1,
                                "compare the value, e.g. 'n > 0'"))
    for token, index in _regex_literals(tokens):
        reason = _regex_problem(token)
        if reason is not None:
            line, col = _position(expression, index)
            problems.append(Problem("OS262", f"invalid regular expression {token}: {reason}", line, col,
                                    "CEL's matches() uses RE2 syntax (no look-ahead, no back-references)"))
    if not problems and _never_true(expression):
        problems.append(Problem("OS264", "the condition reads no form field and is never true: no "
                                         "applicant can meet it", 1, 1,
                                "compare a form field, e.g. 'capital > 0.0', or remove the condition"))
    return problems


def _never_true(expression: str) -> bool:
    """Whether ``expression`` reads nothing (no field, not today) and is not true."""
    compiled = compile_expression(expression)
    if compiled.identifiers or compiled.uses_today:
        return False
    try:
        return compiled.program.eval(data={}).value() is not True
    except Exception:
        return True


def _checker_problem(expression: str, error: tuple[int, int | None, str]) -> Problem:
    line, col, text = error
    undeclared = _UNDECLARED.search(text)
    if undeclared:
        name = undeclared[1]
        index = _offset(expression, line, col)
        if 0 <= index < len(expression) and expression[index] == "(":  # a call: a function
            start, _ = _name_before(expression, index)
            at_line, at_col = _position(expression, start)
            return Problem("OS261", f"unknown function {name!r}", at_line, at_col,
                           "see docs/authoring.md, 'Acceptance conditions', for the functions allowed",
                           name)
        return Problem("OS307", f"condition refers to unknown form field {name!r}", line, col, None, name)
    overload = _OVERLOAD.search(text)
    if overload:
        function = overload[1]
        shown = _OPERATORS.get(function)
        args = _shown(overload[2])
        what = f"operator {shown!r}" if shown else f"function {function!r}"
        hint = "compare values of one type"
        if "double" in args and "int" in args:
            hint = "a decimal field compares with a decimal number: write 0.0, not 0"
        return Problem("OS260", f"{what} cannot be applied to ({args})", line, col, hint)
    return Problem("OS260", f"the condition does not type-check: {_shown(text)}", line, col)


# ---------------------------------------------------------------- compiling and evaluating


@functools.lru_cache(maxsize=4096)
def compile_expression(expression: str) -> Compiled:
    """Compile ``expression`` for evaluation with any form; raise :class:`ConditionSyntaxError`.

    The names it reads are found by the checker itself (undeclared references in an environment
    that declares none); the program is then planned with each of them as ``dyn``, so that an
    empty field can be ``null``. Type errors are found by :func:`check_expression` at load.
    """
    names: set[str] = set()
    uses_today = False
    try:
        cel.NewEnv().compile(expression)
    except Exception as exc:
        errors = _errors(exc)
        syntax = _syntax(errors)
        if syntax:
            raise ConditionSyntaxError(syntax[0].message, syntax[0].column) from None
        for problem in (_checker_problem(expression, e) for e in errors):
            if problem.code == "OS307" and problem.name:
                if problem.name == TODAY:
                    uses_today = True
                else:
                    names.add(problem.name)
    try:
        program = _env(dict.fromkeys(names, "dyn"), dyn=True).compile(expression)
    except Exception as exc:
        first = _checker_problem(expression, _errors(exc)[0])
        raise ConditionSyntaxError(first.message, first.column, first.code) from None
    return Compiled(expression, frozenset(names), program, uses_today)


def _to_cel(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_to_cel(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_cel(v) for k, v in value.items()}
    return str(value)


_DIGITS = re.compile(r"\d{5,}[\dXx]?")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _reason(text: str, expression: str, activation: Mapping[str, Any] | None = None) -> str:
    """The library's reason, short and without any form value: every value of the activation,
    quoted texts and long numbers that are not in the expression itself are cut out, and so is
    RE2's detail of a bad pattern (which is the pattern, possibly a form value)."""
    reason = _clean(text)
    if reason.startswith("invalid regular expression"):
        reason = "invalid regular expression"
    hidden = sorted({str(v) for v in (activation or {}).values()
                     if isinstance(v, str | int | float) and not isinstance(v, bool) and len(str(v)) >= 2},
                    key=len, reverse=True)
    for value in hidden:
        if value not in expression:
            reason = reason.replace(value, "‹…›")
    reason = _QUOTED.sub(lambda m: m.group() if m.group() in expression else "‹…›", reason)
    reason = _DIGITS.sub(lambda m: m.group() if m.group() in expression else "‹…›", reason)
    reason = _runtime(reason)
    return reason if len(reason) <= 200 else reason[:199] + "…"


def evaluate(expression: str, values: Mapping[str, Any], *, today: dt.date | None = None,
             name: str = "") -> Outcome:
    """Evaluate ``expression`` with form ``values``; never raises for bad data.

    A field without a value is CEL ``null``; ``today`` is the clock's date as ISO text. An
    expression that cannot be evaluated (a type mismatch, division by zero, the iteration
    budget spent) does not pass, and ``error`` says why, naming the condition (``name``, for
    instance ``matter start-a-business, item X, condition capital``) but no form value. The
    error is also logged (logger ``oneservice.conditions``), without any form value.
    """
    compiled = compile_expression(expression)
    activation = {n: _to_cel(values.get(n)) for n in compiled.identifiers}
    if compiled.uses_today:
        if today is None:
            return _failed(expression, name, "today's date is not known where this condition is evaluated")
        activation[TODAY] = today.isoformat()
    try:
        result = compiled.program.eval(data=activation)
        value = result.value()
    except Exception as exc:  # the iteration budget, a value cel-cpp cannot take
        return _failed(expression, name, _reason(str(exc), expression, activation))
    if value is True:
        return _PASSED
    if value is False:
        return _NOT_PASSED
    kind = result.type()
    if kind == cel.Type.ERROR:
        return _failed(expression, name, _reason(str(value), expression, activation))
    return _failed(expression, name, f"expression gave {_shown(kind.name().lower())}, not a boolean")


_PASSED = Outcome(True)
_NOT_PASSED = Outcome(False)


def _failed(expression: str, name: str, reason: str) -> Outcome:
    where = name or f"condition {expression if len(expression) <= 80 else expression[:79] + '…'}"
    log.warning("could not evaluate %s: %s", where, reason)
    return Outcome(False, f"{name}: {reason}" if name else reason)
