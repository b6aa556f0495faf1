"""The supervision colours (电子监察) and the one rule that gives a deadline its colour.

On a given day a deadline not yet met is **red** when its due date is before today (overdue),
**yellow** when it falls from today up to the ``yellow_days``-th working day after today (both
included; ``yellow_days=0``: on the due date only), and **green** otherwise.
:meth:`Thresholds.on` computes the two dates where the colours change on one day;
:meth:`Thresholds.colour` colours a due date with them, and the SQL of supervision and of
``cases_by_colour`` filters ``due_date`` by the same :meth:`Thresholds.due_range`, so the colour
of a case and the lists of yellow and red cases agree by construction.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from oneservice.engine.calendar import WorkCalendar

__all__ = ["Colour", "Thresholds"]


class Colour(enum.StrEnum):
    """The supervision level of a deadline (the HTTP API and JSON carry the values)."""

    GREEN = "green"  # on time
    YELLOW = "yellow"  # near the due date (黄牌预警)
    RED = "red"  # overdue (红牌)


@attrs.frozen
class Thresholds:
    """Where the colours change on ``today``: red before it, yellow from it to ``yellow_until``."""

    today: dt.date
    yellow_until: dt.date

    @classmethod
    def on(cls, today: dt.date, calendar: WorkCalendar, yellow_days: int) -> Thresholds:
        """The thresholds of ``today``: yellow ends on the ``yellow_days``-th working day after it."""
        return cls(today, calendar.add_working_days(today, yellow_days).date)

    def due_range(self, colour: Colour) -> tuple[dt.date | None, dt.date | None]:
        """The due dates of ``colour`` as ``(first, last)``, both included; ``None``: unbounded."""
        if colour is Colour.RED:
            return None, self.today - dt.timedelta(days=1)
        if colour is Colour.YELLOW:
            return self.today, self.yellow_until
        return self.yellow_until + dt.timedelta(days=1), None

    def colour(self, due: dt.date | None, *, done: bool = False) -> Colour:
        """The colour of a deadline due on ``due``; green when it has none or is ``done``."""
        if due is None or done:
            return Colour.GREEN
        for colour in (Colour.RED, Colour.YELLOW):
            first, last = self.due_range(colour)
            if (first is None or first <= due) and (last is None or due <= last):
                return colour
        return Colour.GREEN
