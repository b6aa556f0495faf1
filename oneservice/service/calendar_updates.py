"""Calendar updates for :class:`~oneservice.service.OneService`: load a year, move provisional deadlines.

A deadline computed past the last year of published calendar data is provisional (the year was
guessed: :mod:`oneservice.engine.calendar`). Loading that year (:meth:`CalendarUpdates.load_calendar`)
is one transaction:

1. every deadline whose count may examine a day of the year is checked against the new data. A
   **frozen** deadline must not move: one computed on official data (not provisional), or one met
   already whose verdict (met in time or late) the data would change. If any would, the load is
   refused with :class:`~oneservice.errors.CalendarConflict` (OS706) listing the cases, and
   nothing is written;
2. the year is kept in the database (``calendar_years``), so a restarted service, or another one
   started on the same database, computes on it (:attr:`ActionRunner.calendar
   <oneservice.service.runner.ActionRunner.calendar>`);
3. every unmet deadline of every open case with a provisional one is recomputed — the case, its
   item tasks and owed (容缺) materials — and each case's moves are one ``DeadlinesRecomputed``
   event.

A met provisional deadline keeps the date it was met against (and its flag): it is history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from ..catalog.calendars import check_calendar_file
from ..domain.case import Actor, Deadline, Role
from ..engine.base import due_on
from ..engine.calendar import WorkCalendar
from ..engine.engine import CaseEngine
from ..errors import CalendarConflict, CalendarError
from ..store.rows import CalendarYearRow
from ..store.types import json_dumps
from .runner import ActionRunner

__all__ = ["CalendarLoad", "CalendarUpdates"]

CALENDAR_ACTOR = Actor(Role.SYSTEM, "calendar")


@attrs.frozen
class CalendarLoad:
    """What loading a calendar year did."""

    year: int
    source: str
    moved: list[str]  # the cases whose deadlines moved, in id order


class CalendarUpdates:
    """Loading calendar data and recomputing the deadlines it moves."""

    def __init__(self, runner: ActionRunner) -> None:
        self.runner = runner
        runner.on_calendar_change = self._catch_up

    def load_calendar(self, data: Mapping[str, Any], *, actor: Actor | None = None) -> list[str]:
        """Add a year of calendar data and recompute provisional deadlines; returns changed case ids.

        ``data`` is a calendar file's mapping (its keys at the top level or under ``calendar:``).
        Raises :class:`~oneservice.errors.CalendarError` (OS610) for malformed data and
        :class:`~oneservice.errors.CalendarConflict` (OS706) when it contradicts frozen deadlines;
        then nothing is written.
        """
        return self.load(data, actor=actor).moved

    def load(self, data: Mapping[str, Any], *, actor: Actor | None = None) -> CalendarLoad:
        """:meth:`load_calendar`, returning the year and source with the moved cases."""
        actor = actor or CALENDAR_ACTOR
        body = _unwrap(data)
        checked = check_calendar_file(body).data_or_raise()
        runner = self.runner
        now = runner.clock.now()
        moved: list[str] = []
        with runner.store.transaction() as tx:
            # on the years stored now (another process may have loaded one since this one read them)
            stored = [row for row in tx.calendar_years() if row.year != checked.year]
            calendar = runner.compose_calendar(stored).with_year_data(body)
            conflicts = _conflicts(calendar, tx.deadlines_in_year(checked.year))
            if conflicts:
                raise CalendarConflict(checked.year, conflicts)
            tx.put_calendar_year(checked.year, _plain(body), checked.source, now, actor.describe())
            engines: dict[str, CaseEngine] = {}
            for case_id in tx.provisional_case_ids():
                case = tx.get_case(case_id)
                engine = engines.get(case.definition_hash)
                if engine is None:
                    engine = engines[case.definition_hash] = runner.engine(
                        case.definition_hash, tx, calendar=calendar)
                if engine.recompute_deadlines(case, actor, now):
                    tx.save_case(case)
                    moved.append(case_id)
        runner.reload_calendar()
        return CalendarLoad(checked.year, checked.source, moved)

    def _catch_up(self, years: frozenset[int]) -> list[str]:
        """Another process loaded ``years``: recompute the provisional deadlines this process
        computed on the guess meanwhile (one transaction per case, as any action)."""
        with self.runner.store.transaction(readonly=True) as tx:
            ids = tx.provisional_cases_in(years)
        moved = []
        for case_id in ids:
            _, changed = self.runner.act(
                "recompute_deadlines", case_id, CALENDAR_ACTOR,
                lambda engine, case, now: engine.recompute_deadlines(case, CALENDAR_ACTOR, now),
            )
            if changed:
                moved.append(case_id)
        return moved

    def calendar_years(self) -> list[CalendarYearRow]:
        """The calendar years loaded into the database, in year order."""
        with self.runner.store.transaction(readonly=True) as tx:
            return tx.calendar_years()


def _unwrap(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The calendar's keys: a file may also hold them under a top-level ``calendar:`` key."""
    if not isinstance(data, Mapping):
        raise CalendarError(f"calendar data: expected a mapping, got {type(data).__name__}")
    inner = data.get("calendar")
    if set(data) == {"calendar"} and isinstance(inner, Mapping):
        return inner
    return data


def _plain(body: Mapping[str, Any]) -> dict[str, Any]:
    """The data as JSON values (dates as ISO strings), as the database keeps it."""
    plain: dict[str, Any] = json.loads(json_dumps(body))
    return plain


def _conflicts(calendar: WorkCalendar, found: list[tuple[str, Deadline]]) -> list[dict[str, Any]]:
    """The frozen deadlines ``calendar`` would contradict."""
    out = []
    for case_id, deadline in found:
        would_be = due_on(calendar, deadline).date
        if deadline.met_at is None:
            frozen = not deadline.provisional and would_be != deadline.due
        else:
            met = deadline.met_at.date()
            frozen = (met <= deadline.due) != (met <= would_be)
        if frozen:
            out.append({
                "case_id": case_id, "kind": deadline.kind, "subject": deadline.subject,
                "due": deadline.due.isoformat(), "would_be": would_be.isoformat(),
                "met": deadline.met_at is not None,
            })
    return out
