"""Situations at run time: absent items have no task, are never refused, and the notice adapts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from engine_helpers import CLERK, ME, MONDAY, WORKFLOWS, Desk, build_engine

from oneservice.catalog.loader import load_catalogue
from oneservice.engine.clock import SimulatedClock
from oneservice.samples import sample_form

MATTER = """matter:
  id: open-shop-situations
  version: 1
  name: {zh: 开店（按情形）, en: Open a shop (by situation)}
  questions:
    - id: wants_seal
      label: {zh: 是否刻制印章, en: Have a seal made}
      type: boolean
  items:
    - item: REG
    - item: SEAL
      after: [REG]
      when: "wants_seal == true"
    - item: TAX
      after: [REG]
    - item: BANK
      after: [SEAL]
      if_absent: skip
  intake: {channels: [window, online]}
  supplement: {channels: [online, window]}
  correction: {channels: [online, window]}
  pickup: {channels: [window, mail, electronic]}
  trip_budget: 1
  promise: {value: 5}
"""


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    folder = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, folder)
    (folder / "matters" / "open-shop-situations.yaml").write_text(MATTER, encoding="utf-8")
    catalogue = load_catalogue([folder])
    return Desk(build_engine(catalogue.plan("open-shop-situations"), catalogue), SimulatedClock(MONDAY))


def _submit(desk: Desk, wants_seal: bool) -> object:
    case = desk.open()
    plan = desk.plan.situation(frozenset({"wants_seal == true"} if wants_seal else set()))
    form = {**sample_form(plan), "wants_seal": wants_seal}
    desk.engine.submit(case, ME, desk.now, form, [line.material.id for line in plan.materials], "online")
    return case


class TestAbsentItems:
    def test_no_seal(self, desk: Desk) -> None:
        """Without a seal, SEAL and BANK (skip) have no task; the case completes with REG and TAX
        approved only, and is not partially approved."""
        case = _submit(desk, False)
        assert list(case.tasks) == ["REG", "TAX"]  # type: ignore[attr-defined]
        assert [e.type for e in case.new_events].count("SituationSettled") == 1  # type: ignore[attr-defined]
        assert desk.engine.completeness(case, desk.now.date()).complete  # type: ignore[arg-type]
        desk.engine.accept(case, CLERK, desk.now)  # type: ignore[arg-type]
        desk.approve(case, "REG", "TAX")  # type: ignore[arg-type]
        assert str(case.state) == "ready_for_pickup"  # type: ignore[attr-defined]
        concluded = [e for e in case.new_events if e.type == "CaseConcluded"]  # type: ignore[attr-defined]
        assert not concluded or concluded[-1].data.get("outcome") != "partially_approved"

    def test_with_seal(self, desk: Desk) -> None:
        """With a seal every item is part of the case."""
        case = _submit(desk, True)
        assert list(case.tasks) == ["REG", "SEAL", "TAX", "BANK"]  # type: ignore[attr-defined]

    def test_answer_missing_then_given(self, desk: Desk) -> None:
        """The question is part of the form: left out, the notice asks for it; supplied later,
        the case's items follow the answer."""
        case = desk.open()
        form = {k: v for k, v in sample_form(desk.plan).items() if k != "wants_seal"}
        desk.engine.submit(case, ME, desk.now, form, [
            line.material.id for line in desk.plan.situation(frozenset()).materials], "online")
        check = desk.engine.completeness(case, desk.now.date())
        assert [i.id for i in check.issues] == ["wants_seal"]
        desk.engine.give_notice(case, CLERK, desk.now)
        desk.engine.supplement(case, ME, desk.now, {"wants_seal": True}, [], "online")
        assert list(case.tasks) == ["REG", "SEAL", "TAX", "BANK"]


class TestExplain:
    def _folder(self, tmp_path: Path) -> Path:
        folder = tmp_path / "workflows"
        shutil.copytree(WORKFLOWS, folder)
        (folder / "matters" / "open-shop-situations.yaml").write_text(MATTER, encoding="utf-8")
        return folder

    def test_without_answers(self, tmp_path: Path) -> None:
        """Without answers the notice lists what depends on which answer."""
        from click.testing import CliRunner

        from oneservice.cli import main

        result = CliRunner().invoke(main, ["explain", "open-shop-situations", "--lang", "en",
                                           "--workflows", str(self._folder(tmp_path))])
        assert result.exit_code == 0, result.output
        assert ("  • only when wants_seal == true [wants_seal]: SEAL Seal engraving; and with it BANK"
                in result.output)

    def test_one_situation(self, tmp_path: Path) -> None:
        """With an answer (key=value or a file), the notice of that situation names the absent items."""
        from click.testing import CliRunner

        from oneservice.cli import main

        answers = tmp_path / "answers.yaml"
        answers.write_text("wants_seal: false\n", encoding="utf-8")
        folder = str(self._folder(tmp_path))
        for given in ("wants_seal=false", str(answers)):
            result = CliRunner().invoke(main, ["explain", "open-shop-situations", "--lang", "en",
                                               "--answers", given, "--workflows", folder])
            assert result.exit_code == 0, result.output
            assert "  • items not part of your case: SEAL, BANK" in result.output
            assert "Seal record" not in result.output

    def test_wrong_type(self, tmp_path: Path) -> None:
        """An answer of the wrong type, or a question the matter does not ask: OS710, exit 2."""
        from click.testing import CliRunner

        from oneservice.cli import main

        folder = str(self._folder(tmp_path))
        for given, said in (("wants_seal=maybe", "must be boolean"), ("wants_sael=true", "'wants_seal'")):
            result = CliRunner().invoke(main, ["explain", "open-shop-situations", "--answers", given,
                                               "--workflows", folder])
            assert result.exit_code == 2
            assert "OS710" in result.output and said in result.output
