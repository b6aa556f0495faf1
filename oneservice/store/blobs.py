"""Blob stores: where the bytes of uploaded materials live, content-addressed by SHA-256.

::

    blobs = FileBlobStore("oneservice-files")          # or MemoryBlobStore() in tests
    blob = blobs.put(stream, limit=20 * 2**20, expected_sha256=None, check=sniff)
    blob.sha256, blob.size                              # what the attachment row records
    with blobs.open(blob.sha256) as f: ...              # read it back
    blobs.exists(blob.sha256); blobs.delete(blob.sha256)

A blob store knows bytes and hashes only: which case, material or actor a blob belongs to is in
the ``attachments`` table (:mod:`oneservice.store.attachments`), and one blob may serve several
attachments (the same file uploaded twice is stored once).

**The interface** (:class:`BlobStore`) is what an object store (S3, MinIO, OSS, a WebDAV share)
implements to take the file system's place:

``put(stream, *, limit, expected_sha256=None, check=None) -> StoredBlob``
    Read ``stream`` to its end, hashing as it reads; refuse it with
    :class:`~oneservice.errors.FileTooLarge` as soon as more than ``limit`` bytes came, with
    :class:`~oneservice.errors.FileHashMismatch` when ``expected_sha256`` is given and differs,
    and with whatever ``check`` raises (``check`` is given the whole content as a seekable binary
    file before it is kept: the content-type sniffing). A refused put leaves **nothing** behind —
    an object store uploads to a temporary key (or a multipart upload it aborts) and copies it to
    the key of its hash only once every check passed. A blob already there is kept and its
    stored time renewed (see ``delete``). Returns the SHA-256 (64 hex digits), the size and
    whether the blob is new.
``open(sha256) -> BinaryIO``
    The bytes, for reading (a context manager); :class:`KeyError` when there is no such blob.
``exists(sha256) -> bool``
``delete(sha256, *, stored_before=None) -> bool``
    Remove the blob; with ``stored_before`` (a POSIX time) only if it was last put before then,
    so that a put of the same bytes racing with the retention purge keeps its blob. True when
    it was removed.

Keys are the hash itself; an object store may prefix them (``sha256/ab/abcdef…``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

import attrs

from oneservice.errors import FileHashMismatch, FileTooLarge, StoreError

__all__ = ["CHUNK", "BlobStore", "FileBlobStore", "MemoryBlobStore", "StoredBlob", "valid_sha256"]

CHUNK = 64 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")

Check = Callable[[BinaryIO], object]


def valid_sha256(value: str) -> bool:
    """Whether ``value`` is a SHA-256 as blob stores name blobs: 64 lower-case hex digits."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


@attrs.frozen
class StoredBlob:
    """What a put kept: the content's SHA-256 (hex), its size in bytes, and whether it is new."""

    sha256: str
    size: int
    created: bool = True


@runtime_checkable
class BlobStore(Protocol):
    """Where uploaded files live (see the module docstring for the contract of each method)."""

    def put(self, stream: BinaryIO, *, limit: int, expected_sha256: str | None = None,
            check: Check | None = None) -> StoredBlob: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str, *, stored_before: float | None = None) -> bool: ...


def _copy(stream: BinaryIO, out: BinaryIO, limit: int) -> tuple[str, int]:
    """Copy ``stream`` into ``out`` up to ``limit`` bytes; the SHA-256 and size (FileTooLarge beyond)."""
    digest, size = hashlib.sha256(), 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return digest.hexdigest(), size
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(limit)
        digest.update(chunk)
        out.write(chunk)


def _verify(sha256: str, expected: str | None) -> None:
    if expected is not None and expected.lower() != sha256:
        raise FileHashMismatch(expected.lower(), sha256)


def _key(sha256: str) -> str:
    if not valid_sha256(sha256):
        raise KeyError(sha256)
    return sha256


class FileBlobStore:
    """Blobs as files under ``root``: ``root/ab/abcdef…`` (the SHA-256, its first two digits as
    the folder); folders 0700, files 0600.

    A put writes to a temporary file in ``root`` itself (the same file system), flushes it to
    disk and renames it (``os.replace``) to its hash's name only when every check passed; a
    refused or interrupted put removes the temporary file, so no partial file is ever found
    under a hash. Temporary files a killed process left (``.put-*``) are removed by
    :meth:`sweep_temporary`. ``root`` is created on the first put.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FileBlobStore({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        """The file of a blob (whether or not it exists)."""
        key = _key(sha256)
        return self.root / key[:2] / key

    def _folder(self, path: Path) -> None:
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)
        except OSError as exc:
            raise StoreError(f"cannot create the files folder {path}: {exc}") from None

    def put(self, stream: BinaryIO, *, limit: int, expected_sha256: str | None = None,
            check: Check | None = None) -> StoredBlob:
        self._folder(self.root)
        fd, name = tempfile.mkstemp(prefix=".put-", dir=self.root)  # mode 0600
        temporary = Path(name)
        try:
            with os.fdopen(fd, "w+b") as out:
                sha256, size = _copy(stream, out, limit)
                _verify(sha256, expected_sha256)
                if check is not None:
                    out.seek(0)
                    check(out)
                out.flush()
                os.fsync(out.fileno())
            final = self.path(sha256)
            try:
                os.utime(final)  # stored again now: the purge leaves it (delete's stored_before)
                return StoredBlob(sha256, size, created=False)
            except FileNotFoundError:
                pass  # a new blob (or one deleted just now): the temporary file becomes it
            self._folder(final.parent)
            os.replace(temporary, final)
            with contextlib.suppress(OSError):  # the rename itself on disk (POSIX)
                folder = os.open(final.parent, os.O_RDONLY)
                try:
                    os.fsync(folder)
                finally:
                    os.close(folder)
            return StoredBlob(sha256, size, created=True)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise KeyError(sha256) from None

    def exists(self, sha256: str) -> bool:
        return valid_sha256(sha256) and self.path(sha256).is_file()

    def delete(self, sha256: str, *, stored_before: float | None = None) -> bool:
        path = self.path(sha256)
        try:
            if stored_before is not None and path.stat().st_mtime >= stored_before:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def sweep_temporary(self, older_than: float = 3600.0) -> int:
        """Remove the temporary files of puts that died more than ``older_than`` seconds ago."""
        if not self.root.is_dir():
            return 0
        removed, cutoff = 0, time.time() - older_than
        for path in self.root.glob(".put-*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed

    def __iter__(self) -> Iterator[str]:
        """The hashes of every blob kept (tests, tools)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/*")):
            if valid_sha256(path.name):
                yield path.name


class MemoryBlobStore:
    """Blobs in a dict, for tests: the same contract as :class:`FileBlobStore`."""

    def __init__(self) -> None:
        self._blobs: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryBlobStore({len(self._blobs)} blobs)"

    def put(self, stream: BinaryIO, *, limit: int, expected_sha256: str | None = None,
            check: Check | None = None) -> StoredBlob:
        buffer = io.BytesIO()
        sha256, size = _copy(stream, buffer, limit)
        _verify(sha256, expected_sha256)
        if check is not None:
            buffer.seek(0)
            check(buffer)
        with self._lock:
            created = sha256 not in self._blobs
            self._blobs[sha256] = (buffer.getvalue(), time.time())
        return StoredBlob(sha256, size, created=created)

    def open(self, sha256: str) -> BinaryIO:
        with self._lock:
            data = self._blobs[_key(sha256)][0]
        return io.BytesIO(data)

    def exists(self, sha256: str) -> bool:
        with self._lock:
            return sha256 in self._blobs

    def delete(self, sha256: str, *, stored_before: float | None = None) -> bool:
        with self._lock:
            found = self._blobs.get(sha256)
            if found is None or (stored_before is not None and found[1] >= stored_before):
                return False
            del self._blobs[sha256]
            return True

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(sorted(self._blobs))
