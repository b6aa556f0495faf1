"""The one-time notice (一次性告知) a front desk hands out, and the matter diagram.

:func:`notice_data` builds the notice as plain data; :func:`render_notice` renders it as text,
Markdown or JSON in Chinese or English; :func:`render_diagram` draws the matter as Mermaid or
Graphviz dot.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from ..domain import conditions, situations
from ..domain.definitions import AbsentPolicy, FieldType, Item, Limit
from ..errors import SituationError
from .catalogue import Catalogue
from .plan import MatterPlan

__all__ = ["notice_data", "parse_answers", "render_diagram", "render_notice"]

_WORDS = {
    "zh": {
        "title": "一次性告知单", "bring": "需提交的材料", "not_needed": "无需提交的材料",
        "form": "一表申请：填写事项", "departments": "涉及部门", "trips": "跑动次数",
        "budget": "承诺最多跑", "best": "最少", "worst": "最多", "times": "次",
        "limits": "办理时限", "promise": "承诺时限", "legal_path": "法定时限（关键路径）",
        "path": "关键路径", "required": "必需", "optional": "如有", "waivable": "可容缺后补",
        "needed_by": "用于", "upstream": "由本事项上游办理结果自动获取", "shared": "通过共享数据获取",
        "channels": "办理渠道", "intake": "申请", "pickup": "领取/送达",
        "working_days": "个工作日", "calendar_days": "个自然日", "forced": "需到现场的环节",
        "none": "无", "fee": "收费", "free": "免费", "copies": "份",
        "after_notice": "材料不全经一次性告知后补交，另需到现场（不计入承诺）",
        "unverified": "待核实", "legal": "法定", "promised": "承诺", "sep": "；",
        "path_unverified": "含待核实的法定时限",
        "situational": "视情形", "situation": "申请人情形", "absent": "不涉及的事项",
        "depends": "按情形办理", "only_when": "仅当", "skipped_with": "连同不办理",
        "shared_if": "由共享数据获取（否则需自行提交）：",
        "not_covered": "共享数据不覆盖您的情形，需自行提交",
        "brought_by": "提交方", "signed_by": "签字方",
    },
    "en": {
        "title": "One-time notice", "bring": "Materials to bring", "not_needed": "Materials not needed",
        "form": "Unified form: fields to fill in", "departments": "Departments involved", "trips": "Trips",
        "budget": "trip budget", "best": "best case", "worst": "worst case", "times": "",
        "limits": "Time limits", "promise": "promised", "legal_path": "legal (critical path)",
        "path": "critical path", "required": "required", "optional": "if applicable",
        "waivable": "may be supplied later (deficiency acceptance)", "needed_by": "for",
        "upstream": "produced by an upstream item of this matter", "shared": "obtained from shared data",
        "channels": "Channels", "intake": "apply", "pickup": "pickup / delivery",
        "working_days": " working days", "calendar_days": " calendar days",
        "forced": "steps needing a visit", "none": "none", "fee": "fee", "free": "free", "copies": "copies",
        "after_notice": "if materials are incomplete, supplying them after the one-time notice takes "
                        "extra visits (outside the promise)",
        "unverified": "unverified", "legal": "legal", "promised": "promised", "sep": "; ",
        "path_unverified": "includes unverified legal limits",
        "situational": "depending on your situation", "situation": "Your situation",
        "absent": "items not part of your case", "depends": "Depends on your situation",
        "only_when": "only when", "skipped_with": "and with it",
        "shared_if": "from shared data (else you bring it):",
        "not_covered": "shared data does not cover your situation: bring it",
        "brought_by": "brought by the", "signed_by": "signed by the",
    },
}


_TRUE = {"true", "yes", "1", "是"}
_FALSE = {"false", "no", "0", "否"}


def parse_answers(plan: MatterPlan, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers to a matter's questions and form fields as values of their declared types
    (texts such as ``"true"`` or ``"12.5"`` are converted); raise :class:`SituationError`."""
    types = {line.field.id: line.field for line in plan.form}
    for sub in plan.situations.values():
        for line in sub.form:
            types.setdefault(line.field.id, line.field)
    out: dict[str, Any] = {}
    for key, raw in answers.items():
        if key == situations.APPLICANT_KIND:
            if raw not in ("person", "company"):
                raise SituationError("the applicant's kind is 'person' or 'company'", field=key)
            out[key] = raw
            continue
        field = types.get(key)
        if field is None:
            close = difflib.get_close_matches(key, list(types), n=1)
            raise SituationError(f"matter {plan.matter.id} asks no question {key!r}", field=key,
                                 hint=f"did you mean {close[0]!r}?" if close else
                                 "answer one of: " + ", ".join(types))
        out[key] = _typed(field.type, raw, key, field.choices)
    return out


def _typed(kind: FieldType, raw: Any, key: str, choices: tuple[str, ...]) -> Any:
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if kind is FieldType.BOOLEAN:
            if isinstance(text, bool):
                return text
            if isinstance(text, str) and text.lower() in _TRUE | _FALSE:
                return text.lower() in _TRUE
            raise ValueError
        if kind is FieldType.INTEGER:
            if isinstance(text, bool):
                raise ValueError
            return int(text)
        if kind is FieldType.DECIMAL:
            if isinstance(text, bool):
                raise ValueError
            return float(text)
    except (TypeError, ValueError):
        raise SituationError(f"the answer must be {kind.value} (true/false for boolean)",
                             field=key) from None
    if not isinstance(text, str):
        raise SituationError(f"the answer must be {kind.value} text", field=key)
    if kind is FieldType.CHOICE and text not in choices:
        raise SituationError("not one of the choices", field=key, hint="one of: " + ", ".join(choices))
    return text


def notice_data(catalogue: Catalogue, matter_id: str, lang: str = "zh",
                answers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The notice as JSON-ready data, texts in ``lang`` ("zh" or "en").

    With ``answers`` (question or field id → value), the notice of that one situation (情形):
    only its items, materials and form. Without, the notice covers every situation, and
    ``situations`` lists what depends on which answer.
    """
    full = catalogue.plan(matter_id)
    plan = full
    situation: dict[str, Any] | None = None
    if answers is not None:
        values = parse_answers(full, answers)
        truth = situations.truth_of(full.conditions, values)
        plan = full.situation(truth)
        situation = {
            "answers": values,
            "conditions": [{"when": e, "value": e in truth} for e in full.conditions],
            "absent": [c for c in full.matter.item_codes if c not in {i.code for i in plan.items}],
        }
    data = _notice(catalogue, plan, lang)
    if situation is not None:
        data["situation"] = situation
    elif full.conditions:
        data["situations"] = _depends(catalogue, full, lang)
        everywhere = {line.material.id for line in full.materials}
        for sub in full.situations.values():
            everywhere &= {line.material.id for line in sub.materials}
        seen = {x["id"] for x in data["materials"]}
        for sub in full.situations.values():
            for line in sub.materials:
                if line.material.id not in seen:
                    seen.add(line.material.id)
                    data["materials"].append(_material(line, lang, _party_names(full, lang)))
        for x in data["materials"]:
            x["situational"] = x["id"] not in everywhere
    return data


def _party_names(plan: MatterPlan, lang: str) -> dict[str, tuple[str, bool]]:
    """Each party role's name, and whether the role is optional (an agent's, for instance)."""
    return {p.role: (p.name.get(lang), not p.required) for p in plan.matter.parties}


def _material(line: Any, lang: str, parties: Mapping[str, tuple[str, bool]]) -> dict[str, Any]:
    material = line.material
    return {"id": material.id, "name": material.name.get(lang), "required": line.required,
            "waivable": line.waivable, "form": material.form.value, "copies": material.copies,
            "items": list(line.items),
            "shared_when": [s.ref for s in material.sources if s.kind == "shared" and s.when],
            "party": parties.get(material.party, (material.party, False))[0] if material.party else None,
            # brought by a party of an optional role (an agent): only a case with that party needs it
            "party_optional": bool(material.party) and parties.get(material.party, ("", False))[1],
            "signed_by": [parties.get(role, (role, False))[0] for role in material.signed_by]}


def _depends(catalogue: Catalogue, plan: MatterPlan, lang: str) -> list[dict[str, Any]]:
    """What depends on which answer: per condition, the answers it reads, its items and sources."""
    out = []
    for expression in plan.conditions:
        items = [mi.item for mi in plan.matter.items if mi.when == expression]
        skipped = [mi.item for mi in plan.matter.items
                   if mi.if_absent is AbsentPolicy.SKIP and set(mi.after) & set(items)]
        sources = [{"material": m.id, "item": code, "source": s.ref}
                   for code in plan.matter.item_codes for m in catalogue.items[code].materials
                   for s in m.sources if s.kind == "shared" and s.when == expression]
        reads = sorted(conditions.compile_expression(expression).identifiers)
        out.append({"when": expression, "reads": reads, "items": items, "skipped_with": skipped,
                    "shared": sources,
                    "item_names": [catalogue.items[c].name.get(lang) for c in items]})
    return out


def _notice(catalogue: Catalogue, plan: MatterPlan, lang: str) -> dict[str, Any]:
    m = plan.matter
    unit = m.promise.unit.value
    return {
        "matter": {"id": m.id, "name": m.name.get(lang), "version": m.version,
                   "content_hash": plan.content_hash},
        "materials": [_material(line, lang, _party_names(plan, lang)) for line in plan.materials],
        "not_needed": [
            {"id": x.material.id, "name": x.material.name.get(lang), "reason": x.reason,
             "provider": x.provider, "provider_name": x.provider_name.get(lang), "items": list(x.items)}
            for x in plan.not_needed
        ],
        "form": [
            {"id": line.field.id, "label": line.field.label.get(lang), "type": line.field.type.value,
             "required": line.field.required, "choices": list(line.field.choices), "items": list(line.items)}
            for line in plan.form
        ],
        "items": [
            {"code": i.code, "name": i.name.get(lang), "department": i.department or None,
             "department_name": department_name(catalogue, i, lang), "departments": list(i.departments),
             "kind": i.kind.value, "after": list(m.after(i.code)),
             "promised_limit": _limit(i.promised_limit),
             "legal_limit": _limit(i.legal_limit),
             "fee": i.fee.amount, "result": i.result.name.get(lang)}
            for i in plan.items
        ],
        "departments": [
            {"id": dep, "name": catalogue.departments[dep].name.get(lang),
             "level": catalogue.departments[dep].level.value}
            for dep in plan.departments
        ],
        "channels": {
            "intake": sorted(c.value for c in m.intake_channels),
            "supplement": sorted(c.value for c in m.supplement_channels),
            "correction": sorted(c.value for c in m.correction_channels),
            "pickup": sorted(plan.trips.delivery_channels),
        },
        "trips": {
            "budget": plan.trips.budget, "best": plan.trips.best, "worst": plan.trips.worst,
            "after_notice": plan.trips.after_notice,
            "steps": [{"stage": s.stage, "trips": s.trips, "scenario": s.scenario, "why": s.why.get(lang)}
                      for s in plan.trips.steps],
        },
        "limits": {
            "promise": {"value": m.promise.value, "unit": unit},
            "critical_path": list(plan.path.items),
            "critical_path_promised": plan.path.promised_total,
            "critical_path_legal": plan.path.legal_total,
            "critical_path_legal_verified": all(
                catalogue.items[code].legal_limit.verified for code in plan.path.items),
            "unit": plan.path.unit,
        },
    }


def department_name(catalogue: Catalogue, item: Item, lang: str) -> str:
    """The item's department, or its rule's candidates and what picks one (按户籍地 …)."""
    if item.routing is None:
        return catalogue.departments[item.department].name.get(lang)
    names = " / ".join(catalogue.departments[d].name.get(lang) for d in item.routing.among)
    by = item.routing.by.label.get(lang)
    return f"{names}（{by}）" if lang == "zh" else f"{names} ({by})"


def _limit(limit: Limit) -> dict[str, Any]:
    """A limit as data: value, unit, where it comes from and whether that was checked."""
    return {"value": limit.value, "unit": limit.unit.value, "source": limit.source,
            "verified": limit.verified}


def _marks(item: dict[str, Any], w: dict[str, str]) -> str:
    """（法定待核实）/ (legal unverified): which of an item's limits are not verified."""
    which = [w[k] for k in ("promised", "legal") if not item[f"{k}_limit"]["verified"]]
    if not which:
        return ""
    text = w["sep"].join(f"{k}{w['unverified']}" if w is _WORDS["zh"] else f"{k} {w['unverified']}"
                         for k in which)
    return f"（{text}）" if w is _WORDS["zh"] else f" ({text})"


def render_notice(catalogue: Catalogue, matter_id: str, lang: str = "zh", fmt: str = "text",
                  answers: Mapping[str, Any] | None = None) -> str:
    """The notice as ``text``, ``markdown`` or ``json`` (of one situation, with ``answers``)."""
    data = notice_data(catalogue, matter_id, lang, answers)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    w = _WORDS["en" if lang == "en" else "zh"]
    md = fmt == "markdown"
    out: list[str] = []

    def head(text: str, level: int = 2) -> None:
        if md and out and out[-1]:
            out.append("")
        out.append(("#" * level + " " + text) if md else (text if level == 1 else f"\n{text}"))
        if md or level == 1:
            out.append("" if md else "=" * 40)

    def bullet(text: str) -> None:
        out.append(("- " if md else "  • ") + text)

    m = data["matter"]
    head(f"{w['title']} — {m['name']} ({m['id']}, v{m['version']})", 1)
    unit_word = w[data["limits"]["unit"]]
    head(w["bring"])
    for x in data["materials"] or [{"name": w["none"], "required": True, "waivable": False, "items": [],
                                    "copies": 1, "form": ""}]:
        tags = [w["required"] if x["required"] and not x.get("party_optional") else w["optional"]]
        if x["waivable"]:
            tags.append(w["waivable"])
        if x["items"]:
            tags.append(f"{w['needed_by']} {', '.join(x['items'])}")
        if x.get("situational"):
            tags.append(w["situational"])
        if x.get("shared_when") and "situation" in data:
            tags.append(w["not_covered"])
        if x.get("party"):
            tags.append(f"{w['brought_by']} {x['party']}")
        if x.get("signed_by"):
            joiner = "、" if lang == "zh" else ", "
            tags.append(f"{w['signed_by']} {joiner.join(x['signed_by'])}")
        bullet(f"{x['name']} ({'; '.join(tags)})" if x["items"] else x["name"])
    if data["not_needed"]:
        head(w["not_needed"])
        for x in data["not_needed"]:
            why = w[x["reason"]]
            bullet(f"{x['name']} — {why}: {x['provider_name']} ({x['provider']})")
    if data["form"]:
        head(w["form"])
        for x in data["form"]:
            star = "*" if x["required"] else ""
            bullet(f"{x['label']}{star} [{x['type']}]")
    if "situation" in data:
        head(w["situation"])
        for answer, value in data["situation"]["answers"].items():
            bullet(f"{answer} = {json.dumps(value, ensure_ascii=False)}")
        bullet(f"{w['absent']}: {', '.join(data['situation']['absent']) or w['none']}")
    if data.get("situations"):
        head(w["depends"])
        for x in data["situations"]:
            parts = [f"{code} {name}" for code, name in zip(x["items"], x["item_names"], strict=True)]
            parts += [f"{w['skipped_with']} {code}" for code in x["skipped_with"]]
            parts += [f"{s['material']} — {w['shared_if']} {s['source']} ({s['item']})" for s in x["shared"]]
            bullet(f"{w['only_when']} {x['when']} [{', '.join(x['reads'])}]: " + "; ".join(parts))
    head(w["departments"])
    for dep in data["departments"]:
        bullet(f"{dep['name']} ({dep['id']}, {dep['level']})")
    head(w["trips"])
    t = data["trips"]
    bullet(f"{w['budget']}: {t['budget']}{w['times']}; {w['best']}: {t['best']}{w['times']}; "
           f"{w['worst']}: {t['worst']}{w['times']}")
    forced = [s for s in t["steps"] if s["trips"]]
    bullet(f"{w['forced']}: " + ("; ".join(f"{s['stage']} — {s['why']}" for s in forced) or w["none"]))
    if t["after_notice"]:
        bullet(f"{w['after_notice']}: {t['after_notice']}{w['times']}")
    ch = data["channels"]
    bullet(f"{w['channels']}: {w['intake']} {', '.join(ch['intake'])}; "
           f"{w['pickup']} {', '.join(ch['pickup'])}")
    head(w["limits"])
    lim = data["limits"]
    bullet(f"{w['promise']}: {lim['promise']['value']}{unit_word}")
    bullet(f"{w['path']}: {' → '.join(lim['critical_path'])} = {lim['critical_path_promised']}{unit_word}")
    path_mark = "" if lim["critical_path_legal_verified"] else (
        f"（{w['path_unverified']}）" if w is _WORDS["zh"] else f" ({w['path_unverified']})")
    bullet(f"{w['legal_path']}: {lim['critical_path_legal']}{unit_word}{path_mark}")
    for item in data["items"]:
        promised, legal = item["promised_limit"], item["legal_limit"]
        if promised["unit"] == legal["unit"]:
            limits = f"{promised['value']}/{legal['value']}{w[promised['unit']]}"
        else:
            limits = f"{promised['value']}{w[promised['unit']]}/{legal['value']}{w[legal['unit']]}"
        bullet(f"{item['code']} {item['name']} — {item['department_name']}: {limits}{_marks(item, w)}")
    return "\n".join(out) + "\n"


def _label(text: str) -> str:
    return text.replace('"', "'")


def render_diagram(catalogue: Catalogue, matter_id: str, fmt: str = "mermaid", lang: str = "zh") -> str:
    """The matter as a flowchart: front desk → back-office items (with dependencies) → pickup."""
    plan: MatterPlan = catalogue.plan(matter_id)
    m = plan.matter
    intake = ", ".join(sorted(c.value for c in m.intake_channels))
    pickup = ", ".join(sorted(plan.trips.delivery_channels))
    front = "前台综合受理" if lang == "zh" else "Front desk"
    back = "后台分类审批" if lang == "zh" else "Back offices"
    out_label = "综合窗口出件" if lang == "zh" else "Single window"
    ids = {i.code: f"i{n}" for n, i in enumerate(plan.items)}
    roots = [i.code for i in plan.items if not m.after(i.code)]
    leaves = [i.code for i in plan.items if not any(i.code in m.after(j.code) for j in plan.items)]
    if fmt == "dot":
        lines = [f'digraph "{m.id}" {{', "  rankdir=LR;", "  node [shape=box];",
                 f'  intake [label="{front}\\n{intake}", shape=oval];',
                 f'  pickup [label="{out_label}\\n{pickup}", shape=oval];',
                 f'  subgraph cluster_back {{ label="{back}";']
        for item in plan.items:
            dep = department_name(catalogue, item, lang)
            lines.append(f'    {ids[item.code]} [label="{_label(item.name.get(lang))}\\n{_label(dep)}\\n'
                         f'{item.promised_limit.value}d"];')
        lines.append("  }")
        lines += [f"  intake -> {ids[c]};" for c in roots]
        lines += [f"  {ids[a]} -> {ids[i.code]};" for i in plan.items for a in m.after(i.code)]
        lines += [f"  {ids[c]} -> pickup;" for c in leaves]
        lines.append("}")
        return "\n".join(lines) + "\n"
    lines = ["flowchart LR", f'  intake(["{front}<br/>{intake}"])', f'  subgraph back["{back}"]']
    for item in plan.items:
        dep = department_name(catalogue, item, lang)
        lines.append(f'    {ids[item.code]}["{_label(item.name.get(lang))}<br/>{_label(dep)}<br/>'
                     f'{item.promised_limit.value}d"]')
    lines.append("  end")
    lines.append(f'  pickup(["{out_label}<br/>{pickup}"])')
    lines += [f"  intake --> {ids[c]}" for c in roots]
    lines += [f"  {ids[a]} --> {ids[i.code]}" for i in plan.items for a in m.after(i.code)]
    lines += [f"  {ids[c]} --> pickup" for c in leaves]
    return "\n".join(lines) + "\n"
