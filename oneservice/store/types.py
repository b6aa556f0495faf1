"""Column types that round-trip domain values exactly on SQLite and PostgreSQL.

* :class:`AwareDateTime` — timezone-aware datetimes. PostgreSQL stores ``timestamptz``; SQLite
  stores UTC text (``2027-01-04 01:00:00.000000``), which sorts chronologically. Either way the
  value comes back as the same instant, aware, in Asia/Shanghai.
* :class:`StrEnumType` / :class:`IntEnumType` — enums stored as their values (``"in_review"``,
  ``5``) and returned as the domain enum members.
* :func:`json_dumps` — the JSON serializer of the engine: UTF-8 text as is (Chinese stays
  readable in the database), dates and datetimes as ISO 8601 strings, enums as their values.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, Dialect, Integer, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from oneservice.engine.clock import TZ

__all__ = ["AwareDateTime", "IntEnumType", "StrEnumType", "json_dumps"]

E = TypeVar("E", bound=enum.Enum)
IE = TypeVar("IE", bound=enum.IntEnum)


class AwareDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime, returned in Asia/Shanghai; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; use an aware one")
        if dialect.name == "sqlite":
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: UTC text
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(TZ)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A string enum stored as its value."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int = 40) -> None:
        super().__init__(length)
        self.enum_class = enum_class
        self.length = length

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # psycopg would dump an Enum member by *name*; always hand the driver a plain str
        return str(self.enum_class(value).value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)


class IntEnumType(TypeDecorator[IE], Generic[IE]):
    """An integer enum stored as its value."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum_class: type[IE]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: IE | int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(self.enum_class(value))

    def process_result_value(self, value: int | None, dialect: Dialect) -> IE | None:
        return None if value is None else self.enum_class(value)


def _json_default(value: object) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def json_dumps(value: Any) -> str:
    """Serialise ``value`` for a JSON column (compact, UTF-8, dates as ISO strings)."""
    return _encoder.encode(value)
