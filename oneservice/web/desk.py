"""The front desk (综合窗口): the window queue, a new case, the form, the notice, acceptance, hand-over.

A clerk works at one service location (their token's ``location``): the queue lists that point's
cases only, a case outside it is a 404 (:func:`~.base.scoped_case`, as the HTTP API answers), and
every action goes through the library's own method with the library's own checks (the channel of
a clerk is the window; a zero-trip matter the window cannot take in is refused by the library and
the refusal is shown on the page). The form, its live check and the one-time notice are in
:mod:`.desk_form`; this module holds the queue, the new case and the decisions of the case panel
(``desk/_case_actions.html`` on the case file page).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import Actor, Applicant, Case, CaseNotFound, CaseState, OneServiceError, Party, Role
from ..domain.case import MaterialStatus
from ..domain.definitions import Channel
from ..http.auth import mask_id
from ..http.context import scoped_key, service
from ..service.views import CaseSummary, supervision_colour
from .base import back, current_actor, error_text, requires, scoped_case, t, web_blueprint

__all__ = ["CHANNEL_WORDS", "bp", "desk_panel", "idempotency"]

bp = web_blueprint("desk", __name__)

PAGE_SIZE = 20

CHANNEL_WORDS = {
    "window": ("窗口", "window"), "mail": ("邮寄", "mail"), "electronic": ("电子送达", "electronic"),
    "online": ("网上", "online"), "mobile": ("移动端", "mobile"), "agent": ("代办员", "agent"),
}

_FINISHED = {CaseState.READY_FOR_PICKUP, CaseState.DELIVERED, CaseState.CLOSED, CaseState.REFUSED,
             CaseState.TERMINATED, CaseState.WITHDRAWN}


def _name(text: Any) -> str:
    return t(text.zh, text.en) if text is not None else ""


def channel_word(channel: str) -> str:
    zh, en = CHANNEL_WORDS.get(channel, (channel, channel))
    return t(zh, en)


def idempotency(actor: Actor) -> str | None:
    """The idempotency key a form carries (``idem``, made when the form was drawn), scoped to the
    actor as the API scopes its ``Idempotency-Key``: a form posted twice acts once."""
    key = (request.form.get("idem") or "").strip()[:100]
    return scoped_key(actor, key) if key else None


@bp.app_context_processor
def _desk_globals() -> dict[str, Any]:
    return {"desk_panel": desk_panel, "new_idem": lambda: secrets.token_urlsafe(12),
            "channel_word": channel_word}


# ----------------------------------------------------------------------------- the window queue


def _rows(page: Any) -> list[dict[str, Any]]:
    svc = service()
    today = svc.clock.today()
    out = []
    for row in page.items:
        matter = svc.catalogue.matters.get(row.matter_id)
        out.append({
            "id": row.id,
            "matter": _name(matter.name) if matter else row.matter_id,
            "applicant_name": row.applicant_name,
            "applicant_id": row.applicant_id,
            "state": str(row.state),
            "state_label": _name(row.state.label),
            "opened": row.opened_at.strftime("%Y-%m-%d %H:%M"),
            "due": row.due.isoformat() if row.due else None,
            "provisional": row.due_provisional,
            "colour": str(supervision_colour(row.due, today, svc.calendar, done=row.state in _FINISHED,
                                             yellow_days=svc.yellow_days)),
            "trips": row.trips,
            "budget": matter.trip_budget if matter else None,
            "over": row.over_budget,
        })
    return out


def _window(param: str) -> tuple[int, int]:
    """The page number asked for in ``param`` (1-based) and its offset."""
    try:
        number = max(int(request.args.get(param, "1")), 1)
    except ValueError:
        number = 1
    return number, (number - 1) * PAGE_SIZE


def _listing(key: str, title: str, hint: str, fetch: Any) -> dict[str, Any]:
    number, offset = _window(key)
    page = fetch(offset)
    pages = max((page.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    args = request.args.to_dict()

    def link(n: int) -> str:
        values: dict[str, Any] = args | {key: str(n), "_anchor": key}
        return url_for("web_desk.queue", **values)

    return {"key": key, "title": title, "hint": hint, "rows": _rows(page), "total": page.total,
            "page": number, "pages": pages, "prev": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < pages else None}


@bp.route("/desk")
@requires(Role.CLERK)
def queue() -> str:
    actor = current_actor()
    svc = service()
    location = actor.location
    if location is None:
        return render_template("desk/queue.html", location=None, lists=[])
    place = svc.catalogue.location(location)
    lists = [
        _listing("intake", t("待前台答复", "Awaiting the front desk"),
                 t("已提交待受理或一次性告知的申请，以及尚未提交的草稿",
                   "applications to accept or notify, and drafts"),
                 lambda offset: svc.search_cases_page(
                     actor, states=["submitted", "draft"], locations=[location], sort="opened_at",
                     limit=PAGE_SIZE, offset=offset)),
        _listing("awaiting", t("待申请人补齐", "Awaiting the applicant"),
                 t("已一次性告知或容缺受理、尚欠材料的办件", "notified, or accepted with materials owed"),
                 lambda offset: svc.awaiting_materials_page(actor, location, limit=PAGE_SIZE, offset=offset)),
        _listing("ready", t("待出件", "Results to hand over"),
                 t("各部门已办结、结果在本窗口等待统一出件",
                   "every item concluded: the results wait at this window"),
                 lambda offset: svc.window_queue_page(actor, location, limit=PAGE_SIZE, offset=offset)),
    ]
    return render_template("desk/queue.html", location=place, lists=lists)


# ----------------------------------------------------------------------------------- new case


def _window_matters() -> list[dict[str, Any]]:
    """The matters a window takes in (intake channel ``window``), by name."""
    out = []
    for mid, matter in service().catalogue.matters.items():
        if Channel.WINDOW in matter.intake_channels:
            out.append({"id": mid, "name": _name(matter.name), "budget": matter.trip_budget})
    return sorted(out, key=lambda m: m["name"])


def _roles(matter_id: str | None) -> list[dict[str, Any]]:
    if not matter_id or matter_id not in service().catalogue.matters:
        return []
    matter = service().catalogue.matter(matter_id)
    return [{"role": r.role, "name": _name(r.name), "kind": r.kind.value, "required": r.required,
             "acts_for": r.acts_for, "first": n == 0} for n, r in enumerate(matter.parties)]


def _kept(form: Any) -> dict[str, str]:
    """The values typed, to draw the form again; a valid resident ID number is never sent back in
    full (it is typed again: the page shows it masked)."""
    kept: dict[str, str] = {}
    masked: dict[str, str] = {}
    for key, value in form.items():
        if key in ("csrf", "idem"):
            continue
        if key.endswith("id_number") and _looks_valid(value):
            masked[key] = mask_id(value.strip())
            continue
        kept[key] = value
    kept.update({f"{k}:masked": v for k, v in masked.items()})
    return kept


def _looks_valid(number: str) -> bool:
    from stdnum.cn import ric

    return ric.is_valid(number.strip())


def _person(prefix: str) -> Applicant:
    f = request.form
    kind: Any = f.get(f"{prefix}kind", "person")  # the library refuses a kind it does not know
    return Applicant(kind, f.get(f"{prefix}id_number", "").strip(),
                     f.get(f"{prefix}name", "").strip(), f.get(f"{prefix}phone", "").strip())


@bp.route("/desk/new", methods=["GET", "POST"])
@requires(Role.CLERK)
def new_case() -> str | Response | tuple[str, int]:
    actor = current_actor()
    matter_id = request.values.get("matter_id") or None
    values: dict[str, str] = {}
    error: str | None = None
    field: str | None = None
    if request.method == "POST":
        try:
            return _open(actor, matter_id or "")
        except OneServiceError as exc:
            error, field = error_text(exc), getattr(exc, "field", None)
            values = _kept(request.form)
    page = render_template("desk/new_case.html", matters=_window_matters(), matter_id=matter_id,
                           roles=_roles(matter_id), values=values, error=error, error_field=field,
                           location=actor.location, budget=_budget(matter_id))
    return (page, 422) if error else page


def _budget(matter_id: str | None) -> int | None:
    """The matter's trip budget (a zero-trip matter at the window needs the reason for the trip)."""
    if not matter_id or matter_id not in service().catalogue.matters:
        return None
    return service().catalogue.matter(matter_id).trip_budget


def _open(actor: Actor, matter_id: str) -> Response:
    roles = _roles(matter_id)
    parties = []
    for role in roles[1:]:
        prefix = f"p-{role['role']}-"
        if not (request.form.get(f"{prefix}id_number") or request.form.get(f"{prefix}name")):
            continue  # an optional role left empty (the library refuses a required one missing)
        authorisation = (request.form.get(f"{prefix}authorisation") or "").strip() or None
        parties.append(Party(role["role"], _person(prefix), authorisation))
    summary = service().open_case(
        actor, matter_id, _person("a-"), channel=Channel.WINDOW.value, location=actor.location or "",
        agent=(request.form.get("agent") or "").strip() or None, parties=parties,
        idempotency_key=idempotency(actor),
        over_budget_reason=(request.form.get("over_budget_reason") or "").strip() or None)
    flash(t(f"已新建办件 {summary.id}，请填写申请表", f"Case {summary.id} opened: fill in the form"),
          "success")
    return redirect(url_for("web_desk.case_form", case_id=summary.id))


# ------------------------------------------------------------------------- the case panel


def desk_panel(case: Case, summary: CaseSummary) -> dict[str, Any]:
    """What the clerk's panel on the case file offers (only what ``summary.allowed`` allows)."""
    svc = service()
    engine = svc.engine(case.definition_hash)
    plan = engine.plan_for(case)
    received = {m for m, r in case.materials.items() if r.status is MaterialStatus.RECEIVED}
    waivable = [{"id": line.material.id, "name": _name(line.material.name)}
                for line in plan.materials if line.waivable and line.material.id not in received]
    owed = [{"id": r.material_id, "name": _name(engine.lines[r.material_id].material.name)
             if r.material_id in engine.lines else r.material_id,
             "due": r.due.isoformat() if r.due else None} for r in case.owed()]
    delivered = {d.result_id for d in case.deliveries}
    results = []
    for route in plan.trips.results:
        task = case.tasks.get(route.item)
        if task is None or str(task.state) != "approved" or route.result.id in delivered:
            continue
        channels = sorted(c.value for c in route.channels)
        default = next((c for c in ("electronic", "mail", "window") if c in channels), channels[0])
        results.append({"id": route.result.id, "name": _name(route.result.name), "item": route.item,
                        "form": str(route.result.form), "channels": channels, "default": default})
    locations = [{"id": lid, "name": _name(loc.name)} for lid, loc in svc.catalogue.locations.items()]
    supply = sorted({c.value for c in engine.matter.supplement_channels} | {Channel.WINDOW.value})
    return {"allowed": set(summary.allowed), "waivable": waivable, "owed": owed, "results": results,
            "locations": locations, "supply_channels": supply}


def _on_case(view: Callable[[str], Response]) -> Callable[[str], Response]:
    """A panel action: a clerk of another point gets 404 (the case is looked up in their scope
    first); a refusal of the library is shown on the case page, which the form came from."""

    @functools.wraps(view)
    def inner(case_id: str) -> Response:
        scoped_case(case_id)
        try:
            return view(case_id)
        except CaseNotFound:
            raise
        except OneServiceError as exc:
            flash(error_text(exc), "error")
            return back(url_for("web_case.case_file", case_id=case_id))

    return inner


def _done(message: str, case_id: str) -> Response:
    flash(message, "success")
    return redirect(url_for("web_case.case_file", case_id=case_id))


def _text(name: str) -> str:
    return (request.form.get(name) or "").strip()


@bp.route("/cases/<case_id:case_id>/accept", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def accept(case_id: str) -> Response:
    actor = current_actor()
    service().accept(actor, case_id, idempotency_key=idempotency(actor))
    return _done(t("已受理", "Accepted"), case_id)


@bp.route("/cases/<case_id:case_id>/accept-with-deficiency", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def accept_with_deficiency(case_id: str) -> Response:
    actor = current_actor()
    service().accept_with_deficiency(actor, case_id, request.form.getlist("owed"),
                                     commitment=_text("commitment"), idempotency_key=idempotency(actor))
    return _done(t("已容缺受理，申请人承诺已记录", "Accepted with deficiency; the commitment is recorded"),
                 case_id)


@bp.route("/cases/<case_id:case_id>/refuse", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def refuse(case_id: str) -> Response:
    actor = current_actor()
    service().refuse(actor, case_id, _text("reason"), idempotency_key=idempotency(actor))
    return _done(t("已不予受理", "Refused"), case_id)


@bp.route("/cases/<case_id:case_id>/owed", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def supply_owed(case_id: str) -> Response:
    actor = current_actor()
    service().supply_owed(actor, case_id, request.form.getlist("materials"), channel=_text("channel"),
                          over_budget_reason=_text("over_budget_reason") or None,
                          idempotency_key=idempotency(actor))
    return _done(t("容缺材料已补齐", "Owed materials supplied"), case_id)


@bp.route("/cases/<case_id:case_id>/pickup", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def choose_pickup(case_id: str) -> Response:
    actor = current_actor()
    service().choose_pickup(actor, case_id, _text("location"), idempotency_key=idempotency(actor))
    return _done(t("出件点已更改", "Pickup point changed"), case_id)


def _deliveries(case: Case, summary: CaseSummary) -> dict[str, dict[str, str]]:
    """``results=`` as the library takes it: result id → {channel, tracking} for each result the
    form lists (its ``channel-<id>`` select and ``tracking-<id>`` field)."""
    out: dict[str, dict[str, str]] = {}
    for result in desk_panel(case, summary)["results"]:
        channel = _text(f"channel-{result['id']}")
        if not channel:
            continue
        entry = {"channel": channel}
        tracking = _text(f"tracking-{result['id']}")
        if tracking:
            entry["tracking"] = tracking
        out[result["id"]] = entry
    return out


@bp.route("/cases/<case_id:case_id>/deliver", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def deliver(case_id: str) -> Response:
    case = scoped_case(case_id)
    actor = current_actor()
    svc = service()
    summary = svc.get(actor, case_id)
    results = _deliveries(case, summary)
    if "release_results" in summary.allowed and "deliver" not in summary.allowed:
        svc.release_results(actor, case_id, results=results, idempotency_key=idempotency(actor))
        return _done(t("已先行出件", "Ready results released"), case_id)
    svc.deliver(actor, case_id, results=results, over_budget_reason=_text("over_budget_reason") or None,
                idempotency_key=idempotency(actor))
    return _done(t("结果已统一出件", "Results handed over"), case_id)


@bp.route("/cases/<case_id:case_id>/conclude", methods=["POST"])
@requires(Role.CLERK)
@_on_case
def conclude(case_id: str) -> Response:
    actor = current_actor()
    service().conclude(actor, case_id, idempotency_key=idempotency(actor))
    return _done(t("已办结归档", "Closed"), case_id)


from . import desk_form as _desk_form  # noqa: E402,F401  (the form and notice routes on this blueprint)
