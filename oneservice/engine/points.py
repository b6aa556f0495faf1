"""Where a case is taken in and where its results are handed out (docs/authoring.md, "Intake and
pickup points"): the levels a matter allows, results that return to the intake point, a pickup
point the applicant chooses, and results that need a window of a given level.

A case's results wait at its pickup point (``Case.pickup_location``): the intake point when it
may hand them out, else the nearest point above it that may; the applicant may choose another
(``choose_pickup``) or have them mailed, pushed or brought by their agent. A window hand-over
happens at the pickup point, at a window of the level each result needs.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from ..catalog.plan import ResultRoute
from ..domain.case import Actor, Case, Role
from ..domain.definitions import LEVEL_RANK, Channel, FieldType, Level, Location
from ..domain.regions import RouteBy
from ..errors import NotAuthorised, PointError
from .base import EngineBase


class Points(EngineBase):
    def _point(self, case_id: str, location: str, field: str = "location") -> Location | None:
        """The registry's service location ``location`` (``None``: the engine knows no registry)."""
        if not self.locations:
            return None
        point = self.locations.get(location)
        if point is None:
            close = difflib.get_close_matches(str(location), list(self.locations), n=1)
            raise PointError(f"{location!r} is not a service location of the registry",
                             field=field, case_id=case_id, hint=f"did you mean {close[0]!r}?" if close else
                             "name a location listed under the registry's locations")
        return point

    def _check_intake_point(self, case_id: str, location: str, channel: str) -> None:
        """The intake location exists; taken in on site (window, agent), its level is one the matter
        takes cases in at. An online case names the location that handles it, at any level."""
        point = self._point(case_id, location)
        on_site = channel in (Channel.WINDOW.value, Channel.AGENT.value)
        if point is not None and on_site and point.level not in self.matter.intake_levels:
            allowed = "、".join(lv.label.zh for lv in _ordered(self.matter.intake_levels))
            raise PointError(
                f"matter {self.matter.id} is not taken in at {point.level.label.en} points "
                f"({point.name.en}, {location})", field="location", case_id=case_id,
                hint=f"take it in at a point of these levels / 受理层级: {allowed}")

    def _window_only(self, case: Case | None = None) -> list[ResultRoute]:
        plan = self.plan_for(case) if case is not None else self.plan
        return [r for r in plan.trips.results if r.on_site_only]

    def _misfit(self, point: Location, routes: Iterable[ResultRoute]) -> str | None:
        """Why ``point`` cannot hand out the results (``None``: it can)."""
        if point.level not in self.matter.pickup_levels:
            allowed = ", ".join(lv.label.en for lv in _ordered(self.matter.pickup_levels))
            return (f"matter {self.matter.id} hands results out at {allowed} windows, not at the "
                    f"{point.level.label.en} point {point.id}")
        for route in routes:
            if not route.result.fits_window(point.level):
                needs = route.result.window_level.label.en  # type: ignore[union-attr]
                return (f"result {route.result.id!r} of {route.item} is handed over at a window of the "
                        f"{needs} level or above, not at the {point.level.label.en} point {point.id}")
        return None

    def _default_pickup(self, case: Case) -> str | None:
        """The intake point if it may hand the results out, else the nearest point above it that
        may (up the region hierarchy), else none (mail, electronic delivery, or a chosen point)."""
        point = self.locations.get(case.location)
        if point is None:
            return case.location
        routes = self._window_only()
        if self._misfit(point, routes) is None:
            return point.id
        for region in self.regions.chain(point.region)[1:] if point.region else []:
            fits = sorted(loc.id for loc in self.locations.values()
                          if loc.region == region and self._misfit(loc, routes) is None)
            if fits:
                return fits[0]
        return None

    def choose_pickup(self, case: Case, actor: Actor, now: dt.datetime, location: str) -> None:
        """The applicant chooses the point whose window hands their results out (就近取件)."""
        self.authorise(case, actor, "choose_pickup")
        self._case_step(case, "choose_pickup", actor)
        point = self._point(case.id, location)
        if point is not None:
            why = self._misfit(point, self._window_only(case))
            if why is not None:
                raise PointError(why, field="location", case_id=case.id, state=str(case.state),
                                 hint="choose a point of a level the matter allows, or have the results "
                                      "mailed or delivered electronically")
        before = case.pickup_location
        if before == location:
            raise self._reject(case, f"the results already wait at {location}", "already_there")
        case.pickup_location = location
        self._event(case, now, "PickupPointChosen", actor, location=location, before=before)

    def _check_agent_area(self, case: Case, actor: Actor, values: Mapping[str, Any]) -> None:
        """An agent attached to a point (代办员) acts for the applicants of its area: a region the
        form gives (a residence, a property) lies within the point's area, or the point within it.
        The district an applicant chooses under a rule ``by: choice`` (同城通办) may lie anywhere."""
        if actor.role is not Role.AGENT or not actor.location:
            return
        point = self.locations.get(actor.location)
        if point is None or not point.region:
            return
        # the applicant's own areas (a residence, a property); not the district they choose (同城通办)
        chosen = {r.rule.field for r in self.plan.routes.values() if r.rule.by is RouteBy.CHOICE}
        regions = {f.id for f in self.form_fields if f.type is FieldType.REGION and f.id not in chosen}
        for name, value in values.items():
            if name not in regions or value is None:
                continue
            if not (self.regions.contains(point.region, value) or self.regions.contains(value, point.region)):
                raise NotAuthorised(
                    f"form.{name}: {self.regions.describe(value)} is outside the area of agent {actor.id}'s "
                    f"point {point.id} ({self.regions.describe(point.region)}): an agent acts for the "
                    "applicants of its own area", case_id=case.id, actor=actor.describe())

    def _check_handover_point(self, case: Case, actor: Actor, routes: list[ResultRoute],
                              handed: dict[str, tuple[str, str | None]]) -> None:
        """A window hand-over happens at the case's pickup point, at a window each result fits."""
        at_window = [r for r in routes if r.result.id in handed
                     and Channel(handed[r.result.id][0]) is Channel.WINDOW]
        if not at_window or not self.locations:
            return
        where = actor.location or ""
        if case.pickup_location is None:
            raise self._reject(case, "no pickup point is chosen for this case's results: choose one "
                               "(choose_pickup) or mail them", "no_pickup_point")
        if where != case.pickup_location:
            raise self._reject(
                case, f"the results wait at {case.pickup_location}, not at {where}: hand them over there, "
                "or choose this point first (choose_pickup)", "other_pickup_point",
                {"pickup_location": case.pickup_location})
        point = self._point(case.id, where)
        if point is not None:
            why = self._misfit(point, at_window)
            if why is not None:
                raise self._reject(case, why, "window_level", {"location": where})


def _ordered(levels: Iterable[Level]) -> list[Level]:
    return sorted(levels, key=LEVEL_RANK.__getitem__)
