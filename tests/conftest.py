"""Store fixtures shared by every test directory: every store test runs on SQLite and, when
configured, on PostgreSQL.

Set ``ONESERVICE_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
to run the PostgreSQL half. It gets a fresh schema for the test session, dropped at the end;
tables are emptied after each test. SQLite gets a new database file per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from oneservice.store import Store, metadata

PG_URL_VARIABLE = "ONESERVICE_TEST_DATABASE_URL"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated store on a fresh SQLite file."""
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def pg_store() -> Iterator[Store]:
    """A migrated PostgreSQL store in a schema of its own (skipped without the env var)."""
    url = os.environ.get(PG_URL_VARIABLE)
    if not url:
        pytest.skip(f"{PG_URL_VARIABLE} is not set")
    store = Store(url, schema=f"oneservice_test_{uuid.uuid4().hex[:12]}")
    store.migrate()
    try:
        yield store
    finally:
        store.drop_schema()
        store.dispose()


def _empty(store: Store) -> None:
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated, empty store: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_store")
        return
    pg: Store = request.getfixturevalue("pg_store")
    try:
        yield pg
    finally:
        _empty(pg)
        pg.clear_cache()  # the next test reuses case ids
