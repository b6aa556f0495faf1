"""Time as the engine sees it: always timezone-aware, always China Standard Time.

Everything that reads the time takes a :class:`Clock`, so tests and simulations can use a
:class:`SimulatedClock` and move it forward by hours, days or working days. Production code
uses :class:`SystemClock`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from oneservice.engine.calendar import WorkCalendar

__all__ = ["OFFICE_OPENS", "TZ", "Clock", "SimulatedClock", "SystemClock"]

TZ = ZoneInfo("Asia/Shanghai")
"""The timezone of every datetime the engine produces (UTC+8, no daylight saving since 1991)."""

OFFICE_OPENS = time(9, 0)
"""Time of day a :class:`SimulatedClock` lands on when started from a date or moved by
working days."""


@runtime_checkable
class Clock(Protocol):
    """Source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in Asia/Shanghai."""
        ...

    def today(self) -> date:
        """The current date in Asia/Shanghai."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in Asia/Shanghai."""
        return datetime.now(TZ)

    def today(self) -> date:
        """The current date in Asia/Shanghai."""
        return self.now().date()

    def __repr__(self) -> str:
        return "SystemClock()"


def _in_tz(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; a naive datetime is read as Asia/Shanghai wall time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


class SimulatedClock:
    """A clock that moves only when told to, and never backwards.

    ``start`` may be a datetime (naive ones are read as Asia/Shanghai wall time) or a date
    (09:00 that day, :data:`OFFICE_OPENS`).
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime | date) -> None:
        if isinstance(start, datetime):
            self._now = _in_tz(start)
        elif isinstance(start, date):
            self._now = datetime.combine(start, OFFICE_OPENS, tzinfo=TZ)
        else:
            raise TypeError(f"start must be a datetime or date, got {type(start).__name__}")

    def now(self) -> datetime:
        """The simulated time, timezone-aware, in Asia/Shanghai."""
        return self._now

    def today(self) -> date:
        """The simulated date in Asia/Shanghai."""
        return self._now.date()

    def set(self, moment: datetime) -> datetime:
        """Move to ``moment`` (naive: Asia/Shanghai wall time); earlier than now is a ValueError."""
        if not isinstance(moment, datetime):
            raise TypeError(f"moment must be a datetime, got {type(moment).__name__}")
        target = _in_tz(moment)
        if target < self._now:
            raise ValueError(
                f"a SimulatedClock never goes backwards: it is {self._now.isoformat()}, "
                f"cannot set it to {target.isoformat()}"
            )
        self._now = target
        return target

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by ``delta`` plus the given days/hours/minutes/seconds; returns now.

        Elapsed (absolute) time is added, so the result is exact whatever the offset history.
        """
        step = (delta or timedelta()) + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta():
            raise ValueError(f"a SimulatedClock never goes backwards: cannot advance by {step}")
        self._now = (self._now.astimezone(UTC) + step).astimezone(TZ)
        return self._now

    def advance_working_days(self, n: int, calendar: WorkCalendar) -> datetime:
        """Move to 09:00 of the ``n``-th working day after today (``n >= 1``); returns now.

        The time of day is not kept: the clock lands on :data:`OFFICE_OPENS`.
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        due = calendar.add_working_days(self.today(), n)
        return self.set(datetime.combine(due.date, OFFICE_OPENS, tzinfo=TZ))

    def __repr__(self) -> str:
        return f"SimulatedClock({self._now.isoformat()})"
