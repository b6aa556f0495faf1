"""Cases (办件): a running matter for one applicant, its item tasks, materials, trips and events.

Plain attrs classes (``slots=False``, ``eq=False``) that the engine changes and the store
persists. Nothing here knows about SQL or state-machine libraries.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from .states import CONCLUDED_TASK_STATES, CaseState, TaskState

__all__ = [
    "CASE_CLOCK_KINDS",
    "FOLLOW_UP_KINDS",
    "ITEM_CLOCK_KINDS",
    "LEGAL_KINDS",
    "PROMISE_KINDS",
    "STOP_KINDS",
    "Actor",
    "Appeal",
    "Applicant",
    "ApplicantKind",
    "Case",
    "CaseState",
    "Deadline",
    "DeadlineKind",
    "Event",
    "ExtensionRequest",
    "FeePayment",
    "ItemTask",
    "Licence",
    "MaterialRecord",
    "MaterialStatus",
    "Outcome",
    "Party",
    "Rating",
    "RatingLevel",
    "RatingSubject",
    "Rectification",
    "ResultDelivery",
    "Role",
    "Signature",
    "TaskState",
    "Visit",
]


ApplicantKind = Literal["person", "company"]
"""A person (resident ID number) or a company (unified social credit code)."""

DeadlineKind = Literal[
    "case", "item", "case_legal", "item_legal", "notice", "issuing", "suspension", "correction",
    "deficiency", "callback", "rectification", "appeal",
]
"""What a deadline is for:

- ``case`` / ``item``: the promise (承诺时限) of the case, of an item from its dispatch;
- ``case_legal`` / ``item_legal``: the legal limit (法定时限, 《行政许可法》第四十二条);
- ``notice``: notice or accept an application within 5 days of receipt (第三十二条);
- ``issuing``: hand over an approved item's result within 10 days of the decision (第四十四条);
- ``suspension`` / ``correction``: the expected end of a stopped clock (中止 第四十五条, 补正);
- ``deficiency``: an owed material (容缺); ``callback`` / ``rectification``: a bad rating's follow-up;
- ``appeal``: a supervisor's decision on a department's appeal against a 差评 (申诉复核).
"""

PROMISE_KINDS: frozenset[str] = frozenset({"case", "item"})
LEGAL_KINDS: frozenset[str] = frozenset({"case_legal", "item_legal"})
ITEM_CLOCK_KINDS: frozenset[str] = frozenset({"item", "item_legal"})
"""Deadlines that run with an item's clock: they stop while the item is suspended or corrected."""
CASE_CLOCK_KINDS: frozenset[str] = frozenset({"case", "case_legal"})
"""Deadlines of the whole case that stop while any of its items' clocks is stopped."""
STOP_KINDS: frozenset[str] = frozenset({"suspension", "correction"})
"""Deadlines of a stopped clock itself: they run while the item is suspended or corrected."""
FOLLOW_UP_KINDS: frozenset[str] = frozenset({"callback", "rectification", "appeal"})

Outcome = Literal["approved", "partially_approved", "refused"]
"""What the back offices decided, once every item is concluded."""


class MaterialStatus(enum.StrEnum):
    RECEIVED = "received"
    OWED = "owed"  # accepted with deficiency, due later
    PRODUCED = "produced"  # result of an upstream item, received automatically
    SHARED = "shared"  # fetched from a shared data source
    PENDING = "pending"  # will be produced by an upstream item not yet concluded


class Role(enum.StrEnum):
    CLERK = "clerk"  # window clerk at a service location
    REVIEWER = "reviewer"  # department reviewer
    SUPERVISOR = "supervisor"
    APPLICANT = "applicant"
    AGENT = "agent"  # 代办员
    SYSTEM = "system"  # timers and scans


class RatingLevel(enum.IntEnum):
    """好差评 five levels."""

    VERY_SATISFIED = 5  # 非常满意
    SATISFIED = 4  # 满意
    BASICALLY_SATISFIED = 3  # 基本满意
    DISSATISFIED = 2  # 不满意
    VERY_DISSATISFIED = 1  # 非常不满意

    @property
    def zh(self) -> str:
        return {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}[self.value]

    @property
    def bad(self) -> bool:
        return self.value <= 2


@attrs.frozen
class Actor:
    """Who performs an action. Every action names its actor."""

    role: Role
    id: str
    department: str | None = None  # reviewers
    location: str | None = None  # clerks: where they sit
    applicant_id: str | None = None  # applicants: their resident ID number or credit code

    def describe(self) -> str:
        where = self.department or self.location
        return f"{self.role.value}:{self.id}" + (f"@{where}" if where else "")


@attrs.frozen
class Applicant:
    kind: ApplicantKind
    id_number: str
    name: str
    phone: str = ""

    @property
    def masked_id(self) -> str:
        n = self.id_number
        if self.kind == "person" and len(n) == 18:
            return n[:6] + "*" * 8 + n[14:]
        return n[:4] + "*" * max(0, len(n) - 8) + n[-4:] if len(n) > 8 else "*" * len(n)


@attrs.frozen
class Party:
    """A party of a case besides the applicant, in a role the matter declares (the seller).

    ``authorisation``: for an agent's role (``acts_for``), the reference of the written
    authorisation (委托书) the agent acts under — its notarisation or registration number."""

    role: str
    applicant: Applicant
    authorisation: str | None = None


@attrs.define(eq=False)
class Signature:
    """签字: a party signed a material, at the window before a clerk or online (电子签名).

    ``role`` is the party whose signature the material needs; ``agent``, the role of their agent
    (委托代理人) who signed on their behalf (``None``: the party signed in person)."""

    material_id: str
    role: str
    at: dt.datetime
    channel: str  # window, online, mobile
    by: str  # the actor who recorded it: the clerk at the window, the party online
    location: str | None = None  # window signatures
    agent: str | None = None


@attrs.define(eq=False)
class ExtensionRequest:
    """延期申请: a reviewer of the item's department asked for its legal limit to be extended by
    ``days`` working days (《行政许可法》第四十二条第一款); pending until a supervisor decides it."""

    seq: int  # the number of its ExtensionRequested event: the approval and the rejection name it
    at: dt.datetime
    by: str  # the reviewer who asked (Actor.describe())
    days: int
    reason: str


@attrs.define(eq=False)
class ItemTask:
    item_code: str
    department: str
    state: TaskState = TaskState.WAITING
    dispatched_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    concluded_at: dt.datetime | None = None
    due: dt.date | None = None
    due_provisional: bool = False
    suspended_since: dt.date | None = None  # the day its clock stopped (suspension or correction)
    suspended_days: int = 0  # working days suspended (中止)
    correction_days: int = 0  # working days waiting for a correction (补正)
    reviewer: str | None = None
    result_id: str | None = None
    reason: str | None = None  # refusal, correction or suspension reason
    extension_request: ExtensionRequest | None = None  # the pending 延期申请 (one at a time)

    @property
    def concluded(self) -> bool:
        return self.state in CONCLUDED_TASK_STATES


@attrs.define(eq=False)
class MaterialRecord:
    material_id: str
    status: MaterialStatus
    channel: str | None = None
    received_at: dt.datetime | None = None
    due: dt.date | None = None  # for owed materials
    provider: str | None = None  # item code or data source id
    due_provisional: bool = False  # ``due`` was computed on a guessed calendar year


@attrs.define(eq=False)
class Visit:
    """One on-site visit (a trip of each party who came). Steps in one visit count once.

    ``parties``: the roles of the parties who came (empty: the applicant alone)."""

    seq: int
    at: dt.datetime
    location: str
    purposes: list[str]
    over_budget_reason: str | None = None
    parties: list[str] = attrs.Factory(list)


@attrs.define(eq=False)
class Deadline:
    """A frozen deadline and how it was computed, so provisional ones can be recomputed."""

    kind: DeadlineKind
    subject: str  # case id, item code or material id
    start: dt.date
    amount: int
    unit: str  # working_days | calendar_days
    extra_days: int  # working days added by suspensions and corrections
    due: dt.date
    provisional: bool
    met_at: dt.datetime | None = None
    extension_days: int = 0  # working days added by an approved extension (延期)
    yellow_days: int | None = None  # the policy's yellow rule, frozen: working days before due
    yellow_from: dt.date | None = None  # the first yellow day under that rule


@attrs.define(eq=False)
class Event:
    seq: int
    at: dt.datetime
    type: str  # past tense: CaseOpened, ItemApproved, ...
    actor: str
    data: dict[str, Any] = attrs.Factory(dict)
    state: str = ""  # case state after the event
    public: bool = True  # shown in the applicant's progress view


RatingSubject = Literal["case", "department", "window", "staff"]
"""What a rating is about: the whole case (一事一评), a department, a window, a staff member (一次一评)."""


@attrs.define(eq=False)
class Appeal:
    """申诉复核: a department's (or window's) appeal against a 差评 as mistaken or malicious."""

    at: dt.datetime
    by: str  # the actor who appealed
    reason: str
    decision_due: dt.date
    decision: Literal["upheld", "rejected"] | None = None
    decided_at: dt.datetime | None = None
    decided_by: str | None = None
    note: str = ""


@attrs.define(eq=False)
class Rating:
    level: RatingLevel
    comment: str
    at: dt.datetime
    follow_up: bool = False  # the rating after a rectification
    by: str = ""  # who recorded it (the applicant, or their agent on their behalf)
    on_behalf: bool = False  # recorded by the agent for the applicant
    about: RatingSubject = "case"
    about_id: str | None = None  # the department, window (location) or staff member
    bad: bool = False  # a 差评 under the policy in force when it was given
    appeal: Appeal | None = None
    party: str | None = None  # the role of the party who rated (None: the applicant's)

    @property
    def counted(self) -> bool:
        """Counted in the figures: not removed by an upheld appeal (it stays in the history)."""
        return self.appeal is None or self.appeal.decision != "upheld"


@attrs.define(eq=False)
class Rectification:
    """整改: opened by a bad rating; callback in 1 working day, rectification in 15."""

    opened_at: dt.datetime
    callback_due: dt.date
    rectify_due: dt.date
    called_back_at: dt.datetime | None = None
    rectified_at: dt.datetime | None = None
    note: str = ""
    withdrawn_at: dt.datetime | None = None  # an appeal against the 差评 was upheld: nothing to fix


@attrs.define(eq=False)
class ResultDelivery:
    """How one result was handed over (统一出件): channel, where, by whom, the parcel's tracking."""

    result_id: str
    item_code: str
    channel: str
    at: dt.datetime
    actor: str
    location: str | None = None  # window hand-overs
    tracking: str | None = None  # mail: the postal tracking reference
    electronic_copy: bool = False  # an electronic copy was pushed as well
    received_at: dt.datetime | None = None  # 签收: the carrier reported the applicant received it
    received_by: str | None = None  # who reported the receipt (the postal system, a clerk)
    receipt_note: str | None = None  # the carrier's words: signed by whom, where


@attrs.define(eq=False)
class FeePayment:
    """缴费: an item's fee confirmed paid, by the payment service or at the window."""

    item_code: str
    amount: str  # yuan, as the item's fee states it ("80", "80.00")
    reference: str  # the payment's reference (交易流水号 or the receipt number)
    at: dt.datetime
    by: str  # who confirmed it


@attrs.define(eq=False)
class Licence:
    """电子证照: the electronic licence issued for an approved item's result, as reported."""

    item_code: str
    result_id: str
    number: str  # the licence number in the licence library
    issuer: str  # the issuing body (发证机关)
    at: dt.datetime
    by: str  # who reported it (the licence library, the department's system, a reviewer)


@attrs.define(eq=False)
class Case:
    id: str
    matter_id: str
    matter_version: str
    definition_hash: str
    applicant: Applicant
    channel: str
    location: str  # the intake point (受理点)
    opened_at: dt.datetime
    state: CaseState = CaseState.DRAFT
    version: int = 0
    agent: str | None = None
    applicant_role: str = "applicant"  # the matter's first party role, the applicant's
    parties: list[Party] = attrs.Factory(list)  # the other parties, in the matter's role order
    submitted_at: dt.datetime | None = None
    received_at: dt.datetime | None = None  # the last hand-in the front desk has not answered yet
    accepted_at: dt.datetime | None = None
    concluded_at: dt.datetime | None = None
    outcome: Outcome | None = None  # back office
    refusal_reason: str | None = None
    form: dict[str, Any] = attrs.Factory(dict)
    materials: dict[str, MaterialRecord] = attrs.Factory(dict)
    tasks: dict[str, ItemTask] = attrs.Factory(dict)
    visits: list[Visit] = attrs.Factory(list)
    deadlines: dict[tuple[str, str], Deadline] = attrs.Factory(dict)
    notified: list[str] = attrs.Factory(list)  # everything the one-time notice listed
    notices: int = 0
    ratings: list[Rating] = attrs.Factory(list)
    rectification: Rectification | None = None
    delivery_channel: str | None = None  # the channel of every result, or "mixed"
    pickup_location: str | None = None  # the window point where the results wait (None: none fits)
    deliveries: list[ResultDelivery] = attrs.Factory(list)
    fees: dict[str, FeePayment] = attrs.Factory(dict)  # item code → its fee's payment
    licences: dict[str, Licence] = attrs.Factory(dict)  # item code → the licence of its result
    references: dict[str, dict[str, str]] = attrs.Factory(dict)  # item → {system actor: its reference}
    signatures: list[Signature] = attrs.Factory(list)  # 签字 of the materials that need them
    commitment: str | None = None  # the applicant's written commitment (承诺书) under 容缺受理
    duration_days: int | None = None  # working days from receipt to the last item's conclusion
    over_budget: bool = False
    # events: the store loads only the count; new ones are appended here until saved
    event_count: int = 0
    new_events: list[Event] = attrs.Factory(list)

    @property
    def trips(self) -> int:
        """The applicant's trips, derived from the recorded visits."""
        return self.trips_of(self.applicant_role)

    def visitors(self, visit: Visit) -> list[str]:
        """The roles of the parties who came on ``visit``."""
        return visit.parties or [self.applicant_role]

    def trips_of(self, role: str) -> int:
        """The trips of the party in ``role``: the visits they came to."""
        return sum(role in self.visitors(v) for v in self.visits)

    def party(self, role: str) -> Applicant | None:
        """The party in ``role`` (the applicant for the applicant's role)."""
        if role == self.applicant_role:
            return self.applicant
        return next((p.applicant for p in self.parties if p.role == role), None)

    def role_of(self, id_number: str | None) -> str | None:
        """The role of the party with this ID number or credit code (``None``: not a party)."""
        if not id_number:
            return None
        if id_number == self.applicant.id_number:
            return self.applicant_role
        return next((p.role for p in self.parties if p.applicant.id_number == id_number), None)

    def signed(self, material_id: str, role: str) -> Signature | None:
        """The signature of the party in ``role`` on ``material_id`` (``None``: not signed yet)."""
        return next((s for s in self.signatures if s.material_id == material_id and s.role == role), None)

    def unsigned(self, signers: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
        """(material, role) of every signature still missing: ``signers`` maps a material id to
        the roles that sign it (``signed_by``), in the order to list them; only received
        materials are signed, and only by roles the case has a party in."""
        roles = set(self.roles)
        received = {mid for mid, record in self.materials.items() if record.status is MaterialStatus.RECEIVED}
        return [(mid, role) for mid, by in signers.items() if mid in received
                for role in by if role in roles and self.signed(mid, role) is None]

    @property
    def roles(self) -> list[str]:
        """The roles of every party of the case, the applicant's first."""
        return [self.applicant_role, *(p.role for p in self.parties)]

    @property
    def due(self) -> Deadline | None:
        return self.deadlines.get(("case", self.id))

    def delivered(self, result_id: str) -> ResultDelivery | None:
        return next((d for d in self.deliveries if d.result_id == result_id), None)

    def owed(self) -> list[MaterialRecord]:
        return [m for m in self.materials.values() if m.status is MaterialStatus.OWED]
