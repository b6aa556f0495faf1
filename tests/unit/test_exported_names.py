"""The public Python API: ``oneservice.__all__`` is sorted, complete, resolvable and keeps every name.

httpx's ``tests/test_exported_members.py`` habit. Names may be added (extend ``EXPECTED``);
none may disappear unnoticed.
"""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

import oneservice

EXPECTED = [
    "TZ", "ActionRejected", "Actor", "Applicant", "CalendarError", "Case", "CaseError",
    "CaseNotFound", "CaseState", "CaseSummary", "Catalogue", "CheckReport", "Clock",
    "ConcurrencyConflict", "DefinitionError", "Due", "DuplicateAction", "Finding", "IllegalAction",
    "InvalidIdentifier", "InvalidInput", "MatterPlan", "NotAuthorised", "Notice", "OneService",
    "OneServiceError", "Page", "Party", "PartyError", "ProgressView", "RatingLevel", "Role", "SimulatedClock", "Store",
    "StoreError", "SystemClock", "TaskState", "UnknownDefinition", "WorkCalendar", "check",
    "load_catalogue", "notice_data", "render_diagram", "render_notice",
]


def isort_order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_all_is_sorted() -> None:
    assert oneservice.__all__ == sorted(oneservice.__all__, key=isort_order)
    assert len(set(oneservice.__all__)) == len(oneservice.__all__)


def test_every_expected_name_is_exported() -> None:
    assert [name for name in EXPECTED if name not in oneservice.__all__] == []


@pytest.mark.parametrize("name", oneservice.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(oneservice, name) is not None


def test_all_is_what_the_package_exposes() -> None:
    """Every public name at the top level is in ``__all__`` (submodules aside), and only those."""
    for name in oneservice.__all__:
        getattr(oneservice, name)  # a lazy name is in the namespace once used
    exposed = {
        name for name, value in vars(oneservice).items()
        if name.isidentifier() and not name.startswith("_")  # not pytest's "@py_builtins"
        and not (isinstance(value, types.ModuleType) and value.__name__.startswith("oneservice."))
    }
    assert exposed == set(oneservice.__all__)
    assert {n for n in dir(oneservice) if not n.startswith("_")} >= set(oneservice.__all__)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from oneservice import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(oneservice.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(oneservice, "NoSuchName")
    with pytest.raises(AttributeError, match="NoSuchName"):
        oneservice.NoSuchName  # type: ignore[attr-defined]  # noqa: B018


def test_lazy_names_match_the_static_imports() -> None:
    """The imports type checkers read (under ``TYPE_CHECKING``) and the table the package imports
    from at run time name the same modules, and give the same objects."""
    tree = ast.parse(Path(oneservice.__file__).read_text(encoding="utf-8"))
    static: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                assert alias.asname == alias.name, "re-export as `import X as X`"
                static[alias.name] = "." + (node.module or "")
    assert static == oneservice._MODULE_OF
    assert set(static) == set(oneservice.__all__)
    for name, module in static.items():
        assert getattr(oneservice, name) is getattr(importlib.import_module(module, "oneservice"), name)


def test_version_is_the_distributions() -> None:
    """``oneservice.__version__`` is the installed distribution's (``oneservice-gov``) version."""
    from importlib.metadata import version

    assert oneservice.__version__ == version("oneservice-gov") == "0.2.0.dev0"
