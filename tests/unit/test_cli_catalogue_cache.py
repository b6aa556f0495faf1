"""The commands and the catalogue cache: --catalogue-cache, --no-catalogue-cache, the variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from oneservice.catalog.cache import CatalogueCache
from oneservice.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
MINIMAL = str(FIXTURES / "minimal")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def checked(runner: CliRunner, *args: str) -> dict[str, object]:
    result = runner.invoke(main, ["check", "--format", "json", *args, MINIMAL])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


class TestCheckAndTheCache:
    def test_second_check_comes_from_the_cache(self, runner: CliRunner, tmp_path: Path) -> None:
        """check --catalogue-cache DIR: the first run writes the entry, the second reads it, and
        both print the same report."""
        folder = str(tmp_path / "cache")
        first = checked(runner, "--catalogue-cache", folder)
        second = checked(runner, "--catalogue-cache", folder)
        assert (first.pop("cached"), second.pop("cached")) == (False, True)
        assert first == second
        assert len(CatalogueCache(Path(folder)).entries()) == 1

    def test_no_catalogue_cache(self, runner: CliRunner, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
        """--no-catalogue-cache checks the files and keeps nothing."""
        folder = tmp_path / "env-cache"
        monkeypatch.setenv("ONESERVICE_CATALOGUE_CACHE", str(folder))
        checked(runner)
        assert checked(runner, "--no-catalogue-cache")["cached"] is False
        assert checked(runner)["cached"] is True  # the variable's folder, written by the first run
        assert len(CatalogueCache(folder).entries()) == 1

    def test_variable_off(self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
        """ONESERVICE_CATALOGUE_CACHE=off: every check reads the files."""
        monkeypatch.setenv("ONESERVICE_CATALOGUE_CACHE", "off")
        checked(runner)
        assert checked(runner)["cached"] is False

    def test_explain_loads_through_the_cache(self, runner: CliRunner, tmp_path: Path) -> None:
        """A command with --workflows takes the cache options too."""
        folder = tmp_path / "cache"
        result = runner.invoke(main, ["explain", "start", "--workflows", MINIMAL, "--catalogue-cache",
                                      str(folder), "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert len(CatalogueCache(folder).entries()) == 1

    def test_demo_opens_the_service_through_the_cache(self, runner: CliRunner, tmp_path: Path) -> None:
        """demo (OneService.open) keeps the compiled catalogue in the folder given."""
        folder = tmp_path / "cache"
        workflows = str(FIXTURES.parent.parent / "workflows")
        result = runner.invoke(main, ["demo", "--workflows", workflows, "--db", str(tmp_path / "d.sqlite"),
                                      "--catalogue-cache", str(folder)])
        assert result.exit_code == 0, result.output
        assert len(CatalogueCache(folder).entries()) == 1
