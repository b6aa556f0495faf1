"""Options every command shares: ``--db`` means the same everywhere.

``--db`` takes a database URL (``postgresql+psycopg://…``, ``sqlite:///…``) or the path of a
SQLite file; the default is ``oneservice.sqlite`` in the current folder (``demo`` writes its own
file, ``oneservice-demo.sqlite``). A command that opens the database finds it at the code's
schema revision or stops with OS730 (``SchemaOutOfDate``): ``oneservice migrate`` brings it
there, ``serve --migrate`` too. A new, empty database is created at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .. import OneService

__all__ = ["DEFAULT_DB", "INIT_HINT", "database_url", "db_option", "fail", "open_service"]

INIT_HINT = "`oneservice init` writes a starter catalogue here / 可用 oneservice init 生成示例目录"

DEFAULT_DB = "oneservice.sqlite"
F = TypeVar("F", bound=Callable[..., Any])


def database_url(db: str) -> str:
    """A database URL; a plain path means a SQLite file."""
    return db if "://" in db else f"sqlite:///{db}"


def db_option(default: str = DEFAULT_DB) -> Callable[[F], F]:
    return click.option(
        "--db", default=default, show_default=True,
        help="database URL, or the path of a SQLite file",
    )


def fail(exc: Exception) -> click.ClickException:
    """A oneservice error as the command line shows it: its code, then its message."""
    code = getattr(exc, "code", None)
    return click.ClickException(f"{code} {exc}" if code else str(exc))


def open_service(workflows: str, db: str, *, migrate: bool = False, **options: Any) -> OneService:
    """The service over ``workflows`` and ``db``, the schema at head (see the module docstring)."""
    from pathlib import Path

    from .. import OneService, OneServiceError
    from ..store.schema import open_schema

    if not Path(workflows).exists():
        raise click.ClickException(f"no catalogue folder {workflows}/ here; {INIT_HINT}")
    try:
        service = OneService.open(workflows, database_url(db), migrate=False, **options)
    except OneServiceError as exc:
        raise fail(exc) from None
    try:
        open_schema(service.store, migrate=migrate)
    except OneServiceError as exc:
        service.store.dispose()
        raise fail(exc) from None
    return service
