"""Input fields and the request parser: strict JSON, no NUL characters, bounded sizes.

Everything that reaches the library has a type and a bound the database can hold, so bad input
is a 4xx at the door and never a database error (a 5xx) later: JSON without ``NaN`` or
``Infinity``, nested at most :data:`MAX_DEPTH` levels, no NUL character in any string (PostgreSQL
text cannot hold one), ids matching :data:`ID_PATTERN`, texts of at most 2000 characters.
"""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from ..domain.definitions import Channel

__all__ = [
    "CHANNELS",
    "ID_PATTERN",
    "MAX_DEPTH",
    "Ident",
    "Parser",
    "Text",
    "has_nul",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
"""Matter, item, material, department and location ids (and their maximum length, 100)."""
MAX_DEPTH = 32
CHANNELS = tuple(c.value for c in Channel)


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
            data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            # JSONDecodeError is a ValueError; NaN/Infinity and bad UTF-8 are malformed too
            raise json.JSONDecodeError(str(exc), "x", 0) from None
        if _depth(data) > MAX_DEPTH:
            raise ma.ValidationError(f"JSON nested deeper than {MAX_DEPTH} levels", field_name="_schema")
        if has_nul(data):
            raise ma.ValidationError("text may not contain NUL characters", field_name="_schema")
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
