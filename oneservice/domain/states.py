"""The states of a case and of its item tasks, their labels, and the named sets of states.

Each state is declared once, with the words an applicant or a clerk reads (``state.label``:
Chinese and English). A case state and a task state may share a value (``refused``) but never a
label: a case refused at the front desk is 不予受理, an item refused by its department 不予许可.
Every other part of oneservice (engine, store, supervision, HTTP) names these sets instead of
spelling state lists of its own.
"""

from __future__ import annotations

import enum
from typing import Any

from .definitions import Text

__all__ = [
    "ACTIVE_CASE_STATES",
    "CLOCK_STOPPED_TASK_STATES",
    "CONCLUDED_TASK_STATES",
    "FINISHED_CASE_STATES",
    "OPEN_CASE_STATES",
    "RUNNING_TASK_STATES",
    "WORKLIST_TASK_STATES",
    "CaseState",
    "TaskState",
]


class _Labelled(enum.StrEnum):
    """A state whose members carry their bilingual label: ``NAME = "value", "中文", "English"``."""

    label: Text

    def __new__(cls, value: str, zh: str = "", en: str = "") -> Any:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = Text(zh, en)
        return member


class CaseState(_Labelled):
    """The state of a case (办件)."""

    DRAFT = "draft", "草稿", "Draft"
    SUBMITTED = "submitted", "已提交", "Submitted"
    AWAITING_MATERIALS = "awaiting_materials", "待补正材料", "Awaiting materials"  # one-time notice given
    ACCEPTED = "accepted", "已受理", "Accepted"
    IN_PROGRESS = "in_progress", "审批中", "In progress"
    READY_FOR_PICKUP = "ready_for_pickup", "待领取", "Ready for pickup"
    DELIVERED = "delivered", "已送达", "Delivered"
    CLOSED = "closed", "已办结归档", "Closed"
    REFUSED = "refused", "不予受理", "Refused"  # refused at the front desk
    TERMINATED = "terminated", "已终止", "Terminated"  # owed materials not supplied in time
    WITHDRAWN = "withdrawn", "已撤回", "Withdrawn"


class TaskState(_Labelled):
    """The state of one item task (a department's part of a case)."""

    WAITING = "waiting", "等待前序事项", "Waiting for earlier items"  # for the items it depends on
    READY = "ready", "待审查", "Ready for review"  # dispatched to the department
    IN_REVIEW = "in_review", "审查中", "In review"
    CORRECTION_REQUESTED = "correction_requested", "待补正", "Correction requested"
    SUSPENDED = "suspended", "中止", "Suspended"
    APPROVED = "approved", "通过", "Approved"
    REFUSED = "refused", "不予许可", "Not approved"  # refused by the department
    CANCELLED = "cancelled", "终止", "Cancelled"


FINISHED_CASE_STATES = frozenset({
    CaseState.DELIVERED, CaseState.CLOSED, CaseState.REFUSED, CaseState.TERMINATED, CaseState.WITHDRAWN,
})
"""A finished case: results handed over, or ended without them. Nothing is due on it but ratings."""

OPEN_CASE_STATES = frozenset(set(CaseState) - FINISHED_CASE_STATES)
"""An open case: every state but the finished ones (worklists, timers and withdrawal look at it)."""

ACTIVE_CASE_STATES = frozenset({CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.READY_FOR_PICKUP})
"""Accepted and not yet finished: the promise (承诺时限) is running and supervision watches it."""

CONCLUDED_TASK_STATES = frozenset({TaskState.APPROVED, TaskState.REFUSED, TaskState.CANCELLED})
"""An item task with its decision (办结), or cancelled."""

CLOCK_STOPPED_TASK_STATES = frozenset({TaskState.SUSPENDED, TaskState.CORRECTION_REQUESTED})
"""An item task whose clock is stopped (中止, 补正): its deadline does not run."""

RUNNING_TASK_STATES = frozenset(set(TaskState) - CONCLUDED_TASK_STATES - CLOCK_STOPPED_TASK_STATES)
"""An item task whose clock runs: waiting for earlier items, ready, or in review."""

WORKLIST_TASK_STATES = (
    TaskState.READY, TaskState.IN_REVIEW, TaskState.CORRECTION_REQUESTED, TaskState.SUSPENDED,
)
"""The task states on a department's worklist, in the order its index spells them."""
