"""Fixtures of the HTTP tests: the app over a fresh store (SQLite, then PostgreSQL) and a cast of
token holders.

The ``store`` fixture is the one of ``tests/conftest.py``: every test that uses ``http`` runs on
SQLite and, when ``ONESERVICE_TEST_DATABASE_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from http_helpers import ROOT, SECRET, Http

from oneservice import TZ, SimulatedClock, load_catalogue
from oneservice.http import TokenAuthority, create_app


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue([ROOT / "workflows"])


@pytest.fixture
def clock():
    return SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))  # a Monday


@pytest.fixture
def service(catalogue, store, clock):
    from oneservice import OneService

    return OneService(catalogue, store, clock=clock)


@pytest.fixture
def authority(tmp_path):
    return TokenAuthority(SECRET, tmp_path / "tokens.jsonl")


@pytest.fixture
def app(service, authority):
    return create_app(service, authority)


@pytest.fixture
def http(app, authority, catalogue) -> Iterator[Http]:
    yield Http(app.test_client(), authority, catalogue)
