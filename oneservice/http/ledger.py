"""Where issued and revoked tokens are recorded: the database (shared by every server) or a file.

:class:`~oneservice.http.auth.TokenAuthority` records each token it issues and each revocation
in a :class:`Ledger`, and asks it on every request whether the token was revoked.

- :class:`DatabaseLedger` — the ``token_ledger`` table of the service's database
  (:mod:`oneservice.store.tokens`): every server of a site sees every issue and revocation at
  once (one primary-key lookup per request). ``oneservice serve`` and ``oneservice token`` use it.
  A token it has no record of is refused: every token of the site is issued into it.
- :class:`FileLedger` — ``<secret>.tokens.jsonl`` beside the secret, one JSON line per issue or
  revocation (the 0.1 ledger; one machine only). A token absent from it is accepted until it
  expires unless its id is revoked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["DatabaseLedger", "FileLedger", "Ledger", "TokenRecord"]


@attrs.frozen
class TokenRecord:
    """One line of ``oneservice token list`` (no token, no unmasked ID number)."""

    id: str
    role: str
    subject: str
    department: str | None
    location: str | None
    applicant: str | None  # masked
    issued: dt.datetime
    expires: dt.datetime
    revoked: dt.datetime | None
    scopes: tuple[str, ...] = ()  # a system token's callbacks (oneservice.http.auth.SYSTEM_SCOPES)


class Ledger(Protocol):
    requires_record: bool
    """Whether a token must have been recorded to be accepted."""

    def record(self, token: TokenRecord) -> None: ...

    def revoke(self, token_id: str, at: dt.datetime) -> bool:
        """Record the revocation; False when the ledger knows no such token."""
        ...

    def status(self, token_id: str) -> bool | None:
        """True: revoked; False: recorded and in force; None: not recorded."""
        ...

    def records(self) -> list[TokenRecord]: ...


class DatabaseLedger:
    """The ``token_ledger`` table, shared by every server on the database."""

    requires_record = True

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, token: TokenRecord) -> None:
        from ..store.tokens import record_token

        values = attrs.asdict(token)
        values["scopes"] = " ".join(token.scopes) or None
        record_token(self.store, values)

    def revoke(self, token_id: str, at: dt.datetime) -> bool:
        from ..store.tokens import revoke_token

        return revoke_token(self.store, token_id, at)

    def status(self, token_id: str) -> bool | None:
        from ..store.tokens import token_status

        return token_status(self.store, token_id)

    def records(self) -> list[TokenRecord]:
        from ..store.tokens import token_rows

        return [TokenRecord(**{**row, "scopes": tuple((row["scopes"] or "").split())})
                for row in token_rows(self.store)]


class FileLedger:
    """``<secret>.tokens.jsonl``: JSON lines, re-read when the file changes (one stat per request)."""

    requires_record = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._revoked: set[str] = set()
        self._seen: tuple[int, int] | None = None

    def record(self, token: TokenRecord) -> None:
        self._append({
            "event": "issued", "id": token.id, "role": token.role, "sub": token.subject,
            "dep": token.department, "loc": token.location, "aid": token.applicant,
            "iat": int(token.issued.timestamp()), "exp": int(token.expires.timestamp()),
            "scp": list(token.scopes),
        })

    def revoke(self, token_id: str, at: dt.datetime) -> bool:
        self._append({"event": "revoked", "id": token_id, "at": int(at.timestamp())})
        with self._lock:
            self._revoked.add(token_id)
        return True

    def status(self, token_id: str) -> bool | None:
        self._refresh()
        return True if token_id in self._revoked else None

    def records(self) -> list[TokenRecord]:
        issued: dict[str, dict[str, Any]] = {}
        revoked: dict[str, int] = {}
        for entry in self._entries():
            if entry.get("event") == "issued":
                issued[entry["id"]] = entry
            elif entry.get("event") == "revoked":
                revoked.setdefault(entry["id"], entry["at"])

        def when(seconds: int) -> dt.datetime:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)

        return [
            TokenRecord(e["id"], e["role"], e["sub"], e.get("dep"), e.get("loc"), e.get("aid"),
                        when(e["iat"]), when(e["exp"]),
                        when(revoked[e["id"]]) if e["id"] in revoked else None, tuple(e.get("scp") or ()))
            for e in issued.values()
        ]

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def _entries(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash: the next write starts a new one
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    yield entry

    def _refresh(self) -> None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return
        seen = (info.st_mtime_ns, info.st_size)
        if seen == self._seen:
            return
        revoked = {e["id"] for e in self._entries() if e.get("event") == "revoked"}
        with self._lock:
            self._revoked |= revoked
            self._seen = seen


class MemoryLedger:
    """Revocations of this process only (``TokenAuthority(secret)`` without a ledger)."""

    requires_record = False

    def __init__(self) -> None:
        self._revoked: set[str] = set()

    def record(self, token: TokenRecord) -> None:
        return None

    def revoke(self, token_id: str, at: dt.datetime) -> bool:
        self._revoked.add(token_id)
        return True

    def status(self, token_id: str) -> bool | None:
        return True if token_id in self._revoked else None

    def records(self) -> list[TokenRecord]:
        return []
