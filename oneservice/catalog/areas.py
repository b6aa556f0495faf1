"""Checks of the registry's region hierarchy and of items' routing rules (docs/authoring.md,
"Areas and routing"); the routes the engine resolves a case's competent department with."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Protocol

from ..domain.definitions import Department, FieldType, Item, Location
from ..domain.regions import LEVEL_ORDER, Regions, Route, Routing
from ..errors import Finding
from .analysis import Locator

__all__ = ["build_route", "build_routes", "check_regions"]


class _Report(Protocol):
    def __call__(self, path: tuple[str | int, ...], code: str, message: str, hint: str) -> None: ...


def _hint(value: str, known: Mapping[str, object], otherwise: str) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else otherwise


def _prefix(code: str) -> str:
    """The digits a region's code shares with every code inside it: ``330100`` → ``3301``."""
    if len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


def check_regions(regions: Regions, departments: Mapping[str, Department],
                  locations: Mapping[str, Location], loc: Locator) -> list[Finding]:
    """The hierarchy is a tree of decreasing levels with nested codes, and every department and
    location names a listed region of its own level (when the registry lists regions at all)."""
    out: list[Finding] = []

    def f(kind: str, ident: str, path: tuple[str | int, ...], code: str, message: str, hint: str) -> None:
        out.append(Finding(code, message, hint=hint, **loc(kind, ident, path)))

    for region in regions:
        if region.parent is None:
            continue
        parent = regions.get(region.parent)
        if parent is None:
            f("regions", region.code, ("parent",), "OS321",
              f"region {region.code} names parent {region.parent!r}, which the registry does not list",
              _hint(region.parent, regions.by_code, "list the parent region under regions:"))
        elif LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(region.level):
            f("regions", region.code, ("level",), "OS321",
              f"region {region.code} ({region.level.value}) lies in {parent.code} ({parent.level.value}): "
              "a region's level must be below its parent's", "correct the level or the parent")
        elif not region.code.startswith(_prefix(parent.code)) or region.code == parent.code:
            f("regions", region.code, ("code",), "OS321",
              f"region code {region.code} does not lie under its parent's code {parent.code}",
              f"codes inside {parent.code} start with {_prefix(parent.code)}")
    if not regions:
        return out
    for kind, entries in (("departments", departments), ("locations", locations)):
        for ident, entry in entries.items():
            if not entry.region:
                continue
            home = regions.get(entry.region)
            what = kind.rstrip("s")
            if home is None:
                f(kind, ident, ("region",), "OS320",
                  f"{what} {ident} names region {entry.region!r}, which the registry's regions do not list",
                  _hint(entry.region, regions.by_code, "list it under regions: with its parent"))
            elif home.level is not entry.level:
                f(kind, ident, ("region",), "OS323",
                  f"{what} {ident} is at the {entry.level.value} level but its region "
                  f"{regions.describe(entry.region)} is a {home.level.value}",
                  f"give the code of the {entry.level.value} it serves")
    return out


def build_routes(items: Mapping[str, Item], departments: Mapping[str, Department],
                 locations: Mapping[str, Location], regions: Regions,
                 loc: Locator) -> tuple[dict[str, Route], list[Finding]]:
    """Every routed item's :class:`Route`, and what is wrong with the rules that cannot be one."""
    routes: dict[str, Route] = {}
    out: list[Finding] = []
    for item in items.values():
        rule = item.routing
        if rule is None:
            continue
        found: list[Finding] = []

        def f(path: tuple[str | int, ...], code: str, message: str, hint: str,
              _code: str = item.code, _found: list[Finding] = found) -> None:
            _found.append(Finding(code, message, hint=hint, **loc("item", _code, ("department", *path))))

        _check_field(item, f)
        route = build_route(f"item {item.code}", item.code, rule, departments, locations, regions, f,
                            checked=not found)
        out.extend(found)
        if route is not None and not found:
            routes[item.code] = route
    return routes, out


def build_route(what: str, ident: str, rule: Routing, departments: Mapping[str, Department],
                locations: Mapping[str, Location], regions: Regions, f: _Report, *,
                checked: bool = True) -> Route | None:
    """The :class:`Route` of one rule (of ``what``: "item X", "request category Y"), reporting what
    is wrong with it through ``f`` (paths below the ``department:`` key); ``None`` when it cannot be
    one. ``checked``: nothing else is wrong with the owner (else only the candidates are checked)."""
    found: list[str] = []

    def report(path: tuple[str | int, ...], code: str, message: str, hint: str) -> None:
        found.append(code)
        f(path, code, message, hint)

    homes: list[tuple[str, str]] = []
    for index, dep in enumerate(rule.among):
        department = departments.get(dep)
        if department is None:
            report(("among", index), "OS301", f"unknown department {dep!r}",
                   _hint(dep, departments, "add it to the registry's departments"))
        elif department.region not in regions:
            report(("among", index), "OS320",
                   f"department {dep} has no region the registry's regions list ({department.region!r})",
                   "give the department the code of the area it serves, listed under regions:")
        else:
            homes.append((dep, department.region))
    if found or not checked:
        return None
    area = rule.area or regions.common_area([home for _, home in homes])
    if rule.area is not None and rule.area not in regions:
        report(("area",), "OS320", f"area {rule.area!r} is not in the registry's regions",
               _hint(rule.area, regions.by_code, "list it under regions:"))
    elif area is None:
        report(("among",), "OS327", "the candidate departments lie in no common area",
               "give area: the region the rule covers")
    else:
        _check_cover(what, rule.among, homes, area, regions, report)
    if found:
        return None
    assert area is not None
    where = {i: location.region for i, location in locations.items() if location.region}
    return Route(ident, rule, area, tuple(homes), regions, where)


def _check_field(item: Item, f: _Report) -> None:
    rule = item.routing
    assert rule is not None
    if rule.field is None:
        return
    field = next((x for x in item.form if x.id == rule.field), None)
    if field is None:
        f(("field",), "OS325", f"the rule reads form field {rule.field!r}, which item {item.code} does not "
          "declare", f"declare {rule.field} in the item's form with type: region")
    elif field.type is not FieldType.REGION or not field.required:
        f(("field",), "OS325", f"the rule reads form field {rule.field!r}, which is "
          f"{'optional' if field.type is FieldType.REGION else 'of type ' + field.type.value}",
          "a routing field is a required field of type: region, so every case names its area")


def _check_cover(what: str, among: tuple[str, ...], homes: list[tuple[str, str]], area: str,
                 regions: Regions, f: _Report) -> None:
    """Each candidate inside ``area``, no two covering one region, and no listed region of the
    area left without a candidate."""
    for index, (dep, home) in enumerate(homes):
        if not regions.contains(area, home):
            f(("among", among.index(dep)), "OS328",
              f"department {dep} serves {regions.describe(home)}, outside the rule's area "
              f"{regions.describe(area)}", "remove it from among: or widen area:")
            return
        for other, other_home in homes[:index]:
            if regions.contains(other_home, home) or regions.contains(home, other_home):
                f(("among", among.index(dep)), "OS326",
                  f"departments {other} and {dep} both cover {regions.describe(home)}: a case there would "
                  "have two competent departments", "list one department per area")
                return
    covered = {home for _, home in homes}
    gaps: list[str] = []
    stack = [area]
    while stack:
        code = stack.pop()
        if code in covered:
            continue
        below = regions.children(code)
        if not below:
            gaps.append(code)
        stack.extend(r.code for r in sorted(below, key=lambda r: r.code, reverse=True))
    if gaps:
        shown = ", ".join(regions.describe(g) for g in gaps[:5]) + (" …" if len(gaps) > 5 else "")
        f(("among",), "OS327", f"no competent department of {what} for {shown} in the rule's area "
          f"{regions.describe(area)}", "add the department that serves it to among:, or narrow area:")
