"""The audit log of refused calls: bounded, apart from the cases' event logs.

A refused call (an actor outside a case's scope, a role that may not act) used to be an
``AccessDenied`` event in the case's own log, one row per refusal: 58 refused calls made 54 rows
in someone else's case. They are rows of ``audit_log`` instead, counted:

- one row per **actor, case, reason and minute** (``minute`` is the start of the minute the
  refusal fell in); a repeat within the minute adds one to ``refusals`` and moves ``last_at``;
- at most :data:`PER_ACTOR_MINUTE` rows per actor and minute: past that, the actor's further
  refusals in the minute go to one row with case ``*`` and reason ``more cases refused``, so a
  caller trying case ids one after another writes at most 51 rows a minute.

So the table grows with the number of minutes in which something was refused, not with the
number of refusals. Supervisors read it (``GET /audit``, :func:`audit_page`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from oneservice.store.rows import Page
from oneservice.store.store import Store
from oneservice.store.tables import audit_log

__all__ = ["OVERFLOW_CASE", "PER_ACTOR_MINUTE", "AuditRow", "audit_page", "record_refusal"]

PER_ACTOR_MINUTE = 50
OVERFLOW_CASE = "*"
OVERFLOW_REASON = "more cases refused"


@attrs.frozen
class AuditRow:
    minute: dt.datetime
    actor: str
    role: str
    case_id: str
    reason: str
    action: str
    refusals: int
    first_at: dt.datetime
    last_at: dt.datetime


def _minute(at: dt.datetime) -> dt.datetime:
    return at.replace(second=0, microsecond=0)


def record_refusal(store: Store, *, at: dt.datetime, actor: str, role: str, case_id: str, action: str,
                   reason: str) -> None:
    """Count one refused call (its own transaction; see the module docstring for the bounds)."""
    minute = _minute(at)
    reason = reason[:300]
    with store.transaction() as tx:
        conn = tx.connection
        key = (audit_log.c.actor == actor) & (audit_log.c.minute == minute)
        exists = conn.execute(
            select(audit_log.c.id).where(key, audit_log.c.case_id == case_id, audit_log.c.reason == reason)
        ).first()
        if exists is None:
            rows = conn.execute(select(func.count()).select_from(audit_log).where(key)).scalar_one()
            if rows >= PER_ACTOR_MINUTE:
                case_id, reason = OVERFLOW_CASE, OVERFLOW_REASON
        values: dict[str, Any] = {
            "minute": minute, "actor": actor[:200], "role": role, "case_id": case_id[:40], "reason": reason,
            "action": action[:100], "refusals": 1, "first_at": at, "last_at": at,
        }
        dialect = postgresql if store.dialect == "postgresql" else sqlite
        statement = dialect.insert(audit_log).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["actor", "case_id", "reason", "minute"],
            set_={"refusals": audit_log.c.refusals + 1, "last_at": statement.excluded.last_at,
                  "action": statement.excluded.action},
        )
        conn.execute(statement)


def audit_page(store: Store, *, case_id: str | None = None, actor: str | None = None,
               limit: int | None = 50, offset: int = 0) -> Page[AuditRow]:
    """Rows of the audit log, newest minute first, optionally of one case or one actor."""
    where = []
    if case_id is not None:
        where.append(audit_log.c.case_id == case_id)
    if actor is not None:
        where.append(audit_log.c.actor == actor)
    with store.transaction(readonly=True) as tx:
        conn = tx.connection
        total = conn.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
        query = (select(audit_log).where(*where)
                 .order_by(audit_log.c.minute.desc(), audit_log.c.id.desc()).offset(offset))
        if limit is not None:
            query = query.limit(limit)
        rows = conn.execute(query).mappings().all()
    items = tuple(AuditRow(**{k: v for k, v in row.items() if k != "id"}) for row in rows)
    return Page(items, total, offset, limit)
