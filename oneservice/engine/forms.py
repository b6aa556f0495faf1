"""Form data and identifiers: validate and normalise values against the unified form."""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from ..domain.definitions import FieldType, FormField
from ..errors import InvalidIdentifier, InvalidInput

__all__ = ["normalise_form", "validate_applicant_id"]

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


@functools.lru_cache(maxsize=4096)
def _valid(kind: str, number: str) -> str:
    """python-stdnum's check (a pure function; the birth-place lookup is costly): memoised.

    Only numbers that pass are remembered; a refused one raises every time.
    """
    if kind == "person":
        return str(ric.validate(number))
    return str(uscc.validate(number))


def validate_applicant_id(kind: str, number: str, field: str = "applicant.id_number") -> str:
    """A validated, compact resident ID number (person) or unified social credit code (company)."""
    if not isinstance(number, str):
        raise InvalidIdentifier("must be text", field=field)
    try:
        if kind in ("person", "company"):
            return _valid(kind, number)
    except StdnumError as exc:
        what = (
            "resident ID number (居民身份证号码)"
            if kind == "person"
            else "unified social credit code (统一社会信用代码)"
        )
        raise InvalidIdentifier(
            f"{number!r} is not a valid {what}: {getattr(exc, 'message', None) or exc}",
            field=field,
            hint="check the digits and the final check character",
        ) from None
    raise InvalidInput(f"applicant kind must be 'person' or 'company', not {kind!r}", field="applicant.kind")


_REGION = re.compile(r"\d{6}(\d{3}(\d{3})?)?")


def _value(field: FormField, raw: Any, path: str) -> Any:
    t = field.type
    if t in (FieldType.STRING, FieldType.TEXT):
        if not isinstance(raw, str):
            raise InvalidInput("must be text", field=path)
        limit = 200 if t is FieldType.STRING else 5000
        if len(raw) > limit:
            raise InvalidInput(f"is longer than {limit} characters", field=path)
        return raw
    if t is FieldType.INTEGER:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise InvalidInput("must be a whole number", field=path)
        return raw
    if t is FieldType.DECIMAL:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str, decimal.Decimal)):
            raise InvalidInput("must be a number", field=path)
        try:
            number = decimal.Decimal(str(raw))
        except decimal.InvalidOperation:
            raise InvalidInput("must be a number", field=path) from None
        if not number.is_finite():
            raise InvalidInput("must be a finite number", field=path)
        return float(number)
    if t is FieldType.BOOLEAN:
        if not isinstance(raw, bool):
            raise InvalidInput("must be true or false", field=path)
        return raw
    if t is FieldType.DATE:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except (TypeError, ValueError):
            raise InvalidInput("must be a date written YYYY-MM-DD", field=path) from None
    if t is FieldType.CHOICE:
        if raw not in field.choices:
            raise InvalidInput(f"must be one of: {', '.join(field.choices)}", field=path)
        return raw
    if t is FieldType.PHONE:
        if not isinstance(raw, str) or not _PHONE.match(raw):
            raise InvalidInput(
                "must be a mobile number (11 digits) or a landline like 0571-88888888", field=path
            )
        return raw
    if t is FieldType.RESIDENT_ID:
        return validate_applicant_id("person", raw, path)
    if t is FieldType.REGION:
        if not isinstance(raw, str) or not _REGION.fullmatch(raw):
            raise InvalidInput(
                "must be an administrative division code: 6 digits for a county or district "
                "(e.g. 330102), 9 for a township or street, 12 for a village or community", field=path)
        return raw
    return validate_applicant_id("company", raw, path)


def normalise_form(fields: Iterable[FormField], data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated values of ``data``; unknown fields and wrong types raise :class:`InvalidInput`."""
    if not isinstance(data, Mapping):
        raise InvalidInput("form data must be a mapping of field id to value", field="form")
    known = {f.id: f for f in fields}
    out: dict[str, Any] = {}
    for key, raw in data.items():
        path = f"form.{key}"
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            raise InvalidInput(
                "is not a field of this matter's form",
                field=path,
                hint=f"did you mean {close[0]!r}?" if close else None,
            )
        out[key] = None if raw is None else _value(known[key], raw, path)
    return out
