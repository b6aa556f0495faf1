"""The pytest entry point of oneservice (``pytest11: oneservice``): inert until it is needed.

Every pytest run in an environment where oneservice is installed loads this module, so it imports
nothing but the standard library. It loads the step library (:mod:`oneservice.bdd.plugin`, which
imports pytest-bdd and oneservice itself) only when a collected test module uses pytest-bdd in a
oneservice project, that is when the module mentions ``pytest_bdd`` and one of these holds:

- the ini option ``oneservice_workflows`` names other folders than ``workflows``;
- the rootdir holds a catalogue (``workflows/registry.yaml``);
- the module mentions ``oneservice``;
- the environment variable ``ONESERVICE_BDD=1`` is set.

Another project's pytest-bdd scenarios are left alone (no fixtures, no hooks, no messages of
oneservice), and a run without pytest-bdd scenarios pays one ini option and one hook call per
collected file (``bench/pytest_plugin_cost.py`` measures it). ``-p oneservice.bdd.plugin`` loads
the step library unconditionally.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

__all__ = ["PLUGIN", "WORKFLOWS_INI", "wanted", "workflow_folders"]

PLUGIN = "oneservice.bdd.plugin"
WORKFLOWS_INI = "oneservice_workflows"
ENVIRONMENT_SWITCH = "ONESERVICE_BDD"
_READ_LIMIT = 1 << 20  # a test module longer than a megabyte is read in part


def pytest_addoption(parser: Any) -> None:
    parser.addini(WORKFLOWS_INI, "oneservice: catalogue folder(s) for Gherkin scenarios, separated by "
                  "spaces (default: workflows)", type="args", default=["workflows"])


def workflow_folders(config: Any) -> list[str]:
    """The catalogue folders of the ini option (``-p`` may have registered it as a plain string)."""
    value = config.getini(WORKFLOWS_INI)
    return str(value).split() if isinstance(value, str) else [str(v) for v in value]


def wanted(config: Any, source: str) -> bool:
    """Whether a test module with text ``source`` needs oneservice's step library."""
    if "pytest_bdd" not in source:
        return False
    if os.environ.get(ENVIRONMENT_SWITCH) == "1" or "oneservice" in source:
        return True
    folders = workflow_folders(config)
    if folders != ["workflows"]:  # set in the ini file
        return True
    return (Path(config.rootpath) / "workflows" / "registry.yaml").is_file()


def _is_test_module(config: Any, path: Path) -> bool:
    if path.suffix != ".py":
        return False
    patterns = config.getini("python_files") or ["test_*.py", "*_test.py"]
    return any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)


def pytest_collect_file(file_path: Path, parent: Any) -> None:
    """Before a test module is imported: load the step library if the module needs it."""
    config = parent.config
    manager = config.pluginmanager
    if manager.has_plugin(PLUGIN) or not _is_test_module(config, file_path):
        return
    try:
        with file_path.open(encoding="utf-8", errors="replace") as module:
            source = module.read(_READ_LIMIT)
    except OSError:
        return
    if wanted(config, source):
        manager.import_plugin(PLUGIN)
