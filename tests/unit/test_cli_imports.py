"""The command line imports only what a command runs: ``--help`` loads neither Flask nor SQLAlchemy.

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import click

from oneservice.cli import main

HEAVY = ("flask", "sqlalchemy", "alembic", "transitions", "cel_expr_python", "marshmallow", "ruamel", "yaml", "jwt")


def loaded_after(code: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running CODE in a new interpreter."""
    probe = f"import sys\n{code}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded: list[str] = ast.literal_eval(out.strip().splitlines()[-1])
    return loaded


def test_import_cli_loads_neither_flask_nor_sqlalchemy() -> None:
    code = "import sys, oneservice.cli; print(sorted(m for m in ('flask','sqlalchemy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert loaded_after("import oneservice.cli") == []  # nor transitions, cel_expr_python, marshmallow, ruamel …


def test_import_package_loads_nothing_heavy() -> None:
    """``import oneservice`` imports a public name's module only when the name is first used."""
    assert loaded_after("import oneservice") == []
    assert "sqlalchemy" in loaded_after("import oneservice\noneservice.Store")


def _commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path: ("check",), …, ("token",), ("token", "issue"), …"""
    paths: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += _commands(command, (*prefix, name))
    return paths


def test_every_help_loads_nothing_heavy() -> None:
    """``oneservice --help`` and every ``oneservice CMD --help`` describe the command from click alone."""
    commands = _commands()
    assert {"check", "demo", "diagram", "explain", "report", "serve", "supervise", "token"} <= {
        c[0] for c in commands
    }
    code = (
        "import contextlib, io\n"
        "from oneservice.cli import main\n"
        f"for args in [(), *{commands!r}]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main([*args, '--help'], standalone_mode=False)\n"
    )
    assert loaded_after(code) == []
