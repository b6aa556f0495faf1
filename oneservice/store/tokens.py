"""The ``token_ledger`` table: tokens issued and revoked, shared by every server of a site.

Used by :class:`oneservice.http.ledger.DatabaseLedger`; the table holds no token and no unmasked
ID number (the applicant column is masked).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from oneservice.store.store import Store
from oneservice.store.tables import token_ledger as table

__all__ = ["record_token", "revoke_token", "token_rows", "token_status"]

_COLUMNS = {"issued": "issued_at", "expires": "expires_at", "revoked": "revoked_at"}


def record_token(store: Store, record: dict[str, Any]) -> None:
    """Insert one issued token (``TokenRecord`` fields)."""
    values = {_COLUMNS.get(k, k): v for k, v in record.items()}
    with store.transaction() as tx:
        tx.connection.execute(table.insert().values(values))


def revoke_token(store: Store, token_id: str, at: dt.datetime) -> bool:
    """Mark a token revoked (the first revocation counts); False when the ledger has no such token."""
    with store.transaction() as tx:
        conn = tx.connection
        found = conn.execute(select(table.c.revoked_at).where(table.c.id == token_id)).first()
        if found is None:
            return False
        if found[0] is None:
            conn.execute(update(table).where(table.c.id == token_id).values(revoked_at=at))
    return True


def token_status(store: Store, token_id: str) -> bool | None:
    """True: revoked; False: in force; None: unknown (one primary-key lookup)."""
    with store.transaction(readonly=True) as tx:
        found = tx.connection.execute(select(table.c.revoked_at).where(table.c.id == token_id)).first()
    return None if found is None else found[0] is not None


def token_rows(store: Store) -> list[dict[str, Any]]:
    """Every token, oldest first, as ``TokenRecord`` fields."""
    with store.transaction(readonly=True) as tx:
        rows = tx.connection.execute(select(table).order_by(table.c.issued_at, table.c.id)).mappings().all()
    back = {v: k for k, v in _COLUMNS.items()}
    return [{back.get(k, k): v for k, v in row.items()} for row in rows]
