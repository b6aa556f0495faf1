"""Gherkin acceptance scenarios for oneservice: a step library in English and Chinese.

The pytest plugin :mod:`oneservice.bdd.plugin` (loaded by the entry point
:mod:`oneservice.bdd.entry` in a oneservice project; the ``[bdd]`` extra) registers
every step, so a project writes only ``.feature`` files and ``scenarios("features")``. The
steps drive cases through the public API (:class:`~oneservice.OneService`) as named actors.

Modules: :mod:`.library` (templates and the registry of steps), :mod:`.runner` (how a step
runs), :mod:`.world` (the per-scenario state), :mod:`.names` (ids or names to catalogue ids),
:mod:`.tables` (data tables), ``steps_*`` (the steps by topic), :mod:`.catalogue_doc` (the
generated ``docs/bdd-steps.md``). See ``docs/first-scenario.md``.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from .library import STEPS as STEPS
    from .library import StepDef as StepDef
    from .names import ScenarioProblem as ScenarioProblem
    from .world import World as World

__all__ = ["STEPS", "ScenarioProblem", "StepDef", "World"]

# imported on first use (PEP 562): the pytest entry point (.entry) lives in this package and must
# load nothing of the step library in projects that do not use it
_MODULE_OF = {"STEPS": ".library", "StepDef": ".library", "ScenarioProblem": ".names", "World": ".world"}

if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value
