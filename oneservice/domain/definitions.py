"""Definitions: departments, items (事项) and matters (一件事), as frozen values.

These are what the catalogue loader builds from YAML; nothing here knows about YAML.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:
    from .regions import Routing


class Level(enum.StrEnum):
    """Administrative level of a department or service location."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


    @property
    def label(self) -> Text:
        return _LEVEL_LABELS[self]


ALL_LEVELS = frozenset(Level)
"""Every administrative level: where a matter is taken in and handed out unless it says otherwise."""

LEVEL_RANK = {level: n for n, level in enumerate((Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY,
                                                  Level.PROVINCE))}
"""Low to high: a window of a higher level serves a result that needs a window of a lower one."""


class ItemKind(enum.StrEnum):
    IMMEDIATE = "immediate"  # 即办件
    PROMISED = "promised"  # 承诺件


class LimitUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class Channel(enum.StrEnum):
    """How the applicant interacts. Only ``window`` is on-site (a trip)."""

    WINDOW = "window"
    ONLINE = "online"
    MOBILE = "mobile"
    AGENT = "agent"  # 代办: a staff member or grid worker runs the errand
    MAIL = "mail"
    ELECTRONIC = "electronic"  # delivery of an electronic result

    @property
    def on_site(self) -> bool:
        return self is Channel.WINDOW


INTAKE_CHANNELS = frozenset({Channel.WINDOW, Channel.ONLINE, Channel.MOBILE, Channel.AGENT})
SUPPLY_CHANNELS = frozenset(
    {Channel.WINDOW, Channel.ONLINE, Channel.MOBILE, Channel.AGENT, Channel.MAIL}
)
DELIVERY_CHANNELS = frozenset({Channel.WINDOW, Channel.MAIL, Channel.ELECTRONIC, Channel.AGENT})


class MaterialForm(enum.StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"
    EITHER = "either"


class ResultForm(enum.StrEnum):
    """The form of an item's result, which decides how it can be handed over (统一出件)."""

    PAPER = "paper"  # a paper document: mailed, handed over at a window or by an agent
    ELECTRONIC = "electronic"  # an electronic licence or record: pushed electronically only
    BOTH = "both"  # paper and electronic (电子证照 with equal effect): either way
    PHYSICAL = "physical"  # an object (seals, a card): mailed or handed over, never electronically

    @property
    def channels(self) -> frozenset[Channel]:
        """The delivery channels that suit a result of this form."""
        return _RESULT_CHANNELS[self]


_HANDED = frozenset({Channel.MAIL, Channel.WINDOW, Channel.AGENT})
_RESULT_CHANNELS = {
    ResultForm.PAPER: _HANDED,
    ResultForm.ELECTRONIC: frozenset({Channel.ELECTRONIC}),
    ResultForm.BOTH: _HANDED | {Channel.ELECTRONIC},
    ResultForm.PHYSICAL: _HANDED,
}


class ResultRelease(enum.StrEnum):
    """When a matter's results are handed over."""

    TOGETHER = "together"  # all at once, when every item is concluded (统一出件, the default)
    AS_READY = "as_ready"  # each result as soon as its item is approved


class SuspensionBasis(enum.StrEnum):
    """Why an item is suspended: the procedures whose time is not counted (《行政许可法》第四十五条)."""

    HEARING = "hearing"  # 听证
    TENDER = "tender"  # 招标
    AUCTION = "auction"  # 拍卖
    INSPECTION = "inspection"  # 检验
    TESTING = "testing"  # 检测
    QUARANTINE = "quarantine"  # 检疫
    APPRAISAL = "appraisal"  # 鉴定
    EXPERT_REVIEW = "expert_review"  # 专家评审
    OTHER_LAW = "other_law"  # another law or regulation provides for it (法律、法规规定的其他情形)

    @property
    def label(self) -> Text:
        return _BASIS_LABELS[self]


class FieldType(enum.StrEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"
    PHONE = "phone"
    RESIDENT_ID = "resident_id"  # 居民身份证号码 (GB 11643)
    USCC = "uscc"  # 统一社会信用代码 (GB 32100)
    REGION = "region"  # an administrative area's code (GB/T 2260; 9 or 12 digits below the county)


class OnsiteStage(enum.StrEnum):
    """When an unavoidable on-site visit happens."""

    INTAKE = "intake"  # e.g. originals checked, signature or face verification at the window
    REVIEW = "review"  # e.g. an interview or a signature during the back-office review
    PICKUP = "pickup"  # e.g. a result that must be signed for in person


class RefusalPolicy(enum.StrEnum):
    """What a matter does when one of its items is refused."""

    CONTINUE = "continue"  # items depending on it are cancelled, independent ones go on
    REFUSE_MATTER = "refuse_matter"  # every open item is cancelled, the case concludes refused


_BASIS_LABELS: dict[SuspensionBasis, Text] = {}


@attrs.frozen
class Text:
    """A bilingual text (Chinese first)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


_LEVEL_LABELS = {
    Level.PROVINCE: Text("省级", "province"),
    Level.CITY: Text("市级", "city"),
    Level.COUNTY: Text("县（区）级", "county or district"),
    Level.TOWNSHIP: Text("乡镇（街道）", "township or street"),
    Level.VILLAGE: Text("村（社区）", "village or community"),
}

_BASIS_LABELS.update({
    SuspensionBasis.HEARING: Text("听证", "hearing"),
    SuspensionBasis.TENDER: Text("招标", "tender"),
    SuspensionBasis.AUCTION: Text("拍卖", "auction"),
    SuspensionBasis.INSPECTION: Text("检验", "inspection"),
    SuspensionBasis.TESTING: Text("检测", "testing"),
    SuspensionBasis.QUARANTINE: Text("检疫", "quarantine"),
    SuspensionBasis.APPRAISAL: Text("鉴定", "appraisal"),
    SuspensionBasis.EXPERT_REVIEW: Text("专家评审", "expert review"),
    SuspensionBasis.OTHER_LAW: Text("法律、法规规定的其他情形", "another law or regulation"),
})


@attrs.frozen
class Source:
    """Where a material can come from: ``applicant``, a shared data source, or an item's result.

    ``when`` (shared sources only): the condition under which the data source covers the
    applicant (the population register holds local 户籍 only, for instance); when it is false
    the source does not provide the material and the applicant brings it.
    """

    kind: Literal["applicant", "shared", "item"]
    ref: str = ""  # data source id or item code
    when: str | None = None

    def __str__(self) -> str:
        shown = self.kind if not self.ref else f"{self.kind}:{self.ref}"
        return shown if self.when is None else f"{shown} (when {self.when})"


@attrs.frozen
class Limit:
    """A time limit. ``source`` names where it comes from (an article of law, a published guide),
    ``verified`` says the value was checked against that source; neither takes part in equality,
    so a limit compares (and hashes) by its value and unit."""

    value: int
    unit: LimitUnit = LimitUnit.WORKING_DAYS
    source: str | None = attrs.field(default=None, eq=False)
    verified: bool = attrs.field(default=False, eq=False)

    def __str__(self) -> str:
        return f"{self.value} {self.unit.value.replace('_', ' ')}"


@attrs.frozen
class Department:
    id: str
    name: Text
    level: Level
    region: str = ""


@attrs.frozen
class Location:
    """A service location: a service centre, a township or village service point."""

    id: str
    name: Text
    level: Level
    address: str = ""
    region: str = ""  # GB/T 2260 code of the area it belongs to (a supervisor's region covers it)


@attrs.frozen
class DataSource:
    """A shared government data source (e.g. the population register)."""

    id: str
    name: Text
    holder: str  # department id


@attrs.frozen
class Material:
    id: str
    name: Text
    required: bool = True
    waivable: bool = False  # may be owed under acceptance with deficiency (容缺)
    form: MaterialForm = MaterialForm.EITHER
    sources: tuple[Source, ...] = (Source("applicant"),)
    copies: int = 1
    party: str | None = None  # the party role that brings it (None: the applicant)
    signed_by: tuple[str, ...] = ()  # the party roles that sign it (买卖双方签字)


@attrs.frozen
class FormField:
    id: str
    label: Text
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()

    def signature(self) -> tuple[object, ...]:
        """What must agree when two items define the same field."""
        return (self.type, self.choices)


@attrs.frozen
class Condition:
    """An acceptance condition over form fields, as a CEL expression."""

    id: str
    expression: str
    message: Text


@attrs.frozen
class Fee:
    amount: str = "0"  # decimal as text, in yuan
    basis: str = ""  # legal basis of the fee


@attrs.frozen
class Result:
    id: str
    name: Text
    form: ResultForm
    electronic_copy: bool = False  # a paper or physical result that also has an electronic licence
    window_level: Level | None = None  # handed over at a window of this level or above (a card printed there)

    def fits_window(self, level: Level) -> bool:
        """Whether a window of ``level`` can hand this result over."""
        return self.window_level is None or LEVEL_RANK[level] >= LEVEL_RANK[self.window_level]

    @property
    def pushed(self) -> bool:
        """Whether an electronic copy is pushed whatever the channel of the original."""
        return self.electronic_copy or self.form is ResultForm.BOTH


@attrs.frozen
class ClockStops:
    """Caps on an item's stopped clock, in working days (``None``: the jurisdiction's default)."""

    suspension: int | None = None  # 中止 (art. 45 procedures)
    correction: int | None = None  # 补正 awaited from the applicant


@attrs.frozen
class JointHandling:
    """The matter's exception to the joint-handling ceiling (《行政许可法》第四十二条第二款)."""

    legal_basis: str  # the law or regulation that allows a longer chain


@attrs.frozen
class DeficiencyRules:
    """容缺受理: the period to supply an owed material, and what may gate it."""

    days: int = 5  # working days
    reason: str | None = None  # why a period longer than the promise is acceptable
    condition: Condition | None = None  # who may be accepted with deficiency (e.g. a credit grade)


@attrs.frozen
class OnsiteVisit:
    stage: OnsiteStage
    reason: Text
    by: Literal["applicant", "staff"] = "applicant"  # staff: staff go to the applicant (上门核查), no trip


@attrs.frozen
class Item:
    """A department-level service item (事项)."""

    code: str
    version: str
    name: Text
    department: str
    kind: ItemKind
    legal_limit: Limit
    promised_limit: Limit
    materials: tuple[Material, ...]
    form: tuple[FormField, ...]
    conditions: tuple[Condition, ...]
    fee: Fee
    result: Result
    delivery: frozenset[Channel]
    onsite: OnsiteVisit | None = None
    stops: ClockStops = ClockStops()
    routing: Routing | None = None  # the rule that picks the department (``department`` is "")
    source_file: str | None = attrs.field(default=None, eq=False, repr=False)

    def material(self, material_id: str) -> Material | None:
        return next((m for m in self.materials if m.id == material_id), None)

    @property
    def departments(self) -> tuple[str, ...]:
        """The departments that may handle the item: its one department, or its rule's candidates."""
        return self.routing.among if self.routing is not None else (self.department,)


class AbsentPolicy(enum.StrEnum):
    """What an item does when an item it comes ``after`` is absent from the case (情形)."""

    PROCEED = "proceed"  # the absent item counts as done: wait only for the present ones before it
    SKIP = "skip"  # the item is absent too


@attrs.frozen
class MatterItem:
    """An item of a matter: what it waits for, and the situation (情形) it is part of the case in.

    ``when`` is a condition over the matter's questions and form (docs/authoring.md,
    "Situations"); an item whose condition is false is not part of the case. ``if_absent`` says
    what the item does when an item of its ``after`` list is absent.
    """

    item: str  # item code
    after: tuple[str, ...] = ()
    when: str | None = None
    if_absent: AbsentPolicy = AbsentPolicy.PROCEED


class PartyKind(enum.StrEnum):
    """Who may take a party role: a person, a company, or either."""

    PERSON = "person"
    COMPANY = "company"
    ANY = "any"

    def fits(self, kind: str) -> bool:
        """Whether an applicant of ``kind`` (person or company) may take a role of this kind."""
        return self is PartyKind.ANY or self.value == kind


@attrs.frozen
class PartyRole:
    """A role a party of the case takes (buyer and seller, both parents, a legal representative).

    The first role of a matter is the applicant's. ``present_at_intake``: the party must come to
    the window at intake (to sign in person, for instance); ``required``: every case has a party
    in this role. ``acts_for``: the role is an agent's (委托代理人) who acts for the party in that
    role under a written authorisation (委托书): comes in their place and signs on their behalf.
    """

    role: str
    name: Text
    kind: PartyKind = PartyKind.ANY
    present_at_intake: bool = False
    required: bool = True
    acts_for: str | None = None


APPLICANT_ROLE = PartyRole("applicant", Text("申请人", "applicant"))
"""The one role of a matter that declares no parties."""


@attrs.frozen
class Matter:
    """An applicant-side matter (一件事) composed of items."""

    id: str
    version: str
    name: Text
    items: tuple[MatterItem, ...]
    intake_channels: frozenset[Channel]
    supplement_channels: frozenset[Channel]
    correction_channels: frozenset[Channel]
    pickup_channels: frozenset[Channel]
    same_visit_pickup: bool
    trip_budget: int
    promise: Limit
    on_item_refused: RefusalPolicy
    release: ResultRelease = ResultRelease.TOGETHER
    joint_handling: JointHandling | None = None
    deficiency: DeficiencyRules = DeficiencyRules()
    questions: tuple[FormField, ...] = ()  # asked by the matter itself (情形 questions)
    parties: tuple[PartyRole, ...] = (APPLICANT_ROLE,)  # the first is the applicant's role
    intake_levels: frozenset[Level] = ALL_LEVELS  # the levels of the points that take it in
    pickup_levels: frozenset[Level] = ALL_LEVELS  # the levels of the windows that hand its results out
    source_file: str | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def applicant_role(self) -> PartyRole:
        """The role of the applicant who opens the case (the first party role)."""
        return self.parties[0]

    def party_role(self, role: str) -> PartyRole | None:
        return next((p for p in self.parties if p.role == role), None)

    def agent_roles(self, role: str) -> tuple[str, ...]:
        """The roles of the agents who may act for the party in ``role`` (``acts_for``)."""
        return tuple(p.role for p in self.parties if p.acts_for == role)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(mi.item for mi in self.items)

    def after(self, code: str) -> tuple[str, ...]:
        return next((mi.after for mi in self.items if mi.item == code), ())

    @property
    def deficiency_days(self) -> int:
        """Working days to supply a material owed under 容缺."""
        return self.deficiency.days
