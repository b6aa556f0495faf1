"""SQL of the 12345 figures (docs/supervision.md, "12345 requests"): grouped aggregates over the
``requests`` and ``request_events`` tables, never a request loaded into Python.

- From the requests called back in ``[start, end)`` (their latest callback): 诉求解决率
  (resolved / called back) and 群众满意率 (satisfied + basically satisfied / called back), grouped
  by the request's category, the department that answered, the request's area, or the month of
  the callback.
- From the events in ``[start, end)``: on-time acknowledgements and answers (on time / done), the
  return rate (returns / dispatches) and the reopen rate (reopens / callbacks), grouped by the
  event's department, the request's category or area, or the month of the event.
- A request's area: the region the category's routing rule picked its department by (the
  ``requests.area`` column: the requester's area, e.g. where the noise is), else the region of its
  competent department (``department_regions``, from the registry: the store has no departments).
- The daily ranking (热点问题): the categories most often received on a day, and the rising ones,
  received that day more often than on average over the days before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from oneservice.domain.requests import Satisfaction
from oneservice.engine.clock import TZ
from oneservice.store.tables import request_events, requests

__all__ = ["GROUPS", "CategoryRank", "RequestFigures", "daily_ranking", "request_figures"]

GROUPS = ("all", "category", "department", "area", "month")


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


@attrs.frozen
class RequestFigures:
    """The figures of one group (``key``: a category, department, region code, ``YYYY-MM`` month or
    ``all``)."""

    key: str
    called_back: int = 0
    resolved: int = 0
    content: int = 0  # 满意 and 基本满意
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    answered: int = 0
    answered_on_time: int = 0
    dispatched: int = 0
    returned: int = 0
    callbacks: int = 0  # callback events (a reopened request is called back again)
    reopened: int = 0

    @property
    def resolution_rate(self) -> float | None:
        """诉求解决率."""
        return _rate(self.resolved, self.called_back)

    @property
    def satisfaction_rate(self) -> float | None:
        """群众满意率."""
        return _rate(self.content, self.called_back)

    @property
    def on_time_acknowledgement(self) -> float | None:
        return _rate(self.acknowledged_on_time, self.acknowledged)

    @property
    def on_time_answer(self) -> float | None:
        return _rate(self.answered_on_time, self.answered)

    @property
    def return_rate(self) -> float | None:
        """退单率."""
        return _rate(self.returned, self.dispatched)

    @property
    def reopen_rate(self) -> float | None:
        """重办率."""
        return _rate(self.reopened, self.callbacks)


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_STEPS = {
    "RequestAcknowledged": ("acknowledged", "acknowledged_on_time"),
    "RequestAnswered": ("answered", "answered_on_time"),
    "RequestDispatched": ("dispatched", None), "RequestReturned": ("returned", None),
    "RequestCalledBack": ("callbacks", None), "RequestReopened": ("reopened", None),
}
"""The step events counted, by type: the figure each counts, and the one its on-time ones count."""

_Keys = tuple[list[ColumnElement[Any]], Callable[[tuple[Any, ...]], str | None]]


def _keys(by: str, department_regions: Mapping[str, str] | None, *, category: Any, department: Any,
          area: Any, competent: Any, at: Any) -> _Keys:
    """The columns a grouping's statement groups by, and how a row's values make its group key.

    Plain columns only, the rest in Python over the (few) groups: the area is the routing area or
    else the competent department's region (``department_regions``, looked up per group, not as a
    CASE per row); the month (PostgreSQL; SQLite counts month by month, :func:`_months`)."""
    if by == "all":
        return [], lambda k: "all"
    if by in ("category", "department"):
        return [category if by == "category" else department], lambda k: None if k[0] is None else str(k[0])
    if by == "area":
        regions = {d: region for d, region in (department_regions or {}).items() if region}
        return [area, competent], lambda k: k[0] or regions.get(k[1])
    return [func.to_char(func.timezone("Asia/Shanghai", at), "YYYY-MM")], lambda k: str(k[0])


def _months(conn: Connection, start: dt.datetime | None,
            end: dt.datetime | None) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The Asia/Shanghai months (``YYYY-MM``, from, to) of ``[start, end)``, or of the stored
    callbacks and steps when open: each counted by range over the indexes' time column, which
    SQLite reads in order, instead of a month computed and sorted per row."""
    r, e = requests.c, request_events.c
    found: list[Any] = []
    if start is None or end is None:
        for column, where in [(r.called_back_at, None)] + [(e.at, e.type == kind) for kind in sorted(_STEPS)]:
            for edge in (func.min(column), func.max(column)):  # one each: SQLite looks it up in the index
                query = select(edge) if where is None else select(edge).where(where)
                found.append(conn.execute(query).scalar())
    moments = [m for m in found if m is not None]
    lo = start or (min(moments) if moments else None)
    hi = end or (max(moments) + dt.timedelta(microseconds=1) if moments else None)
    if lo is None or hi is None:
        return []
    months = []
    at = lo.astimezone(TZ).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while at < hi:
        after = (at.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append((f"{at:%Y-%m}", max(at, lo), min(after, hi)))
        at = after
    return months


def request_figures(conn: Connection, *, by: str = "all", start: dt.datetime | None = None,
                    end: dt.datetime | None = None,
                    department_regions: Mapping[str, str] | None = None) -> dict[str, RequestFigures]:
    """The figures per group ``by`` (one of :data:`GROUPS`), in two grouped statements, each read
    from one covering index (migration 0018): the callbacks from ``ix_requests_callbacks``; the
    steps, counted per event type and group, from ``ix_request_events_figures`` (all, by month) or
    the grouping's own ``ix_request_events_by_…`` in (type, key) order, so that SQLite groups them
    as it reads instead of sorting every event; on SQLite by month, the two statements per month.
    The events carry their request's category, area and competent department: no grouping joins
    the events to the requests.

    ``by="area"`` groups by the request's area (see the module doc); ``department_regions``
    (department id → region code) gives the area of the requests the routing did not place. A
    request of no known area is left out of that grouping (it counts in ``all``)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    out: dict[str, dict[str, int]] = {}
    if by == "month" and conn.dialect.name != "postgresql":
        for month, lo, hi in _months(conn, start, end):
            _count_into(out, conn, "all", lo, hi, None, _constant(month))
    else:
        _count_into(out, conn, by, start, end, department_regions, None)
    return {k: RequestFigures(k, **values) for k, values in sorted(out.items())}


def _constant(group: str) -> Callable[[tuple[Any, ...]], str | None]:
    return lambda k: group


def _count_into(out: dict[str, dict[str, int]], conn: Connection, by: str, start: dt.datetime | None,
                end: dt.datetime | None, department_regions: Mapping[str, str] | None,
                key: Callable[[tuple[Any, ...]], str | None] | None) -> None:
    """Add the two families of ``[start, end)`` grouped ``by`` to ``out`` (``key``: every row's
    group, instead of the grouping's)."""
    r, e = requests.c, request_events.c

    def add(group: str | None, values: Mapping[str, Any]) -> None:
        if group is None:
            return
        figures = out.setdefault(group, {})
        for name, value in values.items():
            figures[name] = figures.get(name, 0) + int(value)

    columns, key_of = _keys(by, department_regions, category=r.category, department=r.answered_by,
                            area=r.area, competent=r.competent, at=r.called_back_at)
    key_of = key or key_of
    where: list[ColumnElement[bool]] = [r.called_back_at.is_not(None)]
    if start is not None:
        where.append(r.called_back_at >= start)
    if end is not None:
        where.append(r.called_back_at < end)
    content = [str(s) for s in Satisfaction if s.content]
    width = len(columns)
    judged = conn.execute(
        select(*columns, func.count(), _count(r.resolved.is_(True)), _count(r.satisfaction.in_(content)))
        .where(and_(*where)).group_by(*columns))
    for row in judged:
        if row[width]:  # no grouping: one row, also of nothing
            add(key_of(tuple(row[:width])), dict(zip(("called_back", "resolved", "content"), row[width:],
                                                     strict=True)))

    columns, key_of = _keys(by, department_regions, category=e.category, department=e.department,
                            area=e.area, competent=e.competent, at=e.at)
    key_of = key or key_of
    steps: list[ColumnElement[bool]] = [e.type.in_(sorted(_STEPS))]
    if start is not None:
        steps.append(e.at >= start)
    if end is not None:
        steps.append(e.at < end)
    counted = conn.execute(
        select(e.type, *columns, func.count(), _count(e.on_time.is_(True)))
        .where(and_(*steps)).group_by(e.type, *columns))
    for kind, *values in counted:
        done, on_time = _STEPS[kind]
        add(key_of(tuple(values[:width])),
            {done: values[width]} | ({on_time: values[width + 1]} if on_time else {}))


@attrs.frozen
class CategoryRank:
    """A category's requests on the day, and its daily average over the days before."""

    category: str
    count: int
    before: float  # average per day over the previous ``window`` days

    @property
    def rise(self) -> float:
        return self.count - self.before


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), TZ)


def daily_ranking(conn: Connection, day: dt.date, *, window: int = 7,
                  top: int = 10) -> tuple[list[CategoryRank], list[CategoryRank]]:
    """(most frequent, rising) categories of requests received on ``day`` (Asia/Shanghai):
    the most frequent by count (then id), the rising ones received more often than their daily
    average over the ``window`` days before, by the rise (then count, then id)."""
    r = requests.c
    lo, mid = _day_start(day - dt.timedelta(days=window)), _day_start(day)
    hi = _day_start(day + dt.timedelta(days=1))
    rows = conn.execute(
        select(r.category, _count(r.received_at >= mid), _count(r.received_at < mid))
        .where(r.received_at >= lo, r.received_at < hi).group_by(r.category))
    ranks = [CategoryRank(c, int(today), round(int(earlier) / window, 4)) for c, today, earlier in rows]
    frequent = sorted((x for x in ranks if x.count), key=lambda x: (-x.count, x.category))[:top]
    rising = sorted((x for x in ranks if x.count > x.before), key=lambda x: (-x.rise, -x.count, x.category))
    return frequent, rising[:top]
