"""Rendering the supervision report: text, JSON, CSV, and one self-contained HTML file.

Every format carries the same figures (the keys of :meth:`Figures.to_dict`, defined in
docs/supervision.md). The text report lines its columns up by display width (a Chinese
character takes two columns; measured with ``wcwidth``). The HTML report has no scripts and no
external resources: its charts are inline SVG, shares drawn on an absolute 0–100 % scale (92 %
is not drawn as full), groups named (zh/en) rather than by id, with the generation time and the
period, the overdue cases (applicant masked) and the warnings.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

from wcwidth import wcswidth

from .supervisor import LEVELS, Report

__all__ = ["COLUMNS", "display_width", "render_report", "report_charts"]

_LEVEL_NAMES = {
    5: "非常满意 very satisfied",
    4: "满意 satisfied",
    3: "基本满意 basically satisfied",
    2: "不满意 dissatisfied",
    1: "非常不满意 very dissatisfied",
}
COLUMNS: list[tuple[str, str]] = [
    ("key", "分组 group"),
    ("cases", "办件 cases"),
    ("concluded_cases", "已办结 concluded"),
    ("on_time_share", "按承诺时限办结率 within promise"),
    ("within_legal_share", "法定时限内办结率 within legal limit"),
    ("open_overdue", "在办超承诺 open past promise"),
    ("open_legal_overdue", "在办超法定 open past legal limit"),
    ("avg_duration_days", "平均办理工作日 mean working days"),
    ("p90_duration_days", "90%办件工作日 p90 working days"),
    ("duration_vs_promise", "实际/承诺 actual ÷ promise"),
    ("suspension_days", "中止工作日 suspended days"),
    ("correction_days", "补正工作日 correction days"),
    ("avg_trips", "平均跑动 mean trips"),
    ("max_trips", "最多跑动 max trips"),
    ("at_most_one_trip_share", "最多跑一次率 ≤1 trip"),
    ("zero_trip_share", "零跑动率 0 trips"),
    ("online_share", "网办率 online"),
    ("mobile_share", "掌办率 mobile"),
    ("agent_share", "代办率 agent"),
    ("window_share", "窗口办理率 window"),
    ("agent_delivery_share", "代办送达率 handed over by agents"),
    ("one_time_notices", "一次性告知 notices"),
    ("one_time_notice_breaches", "多次告知 repeated notices"),
    ("deficiency_acceptances", "容缺受理 deficiency"),
    ("good_share", "好评率 good ratings"),
    ("bad_share", "差评率 bad ratings"),
    ("active_rating_share", "主动评价率 rated ÷ concluded"),
    ("bad_callback_share", "差评回访率 bad ratings called back"),
    ("appeals", "差评申诉 appeals"),
    ("appeals_upheld", "申诉成立 appeals upheld"),
    ("rectifications", "整改 rectifications"),
    ("rectified_on_time_share", "按期整改率 rectified on time"),
    ("rectifications_overdue", "整改超期 rectifications overdue"),
]
"""The columns of every format, with their bilingual labels."""

_CATALOGUE = [
    ("matter_share_at_most_one_trip", "事项目录中最多跑一次的一件事 matters keeping ≤1 trip"),
    ("item_share_at_most_one_trip", "最多跑一次的事项 items keeping ≤1 trip"),
    ("case_share_at_most_one_trip", "最多跑一次一件事的办件量占比 case volume in them"),
    ("case_share_zero_trips", "零跑动一件事的办件量占比 case volume in 0-trip matters"),
]


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (a CJK character two, a combining mark none)."""
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def render_report(report: Report, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    return _text(report)


def _rows(report: Report) -> list[dict[str, Any]]:
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


def _generated(report: Report) -> str:
    return report.generated_at.strftime("%Y-%m-%d %H:%M") if report.generated_at else "—"


def _text(report: Report) -> str:
    lines = [
        f"最多跑一次 figures / figures of the reform, cases opened {_period(report)}"
        + (f", by {report.by}" if report.by else ""),
        f"生成时间 generated {_generated(report)}",
    ]
    if report.total.cases == 0:
        lines.append("no cases in this period / 此期间无办件")
        return "\n".join(lines) + "\n"
    width = max(display_width(label) for _, label in COLUMNS + _CATALOGUE) + 2
    for row in _rows(report):
        lines.append("")
        name = report.name(row["key"])
        lines.append(f"[{row['key']}]" + (f" {name}" if name != row["key"] else ""))
        for key, label in COLUMNS[1:]:
            lines.append(f"  {_pad(label, width)}{_cell(key, row[key])}")
        ratings = row["ratings"]
        lines.append("  " + "  ".join(f"{_LEVEL_NAMES[int(k)].split()[0]} {v}" for k, v in ratings.items()))
        if row["warnings"]:
            lines.append("  预警 warnings: " + ", ".join(f"{k} {v}" for k, v in row["warnings"].items()))
    lines.append("")
    spread = ", ".join(f"{k}: {v}" for k, v in report.trips_distribution.items())
    lines.append(f"trips 跑动次数 (concluded): {spread}")
    lines.append("")
    for key, label in _CATALOGUE:
        lines.append(f"  {_pad(label, width)}{_cell(key, report.catalogue.get(key))}")
    if report.overdue:
        lines.append("")
        lines.append("超期办件 overdue cases:")
        for o in report.overdue:
            legal = " 超法定 past legal" if o["past_legal"] else ""
            lines.append(f"  {o['case_id']}  {o['matter_id']}  {o['location']}  {o['due'].isoformat()}  "
                         f"{o['applicant_id']}{legal}")
    return "\n".join(lines) + "\n"


def _csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _ in COLUMNS] + ["name_zh", "name_en"]
                    + [f"rating_{level}" for level in LEVELS])
    for row in _rows(report):
        ratings = row["ratings"]
        writer.writerow(
            [row[key] if row[key] is not None else "" for key, _ in COLUMNS]
            + [report.name(row["key"], "zh"), report.name(row["key"], "en")]
            + [ratings[str(level)] for level in LEVELS]
        )
    return out.getvalue()


def _bars(title: str, items: list[tuple[str, float, str]], *, unit: str = "", ident: str) -> str:
    """A horizontal bar chart as inline SVG; ``items`` are (label, value, colour). Shares
    (``unit="%"``) are drawn on an absolute 0–100 % scale, counts against the largest."""
    width, bar_h, gap, left = 620, 22, 8, 250
    height = 40 + len(items) * (bar_h + gap)
    top = 1.0 if unit == "%" else (max((v for _, v, _ in items), default=0) or 1)
    span = width - left - 70
    parts = [
        f'<svg id="{ident}" class="chart" role="img" aria-label="{html.escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{html.escape(title)}</text>',
    ]
    for n, (label, value, colour) in enumerate(items):
        y = 32 + n * (bar_h + gap)
        w = max(2.0, span * min(value, top) / top) if value else 0
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{html.escape(label)}</text>')
        if unit == "%":  # the 100 % mark: the scale is absolute
            parts.append(f'<rect class="scale" x="{left}" y="{y}" width="{span}" height="{bar_h}" '
                         f'fill="none" stroke="#bbb"/>')
        parts.append(
            f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" '
            f'data-value="{value:g}"/>'
        )
        shown = f"{value:.0%}" if unit == "%" else f"{value:g}"
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 16}" font-size="13">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_charts(report: Report) -> list[str]:
    """The report's four charts as inline SVG (the HTML report's, and the web front's figures
    page): key shares on a 0–100 % scale, trips per concluded case, the on-time share by month
    of conclusion, satisfaction by level."""
    total = report.total
    summary = total.to_dict()
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
    shares = [
        (label.split()[0], float(summary[key] or 0), "#6c4fb0")
        for key, label in COLUMNS
        if key in ("on_time_share", "within_legal_share", "at_most_one_trip_share", "zero_trip_share",
                   "good_share", "active_rating_share", "bad_callback_share", "rectified_on_time_share")
    ]
    return [
        _bars("主要比率 Key shares (0–100 %)", shares, unit="%", ident="chart-shares"),
        _bars("跑动次数分布 Trips per concluded case", trips, ident="chart-trips"),
        _bars("按时办结率 On-time share by month of conclusion", trend, unit="%", ident="chart-trend"),
        _bars("满意度 Satisfaction (好差评)", satisfaction, ident="chart-satisfaction"),
    ]


def _html(report: Report) -> str:
    total = report.total
    header = "".join(f"<th>{html.escape(label)}</th>" for _, label in COLUMNS)
    body = []
    for row in _rows(report):
        zh, en = report.name(row["key"], "zh"), report.name(row["key"], "en")
        cells = [f"<td>{html.escape(zh)}<br><small>{html.escape(en)}</small></td>"]
        cells += [f"<td>{html.escape(_cell(key, row[key]))}</td>" for key, _ in COLUMNS[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    overdue = "".join(
        f"<tr><td>{html.escape(o['case_id'])}</td><td>{html.escape(o['matter_id'])}</td>"
        f"<td>{html.escape(o['location'])}</td><td>{o['due'].isoformat()}</td>"
        f"<td>{html.escape(o['applicant_id'])}</td>"
        f"<td>{'超法定 past legal' if o['past_legal'] else ''}</td></tr>"
        for o in report.overdue
    )
    warned = "".join(
        f"<tr><td>{html.escape(report.name(row['key']))}</td><td>{html.escape(k)}</td><td>{v}</td></tr>"
        for row in _rows(report) for k, v in row["warnings"].items()
    )
    catalogue = "".join(f"<li>{html.escape(label)}: {html.escape(_cell(key, report.catalogue.get(key)))}</li>"
                        for key, label in _CATALOGUE)
    charts = "\n".join(report_charts(report))
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
<p>办件受理时间 cases opened {html.escape(_period(report))}{by} · {total.cases} 件 cases ·
生成时间 generated <time id="generated">{html.escape(_generated(report))}</time></p>
{empty}
<div class="charts">
{charts}
</div>
<h2>事项目录 The catalogue</h2><ul>{catalogue}</ul>
<table id="figures"><thead><tr>{header}</tr></thead><tbody>
{"".join(body)}
</tbody></table>
<h2>超期办件 Overdue cases</h2>
<table id="overdue"><thead><tr><th>办件 case</th><th>一件事 matter</th><th>地点 location</th>
<th>承诺期限 due</th><th>申请人 applicant</th><th></th></tr></thead><tbody>{overdue}</tbody></table>
<h2>电子监察预警 Warnings</h2>
<table id="warnings"><thead><tr><th>分组 group</th><th>类别/级别 kind/level</th><th>件数 count</th>
</tr></thead><tbody>{warned}</tbody></table>
</body></html>
"""
