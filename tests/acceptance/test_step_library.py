"""The step library itself: its catalogue, its templates and its use in features/."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

from oneservice.bdd import catalogue_doc
from oneservice.bdd.library import LANGS, Lang, closest_steps, compile_template
from oneservice.bdd.names import Names, ScenarioProblem, split_list
from oneservice.bdd.tables import Column, read_table

ROOT = Path(__file__).resolve().parents[2]
STEPS = catalogue_doc.load_steps()


def feature_steps() -> list[tuple[Lang, str, int, str]]:
    """(language, file, line, text) of every step in features/."""
    out = []
    for path in sorted((ROOT / "features").glob("*.feature")):
        feature = FeatureParser(str(path.parent), path.name).parse()
        lang: Lang = "zh" if feature.language == "zh-CN" else "en"
        steps = list(feature.background.steps) if feature.background else []
        for template in feature.scenarios.values():
            contexts = [c for examples in template.examples for c in examples.as_contexts()] or [{}]
            for context in contexts:
                steps += template.render(context).steps
        out += [(lang, path.name, step.line_number, step.name) for step in steps]
    return out


class TestCatalogue:
    def test_committed_catalogue_is_generated(self) -> None:
        """docs/bdd-steps.md equals the text generated from the step definitions."""
        committed = (ROOT / "docs" / "bdd-steps.md").read_text(encoding="utf-8")
        assert committed == catalogue_doc.render(), (
            "run: python -m oneservice.bdd.catalogue_doc --write docs/bdd-steps.md")

    def test_every_step_is_documented(self) -> None:
        """Each step has a docstring and both templates in the catalogue."""
        text = catalogue_doc.render()
        for step in STEPS:
            assert step.doc, step.en
            assert f"`{step.en}`" in text and f"`{step.zh}`" in text

    def test_check_option(self, tmp_path: Path) -> None:
        """--check fails on an out-of-date file and passes on a fresh one."""
        stale = tmp_path / "bdd-steps.md"
        stale.write_text("old\n", encoding="utf-8")
        assert catalogue_doc.main(["--check", str(stale)]) == 1
        assert catalogue_doc.main(["--write", str(stale)]) == 0
        assert catalogue_doc.main(["--check", str(stale)]) == 0


class TestTemplates:
    def test_quoted_value_accepts_chinese_quotes(self) -> None:
        """"…", “…” and 「…」 all quote a value."""
        import re

        regex = re.compile(compile_template('申请人 {channel:channel} 申请 "{matter}"', "zh"))
        for text in ['申请人 在线 申请 "开办企业"', "申请人在线申请“开办企业”", "申请人 在线 申请「开办企业」"]:
            match = regex.fullmatch(text)
            assert match is not None and match["matter"] == "开办企业"

    def test_optional_part_and_plural(self) -> None:
        """[…] is optional in both languages."""
        import re

        regex = re.compile(compile_template("{n:int} working day[s] pass[es]", "en"))
        assert regex.fullmatch("1 working day passes")
        assert regex.fullmatch("3 working days pass")
        assert not regex.fullmatch("3 workingdays pass")

    def test_unknown_placeholder_type(self) -> None:
        """A typo in a placeholder type is caught when the step is defined."""
        with pytest.raises(ValueError, match="unknown placeholder type 'dat'"):
            compile_template("today is {day:dat}", "en")

    def test_every_step_of_the_features_matches_exactly_one_definition(self) -> None:
        """No step text of features/ is ambiguous or undefined."""
        for lang, name, line, text in feature_steps():
            matches = [s for s in STEPS if s.regex(lang).fullmatch(text)]
            assert len(matches) == 1, f"{name}:{line}: {text!r} matches {len(matches)} steps"

    def test_every_step_is_used_in_english_and_in_chinese(self) -> None:
        """The features exercise the whole library, in both languages."""
        used = {(lang, s.en) for lang, _, _, text in feature_steps() for s in STEPS
                if s.regex(lang).fullmatch(text)}
        unused = [f"{lang}: {s.template(lang)}" for s in STEPS for lang in LANGS if (lang, s.en) not in used]
        assert unused == []

    def test_closest_steps(self) -> None:
        """A misspelt step is compared with the templates, values blanked out."""
        assert closest_steps('the clerk acepts the case owing "premises-lease" on the commitment "x"', "when")[0] == (
            'When the clerk accepts the case owing "{materials}"[ on the commitment "{commitment}"]')
        assert closest_steps("办件状太为 \"审批中\"", "then")[0] == '那么 办件状态为 "{state}"'


class TestNames:
    @pytest.fixture(scope="class")
    @classmethod
    def names(cls) -> Names:
        from oneservice import load_catalogue

        return Names(load_catalogue([ROOT / "workflows"]))

    def test_by_id_chinese_or_english_name(self, names: Names) -> None:
        """A matter is found by id, Chinese name or English name (case-insensitive)."""
        assert names.matter("start-a-business") == "start-a-business"
        assert names.matter("开办企业") == "start-a-business"
        assert names.matter("start a business") == "start-a-business"

    def test_unique_part_of_a_name(self, names: Names) -> None:
        """A part of a name that only one definition has is enough."""
        assert names.department("湖滨派出所") == "sc-hubin-pcs"
        assert names.material("租赁合同", "start-a-business") == "premises-lease"

    def test_unknown_name_suggests_the_closest(self, names: Names) -> None:
        """An unknown name lists the closest names with their ids."""
        with pytest.raises(ScenarioProblem, match=r"unknown matter '开办企页' — did you mean start-a-business"):
            names.matter("开办企页")

    def test_ambiguous_part(self, names: Names) -> None:
        """A part shared by several names is refused."""
        with pytest.raises(ScenarioProblem, match="is ambiguous"):
            names.department("市场监督管理局")

    def test_material_from_shared_data(self, names: Names) -> None:
        """A material the applicant does not bring says why."""
        with pytest.raises(ScenarioProblem, match="comes from shared data"):
            names.material("marriage-certificate", "newborn")

    def test_split_list(self) -> None:
        """Lists use , ， 、 or 'and'."""
        assert split_list("a, b and c") == ["a", "b", "c"]
        assert split_list("甲、乙，丙") == ["甲", "乙", "丙"]


class TestTables:
    COLUMNS = (Column("field", "field", "字段"), Column("value", "value", "值"))

    def test_english_or_chinese_header(self) -> None:
        """The header names the columns in either language, in any order."""
        assert read_table([["值", "字段"], ["1", "a"]], self.COLUMNS) == [{"value": "1", "field": "a"}]

    def test_missing_table(self) -> None:
        """A step that needs a table says which header it expects."""
        with pytest.raises(ScenarioProblem, match=r"needs a data table .* \| field \| value \|"):
            read_table(None, self.COLUMNS)

    def test_wrong_header(self) -> None:
        """An unknown column heading is named."""
        with pytest.raises(ScenarioProblem, match="column 2 is headed 'valeur'"):
            read_table([["field", "valeur"], ["a", "1"]], self.COLUMNS)

    def test_missing_column(self) -> None:
        """A column left out is named."""
        with pytest.raises(ScenarioProblem, match="the column 'value' is missing"):
            read_table([["field"], ["a"]], self.COLUMNS)
