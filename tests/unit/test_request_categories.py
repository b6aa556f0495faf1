"""The request catalogue (workflows/requests/categories.yaml): loaded, routed, checked at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from oneservice.catalog.loader import check
from oneservice.domain.regions import NoCompetentDepartment
from oneservice.domain.requests import RequestKind, ResponseUnit, Urgency
from oneservice.errors import UnknownDefinition

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BASE = [FIXTURES / "minimal", FIXTURES / "broken" / "support"]


def checked(tmp_path: Path, text: str, *, strict: bool = False, registry: str | None = None):
    path = tmp_path / "categories.yaml"
    path.write_text(text, encoding="utf-8")
    extra = []
    if registry is not None:
        extra.append(tmp_path / "policy.yaml")
        extra[0].write_text(registry, encoding="utf-8")
    return check([*BASE, path, *extra], strict=strict)


ONE = """request_categories:
  version: 1
  categories:
    - id: market-order
      name: {zh: 市场秩序, en: Market order}
      department: s-amr-sc
      kinds: [complaint]
      limits:
        normal: {acknowledge: {value: 1}, answer: {value: 5}}
"""


class TestShipped:
    def test_categories_routes_and_limits(self) -> None:
        report = check([ROOT / "workflows"])
        catalogue = report.catalogue
        assert catalogue is not None
        noise = catalogue.request_category("noise-nuisance")
        assert noise.name.zh == "噪声扰民"
        assert noise.limits[Urgency.URGENT].acknowledge.unit is ResponseUnit.WORKING_HOURS
        assert noise.limits[Urgency.URGENT].acknowledge.hours == 2
        assert noise.limits[Urgency.NORMAL].answer.hours == 40
        assert RequestKind.CONSULTATION not in noise.kinds
        route = catalogue.request_routes["noise-nuisance"]
        assert route.department_for("330106") == "xh-cgj"
        assert route.department_for("330102003") == "sc-cgj"  # a street of 上城区
        with pytest.raises(NoCompetentDepartment):
            route.department_for("330100")  # the whole city: wider than one bureau
        assert catalogue.request_category("social-insurance").department == "hz-hrss"
        assert "social-insurance" not in catalogue.request_routes
        with pytest.raises(UnknownDefinition) as err:
            catalogue.request_category("noise-nuisanse")
        assert "noise-nuisance" in str(err.value)

    def test_starter_carries_the_same_file(self) -> None:
        starter = ROOT / "oneservice" / "starter" / "workflows" / "requests" / "categories.yaml"
        assert starter.read_bytes() == (ROOT / "workflows" / "requests" / "categories.yaml").read_bytes()

    def test_default_policy_counts(self) -> None:
        catalogue = check([ROOT / "workflows"]).catalogue
        assert catalogue is not None
        policy = catalogue.policy.for_region("330102")
        assert (policy.request_reopens, policy.request_returns) == (1, 1)


class TestFindings:
    def test_a_clean_category(self, tmp_path: Path) -> None:
        report = checked(tmp_path, ONE)
        assert report.ok, [f.format() for f in report.findings]
        assert report.catalogue is not None
        assert report.catalogue.request_category("market-order").kinds == frozenset({RequestKind.COMPLAINT})

    def test_unknown_urgency_and_kind(self, tmp_path: Path) -> None:
        text = ONE.replace("kinds: [complaint]", "kinds: [complain]").replace(
            "        normal:", "        asap: {acknowledge: {value: 1}, answer: {value: 1}}\n        normal:")
        report = checked(tmp_path, text)
        found = sorted((f.code, f.line, f.path) for f in report.findings)
        assert found == [
            ("OS203", 7, "request_categories.categories[0].kinds[0]"),
            ("OS203", 9, "request_categories.categories[0].limits.asap"),
        ], [f.format() for f in report.findings]
        assert any(f.hint == "did you mean 'complaint'?" for f in report.findings)

    def test_duplicate_category(self, tmp_path: Path) -> None:
        body = ONE.split("  categories:\n")[1]
        report = checked(tmp_path, ONE + body)
        assert [(f.code, f.line) for f in report.findings] == [("OS205", 10)]

    def test_verified_needs_a_source_and_strict_lists_unverified(self, tmp_path: Path) -> None:
        report = checked(tmp_path, ONE.replace("answer: {value: 5}", "answer: {value: 5, verified: true}"))
        assert [(f.code, f.line) for f in report.findings] == [("OS417", 9)]
        strict = checked(tmp_path, ONE.replace("answer: {value: 5}",
                                               "answer: {value: 5, source: 国办发〔2020〕53号, verified: true}"),
                         strict=True)
        ours = [(f.code, f.path) for f in strict.findings if f.file and f.file.endswith("categories.yaml")]
        assert ours == [("OS418", "request_categories.categories[0].limits.normal.acknowledge")]

    def test_routing_rule_reads_a_field(self, tmp_path: Path) -> None:
        report = checked(tmp_path, ONE.replace("department: s-amr-sc",
                                               "department: {by: property, among: [s-amr-sc, s-amr-xh]}"))
        assert [f.code for f in report.findings] == ["OS324"]

    def test_policy_counts(self, tmp_path: Path) -> None:
        registry = ("registry:\n  version: 1\n  policy:\n    request_reopens: 2\n    request_returns: 0\n")
        report = checked(tmp_path, ONE, registry=registry)
        assert [(f.code, f.path) for f in report.findings] == [("OS203", "registry.policy.request_returns")]
        report = checked(tmp_path, ONE, registry=registry.replace("request_returns: 0", "request_returns: 3"))
        assert report.catalogue is not None
        assert report.catalogue.policy.base.request_reopens == 2
        assert report.catalogue.policy.base.request_returns == 3
