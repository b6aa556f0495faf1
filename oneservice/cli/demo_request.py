"""``oneservice demo request`` (or ``--request``): one 12345 request end to end on a SQLite file,
simulated clock, printed as the requester's timeline.

A neighbour phones the hotline about building work at night. The hotline system takes the
complaint in (登记) with the district the requester names; the platform dispatches it (派单) to
that district's city management, which returns it (退单: the site lies in the next district); the
platform re-dispatches it (转派) there; the department acknowledges (签收) and answers (答复) the
next working day; the supervision scan finds nothing overdue; the platform calls the requester
back (回访): resolved and satisfied, which closes the request (办结).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["REQUEST_STEPS", "run_request_demo"]

REQUEST_STEPS: dict[str, tuple[str, str]] = {
    "RequestReceived": ("登记", "Taken in"),
    "RequestDispatched": ("派单", "Dispatched"),
    "RequestReturned": ("退单", "Returned"),
    "RequestAcknowledged": ("签收", "Acknowledged"),
    "RequestAnswered": ("答复", "Answered"),
    "RequestCalledBack": ("回访", "Called back"),
    "RequestReopened": ("重办", "Reopened"),
    "RequestClosed": ("办结", "Closed"),
    "RequestEscalated": ("督办", "Escalated"),
}
"""The name of each step of a request's timeline, in Chinese and English."""

_REDISPATCHED = ("转派", "Re-dispatched")


def run_request_demo(workflows: tuple[str, ...], db: str, lang: str = "zh",
                     start: dt.datetime | None = None) -> list[str]:
    """Run the demo request; return the printed lines."""
    from .. import TZ, Actor, OneService, Role, SimulatedClock
    from ..domain.requests import Contact
    from ..store.schema import open_schema
    from ..supervision import Supervision
    from .options import catalogue_cache, database_url

    clock = SimulatedClock(start or dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))  # a Monday
    service = OneService.open(workflows, database_url(db), clock=clock, migrate=False,
                              catalogue_cache=catalogue_cache())
    open_schema(service.store)  # created when new; OS730 when behind (oneservice migrate --db …)
    catalogue = service.catalogue
    hotline = Actor(Role.SYSTEM, "hotline-12345")  # the hotline system (token scope hotline)
    desk = Actor(Role.CLERK, "desk-12345", location=next(iter(sorted(catalogue.locations))))
    supervisor = Actor(Role.SUPERVISOR, "supervisor-01")
    view = service.take_in_request(
        hotline, kind="complaint", channel="hotline", category="noise-nuisance",
        contact=Contact("王五", "13700005678"), content="小区旁工地每晚十点后仍在施工，噪音很大",
        regions={"incident_region": "330106"})
    rid = view.request.id
    first = service.dispatch_request(desk, rid).request.department or ""
    clock.advance(hours=1)
    wrong = Actor(Role.REVIEWER, f"handler-{first}", department=first)
    service.return_request(wrong, rid, reason="工地位于上城区，不属本区管辖")
    clock.advance(minutes=30)
    right = "sc-cgj"
    service.dispatch_request(desk, rid, department=right, note="按退单理由转派上城区城管局")
    handler = Actor(Role.REVIEWER, f"handler-{right}", department=right)
    clock.advance(hours=1)
    service.acknowledge_request(handler, rid)
    clock.advance_working_days(1, service.calendar)
    scan = Supervision(service).scan()
    service.answer_request(handler, rid, result="已现场核查，责令施工单位22时后停止作业并处罚款",
                           note="已到现场处理，工地夜间已停工")
    clock.advance(hours=2)
    service.call_back_request(desk, rid, resolved=True, satisfaction="satisfied")
    request = service.get_request(supervisor, rid).request
    progress = service.request_progress(rid)
    zh = lang == "zh"
    category = catalogue.request_category(request.category)
    lines = [
        f"{'诉求' if zh else 'Request'} {rid} — {category.name.get(lang)} ({request.category}, "
        f"{request.kind.label.zh if zh else request.kind.label.en}, "
        f"{request.channel.label.zh if zh else request.channel.label.en})",
        f"{'诉求人' if zh else 'Requester'}: {progress.contact.name} {progress.contact.phone}",
        f"{'内容' if zh else 'Content'}: {progress.content}",
        f"{'数据库' if zh else 'Database'}: {db}",
        "",
    ]
    redispatch = False
    for node in progress.nodes:
        zh_name, en_name = REQUEST_STEPS.get(node.type, (node.type, node.type))
        if node.type == "RequestDispatched" and redispatch:
            zh_name, en_name = _REDISPATCHED
        redispatch = redispatch or node.type == "RequestReturned"
        department = catalogue.departments.get(node.department or "")
        where = f" [{department.name.get(lang)}]" if department is not None else ""
        note = f" — {node.note}" if node.note else ""
        lines.append(f"  {node.at:%Y-%m-%d %H:%M}  {zh_name if zh else en_name}{where}{note}")
    lines.append("")
    lines.append(("办理结果" if zh else "Result") + f": {progress.result}")
    satisfaction = request.satisfaction
    word = "" if satisfaction is None else (satisfaction.label.zh if zh else satisfaction.label.en.lower())
    resolved = ("已解决" if zh else "resolved") if request.resolved else ("未解决" if zh else "not resolved")
    lines.append(("回访" if zh else "Callback") + f": {resolved}, {word}")
    returns = ", ".join(f"{d} × {n}" for d, n in request.returns.items())
    lines.append(("退单" if zh else "Returns") + f": {returns}")
    lines.append(f"预警：黄牌 {scan.request_yellow}，红牌 {scan.request_red}" if zh else
                 f"Warnings: {scan.request_yellow} yellow, {scan.request_red} red")
    state = request.state.label.zh if zh else request.state.label.en
    lines.append(("状态" if zh else "State") + f": {state}")
    service.store.dispose()
    return lines
