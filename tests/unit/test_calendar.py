"""Tests for oneservice.engine.calendar: China's official working-day calendar."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from ruamel.yaml import YAML

from oneservice.engine.calendar import Due, WorkCalendar
from oneservice.errors import CalendarError

FIXTURE_2027 = Path(__file__).parent.parent / "fixtures" / "calendars" / "2027.yaml"


def minimal_2027() -> dict[str, Any]:
    """A small valid 2027 mapping, to be broken by individual tests."""
    return {
        "year": 2027,
        "source": "test",
        "holidays": [
            {
                "name": {"zh": "元旦", "en": "New Year's Day"},
                "from": "2027-01-01",
                "to": "2027-01-03",
            }
        ],
        "workdays": ["2027-01-09"],
    }


def data_error(data: Any) -> str:
    """The message of the CalendarError that ``with_year_data(data)`` raises."""
    with pytest.raises(CalendarError) as excinfo:
        WorkCalendar.default().with_year_data(data)
    return str(excinfo.value)


def brute_force_between(cal: WorkCalendar, start: date, end: date) -> int:
    """working_days_between computed day by day with is_workday."""
    return sum(cal.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


@pytest.fixture
def cal() -> WorkCalendar:
    """The default (bundled) calendar."""
    return WorkCalendar.default()


@pytest.fixture
def fixture_2027() -> dict[str, Any]:
    """The TEST FIXTURE 2027 calendar, parsed with ruamel.yaml."""
    data: dict[str, Any] = YAML(typ="safe").load(FIXTURE_2027)
    return data


@pytest.fixture
def cal_2027(cal: WorkCalendar, fixture_2027: dict[str, Any]) -> WorkCalendar:
    """The default calendar plus the TEST FIXTURE 2027 data."""
    return cal.with_year_data(fixture_2027)


class TestDefault:
    def test_bundled_years(self, cal: WorkCalendar) -> None:
        """The default calendar knows exactly 2004–2026 (chinese_calendar 1.11)."""
        assert cal.known_years == frozenset(range(2004, 2027))

    def test_agrees_with_chinese_calendar(self, cal: WorkCalendar) -> None:
        """Every day of 2004–2026 is a workday exactly when chinese_calendar says so."""
        day, mismatches = date(2004, 1, 1), []
        while day <= date(2026, 12, 31):
            if cal.is_workday(day) != chinese_calendar.is_workday(day):
                mismatches.append(day)
            day += timedelta(days=1)
        assert mismatches == []

    def test_national_day_2026(self, cal: WorkCalendar) -> None:
        """1–7 Oct 2026 are days off; Sun 20 Sep and Sat 10 Oct 2026 are make-up workdays."""
        for d in (date(2026, 10, day) for day in range(1, 8)):
            assert not chinese_calendar.is_workday(d)
            assert not cal.is_workday(d)
        for d in (date(2026, 9, 20), date(2026, 10, 10)):
            assert chinese_calendar.is_workday(d)
            assert cal.is_workday(d)

    def test_repr(self, cal: WorkCalendar) -> None:
        """The repr names the bundled range."""
        assert repr(cal) == "WorkCalendar(bundled 2004–2026)"


class TestGuessOnly:
    def test_no_years(self) -> None:
        """A calendar without data covers no year."""
        assert WorkCalendar.guess_only().known_years == frozenset()

    def test_fixed_holidays_off(self) -> None:
        """Without data, National Day 2026 (a Thursday) is still a day off: its date is fixed by law."""
        assert not WorkCalendar.guess_only().is_workday(date(2026, 10, 1))

    def test_spring_festival_not_guessed(self) -> None:
        """Without data, 春节 2026 (Tue 17 Feb, a lunar date) is a workday: the guess cannot know it."""
        assert WorkCalendar.guess_only().is_workday(date(2026, 2, 17))

    def test_source_none(self) -> None:
        """A guessed year has no source: it is not official data."""
        assert WorkCalendar.guess_only().source(2026) is None


class TestGuess:
    """Past the known years: Mon–Fri less 1 Jan, 1–2 May, 1–3 Oct, always provisional."""

    @pytest.mark.parametrize(
        ("day", "works"),
        [
            (date(2027, 1, 1), False),  # Friday, 元旦
            (date(2027, 5, 3), True),  # Monday: 1–2 May 2027 fall on the weekend, nothing moves
            (date(2027, 10, 1), False),  # Friday, 国庆节
            (date(2030, 5, 1), False),  # Wednesday, 劳动节
            (date(2030, 5, 2), False),  # Thursday, 劳动节
            (date(2030, 10, 3), False),  # Thursday, 国庆节
            (date(2030, 10, 4), True),  # Friday: the law fixes 1–3 October only
        ],
    )
    def test_fixed_date_holidays_off(self, cal: WorkCalendar, day: date, works: bool) -> None:
        """The fixed-date holidays falling Mon–Fri are days off in an uncovered year, no other day."""
        assert cal.is_workday(day) is works

    def test_deficiency_example(self, cal: WorkCalendar) -> None:
        """2026-12-28 + 5 working days: 29, 30, 31 Dec, (1 Jan off), 4, 5 Jan → 2027-01-05, provisional."""
        assert cal.add_working_days(date(2026, 12, 28), 5) == Due(date(2027, 1, 5), True)

    def test_national_day_guess(self, cal: WorkCalendar) -> None:
        """From Thu 30 Sep 2027, 1 working day skips Fri 1 Oct and the weekend: Mon 4 Oct, provisional."""
        assert cal.add_working_days(date(2027, 9, 30), 1) == Due(date(2027, 10, 4), True)

    def test_between_counts_the_guess(self, cal: WorkCalendar) -> None:
        """working_days_between agrees with add_working_days across a guessed New Year."""
        due = cal.add_working_days(date(2026, 12, 28), 5).date
        assert cal.working_days_between(date(2026, 12, 28), due) == 5

    def test_calendar_days_end_on_guessed_holiday(self, cal: WorkCalendar) -> None:
        """A period ending on Fri 1 Jan 2027 (guessed day off) moves to Mon 4 Jan, provisional."""
        assert cal.add_calendar_days(date(2026, 12, 2), 30) == Due(date(2027, 1, 4), True)

    def test_loaded_year_wins(self, cal: WorkCalendar) -> None:
        """Loaded data replaces the guess: a year loaded without 1 Jan as holiday works on 1 Jan."""
        new = cal.with_year(2027, holidays=[], workdays=[], source="s")
        assert new.add_working_days(date(2026, 12, 28), 5) == Due(date(2027, 1, 4), False)


class TestWithYear:
    def test_adds_year(self, cal: WorkCalendar) -> None:
        """A new year becomes covered, with its holidays and make-up workdays."""
        new = cal.with_year(2027, holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 9)], source="s")
        assert new.covers(2027)
        assert (new.is_workday(date(2027, 1, 1)), new.is_workday(date(2027, 1, 9))) == (False, True)

    def test_original_unchanged(self, cal: WorkCalendar) -> None:
        """with_year returns a new calendar and leaves the original alone."""
        cal.with_year(2027, holidays=[], workdays=[], source="s")
        assert not cal.covers(2027)

    def test_overrides_bundled(self, cal: WorkCalendar) -> None:
        """Loaded data replaces the bundled data for its year."""
        new = cal.with_year(2026, holidays=[], workdays=[], source="override")
        assert new.is_workday(date(2026, 10, 1))
        assert not new.is_workday(date(2026, 10, 10))
        assert new.source(2026) == "override"

    def test_date_outside_year(self, cal: WorkCalendar) -> None:
        """A date of another year is rejected, naming the date and the right year."""
        with pytest.raises(CalendarError) as excinfo:
            cal.with_year(2027, holidays=[date(2026, 12, 31)], workdays=[], source="s")
        assert str(excinfo.value) == (
            "calendar 2027: holiday 2026-12-31 is not in 2027 — list it in the calendar for 2026 instead"
        )

    def test_date_in_both_sets(self, cal: WorkCalendar) -> None:
        """A date listed as holiday and as workday is rejected."""
        with pytest.raises(CalendarError) as excinfo:
            cal.with_year(2027, holidays=[date(2027, 1, 2)], workdays=[date(2027, 1, 2)], source="s")
        assert str(excinfo.value) == (
            "calendar 2027: 2027-01-02 is listed both as a holiday and as a make-up workday"
            " — remove it from one of the two lists"
        )

    def test_weekday_as_workday(self, cal: WorkCalendar) -> None:
        """A Monday–Friday listed as a make-up workday is rejected."""
        with pytest.raises(CalendarError) as excinfo:
            cal.with_year(2027, holidays=[], workdays=[date(2027, 1, 4)], source="s")
        assert str(excinfo.value) == (
            "calendar 2027: make-up workday 2027-01-04 (Monday) is not a Saturday or Sunday, so it"
            " is a working day anyway — list only weekend days that are worked (调休上班)"
        )

    def test_weekend_as_holiday(self, cal: WorkCalendar) -> None:
        """A Saturday or Sunday listed as a holiday is rejected."""
        with pytest.raises(CalendarError) as excinfo:
            cal.with_year(2027, holidays=[date(2027, 1, 2)], workdays=[], source="s")
        assert str(excinfo.value) == (
            "calendar 2027: holiday 2027-01-02 (Saturday) is a weekend day, which is a day off"
            " anyway — list only Monday–Friday days off"
        )

    def test_datetime_rejected(self, cal: WorkCalendar) -> None:
        """A datetime is not accepted where a date is expected."""
        with pytest.raises(CalendarError, match=r"is not a date — give a datetime\.date$"):
            cal.with_year(2027, holidays=[datetime(2027, 1, 1)], workdays=[], source="s")

    def test_empty_source(self, cal: WorkCalendar) -> None:
        """The source must name the notice."""
        with pytest.raises(CalendarError, match=r"^calendar 2027: source must name the notice"):
            cal.with_year(2027, holidays=[], workdays=[], source=" ")

    def test_bad_year(self, cal: WorkCalendar) -> None:
        """The year must be an integer."""
        with pytest.raises(CalendarError) as excinfo:
            cal.with_year("2027", holidays=[], workdays=[], source="s")  # type: ignore[arg-type]
        assert str(excinfo.value) == "calendar year must be an integer 1..9999, got '2027'"


class TestWithYearData:
    def test_fixture_loads(self, cal_2027: WorkCalendar) -> None:
        """The fixture's holidays and make-up workdays are applied."""
        assert cal_2027.covers(2027)
        assert [cal_2027.is_workday(date(2027, 1, d)) for d in (1, 4, 31)] == [False, True, True]
        assert [cal_2027.is_workday(date(2027, 2, d)) for d in (5, 11, 12, 20)] == [
            False,
            False,
            True,
            True,
        ]

    def test_source_kept(self, cal_2027: WorkCalendar) -> None:
        """The source string is recorded for the year."""
        assert (
            cal_2027.source(2027)
            == "TEST FIXTURE — invented 2027 schedule for unit tests (not 国务院办公厅 data)"
        )

    def test_iso_strings(self, cal: WorkCalendar) -> None:
        """Dates may be ISO strings."""
        new = cal.with_year_data(minimal_2027())
        assert (new.is_workday(date(2027, 1, 1)), new.is_workday(date(2027, 1, 9))) == (False, True)

    def test_weekend_days_in_range_ignored(self, cal: WorkCalendar) -> None:
        """Weekend days inside a holiday range are accepted and stay days off."""
        new = cal.with_year_data(minimal_2027())
        assert (new.is_workday(date(2027, 1, 2)), new.is_workday(date(2027, 1, 3))) == (
            False,
            False,
        )

    def test_no_name_and_empty_lists(self, cal: WorkCalendar) -> None:
        """name is optional and both lists may be empty."""
        data = {
            "year": 2027,
            "source": "s",
            "holidays": [{"from": "2027-01-01", "to": "2027-01-01"}],
            "workdays": [],
        }
        assert not cal.with_year_data(data).is_workday(date(2027, 1, 1))

    def test_holiday_outside_year(self) -> None:
        """A holiday range reaching into another year names the key path and the date."""
        data = minimal_2027()
        data["holidays"][0]["from"] = "2026-12-31"
        assert data_error(data) == (
            "calendar data for 2027: at holidays[0].from: 2026-12-31 is not in 2027 — split the"
            " range and put the days of 2026 in that year's calendar"
        )

    def test_workday_outside_year(self) -> None:
        """A make-up workday of another year names the key path and the date."""
        data = minimal_2027()
        data["workdays"] = ["2027-01-09", "2028-01-08"]
        assert data_error(data) == (
            "calendar data for 2027: at workdays[1]: 2028-01-08 is not in 2027"
            " — list it in the calendar for 2028 instead"
        )

    def test_workday_inside_holiday_range(self) -> None:
        """A date both inside a holiday range and listed as a workday is rejected."""
        data = minimal_2027()
        data["workdays"] = ["2027-01-02"]
        assert data_error(data) == (
            "calendar data for 2027: at workdays[0]: 2027-01-02 is also inside a holiday range"
            " — remove it from one of them"
        )

    def test_weekday_as_workday(self) -> None:
        """A Monday–Friday listed as a make-up workday is rejected with its key path."""
        data = minimal_2027()
        data["workdays"] = ["2027-01-04"]
        assert data_error(data) == (
            "calendar data for 2027: at workdays[0]: make-up workday 2027-01-04 (Monday) is not a"
            " Saturday or Sunday, so it is a working day anyway — list only weekend days that are"
            " worked (调休上班)"
        )

    def test_bad_date_string(self) -> None:
        """A string that is not an ISO date is rejected with its key path."""
        data = minimal_2027()
        data["holidays"][0]["to"] = "2027-13-01"
        assert data_error(data) == (
            "calendar data for 2027: at holidays[0].to: '2027-13-01' is not a date — write it as YYYY-MM-DD"
        )

    def test_to_before_from(self) -> None:
        """A range ending before it starts is rejected."""
        data = minimal_2027()
        data["holidays"][0]["to"] = "2026-12-31"
        assert (
            data_error(data)
            == "calendar data for 2027: at holidays[0].to: 2026-12-31 is before from 2027-01-01"
        )

    def test_missing_key(self) -> None:
        """A missing required key is named, with how to write an empty list."""
        data = minimal_2027()
        del data["workdays"]
        assert data_error(data) == "calendar data for 2027: at workdays: this key is required"

    def test_not_a_list(self) -> None:
        """A list key holding something else is rejected."""
        data = minimal_2027()
        data["workdays"] = "2027-01-09"
        assert data_error(data) == (
            "calendar data for 2027: at workdays: expected a list (write `workdays: []` if there are none)"
        )

    def test_unknown_key(self) -> None:
        """An unknown key is rejected with a suggestion."""
        data = minimal_2027()
        data["holiday"] = data.pop("holidays")
        assert (
            data_error(data) == "calendar data for 2027: at holiday: unknown key 'holiday'"
            " — did you mean 'holidays'?"
        )

    def test_unknown_key_in_entry(self) -> None:
        """An unknown key inside a holiday entry is named with its full path."""
        data = minimal_2027()
        data["holidays"][0]["until"] = "2027-01-03"
        assert data_error(data) == (
            "calendar data for 2027: at holidays[0].until: unknown key 'until' — allowed: name, from, to"
        )

    def test_bad_name(self) -> None:
        """A holiday name must be a string or a mapping of strings."""
        data = minimal_2027()
        data["holidays"][0]["name"] = 3
        assert data_error(data) == (
            "calendar data for 2027: at holidays[0].name: expected a string or a mapping such as"
            " {zh: 元旦, en: New Year's Day}"
        )

    def test_bad_year(self) -> None:
        """A year that is not an integer is rejected."""
        data = minimal_2027()
        data["year"] = "2027"
        assert data_error(data) == "calendar data: at year: expected a year such as 2027, got '2027'"

    def test_not_a_mapping(self) -> None:
        """The data must be a mapping."""
        assert data_error(["2027"]) == "calendar data: at <root>: expected a mapping, got list"

    def test_input_not_modified(self, cal: WorkCalendar, fixture_2027: dict[str, Any]) -> None:
        """with_year_data leaves the mapping it was given unchanged."""
        before = copy.deepcopy(fixture_2027)
        cal.with_year_data(fixture_2027)
        assert fixture_2027 == before


class TestCovers:
    def test_bundled(self, cal: WorkCalendar) -> None:
        """Bundled years are covered, others not."""
        assert (cal.covers(2003), cal.covers(2004), cal.covers(2026), cal.covers(2027)) == (
            False,
            True,
            True,
            False,
        )

    def test_loaded(self, cal_2027: WorkCalendar) -> None:
        """A loaded year is covered."""
        assert cal_2027.covers(2027)


class TestKnownYears:
    def test_loaded_added(self, cal_2027: WorkCalendar) -> None:
        """Loaded years join the bundled ones."""
        assert cal_2027.known_years == frozenset(range(2004, 2028))


class TestSource:
    def test_bundled(self, cal: WorkCalendar) -> None:
        """Bundled years name chinese_calendar and its version."""
        assert cal.source(2026) == f"chinese_calendar {chinese_calendar.__version__} (bundled)"

    def test_uncovered(self, cal: WorkCalendar) -> None:
        """An uncovered year has no source."""
        assert cal.source(2030) is None


class TestIsWorkday:
    def test_plain_days(self, cal: WorkCalendar) -> None:
        """An ordinary Tuesday works, an ordinary Saturday does not."""
        assert (cal.is_workday(date(2026, 9, 29)), cal.is_workday(date(2026, 9, 26))) == (
            True,
            False,
        )

    def test_make_up_day(self, cal: WorkCalendar) -> None:
        """The make-up Saturday 10 Oct 2026 is a workday."""
        assert cal.is_workday(date(2026, 10, 10))

    def test_uncovered_fallback(self, cal: WorkCalendar) -> None:
        """In an uncovered year Mon–Fri work except the fixed-date holidays; weekends do not."""
        assert [cal.is_workday(date(2027, 1, d)) for d in (1, 2, 4)] == [False, False, True]


class TestAddWorkingDays:
    @pytest.mark.parametrize(
        ("n", "expected"),
        [
            (1, date(2026, 9, 30)),
            (2, date(2026, 10, 8)),
            (3, date(2026, 10, 9)),
            (4, date(2026, 10, 10)),
            (5, date(2026, 10, 12)),
        ],
    )
    def test_national_day_2026(self, cal: WorkCalendar, n: int, expected: date) -> None:
        """From Tue 29 Sep 2026 the count skips 1–7 Oct and counts the make-up Sat 10 Oct."""
        assert cal.add_working_days(date(2026, 9, 29), n) == Due(expected, False)

    def test_zero_is_same_day(self, cal: WorkCalendar) -> None:
        """n == 0 returns the start day itself, even on a holiday."""
        assert cal.add_working_days(date(2026, 10, 1), 0) == Due(date(2026, 10, 1), False)

    def test_start_day_not_counted(self, cal: WorkCalendar) -> None:
        """From a Saturday, 1 working day is the following Monday."""
        assert cal.add_working_days(date(2026, 9, 26), 1) == Due(date(2026, 9, 28), False)

    def test_negative(self, cal: WorkCalendar) -> None:
        """A negative n is a ValueError."""
        with pytest.raises(ValueError, match=r"^n must be >= 0, got -1$"):
            cal.add_working_days(date(2026, 9, 29), -1)

    def test_uncovered_year_provisional(self, cal: WorkCalendar) -> None:
        """Into uncovered 2027 the guess is used (1 Jan off) and the result is provisional."""
        assert cal.add_working_days(date(2026, 12, 28), 10) == Due(date(2027, 1, 12), True)

    def test_loaded_year_not_provisional(self, cal_2027: WorkCalendar) -> None:
        """With the 2027 fixture, New Year's Day is skipped and the result is firm."""
        assert cal_2027.add_working_days(date(2026, 12, 28), 10) == Due(date(2027, 1, 12), False)

    def test_make_up_sunday_counts(self, cal_2027: WorkCalendar) -> None:
        """The fixture's make-up Sunday 31 Jan 2027 is the first working day after Fri 29 Jan."""
        assert cal_2027.add_working_days(date(2027, 1, 29), 1) == Due(date(2027, 1, 31), False)

    def test_guess_only_provisional(self) -> None:
        """A calendar without data always gives provisional results (1–3 Oct 2026 guessed off)."""
        assert WorkCalendar.guess_only().add_working_days(date(2026, 9, 29), 5) == Due(
            date(2026, 10, 8), True
        )


class TestAddCalendarDays:
    def test_ends_on_workday(self, cal: WorkCalendar) -> None:
        """A period ending on a working day ends there."""
        assert cal.add_calendar_days(date(2026, 9, 20), 9) == Due(date(2026, 9, 29), False)

    def test_ends_on_holiday(self, cal: WorkCalendar) -> None:
        """A period ending on 3 Oct 2026 moves to the first working day after, Thu 8 Oct."""
        assert cal.add_calendar_days(date(2026, 9, 28), 5) == Due(date(2026, 10, 8), False)

    def test_ends_on_make_up_saturday(self, cal: WorkCalendar) -> None:
        """A period ending on the make-up Saturday 10 Oct 2026 ends there."""
        assert cal.add_calendar_days(date(2026, 9, 30), 10) == Due(date(2026, 10, 10), False)

    def test_zero_on_holiday(self, cal: WorkCalendar) -> None:
        """n == 0 from a holiday moves to the next working day."""
        assert cal.add_calendar_days(date(2026, 10, 1), 0) == Due(date(2026, 10, 8), False)

    def test_uncovered_year_provisional(self, cal: WorkCalendar) -> None:
        """Ending in uncovered 2027 is provisional, on a guessed working day."""
        assert cal.add_calendar_days(date(2026, 12, 3), 30) == Due(date(2027, 1, 4), True)

    def test_rolls_across_year_end(self, cal: WorkCalendar) -> None:
        """Ending on Sat 31 Dec 2022 rolls past New Year (1–2 Jan 2023 off) to Tue 3 Jan 2023."""
        assert cal.add_calendar_days(date(2022, 12, 30), 1) == Due(date(2023, 1, 3), False)

    def test_rolls_into_uncovered_year(self, cal: WorkCalendar) -> None:
        """Rolling from a covered year's holiday into an uncovered year is provisional."""
        new = cal.with_year(2026, holidays=[date(2026, 12, 31)], workdays=[], source="s")
        assert new.add_calendar_days(date(2026, 12, 30), 1) == Due(date(2027, 1, 4), True)

    def test_loaded_year(self, cal_2027: WorkCalendar) -> None:
        """With the 2027 fixture, ending on New Year's Day moves to Mon 4 Jan 2027."""
        assert cal_2027.add_calendar_days(date(2026, 12, 2), 30) == Due(date(2027, 1, 4), False)

    def test_negative(self, cal: WorkCalendar) -> None:
        """A negative n is a ValueError."""
        with pytest.raises(ValueError, match=r"^n must be >= 0, got -3$"):
            cal.add_calendar_days(date(2026, 9, 29), -3)


class TestWorkingDaysBetween:
    def test_national_day(self, cal: WorkCalendar) -> None:
        """29 Sep → 12 Oct 2026 holds 5 working days: 30 Sep, 8, 9, 10 (Sat) and 12 Oct."""
        assert cal.working_days_between(date(2026, 9, 29), date(2026, 10, 12)) == 5

    def test_inside_break(self, cal: WorkCalendar) -> None:
        """No working day passes between 30 Sep and 7 Oct 2026."""
        assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0

    def test_includes_make_up_sunday(self, cal: WorkCalendar) -> None:
        """Sat 19 → Sun 20 Sep 2026 counts the make-up Sunday."""
        assert cal.working_days_between(date(2026, 9, 19), date(2026, 9, 20)) == 1

    def test_empty(self, cal: WorkCalendar) -> None:
        """end <= start gives 0."""
        assert (
            cal.working_days_between(date(2026, 10, 12), date(2026, 10, 12)),
            cal.working_days_between(date(2026, 10, 12), date(2026, 9, 29)),
        ) == (0, 0)

    def test_inverse_of_add_working_days(self, cal: WorkCalendar) -> None:
        """Counting up to add_working_days(start, n) gives n back."""
        start = date(2026, 9, 29)
        assert [
            cal.working_days_between(start, cal.add_working_days(start, n).date) for n in range(30)
        ] == list(range(30))

    def test_matches_day_by_day(self, cal_2027: WorkCalendar) -> None:
        """Across several years (bundled, loaded, uncovered) it matches a day-by-day count."""
        start, end = date(2025, 6, 15), date(2028, 3, 1)
        assert cal_2027.working_days_between(start, end) == brute_force_between(cal_2027, start, end)
