"""Errors as JSON problem details (RFC 9457), with the library's stable codes.

Every error response of the HTTP API has the media type ``application/problem+json`` and the
members ``type`` (``urn:oneservice:problem:<code>``), ``title``, ``status``, ``detail`` and
``code``, plus the context of the library error (its ``to_dict()``, where the Python class name
is renamed ``error`` so that it does not collide with the RFC's ``type``). Validation errors add
``errors``, keyed by where the bad value was (``json``, ``query``, ``headers``).

::

    library error                 status  code
    CaseNotFound                  404     OS700
    UnknownDefinition             404     OS630
    IllegalAction                 409     OS701
    ConcurrencyConflict           409     OS703   (412 for a stale If-Match, same code)
    DuplicateAction               409     OS704
    CalendarConflict              409     OS706
    CalendarError                 422     OS610
    ActionRejected                422     OS702
    InvalidInput, InvalidIdentifier 422   OS620, OS621 (400 for malformed JSON or headers)
    NotAuthorised                 403     OS705
    StoreError                    503     OS800
    (no token)                    401     OS901
    (bad, expired, revoked token) 401     OS902
    (HTTP: no route, method, media type, size)  404/405/413/415  OS900
    (anything unexpected)         500     OS000   logged with its traceback, never shown

A :class:`~oneservice.errors.NotAuthorised` body never carries the state of the case: a caller
who may not see a case learns nothing about it.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, json

from ..errors import (
    ActionRejected,
    CalendarConflict,
    CalendarError,
    CaseNotFound,
    ConcurrencyConflict,
    DuplicateAction,
    IllegalAction,
    InvalidInput,
    NotAuthorised,
    OneServiceError,
    StoreError,
    UnknownDefinition,
)

__all__ = [
    "PROBLEM_JSON",
    "HttpProblem",
    "ProblemSchema",
    "problem_from_error",
    "problem_response",
    "status_of",
]

PROBLEM_JSON = "application/problem+json"

# HTTP-level codes (the library's own codes are in docs/errors.md; these in docs/http-api.md)
HTTP_ERROR = "OS900"
AUTH_REQUIRED = "OS901"
INVALID_TOKEN = "OS902"

_STATUS: list[tuple[type[OneServiceError], int]] = [
    (CaseNotFound, 404),
    (UnknownDefinition, 404),
    (NotAuthorised, 403),
    (IllegalAction, 409),
    (ConcurrencyConflict, 409),
    (DuplicateAction, 409),
    (CalendarConflict, 409),
    (CalendarError, 422),
    (ActionRejected, 422),
    (InvalidInput, 422),
    (StoreError, 503),
]

_TITLES = {
    "OS000": "Internal error",
    "OS610": "Calendar error",
    "OS706": "Calendar contradicts frozen deadlines",
    "OS620": "Invalid input",
    "OS621": "Invalid identifier",
    "OS630": "Unknown definition",
    "OS700": "Case not found",
    "OS701": "Action not allowed in this state",
    "OS702": "Action rejected",
    "OS703": "Concurrent change",
    "OS704": "Idempotency key reused",
    "OS705": "Not authorised",
    "OS800": "Database unavailable",
    AUTH_REQUIRED: "Authentication required",
    INVALID_TOKEN: "Invalid token",
}


def status_of(exc: OneServiceError) -> int:
    """The HTTP status of a library error (500 for one not listed above)."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


class HttpProblem(Exception):
    """An error found by the HTTP layer itself (headers, preconditions, tokens)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or _TITLES.get(code, "Error")
        self.headers = headers or {}
        self.extra = extra


def _problem(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:oneservice:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    for key, value in extra.items():
        if key not in body and value is not None:
            body[key] = value
    return body


def problem_from_error(exc: OneServiceError) -> dict[str, Any]:
    """The problem-details body of a library error."""
    status = status_of(exc)
    context = exc.to_dict()
    context["error"] = context.pop("type", type(exc).__name__)
    context.pop("message", None)
    context.pop("code", None)
    detail = str(exc)
    if isinstance(exc, NotAuthorised):
        # never disclose anything about a case the caller may not see
        context.pop("state", None)
        if exc.state:
            detail = detail.replace(f" (state {exc.state})", "", 1)
    if status == 503:
        detail = "the database could not be used; try again later"
    code = exc.code
    return _problem(status, code, _TITLES.get(code, type(exc).__name__), detail, **context)


def problem_response(
    status: int, code: str, detail: str, *, title: str | None = None,
    headers: dict[str, str] | None = None, **extra: Any,
) -> Response:
    """A ``application/problem+json`` response."""
    body = _problem(status, code, title or _TITLES.get(code, "Error"), detail, **extra)
    return body_response(body, headers)


def body_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=body["status"], mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details; further members carry the error's context."""

    class Meta:
        unknown = ma.INCLUDE  # documented as additionalProperties: the context varies by code

    type = ma.fields.String(required=True, metadata={"description": "urn:oneservice:problem:<code>"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    code = ma.fields.String(required=True, metadata={"description": "stable error code, e.g. OS701"})
    error = ma.fields.String(metadata={"description": "the library's exception class"})
    case_id = ma.fields.String(allow_none=True)
    state = ma.fields.String(allow_none=True)
    allowed = ma.fields.List(ma.fields.String())
    field = ma.fields.String(allow_none=True)
    hint = ma.fields.String(allow_none=True)
    reason = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "validation errors by location and field"})
