"""The content hash a case pins: a stable SHA-256 over everything that defines a matter."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..domain.definitions import DataSource, Department, Item, Matter

__all__ = ["content_hash"]

def _canonical(value: Any) -> Any:
    cls = type(value)
    if cls in _PLAIN:
        return value
    fields = _attrs_fields(cls)
    if fields is not None:
        out = {}
        for name, later, default in fields:
            field = getattr(value, name)
            if not (later and field == default):
                out[name] = _canonical(field)
        return out
    if isinstance(value, (frozenset, set)):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if hasattr(value, "value") and not isinstance(value, (int, str)):
        return value.value
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[tuple[str, bool, Any], ...] | None] = {}


def _attrs_fields(cls: type) -> tuple[tuple[str, bool, Any], ...] | None:
    """The compared attributes of an attrs class (name, added later, default); None for another
    class. Looked up once per class: the hash walks thousands of definitions."""
    try:
        return _FIELDS[cls]
    except KeyError:
        pass
    found = (tuple((a.name, a.name in _LATER, a.default) for a in attrs.fields(cls) if a.eq)
             if attrs.has(cls) else None)
    _FIELDS[cls] = found
    return found


_LATER = frozenset({"when", "if_absent", "questions", "routing", "intake_levels", "pickup_levels",
                    "window_level"})
"""Attributes added after hashes were first recorded: left out at their default, so that a
definition that does not use them keeps its hash."""


def content_hash(matter: Matter, items: Iterable[Item], departments: Mapping[str, Department],
                 data_sources: Mapping[str, DataSource]) -> str:
    """A stable SHA-256 over everything that defines the matter's behaviour."""
    items = list(items)
    used_departments = sorted({dep for i in items for dep in i.departments})
    used_sources = sorted({s.ref for i in items for m in i.materials for s in m.sources
                           if s.kind == "shared"})
    body = {
        "matter": _canonical(matter),
        "items": sorted((_canonical(i) for i in items), key=lambda x: x["code"]),
        "departments": [_canonical(departments[d]) for d in used_departments if d in departments],
        "data_sources": [_canonical(data_sources[s]) for s in used_sources if s in data_sources],
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
