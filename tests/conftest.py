"""Fixtures shared by every test directory: the stores (every store test runs on SQLite and, when
configured, on PostgreSQL), the shipped catalogue, a simulated clock and a service over them.

Set ``ONESERVICE_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
to run the PostgreSQL half. It gets a fresh schema for the test session, dropped at the end;
tables are emptied after each test. SQLite gets a new database file per test.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oneservice import TZ, OneService, SimulatedClock, load_catalogue
from oneservice.store import Store, metadata

ROOT = Path(__file__).resolve().parents[1]

PG_URL_VARIABLE = "ONESERVICE_TEST_DATABASE_URL"


@pytest.fixture(autouse=True, scope="session")
def _catalogue_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled catalogues (``OneService.open``, the commands) go to a folder of the test
    session, never to the user's ~/.cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ONESERVICE_CATALOGUE_CACHE", str(tmp_path_factory.mktemp("catalogues")))
    yield
    patch.undo()


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


@pytest.fixture(scope="session")
def catalogue() -> Any:
    """The shipped catalogue (``workflows/``); a directory with a catalogue of its own overrides it."""
    return load_catalogue([ROOT / "workflows"])


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))  # a Monday


@pytest.fixture
def service(catalogue: Any, store: Store, clock: SimulatedClock) -> OneService:
    return OneService(catalogue, store, clock=clock)
