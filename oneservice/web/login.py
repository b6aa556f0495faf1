"""Sign in, sign out, the language switch and each role's home page.

Sign-in takes a token: one of ``oneservice token issue`` or, with ``serve --oidc-…``, of the
identity platform (the same :class:`~oneservice.http.auth.Identifies` as the API). The token lives
in the signed session cookie and is verified again on every page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from .. import Role
from ..http.auth import InvalidToken
from ..http.context import state
from .base import check_csrf, install_error_pages, requires, signed_in, t

__all__ = ["HOMES", "bp", "home_of"]

bp = Blueprint("web_login", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web/static")
install_error_pages(bp)

HOMES = {
    Role.CLERK: "web_desk.queue",
    Role.REVIEWER: "web_office.worklist",
    Role.SUPERVISOR: "web_supervise.warnings",
    Role.APPLICANT: "web_applicant.mine",
    Role.AGENT: "web_applicant.mine",
}


def home_of(role: Role) -> str:
    return url_for(HOMES.get(role, "web_authoring.matters"))


def _safe_next(target: str | None) -> str | None:
    if not target or not target.startswith("/") or target.startswith("//") or target.rstrip("?") == "/":
        return None
    return target


@bp.route("/")
def login() -> str | Response:
    actor = signed_in()
    if actor is not None and request.args.get("next") is None:
        return redirect(home_of(actor.role))
    return render_template("login.html", next=_safe_next(request.args.get("next")))


@bp.route("/login", methods=["POST"])
def sign_in() -> str | Response:
    check_csrf()
    token = (request.form.get("token") or "").strip()
    if not token:
        flash(t("请粘贴令牌", "paste your token"), "error")
        return redirect(url_for("web_login.login"))
    try:
        identity = state().tokens.identify(token)
    except InvalidToken as exc:
        flash(t("令牌无效：", "the token is refused: ") + str(exc), "error")
        return redirect(url_for("web_login.login"))
    if identity.actor.role is Role.SYSTEM:
        flash(t("系统凭证不能登录页面", "a system token does not sign in to the pages"), "error")
        return redirect(url_for("web_login.login"))
    lang = session.get("lang")
    session.clear()  # a new session id for a new sign-in (no fixation)
    session["token"] = token
    if lang:
        session["lang"] = lang
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")) or home_of(identity.actor.role))


@bp.route("/logout", methods=["POST"])
def sign_out() -> Response:
    check_csrf()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(t("已退出登录", "signed out"), "info")
    return redirect(url_for("web_login.login"))


@bp.route("/lang/<code>")
def switch_language(code: str) -> Response:
    if code in ("zh", "en"):
        session["lang"] = code
    target = request.referrer or ""
    host = request.host_url.rstrip("/")
    path = target[len(host):] if target.startswith(host) else "/"
    return redirect(_safe_next(path) or url_for("web_login.login"))


@bp.route("/web/")
@requires()
def home() -> Response:
    actor = signed_in()
    assert actor is not None
    return redirect(home_of(actor.role))
