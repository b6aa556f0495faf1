"""Every action on a case, declared once: its states, its target, who may do it, its payload, its words.

One :class:`ActionSpec` per action is the single source of

- the state machines (:mod:`oneservice.engine.machines` builds them from :data:`ACTIONS`),
- who may perform it (the engine's authorisation reads :attr:`ActionSpec.roles`),
- the allowed-actions list shown to a user, per actor (:meth:`ActionSpec.offered_to`),
- the typed methods of :class:`~oneservice.OneService` (their payload is :attr:`ActionSpec.params`),
- the HTTP endpoints and their OpenAPI text (:attr:`ActionSpec.path`, :attr:`ActionSpec.summary`),
- the action table of the docs (``docs/actions.md``, generated and checked by a test).

The *rules* of an action (its guards, deadlines and events) are the engine method of the same name.
Steps the engine takes by itself (dispatching an item, completing the case, cancelling an item)
are declared here too, as internal steps: they move states but nobody asks for them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs

from .case import Role
from .definitions import Text
from .reads import READS, ReadSpec
from .states import CaseState, TaskState

__all__ = [
    "ACTIONS",
    "ITEM_ACTION_CASE_STATES",
    "MATERIAL_CASE_STATES",
    "READS",
    "ActionSpec",
    "Move",
    "Param",
    "ParamKind",
    "ReadSpec",
    "Target",
    "action",
]

C, T = CaseState, TaskState


class Target(enum.StrEnum):
    """What an action acts on."""

    CASE = "case"
    ITEM = "item"  # one item task of the case, named by its item code


class ParamKind(enum.StrEnum):
    """The kind of a payload value: what the HTTP body, the docs and the fingerprint make of it."""

    FORM = "form"  # unified form data: field id → value (optional)
    MATERIALS = "materials"  # material ids (optional list)
    MATERIALS_REQUIRED = "materials_required"  # material ids, at least one
    CHANNEL = "channel"  # window, online, mobile, mail, agent, electronic
    OVER_BUDGET = "over_budget"  # why an on-site step beyond the trip budget is unavoidable (optional)
    REASON = "reason"  # required text
    NOTE = "note"  # optional text
    LEVEL = "level"  # rating level 1 … 5
    COMMENT = "comment"  # optional text, "" by default
    CHANNEL_OPTIONAL = "channel_optional"  # a channel, or none (each result's own rule decides)
    DELIVERIES = "deliveries"  # result id → {channel, tracking}: how each result is handed over
    TRACKING = "tracking"  # optional text: the postal tracking reference of what goes by mail
    DAYS = "days"  # optional whole number of working days
    DAYS_REQUIRED = "days_required"  # a whole number of working days, at least 1
    BASIS = "basis"  # why an item is suspended: a reason of 《行政许可法》第四十五条
    COMMITMENT = "commitment"  # required text: the applicant's written commitment (承诺书)
    ABOUT = "about"  # what a rating is about: {kind: department|window|staff, id} (optional)
    RATING_NO = "rating_no"  # which rating of the case (1 = the first; optional: the latest 差评)
    DECISION = "decision"  # a supervisor's decision on an appeal: upheld or rejected
    EXTENSION_DECISION = "extension_decision"  # a supervisor's decision on an extension request:
    # approved or rejected
    AMOUNT = "amount"  # a sum of money in yuan, as decimal text ("80", "80.00")
    REFERENCE = "reference"  # an identifier another system gave (payment, licence, its own case number)
    RESULT = "result"  # the id of one of the matter's results
    MATERIAL = "material"  # the id of one of the matter's materials
    FILE = "file"  # an uploaded file as stored: {sha256, size, content_type, name} (never its bytes)
    LICENCE_REF = "licence_ref"  # an electronic licence: {number, issuer}
    FILES = "files"  # the files a purge removes: [{material, sha256}]
    PARTIES = "parties"  # party roles of the case (optional list): who came on a visit
    ROLE = "role"  # one party role of the case
    ROLE_OPTIONAL = "role_optional"  # one party role of the case, or none
    LOCATION = "location"  # a service location of the registry


AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$"
"""A sum in yuan (:attr:`ParamKind.AMOUNT`): whole yuan, or yuan and jiao/fen (``80``, ``80.00``)."""
REFERENCE_PATTERN = r"^[^\s/\x00][^/\x00]{0,99}$"
"""An external reference a callback may name in its path: 1–100 characters, no slash (``AMR-2026-0012``)."""


@attrs.frozen
class Param:
    """One value of an action's payload, named as the service method and the engine method name it."""

    name: str
    kind: ParamKind
    description: str = ""

    @property
    def fingerprinted(self) -> bool:
        """Whether the value is part of what an idempotency key stands for."""
        return self.kind is not ParamKind.OVER_BUDGET


@attrs.frozen
class Move:
    """A state change: from any of ``sources`` to ``dest`` (``None``: the state stays)."""

    sources: frozenset[str]
    dest: str | None = None

    @classmethod
    def of(cls, sources: Iterable[str], dest: str | None = None) -> Move:
        return cls(frozenset(sources), dest)


ITEM_ACTION_CASE_STATES = frozenset({C.IN_PROGRESS})
"""The case states in which the back office acts on item tasks."""

MATERIAL_CASE_STATES = frozenset(
    {C.DRAFT, C.SUBMITTED, C.AWAITING_MATERIALS, C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP}
)
"""The case states that take materials (a hand-in, a correction, an owed material, a file)."""

_REVIEW = Move.of(ITEM_ACTION_CASE_STATES)
_FRONT = frozenset({Role.CLERK})
_APPLICANT_SIDE = frozenset({Role.APPLICANT, Role.AGENT, Role.CLERK})
_REVIEWER = frozenset({Role.REVIEWER})
_RATED = (C.DELIVERED, C.CLOSED, C.REFUSED, C.TERMINATED, C.WITHDRAWN)

_OPEN_OR_APPROVED = Move.of(
    [T.WAITING, T.READY, T.IN_REVIEW, T.CORRECTION_REQUESTED, T.SUSPENDED, T.APPROVED]
)
_EXTENSIBLE_CASE = Move.of([C.IN_PROGRESS])
_EXTENSIBLE = Move.of([T.READY, T.IN_REVIEW, T.CORRECTION_REQUESTED, T.SUSPENDED])
"""The item states whose legal limit runs: extended (延期), or an extension asked for and decided."""
_NO_TASK_STEP: frozenset[Role] = frozenset()  # the task's state is checked by the rule; it does not move

_CHANNEL = Param("channel", ParamKind.CHANNEL)
_OVER_BUDGET = Param("over_budget_reason", ParamKind.OVER_BUDGET)
_HAND_IN = (  # what submitting and supplementing take
    Param("form", ParamKind.FORM, "unified form (一表申请): field id → value"),
    Param("materials", ParamKind.MATERIALS, "ids of the materials handed in"),
    _CHANNEL,
    _OVER_BUDGET,
)


@attrs.frozen
class ActionSpec:
    """One action: name, target, state changes, roles, payload, words, HTTP path."""

    name: str
    target: Target
    roles: frozenset[Role]
    label: Text
    summary: str  # one line, English: the HTTP summary and the docs
    case: Move | None = None  # the case machine's step (item actions: the case states they need)
    task: Move | None = None  # the item task machine's step
    task_roles: frozenset[Role] | None = None  # the roles whose call takes the task step (None: all)
    params: tuple[Param, ...] = ()
    path: str | None = None  # under /cases/<case_id>/ (item actions: items/<item>/…); None: no endpoint
    internal: bool = False  # a step the engine takes by itself: never offered, never asked for
    department_case: bool = False  # a reviewer may take it on a case their department has an item in
    listed: bool = True  # in the allowed-actions lists (False: taken at an endpoint of its own, e.g. files)

    @property
    def fingerprinted(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.fingerprinted)

    def case_allows(self, state: str) -> bool:
        """Whether the case state allows this action (item actions: the case states they need)."""
        return self.case is not None and state in self.case.sources

    def task_allows(self, state: str) -> bool:
        """Whether an item task in ``state`` allows this action."""
        return self.task is not None and state in self.task.sources

    def payload(self, values: Mapping[str, object]) -> object:
        """What an idempotency key stands for besides action, case and actor: None, a value or a list."""
        taken = [values.get(p.name) for p in self.fingerprinted]
        if not taken:
            return None
        return taken[0] if len(taken) == 1 else taken


def _declare(*specs: ActionSpec) -> dict[str, ActionSpec]:
    table: dict[str, ActionSpec] = {}
    for spec in specs:
        if spec.name in table:
            raise ValueError(f"action {spec.name!r} is declared twice")
        table[spec.name] = spec
    return table


ACTIONS: Mapping[str, ActionSpec] = _declare(
    # ---------------------------------------------------------------- front desk
    ActionSpec(
        "open_case", Target.CASE, frozenset({Role.APPLICANT, Role.AGENT, Role.CLERK}),
        Text("申请", "Open a case"), "Open a case of a matter for an applicant (draft)",
        case=Move.of((), C.DRAFT),
    ),
    ActionSpec(
        "submit", Target.CASE, _APPLICANT_SIDE,
        Text("提交申请", "Submit"), "Submit form data and materials (draft → submitted)",
        case=Move.of([C.DRAFT], C.SUBMITTED), params=_HAND_IN, path="submit",
    ),
    ActionSpec(
        "give_notice", Target.CASE, _FRONT,
        Text("一次性告知", "Give the one-time notice"),
        "Give the one-time notice (一次性告知) of everything missing",
        case=Move.of([C.SUBMITTED], C.AWAITING_MATERIALS), path="notice",
    ),
    ActionSpec(
        "supplement", Target.CASE, _APPLICANT_SIDE,
        Text("补齐材料", "Supplement"), "Supply what the one-time notice listed",
        case=Move.of([C.AWAITING_MATERIALS], C.SUBMITTED), params=_HAND_IN, path="supplement",
    ),
    ActionSpec(
        "sign", Target.CASE, _APPLICANT_SIDE,
        Text("签字", "Sign"),
        "A party signs the materials they sign (签字): online by themselves, or before a clerk at the window",
        case=Move.of([C.SUBMITTED, C.AWAITING_MATERIALS]),
        params=(Param("role", ParamKind.ROLE, "the party role whose signature it is"),
                Param("materials", ParamKind.MATERIALS,
                      "the materials signed (optional; default: every received one the role still signs)"),
                _CHANNEL,
                Param("signer", ParamKind.ROLE_OPTIONAL,
                      "the role of their agent (委托代理人) who signs on their behalf (optional)"),
                _OVER_BUDGET),
        path="signatures",
    ),
    ActionSpec(
        "choose_pickup", Target.CASE, _APPLICANT_SIDE,
        Text("选择取件点", "Choose the pickup point"),
        "The applicant chooses the service point whose window hands the results out (就近取件); by "
        "default they return to the intake point",
        case=Move.of([C.DRAFT, C.SUBMITTED, C.AWAITING_MATERIALS, C.ACCEPTED, C.IN_PROGRESS,
                      C.READY_FOR_PICKUP]),
        params=(Param("location", ParamKind.LOCATION, "the service location whose window hands the "
                                                      "results out"),),
        path="pickup-point",
    ),
    ActionSpec(
        "accept", Target.CASE, _FRONT,
        Text("受理", "Accept"), "Accept the application (受理); deadlines are frozen now",
        case=Move.of([C.SUBMITTED], C.ACCEPTED), path="accept",
    ),
    ActionSpec(
        "accept_with_deficiency", Target.CASE, _FRONT,
        Text("容缺受理", "Accept with deficiency"), "Accept while waivable materials are owed (容缺受理)",
        case=Move.of([C.SUBMITTED], C.ACCEPTED),
        params=(Param("owed", ParamKind.MATERIALS_REQUIRED,
                      "waivable materials that may be supplied later (容缺)"),
                Param("commitment", ParamKind.COMMITMENT,
                      "the applicant's written commitment (承诺书) to supply them in time: its text or "
                      "the reference of the signed copy")),
        path="accept-with-deficiency",
    ),
    ActionSpec(
        "refuse", Target.CASE, _FRONT,
        Text("不予受理", "Refuse"), "Refuse to accept the application (不予受理)",
        case=Move.of([C.SUBMITTED, C.AWAITING_MATERIALS], C.REFUSED),
        params=(Param("reason", ParamKind.REASON, "why"),), path="refuse",
    ),
    ActionSpec(
        "supply_owed", Target.CASE, _APPLICANT_SIDE,
        Text("补交容缺材料", "Supply owed materials"), "Supply materials owed under deficiency acceptance",
        case=Move.of([C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP]),
        params=(Param("materials", ParamKind.MATERIALS_REQUIRED, "the owed materials supplied"),
                _CHANNEL, _OVER_BUDGET),
        path="owed-materials",
    ),
    # ---------------------------------------------------------------- back office
    ActionSpec(
        "start_review", Target.ITEM, _REVIEWER,
        Text("开始审查", "Start review"), "Start the back-office review of an item",
        case=_REVIEW, task=Move.of([T.READY], T.IN_REVIEW), path="start-review",
    ),
    ActionSpec(
        "approve", Target.ITEM, _REVIEWER,
        Text("准予许可", "Approve"), "Approve an item; its result goes downstream",
        case=_REVIEW, task=Move.of([T.IN_REVIEW], T.APPROVED),
        params=(Param("note", ParamKind.NOTE),), path="approve",
    ),
    ActionSpec(
        "refuse_item", Target.ITEM, _REVIEWER,
        Text("不予许可", "Refuse the item"), "Refuse an item (the matter's policy decides the rest)",
        case=_REVIEW, task=Move.of([T.READY, T.IN_REVIEW], T.REFUSED),
        params=(Param("reason", ParamKind.REASON, "why"),), path="refuse",
    ),
    ActionSpec(
        "request_correction", Target.ITEM, _REVIEWER,
        Text("要求补正", "Request a correction"), "Request a correction (补正); the item's clock stops",
        case=_REVIEW, task=Move.of([T.IN_REVIEW], T.CORRECTION_REQUESTED),
        params=(Param("materials", ParamKind.MATERIALS, "materials to be corrected"),
                Param("note", ParamKind.REASON, "what to correct (补正)"),
                Param("days", ParamKind.DAYS, "working days the applicant has to supply it (default 10, "
                                              "at most the item's stops.correction or 30)")),
        path="corrections",
    ),
    ActionSpec(
        "supply_correction", Target.ITEM, _APPLICANT_SIDE,
        Text("提交补正", "Supply the correction"),
        "Supply the requested correction; the item's clock restarts",
        case=_REVIEW, task=Move.of([T.CORRECTION_REQUESTED], T.IN_REVIEW),
        params=(_CHANNEL, Param("materials", ParamKind.MATERIALS), _OVER_BUDGET),
        path="corrections/supply",
    ),
    ActionSpec(
        "suspend", Target.ITEM, _REVIEWER,
        Text("中止办理", "Suspend"), "Suspend an item (中止, 《行政许可法》第四十五条); its clock stops",
        case=_REVIEW, task=Move.of([T.IN_REVIEW], T.SUSPENDED),
        params=(Param("reason", ParamKind.REASON, "why, as the applicant is told"),
                Param("basis", ParamKind.BASIS, "the procedure not counted in the limit: hearing, "
                                                "tender, auction, inspection, testing, quarantine, "
                                                "appraisal, expert_review or other_law"),
                Param("expected_days", ParamKind.DAYS, "working days it is expected to take (default and "
                                                       "most: the item's stops.suspension or 60)")),
        path="suspend",
    ),
    ActionSpec(
        "resume", Target.ITEM, _REVIEWER,
        Text("恢复办理", "Resume"), "Resume a suspended item (恢复)",
        case=_REVIEW, task=Move.of([T.SUSPENDED], T.IN_REVIEW), path="resume",
    ),
    ActionSpec(
        "record_visit", Target.ITEM, frozenset({Role.REVIEWER, Role.CLERK}),
        Text("到现场办理", "Record an on-site visit"), "Record an unavoidable on-site visit for an item",
        # a clerk records it while the case is open at the front desk; a reviewer during review
        case=Move.of([C.SUBMITTED, C.AWAITING_MATERIALS, C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP]),
        task=Move.of([T.READY, T.IN_REVIEW]), task_roles=_REVIEWER,
        params=(Param("purpose", ParamKind.REASON, "why the applicant must come"), _OVER_BUDGET,
                Param("parties", ParamKind.PARTIES, "the roles of the parties who came (optional; default: "
                      "the applicant, and at an intake step every party present at intake)")),
        path="visits",
    ),
    ActionSpec(
        "record_staff_visit", Target.ITEM, _REVIEWER,
        Text("上门核查", "Record a staff visit"),
        "Record that staff went to the applicant for an item (上门核查、上门评残): no applicant trip",
        case=_REVIEW, task=Move.of([T.READY, T.IN_REVIEW]),
        params=(Param("purpose", ParamKind.REASON, "what was checked on site"),
                Param("address", ParamKind.NOTE, "where (optional; never shown to other parties)")),
        path="staff-visits",
    ),
    ActionSpec(
        "extend_item", Target.ITEM, frozenset({Role.SUPERVISOR}),
        Text("延长办理期限", "Extend the time limit"),
        "Extend an item's legal limit once, by at most 10 working days (延期, 《行政许可法》第四十二条)",
        case=_EXTENSIBLE_CASE, task=_EXTENSIBLE,
        params=(Param("days", ParamKind.DAYS_REQUIRED, "working days added to the legal limit (1–10)"),
                Param("reason", ParamKind.REASON, "why, as the applicant is told")),
        path="extension",
    ),
    ActionSpec(
        "request_extension", Target.ITEM, _REVIEWER,
        Text("申请延期", "Ask for an extension"),
        "Ask a supervisor to extend an item's legal limit (延期申请, 《行政许可法》第四十二条); one request "
        "pending per item",
        case=_EXTENSIBLE_CASE, task=_EXTENSIBLE,
        params=(Param("days", ParamKind.DAYS_REQUIRED, "working days to add to the legal limit (1–10)"),
                Param("reason", ParamKind.REASON, "why, as the applicant is told if it is approved")),
        path="extension-request",
    ),
    ActionSpec(
        "decide_extension", Target.ITEM, frozenset({Role.SUPERVISOR}),
        Text("审批延期申请", "Decide the extension request"),
        "Approve a reviewer's extension request (the legal limit is extended by the days asked, as "
        "extend_item does) or reject it with a reason",
        case=_EXTENSIBLE_CASE, task=_EXTENSIBLE,
        params=(Param("decision", ParamKind.EXTENSION_DECISION, "approved or rejected"),
                Param("note", ParamKind.NOTE, "the reasons of the decision (required to reject)")),
        path="extension-request/decision",
    ),
    # ---------------------------------------------------------------- single window, applicant, timers
    ActionSpec(
        "extend_case", Target.CASE, frozenset({Role.SUPERVISOR}),
        Text("延长联办期限", "Extend the joint-handling limit"),
        "Extend the legal limit of a case handled by several departments once, by at most 15 working "
        "days (《行政许可法》第四十二条第二款)",
        case=Move.of([C.ACCEPTED, C.IN_PROGRESS]),
        params=(Param("days", ParamKind.DAYS_REQUIRED, "working days added to the case's legal limit (1–15)"),
                Param("reason", ParamKind.REASON, "why, as the applicant is told")),
        path="extension",
    ),
    ActionSpec(
        "release_results", Target.CASE, frozenset({Role.CLERK, Role.SYSTEM}),
        Text("先行出件", "Release ready results"),
        "Send the results of approved items ahead of the others by mail or electronically (matters "
        "with pickup.release: as_ready)",
        case=Move.of([C.IN_PROGRESS]),
        params=(Param("channel", ParamKind.CHANNEL_OPTIONAL, "one channel for every result released"),
                Param("results", ParamKind.DELIVERIES, "result id → {channel, tracking}"),
                Param("tracking", ParamKind.TRACKING, "the postal tracking reference (mail)")),
        path="release",
    ),
    ActionSpec(
        "deliver", Target.CASE, frozenset({Role.CLERK, Role.SYSTEM}),
        Text("出件", "Deliver"),
        "Hand over every result (统一出件), each by a channel that suits its form",
        case=Move.of([C.READY_FOR_PICKUP], C.DELIVERED),
        params=(Param("channel", ParamKind.CHANNEL_OPTIONAL,
                      "one channel for every result (window, mail, electronic, agent); electronic "
                      "results are pushed without one"),
                Param("results", ParamKind.DELIVERIES,
                      "result id → {channel, tracking}: a channel per result, overriding channel"),
                Param("tracking", ParamKind.TRACKING, "the postal tracking reference of what goes by mail"),
                _OVER_BUDGET),
        path="deliver",
    ),
    ActionSpec(
        "conclude", Target.CASE, frozenset({Role.CLERK, Role.SYSTEM, Role.SUPERVISOR}),
        Text("办结归档", "Close"), "Close the case after delivery",
        case=Move.of([C.DELIVERED], C.CLOSED), path="conclude",
    ),
    ActionSpec(
        "withdraw", Target.CASE, _APPLICANT_SIDE,
        Text("撤回申请", "Withdraw"), "Withdraw the application before conclusion",
        case=Move.of([C.DRAFT, C.SUBMITTED, C.AWAITING_MATERIALS, C.ACCEPTED, C.IN_PROGRESS], C.WITHDRAWN),
        params=(Param("reason", ParamKind.REASON, "why"),), path="withdraw",
    ),
    ActionSpec(
        "deem_accepted", Target.CASE, frozenset({Role.SYSTEM, Role.SUPERVISOR}),
        Text("视为受理", "Deemed accepted"),
        "An application neither notified nor accepted within 5 working days of receipt is accepted from "
        "the day of receipt (《行政许可法》第三十二条, the timer)",
        case=Move.of([C.SUBMITTED], C.ACCEPTED),
    ),
    ActionSpec(
        "terminate", Target.CASE, frozenset({Role.SYSTEM, Role.SUPERVISOR}),
        Text("终止办理", "Terminate"), "Terminate a case whose owed materials are overdue (the timer)",
        case=Move.of([C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP], C.TERMINATED),
    ),
    ActionSpec(
        "rate", Target.CASE, frozenset({Role.APPLICANT, Role.AGENT}),
        Text("评价", "Rate"),
        "Rate the service (好差评) within the policy's window after conclusion; a 差评 opens a rectification",
        case=Move.of(_RATED),
        params=(Param("level", ParamKind.LEVEL, "5 非常满意 … 1 非常不满意"),
                Param("comment", ParamKind.COMMENT),
                Param("about", ParamKind.ABOUT, "what it is about: {kind: department|window|staff, id}; "
                                                "the whole case (一事一评) when absent")),
        path="rating",
    ),
    ActionSpec(
        "appeal_rating", Target.CASE, frozenset({Role.REVIEWER, Role.CLERK}),
        Text("差评申诉", "Appeal a bad rating"),
        "Appeal a 差评 as mistaken or malicious (申诉), within the policy's period; a supervisor decides",
        case=Move.of(_RATED), department_case=True,
        params=(Param("reason", ParamKind.REASON, "why the rating is mistaken or malicious"),
                Param("rating", ParamKind.RATING_NO,
                      "which rating (1 = the first; default the latest 差评)")),
        path="rating/appeal",
    ),
    ActionSpec(
        "decide_appeal", Target.CASE, frozenset({Role.SUPERVISOR}),
        Text("申诉复核", "Decide the appeal"),
        "Uphold an appeal (the rating leaves the figures, stays in the history) or reject it (复核)",
        case=Move.of(_RATED),
        params=(Param("decision", ParamKind.DECISION, "upheld or rejected"),
                Param("note", ParamKind.REASON, "the reasons of the decision"),
                Param("rating", ParamKind.RATING_NO, "which rating (default the one appealed)")),
        path="rating/appeal/decision",
    ),
    ActionSpec(
        "record_callback", Target.CASE, frozenset({Role.SUPERVISOR}),
        Text("回访", "Record the callback"), "Record the callback (回访) after a bad rating",
        case=Move.of(_RATED), params=(Param("note", ParamKind.REASON, "what was done"),),
        path="rectification/callback",
    ),
    ActionSpec(
        "record_rectified", Target.CASE, frozenset({Role.SUPERVISOR}),
        Text("整改完成", "Record the rectification"), "Record the rectification (整改) as done",
        case=Move.of(_RATED), params=(Param("note", ParamKind.REASON, "what was done"),),
        path="rectification/done",
    ),
    # ---------------------------------------------------------------- reports of the systems around
    ActionSpec(
        "confirm_fee", Target.ITEM, frozenset({Role.CLERK, Role.SYSTEM}),
        Text("缴费确认", "Confirm the fee paid"),
        "Confirm an item's fee paid (the payment service's callback, or paid at the window); a result "
        "whose item charges a fee is handed over only once it is paid",
        case=Move.of([C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP]), task=_OPEN_OR_APPROVED,
        task_roles=_NO_TASK_STEP,
        params=(Param("amount", ParamKind.AMOUNT, "the sum paid, in yuan: the item's fee"),
                Param("reference", ParamKind.REFERENCE, "the payment's reference (交易流水号, receipt no.)")),
        path="fee",
    ),
    ActionSpec(
        "record_licence", Target.ITEM, frozenset({Role.SYSTEM, Role.REVIEWER}),
        Text("电子证照入库", "Record the electronic licence"),
        "Record the electronic licence issued for an approved item's result (电子证照库: its number and "
        "issuing body)",
        case=Move.of([C.IN_PROGRESS, C.READY_FOR_PICKUP, C.DELIVERED, C.CLOSED]), task=Move.of([T.APPROVED]),
        task_roles=_NO_TASK_STEP,
        params=(Param("number", ParamKind.REFERENCE, "the licence number in the licence library"),
                Param("issuer", ParamKind.REASON, "the issuing body (发证机关)")),
        path="licence",
    ),
    ActionSpec(
        "record_reference", Target.ITEM, frozenset({Role.SYSTEM}),
        Text("登记外部编号", "Record an external reference"),
        "Record the number a department's own system gave an item, so its later callbacks may name it",
        case=Move.of([C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP, C.DELIVERED]), task=_OPEN_OR_APPROVED,
        task_roles=_NO_TASK_STEP,
        params=(Param("reference", ParamKind.REFERENCE, "the system's own number for the item (办件编号)"),),
    ),
    ActionSpec(
        "record_receipt", Target.CASE, frozenset({Role.SYSTEM, Role.CLERK}),
        Text("签收", "Record the receipt"),
        "Record that a result sent by mail reached the applicant (the carrier's 签收 report)",
        case=Move.of([C.IN_PROGRESS, C.READY_FOR_PICKUP, C.DELIVERED, C.CLOSED]),
        params=(Param("result", ParamKind.RESULT, "the result that was received"),
                Param("note", ParamKind.NOTE, "the carrier's words: signed by whom, where")),
        path="receipt",
    ),
    # ---------------------------------------------------------------- materials as files (service/files.py)
    ActionSpec(
        "attach_material", Target.CASE, frozenset({Role.APPLICANT, Role.AGENT, Role.CLERK, Role.SYSTEM}),
        Text("上传材料", "Attach a material"),
        "Receive a material's file (its SHA-256, size and sniffed type are recorded, never its bytes) or "
        "a reference to an electronic licence (number and issuing body)",
        case=Move.of(MATERIAL_CASE_STATES),
        params=(Param("material", ParamKind.MATERIAL, "the material's id in the matter"),
                Param("file", ParamKind.FILE, "the stored file: sha256, size, content_type, name"),
                Param("licence", ParamKind.LICENCE_REF, "an electronic licence: number, issuer")),
        listed=False,
    ),
    ActionSpec(
        "purge_files", Target.CASE, frozenset({Role.SYSTEM}),
        Text("材料文件清理", "Purge the files"),
        "Remove a concluded case's files once the retention period has passed (the hashes stay)",
        case=Move.of([C.CLOSED, C.REFUSED, C.TERMINATED, C.WITHDRAWN]),
        params=(Param("files", ParamKind.FILES, "the files removed: material, sha256"),),
        internal=True,
    ),
    # ---------------------------------------------------------------- steps the engine takes itself
    ActionSpec(
        "dispatch", Target.ITEM, frozenset({Role.SYSTEM}),
        Text("分送部门", "Dispatch"), "Send an item to its department once its predecessors are approved",
        case=Move.of([C.ACCEPTED], C.IN_PROGRESS), task=Move.of([T.WAITING], T.READY),
        internal=True,
    ),
    ActionSpec(
        "complete", Target.CASE, frozenset({Role.SYSTEM}),
        Text("办结", "Complete"), "Every item concluded: the results wait for the single window",
        case=Move.of([C.IN_PROGRESS], C.READY_FOR_PICKUP), internal=True,
    ),
    ActionSpec(
        "recompute_deadlines", Target.CASE, frozenset({Role.SYSTEM}),
        Text("时限重算", "Recompute deadlines"), "Recompute provisional deadlines on new calendar data",
        internal=True,
    ),
    ActionSpec(
        "cancel", Target.ITEM, frozenset({Role.SYSTEM}),
        Text("事项终止", "Cancel"), "Cancel an open item (refused upstream, withdrawn or terminated case)",
        task=Move.of([T.WAITING, T.READY, T.IN_REVIEW, T.CORRECTION_REQUESTED, T.SUSPENDED], T.CANCELLED),
        internal=True,
    ),
)
"""Every action and internal step, in the order the docs and the allowed-actions lists use."""


def action(name: str) -> ActionSpec:
    """The declaration of action ``name`` (:class:`KeyError` names the known ones)."""
    try:
        return ACTIONS[name]
    except KeyError:
        raise KeyError(f"no action {name!r}; declared: {', '.join(ACTIONS)}") from None
