"""Back office (后台审批) actions on the item tasks of an accepted case.

Reviewers of each department start, approve or refuse their items, ask for a correction (补正) or
suspend an item (中止, on a ground of 《行政许可法》第四十五条); both stop the item's clock, each with an
expected duration (its own deadline, warned when passed) capped by the item's ``stops`` or the law's
defaults, and the stopped working days are added to the item's and the case's promised and legal
deadlines. Items downstream are not dispatched yet, so their clocks have not started. A supervisor
may extend an item's legal limit once (延期, art. 42 ¶1: at most 10 working days, the reason told
to the applicant), directly or by approving a reviewer's request (延期申请: one pending per item,
approved or rejected with a reason). Approving an item starts its issuing deadline (art. 44) and
dispatches the items waiting for it; when every item is concluded the case is ready for pickup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..domain.case import (
    Actor,
    Case,
    CaseState,
    ExtensionRequest,
    ItemTask,
    MaterialRecord,
    MaterialStatus,
    TaskState,
)
from ..domain.definitions import Limit, LimitUnit, OnsiteStage, RefusalPolicy, SuspensionBasis
from ..errors import InvalidInput
from .base import EngineBase, require_days, require_text

__all__ = ["BackOffice"]


class BackOffice(EngineBase):
    """Actions of the departments' reviewers, and the applicant's corrections."""

    def start_review(self, case: Case, actor: Actor, now: dt.datetime, item: str) -> None:
        task = self._item_step(case, actor, item, "start_review")
        task.started_at, task.reviewer = now, actor.id
        self._event(case, now, "ItemReviewStarted", actor, item=item, department=task.department)

    def approve(self, case: Case, actor: Actor, now: dt.datetime, item: str, note: str | None = None) -> None:
        """Approve an item: its result is recorded and passed to downstream items."""
        task = self._item_step(case, actor, item, "approve", fire=False)  # who and when first, then the guard
        self._check_item_materials(case, item)
        self._step_task(task, "approve")
        definition = self.items[item]
        task.concluded_at, task.result_id = now, definition.result.id
        self._met(case, "item", item, now)
        self._met(case, "item_legal", item, now)
        issuing = self._deadline(
            case, "issuing", item, now.date(), Limit(self.clocks(case).issuing_days, LimitUnit.WORKING_DAYS)
        )
        self._event(
            case,
            now,
            "ItemApproved",
            actor,
            item=item,
            department=task.department,
            result=definition.result.id,
            note=note,
            issue_by=issuing.due.isoformat(),
        )
        for record in case.materials.values():
            if record.status is MaterialStatus.PENDING and record.provider == item:
                record.status, record.received_at = MaterialStatus.PRODUCED, now
                self._event(case, now, "ResultProduced", actor, item=item, material=record.material_id)
        self._dispatch_ready(case, now, actor)
        self._maybe_complete(case, now, actor)

    def _check_item_materials(self, case: Case, item: str) -> None:
        """An item is approved only when its upstream-produced materials have arrived."""
        for x in self.plan_for(case).not_needed:
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
        require_text(reason, "reason")
        task = self._item_step(case, actor, item, "refuse_item")
        task.concluded_at, task.reason = now, reason
        self._met(case, "item", item, now)
        self._met(case, "item_legal", item, now)
        self._event(case, now, "ItemRefused", actor, item=item, department=task.department, reason=reason)
        if self.matter.on_item_refused is RefusalPolicy.REFUSE_MATTER:
            doomed = [c for c, t in case.tasks.items() if not t.concluded]
        else:
            upstream = self.plan_for(case).upstream
            doomed = [c for c, t in case.tasks.items()
                      if not t.concluded and item in upstream.get(c, frozenset())]
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
        self, case: Case, actor: Actor, now: dt.datetime, item: str, materials: Sequence[str], note: str,
        days: int | None = None,
    ) -> None:
        """Ask for a correction (补正) within ``days`` working days; the item's clock stops until it
        is supplied."""
        require_text(note, "note")
        task = self._item_step(case, actor, item, "request_correction", fire=False)
        unknown = [m for m in materials if m not in self.lines and m not in self.excluded]
        if unknown:
            raise InvalidInput(
                f"material {unknown[0]!r} does not belong to matter {case.matter_id}", field="materials"
            )
        cap = self.items[item].stops.correction or self.clocks(case).correction_cap_days
        period = require_days(
            min(self.clocks(case).correction_days, cap) if days is None else days, "days", cap,
            what=f"the correction period item {item} allows",
        )
        self._step_task(task, "request_correction")
        task.reason, task.suspended_since = note, now.date()
        stop = self._deadline(case, "correction", item, now.date(), Limit(period, LimitUnit.WORKING_DAYS))
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
            supply_by=stop.due.isoformat(),
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
        task = self._item_step(case, actor, item, "supply_correction", fire=False)
        chosen = self._channel(case, channel, self.matter.correction_channels, "correction")
        if self._on_site(chosen):
            self._visit(case, actor, now, None, f"correction {item}", over_budget_reason)
        for mid in materials:
            if mid in self.lines:
                case.materials[mid] = MaterialRecord(mid, MaterialStatus.RECEIVED, chosen.value, now)
        self._step_task(task, "supply_correction")
        days = self._stop_clock(case, task, now, "correction")
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

    def suspend(self, case: Case, actor: Actor, now: dt.datetime, item: str, reason: str, basis: str,
                expected_days: int | None = None) -> None:
        """Suspend an item (中止) on a ground of 《行政许可法》第四十五条 (a hearing, an expert review, an
        inspection …) expected to take ``expected_days``; its clock stops."""
        require_text(reason, "reason")
        task = self._item_step(case, actor, item, "suspend", fire=False)
        try:
            ground = SuspensionBasis(basis)
        except ValueError:
            raise InvalidInput(
                f"{basis!r} is not a ground of suspension of 《行政许可法》第四十五条", field="basis",
                hint="one of: " + ", ".join(b.value for b in SuspensionBasis),
            ) from None
        cap = self.items[item].stops.suspension or self.clocks(case).suspension_cap_days
        expected = require_days(cap if expected_days is None else expected_days, "expected_days", cap,
                                what=f"the longest suspension item {item} allows")
        self._step_task(task, "suspend")
        task.suspended_since, task.reason = now.date(), reason
        stop = self._deadline(case, "suspension", item, now.date(), Limit(expected, LimitUnit.WORKING_DAYS))
        self._event(
            case, now, "ItemSuspended", actor, item=item, department=task.department, reason=reason,
            basis=ground.value, basis_zh=ground.label.zh, basis_en=ground.label.en,
            expected_days=expected, expected_end=stop.due.isoformat(),
        )

    def resume(self, case: Case, actor: Actor, now: dt.datetime, item: str) -> None:
        task = self._item_step(case, actor, item, "resume")
        days = self._stop_clock(case, task, now, "suspension")
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

    def extend_item(self, case: Case, actor: Actor, now: dt.datetime, item: str, days: int,
                    reason: str) -> None:
        """延期: extend an item's legal limit once, by at most the law's 10 working days (art. 42 ¶1),
        with the approval of the supervisor calling this; the applicant is told the reason. An item
        with a reviewer's request pending is decided by :meth:`decide_extension` instead."""
        self._extension_checked(case, actor, item, "extend_item", days, reason)
        pending = case.tasks[item].extension_request
        if pending is not None:
            raise self._reject(
                case,
                f"item {item} has an extension request of {pending.days} working days from {pending.by} "
                "pending: approve or reject it (decide_extension)",
                "extension_pending",
                {"item": item, "request": pending.seq, "days": pending.days},
            )
        self._extend(case, actor, now, item, days, reason)

    def request_extension(self, case: Case, actor: Actor, now: dt.datetime, item: str, days: int,
                          reason: str) -> None:
        """延期申请: a reviewer of the item's department asks a supervisor to extend its legal limit
        by ``days`` (at most the law's 10); one request pending per item."""
        task = self._extension_checked(case, actor, item, "request_extension", days, reason)
        pending = task.extension_request
        if pending is not None:
            raise self._reject(
                case,
                f"item {item} already has an extension request of {pending.days} working days pending "
                f"(from {pending.by}); a supervisor decides it first",
                "extension_pending",
                {"item": item, "request": pending.seq, "days": pending.days},
            )
        event = self._event(case, now, "ExtensionRequested", actor, public=False, item=item,
                            department=task.department, days=days, reason=reason,
                            legal_due=case.deadlines[("item_legal", item)].due.isoformat())
        task.extension_request = ExtensionRequest(event.seq, now, actor.describe(), days, reason)

    def decide_extension(self, case: Case, actor: Actor, now: dt.datetime, item: str, decision: str,
                         note: str | None = None) -> None:
        """A supervisor approves the pending extension request of ``item`` (its legal limit is
        extended by the days asked, as :meth:`extend_item` does) or rejects it with ``note``."""
        task = self._item_step(case, actor, item, "decide_extension")
        if decision not in ("approved", "rejected"):
            raise InvalidInput(f"{decision!r} is not a decision on an extension request", field="decision",
                               hint="approved or rejected")
        if decision == "rejected" and not (isinstance(note, str) and note.strip()):
            raise InvalidInput("is required to reject an extension request: the reasons the reviewer is told",
                               field="note")
        if note:
            require_text(note, "note")  # at most 2000 characters
        request = task.extension_request
        if request is None:
            raise self._reject(case, f"item {item} has no extension request to decide",
                               "no_extension_request", {"item": item})
        reference = {"request": request.seq, "requested_by": request.by,
                     "requested_at": request.at.isoformat()}
        if decision == "approved":
            self._extension_checked(case, actor, item, "decide_extension", request.days, request.reason)
            self._extend(case, actor, now, item, request.days, request.reason, note=note or None, **reference)
        else:
            self._event(case, now, "ExtensionRejected", actor, public=False, item=item,
                        department=task.department, days=request.days, note=note, **reference)
        task.extension_request = None

    def _extension_checked(self, case: Case, actor: Actor, item: str, action: str, days: int,
                           reason: str) -> ItemTask:
        """The checks every extension of an item's legal limit passes (asked, granted or approved):
        the reason, at most the law's days, the actor and states, a running limit not extended yet."""
        require_text(reason, "reason")
        most = self.clocks(case).extension_days
        require_days(days, "days", most,
                     what="《行政许可法》第四十二条 allows one extension of 10 working days")
        task = self._item_step(case, actor, item, action)
        deadline = case.deadlines.get(("item_legal", item))
        if deadline is None or deadline.met_at is not None:
            raise self._reject(case, f"item {item} has no running legal limit to extend", "no_running_limit",
                               {"item": item})
        if deadline.extension_days:
            raise self._reject(
                case,
                f"item {item}'s legal limit was already extended by {deadline.extension_days} working days; "
                "the law allows one extension",
                "already_extended",
                {"item": item, "days": deadline.extension_days},
            )
        return task

    def _extend(self, case: Case, actor: Actor, now: dt.datetime, item: str, days: int, reason: str,
                **approval: Any) -> None:
        """Extend the running legal limit of ``item`` by ``days`` (checked): one ItemTimeLimitExtended
        event, naming the request it approves if any (``approval``)."""
        deadline = case.deadlines[("item_legal", item)]
        before = deadline.due
        deadline.extension_days = days
        self.recompute(deadline)
        self._event(
            case, now, "ItemTimeLimitExtended", actor, item=item, department=case.tasks[item].department,
            days=days, reason=reason, legal_due_before=before.isoformat(), legal_due=deadline.due.isoformat(),
            basis="《行政许可法》第四十二条第一款", **approval,
        )

    def extend_case(self, case: Case, actor: Actor, now: dt.datetime, days: int, reason: str) -> None:
        """Extend the legal limit of a case several departments handle (联合办理) once, by at most the
        law's 15 working days (art. 42 ¶2), with the approval of the supervisor calling this."""
        self.authorise(case, actor, "extend_case")
        self._case_step(case, "extend_case", actor)
        require_text(reason, "reason")
        most = self.clocks(case).joint_extension_days
        require_days(days, "days", most,
                     what="《行政许可法》第四十二条第二款 allows one extension of 15 working days")
        if len(self.plan_for(case).departments) < 2:
            raise self._reject(
                case,
                f"matter {self.matter.id} is handled by one department: extend its item instead "
                "(第四十二条第一款)",
                "not_joint_handling",
            )
        deadline = case.deadlines[("case_legal", case.id)]
        if deadline.extension_days:
            raise self._reject(
                case,
                f"the case's legal limit was already extended by {deadline.extension_days} working days; "
                "the law allows one extension",
                "already_extended",
                {"days": deadline.extension_days},
            )
        before = deadline.due
        deadline.extension_days = days
        self.recompute(deadline)
        self._event(
            case, now, "CaseTimeLimitExtended", actor, days=days, reason=reason,
            legal_due_before=before.isoformat(), legal_due=deadline.due.isoformat(),
            basis="《行政许可法》第四十二条第二款",
        )

    def record_visit(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        item: str,
        purpose: str,
        *,
        over_budget_reason: str | None = None,
        parties: Sequence[str] | None = None,
    ) -> None:
        """Record an unavoidable on-site visit during review (e.g. an interview) of ``parties``
        (roles; default: the applicant, and for an intake step every party present at intake)."""
        require_text(purpose, "purpose")
        self._item_step(case, actor, item, "record_visit")
        if parties is not None:
            came = self.check_visitors(case, parties)
        else:
            onsite = self.items[item].onsite
            at_intake = onsite is not None and onsite.stage is OnsiteStage.INTAKE  # every party present then
            came = self.intake_parties(case) if at_intake else [case.applicant_role]
        self._visit(case, actor, now, actor.location, purpose, over_budget_reason, came)
        self._event(case, now, "OnsiteVisitRecorded", actor, item=item, purpose=purpose,
                    parties=came if case.parties else None)

    def record_staff_visit(self, case: Case, actor: Actor, now: dt.datetime, item: str, purpose: str,
                           address: str | None = None) -> None:
        """上门核查: staff went to the applicant for ``item``; recorded as the staff's visit, never
        as a trip of the applicant (the trip count and budget are the applicant's)."""
        require_text(purpose, "purpose")
        if address is not None:
            require_text(address, "address")
        self._item_step(case, actor, item, "record_staff_visit")
        self._event(case, now, "StaffVisitRecorded", actor, item=item, department=case.tasks[item].department,
                    purpose=purpose)
        if address:
            self._event(case, now, "StaffVisitAddress", actor, public=False, item=item, address=address)

    def _maybe_complete(self, case: Case, now: dt.datetime, actor: Actor) -> None:
        if case.state is not CaseState.IN_PROGRESS or not all(t.concluded for t in case.tasks.values()):
            return
        approved = sum(t.state is TaskState.APPROVED for t in case.tasks.values())
        refused = any(t.state is TaskState.REFUSED for t in case.tasks.values())
        if approved == len(case.tasks):
            case.outcome = "approved"
        elif approved == 0 or (refused and self.matter.on_item_refused is RefusalPolicy.REFUSE_MATTER):
            case.outcome = "refused"  # under refuse_matter one refusal refuses the matter
        else:
            case.outcome = "partially_approved"
        case.concluded_at = now
        received = case.received_at or case.accepted_at or now
        case.duration_days = self.calendar.working_days_between(received.date(), now.date())
        self._met(case, "case", case.id, now)
        self._met(case, "case_legal", case.id, now)
        self._fire(case, "complete", actor)
        self._event(
            case,
            now,
            "CaseReadyForPickup",
            actor,
            outcome=case.outcome,
            results=[self.items[c].result.id for c, t in case.tasks.items() if t.state is TaskState.APPROVED],
        )
