"""The names this module held before the store was split (store.py, transaction.py, _fast/).

Kept so that imports of ``oneservice.store.repository`` go on working; import from
:mod:`oneservice.store` (or :mod:`oneservice.store.store`, :mod:`oneservice.store.transaction`).
"""

from oneservice.store.store import DEFAULT_URL, MIGRATIONS, Store
from oneservice.store.transaction import Transaction

__all__ = ["DEFAULT_URL", "MIGRATIONS", "Store", "Transaction"]
