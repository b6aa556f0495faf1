"""Database errors → oneservice errors, at the transaction boundary.

* a unique violation (two writers appended the same event or visit number, reused an
  idempotency key, opened the same case id) and a serialization failure, deadlock or lock
  timeout are races: :class:`~oneservice.errors.ConcurrencyConflict` when the transaction
  touched a case (reload and retry), :class:`~oneservice.errors.StoreError` otherwise;
* everything else — the database cannot be reached, a constraint is broken, a value cannot be
  stored — is a :class:`~oneservice.errors.StoreError` with a one-line reason.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from oneservice.errors import ConcurrencyConflict, OneServiceError, StoreError

__all__ = ["translate"]

# PostgreSQL SQLSTATEs
_PG_UNIQUE = "23505"
_PG_RACES = frozenset({"40001", "40P01", "55P03"})  # serialization failure, deadlock, lock n/a
_PG_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03", "53300"})  # shut down, too many clients
# SQLite extended result code names (Python 3.11+: sqlite3.Error.sqlite_errorname)
_SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"})
_SQLITE_RACES = frozenset({"SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED", "SQLITE_BUSY_TIMEOUT"})
_SQLITE_UNAVAILABLE = frozenset({"SQLITE_CANTOPEN", "SQLITE_NOTADB", "SQLITE_READONLY", "SQLITE_FULL"})


def _reason(exc: BaseException | None) -> str:
    text = str(exc).strip() if exc is not None else ""
    return text.splitlines()[0] if text else type(exc).__name__


def translate(exc: sa_exc.SQLAlchemyError, *, case_id: str | None, where: str) -> OneServiceError:
    """The oneservice error for ``exc``; ``where`` names the database (password hidden)."""
    if not isinstance(exc, sa_exc.DBAPIError):
        if isinstance(exc, sa_exc.StatementError) and exc.orig is not None:
            # a bind processor refused a value (e.g. a naive datetime)
            return StoreError(f"cannot store a value in {where}: {_reason(exc.orig)}")
        return StoreError(f"cannot use the database {where}: {_reason(exc)}")
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    name = getattr(orig, "sqlite_errorname", None)
    unique = sqlstate == _PG_UNIQUE or name in _SQLITE_UNIQUE
    race = sqlstate in _PG_RACES or name in _SQLITE_RACES
    if unique or race:
        if case_id is not None:
            return ConcurrencyConflict(case_id)
        what = "a row with this key already exists" if unique else "the database is busy"
        return StoreError(f"{what} in {where} ({_reason(orig)}); retry")
    if (
        exc.connection_invalidated
        or isinstance(exc, sa_exc.InterfaceError)
        or sqlstate in _PG_UNAVAILABLE
        or (sqlstate or "").startswith("08")
        or name in _SQLITE_UNAVAILABLE
        or (isinstance(exc, sa_exc.OperationalError) and sqlstate is None and name is None)
    ):
        return StoreError(f"cannot reach the database {where}: {_reason(orig)}")
    if sqlstate == "42P01" or _reason(orig).startswith("no such table"):
        return StoreError(f"the schema of {where} is missing or old ({_reason(orig)}); run Store.migrate()")
    if isinstance(exc, sa_exc.IntegrityError):
        return StoreError(f"the database refused the change in {where}: {_reason(orig)}")
    return StoreError(f"database error in {where}: {_reason(orig)}")
