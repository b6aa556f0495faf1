"""The ``oneservice`` command line: check, explain, diagram (exit codes 0, 1, 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from oneservice.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
MINIMAL = str(FIXTURES / "minimal")
BROKEN = FIXTURES / "broken"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class TestCheck:
    def test_ok_text(self, runner: CliRunner) -> None:
        """Valid definitions exit 0 and summarise each matter."""
        result = runner.invoke(main, ["check", MINIMAL])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            "ok: 4 file(s), 2 item(s), 1 matter(s), 0 warning(s)",
            "  start: trips best 0 / worst 0 (budget 1); critical path 2 working days "
            "(promise 2 working days)",
        ]

    def test_errors_text(self, runner: CliRunner) -> None:
        """Errors exit 1 and are printed as file:LINE:COL: CODE message on stderr."""
        broken = str(BROKEN / "os301-unknown-department.yaml")
        result = runner.invoke(main, ["check", MINIMAL, broken])
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"{os.path.relpath(broken)}:6:3: OS301 unknown department 'hz-amrr'")
        assert lines[-1] == "1 error(s), 0 warning(s) in 5 file(s)"

    def test_json_ok(self, runner: CliRunner) -> None:
        """--format json prints a machine-readable report with each matter's hash and trips."""
        result = runner.invoke(main, ["check", "--format", "json", MINIMAL])
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        assert {k: data[k] for k in ("ok", "files", "errors", "warnings", "findings")} == {
            "ok": True, "files": 4, "errors": 0, "warnings": 0, "findings": []}
        start = data["matters"]["start"]
        assert start["trips"] == {"best": 0, "worst": 0, "budget": 1,
                                  "parties": {"applicant": {"best": 0, "worst": 0}}}
        assert start["content_hash"].startswith("sha256:")

    def test_json_trips_per_party(self, runner: CliRunner) -> None:
        """A matter with several parties shows each party's best and worst case."""
        result = runner.invoke(main, ["check", "--format", "json", str(FIXTURES.parent.parent / "workflows")])
        assert result.exit_code == 0, result.output
        trips = json.loads(result.stdout)["matters"]["property-transfer"]["trips"]
        assert trips["parties"] == {"buyer": {"best": 1, "worst": 1}, "seller": {"best": 1, "worst": 1},
                                    "seller-agent": {"best": 1, "worst": 1}}  # comes in the seller's place

    def test_json_findings(self, runner: CliRunner) -> None:
        """JSON findings carry code, message, file, line, column, key path, hint and severity."""
        broken = str(BROKEN / "os501-trips-over-budget.yaml")
        result = runner.invoke(main, ["check", "--format", "json", MINIMAL, str(BROKEN / "support"), broken])
        assert result.exit_code == 1
        data = json.loads(result.stdout)
        assert (data["ok"], data["errors"]) == (False, 1)
        [f] = data["findings"]
        assert {k: f[k] for k in ("code", "line", "column", "path", "severity")} == {
            "code": "OS501", "line": 14, "column": 3, "path": "matter.trip_budget", "severity": "error"}
        assert f["file"].endswith("os501-trips-over-budget.yaml")
        assert "intake: S-ORIG" in f["message"] and "pickup: permit (paper) can only be handed over at the window" in f["message"]
        assert "matters" not in data

    def test_warnings_exit_zero(self, runner: CliRunner) -> None:
        """Warnings alone exit 0 and are printed."""
        result = runner.invoke(main, ["check", MINIMAL, str(BROKEN / "os411-optional-waivable.yaml")])
        assert result.exit_code == 0
        assert "OS411 [warning]" in result.stdout

    def test_missing_path_exits_one(self, runner: CliRunner, tmp_path: Path) -> None:
        """A path that does not exist is OS101, exit 1."""
        result = runner.invoke(main, ["check", str(tmp_path / "nope")])
        assert result.exit_code == 1
        assert "OS101 no such file or directory" in result.stderr

    def test_strict_fails_on_every_unverified_limit(self, runner: CliRunner) -> None:
        """--strict: each of the 4 unverified limits of the minimal fixture is OS418 at its place, exit 1;
        without --strict the same definitions pass and JSON counts them."""
        result = runner.invoke(main, ["check", "--strict", MINIMAL])
        assert result.exit_code == 1
        found = [line for line in result.stderr.splitlines() if " OS418 " in line]
        assert len(found) == 4
        assert any(line.endswith("a.yaml:8:5: OS418 the legal limit 15 working days is not verified "
                                 "(at item.limits.legal) — check the value against its source and add "
                                 "source: and verified: true (docs/authoring.md, 'Where a limit comes from')")
                   for line in found)
        assert result.stderr.splitlines()[-1] == "4 error(s), 0 warning(s) in 4 file(s)"
        data = json.loads(runner.invoke(main, ["check", "--format", "json", MINIMAL]).stdout)
        assert (data["ok"], data["unverified_limits"]) == (True, 4)

    def test_strict_passes_verified_limits(self, runner: CliRunner, tmp_path: Path) -> None:
        """Limits with a source and verified: true give no OS418 under --strict."""
        import shutil

        root = tmp_path / "w"
        shutil.copytree(MINIMAL, root)
        for name in ("a.yaml", "b.yaml"):
            path = root / "items" / name
            text = path.read_text(encoding="utf-8")
            for legal in ("{value: 15, unit: working_days}", "{value: 1}"):
                text = text.replace(f"legal: {legal}",
                                    f'legal: {legal[:-1]}, source: "条例第一条", verified: true}}')
            text = text.replace("promised: {value: 1}", 'promised: {value: 1, source: "办事指南", verified: true}')
            path.write_text(text, encoding="utf-8")
        result = runner.invoke(main, ["check", "--strict", str(root)])
        assert (result.exit_code, result.stderr) == (0, "")

    def test_usage_error_exits_two(self, runner: CliRunner) -> None:
        """An unknown option value is a usage error, exit 2."""
        result = runner.invoke(main, ["check", "--format", "xml", MINIMAL])
        assert result.exit_code == 2


class TestExplain:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_text(self, runner: CliRunner, lang: str) -> None:
        """The text notice lists materials to bring and those not needed, in the language asked."""
        result = runner.invoke(main, ["explain", "start", "--workflows", MINIMAL, "--lang", lang])
        assert result.exit_code == 0
        if lang == "en":
            assert result.stdout.startswith("One-time notice — Start a business (start, v1)\n")
            assert "  • Articles (required; may be supplied later (deficiency acceptance); for A-1)" in result.stdout
            assert "  • ID card — obtained from shared data: Population register (population-register)" \
                in result.stdout
        else:
            assert result.stdout.startswith("一次性告知单 — 开办企业 (start, v1)\n")
            assert "  • 营业执照 — 由本事项上游办理结果自动获取: 企业设立登记 (A-1)" in result.stdout

    def test_json(self, runner: CliRunner) -> None:
        """The JSON notice holds materials, form, items, trips and limits."""
        result = runner.invoke(main, ["explain", "start", "--workflows", MINIMAL, "--format", "json",
                                      "--lang", "en"])
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        assert [m["id"] for m in data["materials"]] == ["articles"]
        assert data["materials"][0]["waivable"] is True
        assert [(m["id"], m["reason"]) for m in data["not_needed"]] == [
            ("id-card", "shared"), ("licence", "upstream")]
        assert [f["id"] for f in data["form"]] == ["capital"]
        assert data["limits"]["critical_path"] == ["A-1", "B-1"]
        assert data["trips"]["worst"] == 0

    def test_markdown(self, runner: CliRunner) -> None:
        """The Markdown notice has headings and bullet lists."""
        result = runner.invoke(main, ["explain", "start", "--workflows", MINIMAL, "--format", "markdown",
                                      "--lang", "en"])
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[0] == "# One-time notice — Start a business (start, v1)"
        assert "## Materials to bring" in lines and "- Capital* [decimal]" in lines

    @pytest.mark.parametrize(("lang", "mark"), [("zh", "（承诺待核实；法定待核实）"),
                                                 ("en", " (promised unverified; legal unverified)")])
    def test_unverified_limits_marked(self, runner: CliRunner, lang: str, mark: str) -> None:
        """Unverified limits are marked (待核实 / unverified) in text and Markdown; JSON says so per limit."""
        for fmt in ("text", "markdown"):
            result = runner.invoke(main, ["explain", "start", "--workflows", MINIMAL, "--lang", lang,
                                          "--format", fmt])
            lines = [line for line in result.stdout.splitlines() if "A-1 " in line and "/15" in line]
            assert len(lines) == 1 and lines[0].endswith(mark), lines
        data = json.loads(runner.invoke(main, ["explain", "start", "--workflows", MINIMAL, "--format",
                                               "json"]).stdout)
        assert data["items"][0]["legal_limit"] == {"value": 15, "unit": "working_days", "source": None,
                                                   "verified": False}
        assert data["limits"]["critical_path_legal_verified"] is False

    def test_unknown_matter(self, runner: CliRunner) -> None:
        """An unknown matter is a usage error (exit 2) suggesting the closest id."""
        result = runner.invoke(main, ["explain", "stat", "--workflows", MINIMAL])
        assert result.exit_code == 2
        assert "unknown matter 'stat' — did you mean 'start'?" in result.stderr

    def test_broken_definitions(self, runner: CliRunner, tmp_path: Path) -> None:
        """Broken definitions exit 1 with the findings."""
        (tmp_path / "x.yaml").write_text("itme: {}\n")
        result = runner.invoke(main, ["explain", "start", "--workflows", str(tmp_path)])
        assert result.exit_code == 1
        assert "OS106" in result.stderr


class TestDiagram:
    def test_mermaid(self, runner: CliRunner) -> None:
        """Mermaid: front desk → items in dependency order → single window."""
        result = runner.invoke(main, ["diagram", "start", "--workflows", MINIMAL, "--lang", "en"])
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[0] == "flowchart LR"
        assert '    i0["Company registration<br/>Hangzhou Administration for Market Regulation<br/>1d"]' in lines
        assert lines[-3:] == ["  intake --> i0", "  i0 --> i1", "  i1 --> pickup"]

    def test_dot(self, runner: CliRunner) -> None:
        """Graphviz dot with the same edges."""
        result = runner.invoke(main, ["diagram", "start", "--workflows", MINIMAL, "--format", "dot"])
        assert result.exit_code == 0
        assert result.stdout.startswith('digraph "start" {\n')
        assert "  intake -> i0;\n  i0 -> i1;\n  i1 -> pickup;\n}\n" in result.stdout

    def test_unknown_format(self, runner: CliRunner) -> None:
        """An unknown format is a usage error."""
        result = runner.invoke(main, ["diagram", "start", "--workflows", MINIMAL, "--format", "svg"])
        assert result.exit_code == 2
