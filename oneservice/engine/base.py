"""What every action of the case engine shares: events, errors, authorisation, trips and deadlines.

:class:`EngineBase` holds one definition version (its plan, compiled machines and calendar) and
the helpers the action mixins build on (:mod:`.front_desk`, :mod:`.back_office`, :mod:`.window`):

- appending events (:meth:`EngineBase._event`) and stepping the case and item machines,
- building the errors of a refused action (illegal, rejected by a guard, not authorised),
- checking the actor (:meth:`EngineBase.authorise`) and the channel,
- counting trips (:meth:`EngineBase._visit`),
- setting, recomputing and meeting deadlines,
- dispatching the item tasks whose predecessors are approved (after acceptance and each approval).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ..catalog.plan import MatterPlan
from ..domain.case import Actor, Case, CaseState, Deadline, Event, ItemTask, Role, TaskState, Visit
from ..domain.definitions import Channel, Item, Limit, LimitUnit
from ..errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised
from .calendar import Due, WorkCalendar
from .machines import MachinePair

__all__ = ["APPLICANT_SIDE", "FRONT", "EngineBase", "require_text"]

FRONT = frozenset({Role.CLERK})
APPLICANT_SIDE = frozenset({Role.APPLICANT, Role.AGENT, Role.CLERK})


def require_text(value: Any, field: str) -> None:
    """Raise :class:`InvalidInput` unless ``value`` is non-empty text of at most 2000 characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("is required (non-empty text)", field=field)
    if len(value) > 2000:
        raise InvalidInput("is longer than 2000 characters", field=field)


class EngineBase:
    """The definition version an engine serves, and the helpers shared by its actions."""

    def __init__(
        self,
        plan: MatterPlan,
        machines: MachinePair,
        calendar: WorkCalendar,
        department_names: Mapping[str, Any] | None = None,
    ) -> None:
        self.plan = plan
        self.matter = plan.matter
        self.machines = machines
        self.calendar = calendar
        self.items: dict[str, Item] = {i.code: i for i in plan.items}
        self.lines = {line.material.id: line for line in plan.materials}
        self.excluded = {x.material.id: x for x in plan.not_needed}
        self.form_fields = [line.field for line in plan.form]
        self.department_names = department_names or {}

    # ------------------------------------------------------------------ events and machines

    def _event(
        self, case: Case, now: dt.datetime, type_: str, actor: Actor, *, public: bool = True, **data: Any
    ) -> Event:
        event = Event(
            case.event_count + len(case.new_events) + 1,
            now,
            type_,
            actor.describe(),
            {k: v for k, v in data.items() if v is not None},
            str(case.state),
            public,
        )
        case.new_events.append(event)
        return event

    def allowed_actions(self, case: Case) -> list[str]:
        """Case actions allowed now, plus ``action:item`` for the item tasks that allow them."""
        machines = self.machines
        state = str(case.state)
        out = [a for a in machines.case_actions(state) if a not in ("dispatch", "complete", "review")]
        if machines.case_allows(state, "review"):
            for code, task in case.tasks.items():
                out += [f"{a}:{code}" for a in machines.task_actions_offered(str(task.state))]
        return out

    def _case_step(self, case: Case, action: str) -> None:
        if not self.machines.case_allows(str(case.state), action):
            raise self._illegal(case, action)

    def _fire(self, case: Case, action: str) -> None:
        self._case_step(case, action)
        self.machines.fire_case(case, action)
        case.state = CaseState(case.state)

    def _task(self, case: Case, code: str) -> ItemTask:
        task = case.tasks.get(code)
        if task is None:
            close = difflib.get_close_matches(code, list(case.tasks), n=1)
            raise InvalidInput(
                f"{code!r} is not an item of matter {case.matter_id}",
                field="item",
                hint=f"did you mean {close[0]!r}?" if close else None,
            )
        return task

    def _fire_task(self, case: Case, task: ItemTask, action: str) -> None:
        if not self.machines.task_allows(str(task.state), action):
            raise IllegalAction(
                action,
                case_id=case.id,
                state=f"{case.state}; item {task.item_code} {task.state}",
                allowed=self.allowed_actions(case),
                target=task.item_code,
            )
        self.machines.fire_task(task, action)
        task.state = TaskState(task.state)

    def _dispatch_ready(self, case: Case, now: dt.datetime, actor: Actor) -> None:
        """Dispatch every waiting item whose predecessors are all approved."""
        for item in self.plan.items:
            task = case.tasks[item.code]
            if task.state is not TaskState.WAITING:
                continue
            preds = [case.tasks[p] for p in self.matter.after(item.code)]
            if all(p.state is TaskState.APPROVED for p in preds):
                self._fire_task(case, task, "dispatch")
                task.dispatched_at = now
                self._event(
                    case,
                    now,
                    "ItemDispatched",
                    actor,
                    item=item.code,
                    department=item.department,
                    due=task.due.isoformat() if task.due else None,
                )

    # ------------------------------------------------------------------ errors, authorisation

    def _illegal(self, case: Case, action: str, target: str = "") -> IllegalAction:
        return IllegalAction(
            action, case_id=case.id, state=str(case.state), allowed=self.allowed_actions(case), target=target
        )

    def _reject(self, case: Case, message: str, reason: str, details: Any = None) -> ActionRejected:
        return ActionRejected(message, case_id=case.id, state=str(case.state), reason=reason, details=details)

    def _deny(self, case: Case, actor: Actor, message: str) -> NotAuthorised:
        return NotAuthorised(message, case_id=case.id, state=str(case.state), actor=actor.describe())

    def authorise(self, case: Case, actor: Actor, roles: Iterable[Role], item: str | None = None) -> None:
        """Raise :class:`NotAuthorised` unless ``actor`` may act on ``case`` (and ``item``)."""
        roles = frozenset(roles)
        if actor.role not in roles:
            raise self._deny(
                case,
                actor,
                f"a {actor.role.value} may not do this (allowed: "
                f"{', '.join(sorted(r.value for r in roles))})",
            )
        if actor.role is Role.APPLICANT and actor.applicant_id != case.applicant.id_number:
            raise self._deny(case, actor, "an applicant may act only on their own cases")
        if actor.role is Role.AGENT and case.agent != actor.id:
            raise self._deny(case, actor, "this agent is not the case's agent (代办员)")
        if actor.role is Role.REVIEWER:
            if item is None:
                raise self._deny(case, actor, "a reviewer acts on items only")
            department = self._task(case, item).department
            if actor.department != department:
                raise self._deny(
                    case, actor, f"item {item} belongs to department {department}, not {actor.department}"
                )
        if actor.role is Role.CLERK and not actor.location:
            raise self._deny(case, actor, "a window clerk must name the service location")

    # ------------------------------------------------------------------ channels and trips

    def _channel(self, case: Case, channel: str, allowed: Iterable[Channel], what: str) -> Channel:
        allowed = frozenset(allowed)
        try:
            value = Channel(channel)
        except ValueError:
            value = None
        if value is None or value not in allowed:
            raise InvalidInput(
                f"{channel!r} is not a channel allowed for {what} in matter {case.matter_id}",
                field="channel",
                hint="allowed: " + ", ".join(sorted(c.value for c in allowed)),
            )
        return value

    def _visit(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        location: str | None,
        purpose: str,
        over_budget_reason: str | None,
    ) -> None:
        """Record an on-site step; steps on the same day at the same location are one visit."""
        location = location or actor.location or case.location
        last = case.visits[-1] if case.visits else None
        if last is not None and last.location == location and last.at.date() == now.date():
            last.purposes.append(purpose)
            return
        trips = case.trips + 1
        if trips > self.matter.trip_budget:
            if not over_budget_reason:
                raise self._reject(
                    case,
                    f"this on-site step would be trip {trips}, over the matter's budget of "
                    f"{self.matter.trip_budget}; use a no-trip channel or give over_budget_reason",
                    "trip_budget",
                    {"trips": trips, "budget": self.matter.trip_budget},
                )
            case.over_budget = True
            self._event(
                case,
                now,
                "TripBudgetExceeded",
                actor,
                public=False,
                trips=trips,
                budget=self.matter.trip_budget,
                reason=over_budget_reason,
                purpose=purpose,
            )
        reason = over_budget_reason if trips > self.matter.trip_budget else None
        case.visits.append(Visit(trips, now, location, [purpose], reason))

    def _on_site(self, channel: Channel | str) -> bool:
        return channel == Channel.WINDOW

    # ------------------------------------------------------------------ deadlines

    def _due(self, start: dt.date, limit: Limit) -> Due:
        if limit.unit is LimitUnit.CALENDAR_DAYS:
            return self.calendar.add_calendar_days(start, limit.value)
        return self.calendar.add_working_days(start, limit.value)

    def _deadline(self, case: Case, kind: str, subject: str, start: dt.date, limit: Limit) -> Deadline:
        due = self._due(start, limit)
        deadline = Deadline(kind, subject, start, limit.value, limit.unit.value, 0, due.date, due.provisional)
        case.deadlines[(kind, subject)] = deadline
        return deadline

    def recompute(self, deadline: Deadline) -> bool:
        """Recompute a deadline on the current calendar; True when its due date or flag changed."""
        unit = LimitUnit(deadline.unit)
        base = self._due(deadline.start, Limit(deadline.amount, unit))
        due = self.calendar.add_working_days(base.date, deadline.extra_days) if deadline.extra_days else base
        provisional = base.provisional or due.provisional
        changed = (due.date, provisional) != (deadline.due, deadline.provisional)
        deadline.due, deadline.provisional = due.date, provisional
        return changed

    def _met(self, case: Case, kind: str, subject: str, now: dt.datetime) -> None:
        deadline = case.deadlines.get((kind, subject))
        if deadline is not None and deadline.met_at is None:
            deadline.met_at = now
