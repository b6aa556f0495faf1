"""Small read-only rows the store returns from worklists and look-ups (never whole cases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from oneservice.domain.case import CaseState, TaskState

__all__ = ["CaseRow", "IdempotencyRecord", "TaskRow"]


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
