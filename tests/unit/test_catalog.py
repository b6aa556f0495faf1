"""Static analysis of definitions: materials, form, time limits, hashing, trips, hints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from catalog_helpers import codes, field, item, material, matter, run

from oneservice.catalog.analysis import to_unit
from oneservice.catalog.loader import check
from oneservice.catalog.plan import MatterPlan
from oneservice.domain.definitions import Limit, LimitUnit

FIXTURES = Path(__file__).parent.parent / "fixtures"


def plan_of(*docs: dict[str, Any], matter_id: str = "m") -> MatterPlan:
    report = run(*docs)
    assert report.catalogue is not None, [f.format() for f in report.findings]
    return report.catalogue.plan(matter_id)


def finding(report: Any, code: str) -> Any:
    return next(f for f in report.findings if f.code == code)


class TestConsolidatedMaterials:
    def test_upstream_material_removed(self) -> None:
        """A material an upstream item produces is not asked for; it is listed as not needed."""
        plan = plan_of(
            item("A"),
            item("B", materials=[material("licence", sources=["item:A"])]),
            matter("m", ["A", {"item": "B", "after": ["A"]}]),
        )
        assert [m.material.id for m in plan.materials] == []
        [excluded] = plan.not_needed
        assert (excluded.material.id, excluded.items, excluded.reason, excluded.provider) == (
            "licence", ("B",), "upstream", "A")
        assert excluded.provider_name.en == "Item A"

    def test_transitive_upstream_counts(self) -> None:
        """An item two steps upstream also provides its result."""
        plan = plan_of(
            item("A"), item("B"),
            item("C", materials=[material("licence", sources=["item:A"])]),
            matter("m", ["A", {"item": "B", "after": ["A"]}, {"item": "C", "after": ["B"]}]),
        )
        assert plan.materials == ()
        assert plan.upstream["C"] == frozenset({"A", "B"})

    def test_shared_material_removed(self) -> None:
        """A material available from a shared data source is not asked for."""
        plan = plan_of(
            item("A", materials=[material("id-card", sources=["applicant", "shared:population-register"])]),
            matter("m", ["A"]),
        )
        assert plan.materials == ()
        [excluded] = plan.not_needed
        assert (excluded.reason, excluded.provider, excluded.provider_name.zh) == (
            "shared", "population-register", "人口库")

    def test_result_of_item_outside_matter_is_brought(self) -> None:
        """A material from an item that is not part of the matter is brought by the applicant."""
        plan = plan_of(
            item("A"), item("Z"),
            item("B", materials=[material("licence", sources=["item:Z"])]),
            matter("m", ["A", "B"]),
        )
        assert [(m.material.id, m.items) for m in plan.materials] == [("licence", ("B",))]

    def test_dedup_across_items_lists_items(self) -> None:
        """One material needed by two items is one line naming both items."""
        plan = plan_of(
            item("A", materials=[material("lease"), material("photo")]),
            item("B", materials=[material("lease")]),
            matter("m", ["A", "B"]),
        )
        assert [(m.material.id, m.items) for m in plan.materials] == [
            ("lease", ("A", "B")), ("photo", ("A",))]

    def test_brought_for_one_item_means_not_excluded(self) -> None:
        """A material one item takes from upstream but another needs from the applicant is brought."""
        plan = plan_of(
            item("A", materials=[material("licence")]),
            item("B", materials=[material("licence", sources=["item:A"])]),
            matter("m", ["A", {"item": "B", "after": ["A"]}]),
        )
        assert [(m.material.id, m.items) for m in plan.materials] == [("licence", ("A",))]
        assert plan.not_needed == ()

    @pytest.mark.parametrize(
        ("in_a", "in_b", "waivable"),
        [
            ({"waivable": True}, {"waivable": True}, True),
            ({"waivable": True}, {}, False),
            ({}, {"waivable": True}, False),
        ],
    )
    def test_waivable_only_when_waivable_everywhere(self, in_a: dict[str, Any], in_b: dict[str, Any],
                                                    waivable: bool) -> None:
        """A consolidated material is waivable only when every item needing it allows that."""
        plan = plan_of(
            item("A", materials=[material("lease", **in_a)]),
            item("B", materials=[material("lease", **in_b)]),
            matter("m", ["A", "B"]),
        )
        assert plan.materials[0].waivable is waivable

    def test_required_when_required_anywhere(self) -> None:
        """A material optional in one item and required in another is required."""
        plan = plan_of(
            item("A", materials=[material("lease", required=False)]),
            item("B", materials=[material("lease")]),
            matter("m", ["A", "B"]),
        )
        assert plan.materials[0].required is True

    def test_material_defined_differently_warns(self) -> None:
        """One material id with two names is a warning (OS408), not an error."""
        report = run(
            item("A", materials=[material("lease")]),
            item("B", materials=[material("lease", name={"zh": "租约", "en": "Lease"})]),
            matter("m", ["A", "B"]),
        )
        assert report.ok and codes(report) == ["OS408"]


class TestUnifiedForm:
    def test_dedup_lists_items(self) -> None:
        """A field of two items appears once, naming both items, in dependency order."""
        plan = plan_of(
            item("A", form=[field("company_name"), field("capital", "decimal")]),
            item("B", form=[field("company_name")]),
            matter("m", ["A", "B"]),
        )
        assert [(f.field.id, f.items) for f in plan.form] == [
            ("company_name", ("A", "B")), ("capital", ("A",))]

    def test_required_when_required_anywhere(self) -> None:
        """A field optional in one item and required in another is required on the form."""
        plan = plan_of(
            item("A", form=[field("phone", "phone", required=False)]),
            item("B", form=[field("phone", "phone")]),
            matter("m", ["A", "B"]),
        )
        assert plan.form[0].field.required is True

    def test_type_conflict(self) -> None:
        """One field id with two types is OS407 naming both items and types."""
        report = run(
            item("A", form=[field("capital", "decimal")]),
            item("B", form=[field("capital", "string")]),
            matter("m", ["A", "B"]),
        )
        f = finding(report, "OS407")
        assert f.message == "form field 'capital' is decimal in A but string in B"
        assert (f.file, f.path) == ("2.yaml", "matter.items[1].item")

    def test_choices_conflict(self) -> None:
        """One choice field with two sets of choices is OS407."""
        report = run(
            item("A", form=[field("size", "choice", choices=["small", "large"])]),
            item("B", form=[field("size", "choice", choices=["small"])]),
            matter("m", ["A", "B"]),
        )
        assert finding(report, "OS407").message == "form field 'size' is choice in A but has other choices in B"


class TestCriticalPath:
    def test_parallel_branches(self) -> None:
        """The critical path is the longest branch; parallel items do not add up."""
        plan = plan_of(
            item("A", limits={"legal": {"value": 10}, "promised": {"value": 3}}),
            item("B", limits={"legal": {"value": 8}, "promised": {"value": 5}}),
            item("C", limits={"legal": {"value": 4}, "promised": {"value": 2}}),
            matter("m", ["A", "B", {"item": "C", "after": ["A", "B"]}], promise={"value": 7}),
        )
        assert (plan.path.items, plan.path.promised_total, plan.path.unit) == (("B", "C"), 7, "working_days")
        assert plan.path.legal_total == 14  # A → C is the longest legal path
        assert [i.code for i in plan.items] == ["A", "B", "C"]

    def test_promise_shorter_than_path(self) -> None:
        """A promise shorter than the critical path is OS403 naming the path."""
        report = run(
            item("A"), item("B"),
            matter("m", ["A", {"item": "B", "after": ["A"]}], promise={"value": 5}),
        )
        f = finding(report, "OS403")
        assert "critical path A → B (6 working days)" in f.message
        assert f.path == "matter.promise"

    def test_mixed_units_converted_with_warning(self) -> None:
        """Working-day items under a calendar-day promise are converted (⌈5 × 7/5⌉ = 7), with OS405."""
        report = run(
            item("A", limits={"legal": {"value": 10}, "promised": {"value": 5}}),
            matter("m", ["A"], promise={"value": 7, "unit": "calendar_days"}),
        )
        assert codes(report) == ["OS405"] and report.ok
        assert report.catalogue is not None
        assert report.catalogue.plan("m").path.promised_total == 7

    def test_cycle(self) -> None:
        """A dependency cycle is OS401 naming the cycle."""
        report = run(item("A"), item("B"),
                     matter("m", [{"item": "A", "after": ["B"]}, {"item": "B", "after": ["A"]}]))
        assert finding(report, "OS401").message == "dependency cycle: B → A → B"

    def test_self_dependency(self) -> None:
        """An item depending on itself is OS401."""
        report = run(item("A"), matter("m", [{"item": "A", "after": ["A"]}]))
        assert finding(report, "OS401").message == "A depends on itself"


class TestToUnit:
    def test_same_unit(self) -> None:
        """A limit in the target unit is unchanged and not flagged as converted."""
        assert to_unit(Limit(5), LimitUnit.WORKING_DAYS) == (5, False)

    def test_working_to_calendar(self) -> None:
        """N working days are ⌈N × 7 / 5⌉ calendar days."""
        assert to_unit(Limit(3), LimitUnit.CALENDAR_DAYS) == (5, True)

    def test_calendar_to_working(self) -> None:
        """N calendar days are at most N working days."""
        assert to_unit(Limit(9, LimitUnit.CALENDAR_DAYS), LimitUnit.WORKING_DAYS) == (9, True)


class TestItemLimits:
    def test_promised_over_legal(self) -> None:
        """A promise longer than the legal limit is OS402."""
        report = run(item("A", limits={"legal": {"value": 5}, "promised": {"value": 6}}))
        assert codes(report) == ["OS402"]

    def test_promised_over_legal_across_units(self) -> None:
        """10 working days (about 14 calendar days) exceed a legal limit of 10 calendar days."""
        report = run(item("A", limits={"legal": {"value": 10, "unit": "calendar_days"},
                                       "promised": {"value": 10}}))
        assert finding(report, "OS402").message == (
            "promised limit 10 working days (about 14 calendar days) exceeds the legal limit "
            "10 calendar days")

    def test_immediate_with_multi_day_limit(self) -> None:
        """An immediate item promising more than one day is OS404; one day is fine."""
        assert codes(run(item("A", kind="immediate"))) == ["OS404"]
        assert run(item("A", kind="immediate", limits={"legal": {"value": 5}, "promised": {"value": 1}})).ok


class TestContentHash:
    def test_stable_across_loads(self) -> None:
        """Loading the same files twice gives the same hash."""
        first = check([FIXTURES / "minimal"])
        again = check([FIXTURES / "minimal"])
        assert first.catalogue is not None and again.catalogue is not None
        h = first.catalogue.content_hash("start")
        assert h == again.catalogue.content_hash("start")
        assert h.startswith("sha256:") and len(h) == len("sha256:") + 64

    def test_ignores_formatting_and_order(self) -> None:
        """Comments, key order and file names do not change the hash."""
        base = plan_of(item("A", materials=[material("lease")]), matter("m", ["A"]))
        reordered = item("A", materials=[material("lease")])
        reordered["item"] = dict(reversed(list(reordered["item"].items())))
        other = plan_of(matter("m", ["A"]), reordered)
        assert base.content_hash == other.content_hash

    @pytest.mark.parametrize(
        "change",
        [
            {"version": 2},
            {"name": {"zh": "新名", "en": "New name"}},
            {"department": "hz-psb"},
            {"limits": {"legal": {"value": 10}, "promised": {"value": 2}}},
            {"materials": [material("lease", waivable=True)]},
            {"materials": [material("lease", sources=["applicant", "shared:population-register"])]},
            {"form": [field("phone", "phone")]},
            {"fee": {"amount": "10"}},
            {"result": {"id": "result", "name": {"zh": "结果", "en": "Result"}, "form": "paper"}},
            {"delivery": ["window", "mail"]},
            {"onsite": {"stage": "review", "reason": {"zh": "面谈", "en": "interview"}}},
        ],
        ids=lambda c: next(iter(c)),
    )
    def test_changes_with_any_item_field(self, change: dict[str, Any]) -> None:
        """Changing any field of an item of the matter changes the hash."""
        base = plan_of(item("A", materials=[material("lease")]), matter("m", ["A"], trip_budget=2))
        changed = plan_of(item("A", **{"materials": [material("lease")], **change}),
                          matter("m", ["A"], trip_budget=2))
        assert base.content_hash != changed.content_hash

    def test_changes_with_matter_field(self) -> None:
        """Changing the matter (here its promise) changes the hash."""
        base = plan_of(item("A"), matter("m", ["A"]))
        changed = plan_of(item("A"), matter("m", ["A"], promise={"value": 29}))
        assert base.content_hash != changed.content_hash

    def test_unrelated_item_does_not_change_it(self) -> None:
        """An item outside the matter does not change the matter's hash."""
        base = plan_of(item("A"), matter("m", ["A"]))
        other = plan_of(item("A"), item("Z"), matter("m", ["A"]))
        assert base.content_hash == other.content_hash


ORIGINALS = {"stage": "intake", "reason": {"zh": "核验原件", "en": "originals are checked"}}


class TestAnalyseTrips:
    def test_zero_trip_matter(self) -> None:
        """Online intake, electronic delivery and online supplements: no trip in any case."""
        plan = plan_of(
            item("A", materials=[material("lease", waivable=True)]),
            matter("m", ["A"], intake={"channels": ["online", "mobile"]},
                   pickup={"channels": ["electronic"]}, trip_budget=0),
        )
        assert (plan.trips.best, plan.trips.worst, plan.trips.budget) == (0, 0, 0)
        assert plan.trips.steps == () and plan.trips.after_notice == 0
        assert plan.trips.delivery_channels == frozenset({"electronic"})

    def test_originals_and_window_pickup_exceed_budget(self) -> None:
        """Originals checked at intake plus window-only pickup, no same visit: OS501 naming both."""
        report = run(
            item("A", kind="immediate", limits={"legal": {"value": 5}, "promised": {"value": 0}},
                 onsite=ORIGINALS, delivery=["window"]),
            matter("m", ["A"], pickup={"channels": ["window"]}),
        )
        f = finding(report, "OS501")
        assert f.message == (
            "worst case 2 on-site trip(s) exceeds the trip budget of 1 (best 2); trips forced by: "
            "intake: A (Item A): originals are checked; pickup: result (both) can only be handed over at the window")
        assert f.path == "matter.trip_budget" and f.hint is not None

    def test_same_visit_pickup_of_immediate_items(self) -> None:
        """With same-visit pickup and only immediate items, intake and pickup are one trip."""
        immediate = {"kind": "immediate", "limits": {"legal": {"value": 5}, "promised": {"value": 0}}}
        plan = plan_of(
            item("A", onsite=ORIGINALS, delivery=["window"], **immediate),
            item("B", delivery=["window"], **immediate),
            matter("m", ["A", "B"], pickup={"channels": ["window"], "same_visit": True}),
        )
        assert (plan.trips.best, plan.trips.worst) == (1, 1)
        assert [(s.stage, s.trips) for s in plan.trips.steps] == [("intake", 1), ("pickup", 0)]

    def test_same_visit_needs_immediate_items(self) -> None:
        """Same-visit pickup with a promised item is OS502."""
        report = run(item("A"), matter("m", ["A"], pickup={"channels": ["mail"], "same_visit": True}))
        assert codes(report) == ["OS502"]

    def test_window_only_correction_adds_to_worst(self) -> None:
        """A correction that can only be supplied at the window is a worst-case trip."""
        report = run(item("A"), matter("m", ["A"], intake={"channels": ["window"]},
                                       correction={"channels": ["window"]}))
        f = finding(report, "OS501")
        assert "worst case 2 on-site trip(s) exceeds the trip budget of 1 (best 1)" in f.message
        assert "correction: a correction can only be supplied at the window" in f.message

    def test_window_only_deficiency_supplement_adds_to_worst(self) -> None:
        """A waivable material whose supplement needs the window adds a worst-case trip."""
        plan = plan_of(
            item("A", materials=[material("lease", waivable=True)]),
            matter("m", ["A"], supplement={"channels": ["window"]}),
        )
        assert (plan.trips.best, plan.trips.worst) == (0, 1)
        assert [(s.stage, s.scenario) for s in plan.trips.steps] == [("supplement", "worst")]
        assert plan.trips.after_notice == 1

    def test_no_waivable_material_no_deficiency_trip(self) -> None:
        """Without a waivable material, a window-only supplement only affects the notice case."""
        plan = plan_of(item("A", materials=[material("lease")]),
                       matter("m", ["A"], supplement={"channels": ["window"]}))
        assert (plan.trips.best, plan.trips.worst, plan.trips.after_notice) == (0, 0, 1)

    def test_review_visit_of_immediate_item_merges_with_intake(self) -> None:
        """An immediate item's on-site review happens in the intake visit."""
        plan = plan_of(
            item("A", kind="immediate", limits={"legal": {"value": 5}, "promised": {"value": 1}},
                 onsite={"stage": "review", "reason": {"zh": "签字", "en": "signature"}}),
            matter("m", ["A"], intake={"channels": ["window"]}),
        )
        assert [(s.stage, s.trips) for s in plan.trips.steps] == [("intake", 1), ("review", 0)]

    def test_review_visit_of_promised_item_is_a_trip(self) -> None:
        """A promised item's on-site review is a trip of its own."""
        plan = plan_of(
            item("A", onsite={"stage": "review", "reason": {"zh": "面谈", "en": "interview"}}),
            matter("m", ["A"], trip_budget=1),
        )
        assert (plan.trips.best, plan.trips.worst) == (1, 1)

    def test_each_result_routed_by_its_form(self) -> None:
        """Each result keeps the channels its form suits: a paper result drops electronic only."""
        plan = plan_of(
            item("A"),
            item("B", result={"id": "seal", "name": {"zh": "印章", "en": "Seal"}, "form": "paper"},
                 delivery=["window", "mail", "electronic"]),
            matter("m", ["A", "B"]),
        )
        routes = {r.result.id: {c.value for c in r.channels} for r in plan.trips.results}
        assert routes == {"result": {"window", "mail", "electronic"}, "seal": {"window", "mail"}}
        assert plan.trips.delivery_channels == frozenset({"window", "mail", "electronic"})
        assert plan.trips.worst == 0

    def test_no_common_channel(self) -> None:
        """No channel allowed by the matter and every result is OS409."""
        report = run(item("A", delivery=["window"]), matter("m", ["A"], pickup={"channels": ["mail"]}))
        assert codes(report) == ["OS409"]


class TestDidYouMean:
    def test_unknown_department(self) -> None:
        """An unknown department suggests the closest known one."""
        report = run(item("A", department="hz-amrr"))
        f = finding(report, "OS301")
        assert (f.message, f.path) == ("unknown department 'hz-amrr'", "item.department")
        assert f.hint is not None and f.hint.startswith("did you mean 'hz-amr'")

    def test_unknown_key(self) -> None:
        """An unknown key suggests the closest allowed key and lists the allowed ones."""
        doc = item("A")
        doc["item"]["materails"] = doc["item"].pop("materials")
        f = finding(run(doc), "OS201")
        assert f.message == "unknown key 'materails'"
        assert f.hint is not None and f.hint.startswith("did you mean 'materials'? allowed here: code, version")

    def test_unknown_choice(self) -> None:
        """A value outside a fixed set suggests the closest allowed value."""
        f = finding(run(item("A", kind="promissed")), "OS203")
        assert (f.message, f.hint) == ("'promissed' is not allowed here; must be one of: immediate, promised",
                                       "did you mean 'promised'?")

    def test_unknown_item_in_matter(self) -> None:
        """An unknown item of a matter suggests the closest item code."""
        f = finding(run(item("SCJG-1"), matter("m", ["SCJG-2"])), "OS302")
        assert f.hint == "did you mean 'SCJG-1'?"

    def test_invalid_item_is_not_also_unknown(self) -> None:
        """A matter using an item whose file has errors gets no extra unknown-item finding."""
        report = run(item("A", kind="bogus"), matter("m", ["A"]))
        assert codes(report) == ["OS203"]


class TestCalendarFiles:
    def test_engine_form_loads(self) -> None:
        """The engine's calendar file form (top-level year:) loads as calendar data."""
        report = check([FIXTURES / "calendars" / "2027.yaml"])
        assert report.ok and report.catalogue is not None
        [cal] = report.catalogue.calendars
        assert cal.year == 2027 and len(cal.workdays) == 2
        assert len(cal.days_off) == 10 and all(d.weekday() < 5 for d in cal.holidays)

    def test_wrapped_form_loads(self) -> None:
        """A calendar under a calendar: key loads too."""
        report = run({"calendar": {"year": 2027, "source": "s", "holidays": [], "workdays": []}})
        assert report.ok

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"holidays": [{"from": "2026-12-31", "to": "2027-01-01"}]}, "2026-12-31 is not in 2027"),
            ({"workdays": ["2027-01-04"]},
             "make-up workday 2027-01-04 (Monday) is not a Saturday or Sunday, so it is a working day anyway"),
            ({"workdays": ["2027-01-02"], "holidays": [{"from": "2027-01-01", "to": "2027-01-03"}]},
             "2027-01-02 is also inside a holiday range"),
        ],
    )
    def test_bad_dates(self, body: dict[str, Any], message: str) -> None:
        """Dates outside the year, weekday make-up days and overlaps are OS601."""
        report = run({"year": 2027, "source": "s", "holidays": [], "workdays": [], **body})
        assert [(f.code, f.message) for f in report.findings] == [("OS601", message)]

    def test_duplicate_year(self) -> None:
        """Two calendars of one year are OS205."""
        cal = {"year": 2027, "source": "s", "holidays": [], "workdays": []}
        assert codes(run(cal, cal)) == ["OS205"]
