"""What the service returns: summaries, progress views, notices and worklist rows (plain values)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ..domain.case import Case
from ..domain.states import FINISHED_CASE_STATES, CaseState
from ..domain.supervision import Colour, Thresholds
from ..engine.calendar import WorkCalendar
from ..engine.completeness import IssueKind

__all__ = ["CaseSummary", "Notice", "NoticeLine", "ProgressStep", "ProgressView", "supervision_colour"]

def supervision_colour(
    due: dt.date | None, today: dt.date, calendar: WorkCalendar, *, done: bool, yellow_days: int = 1
) -> Colour:
    """The colour of a deadline due on ``due``, by the rule of :class:`Thresholds` (red overdue,
    yellow up to the ``yellow_days``-th working day after today, else green)."""
    return Thresholds.on(today, calendar, yellow_days).colour(due, done=done)


@attrs.frozen
class CaseSummary:
    """The state of a case after an action."""

    id: str
    matter_id: str
    state: str
    version: int
    trips: int
    trip_budget: int
    due: str | None
    due_provisional: bool
    colour: Colour = attrs.field(converter=Colour)  # a replayed summary brings the plain value
    tasks: dict[str, str]
    owed: list[str]
    allowed: list[str]
    outcome: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class NoticeLine:
    kind: IssueKind
    id: str
    zh: str
    en: str


@attrs.frozen
class Notice:
    """The one-time notice given to the applicant: everything missing or wrong, at once."""

    case_id: str
    number: int  # 1 for the first notice
    lines: tuple[NoticeLine, ...]
    channels: tuple[str, ...]  # how the applicant may supply them


@attrs.frozen
class ProgressStep:
    at: str
    event: str
    zh: str
    en: str
    department: str | None
    department_zh: str | None
    department_en: str | None
    note: str | None


@attrs.frozen
class ProgressView:
    """办件进度: what the applicant sees of their case; personal numbers masked."""

    case_id: str
    matter_id: str
    matter_zh: str
    matter_en: str
    applicant_name: str
    applicant_id: str  # masked
    state: str
    state_zh: str
    state_en: str
    trips: int
    trip_budget: int
    due: str | None
    due_provisional: bool
    colour: Colour
    tasks: tuple[dict[str, Any], ...]
    owed: tuple[dict[str, Any], ...]
    steps: tuple[ProgressStep, ...]
    party: str | None = None  # the role of the party who looks (``trips`` are theirs); None: staff
    parties: tuple[dict[str, Any], ...] = ()  # every party: role, name, masked ID (own trips)
    results: tuple[dict[str, Any], ...] = ()  # each result and how it comes (channels, delivery)
    pickup_location: str | None = None  # where results wait for a window hand-over, if chosen
    pickup_zh: str | None = None
    pickup_en: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def summarise(
    case: Case, allowed: list[str], today: dt.date, calendar: WorkCalendar, budget: int, yellow_days: int
) -> CaseSummary:
    due = case.due
    done = case.state in FINISHED_CASE_STATES or case.state is CaseState.READY_FOR_PICKUP  # promise kept
    return CaseSummary(
        id=case.id,
        matter_id=case.matter_id,
        state=str(case.state),
        version=case.version,
        trips=case.trips,
        trip_budget=budget,
        due=due.due.isoformat() if due else None,
        due_provisional=bool(due and due.provisional),
        colour=supervision_colour(
            due.due if due else None, today, calendar, done=done, yellow_days=yellow_days
        ),
        tasks={code: str(t.state) for code, t in case.tasks.items()},
        owed=[m.material_id for m in case.owed()],
        allowed=allowed,
        outcome=case.outcome,
    )
