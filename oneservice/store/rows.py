"""Small read-only rows the store returns from worklists and look-ups (never whole cases), and
:class:`Page`, one page of a list with the size of the whole list."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

import attrs

from oneservice.domain.case import CaseState, TaskState
from oneservice.errors import InvalidInput

__all__ = ["CalendarYearRow", "CaseRow", "IdempotencyRecord", "Page", "TaskRow", "check_window"]

T = TypeVar("T")


@attrs.frozen
class IdempotencyRecord:
    """The recorded outcome of an action performed under an idempotency key."""

    key: str
    case_id: str
    action: str
    fingerprint: str  # hash of the action's arguments; another fingerprint is a DuplicateAction
    result: Any  # JSON
    at: dt.datetime


@attrs.frozen
class CalendarYearRow:
    """A calendar year loaded into the database: its data (a calendar file's mapping), by whom, when."""

    year: int
    data: dict[str, Any]
    source: str
    loaded_at: dt.datetime
    loaded_by: str


@attrs.frozen
class CaseRow:
    """One line of a case worklist (window queue, applicant's cases, supervision)."""

    id: str
    matter_id: str
    state: CaseState
    location: str
    channel: str
    applicant_id: str
    applicant_name: str
    opened_at: dt.datetime
    concluded_at: dt.datetime | None
    due: dt.date | None
    due_provisional: bool
    trips: int
    over_budget: bool
    version: int


@attrs.frozen
class TaskRow:
    """One line of a department's worklist: an item task and the matter it belongs to."""

    case_id: str
    item_code: str
    department: str
    state: TaskState
    matter_id: str
    dispatched_at: dt.datetime | None
    started_at: dt.datetime | None
    due: dt.date | None
    due_provisional: bool
    suspended_since: dt.date | None
    reviewer: str | None


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: at most ``limit`` rows from position ``offset`` (0-based) of the whole
    list in its order, and ``total``, the length of the whole list.

    The store counts ``total`` in the statement that reads ``items`` (one snapshot: the total
    agrees with the rows); a page past the end has no items, and its total is counted by a
    second statement of the same transaction.
    """

    items: tuple[T, ...]
    total: int
    offset: int = 0
    limit: int | None = None

    @property
    def pages(self) -> int:
        """How many pages of ``limit`` rows the whole list fills (without a limit: 1, or 0 when
        the list is empty)."""
        if self.limit is None:
            return 1 if self.total else 0
        return -(-self.total // self.limit)


def check_window(limit: int | None, offset: int) -> None:
    """Raise :class:`InvalidInput` unless ``limit`` is ``None`` or ≥ 1 and ``offset`` ≥ 0 (whole
    numbers, not booleans): the one rule of every page of every list."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput("must be a whole number, 1 or more (or None for no limit)", field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInput("must be a whole number, 0 or more", field="offset")
