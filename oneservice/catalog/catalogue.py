"""The loaded catalogue: registry, items, matters, their plans and calendar data."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..domain.definitions import DataSource, Department, Item, Location, Matter
from ..domain.policy import Policy, RegionalPolicy
from ..domain.regions import Regions, Route
from ..domain.requests import RequestCategory
from ..errors import Finding, UnknownDefinition
from .calendars import CalendarData
from .plan import MatterPlan

__all__ = ["CalendarData", "Catalogue"]


@attrs.frozen
class Catalogue:
    departments: Mapping[str, Department]
    locations: Mapping[str, Location]
    data_sources: Mapping[str, DataSource]
    items: Mapping[str, Item]
    matters: Mapping[str, Matter]
    plans: Mapping[str, MatterPlan]
    calendars: tuple[CalendarData, ...] = ()
    regions: Regions = attrs.field(factory=Regions)  # the registry's administrative areas
    policy: RegionalPolicy = attrs.field(factory=RegionalPolicy)  # registry.policy and its regional overrides
    warnings: tuple[Finding, ...] = ()
    request_categories: Mapping[str, RequestCategory] = attrs.field(factory=dict)  # the 12345 catalogue
    request_routes: Mapping[str, Route] = attrs.field(factory=dict)  # routed categories' rules, resolved
    texts: Mapping[str, str] = attrs.field(factory=dict, repr=False)  # file name -> YAML text
    origins: Mapping[tuple[str, str], str] = attrs.field(factory=dict, repr=False)  # (kind, id) -> file

    def definition_files(self, matter_id: str) -> dict[str, str]:
        """The YAML texts that define ``matter_id``: registry files, the matter and its items.

        Stored with a case, they let the engine rebuild the exact definition the case pinned.
        """
        plan = self.plan(matter_id)
        names = {self.origins[("matter", matter_id)]}
        names.update(self.origins[("item", i.code)] for i in plan.items)
        names.update(name for (kind, _), name in self.origins.items()
                     if kind in ("regions", "departments", "locations", "data_sources"))
        return {name: self.texts[name] for name in sorted(names)}

    def policy_for(self, location_id: str) -> Policy:
        """The policy a case taken in at ``location_id`` runs by (its region's, else the registry's)."""
        location = self.locations.get(location_id)
        return self.policy.for_region(location.region if location is not None else None)

    def policies(self) -> dict[str, Policy]:
        """The policy of every service location."""
        return {loc: self.policy_for(loc) for loc in self.locations}

    def matter(self, matter_id: str) -> Matter:
        try:
            return self.matters[matter_id]
        except KeyError:
            raise UnknownDefinition("matter", matter_id, self.matters) from None

    def plan(self, matter_id: str) -> MatterPlan:
        self.matter(matter_id)
        return self.plans[matter_id]

    def item(self, code: str) -> Item:
        try:
            return self.items[code]
        except KeyError:
            raise UnknownDefinition("item", code, self.items) from None

    def location(self, location_id: str) -> Location:
        try:
            return self.locations[location_id]
        except KeyError:
            raise UnknownDefinition("location", location_id, self.locations) from None

    def department(self, department_id: str) -> Department:
        try:
            return self.departments[department_id]
        except KeyError:
            raise UnknownDefinition("department", department_id, self.departments) from None

    def request_category(self, category_id: str) -> RequestCategory:
        try:
            return self.request_categories[category_id]
        except KeyError:
            raise UnknownDefinition("request category", category_id, self.request_categories) from None

    def content_hash(self, matter_id: str) -> str:
        """The stable hash a case pins to run under this exact definition."""
        return self.plan(matter_id).content_hash
