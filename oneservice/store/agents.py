"""Agent authorisations (委托书): an applicant authorises an agent (代办员) to run their cases.

An agent may open a case for an applicant, and act on and read it, only while an authorisation
of that applicant for that agent is in force (not revoked, not expired; for the case's matter,
or for every matter). The case's ``agent`` field alone (set by whoever opened the case) grants
nothing: the HTTP layer checks :func:`is_authorised` for every call of an agent.
"""

from __future__ import annotations

import datetime as dt
import secrets

import attrs
from sqlalchemy import or_, select, update

from oneservice.store.store import Store
from oneservice.store.tables import agent_authorisations as table

__all__ = ["Authorisation", "authorisations_of", "grant", "is_authorised", "revoke"]


@attrs.frozen
class Authorisation:
    id: str
    applicant_id: str
    agent_id: str
    matter_id: str | None
    granted_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    document: str | None

    def in_force(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def grant(store: Store, *, applicant_id: str, agent_id: str, now: dt.datetime, matter_id: str | None = None,
          expires_at: dt.datetime | None = None, document: str | None = None) -> Authorisation:
    """Record an authorisation; returns it (its id is ``a-…``)."""
    record = Authorisation("a-" + secrets.token_hex(10), applicant_id, agent_id, matter_id, now, expires_at,
                           None, document)
    with store.transaction() as tx:
        tx.connection.execute(table.insert().values(attrs.asdict(record)))
    return record


def revoke(store: Store, *, applicant_id: str, authorisation_id: str, now: dt.datetime) -> bool:
    """Revoke one of ``applicant_id``'s authorisations; False when there is none in force by that id."""
    with store.transaction() as tx:
        done = tx.connection.execute(
            update(table)
            .where(table.c.id == authorisation_id, table.c.applicant_id == applicant_id,
                   table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    return done.rowcount == 1


def authorisations_of(store: Store, applicant_id: str) -> list[Authorisation]:
    """Every authorisation an applicant gave, oldest first."""
    with store.transaction(readonly=True) as tx:
        rows = tx.connection.execute(
            select(table).where(table.c.applicant_id == applicant_id).order_by(table.c.granted_at, table.c.id)
        ).mappings().all()
    return [Authorisation(**row) for row in rows]


def is_authorised(store: Store, *, applicant_id: str, agent_id: str, matter_id: str,
                  now: dt.datetime) -> bool:
    """Whether an authorisation of ``applicant_id`` for ``agent_id`` covers ``matter_id`` now."""
    with store.transaction(readonly=True) as tx:
        rows = tx.connection.execute(
            select(table).where(
                table.c.applicant_id == applicant_id, table.c.agent_id == agent_id,
                table.c.revoked_at.is_(None),
                or_(table.c.matter_id.is_(None), table.c.matter_id == matter_id),
            )
        ).mappings().all()
    return any(Authorisation(**row).in_force(now) for row in rows)
