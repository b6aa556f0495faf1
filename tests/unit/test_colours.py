"""The supervision rule (oneservice.domain.supervision): one definition of green, yellow and red."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from oneservice.domain.supervision import Colour, Thresholds
from oneservice.engine.calendar import WorkCalendar
from oneservice.service.views import supervision_colour

CAL = WorkCalendar.default()
THU = dt.date(2026, 11, 5)
FRI, SAT, SUN, MON, TUE = (THU + dt.timedelta(days=n) for n in range(1, 6))


class TestColour:
    def test_values_are_the_api_strings(self) -> None:
        """The HTTP API and JSON carry green, yellow and red."""
        assert [c.value for c in Colour] == ["green", "yellow", "red"]
        assert json.dumps({"colour": Colour.YELLOW}) == '{"colour": "yellow"}'
        assert Colour.RED == "red" and str(Colour.GREEN) == "green"


class TestThresholds:
    def test_yellow_until_the_nth_working_day(self) -> None:
        """From Thursday, one working day reaches Friday; two reach Monday over the weekend."""
        assert Thresholds.on(THU, CAL, 1) == Thresholds(THU, FRI)
        assert Thresholds.on(THU, CAL, 2) == Thresholds(THU, MON)
        assert Thresholds.on(THU, CAL, 0) == Thresholds(THU, THU)

    @pytest.mark.parametrize(
        ("due", "colour"),
        [(THU - dt.timedelta(days=1), Colour.RED), (THU, Colour.YELLOW), (FRI, Colour.YELLOW),
         (SAT, Colour.GREEN), (MON, Colour.GREEN)],
    )
    def test_colour_of_a_due_date(self, due: dt.date, colour: Colour) -> None:
        """Red before today, yellow from today to the threshold, green after it — also for a due
        date on a day off just after the threshold (Saturday)."""
        assert Thresholds.on(THU, CAL, 1).colour(due) is colour

    def test_no_due_date_or_done_is_green(self) -> None:
        thresholds = Thresholds.on(THU, CAL, 1)
        assert thresholds.colour(None) is Colour.GREEN
        assert thresholds.colour(THU - dt.timedelta(days=30), done=True) is Colour.GREEN

    @pytest.mark.parametrize("yellow_days", [0, 1, 3])
    def test_ranges_partition_the_dates(self, yellow_days: int) -> None:
        """Every due date lies in exactly one colour's range, and that is its colour."""
        thresholds = Thresholds.on(THU, CAL, yellow_days)
        for offset in range(-5, 15):
            due = THU + dt.timedelta(days=offset)
            inside = [c for c in Colour if _in(due, thresholds.due_range(c))]
            assert inside == [thresholds.colour(due)]

    def test_view_function_uses_the_rule(self) -> None:
        """``supervision_colour`` (summaries and progress) answers with the same rule."""
        for due in (THU, FRI, SAT, SUN, MON, TUE):
            for yellow_days in (0, 1, 2):
                assert supervision_colour(due, THU, CAL, done=False, yellow_days=yellow_days) is (
                    Thresholds.on(THU, CAL, yellow_days).colour(due))


def _in(day: dt.date, bounds: tuple[dt.date | None, dt.date | None]) -> bool:
    first, last = bounds
    return (first is None or first <= day) and (last is None or day <= last)
