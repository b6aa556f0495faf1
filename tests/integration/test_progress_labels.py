"""The words an applicant reads in the progress view (办件进度) for each state."""

from __future__ import annotations

from pathlib import Path

from oneservice import Actor, Applicant, Role, TaskState
from oneservice.samples import sample_form, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
MATTER = "start-a-business"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(7), "王五", "13800138000")
ME = Actor(Role.APPLICANT, "wangwu", applicant_id=PERSON.id_number)


def accepted_case(service):
    plan = service.catalogue.plan(MATTER)
    case = service.open_case(ME, MATTER, PERSON, channel="online", location=LOCATION)
    materials = [line.material.id for line in plan.materials]
    service.submit(ME, case.id, form=sample_form(plan), materials=materials, channel="online")
    service.accept(CLERK, case.id)
    return plan, case.id


class TestTaskLabels:
    def test_an_item_refused_by_its_department_reads_not_approved(self, service):
        """不予许可 / "Not approved" — not 不予受理, the front desk's refusal of the application."""
        plan, case_id = accepted_case(service)
        first = next(i for i in plan.items if not plan.matter.after(i.code))
        reviewer = Actor(Role.REVIEWER, "rev-01", department=first.department)
        service.refuse_item(reviewer, case_id, first.code, "经营范围涉及前置审批，材料不符")
        task = next(t for t in service.progress(ME, case_id).tasks if t["item"] == first.code)
        assert (task["state"], task["state_zh"], task["state_en"]) == ("refused", "不予许可", "Not approved")

    def test_every_task_reads_the_label_of_its_own_state(self, service):
        """Each task of the progress view carries its state's declared words."""
        _, case_id = accepted_case(service)
        for task in service.progress(ME, case_id).tasks:
            state = TaskState(task["state"])
            assert (task["state_zh"], task["state_en"]) == (state.label.zh, state.label.en)

    def test_the_case_reads_the_label_of_its_state(self, service):
        """The case's own state words come from its declaration too."""
        _, case_id = accepted_case(service)
        view = service.progress(ME, case_id)
        assert (view.state, view.state_zh, view.state_en) == ("in_progress", "审批中", "In progress")
