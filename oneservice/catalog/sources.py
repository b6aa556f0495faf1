"""Reading the bytes of a definition file, before any parsing: what the catalogue cache hashes.

Kept apart from the parser (:mod:`.yamlio`, which imports ruamel.yaml and PyYAML), so that a
catalogue loaded from the cache imports neither.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Finding

__all__ = ["MAX_BYTES", "read_bytes", "too_big"]

MAX_BYTES = 1_048_576


def too_big(size: int, name: str) -> Finding:
    return Finding("OS105", f"the file is {size} bytes, more than the limit of {MAX_BYTES}", file=name,
                   line=1, column=1, hint="split the definitions into several files")


def read_bytes(path: Path, name: str | None = None) -> tuple[bytes | None, list[Finding]]:
    """The bytes of one definition file, or the findings that prevent reading it (too big,
    unreadable). :func:`~oneservice.catalog.yamlio.parse_text` parses them."""
    name = name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # no buffered file object:
        try:  # a catalogue is thousands of small files
            size = os.fstat(fd).st_size
            if size > MAX_BYTES:
                return None, [too_big(size, name)]
            chunks = []
            left = MAX_BYTES + 1  # the file may have grown since fstat()
            while left > 0:
                chunk = os.read(fd, left)
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        return None, [Finding("OS101", f"cannot read the file: {exc.strerror or exc}", file=name)]
    return b"".join(chunks), []
