"""Database files are private: a SQLite file holds names, full ID numbers, phones and forms."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["create_private_file", "sqlite_file"]


def sqlite_file(database: str | None) -> Path | None:
    """The file of a SQLite URL's database part (``None``: in memory, or a ``file:`` URI)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists. SQLite then writes its database
    there, and gives its journal, WAL and shared-memory files the database file's mode."""
    if path.exists() or not path.parent.is_dir():  # a missing folder: SQLite reports it
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created meanwhile by another process
        return
    os.close(fd)
