"""Options every command shares: ``--db`` and ``--workflows`` mean the same everywhere.

``--workflows`` may be given several times, like ``check``'s PATHS: every folder or file given is
read (a repeated option accumulates; it never keeps only the last). ``ONESERVICE_WORKFLOWS``
gives it from the environment: several paths separated by ``os.pathsep`` (``:``; ``;`` on
Windows).

``--db`` takes a database URL (``postgresql+psycopg://…``, ``sqlite:///…``) or the path of a
SQLite file; the default is ``oneservice.sqlite`` in the current folder (``demo`` writes its own
file, ``oneservice-demo.sqlite``). A command that opens the database finds it at the code's
schema revision or stops with OS730 (``SchemaOutOfDate``): ``oneservice migrate`` brings it
there, ``serve --migrate`` too. A new, empty database is created at once.
``ONESERVICE_DATABASE_URL`` gives it from the environment.

A flag given on the command line wins over its environment variable, which wins over the
default (click's ``envvar=``; ``--help`` names each variable).

Every command that reads the catalogue loads it from the catalogue cache when its files have not
changed (:mod:`oneservice.catalog.cache`): ``--catalogue-cache DIR`` or
``ONESERVICE_CATALOGUE_CACHE`` names the folder (default ``~/.cache/oneservice/catalogues``),
``--no-catalogue-cache`` or ``ONESERVICE_CATALOGUE_CACHE=off`` checks the files every time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .. import OneService

__all__ = ["DATABASE_VARIABLE", "DEFAULT_DB", "DEFAULT_WORKFLOWS", "INIT_HINT", "WORKFLOWS_VARIABLE",
           "catalogue_cache", "catalogue_cache_options", "database_url", "db_option", "fail", "files_option",
           "open_service", "workflows_option"]

INIT_HINT = "`oneservice init` writes a starter catalogue here / 可用 oneservice init 生成示例目录"

DEFAULT_DB = "oneservice.sqlite"
DEFAULT_WORKFLOWS = "workflows"
DATABASE_VARIABLE = "ONESERVICE_DATABASE_URL"
WORKFLOWS_VARIABLE = "ONESERVICE_WORKFLOWS"
F = TypeVar("F", bound=Callable[..., Any])


WORKFLOWS_HELP = "a catalogue folder or file; repeat the option for several"


def workflows_option(help_text: str = WORKFLOWS_HELP) -> Callable[[F], F]:
    """``--workflows PATH``, repeatable; the command receives a tuple of paths. With it come the
    catalogue cache's options (:func:`catalogue_cache_options`)."""
    paths = click.option("--workflows", multiple=True, default=(DEFAULT_WORKFLOWS,), show_default=True,
                         type=click.Path(), envvar=WORKFLOWS_VARIABLE, show_envvar=True,
                         help=help_text)  # click.Path splits the variable at os.pathsep
    cache = catalogue_cache_options()

    def decorate(command: F) -> F:
        return paths(cache(command))

    return decorate


_CACHE_FOLDER = "oneservice.catalogue_cache"
_NO_CACHE = "oneservice.no_catalogue_cache"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value:
            ctx.meta[key] = value
        return value

    return callback


def catalogue_cache_options() -> Callable[[F], F]:
    """``--catalogue-cache DIR`` and ``--no-catalogue-cache``: where the checked catalogue is kept
    and found again by the content of its files (``ONESERVICE_CATALOGUE_CACHE``; ``off`` turns it
    off), or not at all. The command reads them with :func:`catalogue_cache`, not as arguments."""
    folder = click.option(
        "--catalogue-cache", type=click.Path(file_okay=False), default=None, expose_value=False,
        callback=_remember(_CACHE_FOLDER),
        help="folder of compiled catalogues (default: $ONESERVICE_CATALOGUE_CACHE, else "
             "~/.cache/oneservice/catalogues)")
    off = click.option(
        "--no-catalogue-cache", is_flag=True, expose_value=False, callback=_remember(_NO_CACHE),
        help="check the definition files again instead of loading the compiled catalogue "
             "(ONESERVICE_CATALOGUE_CACHE=off does the same)")

    def decorate(command: F) -> F:
        return folder(off(command))

    return decorate


def catalogue_cache() -> bool | str:
    """The catalogue cache the running command asks for: ``False`` (``--no-catalogue-cache``), a
    folder (``--catalogue-cache``), else ``True`` (the environment's or the default folder)."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    if meta.get(_NO_CACHE):
        return False
    folder = meta.get(_CACHE_FOLDER)
    return str(folder) if folder else True


def missing_catalogue(workflows: str | Sequence[str]) -> click.ClickException | None:
    """The error for catalogue paths of which none exists (``None``: some exist)."""
    from pathlib import Path

    paths = [workflows] if isinstance(workflows, str) else list(workflows)
    if any(Path(p).exists() for p in paths):
        return None
    shown = ", ".join(f"{p}/" for p in paths)
    return click.ClickException(f"no catalogue folder {shown} here; {INIT_HINT}")


def database_url(db: str) -> str:
    """A database URL; a plain path means a SQLite file."""
    return db if "://" in db else f"sqlite:///{db}"


def db_option(default: str = DEFAULT_DB) -> Callable[[F], F]:
    """``--db``; from ``ONESERVICE_DATABASE_URL`` too where the default is the site's database
    (not for ``demo``, whose own file must never become the production database)."""
    return click.option(
        "--db", default=default, show_default=True,
        envvar=DATABASE_VARIABLE if default == DEFAULT_DB else None, show_envvar=True,
        help="database URL, or the path of a SQLite file",
    )


def files_option() -> Callable[[F], F]:
    """``--files DIR`` (``ONESERVICE_FILES``): the folder of uploaded materials' files."""
    return click.option(
        "--files", envvar="ONESERVICE_FILES", show_envvar=True, default=None,
        type=click.Path(file_okay=False),
        help="folder of uploaded files (default: oneservice-files/ beside a SQLite database, else "
        "./oneservice-files); ONESERVICE_MAX_FILE and ONESERVICE_FILE_RETENTION_DAYS set the limit "
        "and the retention",
    )


def fail(exc: Exception) -> click.ClickException:
    """A oneservice error as the command line shows it: its code, then its message."""
    code = getattr(exc, "code", None)
    return click.ClickException(f"{code} {exc}" if code else str(exc))


def open_service(
    workflows: str | Sequence[str], db: str, *, migrate: bool = False, **options: Any
) -> OneService:
    """The service over ``workflows`` and ``db``, the schema at head (see the module docstring)."""
    from .. import OneService, OneServiceError
    from ..store.schema import open_schema

    missing = missing_catalogue(workflows)
    if missing is not None:
        raise missing
    try:
        if "files" in options:  # serve, worker: the blob store and the file policy
            from ..service.filetypes import FilePolicy

            options["file_policy"] = FilePolicy.from_environment()
        service = OneService.open(workflows, database_url(db), migrate=False,
                                  catalogue_cache=catalogue_cache(), **options)
    except OneServiceError as exc:
        raise fail(exc) from None
    try:
        open_schema(service.store, migrate=migrate)
    except OneServiceError as exc:
        service.store.dispose()
        raise fail(exc) from None
    return service
