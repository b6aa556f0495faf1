"""Static checks of the law's clocks and the single window: results routed one by one (OS409),
the joint-handling ceiling (OS412), the 容缺 period against the promise (OS413)."""

from __future__ import annotations

import shutil
from pathlib import Path

from catalog_helpers import codes, item, material, matter, run
from click.testing import CliRunner

from oneservice.catalog.loader import check
from oneservice.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"

SEAL_ITEM = """\
item:
  code: SEAL-1
  version: 1
  name: {zh: 印章刻制, en: Seal engraving}
  department: hz-psb
  kind: promised
  limits:
    legal: {value: 1}
    promised: {value: 1}
  result:
    id: seals
    name: {zh: 实物印章, en: Physical seals}
    form: physical
  delivery: [window, mail, electronic]
"""

ELECTRONIC_ONLY_MATTER = """\
matter:
  id: seal-only
  version: 1
  name: {zh: 刻章, en: Seals}
  items:
    - item: SEAL-1
  intake: {channels: [online]}
  supplement: {channels: [online]}
  correction: {channels: [online]}
  pickup: {channels: [electronic]}
  promise: {value: 2}
"""


def _catalogue(tmp_path: Path, pickup: str = "[electronic]") -> Path:
    root = tmp_path / "workflows"
    shutil.copytree(FIXTURES / "minimal", root)
    (root / "items" / "seal.yaml").write_text(SEAL_ITEM, encoding="utf-8")
    (root / "matters" / "seal.yaml").write_text(
        ELECTRONIC_ONLY_MATTER.replace("[electronic]", pickup), encoding="utf-8"
    )
    return root


class TestResultRoutes:
    def test_physical_result_with_electronic_pickup_only_is_an_error_at_the_result(self, tmp_path: Path) -> None:
        """A physical result whose only channel left is electronic: OS409 at the result's form line."""
        report = check([_catalogue(tmp_path)])
        [finding] = [f for f in report.findings if f.code == "OS409"]
        assert finding.file is not None and finding.file.endswith("items/seal.yaml")
        assert (finding.line, finding.column) == (13, 5)
        assert "seals" in finding.message and "physical" in finding.message and "seal-only" in finding.message

    def test_cli_check_fails_with_the_code_at_the_file_line(self, tmp_path: Path) -> None:
        root = _catalogue(tmp_path)
        result = CliRunner().invoke(main, ["check", str(root)])
        assert result.exit_code == 1
        assert "items/seal.yaml:13:5: OS409" in result.output

    def test_mail_left_for_the_physical_result_checks_clean(self, tmp_path: Path) -> None:
        report = check([_catalogue(tmp_path, "[electronic, mail]")])
        assert report.ok, [f.format() for f in report.findings]
        plan = report.catalogue.plan("seal-only")  # type: ignore[union-attr]
        route = plan.trips.route("seals")
        assert route is not None and {c.value for c in route.channels} == {"mail"}
        assert plan.trips.worst == 0

    def test_window_only_physical_result_counts_a_pickup_trip(self, tmp_path: Path) -> None:
        """The trip analysis counts a window pickup for a physical result honestly."""
        report = check([_catalogue(tmp_path, "[electronic, window]")])
        assert report.ok, [f.format() for f in report.findings]
        trips = report.catalogue.plan("seal-only").trips  # type: ignore[union-attr]
        assert (trips.best, trips.worst) == (1, 1)
        [pickup] = [s for s in trips.steps if s.stage == "pickup"]
        assert pickup.trips == 1 and "seals" in pickup.why.en

    def test_each_result_keeps_its_own_channels(self) -> None:
        """An electronic result and a paper one: electronic for one, mail/window for the other."""
        paper = {"id": "paper", "name": {"zh": "纸质", "en": "Paper"}, "form": "paper"}
        electronic = {"id": "record", "name": {"zh": "电子", "en": "Record"}, "form": "electronic"}
        report = run(
            item("P-1", result=paper), item("E-1", result=electronic, delivery=["electronic"]),
            matter("mixed", ["P-1", "E-1"]),
        )
        assert report.ok, codes(report)
        trips = report.catalogue.plan("mixed").trips  # type: ignore[union-attr]
        assert {c.value for c in trips.route("paper").channels} == {"mail", "window"}  # type: ignore[union-attr]
        assert {c.value for c in trips.route("record").channels} == {"electronic"}  # type: ignore[union-attr]


class TestJointHandlingCeiling:
    def _long_chain(self, **over: object) -> list[str]:
        first = item("L-1", limits={"legal": {"value": 30}, "promised": {"value": 10}})
        second = item("L-2", department="hz-tax", limits={"legal": {"value": 20}, "promised": {"value": 10}})
        return codes(run(first, second, matter("long", ["L-1", {"item": "L-2", "after": ["L-1"]}], **over)))

    def test_two_departments_over_45_working_days_is_refused(self) -> None:
        assert "OS412" in self._long_chain()

    def test_a_declared_legal_basis_allows_it(self) -> None:
        assert "OS412" not in self._long_chain(joint_handling={"legal_basis": "某条例第十条另有规定"})

    def test_one_department_is_not_joint_handling(self) -> None:
        first = item("L-1", limits={"legal": {"value": 30}, "promised": {"value": 10}})
        second = item("L-2", limits={"legal": {"value": 20}, "promised": {"value": 10}})
        report = run(first, second, matter("long", ["L-1", {"item": "L-2", "after": ["L-1"]}]))
        assert "OS412" not in codes(report)


class TestDeficiencyPeriod:
    def _with(self, **deficiency: object) -> list[str]:
        owed = material("lease", waivable=True)
        return codes(run(item("D-1", materials=[owed]), matter("d", ["D-1"], promise={"value": 3},
                                                                  deficiency=deficiency)))

    def test_longer_than_the_promise_needs_a_reason(self) -> None:
        assert "OS413" in self._with(days=5)
        assert "OS413" not in self._with(days=5, reason="结果待补齐后出件 / results wait for it")
        assert "OS413" not in self._with(days=3)

    def test_no_waivable_material_no_check(self) -> None:
        report = run(item("D-1"), matter("d", ["D-1"], promise={"value": 3}, deficiency={"days": 5}))
        assert "OS413" not in codes(report)

    def test_the_gating_condition_is_checked_at_load(self) -> None:
        bad = {"when": "credit_grade ==", "message": {"zh": "信用", "en": "Credit"}}
        unknown = {"when": "credit_grde == 'A'", "message": {"zh": "信用", "en": "Credit"}}
        assert "OS306" in self._with(days=3, condition=bad)
        assert "OS307" in self._with(days=3, condition=unknown)


class TestRegistryPolicyClocks:
    def _registry(self, tmp_path: Path, clocks: str) -> Path:
        root = tmp_path / "workflows"
        shutil.copytree(FIXTURES / "minimal", root)
        registry = root / "registry.yaml"
        text = registry.read_text(encoding="utf-8").replace("  version: 1\n", f"  version: 1\n  policy:\n{clocks}", 1)
        registry.write_text(text, encoding="utf-8")
        return root

    def test_a_jurisdiction_may_shorten_the_notice_period(self, tmp_path: Path) -> None:
        report = check([self._registry(tmp_path, "    notice_or_accept_days: 3\n")])
        assert report.ok, [f.format() for f in report.findings]
        clocks = report.catalogue.policy.base.clocks  # type: ignore[union-attr]
        assert (clocks.notice_or_accept_days, clocks.issuing_days) == (3, 10)

    def test_never_lengthen_a_statutory_period(self, tmp_path: Path) -> None:
        """OS414 names the article whose period the registry would lengthen."""
        report = check([self._registry(tmp_path, "    notice_or_accept_days: 7\n")])
        [finding] = [f for f in report.findings if f.code == "OS414"]
        assert "第三十二条" in finding.message and finding.file is not None
        assert finding.file.endswith("registry.yaml")

    def test_the_service_runs_the_registry_periods(self, tmp_path: Path) -> None:
        """A submitted case of that registry must be answered within 3 working days, not 5."""
        import datetime as dt

        from oneservice import TZ, Actor, Applicant, OneService, Role, SimulatedClock, Store
        from oneservice.samples import sample_form, sample_resident_id

        catalogue = check([self._registry(tmp_path, "    notice_or_accept_days: 3\n")]).catalogue
        assert catalogue is not None
        store = Store(f"sqlite:///{tmp_path / 'c.sqlite'}")
        store.migrate()
        clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))  # a Monday
        service = OneService(catalogue, store, clock=clock)
        matter_id = next(iter(catalogue.plans))
        plan = catalogue.plan(matter_id)
        person = Applicant("person", sample_resident_id(5), "钱七")
        me = Actor(Role.APPLICANT, "qian", applicant_id=person.id_number)
        channel = sorted(c.value for c in plan.matter.intake_channels if c.value in ("online", "mobile"))[0]
        case = service.open_case(me, matter_id, person, channel=channel, location="hz-citizen-centre")
        service.submit(me, case.id, form=sample_form(plan), materials=[], channel=channel)
        notice = service.case(Actor(Role.SUPERVISOR, "s"), case.id).deadlines[("notice", case.id)]
        assert (notice.amount, notice.due) == (3, dt.date(2026, 11, 5))
        store.dispose()


class TestRegionalPolicy:
    def test_the_longest_matching_region_wins(self, tmp_path: Path) -> None:
        """A district's override applies to the locations in it; other locations keep the registry's."""
        root = tmp_path / "workflows"
        shutil.copytree(FIXTURES / "minimal", root)
        registry = root / "registry.yaml"
        text = registry.read_text(encoding="utf-8")
        text = text.replace("  version: 1\n", "  version: 1\n  policy:\n    callback: {value: 3}\n    regions:\n"
                            "      - region: \"3301\"\n        callback: {value: 2}\n"
                            "      - region: \"330102\"\n        callback: {value: 1, unit: calendar_days}\n", 1)
        text = text.replace("      name: {zh: 杭州市民中心, en: Hangzhou Citizen Centre}\n",
                            "      name: {zh: 杭州市民中心, en: Hangzhou Citizen Centre}\n      region: \"330102\"\n", 1)
        registry.write_text(text, encoding="utf-8")
        report = check([root])
        assert report.ok, [f.format() for f in report.findings]
        catalogue = report.catalogue
        assert catalogue is not None
        assert str(catalogue.policy_for("hz-citizen-centre").callback) == "1 calendar days"
        assert catalogue.policy.for_region("330105").callback.value == 2
        assert catalogue.policy.for_region("330200").callback.value == 3
        assert catalogue.policy_for("nowhere").callback.value == 3

    def test_a_region_must_be_a_division_code(self, tmp_path: Path) -> None:
        root = tmp_path / "workflows"
        shutil.copytree(FIXTURES / "minimal", root)
        registry = root / "registry.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace(
            "  version: 1\n", "  version: 1\n  policy:\n    regions:\n      - region: hangzhou\n", 1), encoding="utf-8")
        report = check([root])
        [finding] = [f for f in report.findings if f.path == "registry.policy.regions[0].region"]
        assert finding.file is not None and finding.file.endswith("registry.yaml") and finding.is_error
        assert "GB/T 2260" in finding.message


class TestYellowRules:
    def _service(self, tmp_path: Path, yellow: str):  # type: ignore[no-untyped-def]
        import datetime as dt

        from oneservice import TZ, OneService, SimulatedClock, Store

        root = tmp_path / "workflows"
        shutil.copytree(FIXTURES / "minimal", root)
        registry = root / "registry.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace(
            "  version: 1\n", f"  version: 1\n  policy:\n    yellow:\n{yellow}", 1), encoding="utf-8")
        report = check([root])
        assert report.ok, [f.format() for f in report.findings]
        store = Store(f"sqlite:///{tmp_path / 'y.sqlite'}")
        store.migrate()
        clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))  # a Monday
        return OneService(report.catalogue, store, clock=clock), report.catalogue  # type: ignore[arg-type]

    def test_a_share_of_the_limit_freezes_the_first_yellow_day(self, tmp_path: Path) -> None:
        """notice: 5 working days, yellow for the last 40 % (2 days): due Mon 9 Nov, yellow from Thu 5."""
        import datetime as dt

        from oneservice import Actor, Applicant, Role
        from oneservice.samples import sample_form, sample_resident_id

        service, catalogue = self._service(tmp_path, "      notice: {share: 0.4}\n      default: {days: 1}\n")
        matter_id = next(iter(catalogue.plans))
        plan = catalogue.plan(matter_id)
        person = Applicant("person", sample_resident_id(6), "孙八")
        me = Actor(Role.APPLICANT, "sun", applicant_id=person.id_number)
        channel = sorted(c.value for c in plan.matter.intake_channels if c.value in ("online", "mobile"))[0]
        case = service.open_case(me, matter_id, person, channel=channel, location="hz-citizen-centre")
        service.submit(me, case.id, form=sample_form(plan), materials=[], channel=channel)
        notice = service.case(Actor(Role.SUPERVISOR, "s"), case.id).deadlines[("notice", case.id)]
        assert (notice.yellow_days, notice.due, notice.yellow_from) == (2, dt.date(2026, 11, 9), dt.date(2026, 11, 5))
        service.store.dispose()

    def test_a_rule_gives_days_or_a_share_between_0_and_1(self, tmp_path: Path) -> None:
        root = tmp_path / "workflows"
        shutil.copytree(FIXTURES / "minimal", root)
        registry = root / "registry.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace(
            "  version: 1\n", "  version: 1\n  policy:\n    yellow:\n      item: {share: 1.5}\n"
            "      notice: {days: 1, share: 0.5}\n      bogus: {days: 1}\n", 1), encoding="utf-8")
        messages = [f.message for f in check([root]).findings if f.file and f.file.endswith("registry.yaml")]
        assert any("between 0 and 1" in m for m in messages)
        assert any("days or share" in m for m in messages)
        assert any("bogus" in m or "must be one of" in m for m in messages)


class TestStaffVisit:
    def test_a_staff_visit_during_review_is_no_trip(self) -> None:
        """onsite.by: staff (上门核查): the review step counts 0 trips; by the applicant it counts 1."""
        visit = {"stage": "review", "reason": {"zh": "上门评残", "en": "assessed at home"}, "by": "staff"}
        report = run(item("V-1", onsite=visit), matter("v", ["V-1"]))
        assert report.ok, codes(report)
        trips = report.catalogue.plan("v").trips  # type: ignore[union-attr]
        [step] = [s for s in trips.steps if s.stage == "review"]
        assert (step.trips, trips.worst) == (0, 0) and "no trip" in step.why.en
        report = run(item("V-1", onsite={**visit, "by": "applicant"}), matter("v", ["V-1"]))
        assert report.catalogue.plan("v").trips.worst == 1  # type: ignore[union-attr]

    def test_staff_go_to_the_applicant_during_the_review_only(self) -> None:
        visit = {"stage": "intake", "reason": {"zh": "上门", "en": "at home"}, "by": "staff"}
        assert "OS206" in codes(run(item("V-1", onsite=visit), matter("v", ["V-1"])))
