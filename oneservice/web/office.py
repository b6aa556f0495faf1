"""The back office (后台审批): the department's worklist and the review actions."""

from __future__ import annotations

from flask import render_template

from .. import Role
from .base import requires, web_blueprint

__all__ = ["bp"]

bp = web_blueprint("office", __name__)


@bp.route("/office")
@requires(Role.REVIEWER)
def worklist() -> str:
    return render_template("office/worklist.html")
