"""Front desk (综合受理窗口) actions: open, submit, one-time notice, supplement, accept or refuse.

Acceptance sets the case deadline and one deadline per item (an item starts when its
predecessors are due), then dispatches the items that wait for nothing. With owed materials it is
acceptance with deficiency (容缺受理): each owed material gets its own deadline.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ..domain.case import Actor, Applicant, Case, ItemTask, MaterialRecord, MaterialStatus, Role
from ..domain.definitions import Channel, Limit, LimitUnit, OnsiteStage
from ..errors import InvalidInput, NotAuthorised
from .base import EngineBase, require_text
from .completeness import Completeness, check_completeness
from .forms import normalise_form, validate_applicant_id

__all__ = ["FrontDesk"]


class FrontDesk(EngineBase):
    """Actions of the front desk and of the applicant before acceptance."""

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

    def submit(self, case: Case, actor: Actor, now: dt.datetime, form: Mapping[str, Any] | None,
               materials: Iterable[str], channel: str, *, over_budget_reason: str | None = None) -> None:
        """Submit form data and materials (draft → submitted)."""
        self._hand_in(case, actor, now, "submit", form, materials, channel, over_budget_reason)

    def _hand_in(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        action: Literal["submit", "supplement"],
        form: Mapping[str, Any] | None,
        materials: Iterable[str],
        channel: str,
        over_budget_reason: str | None,
    ) -> None:
        """What submitting and supplementing share: form data and materials received on a channel."""
        self.authorise(case, actor, action)
        self._case_step(case, action, actor)
        first = action == "submit"
        allowed = self.matter.intake_channels if first else self.matter.supplement_channels
        chosen = self._channel(case, channel, allowed, "intake" if first else "supplement")
        fields, received = self._receive(case, actor, now, form, list(materials), chosen)
        if first:
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
            self._visit(case, actor, now, None, action, over_budget_reason)
        if first:
            case.submitted_at = now
        self._fire(case, action, actor)
        event = "ApplicationSubmitted" if first else "MaterialsSupplemented"
        self._event(case, now, event, actor, channel=chosen.value, fields=fields, materials=received)

    def completeness(self, case: Case) -> Completeness:
        """Everything missing or wrong now: materials, required fields, acceptance conditions."""
        return check_completeness(self.plan, case)

    def give_notice(self, case: Case, actor: Actor, now: dt.datetime) -> Completeness:
        """One-time notice (一次性告知) of everything missing or wrong (submitted → awaiting)."""
        self.authorise(case, actor, "give_notice")
        self._case_step(case, "give_notice", actor)
        check = self.completeness(case)
        if check.complete:
            raise self._reject(
                case, "nothing is missing or wrong: accept the application instead", "nothing_missing"
            )
        new = [i.key for i in check.issues if i.key not in case.notified]
        repeated = case.notices > 0 and bool(new)
        case.notified.extend(new)
        case.notices += 1
        self._fire(case, "give_notice", actor)
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

    def supplement(self, case: Case, actor: Actor, now: dt.datetime, form: Mapping[str, Any] | None,
                   materials: Iterable[str], channel: str, *, over_budget_reason: str | None = None) -> None:
        """Supply what the one-time notice listed (awaiting_materials → submitted)."""
        self._hand_in(case, actor, now, "supplement", form, materials, channel, over_budget_reason)

    def accept(self, case: Case, actor: Actor, now: dt.datetime, *, owed: Sequence[str] = ()) -> None:
        """Accept (受理); with ``owed`` materials, accept with deficiency (容缺受理)."""
        action = "accept_with_deficiency" if owed else "accept"
        self.authorise(case, actor, action)
        self._case_step(case, action, actor)
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
        onsite = [i for i in self.plan.items if i.onsite is not None and i.onsite.stage is OnsiteStage.INTAKE]
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
        self._fire(case, action, actor)
        case_due = self._deadline(case, "case", case.id, today, self.matter.promise)
        finish: dict[str, dt.date] = {}
        for item in self.plan.items:
            start = max((finish[p] for p in self.matter.after(item.code)), default=today)
            finish[item.code] = self._deadline(case, "item", item.code, start, item.promised_limit).due
        self._sync_dues(case)
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
        self._fire(case, "dispatch", actor)
        self._dispatch_ready(case, now, actor)

    def accept_with_deficiency(self, case: Case, actor: Actor, now: dt.datetime, owed: Sequence[str]) -> None:
        """Accept while the waivable materials ``owed`` are still missing (容缺受理)."""
        if not owed:
            raise InvalidInput("list the waivable materials that may be owed", field="owed")
        self.accept(case, actor, now, owed=owed)

    def refuse(self, case: Case, actor: Actor, now: dt.datetime, reason: str) -> None:
        """Refuse to accept (不予受理), with the reason the applicant is told."""
        self.authorise(case, actor, "refuse")
        require_text(reason, "reason")
        self._fire(case, "refuse", actor)
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
        self.authorise(case, actor, "supply_owed")
        self._case_step(case, "supply_owed", actor)
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
