"""Steps of the 12345 loop: a citizen's request (诉求) taken in, dispatched (派单), returned (退单),
answered (答复), called back (回访), reopened (重办) and closed (办结), and its figures.

The platform's steps act as the clerk of the 12345 platform (there is no dispatcher role), the
department's as the reviewer of the department the request is dispatched to now. The requester
is the scenario's applicant (their name, and the phone number 13800138000).
"""

from __future__ import annotations

from oneservice import Actor, Role
from oneservice.domain.requests import Contact, RequestKind, RequestState, Satisfaction, Urgency
from oneservice.engine.request_clock import add_working_hours
from oneservice.service.requests import RequestView

from .library import step_def
from .names import Entry, ScenarioProblem, known, lookup, split_list
from .world import World

SECTION = "12345 requests"
CHECKS = "12345 requests: checks"

RESOLVED_WORDS = {"resolved": True, "not resolved": False, "unresolved": False, "已解决": True,
                  "未解决": False}
TIMELINESS = {"on time": True, "in time": True, "late": False, "按时": True, "未超时": True,
              "超时": False, "逾期": False}
COLOURS = {"green": "green", "yellow": "yellow", "red": "red", "绿": "green", "绿灯": "green",
           "正常": "green", "黄": "yellow", "黄灯": "yellow", "黄牌": "yellow", "黄牌预警": "yellow",
           "红": "red", "红灯": "red", "红牌": "red", "红牌超期": "red"}
NODES = {
    "RequestReceived": ("received", "已登记", "登记", "受理"),
    "RequestDispatched": ("dispatched", "派单", "已派单", "转派", "re-dispatched"),
    "RequestReturned": ("returned", "退单", "已退单"),
    "RequestAcknowledged": ("acknowledged", "签收", "已签收"),
    "RequestAnswered": ("answered", "答复", "已答复"),
    "RequestCalledBack": ("called back", "回访", "已回访"),
    "RequestReopened": ("reopened", "重办", "重新办理"),
    "RequestClosed": ("closed", "办结", "已办结"),
}
FIGURES = {
    "resolution_rate": ("resolution rate", "诉求解决率", "解决率"),
    "satisfaction_rate": ("satisfaction rate", "群众满意率", "满意率"),
    "return_rate": ("return rate", "退单率"),
    "reopen_rate": ("reopen rate", "重办率"),
    "on_time_acknowledgement": ("on-time acknowledgement", "按时签收率"),
    "on_time_answer": ("on-time answer", "按时答复率"),
}
REQUESTER_PHONE = "13800138000"


def _word(table: dict[str, object], text: str, what: str) -> object:
    wanted = text.strip()
    if wanted in table:
        return table[wanted]
    if wanted.casefold() in table:
        return table[wanted.casefold()]
    raise ScenarioProblem(f"unknown {what} {text!r} — known: {known(table)}")


def _labelled(kind: str, cls: type[RequestKind] | type[RequestState] | type[Satisfaction] | type[Urgency],
              text: str) -> str:
    """A value of a labelled enum by its id, Chinese or English label."""
    entries = [Entry(str(m), m.label.zh, m.label.en) for m in cls]
    return lookup(kind, text, entries).id


def _category(world: World, text: str) -> str:
    entries = [Entry(c.id, c.name.zh, c.name.en) for c in world.catalogue.request_categories.values()]
    return lookup("request category", text, entries).id


def _region(world: World, text: str) -> str:
    entries = [Entry(r.code, r.name.zh, r.name.en) for r in world.catalogue.regions]
    return lookup("region", text, entries).id


def platform(world: World) -> Actor:
    """The 12345 platform's handler (a clerk: the platform side has no role of its own)."""
    return Actor(Role.CLERK, "hotline-01")


def department_handler(world: World) -> Actor:
    """The handler of the department the request is dispatched to now."""
    department = world.service.get_request(platform(world), world.request).request.department
    if department is None:
        raise ScenarioProblem(f"request {world.request} is dispatched to no department now (it is "
                              f"{world.service.get_request(platform(world), world.request).request.state})")
    return world.reviewer(department)


def view(world: World) -> RequestView:
    return world.service.get_request(platform(world), world.request)


# ---------------------------------------------------------------------- actions


def _take_in(world: World, kind: str, category: str, *, area: str | None = None, urgency: str | None = None,
             about_case: bool = False, item: str | None = None) -> None:
    category_id = _category(world, category)
    regions: dict[str, str] = {}
    if area:
        route = world.catalogue.request_routes.get(category_id)
        if route is None or route.field is None:
            raise ScenarioProblem(f"category {category_id} is not routed by an area: leave out the area")
        regions[route.field] = _region(world, area)
    kind_id = _labelled("request kind", RequestKind, kind)
    content = f"{RequestKind(kind_id).label.zh}：{world.catalogue.request_categories[category_id].name.zh}"
    result = world.service.take_in_request(
        platform(world), kind=kind_id, channel="hotline", category=category_id,
        contact=Contact(world.the_applicant().name, REQUESTER_PHONE), content=content,
        urgency=_labelled("urgency", Urgency, urgency) if urgency else "normal", regions=regions,
        case_id=world.case if about_case else None, item=world.item(item) if item else None)
    world.request_id = result.request.id


@step_def("action", SECTION,
          'the hotline takes in a "{kind}" of "{category}"[ from the area "{area}"][ as "{urgency}"]',
          '12345热线 受理 "{category}" 类 "{kind}" 诉求[，所在区域 "{area}"][，紧急程度 "{urgency}"]')
def takes_in(world: World, kind: str, category: str, area: str | None, urgency: str | None) -> None:
    """The hotline takes in the applicant's request (咨询/求助/投诉/建议/表扬, by id or label) of a
    category of ``workflows/requests/`` (id or name), normal unless ``urgent`` (紧急). ``from the
    area``: the region (code or name) the category's routing rule reads. The request becomes the
    scenario's current request."""
    _take_in(world, kind, category, area=area, urgency=urgency)


@step_def("action", SECTION,
          'the hotline takes in a "{kind}" of "{category}" about[ "{item}" of] the case',
          '12345热线 受理 "{category}" 类 "{kind}" 诉求，涉及本办件[的事项 "{item}"]')
def takes_in_about_case(world: World, kind: str, category: str, item: str | None) -> None:
    """A request about the open case (a complaint about a 办件): attributed to that case's item
    (named when the case has several) and routed to the item's department in the case."""
    _take_in(world, kind, category, about_case=True, item=item)


@step_def("action", SECTION,
          'the hotline (dispatches|re-dispatches) the request[ to "{department}"]',
          '12345平台 (派单|重新派单)[ 至 "{department}"]')
def dispatches(world: World, department: str | None) -> None:
    """派单: to the department the category's rule (or the case) names, or, after a return, to the
    department named (id or name)."""
    target = world.names.department(department) if department else None
    world.service.dispatch_request(platform(world), world.request, department=target)


@step_def("action", SECTION,
          'the department returns the request because "{reason}"',
          '承办部门 退单，理由 "{reason}"')
def returns(world: World, reason: str) -> None:
    """退单: the department the request is dispatched to returns it to the platform with the
    reason (internal: the requester does not read it)."""
    world.service.return_request(department_handler(world), world.request, reason=reason)


@step_def("action", SECTION,
          "the department acknowledges the request",
          "承办部门 签收诉求")
def acknowledges(world: World) -> None:
    """签收, judged against the acknowledgement limit of the category for the request's urgency."""
    world.service.acknowledge_request(department_handler(world), world.request)


@step_def("action", SECTION,
          'the department answers "{result}"[ with the note "{note}"]',
          '承办部门 答复 "{result}"[，公开说明 "{note}"]')
def answers(world: World, result: str, note: str | None) -> None:
    """答复: the result (办理结果) and a public note for the requester (the result if none),
    judged against the answer limit: on time or late by the world's clock."""
    world.service.answer_request(department_handler(world), world.request, result=result, note=note)


@step_def("action", SECTION,
          "{n:int} working hour[s] pass[es]",
          "过了 {n:int} 个工作小时")
def working_hours_pass(world: World, n: int) -> None:
    """Move the clock n hours of the office day (09:00–17:00 on working days) forward."""
    world.clock.set(add_working_hours(world.service.calendar, world.clock.now(), n).at)


@step_def("action", SECTION,
          'the hotline calls the requester back: "{resolved}", "{satisfaction}"',
          '12345平台 回访："{resolved}"，"{satisfaction}"')
def calls_back(world: World, resolved: str, satisfaction: str) -> None:
    """回访: resolved / not resolved (已解决/未解决) and satisfied / basically satisfied /
    dissatisfied (满意/基本满意/不满意). Resolved and content closes the request; anything else
    reopens it (重办, back to the department that answered) while the policy allows
    (``request_reopens``), and closes it with that word once the reopens are used up."""
    word = bool(_word(dict(RESOLVED_WORDS), resolved, "callback result"))
    world.service.call_back_request(platform(world), world.request, resolved=word,
                                    satisfaction=_labelled("satisfaction", Satisfaction, satisfaction))


@step_def("action", SECTION,
          'the supervisor orders the request reopened because "{reason}"',
          '督查人员 督办重办诉求，理由 "{reason}"')
def orders_reopened(world: World, reason: str) -> None:
    """督办重办: a supervisor orders a closed request redone whose last callback was unresolved or
    dissatisfied (past the policy's reopens); back to the department that answered, with fresh
    limits. Resolved and content: RequestReopenLimit (OS766), nothing to redo."""
    world.service.reopen_request(world.supervisor(), world.request, reason=reason)


@step_def("action", SECTION,
          'the supervisor escalates the request: "{note}"',
          '督查人员 督办诉求："{note}"')
def escalates(world: World, note: str) -> None:
    """督办 of a yellow or red request, with the note the department reads."""
    world.service.escalate_request(world.supervisor(), world.request, note=note)


# ---------------------------------------------------------------------- checks


@step_def("check", CHECKS,
          'the request is "{state}"',
          '诉求状态为 "{state}"')
def request_state(world: World, state: str) -> None:
    """The request's state, by id or label (dispatched, 已退单 …)."""
    expected = _labelled("request state", RequestState, state)
    actual = view(world).request.state
    if actual != expected:
        world.fail(f"expected the request to be {expected!r}, but it is {str(actual)!r} "
                   f"({actual.label.zh} / {actual.label.en})")


@step_def("check", CHECKS,
          'the request is with "{department}"',
          '诉求承办部门为 "{department}"')
def request_department(world: World, department: str) -> None:
    """The department the request is dispatched to now (id or name)."""
    expected = world.names.department(department)
    actual = view(world).request.department
    if actual != expected:
        world.fail(f"expected the request to be with {expected}, but it is with {actual or 'no department'}")


@step_def("check", CHECKS,
          'the request\'s colour is "{colour}"',
          '诉求预警状态为 "{colour}"')
def request_colour(world: World, colour: str) -> None:
    """The colour of the step now due (acknowledgement, then answer): green, yellow (no more than a
    fifth of the limit, at least a working hour, left) or red (overdue); 绿/黄牌/红牌."""
    expected = _word(dict(COLOURS), colour, "colour")
    actual = view(world).colour
    if actual != expected:
        world.fail(f"expected the request's colour {expected!r}, but it is {actual!r}")


@step_def("check", CHECKS,
          'the answer was "{timeliness}"',
          '答复时效为 "{timeliness}"')
def answer_timeliness(world: World, timeliness: str) -> None:
    """The latest answer came on time or late (按时/超时) against its due time."""
    expected = bool(_word(dict(TIMELINESS), timeliness, "timeliness"))
    answers = [e for e in world.service.request_events(world.request) if e.type == "RequestAnswered"]
    if not answers:
        world.fail("the request has no answer yet")
    if answers[-1].on_time is not expected:
        world.fail(f"expected the answer {'on time' if expected else 'late'}, but it came "
                   f"{'on time' if answers[-1].on_time else 'late'} (at {answers[-1].at:%Y-%m-%d %H:%M}, "
                   f"due {view(world).request.answer_due:%Y-%m-%d %H:%M})")


@step_def("check", CHECKS,
          "the request was reopened {n:int} time[s]",
          "诉求已重办 {n:int} 次")
def reopened_times(world: World, n: int) -> None:
    """The number of reopens (重办) of the request."""
    actual = view(world).request.reopens
    if actual != n:
        world.fail(f"expected {n} reopen(s), but the request was reopened {actual} time(s)")


@step_def("check", CHECKS,
          "the request was returned {n:int} time[s]",
          "诉求已退单 {n:int} 次")
def returned_times(world: World, n: int) -> None:
    """The number of returns (退单) of the request, by every department."""
    returns = view(world).request.returns
    if sum(returns.values()) != n:
        world.fail(f"expected {n} return(s), but the request was returned {sum(returns.values())} "
                   f"time(s): {dict(returns)}")


def _node(text: str) -> str:
    wanted = text.strip()
    for event_type, words in NODES.items():
        if wanted == event_type or wanted.casefold() in words:
            return event_type
    raise ScenarioProblem(f"unknown progress node {text!r} — known: "
                          + ", ".join(f"{t} ({'/'.join(w[:2])})" for t, w in NODES.items()))


@step_def("check", CHECKS,
          'the requester\'s progress shows "{nodes}"',
          '诉求人查询进度依次为 "{nodes}"')
def progress_nodes(world: World, nodes: str) -> None:
    """The requester's progress (来电内容、办理节点、办理结果) lists exactly these nodes in order
    (received, dispatched, returned, acknowledged, answered, called back, reopened, closed, or
    已登记、派单、退单、签收、答复、回访、重办、办结); the escalation is internal, and the phone number
    is masked."""
    expected = [_node(part) for part in split_list(nodes)]
    progress = world.service.request_progress(world.request)
    actual = [n.type for n in progress.nodes]
    if actual != expected:
        world.fail(f"expected the progress nodes {expected}, but they are {actual}")
    if progress.contact.phone == REQUESTER_PHONE:
        world.fail("the requester's progress shows the whole phone number")


def _percent(text: str) -> float | None:
    value = text.strip().removesuffix("%").strip()
    if value in ("none", "无", "-", "—"):
        return None
    try:
        return round(float(value) / 100, 4)
    except ValueError:
        raise ScenarioProblem(f"{text!r} is not a share: write it as 50% or 66.67% (or none)") from None


@step_def("check", CHECKS,
          'the 12345 figure "{figure}"[ of "{department}"] is "{value}"',
          '12345统计 "{figure}"[（部门 "{department}"）] 为 "{value}"')
def figure_is(world: World, figure: str, value: str, department: str | None) -> None:
    """A figure of ``OneService.request_figures`` (docs/supervision.md, "12345 requests"), over all
    requests or for one department: 诉求解决率, 群众满意率, 退单率, 重办率, 按时签收率 or 按时答复率, as a
    percentage to two decimals (``none`` when nothing is counted)."""
    name = next((key for key, words in FIGURES.items()
                 if figure.strip() == key or figure.strip().casefold() in words), None)
    if name is None:
        raise ScenarioProblem(f"unknown 12345 figure {figure!r} — known: "
                              + ", ".join(f"{k} ({'/'.join(w)})" for k, w in FIGURES.items()))
    if department:
        key = world.names.department(department)
        groups = world.service.request_figures(by="department")
    else:
        key, groups = "all", world.service.request_figures()
    group = groups.get(key)
    actual = None if group is None else getattr(group, name)
    expected = _percent(value)
    if actual != expected:
        shown = "none" if actual is None else f"{actual * 100:.2f}%"
        world.fail(f"expected {name} {value}{f' of {key}' if department else ''}, but it is {shown}")
