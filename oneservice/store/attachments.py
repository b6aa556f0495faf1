"""Attachments: the materials a case received as files or licence references (SQL only).

Rows are written in the transaction that saves the events recording them, like external
references: ``MaterialFileAttached`` and ``MaterialLicenceReferenced`` add a row each (keyed by
the event's case and number), ``MaterialFilesPurged`` marks the files it names purged. The bytes
are never here: a file row names its blob by SHA-256 (:mod:`oneservice.store.blobs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs
from sqlalchemy import Connection, and_, exists, insert, select, update
from sqlalchemy.orm import aliased

from oneservice.domain.case import Case, Event
from oneservice.domain.states import CaseState
from oneservice.store.tables import attachments, cases

__all__ = [
    "ENDED_STATES",
    "AttachmentRow",
    "attachments_of",
    "blobs_to_remove",
    "mark_blob_removed",
    "purgeable_cases",
    "record_attachments",
    "referenced",
]

ENDED_STATES: tuple[CaseState, ...] = (CaseState.CLOSED, CaseState.REFUSED, CaseState.TERMINATED,
                                       CaseState.WITHDRAWN)
"""The states after which a case's files are kept only for the retention period."""


@attrs.frozen
class AttachmentRow:
    """One material received as a file (``kind="file"``) or as an electronic licence."""

    case_id: str
    seq: int
    material_id: str
    kind: str
    sha256: str | None
    size: int | None
    content_type: str | None
    file_name: str | None
    licence_number: str | None
    licence_issuer: str | None
    uploaded_at: dt.datetime
    uploaded_by: str
    purged_at: dt.datetime | None

    def to_dict(self) -> dict[str, object]:
        return attrs.asdict(self)


def record_attachments(conn: Connection, case: Case, new_events: Iterable[Event]) -> None:
    """Write what ``new_events`` of ``case`` record about its materials' files (else nothing)."""
    rows, purged = [], []
    for e in new_events:
        if e.type == "MaterialFileAttached":
            rows.append({"case_id": case.id, "seq": e.seq, "material_id": e.data["material"], "kind": "file",
                         "sha256": e.data["sha256"], "size": e.data["size"],
                         "content_type": e.data["content_type"], "file_name": e.data.get("name"),
                         "licence_number": None, "licence_issuer": None,
                         "uploaded_at": e.at, "uploaded_by": e.actor})
        elif e.type == "MaterialLicenceReferenced":
            rows.append({"case_id": case.id, "seq": e.seq, "material_id": e.data["material"],
                         "kind": "licence",
                         "sha256": None, "size": None, "content_type": None, "file_name": None,
                         "licence_number": e.data["number"], "licence_issuer": e.data["issuer"],
                         "uploaded_at": e.at, "uploaded_by": e.actor})
        elif e.type == "MaterialFilesPurged":
            purged.append(e)
    if rows:
        conn.execute(insert(attachments), rows)
    for e in purged:
        hashes = sorted({f["sha256"] for f in e.data["files"]})
        conn.execute(
            update(attachments)
            .where(attachments.c.case_id == case.id, attachments.c.kind == "file",
                   attachments.c.purged_at.is_(None), attachments.c.sha256.in_(hashes))
            .values(purged_at=e.at)
        )


def _row(r: object) -> AttachmentRow:
    m = r._mapping  # type: ignore[attr-defined]
    return AttachmentRow(**{f.name: m[f.name] for f in attrs.fields(AttachmentRow)})


def attachments_of(conn: Connection, case_id: str, material: str | None = None) -> list[AttachmentRow]:
    """The case's attachments (of one material), oldest first."""
    query = select(*(attachments.c[f.name] for f in attrs.fields(AttachmentRow))).where(
        attachments.c.case_id == case_id)
    if material is not None:
        query = query.where(attachments.c.material_id == material)
    return [_row(r) for r in conn.execute(query.order_by(attachments.c.seq))]


def purgeable_cases(conn: Connection, cutoff: dt.datetime, limit: int = 500) -> list[str]:
    """Cases ended (closed, refused, terminated, withdrawn) and concluded before ``cutoff`` that still
    have files not purged."""
    query = (
        select(cases.c.id)
        .where(cases.c.state.in_([s.value for s in ENDED_STATES]), cases.c.concluded_at < cutoff,
               exists().where(attachments.c.case_id == cases.c.id, attachments.c.kind == "file",
                              attachments.c.purged_at.is_(None)))
        .order_by(cases.c.concluded_at, cases.c.id)
        .limit(limit)
    )
    return [r[0] for r in conn.execute(query)]


def blobs_to_remove(conn: Connection, limit: int = 1000) -> list[str]:
    """Hashes of purged files whose blob is still there and that no file not purged refers to."""
    live = aliased(attachments)
    query = (
        select(attachments.c.sha256).distinct()
        .where(attachments.c.kind == "file", attachments.c.purged_at.is_not(None),
               attachments.c.blob_removed_at.is_(None),
               ~exists().where(and_(live.c.sha256 == attachments.c.sha256, live.c.purged_at.is_(None))))
        .order_by(attachments.c.sha256)
        .limit(limit)
    )
    return [r[0] for r in conn.execute(query)]


def referenced(conn: Connection, sha256: str) -> bool:
    """Whether a file not purged refers to the blob ``sha256``."""
    query = select(attachments.c.seq).where(attachments.c.sha256 == sha256, attachments.c.purged_at.is_(None))
    return conn.execute(query.limit(1)).first() is not None


def mark_blob_removed(conn: Connection, hashes: Sequence[str], at: dt.datetime) -> None:
    """Record that the blobs ``hashes`` are gone (every purged row naming them)."""
    if hashes:
        conn.execute(
            update(attachments)
            .where(attachments.c.sha256.in_(list(hashes)), attachments.c.purged_at.is_not(None),
                   attachments.c.blob_removed_at.is_(None))
            .values(blob_removed_at=at)
        )
