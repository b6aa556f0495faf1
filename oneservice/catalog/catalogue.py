"""The loaded catalogue: registry, items, matters, their plans and calendar data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from ..domain.definitions import DataSource, Department, Item, Location, Matter
from ..errors import Finding, UnknownDefinition
from .plan import MatterPlan

__all__ = ["CalendarData", "Catalogue"]


@attrs.frozen
class CalendarData:
    """A year of the official calendar loaded from ``workflows/calendars/``."""

    year: int
    source: str
    version: str
    holidays: frozenset[dt.date]  # weekdays off
    days_off: frozenset[dt.date]  # every day inside a holiday range
    workdays: frozenset[dt.date]  # weekend days that are working days (调休)
    file: str = ""


@attrs.frozen
class Catalogue:
    departments: Mapping[str, Department]
    locations: Mapping[str, Location]
    data_sources: Mapping[str, DataSource]
    items: Mapping[str, Item]
    matters: Mapping[str, Matter]
    plans: Mapping[str, MatterPlan]
    calendars: tuple[CalendarData, ...] = ()
    warnings: tuple[Finding, ...] = ()

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

    def content_hash(self, matter_id: str) -> str:
        """The stable hash a case pins to run under this exact definition."""
        return self.plan(matter_id).content_hash
