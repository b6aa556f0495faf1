"""Rendering the supervision report: text, JSON, CSV, and one self-contained HTML file.

The HTML report has no scripts and no external resources: its three charts (trips distribution,
on-time trend, satisfaction) are inline SVG, so it opens offline in any browser.
"""

from __future__ import annotations

import csv
import html
import io
import json

from .supervisor import LEVELS, Report

__all__ = ["render_report"]

_LEVEL_NAMES = {
    5: "非常满意 very satisfied",
    4: "满意 satisfied",
    3: "基本满意 basically satisfied",
    2: "不满意 dissatisfied",
    1: "非常不满意 very dissatisfied",
}
_COLUMNS = [
    ("key", "分组 group"),
    ("cases", "办件 cases"),
    ("concluded", "办结 concluded"),
    ("on_time_share", "按时办结率 on time"),
    ("open_overdue", "在办超期 open overdue"),
    ("within_legal_share", "法定时限内办结率 within legal"),
    ("open_legal_overdue", "在办超法定 open past legal"),
    ("suspension_days", "中止天数 suspended days"),
    ("correction_days", "补正天数 correction days"),
    ("avg_trips", "平均跑动 avg trips"),
    ("max_trips", "最多跑动 max trips"),
    ("at_most_one_trip_share", "最多跑一次 ≤1 trip"),
    ("zero_trip_share", "零跑动 0 trips"),
    ("one_time_notices", "一次性告知 notices"),
    ("one_time_notice_breaches", "多次告知 repeated notices"),
    ("deficiency_acceptances", "容缺受理 deficiency"),
    ("satisfied_share", "满意率 satisfied"),
    ("rectifications", "整改 rectifications"),
    ("rectified_on_time", "按时整改 on time"),
    ("rectifications_overdue", "整改超期 overdue"),
]


def render_report(report: Report, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    return _text(report)


def _rows(report: Report) -> list[dict[str, object]]:
    return [g.to_dict() for g in report.groups] + [report.total.to_dict()]


def _cell(key: str, value: object) -> str:
    if value is None:
        return "—"
    if key.endswith("_share") and isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _period(report: Report) -> str:
    start = report.start.isoformat() if report.start else "…"
    end = report.end.isoformat() if report.end else "…"
    return f"{start} – {end}"


def _text(report: Report) -> str:
    lines = [
        f"最多跑一次 figures / figures of the reform, cases opened {_period(report)}"
        + (f", by {report.by}" if report.by else "")
    ]
    if report.total.cases == 0:
        lines.append("no cases in this period / 此期间无办件")
        return "\n".join(lines) + "\n"
    rows = _rows(report)
    for row in rows:
        lines.append("")
        lines.append(f"[{row['key']}]")
        for key, label in _COLUMNS[1:]:
            lines.append(f"  {label:<30} {_cell(key, row[key])}")
        ratings = row["ratings"]
        assert isinstance(ratings, dict)
        lines.append("  " + "  ".join(f"{_LEVEL_NAMES[int(k)].split()[0]} {v}" for k, v in ratings.items()))
    lines.append("")
    lines.append("trips 跑动次数: " + ", ".join(f"{k}: {v}" for k, v in report.trips_distribution.items()))
    return "\n".join(lines) + "\n"


def _csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _ in _COLUMNS] + [f"rating_{level}" for level in LEVELS])
    for row in _rows(report):
        ratings = row["ratings"]
        assert isinstance(ratings, dict)
        writer.writerow(
            [row[key] if row[key] is not None else "" for key, _ in _COLUMNS]
            + [ratings[str(level)] for level in LEVELS]
        )
    return out.getvalue()


def _bars(title: str, items: list[tuple[str, float, str]], *, unit: str = "", ident: str) -> str:
    """A horizontal bar chart as inline SVG; ``items`` are (label, value, colour)."""
    width, bar_h, gap, left = 560, 22, 8, 190
    height = 40 + len(items) * (bar_h + gap)
    top = max((v for _, v, _ in items), default=0) or 1
    parts = [
        f'<svg id="{ident}" class="chart" role="img" aria-label="{html.escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{html.escape(title)}</text>',
    ]
    for n, (label, value, colour) in enumerate(items):
        y = 32 + n * (bar_h + gap)
        w = max(2.0, (width - left - 70) * value / top) if value else 0
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{html.escape(label)}</text>')
        parts.append(
            f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        shown = f"{value:.0%}" if unit == "%" else f"{value:g}"
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 16}" font-size="13">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html(report: Report) -> str:
    total = report.total
    trips = [(f"{k} 次 trips", float(v), "#2f6fb0") for k, v in report.trips_distribution.items()]
    trend = [(month, (k / n if n else 0.0), "#2e8b57") for month, n, k in report.trend]
    satisfaction = [
        (
            _LEVEL_NAMES[level],
            float(total.ratings.get(level, 0)),
            ["#c0392b", "#e67e22", "#f1c40f", "#7fb35a", "#2e8b57"][level - 1],
        )
        for level in LEVELS
    ]
    header = "".join(f"<th>{html.escape(label)}</th>" for _, label in _COLUMNS)
    body = []
    for row in _rows(report):
        body.append(
            "<tr>" + "".join(f"<td>{html.escape(_cell(key, row[key]))}</td>" for key, _ in _COLUMNS) + "</tr>"
        )
    empty = "" if total.cases else '<p class="empty">此期间无办件 / no cases in this period</p>'
    by = f" · by {html.escape(report.by)}" if report.by else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>最多跑一次 · oneservice report</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 16px 0; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 24px; }}
.chart {{ background: #fafafa; border: 1px solid #eee; padding: 8px; }}
</style></head>
<body>
<h1>最多跑一次 · figures of the reform</h1>
<p>办件受理时间 cases opened {html.escape(_period(report))}{by} · {total.cases} 件 cases</p>
{empty}
<div class="charts">
{_bars("跑动次数分布 Trips per case", trips, ident="chart-trips")}
{_bars("按时办结率 On-time share by month of due date", trend, unit="%", ident="chart-trend")}
{_bars("满意度 Satisfaction (好差评)", satisfaction, ident="chart-satisfaction")}
</div>
<table><thead><tr>{header}</tr></thead><tbody>
{"".join(body)}
</tbody></table>
</body></html>
"""
