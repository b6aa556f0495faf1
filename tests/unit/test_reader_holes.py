"""The reader's holes, closed: ids with a line break, links, empty folders, several folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from oneservice.catalog.loader import check, check_files
from oneservice.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
ITEM = (MINIMAL / "items" / "a.yaml").read_text(encoding="utf-8")


def split_catalogue(tmp_path: Path) -> tuple[Path, Path]:
    """The minimal fixture in two folders: the registry and items in one, the matter in another."""
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(MINIMAL, first)
    second.mkdir()
    shutil.move(first / "matters", second / "matters")
    return first, second


class TestIdsWithLineBreaks:
    @pytest.mark.parametrize("written", ['"A-1\\n"', "|\n    A-1", '" A-1"', '"A-1\\t"', '"A-1\\u0007"'])
    def test_duplicate_check_cannot_be_bypassed(self, written: str) -> None:
        """An item code with a line break, a space or a control character around it is OS204 at
        the code, so it can never sit beside the same code without it."""
        copy = ITEM.replace("code: A-1", f"code: {written}")
        assert copy != ITEM
        report = check_files({"registry.yaml": (MINIMAL / "registry.yaml").read_text("utf-8"),
                              "a.yaml": ITEM, "copy.yaml": copy})
        found = [(f.code, f.file, f.line, f.column) for f in report.findings]
        assert found == [("OS204", "copy.yaml", 2, 3)]
        assert "a line break, a space or a control character" in report.findings[0].message


class TestLinks:
    def test_dangling_link(self, tmp_path: Path) -> None:
        """A link to nothing in a workflows folder is OS101 naming the link and its target."""
        folder = tmp_path / "w"
        shutil.copytree(MINIMAL, folder)
        os.symlink("gone.yaml", folder / "items" / "c.yaml")
        report = check([folder])
        assert [(f.code, f.file, f.message) for f in report.findings] == [
            ("OS101", str(folder / "items" / "c.yaml"), "the link points nowhere (→ gone.yaml)")]
        assert not report.ok

    def test_looping_link(self, tmp_path: Path) -> None:
        """A link to itself is OS101 'the link loops'."""
        folder = tmp_path / "w"
        shutil.copytree(MINIMAL, folder)
        os.symlink("loop.yaml", folder / "items" / "loop.yaml")
        report = check([folder])
        assert [(f.code, f.file, f.message) for f in report.findings] == [
            ("OS101", str(folder / "items" / "loop.yaml"), "the link loops (→ loop.yaml)")]

    def test_folder_link_back_up(self, tmp_path: Path) -> None:
        """A link to a folder already read is OS101, and no file is read twice."""
        folder = tmp_path / "w"
        shutil.copytree(MINIMAL, folder)
        os.symlink("..", folder / "items" / "up")
        report = check([folder])
        assert [(f.code, f.file) for f in report.findings] == [("OS101", str(folder / "items" / "up"))]
        assert report.files == 4

    def test_link_to_a_folder_is_read(self, tmp_path: Path) -> None:
        """A link to a folder elsewhere is followed (once)."""
        folder = tmp_path / "w"
        shutil.copytree(MINIMAL, folder)
        shutil.move(folder / "matters", tmp_path / "shared-matters")
        os.symlink(tmp_path / "shared-matters", folder / "matters")
        report = check([folder])
        assert report.ok and report.files == 4 and report.catalogue is not None
        assert set(report.catalogue.matters) == {"start"}


class TestFolders:
    def test_empty_folder(self, tmp_path: Path) -> None:
        """A folder without a definition file is OS101, not "ok: 0 file(s)"."""
        (tmp_path / "notes.txt").write_text("not a definition")
        report = check([tmp_path])
        assert [(f.code, f.file, f.message) for f in report.findings] == [
            ("OS101", str(tmp_path), "no definition file (*.yaml, *.yml) in this folder")]
        assert not report.ok

    def test_empty_folder_beside_a_good_one(self, tmp_path: Path) -> None:
        """An empty folder given beside a good one is still reported."""
        (tmp_path / "empty").mkdir()
        report = check([MINIMAL, tmp_path / "empty"])
        assert [(f.code, f.file) for f in report.findings] == [("OS101", str(tmp_path / "empty"))]

    def test_check_command_empty_folder(self, tmp_path: Path) -> None:
        """``oneservice check EMPTY`` exits 1 with the finding."""
        result = CliRunner().invoke(main, ["check", str(tmp_path)])
        assert result.exit_code == 1
        assert f"{tmp_path}: OS101 no definition file" in result.stderr
        assert "ok:" not in result.output

    def test_missing_folder(self, tmp_path: Path) -> None:
        """A folder that does not exist is OS101."""
        assert [f.code for f in check([tmp_path / "nope"]).findings] == ["OS101"]


class TestSeveralFolders:
    @pytest.mark.parametrize("command", [["explain", "start"], ["diagram", "start"]])
    def test_repeated_option_accumulates(self, command: list[str], tmp_path: Path) -> None:
        """``--workflows A --workflows B`` reads both folders (not only the last)."""
        first, second = split_catalogue(tmp_path)
        runner = CliRunner()
        both = runner.invoke(main, [*command, "--workflows", str(first), "--workflows", str(second)])
        assert both.exit_code == 0, both.output
        last_only = runner.invoke(main, [*command, "--workflows", str(second)])
        assert last_only.exit_code == 1
        assert "OS302" in last_only.stderr  # the matter's items are in the other folder

    def test_demo_reads_several_folders(self, tmp_path: Path) -> None:
        """``demo`` reads every --workflows folder."""
        first, second = split_catalogue(tmp_path)
        result = CliRunner().invoke(main, ["demo", "start", "--workflows", str(first), "--workflows",
                                           str(second), "--db", str(tmp_path / "demo.sqlite")])
        assert result.exit_code == 0, result.output

    @pytest.mark.parametrize("name", ["serve", "supervise", "report"])
    def test_other_commands_repeat_the_option(self, name: str) -> None:
        """serve, supervise and report declare --workflows as a repeatable option."""
        option = next(p for p in main.commands[name].params if p.name == "workflows")
        assert option.multiple and option.default == ("workflows",)

    @pytest.mark.parametrize("name", ["load", "list"])
    def test_calendar_commands_repeat_the_option(self, name: str) -> None:
        """calendar load and calendar list declare --workflows as a repeatable option."""
        group = main.commands["calendar"]
        assert isinstance(group, click.Group)
        option = next(p for p in group.commands[name].params if p.name == "workflows")
        assert option.multiple and option.default == ("workflows",)

    def test_service_opens_several_folders(self, tmp_path: Path) -> None:
        """OneService.open takes several folders."""
        from oneservice import OneService

        first, second = split_catalogue(tmp_path)
        service = OneService.open([first, second], f"sqlite:///{tmp_path / 'x.sqlite'}")
        try:
            assert set(service.catalogue.matters) == {"start"}
        finally:
            service.store.dispose()
