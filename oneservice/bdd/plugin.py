"""The pytest plugin: Gherkin steps for oneservice (needs the ``[bdd]`` extra: pytest-bdd).

The entry point ``pytest11: oneservice`` is :mod:`oneservice.bdd.entry`, which loads this module
only when a test module of a oneservice project uses pytest-bdd; ``-p oneservice.bdd.plugin``
loads it in any case.

A project that installs oneservice writes ``.feature`` files (English, or Chinese with
``# language: zh-CN``) and one test module::

    from pytest_bdd import scenarios
    scenarios("features")

Fixtures:

``oneservice_workflows``
    The catalogue folder: ``workflows/`` under the rootdir, or the ini option
    ``oneservice_workflows`` (several folders or files separated by spaces, read together as
    ``oneservice check`` reads its paths; the fixture is then a tuple of paths). Override the
    fixture to compute it.
``oneservice_database_url``
    A fresh SQLite database in ``tmp_path`` for each scenario. Override it to use another
    database (each scenario needs an empty one).
``oneservice_world``
    The :class:`~oneservice.bdd.world.World` of the scenario.

Hooks make a scenario's mistakes point at the feature file: an undefined step names the file, the
line and the closest known steps; an action error no step asserted fails the scenario with the
line of the action.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.parser import Feature, Scenario, Step

from oneservice import Catalogue

from .entry import WORKFLOWS_INI, workflow_folders
from .library import STEP_MODULES, closest_steps
from .runner import STEP_ATTRIBUTE
from .world import World

__all__ = ["WORKFLOWS_INI"]

pytest_plugins = list(STEP_MODULES)

CURRENT_STEP = pytest.StashKey[str]()
WORLD_KEY = pytest.StashKey[World]()
CATALOGUES = pytest.StashKey[dict[tuple[Path, ...], Catalogue]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini option, when this module is loaded with ``-p`` and not through the entry point."""
    from .entry import pytest_addoption as add

    add(parser)


def _where(config: pytest.Config, feature: Feature, step: Step) -> str:
    path = Path(feature.filename)
    try:
        shown = path.relative_to(config.rootpath).as_posix()
    except ValueError:
        shown = os.path.relpath(path)
    return f"{shown}:{step.line_number}: {step.keyword} {step.name}"


@pytest.fixture
def oneservice_workflows(request: pytest.FixtureRequest) -> Path | tuple[Path, ...]:
    """The catalogue folder (or folders) scenarios use unless they say ``Given the catalogue in "…"``."""
    root = request.config.rootpath
    folders = tuple(root / p for p in workflow_folders(request.config)) or (root / "workflows",)
    return folders[0] if len(folders) == 1 else folders


@pytest.fixture
def oneservice_database_url(tmp_path: Path) -> str:
    """A new SQLite database file for the scenario."""
    return f"sqlite:///{tmp_path / 'oneservice.sqlite'}"


@pytest.fixture
def oneservice_world(request: pytest.FixtureRequest, oneservice_workflows: Path | tuple[Path, ...],
                     oneservice_database_url: str) -> Iterator[World]:
    """The scenario's world: service, simulated clock, applicant, current case, pending error."""
    config = request.config
    catalogues = config.stash.setdefault(CATALOGUES, {})
    node = request.node
    world = World(workflows=oneservice_workflows, database_url=oneservice_database_url,
                  root=config.rootpath, catalogues=catalogues,
                  where=lambda: node.stash.get(CURRENT_STEP, node.nodeid))
    node.stash[WORLD_KEY] = world
    yield world
    world.close()


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                           step_func: Callable[..., Any]) -> None:
    """Remember where we are; fail on an action error the previous steps left unasserted."""
    request.node.stash[CURRENT_STEP] = _where(request.config, feature, step)
    world = request.node.stash.get(WORLD_KEY, None)
    definition = getattr(step_func, STEP_ATTRIBUTE, None)
    if world is not None and world.error is not None and not (definition and definition.asserts_error):
        world.raise_pending()


def pytest_bdd_step_error(request: pytest.FixtureRequest) -> None:
    """A step failed: the scenario is over, an unasserted action error no longer matters."""
    world = request.node.stash.get(WORLD_KEY, None)
    if world is not None:
        world.failed = True


@pytest.hookimpl(trylast=True)
def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                                      step: Step, exception: Exception) -> None:
    """An undefined step: name the feature file, the line and the closest known steps."""
    world = request.node.stash.get(WORLD_KEY, None)
    if world is not None:
        world.failed = True
    lines = [f"{_where(request.config, feature, step)}", f"  undefined step ({step.type}): {step.name}"]
    close = closest_steps(step.name)
    if close:
        lines.append("  closest known steps:")
        lines += [f"    {c}" for c in close]
    lines.append("  (every step is listed in docs/bdd-steps.md of oneservice)")
    pytest.fail("\n".join(lines), pytrace=False)


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    """An action error still unasserted when the scenario ends fails it."""
    world = request.node.stash.get(WORLD_KEY, None)
    if world is not None and world.error is not None and not world.failed:
        world.raise_pending()
