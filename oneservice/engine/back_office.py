"""Back office (后台审批) actions on the item tasks of an accepted case.

Reviewers of each department start, approve or refuse their items, ask for a correction (补正) or
suspend an item (中止); both stop the item's clock, and the stopped working days are added to the
item's and the case's deadlines. Approving an item dispatches the items waiting for it; when every
item is concluded the case is ready for pickup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..domain.case import Actor, Case, CaseState, ItemTask, MaterialRecord, MaterialStatus, TaskState
from ..domain.definitions import RefusalPolicy
from ..errors import InvalidInput
from .base import EngineBase, require_text

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
        require_text(reason, "reason")
        task = self._item_step(case, actor, item, "refuse_item")
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
        require_text(note, "note")
        task = self._item_step(case, actor, item, "request_correction", fire=False)
        unknown = [m for m in materials if m not in self.lines and m not in self.excluded]
        if unknown:
            raise InvalidInput(
                f"material {unknown[0]!r} does not belong to matter {case.matter_id}", field="materials"
            )
        self._step_task(task, "request_correction")
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
        task = self._item_step(case, actor, item, "supply_correction", fire=False)
        chosen = self._channel(case, channel, self.matter.correction_channels, "correction")
        if self._on_site(chosen):
            self._visit(case, actor, now, None, f"correction {item}", over_budget_reason)
        for mid in materials:
            if mid in self.lines:
                case.materials[mid] = MaterialRecord(mid, MaterialStatus.RECEIVED, chosen.value, now)
        self._step_task(task, "supply_correction")
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
        require_text(reason, "reason")
        task = self._item_step(case, actor, item, "suspend")
        task.suspended_since, task.reason = now.date(), reason
        self._event(case, now, "ItemSuspended", actor, item=item, department=task.department, reason=reason)

    def resume(self, case: Case, actor: Actor, now: dt.datetime, item: str) -> None:
        task = self._item_step(case, actor, item, "resume")
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
        self._sync_dues(case)
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
        require_text(purpose, "purpose")
        self._item_step(case, actor, item, "record_visit")
        self._visit(case, actor, now, actor.location, purpose, over_budget_reason)
        self._event(case, now, "OnsiteVisitRecorded", actor, item=item, purpose=purpose)

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
        self._met(case, "case", case.id, now)
        self._fire(case, "complete", actor)
        self._event(
            case,
            now,
            "CaseReadyForPickup",
            actor,
            outcome=case.outcome,
            results=[self.items[c].result.id for c, t in case.tasks.items() if t.state is TaskState.APPROVED],
        )
