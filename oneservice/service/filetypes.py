"""What an uploaded file is, read from its bytes, and which files a service centre takes.

The declared ``Content-Type`` of an upload (and its file name) is never trusted: the type is
sniffed from the content itself (:func:`sniff`). By default oneservice takes the scans and
documents a window or an online application brings:

==================  ====================================================================
type                recognised by
==================  ====================================================================
``application/pdf`` ``%PDF-`` at the start
``image/png``       the eight-byte PNG signature
``image/jpeg``      ``FF D8 FF`` at the start
``image/tiff``      ``II*\\0`` or ``MM\\0*`` at the start
``application/ofd`` a ZIP archive holding ``OFD.xml`` at its root (GB/T 33190, 版式文档)
==================  ====================================================================

Anything else — another ZIP, an executable, HTML, a GIF — is sniffed as what it is (or
``application/octet-stream``) and refused (OS741) unless the :class:`FilePolicy` allows it.
A file is at most :data:`DEFAULT_LIMIT` bytes (20 MiB) unless the policy says otherwise (OS740
beyond): ``ONESERVICE_MAX_FILE`` (bytes) sets it for ``serve`` and ``worker``. The files of a
concluded case are kept :data:`DEFAULT_RETENTION_DAYS` days (``ONESERVICE_FILE_RETENTION_DAYS``;
the rule is in :mod:`oneservice.service.files`).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import BinaryIO

import attrs

from ..errors import FileTypeRefused, InvalidInput

__all__ = ["ALLOWED", "DEFAULT_LIMIT", "DEFAULT_RETENTION_DAYS", "EXTENSIONS", "FilePolicy", "sniff"]

DEFAULT_LIMIT = 20 * 1024 * 1024
"""Bytes: a multi-page scan at 300 dpi fits."""

DEFAULT_RETENTION_DAYS = 365
"""Days a concluded case's files are kept (the case's own record, with the hashes, stays)."""

ALLOWED: frozenset[str] = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/tiff", "application/ofd"}
)
"""The content types taken by default."""

EXTENSIONS: Mapping[str, str] = {
    "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/tiff": "tif",
    "application/ofd": "ofd", "application/zip": "zip", "image/gif": "gif",
}
"""The usual file-name extension of each type (a download without a file name is named so)."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


def sniff(file: BinaryIO) -> str:
    """The content type of ``file`` (seekable, at its start) from its bytes alone."""
    head = file.read(16)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(_ZIP):
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "application/octet-stream"
        return "application/ofd" if "OFD.xml" in names else "application/zip"
    return "application/octet-stream"


def _number(text: str, name: str, hint: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidInput(f"{text!r} is not a whole number above 0", field=name, hint=hint)
    return value


@attrs.frozen
class FilePolicy:
    """Which files a service takes: at most ``limit`` bytes, of the ``allowed`` content types; and
    how long a concluded case's files are kept (``retention_days``)."""

    limit: int = DEFAULT_LIMIT
    allowed: frozenset[str] = ALLOWED
    retention_days: int = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> FilePolicy:
        """The policy with ``ONESERVICE_MAX_FILE`` (bytes) and ``ONESERVICE_FILE_RETENTION_DAYS``
        where they are set."""
        env = os.environ if environ is None else environ
        limit, days = env.get("ONESERVICE_MAX_FILE"), env.get("ONESERVICE_FILE_RETENTION_DAYS")
        return cls(
            limit=_number(limit, "ONESERVICE_MAX_FILE", "bytes, e.g. 20971520 for 20 MiB") if limit
            else DEFAULT_LIMIT,
            retention_days=_number(days, "ONESERVICE_FILE_RETENTION_DAYS", "days, e.g. 365") if days
            else DEFAULT_RETENTION_DAYS,
        )

    def check(self, file: BinaryIO) -> str:
        """The sniffed type of ``file``; :class:`FileTypeRefused` (OS741) when it is not allowed."""
        kind = sniff(file)
        if kind not in self.allowed:
            raise FileTypeRefused(kind, sorted(self.allowed))
        return kind
