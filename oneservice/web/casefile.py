"""The case file (办件档案): one page per case for everyone whose scope holds it.

The header shows what the counter promises: the state, the trips made against the budget
(最多跑一次) and the deadline with its colour. Below: the parties (ID numbers masked), each item
with its department, state and due date, the materials, the form, the results and how they
came, and the history. Each role's actions are a panel of its own module (``desk``, ``office``,
``applicant``), included here.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from .. import Case, Role
from ..domain.case import MaterialStatus
from ..engine.labels import event_label
from ..http.context import service
from .base import current_actor, requires, scoped_case, t, web_blueprint
from .codes import progress_code

__all__ = ["bp", "case_view"]

bp = web_blueprint("case", __name__)


def _name(text: Any) -> str:
    return t(text.zh, text.en) if text is not None else ""


def case_view(case: Case) -> dict[str, Any]:
    """What every page of a case shows, in the page's language."""
    svc = service()
    engine = svc.engine(case.definition_hash)
    actor = current_actor()
    summary = svc.runner.summary(case, engine, actor)
    names = engine.department_names
    today = svc.clock.today()
    from ..service.views import supervision_colour

    tasks = []
    for code, task in case.tasks.items():
        item = engine.items.get(code)
        tasks.append({
            "code": code,
            "name": _name(item.name) if item else code,
            "department": task.department,
            "department_name": _name(names.get(task.department)) or task.department,
            "state": str(task.state),
            "state_label": _name(task.state.label),
            "due": task.due.isoformat() if task.due else None,
            "provisional": task.due_provisional,
            "colour": str(supervision_colour(task.due, today, svc.calendar, done=task.concluded,
                                             yellow_days=svc.yellow_days)),
            "reason": task.reason,
            "reviewer": task.reviewer,
            "extension_request": task.extension_request,  # the pending 延期申请, if any
            "legal": case.deadlines.get(("item_legal", code)),  # its legal limit (延期 moves it)
        })
    materials = []
    for mid, record in case.materials.items():
        material = _material(engine, mid)
        materials.append({
            "id": mid,
            "name": _name(material.name) if material is not None else mid,
            "status": t(*MATERIAL_STATUS.get(record.status, (str(record.status),) * 2)),
            "channel": record.channel,
            "due": record.due.isoformat() if record.due else None,
            "provisional": record.due_provisional,
        })
    fields = {f.id: f for f in engine.form_fields}
    form = [{"id": key, "label": _name(fields[key].label) if key in fields else key,
             "value": _shown(fields.get(key), value)} for key, value in case.form.items()]
    events = [{"at": e.at, "type": e.type, "label": _name(event_label(e.type)), "actor": e.actor,
               "department": e.data.get("department"), "note": e.data.get("reason") or e.data.get("note"),
               "public": e.public} for e in _events(case)]
    return {
        "case": case,
        "summary": summary,
        "matter_name": _name(engine.matter.name),
        "state_label": _name(case.state.label),
        "tasks": tasks,
        "materials": materials,
        "form": form,
        "events": events,
        "deliveries": case.deliveries,
        "budget": engine.matter.trip_budget,
        "trips": case.trips,
        "code": progress_code(case.id) if actor.role in (Role.CLERK, Role.APPLICANT, Role.AGENT) else None,
    }


def _shown(field: Any, value: Any) -> Any:
    """A form value as a page may show it: a resident ID number masked."""
    from ..domain.definitions import FieldType
    from ..http.auth import mask_id

    if field is not None and field.type is FieldType.RESIDENT_ID and isinstance(value, str) and value:
        return mask_id(value)
    return value


MATERIAL_STATUS = {
    MaterialStatus.RECEIVED: ("已收取", "received"),
    MaterialStatus.OWED: ("容缺待补", "owed"),
    MaterialStatus.PRODUCED: ("由前序事项产生", "produced by an earlier item"),
    MaterialStatus.SHARED: ("数据共享获取", "fetched from shared data"),
    MaterialStatus.PENDING: ("待前序事项产生", "awaiting an earlier item"),
}
"""The words of a material's status on the case file."""


def _material(engine: Any, material_id: str) -> Any:
    """The material's definition: a line the applicant brings, or one not needed (shared data,
    an earlier item's result), or any item's material of that id."""
    line = engine.lines.get(material_id)
    if line is not None:
        return line.material
    excluded = engine.excluded.get(material_id)
    if excluded is not None:
        return excluded.material
    return next((m for item in engine.items.values() if (m := item.material(material_id)) is not None), None)


def _events(case: Case) -> list[Any]:
    with service().store.transaction(readonly=True) as tx:
        return list(tx.events(case.id))


@bp.route("/cases/<case_id:case_id>")
@requires(Role.CLERK, Role.REVIEWER, Role.SUPERVISOR, Role.APPLICANT, Role.AGENT)
def case_file(case_id: str) -> str:
    case = scoped_case(case_id)
    return render_template("case.html", **case_view(case))
