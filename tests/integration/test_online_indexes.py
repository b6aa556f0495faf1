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

from oneservice import Actor, Applicant, OneService, Role
from oneservice.samples import sample_resident_id
from oneservice.store import Store
from oneservice.store.schema import migration_sql
from oneservice.store.store import _MIGRATION_LOCK, MIGRATIONS

INDEX = "ix_cases_location_opened_at_id"
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)


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


def _built(store: Store) -> list[tuple[str, Any]]:
    """The ``CREATE INDEX`` statements of INDEX that run from now on, with the connection's autocommit."""
    seen: list[tuple[str, Any]] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("CREATE INDEX") and INDEX in statement:
            seen.append((statement, conn.connection.dbapi_connection.autocommit))

    return seen


class TestPostgreSQL:
    def test_built_concurrently_in_autocommit(self, fresh_pg: Store, catalogue: Any) -> None:
        """A table that holds rows gets its index built concurrently, outside the transaction."""
        fresh_pg.migrate()
        service = OneService(catalogue, fresh_pg)
        service.open_case(ME, "start-a-business", PERSON, channel="online", location="hz-citizen-centre")
        with fresh_pg.engine.connect() as conn:
            command.downgrade(_config(conn), "0007")
        seen = _built(fresh_pg)
        fresh_pg.migrate()
        assert [autocommit for _, autocommit in seen] == [True]
        assert seen[0][0].startswith(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX}")
        assert _valid(fresh_pg) == [True]

    def test_an_empty_table_gets_a_plain_build(self, fresh_pg: Store) -> None:
        """A new database: no rows to build over, no writer to block, so the index is built in
        the migration transaction (a concurrent build would wait for every open transaction in
        the database)."""
        seen = _built(fresh_pg)
        fresh_pg.migrate()
        assert [(statement.split(" ON ")[0], autocommit) for statement, autocommit in seen] == [
            (f"CREATE INDEX {INDEX}", False)]
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


def test_a_waiting_migrator_holds_no_snapshot(fresh_pg: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migrator waiting for the migration lock holds no snapshot, so the holder's concurrent
    index build finishes. (Waiting in ``pg_advisory_lock`` held the statement's snapshot: the
    build waited for the waiter, the waiter for the lock — a deadlock, seen when two processes
    migrated at once.)"""
    import threading

    from oneservice.store import store as store_module

    waiting = threading.Event()
    monkeypatch.setattr(store_module, "_on_migration_wait", waiting.set)
    other = Store(str(fresh_pg.engine.url.render_as_string(hide_password=False)),
                  schema=f"oneservice_ddl_{uuid.uuid4().hex[:12]}")
    failures: list[BaseException] = []

    def migrate_other() -> None:
        try:
            other.migrate()
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    try:
        with fresh_pg.engine.connect() as connection:
            holder = connection.execution_options(isolation_level="AUTOCOMMIT")
            holder.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
            holder.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{fresh_pg.schema}"')
            holder.exec_driver_sql(f'CREATE TABLE "{fresh_pg.schema}".t (a int)')
            thread = threading.Thread(target=migrate_other)
            thread.start()
            assert waiting.wait(timeout=120), "the second migrator never found the lock taken"
            holder.exec_driver_sql(f'CREATE INDEX CONCURRENTLY ix_t_a ON "{fresh_pg.schema}".t (a)')
            holder.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
        thread.join()
        assert failures == []
        with other.transaction() as tx:
            assert tx.connection.exec_driver_sql("SELECT count(*) FROM cases").scalar() == 0
    finally:
        other.drop_schema()
        other.dispose()
