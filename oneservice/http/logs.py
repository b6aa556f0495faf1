"""Structured request logs: one JSON line per request, without personal data.

A line holds the request id, method, *route template* (``/cases/<case_id>/accept``: never the
query string, never a body), status, duration, the caller's role and token id (not their name or
ID number; the token ledger maps the token id to the actor for an audit), the case id and the
error code. Nothing from a body, header or token claim is logged.

::

    {"ts": "2026-09-29T09:00:00.123+08:00", "level": "info", "logger": "oneservice.http.access",
     "event": "request", "request_id": "5f0c…", "method": "POST",
     "route": "/cases/<case_id>/accept", "status": 200, "ms": 8.4, "role": "clerk",
     "token": "t-3f9c…", "case": "20260929-4be1…", "code": null}
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request

__all__ = ["JsonFormatter", "configure_logging", "install_request_logging"]

access = logging.getLogger("oneservice.http.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "event", …}``: a record's ``fields`` extra, one line each."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(level: str = "info") -> None:
    """JSON lines on standard error for oneservice and the server (``oneservice serve``)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("oneservice", "waitress", "flask.app"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False


def install_request_logging(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _log(response: Response) -> Response:
        started = g.get("started")
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        actor = g.get("actor")
        view_args = request.view_args or {}
        fields = {
            "request_id": request_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule is not None else None,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "role": actor.role.value if actor is not None else None,
            "token": g.get("token_id"),
            "case": view_args.get("case_id"),
            "code": g.get("problem_code"),
        }
        access.info("request", extra={"fields": fields})
        return response
