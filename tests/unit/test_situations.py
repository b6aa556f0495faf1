"""Situations (情形): conditional items and conditional shared sources, proven for every situation."""

from __future__ import annotations

from typing import Any

from catalog_helpers import codes, field, item, material, matter, run

from oneservice.domain import situations
from oneservice.domain.definitions import AbsentPolicy, Matter, MatterItem, Text

QUESTION = {"id": "has_customs", "label": {"zh": "是否已办理海关备案", "en": "Registered with customs"},
            "type": "boolean"}


def _situated(**over: Any) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"item": "A"},
        {"item": "B", "after": ["A"], "when": "has_customs == true"},
        {"item": "C", "after": ["B"]},
        {"item": "D", "after": ["B"], "if_absent": "skip"},
    ]
    return matter("m", items, questions=[QUESTION], **over)


def _items(**over: Any) -> list[dict[str, Any]]:
    return [item("A", form=[field("company_name")]), item("B", **over), item("C"), item("D")]


class TestLoad:
    def test_situations_load(self) -> None:
        """A matter with a conditional item loads; its plan holds one plan per situation."""
        report = run(*_items(), _situated())
        assert report.ok, report.findings
        plan = report.catalogue.plan("m")
        assert plan.conditions == ("has_customs == true",)
        with_customs = plan.situation(frozenset({"has_customs == true"}))
        without = plan.situation(frozenset())
        assert [i.code for i in with_customs.items] == ["A", "B", "C", "D"]
        assert [i.code for i in without.items] == ["A", "C"]
        assert without.matter.after("C") == ("A",)  # proceed: C waits for what B waited for
        assert [line.field.id for line in plan.form][:1] == ["has_customs"]

    def test_unknown_field(self) -> None:
        """A condition over a field that is neither a question nor in an unconditional item: OS307."""
        doc = _situated()
        doc["matter"]["items"][1]["when"] = "has_custom == true"
        report = run(*_items(), doc)
        finding = next(f for f in report.findings if f.code == "OS307")
        assert "has_custom" in finding.message
        assert finding.hint == "did you mean 'has_customs'?"
        assert finding.path == "matter.items[1].when"

    def test_type_error(self) -> None:
        """A boolean question compared with a text: OS260 at the condition."""
        doc = _situated()
        doc["matter"]["items"][1]["when"] = 'has_customs > "yes"'
        assert "OS260" in codes(run(*_items(), doc))

    def test_today_refused(self) -> None:
        """A situation that reads today could change from one day to the next: OS267."""
        doc = _situated()
        doc["matter"]["items"][1]["when"] = 'today > "2026-01-01"'
        assert "OS267" in codes(run(*_items(), doc))

    def test_too_many_conditions(self) -> None:
        """Nine distinct conditions are 512 situations: OS265."""
        questions = [dict(QUESTION, id=f"q{n}") for n in range(9)]
        items = [{"item": "A"}] + [{"item": f"X{n}", "when": f"q{n} == true"} for n in range(9)]
        docs = [item("A")] + [item(f"X{n}") for n in range(9)]
        assert "OS265" in codes(run(*docs, matter("m", items, questions=questions)))

    def test_skip_without_after(self) -> None:
        """if_absent: skip on an item that comes after nothing has no effect: OS266 warning."""
        doc = _situated()
        doc["matter"]["items"][0]["if_absent"] = "skip"
        report = run(*_items(), doc)
        assert report.ok
        assert "OS266" in codes(report)

    def test_critical_path_in_one_situation(self) -> None:
        """A path too long only when B is absent (D proceeds to a long item) is named with its
        situation, and the plan is refused."""
        docs = [item("A", form=[field("company_name")]), item("B"),
                item("L", limits={"legal": {"value": 40}, "promised": {"value": 40}})]
        items = [{"item": "A"}, {"item": "B", "when": "has_customs == true"},
                 {"item": "L", "when": "has_customs == false"}]
        report = run(*docs, matter("m", items, questions=[QUESTION], promise={"value": 30}))
        finding = next(f for f in report.findings if f.code == "OS403")
        assert finding.message.endswith(
            "— in the situation has_customs == true: true; has_customs == false: true")


class TestSharedWhen:
    def test_conditional_source(self) -> None:
        """A shared source with a condition covers the applicant only when it holds."""
        hukou = {"id": "local_hukou", "label": {"zh": "本地户籍", "en": "Local household"},
                 "type": "boolean"}
        docs = [item("A", materials=[material("id-card", sources=[
            {"shared": "population-register", "when": "local_hukou == true"}, "applicant"])])]
        report = run(*docs, matter("m", ["A"], questions=[hukou]))
        assert report.ok, report.findings
        plan = report.catalogue.plan("m")
        local = plan.situation(frozenset({"local_hukou == true"}))
        other = plan.situation(frozenset())
        assert [x.material.id for x in local.not_needed] == ["id-card"]
        assert [x.material.id for x in other.materials] == ["id-card"]

    def test_bad_source_condition(self) -> None:
        """A shared source's condition is type-checked too, at the source in the item's file."""
        docs = [item("A", materials=[material("id-card", sources=[
            {"shared": "population-register", "when": "nowhere == 1"}])])]
        report = run(*docs, matter("m", ["A"]))
        finding = next(f for f in report.findings if f.code == "OS307")
        assert finding.path == "item.materials[0].sources[0].when"

    def test_malformed_source(self) -> None:
        """A conditional source needs both keys: OS203."""
        docs = [item("A", materials=[material("id-card", sources=[{"shared": "population-register"}])])]
        assert "OS203" in codes(run(*docs, matter("m", ["A"])))


class TestPresentItems:
    def _matter(self, policy: AbsentPolicy) -> Matter:
        text = Text("x", "x")
        return Matter("m", "1", text, (
            MatterItem("A"), MatterItem("B", ("A",), "q"), MatterItem("C", ("B",), "r"),
            MatterItem("D", ("C",), None, policy)), frozenset(), frozenset(), frozenset(),
            frozenset(), False, 1, None, None)  # type: ignore[arg-type]

    def test_proceed_through_two_absent(self) -> None:
        """D after C after B, both absent: D waits for A."""
        present = situations.present_items(self._matter(AbsentPolicy.PROCEED), frozenset())
        assert [(mi.item, mi.after) for mi in present] == [("A", ()), ("D", ("A",))]

    def test_skip(self) -> None:
        """D skips when C is absent."""
        present = situations.present_items(self._matter(AbsentPolicy.SKIP), frozenset({"q"}))
        assert [mi.item for mi in present] == ["A", "B"]

    def test_truth_of_counts_errors_as_true(self) -> None:
        """A condition over a missing answer keeps its item (the notice asks for the answer)."""
        assert situations.truth_of(("n > 3", "flag == true"), {"flag": False}) == frozenset({"n > 3"})
