"""`oneservice demo` runs every matter of the catalogue end to end within its trip budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oneservice import load_catalogue
from oneservice.cli import main

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue([ROOT / "workflows"])


@pytest.mark.parametrize("matter_id", sorted(CATALOGUE.matters))
def test_demo_closes_the_case_within_budget(matter_id, tmp_path):
    """The demo case ends closed, with no more trips than the matter promises."""
    db = tmp_path / "demo.sqlite"
    result = CliRunner().invoke(
        main, ["demo", matter_id, "--workflows", str(ROOT / "workflows"), "--db", str(db), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "State: Closed" in lines
    trips_line = next(line for line in lines if line.startswith("Trips: "))
    trips, budget = (int(x) for x in trips_line.removeprefix("Trips: ").split(" / budget "))
    assert trips <= budget == CATALOGUE.plan(matter_id).trips.budget
    assert db.exists()


def test_demo_of_an_unknown_matter_is_a_usage_error(tmp_path):
    """An unknown matter id gets a message with a suggestion, not a traceback."""
    result = CliRunner().invoke(
        main,
        [
            "demo",
            "start-a-busines",
            "--workflows",
            str(ROOT / "workflows"),
            "--db",
            str(tmp_path / "x.sqlite"),
        ],
    )
    assert result.exit_code == 1
    assert "did you mean 'start-a-business'" in result.output


def test_demo_mails_the_seals_and_pushes_the_licence(tmp_path):
    """统一出件 per result: the physical seals go by mail with a parcel reference, the electronic
    business licence is pushed; every deadline the law sets is met, none left open."""
    result = CliRunner().invoke(
        main, ["demo", "start-a-business", "--workflows", str(ROOT / "workflows"),
               "--db", str(tmp_path / "demo.sqlite"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    results = lines[lines.index("Results:") + 1:]
    seals = next(line for line in results if "seal" in line.lower())
    licence = next(line for line in results if "business licence" in line.lower())
    assert "→ mail DEMO-EMS-" in seals and "+ electronic copy" in seals
    assert licence.endswith("→ electronic")
    deadlines = lines[lines.index("Deadlines:") + 1:lines.index("Results:")]
    assert {line.split()[1] for line in deadlines} >= {"case", "case_legal", "item", "item_legal", "issuing",
                                                      "notice"}
    assert all(" met " in line for line in deadlines), deadlines
