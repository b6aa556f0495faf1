"""What static analysis knows about a matter before any case exists: its plan.

A :class:`MatterPlan` holds the consolidated materials list (一套材料), the unified form
(一表申请), the dependency order and critical path of its items, and the trip analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..domain import situations as _situations
from ..domain.definitions import Channel, FormField, Item, Material, Matter, Result, Text
from ..domain.regions import Route

__all__ = [
    "ExcludedMaterial",
    "ExclusionReason",
    "FormLine",
    "MaterialLine",
    "MatterPlan",
    "PathReport",
    "ResultRoute",
    "Scenario",
    "TripAnalysis",
    "TripStage",
    "TripStep",
]


ExclusionReason = Literal["upstream", "shared"]
"""Why the applicant does not bring a material: an upstream item produces it, or shared data has it."""

TripStage = Literal["intake", "review", "correction", "supplement", "pickup", "after_notice"]
"""The step of a matter at which the applicant may have to come."""

Scenario = Literal["always", "worst"]
"""``always``: counted in the best and the worst case; ``worst``: only under adverse events."""


@attrs.frozen
class MaterialLine:
    """One material the applicant brings, consolidated over the items that need it."""

    material: Material
    items: tuple[str, ...]
    required: bool
    waivable: bool  # may be owed under deficiency acceptance (waivable in every item needing it)


@attrs.frozen
class ExcludedMaterial:
    """A material an item lists that the applicant does not bring, and why."""

    material: Material
    items: tuple[str, ...]
    reason: ExclusionReason
    provider: str  # item code or data source id
    provider_name: Text


@attrs.frozen
class FormLine:
    field: FormField
    items: tuple[str, ...]


@attrs.frozen
class TripStep:
    """A step of the matter at which the rules force the applicant on site."""

    stage: TripStage
    trips: int  # trips this step adds (0 when merged into another visit)
    scenario: Scenario
    why: Text
    parties: tuple[str, ...] = ("applicant",)  # the party roles who come on site at this step

    def describe(self, lang: str = "en") -> str:
        return f"{self.stage}: {self.why.get(lang)}"


@attrs.frozen
class ResultRoute:
    """One item's result and the channels it can be handed over by (matter ∩ item ∩ its form)."""

    item: str  # item code
    result: Result
    channels: frozenset[Channel]

    @property
    def on_site_only(self) -> bool:
        """Only a window hand-over is left: a trip."""
        return bool(self.channels) and all(c.on_site for c in self.channels)


@attrs.frozen
class PartyTrips:
    """The best and worst-case trips of one party role (the trip budget holds for each)."""

    role: str
    name: Text
    best: int
    worst: int


@attrs.frozen
class TripAnalysis:
    """Best achievable and worst-case on-site trips under the matter's rules (see docs)."""

    best: int
    worst: int
    budget: int
    steps: tuple[TripStep, ...]
    after_notice: int  # extra trips when materials were incomplete (outside the promise)
    delivery_channels: frozenset[str]  # every channel some result can be handed over by
    results: tuple[ResultRoute, ...] = ()  # per item, in dependency order
    parties: tuple[PartyTrips, ...] = ()  # per party role, the applicant's first

    def party(self, role: str) -> PartyTrips | None:
        return next((p for p in self.parties if p.role == role), None)

    def route(self, result_id: str) -> ResultRoute | None:
        return next((r for r in self.results if r.result.id == result_id), None)


@attrs.frozen
class PathReport:
    """The critical path through the items and its length in the matter's promise unit."""

    items: tuple[str, ...]
    promised_total: int
    legal_total: int
    unit: str
    converted: bool  # units were mixed and converted conservatively


@attrs.frozen
class MatterPlan:
    matter: Matter
    items: tuple[Item, ...]  # in dependency (topological) order
    upstream: dict[str, frozenset[str]] = attrs.field(eq=False)  # code -> transitive predecessors
    materials: tuple[MaterialLine, ...]
    not_needed: tuple[ExcludedMaterial, ...]
    form: tuple[FormLine, ...]
    departments: tuple[str, ...]
    path: PathReport
    trips: TripAnalysis
    content_hash: str
    conditions: tuple[str, ...] = ()  # the matter's situation conditions (情形), in order
    # every situation (the conditions that are true) → its plan; empty without conditions
    situations: dict[frozenset[str], MatterPlan] = attrs.field(factory=dict, eq=False, repr=False)
    # routed item code → its route (docs/authoring.md, "Areas and routing"); the same in every situation
    routes: Mapping[str, Route] = attrs.field(factory=dict, eq=False, repr=False)

    def item(self, code: str) -> Item:
        return next(i for i in self.items if i.code == code)

    def situation(self, truth: frozenset[str]) -> MatterPlan:
        """The plan of situation ``truth`` (this plan when the matter has no conditions)."""
        return self.situations.get(truth & frozenset(self.conditions), self)

    def for_answers(self, values: Mapping[str, Any]) -> MatterPlan:
        """The plan of the situation that ``values`` (the form, with the applicant's kind under
        :data:`~oneservice.domain.situations.APPLICANT_KIND`) put the case in."""
        if not self.conditions:
            return self
        return self.situation(_situations.truth_of(self.conditions, values, name=f"matter {self.matter.id}"))
