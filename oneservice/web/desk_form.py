"""The unified form (一表申请) of a case at the front desk, its live check, and the one-time notice
(一次性告知书) as a printable A4 page.

The form is drawn from the matter's definition: the situation questions (情形) first, then every
field of the unified form (types → inputs, required marks, choices → selects; a field only some
situations need says which), then the materials received, one checkbox per material. Typed text
becomes values through the library's own parsing (:func:`~oneservice.catalog.notice.parse_answers`)
and checks (:func:`~oneservice.engine.forms.normalise_form`); the live check (``form.live``,
``data-check``) runs the library's completeness check (the lines of the one-time notice) over a
copy of the case with the values as typed, so the messages are the ones the conditions define.
Submitting calls ``submit`` (a draft) or ``supplement`` (after a notice). A resident ID number
already on the form is never sent back to the browser: its input stays empty (its placeholder
shows it masked) and an empty input leaves it as it is.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import Case, OneServiceError, Role
from ..catalog.notice import parse_answers
from ..domain.case import MaterialRecord, MaterialStatus
from ..domain.definitions import Channel, FieldType
from ..engine.engine import CaseEngine
from ..engine.forms import normalise_form
from ..http.auth import mask_id
from ..http.context import service
from .base import current_actor, error_text, requires, scoped_case, t
from .casefile import case_view
from .codes import progress_code
from .desk import _on_case, bp, channel_word, idempotency

__all__ = ["case_form", "case_notice", "check_form", "give_notice", "submit_form"]

INPUTS = {
    FieldType.STRING: "text", FieldType.TEXT: "textarea", FieldType.INTEGER: "number",
    FieldType.DECIMAL: "number", FieldType.BOOLEAN: "boolean", FieldType.DATE: "date",
    FieldType.CHOICE: "select", FieldType.PHONE: "tel", FieldType.RESIDENT_ID: "id",
    FieldType.USCC: "text", FieldType.REGION: "text",
}
"""The input each field type is drawn as (``boolean``: a 是/否 select that may stay unanswered)."""

DEADLINE_WORDS = {
    "notice": ("告知或受理期限（《行政许可法》第三十二条）",
               "notice or accept by (Administrative Licensing Law art. 32)"),
    "case": ("承诺办结期限", "promised completion"), "case_legal": ("法定办结期限", "legal limit"),
    "item": ("事项承诺期限", "item promise"), "item_legal": ("事项法定期限", "item legal limit"),
    "issuing": ("出件期限（第四十四条）", "issue the result by (art. 44)"),
    "deficiency": ("容缺材料补交期限", "supply the owed material by"),
    "correction": ("补正期限", "correction due"),
    "suspension": ("中止预计结束", "suspension expected to end"),
}

REASON_WORDS = {"upstream": ("由本事项上游办理结果自动获取", "produced by an earlier item of this matter"),
                "shared": ("通过共享数据获取", "obtained from shared data")}

_EDITABLE = {"draft": "submit", "awaiting_materials": "supplement"}


def _name(text: Any) -> str:
    return t(text.zh, text.en) if text is not None else ""


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fields(engine: CaseEngine, case: Case, posted: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The form's fields, questions first, each with its input and its value (posted, else the
    case's); a resident ID number never as a value."""
    current = {line.field.id: line for line in engine.plan_for(case).form}
    questions = {q.id for q in engine.matter.questions}
    when = {mi.item: mi.when for mi in engine.matter.items if mi.when}
    out = []
    for line in engine.plan.form:
        f = line.field
        situational = bool(line.items) and all(i in when for i in line.items)
        conds = sorted({when[i] for i in line.items}) if situational else []
        stored = case.form.get(f.id)
        value = posted.get(f.id, "") if posted is not None else _display(stored)
        entry = {
            "id": f.id, "label": _name(f.label), "input": INPUTS.get(f.type, "text"), "type": f.type.value,
            "required": current[f.id].field.required if f.id in current else False,
            "choices": list(f.choices), "question": f.id in questions, "when": conds,
            "step": "1" if f.type is FieldType.INTEGER else "any", "value": value, "placeholder": "",
        }
        if f.type is FieldType.RESIDENT_ID:
            entry["value"] = ""
            if stored:
                entry["placeholder"] = t("已填：", "on file: ") + mask_id(str(stored))
        out.append(entry)
    return sorted(out, key=lambda e: not e["question"])


def _materials(engine: CaseEngine, case: Case) -> list[dict[str, Any]]:
    """Every material of the matter (in any situation), ticked when received."""
    current = {line.material.id for line in engine.plan_for(case).materials}
    seen: dict[str, Any] = {}
    for plan in (engine.plan, *engine.plan.situations.values()):
        for line in plan.materials:
            seen.setdefault(line.material.id, line)
    out = []
    for mid, line in seen.items():
        record = case.materials.get(mid)
        status = str(record.status) if record is not None else None
        out.append({"id": mid, "name": _name(line.material.name), "required": line.required,
                    "waivable": line.waivable, "situational": mid not in current, "status": status,
                    "received": record is not None and record.status is MaterialStatus.RECEIVED,
                    "copies": line.material.copies})
    return out


def _posted(engine: CaseEngine, case: Case) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The form as posted: the values (library-typed and checked), the errors by field, the raw
    text to draw again (without a valid resident ID number)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    raw_kept: dict[str, str] = {}
    labels = {line.field.id: line.field for line in engine.plan.form}
    for fid, field in labels.items():
        name = f"f_{fid}"
        raw = (request.form.get(name) or "").strip()
        if field.type is not FieldType.RESIDENT_ID:
            raw_kept[fid] = raw
        if raw == "":
            cleared = name in request.form and field.type is not FieldType.RESIDENT_ID
            if cleared and case.form.get(fid) not in (None, ""):
                values[fid] = None  # emptied on the page
            continue
        try:
            typed = parse_answers(engine.plan, {fid: raw})[fid]
            values[fid] = normalise_form(engine.form_fields, {fid: typed})[fid]
        except OneServiceError as exc:
            errors[fid] = error_text(exc)
            if field.type is FieldType.RESIDENT_ID:
                raw_kept[fid] = raw  # not a valid number: shown to be corrected
    return values, errors, raw_kept


def _ticked(case: Case) -> list[str]:
    """The materials ticked that the case has not received yet."""
    received = {m for m, r in case.materials.items() if r.status is MaterialStatus.RECEIVED}
    return [m for m in dict.fromkeys(request.form.getlist("material")) if m not in received]


def _form_page(case: Case, *, posted: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               error: str | None = None, status: int = 200) -> tuple[str, int]:
    svc = service()
    engine = svc.engine(case.definition_hash)
    view = case_view(case)
    action = _EDITABLE.get(str(case.state))
    channels = ([Channel.WINDOW.value] if action == "submit" else
                sorted(c.value for c in engine.matter.supplement_channels))
    ticked = set(request.form.getlist("material")) if posted is not None else set()
    page = render_template(
        "desk/form.html", **view, fields=_fields(engine, case, posted),
        form_materials=_materials(engine, case),
        ticked=ticked, errors=errors or {}, error=error, action=action, channels=channels,
        chosen_channel=request.form.get("channel") or channels[0],
        over_budget_reason=request.form.get("over_budget_reason", ""))
    return page, status


@bp.route("/cases/<case_id:case_id>/form")
@requires(Role.CLERK)
def case_form(case_id: str) -> tuple[str, int]:
    return _form_page(scoped_case(case_id))


@bp.route("/cases/<case_id:case_id>/form", methods=["POST"])
@requires(Role.CLERK)
def submit_form(case_id: str) -> Response | tuple[str, int]:
    case = scoped_case(case_id)
    actor = current_actor()
    svc = service()
    engine = svc.engine(case.definition_hash)
    values, errors, kept = _posted(engine, case)
    if errors:
        return _form_page(case, posted=kept, errors=errors, status=422,
                          error=t("申请表有误，请改正标出的栏目",
                                  "The form has errors: correct the marked fields"))
    action = _EDITABLE.get(str(case.state))
    reason = (request.form.get("over_budget_reason") or "").strip() or None
    try:
        if action == "submit":
            svc.submit(actor, case_id, form=values, materials=_ticked(case), channel=Channel.WINDOW.value,
                       over_budget_reason=reason, idempotency_key=idempotency(actor))
        elif action == "supplement":
            svc.supplement(actor, case_id, form=values, materials=_ticked(case),
                           channel=request.form.get("channel") or "", over_budget_reason=reason,
                           idempotency_key=idempotency(actor))
        else:
            state = _name(case.state.label)
            return _form_page(case, posted=kept, status=409, error=t(
                f"办件状态为“{state}”，申请表不能再修改",
                f"The case is {state}: its form can no longer change"))
    except OneServiceError as exc:
        return _form_page(case, posted=kept, error=error_text(exc), status=422)
    flash(t("申请表与材料已收取", "Form and materials received"), "success")
    return redirect(url_for("web_case.case_file", case_id=case_id))


@bp.route("/cases/<case_id:case_id>/form/check", methods=["POST"])
@requires(Role.CLERK)
def check_form(case_id: str) -> str:
    """The live check: an HTML fragment of what the library finds missing or wrong in the form as
    typed (nothing is saved)."""
    case = scoped_case(case_id)
    actor = current_actor()
    svc = service()
    engine = svc.engine(case.definition_hash)
    engine.authorise(case, actor, "completeness")
    values, errors, _ = _posted(engine, case)
    trial = copy.deepcopy(case)
    for key, value in values.items():
        if value is None:
            trial.form.pop(key, None)
        else:
            trial.form[key] = value
    for mid in _ticked(case):
        trial.materials[mid] = MaterialRecord(mid, MaterialStatus.RECEIVED, channel=Channel.WINDOW.value)
    labels = {line.field.id: _name(line.field.label) for line in engine.plan.form}
    problem: str | None = None
    issues: list[Any] = []
    present: list[str] = []
    absent: list[str] = []
    try:
        plan = engine.plan_for(trial)
        issues = list(engine.completeness(trial, svc.clock.today()).issues)
        codes = {i.code for i in plan.items}
        present = [_name(i.name) for i in plan.items]
        absent = [_name(engine.items[c].name) for c in engine.matter.item_codes if c not in codes]
    except OneServiceError as exc:
        problem = error_text(exc)
    return render_template("desk/_check.html", errors=[(labels.get(k, k), v) for k, v in errors.items()],
                           issues=issues, present=present, absent=absent, problem=problem)


# ------------------------------------------------------------------------ the one-time notice


def _deadlines(case: Case, engine: CaseEngine) -> list[dict[str, Any]]:
    out = []
    for deadline in sorted(case.deadlines.values(), key=lambda d: (d.due, d.kind)):
        if deadline.kind not in DEADLINE_WORDS or deadline.met_at is not None:
            continue
        zh, en = DEADLINE_WORDS[deadline.kind]
        subject = ""
        if deadline.subject in engine.items:
            subject = _name(engine.items[deadline.subject].name)
        elif deadline.subject in engine.lines:
            subject = _name(engine.lines[deadline.subject].material.name)
        out.append({"what": t(zh, en), "subject": subject, "due": deadline.due.isoformat(),
                    "provisional": deadline.provisional})
    return out


def notice_view(case: Case) -> dict[str, Any]:
    """What the printed notice shows: the lines (the notice given, else what it would say now),
    what is not needed and why, the deadlines, the items with their departments and limits."""
    actor = current_actor()
    svc = service()
    engine = svc.engine(case.definition_hash)
    plan = engine.plan_for(case)
    given = case.notices > 0
    notice = svc.last_notice(actor, case.id) if given else svc.completeness(actor, case.id)
    names = engine.department_names
    unit = {"working_days": t("个工作日", " working days"), "calendar_days": t("个自然日", " calendar days")}
    items = [{"code": i.code, "name": _name(i.name),
              "department": _name(names.get(case.tasks[i.code].department if i.code in case.tasks
                                            else i.department)) or i.department,
              "promised": f"{i.promised_limit.value}{unit.get(i.promised_limit.unit.value, '')}",
              "legal": f"{i.legal_limit.value}{unit.get(i.legal_limit.unit.value, '')}"}
             for i in plan.items]
    promise = engine.matter.promise
    return {
        "given": given, "notice": notice,
        "bring": [line for line in notice.lines if line.kind in ("material", "signature")],
        "other": [line for line in notice.lines if line.kind not in ("material", "signature")],
        "not_needed": [{"name": _name(x.material.name), "why": t(*REASON_WORDS[x.reason]),
                        "provider": _name(x.provider_name) or x.provider} for x in plan.not_needed],
        "deadlines": _deadlines(case, engine),
        "promise": f"{promise.value}{unit.get(promise.unit.value, '')}",
        "legal": f"{plan.path.legal_total}{unit.get(plan.path.unit, '')}",
        "items": items,
        "departments": [_name(names.get(d)) or d for d in plan.departments],
        "channels": [channel_word(c) for c in notice.channels],
        "progress_code": progress_code(case.id),
        "location": _name(svc.catalogue.location(case.location).name),
        "today": svc.clock.today().isoformat(),
    }


@bp.route("/cases/<case_id:case_id>/notice")
@requires(Role.CLERK)
def case_notice(case_id: str) -> str:
    case = scoped_case(case_id)
    return render_template("desk/notice.html", **case_view(case), **notice_view(case))


@bp.route("/cases/<case_id:case_id>/notice", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def give_notice(case_id: str) -> Response:
    actor = current_actor()
    notice = service().give_notice(actor, case_id, idempotency_key=idempotency(actor))
    flash(t(f"已出具第 {notice.number} 份一次性告知书，请打印交申请人",
            f"One-time notice no. {notice.number} given: print it for the applicant"), "success")
    return redirect(url_for("web_desk.case_notice", case_id=case_id))
