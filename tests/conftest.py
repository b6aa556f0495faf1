"""Fixtures shared by every test directory (store fixtures only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oneservice.store import Store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated store on a fresh SQLite file."""
    store = Store(f"sqlite:///{tmp_path / 'oneservice.sqlite'}")
    store.migrate()
    yield store
    store.dispose()
