"""What every page of the web front shares: the signed-in actor, the language, CSRF, scoping,
errors.

A page's blueprint is made with :func:`web_blueprint`; before each of its requests the session
cookie's token is verified again (a revoked or expired token signs the user out on the next
click), ``g.actor`` / ``g.region`` are set as the HTTP API sets them, and a ``POST`` must carry
the session's CSRF token (``<input type="hidden" name="csrf">``, :func:`csrf_token`). Pages are
scoped like the API: :func:`scoped_case` answers a case outside the caller's scope exactly as a
case that does not exist, and counts the refusal in the audit log.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .. import Actor, Case, CaseNotFound, OneServiceError, Role
from ..http.auth import InvalidToken
from ..http.context import service, state
from ..http.language import localise
from ..http.problems import problem_from_error
from ..http.scope import case_refusal, record_refusal

__all__ = [
    "LANGUAGES",
    "back",
    "csrf_token",
    "current_actor",
    "error_page",
    "error_text",
    "install_error_pages",
    "language",
    "requires",
    "scoped_case",
    "signed_in",
    "t",
    "web_blueprint",
]

LANGUAGES = ("zh", "en")
F = TypeVar("F", bound=Callable[..., Any])


def language() -> str:
    """The page's language: the session's choice (``/lang/en``), Chinese first."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "zh"


def t(zh: str, en: str) -> str:
    """The text in the page's language."""
    return en if language() == "en" else zh


def csrf_token() -> str:
    """The session's CSRF token (made on first use); every form posts it back as ``csrf``."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """400 unless a ``POST`` carries the session's CSRF token (form field or ``X-CSRF-Token``)."""
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description=t("表单已过期或来源不明（CSRF），请刷新页面后重试",
                                 "the form has expired or did not come from this site (CSRF); "
                                 "reload the page and try again"))


def signed_in() -> Actor | None:
    """The actor of the session's token, verified again now (``None``: not signed in; a token
    revoked or expired since ends the session)."""
    if "actor" in g:
        actor: Actor = g.actor
        return actor
    token = session.get("token")
    if not isinstance(token, str):
        return None
    try:
        identity = state().tokens.identify(token)
    except InvalidToken as exc:
        session.pop("token", None)
        flash(t("登录已失效，请重新登录：", "Your sign-in has ended; sign in again: ") + str(exc), "error")
        return None
    if identity.actor.role is Role.SYSTEM:
        session.pop("token", None)
        return None
    g.actor = identity.actor
    g.token_id = identity.token_id
    g.region = identity.region
    g.scopes = identity.scopes
    return identity.actor


def current_actor() -> Actor:
    actor = signed_in()
    assert actor is not None, "a page behind requires() runs signed in"
    return actor


def requires(*roles: Role) -> Callable[[F], F]:
    """The view needs a signed-in actor of one of ``roles`` (none given: any role); otherwise the
    login page (not signed in) or 403 (another role)."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            actor = signed_in()
            if actor is None:
                return redirect(url_for("web_login.login", next=request.full_path.rstrip("?")))
            if roles and actor.role not in roles:
                abort(403, description=t("此页面不属于您的岗位", "this page is not for your role"))
            return view(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap


def scoped_case(case_id: str) -> Case:
    """The case, if the signed-in actor's scope holds it (as ``/cases/{id}`` of the API); else
    :class:`CaseNotFound`, the same as for a case that does not exist."""
    actor = current_actor()
    svc = service()
    with svc.store.transaction(readonly=True) as tx:
        case = tx.get_case(case_id)
    reason = case_refusal(actor, g.get("region"), case)
    if reason is not None:
        record_refusal(actor, case_id, reason)
        raise CaseNotFound(case_id)
    return case


def error_text(exc: OneServiceError) -> str:
    """The error as a clerk reads it: its code and the detail in the page's language."""
    body = localise(problem_from_error(exc), language())
    return f"{body.get('title', '')} ({exc.code}): {body.get('detail', str(exc))}"


def back(default: str) -> Response:
    """Back to the page the form was on (same site only), else ``default``."""
    target = request.form.get("back") or default
    if not target.startswith("/") or target.startswith("//"):
        target = default
    return redirect(target)


TITLES = {400: ("请求有误", "Bad request"), 403: ("无权访问", "Not allowed"), 404: ("未找到", "Not found"),
          409: ("冲突", "Conflict"), 413: ("内容过大", "Too large"), 422: ("输入有误", "Invalid input"),
          500: ("服务器内部错误", "Server error")}


def error_page(status: int, detail: str, name: str = "") -> tuple[str, int]:
    """The error page of ``status`` in the page's language."""
    zh, en = TITLES.get(status, (str(status), name or str(status)))
    return render_template("error.html", status=status, title=t(zh, en), detail=detail), status


def install_error_pages(bp: Blueprint) -> None:
    """HTTP errors inside the web front as pages, in the page's language (the API keeps its
    problem details)."""

    @bp.errorhandler(HTTPException)
    def _page(exc: HTTPException) -> tuple[str, int]:
        return error_page(exc.code or 500, exc.description or "", exc.name)


def web_blueprint(name: str, import_name: str, url_prefix: str = "/web") -> Blueprint:
    """A blueprint of the web front: CSRF on every POST, library errors shown on the page."""
    bp = Blueprint(f"web_{name}", import_name, url_prefix=url_prefix, template_folder="templates")

    @bp.before_request
    def _guard() -> None:
        if request.method == "POST":
            check_csrf()

    install_error_pages(bp)

    @bp.errorhandler(OneServiceError)
    def _error(exc: OneServiceError) -> Any:
        # an error handler answers with the page itself: an HTTPException raised in a handler is
        # not handled again (Flask answers 500)
        if isinstance(exc, CaseNotFound):
            return error_page(404, error_text(exc))
        if request.method == "POST":
            flash(error_text(exc), "error")
            return back(request.path)
        status = int(problem_from_error(exc).get("status", 500))
        return error_page(status if status in (400, 403, 404, 409, 422) else 500, error_text(exc))

    return bp

