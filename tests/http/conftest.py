"""Fixtures of the HTTP tests: the app over a fresh store (SQLite, then PostgreSQL) and a cast of
token holders.

The ``store`` fixture is the one of ``tests/conftest.py``: every test that uses ``http`` runs on
SQLite and, when ``ONESERVICE_TEST_DATABASE_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_helpers import SECRET, Http

from oneservice.http import TokenAuthority, create_app


@pytest.fixture
def authority(tmp_path):
    return TokenAuthority(SECRET, tmp_path / "tokens.jsonl")


@pytest.fixture
def app(service, authority):
    return create_app(service, authority)


@pytest.fixture
def http(app, authority, catalogue) -> Iterator[Http]:
    yield Http(app.test_client(), authority, catalogue)
