"""Uploads over HTTP: the bytes in, sniffed, limited, hashed; served only to who may see the case;
the event log holds the hash, never the content; the retention purge."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from http_helpers import Http

from oneservice import Actor, OneService, Role
from oneservice.http import create_app
from oneservice.service.filetypes import FilePolicy
from oneservice.store.blobs import FileBlobStore

LEASE = "premises-lease"
PDF = b"%PDF-1.7\n" + b"a lease, signed and stamped " * 100 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 128
LIMIT = 32 * 1024


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def service(catalogue, store, clock, folder) -> OneService:
    return OneService(catalogue, store, clock=clock, blobs=FileBlobStore(folder),
                      file_policy=FilePolicy(limit=LIMIT, retention_days=30))


@pytest.fixture
def app(service, authority):
    return create_app(service, authority)


def kept(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def put(http: Http, case_id: str, data: bytes, who: str = "me", material: str = LEASE, **headers: str) -> Any:
    return http.client.put(f"/cases/{case_id}/materials/{material}/file", data=data,
                           headers=http.headers(who, headers))


class TestUpload:
    def test_raw_body(self, http: Http, folder: Path) -> None:
        """PUT the bytes: 201 with the hash, size and sniffed type; the file is kept once."""
        case_id = http.open_business()
        r = put(http, case_id, PDF, **{"Content-Type": "image/png",  # not trusted
                                       "Content-Disposition": 'attachment; filename="lease.pdf"'})
        assert r.status_code == 201, r.json
        body = r.json
        assert (body["sha256"], body["size"], body["content_type"], body["file_name"], body["kind"]) == (
            hashlib.sha256(PDF).hexdigest(), len(PDF), "application/pdf", "lease.pdf", "file")
        assert r.headers["ETag"] == f'"{body["version"]}"'
        assert [p.name for p in kept(folder)] == [hashlib.sha256(PDF).hexdigest()]

    def test_multipart(self, http: Http) -> None:
        """POST a form with the part ``file``; its file name is kept."""
        case_id = http.open_business()
        r = http.client.post(f"/cases/{case_id}/materials/{LEASE}/file", headers=http.headers("me"),
                             data={"file": (io.BytesIO(PNG), "plan.png", "application/pdf")},
                             content_type="multipart/form-data")
        assert r.status_code == 201, r.json
        assert (r.json["content_type"], r.json["file_name"]) == ("image/png", "plan.png")

    def test_download_gives_the_same_bytes(self, http: Http) -> None:
        """GET answers the bytes with the sniffed type, their hash and an attachment disposition."""
        case_id = http.open_business()
        assert put(http, case_id, PDF).status_code == 201
        for who in ("me", "clerk", "supervisor"):
            r = http.get(f"/cases/{case_id}/materials/{LEASE}/file", who)
            assert r.status_code == 200, (who, r.json)
            assert r.data == PDF
            assert r.mimetype == "application/pdf"
            assert r.headers["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest()
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Content-Disposition"].startswith("attachment")

    def test_the_log_has_the_hash_not_the_content(self, http: Http) -> None:
        """The event records material, SHA-256, size and type; no byte of the file is in the log."""
        case_id = http.open_business()
        assert put(http, case_id, PDF).status_code == 201
        events = http.get(f"/cases/{case_id}/events", "supervisor").json["items"]
        event = events[-1]
        assert event["type"] == "MaterialFileAttached"
        assert event["data"] == {"material": LEASE, "sha256": hashlib.sha256(PDF).hexdigest(),
                                 "size": len(PDF), "content_type": "application/pdf"}
        assert "a lease, signed" not in str(events)
        feed = http.get("/events?kind=MaterialFileAttached", "supervisor").json["items"]
        assert [e["data"]["sha256"] for e in feed] == [hashlib.sha256(PDF).hexdigest()]

    def test_attachments_list(self, http: Http) -> None:
        """``GET /cases/{id}/attachments`` lists files and licence references."""
        case_id = http.open_business()
        assert put(http, case_id, PDF).status_code == 201
        r = http.post(f"/cases/{case_id}/materials/corporate-shareholder-licence/licence", "me",
                      {"number": "91330106MA2B0000X1", "issuer": "杭州市市场监督管理局"})
        assert r.status_code == 201, r.json
        assert (r.json["kind"], r.json["licence_number"], r.json["sha256"]) == ("licence", "91330106MA2B0000X1", None)
        items = http.get(f"/cases/{case_id}/attachments", "clerk").json["items"]
        assert [i["kind"] for i in items] == ["file", "licence"]
        r = http.get(f"/cases/{case_id}/materials/corporate-shareholder-licence/file", "me")
        assert (r.status_code, r.json["code"]) == (404, "OS745")


class TestRefused:
    def test_over_the_limit(self, http: Http, folder: Path) -> None:
        """Larger than the limit: 413 OS740, nothing kept."""
        case_id = http.open_business()
        r = put(http, case_id, b"%PDF-" + b"x" * LIMIT)
        assert (r.status_code, r.json["code"]) == (413, "OS740")
        assert r.content_type == "application/problem+json"
        assert kept(folder) == []

    def test_a_chunked_body_over_the_limit(self, http: Http, folder: Path) -> None:
        """Without a Content-Length the store counts the bytes: 413, nothing kept."""
        case_id = http.open_business()

        body = io.BytesIO(b"%PDF-" + b"x" * LIMIT)
        r = http.client.put(f"/cases/{case_id}/materials/{LEASE}/file", input_stream=body,
                            headers=http.headers("me", {"Transfer-Encoding": "chunked"}),
                            environ_overrides={"wsgi.input_terminated": True})
        assert r.request.content_length is None
        assert (r.status_code, r.json["code"]) == (413, "OS740")
        assert kept(folder) == []

    def test_multipart_over_the_limit(self, http: Http, folder: Path) -> None:
        """A form whose file part passes the limit: 413 OS740, nothing kept."""
        case_id = http.open_business()
        for size in (LIMIT + 1, LIMIT + 128 * 1024):  # parsed then refused; refused unread
            r = http.client.post(f"/cases/{case_id}/materials/{LEASE}/file", headers=http.headers("me"),
                                 data={"file": (io.BytesIO(b"%PDF-" + b"x" * size), "big.pdf")},
                                 content_type="multipart/form-data")
            assert (r.status_code, r.json["code"]) == (413, "OS740"), size
        assert kept(folder) == []

    def test_forbidden_type(self, http: Http, folder: Path) -> None:
        """An executable declared as a PDF: 415 OS741, nothing kept."""
        case_id = http.open_business()
        r = put(http, case_id, b"MZ\x90\x00 not a pdf", **{"Content-Type": "application/pdf"})
        assert (r.status_code, r.json["code"]) == (415, "OS741")
        assert r.json["found"] == "application/x-msdownload"
        assert kept(folder) == []

    @pytest.mark.parametrize("header", ["X-Content-SHA256", "Digest", "Content-Digest"])
    def test_hash_mismatch_leaves_no_file(self, http: Http, folder: Path, header: str) -> None:
        """A declared SHA-256 the bytes do not have: 422 OS742, no file, no event."""
        case_id = http.open_business()
        wrong = hashlib.sha256(b"other bytes").digest()
        value = {"X-Content-SHA256": wrong.hex(), "Digest": "sha-256=" + base64.b64encode(wrong).decode(),
                 "Content-Digest": "sha-256=:" + base64.b64encode(wrong).decode() + ":"}[header]
        before = len(http.get(f"/cases/{case_id}/events", "supervisor").json["items"])
        r = put(http, case_id, PDF, **{header: value})
        assert (r.status_code, r.json["code"]) == (422, "OS742"), r.json
        assert r.json["actual"] == hashlib.sha256(PDF).hexdigest()
        assert kept(folder) == []
        assert len(http.get(f"/cases/{case_id}/events", "supervisor").json["items"]) == before

    def test_right_declared_hash(self, http: Http) -> None:
        """The right hash, in either form, is taken."""
        case_id = http.open_business()
        digest = hashlib.sha256(PDF).digest()
        assert put(http, case_id, PDF, **{"Digest": "sha-256=" + base64.b64encode(digest).decode()}).status_code == 201
        assert put(http, case_id, PDF, **{"X-Content-SHA256": digest.hex().upper()}).status_code == 201

    def test_malformed_digest(self, http: Http) -> None:
        """A digest header that is not a SHA-256: 400."""
        case_id = http.open_business()
        assert put(http, case_id, PDF, **{"X-Content-SHA256": "abc"}).status_code == 400
        assert put(http, case_id, PDF, **{"Digest": "sha-256=!!"}).status_code == 400

    def test_no_such_material(self, http: Http, folder: Path) -> None:
        """A material the matter does not have: 404 OS743 naming a close one."""
        case_id = http.open_business()
        r = put(http, case_id, PDF, material="premises-leese")
        assert (r.status_code, r.json["code"]) == (404, "OS743")
        assert "premises-lease" in r.json["detail"]
        assert kept(folder) == []

    def test_case_that_takes_no_materials(self, http: Http, folder: Path) -> None:
        """A withdrawn case: 409 OS744."""
        case_id = http.open_business()
        assert http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "no longer needed"}).status_code == 200
        r = put(http, case_id, PDF)
        assert (r.status_code, r.json["code"]) == (409, "OS744")
        assert kept(folder) == []


class TestScope:
    def test_a_case_one_may_not_see_is_404(self, http: Http) -> None:
        """Another applicant, another location's clerk: 404 for upload, download and the list,
        exactly as for a case that does not exist."""
        case_id = http.open_business()
        assert put(http, case_id, PDF).status_code == 201
        stranger = http.authority.issue(Actor(Role.CLERK, "clerk-02", location="elsewhere")).token
        for who in ("other", stranger):
            for r in (http.get(f"/cases/{case_id}/materials/{LEASE}/file", who),
                      http.get(f"/cases/{case_id}/attachments", who),
                      put(http, case_id, PNG, who=who)):
                assert (r.status_code, r.json["code"]) == (404, "OS700"), r.json
        missing = http.get(f"/cases/20261102-000000000000/materials/{LEASE}/file", "me")
        assert (missing.status_code, missing.json["code"]) == (404, "OS700")

    def test_a_reviewer_without_an_item_in_the_case(self, http: Http) -> None:
        """A reviewer sees the files of cases with an item of their department."""
        case_id = http.open_business()
        assert put(http, case_id, PDF).status_code == 201
        department = http.reviewer("330102-SCJG-QYSLDJ")
        assert http.get(f"/cases/{case_id}/materials/{LEASE}/file", department).status_code == 200

    def test_needs_a_token(self, http: Http) -> None:
        case_id = http.open_business()
        assert put(http, case_id, PDF, who=None).status_code == 401  # type: ignore[arg-type]


class TestRetention:
    def test_purged_files_are_gone(self, http: Http, service: OneService, clock, folder: Path) -> None:
        """30 days after the withdrawal the worker's purge removes the file; the log says so."""
        case_id = http.open_business()
        assert put(http, case_id, PDF).status_code == 201
        assert http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "no longer needed"}).status_code == 200
        clock.advance(dt.timedelta(days=31))
        assert service.files.purge_expired(grace=0) == {"cases": [case_id], "blobs_removed": 1}
        assert kept(folder) == []
        r = http.get(f"/cases/{case_id}/materials/{LEASE}/file", "me")
        assert (r.status_code, r.json["code"]) == (404, "OS745")
        items = http.get(f"/cases/{case_id}/attachments", "clerk").json["items"]
        assert items[0]["purged_at"] is not None and items[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
        last = http.get(f"/cases/{case_id}/events", "supervisor").json["items"][-1]
        assert last["type"] == "MaterialFilesPurged"


