"""The supervisor's figures of the reform and calendar years (routes of the ``supervise`` blueprint).

Figures: :meth:`Supervision.report` for a period (the days cases were opened, both included) and
a grouping (matter, department, location, month) — the report's content and numbers: the
columns of :data:`oneservice.supervision.render.COLUMNS`, the catalogue's figures, and the four
charts of :func:`oneservice.supervision.render.report_charts` (the HTML report's own SVG). The
report covers every case, as the published figures do (``/public/figures``); its list of overdue
cases names cases, so a regional supervisor sees only those of their region.

Calendars: the years loaded into the database (:meth:`OneService.calendar_years`) and the years
with official data; a year is loaded from an uploaded calendar file, JSON or YAML, as
``oneservice calendar load`` does (:meth:`CalendarUpdates.load`): the file's findings, malformed
data (OS610) and a year that would move a frozen deadline (OS706) are shown on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from .. import InvalidInput, Role
from ..catalog.yamlio import parse_text
from ..http.context import service
from ..supervision import GROUPINGS, Supervision
from ..supervision.render import COLUMNS, report_charts
from .base import current_actor, requires, t

__all__ = ["CALENDAR_MAX_BYTES", "install"]

CALENDAR_MAX_BYTES = 256 * 1024
"""A calendar file is a few kilobytes; anything much larger is not one."""

GROUP_NAMES = {"matter": ("按一件事", "by matter"), "department": ("按部门", "by department"),
               "location": ("按服务点", "by location"), "month": ("按月份", "by month")}


def _date(name: str) -> dt.date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(t(f"日期应为 YYYY-MM-DD，而不是 {raw!r}", f"a date is YYYY-MM-DD, not {raw!r}"),
                           field=name) from None


def _label(text: str) -> str:
    """A column label of the report ("中文 English") in the page's language."""
    zh, _, en = text.partition(" ")
    return t(zh, en or zh)


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.endswith("_share") and isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def figures_view() -> dict[str, Any]:
    from .supervise import kind_name, scope

    start, end = _date("from"), _date("to")
    by = request.args.get("by") or None
    report = Supervision(service()).report(start, end, by)
    lang_en = t("zh", "en") == "en"
    rows = []
    for group in [*report.groups, report.total]:
        data = group.to_dict()
        is_total = group is report.total
        rows.append({
            "key": data["key"], "total": is_total,
            "name": t("合计", "All") if is_total else report.name(data["key"], "en" if lang_en else "zh"),
            "cells": [_cell(key, data[key]) for key, _ in COLUMNS[1:]],
            "ratings": data["ratings"],
            "warnings": [{"name": kind_name(key.partition("/")[0]), "level": key.partition("/")[2],
                          "count": n} for key, n in data["warnings"].items()],
        })
    locations = scope()
    overdue = [o for o in report.overdue if locations is None or o["location"] in locations]
    return {
        "report": report, "start": start, "end": end, "by": by, "rows": rows,
        "columns": [_label(label) for _, label in COLUMNS[1:]],
        "charts": [Markup(svg) for svg in report_charts(report)],  # render.py escapes every text in them
        "overdue": overdue, "catalogue": report.catalogue,
        "groupings": [(g, t(*GROUP_NAMES[g])) for g in GROUPINGS],
    }


def install(bp: Blueprint) -> None:
    """Add the figures and calendar pages to the supervisor's blueprint."""

    @bp.route("/supervision/figures")
    @requires(Role.SUPERVISOR)
    def figures() -> str:
        return render_template("supervise/figures.html", **figures_view())

    @bp.route("/supervision/calendars")
    @requires(Role.SUPERVISOR)
    def calendars() -> str:
        svc = service()
        return render_template("supervise/calendars.html", years=svc.calendar_years(),
                               known=sorted(svc.calendar.known_years), max_kb=CALENDAR_MAX_BYTES // 1024)

    @bp.route("/supervision/calendars", methods=["POST"])
    @requires(Role.SUPERVISOR)
    def load_calendar() -> Response:
        page = url_for("web_supervise.calendars")
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(t("请选择日历文件（JSON 或 YAML）", "choose a calendar file (JSON or YAML)"), "error")
            return redirect(page)
        raw = upload.stream.read(CALENDAR_MAX_BYTES + 1)
        if len(raw) > CALENDAR_MAX_BYTES:
            flash(t(f"文件超过 {CALENDAR_MAX_BYTES // 1024} KB，不是日历文件",
                    f"the file is larger than {CALENDAR_MAX_BYTES // 1024} KB: not a calendar file"), "error")
            return redirect(page)
        doc, findings = parse_text(raw, upload.filename)
        if doc is None:
            for finding in findings:
                flash(finding.format(), "error")
            if not findings:
                flash(t("文件为空", "the file is empty"), "error")
            return redirect(page)
        actor = current_actor()
        loaded = service().calendar_updates.load(doc.data, actor=actor)  # OS610, OS706: flashed
        moved = ", ".join(loaded.moved)
        flash(t(f"已载入 {loaded.year} 年工作日历（{loaded.source}），"
                f"调整 {len(loaded.moved)} 件办件的暂定期限" + (f"：{moved}" if moved else ""),
                f"calendar {loaded.year} loaded ({loaded.source}); {len(loaded.moved)} case(s) moved"
                + (f": {moved}" if moved else "")), "success")
        return redirect(page)
