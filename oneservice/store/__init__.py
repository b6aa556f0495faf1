"""Persistence: SQLAlchemy Core tables, the repository and Alembic migrations.

:class:`Store` is one database (SQLite or PostgreSQL). :meth:`Store.act_on` changes one case in
one transaction (load, change, versioned save); :meth:`Store.transaction` gives a
:class:`Transaction` that loads and saves cases, events, idempotency records and definitions,
and answers the worklist queries. The fast path behind them is the private ``_fast`` package.
"""

from oneservice.store.rows import CalendarYearRow as CalendarYearRow
from oneservice.store.rows import CaseRow as CaseRow
from oneservice.store.rows import IdempotencyRecord as IdempotencyRecord
from oneservice.store.rows import Page as Page
from oneservice.store.rows import TaskRow as TaskRow
from oneservice.store.store import Store as Store
from oneservice.store.tables import metadata as metadata
from oneservice.store.transaction import Transaction as Transaction

__all__ = [
    "CalendarYearRow", "CaseRow", "IdempotencyRecord", "Page", "Store", "TaskRow", "Transaction", "metadata",
]
