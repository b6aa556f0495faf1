"""The fields and patterns the schemas of the definition language share (:mod:`.schemas`,
:mod:`.policy_schemas`): ids, strict booleans and numbers, versions, amounts, bilingual texts."""

from __future__ import annotations

import decimal
import enum
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..domain import definitions as d

ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _pattern(regex: re.Pattern[str], what: str, example: str) -> validate.Validator:
    def check(value: str) -> None:
        # fullmatch: "$" alone also matches before a final line break, and "X\n" would sit
        # beside "X" in the catalogue (a block scalar "code: |" ends with one)
        if regex.fullmatch(value):
            return
        if value != value.strip() or any(not c.isprintable() for c in value):
            raise ValidationError(
                f"OS204: {value!r} is not a valid {what}: it has a line break, a space or a control "
                f"character (ids are written without them, for example {example!r})")
        raise ValidationError(f"OS204: {value!r} is not a valid {what} (for example {example!r})")

    return check  # type: ignore[return-value]


def _shown(value: Any) -> str:
    """A short rendering of a bad value for a message."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        text = repr(value)
        return text if len(text) <= 40 else text[:39] + "…"
    return "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else "a value"


class StrictBool(fields.Field[Any]):
    """``true`` or ``false`` only (not "yes", 1 or "on")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise ValidationError(f"must be true or false, not {_shown(value)}")


class StrictInt(fields.Field[Any]):
    def __init__(self, *, minimum: int | None = None, maximum: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"must be a whole number, not {_shown(value)}")
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"must be at most {self.maximum}")
        return int(value)


class Version(fields.Field[Any]):
    """A version: a whole number or a text such as ``2026.1``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, str)) or str(value).strip() == "":
            raise ValidationError(
                f"must be a number or a non-empty text, e.g. 1 or '2026.1', not {_shown(value)}")
        return str(value)


class Amount(fields.Field[Any]):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError("must be an amount in yuan, e.g. 0 or 12.50")
        try:
            amount = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValidationError("must be an amount in yuan, e.g. 0 or 12.50") from None
        if not amount.is_finite() or amount < 0:
            raise ValidationError("must be a non-negative amount in yuan")
        return str(amount)


def _one_of(values: list[str]) -> validate.OneOf:
    """A choice; the loader adds "did you mean …?" to messages that start "must be one of: "."""
    return validate.OneOf(values, error="must be one of: " + ", ".join(values))


def _enum(enum_cls: type[enum.StrEnum]) -> fields.Field[Any]:
    return fields.String(required=True, validate=_one_of([e.value for e in enum_cls]))


def _text() -> fields.Nested:
    return TextField(required=True)


class TextField(fields.Nested):
    """A bilingual text (:class:`TextSchema`). The usual value, a mapping of exactly ``zh`` and
    ``en`` texts of 1 to 200 characters, is built at once; a catalogue holds tens of thousands of
    texts, and a nested schema load each took a fifth of the check. Anything else goes through
    :class:`TextSchema`, so that every message stays the schema's own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(TextSchema, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, partial: Any = None,
                     **kwargs: Any) -> Any:
        if isinstance(value, dict) and len(value) == 2:
            zh, en = value.get("zh"), value.get("en")
            if type(zh) is str and type(en) is str and 0 < len(zh) <= 200 and 0 < len(en) <= 200:
                return d.Text(zh=zh, en=en)
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class Base(Schema):
    class Meta:
        ordered = True


class TextSchema(Base):
    zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    en = fields.String(required=True, validate=validate.Length(min=1, max=200))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> d.Text:
        return d.Text(**data)
