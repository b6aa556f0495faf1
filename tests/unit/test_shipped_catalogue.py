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


VERIFIED_LEGAL = {
    # item code: (value, unit, article named in the source)
    "330100-GJJ-SWTQ": (3, "calendar_days", "《住房公积金管理条例》第二十五条"),
    "330100-GJJ-TXTQ": (3, "calendar_days", "《住房公积金管理条例》第二十五条"),
    "330102-SCJG-QYZXDJ": (3, "working_days", "《市场主体登记管理条例》"),
    "330102-SCJG-QYSLDJ": (3, "working_days", "《市场主体登记管理条例》"),
    "330102-SCJG-QYBGDJ": (3, "working_days", "《市场主体登记管理条例》"),
    "330102-XF-GZJJCS": (10, "working_days", "《中华人民共和国消防法》第十五条"),
    "330100-RS-DWCBDJ": (15, "calendar_days", "《中华人民共和国社会保险法》第五十七条"),
    "330100-YB-DWCBDJ": (15, "calendar_days", "《中华人民共和国社会保险法》第五十七条"),
    "330102-SW-XBNSR": (5, "working_days", "《中华人民共和国发票管理办法》第十五条"),
    "3301-ZJ-SGXK": (7, "calendar_days", "《建筑工程施工许可管理办法》第五条"),
    "3301-CG-JZLJCZ": (20, "calendar_days", "《城市建筑垃圾管理规定》（建设部令第139号）第七条"),
}


class TestVerifiedLimits:
    def test_exactly_the_checked_legal_limits_are_verified(self):
        """The legal limits checked against their article are verified, with the article as source;
        every other limit (placeholders, and every promise) is not."""
        catalogue = REPORT.catalogue
        assert catalogue is not None
        verified = {code: (i.legal_limit.value, i.legal_limit.unit.value, i.legal_limit.source)
                    for code, i in catalogue.items.items() if i.legal_limit.verified}
        assert set(verified) == set(VERIFIED_LEGAL)
        for code, (value, unit, article) in VERIFIED_LEGAL.items():
            assert verified[code][:2] == (value, unit)
            assert article in (verified[code][2] or "")
        assert not any(i.promised_limit.verified for i in catalogue.items.values())

    def test_strict_check_fails_on_the_placeholders(self):
        """`check --strict` refuses the shipped catalogue: one OS418 per unverified limit."""
        strict = check([ROOT / "workflows"], strict=True)
        assert not strict.ok
        assert {f.code for f in strict.findings} == {"OS418"}
        items = len(list(ROOT.joinpath("workflows", "items").rglob("*.yaml")))
        catalogue = REPORT.catalogue
        assert catalogue is not None
        request_limits = 2 * sum(len(c.limits) for c in catalogue.request_categories.values())
        assert not any(getattr(limits, which).verified for c in catalogue.request_categories.values()
                       for limits in c.limits.values() for which in ("acknowledge", "answer"))
        assert len(strict.findings) == 2 * items - len(VERIFIED_LEGAL) + request_limits
        assert request_limits == len([f for f in strict.findings if "request_categories" in (f.path or "")])

    def test_explain_newborn_marks_unverified_limits(self):
        """`oneservice explain newborn --lang zh` marks the placeholder limits 待核实."""
        result = CliRunner().invoke(main, ["explain", "newborn", "--lang", "zh", "--workflows",
                                           str(ROOT / "workflows")])
        assert result.exit_code == 0
        lines = [line for line in result.stdout.splitlines() if "330102-GA-CSDJ" in line and "/5" in line]
        assert lines == ["  • 330102-GA-CSDJ 出生登记（户口登记） — 杭州市公安局上城区分局湖滨派出所 / "
                         "杭州市公安局上城区分局清波派出所（按申请人户籍地或居住地）: 1/5个工作日（承诺待核实；法定待核实）"]
        assert "法定时限（关键路径）: 31个工作日（含待核实的法定时限）" in result.stdout

    def test_explain_names_each_unit_when_the_limits_differ(self):
        """A promise in working days beside a legal limit in calendar days (七日) shows both units."""
        result = CliRunner().invoke(main, ["explain", "construction-permit", "--lang", "zh", "--workflows",
                                           str(ROOT / "workflows")])
        assert result.exit_code == 0
        [line] = [ln for ln in result.stdout.splitlines() if ln.startswith("  • 3301-ZJ-SGXK ")]
        assert line.endswith(": 1个工作日/7个自然日（承诺待核实）")
