"""The supervisor (督查): warnings, figures, appeals and extensions, calendars."""

from __future__ import annotations

from flask import render_template

from .. import Role
from .base import requires, web_blueprint

__all__ = ["bp"]

bp = web_blueprint("supervise", __name__)


@bp.route("/supervision")
@requires(Role.SUPERVISOR)
def warnings() -> str:
    return render_template("supervise/warnings.html")


@bp.route("/supervision/figures")
@requires(Role.SUPERVISOR)
def figures() -> str:
    return render_template("supervise/figures.html")


@bp.route("/supervision/appeals")
@requires(Role.SUPERVISOR)
def appeals() -> str:
    return render_template("supervise/appeals.html")


@bp.route("/supervision/calendars")
@requires(Role.SUPERVISOR)
def calendars() -> str:
    return render_template("supervise/calendars.html")
