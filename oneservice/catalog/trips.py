"""Counting trips (到现场次数) from a matter's rules alone, before any case exists.

The rule is documented in ``docs/authoring.md`` ("Counting trips"): each step adds one trip or
none and counts always or only in the worst case; each result is routed by the channels its
form, its item and the matter allow (OS409 when none is left).

Trips are counted per party role ("Parties" in docs/authoring.md): every step is the applicant's
(the matter's first role), except intake, which every role ``present_at_intake`` attends too;
the budget holds for each role and OS501 names the role over it. An agent's role (``acts_for``)
counts the trips of the party it acts for: at worst the agent comes in their place every time.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.definitions import (
    APPLICANT_ROLE,
    LEVEL_RANK,
    Channel,
    Item,
    ItemKind,
    Matter,
    OnsiteStage,
    OnsiteVisit,
    Text,
)
from .plan import PartyTrips, ResultRoute, Scenario, TripAnalysis, TripStage, TripStep

__all__ = ["analyse_trips"]


def _result_channels(matter: Matter, item: Item) -> frozenset[Channel]:
    """The channels that hand over ``item``'s result: the matter's, the item's and its form's."""
    return frozenset(matter.pickup_channels & item.delivery & item.result.form.channels)


def _no_trip(channels: Iterable[Channel]) -> bool:
    return any(not c.on_site for c in channels)


TripProblem = tuple[tuple[str | int, ...], str, str, str | None]
"""(key path, code, message, item code): the path is in the matter, or in that item's file."""


def analyse_trips(matter: Matter, items: list[Item], waivable_owed: bool) -> tuple[TripAnalysis,
                                                                                  list[TripProblem]]:
    """Count trips; see "Counting trips" in docs/authoring.md.

    ``items`` are the matter's items in dependency order; ``waivable_owed`` says whether a
    material may be owed under deficiency acceptance. Returns the analysis and the problems
    as (key path, code, message).
    """
    steps: list[TripStep] = []
    problems: list[TripProblem] = []
    applicant = matter.applicant_role
    present = [p for p in matter.parties if p.present_at_intake]
    at_intake = (applicant.role, *(p.role for p in present if p is not applicant))

    def step(stage: TripStage, trips: int, scenario: Scenario, zh: str, en: str,
             parties: tuple[str, ...] = (applicant.role,)) -> None:
        steps.append(TripStep(stage, trips, scenario, Text(zh, en), parties))

    def onsite(stage: OnsiteStage) -> list[tuple[Item, OnsiteVisit]]:
        return [(i, i.onsite) for i in items if i.onsite is not None and i.onsite.stage is stage]

    intake_onsite = onsite(OnsiteStage.INTAKE)
    window_only_intake = not _no_trip(matter.intake_channels)
    applicant_present = applicant.present_at_intake
    intake_forced = window_only_intake or bool(intake_onsite) or applicant_present
    if window_only_intake:
        step("intake", 1, "always", "受理渠道仅限窗口", "intake is at the window only", at_intake)
    elif applicant_present:
        step("intake", 1, "always", f"{applicant.name.zh}须到窗口当面申请",
             f"the {applicant.name.en} ({applicant.role}) comes to the window at intake", at_intake)
    for n, (item, visit) in enumerate(intake_onsite):
        merged = window_only_intake or applicant_present or n > 0
        step("intake", 0 if merged else 1, "always",
             f"{item.name.zh}：{visit.reason.zh}" + ("（与受理同次到场）" if merged else ""),
             f"{item.code} ({item.name.en}): {visit.reason.en}" + (" (same visit)" if merged else ""),
             at_intake)
    if not intake_forced:  # the applicant may apply online; the others still come to the window
        for party in present:
            step("intake", 1, "always", f"{party.name.zh}须到窗口当面签字",
                 f"the {party.name.en} ({party.role}) comes to the window at intake", (party.role,))

    for item, visit in onsite(OnsiteStage.REVIEW):
        if visit.by == "staff":  # 上门核查: staff travel, the applicant does not
            step("review", 0, "always", f"{item.name.zh}：{visit.reason.zh}（工作人员上门，不计跑动）",
                 f"{item.code} ({item.name.en}): {visit.reason.en} (staff visit the applicant: no trip)")
            continue
        merged = item.kind is ItemKind.IMMEDIATE and intake_forced
        step("review", 0 if merged else 1, "always",
             f"{item.name.zh}：{visit.reason.zh}" + ("（即办，与受理同次）" if merged else ""),
             f"{item.code} ({item.name.en}): {visit.reason.en}"
             + (" (immediate item, same visit as intake)" if merged else ""))

    routes = tuple(ResultRoute(i.code, i.result, _result_channels(matter, i)) for i in items)
    for index, route in enumerate(routes):
        if not route.channels:
            form = route.result.form.value
            suits = ", ".join(sorted(c.value for c in route.result.form.channels))
            problems.append((("result", "form"), "OS409",
                             f"matter {matter.id}: result {route.result.id!r} of {route.item} ({form}) "
                             f"has no delivery "
                             f"channel left: it suits {suits}, the item allows "
                             f"{', '.join(sorted(c.value for c in items[index].delivery))} and the "
                             f"matter's pickup allows "
                             f"{', '.join(sorted(c.value for c in matter.pickup_channels))}",
                             route.item))
    for route in routes:
        level = route.result.window_level
        if level is not None and Channel.WINDOW in route.channels and not any(
                route.result.fits_window(lv) for lv in matter.pickup_levels):
            problems.append((("pickup", "levels"), "OS503",
                             f"result {route.result.id!r} of {route.item} is handed over at a window of the "
                             f"{level.label.en} level or above, but matter {matter.id} hands results out "
                             f"only at {', '.join(sorted(lv.value for lv in matter.pickup_levels))} windows",
                             None))
    all_immediate = all(i.kind is ItemKind.IMMEDIATE for i in items)
    if matter.same_visit_pickup and not all_immediate:
        promised = next(i.code for i in items if i.kind is not ItemKind.IMMEDIATE)
        problems.append((("pickup", "same_visit"), "OS502",
                         f"same-visit pickup needs every item to be immediate, "
                         f"but {promised} is a promised item", None))
    pickup_onsite = onsite(OnsiteStage.PICKUP)
    window_only = [r for r in routes if r.on_site_only]
    pickup_forced = bool(window_only) or bool(pickup_onsite)
    if pickup_forced:
        same_visit = matter.same_visit_pickup and all_immediate and intake_forced
        # taken in at a point below the window a result needs: its pickup is elsewhere, another trip
        elsewhere = sorted((lv for lv in matter.intake_levels
                            if not all(r.result.fits_window(lv) for r in window_only)),
                           key=LEVEL_RANK.__getitem__)
        if pickup_onsite:
            it, visit = pickup_onsite[0]
            zh, en = f"{it.name.zh}：{visit.reason.zh}", f"{it.code} ({it.name.en}): {visit.reason.en}"
        else:
            first = window_only[0]
            zh = f"{first.result.name.zh}仅能在窗口领取"
            en = f"{first.result.id} ({first.result.form.value}) can only be handed over at the window"
        if same_visit:
            zh += "（即办件当场出件，与受理同次）"
            en += " (immediate items issued in the intake visit)"
        step("pickup", 0 if same_visit else 1, "always", zh, en)
        if same_visit and elsewhere:
            step("pickup", 1, "worst" if len(elsewhere) < len(matter.intake_levels) else "always",
                 f"在{'、'.join(lv.label.zh for lv in elsewhere)}受理点受理时，结果须到更高层级窗口领取",
                 f"taken in at a {' or '.join(lv.label.en for lv in elsewhere)} point, a result is handed "
                 "over at a higher-level window: another trip")

    if any(i.kind is ItemKind.PROMISED for i in items) and not _no_trip(matter.correction_channels):
        step("correction", 1, "worst", "补正材料仅能到窗口提交",
             "a correction can only be supplied at the window")
    if waivable_owed and not _no_trip(matter.supplement_channels):
        step("supplement", 1, "worst", "容缺材料仅能到窗口补交",
             "materials owed under deficiency acceptance can only be supplied at the window")
    after_notice = 0 if _no_trip(matter.supplement_channels) else 1

    parties = []
    for party in matter.parties:
        stands_in = party.acts_for or party.role  # an agent comes wherever their principal would
        own = [s for s in steps if stands_in in s.parties]
        best = sum(s.trips for s in own if s.scenario == "always")
        worst = best + sum(s.trips for s in own if s.scenario == "worst")
        parties.append(PartyTrips(party.role, party.name, best, worst))
        if worst > matter.trip_budget:
            named = "; ".join(s.describe("en") for s in own if s.trips)
            whose = ("" if matter.parties == (APPLICANT_ROLE,)
                     else f" of party {party.role!r} ({party.name.en})")
            problems.append((("trip_budget",), "OS501",
                             f"worst case {worst} on-site trip(s){whose} exceeds the trip budget of "
                             f"{matter.trip_budget} (best {best}); trips forced by: {named}", None))
    mine = parties[0]
    analysis = TripAnalysis(mine.best, mine.worst, matter.trip_budget, tuple(steps), after_notice,
                            frozenset(c.value for r in routes for c in r.channels), routes, tuple(parties))
    return analysis, problems
