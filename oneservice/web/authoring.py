"""The workflow author (事项目录): matters, items, notices per situation, diagrams, trip proofs,
and the findings of ``check``.

Any signed-in user may read the catalogue (it is public information: the HTTP API publishes
the matters and their notices without a token). ``/web/catalogue`` lists the matters with their
trip budget and promise; ``/web/catalogue/<matter>`` shows one matter: its items with their
departments and limits (verified or not against their source), the one-time notice of the
situation the GET form's answers describe (:func:`~oneservice.notice_data`), the diagram drawn
here as inline SVG from the items' dependencies (the Mermaid and dot texts of
:func:`~oneservice.render_diagram` beside it), and the trip proof (budget, best, worst and each
step's reason, as ``oneservice explain`` prints it). ``/web/catalogue/findings`` runs the
analysis of ``oneservice check`` over the definition files this server loaded (the catalogue
keeps their texts by file name: :attr:`Catalogue.texts`) and lists every finding with file and
line, warnings included; ``?strict=1`` adds the unverified limits (``check --strict``, OS418).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, render_template, request

from .. import Catalogue, Finding, OneServiceError, notice_data, render_diagram, render_notice
from ..catalog.loader import check_files
from ..catalog.notice import department_name
from ..domain import conditions, situations
from ..http.context import service
from .base import error_text, requires, t, web_blueprint

__all__ = ["bp", "diagram_layout", "situation_questions"]

bp = web_blueprint("authoring", __name__)

UNITS = {"working_days": ("个工作日", " working days"), "calendar_days": ("个自然日", " calendar days")}


def _unit(unit: str) -> str:
    zh, en = UNITS.get(unit, (unit, " " + unit))
    return t(zh, en)


def _lang() -> str:
    return t("zh", "en")


@bp.route("/catalogue")
@requires()
def matters() -> str:
    cat = service().catalogue
    rows = []
    for matter_id, plan in sorted(cat.plans.items()):
        m = plan.matter
        rows.append({
            "id": matter_id, "name": t(m.name.zh, m.name.en), "version": m.version, "items": len(plan.items),
            "departments": len(plan.departments), "budget": plan.trips.budget, "best": plan.trips.best,
            "worst": plan.trips.worst, "promise": f"{m.promise.value}{_unit(m.promise.unit.value)}",
            "situations": len(plan.conditions),
        })
    return render_template("authoring/matters.html", rows=rows, items=len(cat.items),
                           warnings=len(cat.warnings))


# ------------------------------------------------------------------------------- one matter


def situation_questions(catalogue: Catalogue, matter_id: str) -> list[dict[str, Any]]:
    """The questions the matter's situation conditions read (情形), as form inputs: id, label,
    kind (``boolean``, ``choice`` or ``text``) and choices."""
    plan = catalogue.plan(matter_id)
    fields = {line.field.id: line.field for line in plan.form}
    for sub in plan.situations.values():
        for line in sub.form:
            fields.setdefault(line.field.id, line.field)
    seen: list[str] = []
    for expression in plan.conditions:
        for name in sorted(conditions.compile_expression(expression).identifiers):
            if name not in seen:
                seen.append(name)
    out = []
    for name in seen:
        if name == situations.APPLICANT_KIND:
            out.append({"id": name, "label": t("申请人类型", "Applicant kind"), "kind": "choice",
                        "choices": [("person", t("个人", "person")), ("company", t("企业", "company"))]})
            continue
        field = fields.get(name)
        if field is None:
            out.append({"id": name, "label": name, "kind": "text", "choices": []})
        elif field.type.value == "boolean":
            out.append({"id": name, "label": t(field.label.zh, field.label.en), "kind": "boolean",
                        "choices": [("true", t("是", "yes")), ("false", t("否", "no"))]})
        elif field.choices:
            out.append({"id": name, "label": t(field.label.zh, field.label.en), "kind": "choice",
                        "choices": [(c, c) for c in field.choices]})
        else:
            out.append({"id": name, "label": t(field.label.zh, field.label.en), "kind": "text",
                        "choices": []})
    return out


def _limit(limit: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": f"{limit['value']}{_unit(limit['unit'])}", "verified": limit["verified"],
            "source": limit.get("source")}


@bp.route("/catalogue/<ident:matter_id>")
@requires()
def matter(matter_id: str) -> str:
    svc = service()
    cat = svc.catalogue
    plan = cat.plan(matter_id)  # an unknown matter: 404 UnknownDefinition with "did you mean"
    questions = situation_questions(cat, matter_id)
    given = {q["id"]: request.args[q["id"]].strip() for q in questions
             if (request.args.get(q["id"]) or "").strip()}
    answered = bool(given) or request.args.get("situation") == "1"
    problem = None
    try:
        data = notice_data(cat, matter_id, _lang(), given if answered else None)
        text = render_notice(cat, matter_id, _lang(), "text", given if answered else None)
    except OneServiceError as exc:  # an answer of the wrong type: the notice of every situation
        problem = error_text(exc)
        answered = False
        data = notice_data(cat, matter_id, _lang())
        text = render_notice(cat, matter_id, _lang())
    items = [dict(i, promised=_limit(i["promised_limit"]), legal=_limit(i["legal_limit"]))
             for i in data["items"]]
    lang = _lang()
    parties = [{"role": p.role, "name": p.name.get(lang), "best": p.best, "worst": p.worst}
               for p in plan.trips.parties]
    return render_template(
        "authoring/matter.html", plan=plan, matter_name=t(plan.matter.name.zh, plan.matter.name.en),
        data=data, items=items, questions=questions, given=given, answered=answered, problem=problem,
        notice_text=text, diagram=diagram_layout(cat, matter_id, lang),
        mermaid=render_diagram(cat, matter_id, "mermaid", lang),
        dot=render_diagram(cat, matter_id, "dot", lang),
        parties=parties, promise=f"{plan.matter.promise.value}{_unit(plan.matter.promise.unit.value)}",
        path_unit=_unit(plan.path.unit))


# ------------------------------------------------------------------------------- the diagram

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 190, 64, 56, 22, 16


def _short(text: str, room: int) -> str:
    """``text`` cut to about ``room`` wide characters (a CJK character counts 2, others 1)."""
    width, out = 0, ""
    for ch in text:
        width += 2 if ord(ch) > 0x2E80 else 1
        if width > room:
            return out + "…"
        out += ch
    return out


def diagram_layout(catalogue: Catalogue, matter_id: str, lang: str) -> dict[str, Any]:
    """The matter as boxes and arrows for an inline SVG: the front desk, each item in the column
    of its longest chain of dependencies (dashed: only in some situations), the single window;
    every arrow an item's dependency."""
    plan = catalogue.plan(matter_id)
    m = plan.matter
    depth: dict[str, int] = {}
    for item in plan.items:  # topological order: an item's dependencies come first
        depth[item.code] = 1 + max((depth[a] for a in m.after(item.code) if a in depth), default=0)
    columns: dict[int, list[str]] = {}
    for item in plan.items:
        columns.setdefault(depth[item.code], []).append(item.code)
    last = max(columns, default=0) + 1
    rows = max((len(c) for c in columns.values()), default=1)
    height = MARGIN * 2 + rows * NODE_H + (rows - 1) * GAP_Y

    def place(column: int, index: int, count: int) -> tuple[int, int]:
        top = (height - (count * NODE_H + (count - 1) * GAP_Y)) // 2
        return MARGIN + column * (NODE_W + GAP_X), top + index * (NODE_H + GAP_Y)

    nodes: dict[str, dict[str, Any]] = {}
    x, y = place(0, 0, 1)
    intake = ", ".join(sorted(c.value for c in m.intake_channels))
    nodes["intake"] = {"x": x, "y": y, "kind": "desk", "lines": [t("前台综合受理", "Front desk"), intake],
                       "title": intake}
    for column, codes in sorted(columns.items()):
        for index, code in enumerate(codes):
            x, y = place(column, index, len(codes))
            item = plan.item(code)
            dep = department_name(catalogue, item, lang)
            name = item.name.get(lang)
            limit = item.promised_limit
            when = next((mi.when for mi in m.items if mi.item == code), None)
            nodes[code] = {"x": x, "y": y, "kind": "item", "when": when,
                           "title": f"{code} {name} — {dep}" + (f" [{when}]" if when else ""),
                           "lines": [_short(name, 24), _short(dep, 24),
                                     f"{limit.value}{_unit(limit.unit.value)}"]}
    x, y = place(last, 0, 1)
    pickup = ", ".join(sorted(plan.trips.delivery_channels))
    nodes["pickup"] = {"x": x, "y": y, "kind": "desk", "lines": [t("综合窗口出件", "Single window"), pickup],
                       "title": pickup}
    pairs = [("intake", i.code) for i in plan.items if not m.after(i.code)]
    pairs += [(a, i.code) for i in plan.items for a in m.after(i.code) if a in nodes]
    needed = {a for j in plan.items for a in m.after(j.code)}
    pairs += [(i.code, "pickup") for i in plan.items if i.code not in needed]
    edges = []
    for source, target in pairs:
        a, b = nodes[source], nodes[target]
        x1, y1 = a["x"] + NODE_W, a["y"] + NODE_H // 2
        x2, y2 = b["x"], b["y"] + NODE_H // 2
        middle = (x1 + x2) // 2
        edges.append({"d": f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2 - 6},{y2}",
                      "title": f"{source} → {target}"})
    width = MARGIN * 2 + (last + 1) * NODE_W + last * GAP_X
    return {"width": width, "height": height, "w": NODE_W, "h": NODE_H, "nodes": list(nodes.values()),
            "conditional": any(n.get("when") for n in nodes.values()),
            "edges": edges, "label": t(f"{m.name.zh}流程图", f"Diagram of {m.name.en}")}


# ------------------------------------------------------------------------------- findings


def _findings(catalogue: Catalogue, strict: bool) -> tuple[tuple[Finding, ...], int]:
    """The findings of ``check`` over the files ``catalogue`` was loaded from (cached per
    catalogue: definitions change only when the server loads them again)."""
    cache: dict[tuple[int, bool], tuple[tuple[Finding, ...], int]] = current_app.extensions.setdefault(
        "oneservice.web.findings", {})
    key = (id(catalogue), strict)
    if key not in cache:
        report = check_files(dict(catalogue.texts), strict=strict)
        if len(cache) > 4:  # another catalogue was loaded: forget the old one's
            cache.clear()
        cache[key] = (report.findings, report.files)
    return cache[key]


@bp.route("/catalogue/findings")
@requires()
def findings() -> str:
    cat = service().catalogue
    strict = request.args.get("strict") == "1"
    found, files = _findings(cat, strict)
    rows = [{"where": f"{f.file or '<catalogue>'}:{f.line}" + (f":{f.column}" if f.column else "")
             if f.line is not None else (f.file or "<catalogue>"),
             "code": f.code, "severity": f.severity, "message": f.message, "path": f.path, "hint": f.hint}
            for f in found]
    errors = sum(1 for f in found if f.is_error)
    return render_template("authoring/findings.html", rows=rows, files=files, errors=errors,
                           warnings=len(found) - errors, strict=strict, items=len(cat.items),
                           matters=len(cat.matters))
