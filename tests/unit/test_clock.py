"""Tests for oneservice.engine.clock: system and simulated clocks in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from oneservice.engine.calendar import WorkCalendar
from oneservice.engine.clock import OFFICE_OPENS, TZ, Clock, SimulatedClock, SystemClock

FIXTURE_2027 = Path(__file__).parent.parent / "fixtures" / "calendars" / "2027.yaml"


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, second: int = 0) -> datetime:
    """An Asia/Shanghai datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def cal() -> WorkCalendar:
    """The default (bundled) calendar."""
    return WorkCalendar.default()


class TestTZ:
    def test_key(self) -> None:
        """TZ is the Asia/Shanghai zone."""
        assert TZ.key == "Asia/Shanghai"

    def test_offset(self) -> None:
        """China Standard Time is UTC+8 all year."""
        assert (sh(2026, 1, 15).utcoffset(), sh(2026, 7, 15).utcoffset()) == (timedelta(hours=8),) * 2


class TestClockProtocol:
    def test_both_clocks_conform(self) -> None:
        """SystemClock and SimulatedClock satisfy the Clock protocol."""
        assert isinstance(SystemClock(), Clock)
        assert isinstance(SimulatedClock(date(2026, 9, 29)), Clock)


class TestSystemClock:
    def test_now_is_aware_shanghai(self) -> None:
        """now() is timezone-aware, in Asia/Shanghai, and close to the real time."""
        now = SystemClock().now()
        assert now.tzinfo is TZ
        assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)

    def test_today(self) -> None:
        """today() is the Shanghai date of now() (allowing for a midnight in between)."""
        clock = SystemClock()
        before = clock.now().date()
        today = clock.today()
        assert today in (before, before + timedelta(days=1))


class TestSimulatedClockInit:
    def test_from_date(self) -> None:
        """A date starts the clock at 09:00 Shanghai time that day."""
        assert SimulatedClock(date(2026, 9, 29)).now() == sh(2026, 9, 29, 9, 0)
        assert OFFICE_OPENS.hour == 9

    def test_from_naive_datetime(self) -> None:
        """A naive datetime is read as Shanghai wall time."""
        now = SimulatedClock(datetime(2026, 9, 29, 15, 30)).now()
        assert (now, now.tzinfo) == (sh(2026, 9, 29, 15, 30), TZ)

    def test_from_aware_datetime(self) -> None:
        """An aware datetime is converted to Shanghai time."""
        now = SimulatedClock(datetime(2026, 9, 29, 1, 0, tzinfo=UTC)).now()
        assert (now.hour, now.tzinfo) == (9, TZ)

    def test_bad_type(self) -> None:
        """Anything but a date or datetime is a TypeError."""
        with pytest.raises(TypeError, match=r"^start must be a datetime or date, got str$"):
            SimulatedClock("2026-09-29")  # type: ignore[arg-type]


class TestSimulatedClockNow:
    def test_stands_still(self) -> None:
        """The simulated time does not move by itself."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.now() == clock.now() == sh(2026, 9, 29, 10, 0)


class TestSimulatedClockToday:
    def test_shanghai_date(self) -> None:
        """today() is the Shanghai date, not the UTC one."""
        clock = SimulatedClock(datetime(2026, 9, 29, 17, 0, tzinfo=UTC))
        assert clock.today() == date(2026, 9, 30)


class TestSimulatedClockSet:
    def test_forward(self) -> None:
        """set() moves the clock forward and returns the new time."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.set(sh(2026, 9, 30, 8, 0)) == sh(2026, 9, 30, 8, 0)
        assert clock.now() == sh(2026, 9, 30, 8, 0)

    def test_same_time(self) -> None:
        """Setting the current time again is allowed."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.set(sh(2026, 9, 29, 10, 0)) == sh(2026, 9, 29, 10, 0)

    def test_never_backwards(self) -> None:
        """Setting an earlier time is a ValueError and leaves the clock unchanged."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        with pytest.raises(ValueError) as excinfo:
            clock.set(sh(2026, 9, 29, 9, 59))
        assert str(excinfo.value) == (
            "a SimulatedClock never goes backwards: it is 2026-09-29T10:00:00+08:00, "
            "cannot set it to 2026-09-29T09:59:00+08:00"
        )
        assert clock.now() == sh(2026, 9, 29, 10, 0)

    def test_naive_is_shanghai(self) -> None:
        """A naive datetime is read as Shanghai wall time."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        clock.set(datetime(2026, 9, 29, 11, 0))
        assert clock.now() == sh(2026, 9, 29, 11, 0)

    def test_date_rejected(self) -> None:
        """A plain date is a TypeError (which time of day would it be?)."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        with pytest.raises(TypeError, match=r"^moment must be a datetime, got date$"):
            clock.set(date(2026, 9, 30))  # type: ignore[arg-type]


class TestSimulatedClockAdvance:
    def test_timedelta(self) -> None:
        """advance(timedelta) adds it and returns the new time."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.advance(timedelta(hours=30)) == sh(2026, 9, 30, 16, 0)

    def test_keywords(self) -> None:
        """Keyword amounts add up."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.advance(days=1, hours=2, minutes=3, seconds=4) == sh(2026, 9, 30, 12, 3, second=4)

    def test_timedelta_and_keywords(self) -> None:
        """A timedelta and keyword amounts are combined."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.advance(timedelta(days=1), hours=1) == sh(2026, 9, 30, 11, 0)

    def test_result_in_shanghai(self) -> None:
        """The advanced time stays in Asia/Shanghai."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        assert clock.advance(hours=1).tzinfo is TZ

    def test_never_backwards(self) -> None:
        """A negative amount is a ValueError and leaves the clock unchanged."""
        clock = SimulatedClock(sh(2026, 9, 29, 10, 0))
        with pytest.raises(ValueError) as excinfo:
            clock.advance(hours=-1)
        assert (
            str(excinfo.value) == "a SimulatedClock never goes backwards: cannot advance by -1 day, 23:00:00"
        )
        assert clock.now() == sh(2026, 9, 29, 10, 0)


class TestSimulatedClockAdvanceWorkingDays:
    def test_across_national_day(self, cal: WorkCalendar) -> None:
        """From Tue 29 Sep 2026 15:00, 2 working days lands on Thu 8 Oct 2026 at 09:00."""
        clock = SimulatedClock(sh(2026, 9, 29, 15, 0))
        assert clock.advance_working_days(2, cal) == sh(2026, 10, 8, 9, 0)
        assert clock.now() == sh(2026, 10, 8, 9, 0)

    def test_onto_make_up_saturday(self, cal: WorkCalendar) -> None:
        """4 working days from Tue 29 Sep 2026 is the make-up Sat 10 Oct 2026."""
        clock = SimulatedClock(sh(2026, 9, 29, 15, 0))
        assert clock.advance_working_days(4, cal) == sh(2026, 10, 10, 9, 0)

    def test_repeated(self, cal: WorkCalendar) -> None:
        """Moving 1 working day five times equals moving 5 at once (12 Oct 2026)."""
        clock = SimulatedClock(sh(2026, 9, 29, 15, 0))
        for _ in range(5):
            clock.advance_working_days(1, cal)
        assert clock.now() == sh(2026, 10, 12, 9, 0)

    def test_loaded_year(self, cal: WorkCalendar) -> None:
        """With the 2027 TEST FIXTURE, 1 working day from Thu 31 Dec 2026 skips New Year's Day."""
        data: dict[str, Any] = YAML(typ="safe").load(FIXTURE_2027)
        clock = SimulatedClock(sh(2026, 12, 31, 16, 0))
        assert clock.advance_working_days(1, cal.with_year_data(data)) == sh(2027, 1, 4, 9, 0)

    def test_zero(self, cal: WorkCalendar) -> None:
        """n must be at least 1."""
        clock = SimulatedClock(sh(2026, 9, 29, 15, 0))
        with pytest.raises(ValueError, match=r"^n must be >= 1, got 0$"):
            clock.advance_working_days(0, cal)
