# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Materials as files and references over HTTP (uploads, downloads, electronic licences).

::

    PUT  /cases/{case_id}/materials/{material}/file      the bytes as the body (any media type), or
    POST /cases/{case_id}/materials/{material}/file      multipart/form-data with a part ``file``
    GET  /cases/{case_id}/materials/{material}/file      the latest file of the material
    POST /cases/{case_id}/materials/{material}/licence   {"number", "issuer"}: an electronic licence
    GET  /cases/{case_id}/attachments                    every file and licence reference, oldest first

An upload may declare the SHA-256 of its bytes — ``X-Content-SHA256: <64 hex digits>``,
``Digest: sha-256=<base64>`` (RFC 3230) or ``Content-Digest: sha-256=:<base64>:`` (RFC 9530) —
and is refused (422 OS742) with nothing stored when the bytes differ. The type is sniffed from
the bytes, never taken from ``Content-Type`` (415 OS741); over the limit is 413 OS740. The file
name comes from the multipart part or from ``Content-Disposition: attachment; filename=…``.
A case the caller may not see is a 404 here as under every ``/cases/{case_id}`` route
(:mod:`oneservice.http.scope`).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import marshmallow as ma
from flask import Response, request, stream_with_context
from marshmallow import fields as f
from marshmallow import validate as v
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

from ..errors import FileTooLarge
from ..service.files import Received
from ..service.filetypes import EXTENSIONS
from ..store.attachments import AttachmentRow
from .api import Blueprint
from .context import authenticate, current_actor, etag, scoped_key, service
from .problems import HttpProblem

__all__ = ["UPLOAD_SLACK", "files"]

files = Blueprint("files", __name__, description="Materials as files and electronic licences")
files.before_request(authenticate)

_ROUTE = "/cases/<case_id:case_id>/materials/<ident:material>"
_HEX = re.compile(r"[0-9a-fA-F]{64}")
UPLOAD_SLACK = 64 * 1024
"""Bytes a multipart upload may carry beyond its file: the parts' headers and boundaries."""
_CHUNK = 64 * 1024


class AttachmentSchema(ma.Schema):
    """One material received as a file (``kind: file``) or as an electronic licence."""

    case_id = f.String(required=True)
    seq = f.Integer(required=True, metadata={"description": "the event of the case that recorded it"})
    material_id = f.String(required=True)
    kind = f.String(required=True, validate=v.OneOf(["file", "licence"]))
    sha256 = f.String(allow_none=True, metadata={"description": "files: SHA-256 of the bytes, hex"})
    size = f.Integer(allow_none=True)
    content_type = f.String(allow_none=True, metadata={"description": "sniffed from the bytes"})
    file_name = f.String(allow_none=True)
    licence_number = f.String(allow_none=True)
    licence_issuer = f.String(allow_none=True)
    uploaded_at = f.DateTime(required=True)
    uploaded_by = f.String(required=True)
    purged_at = f.DateTime(allow_none=True, metadata={"description": "removed under the retention rule"})
    version = f.Integer(metadata={"description": "the case version after recording it (uploads)"})


class AttachmentListSchema(ma.Schema):
    items = f.List(f.Nested(AttachmentSchema), required=True)


class LicenceBody(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    number = f.String(required=True, validate=v.Regexp(r"^[^\s/\x00][^/\x00]{0,99}$"),
                      metadata={"description": "the licence number in the licence library (电子证照库)"})
    issuer = f.String(required=True, validate=v.Length(1, 200),
                      metadata={"description": "the issuing body (发证机关)"})


class UploadHeaders(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = f.String(data_key="Idempotency-Key", validate=v.Regexp(
        r"^[\x21-\x7e]{1,200}$", error="1-200 visible ASCII characters"))
    x_content_sha256 = f.String(data_key="X-Content-SHA256",
                                metadata={"description": "the SHA-256 of the body, 64 hex digits"})
    digest = f.String(data_key="Digest", metadata={"description": "RFC 3230: sha-256=<base64>"})
    content_digest = f.String(data_key="Content-Digest",
                              metadata={"description": "RFC 9530: sha-256=:<base64>:"})


def _declared_sha256(headers: dict[str, Any]) -> str | None:
    """The SHA-256 the request declares for its bytes (hex), from whichever header carries it."""
    hexed: str | None = headers.get("x_content_sha256")
    if hexed is not None:
        if not _HEX.fullmatch(hexed.strip()):
            raise HttpProblem(400, "OS620", "X-Content-SHA256 must be 64 hexadecimal digits",
                              field="X-Content-SHA256")
        return hexed.strip().lower()
    for name, header, wrapped in (("digest", "Digest", False), ("content_digest", "Content-Digest", True)):
        text = headers.get(name)
        if text is None:
            continue
        for part in text.split(","):
            algorithm, _, value = part.strip().partition("=")
            if algorithm.strip().lower() != "sha-256":
                continue
            value = value.strip()
            if wrapped:
                value = value.strip(":")
            try:
                raw = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:
                raise HttpProblem(400, "OS620", f"{header}: sha-256 must be 32 bytes in base64", field=header)
            return raw.hex()
    return None


def _row(row: AttachmentRow, version: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = row.to_dict()
    if version is not None:
        data["version"] = version
    return data


def _received(got: Received) -> Any:
    return _row(got.attachment, got.summary.version), 201, {"ETag": etag(got.summary.version)}


def _file_part() -> tuple[Any, str | None]:
    limit = service().files.policy.limit
    request.max_content_length = limit + UPLOAD_SLACK
    try:
        part = request.files.get("file")
    except RequestEntityTooLarge:
        raise FileTooLarge(limit) from None
    if part is None:
        raise HttpProblem(422, "OS620", "send the file as the multipart part named 'file'", field="file")
    return part.stream, part.filename or None


def _upload(case_id: str, material: str, headers: dict[str, Any]) -> Any:
    svc = service()
    limit = svc.files.policy.limit
    if request.content_length is not None and request.content_length > limit + (
            UPLOAD_SLACK if request.mimetype == "multipart/form-data" else 0):
        raise FileTooLarge(limit)  # refused unread
    sha256 = _declared_sha256(headers)
    if request.mimetype == "multipart/form-data":
        stream, name = _file_part()
    else:  # the blob store counts the bytes (a chunked body too) and stops at the limit
        request.max_content_length = limit + UPLOAD_SLACK  # (None would mean the app's JSON limit)
        stream = request.stream
        name = parse_options_header(request.headers.get("Content-Disposition", ""))[1].get("filename")
    actor = current_actor()
    try:
        got = svc.attach_file(actor, case_id, material, stream, file_name=name, sha256=sha256,
                              idempotency_key=scoped_key(actor, headers.get("idempotency_key")))
    except RequestEntityTooLarge:  # werkzeug's own count, should it come first
        raise FileTooLarge(limit) from None
    return _received(got)


_BODY_DOC = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}},
}}}


@files.route(f"{_ROUTE}/file", methods=["PUT"], endpoint="put_file")
@files.doc(operationId="put_file", **_BODY_DOC)
@files.arguments(UploadHeaders, location="headers", as_kwargs=True)
@files.response(201, AttachmentSchema)
def put_file(case_id: str, material: str, **headers: Any) -> Any:
    """Upload the file of a material: the bytes as the body (or multipart, part ``file``).

    Who: the applicant, the case's agent, a clerk of the case's location, a system actor — while
    the case takes materials. The type is sniffed from the bytes; a declared SHA-256 that differs
    is refused; nothing is kept of a refused upload.
    """
    return _upload(case_id, material, headers)


@files.route(f"{_ROUTE}/file", methods=["POST"], endpoint="post_file")
@files.doc(operationId="post_file", **_BODY_DOC)
@files.arguments(UploadHeaders, location="headers", as_kwargs=True)
@files.response(201, AttachmentSchema)
def post_file(case_id: str, material: str, **headers: Any) -> Any:
    """Upload the file of a material, as ``PUT`` does (for forms: multipart, part ``file``)."""
    return _upload(case_id, material, headers)


@files.route(f"{_ROUTE}/file", methods=["GET"], endpoint="get_file")
@files.doc(operationId="get_file", responses={"200": {
    "description": "the bytes, with the sniffed Content-Type",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
def get_file(case_id: str, material: str) -> Response:
    """Download the latest file of a material. Who: whoever may see the case."""
    row, stream = service().open_file(current_actor(), case_id, material)

    def chunks() -> Any:
        with stream:
            while chunk := stream.read(_CHUNK):
                yield chunk

    name = row.file_name or f"{material}.{EXTENSIONS.get(row.content_type or '', 'bin')}"
    mimetype = row.content_type or "application/octet-stream"
    response = Response(stream_with_context(chunks()), mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Content-Length"] = str(row.size)
    response.headers["X-Content-SHA256"] = str(row.sha256)
    response.headers["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(str(row.sha256))).decode()
    response.headers["ETag"] = f'"{row.sha256}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@files.route(f"{_ROUTE}/licence", methods=["POST"], endpoint="licence")
@files.doc(operationId="attach_licence")
@files.arguments(LicenceBody)
@files.arguments(UploadHeaders, location="headers", as_kwargs=True)
@files.response(201, AttachmentSchema)
def licence(body: dict[str, Any], case_id: str, material: str, **headers: Any) -> Any:
    """Give a material as a reference to an electronic licence (number, issuing body), no file.

    Who: as for uploads.
    """
    actor = current_actor()
    got = service().attach_licence(actor, case_id, material, number=body["number"],
                                   issuer=body["issuer"],
                                   idempotency_key=scoped_key(actor, headers.get("idempotency_key")))
    return _received(got)


@files.route("/cases/<case_id:case_id>/attachments", methods=["GET"], endpoint="attachments")
@files.doc(operationId="attachments")
@files.response(200, AttachmentListSchema)
def attachments(case_id: str) -> dict[str, Any]:
    """Every material of the case received as a file or licence reference, oldest first (hashes,
    sizes, types; never the bytes). Who: whoever may see the case."""
    return {"items": [_row(r) for r in service().attachments(current_actor(), case_id)]}

