"""The rules of 12345 requests (诉求): intake, dispatch (派单), return (退单), acknowledgement (签收),
answer (答复), callback (回访) — which reopens (重办) or closes (办结) the request by itself, as
the policy says — a supervisor's order to redo a closed request, and escalation (督办).

Each action checks, in this order, the actor's role (:class:`RequestNotAuthorised`), the
request's state (:class:`RequestIllegalAction`, e.g. a callback before an answer), the acting
department (:class:`RequestWrongDepartment`) and the action's own values; only then does it move
the state through the shared request machine (:data:`oneservice.engine.machines.MACHINES`) and
record its event. A refused action changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..catalog.catalogue import Catalogue
from ..domain.case import Actor, Case, Role
from ..domain.policy import Policy
from ..domain.regions import NoCompetentDepartment, RouteBy
from ..domain.requests import (
    REQUEST_ACTIONS,
    Contact,
    Request,
    RequestCategory,
    RequestChannel,
    RequestKind,
    RequestState,
    ResponseLimits,
    Satisfaction,
    Urgency,
)
from ..request_errors import (
    RequestIllegalAction,
    RequestInputError,
    RequestNotAuthorised,
    RequestReopenLimit,
    RequestReturnLimit,
    RequestRoutingError,
    RequestWrongDepartment,
    UnknownRequestCategory,
)
from .calendar import WorkCalendar
from .machines import MACHINES
from .request_clock import colour, due_after

__all__ = ["RequestEngine", "allowed_request_actions"]

_DEPARTMENT_ACTIONS = frozenset({"acknowledge", "return_request", "answer"})


def allowed_request_actions(request: Request, actor: Actor) -> list[str]:
    """The actions ``actor``'s role may perform on ``request`` in its state."""
    return [name for name, spec in REQUEST_ACTIONS.items()
            if request.state in spec.sources and actor.role in spec.roles]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _enum(cls: type, value: object, field: str, request_id: str | None = None) -> object:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in cls)  # type: ignore[attr-defined]
        raise RequestInputError(f"{value!r} is not one of {choices}", request_id=request_id,
                                field=field) from None


def _text(value: str | None, field: str, request: Request | None, what: str, limit: int = 4000) -> str:
    text = (value or "").strip()
    rid, state = (request.id, str(request.state)) if request is not None else (None, None)
    if not text:
        raise RequestInputError(f"{what} is required", request_id=rid, state=state, field=field)
    if len(text) > limit:
        raise RequestInputError(f"{what} is longer than {limit} characters", request_id=rid, state=state,
                                field=field)
    return text


class RequestEngine:
    """The rules of requests over one catalogue and calendar; holds no request."""

    def __init__(self, catalogue: Catalogue, calendar: WorkCalendar) -> None:
        self.catalogue = catalogue
        self.calendar = calendar

    # ------------------------------------------------------------------ helpers

    def policy(self, request: Request) -> Policy:
        """The policy of the request's area (or its window's), else the registry's."""
        region = request.area
        location = self.catalogue.locations.get(request.location or "")
        if region is None and location is not None:
            region = location.region
        return self.catalogue.policy.for_region(region)

    def limits(self, request: Request) -> ResponseLimits:
        """The category's limits for the request's urgency (an urgent request of a category without
        urgent limits runs by the normal ones)."""
        category = self.catalogue.request_category(request.category)
        return category.limits.get(request.urgency) or category.limits[Urgency.NORMAL]

    def _check(self, request: Request, action: str, actor: Actor) -> None:
        spec = REQUEST_ACTIONS[action]
        if actor.role not in spec.roles:
            raise RequestNotAuthorised(
                f"{actor.describe()}: a {actor.role.value} may not {spec.label.en.lower()} a request "
                f"({spec.label.zh})", request_id=request.id, state=str(request.state),
                hint="who may: " + ", ".join(sorted(r.value for r in spec.roles)))
        if request.state not in spec.sources:
            raise RequestIllegalAction(action, request_id=request.id, state=str(request.state),
                                       allowed=allowed_request_actions(request, actor))
        if action in _DEPARTMENT_ACTIONS and actor.department is not None \
                and actor.department != request.department:
            raise RequestWrongDepartment(
                f"{actor.department} may not {spec.label.en.lower()} it: the request is dispatched to "
                f"{request.department}", request_id=request.id, state=str(request.state),
                field="department")
        if action in _DEPARTMENT_ACTIONS and actor.role is Role.REVIEWER and actor.department is None:
            raise RequestWrongDepartment("a department handler without a department", request_id=request.id,
                                         state=str(request.state), field="department")

    def _move(self, request: Request, action: str) -> None:
        MACHINES.fire_request(request, action)

    def _department(self, department: str, request: Request | None, field: str = "department") -> str:
        if department not in self.catalogue.departments:
            import difflib

            close = difflib.get_close_matches(department, list(self.catalogue.departments), n=1)
            raise RequestInputError(
                f"unknown department {department!r}", request_id=request.id if request else None,
                state=str(request.state) if request else None, field=field,
                hint=f"did you mean {close[0]!r}?" if close else "a department of the registry")
        return department

    def _competent(self, category: RequestCategory, regions: Mapping[str, str], location: str | None,
                   request_id: str | None = None) -> tuple[str, str | None]:
        """The category's competent department and the area that picked it."""
        if category.routing is None:
            return category.department, None
        route = self.catalogue.request_routes[category.id]
        if route.rule.by is RouteBy.INTAKE:
            region = route.region_of_location(location or "")
            field = "location"
            if region is None:
                raise RequestRoutingError(
                    f"category {category.id} is routed by the window's area and "
                    f"{location or 'a request without a window'} has none", request_id=request_id,
                    field=field, hint="take it in at a window with a region, or give another category")
        else:
            assert route.field is not None
            field = f"regions.{route.field}"
            region = regions.get(route.field)
            if not region:
                raise RequestRoutingError(
                    f"category {category.id} is routed {route.rule.by.label.en}: give {route.field}",
                    request_id=request_id, field=field, hint="the region code of the area (e.g. 330102)")
        try:
            return route.department_for(region), region
        except NoCompetentDepartment as err:
            raise RequestRoutingError(str(err), request_id=request_id, field=field, hint=err.hint) from None

    def _deadlines(self, request: Request, now: dt.datetime) -> None:
        limits = self.limits(request)
        ack = due_after(self.calendar, now, limits.acknowledge)
        answer = due_after(self.calendar, now, limits.answer)
        request.dispatched_at = now
        request.acknowledge_due, request.answer_due = ack.at, answer.at
        request.provisional = ack.provisional or answer.provisional
        request.acknowledged_at = None
        request.answered_at = None
        request.escalated_at = None

    # ------------------------------------------------------------------ actions

    def take_in(self, actor: Actor, request_id: str, now: dt.datetime, *, kind: str, channel: str,
                category: str | None, contact: Contact | None, content: str, urgency: str = "normal",
                location: str | None = None, regions: Mapping[str, str] | None = None,
                case: Case | None = None, item: str | None = None) -> Request:
        """A new request, received: checked whole before anything is kept."""
        if actor.role not in (Role.CLERK, Role.SUPERVISOR, Role.SYSTEM):
            raise RequestNotAuthorised(f"{actor.describe()}: only the 12345 platform takes requests in",
                                       request_id=None, hint="who may: clerk, supervisor, system")
        kind_ = _enum(RequestKind, kind, "kind")
        channel_ = _enum(RequestChannel, channel, "channel")
        urgency_ = _enum(Urgency, urgency, "urgency")
        if not category:
            raise RequestInputError("a request needs a category", request_id=None, field="category",
                                    hint="one of " + ", ".join(sorted(self.catalogue.request_categories)))
        if category not in self.catalogue.request_categories:
            raise UnknownRequestCategory(category, self.catalogue.request_categories)
        definition = self.catalogue.request_categories[category]
        if kind_ not in definition.kinds:
            raise RequestInputError(f"category {category} takes no {kind_}", request_id=None, field="kind",
                                    hint="it takes " + ", ".join(sorted(definition.kinds)))
        if contact is None or not contact.name.strip() or not contact.phone.strip():
            raise RequestInputError("a request needs the requester's name and phone, to call back",
                                    request_id=None, field="contact")
        phone = contact.phone.strip()
        if not (phone.replace("-", "").replace(" ", "").isdigit() and 5 <= len(phone) <= 20):
            raise RequestInputError(f"{phone!r} is not a phone number", request_id=None,
                                    field="contact.phone")
        text = _text(content, "content", None, "the content of the request")
        if location is not None and location not in self.catalogue.locations:
            raise RequestInputError(f"unknown service location {location!r}", request_id=None,
                                    field="location")
        if channel_ is RequestChannel.WINDOW and location is None:
            raise RequestInputError("a request taken in at a window names the window's location",
                                    request_id=None, field="location")
        given = {k: str(v) for k, v in (regions or {}).items()}
        for name, code in given.items():
            if code not in self.catalogue.regions:
                raise RequestRoutingError(f"region {code!r} is not in the registry's list of areas",
                                          request_id=None, field=f"regions.{name}")
        attributed_item = None
        if case is not None:
            attributed_item, competent = self._attributed(case, item)
            area = None
        else:
            if item is not None:
                raise RequestInputError("an item is named only with the case it belongs to", request_id=None,
                                        field="item")
            competent, area = self._competent(definition, given, location)
        request = Request(
            id=request_id, kind=kind_, channel=channel_, category=category,  # type: ignore[arg-type]
            urgency=urgency_, contact=Contact(contact.name.strip(), phone), content=text,  # type: ignore[arg-type]
            received_at=now, location=location, regions=given, area=area,
            case_id=case.id if case is not None else None, item=attributed_item, competent=competent)
        request.record(now, "RequestReceived", actor.describe(), department=competent,
                       note=f"{definition.name.zh} / {definition.name.en}", kind=str(kind_),
                       channel=str(channel_), category=category, urgency=str(urgency_),
                       case_id=request.case_id, item=attributed_item)
        return request

    def _attributed(self, case: Case, item: str | None) -> tuple[str, str]:
        """The item and department of ``case`` a complaint about it is attributed to."""
        if item is None:
            if len(case.tasks) != 1:
                raise RequestInputError(
                    f"case {case.id} has items {', '.join(sorted(case.tasks))}: name the one it is about",
                    request_id=None, field="item")
            item = next(iter(case.tasks))
        task = case.tasks.get(item)
        if task is None:
            raise RequestInputError(f"case {case.id} has no item {item}", request_id=None, field="item",
                                    hint="one of " + ", ".join(sorted(case.tasks)))
        if not task.department:
            raise RequestRoutingError(f"item {item} of case {case.id} has no department yet", request_id=None,
                                      field="item")
        return item, task.department

    def dispatch(self, request: Request, actor: Actor, now: dt.datetime, department: str | None = None,
                 note: str = "") -> None:
        """To the competent department (or ``department``, after a return); the clock starts."""
        self._check(request, "dispatch", actor)
        target = self._department(department, request) if department else request.competent
        again = request.state is RequestState.RETURNED
        self._move(request, "dispatch")
        request.department = target
        self._deadlines(request, now)
        request.record(now, "RequestDispatched", actor.describe(), department=target,
                       note=note.strip() or ("已转派 / re-dispatched" if again else "已派单 / dispatched"),
                       again=again, acknowledge_due=_iso(request.acknowledge_due),
                       answer_due=_iso(request.answer_due))

    def return_request(self, request: Request, actor: Actor, now: dt.datetime, reason: str | None) -> None:
        """The department returns a request that is not its own (退单), with the reason."""
        self._check(request, "return_request", actor)
        text = _text(reason, "reason", request, "a return's reason", 2000)
        department = request.department or ""
        limit = self.policy(request).request_returns
        if request.returns.get(department, 0) >= limit:
            raise RequestReturnLimit(
                f"{department} has returned it {request.returns[department]} time(s) already, the policy "
                f"allows {limit}", request_id=request.id, state=str(request.state),
                hint="handle it, or ask the 12345 platform to coordinate (协调)")
        self._move(request, "return_request")
        request.returns[department] = request.returns.get(department, 0) + 1
        request.department = None
        request.record(now, "RequestReturned", actor.describe(), department=department,
                       note="退回12345平台重新派单 / returned to the 12345 platform to be re-dispatched",
                       reason=text)

    def acknowledge(self, request: Request, actor: Actor, now: dt.datetime) -> None:
        self._check(request, "acknowledge", actor)
        self._move(request, "acknowledge")
        request.acknowledged_at = now
        on_time = request.acknowledge_due is None or now <= request.acknowledge_due
        request.record(now, "RequestAcknowledged", actor.describe(), department=request.department,
                       note="已签收 / acknowledged", on_time=on_time)

    def answer(self, request: Request, actor: Actor, now: dt.datetime, result: str | None,
               note: str | None = None) -> None:
        """The department's answer (办理结果) and its public note; acknowledges if not done yet."""
        self._check(request, "answer", actor)
        text = _text(result, "result", request, "the answer's result")
        if request.acknowledged_at is None:
            self.acknowledge(request, actor, now)
        self._move(request, "answer")
        request.answered_at = now
        request.answered_by = request.department
        request.result = text
        on_time = request.answer_due is None or now <= request.answer_due
        request.record(now, "RequestAnswered", actor.describe(), department=request.department,
                       note=(note or "").strip() or text, on_time=on_time, result=text)

    def call_back(self, request: Request, actor: Actor, now: dt.datetime, *, resolved: bool,
                  satisfaction: str, note: str = "") -> None:
        """The requester's word (回访), which decides what follows, in the same action:

        - resolved and satisfied or basically satisfied: the request closes (办结);
        - not resolved, or dissatisfied, while the jurisdiction's policy allows another reopen
          (``request_reopens``, 1 by default): it is reopened (重办) — back to the department that
          answered, with fresh acknowledgement and answer deadlines, a public ``reopened`` node;
        - not resolved, or dissatisfied, with the reopens used up: it closes with that word as its
          final result (``reopens_used_up`` on the close: unresolved or dissatisfied in the figures;
          a supervisor may still order it redone, :meth:`reopen`).
        """
        self._check(request, "call_back", actor)
        if not isinstance(resolved, bool):
            raise RequestInputError("resolved is true or false", request_id=request.id,
                                    state=str(request.state), field="resolved")
        word = _enum(Satisfaction, satisfaction, "satisfaction", request.id)
        assert isinstance(word, Satisfaction)
        said = note.strip()
        self._move(request, "call_back")
        request.called_back_at = now
        request.resolved = resolved
        request.satisfaction = word
        request.record(now, "RequestCalledBack", actor.describe(), department=request.answered_by,
                       note=said or f"{'已解决' if resolved else '未解决'}，{word.label.zh} / "
                       f"{'resolved' if resolved else 'not resolved'}, {word.label.en.lower()}",
                       resolved=resolved, satisfaction=str(word))
        if resolved and word.content:
            self._close(request, actor, now, "")
            return
        limit = self.policy(request).request_reopens
        if request.reopens < limit:
            self._redo(request, actor, now, "redo", said or (
                "回访未解决或不满意，重新办理 / reopened: the callback found it "
                f"{'not resolved' if not resolved else 'resolved but the requester dissatisfied'}"),
                ordered=False)
            return
        still = "未解决" if not resolved else "不满意"
        self._close(request, actor, now, f"重办{request.reopens}次后仍{still}，"
                    f"按回访结果办结 / closed as called back: the policy's {limit} reopen(s) are used up",
                    reopens_used_up=True)

    def reopen(self, request: Request, actor: Actor, now: dt.datetime, reason: str | None = None) -> None:
        """督办重办: a supervisor orders a closed request redone — one whose last callback was
        unresolved or dissatisfied, typically closed with the policy's reopens used up (the order
        is the way past them). Back to the department that answered, with fresh limits."""
        self._check(request, "reopen", actor)
        if request.resolved and request.satisfaction is not None and request.satisfaction.content:
            raise RequestReopenLimit("the callback found it resolved and the requester content: nothing to "
                                     "redo", request_id=request.id, state=str(request.state),
                                     hint="a new request, if the requester has a new problem")
        text = _text(reason, "reason", request, "a supervisor's order to redo it", 2000)
        self._redo(request, actor, now, "reopen", text, ordered=True)

    def _redo(self, request: Request, actor: Actor, now: dt.datetime, step: str, note: str, *,
              ordered: bool) -> None:
        self._move(request, step)
        request.reopens += 1
        request.closed_at = None
        request.department = request.answered_by or request.competent
        self._deadlines(request, now)
        request.record(now, "RequestReopened", actor.describe(), department=request.department, note=note,
                       reopens=request.reopens, ordered=ordered,
                       acknowledge_due=_iso(request.acknowledge_due),
                       answer_due=_iso(request.answer_due))

    def _close(self, request: Request, actor: Actor, now: dt.datetime, note: str, *,
               reopens_used_up: bool = False) -> None:
        self._move(request, "close")
        request.closed_at = now
        request.record(now, "RequestClosed", actor.describe(), department=request.answered_by,
                       note=note.strip() or "已办结 / closed", resolved=request.resolved,
                       satisfaction=None if request.satisfaction is None else str(request.satisfaction),
                       reopens_used_up=reopens_used_up)

    def escalate(self, request: Request, actor: Actor, now: dt.datetime, note: str | None) -> None:
        """督办: a supervisor presses the department on an overdue or yellow request."""
        self._check(request, "escalate", actor)
        text = _text(note, "note", request, "an escalation's note", 2000)
        if self.colour(request, now) == "green":
            raise RequestInputError("nothing is near its limit yet: a yellow or red request is escalated",
                                    request_id=request.id, state=str(request.state), field="note")
        self._move(request, "escalate")
        request.escalated_at = now
        request.record(now, "RequestEscalated", actor.describe(), public=False, department=request.department,
                       note=text)

    # ------------------------------------------------------------------ supervision

    def colour(self, request: Request, now: dt.datetime) -> str:
        """The colour of the step now due (acknowledgement, then answer); ``green`` when none is."""
        limits = self.limits(request)
        if request.state is RequestState.DISPATCHED and request.acknowledge_due is not None:
            ack = colour(self.calendar, now, request.acknowledge_due, limits.acknowledge)
            answer = "green" if request.answer_due is None else colour(self.calendar, now, request.answer_due,
                                                                       limits.answer)
            return max(ack, answer, key=("green", "yellow", "red").index)
        if request.state is RequestState.ACKNOWLEDGED and request.answer_due is not None:
            return colour(self.calendar, now, request.answer_due, limits.answer)
        return "green"
