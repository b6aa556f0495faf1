"""Index builds that do not block writes (``oneservice.store.ddl``): on PostgreSQL the migration
runner lets Alembic own the transaction, and ``create_index_online`` builds the index with
``CREATE INDEX CONCURRENTLY`` in autocommit mode (PostgreSQL itself refuses that statement inside
a transaction block, so a successful migration shows it ran outside one). SQLite builds it inside
the transaction."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from oneservice.store import Store
from oneservice.store.schema import migration_sql
from oneservice.store.store import _MIGRATION_LOCK, MIGRATIONS

INDEX = "ix_cases_location_opened_at_id"


def _config(conn: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@pytest.fixture
def fresh_pg() -> Iterator[Store]:
    url = os.environ.get("ONESERVICE_TEST_DATABASE_URL")
    if not url:
        pytest.skip("ONESERVICE_TEST_DATABASE_URL is not set")
    store = Store(url, schema=f"oneservice_ddl_{uuid.uuid4().hex[:12]}")
    try:
        yield store
    finally:
        store.drop_schema()
        store.dispose()


def _valid(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %(n)s AND c.relnamespace = to_regnamespace(current_schema())", {"n": INDEX}).scalars().all()


class TestPostgreSQL:
    def test_built_concurrently_in_autocommit(self, fresh_pg: Store) -> None:
        seen: list[tuple[str, Any]] = []

        @sa.event.listens_for(fresh_pg.engine, "before_cursor_execute")
        def record(conn, cursor, statement, parameters, context, executemany):
            if "CONCURRENTLY" in statement:
                seen.append((statement, conn.connection.dbapi_connection.autocommit))

        fresh_pg.migrate()
        assert len(seen) == 2 and all(autocommit for _, autocommit in seen)  # 0008's and 0019's
        assert seen[0][0].startswith(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX}")
        assert _valid(fresh_pg) == [True]

    def test_interrupted_build_is_redone(self, fresh_pg: Store) -> None:
        """An index an interrupted concurrent build left invalid is dropped and built again."""
        fresh_pg.migrate()
        with fresh_pg.engine.connect() as conn:
            command.downgrade(_config(conn), "0007")
        with fresh_pg.engine.begin() as conn:  # as a crash during CREATE INDEX CONCURRENTLY leaves it
            conn.exec_driver_sql(f"CREATE INDEX {INDEX} ON cases (location, opened_at, id)")
            conn.exec_driver_sql(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = "
                f"'{fresh_pg.schema}.{INDEX}'::regclass")
        assert _valid(fresh_pg) == [False]
        fresh_pg.migrate()
        assert _valid(fresh_pg) == [True]

    def test_lock_released_and_repeatable(self, fresh_pg: Store) -> None:
        fresh_pg.migrate()
        fresh_pg.migrate()
        with fresh_pg.engine.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({_MIGRATION_LOCK})").scalar() is True
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")

    def test_inside_a_callers_transaction_it_is_a_plain_build(self, fresh_pg: Store) -> None:
        """A caller holding the transaction (tests, scripts): the index is built inside it."""
        fresh_pg.migrate()
        with fresh_pg.engine.connect() as conn:
            command.downgrade(_config(conn), "0007")
        with fresh_pg.engine.begin() as conn:
            command.upgrade(_config(conn), "head")
        assert _valid(fresh_pg) == [True]


def test_printed_sql_commits_around_the_build() -> None:
    sql = migration_sql("postgresql+psycopg://u@h/d", start="0007")
    at = sql.index(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX}")
    assert sql.rindex("COMMIT;", 0, at) > sql.rindex("BEGIN;", 0, at) and sql.index("BEGIN;", at) > at
    sqlite = migration_sql("sqlite:///x.sqlite", start="0007")
    assert "CONCURRENTLY" not in sqlite and f"CREATE INDEX {INDEX}" in sqlite


def test_sqlite_builds_it(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        names = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list('cases')")}
    assert INDEX in names
