"""The 12345 closed loop (诉求: 受理、派单、退单、签收、答复、回访、重办、办结、督办) in pages.

- The platform (``/web/requests``: a clerk or a supervisor, whom the library lets take requests in,
  dispatch and call back): the intake form (kind, channel, category of the request catalogue,
  urgency, the requester's name and phone, the region the category's rule routes by, an optional
  case and item a complaint is about, the content) and the lists of the requests to dispatch (new
  and returned), to call back (the callback reopens or closes the request by itself, as the
  policy says), closed unresolved or dissatisfied (a supervisor may order one redone, 督办重办), and
  in progress with their colour (a supervisor escalates, 督办, the yellow and red ones).
- The department (``/web/requests/department``: a reviewer of the department): the requests
  dispatched to it, soonest answer due first, with both due times and the colour.
- A request's page (``/web/requests/<id>``) for its handlers: everything about it, every event
  (internal ones too: a return's reason, an escalation) and the forms of the actions the library
  allows the signed-in actor now (:func:`~oneservice.engine.requests.allowed_request_actions`). A
  reviewer whose department never had the request gets 404, like a case outside a scope.
- The requester's page without a login (``/requests/progress?request=…&code=…``): the request's
  number and its progress code (:func:`request_code`, the case progress code's HMAC over
  ``request:<id>``) show its content, state, result and every public node with time, department
  and note (:meth:`OneService.request_progress`); the contact is masked; wrong codes are limited
  per number as on the case progress page (:class:`~.applicant.WrongCodes`).
- The supervisor's cockpit (``/web/supervision/requests``): the day's most frequent and rising
  categories (:meth:`OneService.request_ranking`) and the figures (:meth:`OneService.request_figures`:
  诉求解决率, 群众满意率, on-time shares, return and reopen rates) overall, by category and by department.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import TZ, Actor, InvalidInput, OneServiceError, Role
from ..domain.requests import (
    REQUEST_ACTIONS,
    Contact,
    RequestChannel,
    RequestKind,
    RequestState,
    Satisfaction,
    Urgency,
)
from ..http.context import service
from ..request_errors import RequestNotAuthorised, RequestNotFound
from ..service.requests import RequestView
from .applicant import wrong_codes
from .base import current_actor, error_text, requires, t, web_blueprint
from .codes import progress_code, verify_code
from .office_inputs import form_text

__all__ = ["bp", "request_code"]

bp = web_blueprint("requests", __name__, url_prefix="")

REQUEST_NUMBER = re.compile(r"^R\d{8}-[0-9a-f]{10}$")
"""A request's number as the service makes it (``R20261102-3f9a0c1d2e``)."""
LIST_SIZE = 50
PLATFORM = (Role.CLERK, Role.SUPERVISOR)

EVENT_NAMES = {
    "RequestReceived": ("受理登记", "Received"), "RequestDispatched": ("派单", "Dispatched"),
    "RequestReturned": ("退单", "Returned"), "RequestAcknowledged": ("签收", "Acknowledged"),
    "RequestAnswered": ("答复", "Answered"), "RequestCalledBack": ("回访", "Called back"),
    "RequestReopened": ("重办", "Reopened"), "RequestClosed": ("办结", "Closed"),
    "RequestEscalated": ("督办", "Escalated"),
}
"""A request event's name in words (a second dispatch reads 转派, re-dispatched)."""

ACTION_DONE = {
    "dispatch": ("已派单", "dispatched"), "return_request": ("已退单", "returned"),
    "acknowledge": ("已签收", "acknowledged"), "answer": ("已答复", "answered"),
    "call_back": ("已回访", "called back"),
    "reopen": ("已督办重办，重新派给答复部门", "ordered reopened: back to the department that answered"),
    "escalate": ("已督办", "escalated"),
}


def request_code(request_id: str) -> str:
    """The request's progress code (查询码): the case codes' HMAC, over ``request:<id>``."""
    return progress_code(f"request:{request_id}")


def _label(value: Any) -> str:
    return t(value.label.zh, value.label.en)


def _text(text: Any) -> str:
    return t(text.zh, text.en) if text is not None else ""


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def department_name(department: str | None) -> str:
    if not department:
        return ""
    found = service().catalogue.departments.get(department)
    return _text(found.name) if found else department


def category_name(category: str) -> str:
    found = service().catalogue.request_categories.get(category)
    return _text(found.name) if found else category


def _event_name(kind: str, data: Any) -> str:
    if kind == "RequestDispatched" and data.get("again"):
        return t("转派", "Re-dispatched")
    zh, en = EVENT_NAMES.get(kind, (kind, kind))
    return t(zh, en)


def row(view: RequestView) -> dict[str, Any]:
    """What a list shows of a request."""
    r = view.request
    return {"id": r.id, "kind": _label(r.kind), "category": category_name(r.category),
            "urgency": _label(r.urgency),
            "urgent": r.urgency is Urgency.URGENT, "state": _label(r.state), "state_value": str(r.state),
            "department": department_name(r.department or r.competent), "received": _when(r.received_at),
            "acknowledge_due": _when(r.acknowledge_due), "answer_due": _when(r.answer_due),
            "provisional": r.provisional, "colour": view.colour, "escalated": r.escalated_at is not None,
            "reopens": r.reopens, "contact": view.contact, "content": r.content, "case_id": r.case_id}


def _options() -> dict[str, Any]:
    catalogue = service().catalogue
    categories = []
    for cid, category in sorted(catalogue.request_categories.items()):
        route = catalogue.request_routes.get(cid)
        categories.append({"id": cid, "name": _text(category.name), "field": route.field if route else None,
                           "kinds": ", ".join(_label(k) for k in RequestKind if k in category.kinds)})
    return {"kinds": [(str(k), _label(k)) for k in RequestKind],
            "channels": [(str(c), _label(c)) for c in RequestChannel],
            "urgencies": [(str(u), _label(u)) for u in Urgency], "categories": categories,
            "satisfactions": [(str(s), _label(s)) for s in Satisfaction],
            "departments": sorted(((d, _text(x.name)) for d, x in catalogue.departments.items()),
                                  key=lambda pair: pair[0])}


def _states(*states: RequestState) -> frozenset[RequestState]:
    return frozenset(states)


# ------------------------------------------------------------------------------- the platform


@bp.route("/web/requests")
@requires(*PLATFORM)
def platform() -> str:
    return _platform_page(request.args)


def _platform_page(form: Any, error: str | None = None) -> str:
    actor = current_actor()
    svc = service()
    lists = {}
    for name, states, unsettled in (
            ("to_dispatch", _states(RequestState.RECEIVED, RequestState.RETURNED), False),
            ("to_call_back", _states(RequestState.ANSWERED), False),
            ("closed_unsettled", _states(RequestState.CLOSED), True),
            ("in_progress", _states(RequestState.DISPATCHED, RequestState.ACKNOWLEDGED), False)):
        page = svc.platform_requests(actor, states, limit=LIST_SIZE, unsettled=unsettled)
        lists[name] = {"rows": [row(v) for v in page.items], "total": page.total}
    return render_template("requests/platform.html", lists=lists, limit=LIST_SIZE, form=form, error=error,
                           **_options())


@bp.route("/web/requests", methods=["POST"])
@requires(*PLATFORM)
def take_in() -> Response | tuple[str, int]:
    """Take the request in; refused, the form comes back filled in with the library's words."""
    try:
        rid = _take_in(current_actor())
    except OneServiceError as exc:
        return _platform_page(request.form, error_text(exc)), 422
    flash(t(f"已受理登记 {rid}，查询码 {request_code(rid)}（请告知诉求人）",
            f"Received {rid}; progress code {request_code(rid)} (tell the requester)"), "success")
    return redirect(url_for("web_requests.detail", request_id=rid))


def _take_in(actor: Actor) -> str:
    svc = service()
    category = form_text("category")
    channel = form_text("channel")
    regions = {}
    region = form_text("region")
    route = svc.catalogue.request_routes.get(category)
    if region:
        if route is None or route.field is None:
            raise InvalidInput(t("该类别不按区域分派，请不要填写区域代码",
                                 "this category is not routed by area: leave the region empty"),
                               field="region")
        regions[route.field] = region
    view = svc.take_in_request(
        actor, kind=form_text("kind"), channel=channel, category=category or None,
        contact=Contact(form_text("name"), form_text("phone")), content=form_text("content"),
        urgency=form_text("urgency") or "normal",
        location=actor.location if channel == str(RequestChannel.WINDOW) else None, regions=regions,
        case_id=form_text("case_id") or None, item=form_text("item") or None)
    return view.request.id


# ------------------------------------------------------------------------------- the department


@bp.route("/web/requests/department")
@requires(Role.REVIEWER)
def department() -> str:
    actor = current_actor()
    if not actor.department:
        abort(403, description=t("您的令牌未注明部门", "your token names no department"))
    page = service().department_requests(actor, actor.department, limit=LIST_SIZE)
    return render_template("requests/department.html", rows=[row(v) for v in page.items], total=page.total,
                           limit=LIST_SIZE, department=department_name(actor.department))


# ------------------------------------------------------------------------------- one request


def scoped_request(actor: Actor, request_id: str) -> RequestView:
    """The request as ``actor`` may see it; 404 when there is none or it never was theirs."""
    if not REQUEST_NUMBER.match(request_id):
        abort(404, description=t(f"没有编号为 {request_id} 的诉求", f"there is no request {request_id}"))
    try:
        return service().get_request(actor, request_id)
    except (RequestNotFound, RequestNotAuthorised):
        abort(404, description=t(f"没有编号为 {request_id} 的诉求", f"there is no request {request_id}"))


def _allowed(actor: Actor, view: RequestView) -> list[str]:
    """The actions to offer: the library's, a department's only on a request dispatched to it."""
    own = actor.role is not Role.REVIEWER or view.request.department == actor.department
    return [a for a in view.allowed if own]


@bp.route("/web/requests/<request_id>")
@requires(Role.CLERK, Role.SUPERVISOR, Role.REVIEWER)
def detail(request_id: str) -> str:
    actor = current_actor()
    view = scoped_request(actor, request_id)
    r = view.request
    events = [{"at": _when(e.at), "name": _event_name(e.type, e.data),
               "department": department_name(e.department),
               "note": e.note, "reason": e.data.get("reason"), "public": e.public, "actor": e.actor,
               "on_time": e.on_time} for e in service().request_events(request_id)]
    return render_template(
        "requests/request.html", view=view, r=r, info=row(view), events=events, allowed=_allowed(actor, view),
        competent=r.competent, competent_name=department_name(r.competent),
        answered_by=department_name(r.answered_by),
        satisfaction=_label(r.satisfaction) if r.satisfaction else "",
        code=request_code(r.id) if actor.role in PLATFORM else None, **_options())


def _perform(actor: Actor, request_id: str, action: str) -> RequestView:
    svc = service()
    if action == "dispatch":
        return svc.dispatch_request(actor, request_id, department=form_text("department") or None,
                                    note=form_text("note"))
    if action == "return_request":
        return svc.return_request(actor, request_id, reason=form_text("reason"))
    if action == "acknowledge":
        return svc.acknowledge_request(actor, request_id)
    if action == "answer":
        return svc.answer_request(actor, request_id, result=form_text("result"),
                                  note=form_text("note") or None)
    if action == "call_back":
        resolved = form_text("resolved")
        if resolved not in ("yes", "no"):
            raise InvalidInput(t("请选择问题是否已解决", "say whether the problem is resolved"),
                               field="resolved")
        satisfaction = form_text("satisfaction")
        if satisfaction not in {str(s) for s in Satisfaction}:
            raise InvalidInput(t("请选择满意、基本满意或不满意", "choose satisfied, basically satisfied or "
                                 "dissatisfied"), field="satisfaction")
        return svc.call_back_request(actor, request_id, resolved=resolved == "yes", satisfaction=satisfaction,
                                     note=form_text("note"))
    if action == "reopen":
        return svc.reopen_request(actor, request_id, reason=form_text("reason") or None)
    assert action == "escalate"
    return svc.escalate_request(actor, request_id, note=form_text("note"))


@bp.route("/web/requests/<request_id>/<action>", methods=["POST"])
@requires(Role.CLERK, Role.SUPERVISOR, Role.REVIEWER)
def act(request_id: str, action: str) -> Response:
    """One action on the request, then back to its page (what the library refuses is flashed there)."""
    if action not in REQUEST_ACTIONS or REQUEST_ACTIONS[action].internal:
        abort(404, description=t(f"没有名为 {action} 的诉求操作", f"there is no request action {action!r}"))
    actor = current_actor()
    scoped_request(actor, request_id)  # another department's request: 404
    here = url_for("web_requests.detail", request_id=request_id)
    try:
        view = _perform(actor, request_id, action)
    except OneServiceError as exc:  # refused: said on the request's page
        flash(error_text(exc), "error")
        return redirect(here)
    zh, en = ACTION_DONE[action]
    state = view.request.state
    flash(t(f"{request_id}：{zh}（状态：{state.label.zh}）", f"{request_id}: {en} (state: {state.label.en})"),
          "success")
    if action == "call_back" and state is RequestState.DISPATCHED:
        flash(t(f"回访未解决或不满意：已自动重办（第{view.request.reopens}次），重新派给{view.request.department}",
                f"the callback found it unresolved or the requester dissatisfied: reopened by itself "
                f"(reopen {view.request.reopens}), back to {view.request.department}"), "info")
    elif action == "call_back" and not (view.request.resolved and view.request.satisfaction is not None
                                        and view.request.satisfaction.content):
        flash(t("重办次数已用完，按回访结果（未解决或不满意）办结；督查人员可督办重办",
                "the policy's reopens are used up: closed as called back (unresolved or dissatisfied); "
                "a supervisor may order it redone"), "info")
    if actor.role is Role.REVIEWER and view.request.department != actor.department:
        return redirect(url_for("web_requests.department"))
    return redirect(here)


# ------------------------------------------------------------------------------- the requester


def _public(status: int, **context: Any) -> tuple[str, int, dict[str, str]]:
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return render_template("requests/progress.html", **context), status, headers


@bp.route("/requests/progress", endpoint="public_progress")
def public_progress() -> tuple[str, int, dict[str, str]]:
    number = (request.args.get("request") or "").strip()[:64]
    code = (request.args.get("code") or "").strip()[:32]
    if not number and not code:
        return _public(200, number="", error=None)
    if not number or not code:
        return _public(400, number=number, error=t("请同时输入诉求编号和查询码",
                                                   "enter both the request number and the progress code"))
    counter, now = wrong_codes(), service().clock.now()
    until = counter.blocked_until(number, now)
    if until is not None:
        local = until.astimezone(TZ).strftime("%H:%M")
        return _public(429, number=number, error=t(
            f"该诉求编号的查询码错误次数过多，请于 {local} 后再试，或拨打 12345 查询",
            f"too many wrong progress codes for this request number; try again after {local}, or call 12345"))
    progress = None
    if REQUEST_NUMBER.match(number) and verify_code(f"request:{number}", code):
        try:
            progress = service().request_progress(number)
        except RequestNotFound:
            progress = None
    if progress is None:
        counter.fail(number, now)
        return _public(404, number=number, error=t(
            "诉求编号或查询码不正确，请核对受理时告知的编号和查询码",
            "the request number or the progress code is not right; check the ones given at intake"))
    nodes = [{"at": _when(n.at), "name": _event_name(n.type, {}),
              "department": department_name(n.department),
              "note": n.note} for n in progress.nodes]
    state = RequestState(progress.state)
    return _public(200, number=number, error=None, progress=progress, nodes=nodes, state=_label(state),
                   kind=_label(RequestKind(progress.kind)), category=category_name(progress.category))


# ------------------------------------------------------------------------------- the cockpit


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _figures(values: Any, name: Any) -> list[dict[str, Any]]:
    return [{"key": key, "name": name(key), "called_back": f.called_back,
             "resolution": _percent(f.resolution_rate), "satisfaction": _percent(f.satisfaction_rate),
             "ack": _percent(f.on_time_acknowledgement), "answer": _percent(f.on_time_answer),
             "returns": _percent(f.return_rate), "reopens": _percent(f.reopen_rate),
             "dispatched": f.dispatched, "answered": f.answered} for key, f in sorted(values.items())]


@bp.route("/web/supervision/requests")
@requires(Role.SUPERVISOR)
def cockpit() -> str:
    svc = service()
    raw = (request.args.get("day") or "").strip()
    try:
        day = dt.date.fromisoformat(raw) if raw else svc.clock.today()
    except ValueError:
        raise InvalidInput(t(f"日期 {raw!r} 应为 YYYY-MM-DD", f"the day {raw!r} is not YYYY-MM-DD"),
                           field="day") from None
    frequent, rising = svc.request_ranking(day)
    whole = _figures(svc.request_figures(), lambda _k: t("全部", "All"))
    return render_template(
        "requests/cockpit.html", day=day.isoformat(),
        frequent=[{"name": category_name(x.category), "id": x.category, "count": x.count,
                   "before": f"{x.before:.2f}"} for x in frequent],
        rising=[{"name": category_name(x.category), "id": x.category, "count": x.count,
                 "before": f"{x.before:.2f}", "rise": f"{x.rise:+.2f}"} for x in rising],
        whole=whole[0] if whole else None,
        by_category=_figures(svc.request_figures(by="category"), category_name),
        by_department=_figures(svc.request_figures(by="department"), department_name))
