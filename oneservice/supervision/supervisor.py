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
import math
import os
import socket
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..domain.case import Applicant, DeadlineKind
from ..domain.supervision import Colour, Thresholds
from ..engine.clock import TZ
from ..errors import InvalidInput
from ..service import OneService
from ..store import Page, figure_upkeep
from ..store import figure_reads as kept
from ..store import figures as figures_sql
from ..store import request_supervision as request_sql
from ..store import supervision as sql

__all__ = ["GROUPINGS", "REQUEST_WARNING_KINDS", "WARNING_KINDS", "Figures", "Report", "ScanResult",
           "Supervision"]

GROUPINGS = ("matter", "department", "location", "month")
WARNING_KINDS: tuple[str, ...] = typing.get_args(DeadlineKind)
"""The deadline kinds a warning can be of (:data:`oneservice.domain.case.DeadlineKind`)."""
LEVELS = (5, 4, 3, 2, 1)
REQUEST_WARNING_KINDS = request_sql.REQUEST_WARNING_KINDS
"""The deadlines of a 12345 request a warning can be of: acknowledgement, answer."""


@attrs.frozen
class ScanResult:
    """Warnings recorded by one scan: of cases (``yellow``, ``red``) and of 12345 requests."""

    yellow: int
    red: int
    batches: int
    request_yellow: int = 0
    request_red: int = 0


@attrs.frozen
class Figures:
    """The counts of one group (or of all cases); :meth:`to_dict` adds the shares (docs/supervision.md)."""

    key: str
    cases: int = 0
    notice_cases: int = 0
    notices: int = 0
    notice_breaches: int = 0  # cases given more than one notice (一次告知 not kept)
    concluded_cases: int = 0  # cases that ran their course: concluded, refused, withdrawn, terminated
    avg_trips: float = 0.0  # over concluded cases
    max_trips: int = 0
    at_most_one_trip: int = 0
    zero_trips: int = 0
    channels: dict[str, int] = attrs.field(factory=dict)  # submitted cases by intake channel
    delivered_cases: int = 0  # cases whose results (or decision) were handed over
    agent_delivered: int = 0  # … all of them through an agent (代办员送达)
    concluded: int = 0  # deadlines judged: the case's promise (by department: its items')
    on_time: int = 0
    legal_judged: int = 0
    within_legal: int = 0  # concluded within the legal limit (法定时限)
    open_overdue: int = 0
    open_legal_overdue: int = 0  # open past the legal limit (超法定)
    duration_cases: int = 0
    avg_duration_days: float | None = None  # working days from receipt to conclusion
    p90_duration_days: int | None = None
    avg_promise_days: float | None = None
    suspension_days: int = 0  # working days items stood suspended (中止)
    correction_days: int = 0  # working days items waited for a correction (补正)
    deficiency_cases: int = 0
    rated_cases: int = 0  # concluded cases with a (first) rating
    ratings: dict[int, int] = attrs.field(factory=dict)  # counted first ratings by level
    bad_ratings: int = 0  # 差评 among them (under the policy in force when given)
    bad_called_back: int = 0  # … whose callback (回访) is recorded
    appeals: int = 0
    appeals_upheld: int = 0
    rectifications: int = 0
    rectified_on_time: int = 0
    rectifications_overdue: int = 0
    warnings: dict[str, int] = attrs.field(factory=dict)  # "kind/level" → count

    @staticmethod
    def share(part: float, whole: float) -> float | None:
        return round(part / whole, 4) if whole else None

    def to_dict(self) -> dict[str, Any]:
        rated = sum(self.ratings.values())
        submitted = sum(self.channels.values())
        return {
            "key": self.key,
            "cases": self.cases,
            "concluded_cases": self.concluded_cases,
            "concluded": self.concluded,
            "on_time": self.on_time,
            "on_time_share": self.share(self.on_time, self.concluded),
            "within_legal_share": self.share(self.within_legal, self.legal_judged),
            "open_overdue": self.open_overdue,
            "open_legal_overdue": self.open_legal_overdue,
            "avg_duration_days": None if self.avg_duration_days is None else round(self.avg_duration_days, 2),
            "p90_duration_days": self.p90_duration_days,
            "avg_promise_days": None if self.avg_promise_days is None else round(self.avg_promise_days, 2),
            "duration_vs_promise": (None if not self.avg_duration_days or not self.avg_promise_days
                                    else round(self.avg_duration_days / self.avg_promise_days, 4)),
            "suspension_days": self.suspension_days,
            "correction_days": self.correction_days,
            "avg_trips": round(self.avg_trips, 3),
            "max_trips": self.max_trips,
            "at_most_one_trip_share": self.share(self.at_most_one_trip, self.concluded_cases),
            "zero_trip_share": self.share(self.zero_trips, self.concluded_cases),
            "online_share": self.share(self.channels.get("online", 0), submitted),
            "mobile_share": self.share(self.channels.get("mobile", 0), submitted),
            "agent_share": self.share(self.channels.get("agent", 0), submitted),
            "window_share": self.share(self.channels.get("window", 0), submitted),
            "agent_delivery_share": self.share(self.agent_delivered, self.delivered_cases),
            "one_time_notice_cases": self.notice_cases,
            "one_time_notices": self.notices,
            "one_time_notice_breaches": self.notice_breaches,
            "deficiency_acceptances": self.deficiency_cases,
            "ratings": {str(level): self.ratings.get(level, 0) for level in LEVELS},
            "good_share": self.share(rated - self.bad_ratings, rated),
            "bad_share": self.share(self.bad_ratings, rated),
            "active_rating_share": self.share(self.rated_cases, self.concluded_cases),
            "bad_callback_share": self.share(self.bad_called_back, self.bad_ratings),
            "appeals": self.appeals,
            "appeals_upheld": self.appeals_upheld,
            "rectifications": self.rectifications,
            "rectified_on_time": self.rectified_on_time,
            "rectified_on_time_share": self.share(self.rectified_on_time, self.rectifications),
            "rectifications_overdue": self.rectifications_overdue,
            "warnings": dict(sorted(self.warnings.items())),
        }


@attrs.frozen
class Report:
    start: dt.date | None
    end: dt.date | None  # inclusive
    by: str | None
    total: Figures
    groups: tuple[Figures, ...]
    trips_distribution: dict[str, int]  # "0", "1", "2", "3+" over concluded cases
    trend: tuple[tuple[str, int, int], ...]  # (month of conclusion, concluded, on time)
    generated_at: dt.datetime | None = None
    names: dict[str, tuple[str, str]] = attrs.field(factory=dict)  # group key → (zh, en)
    overdue: tuple[dict[str, Any], ...] = ()  # open cases past their promise, applicant masked
    catalogue: dict[str, Any] = attrs.field(factory=dict)  # matters and items keeping the promise

    def name(self, key: str, lang: str = "zh") -> str:
        """The group's name (a matter's, a department's, a location's), else its key."""
        pair = self.names.get(key)
        return key if pair is None else (pair[0] if lang == "zh" else pair[1])

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "by": self.by,
            "generated_at": self.generated_at.isoformat() if self.generated_at else None,
            "total": self.total.to_dict(),
            "groups": [{**g.to_dict(), "name_zh": self.name(g.key, "zh"), "name_en": self.name(g.key, "en")}
                       for g in self.groups],
            "trips_distribution": self.trips_distribution,
            "trend": [{"month": m, "concluded": n, "on_time": k} for m, n, k in self.trend],
            "overdue": [{**o, "due": o["due"].isoformat()} for o in self.overdue],
            "catalogue": self.catalogue,
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
            after = None
            while True:
                with service.store.transaction() as tx:
                    rows = sql.scan_candidates(tx, level, thresholds, batch, after)
                    counts[level] += sql.insert_warnings(tx, level, rows, now, self.worker)
                batches += 1
                if len(rows) < batch:
                    break
                after = rows[-1]
        request_counts, request_batches = self._scan_requests(now, batch)
        return ScanResult(counts[Colour.YELLOW], counts[Colour.RED], batches + request_batches,
                          request_counts[Colour.YELLOW], request_counts[Colour.RED])

    def _scan_requests(self, now: dt.datetime, batch: int) -> tuple[dict[Colour, int], int]:
        """The requests' acknowledgement and answer deadlines: red once overdue, yellow once near
        (the colour a request shows, :func:`oneservice.engine.request_clock.colour`: at most a fifth
        of its limit left, at least one working hour), each warning once per dispatch and level."""
        from ..domain.requests import Urgency
        from ..engine.request_clock import YELLOW_SHARE, add_working_hours, colour

        service = self.service
        categories = service.catalogue.request_categories
        widest = max((max(1, math.ceil(YELLOW_SHARE * step.hours)) for c in categories.values()
                      for limits in c.limits.values() for step in (limits.acknowledge, limits.answer)),
                     default=1)
        until = add_working_hours(service.calendar, now, widest + 1).at  # every yellow one is due by then
        counts = {Colour.RED: 0, Colour.YELLOW: 0}
        batches = 0
        for level in (Colour.RED, Colour.YELLOW):
            for kind in REQUEST_WARNING_KINDS:
                after: tuple[dt.datetime, str] | None = None
                while True:
                    with service.store.transaction() as tx:
                        rows = request_sql.request_candidates(tx, kind, level.value, now=now, until=until,
                                                              after=after, limit=batch)
                        chosen = rows
                        if level is Colour.YELLOW:
                            chosen = []
                            for row in rows:
                                category = categories.get(row.category)
                                if category is None:
                                    continue
                                limits = (category.limits.get(Urgency(row.urgency))
                                          or category.limits[Urgency.NORMAL])
                                step = limits.acknowledge if kind == "request_acknowledge" else limits.answer
                                if colour(service.calendar, now, row.due_at, step) == "yellow":
                                    chosen.append(row)
                        counts[level] += request_sql.insert_request_warnings(tx, level.value, chosen, now,
                                                                             self.worker)
                    batches += 1
                    if len(rows) < batch:
                        break
                    after = (rows[-1].due_at, rows[-1].request_id)
        return counts, batches

    def request_warnings(self, request_id: str) -> list[dict[str, Any]]:
        """The warnings recorded for a 12345 request, oldest first."""
        with self.service.store.transaction(readonly=True) as tx:
            return request_sql.request_warnings_of(tx, request_id)

    def request_warning_list(self, *, level: Colour | str | None = None, kind: str | None = None,
                             department: str | None = None, departments: Sequence[str] | None = None,
                             open_only: bool = True, limit: int | None = 50,
                             offset: int = 0) -> Page[dict[str, Any]]:
        """The requests' warnings, newest first (``open_only``: the deadline still unmet — the
        requests to escalate, 督办); each row: request_id, kind, level, due_at, department,
        dispatched_at, at, category, state, escalated_at; ``departments``: only theirs (a regional
        supervisor's scope)."""
        if level is not None and level not in (Colour.YELLOW, Colour.RED):
            raise InvalidInput("level must be 'yellow' or 'red'", field="level")
        if kind is not None and kind not in REQUEST_WARNING_KINDS:
            raise InvalidInput(f"unknown request deadline kind {kind!r}", field="kind",
                               hint="use " + ", ".join(REQUEST_WARNING_KINDS))
        with self.service.store.transaction(readonly=True) as tx:
            return request_sql.request_warnings_page(
                tx, level=None if level is None else str(level), kind=kind, department=department,
                departments=departments, open_only=open_only, limit=limit, offset=offset)

    def warnings(self, case_id: str) -> list[dict[str, Any]]:
        """The warnings recorded for a case, oldest first."""
        with self.service.store.transaction(readonly=True) as tx:
            return sql.warnings_of(tx, case_id)

    def warning_list(
        self, *, level: Colour | str | None = None, kind: str | None = None,
        locations: Sequence[str] | None = None, open_only: bool = True, limit: int | None = 50,
        offset: int = 0,
    ) -> Page[dict[str, Any]]:
        """The warnings recorded by :meth:`scan`, newest first, of one ``level`` (yellow, red) and
        ``kind`` (a deadline kind: case, item, item_legal, deficiency, callback …) or all; only
        the cases of ``locations`` when given (a supervisor's scope); ``open_only``: only those
        whose deadline is still unmet. Each row: case_id, kind, subject, level, due_date, at,
        matter_id, location, state, met_at."""
        if level is not None and level not in (Colour.YELLOW, Colour.RED):
            raise InvalidInput("level must be 'yellow' or 'red'", field="level")
        if kind is not None and kind not in WARNING_KINDS:
            raise InvalidInput(f"unknown deadline kind {kind!r}", field="kind",
                               hint="use " + ", ".join(WARNING_KINDS))
        with self.service.store.transaction(readonly=True) as tx:
            return sql.warnings_page(tx, level=None if level is None else str(level), kind=kind,
                                     locations=locations, open_only=open_only, limit=limit, offset=offset)

    def warning_counts(self, *, locations: Sequence[str] | None = None,
                       open_only: bool = True) -> dict[tuple[str, str], int]:
        """How many warnings :meth:`warning_list` holds per (kind, level)."""
        with self.service.store.transaction(readonly=True) as tx:
            return sql.warning_counts(tx, locations=locations, open_only=open_only)

    def pending_appeals(self, *, locations: Sequence[str] | None = None, limit: int | None = 50,
                        offset: int = 0) -> Page[dict[str, Any]]:
        """Appeals against a 差评 a supervisor has still to decide (申诉复核), the earliest
        decide-by date first: case_id, rating (its number, as text), decide_by, matter_id,
        location, state."""
        with self.service.store.transaction(readonly=True) as tx:
            return sql.open_appeals_page(tx, locations=locations, limit=limit, offset=offset)

    def pending_extensions(self, *, locations: Sequence[str] | None = None, limit: int | None = 50,
                           offset: int = 0) -> Page[dict[str, Any]]:
        """Extension requests (延期申请) a supervisor has still to approve or reject, the oldest
        first: case_id, item, department, days, reason, requested_at, requested_by, request (its
        event's number), legal_due, matter_id, location, state."""
        with self.service.store.transaction(readonly=True) as tx:
            return sql.extension_requests_page(tx, locations=locations, limit=limit, offset=offset)

    def report(
        self, start: dt.date | None = None, end: dt.date | None = None, by: str | None = None, *,
        computed: bool = False,
    ) -> Report:
        """The figures of cases opened from ``start`` to ``end`` (inclusive), grouped ``by``: from
        the figures kept per case (:mod:`oneservice.store.figure_upkeep`), or with ``computed``
        from the cases themselves (the reference the kept figures are checked against)."""
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
        partition = by in figures_sql.PARTITIONS
        report_rows, whole_rows = ((figures_sql.report_rows, figures_sql.whole_rows) if computed
                                   else (kept.kept_report_rows, kept.kept_whole_rows))
        with self.service.store.transaction(readonly=True) as tx:
            grouped = report_rows(tx, lo, hi, by or "all", today)
            if by is None:
                total = grouped
            elif partition:  # every case in one group: the whole is the sum, but for its p90
                total = {**grouped, **whole_rows(tx, lo, hi)}
            else:
                total = report_rows(tx, lo, hi, "all", today)
            overdue = figures_sql.overdue_cases(tx, lo, hi, today)
            volume = figures_sql.cases_by_matter(tx, lo, hi) if computed else kept.kept_volume(total)
        groups = _figures(grouped)
        if partition:
            p90 = {str(k): v for k, v in total["p90_duration"]}.get("all")
            totals = {"all": _sum_figures(list(groups.values()), None if p90 is None else int(p90))}
        else:
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
            self.service.clock.now(),
            self._names(by),
            tuple({**o, "applicant_id": Applicant(o.pop("applicant_kind"), o["applicant_id"], "-").masked_id}
                  for o in overdue),
            self._catalogue_figures(volume),
        )

    def rebuild_figures(self) -> tuple[int, int]:
        """Compute the figures kept per case again from the stored cases (after rows were changed
        outside the store); returns the rows written (cases, case departments)."""
        with self.service.store.transaction() as tx:
            return figure_upkeep.rebuild(tx.connection)

    def check_figures(self, start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
        """The groupings (``all`` and :data:`GROUPINGS`) whose report from the kept figures differs
        from the report computed from the cases; empty when they all agree."""
        differ = []
        for by in (None, *GROUPINGS):
            kept_report, computed = (attrs.evolve(self.report(start, end, by, computed=flag),
                                                  generated_at=None) for flag in (False, True))
            if kept_report != computed:
                differ.append(by or "all")
        return differ

    def _names(self, by: str | None) -> dict[str, tuple[str, str]]:
        catalogue = self.service.catalogue
        table: Mapping[str, Any] = {
            "matter": catalogue.matters, "department": catalogue.departments, "location": catalogue.locations,
        }.get(by or "", {})
        return {key: (value.name.zh, value.name.en) for key, value in table.items()}

    def _catalogue_figures(self, volume: Mapping[str, int]) -> dict[str, Any]:
        """最多跑一次 and 零跑 from the definitions: the matters whose worst case keeps at most one trip
        and none, the items in them (an item keeps it when every matter it is in does), and the
        share of the period's cases in those matters."""
        plans = self.service.catalogue.plans
        one = {m for m, p in plans.items() if p.trips.worst <= 1}
        zero = {m for m, p in plans.items() if p.trips.worst == 0}
        items: dict[str, list[str]] = {}
        for matter_id, plan in plans.items():
            for item in plan.items:
                items.setdefault(item.code, []).append(matter_id)
        items_one = sum(all(m in one for m in ms) for ms in items.values())
        items_zero = sum(all(m in zero for m in ms) for ms in items.values())
        cases = sum(volume.values())
        return {
            "matters": len(plans), "matters_at_most_one_trip": len(one), "matters_zero_trips": len(zero),
            "items": len(items), "items_at_most_one_trip": items_one, "items_zero_trips": items_zero,
            "matter_share_at_most_one_trip": Figures.share(len(one), len(plans)),
            "item_share_at_most_one_trip": Figures.share(items_one, len(items)),
            "case_share_at_most_one_trip": Figures.share(sum(volume.get(m, 0) for m in one), cases),
            "case_share_zero_trips": Figures.share(sum(volume.get(m, 0) for m in zero), cases),
        }


_WEIGHTED = {"avg_trips": "concluded_cases", "avg_duration_days": "duration_cases",
             "avg_promise_days": "duration_cases"}


def _sum_figures(groups: list[Figures], p90: int | None) -> Figures:
    """The figures of all cases from those of groups that partition them: counts add up, means
    are weighted by what they are means of, the maximum is the largest, the p90 is given."""
    out: dict[str, Any] = {"key": "all", "p90_duration_days": p90}
    for field in attrs.fields(Figures):
        name = field.name
        if name in ("key", "p90_duration_days"):
            continue
        values = [getattr(g, name) for g in groups]
        if name in _WEIGHTED:
            weights = [getattr(g, _WEIGHTED[name]) for g in groups]
            pairs = [(v, w) for v, w in zip(values, weights, strict=True) if v is not None and w]
            total = sum(w for _, w in pairs)
            out[name] = (sum(v * w for v, w in pairs) / total if total else
                         (0.0 if name == "avg_trips" else None))
        elif name == "max_trips":
            out[name] = max(values, default=0)
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            merged: dict[Any, int] = {}
            for value in values:
                for k, n in value.items():
                    merged[k] = merged.get(k, 0) + n
            out[name] = merged
        else:
            out[name] = sum(values)
    return Figures(**out)


def _figures(rows: dict[str, Any]) -> dict[str, Figures]:
    data: dict[str, dict[str, Any]] = {}

    def entry(key: Any) -> dict[str, Any]:
        return data.setdefault(str(key), {"key": str(key), "ratings": {}, "channels": {}, "warnings": {}})

    def n(value: Any) -> int:
        return int(value or 0)

    for key, count, notice_cases, notices, breaches in rows["cases"]:
        entry(key).update(cases=n(count), notice_cases=n(notice_cases), notices=n(notices),
                          notice_breaches=n(breaches))
    for key, count, avg, most, le1, zero in rows["trips"]:
        entry(key).update(concluded_cases=n(count), avg_trips=float(avg or 0), max_trips=n(most),
                          at_most_one_trip=n(le1), zero_trips=n(zero))
    for key, channel, count in rows["channels"]:
        entry(key)["channels"][str(channel)] = n(count)
    for key, delivered, by_agent in rows["delivery"]:
        entry(key).update(delivered_cases=n(delivered), agent_delivered=n(by_agent))
    for key, count, on_time in rows["concluded"]:
        entry(key).update(concluded=n(count), on_time=n(on_time))
    for key, count, within in rows["legal"]:
        entry(key).update(legal_judged=n(count), within_legal=n(within))
    for key, count in rows["open_overdue"]:
        entry(key).update(open_overdue=n(count))
    for key, count in rows["open_legal_overdue"]:
        entry(key).update(open_legal_overdue=n(count))
    for key, count, avg, promise in rows["duration"]:
        entry(key).update(duration_cases=n(count), avg_duration_days=None if avg is None else float(avg),
                          avg_promise_days=None if promise is None else float(promise))
    for key, p90 in rows["p90_duration"]:
        entry(key).update(p90_duration_days=None if p90 is None else int(p90))
    for key, suspended, corrected in rows["stopped"]:
        entry(key).update(suspension_days=n(suspended), correction_days=n(corrected))
    for key, count in rows["deficiency"]:
        entry(key).update(deficiency_cases=n(count))
    for key, count in rows["rated_cases"]:
        entry(key).update(rated_cases=n(count))
    for key, count in rows["concluded_cases"]:
        entry(key).setdefault("concluded_cases", n(count))
    for key, level, count in rows["ratings"]:
        entry(key)["ratings"][int(level)] = n(count)
    for key, count, called in rows["bad"]:
        entry(key).update(bad_ratings=n(count), bad_called_back=n(called))
    for key, count, upheld in rows["appeals"]:
        entry(key).update(appeals=n(count), appeals_upheld=n(upheld))
    for key, count, on_time, overdue in rows["rectifications"]:
        entry(key).update(rectifications=n(count), rectified_on_time=n(on_time),
                          rectifications_overdue=n(overdue))
    for key, kind, level, count in rows["warnings"]:
        entry(key)["warnings"][f"{kind}/{level}"] = n(count)
    return {k: Figures(**v) for k, v in data.items() if k != "None"}
