"""flask-smorest's ``Api`` and ``Blueprint`` with problem-details errors and strict JSON parsing."""

from __future__ import annotations

import http
from typing import Any

import flask_smorest  # type: ignore[import-untyped]
from flask import Response, g
from flask_smorest.utils import prepare_response  # type: ignore[import-untyped]
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .fields import Parser
from .problems import HTTP_ERROR, PROBLEM_JSON, ProblemSchema, problem_response

__all__ = ["Api", "Blueprint"]

ACCEPT_LANGUAGE: dict[str, Any] = {
    "name": "Accept-Language", "in": "header", "required": False,
    "description": "the language of a problem's title and detail: zh or en (oneservice.http.language); "
                   "without it, the detail as written (often both)",
    "schema": {"type": "string", "example": "zh-CN"},
}

PUBLIC = frozenset({"health", "catalogue"})
"""The blueprints served without a token."""

_EXAMPLES: dict[int, tuple[str, str, str]] = {
    400: ("OS620", "Invalid input", "the body is not valid JSON"),
    401: ("OS901", "Authentication required", "send Authorization: Bearer <token>"),
    403: ("OS705", "Not authorised", "case 20261102-4be1c0a9d2f3: only a supervisor runs the overdue sweep"),
    404: ("OS700", "Case not found", "case 20261102-4be1c0a9d2f3: no such case"),
    409: ("OS701", "Action not allowed in this state",
          "case 20261102-4be1c0a9d2f3 (state draft): action 'accept' is not allowed now; allowed now: "
          "submit, withdraw"),
    412: ("OS703", "Precondition failed",
          "case 20261102-4be1c0a9d2f3 is at version 3, not 2; read it again and retry"),
    413: ("OS900", "Request Entity Too Large", "the request body is too large"),
    415: ("OS900", "Unsupported Media Type", "send the body as application/json"),
    422: ("OS620", "Invalid input", "the request does not match the API's schema"),
    503: ("OS800", "Database unavailable", "the database could not be used; try again later"),
}
"""An example problem of each error status the API answers (documented with every operation)."""


def error_statuses(blueprint: str, method: str, responses: dict[str, Any]) -> list[int]:
    """The error statuses an operation of ``blueprint`` can answer (besides those it declares).

    Every operation: 404 (an unknown id in its path or filters), 503 (the database unavailable);
    with a token: 401 (none, bad, expired, revoked), 403 (the role may not) and 422 (the library
    refuses a value); with arguments: 400 (malformed JSON or headers) and 422; a POST or PUT: 413 (too
    large), 415 (not JSON), 409 (the state or a calendar does not allow it, a concurrent change)
    and 412 (a stale ``If-Match``).
    """
    statuses = {404, 503}
    if blueprint not in PUBLIC:
        statuses |= {401, 403, 422}  # 422: the library's InvalidInput, whatever the arguments
    if "422" in responses or method in ("post", "put"):
        statuses |= {400, 422}
    if method in ("post", "put"):
        statuses |= {409, 412, 413, 415}
    return sorted(statuses)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """A flask-smorest blueprint whose JSON bodies are parsed strictly, and whose operations
    document every status they can answer (no catch-all ``default``: see :func:`error_statuses`)."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._document_errors)

    def register_views_in_doc(self, *args: Any, **kwargs: Any) -> None:
        """As flask-smorest's, with the endpoint's name as the operationId where none is given."""
        for endpoint, info in self._docs.items():
            for method, operation in info.items():
                if method != "parameters" and isinstance(operation, dict):
                    operation.setdefault("manual_doc", {}).setdefault("operationId", endpoint)
        super().register_views_in_doc(*args, **kwargs)

    def _document_errors(self, doc: dict[str, Any], doc_info: dict[str, Any], *, method: str,
                         **_kwargs: Any) -> dict[str, Any]:
        responses = {str(status): value for status, value in doc.get("responses", {}).items()}
        doc["responses"] = responses
        responses.pop("default", None)
        for status in error_statuses(self.name, method, responses):
            responses.setdefault(str(status), http.HTTPStatus(status).name)
        doc.setdefault("parameters", []).append(ACCEPT_LANGUAGE)
        return doc


_HTTP_DETAILS = {
    400: "the request is malformed",
    404: "no such resource",
    405: "method not allowed on this resource",
    406: "only JSON responses are available",
    413: "the request body is too large",
    415: "send the body as application/json",
}


class Api(flask_smorest.Api):  # type: ignore[misc]
    """Every error, including those of routing and argument parsing, is a problem-details body."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # every operation lists its statuses (Blueprint)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            content_type = "application/json"
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_JSON
                if status in _EXAMPLES:
                    code, title, detail = _EXAMPLES[status]
                    response["example"] = {"type": f"urn:oneservice:problem:{code}", "title": title,
                                           "status": int(status), "detail": detail, "code": code}
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        status = error.code or 500
        data: dict[str, Any] = getattr(error, "data", None) or {}
        messages = data.get("messages") or data.get("errors")
        headers: dict[str, str] = dict(data.get("headers") or {})
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if status == 422 or (status == 400 and messages):
            json_errors = messages.get("json") if isinstance(messages, dict) else None
            malformed = status == 400
            detail = (
                "the body is not valid JSON" if malformed
                else "the request does not match the API's schema"
            )
            if isinstance(json_errors, dict) and "_schema" in json_errors:
                detail = "; ".join(str(m) for m in json_errors["_schema"])
            g.problem_code = "OS620"
            return problem_response(
                status, "OS620", detail, title="Invalid input", headers=headers, errors=messages
            )
        if status >= 500:
            g.problem_code = "OS000"
            return problem_response(
                status, "OS000", "an unexpected error; it has been logged", title="Internal error"
            )
        g.problem_code = HTTP_ERROR
        detail = _HTTP_DETAILS.get(status, error.description or error.name)
        return problem_response(status, HTTP_ERROR, detail, title=error.name, headers=headers)
