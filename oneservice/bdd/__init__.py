"""Gherkin acceptance scenarios for oneservice: a step library in English and Chinese.

The pytest plugin :mod:`oneservice.bdd.plugin` (entry point ``pytest11: oneservice``) registers
every step, so a project writes only ``.feature`` files and ``scenarios("features")``. The
steps drive cases through the public API (:class:`~oneservice.OneService`) as named actors.

Modules: :mod:`.library` (templates and the registry of steps), :mod:`.runner` (how a step
runs), :mod:`.world` (the per-scenario state), :mod:`.names` (ids or names to catalogue ids),
:mod:`.tables` (data tables), ``steps_*`` (the steps by topic), :mod:`.catalogue_doc` (the
generated ``docs/bdd-steps.md``). See ``docs/first-scenario.md``.
"""

from __future__ import annotations

from .library import STEPS as STEPS
from .library import StepDef as StepDef
from .names import ScenarioProblem as ScenarioProblem
from .world import World as World

__all__ = ["STEPS", "ScenarioProblem", "StepDef", "World"]
