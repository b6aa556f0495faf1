"""One validator of calendar data: ``oneservice check`` and the engine's calendar agree.

The loader (findings at file:line:col) and ``WorkCalendar.with_year_data`` (a CalendarError)
both run :func:`oneservice.catalog.calendars.check_calendar_file`; ``with_year`` runs
:func:`~oneservice.catalog.calendars.check_calendar_year`, which the loaded data always passes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from ruamel.yaml import YAML

from oneservice.catalog.calendars import CalendarData, check_calendar_file, check_calendar_year
from oneservice.catalog.loader import check, check_files
from oneservice.engine.calendar import WorkCalendar
from oneservice.errors import CalendarError, Finding

FIXTURE_2027 = Path(__file__).parent.parent / "fixtures" / "calendars" / "2027.yaml"


def body(**over: Any) -> dict[str, Any]:
    """A valid 2027 calendar file; ``over`` replaces keys (``None`` removes one)."""
    data: dict[str, Any] = {
        "year": 2027,
        "source": "TEST FIXTURE",
        "holidays": [{"name": {"zh": "元旦", "en": "New Year's Day"}, "from": "2027-01-01", "to": "2027-01-03"}],
        "workdays": ["2027-01-09"],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def findings(data: Any) -> list[Finding]:
    return list(check_files({"2027.yaml": json.dumps(data, ensure_ascii=False)}).findings)


def engine_error(data: Any) -> str:
    with pytest.raises(CalendarError) as excinfo:
        WorkCalendar.default().with_year_data(data)
    return str(excinfo.value)


def first_problem(data: Any) -> str:
    """Where the validator's first problem is, as the loader writes the path."""
    return check_calendar_file(data).problems[0].where


BROKEN = {
    "unknown key": body(holiday=[]),
    "missing key": body(workdays=None),
    "not a list": body(workdays="2027-01-09"),
    "bad year": body(year="2027"),
    "year out of range": body(year=2003),
    "empty source": body(source="  "),
    "bad date": body(workdays=["2027-02-30"]),
    "holiday ends before it starts": body(holidays=[{"from": "2027-01-03", "to": "2027-01-01"}]),
    "holiday in another year": body(holidays=[{"from": "2026-12-31", "to": "2027-01-01"}]),
    "workday in another year": body(workdays=["2028-01-08"]),
    "weekday workday": body(workdays=["2027-01-04"]),
    "workday inside a holiday": body(workdays=["2027-01-02"]),
    "bad name": body(holidays=[{"name": {"zh": "元旦"}, "from": "2027-01-01", "to": "2027-01-01"}]),
    "holiday not a mapping": body(holidays=["2027-01-01"]),
    "unknown key in a holiday": body(holidays=[{"from": "2027-01-01", "until": "2027-01-02"}]),
}


class TestOneValidator:
    @pytest.mark.parametrize("case", sorted(BROKEN))
    def test_loader_and_engine_say_the_same(self, case: str) -> None:
        """The engine raises one of the loader's findings (the first in the data's order), with
        the same place, message and hint."""
        data = BROKEN[case]
        year = "calendar data" if case in ("bad year", "year out of range") else "calendar data for 2027"
        said = {f"{year}: at {f.path}: {f.message}" + (f" — {f.hint}" if f.hint else "") for f in findings(data)}
        assert engine_error(data) in said

    @pytest.mark.parametrize("case", sorted(BROKEN))
    def test_loader_codes(self, case: str) -> None:
        """Shape problems keep their OS2xx codes, contradicting dates are OS601."""
        [code] = {f.code for f in findings(BROKEN[case]) if f.path == first_problem(BROKEN[case])}
        expected = {"unknown key": "OS201", "unknown key in a holiday": "OS201", "missing key": "OS202"}
        dates = ("holiday ends before it starts", "holiday in another year", "workday in another year",
                 "weekday workday", "workday inside a holiday")
        assert code == expected.get(case, "OS601" if case in dates else "OS203")

    def test_every_problem_at_once_with_its_line(self) -> None:
        """The loader reports every problem of a file, each at the line of its key."""
        text = (
            "year: 2027\n"
            "source: s\n"
            "holidays:\n"
            "  - {from: 2027-01-03, to: 2027-01-01}\n"
            "workdays:\n"
            "  - 2027-01-04\n"
            "  - 2028-01-08\n"
            "colour: red\n"
        )
        got = [(f.code, f.line, f.path) for f in check_files({"c.yaml": text}).findings]
        assert got == [
            ("OS601", 4, "holidays[0].to"),
            ("OS601", 6, "workdays[0]"),
            ("OS601", 7, "workdays[1]"),
            ("OS201", 8, "colour"),
        ]

    def test_wrapped_form_paths(self) -> None:
        """Under a ``calendar:`` key the path names it."""
        [finding] = findings({"calendar": body(workdays=["2027-01-04"])})
        assert (finding.code, finding.path) == ("OS601", "calendar.workdays[0]")

    def test_datetime_is_not_a_date(self) -> None:
        """A timestamp where a date belongs is refused by both, not cut to its day."""
        data = body(workdays=[dt.datetime(2027, 1, 9, 8, 0)])
        assert engine_error(data).startswith("calendar data for 2027: at workdays[0]: datetime.datetime(")
        check = check_calendar_file(data)
        assert [(p.code, p.path) for p in check.problems] == [("OS203", ("workdays", 0))]

    def test_huge_value_is_shown_short(self) -> None:
        """A long value is cut in the message."""
        message = engine_error(body(workdays=["x" * 10_000]))
        assert len(message) < 200 and message.endswith("… is not a date — write it as YYYY-MM-DD")


class TestCheckedData:
    def test_fixture_checks_clean(self) -> None:
        """The 2027 fixture gives the same data to the loader and to the engine."""
        data = YAML(typ="safe").load(FIXTURE_2027)
        checked = check_calendar_file(copy.deepcopy(data))
        assert checked.problems == () and checked.data is not None
        report = check([FIXTURE_2027])
        assert report.catalogue is not None
        [loaded] = report.catalogue.calendars
        assert attrs.evolve(loaded, file="") == checked.data
        assert loaded.file.endswith("2027.yaml")
        assert {d.weekday() for d in loaded.holidays} <= {0, 1, 2, 3, 4}
        assert loaded.holidays <= loaded.days_off

    def test_loaded_data_passes_with_year(self) -> None:
        """What the loader accepts, ``with_year`` accepts (calendar_from_catalogue feeds it)."""
        report = check([FIXTURE_2027])
        assert report.catalogue is not None
        [data] = report.catalogue.calendars
        again = check_calendar_year(data.year, data.holidays, data.workdays, data.source)
        assert again.problems == ()
        assert again.data == CalendarData(data.year, data.source, data.holidays, data.holidays, data.workdays)

    def test_no_version_field(self) -> None:
        """CalendarData carries what a calendar file says; there is no empty ``version``."""
        assert "version" not in attrs.fields_dict(CalendarData)

    def test_source_is_stripped(self) -> None:
        """The source is kept without surrounding blanks, in both forms."""
        assert check_calendar_file(body(source=" notice ")).data_or_raise().source == "notice"
        assert check_calendar_year(2027, [], [], " notice ").data_or_raise().source == "notice"
