"""Small checks and computations every engine module uses: a deadline's due date, text and day
counts in an action's payload."""

from __future__ import annotations

from typing import Any

from ..domain.case import Case, Deadline
from ..domain.definitions import Limit, LimitUnit
from ..errors import InvalidInput
from .calendar import Due, WorkCalendar

__all__ = ["due_on", "extension_offered", "require_days", "require_text"]

_EXTENSIONS = frozenset({"extend_item", "request_extension", "decide_extension"})


def due_on(calendar: WorkCalendar, deadline: Deadline) -> Due:
    """What ``deadline`` is due on by ``calendar``: its limit from its start, then the working days
    added since (suspensions, corrections, an approved extension); provisional if any step went
    into a guessed year."""
    limit = Limit(deadline.amount, LimitUnit(deadline.unit))
    if limit.unit is LimitUnit.CALENDAR_DAYS:
        base = calendar.add_calendar_days(deadline.start, limit.value)
    else:
        base = calendar.add_working_days(deadline.start, limit.value)
    added = deadline.extra_days + deadline.extension_days  # stopped clocks, an approved extension
    if not added:
        return base
    due = calendar.add_working_days(base.date, added)
    return Due(due.date, base.provisional or due.provisional)


def require_text(value: Any, field: str) -> None:
    """Raise :class:`InvalidInput` unless ``value`` is non-empty text of at most 2000 characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("is required (non-empty text)", field=field)
    if len(value) > 2000:
        raise InvalidInput("is longer than 2000 characters", field=field)


def require_days(value: Any, field: str, most: int, *, what: str) -> int:
    """``value`` as a whole number of working days from 1 to ``most``, else :class:`InvalidInput`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must be a whole number of working days", field=field)
    if not 1 <= value <= most:
        raise InvalidInput(f"must be from 1 to {most} working days ({what})", field=field,
                           hint=f"at most {most}")
    return value


def extension_offered(case: Case, action: str, item: str) -> bool:
    """Whether item action ``action``, its states allowing it, is offered on ``item``: an extension
    only of a running legal limit not extended yet (延期, once), asked for while no request is
    pending, decided while one is (every other action: yes)."""
    if action not in _EXTENSIONS:
        return True
    legal = case.deadlines.get(("item_legal", item))
    if legal is None or legal.met_at is not None or legal.extension_days:
        return False
    pending = case.tasks[item].extension_request is not None
    return pending if action == "decide_extension" else not pending
