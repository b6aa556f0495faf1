"""Calendar updates for :class:`~oneservice.service.OneService`: load a year, move provisional deadlines.

A deadline computed past the last year of published calendar data is provisional. Loading that
year (:meth:`CalendarUpdates.load_calendar`) recomputes every provisional or unmet deadline of the
affected cases, and records each case's moved deadlines as one ``DeadlinesRecomputed`` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.case import Actor, Role
from .runner import ActionRunner

__all__ = ["CalendarUpdates"]


class CalendarUpdates:
    """Loading calendar data and recomputing the deadlines it moves."""

    def __init__(self, runner: ActionRunner) -> None:
        self.runner = runner

    def load_calendar(self, data: Mapping[str, Any]) -> list[str]:
        """Add a year of calendar data and recompute provisional deadlines; returns changed case ids."""
        self.runner.use_calendar(self.runner.calendar.with_year_data(data))
        return self._recompute_provisional()

    def _recompute_provisional(self) -> list[str]:
        with self.runner.store.transaction() as tx:
            ids = list(tx.provisional_case_ids())
        changed = []
        actor = Actor(Role.SYSTEM, "calendar")
        for case_id in ids:
            _, moved = self.runner.act(
                "recompute_deadlines",
                case_id,
                actor,
                lambda engine, case, now: engine.recompute_deadlines(case, actor, now),
            )
            if moved:
                changed.append(case_id)
        return changed
