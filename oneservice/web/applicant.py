"""The applicant (申请人): my cases, a case's progress, rating; the public progress page."""

from __future__ import annotations

from flask import render_template

from .. import Role
from .base import requires, web_blueprint

__all__ = ["bp"]

bp = web_blueprint("applicant", __name__, url_prefix="")


@bp.route("/web/mine")
@requires(Role.APPLICANT, Role.AGENT)
def mine() -> str:
    return render_template("applicant/mine.html")


@bp.route("/progress", endpoint="public_progress")
def public_progress() -> str:
    return render_template("applicant/public_progress.html")
