"""The one declaration of each state and each action, and what is derived from it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from oneservice import OneService
from oneservice.domain.actions import ACTIONS, READS, Target
from oneservice.domain.case import Role
from oneservice.domain.states import (
    ACTIVE_CASE_STATES,
    CLOCK_STOPPED_TASK_STATES,
    CONCLUDED_TASK_STATES,
    FINISHED_CASE_STATES,
    OPEN_CASE_STATES,
    RUNNING_TASK_STATES,
    WORKLIST_TASK_STATES,
    CaseState,
    TaskState,
)
from oneservice.engine.machines import MACHINES

ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u4e00-\u9fff]")


class TestStateLabels:
    @pytest.mark.parametrize("state", [*CaseState, *TaskState], ids=repr)
    def test_every_state_has_a_chinese_and_an_english_label(self, state):
        """A state without a label in either language fails here, not on an applicant's screen."""
        assert HAN.search(state.label.zh), state
        assert state.label.en and not HAN.search(state.label.en), state

    def test_a_refused_item_is_not_a_refused_application(self):
        """不予受理 (front desk) and 不予许可 (department) share the value "refused", not the label."""
        assert CaseState.REFUSED.value == TaskState.REFUSED.value == "refused"
        assert CaseState.REFUSED.label.zh == "不予受理"
        assert TaskState.REFUSED.label.zh == "不予许可"
        assert TaskState.REFUSED.label.en == "Not approved"

    def test_labels_within_one_machine_are_distinct(self):
        """Two states of one machine never read the same to a user."""
        for states in (CaseState, TaskState):
            assert len({s.label.zh for s in states}) == len(states)
            assert len({s.label.en for s in states}) == len(states)


class TestNamedSets:
    def test_open_and_finished_partition_the_case_states(self):
        """Every case state is open or finished, never both."""
        assert set(CaseState) == OPEN_CASE_STATES | FINISHED_CASE_STATES
        assert not OPEN_CASE_STATES & FINISHED_CASE_STATES

    def test_active_cases_are_open_and_accepted(self):
        """Supervision watches accepted cases that are not finished."""
        assert ACTIVE_CASE_STATES < OPEN_CASE_STATES
        assert CaseState.DRAFT not in ACTIVE_CASE_STATES and CaseState.SUBMITTED not in ACTIVE_CASE_STATES

    def test_task_states_run_stop_or_conclude(self):
        """A task's clock runs, is stopped, or the task is concluded: exactly one of the three."""
        sets = (RUNNING_TASK_STATES, CLOCK_STOPPED_TASK_STATES, CONCLUDED_TASK_STATES)
        assert set().union(*sets) == set(TaskState)
        assert sum(len(s) for s in sets) == len(TaskState)

    def test_worklist_holds_dispatched_unconcluded_tasks(self):
        """A department's worklist: dispatched to it and not concluded."""
        assert set(WORKLIST_TASK_STATES) == set(TaskState) - CONCLUDED_TASK_STATES - {TaskState.WAITING}


class TestActionDeclarations:
    def test_every_state_change_names_declared_states(self):
        """Sources and targets of every declared step are states of the machine they step."""
        for spec in ACTIONS.values():
            if spec.case is not None:
                assert {*spec.case.sources, spec.case.dest} - {None} <= set(CaseState), spec.name
            if spec.task is not None:
                assert {*spec.task.sources, spec.task.dest} - {None} <= set(TaskState), spec.name

    def test_the_machines_have_one_trigger_per_declared_step(self):
        """The state machines are built from the declarations, nothing else."""
        assert set(MACHINES.case.events) == {n for n, s in ACTIONS.items() if s.case and s.case.sources}
        assert set(MACHINES.task.events) == {n for n, s in ACTIONS.items() if s.task and s.task.sources}

    def test_item_actions_step_an_item_task(self):
        """An action on an item moves (or checks) the item's task; a case action does not."""
        for spec in ACTIONS.values():
            assert (spec.task is not None) == (spec.target is Target.ITEM), spec.name

    @pytest.mark.parametrize("name", [n for n, s in ACTIONS.items() if s.path and hasattr(OneService, n)], ids=str)
    def test_typed_service_methods_match_their_declarations(self, name):
        """OneService.<action> takes actor, case id, (item,) the declared payload and a key."""
        spec = ACTIONS[name]
        parameters = list(inspect.signature(getattr(OneService, name)).parameters)
        expected = ["item"] * (spec.target is Target.ITEM) + [p.name for p in spec.params]
        assert parameters[:3] == ["self", "actor", "case_id"]
        assert sorted(parameters[3:]) == sorted([*expected, "idempotency_key"])
        assert spec.summary in (getattr(OneService, name).__doc__ or "") or name == "give_notice"

    def test_every_action_with_an_endpoint_can_be_performed(self):
        """A declared action is reachable through OneService.perform (and so over HTTP)."""
        from oneservice.http.cases import ENDPOINTS

        assert {e.spec.name for e in ENDPOINTS} == {n for n, s in ACTIONS.items() if s.path and not s.internal}

    def test_every_action_names_its_roles_and_words(self):
        """Who may do it and what it is called, in both languages."""
        for spec in ACTIONS.values():
            assert spec.roles and spec.roles <= set(Role), spec.name
            assert HAN.search(spec.label.zh) and spec.label.en and spec.summary, spec.name

    def test_reads_name_their_readers(self):
        """Every query on a case says who may read it."""
        assert {"summary", "progress", "case", "events", "completeness", "last_notice"} <= set(READS)
        assert all(spec.roles for spec in READS.values())


class TestActionsDoc:
    def test_docs_action_table_is_generated_from_the_declarations(self):
        """docs/actions.md is what ``python -m oneservice.domain.actions_doc`` writes."""
        from oneservice.domain.actions_doc import render

        assert (ROOT / "docs" / "actions.md").read_text(encoding="utf-8") == render()
