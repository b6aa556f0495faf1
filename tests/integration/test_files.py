"""Materials as files and references through the Python API, on SQLite and PostgreSQL: the blob
stores, the attachments table, the case's log (hashes, never contents) and the retention purge."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from oneservice import Actor, Applicant, OneService, Role
from oneservice.errors import (
    AttachmentNotFound,
    FileHashMismatch,
    FileTooLarge,
    FileTypeRefused,
    MaterialNotFound,
    MaterialsClosed,
    NotAuthorised,
)
from oneservice.samples import sample_form, sample_resident_id
from oneservice.service.filetypes import FilePolicy, sniff
from oneservice.store.blobs import BlobStore, FileBlobStore, MemoryBlobStore

BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
LEASE = "premises-lease"
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)
OTHER = Actor(Role.APPLICANT, "lisi", applicant_id=sample_resident_id(2))
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
PDF = b"%PDF-1.7\n" + b"scan of the lease " * 200 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


@pytest.fixture
def files_service(catalogue, store, clock, tmp_path) -> OneService:
    return OneService(catalogue, store, clock=clock, blobs=FileBlobStore(tmp_path / "files"),
                      file_policy=FilePolicy(limit=64 * 1024, retention_days=30))


def draft(service: OneService) -> str:
    return service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION).id


def withdrawn(service: OneService, case_id: str) -> None:
    service.withdraw(ME, case_id, "changed my mind")


class TestBlobStores:
    @pytest.mark.parametrize("kind", ["file", "memory"])
    def test_put_open_exists_delete(self, kind: str, tmp_path: Path) -> None:
        """Content-addressed by SHA-256; the same bytes stored once; delete removes them."""
        blobs: BlobStore = FileBlobStore(tmp_path / "b") if kind == "file" else MemoryBlobStore()
        first = blobs.put(io.BytesIO(PDF), limit=len(PDF))
        assert first.sha256 == hashlib.sha256(PDF).hexdigest() and first.size == len(PDF) and first.created
        assert blobs.put(io.BytesIO(PDF), limit=len(PDF)).created is False
        with blobs.open(first.sha256) as f:
            assert f.read() == PDF
        assert blobs.exists(first.sha256)
        assert blobs.delete(first.sha256) and not blobs.exists(first.sha256)
        assert blobs.delete(first.sha256) is False
        with pytest.raises(KeyError):
            blobs.open(first.sha256)

    @pytest.mark.parametrize("kind", ["file", "memory"])
    def test_refused_puts_leave_nothing(self, kind: str, tmp_path: Path) -> None:
        """Over the limit, a wrong declared hash, a check that refuses: no blob, no temporary file."""
        root = tmp_path / "b"
        blobs: BlobStore = FileBlobStore(root) if kind == "file" else MemoryBlobStore()
        with pytest.raises(FileTooLarge):
            blobs.put(io.BytesIO(PDF), limit=len(PDF) - 1)
        with pytest.raises(FileHashMismatch):
            blobs.put(io.BytesIO(PDF), limit=len(PDF), expected_sha256="0" * 64)

        def refuse(_f: object) -> None:
            raise FileTypeRefused("application/zip", ["application/pdf"])

        with pytest.raises(FileTypeRefused):
            blobs.put(io.BytesIO(PDF), limit=len(PDF), check=refuse)
        assert list(blobs) == []  # type: ignore[call-overload]
        if kind == "file":
            assert [p for p in root.rglob("*") if p.is_file()] == []

    def test_private_modes(self, tmp_path: Path) -> None:
        """Folders 0700, files 0600."""
        blobs = FileBlobStore(tmp_path / "b")
        blob = blobs.put(io.BytesIO(PDF), limit=len(PDF))
        path = blobs.path(blob.sha256)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700

    def test_delete_spares_a_blob_stored_again(self, tmp_path: Path) -> None:
        """``stored_before`` keeps a blob put again since (an upload racing with the purge)."""
        blobs = FileBlobStore(tmp_path / "b")
        blob = blobs.put(io.BytesIO(PDF), limit=len(PDF))
        os.utime(blobs.path(blob.sha256), (1_000_000, 1_000_000))
        blobs.put(io.BytesIO(PDF), limit=len(PDF))  # renews it
        assert blobs.delete(blob.sha256, stored_before=1_000_100) is False
        assert blobs.exists(blob.sha256)


class TestSniffing:
    @pytest.mark.parametrize(("data", "kind"), [
        (PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"II*\x00rest", "image/tiff"), (b"MM\x00*rest", "image/tiff"), (ofd(), "application/ofd"),
        (b"MZ\x90\x00", "application/x-msdownload"), (b"<html>", "application/octet-stream"),
    ])
    def test_types_from_the_bytes(self, data: bytes, kind: str) -> None:
        """The type comes from the content alone."""
        assert sniff(io.BytesIO(data)) == kind

    def test_a_zip_without_ofd_xml_is_no_ofd(self) -> None:
        """A ZIP archive is OFD only with OFD.xml at its root."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        assert sniff(io.BytesIO(buffer.getvalue())) == "application/zip"

    def test_policy_from_the_environment(self) -> None:
        """ONESERVICE_MAX_FILE and ONESERVICE_FILE_RETENTION_DAYS set the limit and the retention."""
        policy = FilePolicy.from_environment({"ONESERVICE_MAX_FILE": "1024",
                                              "ONESERVICE_FILE_RETENTION_DAYS": "7"})
        assert (policy.limit, policy.retention_days) == (1024, 7)
        assert FilePolicy.from_environment({}) == FilePolicy()


class TestUpload:
    def test_recorded_with_its_hash_never_its_bytes(self, files_service: OneService) -> None:
        """The attachment row and the event carry SHA-256, size, type and name; the log no bytes."""
        case_id = draft(files_service)
        got = files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF), file_name="C:\\scans\\lease.pdf")
        row = got.attachment
        assert (row.material_id, row.kind, row.sha256, row.size, row.content_type, row.file_name) == (
            LEASE, "file", hashlib.sha256(PDF).hexdigest(), len(PDF), "application/pdf", "lease.pdf")
        assert row.uploaded_by == ME.describe() and got.summary.id == case_id
        event = files_service.events(SUPERVISOR, case_id)[-1]
        assert event.type == "MaterialFileAttached" and event.seq == row.seq
        assert event.data == {"material": LEASE, "sha256": row.sha256, "size": len(PDF),
                              "content_type": "application/pdf", "name": "lease.pdf"}
        assert "scan of the lease" not in repr(files_service.events(SUPERVISOR, case_id))
        stored, stream = files_service.open_file(ME, case_id, LEASE)
        with stream:
            assert stream.read() == PDF and stored == row

    def test_ofd_and_a_declared_hash(self, files_service: OneService) -> None:
        """An OFD document is taken; a declared hash that matches is fine (upper case too)."""
        data = ofd()
        case_id = draft(files_service)
        got = files_service.attach_file(ME, case_id, LEASE, io.BytesIO(data),
                                        sha256=hashlib.sha256(data).hexdigest().upper())
        assert got.attachment.content_type == "application/ofd"

    def test_refusals_keep_nothing(self, files_service: OneService, tmp_path: Path) -> None:
        """Too large, a forbidden type, a wrong hash: refused, no blob, no row, no event."""
        case_id = draft(files_service)
        before = len(files_service.events(SUPERVISOR, case_id))
        with pytest.raises(FileTooLarge):
            files_service.attach_file(ME, case_id, LEASE, io.BytesIO(b"%PDF-" + b"x" * 70_000))
        with pytest.raises(FileTypeRefused) as refused:
            files_service.attach_file(ME, case_id, LEASE, io.BytesIO(b"MZ\x90\x00 an executable"))
        assert refused.value.code == "OS741" and "application/x-msdownload" in str(refused.value)
        with pytest.raises(FileHashMismatch):
            files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF), sha256="a" * 64)
        assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []
        assert files_service.attachments(ME, case_id) == []
        assert len(files_service.events(SUPERVISOR, case_id)) == before

    def test_checked_before_the_bytes_are_read(self, files_service: OneService) -> None:
        """Another's case, an unknown material, a case that takes no materials: refused unread."""

        class Unread(io.BytesIO):
            def read(self, *_args: object) -> bytes:
                raise AssertionError("read")

        case_id = draft(files_service)
        with pytest.raises(NotAuthorised):
            files_service.attach_file(OTHER, case_id, LEASE, Unread())
        with pytest.raises(MaterialNotFound) as unknown:
            files_service.attach_file(ME, case_id, "premises-leese", Unread())
        assert "did you mean 'premises-lease'" in str(unknown.value)
        withdrawn(files_service, case_id)
        with pytest.raises(MaterialsClosed) as closed:
            files_service.attach_file(ME, case_id, LEASE, Unread())
        assert closed.value.code == "OS744" and closed.value.state == "withdrawn"

    def test_a_failed_record_forgets_the_new_blob(self, files_service: OneService, tmp_path: Path) -> None:
        """The same key with other bytes is refused (DuplicateAction): the new blob goes again."""
        from oneservice import DuplicateAction

        case_id = draft(files_service)
        files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF), idempotency_key="k2")
        with pytest.raises(DuplicateAction):
            files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PNG), idempotency_key="k2")
        assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [
            hashlib.sha256(PDF).hexdigest()]

    def test_idempotent_repeat(self, files_service: OneService) -> None:
        """The same upload under the same key is recorded once."""
        case_id = draft(files_service)
        first = files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF), idempotency_key="k1")
        again = files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF), idempotency_key="k1")
        assert again.attachment == first.attachment
        assert len(files_service.attachments(ME, case_id)) == 1

    def test_licence_reference(self, files_service: OneService) -> None:
        """A material given as an electronic licence: number and issuer, no file to download."""
        case_id = draft(files_service)
        got = files_service.attach_licence(ME, case_id, "corporate-shareholder-licence",
                                           number="91330106MA2B0000X1", issuer="杭州市市场监督管理局")
        row = got.attachment
        assert (row.kind, row.licence_number, row.licence_issuer, row.sha256) == (
            "licence", "91330106MA2B0000X1", "杭州市市场监督管理局", None)
        event = files_service.events(SUPERVISOR, case_id)[-1]
        assert event.type == "MaterialLicenceReferenced" and event.data["number"] == "91330106MA2B0000X1"
        with pytest.raises(AttachmentNotFound):
            files_service.open_file(ME, case_id, "corporate-shareholder-licence")

    def test_reading_needs_the_case(self, files_service: OneService) -> None:
        """Another applicant may neither list nor download the case's files."""
        case_id = draft(files_service)
        files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF))
        with pytest.raises(NotAuthorised):
            files_service.open_file(OTHER, case_id, LEASE)
        with pytest.raises(NotAuthorised):
            files_service.attachments(OTHER, case_id)


class TestRetention:
    def test_purged_after_the_retention_period(self, files_service: OneService, clock, tmp_path: Path) -> None:
        """Files of a case withdrawn 30 days ago are purged and recorded; a blob another case still
        refers to stays until that one is purged too."""
        first, second = draft(files_service), draft(files_service)
        files_service.attach_file(ME, first, LEASE, io.BytesIO(PDF))
        files_service.attach_file(ME, second, LEASE, io.BytesIO(PDF))  # the same bytes
        files_service.attach_file(ME, first, "articles-of-association", io.BytesIO(PNG))
        files_service.attach_licence(ME, first, "corporate-shareholder-licence", number="L-1", issuer="局")
        withdrawn(files_service, first)
        blobs = files_service.files.blobs
        assert files_service.files.purge_expired(grace=0) == {"cases": [], "blobs_removed": 0}
        clock.advance(dt.timedelta(days=31))
        result = files_service.files.purge_expired(grace=0)
        assert result == {"cases": [first], "blobs_removed": 1}  # the PNG; the PDF is second's too
        assert blobs.exists(hashlib.sha256(PDF).hexdigest())
        assert not blobs.exists(hashlib.sha256(PNG).hexdigest())
        event = files_service.events(SUPERVISOR, first)[-1]
        assert event.type == "MaterialFilesPurged" and event.actor == "system:retention"
        assert sorted(f["sha256"] for f in event.data["files"]) == sorted(
            hashlib.sha256(d).hexdigest() for d in (PDF, PNG))
        rows = files_service.attachments(SUPERVISOR, first)
        assert all(r.purged_at is not None for r in rows if r.kind == "file")
        assert [r.kind for r in rows if r.purged_at is None] == ["licence"]
        with pytest.raises(AttachmentNotFound):
            files_service.open_file(ME, first, LEASE)
        _, stream = files_service.open_file(ME, second, LEASE)
        stream.close()
        withdrawn(files_service, second)
        clock.advance(dt.timedelta(days=31))
        assert files_service.files.purge_expired(grace=0) == {"cases": [second], "blobs_removed": 1}
        assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []
        assert files_service.files.purge_expired(grace=0) == {"cases": [], "blobs_removed": 0}

    def test_grace_spares_a_blob_just_stored(self, files_service: OneService, clock) -> None:
        """A blob stored again within the grace period is left for the next run."""
        case_id = draft(files_service)
        files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF))
        withdrawn(files_service, case_id)
        clock.advance(dt.timedelta(days=31))
        assert files_service.files.purge_expired() == {"cases": [case_id], "blobs_removed": 0}
        assert files_service.files.purge_expired(grace=0) == {"cases": [], "blobs_removed": 1}

    def test_the_worker_runs_it(self, files_service: OneService, clock) -> None:
        """``purge_files`` is one of the worker's standard jobs."""
        from oneservice.jobs import standard_worker

        case_id = draft(files_service)
        files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PDF))
        withdrawn(files_service, case_id)
        clock.advance(dt.timedelta(days=31))
        ran = {run.name: run for run in standard_worker(files_service).tick()}
        assert ran["purge_files"].error is None
        assert ran["purge_files"].result["cases"] == [case_id]  # type: ignore[index]


def test_submitted_case_takes_files(files_service: OneService) -> None:
    """After submission the case still takes files (a notice may ask for more)."""
    plan = files_service.catalogue.plan(BIZ)
    case_id = draft(files_service)
    files_service.submit(ME, case_id, form=sample_form(plan), materials=[LEASE], channel="online")
    assert files_service.attach_file(ME, case_id, LEASE, io.BytesIO(PNG)).attachment.content_type == "image/png"


class TestConfiguration:
    def test_default_folder_beside_the_sqlite_file(self, catalogue, tmp_path: Path) -> None:
        """By default the files go to oneservice-files/ beside the SQLite file; in memory for :memory:."""
        from oneservice import Store
        from oneservice.service.files import default_blobs

        store = Store(f"sqlite:///{tmp_path / 'x.sqlite'}")
        try:
            blobs = default_blobs(store)
            assert isinstance(blobs, FileBlobStore) and blobs.root == tmp_path / "oneservice-files"
        finally:
            store.dispose()
        memory = Store("sqlite://")
        try:
            assert isinstance(default_blobs(memory), MemoryBlobStore)
        finally:
            memory.dispose()

    def test_worker_files_option(self, tmp_path: Path) -> None:
        """`oneservice worker --files DIR` (or ONESERVICE_FILES) names the folder."""
        from click.testing import CliRunner

        from oneservice.cli import main

        root = Path(__file__).resolve().parents[2]
        args = ["worker", "--once", "--db", str(tmp_path / "w.sqlite"), "--workflows", str(root / "workflows"),
                "--files", str(tmp_path / "blobs")]
        result = CliRunner().invoke(main, args, env={"ONESERVICE_MAX_FILE": "1024"})
        assert result.exit_code == 0, result.output
        assert "purge_files: {'cases': [], 'blobs_removed': 0}" in result.output
