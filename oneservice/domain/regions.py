"""Administrative areas (行政区划) and the rules that route an item to its competent department.

The registry places departments and service locations in a hierarchy of regions — province,
city, county or district, township or street, village or community — under their official
codes (GB/T 2260 for the upper three levels, the statistical division codes for the lower two).
An item whose competent department depends on where the applicant lives, where the property
lies, where the case is taken in, or on the applicant's choice within a city (同城通办) names a
:class:`Routing` rule instead of one department; the catalogue resolves it against the registry
into a :class:`Route`, which picks the department whose region contains the case's region.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping

import attrs

from .definitions import Level, Text

__all__ = ["LEVEL_ORDER", "NoCompetentDepartment", "Region", "Regions", "Route", "RouteBy", "Routing"]

LEVEL_ORDER = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
"""The levels from the top down: a region's parent is at a higher level (earlier here)."""


@attrs.frozen
class Region:
    """An administrative area: its official code, name, level and the area it belongs to."""

    code: str
    name: Text
    level: Level
    parent: str | None = None


class RouteBy(enum.StrEnum):
    """What picks an item's competent department."""

    RESIDENCE = "residence"  # the applicant's residence or household registration (户籍地、居住地)
    PROPERTY = "property"  # where the property lies (不动产所在地)
    INTAKE = "intake"  # where the case is taken in (就近办: the intake point's area)
    CHOICE = "choice"  # the area the applicant chooses within the rule's area (同城通办)

    @property
    def label(self) -> Text:
        return _BY_LABELS[self]

    @property
    def reads_form(self) -> bool:
        """Whether the rule reads a form field (all but ``intake``)."""
        return self is not RouteBy.INTAKE


_BY_LABELS = {
    RouteBy.RESIDENCE: Text("按申请人户籍地或居住地", "by the applicant's residence"),
    RouteBy.PROPERTY: Text("按不动产所在地", "by where the property lies"),
    RouteBy.INTAKE: Text("按受理地", "by the place of intake"),
    RouteBy.CHOICE: Text("申请人在区域内自选（同城通办）", "the applicant's choice in the area (同城通办)"),
}


@attrs.frozen
class Routing:
    """An item's rule for its competent department: ``by`` what, ``among`` which departments.

    ``field`` names the region field of the form that the rule reads (all but ``intake``);
    ``area`` is the region the rule must cover completely (default: the smallest region that
    contains every candidate's).
    """

    by: RouteBy
    among: tuple[str, ...]
    field: str | None = None
    area: str | None = None


@attrs.frozen
class Regions:
    """The registry's region hierarchy, by code."""

    by_code: Mapping[str, Region] = attrs.field(factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __bool__(self) -> bool:
        return bool(self.by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self.by_code.values())

    def get(self, code: str) -> Region | None:
        return self.by_code.get(code)

    def chain(self, code: str) -> list[str]:
        """``code`` and the codes of the areas above it, up to the top (stops at a missing parent)."""
        out: list[str] = []
        current: str | None = code
        while current is not None and current in self.by_code and current not in out:
            out.append(current)
            current = self.by_code[current].parent
        return out

    def contains(self, area: str, code: str) -> bool:
        """Whether region ``code`` lies within ``area`` (or is it)."""
        return area in self.chain(code)

    def children(self, code: str) -> list[Region]:
        return [r for r in self.by_code.values() if r.parent == code]

    def describe(self, code: str, lang: str = "zh") -> str:
        """``name (code)`` of a listed region, else the bare code."""
        region = self.by_code.get(code)
        return f"{region.name.get(lang)} ({code})" if region is not None else code

    def common_area(self, codes: list[str]) -> str | None:
        """The smallest region that contains every one of ``codes`` (``None``: none does)."""
        if not codes:
            return None
        shared = self.chain(codes[0])
        for code in codes[1:]:
            above = set(self.chain(code))
            shared = [c for c in shared if c in above]
        return shared[0] if shared else None


class NoCompetentDepartment(ValueError):
    """A region that no candidate of a route covers, or that the hierarchy does not list."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@attrs.frozen
class Route:
    """An item's :class:`Routing` resolved against the registry: the candidates with their regions.

    ``locations`` maps each service location to its region, for rules ``by: intake``.
    """

    item: str
    rule: Routing
    area: str
    departments: tuple[tuple[str, str], ...]  # (department id, its region), in the rule's order
    regions: Regions = attrs.field(eq=False, repr=False)
    locations: Mapping[str, str] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def field(self) -> str | None:
        return self.rule.field

    def department_for(self, region: str) -> str:
        """The competent department for a case of ``region``; raises :class:`NoCompetentDepartment`."""
        covered = ", ".join(self.regions.describe(r) for _, r in self.departments)
        if region not in self.regions:
            raise NoCompetentDepartment(
                f"region {region!r} is not in the registry's list of administrative areas",
                f"give the code of a listed area (this item covers {covered})")
        chain = self.regions.chain(region)
        for department, home in self.departments:
            if home in chain:
                return department
        if self.area not in chain:
            raise NoCompetentDepartment(
                f"{self.regions.describe(region)} is outside the area of item {self.item} "
                f"({self.regions.describe(self.area)})",
                f"the item is handled here only for {covered}; the applicant applies where the "
                "competent department is")
        raise NoCompetentDepartment(
            f"{self.regions.describe(region)} is a wider area than any competent department of item "
            f"{self.item} covers", f"give the area at the level of {covered}")

    def region_of_location(self, location: str) -> str | None:
        return self.locations.get(location) or None
