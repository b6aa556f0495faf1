"""The pytest plugin as a project that installs oneservice uses it (pytester, in a subprocess)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
ONE_LINE_TEST = 'from pytest_bdd import scenarios; scenarios("features")\n'


def scenario_count(*paths: Path) -> int:
    return sum(len(FeatureParser(str(p.parent), p.name).parse().scenarios) for p in paths)


def outside_project(pytester: pytest.Pytester, *features: str) -> Path:
    """A project with only workflows/, features/ and the one-line test module."""
    shutil.copytree(ROOT / "workflows", pytester.path / "workflows")
    folder = pytester.path / "features"
    folder.mkdir()
    for name in features:
        shutil.copy(ROOT / "features" / name, folder / name)
    pytester.makepyfile(test_features=ONE_LINE_TEST)
    return folder


class TestOutsideProject:
    def test_chinese_and_english_scenarios_run_green(self, pytester: pytest.Pytester) -> None:
        """A project holding only workflows/, features/ and one line of Python runs both languages."""
        folder = outside_project(pytester, "start-a-business.feature", "start-a-business.zh.feature")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        expected = scenario_count(*sorted(folder.iterdir()))
        assert expected >= 15
        result.assert_outcomes(passed=expected)

    def test_ini_option_names_the_catalogue(self, pytester: pytest.Pytester) -> None:
        """oneservice_workflows points the scenarios at another catalogue folder."""
        shutil.copytree(ROOT / "workflows", pytester.path / "catalogue")
        pytester.makeini("[pytest]\noneservice_workflows = catalogue\n")
        (pytester.path / "features").mkdir()
        (pytester.path / "features" / "a.feature").write_text(
            "# language: zh-CN\n功能: 目录\n  场景: 默认目录\n"
            "    当 申请人 在线 申请 \"出生一件事\"\n    那么 办件状态为 \"草稿\"\n", encoding="utf-8")
        pytester.makepyfile(test_features=ONE_LINE_TEST)
        pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


BROKEN = """\
Feature: Mistakes a tester makes
  Scenario: undefined step
    When the applicant opens a case of "start-a-business" online
    And the clerk acepts the case

  Scenario: undefined Chinese step
    当 申请人 在线 申请 "开办企业"
    那么 办件状太为 "审批中"

  Scenario: unknown matter
    When the applicant opens a case of "start-a-busines" online

  Scenario: unknown material
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "premises-leese"

  Scenario: unknown department
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer of "sc-amrr" starts review of "330102-SCJG-QYSLDJ"

  Scenario: malformed table
    When the applicant opens a case of "start-a-business" online
    And the applicant fills in the form:
      | field        | valeur |
      | company_name | x      |

  Scenario: missing table
    When the applicant opens a case of "start-a-business" online
    And the applicant fills in the form:

  Scenario: unknown form field
    When the applicant opens a case of "start-a-business" online
    And the applicant fills in the form:
      | field            | value |
      | housing_fund_rat | 10    |

  Scenario: unasserted error
    When the applicant opens a case of "start-a-business" online
    And the applicant submits the application without "premises-lease"
    And the clerk accepts the case
    Then the case is "in_progress"

  Scenario: unasserted error at the end
    When the applicant opens a case of "start-a-business" online
    And the clerk accepts the case

  Scenario: another error than expected
    When the applicant opens a case of "start-a-business" online
    And the clerk accepts the case
    Then the action is refused with "incomplete"

  Scenario: expected error that did not happen
    When the applicant opens a case of "start-a-business" online
    Then the action is refused with "incomplete"

  Scenario: failed check
    When the applicant opens a case of "start-a-business" online
    Then the case is "审批中"
"""


class TestBadInput:
    @pytest.fixture(scope="class")
    def output(self, tmp_path_factory: pytest.TempPathFactory) -> str:
        """One run of a feature full of mistakes; its report."""
        import subprocess
        import sys

        project = tmp_path_factory.mktemp("project")
        shutil.copytree(ROOT / "workflows", project / "workflows")
        (project / "features").mkdir()
        (project / "features" / "broken.feature").write_text(BROKEN, encoding="utf-8")
        (project / "test_features.py").write_text(ONE_LINE_TEST, encoding="utf-8")
        (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rN", "-q"],
                              cwd=project, capture_output=True, text=True, encoding="utf-8", check=False)
        return done.stdout

    def section(self, output: str, test: str) -> str:
        """The failure report of one test."""
        start = output.index(f"_ {test} _")
        end = output.find("\n___", start + 1)
        return output[start:end if end != -1 else None]

    def test_every_scenario_fails(self, output: str) -> None:
        """Each mistake fails its scenario, and only its scenario."""
        assert "13 failed" in output

    def test_undefined_step(self, output: str) -> None:
        """The file, the line and the closest known steps are named."""
        text = self.section(output, "test_undefined_step")
        assert "features/broken.feature:4: And the clerk acepts the case" in text
        assert "undefined step (when): the clerk acepts the case" in text
        assert "    When the clerk accepts the case\n" in text

    def test_undefined_chinese_step(self, output: str) -> None:
        """A Chinese step gets the closest Chinese template."""
        text = self.section(output, "test_undefined_chinese_step")
        assert "features/broken.feature:8: 那么 办件状太为 \"审批中\"" in text
        assert '那么 办件状态为 "{state}"' in text

    def test_unknown_matter(self, output: str) -> None:
        """An unknown matter names the closest matter."""
        text = self.section(output, "test_unknown_matter")
        assert "features/broken.feature:11:" in text
        assert "unknown matter 'start-a-busines' — did you mean start-a-business (开办企业 / Start a business)?" in text

    def test_unknown_material(self, output: str) -> None:
        """An unknown material names the closest material of the matter."""
        text = self.section(output, "test_unknown_material")
        assert "features/broken.feature:15:" in text
        assert "unknown material 'premises-leese' of matter start-a-business — did you mean premises-lease" in text

    def test_unknown_department(self, output: str) -> None:
        """An unknown department names the closest department."""
        text = self.section(output, "test_unknown_department")
        assert "features/broken.feature:21:" in text
        assert "unknown department 'sc-amrr' — did you mean sc-amr" in text

    def test_malformed_table(self, output: str) -> None:
        """A wrong header shows the expected one."""
        text = self.section(output, "test_malformed_table")
        assert "features/broken.feature:25: And the applicant fills in the form:" in text
        assert "column 2 is headed 'valeur'; expected the header | field | value |" in text

    def test_missing_table(self, output: str) -> None:
        """A step that needs a table says so."""
        text = self.section(output, "test_missing_table")
        assert "features/broken.feature:31:" in text
        assert "this step needs a data table below it" in text

    def test_unknown_form_field(self, output: str) -> None:
        """An unknown field names the closest field."""
        text = self.section(output, "test_unknown_form_field")
        assert "unknown form field 'housing_fund_rat' of matter start-a-business — did you mean housing_fund_rate" in text

    def test_unasserted_error(self, output: str) -> None:
        """The next check fails with the error and the line of the action."""
        text = self.section(output, "test_unasserted_error")
        assert "features/broken.feature:43: And the clerk accepts the case" in text
        assert "the action failed and no step asserted it" in text
        assert "ActionRejected OS702" in text and "[incomplete]" in text

    def test_unasserted_error_at_the_end(self, output: str) -> None:
        """An error left at the end of the scenario fails it too."""
        text = self.section(output, "test_unasserted_error_at_the_end")
        assert "features/broken.feature:48: And the clerk accepts the case" in text
        assert "IllegalAction OS701" in text

    def test_another_error_than_expected(self, output: str) -> None:
        """The actual error is shown."""
        text = self.section(output, "test_another_error_than_expected")
        assert "features/broken.feature:53:" in text
        assert "expected the action to be refused with 'incomplete', but it failed with" in text

    def test_expected_error_that_did_not_happen(self, output: str) -> None:
        """Asserting an error after a successful action fails."""
        text = self.section(output, "test_expected_error_that_did_not_happen")
        assert "but it succeeded" in text

    def test_failed_check(self, output: str) -> None:
        """A failed check names its line and both states."""
        text = self.section(output, "test_failed_check")
        assert "features/broken.feature:61: Then the case is \"审批中\"" in text
        assert "expected the case to be '审批中', but it is 'draft' (草稿 / Draft)" in text
