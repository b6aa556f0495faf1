"""Input fields and the request parser: strict JSON, no NUL characters, bounded sizes.

Everything that reaches the library has a type and a bound the database can hold, so bad input
is a 4xx at the door and never a database error (a 5xx) later: JSON without ``NaN`` or
``Infinity``, nested at most :data:`MAX_DEPTH` levels (counted on the raw text before it is
decoded, so that a body of 100,000 brackets never reaches the decoder's recursion limit: 400), no
NUL character in any string (PostgreSQL text cannot hold one) and no lone surrogate such as
``"\ud800"`` (neither database can store it as UTF-8: 422 naming the field), ids matching
:data:`ID_PATTERN`, texts of at most 2000 characters.
"""

from __future__ import annotations

import json
import re
from typing import Any

import marshmallow as ma
from flask import Request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from ..domain.definitions import Channel
from .problems import HttpProblem

__all__ = [
    "CHANNELS",
    "ID_PATTERN",
    "MAX_DEPTH",
    "Ident",
    "Parser",
    "Text",
    "bad_text",
    "has_nul",
    "raw_depth",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
"""Matter, item, material, department and location ids (and their maximum length, 100)."""
MAX_DEPTH = 32
CHANNELS = tuple(c.value for c in Channel)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def raw_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, without decoding it (strings skipped)."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        if bracket in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def bad_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first string (key or value) of a parsed JSON value a database cannot store: its path
    (``form.company_name``, ``materials.2``) and what is wrong; ``None`` when every string is fine."""
    if isinstance(value, str):
        if "\x00" in value:
            return path, "may not contain NUL characters"
        if _SURROGATE.search(value):
            return path, "holds a lone UTF-16 surrogate (such as \\ud800), which is not a character"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = bad_text(key, where) or bad_text(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = bad_text(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def has_nul(value: Any, depth: int = 0) -> bool:
    """Whether a parsed JSON value holds a NUL character anywhere (keys included)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v, depth + 1) for v in value)
    return False


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Parser(FlaskParser):
    """webargs' Flask parser with strict JSON bodies; query schemas decide on unknown parameters."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {  # noqa: RUF012 (webargs declares it so)
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None
    }

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        if not raw.strip():
            return core.missing
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:  # bad UTF-8 is malformed JSON too
            raise json.JSONDecodeError(str(exc), "x", 0) from None
        if raw_depth(text) > MAX_DEPTH:
            message = f"JSON nested deeper than {MAX_DEPTH} levels / JSON 嵌套超过 {MAX_DEPTH} 层"
            raise HttpProblem(400, "OS620", f"the body is {message}; send a flatter body",
                              title="Invalid input", errors={"json": [message]})
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except RecursionError:  # not reached after the count above; kept as the last guard
            raise json.JSONDecodeError("nested too deeply", "x", 0) from None
        except ValueError as exc:  # JSONDecodeError is a ValueError; NaN/Infinity are malformed too
            raise json.JSONDecodeError(str(exc), "x", 0) from None
        if _depth(data) > MAX_DEPTH:
            raise ma.ValidationError(f"JSON nested deeper than {MAX_DEPTH} levels", field_name="_schema")
        found = bad_text(data)
        if found is not None:
            where, what = found
            raise HttpProblem(422, "OS620", f"{where or 'the body'} {what} / 文本含有无法存储的字符",
                              title="Invalid input", field=where or None,
                              errors={"json": {where or "_schema": [what]}})
        return data


class Text(ma.fields.String):
    """Text without NUL characters, of at most ``max_length`` characters."""

    def __init__(self, *, max_length: int = 2000, min_length: int = 0, **kwargs: Any) -> None:
        validators: list[ma.validate.Validator] = [
            ma.validate.Length(min=min_length, max=max_length),
            ma.validate.Regexp(r"^[^\x00]*$", error="may not contain NUL characters"),
        ]
        super().__init__(validate=validators, **kwargs)


class Ident(ma.fields.String):
    """An id of the catalogue (matter, item, material, department, location)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ma.validate.Regexp(ID_PATTERN, error="is not an id"), **kwargs)
