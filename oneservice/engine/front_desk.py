"""Front desk (综合受理窗口) actions: open, submit, one-time notice, supplement, accept or refuse.

Each hand-in (submit, supplement) starts the notice clock of 《行政许可法》第三十二条: the front desk
gives the one-time notice or accepts within 5 working days of receipt; past that the application
is deemed accepted from the day of receipt (视为受理, :meth:`FrontDesk.deem_accepted`, the timer), and
a late notice is refused. A second notice on one case is recorded as a breach of 一次告知.

Acceptance sets the case's promised and legal deadlines, counted from receipt, then dispatches the
items that wait for nothing (each item's own deadlines start at its dispatch). With owed materials
it is acceptance with deficiency (容缺受理): the applicant's written commitment (承诺书) is recorded,
the matter's deficiency condition checked, and each owed material gets its own deadline.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ..catalog.plan import MatterPlan
from ..domain import conditions
from ..domain.case import Actor, Applicant, Case, ItemTask, MaterialRecord, MaterialStatus, Party, Role
from ..domain.definitions import Channel, Limit, LimitUnit, OnsiteStage
from ..errors import InvalidInput, NotAuthorised, SituationError
from .base import require_text
from .completeness import Completeness, check_completeness
from .forms import normalise_form, validate_applicant_id
from .parties import check_parties
from .points import Points
from .routing import Routes
from .signatures import sign_present

__all__ = ["FrontDesk"]


class FrontDesk(Routes, Points):
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
        parties: Iterable[Party] = (),
        over_budget_reason: str | None = None,
    ) -> Case:
        """Open a case (draft) for ``applicant`` on ``channel`` at service ``location``, with the
        other ``parties`` in the roles the matter declares (:mod:`.parties`). At the window of a
        matter whose budget the intake visit exceeds (a zero-trip matter the applicant brings in
        person), ``over_budget_reason`` says why (recorded, counted in the figures)."""
        number = validate_applicant_id(applicant.kind, applicant.id_number)
        if not isinstance(applicant.name, str) or not applicant.name.strip():
            raise InvalidInput("the applicant's name is required", field="applicant.name")
        applicant = attrs.evolve(applicant, id_number=number)
        others = check_parties(self.matter, applicant, parties)
        self._check_intake_point(case_id, location, channel)
        case = Case(
            case_id,
            self.matter.id,
            self.matter.version,
            self.plan.content_hash,
            applicant,
            channel,
            location,
            now,
            applicant_role=self.matter.applicant_role.role,
            parties=others,
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
            if actor.location and actor.location != location:
                raise NotAuthorised(
                    f"agent {actor.id} is attached to the point {actor.location} and takes cases in there, "
                    f"not at {location}", case_id=case_id, actor=actor.describe())
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
        case.pickup_location = self._default_pickup(case)
        for item in self.plan.items:
            case.tasks[item.code] = ItemTask(item.code, self.department_of(case, item.code))
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
            parties=[p.role for p in others] or None,
            pickup_location=case.pickup_location if case.pickup_location != location else None,
        )
        if self._on_site(chosen):
            self._visit(case, actor, now, location, "intake", over_budget_reason, self.intake_parties(case))
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
        self._check_agent_area(case, actor, values)
        routed = self._routed(case, {**case.form, **values}) if self.plan.routes else {}
        case.form.update(values)
        plan = self._settle_situation(case, actor, now)
        self._assign(case, actor, now, routed)
        lines = {line.material.id for line in plan.materials}
        excluded = {x.material.id: x for x in plan.not_needed}
        received = []
        for mid in materials:
            if mid not in lines:
                if mid in excluded:
                    x = excluded[mid]
                    why = (
                        "an upstream item produces it"
                        if x.reason == "upstream"
                        else "it comes from shared data"
                    )
                    raise InvalidInput(
                        f"material {mid!r} is not needed from the applicant: {why}", field="materials"
                    )
                if mid in self.lines:
                    raise SituationError(
                        f"material {mid!r} is not needed in the applicant's situation (情形)",
                        field="materials", hint="the items that need it are not part of this case")
                close = difflib.get_close_matches(str(mid), list(self.lines), n=1)
                raise InvalidInput(
                    f"material {mid!r} does not belong to matter {case.matter_id}",
                    field="materials",
                    hint=f"did you mean {close[0]!r}?" if close else None,
                )
            received.append(mid)
        for mid in received:
            case.materials[mid] = MaterialRecord(mid, MaterialStatus.RECEIVED, channel.value, now)
        return sorted(values), received

    def _settle_situation(self, case: Case, actor: Actor, now: dt.datetime) -> MatterPlan:
        """Make the case's item tasks those of its situation (before acceptance only): an item
        whose condition is false is not part of the case (no task, never refused)."""
        plan = self.plan_for(case)
        wanted = [item.code for item in plan.items]
        if set(case.tasks) != set(wanted):  # (a loaded case lists its tasks in key order)
            old = dict(case.tasks)
            case.tasks.clear()
            for item in plan.items:
                case.tasks[item.code] = old.get(item.code) or ItemTask(item.code,
                                                                       self.department_of(case, item.code))
            absent = [code for code in self.matter.item_codes if code not in case.tasks]
            self._event(case, now, "SituationSettled", actor, public=False, items=wanted, absent=absent)
        return plan

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
            for x in self.plan_for(case).not_needed:
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
        signed = None
        if self._on_site(chosen):
            came = self.intake_parties(case) if first else [self.stand_in(case, case.applicant_role)]
            self._visit(case, actor, now, None, action, over_budget_reason, came)
            handed = [self.lines[mid].material for mid in received]
            signed = sign_present(case, self.matter, handed, came, actor, now,
                                  actor.location or case.location)
        if first:
            case.submitted_at = now
        case.received_at = now
        period = Limit(self.clocks(case).notice_or_accept_days, LimitUnit.WORKING_DAYS)
        notice = self._deadline(case, "notice", case.id, now.date(), period)
        self._fire(case, action, actor)
        event = "ApplicationSubmitted" if first else "MaterialsSupplemented"
        self._event(case, now, event, actor, channel=chosen.value, fields=fields, materials=received,
                    answer_by=notice.due.isoformat(), provisional=notice.provisional or None,
                    signed=[{"material": x.material_id, "role": x.role,
                             **({"agent": x.agent} if x.agent else {})} for x in signed] if signed else None)

    def _notice_period_over(self, case: Case, now: dt.datetime) -> bool:
        """Whether the 5 working days of art. 32 to notify or accept have passed (receipt to today)."""
        deadline = case.deadlines.get(("notice", case.id))
        return deadline is not None and deadline.met_at is None and deadline.due < now.date()

    def completeness(self, case: Case, today: dt.date | None = None) -> Completeness:
        """Everything missing or wrong now: materials, required fields, acceptance conditions
        (``today`` for the conditions that read the date)."""
        return check_completeness(self.plan_for(case), case, today)

    def give_notice(self, case: Case, actor: Actor, now: dt.datetime) -> Completeness:
        """One-time notice (一次性告知) of everything missing or wrong (submitted → awaiting)."""
        self.authorise(case, actor, "give_notice")
        self._case_step(case, "give_notice", actor)
        if self._notice_period_over(case, now):
            deadline = case.deadlines[("notice", case.id)]
            raise self._reject(
                case,
                f"the notice period ended on {deadline.due.isoformat()} ({deadline.amount} working days "
                f"from receipt on {deadline.start.isoformat()}, 《行政许可法》第三十二条): the application "
                "is deemed accepted from the day of receipt (视为受理); accept it, and ask for what is "
                "missing as a correction",
                "notice_period_over",
                {"due": deadline.due.isoformat(), "received": deadline.start.isoformat()},
            )
        check = self.completeness(case, now.date())
        if check.complete:
            raise self._reject(
                case, "nothing is missing or wrong: accept the application instead", "nothing_missing"
            )
        new = [i.key for i in check.issues if i.key not in case.notified]
        repeated = case.notices > 0 and bool(new)
        case.notified.extend(new)
        case.notices += 1
        self._met(case, "notice", case.id, now)
        self._fire(case, "give_notice", actor)
        if case.notices > 1:
            self._event(
                case, now, "OneTimeNoticeBreached", actor, public=False, notice=case.notices,
                new_issues=new or None,
            )
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

    def accept(self, case: Case, actor: Actor, now: dt.datetime, *, owed: Sequence[str] = (),
               commitment: str | None = None) -> None:
        """Accept (受理); with ``owed`` materials, accept with deficiency (容缺受理)."""
        action = "accept_with_deficiency" if owed else "accept"
        self.authorise(case, actor, action)
        self._case_step(case, action, actor)
        if owed:
            require_text(commitment, "commitment")
            self._check_deficiency_condition(case, now.date())
        check = self.completeness(case, now.date())
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
        onsite = [i for i in self.plan_for(case).items
                  if i.onsite is not None and i.onsite.stage is OnsiteStage.INTAKE]
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
        self._require_departments(case)
        today = now.date()
        for mid in owed:
            deadline = self._deadline(
                case, "deficiency", mid, today, Limit(self.matter.deficiency_days, LimitUnit.WORKING_DAYS)
            )
            case.materials[mid] = MaterialRecord(mid, MaterialStatus.OWED, due=deadline.due)
        case.commitment = commitment if owed else None
        late = self._notice_period_over(case, now)
        self._fire(case, action, actor)
        self._start(case, actor, now, "CaseAcceptedWithDeficiency" if owed else "CaseAccepted",
                    owed=[
                        {"material": m, "due": case.materials[m].due.isoformat()}  # type: ignore[union-attr]
                        for m in owed
                    ] or None,
                    commitment=case.commitment,
                    after_notice_period=late or None)

    def _start(self, case: Case, actor: Actor, now: dt.datetime, event: str, **data: Any) -> None:
        """What accepting and deemed acceptance share: the case's promised and legal deadlines,
        counted from the day the application was received, then the first dispatch."""
        received = (case.received_at or now).date()
        notice = case.deadlines.get(("notice", case.id))
        case.accepted_at = now
        self._met(case, "notice", case.id, now)
        case_due = self._deadline(case, "case", case.id, received, self.matter.promise)
        path = self.plan_for(case).path
        legal_limit = Limit(path.legal_total, LimitUnit(path.unit))
        legal = self._deadline(case, "case_legal", case.id, received, legal_limit)
        self._event(
            case,
            now,
            event,
            actor,
            received=received.isoformat(),
            due=case_due.due.isoformat(),
            legal_due=legal.due.isoformat(),
            provisional=case_due.provisional or legal.provisional or None,
            notice_due=notice.due.isoformat() if notice is not None else None,
            **data,
        )
        self._fire(case, "dispatch", actor)
        self._dispatch_ready(case, now, actor)

    def deem_accepted(self, case: Case, actor: Actor, now: dt.datetime) -> bool:
        """视为受理: the notice period of art. 32 has passed with neither a notice nor a decision, so the
        application is accepted from the day of receipt (the timer's step); False if it has not."""
        self.authorise(case, actor, "deem_accepted")
        if str(case.state) != "submitted" or not self._notice_period_over(case, now):
            return False
        notice = case.deadlines[("notice", case.id)]
        self._fire(case, "deem_accepted", actor)
        self._start(
            case, actor, now, "CaseDeemedAccepted",
            basis="《行政许可法》第三十二条：逾期不告知的，自收到申请材料之日起即为受理",
            notice_provisional=notice.provisional or None,
            missing=[i.key for i in self.completeness(case, now.date()).issues] or None,
        )
        return True

    def _check_deficiency_condition(self, case: Case, today: dt.date | None = None) -> None:
        """The matter's gate on acceptance with deficiency (e.g. a credit grade), if it has one."""
        condition = self.matter.deficiency.condition
        if condition is None:
            return
        outcome = conditions.evaluate(condition.expression, case.form, today=today,
                                      name=f"matter {self.matter.id}, deficiency condition")
        if not outcome.passed:
            raise self._reject(
                case,
                f"acceptance with deficiency is not open to this application: {condition.message.en} "
                f"({condition.message.zh})",
                "deficiency_condition",
                {"zh": condition.message.zh, "en": condition.message.en, "detail": outcome.error},
            )

    def accept_with_deficiency(self, case: Case, actor: Actor, now: dt.datetime, owed: Sequence[str],
                               commitment: str) -> None:
        """Accept while the waivable materials ``owed`` are still missing (容缺受理), recording the
        applicant's written ``commitment`` (承诺书) to supply them in time."""
        if not owed:
            raise InvalidInput("list the waivable materials that may be owed", field="owed")
        self.accept(case, actor, now, owed=owed, commitment=commitment)

    def refuse(self, case: Case, actor: Actor, now: dt.datetime, reason: str) -> None:
        """Refuse to accept (不予受理), with the reason the applicant is told."""
        self.authorise(case, actor, "refuse")
        require_text(reason, "reason")
        self._fire(case, "refuse", actor)
        self._met(case, "notice", case.id, now)
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
