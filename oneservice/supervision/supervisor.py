"""Electronic supervision (电子监察) and the figures the reform is judged by.

:class:`Supervision` scans open deadlines — of cases, items, owed materials, and the callback and
rectification of bad ratings — and records a yellow warning when one comes within
``yellow_days`` working days of its due date and a red one when it is overdue: exactly once per
deadline and level, safely from several workers at once. The colours follow
:class:`~oneservice.domain.supervision.Thresholds`, the rule behind the colour a case shows.
:meth:`Supervision.report` computes the figures in SQL: cases, share concluded within the
promise, trips, one-time notices, deficiency acceptances, satisfaction and rectifications, grouped
by matter, department or location.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any

import attrs

from ..domain.supervision import Colour, Thresholds
from ..engine.clock import TZ
from ..errors import InvalidInput
from ..service import OneService
from ..store import supervision as sql

__all__ = ["GROUPINGS", "Figures", "Report", "ScanResult", "Supervision"]

GROUPINGS = ("matter", "department", "location")
LEVELS = (5, 4, 3, 2, 1)


@attrs.frozen
class ScanResult:
    yellow: int
    red: int
    batches: int


@attrs.frozen
class Figures:
    """The figures of one group (or of all cases)."""

    key: str
    cases: int = 0
    concluded: int = 0
    on_time: int = 0
    open_overdue: int = 0
    within_legal: int = 0  # concluded within the legal chain (法定时限)
    open_legal_overdue: int = 0  # open past the legal chain (超法定)
    suspension_days: int = 0  # working days items stood suspended (中止)
    correction_days: int = 0  # working days items waited for a correction (补正)
    avg_trips: float = 0.0
    max_trips: int = 0
    at_most_one_trip: int = 0
    zero_trips: int = 0
    notice_cases: int = 0
    notices: int = 0
    notice_breaches: int = 0  # cases given more than one notice (一次告知 not kept)
    deficiency_cases: int = 0
    ratings: dict[int, int] = attrs.field(factory=dict)
    rectifications: int = 0
    rectified_on_time: int = 0
    rectifications_overdue: int = 0

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    def to_dict(self) -> dict[str, Any]:
        rated = sum(self.ratings.values())
        return {
            "key": self.key,
            "cases": self.cases,
            "concluded": self.concluded,
            "on_time": self.on_time,
            "on_time_share": self.share(self.on_time, self.concluded),
            "open_overdue": self.open_overdue,
            "within_legal_share": self.share(self.within_legal, self.concluded),
            "open_legal_overdue": self.open_legal_overdue,
            "suspension_days": self.suspension_days,
            "correction_days": self.correction_days,
            "avg_trips": round(self.avg_trips, 3),
            "max_trips": self.max_trips,
            "at_most_one_trip_share": self.share(self.at_most_one_trip, self.cases),
            "zero_trip_share": self.share(self.zero_trips, self.cases),
            "one_time_notice_cases": self.notice_cases,
            "one_time_notices": self.notices,
            "one_time_notice_breaches": self.notice_breaches,
            "deficiency_acceptances": self.deficiency_cases,
            "ratings": {str(level): self.ratings.get(level, 0) for level in LEVELS},
            "satisfied_share": self.share(self.ratings.get(5, 0) + self.ratings.get(4, 0), rated),
            "rectifications": self.rectifications,
            "rectified_on_time": self.rectified_on_time,
            "rectifications_overdue": self.rectifications_overdue,
        }


@attrs.frozen
class Report:
    start: dt.date | None
    end: dt.date | None  # inclusive
    by: str | None
    total: Figures
    groups: tuple[Figures, ...]
    trips_distribution: dict[str, int]  # "0", "1", "2", "3+"
    trend: tuple[tuple[str, int, int], ...]  # (month of due date, concluded, on time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "by": self.by,
            "total": self.total.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "trips_distribution": self.trips_distribution,
            "trend": [{"month": m, "concluded": n, "on_time": k} for m, n, k in self.trend],
        }


class Supervision:
    """Warnings and figures over the live data of one :class:`OneService`."""

    def __init__(self, service: OneService, *, yellow_days: int = 1, worker: str | None = None) -> None:
        if not isinstance(yellow_days, int) or isinstance(yellow_days, bool) or yellow_days < 0:
            raise InvalidInput("must be a whole number of working days, 0 or more", field="yellow_days")
        self.service = service
        self.yellow_days = yellow_days
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"

    def scan(self, *, batch: int = 1000) -> ScanResult:
        """Record every yellow and red warning due now, each exactly once; returns the counts."""
        if batch < 1:
            raise InvalidInput("must be at least 1", field="batch")
        service = self.service
        now = service.clock.now()
        thresholds = Thresholds.on(now.date(), service.calendar, self.yellow_days)
        counts = {Colour.RED: 0, Colour.YELLOW: 0}
        batches = 0
        for level in (Colour.RED, Colour.YELLOW):
            while True:
                with service.store.transaction() as tx:
                    rows = sql.scan_candidates(tx, level, thresholds, batch)
                    counts[level] += sql.insert_warnings(tx, level, rows, now, self.worker)
                batches += 1
                if len(rows) < batch:
                    break
        return ScanResult(counts[Colour.YELLOW], counts[Colour.RED], batches)

    def warnings(self, case_id: str) -> list[dict[str, Any]]:
        """The warnings recorded for a case, oldest first."""
        with self.service.store.transaction(readonly=True) as tx:
            return sql.warnings_of(tx, case_id)

    def report(
        self, start: dt.date | None = None, end: dt.date | None = None, by: str | None = None
    ) -> Report:
        """The figures of cases opened from ``start`` to ``end`` (inclusive), grouped ``by``."""
        for name, value in (("from", start), ("to", end)):
            if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                raise InvalidInput("must be a date (YYYY-MM-DD)", field=name)
        if start and end and end < start:
            raise InvalidInput(
                f"the range ends ({end}) before it starts ({start})", field="to", hint="swap --from and --to"
            )
        if by is not None and by not in GROUPINGS:
            raise InvalidInput(f"unknown grouping {by!r}", field="by", hint="use " + ", ".join(GROUPINGS))
        lo = dt.datetime.combine(start, dt.time(), TZ) if start else None
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), TZ) if end else None
        today = self.service.clock.today()
        with self.service.store.transaction(readonly=True) as tx:
            grouped = sql.report_rows(tx, lo, hi, by or "all", today)
            total = sql.report_rows(tx, lo, hi, "all", today) if by else grouped
        groups = _figures(grouped)
        totals = _figures(total)
        distribution = {"0": 0, "1": 0, "2": 0, "3+": 0}
        for trips, count in total["trips_distribution"]:
            distribution["3+" if int(trips) >= 3 else str(int(trips))] += int(count)
        trend = tuple((str(m), int(n), int(k or 0)) for m, n, k in total["trend"])
        return Report(
            start,
            end,
            by,
            totals.get("all", Figures("all")),
            tuple(groups[k] for k in sorted(groups)) if by else (),
            distribution,
            trend,
        )


def _figures(rows: dict[str, Any]) -> dict[str, Figures]:
    data: dict[str, dict[str, Any]] = {}

    def entry(key: Any) -> dict[str, Any]:
        return data.setdefault(str(key), {"key": str(key), "ratings": {}})

    for key, count, avg, most, le1, zero, notice_cases, notices, breaches in rows["cases"]:
        entry(key).update(
            cases=int(count),
            avg_trips=float(avg or 0),
            max_trips=int(most or 0),
            at_most_one_trip=int(le1 or 0),
            zero_trips=int(zero or 0),
            notice_cases=int(notice_cases or 0),
            notices=int(notices or 0),
            notice_breaches=int(breaches or 0),
        )
    for key, count, on_time in rows["concluded"]:
        entry(key).update(concluded=int(count), on_time=int(on_time or 0))
    for key, count in rows["open_overdue"]:
        entry(key).update(open_overdue=int(count))
    for key, within, beyond in rows["legal"]:
        entry(key).update(within_legal=int(within or 0), open_legal_overdue=int(beyond or 0))
    for key, suspended, corrected in rows["stopped"]:
        entry(key).update(suspension_days=int(suspended or 0), correction_days=int(corrected or 0))
    for key, count in rows["deficiency"]:
        entry(key).update(deficiency_cases=int(count))
    for key, level, count in rows["ratings"]:
        entry(key)["ratings"][int(level)] = int(count)
    for key, count, on_time, overdue in rows["rectifications"]:
        entry(key).update(
            rectifications=int(count),
            rectified_on_time=int(on_time or 0),
            rectifications_overdue=int(overdue or 0),
        )
    return {k: Figures(**v) for k, v in data.items()}
