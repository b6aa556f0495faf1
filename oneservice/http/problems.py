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
    DuplicateAction               422     OS704   (the IETF Idempotency-Key draft: key reused
                                                  with another request)
    CalendarConflict              409     OS706
    CalendarError                 422     OS610
    ActionRejected                422     OS702
    InvalidInput, InvalidIdentifier 422   OS620, OS621 (400 for malformed JSON or headers)
    NotAuthorised                 403     OS705
    FileTooLarge                  413     OS740
    FileTypeRefused               415     OS741
    FileHashMismatch              422     OS742
    MaterialNotFound              404     OS743
    MaterialsClosed               409     OS744
    AttachmentNotFound            404     OS745
    RequestNotFound               404     OS760   (also a request outside the caller's scope)
    RequestIllegalAction          409     OS761
    RequestInputError             422     OS762
    UnknownRequestCategory        422     OS763
    RequestReturnLimit            422     OS764
    RequestWrongDepartment        403     OS765
    RequestReopenLimit            422     OS766
    RequestNotAuthorised          403     OS767
    RequestConflict               409     OS768
    RequestRoutingError           422     OS769
    StoreError                    503     OS800
    (no token)                    401     OS901
    (bad, expired, revoked token) 401     OS902
    (HTTP: no route, method, media type, size)  404/405/413/415  OS900
    (anything unexpected)         500     OS000   logged with its traceback, never shown

A :class:`~oneservice.errors.NotAuthorised` body never carries the state of the case: a caller
who may not see a case learns nothing about it. No problem body carries a resident ID number or
credit code: anything in ``detail`` or the context that looks like one (15–18 letters and
digits, at least 10 of them digits) is masked as ``330106********0024`` (:func:`redact_numbers`).
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from flask import Response, json

from ..errors import (
    ActionRejected,
    AttachmentNotFound,
    CalendarConflict,
    CalendarError,
    CaseNotFound,
    ConcurrencyConflict,
    DuplicateAction,
    FileHashMismatch,
    FileTooLarge,
    FileTypeRefused,
    IllegalAction,
    InvalidInput,
    MaterialNotFound,
    MaterialsClosed,
    NotAuthorised,
    OneServiceError,
    RequestConflict,
    RequestIllegalAction,
    RequestInputError,
    RequestNotAuthorised,
    RequestNotFound,
    RequestReopenLimit,
    RequestReturnLimit,
    RequestRoutingError,
    RequestWrongDepartment,
    StoreError,
    UnknownDefinition,
)

__all__ = [
    "PROBLEM_JSON",
    "HttpProblem",
    "ProblemSchema",
    "problem_from_error",
    "problem_response",
    "redact_numbers",
    "status_of",
]

PROBLEM_JSON = "application/problem+json"

# HTTP-level codes (the library's own codes are in docs/errors.md; these in docs/http-api.md)
HTTP_ERROR = "OS900"
AUTH_REQUIRED = "OS901"
INVALID_TOKEN = "OS902"

_STATUS: list[tuple[type[OneServiceError], int]] = [
    (CaseNotFound, 404),
    (FileTooLarge, 413),
    (FileTypeRefused, 415),
    (FileHashMismatch, 422),
    (MaterialNotFound, 404),
    (AttachmentNotFound, 404),
    (MaterialsClosed, 409),
    (UnknownDefinition, 404),
    (NotAuthorised, 403),
    (IllegalAction, 409),
    (ConcurrencyConflict, 409),
    (DuplicateAction, 422),  # draft-ietf-httpapi-idempotency-key-header: 422 for a reused key
    (CalendarConflict, 409),
    (CalendarError, 422),
    (ActionRejected, 422),
    (InvalidInput, 422),
    (StoreError, 503),
    (RequestNotFound, 404),
    (RequestIllegalAction, 409),
    (RequestConflict, 409),
    (RequestInputError, 422),  # UnknownRequestCategory (OS763) too
    (RequestReturnLimit, 422),
    (RequestReopenLimit, 422),
    (RequestRoutingError, 422),
    (RequestWrongDepartment, 403),
    (RequestNotAuthorised, 403),
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
    "OS740": "File too large",
    "OS741": "File type not allowed",
    "OS742": "File hash mismatch",
    "OS743": "Material not found",
    "OS744": "Case takes no materials now",
    "OS745": "File not found",
    "OS760": "Request not found",
    "OS761": "Request action not allowed in this state",
    "OS762": "Invalid request input",
    "OS763": "Unknown request category",
    "OS764": "Return limit reached",
    "OS765": "Request dispatched to another department",
    "OS766": "Reopen refused",
    "OS767": "Not authorised for this request",
    "OS768": "Concurrent change of the request",
    "OS769": "No competent department",
    "OS800": "Database unavailable",
    AUTH_REQUIRED: "Authentication required",
    INVALID_TOKEN: "Invalid token",
}


_NUMBER_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{15,18}(?![0-9A-Za-z])")


def _mask(match: re.Match[str]) -> str:
    text = match.group(0)
    if sum(c.isdigit() for c in text) < 10:
        return text  # a word, a hash fragment, an id such as 330102-SCJG-QYSLDJ (hyphens split it)
    keep = 6 if len(text) == 18 and text[:17].isdigit() else 4
    return text[:keep] + "*" * (len(text) - keep - 4) + text[-4:]


def redact_numbers(value: Any) -> Any:
    """``value`` (text, or lists and dicts of it) with every resident-ID-like number masked."""
    if isinstance(value, str):
        return _NUMBER_LIKE.sub(_mask, value)
    if isinstance(value, list):
        return [redact_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_numbers(v) for k, v in value.items()}
    return value


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
        "detail": redact_numbers(detail),
        "code": code,
    }
    for key, value in extra.items():
        if key not in body and value is not None:
            body[key] = value if key in ("case_id", "request_id") else redact_numbers(value)
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
    request_id = ma.fields.String(allow_none=True, metadata={"description": "a 12345 request's id (OS76x)"})
    state = ma.fields.String(allow_none=True)
    allowed = ma.fields.List(ma.fields.String())
    field = ma.fields.String(allow_none=True)
    hint = ma.fields.String(allow_none=True)
    reason = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "validation errors by location and field"})
