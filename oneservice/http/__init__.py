"""The HTTP API: every action and query of :class:`~oneservice.OneService` as REST.

``oneservice serve`` runs it under waitress; :func:`create_app` builds the WSGI application for
any other server or for tests. Tokens are signed JWTs (:class:`TokenAuthority`) issued and
revoked with ``oneservice token``. The endpoints, errors, concurrency and idempotency are
described in ``docs/http-api.md`` and, for machines, at ``/openapi.json``.
"""

from __future__ import annotations

from .app import create_app as create_app
from .auth import InvalidToken as InvalidToken
from .auth import IssuedToken as IssuedToken
from .auth import TokenAuthority as TokenAuthority
from .auth import TokenRecord as TokenRecord
from .server import serve as serve

__all__ = ["InvalidToken", "IssuedToken", "TokenAuthority", "TokenRecord", "create_app", "serve"]
