"""The WSGI application: ``create_app(service, tokens)``.

::

    from oneservice import OneService
    from oneservice.http import TokenAuthority, create_app

    service = OneService.open("workflows", "sqlite:///cases.sqlite")
    app = create_app(service, TokenAuthority(secret))      # any WSGI server; `oneservice serve`
                                                            # runs it under waitress
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, request, send_from_directory
from werkzeug.routing import BaseConverter

from .. import OneService, OneServiceError
from .api import Api
from .auth import Identifies
from .callbacks import callbacks
from .cases import cases
from .context import EXTENSION, HttpState
from .events import feed
from .fields import ID_PATTERN
from .files import files
from .identity import identity
from .language import install_languages
from .limits import DEFAULT_MAX_BODY
from .lists import lists
from .logs import install_request_logging
from .problems import HTTP_ERROR, HttpProblem, body_response, problem_from_error, problem_response
from .public import catalogue, health
from .requests import requests as request_routes
from .scope import install_scope
from .webhooks import webhooks

__all__ = ["create_app"]

log = logging.getLogger("oneservice.http")


CASE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "a token from `oneservice token issue`",
    }
}


class CaseIdConverter(BaseConverter):
    regex = CASE_ID_PATTERN[1:-1]


class IdentConverter(BaseConverter):
    regex = ID_PATTERN[1:-1]


def _docs_assets(filename: str) -> Response:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


def _web_key(tokens: Identifies, config: dict[str, Any] | Any) -> bytes:
    """The key of the web front's cookies: ``WEB_SECRET`` when configured, else derived from the
    server's signing secret (every server of one secret accepts the same sessions)."""
    configured = config.get("WEB_SECRET")
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    derive = getattr(tokens, "derive_key", None)
    if derive is None:
        raise ValueError("the web front needs WEB_SECRET or a token authority that derives keys; "
                         "create the app with WEB=False to serve the API alone")
    key: bytes = derive("web")
    return key


def create_app(
    service: OneService,
    tokens: Identifies,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The HTTP API over ``service``, authenticating with ``tokens`` (a
    :class:`~oneservice.http.auth.TokenAuthority`, or :class:`~oneservice.http.oidc.Authenticators`
    to accept an identity platform's tokens too)."""
    app = Flask("oneservice.http")
    app.config.update(
        API_TITLE="oneservice",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        MAX_CONTENT_LENGTH=max_body,
        API_SPEC_OPTIONS={
            "info": {
                "description": "最多跑一次 (at most one trip) government-service cases over HTTP. "
                "Errors are RFC 9457 problem details with oneservice's stable codes; see "
                "docs/http-api.md.",
            },
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": SECURITY_SCHEMES},
        },
    )
    app.config.update(config or {})
    app.url_map.converters["case_id"] = CaseIdConverter
    app.url_map.converters["ident"] = IdentConverter
    app.extensions[EXTENSION] = HttpState(service, tokens)
    install_request_logging(app)

    api = Api(app)
    api.register_converter(CaseIdConverter, lambda _c: {"type": "string", "pattern": CASE_ID_PATTERN})
    api.register_converter(IdentConverter, lambda _c: {"type": "string", "pattern": ID_PATTERN})
    for blueprint in (health, catalogue, cases, files, lists, identity, feed, webhooks, callbacks,
                      request_routes):
        api.register_blueprint(blueprint)
    app.add_url_rule("/docs/assets/<path:filename>", "docs_assets", _docs_assets)

    @app.before_request
    def _json_only() -> None:
        if (request.method == "POST" and request.content_length and not request.is_json
                and request.endpoint != "files.post_file"  # an upload: any bytes
                and not (request.blueprint or "").startswith("web_")):  # the web front's forms
            raise HttpProblem(415, HTTP_ERROR, "send the body as application/json",
                              title="Unsupported Media Type")

    install_scope(app)
    install_languages(app)
    if app.config.get("WEB", True):
        from ..web import install_web

        install_web(app, key=_web_key(tokens, app.config))

    @app.errorhandler(HttpProblem)
    def _http_problem(exc: HttpProblem) -> Response:
        g.problem_code = exc.code
        return problem_response(exc.status, exc.code, exc.detail, title=exc.title,
                                headers=exc.headers, **exc.extra)

    @app.errorhandler(OneServiceError)
    def _library_error(exc: OneServiceError) -> Response:
        body = problem_from_error(exc)
        g.problem_code = exc.code
        if body["status"] >= 500:
            log.error("library error", exc_info=exc, extra={"fields": {"code": exc.code}})
        headers = {"Retry-After": "5"} if body["status"] == 503 else None
        return body_response(body, headers)

    return app
