"""External references: the number a system actor's own system gave an item (SQL only).

Written in the transaction that saves the case's ``ReferenceRecorded`` event, so a reference is
found exactly when the case records it; one (system, reference) names one item of one case.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from oneservice.domain.case import Case, Event
from oneservice.errors import ActionRejected
from oneservice.store.tables import external_references as refs

__all__ = ["find_reference", "record_references"]


def record_references(conn: Connection, case: Case, new_events: Iterable[Event]) -> None:
    """Insert the references that ``new_events`` of ``case`` record (none: nothing is written)."""
    rows = [
        {"system": e.data["system"], "reference": e.data["reference"], "case_id": case.id,
         "item_code": e.data["item"], "recorded_at": e.at}
        for e in new_events if e.type == "ReferenceRecorded"
    ]
    if not rows:
        return
    taken = find_reference(conn, rows[0]["system"], rows[0]["reference"])
    if taken is not None:
        raise _taken(case, rows[0]["system"], rows[0]["reference"], taken)
    try:
        with conn.begin_nested():
            conn.execute(insert(refs), rows)
    except IntegrityError:  # recorded meanwhile by a concurrent transaction
        found = find_reference(conn, rows[0]["system"], rows[0]["reference"]) or ("?", "?")
        raise _taken(case, rows[0]["system"], rows[0]["reference"], found) from None


def find_reference(conn: Connection, system: str, reference: str) -> tuple[str, str] | None:
    """The (case id, item code) that ``system`` recorded ``reference`` for."""
    row = conn.execute(
        select(refs.c.case_id, refs.c.item_code).where(refs.c.system == system, refs.c.reference == reference)
    ).first()
    return None if row is None else (row[0], row[1])


def _taken(case: Case, system: str, reference: str, taken: tuple[str, str]) -> ActionRejected:
    return ActionRejected(
        f"{system} already recorded reference {reference!r} for another item (case {taken[0]}, item "
        f"{taken[1]}): one reference names one item", case_id=case.id, state=str(case.state),
        reason="reference_taken", details={"reference": reference},
    )
