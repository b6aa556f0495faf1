"""Deliberately broken definitions give their documented code at the exact file:line:column.

Each file under ``tests/fixtures/broken/`` starts with ``# expect: CODE LINE:COL`` comment lines,
one per finding, and is checked together with the minimal fixture and ``broken/support/``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from oneservice.catalog.loader import CheckReport, check
from oneservice.errors import DefinitionError, Finding

FIXTURES = Path(__file__).parent.parent / "fixtures"
BROKEN = FIXTURES / "broken"
BASE = [FIXTURES / "minimal", BROKEN / "support"]
EXPECT = re.compile(r"^# expect: (OS\d{3}) (\d+)(?::(\d+))?$")
CASES = sorted(BROKEN.glob("*.yaml"))
DOCUMENTED = Path(__file__).parent.parent.parent / "docs" / "errors.md"


@functools.cache
def checked(case: Path) -> CheckReport:
    """The report of ``case`` checked with the minimal fixture and the support items (cached)."""
    return check([*BASE, case])


def expectations(path: Path) -> list[tuple[str, int, int | None]]:
    found = [EXPECT.match(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(m[1], int(m[2]), int(m[3]) if m[3] else None) for m in found if m]


class TestBrokenExamples:
    def test_support_files_are_valid(self) -> None:
        """The minimal fixture and the support items check clean on their own."""
        report = check(BASE)
        assert report.ok and not report.findings

    def test_every_example_expects_something(self) -> None:
        """Every broken example declares at least one expected finding."""
        assert CASES
        assert all(expectations(case) for case in CASES)

    @pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
    def test_gives_documented_code_at_exact_place(self, case: Path) -> None:
        """The broken example gives exactly the expected codes at the expected file:line:col."""
        report = checked(case)
        got = sorted((f.code, f.line, f.column) for f in report.findings)
        want = sorted((code, line, col) for code, line, col in expectations(case))
        assert [(c, ln) for c, ln, _ in got] == [(c, ln) for c, ln, _ in want]
        for (_, _, col), (_, _, want_col) in zip(got, want, strict=True):
            if want_col is not None:
                assert col == want_col
        assert all(f.file is not None and f.file.endswith(case.name) for f in report.findings)

    @pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
    def test_renders_file_line_col_code(self, case: Path) -> None:
        """Each finding renders as ``file:LINE:COL: CODE message``."""
        report = checked(case)
        for finding in report.findings:
            text = finding.format()
            assert re.match(rf"^\S*{re.escape(case.name)}:{finding.line}:{finding.column}: "
                            rf"{finding.code} \S", text), text

    @pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
    def test_code_is_documented(self, case: Path) -> None:
        """Every expected code has its own section in docs/errors.md."""
        text = DOCUMENTED.read_text(encoding="utf-8")
        for code, _, _ in expectations(case):
            assert f"## {code}" in text


class TestNotUtf8:
    def test_latin1_bytes(self, tmp_path: Path) -> None:
        """A byte that is not UTF-8 gives OS101 at its line and column."""
        path = tmp_path / "latin1.yaml"
        path.write_bytes(b"item:\n  code: X\n  name: caf\xe9\n")
        report = check([path])
        assert [(f.code, f.line, f.column) for f in report.findings] == [("OS101", 3, 12)]
        assert report.findings[0].format().startswith(f"{report.findings[0].file}:3:12: OS101 the file is not UTF-8")

    def test_gbk_file(self, tmp_path: Path) -> None:
        """A file saved in GBK (common for Chinese text) gives OS101, not a crash."""
        path = tmp_path / "gbk.yaml"
        path.write_bytes("item:\n  name: {zh: 营业执照}\n".encode("gbk"))
        assert [(f.code, f.line) for f in check([path]).findings] == [("OS101", 2)]

    def test_nul_character(self, tmp_path: Path) -> None:
        """A NUL character gives OS101 at its place."""
        path = tmp_path / "nul.yaml"
        path.write_bytes(b"item:\n  co\x00de: X\n")
        assert [(f.code, f.line, f.column) for f in check([path]).findings] == [("OS101", 2, 5)]

    def test_missing_path(self, tmp_path: Path) -> None:
        """A path that does not exist gives OS101 naming it."""
        report = check([tmp_path / "nope"])
        assert [f.code for f in report.findings] == ["OS101"]
        assert report.findings[0].file == str(tmp_path / "nope")


class TestLoadCatalogue:
    def test_raises_definition_error_with_every_finding(self) -> None:
        """load_catalogue raises DefinitionError carrying the findings of every broken file."""
        from oneservice.catalog.loader import load_catalogue

        with pytest.raises(DefinitionError) as excinfo:
            load_catalogue([*BASE, BROKEN / "os301-unknown-department.yaml",
                            BROKEN / "os402-promise-over-legal.yaml"])
        codes = [f.code for f in excinfo.value.findings]
        assert codes == ["OS301", "OS402"]
        assert all(isinstance(f, Finding) for f in excinfo.value.findings)
        assert "OS301 unknown department 'hz-amrr'" in str(excinfo.value)


class TestErrorsDocumented:
    def test_every_code_in_the_library_is_documented(self) -> None:
        """Every OSnnn code the library can report has a section in docs/errors.md."""
        package = Path(__file__).parent.parent.parent / "oneservice"
        used = {code for path in package.rglob("*.py")
                for code in re.findall(r"\bOS\d{3}\b", path.read_text(encoding="utf-8"))}
        text = DOCUMENTED.read_text(encoding="utf-8")
        assert {"OS101", "OS501", "OS800"} <= used
        assert sorted(code for code in used if f"## {code}" not in text) == []
