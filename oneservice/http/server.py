"""Run the HTTP API under waitress, a production WSGI server (pure Python, no C build)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from .. import OneService
from .app import create_app
from .auth import Identifies
from .files import UPLOAD_SLACK
from .limits import DEFAULT_MAX_BODY

__all__ = ["serve"]


def _stop(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def serve(
    service: OneService,
    tokens: Identifies,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    threads: int = 8,
    max_body: int = DEFAULT_MAX_BODY,
    on_ready: Callable[[str], None] | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; ``on_ready`` gets the base URL (``port=0``: a free port)."""
    from waitress.server import create_server  # type: ignore[import-untyped]

    app = create_app(service, tokens, max_body=max_body, config=config)
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="oneservice",
        max_request_body_size=max(max_body, service.files.policy.limit + UPLOAD_SLACK),  # uploads
        clear_untrusted_proxy_headers=True,
    )
    shown = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    if on_ready is not None:
        on_ready(f"http://{shown}:{server.effective_port}")
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        service.store.dispose()
