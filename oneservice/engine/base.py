"""What every action of the case engine shares: events, errors, authorisation, trips and deadlines.

:class:`EngineBase` holds one definition version (its plan, compiled machines and calendar) and
the helpers the action mixins build on (:mod:`.front_desk`, :mod:`.back_office`, :mod:`.window`):

- appending events (:meth:`EngineBase._event`) and stepping the case and item machines,
- building the errors of a refused action (illegal, rejected by a guard, not authorised),
- checking the actor (:meth:`EngineBase.authorise`) and the channel,
- counting trips (:meth:`EngineBase._visit`),
- setting, recomputing and meeting deadlines; stopping and restarting an item's clock,
- dispatching the item tasks whose predecessors are approved (after acceptance and each approval):
  an item's promised and legal deadlines start when it is dispatched (环节时限).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..catalog.plan import MatterPlan
from ..domain import situations
from ..domain.actions import ACTIONS, ITEM_ACTION_CASE_STATES, READS, ActionSpec, ReadSpec, Target
from ..domain.case import (
    CASE_CLOCK_KINDS,
    ITEM_CLOCK_KINDS,
    Actor,
    Case,
    Deadline,
    DeadlineKind,
    Event,
    ItemTask,
    Rating,
    Role,
    Visit,
)
from ..domain.definitions import Channel, Item, Limit, LimitUnit, Location, ResultRelease
from ..domain.law import Clocks
from ..domain.policy import POLICY, Policy
from ..domain.regions import Regions
from ..domain.states import CaseState, TaskState
from ..errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised, PartyError
from .calendar import Due, WorkCalendar
from .checks import due_on, extension_offered, require_days, require_text
from .machines import MACHINES

__all__ = ["OFFERED", "EngineBase", "due_on", "require_days", "require_text"]

OFFERED: tuple[ActionSpec, ...] = tuple(
    spec for spec in ACTIONS.values()
    if not spec.internal and spec.listed and spec.case is not None and spec.case.sources
)
"""The actions a user may be offered on an existing case, in declaration order."""

_OFFERED_IN: dict[str, tuple[ActionSpec, ...]] = {
    state: tuple(spec for spec in OFFERED if spec.case_allows(state)) for state in CaseState
}
"""The offered actions whose case states include each state."""

_OFFERED_TO: dict[tuple[str, Role], tuple[ActionSpec, ...]] = {
    (state, role): tuple(
        spec
        for spec in specs
        if role in spec.roles
        and (role is not Role.REVIEWER or spec.target is Target.ITEM or spec.department_case)
    )
    for state, specs in _OFFERED_IN.items()
    for role in Role
}
"""…and of those, the ones each role may perform (a reviewer acts on items only)."""


_PARTY_ACTIONS = frozenset({"rate", "sign"})
"""What a party other than the applicant may do on a case, besides reading it."""

_REPORTED = frozenset({"record_licence", "record_receipt", "record_reference"})


class EngineBase:
    """The definition version an engine serves, and the helpers shared by its actions."""

    def __init__(
        self,
        plan: MatterPlan,
        calendar: WorkCalendar,
        department_names: Mapping[str, Any] | None = None,
        policies: Mapping[str, Policy] | None = None,
        policy: Policy = POLICY,
        *,
        locations: Mapping[str, Location] | None = None,
        regions: Regions | None = None,
    ) -> None:
        self.plan = plan
        self.locations = dict(locations or {})  # the registry's service locations (none: not checked)
        self.regions = regions or Regions()
        self.policies = dict(policies or {})  # service location → its policy
        self.default_policy = policy
        self.matter = plan.matter
        self.machines = MACHINES
        self.calendar = calendar
        self.items: dict[str, Item] = {i.code: i for i in plan.items}
        self.lines = {line.material.id: line for line in plan.materials}
        self.signers = {mid: line.material.signed_by for mid, line in self.lines.items()
                        if line.material.signed_by}  # material → the roles that sign it
        self.excluded = {x.material.id: x for x in plan.not_needed}
        self.form_fields = [line.field for line in plan.form]
        self.department_names = department_names or {}

    def plan_for(self, case: Case) -> MatterPlan:
        """The plan of the case's situation (情形): its items, materials, form and trips."""
        return self.plan.for_answers({situations.APPLICANT_KIND: case.applicant.kind, **case.form})

    def fee_of(self, item: str) -> Decimal:
        """The fee ``item`` charges, in yuan (0: free; an amount that is not a number: free)."""
        definition = self.items.get(item)
        if definition is None:
            return Decimal(0)
        try:
            return Decimal(definition.fee.amount)
        except InvalidOperation:
            return Decimal(0)

    def unpaid_fees(self, case: Case, items: Iterable[str]) -> list[str]:
        """Those of ``items`` that charge a fee not yet confirmed paid (缴费后出件)."""
        return [code for code in items if code not in case.fees and self.fee_of(code) > 0]

    def policy(self, case: Case) -> Policy:
        """The policy of the case's service location (its region's override, or the registry's)."""
        return self.policies.get(case.location, self.default_policy)

    def clocks(self, case: Case) -> Clocks:
        """The periods the case's deadlines follow."""
        return self.policy(case).clocks

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

    def allowed_actions(self, case: Case, actor: Actor | None = None) -> list[str]:
        """The actions allowed now, for ``actor`` when given (else for anyone): case actions by
        name, item actions as ``action:item`` for each item task that allows them."""
        state = case.state
        if actor is None:
            specs, department = _OFFERED_IN[state], None
        else:
            if self._scope_refusal(case, actor) is not None:
                return []  # not the applicant's, not the agent's, or a clerk of no location
            specs = _OFFERED_TO[(state, actor.role)]
            if actor.role is Role.APPLICANT and case.role_of(actor.applicant_id) != case.applicant_role:
                specs = tuple(spec for spec in specs if spec.name in _PARTY_ACTIONS)
            department = actor.department if actor.role is Role.REVIEWER else None
        reviewing = state in ITEM_ACTION_CASE_STATES
        out = []
        for spec in specs:
            if not self._available(case, spec, actor):
                continue
            if spec.target is Target.CASE:
                if department is None or department in {t.department for t in case.tasks.values()}:
                    out.append(spec.name)  # a reviewer: only on a case their department serves
                continue
            # an item action whose task step some roles do not take (a clerk's record_visit): offered
            # to them by its bare name, the item is named in the call and its state does not matter
            steps_task = actor is None or self._task_step_applies(spec, actor)
            if spec.task_roles is not None and (actor is None or not steps_task):
                out.append(spec.name)
            if not reviewing or not steps_task or spec.task is None:
                continue
            sources = spec.task.sources
            for code, task in case.tasks.items():
                if (task.state in sources and (department is None or task.department == department)
                        and extension_offered(case, spec.name, code)):
                    out.append(f"{spec.name}:{code}")
        return out

    def _available(self, case: Case, spec: ActionSpec, actor: Actor | None = None) -> bool:
        """Whatever besides the states decides whether an action can be offered (the rectification)."""
        rect = case.rectification
        if spec.name == "supply_owed":
            return bool(case.owed())
        if spec.name == "sign":  # a received material still waits for a party's signature
            return bool(case.unsigned(self.signers))
        if spec.name in _REPORTED:
            return False  # what another system reports is not a choice offered to anyone
        if spec.name == "choose_pickup":  # a window hand-over, and another point that may do it
            return Channel.WINDOW in self.matter.pickup_channels and any(
                loc.level in self.matter.pickup_levels and loc.id != case.pickup_location
                for loc in self.locations.values())
        if spec.name == "confirm_fee":
            return bool(self.unpaid_fees(case, (c for c, t in case.tasks.items()
                                                if t.state not in (TaskState.REFUSED, TaskState.CANCELLED))))
        if spec.name == "appeal_rating":
            return any(r.bad and r.appeal is None for r in case.ratings)
        if spec.name == "decide_appeal":
            return any(r.appeal is not None and r.appeal.decision is None for r in case.ratings)
        if spec.name == "release_results":
            return self.matter.release is ResultRelease.AS_READY and any(
                r.item in case.tasks and case.tasks[r.item].state is TaskState.APPROVED
                and case.delivered(r.result.id) is None
                for r in self.plan_for(case).trips.results
            )
        if spec.name == "extend_case":
            legal = case.deadlines.get(("case_legal", case.id))
            return len(self.plan_for(case).departments) > 1 and legal is not None and not legal.extension_days
        if spec.name == "rate":  # once per party, and once more after a completed rectification
            mine = self.ratings_of(case, self.rating_party(case, actor))
            if not mine:
                return True
            follow_up_open = rect is not None and rect.rectified_at is not None
            return follow_up_open and not any(r.follow_up for r in mine)
        if spec.name == "record_callback":
            return rect is not None and rect.called_back_at is None
        if spec.name == "record_rectified":
            return rect is not None and rect.called_back_at is not None and rect.rectified_at is None
        return True

    @staticmethod
    def rating_party(case: Case, actor: Actor | None) -> str:
        """The role of the party who rates: an applicant's own, the applicant's for anyone else
        (an agent rates on the applicant's behalf)."""
        if actor is not None and actor.role is Role.APPLICANT:
            return case.role_of(actor.applicant_id) or case.applicant_role
        return case.applicant_role

    @staticmethod
    def ratings_of(case: Case, role: str) -> list[Rating]:
        """The ratings the party in ``role`` gave (ratings before parties were recorded: the applicant's)."""
        return [r for r in case.ratings if (r.party or case.applicant_role) == role]

    @staticmethod
    def _task_step_applies(spec: ActionSpec, actor: Actor) -> bool:
        return spec.task is not None and (spec.task_roles is None or actor.role in spec.task_roles)

    def _case_step(self, case: Case, action: str, actor: Actor | None = None) -> None:
        if not ACTIONS[action].case_allows(str(case.state)):
            raise self._illegal(case, action, actor=actor)

    def _fire(self, case: Case, action: str, actor: Actor | None = None) -> None:
        self._case_step(case, action, actor)
        self.machines.fire_case(case, action)

    def _item_step(self, case: Case, actor: Actor, item: str, action: str, *, fire: bool = True) -> ItemTask:
        """Authorise ``actor`` for ``action`` on ``item`` and check the case and task states allow it;
        with ``fire``, take the task's step."""
        spec = ACTIONS[action]
        self.authorise(case, actor, action, item)
        task = self._task(case, item)
        if not self._task_step_applies(spec, actor):
            self._case_step(case, action, actor)
            return task
        if str(case.state) not in ITEM_ACTION_CASE_STATES or not spec.case_allows(str(case.state)):
            raise self._illegal(case, action, item, actor)
        if not spec.task_allows(str(task.state)):
            raise self._illegal(case, action, item, actor)
        if fire:
            self._step_task(task, action)
        return task

    def _step_task(self, task: ItemTask, action: str) -> None:
        """Take the task step of ``action``, already checked by :meth:`_item_step`."""
        move = ACTIONS[action].task
        if move is not None and move.dest is not None:
            self.machines.fire_task(task, action)
            if task.concluded:
                task.extension_request = None  # a decided item has no limit left to extend

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
        """Take an internal step of an item task (dispatch, cancel)."""
        if not ACTIONS[action].task_allows(str(task.state)):
            raise IllegalAction(
                action,
                case_id=case.id,
                state=f"{case.state}; item {task.item_code} {task.state}",
                allowed=self.allowed_actions(case),
                target=task.item_code,
            )
        self.machines.fire_task(task, action)
        if task.concluded:
            task.extension_request = None  # a cancelled item: its request goes with it

    def _dispatch_ready(self, case: Case, now: dt.datetime, actor: Actor) -> None:
        """Dispatch every waiting item whose predecessors are all approved."""
        plan = self.plan_for(case)
        for item in plan.items:
            task = case.tasks.get(item.code)
            if task is None or task.state is not TaskState.WAITING:
                continue
            preds = [case.tasks[p] for p in plan.matter.after(item.code) if p in case.tasks]
            if all(p.state is TaskState.APPROVED for p in preds):
                self._fire_task(case, task, "dispatch")
                task.dispatched_at = now
                today = now.date()
                self._deadline(case, "item", item.code, today, item.promised_limit)
                self._deadline(case, "item_legal", item.code, today, item.legal_limit)
                self._sync_dues(case)
                self._event(
                    case,
                    now,
                    "ItemDispatched",
                    actor,
                    item=item.code,
                    department=task.department,
                    due=task.due.isoformat() if task.due else None,
                    legal_due=case.deadlines[("item_legal", item.code)].due.isoformat(),
                    provisional=task.due_provisional or None,
                )

    # ------------------------------------------------------------------ errors, authorisation

    def _illegal(
        self, case: Case, action: str, target: str = "", actor: Actor | None = None
    ) -> IllegalAction:
        return IllegalAction(
            action,
            case_id=case.id,
            state=str(case.state),
            allowed=self.allowed_actions(case, actor),
            target=target,
        )

    def _reject(self, case: Case, message: str, reason: str, details: Any = None) -> ActionRejected:
        return ActionRejected(message, case_id=case.id, state=str(case.state), reason=reason, details=details)

    def _deny(self, case: Case, actor: Actor, message: str) -> NotAuthorised:
        return NotAuthorised(message, case_id=case.id, state=str(case.state), actor=actor.describe())

    def authorise(self, case: Case, actor: Actor, action: str, item: str | None = None) -> None:
        """Raise :class:`NotAuthorised` unless ``actor`` may perform ``action`` on ``case`` (and
        ``item``); ``action`` may also name a read (:data:`~oneservice.domain.actions.READS`).

        Who may perform an action is declared with it (:attr:`ActionSpec.roles`); an applicant acts
        on their own cases, an agent on the cases they run, a reviewer on their department's items,
        a clerk from a named service location.
        """
        reason = self._refusal(case, actor, ACTIONS.get(action) or READS[action], item)
        if reason is not None:
            raise self._deny(case, actor, reason)

    def _refusal(
        self, case: Case, actor: Actor, spec: ActionSpec | ReadSpec, item: str | None = None
    ) -> str | None:
        """Why ``actor`` may not perform ``spec`` on ``case`` (``None``: they may)."""
        if actor.role not in spec.roles:
            allowed = ", ".join(sorted(r.value for r in spec.roles))
            article = "an" if actor.role.value[0] in "aeiou" else "a"
            return f"{article} {actor.role.value} may not do this (allowed: {allowed})"
        scope = self._scope_refusal(case, actor)
        if scope is not None:
            return scope
        if (actor.role is Role.APPLICANT and isinstance(spec, ActionSpec) and spec.name not in _PARTY_ACTIONS
                and case.role_of(actor.applicant_id) != case.applicant_role):
            return (f"the {case.role_of(actor.applicant_id)} of this case may see it and rate it; "
                    "the applicant acts on it")
        if actor.role is Role.REVIEWER:
            if item is None and (isinstance(spec, ReadSpec) or spec.department_case):
                if actor.department not in {t.department for t in case.tasks.values()}:
                    return f"department {actor.department} has no item in this case"
                return None
            if item is None:
                return "a reviewer acts on items only"
            department = self._task(case, item).department
            if actor.department != department:
                return f"item {item} belongs to department {department}, not {actor.department}"
        if actor.role is Role.SYSTEM and actor.department and item is not None:  # a department's system
            department = self._task(case, item).department
            if actor.department != department:
                return f"item {item} belongs to department {department}, not {actor.department}'s system"
        return None

    @staticmethod
    def _scope_refusal(case: Case, actor: Actor) -> str | None:
        """Why ``actor`` may not act on ``case`` at all, whatever the action (``None``: they may)."""
        if actor.role is Role.APPLICANT and case.role_of(actor.applicant_id) is None:
            return "an applicant may act only on their own cases"
        if actor.role is Role.AGENT and case.agent != actor.id:
            return "this agent is not the case's agent (代办员)"
        if actor.role is Role.CLERK and not actor.location:
            return "a window clerk must name the service location"
        return None

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
        parties: Iterable[str] | None = None,
    ) -> None:
        """Record an on-site step of ``parties`` (roles; default: the applicant); steps on the same
        day at the same location are one visit. The budget holds for each party."""
        location = location or actor.location or case.location
        came = list(dict.fromkeys(parties or [case.applicant_role]))
        last = case.visits[-1] if case.visits else None
        merged = last is not None and last.location == location and last.at.date() == now.date()
        new = [r for r in came if last is None or not merged or r not in case.visitors(last)]
        budget = self.matter.trip_budget
        over = [(role, case.trips_of(role) + 1) for role in new if case.trips_of(role) + 1 > budget]
        for role, trips in over:
            named = role if case.parties else None  # a case of one party: no party to name
            whose = f" of the {role}" if named else ""
            if not over_budget_reason:
                raise self._reject(
                    case,
                    f"this on-site step would be trip {trips}{whose}, over the matter's budget of "
                    f"{budget}; use a no-trip channel or give over_budget_reason",
                    "trip_budget",
                    {"trips": trips, "budget": budget, **({"party": named} if named else {})},
                )
            case.over_budget = True
            self._event(case, now, "TripBudgetExceeded", actor, public=False, trips=trips, budget=budget,
                        reason=over_budget_reason, purpose=purpose, party=named)
        if merged and last is not None:
            last.purposes.append(purpose)
            if new:
                last.parties = case.visitors(last) + new
                if over and last.over_budget_reason is None:
                    last.over_budget_reason = over_budget_reason
            return
        reason = over_budget_reason if over else None
        case.visits.append(Visit(len(case.visits) + 1, now, location, [purpose], reason, came))

    @staticmethod
    def check_visitors(case: Case, parties: Any) -> list[str]:
        """``parties`` as the roles of parties of ``case`` who came (PartyError otherwise)."""
        roles = [case.applicant_role, *(p.role for p in case.parties)]
        if isinstance(parties, str) or not isinstance(parties, (list, tuple)) or not parties:
            raise InvalidInput("list the roles of the parties who came", field="parties",
                               hint="roles: " + ", ".join(roles))
        for n, role in enumerate(parties):
            if role not in roles:
                raise PartyError(f"{role!r} is not a party of this case", field=f"parties[{n}]",
                                 hint="roles: " + ", ".join(roles))
        return list(dict.fromkeys(parties))

    def intake_parties(self, case: Case) -> list[str]:
        """Who comes to an intake visit at the window: the applicant and every party of the case
        whose role is ``present_at_intake`` — or, for a party with an agent in the case, the agent
        (委托代理人) in their place."""
        present = {r.role for r in self.matter.parties if r.present_at_intake}
        came = [case.applicant_role, *(p.role for p in case.parties if p.role in present)]
        return [self.stand_in(case, role) for role in came]

    def stand_in(self, case: Case, role: str) -> str:
        """Who comes or signs for the party in ``role``: their agent if the case has one, else they."""
        agents = self.matter.agent_roles(role)
        return next((p.role for p in case.parties if p.role in agents), role)

    def _on_site(self, channel: Channel | str) -> bool:
        return channel == Channel.WINDOW

    # ------------------------------------------------------------------ deadlines

    def _due(self, start: dt.date, limit: Limit) -> Due:
        if limit.unit is LimitUnit.CALENDAR_DAYS:
            return self.calendar.add_calendar_days(start, limit.value)
        return self.calendar.add_working_days(start, limit.value)

    def _deadline(
        self, case: Case, kind: DeadlineKind, subject: str, start: dt.date, limit: Limit
    ) -> Deadline:
        due = self._due(start, limit)
        deadline = Deadline(kind, subject, start, limit.value, limit.unit.value, 0, due.date, due.provisional)
        deadline.yellow_days = self.policy(case).yellow_days(kind, limit.value)
        self._yellow_from(deadline)
        case.deadlines[(kind, subject)] = deadline
        return deadline

    def _yellow_from(self, deadline: Deadline) -> None:
        """The first yellow day of a deadline under its frozen rule: ``yellow_days`` working days
        before its due date (the due date itself for 0)."""
        if deadline.yellow_days is None:
            deadline.yellow_from = None
            return
        day, left = deadline.due, deadline.yellow_days
        while left > 0 and day > deadline.start:
            day -= dt.timedelta(days=1)
            if self.calendar.is_workday(day):
                left -= 1
        deadline.yellow_from = max(day, deadline.start)

    def recompute(self, deadline: Deadline) -> bool:
        """Recompute a deadline on the current calendar; True when its due date or flag changed."""
        due = due_on(self.calendar, deadline)
        changed = (due.date, due.provisional) != (deadline.due, deadline.provisional)
        deadline.due, deadline.provisional = due.date, due.provisional
        self._yellow_from(deadline)
        return changed

    def recompute_deadlines(self, case: Case, actor: Actor, now: dt.datetime) -> bool:
        """Recompute every unmet deadline of ``case`` on the current calendar (new calendar data
        arrived); the moves are one ``DeadlinesRecomputed`` event. True if any moved. A met
        deadline is history: it keeps the date it was met against (and its provisional flag)."""
        moved = []
        for deadline in case.deadlines.values():
            if deadline.met_at is None:
                before = deadline.due
                if self.recompute(deadline):
                    moved.append(
                        {
                            "kind": deadline.kind,
                            "subject": deadline.subject,
                            "from": before.isoformat(),
                            "to": deadline.due.isoformat(),
                            "provisional": deadline.provisional,
                        }
                    )
        self._sync_dues(case)
        if moved:
            self._event(case, now, "DeadlinesRecomputed", actor, deadlines=moved)
        return bool(moved)

    def _sync_dues(self, case: Case) -> None:
        """Copy each item's and each owed material's deadline onto the task and the material record
        (the worklists read them there): the one place these copies are kept equal."""
        for code, task in case.tasks.items():
            item_deadline = case.deadlines.get(("item", code))
            if item_deadline is not None:
                task.due, task.due_provisional = item_deadline.due, item_deadline.provisional
        for record in case.owed():
            owed_deadline = case.deadlines.get(("deficiency", record.material_id))
            if owed_deadline is not None:
                record.due, record.due_provisional = owed_deadline.due, owed_deadline.provisional

    def _stop_clock(self, case: Case, task: ItemTask, now: dt.datetime, kind: str) -> int:
        """Restart an item's stopped clock: the working days since it stopped are added to the
        item's promised and legal deadlines and to the case's (``kind``: what stopped it, counted
        in the task's suspended or correction days); the stop's own deadline is met."""
        since, today = task.suspended_since, now.date()
        task.suspended_since = None
        stop = case.deadlines.get((kind, task.item_code))
        if stop is not None and stop.met_at is None:
            stop.met_at = now
        if since is None:
            return 0
        days = self.calendar.working_days_between(since, today)
        if days <= 0:
            return 0
        if kind == "suspension":
            task.suspended_days += days
        else:
            task.correction_days += days
        shifted = [case.deadlines.get((k, task.item_code)) for k in ITEM_CLOCK_KINDS]
        shifted += [case.deadlines.get((k, case.id)) for k in CASE_CLOCK_KINDS]
        for deadline in shifted:
            if deadline is not None and deadline.met_at is None:
                deadline.extra_days += days
                self.recompute(deadline)
        self._sync_dues(case)
        return days

    def _met(self, case: Case, kind: DeadlineKind, subject: str, now: dt.datetime) -> None:
        deadline = case.deadlines.get((kind, subject))
        if deadline is not None and deadline.met_at is None:
            deadline.met_at = now
