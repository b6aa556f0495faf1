"""Materials as files and references: uploads into the blob store, downloads, the retention purge.

::

    files = service.files                                   # Files(runner, blobs, policy)
    got = files.upload(actor, case_id, "id-card", stream, file_name="id.pdf", sha256=None)
    got.attachment.sha256, got.attachment.content_type      # what the case recorded
    files.reference(actor, case_id, "business-licence", number="91330100…", issuer="杭州市市场监督管理局")
    row, stream = files.open(actor, case_id, "id-card")     # the latest file of the material
    files.purge_expired()                                   # the worker's ``purge_files`` job

An upload is checked before anything is stored (the case exists and the actor may attach to it,
the case takes materials — OS744 —, the material is the matter's — OS743), then streamed into
the blob store under the size limit (OS740), its type sniffed from the bytes (OS741) and its
SHA-256 compared with the one declared (OS742): a refused upload leaves no file. Only then does
one transaction record it: the case's event ``MaterialFileAttached`` (material, SHA-256, size,
type, file name — never the bytes) and its ``attachments`` row. Should that transaction fail, a
blob the upload created and nothing refers to is removed again.

**Retention.** The files of a case are purged :attr:`FilePolicy.retention_days` days (default
:data:`DEFAULT_RETENTION_DAYS`) after its conclusion, once it is closed, refused, terminated or
withdrawn: the job records ``MaterialFilesPurged`` on the case (each material and SHA-256; the
attachment rows stay, marked ``purged_at``) and then removes each blob no file of any case still
refers to. A blob stored again within :data:`GRACE` seconds (the same bytes being uploaded) is
left for the next run. Licence references are not files and stay.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from typing import Any, BinaryIO

import attrs
from sqlalchemy.engine import make_url

from ..domain.actions import ACTIONS
from ..domain.case import Actor, Case, Role
from ..engine.engine import CaseEngine
from ..errors import AttachmentNotFound, InvalidInput, NotAuthorised, OneServiceError
from ..store import Store
from ..store.attachments import (
    AttachmentRow,
    attachments_of,
    blobs_to_remove,
    mark_blob_removed,
    purgeable_cases,
    referenced,
)
from ..store.blobs import BlobStore, FileBlobStore, MemoryBlobStore, StoredBlob, valid_sha256
from ..store.files import sqlite_file
from .filetypes import DEFAULT_RETENTION_DAYS, FilePolicy
from .runner import ActionRunner, check_actor
from .views import CaseSummary

__all__ = ["DEFAULT_FOLDER", "DEFAULT_RETENTION_DAYS", "GRACE", "Files", "Received", "default_blobs"]

DEFAULT_FOLDER = "oneservice-files"
"""The files folder's name beside a SQLite database (and in the current folder for PostgreSQL)."""

GRACE = 3600.0
"""Seconds: a blob stored again this recently is not removed by the purge (an upload in flight)."""

_PURGER = Actor(Role.SYSTEM, "retention")


def default_blobs(store: Store) -> BlobStore:
    """The blob store of ``store`` by default: ``oneservice-files/`` beside its SQLite file, in
    memory for an in-memory SQLite database, ``./oneservice-files`` for PostgreSQL."""
    if store.dialect == "sqlite":
        path = sqlite_file(make_url(store.url).database)
        if path is None:
            return MemoryBlobStore()
        return FileBlobStore(path.parent / DEFAULT_FOLDER)
    return FileBlobStore(DEFAULT_FOLDER)


@attrs.frozen
class Received:
    """What an upload or a licence reference did: the case's summary and the attachment recorded."""

    summary: CaseSummary
    attachment: AttachmentRow


class Files:
    """Uploads, licence references, downloads and the retention purge of one service."""

    def __init__(self, runner: ActionRunner, blobs: BlobStore, policy: FilePolicy | None = None) -> None:
        self.runner = runner
        self.blobs = blobs
        self.policy = policy or FilePolicy()

    # ------------------------------------------------------------------ receiving

    def _check(self, actor: Actor, case_id: str, material: str) -> None:
        """Refuse before storing anything what the transaction would refuse anyway."""
        check_actor(actor)
        with self.runner.store.transaction(readonly=True) as tx:
            case = tx.get_case(case_id)
            engine = self.runner.engine(case.definition_hash, tx)
        try:
            engine.check_attachable(case, actor, material)
        except NotAuthorised as exc:
            self.runner.record_denied(case_id, actor, "attach_material", exc, self.runner.clock.now())
            raise

    def upload(self, actor: Actor, case_id: str, material: str, stream: BinaryIO, *,
               file_name: str | None = None, sha256: str | None = None,
               idempotency_key: str | None = None) -> Received:
        """Receive ``stream`` as the file of ``material`` (``sha256``: the hash the caller declares)."""
        if sha256 is not None and not valid_sha256(sha256.lower()):
            raise InvalidInput("must be 64 hexadecimal digits", field="sha256")
        if file_name is not None and not isinstance(file_name, str):
            raise InvalidInput("a file name is text", field="file_name")
        self._check(actor, case_id, material)
        kinds: list[str] = []
        blob = self.blobs.put(stream, limit=self.policy.limit, expected_sha256=sha256,
                              check=lambda f: kinds.append(self.policy.check(f)))
        put_at = time.time()
        file = {"sha256": blob.sha256, "size": blob.size, "content_type": kinds[0],
                "name": _plain_name(file_name)}
        try:
            return self._record(actor, case_id, material, file, None, idempotency_key)
        except BaseException:
            self._forget(blob, put_at)
            raise

    def reference(self, actor: Actor, case_id: str, material: str, *, number: str, issuer: str,
                  idempotency_key: str | None = None) -> Received:
        """Receive ``material`` as the electronic licence ``number`` of ``issuer`` (no file)."""
        licence = {"number": number, "issuer": issuer}
        return self._record(actor, case_id, material, None, licence, idempotency_key)

    def _record(self, actor: Actor, case_id: str, material: str, file: dict[str, Any] | None,
                licence: dict[str, Any] | None, key: str | None) -> Received:
        values = {"material": material, "file": file, "licence": licence}

        def change(engine: CaseEngine, case: Case, now: dt.datetime) -> int:
            engine.attach_material(case, actor, now, material, file=file, licence=licence)
            return case.new_events[-1].seq

        summary, seq = self.runner.act("attach_material", case_id, actor, change, key=key,
                                       payload=ACTIONS["attach_material"].payload(values))
        with self.runner.store.transaction(readonly=True) as tx:
            rows = attachments_of(tx.connection, case_id, material)
        if seq is None:  # an idempotent repeat: the row the first call recorded
            want = (file or {}).get("sha256"), (licence or {}).get("number")
            rows = [r for r in rows if (r.sha256, r.licence_number) == want]
            seq = rows[-1].seq
        return Received(summary, next(r for r in rows if r.seq == seq))

    def _forget(self, blob: StoredBlob, put_at: float) -> None:
        """Remove a blob this upload created if nothing refers to it (its transaction failed) and no
        other upload stored the same bytes again since (``stored_before``)."""
        if not blob.created:
            return
        try:
            with self.runner.store.transaction(readonly=True) as tx:
                if referenced(tx.connection, blob.sha256):
                    return
            self.blobs.delete(blob.sha256, stored_before=put_at)
        except OneServiceError:
            pass  # the purge finds no row for it; a stray blob is harmless, a lost one is not

    # ------------------------------------------------------------------ reading

    def _readable(self, actor: Actor, case_id: str) -> None:
        check_actor(actor)
        with self.runner.store.transaction(readonly=True) as tx:
            case = tx.get_case(case_id)
            engine = self.runner.engine(case.definition_hash, tx)
        engine.authorise(case, actor, "files")

    def attachments(self, actor: Actor, case_id: str) -> list[AttachmentRow]:
        """Every material the case received as a file or licence reference, oldest first."""
        self._readable(actor, case_id)
        with self.runner.store.transaction(readonly=True) as tx:
            return attachments_of(tx.connection, case_id)

    def open(self, actor: Actor, case_id: str, material: str) -> tuple[AttachmentRow, BinaryIO]:
        """The latest file of ``material`` not purged, and its bytes (close the stream)."""
        self._readable(actor, case_id)
        with self.runner.store.transaction(readonly=True) as tx:
            rows = attachments_of(tx.connection, case_id, material)
        files = [r for r in rows if r.kind == "file" and r.purged_at is None and r.sha256]
        if not files:
            raise AttachmentNotFound(material, case_id=case_id)
        row = files[-1]
        try:
            return row, self.blobs.open(str(row.sha256))
        except KeyError:
            raise AttachmentNotFound(material, case_id=case_id) from None

    # ------------------------------------------------------------------ retention

    def purge_expired(self, *, grace: float = GRACE) -> dict[str, Any]:
        """The retention rule (the worker's ``purge_files`` job): purge the files of every case
        ended more than ``retention_days`` ago, then remove the blobs no file refers to any more."""
        now = self.runner.clock.now()
        cutoff = now - dt.timedelta(days=self.policy.retention_days)
        with self.runner.store.transaction(readonly=True) as tx:
            candidates = purgeable_cases(tx.connection, cutoff)
        purged = []
        for case_id in candidates:
            with self.runner.store.transaction(readonly=True) as tx:
                rows = [r for r in attachments_of(tx.connection, case_id)
                        if r.kind == "file" and r.purged_at is None]
            files = [{"material": r.material_id, "sha256": r.sha256} for r in rows]
            try:
                self.runner.act("purge_files", case_id, _PURGER, functools.partial(_purge, files=files))
            except OneServiceError:
                continue  # changed meanwhile: the next run takes it
            purged.append(case_id)
        return {"cases": purged, "blobs_removed": self.remove_unreferenced(grace=grace)}

    def remove_unreferenced(self, *, grace: float = GRACE) -> int:
        """Remove the blobs of purged files that no file (of any case) refers to; how many went."""
        removed = 0
        with self.runner.store.transaction(readonly=True) as tx:
            hashes = blobs_to_remove(tx.connection)
        gone = []
        for sha256 in hashes:
            with self.runner.store.transaction(readonly=True) as tx:
                if referenced(tx.connection, sha256):
                    continue
            if self.blobs.delete(sha256, stored_before=time.time() - grace):
                removed += 1
                gone.append(sha256)
            elif not self.blobs.exists(sha256):
                gone.append(sha256)
        if gone:
            with self.runner.store.transaction() as tx:
                mark_blob_removed(tx.connection, gone, self.runner.clock.now())
        return removed


def _purge(engine: CaseEngine, case: Case, now: dt.datetime, *, files: list[dict[str, Any]]) -> None:
    engine.purge_files(case, _PURGER, now, files)


def _plain_name(name: str | None) -> str | None:
    """The last part of a file name, without control characters (``None`` when nothing is left)."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[:255] or None
