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


def copy_matter(folder: Path, matter: str) -> None:
    """A catalogue with one matter of workflows/: the registry, the matter and its items."""
    source = ROOT / "workflows"
    (folder / "matters").mkdir(parents=True)
    shutil.copy(source / "registry.yaml", folder / "registry.yaml")
    shutil.copy(source / "matters" / f"{matter}.yaml", folder / "matters" / f"{matter}.yaml")
    shutil.copytree(source / "items" / matter, folder / "items" / matter)


def outside_project(pytester: pytest.Pytester, *features: str) -> Path:
    """A project with only workflows/, features/ and the one-line test module."""
    shutil.copytree(ROOT / "workflows", pytester.path / "workflows")
    folder = pytester.path / "features"
    folder.mkdir()
    for name in features:
        shutil.copy(ROOT / "features" / name, folder / name)
    pytester.makepyfile(test_workflows=ONE_LINE_TEST)
    return folder


class TestOutsideProject:
    def test_chinese_and_english_scenarios_run_green(self, pytester: pytest.Pytester) -> None:
        """A project holding only workflows/, features/ and one line of Python runs both languages."""
        folder = outside_project(pytester, "employee-hiring.feature", "employee-hiring.zh.feature")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        expected = scenario_count(*sorted(folder.iterdir()))
        assert expected >= 4
        result.assert_outcomes(passed=expected)

    def test_ini_option_names_the_catalogue(self, pytester: pytest.Pytester) -> None:
        """oneservice_workflows points the scenarios at another catalogue folder."""
        shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", pytester.path / "catalogue")
        pytester.makeini("[pytest]\noneservice_workflows = catalogue\n")
        (pytester.path / "features").mkdir()
        (pytester.path / "features" / "a.feature").write_text(
            "# language: zh-CN\n功能: 目录\n  场景: 默认目录\n"
            "    当 申请人 在线 申请 \"开办企业\"\n    那么 办件状态为 \"草稿\"\n"
            "    而且 事项 \"A-1\" 的状态为 \"waiting\"\n", encoding="utf-8")
        pytester.makepyfile(test_workflows=ONE_LINE_TEST)
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)

    def test_ini_option_names_several_folders(self, pytester: pytest.Pytester) -> None:
        """oneservice_workflows may name several folders (read together, like oneservice check)."""
        shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", pytester.path / "catalogue")
        shutil.move(pytester.path / "catalogue" / "matters", pytester.path / "more" / "matters")
        pytester.makeini("[pytest]\noneservice_workflows = catalogue more\n")
        (pytester.path / "features").mkdir()
        (pytester.path / "features" / "a.feature").write_text(
            "# language: zh-CN\n功能: 目录\n  场景: 两个目录\n"
            "    当 申请人 在线 申请 \"开办企业\"\n    那么 办件状态为 \"草稿\"\n", encoding="utf-8")
        pytester.makepyfile(test_workflows=ONE_LINE_TEST)
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
        pytester.makeini("[pytest]\noneservice_workflows = more\n")  # the matter's items are elsewhere
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1)


BROKEN = """\
Feature: Mistakes a tester makes
  Scenario: undefined step
    When the applicant opens a case of "start-a-business" online
    And the clerk acepts the case

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

BROKEN_ZH = """\
# language: zh-CN
功能: 测试人员的中文笔误
  场景: 中文步骤未定义
    当 申请人 在线 申请 "开办企业"
    那么 办件状太为 "审批中"
"""

EXPECTED = {
    "test_undefined_step": [
        "features/broken.feature:4: And the clerk acepts the case",
        "undefined step (when): the clerk acepts the case",
        "    When the clerk accepts the case\n",
    ],
    "test_中文步骤未定义": [
        'features/broken.zh.feature:5: 那么 办件状太为 "审批中"',
        '那么 办件状态为 "{state}"',
    ],
    "test_unknown_matter": [
        "features/broken.feature:7:",
        "unknown matter 'start-a-busines' — did you mean start-a-business (开办企业 / Start a business)?",
    ],
    "test_unknown_material": [
        "features/broken.feature:11:",
        "unknown material 'premises-leese' of matter start-a-business — did you mean premises-lease",
    ],
    "test_unknown_department": [
        "features/broken.feature:17:",
        "unknown department 'sc-amrr' — did you mean sc-amr",
    ],
    "test_malformed_table": [
        "features/broken.feature:21: And the applicant fills in the form:",
        "column 2 is headed 'valeur'; expected the header | field | value |",
    ],
    "test_missing_table": [
        "features/broken.feature:27:",
        "this step needs a data table below it",
    ],
    "test_unknown_form_field": [
        "features/broken.feature:31:",
        "unknown form field 'housing_fund_rat' of matter start-a-business — did you mean housing_fund_rate",
    ],
    "test_unasserted_error": [
        "features/broken.feature:38: And the clerk accepts the case",
        "the action failed and no step asserted it",
        "ActionRejected OS702",
        "[incomplete]",
    ],
    "test_unasserted_error_at_the_end": [
        "features/broken.feature:43: And the clerk accepts the case",
        "IllegalAction OS701",
    ],
    "test_another_error_than_expected": [
        "features/broken.feature:48:",
        "expected the action to be refused with 'incomplete', but it failed with",
    ],
    "test_expected_error_that_did_not_happen": [
        "features/broken.feature:52:",
        "but it succeeded",
    ],
    "test_failed_check": [
        'features/broken.feature:56: Then the case is "审批中"',
        "expected the case to be '审批中', but it is 'draft' (草稿 / Draft)",
    ],
}


def failure_report(output: str, test: str) -> str:
    """The failure section of one test in pytest's report."""
    start = output.index(f"_ {test} _")
    end = output.find("\n____", start + len(test) + 2)
    return output[start:end if end != -1 else None]


class TestBadInput:
    def test_mistakes_name_the_file_the_line_and_the_closest_match(self, pytester: pytest.Pytester) -> None:
        """Each mistake fails only its scenario, naming the feature file, the line and what is closest."""
        copy_matter(pytester.path / "workflows", "start-a-business")
        (pytester.path / "features").mkdir()
        (pytester.path / "features" / "broken.feature").write_text(BROKEN, encoding="utf-8")
        (pytester.path / "features" / "broken.zh.feature").write_text(BROKEN_ZH, encoding="utf-8")
        pytester.makepyfile(test_workflows=ONE_LINE_TEST)
        result = pytester.runpytest("-p", "no:cacheprovider")
        result.assert_outcomes(failed=len(EXPECTED))
        output = result.stdout.str()
        for test, fragments in EXPECTED.items():
            report = failure_report(output, test)
            for fragment in fragments:
                assert fragment in report, f"{test}: {fragment!r} not in\n{report}"


class TestFirstScenarioGuide:
    def test_examples_of_the_guide_run_as_written(self, pytester: pytest.Pytester) -> None:
        """docs/first-scenario.md: its test module, its passing scenarios and its failure report."""
        import re

        text = (ROOT / "docs" / "first-scenario.md").read_text(encoding="utf-8")
        blocks = re.findall(r"^```(\w+)\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
        python = [body for lang, body in blocks if lang == "python"]
        assert python == [ONE_LINE_TEST]
        copy_matter(pytester.path / "workflows", "start-a-business")
        (pytester.path / "features").mkdir()
        pytester.makepyfile(test_workflows=python[0])
        expected_failures: list[str] = []
        passing = 0
        for number, (lang, body) in enumerate(blocks):
            if lang != "gherkin":
                continue
            following = blocks[number + 1] if number + 1 < len(blocks) else ("", "")
            if following[0] == "text":
                name = following[1].split(":", 1)[0].removeprefix("features/")
                expected_failures.append(following[1])
            else:
                name = f"example-{number}.feature"
                passing += body.count("场景:") + body.count("Scenario:")
            (pytester.path / "features" / name).write_text(body, encoding="utf-8")
        result = pytester.runpytest("-p", "no:cacheprovider")
        result.assert_outcomes(passed=passing, failed=len(expected_failures))
        assert passing >= 3
        for report in expected_failures:
            result.stdout.fnmatch_lines([line.rstrip() for line in report.splitlines()], consecutive=True)


FOREIGN_FEATURE = """\
Feature: someone else's feature
  Scenario: their step
    Given a step nobody defined
"""

LOADED_PROBE = """\
import sys


def test_probe():
    # (the probe must not name the package: a module that does is taken for one of its projects)
    print("STEP LIBRARY LOADED:", any(name.endswith(".bdd.library") for name in sys.modules))
"""


class TestInertEntryPoint:
    """The entry point ``pytest11: oneservice`` (oneservice.bdd.entry) stays out of other projects."""

    def test_entry_imports_nothing_of_the_step_library(self) -> None:
        """Importing the entry point loads neither pytest-bdd nor the step library nor the service."""
        import subprocess
        import sys

        probe = ("import sys, oneservice.bdd.entry\n"
                 "print(sorted(m for m in ('pytest_bdd', 'oneservice.bdd.plugin', 'oneservice.bdd.library',"
                 " 'oneservice.service', 'sqlalchemy') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "[]"

    def test_unrelated_project_does_not_load_the_step_library(self, pytester: pytest.Pytester) -> None:
        """A project without pytest-bdd scenarios runs without oneservice's steps loaded."""
        pytester.makepyfile(test_unrelated=LOADED_PROBE)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
        result.assert_outcomes(passed=1)
        assert "STEP LIBRARY LOADED: False" in result.stdout.str()

    def test_foreign_bdd_project_keeps_pytest_bdds_message(self, pytester: pytest.Pytester) -> None:
        """Another pytest-bdd project (no oneservice catalogue): its undefined step is pytest-bdd's."""
        (pytester.path / "features").mkdir()
        (pytester.path / "features" / "theirs.feature").write_text(FOREIGN_FEATURE, encoding="utf-8")
        pytester.makepyfile(test_theirs=ONE_LINE_TEST + "\n" + LOADED_PROBE)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
        result.assert_outcomes(passed=1, failed=1)
        output = result.stdout.str()
        assert "STEP LIBRARY LOADED: False" in output
        assert "docs/bdd-steps.md of oneservice" not in output
        assert "StepDefinitionNotFoundError" in output

    def test_oneservice_project_loads_it(self, pytester: pytest.Pytester) -> None:
        """A project with workflows/registry.yaml and a pytest-bdd module gets the steps."""
        copy_matter(pytester.path / "workflows", "start-a-business")
        (pytester.path / "features").mkdir()
        (pytester.path / "features" / "ours.feature").write_text(
            'Feature: ours\n  Scenario: opened\n    When the applicant opens a case of "start-a-business" online\n',
            encoding="utf-8")
        pytester.makepyfile(test_ours=ONE_LINE_TEST + "\n" + LOADED_PROBE)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
        result.assert_outcomes(passed=2)
        assert "STEP LIBRARY LOADED: True" in result.stdout.str()
