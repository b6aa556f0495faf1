"""The state machines of cases, item tasks and 12345 requests — the only module that imports
``transitions``.

Both machines are built once per process from the action declarations
(:data:`oneservice.domain.actions.ACTIONS`: one trigger per declared action with a case or a task
step) and shared by every case of every definition: no machine object exists per case. Guards
are checked by the engine before an event is triggered, so a refused action raises a specific
error instead of transitions' silent ``False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transitions import Machine

from ..domain.actions import ACTIONS, ActionSpec, Move
from ..domain.requests import REQUEST_ACTIONS, RequestAction, RequestState
from ..domain.states import CaseState, TaskState

__all__ = ["LEGAL_CASE_MOVES", "MACHINES", "Machines"]


def _compile(states: list[str], moves: Mapping[str, Move]) -> Machine:
    transitions: list[dict[str, Any]] = [
        {
            "trigger": name,
            "source": sorted(str(s) for s in move.sources),
            "dest": str(move.dest) if move.dest is not None else None,
        }
        for name, move in moves.items()
        if move.sources
    ]
    return Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=states[0],
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


def _case_moves(specs: Mapping[str, ActionSpec]) -> dict[str, Move]:
    return {name: spec.case for name, spec in specs.items() if spec.case is not None}


def _task_moves(specs: Mapping[str, ActionSpec]) -> dict[str, Move]:
    return {name: spec.task for name, spec in specs.items() if spec.task is not None}


LEGAL_CASE_MOVES = frozenset(
    (str(source), str(move.dest))
    for move in _case_moves(ACTIONS).values()
    if move.dest is not None
    for source in move.sources
)
"""Every (from, to) pair of case states that some action may produce (the tests' invariant)."""


class Machines:
    """The case machine and the item-task machine, built from the action declarations."""

    def __init__(self, specs: Mapping[str, ActionSpec] = ACTIONS,
                 request_actions: Mapping[str, RequestAction] = REQUEST_ACTIONS) -> None:
        self.case = _compile([str(s) for s in CaseState], _case_moves(specs))
        self.task = _compile([str(s) for s in TaskState], _task_moves(specs))
        self.request = _compile([str(s) for s in RequestState], {
            name: Move.of((str(s) for s in a.sources), None if a.dest is None else str(a.dest))
            for name, a in request_actions.items()})

    def fire_case(self, model: Any, action: str) -> None:
        """Trigger ``action`` on a case whose state the engine has already checked."""
        model.state = str(model.state)  # transitions reads Enum states by name, ours by value
        self.case.events[action].trigger(model)
        model.state = CaseState(model.state)

    def fire_task(self, model: Any, action: str) -> None:
        """Trigger ``action`` on an item task whose state the engine has already checked."""
        model.state = str(model.state)
        self.task.events[action].trigger(model)
        model.state = TaskState(model.state)

    def fire_request(self, model: Any, action: str) -> None:
        """Trigger ``action`` on a 12345 request whose state the engine has already checked."""
        model.state = str(model.state)
        self.request.events[action].trigger(model)
        model.state = RequestState(model.state)


MACHINES = Machines()
"""The machines every engine shares."""
