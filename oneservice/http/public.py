# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Endpoints without a token: health, readiness, the published catalogue and the published figures.

The catalogue (matters and their one-time notices) is public information: a front desk hands the
same notice to anyone who asks. So are the reform's figures per matter and department (seed 004:
results open to the public): counts and shares only, never a case id, a name or an ID number.
"""

from __future__ import annotations

import logging
from typing import Any

from .. import OneServiceError, notice_data
from .api import Blueprint
from .context import paginate, service
from .problems import HttpProblem
from .schemas import (
    FiguresQuery,
    FiguresSchema,
    HealthSchema,
    LangQuery,
    MatterNoticeSchema,
    MatterSchema,
    PageQuery,
    page_schema,
)

__all__ = ["catalogue", "health"]

log = logging.getLogger("oneservice.http")

PUBLIC: dict[str, Any] = {"security": []}

health = Blueprint("health", __name__, description="Liveness and readiness probes")
catalogue = Blueprint("catalogue", __name__, description="The published catalogue of matters (no token)")

MatterPageSchema = page_schema(MatterSchema, "MatterPage")


@health.route("/healthz")
@health.doc(**PUBLIC)
@health.response(200, HealthSchema)
def healthz() -> dict[str, Any]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@health.route("/readyz")
@health.doc(**PUBLIC)
@health.response(200, HealthSchema)
def readyz() -> dict[str, Any]:
    """Readiness: the catalogue is loaded and the database answers (503 otherwise)."""
    svc = service()
    try:
        with svc.store.transaction(readonly=True):
            pass
    except OneServiceError as exc:
        log.warning("readiness check failed", extra={"fields": {"code": exc.code}})
        raise HttpProblem(
            503, "OS800", "the database does not answer", headers={"Retry-After": "5"}
        ) from None
    return {
        "status": "ready",
        "checks": {"database": svc.store.dialect, "catalogue": f"{len(svc.catalogue.matters)} matters"},
    }


@catalogue.route("/matters")
@catalogue.doc(**PUBLIC)
@catalogue.arguments(PageQuery, location="query")
@catalogue.response(200, MatterPageSchema)
def matters(query: dict[str, Any]) -> dict[str, Any]:
    """The matters (一件事) this server runs, with their trip budget and promise."""
    cat = service().catalogue
    rows = []
    for matter_id, plan in sorted(cat.plans.items()):
        m = plan.matter
        rows.append(
            {
                "id": matter_id,
                "version": m.version,
                "name_zh": m.name.zh,
                "name_en": m.name.en,
                "content_hash": plan.content_hash,
                "items": [i.code for i in plan.items],
                "departments": list(plan.departments),
                "intake_channels": sorted(c.value for c in m.intake_channels),
                "trip_budget": plan.trips.budget,
                "trips_best": plan.trips.best,
                "trips_worst": plan.trips.worst,
                "promise": {"value": m.promise.value, "unit": m.promise.unit.value},
            }
        )
    return paginate(rows, query)


@catalogue.route("/matters/<ident:matter_id>/notice")
@catalogue.doc(**PUBLIC)
@catalogue.arguments(LangQuery, location="query")
@catalogue.response(200, MatterNoticeSchema)
def matter_notice(query: dict[str, Any], matter_id: str) -> dict[str, Any]:
    """The one-time notice (一次性告知) of a matter: materials, form, departments, trips, limits."""
    return notice_data(service().catalogue, matter_id, query["lang"])


PUBLISHED = ("matter", "department")


@catalogue.route("/public/figures")
@catalogue.doc(**PUBLIC)
@catalogue.arguments(FiguresQuery, location="query")
@catalogue.response(200, FiguresSchema)
def public_figures(query: dict[str, Any]) -> dict[str, Any]:
    """The published figures (docs/supervision.md) per matter or department: no personal data."""
    from ..supervision import Supervision

    start, end, by = query.get("from_"), query.get("to"), query["by"]
    if start and end and end < start:
        raise HttpProblem(422, "OS620", f"the period ends ({end}) before it starts ({start})", field="to")
    report = Supervision(service()).report(start, end, by)
    data = report.to_dict()
    return {
        "from": data["from"], "to": data["to"], "by": by, "generated_at": data["generated_at"],
        "total": data["total"], "groups": data["groups"], "catalogue": data["catalogue"],
    }
