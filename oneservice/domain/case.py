"""Cases (办件): a running matter for one applicant, its item tasks, materials, trips and events.

Plain attrs classes (``slots=False``, ``eq=False``) that the engine changes and the store
persists. Nothing here knows about SQL or state-machine libraries.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal

import attrs

from .states import CONCLUDED_TASK_STATES, CaseState, TaskState

__all__ = [
    "Actor",
    "Applicant",
    "ApplicantKind",
    "Case",
    "CaseState",
    "Deadline",
    "DeadlineKind",
    "Event",
    "ItemTask",
    "MaterialRecord",
    "MaterialStatus",
    "Outcome",
    "Rating",
    "RatingLevel",
    "Rectification",
    "Role",
    "TaskState",
    "Visit",
]


ApplicantKind = Literal["person", "company"]
"""A person (resident ID number) or a company (unified social credit code)."""

DeadlineKind = Literal["case", "item", "deficiency", "callback", "rectification"]
"""What a deadline is for: the case's promise, an item's, an owed material, a bad rating's follow-up."""

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
    suspended_since: dt.date | None = None
    suspended_days: int = 0
    reviewer: str | None = None
    result_id: str | None = None
    reason: str | None = None  # refusal, correction or suspension reason

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


@attrs.define(eq=False)
class Visit:
    """One on-site visit of the applicant (a trip). Steps in one visit count once."""

    seq: int
    at: dt.datetime
    location: str
    purposes: list[str]
    over_budget_reason: str | None = None


@attrs.define(eq=False)
class Deadline:
    """A frozen deadline and how it was computed, so provisional ones can be recomputed."""

    kind: DeadlineKind
    subject: str  # case id, item code or material id
    start: dt.date
    amount: int
    unit: str  # working_days | calendar_days
    extra_days: int  # working days added by suspensions
    due: dt.date
    provisional: bool
    met_at: dt.datetime | None = None


@attrs.define(eq=False)
class Event:
    seq: int
    at: dt.datetime
    type: str  # past tense: CaseOpened, ItemApproved, ...
    actor: str
    data: dict[str, Any] = attrs.Factory(dict)
    state: str = ""  # case state after the event
    public: bool = True  # shown in the applicant's progress view


@attrs.define(eq=False)
class Rating:
    level: RatingLevel
    comment: str
    at: dt.datetime
    follow_up: bool = False  # the rating after a rectification


@attrs.define(eq=False)
class Rectification:
    """整改: opened by a bad rating; callback in 1 working day, rectification in 15."""

    opened_at: dt.datetime
    callback_due: dt.date
    rectify_due: dt.date
    called_back_at: dt.datetime | None = None
    rectified_at: dt.datetime | None = None
    note: str = ""


@attrs.define(eq=False)
class Case:
    id: str
    matter_id: str
    matter_version: str
    definition_hash: str
    applicant: Applicant
    channel: str
    location: str
    opened_at: dt.datetime
    state: CaseState = CaseState.DRAFT
    version: int = 0
    agent: str | None = None
    submitted_at: dt.datetime | None = None
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
    delivery_channel: str | None = None
    over_budget: bool = False
    # events: the store loads only the count; new ones are appended here until saved
    event_count: int = 0
    new_events: list[Event] = attrs.Factory(list)

    @property
    def trips(self) -> int:
        """Trips are derived from the recorded visits."""
        return len(self.visits)

    @property
    def due(self) -> Deadline | None:
        return self.deadlines.get(("case", self.id))

    def owed(self) -> list[MaterialRecord]:
        return [m for m in self.materials.values() if m.status is MaterialStatus.OWED]
