"""The workflow author (事项目录): matters, items, notices, diagrams, trip proofs, findings."""

from __future__ import annotations

from flask import render_template

from .base import requires, web_blueprint

__all__ = ["bp"]

bp = web_blueprint("authoring", __name__)


@bp.route("/catalogue")
@requires()
def matters() -> str:
    return render_template("authoring/matters.html")
