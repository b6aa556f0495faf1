"""The schema's revision: where a database stands against this version's migrations.

::

    status = schema_status(store)      # SchemaStatus(current="0003", head="0007", …)
    require_current(store)             # SchemaOutOfDate (OS730) unless current == head
    print(migration_sql(store.url))    # the SQL of `oneservice migrate --sql`

The commands that open a database (``serve``, ``demo``, ``supervise``, ``report``, ``token``)
call :func:`open_schema`: an empty database is created at head (nothing to lose), a database
behind the code is refused with :class:`~oneservice.errors.SchemaOutOfDate` unless the caller
asks to migrate (``serve --migrate``, ``oneservice migrate``). A schema ahead of the code (a newer
oneservice migrated it) is refused too: this version does not know its tables.
"""

from __future__ import annotations

import io

import attrs
from sqlalchemy import exc as sa_exc

from oneservice.errors import SchemaOutOfDate
from oneservice.store.store import MIGRATIONS, Store
from oneservice.store.translate import translate

__all__ = ["SchemaStatus", "migration_sql", "open_schema", "require_current",
           "schema_status"]


@attrs.frozen
class SchemaStatus:
    """``current``: the database's revision (``None``: no oneservice tables yet); ``head``: the code's."""

    current: str | None
    head: str
    known: bool  # the current revision is one of this version's migrations

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None


def _config(url: str | None = None) -> object:
    from alembic.config import Config

    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _script() -> object:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())  # type: ignore[arg-type]


def schema_status(store: Store) -> SchemaStatus:
    """The database's revision beside the code's head (one query)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = _script()
    assert isinstance(script, ScriptDirectory)
    head = script.get_current_head()
    assert head is not None
    try:
        with store.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc, case_id=None, where=store.url) from None
    known = current is None or current in {s.revision for s in script.walk_revisions()}
    return SchemaStatus(current, head, known)


def require_current(store: Store) -> SchemaStatus:
    """The status, or :class:`SchemaOutOfDate` (OS730) unless the database is at head."""
    status = schema_status(store)
    if status.up_to_date:
        return status
    if not status.known:
        message = (
            f"the database {store.url} is at revision {status.current}, which this version of oneservice "
            f"(head {status.head}) does not know: it was migrated by a newer version; run that version / "
            f"数据库结构来自更新的版本 {status.current}，本版本只认识到 {status.head}"
        )
    else:
        message = (
            f"the database {store.url} is at revision {status.current or '(none)'}, behind this version's "
            f"migrations (head {status.head}); run `oneservice migrate --db …` (or `serve --migrate`) / "
            f"数据库结构落后于程序（{status.current or '无'} → {status.head}），请先运行 oneservice migrate"
        )
    raise SchemaOutOfDate(message, current=status.current, head=status.head, where=store.url)


def open_schema(store: Store, *, migrate: bool = False) -> SchemaStatus:
    """Make sure ``store`` can be used: migrate when asked or when empty, else require head."""
    status = schema_status(store)
    if status.up_to_date:
        return status
    if (migrate or status.empty) and status.known:
        store.migrate()
        return schema_status(store)
    return require_current(store)


def migration_sql(url: str, *, start: str | None = None) -> str:
    """The SQL that migrates a database of ``url``'s dialect from ``start`` (default: empty) to head,
    without connecting to it (Alembic's offline mode: ``oneservice migrate --sql``)."""
    from alembic import command
    from alembic.config import Config

    config = _config(url)
    assert isinstance(config, Config)
    out = io.StringIO()
    config.stdout = out
    config.output_buffer = out
    command.upgrade(config, f"{start}:head" if start else "head", sql=True)
    return out.getvalue()
