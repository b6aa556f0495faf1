"""The catalogue shipped in workflows/: valid, and keeping the promises the issues name."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from oneservice import check, notice_data
from oneservice.cli import main

ROOT = Path(__file__).resolve().parents[2]
REPORT = check([ROOT / "workflows"])


class TestCatalogue:
    def test_checks_without_errors_or_warnings(self):
        """`oneservice check workflows/` finds nothing to report."""
        assert [f.format() for f in REPORT.findings] == []

    def test_at_least_ten_matters_all_within_one_trip(self):
        """Ten or more matters, every trip budget at most 1, at least two zero-trip matters."""
        catalogue = REPORT.catalogue
        assert catalogue is not None
        budgets = {m: catalogue.plan(m).trips.budget for m in catalogue.matters}
        assert len(budgets) >= 10
        assert max(budgets.values()) <= 1
        assert sum(b == 0 for b in budgets.values()) >= 2
        assert all(catalogue.plan(m).trips.worst <= budgets[m] for m in budgets)


class TestStartABusinessNotice:
    def test_no_business_licence_and_no_id_card_to_bring(self):
        """The licence comes from the upstream registration; ID cards come from shared data."""
        assert REPORT.catalogue is not None
        data = notice_data(REPORT.catalogue, "start-a-business", "zh")
        to_bring = [m["name"] for m in data["materials"]]
        assert not any("营业执照" in name for name in to_bring)
        assert not any("身份证" in name for name in to_bring)
        reasons = {m["id"]: m["reason"] for m in data["not_needed"]}
        assert reasons["business-licence"] == "upstream"
        assert {r for i, r in reasons.items() if "id" in i.split("-")} == {"shared"}

    def test_cli_explain_in_chinese(self):
        """`oneservice explain start-a-business --lang zh` shows the same in its text."""
        result = CliRunner().invoke(
            main, ["explain", "start-a-business", "--lang", "zh", "--workflows", str(ROOT / "workflows")]
        )
        assert result.exit_code == 0
        bring, _, rest = result.output.partition("无需提交的材料")
        assert "营业执照" not in bring and "身份证" not in bring
        assert "营业执照 — 由本事项上游办理结果自动获取" in rest


class TestOnePath:
    def test_a_single_path_is_one_path_not_its_characters(self):
        """`check("workflows")` and `check(Path)` read that directory, as `check([...])` does."""
        as_list = check([ROOT / "workflows"])
        for one in (str(ROOT / "workflows"), ROOT / "workflows"):
            report = check(one)
            assert report.findings == as_list.findings
            assert report.catalogue is not None
            assert sorted(report.catalogue.matters) == sorted(as_list.catalogue.matters)  # type: ignore[union-attr]
