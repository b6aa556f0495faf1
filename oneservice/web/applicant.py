"""The applicant (申请人) and the agent (代办员): my cases, a case's progress, rating; the public
progress page.

``/web/mine`` lists the signed-in applicant's cases (every case they are a party of) or the
cases an agent runs under an authorisation in force; ``/web/mine/<id>`` is a case's progress
(办件进度: every public step with time, department and note, the deadlines with provisional
ones marked, what is still owed, the results and how they come, trips against the budget) with
the progress code and, when the library allows it, the rating form (好差评, five levels).

``/progress?case=…&code=…`` shows the same progress without a login to whoever holds the case
number and its progress code (:mod:`.codes`), with nothing personal beyond the case number
(:meth:`~oneservice.service.queries.Queries.public_progress`). A wrong code and an unknown case
get the same answer; wrong codes for one case number are counted in this process
(:class:`WrongCodes`): after :data:`WrongCodes.LIMIT` within :data:`WrongCodes.WINDOW` that case
number is refused until the window has passed. The counter lives in the server process: each
process of a deployment counts on its own.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import CaseNotFound, ProgressView, RatingLevel, Role
from ..http.app import CASE_ID_PATTERN
from ..http.context import service
from .base import current_actor, requires, scoped_case, t, web_blueprint
from .codes import progress_code, verify_code

__all__ = ["WrongCodes", "bp", "progress_context"]

bp = web_blueprint("applicant", __name__, url_prefix="")

PAGE_SIZE = 20
COMMENT_LIMIT = 500
CASE_NUMBER = re.compile(CASE_ID_PATTERN)

RATING_LEVELS = tuple(
    (level.value, level.zh, en) for level, en in zip(
        sorted(RatingLevel, reverse=True),
        ("Very satisfied", "Satisfied", "Basically satisfied", "Dissatisfied", "Very dissatisfied"),
        strict=True))
"""The five levels of 好差评, best first: value, Chinese, English."""

CHANNELS = {"window": ("窗口领取", "at the window"), "mail": ("邮寄", "by mail"),
            "electronic": ("电子证照推送", "electronically"), "agent": ("代办员送达", "by an agent"),
            "online": ("网上", "online"), "mobile": ("掌上办", "on the phone")}


def _channel(value: str | None) -> str:
    if value is None:
        return ""
    zh, en = CHANNELS.get(value, (value, value))
    return t(zh, en)


def _when(iso: str | None) -> str:
    """``2026-11-02T09:00:00+08:00`` as ``2026-11-02 09:00`` (China Standard Time)."""
    return f"{iso[:10]} {iso[11:16]}" if iso and len(iso) >= 16 else (iso or "")


def progress_context(view: ProgressView) -> dict[str, Any]:
    """What a progress page shows of ``view``, in the page's language."""
    return {
        "view": view,
        "matter_name": t(view.matter_zh, view.matter_en),
        "state_label": t(view.state_zh, view.state_en),
        "steps": [{"at": _when(s.at), "label": t(s.zh, s.en),
                   "department": t(s.department_zh, s.department_en or "") if s.department_zh else None,
                   "note": s.note} for s in view.steps],
        "tasks": [{"name": t(x["name_zh"], x["name_en"]), "code": x["item"],
                   "department": t(x["department_zh"], x["department_en"]),
                   "state": t(x["state_zh"], x["state_en"]), "due": x["due"],
                   "provisional": x["due_provisional"], "colour": str(x["colour"])} for x in view.tasks],
        "owed": [{"name": t(x["name_zh"], x["name_en"]), "due": x["due"], "provisional": x["due_provisional"]}
                 for x in view.owed],
        "results": [{"name": t(x["name_zh"], x["name_en"]), "delivered": x["delivered"],
                     "how": ", ".join(_channel(c) for c in x["channels"]),
                     "channel": _channel(x["channel"]), "at": _when(x["at"]), "tracking": x["tracking"],
                     "place": t(x["location_zh"], x["location_en"] or "") if x["location_zh"] else None,
                     "received": _when(x["received_at"]) if x["received_at"] else None}
                    for x in view.results],
        "pickup": t(view.pickup_zh, view.pickup_en or "") if view.pickup_zh else None,
        "parties": [{"role": t(p["role_zh"], p["role_en"]), "name": p["name"], "id_number": p["id_number"],
                     "self": p["self"]} for p in view.parties],
        "colour": str(view.colour),
    }


# ------------------------------------------------------------------------------- my cases


@bp.route("/web/mine")
@requires(Role.APPLICANT, Role.AGENT)
def mine() -> str:
    actor = current_actor()
    svc = service()
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    window = {"limit": PAGE_SIZE, "offset": (number - 1) * PAGE_SIZE}
    if actor.role is Role.AGENT:
        page = svc.agent_cases_page(actor, **window)
    else:
        page = svc.my_cases_page(actor, **window)
    matters = svc.catalogue.matters
    rows = []
    for row in page.items:
        matter = matters.get(row.matter_id)
        rows.append({
            "id": row.id,
            "matter": t(matter.name.zh, matter.name.en) if matter else row.matter_id,
            "state": t(row.state.label.zh, row.state.label.en),
            "opened": row.opened_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d"),
            "due": row.due.isoformat() if row.due else None,
            "provisional": row.due_provisional,
            "trips": row.trips,
            "budget": matter.trip_budget if matter else None,
            "over": row.over_budget,
            "applicant": row.applicant_name if actor.role is Role.AGENT else None,
        })
    pages = max(1, -(-page.total // PAGE_SIZE))
    return render_template("applicant/mine.html", rows=rows, total=page.total, page=number, pages=pages,
                           agent=actor.role is Role.AGENT)


@bp.route("/web/mine/<case_id:case_id>")
@requires(Role.APPLICANT, Role.AGENT)
def progress(case_id: str) -> str:
    actor = current_actor()
    case = scoped_case(case_id)
    svc = service()
    view = svc.progress(actor, case_id)
    summary = svc.get(actor, case_id)
    ratings = [r for r in case.ratings if r.party == view.party and r.about == "case"]
    given = [{"level": t(RatingLevel(r.level).zh, _level_en(r.level)),
              "comment": r.comment, "at": r.at.strftime("%Y-%m-%d %H:%M"), "follow_up": r.follow_up}
             for r in ratings]
    return render_template("applicant/progress.html", **progress_context(view),
                           code=progress_code(case_id), rate_case=case_id,
                           can_rate="rate" in summary.allowed, ratings=given, levels=RATING_LEVELS,
                           comment_limit=COMMENT_LIMIT)


def _level_en(level: int) -> str:
    return next(en for value, _, en in RATING_LEVELS if value == int(level))


@bp.route("/web/mine/<case_id:case_id>/rate", methods=["POST"])
@requires(Role.APPLICANT, Role.AGENT)
def rate(case_id: str) -> Response:
    actor = current_actor()
    scoped_case(case_id)
    here = url_for("web_applicant.progress", case_id=case_id)
    raw = request.form.get("level", "")
    comment = (request.form.get("comment") or "").strip()
    if raw not in {str(value) for value, _, _ in RATING_LEVELS}:
        flash(t("请选择五个评价等级之一", "choose one of the five levels"), "error")
        return redirect(here)
    if len(comment) > COMMENT_LIMIT:
        flash(t(f"评价内容不超过 {COMMENT_LIMIT} 字", f"the comment is at most {COMMENT_LIMIT} characters"),
              "error")
        return redirect(here)
    level = RatingLevel(int(raw))
    service().rate(actor, case_id, level.value, comment)
    flash(t(f"感谢评价：{level.zh}", f"Thank you for your rating: {_level_en(level.value)}"), "success")
    if level.bad:
        flash(t("差评将由主管部门回访整改", "a bad rating is followed up: the department calls you back and "
                "puts it right"), "info")
    return redirect(here)


# ------------------------------------------------------------------------------- public page


class WrongCodes:
    """Wrong progress codes per case number, counted in this process (each server process counts
    its own: the limit slows guessing, it is no account lock-out)."""

    LIMIT = 5
    """Wrong codes allowed per case number within :data:`WINDOW`."""
    WINDOW = dt.timedelta(minutes=15)
    KEEP = 10_000
    """Case numbers remembered at most (the oldest are forgotten first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, list[dt.datetime]] = {}

    def _recent(self, case: str, now: dt.datetime) -> list[dt.datetime]:
        kept = [at for at in self._failures.get(case, []) if now - at < self.WINDOW]
        if kept:
            self._failures[case] = kept
        else:
            self._failures.pop(case, None)
        return kept

    def blocked_until(self, case: str, now: dt.datetime) -> dt.datetime | None:
        """When ``case`` may be tried again (None: now)."""
        with self._lock:
            recent = self._recent(case, now)
            return recent[0] + self.WINDOW if len(recent) >= self.LIMIT else None

    def fail(self, case: str, now: dt.datetime) -> None:
        with self._lock:
            self._recent(case, now)
            self._failures.setdefault(case, []).append(now)
            while len(self._failures) > self.KEEP:
                self._failures.pop(next(iter(self._failures)))


def wrong_codes() -> WrongCodes:
    counter: WrongCodes = current_app.extensions.setdefault("oneservice.web.wrong_codes", WrongCodes())
    return counter


def _public(status: int, **context: Any) -> tuple[str, int, dict[str, str]]:
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return render_template("applicant/public_progress.html", **context), status, headers


@bp.route("/progress", endpoint="public_progress")
def public_progress() -> tuple[str, int, dict[str, str]]:
    number = (request.args.get("case") or "").strip()[:64]
    code = (request.args.get("code") or "").strip()[:32]
    if not number and not code:
        return _public(200, number="", error=None)
    if not number or not code:
        return _public(400, number=number, error=t("请同时输入办件编号和查询码",
                                                   "enter both the case number and the progress code"))
    counter, now = wrong_codes(), service().clock.now()
    until = counter.blocked_until(number, now)
    if until is not None:
        local = until.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M")
        return _public(429, number=number, error=t(
            f"该办件编号的查询码错误次数过多，请于 {local} 后再试，或凭身份证件到窗口查询",
            f"too many wrong progress codes for this case number; try again after {local}, or ask at a "
            "window with your ID card"))
    view = None
    if CASE_NUMBER.match(number) and verify_code(number, code):
        try:
            view = service().public_progress(number)
        except CaseNotFound:
            view = None
    if view is None:
        counter.fail(number, now)
        return _public(404, number=number, error=t(
            "办件编号或查询码不正确，请核对受理回执上的编号和查询码",
            "the case number or the progress code is not right; check them on your receipt"))
    return _public(200, number=number, error=None, **progress_context(view))
