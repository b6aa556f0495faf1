"""Calendar updates for :class:`~oneservice.service.OneService`: load a year, move provisional deadlines.

A deadline computed past the last year of published calendar data is provisional. Loading that
year (:meth:`CalendarUpdates.load_calendar`) recomputes every provisional or unmet deadline of the
affected cases, and records each case's moved deadlines as one ``DeadlinesRecomputed`` event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..domain.case import Actor, Case, Role
from ..engine.engine import CaseEngine
from .runner import ServiceBase

__all__ = ["CalendarUpdates"]


class CalendarUpdates(ServiceBase):
    """Loading calendar data and recomputing the deadlines it moves."""

    def load_calendar(self, data: Mapping[str, Any]) -> list[str]:
        """Add a year of calendar data and recompute provisional deadlines; returns changed case ids."""
        self.calendar = self.calendar.with_year_data(data)
        self._engines.clear()
        return self._recompute_provisional()

    def _recompute_provisional(self) -> list[str]:
        with self.store.transaction() as tx:
            ids = list(tx.provisional_case_ids())
        changed = []
        actor = Actor(Role.SYSTEM, "calendar")
        for case_id in ids:

            def change(engine: CaseEngine, case: Case, now: dt.datetime) -> bool:
                moved = []
                for deadline in case.deadlines.values():
                    if deadline.provisional or deadline.met_at is None:
                        before = deadline.due
                        if engine.recompute(deadline):
                            moved.append(
                                {
                                    "kind": deadline.kind,
                                    "subject": deadline.subject,
                                    "from": before.isoformat(),
                                    "to": deadline.due.isoformat(),
                                    "provisional": deadline.provisional,
                                }
                            )
                for code, task in case.tasks.items():
                    item_deadline = case.deadlines.get(("item", code))
                    if item_deadline is not None:
                        task.due, task.due_provisional = item_deadline.due, item_deadline.provisional
                for record in case.owed():
                    owed_deadline = case.deadlines.get(("deficiency", record.material_id))
                    if owed_deadline is not None:
                        record.due = owed_deadline.due
                if moved:
                    engine._event(case, now, "DeadlinesRecomputed", actor, deadlines=moved)
                return bool(moved)

            _, moved = self._act("recompute_deadlines", case_id, actor, change)
            if moved:
                changed.append(case_id)
        return changed
