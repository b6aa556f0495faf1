"""The supervisor (督查): warnings, appeals and extensions; the figures and the calendars are
:mod:`.supervise_figures` (the same blueprint).

Warnings (电子监察): the open cases whose deadline is near (yellow) or past (red), from
:meth:`OneService.cases_by_colour_page`, and the warnings the supervision scan recorded
(:meth:`Supervision.warning_list`), by level and deadline kind, each linked to its case, whose
page shows the case's own warnings (:meth:`Supervision.warnings`). A supervisor token with a
region sees the cases of that region's service locations, as the API's lists do
(:func:`oneservice.http.scope.scope_locations`).

Appeals (申诉复核): the appeals against a 差评 still to decide (:meth:`Supervision.pending_appeals`),
each decided here by :meth:`OneService.decide_appeal`.

Extensions (延期, 《行政许可法》第四十二条): the requests reviewers asked for and a supervisor has
still to decide (:meth:`Supervision.pending_extensions`, the region's), each approved — the item's
legal limit moves by the days asked — or rejected with the reasons here
(:meth:`OneService.decide_extension`); the page also lists the legal limits the scan has warned
about, and a supervisor may still grant an extension directly on the case page
(:meth:`OneService.extend_item`, :meth:`OneService.extend_case`).
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import Actor, Case, CaseNotFound, OneServiceError, Role
from ..http.context import service
from ..http.scope import scope_locations
from ..supervision import WARNING_KINDS, Supervision
from . import supervise_figures
from .base import back, current_actor, error_text, requires, scoped_case, t, web_blueprint
from .office_inputs import form_days, form_key, form_text, page_links, page_window

__all__ = ["KIND_NAMES", "bp", "scope"]

bp = web_blueprint("supervise", __name__)

KIND_NAMES = {
    "case": ("办件承诺时限", "case promise"), "item": ("事项承诺时限", "item promise"),
    "case_legal": ("办件法定时限", "case legal limit"), "item_legal": ("事项法定时限", "item legal limit"),
    "notice": ("受理或告知期限（第三十二条）", "notice period (art. 32)"),
    "issuing": ("出件期限（第四十四条）", "issuing period (art. 44)"),
    "suspension": ("中止预计期限", "expected end of a suspension"),
    "correction": ("补正期限", "correction period"), "deficiency": ("容缺材料补交期限", "owed material"),
    "callback": ("差评回访期限", "callback of a bad rating"), "rectification": ("整改期限", "rectification"),
    "appeal": ("申诉复核期限", "appeal decision"),
}
"""The deadline kinds a warning is of, in words."""


def scope() -> tuple[str, ...] | None:
    """The service locations the signed-in supervisor's lists hold (``None``: province level)."""
    return scope_locations(current_actor(), g.get("region"))


def supervision() -> Supervision:
    svc = service()
    return Supervision(svc, yellow_days=svc.yellow_days)


def _name(text: Any) -> str:
    return t(text.zh, text.en) if text is not None else ""


def _matter_name(matter_id: str) -> str:
    matter = service().catalogue.matters.get(matter_id)
    return _name(matter.name) if matter else matter_id


def kind_name(kind: str) -> str:
    zh, en = KIND_NAMES.get(kind, (kind, kind))
    return t(zh, en)


@bp.route("/supervision")
@requires(Role.SUPERVISOR)
def warnings() -> str:
    actor = current_actor()
    svc = service()
    colour = request.args.get("colour", "red")
    if colour not in ("red", "yellow"):
        colour = "red"
    kind = request.args.get("kind") or None
    if kind is not None and kind not in WARNING_KINDS:
        kind = None
    locations = scope()
    window = page_window()
    cases = svc.cases_by_colour_page(actor, colour, locations=locations, limit=window["limit"],
                                     offset=window["offset"])
    recorded_window = page_window(name="wpage")
    watch = supervision()
    recorded = watch.warning_list(level=colour, kind=kind, locations=locations,
                                  limit=recorded_window["limit"], offset=recorded_window["offset"])
    counts = watch.warning_counts(locations=locations)
    kinds = sorted({k for k, _ in counts}, key=WARNING_KINDS.index)
    return render_template(
        "supervise/warnings.html", colour=colour, kind=kind, today=svc.clock.today(),
        cases=[{"row": row, "matter_name": _matter_name(row.matter_id)} for row in cases.items],
        cases_pager=page_links(cases.total, window["offset"], window["limit"]),
        recorded=[{**w, "kind_name": kind_name(w["kind"]), "matter_name": _matter_name(w["matter_id"])}
                  for w in recorded.items],
        recorded_pager=page_links(recorded.total, recorded_window["offset"], recorded_window["limit"],
                                  name="wpage"),
        counts=[{"kind": k, "name": kind_name(k), "yellow": counts.get((k, "yellow"), 0),
                 "red": counts.get((k, "red"), 0)} for k in kinds],
        all_kinds=[(k, kind_name(k)) for k in WARNING_KINDS], region=g.get("region"))


def _appeal_of(case: Case, number: int) -> dict[str, Any] | None:
    if not 1 <= number <= len(case.ratings):
        return None
    rating = case.ratings[number - 1]
    appeal = rating.appeal
    if appeal is None:
        return None
    return {"number": number, "level": int(rating.level), "level_zh": rating.level.zh,
            "comment": rating.comment, "about": rating.about, "about_id": rating.about_id,
            "rated_at": rating.at, "by": appeal.by,
            "reason": appeal.reason, "appealed_at": appeal.at, "decide_by": appeal.decision_due,
            "decision": appeal.decision}


@bp.route("/supervision/appeals")
@requires(Role.SUPERVISOR)
def appeals() -> str:
    svc = service()
    locations = scope()
    window = page_window()
    watch = supervision()
    pending = watch.pending_appeals(locations=locations, limit=window["limit"], offset=window["offset"])
    rows = []
    with svc.store.transaction(readonly=True) as tx:
        for row in pending.items:
            case = tx.get_case(row["case_id"])
            appeal = _appeal_of(case, int(row["rating"]))
            if appeal is not None:
                rows.append({**row, **appeal, "matter_name": _matter_name(row["matter_id"])})
    request_window = page_window(name="xpage")
    requests = watch.pending_extensions(locations=locations, limit=request_window["limit"],
                                        offset=request_window["offset"])
    legal_window = page_window(name="lpage")
    legal = [watch.warning_list(kind=kind, locations=locations, limit=None)
             for kind in ("item_legal", "case_legal")]
    extension_rows = sorted((w for page in legal for w in page.items),
                            key=lambda w: (w["due_date"], w["case_id"]))
    shown = extension_rows[legal_window["offset"]:legal_window["offset"] + legal_window["limit"]]
    return render_template(
        "supervise/appeals.html", appeals=rows, today=svc.clock.today(),
        pager=page_links(pending.total, window["offset"], window["limit"]),
        extensions=[{**w, "kind_name": kind_name(w["kind"]), "matter_name": _matter_name(w["matter_id"])}
                    for w in shown],
        extensions_pager=page_links(len(extension_rows), legal_window["offset"], legal_window["limit"],
                                    name="lpage"),
        requests=[{**x, "matter_name": _matter_name(x["matter_id"]), "item_name": _item_name(x["item"]),
                   "department_name": _department_name(x["department"])} for x in requests.items],
        requests_pager=page_links(requests.total, request_window["offset"], request_window["limit"],
                                  name="xpage"))


def _item_name(code: str) -> str:
    item = service().catalogue.items.get(code)
    return _name(item.name) if item else code


def _department_name(department: str) -> str:
    found = service().catalogue.departments.get(department)
    return _name(found.name) if found else department


def _done(message: str, page: str) -> Response:
    flash(message, "success")
    return back(page)


def _refused(exc: OneServiceError, page: str) -> Response:
    flash(error_text(exc), "error")
    return back(page)


@bp.route("/supervision/cases/<case_id:case_id>/appeal", methods=["POST"])
@requires(Role.SUPERVISOR)
def decide_appeal(case_id: str) -> Response:
    """申诉复核: uphold or reject the appeal on a rating of the case."""
    actor = current_actor()
    scoped_case(case_id)
    page = url_for("web_supervise.appeals")
    raw = form_text("rating")
    try:
        rating = int(raw) if raw else None
        summary = service().decide_appeal(actor, case_id, decision=form_text("decision"),
                                          note=form_text("note"), rating=rating,
                                          idempotency_key=form_key(actor))
    except ValueError:
        flash(t(f"评价序号应为整数，而不是 {raw!r}",
                f"the rating number is a whole number, not {raw!r}"), "error")
        return back(page)
    except CaseNotFound:
        raise
    except OneServiceError as exc:
        return _refused(exc, page)
    decided = {"upheld": t("申诉成立", "upheld"), "rejected": t("申诉不成立", "rejected")}
    return _done(t(f"{summary.id}：已复核，{decided.get(form_text('decision'), '')}",
                   f"{summary.id}: appeal {decided.get(form_text('decision'), '')}"), page)


@bp.route("/supervision/cases/<case_id:case_id>/extension", methods=["POST"])
@requires(Role.SUPERVISOR)
def extend(case_id: str) -> Response:
    """延期: extend an item's legal limit (``item`` given) or the case's joint-handling limit."""
    actor = current_actor()
    scoped_case(case_id)
    page = url_for("web_case.case_file", case_id=case_id)
    item = form_text("item")
    try:
        days = form_days("days", required=True)
        assert days is not None
        svc = service()
        if item:
            svc.extend_item(actor, case_id, item, days=days, reason=form_text("reason"),
                            idempotency_key=form_key(actor))
        else:
            svc.extend_case(actor, case_id, days=days, reason=form_text("reason"),
                            idempotency_key=form_key(actor))
    except CaseNotFound:
        raise
    except OneServiceError as exc:
        return _refused(exc, page)
    what = item or t("联办期限", "the joint-handling limit")
    return _done(t(f"{what}：已延长 {days} 个工作日", f"{what}: extended by {days} working days"), page)


@bp.route("/supervision/cases/<case_id:case_id>/items/<ident:item>/extension-request", methods=["POST"])
@requires(Role.SUPERVISOR)
def decide_extension(case_id: str, item: str) -> Response:
    """延期申请: approve a reviewer's request (the legal limit moves by the days asked) or reject it."""
    actor = current_actor()
    scoped_case(case_id)
    page = url_for("web_supervise.appeals")
    decision = form_text("decision")
    try:
        service().decide_extension(actor, case_id, item, decision=decision, note=form_text("note") or None,
                                   idempotency_key=form_key(actor))
    except CaseNotFound:
        raise
    except OneServiceError as exc:
        return _refused(exc, page)
    if decision == "approved":
        return _done(t(f"{item}：已批准延期申请", f"{item}: extension request approved"), page)
    return _done(t(f"{item}：延期申请未获批准", f"{item}: extension request rejected"), page)


@bp.app_context_processor
def _supervise_globals() -> dict[str, Any]:
    def case_panel(case: Case) -> dict[str, Any]:
        """What the supervisor's panel on a case file shows: its warnings and its pending appeals."""
        actor = g.get("actor")
        if not isinstance(actor, Actor) or actor.role is not Role.SUPERVISOR:
            return {}
        warned = [{**w, "kind_name": kind_name(w["kind"])} for w in supervision().warnings(case.id)]
        appeals = [a for n in range(1, len(case.ratings) + 1)
                   if (a := _appeal_of(case, n)) is not None and not a["decision"]]
        asked = [{"case_id": case.id, "item": code, "item_name": _item_name(code), "days": x.days,
                  "reason": x.reason, "requested_by": x.by, "requested_at": x.at,
                  "legal_due": legal.due if (legal := case.deadlines.get(("item_legal", code))) else None}
                 for code, task in case.tasks.items() if (x := task.extension_request) is not None]
        return {"warnings": warned, "appeals": appeals, "extension_requests": asked}

    return {"supervisor_panel": case_panel}


supervise_figures.install(bp)
