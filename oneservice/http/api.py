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

class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """A flask-smorest blueprint whose JSON bodies are parsed strictly."""

    ARGUMENTS_PARSER = Parser()


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

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            content_type = "application/json"
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_JSON
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
