"""Domain objects ⇄ row dictionaries, by hand (no ORM: plain dicts are what Core executes fastest).

Every child part of a case becomes a dict keyed by its primary key within the case. A
:class:`Snapshot` holds those dicts as they were loaded (or last saved); comparing it with the
dicts of the changed case tells the repository which rows to insert, update or delete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from oneservice.domain.case import (
    Appeal,
    Applicant,
    Case,
    Deadline,
    Event,
    ExtensionRequest,
    FeePayment,
    ItemTask,
    Licence,
    MaterialRecord,
    Party,
    Rating,
    Rectification,
    ResultDelivery,
    Signature,
    Visit,
)
from oneservice.engine.clock import TZ
from oneservice.errors import StoreError

__all__ = [
    "Row",
    "Snapshot",
    "case_from_rows",
    "case_row",
    "deadline_from_row",
    "event_from_row",
    "event_rows",
    "party_rows",
    "snapshot_of",
]

Row = dict[str, Any]
DbRow = Mapping[Any, Any]  # a result row as a mapping (sqlalchemy RowMapping)


@attrs.define
class Snapshot:
    """The child rows of a case as the database holds them, keyed by primary key."""

    tasks: dict[str, Row]
    materials: dict[str, Row]
    visits: dict[int, Row]
    deadlines: dict[tuple[str, str], Row]
    ratings: dict[int, Row]


# ---------------------------------------------------------------------------------------- write


def case_row(case: Case) -> Row:
    """The ``cases`` row of ``case`` (``version`` and ``event_count`` as they are now)."""
    due = case.deadlines.get(("case", case.id))
    applicant = case.applicant
    return {
        "id": case.id,
        "matter_id": case.matter_id,
        "matter_version": case.matter_version,
        "definition_hash": case.definition_hash,
        "state": case.state,
        "version": case.version,
        "applicant_kind": applicant.kind,
        "applicant_id": applicant.id_number,
        "applicant_name": applicant.name,
        "applicant_phone": applicant.phone,
        "channel": case.channel,
        "location": case.location,
        "agent": case.agent,
        "opened_at": case.opened_at,
        "submitted_at": case.submitted_at,
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        "concluded_at": case.concluded_at,
        "due_date": due.due if due is not None else None,
        "due_provisional": due.provisional if due is not None else False,
        "outcome": case.outcome,
        "refusal_reason": case.refusal_reason,
        "form": case.form,
        "notified": case.notified,
        "notices": case.notices,
        "delivery_channel": case.delivery_channel,
        "pickup_location": case.pickup_location,
        "deliveries": [_delivery_json(d) for d in case.deliveries],
        "commitment": case.commitment,
        "duration_days": case.duration_days,
        "over_budget": case.over_budget,
        "trips": case.trips,
        "event_count": case.event_count,
        "rectification": _rectification_json(case.rectification),
        "fees": {code: _fee_json(f) for code, f in case.fees.items()},
        "licences": {code: _licence_json(lic) for code, lic in case.licences.items()},
        "external_refs": {code: dict(refs) for code, refs in case.references.items()},
        "applicant_role": case.applicant_role,
        "parties": [_party_json(p) for p in case.parties],
        "signatures": [_signature_json(x) for x in case.signatures],
    }


def _signature_json(x: Signature) -> dict[str, Any]:
    return {"material": x.material_id, "role": x.role, "at": _iso(x.at), "channel": x.channel, "by": x.by,
            **({"location": x.location} if x.location else {}), **({"agent": x.agent} if x.agent else {})}


def _signature(data: Mapping[str, Any]) -> Signature:
    at = _moment(data["at"])
    assert at is not None
    return Signature(data["material"], data["role"], at, data["channel"], data["by"], data.get("location"),
                     data.get("agent"))


def _party_json(p: Party) -> dict[str, Any]:
    a = p.applicant
    return {"role": p.role, "kind": a.kind, "id_number": a.id_number, "name": a.name, "phone": a.phone,
            **({"authorisation": p.authorisation} if p.authorisation else {})}


def _party(data: Mapping[str, Any]) -> Party:
    person = Applicant(data["kind"], data["id_number"], data["name"], data.get("phone", ""))
    return Party(data["role"], person, data.get("authorisation"))


def party_rows(case: Case) -> list[Row]:
    """The ``case_parties`` rows of ``case``: every party by number, the applicant first (written
    once, at opening)."""
    everyone = [(case.applicant_role, case.applicant), *((p.role, p.applicant) for p in case.parties)]
    return [{"case_id": case.id, "role": role, "party_id": a.id_number, "opened_at": case.opened_at}
            for role, a in everyone]


def _task_row(case_id: str, t: ItemTask) -> Row:
    return {
        "case_id": case_id,
        "item_code": t.item_code,
        "department": t.department,
        "state": t.state,
        "dispatched_at": t.dispatched_at,
        "started_at": t.started_at,
        "concluded_at": t.concluded_at,
        "due_date": t.due,
        "due_provisional": t.due_provisional,
        "suspended_since": t.suspended_since,
        "suspended_days": t.suspended_days,
        "correction_days": t.correction_days,
        "reviewer": t.reviewer,
        "result_id": t.result_id,
        "reason": t.reason,
        **_extension_columns(t.extension_request),
    }


def _extension_columns(x: ExtensionRequest | None) -> Row:
    """The ``item_tasks`` columns of a pending extension request (all NULL: none)."""
    return {
        "extension_request_seq": x.seq if x else None,
        "extension_requested_at": x.at if x else None,
        "extension_requested_by": x.by if x else None,
        "extension_request_days": x.days if x else None,
        "extension_request_reason": x.reason if x else None,
    }


def _extension_request(t: DbRow) -> ExtensionRequest | None:
    if t["extension_request_seq"] is None:
        return None
    return ExtensionRequest(t["extension_request_seq"], t["extension_requested_at"],
                            t["extension_requested_by"], t["extension_request_days"],
                            t["extension_request_reason"])


def _material_row(case_id: str, m: MaterialRecord) -> Row:
    return {
        "case_id": case_id,
        "material_id": m.material_id,
        "status": m.status,
        "channel": m.channel,
        "received_at": m.received_at,
        "due_date": m.due,
        "due_provisional": m.due_provisional,
        "provider": m.provider,
    }


def _visit_row(case_id: str, v: Visit) -> Row:
    return {
        "case_id": case_id,
        "seq": v.seq,
        "at": v.at,
        "location": v.location,
        "purposes": list(v.purposes),  # a copy: the snapshot must not follow later changes
        "over_budget_reason": v.over_budget_reason,
        "parties": list(v.parties) or None,
    }


def _deadline_row(case_id: str, d: Deadline) -> Row:
    return {
        "case_id": case_id,
        "kind": d.kind,
        "subject": d.subject,
        "start_date": d.start,
        "amount": d.amount,
        "unit": d.unit,
        "extra_days": d.extra_days,
        "extension_days": d.extension_days,
        "yellow_days": d.yellow_days,
        "yellow_from": d.yellow_from,
        "due_date": d.due,
        "provisional": d.provisional,
        "met_at": d.met_at,
    }


def _rating_row(case_id: str, seq: int, r: Rating) -> Row:
    return {
        "case_id": case_id,
        "seq": seq,
        "level": r.level,
        "comment": r.comment,
        "at": r.at,
        "follow_up": r.follow_up,
        "actor": r.by,
        "on_behalf": r.on_behalf,
        "about": r.about,
        "about_id": r.about_id,
        "bad": r.bad,
        "counted": r.counted,
        "appeal": _appeal_json(r.appeal),
        "party": r.party,
    }


def _appeal_json(a: Appeal | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "at": _iso(a.at),
        "by": a.by,
        "reason": a.reason,
        "decision_due": a.decision_due.isoformat(),
        "decision": a.decision,
        "decided_at": _iso(a.decided_at),
        "decided_by": a.decided_by,
        "note": a.note,
    }


def _appeal(data: Mapping[str, Any] | None) -> Appeal | None:
    if data is None:
        return None
    at = _moment(data["at"])
    assert at is not None
    return Appeal(at=at, by=data["by"], reason=data["reason"],
                  decision_due=dt.date.fromisoformat(data["decision_due"]), decision=data.get("decision"),
                  decided_at=_moment(data.get("decided_at")), decided_by=data.get("decided_by"),
                  note=data.get("note", ""))


def _unique(case_id: str, what: str, rows: dict[Any, Row], count: int) -> None:
    if len(rows) != count:
        raise StoreError(f"case {case_id}: two {what} have the same key; each must be unique")


def snapshot_of(case: Case) -> Snapshot:
    """The child rows ``case`` has now."""
    cid = case.id
    snap = Snapshot(
        tasks={code: _task_row(cid, t) for code, t in case.tasks.items()},
        materials={mid: _material_row(cid, m) for mid, m in case.materials.items()},
        visits={v.seq: _visit_row(cid, v) for v in case.visits},
        deadlines={key: _deadline_row(cid, d) for key, d in case.deadlines.items()},
        ratings={i: _rating_row(cid, i, r) for i, r in enumerate(case.ratings, start=1)},
    )
    _unique(cid, "visits", snap.visits, len(case.visits))
    for code, row in snap.tasks.items():
        if row["item_code"] != code:
            raise StoreError(f"case {cid}: task {row['item_code']!r} is filed under {code!r}")
    for mid, row in snap.materials.items():
        if row["material_id"] != mid:
            raise StoreError(f"case {cid}: material {row['material_id']!r} is filed under {mid!r}")
    for key, row in snap.deadlines.items():
        if (row["kind"], row["subject"]) != key:
            raise StoreError(f"case {cid}: deadline {row['kind']}/{row['subject']} is filed under {key}")
    return snap


def event_rows(case_id: str, events: Iterable[Event]) -> list[Row]:
    return [
        {
            "case_id": case_id,
            "seq": e.seq,
            "at": e.at,
            "type": e.type,
            "actor": e.actor,
            "state": e.state,
            "public": e.public,
            "data": e.data,
        }
        for e in events
    ]


def _iso(moment: dt.datetime | None) -> str | None:
    """ISO text in Asia/Shanghai, so equal instants give equal text."""
    return None if moment is None else moment.astimezone(TZ).isoformat()


def _delivery_json(d: ResultDelivery) -> dict[str, Any]:
    return {
        "result": d.result_id,
        "item": d.item_code,
        "channel": d.channel,
        "at": _iso(d.at),
        "actor": d.actor,
        "location": d.location,
        "tracking": d.tracking,
        "electronic_copy": d.electronic_copy,
        **({} if d.received_at is None else {
            "received_at": _iso(d.received_at), "received_by": d.received_by, "receipt_note": d.receipt_note,
        }),
    }


def _fee_json(f: FeePayment) -> dict[str, Any]:
    return {"amount": f.amount, "reference": f.reference, "at": _iso(f.at), "by": f.by}


def _fee(code: str, data: Mapping[str, Any]) -> FeePayment:
    at = _moment(data["at"])
    assert at is not None
    return FeePayment(code, data["amount"], data["reference"], at, data["by"])


def _licence_json(lic: Licence) -> dict[str, Any]:
    return {"result": lic.result_id, "number": lic.number, "issuer": lic.issuer, "at": _iso(lic.at),
            "by": lic.by}


def _licence(code: str, data: Mapping[str, Any]) -> Licence:
    at = _moment(data["at"])
    assert at is not None
    return Licence(code, data["result"], data["number"], data["issuer"], at, data["by"])


def _delivery(data: Mapping[str, Any]) -> ResultDelivery:
    at = _moment(data["at"])
    assert at is not None
    return ResultDelivery(
        result_id=data["result"],
        item_code=data["item"],
        channel=data["channel"],
        at=at,
        actor=data["actor"],
        location=data.get("location"),
        tracking=data.get("tracking"),
        received_at=_moment(data.get("received_at")),
        received_by=data.get("received_by"),
        receipt_note=data.get("receipt_note"),
        electronic_copy=bool(data.get("electronic_copy")),
    )


def _rectification_json(r: Rectification | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "opened_at": _iso(r.opened_at),
        "callback_due": r.callback_due.isoformat(),
        "rectify_due": r.rectify_due.isoformat(),
        "called_back_at": _iso(r.called_back_at),
        "rectified_at": _iso(r.rectified_at),
        "note": r.note,
        "withdrawn_at": _iso(r.withdrawn_at),
    }


# ----------------------------------------------------------------------------------------- read


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text).astimezone(TZ)


def _rectification(data: Mapping[str, Any] | None) -> Rectification | None:
    if data is None:
        return None
    opened_at = _moment(data["opened_at"])
    assert opened_at is not None
    return Rectification(
        opened_at=opened_at,
        callback_due=dt.date.fromisoformat(data["callback_due"]),
        rectify_due=dt.date.fromisoformat(data["rectify_due"]),
        called_back_at=_moment(data.get("called_back_at")),
        rectified_at=_moment(data.get("rectified_at")),
        note=data.get("note", ""),
        withdrawn_at=_moment(data.get("withdrawn_at")),
    )


def deadline_from_row(d: DbRow) -> Deadline:
    """A :class:`Deadline` from its ``deadlines`` row."""
    return Deadline(
        kind=d["kind"],
        subject=d["subject"],
        start=d["start_date"],
        amount=d["amount"],
        unit=d["unit"],
        extra_days=d["extra_days"],
        extension_days=d["extension_days"],
        yellow_days=d["yellow_days"],
        yellow_from=d["yellow_from"],
        due=d["due_date"],
        provisional=d["provisional"],
        met_at=d["met_at"],
    )


def case_from_rows(
    row: DbRow,
    *,
    tasks: Iterable[DbRow],
    materials: Iterable[DbRow],
    visits: Iterable[DbRow],
    deadlines: Iterable[DbRow],
    ratings: Iterable[DbRow],
) -> Case:
    """Rebuild a case from its row and its child rows (each in primary-key order)."""
    return Case(
        id=row["id"],
        matter_id=row["matter_id"],
        matter_version=row["matter_version"],
        definition_hash=row["definition_hash"],
        applicant=Applicant(
            kind=row["applicant_kind"],
            id_number=row["applicant_id"],
            name=row["applicant_name"],
            phone=row["applicant_phone"],
        ),
        channel=row["channel"],
        location=row["location"],
        opened_at=row["opened_at"],
        state=row["state"],
        version=row["version"],
        agent=row["agent"],
        applicant_role=row["applicant_role"],
        parties=[_party(p) for p in row["parties"] or ()],
        submitted_at=row["submitted_at"],
        received_at=row["received_at"],
        accepted_at=row["accepted_at"],
        concluded_at=row["concluded_at"],
        outcome=row["outcome"],
        refusal_reason=row["refusal_reason"],
        form=row["form"],
        materials={
            m["material_id"]: MaterialRecord(
                material_id=m["material_id"],
                status=m["status"],
                channel=m["channel"],
                received_at=m["received_at"],
                due=m["due_date"],
                provider=m["provider"],
                due_provisional=m["due_provisional"],
            )
            for m in materials
        },
        tasks={
            t["item_code"]: ItemTask(
                item_code=t["item_code"],
                department=t["department"],
                state=t["state"],
                dispatched_at=t["dispatched_at"],
                started_at=t["started_at"],
                concluded_at=t["concluded_at"],
                due=t["due_date"],
                due_provisional=t["due_provisional"],
                suspended_since=t["suspended_since"],
                suspended_days=t["suspended_days"],
                correction_days=t["correction_days"],
                reviewer=t["reviewer"],
                result_id=t["result_id"],
                reason=t["reason"],
                extension_request=_extension_request(t),
            )
            for t in tasks
        },
        visits=[
            Visit(
                seq=v["seq"],
                at=v["at"],
                location=v["location"],
                purposes=list(v["purposes"]),
                over_budget_reason=v["over_budget_reason"],
                parties=list(v["parties"] or ()),
            )
            for v in visits
        ],
        deadlines={(d["kind"], d["subject"]): deadline_from_row(d) for d in deadlines},
        notified=list(row["notified"]),
        notices=row["notices"],
        ratings=[
            Rating(level=r["level"], comment=r["comment"], at=r["at"], follow_up=r["follow_up"],
                   by=r["actor"], on_behalf=r["on_behalf"], about=r["about"], about_id=r["about_id"],
                   bad=r["bad"],
                   appeal=_appeal(r["appeal"]), party=r["party"])
            for r in ratings
        ],
        rectification=_rectification(row["rectification"]),
        delivery_channel=row["delivery_channel"],
        pickup_location=row["pickup_location"],
        deliveries=[_delivery(d) for d in row["deliveries"]],
        fees={code: _fee(code, f) for code, f in (row["fees"] or {}).items()},
        licences={code: _licence(code, lic) for code, lic in (row["licences"] or {}).items()},
        references={code: dict(refs) for code, refs in (row["external_refs"] or {}).items()},
        signatures=[_signature(x) for x in row["signatures"] or ()],
        commitment=row["commitment"],
        duration_days=row["duration_days"],
        over_budget=row["over_budget"],
        event_count=row["event_count"],
        new_events=[],
    )


def event_from_row(row: DbRow) -> Event:
    return Event(
        seq=row["seq"],
        at=row["at"],
        type=row["type"],
        actor=row["actor"],
        data=row["data"],
        state=row["state"],
        public=row["public"],
    )

