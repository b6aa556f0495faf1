"""Alembic environment of oneservice.

:meth:`oneservice.store.Store.migrate` runs it with a connection (``config.attributes
["connection"]``) that has no transaction open: the migration context begins and owns it, so a
step may run outside it (:mod:`oneservice.store.ddl`). Run by the ``alembic`` command instead, it
connects to ``sqlalchemy.url`` of the Alembic configuration.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from oneservice.store.ddl import OUTSIDE_TRANSACTION
from oneservice.store.tables import metadata


def _run(connection: Connection) -> None:
    # a connection with no transaction open: Alembic begins one and owns it, so a step may leave
    # it (oneservice.store.ddl: index builds that do not block writes); a caller's transaction
    # holds every step
    context.config.attributes[OUTSIDE_TRANSACTION] = not connection.in_transaction()
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    config = context.config
    if context.is_offline_mode():
        config.attributes[OUTSIDE_TRANSACTION] = True  # the printed SQL commits around such steps
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from oneservice.store.store import Store

    store = Store(config.get_main_option("sqlalchemy.url"))
    try:
        with store.engine.connect() as conn:
            _run(conn)
    finally:
        store.dispose()


_main()
