"""The state machines of cases and item tasks — the only module that imports ``transitions``.

One pair of machines is compiled per definition version (content hash) and shared by every case
of that version: no machine object exists per case. Guards are checked by the engine before an
event is triggered, so a refused action raises a specific error instead of transitions' silent
``False``.
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine, MachineError

from ..domain.case import CaseState as C
from ..domain.case import TaskState as T

__all__ = ["CASE_ACTIONS", "TASK_ACTIONS", "MachineError", "MachinePair", "Machines"]

_OPEN_BEFORE_PICKUP = [C.DRAFT, C.SUBMITTED, C.AWAITING_MATERIALS, C.ACCEPTED, C.IN_PROGRESS]

# trigger -> (sources, destination or None for an internal transition)
CASE_ACTIONS: dict[str, tuple[list[str], str | None]] = {
    "submit": ([C.DRAFT], C.SUBMITTED),
    "give_notice": ([C.SUBMITTED], C.AWAITING_MATERIALS),
    "supplement": ([C.AWAITING_MATERIALS], C.SUBMITTED),
    "accept": ([C.SUBMITTED], C.ACCEPTED),
    "accept_with_deficiency": ([C.SUBMITTED], C.ACCEPTED),
    "refuse": ([C.SUBMITTED, C.AWAITING_MATERIALS], C.REFUSED),
    "dispatch": ([C.ACCEPTED], C.IN_PROGRESS),
    "review": ([C.IN_PROGRESS], None),  # every back-office action on an item task
    "record_visit": (
        [C.SUBMITTED, C.AWAITING_MATERIALS, C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP],
        None,
    ),
    "supply_owed": ([C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP], None),
    "complete": ([C.IN_PROGRESS], C.READY_FOR_PICKUP),
    "deliver": ([C.READY_FOR_PICKUP], C.DELIVERED),
    "conclude": ([C.DELIVERED], C.CLOSED),
    "withdraw": ([*_OPEN_BEFORE_PICKUP], C.WITHDRAWN),
    "terminate": ([C.ACCEPTED, C.IN_PROGRESS, C.READY_FOR_PICKUP], C.TERMINATED),
    "rate": ([C.DELIVERED, C.CLOSED, C.REFUSED, C.TERMINATED], None),
    "follow_up": ([C.DELIVERED, C.CLOSED, C.REFUSED, C.TERMINATED], None),
}

TASK_ACTIONS: dict[str, tuple[list[str], str | None]] = {
    "dispatch": ([T.WAITING], T.READY),
    "start_review": ([T.READY], T.IN_REVIEW),
    "approve": ([T.IN_REVIEW], T.APPROVED),
    "refuse": ([T.READY, T.IN_REVIEW], T.REFUSED),
    "request_correction": ([T.IN_REVIEW], T.CORRECTION_REQUESTED),
    "supply_correction": ([T.CORRECTION_REQUESTED], T.IN_REVIEW),
    "suspend": ([T.IN_REVIEW], T.SUSPENDED),
    "resume": ([T.SUSPENDED], T.IN_REVIEW),
    "record_visit": ([T.READY, T.IN_REVIEW], None),
    "cancel": ([T.WAITING, T.READY, T.IN_REVIEW, T.CORRECTION_REQUESTED, T.SUSPENDED], T.CANCELLED),
}


def _compile(states: list[str], actions: dict[str, tuple[list[str], str | None]]) -> Machine:
    transitions: list[dict[str, Any]] = [
        {"trigger": name, "source": [str(s) for s in sources], "dest": str(dest) if dest else None}
        for name, (sources, dest) in actions.items()
    ]
    return Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=states[0],
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


class MachinePair:
    """The compiled case machine and item-task machine of one definition version."""

    def __init__(self, definition_hash: str) -> None:
        self.definition_hash = definition_hash
        self.case = _compile([str(s) for s in C], CASE_ACTIONS)
        self.task = _compile([str(s) for s in T], TASK_ACTIONS)
        self._case_allowed = {str(s): sorted(self.case.get_triggers(str(s))) for s in C}
        self._task_allowed = {str(s): sorted(self.task.get_triggers(str(s))) for s in T}
        # what a reviewer may do on a task (dispatch and cancel follow from case actions)
        self._task_offered = {
            s: [a for a in allowed if a not in ("dispatch", "cancel")]
            for s, allowed in self._task_allowed.items()
        }

    def case_allows(self, state: str, action: str) -> bool:
        return action in self._case_allowed[state]

    def task_allows(self, state: str, action: str) -> bool:
        return action in self._task_allowed[state]

    def case_actions(self, state: str) -> list[str]:
        return self._case_allowed[state]

    def task_actions(self, state: str) -> list[str]:
        return self._task_allowed[state]

    def task_actions_offered(self, state: str) -> list[str]:
        """The task actions staff can ask for in ``state`` (not dispatch and cancel)."""
        return self._task_offered[state]

    def fire_case(self, model: Any, action: str) -> None:
        """Trigger ``action`` on a case whose state the engine has already checked."""
        model.state = str(model.state)  # transitions reads Enum states by name, ours by value
        self.case.events[action].trigger(model)

    def fire_task(self, model: Any, action: str) -> None:
        model.state = str(model.state)
        self.task.events[action].trigger(model)


class Machines:
    """Compiles one :class:`MachinePair` per definition hash, once, and shares it."""

    def __init__(self) -> None:
        self._pairs: dict[str, MachinePair] = {}
        self._lock = threading.Lock()
        self.compiled = 0

    def for_definition(self, definition_hash: str) -> MachinePair:
        pair = self._pairs.get(definition_hash)
        if pair is None:
            with self._lock:
                pair = self._pairs.get(definition_hash)
                if pair is None:
                    pair = self._pairs[definition_hash] = MachinePair(definition_hash)
                    self.compiled += 1
        return pair
