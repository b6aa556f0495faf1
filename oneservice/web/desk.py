"""The front desk (综合窗口): the window queue, a new case, the form, the notice, acceptance, hand-over."""

from __future__ import annotations

from flask import render_template

from .. import Role
from .base import requires, web_blueprint

__all__ = ["bp"]

bp = web_blueprint("desk", __name__)


@bp.route("/desk")
@requires(Role.CLERK)
def queue() -> str:
    return render_template("desk/queue.html")


@bp.route("/desk/new")
@requires(Role.CLERK)
def new_case() -> str:
    return render_template("desk/new_case.html")
