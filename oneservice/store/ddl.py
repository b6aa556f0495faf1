"""Migration steps that must not block writes: index builds outside the migration transaction.

:meth:`~oneservice.store.Store.migrate` lets Alembic own the migration transaction (the
connection it passes has none open; ``migrations/env.py`` begins it), so a step can leave it:
:func:`create_index_online` commits what the migrations did so far, builds the index with
``CREATE INDEX CONCURRENTLY`` on PostgreSQL in autocommit mode — other sessions keep inserting
and updating rows of the table meanwhile, where a plain ``CREATE INDEX`` holds a ``SHARE`` lock
that blocks every write until the index is built — and then begins a new transaction for the
steps after it. A table with no rows yet (a new database) gets a plain build inside the
transaction instead: there is no write to block, and a concurrent build would wait for every
transaction open anywhere in the database. Re-running is safe: an index left *invalid* by an
interrupted concurrent build is dropped and built again, a valid one is kept.

On SQLite, and where the caller holds the transaction itself (a connection already in a
transaction passed in ``config.attributes["connection"]``, as some tests do), the index is built
inside the transaction as any other step. ``oneservice migrate --sql`` prints ``COMMIT;``, the
``CREATE INDEX CONCURRENTLY`` and ``BEGIN;`` for PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["OUTSIDE_TRANSACTION", "create_index_online", "drop_index_online"]

OUTSIDE_TRANSACTION = "oneservice.steps_outside_transaction"
"""The Alembic config attribute ``migrations/env.py`` sets: whether a step may leave the
migration transaction (the migration context owns it, or the SQL is printed)."""


def _may_leave(op: Any) -> bool:
    from alembic import context

    ctx = op.get_context()
    if ctx.dialect.name != "postgresql":
        return False
    return bool(context.config.attributes.get(OUTSIDE_TRANSACTION, False))


def create_index_online(name: str, table: str, columns: Sequence[str], **kwargs: Any) -> None:
    """``op.create_index(name, table, columns, **kwargs)``, without blocking writes on PostgreSQL."""
    from alembic import op

    if not _may_leave(op):
        op.create_index(name, table, list(columns), **kwargs)
        return
    ctx = op.get_context()
    if not ctx.as_sql and _empty(op, table):
        # Nothing to build and nobody to block: a plain build inside the migration transaction.
        # A concurrent one would wait for every transaction open anywhere in the database.
        op.execute(f'DROP INDEX IF EXISTS "{name}"')  # one an interrupted build left invalid
        op.create_index(name, table, list(columns), **kwargs)
        return
    with ctx.autocommit_block():
        if not ctx.as_sql:
            invalid = op.get_bind().exec_driver_sql(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %(name)s AND c.relnamespace = to_regnamespace(current_schema()) "
                "AND NOT i.indisvalid", {"name": name}).first()
            if invalid is not None:  # an interrupted concurrent build: start again
                op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
        op.create_index(name, table, list(columns), postgresql_concurrently=True, if_not_exists=True,
                        **kwargs)


def _empty(op: Any, table: str) -> bool:
    """Whether ``table`` has no rows (a new database, or a table no one has written yet)."""
    return not op.get_bind().exec_driver_sql(f'SELECT EXISTS (SELECT 1 FROM "{table}")').scalar()


def drop_index_online(name: str, table: str) -> None:
    """``op.drop_index(name, table)``, without blocking reads and writes on PostgreSQL."""
    from alembic import op

    if not _may_leave(op):
        op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
