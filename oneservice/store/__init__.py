"""Persistence: SQLAlchemy Core tables, the repository and Alembic migrations.

:class:`Store` is one database (SQLite or PostgreSQL); :meth:`Store.transaction` gives a
:class:`Transaction` that loads and saves cases, events, idempotency records and definitions,
and answers the worklist queries.
"""

from oneservice.store.repository import Store as Store
from oneservice.store.repository import Transaction as Transaction
from oneservice.store.rows import CaseRow as CaseRow
from oneservice.store.rows import IdempotencyRecord as IdempotencyRecord
from oneservice.store.rows import Page as Page
from oneservice.store.rows import TaskRow as TaskRow
from oneservice.store.tables import metadata as metadata

__all__ = ["CaseRow", "IdempotencyRecord", "Page", "Store", "TaskRow", "Transaction", "metadata"]
