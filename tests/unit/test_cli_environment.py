"""Configuration by environment variables as well as flags (docs/deployment.md): each variable
gives its option's value, a flag on the command line wins, ``--help`` names the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from oneservice.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = str(ROOT / "workflows")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner with no ``ONESERVICE_*`` variable of the caller's environment."""
    for name in list(os.environ):
        if name.startswith("ONESERVICE_"):
            monkeypatch.delenv(name)
    return CliRunner()


class TestDatabaseAndWorkflows:
    def test_worker_takes_both_from_the_environment(self, runner: CliRunner, tmp_path: Path) -> None:
        """ONESERVICE_DATABASE_URL and ONESERVICE_WORKFLOWS stand for --db and --workflows."""
        db = tmp_path / "city.sqlite"
        result = runner.invoke(main, ["worker", "--once"], env={
            "ONESERVICE_DATABASE_URL": f"sqlite:///{db}", "ONESERVICE_WORKFLOWS": WORKFLOWS})
        assert result.exit_code == 0, result.output
        assert "supervision:" in result.output and db.exists()

    def test_a_flag_wins_over_the_variable(self, runner: CliRunner, tmp_path: Path) -> None:
        """--db on the command line is used, the variable's database is not created."""
        result = runner.invoke(main, ["worker", "--once", "--db", str(tmp_path / "flag.sqlite")], env={
            "ONESERVICE_DATABASE_URL": str(tmp_path / "env.sqlite"), "ONESERVICE_WORKFLOWS": WORKFLOWS})
        assert result.exit_code == 0, result.output
        assert (tmp_path / "flag.sqlite").exists() and not (tmp_path / "env.sqlite").exists()

    def test_workflows_are_split_at_the_path_separator(self, runner: CliRunner, tmp_path: Path) -> None:
        """Several catalogue paths in ONESERVICE_WORKFLOWS, separated by os.pathsep."""
        paths = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
        result = runner.invoke(main, ["worker", "--once", "--db", str(tmp_path / "x.sqlite")],
                               env={"ONESERVICE_WORKFLOWS": paths})
        assert result.exit_code == 1
        assert f"no catalogue folder {tmp_path / 'a'}/, {tmp_path / 'b'}/ here" in result.output

    def test_demo_never_takes_the_site_database(self, runner: CliRunner) -> None:
        """demo writes its own file even where ONESERVICE_DATABASE_URL names the production one."""
        db = next(p for p in main.commands["demo"].params if p.name == "db")
        assert db.envvar is None and db.default == "oneservice-demo.sqlite"  # type: ignore[attr-defined]


class TestServe:
    def test_help_names_every_variable(self, runner: CliRunner) -> None:
        """serve --help shows the variable of each deployment option."""
        text = " ".join(runner.invoke(main, ["serve", "--help"], terminal_width=200).output.split())
        for name in ("DATABASE_URL", "WORKFLOWS", "HOST", "PORT", "WORKERS", "THREADS", "SECRET_FILE",
                     "BROKER_URL", "BROKER_EXCHANGE", "NO_WORKER", "LOG_LEVEL", "MAX_BODY"):
            assert f"ONESERVICE_{name}" in text, name

    def test_several_processes_refused_on_sqlite(self, runner: CliRunner, tmp_path: Path) -> None:
        """ONESERVICE_WORKERS=2 on a SQLite database: a usage error naming PostgreSQL, nothing served."""
        result = runner.invoke(main, ["serve", "--db", str(tmp_path / "x.sqlite")],
                               env={"ONESERVICE_WORKERS": "2", "ONESERVICE_WORKFLOWS": WORKFLOWS})
        assert result.exit_code == 2
        assert "--workers above 1 needs PostgreSQL" in result.output
        assert not (tmp_path / "x.sqlite").exists()

    def test_port_from_the_environment_is_checked(self, runner: CliRunner) -> None:
        """A bad ONESERVICE_PORT is refused like a bad --port."""
        result = runner.invoke(main, ["serve"], env={"ONESERVICE_PORT": "70000"})
        assert result.exit_code == 2 and "70000" in result.output


class TestSecretFile:
    def test_token_issue_writes_the_secret_where_the_variable_says(self, runner: CliRunner,
                                                                   tmp_path: Path) -> None:
        """ONESERVICE_SECRET_FILE stands for --secret-file (ONESERVICE_SECRET, the secret, is unset)."""
        secret = tmp_path / "keys" / "oneservice.secret"
        result = runner.invoke(main, ["token", "issue", "--role", "supervisor", "--id", "sup-01"], env={
            "ONESERVICE_DATABASE_URL": str(tmp_path / "t.sqlite"), "ONESERVICE_SECRET_FILE": str(secret)})
        assert result.exit_code == 0, result.output
        assert secret.exists() and not (tmp_path / "t.secret").exists()
