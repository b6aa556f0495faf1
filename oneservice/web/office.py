"""The back office (后台审批): the department's worklist and the review actions.

The worklist is the library's (:meth:`OneService.department_worklist_page`): the open item tasks
of the reviewer's own department, earliest due first, each with its due date and colour (a date
computed past the known calendar is marked provisional) and a link to the case file. The case
file's panel (``office/_case_actions.html``) offers, for each item of the reviewer's department,
the actions the library allows now — start review, approve (a note), refuse (a reason), request a
correction (the materials and what to correct), suspend (a reason and its basis under
《行政许可法》第四十五条), resume and ask for an extension of the item's legal limit (延期申请, 第四十二条:
the working days and why; a supervisor approves or rejects it, and the panel shows the request
while it waits) — each posted here and performed by the facade's method of the same name with the
same arguments as the HTTP API; what the library refuses is flashed on the page.
"""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from .. import Actor, CaseNotFound, CaseState, CaseSummary, OneServiceError, Role
from ..http.context import service
from ..service.views import supervision_colour
from .base import back, current_actor, error_text, requires, scoped_case, t, web_blueprint
from .office_inputs import form_days, form_key, form_text, new_key, page_links, page_window

__all__ = ["REVIEW_ACTIONS", "bp"]

bp = web_blueprint("office", __name__)


def _name(text: Any) -> str:
    return t(text.zh, text.en) if text is not None else ""


@bp.route("/office")
@requires(Role.REVIEWER)
def worklist() -> str:
    actor = current_actor()
    svc = service()
    window = page_window()
    page = svc.department_worklist_page(actor, limit=window["limit"], offset=window["offset"])
    today = svc.clock.today()
    catalogue = svc.catalogue
    rows = []
    for row in page.items:
        item = catalogue.items.get(row.item_code)
        matter = catalogue.matters.get(row.matter_id)
        colour = supervision_colour(row.due, today, svc.calendar, done=False, yellow_days=svc.yellow_days)
        rows.append({
            "case_id": row.case_id, "item_code": row.item_code, "item_name": _name(item.name) if item else "",
            "matter_name": _name(matter.name) if matter else row.matter_id, "state": str(row.state),
            "state_label": _name(row.state.label), "due": row.due, "provisional": row.due_provisional,
            "colour": str(colour), "dispatched_at": row.dispatched_at, "reviewer": row.reviewer,
            "suspended_since": row.suspended_since,
        })
    department = catalogue.departments.get(actor.department or "")
    return render_template("office/worklist.html", rows=rows, department=actor.department,
                           department_name=_name(department.name) if department else actor.department,
                           pager=page_links(page.total, window["offset"], window["limit"]), today=today)


def _start_review(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    result: CaseSummary = svc.start_review(actor, case_id, item, idempotency_key=key)
    return result


def _approve(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    result: CaseSummary = svc.approve(actor, case_id, item, note=form_text("note") or None,
                                      idempotency_key=key)
    return result


def _refuse_item(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    result: CaseSummary = svc.refuse_item(actor, case_id, item, form_text("reason"), idempotency_key=key)
    return result


def _request_correction(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    materials = [m for m in request.form.getlist("materials") if m]
    result: CaseSummary = svc.request_correction(
        actor, case_id, item, materials=materials, note=form_text("note"),
        days=form_days("days", required=False), idempotency_key=key)
    return result


def _suspend(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    result: CaseSummary = svc.suspend(
        actor, case_id, item, form_text("reason"), basis=form_text("basis"),
        expected_days=form_days("expected_days", required=False), idempotency_key=key)
    return result


def _resume(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    result: CaseSummary = svc.resume(actor, case_id, item, idempotency_key=key)
    return result


def _request_extension(svc: Any, actor: Actor, case_id: str, item: str, key: str | None) -> CaseSummary:
    result: CaseSummary = svc.request_extension(
        actor, case_id, item, days=form_days("days", required=True), reason=form_text("reason"),
        idempotency_key=key)
    return result


REVIEW_ACTIONS = {
    "start_review": (_start_review, ("已开始审查", "review started")),
    "approve": (_approve, ("已准予许可", "approved")),
    "refuse_item": (_refuse_item, ("已不予许可", "refused")),
    "request_correction": (_request_correction, ("已要求补正", "correction requested")),
    "suspend": (_suspend, ("已中止办理", "suspended")),
    "resume": (_resume, ("已恢复办理", "resumed")),
    "request_extension": (_request_extension, ("已提交延期申请，待督查人员审批",
                                               "extension asked for, waiting for a supervisor")),
}
"""The reviewer's actions on an item: the facade's method (read from the form) and what is flashed."""

SUSPENSION_BASES = (
    ("hearing", "听证", "hearing"), ("tender", "招标", "tender"), ("auction", "拍卖", "auction"),
    ("inspection", "检验", "inspection"), ("testing", "检测", "testing"),
    ("quarantine", "检疫", "quarantine"),
    ("appraisal", "鉴定", "appraisal"), ("expert_review", "专家评审", "expert review"),
    ("other_law", "法律法规规定的其他情形", "another law's procedure"),
)
"""The procedures of 《行政许可法》第四十五条 a suspension may rest on (the library checks them)."""


@bp.route("/office/cases/<case_id:case_id>/items/<ident:item>/<action>", methods=["POST"])
@requires(Role.REVIEWER)
def act(case_id: str, item: str, action: str) -> Response:
    """Perform one review action on ``item`` of the case, then back to the case file."""
    entry = REVIEW_ACTIONS.get(action)
    if entry is None:
        raise NotFound(t(f"没有名为 {action} 的审批操作", f"there is no review action {action!r}"))
    actor = current_actor()
    scoped_case(case_id)  # another department's case: 404, as the API
    perform, (zh, en) = entry
    page = url_for("web_case.case_file", case_id=case_id)
    try:
        summary = perform(service(), actor, case_id, item, form_key(actor))
    except CaseNotFound:
        raise
    except OneServiceError as exc:  # refused: said on the case's page, whatever form it came from
        flash(error_text(exc), "error")
        return back(page)
    label = CaseState(summary.state).label
    flash(t(f"{item}：{zh}（办件状态：{label.zh}）", f"{item}: {en} (case state: {label.en})"), "success")
    return back(page)


@bp.app_context_processor
def _office_globals() -> dict[str, Any]:
    return {"suspension_bases": SUSPENSION_BASES, "new_form_key": new_key}
