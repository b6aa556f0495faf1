"""`oneservice calendar load|list`: calendar years kept in a database, from the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from oneservice.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = str(ROOT / "workflows")
FIXTURE_2027 = ROOT / "tests" / "fixtures" / "calendars" / "2027.yaml"  # TEST FIXTURE: invented dates


def run(*args: str):
    return CliRunner().invoke(main, ["calendar", *args, "--workflows", WORKFLOWS])


class TestCalendarCommands:
    def test_load_then_list(self, tmp_path):
        """A loaded year is listed with its source and who loaded it; the years known grow by it."""
        db = f"sqlite:///{tmp_path / 'c.sqlite'}"
        empty = run("list", "--db", db)
        assert empty.exit_code == 0, empty.output
        assert empty.stdout.splitlines() == ["no calendar year loaded into the database",
                                             "known years: 2004–2026",
                                             "later years are guessed (provisional): from 2027"]
        loaded = run("load", str(FIXTURE_2027), "--db", db, "--by", "sup-01")
        assert loaded.exit_code == 0, loaded.output
        assert loaded.stdout.startswith("loaded calendar 2027 (TEST FIXTURE")
        assert loaded.stdout.rstrip().endswith("0 case(s) moved")
        listed = run("list", "--db", db).stdout.splitlines()
        assert listed[0].startswith("2027  TEST FIXTURE") and listed[0].endswith("by supervisor:sup-01)")
        assert listed[1:] == ["known years: 2004–2027", "later years are guessed (provisional): from 2028"]

    def test_bad_file_exits_one_with_the_key_path(self, tmp_path):
        """Malformed data: exit 1, OS610 with the key path, nothing stored."""
        bad = tmp_path / "bad.yaml"
        bad.write_text("year: 2027\nsource: x\nholidays: []\nworkdays: [2027-01-04]\n", encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'c.sqlite'}"
        result = run("load", str(bad), "--db", db)
        assert result.exit_code == 1
        assert "OS610 calendar data for 2027: at workdays[0]: make-up workday 2027-01-04 (Monday)" in result.stderr
        assert run("list", "--db", db).stdout.startswith("no calendar year loaded")
