"""A condition that cannot be evaluated at intake: named, bounded, and no form value in any log."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from engine_helpers import ME, MONDAY, PERSON, SHOP, WORKFLOWS, Desk, build_engine

from oneservice.catalog.loader import load_catalogue
from oneservice.engine.clock import SimulatedClock
from oneservice.samples import sample_form

FIELD = """    - id: legal_rep_id
      label: {zh: 法定代表人身份证号码, en: Legal representative's ID number}
      type: resident_id
      required: false
"""
CONDITIONS = """    - id: rep-pattern
      when: "legal_rep_id == null || legal_rep_id.matches(company_name)"
      message: {zh: 法定代表人与企业名称不符, en: The legal representative does not match the name}
    - id: founded
      when: "founded == null || founded <= today"
      message: {zh: 成立日期不能晚于今天, en: The date of foundation cannot be in the future}
"""
DATE = """    - id: founded
      label: {zh: 成立日期, en: Date of foundation}
      type: date
      required: false
"""


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """open-shop with two more conditions on REG: a pattern taken from the form, and today."""
    folder = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, folder)
    reg = folder / "items" / "reg.yaml"
    text = reg.read_text(encoding="utf-8")
    text = text.replace("  conditions:\n", FIELD + DATE + "  conditions:\n" + CONDITIONS)
    reg.write_text(text, encoding="utf-8")
    catalogue = load_catalogue([folder])
    return Desk(build_engine(catalogue.plan(SHOP), catalogue), SimulatedClock(MONDAY))


class TestEvaluationError:
    def test_named_and_without_form_values(self, desk: Desk, caplog: pytest.LogCaptureFixture,
                                           capfd: pytest.CaptureFixture[str]) -> None:
        """A pattern from the form that RE2 refuses fails the condition: the notice lists it, the
        log names the matter, item and condition, and no log, stream or message holds a form value."""
        form = {**sample_form(desk.plan, desk.now.date()), "company_name": "杭州(某某",
                "legal_rep_id": PERSON.id_number}
        case = desk.open()
        with caplog.at_level(logging.DEBUG):
            desk.engine.submit(case, ME, desk.now, form, desk.applicant_materials(), "online")
            check = desk.engine.completeness(case, desk.now.date())
        out, err = capfd.readouterr()
        assert [i.id for i in check.issues] == ["REG/rep-pattern"]
        warnings = [r.getMessage() for r in caplog.records if r.name == "oneservice.conditions"]
        assert warnings == ["could not evaluate matter open-shop, item REG, condition rep-pattern: "
                            "invalid regular expression"]
        for text in (caplog.text, out, err, *(i.message_en for i in check.issues)):
            assert PERSON.id_number not in text and "杭州(某某" not in text and PERSON.name not in text


class TestToday:
    def test_today_is_the_clock(self, desk: Desk) -> None:
        """``today`` is the engine clock's date: a foundation tomorrow is refused, today is not."""
        case = desk.open()
        tomorrow = desk.now.date().replace(day=desk.now.day + 1).isoformat()
        form = {**sample_form(desk.plan, desk.now.date()), "founded": tomorrow, "legal_rep_id": None}
        desk.engine.submit(case, ME, desk.now, form, desk.applicant_materials(), "online")
        assert [i.id for i in desk.engine.completeness(case, desk.now.date()).issues] == ["REG/founded"]
        desk.clock.advance(days=1)
        assert desk.engine.completeness(case, desk.clock.now().date()).issues == ()
