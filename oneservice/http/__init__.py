"""The HTTP API: every action and query of :class:`~oneservice.OneService` as REST.

``oneservice serve`` runs it under waitress; :func:`create_app` builds the WSGI application for
any other server or for tests. Tokens are signed JWTs (:class:`TokenAuthority`) issued and
revoked with ``oneservice token``. The endpoints, errors, concurrency and idempotency are
described in ``docs/http-api.md`` and, for machines, at ``/openapi.json``.

The names below load their module (and Flask) on first use: ``oneservice.http.limits`` is read by
the command line without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app as create_app
    from .auth import InvalidToken as InvalidToken
    from .auth import IssuedToken as IssuedToken
    from .auth import TokenAuthority as TokenAuthority
    from .auth import TokenRecord as TokenRecord
    from .oidc import Authenticators as Authenticators
    from .oidc import ClaimMapping as ClaimMapping
    from .oidc import OidcVerifier as OidcVerifier
    from .server import serve as serve

__all__ = ["Authenticators", "ClaimMapping", "InvalidToken", "IssuedToken", "OidcVerifier", "TokenAuthority",
           "TokenRecord", "create_app", "serve"]

_HOMES = {
    "InvalidToken": "auth",
    "IssuedToken": "auth",
    "TokenAuthority": "auth",
    "TokenRecord": "auth",
    "Authenticators": "oidc",
    "ClaimMapping": "oidc",
    "OidcVerifier": "oidc",
    "create_app": "app",
    "serve": "server",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{home}", __name__), name)
        globals()[name] = value
        return value
