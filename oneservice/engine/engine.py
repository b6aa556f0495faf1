"""The case engine: every action on a case, in memory, with its guards, deadlines and events.

A :class:`CaseEngine` serves every case of one definition version (one :class:`MatterPlan`) and
shares one compiled :class:`~oneservice.engine.machines.MachinePair`. Each action

1. checks the actor may perform it (:class:`~oneservice.errors.NotAuthorised`),
2. checks the state machine allows it now (:class:`~oneservice.errors.IllegalAction`, naming the
   actions allowed now),
3. checks its guards (:class:`~oneservice.errors.ActionRejected`, with a reason code),
4. changes the case and appends its events (past tense, gapless sequence).

Persistence and transactions are the service's business, not the engine's.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..catalog.plan import MatterPlan
from ..domain import conditions
from ..domain.case import (
    Actor,
    Applicant,
    Case,
    CaseState,
    Deadline,
    Event,
    ItemTask,
    MaterialRecord,
    MaterialStatus,
    Rating,
    RatingLevel,
    Rectification,
    Role,
    TaskState,
    Visit,
)
from ..domain.definitions import Channel, Item, Limit, LimitUnit, RefusalPolicy
from ..errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised
from .calendar import Due, WorkCalendar
from .forms import normalise_form, validate_applicant_id
from .machines import MachinePair

__all__ = ["CaseEngine", "Completeness", "Issue"]

CALLBACK_DAYS = 1
RECTIFY_DAYS = 15

FRONT = frozenset({Role.CLERK})
APPLICANT_SIDE = frozenset({Role.APPLICANT, Role.AGENT, Role.CLERK})


@attrs.frozen
class Issue:
    """One thing missing or wrong in an application (a line of the one-time notice)."""

    kind: str  # material | field | condition
    id: str
    message_zh: str
    message_en: str
    items: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@attrs.frozen
class Completeness:
    issues: tuple[Issue, ...]

    @property
    def complete(self) -> bool:
        return not self.issues

    def missing_materials(self) -> list[str]:
        return [i.id for i in self.issues if i.kind == "material"]


class CaseEngine:
    """All actions on the cases of one definition version."""

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

    # ------------------------------------------------------------------ helpers

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

    def _illegal(self, case: Case, action: str, target: str = "") -> IllegalAction:
        return IllegalAction(
            action, case_id=case.id, state=str(case.state), allowed=self.allowed_actions(case), target=target
        )

    def allowed_actions(self, case: Case) -> list[str]:
        """Case actions allowed now, plus ``action:item`` for the item tasks that allow them."""
        out = [
            a
            for a in self.machines.case_actions(str(case.state))
            if a not in ("dispatch", "complete", "review")
        ]
        if self.machines.case_allows(str(case.state), "review"):
            for code, task in case.tasks.items():
                out += [
                    f"{a}:{code}"
                    for a in self.machines.task_actions(str(task.state))
                    if a not in ("dispatch", "cancel")
                ]
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
        case.visits.append(
            Visit(
                trips,
                now,
                location,
                [purpose],
                over_budget_reason if trips > self.matter.trip_budget else None,
            )
        )

    def _on_site(self, channel: Channel | str) -> bool:
        return channel == Channel.WINDOW

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

    # ------------------------------------------------------------------ front desk

    def open_case(
        self,
        actor: Actor,
        case_id: str,
        applicant: Applicant,
        channel: str,
        location: str,
        now: dt.datetime,
        *,
        agent: str | None = None,
    ) -> Case:
        """Open a case (draft) for ``applicant`` on ``channel`` at service ``location``."""
        number = validate_applicant_id(applicant.kind, applicant.id_number)
        if not isinstance(applicant.name, str) or not applicant.name.strip():
            raise InvalidInput("the applicant's name is required", field="applicant.name")
        applicant = attrs.evolve(applicant, id_number=number)
        case = Case(
            case_id,
            self.matter.id,
            self.matter.version,
            self.plan.content_hash,
            applicant,
            channel,
            location,
            now,
        )
        chosen = self._channel(case, channel, self.matter.intake_channels, "intake")
        if actor.role is Role.APPLICANT:
            if actor.applicant_id != number:
                raise NotAuthorised(
                    "an applicant may open cases only for themselves", case_id=case_id, actor=actor.describe()
                )
            if chosen not in (Channel.ONLINE, Channel.MOBILE):
                raise InvalidInput(
                    "an applicant opens a case online or on mobile; at the window a clerk opens it",
                    field="channel",
                )
        elif actor.role is Role.AGENT:
            if chosen is not Channel.AGENT:
                raise InvalidInput("an agent (代办员) opens cases on the agent channel", field="channel")
            case.agent = actor.id
        elif actor.role is Role.CLERK:
            if not actor.location:
                raise NotAuthorised(
                    "a window clerk must name the service location", case_id=case_id, actor=actor.describe()
                )
            if chosen is not Channel.WINDOW:
                raise InvalidInput("a clerk opens cases on the window channel", field="channel")
        else:
            raise NotAuthorised(
                f"a {actor.role.value} may not open cases", case_id=case_id, actor=actor.describe()
            )
        case.agent = agent or case.agent
        for item in self.plan.items:
            case.tasks[item.code] = ItemTask(item.code, item.department)
        self._event(
            case,
            now,
            "CaseOpened",
            actor,
            channel=chosen.value,
            location=location,
            matter=self.matter.id,
            version=self.matter.version,
            definition_hash=self.plan.content_hash,
        )
        if self._on_site(chosen):
            self._visit(case, actor, now, location, "intake", None)
        return case

    def _receive(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        form: Mapping[str, Any] | None,
        materials: Iterable[str],
        channel: Channel,
    ) -> tuple[list[str], list[str]]:
        values = normalise_form(self.form_fields, form or {})
        received = []
        for mid in materials:
            if mid not in self.lines:
                if mid in self.excluded:
                    x = self.excluded[mid]
                    why = (
                        "an upstream item produces it"
                        if x.reason == "upstream"
                        else "it comes from shared data"
                    )
                    raise InvalidInput(
                        f"material {mid!r} is not needed from the applicant: {why}", field="materials"
                    )
                close = difflib.get_close_matches(str(mid), list(self.lines), n=1)
                raise InvalidInput(
                    f"material {mid!r} does not belong to matter {case.matter_id}",
                    field="materials",
                    hint=f"did you mean {close[0]!r}?" if close else None,
                )
            received.append(mid)
        case.form.update(values)
        for mid in received:
            case.materials[mid] = MaterialRecord(mid, MaterialStatus.RECEIVED, channel.value, now)
        return sorted(values), received

    def submit(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        form: Mapping[str, Any] | None,
        materials: Iterable[str],
        channel: str,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Submit form data and materials (draft → submitted)."""
        self.authorise(case, actor, APPLICANT_SIDE)
        self._case_step(case, "submit")
        chosen = self._channel(case, channel, self.matter.intake_channels, "intake")
        fields, received = self._receive(case, actor, now, form, list(materials), chosen)
        for x in self.plan.not_needed:
            status = MaterialStatus.SHARED if x.reason == "shared" else MaterialStatus.PENDING
            case.materials.setdefault(
                x.material.id,
                MaterialRecord(
                    x.material.id,
                    status,
                    provider=x.provider,
                    received_at=now if status is MaterialStatus.SHARED else None,
                ),
            )
        if self._on_site(chosen):
            self._visit(case, actor, now, None, "submit", over_budget_reason)
        case.submitted_at = now
        self._fire(case, "submit")
        self._event(
            case, now, "ApplicationSubmitted", actor, channel=chosen.value, fields=fields, materials=received
        )

    def completeness(self, case: Case) -> Completeness:
        """Everything missing or wrong now: materials, required fields, acceptance conditions."""
        issues: list[Issue] = []
        for line in self.plan.materials:
            record = case.materials.get(line.material.id)
            if line.required and (record is None or record.status not in (MaterialStatus.RECEIVED,)):
                if record is not None and record.status is MaterialStatus.OWED:
                    continue
                issues.append(
                    Issue(
                        "material",
                        line.material.id,
                        f"缺少材料：{line.material.name.zh}",
                        f"missing material: {line.material.name.en}",
                        line.items,
                    )
                )
        for form_line in self.plan.form:
            field = form_line.field
            if field.required and case.form.get(field.id) in (None, ""):
                issues.append(
                    Issue(
                        "field",
                        field.id,
                        f"未填写：{field.label.zh}",
                        f"not filled in: {field.label.en}",
                        form_line.items,
                    )
                )
        missing_fields = {i.id for i in issues if i.kind == "field"}
        for item in self.plan.items:
            for condition in item.conditions:
                names = conditions.compile_expression(condition.expression).identifiers
                if names & missing_fields:
                    continue
                outcome = conditions.evaluate(condition.expression, case.form)
                if not outcome.passed:
                    issues.append(
                        Issue(
                            "condition",
                            f"{item.code}/{condition.id}",
                            condition.message.zh,
                            condition.message.en,
                            (item.code,),
                        )
                    )
        return Completeness(tuple(issues))

    def give_notice(self, case: Case, actor: Actor, now: dt.datetime) -> Completeness:
        """One-time notice (一次性告知) of everything missing or wrong (submitted → awaiting)."""
        self.authorise(case, actor, FRONT)
        self._case_step(case, "give_notice")
        check = self.completeness(case)
        if check.complete:
            raise self._reject(
                case, "nothing is missing or wrong: accept the application instead", "nothing_missing"
            )
        new = [i.key for i in check.issues if i.key not in case.notified]
        repeated = case.notices > 0 and bool(new)
        case.notified.extend(new)
        case.notices += 1
        self._fire(case, "give_notice")
        self._event(
            case,
            now,
            "OneTimeNoticeGiven",
            actor,
            notice=case.notices,
            issues=[
                {"kind": i.kind, "id": i.id, "zh": i.message_zh, "en": i.message_en} for i in check.issues
            ],
            new_after_first_notice=new if repeated else None,
        )
        return check

    def supplement(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        form: Mapping[str, Any] | None,
        materials: Iterable[str],
        channel: str,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Supply what the one-time notice listed (awaiting_materials → submitted)."""
        self.authorise(case, actor, APPLICANT_SIDE)
        self._case_step(case, "supplement")
        chosen = self._channel(case, channel, self.matter.supplement_channels, "supplement")
        fields, received = self._receive(case, actor, now, form, list(materials), chosen)
        if self._on_site(chosen):
            self._visit(case, actor, now, None, "supplement", over_budget_reason)
        self._fire(case, "supplement")
        self._event(
            case, now, "MaterialsSupplemented", actor, channel=chosen.value, fields=fields, materials=received
        )

    def accept(self, case: Case, actor: Actor, now: dt.datetime, *, owed: Sequence[str] = ()) -> None:
        """Accept (受理); with ``owed`` materials, accept with deficiency (容缺受理)."""
        self.authorise(case, actor, FRONT)
        action = "accept_with_deficiency" if owed else "accept"
        self._case_step(case, action)
        check = self.completeness(case)
        missing = set(check.missing_materials())
        for mid in owed:
            line = self.lines.get(mid)
            if line is None:
                raise InvalidInput(
                    f"material {mid!r} does not belong to matter {case.matter_id}", field="owed"
                )
            if not line.waivable:
                raise self._reject(
                    case,
                    f"material {mid!r} is not waivable: it cannot be owed under deficiency acceptance (容缺)",
                    "not_waivable",
                    {"material": mid},
                )
            if mid not in missing:
                raise self._reject(
                    case, f"material {mid!r} was already received", "not_missing", {"material": mid}
                )
        onsite = [i for i in self.plan.items if i.onsite is not None and i.onsite.stage.value == "intake"]
        if onsite and not case.visits:
            item = onsite[0]
            raise self._reject(
                case,
                f"item {item.code} needs the applicant on site at intake "
                f"({item.onsite.reason.en}); record the window visit first",  # type: ignore[union-attr]
                "onsite_required",
                {"item": item.code},
            )
        remaining = [i for i in check.issues if not (i.kind == "material" and i.id in owed)]
        if remaining:
            raise self._reject(
                case,
                "the application is incomplete or fails its conditions: "
                + "; ".join(i.message_en for i in remaining)
                + " — give the one-time notice",
                "incomplete",
                [{"kind": i.kind, "id": i.id, "en": i.message_en, "zh": i.message_zh} for i in remaining],
            )
        today = now.date()
        for mid in owed:
            deadline = self._deadline(
                case, "deficiency", mid, today, Limit(self.matter.deficiency_days, LimitUnit.WORKING_DAYS)
            )
            case.materials[mid] = MaterialRecord(mid, MaterialStatus.OWED, due=deadline.due)
        case.accepted_at = now
        self._fire(case, action)
        case_due = self._deadline(case, "case", case.id, today, self.matter.promise)
        finish: dict[str, dt.date] = {}
        for item in self.plan.items:
            start = max((finish[p] for p in self.matter.after(item.code)), default=today)
            deadline = self._deadline(case, "item", item.code, start, item.promised_limit)
            finish[item.code] = deadline.due
            task = case.tasks[item.code]
            task.due, task.due_provisional = deadline.due, deadline.provisional
        self._event(
            case,
            now,
            "CaseAcceptedWithDeficiency" if owed else "CaseAccepted",
            actor,
            due=case_due.due.isoformat(),
            provisional=case_due.provisional or None,
            owed=[
                {"material": m, "due": case.materials[m].due.isoformat()}  # type: ignore[union-attr]
                for m in owed
            ]
            or None,
        )
        self._fire(case, "dispatch")
        self._dispatch_ready(case, now, actor)

    def refuse(self, case: Case, actor: Actor, now: dt.datetime, reason: str) -> None:
        """Refuse to accept (不予受理), with the reason the applicant is told."""
        self.authorise(case, actor, FRONT)
        _require_text(reason, "reason")
        self._fire(case, "refuse")
        case.refusal_reason = reason
        case.concluded_at = now
        self._event(case, now, "CaseRefused", actor, reason=reason)

    def supply_owed(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        materials: Iterable[str],
        channel: str,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Supply materials owed under deficiency acceptance."""
        self.authorise(case, actor, APPLICANT_SIDE)
        self._case_step(case, "supply_owed")
        chosen = self._channel(case, channel, self.matter.supplement_channels, "supplement")
        materials = list(materials)
        if not materials:
            raise InvalidInput("list the owed materials supplied", field="materials")
        for mid in materials:
            record = case.materials.get(mid)
            if record is None or record.status is not MaterialStatus.OWED:
                owed = [m.material_id for m in case.owed()]
                raise self._reject(
                    case,
                    f"material {mid!r} is not owed (owed now: {', '.join(owed) or 'none'})",
                    "not_owed",
                    {"material": mid},
                )
        if self._on_site(chosen):
            self._visit(case, actor, now, None, "supply owed materials", over_budget_reason)
        for mid in materials:
            record = case.materials[mid]
            record.status, record.channel, record.received_at = MaterialStatus.RECEIVED, chosen.value, now
            case.deadlines[("deficiency", mid)].met_at = now
            self._event(case, now, "OwedMaterialSupplied", actor, material=mid, channel=chosen.value)

    # ------------------------------------------------------------------ back office

    def _dispatch_ready(self, case: Case, now: dt.datetime, actor: Actor) -> None:
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

    def _review_step(self, case: Case, actor: Actor, item: str, action: str) -> ItemTask:
        self.authorise(case, actor, {Role.REVIEWER}, item)
        if not self.machines.case_allows(str(case.state), "review"):
            raise self._illegal(case, action, item)
        task = self._task(case, item)
        self._fire_task(case, task, action)
        return task

    def start_review(self, case: Case, actor: Actor, now: dt.datetime, item: str) -> None:
        task = self._review_step(case, actor, item, "start_review")
        task.started_at, task.reviewer = now, actor.id
        self._event(case, now, "ItemReviewStarted", actor, item=item, department=task.department)

    def approve(self, case: Case, actor: Actor, now: dt.datetime, item: str, note: str | None = None) -> None:
        """Approve an item: its result is recorded and passed to downstream items."""
        definition = self.items.get(item)
        if definition is not None:
            self._check_item_materials(case, item)
        task = self._review_step(case, actor, item, "approve")
        assert definition is not None
        task.concluded_at, task.result_id = now, definition.result.id
        self._met(case, "item", item, now)
        self._event(
            case,
            now,
            "ItemApproved",
            actor,
            item=item,
            department=task.department,
            result=definition.result.id,
            note=note,
        )
        for record in case.materials.values():
            if record.status is MaterialStatus.PENDING and record.provider == item:
                record.status, record.received_at = MaterialStatus.PRODUCED, now
                self._event(case, now, "ResultProduced", actor, item=item, material=record.material_id)
        self._dispatch_ready(case, now, actor)
        self._maybe_complete(case, now, actor)

    def _check_item_materials(self, case: Case, item: str) -> None:
        """An item is approved only when its upstream-produced materials have arrived."""
        for x in self.plan.not_needed:
            if item in x.items and x.reason == "upstream":
                record = case.materials.get(x.material.id)
                if record is None or record.status is not MaterialStatus.PRODUCED:
                    raise self._reject(
                        case,
                        f"item {item} still waits for {x.material.id!r} from {x.provider}",
                        "material_pending",
                        {"material": x.material.id},
                    )

    def refuse_item(self, case: Case, actor: Actor, now: dt.datetime, item: str, reason: str) -> None:
        """Refuse an item (不予许可); the matter's policy decides what happens to the others."""
        _require_text(reason, "reason")
        task = self._review_step(case, actor, item, "refuse")
        task.concluded_at, task.reason = now, reason
        self._met(case, "item", item, now)
        self._event(case, now, "ItemRefused", actor, item=item, department=task.department, reason=reason)
        if self.matter.on_item_refused is RefusalPolicy.REFUSE_MATTER:
            doomed = [c for c, t in case.tasks.items() if not t.concluded]
        else:
            doomed = [c for c, t in case.tasks.items() if not t.concluded and item in self.plan.upstream[c]]
        for code in doomed:
            other = case.tasks[code]
            self._fire_task(case, other, "cancel")
            other.concluded_at, other.reason = now, f"{item} refused"
            self._event(
                case,
                now,
                "ItemCancelled",
                actor,
                item=code,
                department=other.department,
                because=item,
                policy=self.matter.on_item_refused.value,
            )
        self._maybe_complete(case, now, actor)

    def request_correction(
        self, case: Case, actor: Actor, now: dt.datetime, item: str, materials: Sequence[str], note: str
    ) -> None:
        """Ask for a correction (补正); the item's clock stops until it is supplied."""
        _require_text(note, "note")
        unknown = [m for m in materials if m not in self.lines and m not in self.excluded]
        if unknown:
            raise InvalidInput(
                f"material {unknown[0]!r} does not belong to matter {case.matter_id}", field="materials"
            )
        task = self._review_step(case, actor, item, "request_correction")
        task.reason, task.suspended_since = note, now.date()
        self._event(
            case,
            now,
            "CorrectionRequested",
            actor,
            item=item,
            department=task.department,
            materials=list(materials),
            note=note,
            channels=sorted(c.value for c in self.matter.correction_channels),
        )

    def supply_correction(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        item: str,
        channel: str,
        materials: Sequence[str] = (),
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        self.authorise(case, actor, APPLICANT_SIDE)
        if not self.machines.case_allows(str(case.state), "review"):
            raise self._illegal(case, "supply_correction", item)
        chosen = self._channel(case, channel, self.matter.correction_channels, "correction")
        task = self._task(case, item)
        if not self.machines.task_allows(str(task.state), "supply_correction"):
            raise self._illegal(case, "supply_correction", item)
        if self._on_site(chosen):
            self._visit(case, actor, now, None, f"correction {item}", over_budget_reason)
        for mid in materials:
            if mid in self.lines:
                case.materials[mid] = MaterialRecord(mid, MaterialStatus.RECEIVED, chosen.value, now)
        self._fire_task(case, task, "supply_correction")
        days = self._stop_clock(case, task, now.date())
        self._event(
            case,
            now,
            "CorrectionSupplied",
            actor,
            item=item,
            department=task.department,
            channel=chosen.value,
            clock_stopped_days=days,
        )

    def suspend(self, case: Case, actor: Actor, now: dt.datetime, item: str, reason: str) -> None:
        """Suspend an item (中止: hearing, expert review, inspection); its clock stops."""
        _require_text(reason, "reason")
        task = self._review_step(case, actor, item, "suspend")
        task.suspended_since, task.reason = now.date(), reason
        self._event(case, now, "ItemSuspended", actor, item=item, department=task.department, reason=reason)

    def resume(self, case: Case, actor: Actor, now: dt.datetime, item: str) -> None:
        task = self._review_step(case, actor, item, "resume")
        days = self._stop_clock(case, task, now.date())
        self._event(
            case,
            now,
            "ItemResumed",
            actor,
            item=item,
            department=task.department,
            clock_stopped_days=days,
            due=task.due.isoformat() if task.due else None,
        )

    def _stop_clock(self, case: Case, task: ItemTask, today: dt.date) -> int:
        """Add the working days since ``suspended_since`` to the item's and the case's deadlines."""
        since = task.suspended_since
        task.suspended_since = None
        if since is None:
            return 0
        days = self.calendar.working_days_between(since, today)
        if days <= 0:
            return 0
        task.suspended_days += days
        for key in (("item", task.item_code), ("case", case.id)):
            deadline = case.deadlines.get(key)
            if deadline is not None:
                deadline.extra_days += days
                self.recompute(deadline)
        item_deadline = case.deadlines.get(("item", task.item_code))
        if item_deadline is not None:
            task.due, task.due_provisional = item_deadline.due, item_deadline.provisional
        return days

    def record_visit(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        item: str,
        purpose: str,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Record an unavoidable on-site visit during review (e.g. an interview)."""
        _require_text(purpose, "purpose")
        task = self._review_step(case, actor, item, "record_visit") if actor.role is Role.REVIEWER else None
        if task is None:
            self.authorise(case, actor, FRONT)
            self._case_step(case, "record_visit")
        self._visit(case, actor, now, actor.location, purpose, over_budget_reason)
        self._event(case, now, "OnsiteVisitRecorded", actor, item=item, purpose=purpose)

    def _met(self, case: Case, kind: str, subject: str, now: dt.datetime) -> None:
        deadline = case.deadlines.get((kind, subject))
        if deadline is not None and deadline.met_at is None:
            deadline.met_at = now

    def _maybe_complete(self, case: Case, now: dt.datetime, actor: Actor) -> None:
        if case.state is not CaseState.IN_PROGRESS or not all(t.concluded for t in case.tasks.values()):
            return
        approved = sum(t.state is TaskState.APPROVED for t in case.tasks.values())
        case.outcome = (
            "approved"
            if approved == len(case.tasks)
            else "refused"
            if approved == 0
            else "partially_approved"
        )
        case.concluded_at = now
        self._met(case, "case", case.id, now)
        self._fire(case, "complete")
        self._event(
            case,
            now,
            "CaseReadyForPickup",
            actor,
            outcome=case.outcome,
            results=[self.items[c].result.id for c, t in case.tasks.items() if t.state is TaskState.APPROVED],
        )

    # ------------------------------------------------------------------ single window

    def deliver(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        channel: str,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Deliver all results together: at the window, by mail or electronically."""
        self.authorise(case, actor, FRONT if channel == Channel.WINDOW else FRONT | {Role.SYSTEM})
        self._case_step(case, "deliver")
        allowed = {Channel(c) for c in self.plan.trips.delivery_channels}
        chosen = self._channel(case, channel, allowed, "delivery")
        owed = [m.material_id for m in case.owed()]
        if owed:
            raise self._reject(
                case,
                "results are issued only after the owed materials are supplied: " + ", ".join(owed),
                "materials_owed",
                {"owed": owed},
            )
        if self._on_site(chosen):
            self._visit(case, actor, now, actor.location, "pickup", over_budget_reason)
        case.delivery_channel = chosen.value
        self._fire(case, "deliver")
        self._event(case, now, "ResultsDelivered", actor, channel=chosen.value, outcome=case.outcome)

    def conclude(self, case: Case, actor: Actor, now: dt.datetime) -> None:
        self.authorise(case, actor, FRONT | {Role.SYSTEM, Role.SUPERVISOR})
        self._fire(case, "conclude")
        self._event(case, now, "CaseClosed", actor)

    # ------------------------------------------------------------------ applicant, timers

    def withdraw(self, case: Case, actor: Actor, now: dt.datetime, reason: str) -> None:
        self.authorise(case, actor, APPLICANT_SIDE)
        _require_text(reason, "reason")
        self._fire(case, "withdraw")
        self._cancel_open(case, now, actor, "withdrawn")
        case.concluded_at = now
        self._event(case, now, "CaseWithdrawn", actor, reason=reason)

    def _cancel_open(self, case: Case, now: dt.datetime, actor: Actor, why: str) -> None:
        for code, task in case.tasks.items():
            if not task.concluded:
                self.machines.fire_task(task, "cancel")
                task.state = TaskState(task.state)
                task.concluded_at, task.reason = now, why
                self._event(
                    case, now, "ItemCancelled", actor, item=code, department=task.department, because=why
                )

    def terminate_overdue(self, case: Case, actor: Actor, now: dt.datetime) -> bool:
        """Terminate the case when an owed material is past its due date; False if none is."""
        self.authorise(case, actor, {Role.SYSTEM, Role.SUPERVISOR})
        late = [m for m in case.owed() if m.due is not None and m.due < now.date()]
        if not late:
            return False
        self._fire(case, "terminate")
        self._cancel_open(case, now, actor, "terminated")
        case.concluded_at = now
        self._event(
            case,
            now,
            "CaseTerminated",
            actor,
            overdue=[
                {"material": m.material_id, "due": m.due.isoformat() if m.due else None} for m in late
            ],
        )
        return True

    def rate(self, case: Case, actor: Actor, now: dt.datetime, level: int, comment: str = "") -> None:
        """Rate the service (好差评); a bad rating opens a rectification."""
        self.authorise(case, actor, {Role.APPLICANT})
        try:
            value = RatingLevel(level)
        except ValueError:
            raise InvalidInput(
                "a rating is a level from 1 (非常不满意) to 5 (非常满意)", field="level"
            ) from None
        if not isinstance(comment, str) or len(comment) > 2000:
            raise InvalidInput("a comment is text of at most 2000 characters", field="comment")
        follow_up = bool(case.ratings)
        if follow_up:
            rect = case.rectification
            if rect is None or rect.rectified_at is None or any(r.follow_up for r in case.ratings):
                raise self._reject(
                    case,
                    "the case is already rated; a second rating follows a completed rectification only",
                    "already_rated",
                )
        self._case_step(case, "follow_up" if follow_up else "rate")
        case.ratings.append(Rating(value, comment, now, follow_up))
        self._event(
            case,
            now,
            "FollowUpRated" if follow_up else "CaseRated",
            actor,
            level=int(value),
            label=value.zh,
            comment=comment or None,
        )
        if value.bad and not follow_up:
            today = now.date()
            callback = self._deadline(case, "callback", case.id, today, Limit(CALLBACK_DAYS))
            rectify = self._deadline(case, "rectification", case.id, today, Limit(RECTIFY_DAYS))
            case.rectification = Rectification(now, callback.due, rectify.due)
            self._event(
                case,
                now,
                "RectificationOpened",
                actor,
                callback_due=callback.due.isoformat(),
                rectify_due=rectify.due.isoformat(),
            )

    def record_callback(self, case: Case, actor: Actor, now: dt.datetime, note: str) -> None:
        self.authorise(case, actor, {Role.SUPERVISOR})
        rect = self._open_rectification(case, "record_callback")
        if rect.called_back_at is not None:
            raise self._reject(case, "the callback is already recorded", "already_done")
        _require_text(note, "note")
        rect.called_back_at, rect.note = now, note
        self._met(case, "callback", case.id, now)
        self._event(case, now, "CallbackMade", actor, public=False, note=note)

    def record_rectified(self, case: Case, actor: Actor, now: dt.datetime, note: str) -> None:
        self.authorise(case, actor, {Role.SUPERVISOR})
        rect = self._open_rectification(case, "record_rectified")
        if rect.called_back_at is None:
            raise self._reject(case, "record the callback (回访) first", "callback_missing")
        _require_text(note, "note")
        rect.rectified_at, rect.note = now, note
        self._met(case, "rectification", case.id, now)
        self._event(case, now, "RectificationCompleted", actor, note=note)

    def _open_rectification(self, case: Case, action: str) -> Rectification:
        rect = case.rectification
        if rect is None or rect.rectified_at is not None:
            raise IllegalAction(
                action,
                case_id=case.id,
                state=str(case.state),
                allowed=self.allowed_actions(case),
                target="rectification",
            )
        return rect


def _require_text(value: Any, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("is required (non-empty text)", field=field)
    if len(value) > 2000:
        raise InvalidInput("is longer than 2000 characters", field=field)
