"""The web front: server-rendered pages for the front desk, the back office, the supervisor, the
applicant and the workflow author, served by ``oneservice serve`` beside the HTTP API.

Same process, same tokens, same scopes as the API; no build step and no CDN (the stylesheet and
the one script are package data under ``static/``). Chinese first, English by ``/lang/en``.
Sessions are signed cookies (``HttpOnly``, ``SameSite=Lax``, ``Secure`` unless the app is
configured with ``WEB_COOKIE_SECURE=False``) that carry the token the user signed in with; every
form carries a CSRF token. ``docs/web.md`` shows each screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, Response, request

from ..http.auth import mask_id
from .base import csrf_token, language, signed_in, t

__all__ = ["install_web"]

SECURITY_HEADERS = {
    # the pages load only their own stylesheet, script and inline SVG; no frames, no other site
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""Sent with every page of the web front."""

SESSION_HOURS = 10
"""A sign-in lasts a working day (and never longer than its token)."""


def _masked(number: str | None) -> str:
    if not number:
        return ""
    try:
        return mask_id(number)
    except Exception:
        return number[:2] + "*" * max(len(number) - 4, 0) + number[-2:]


def install_web(app: Flask, *, key: bytes) -> None:
    """Serve the web front from ``app``; ``key`` signs its session cookies (32 bytes, the same on
    every server of one deployment: ``TokenAuthority.derive_key("web")``)."""
    from . import applicant, authoring, casefile, desk, login, office, requests, supervise

    app.secret_key = key
    app.config.setdefault("WEB_COOKIE_SECURE", True)
    app.config.update(
        SESSION_COOKIE_NAME="oneservice_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(app.config["WEB_COOKIE_SECURE"]),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
    )
    app.extensions["oneservice.web.key"] = key
    for module in (login, casefile, desk, office, supervise, applicant, authoring, requests):
        app.register_blueprint(module.bp)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"t": t, "lang": language(), "csrf_token": csrf_token, "me": signed_in()}

    app.jinja_env.filters["masked"] = _masked
    app.jinja_env.autoescape = True

    @app.after_request
    def _headers(response: Response) -> Response:
        if (request.blueprint or "").startswith("web_"):
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            if request.endpoint != "web_login.static":
                response.headers.setdefault("Cache-Control", "no-store")  # pages name people and cases
        return response
