"""12345 requests (诉求) in the application service: one method per action, one transaction each.

Each action loads the request, lets :class:`~oneservice.engine.requests.RequestEngine` change it
(or refuse: nothing is kept), and saves it with its events in the same transaction (optimistic
versioning: a concurrent change raises :class:`~oneservice.errors.RequestConflict`). An action
given an ``idempotency_key`` keeps its view under the key, in the cases' idempotency records and
by the cases' fingerprint (action, request, values, actor): a repeat returns that first view and
writes nothing; the key reused otherwise is :class:`~oneservice.errors.DuplicateAction` (OS704). The views
mask the requester's contact for everyone but the handlers: the 12345 platform (clerks,
supervisors, systems) and the department the request is dispatched to.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping

import attrs

from ..domain.case import Actor, Role
from ..domain.requests import Contact, Request, RequestEvent, RequestState
from ..engine.requests import RequestEngine, allowed_request_actions
from ..errors import CaseNotFound, DuplicateAction, InvalidInput, RequestInputError, RequestNotAuthorised
from ..store.request_figures import GROUPS, CategoryRank, RequestFigures, daily_ranking, request_figures
from ..store.requests import (
    department_requests,
    load_request,
    platform_requests,
    request_event_rows,
    request_from_snapshot,
    request_snapshot,
    save_request,
)
from ..store.rows import Page
from ..store.transaction import Transaction
from .runner import ActionRunner

__all__ = ["ProgressNode", "RequestProgress", "RequestView", "Requests"]


@attrs.frozen
class ProgressNode:
    """One public step of a request: when, which department, what the requester reads."""

    at: dt.datetime
    type: str
    state: str
    department: str | None
    note: str


@attrs.frozen
class RequestProgress:
    """What the requester sees (来电内容、办理节点、办理结果): the content, every public node and the
    result; the contact is masked."""

    request_id: str
    state: str
    category: str
    kind: str
    content: str
    contact: Contact
    result: str
    nodes: tuple[ProgressNode, ...]


@attrs.frozen
class RequestView:
    """A request as one actor may see it; ``allowed`` is what that actor may do now."""

    request: Request
    contact: Contact  # whole for a handler, masked otherwise
    colour: str  # green, yellow or red: the step now due
    allowed: tuple[str, ...]


def new_request_id(now: dt.datetime) -> str:
    return f"R{now:%Y%m%d}-{uuid.uuid4().hex[:10]}"


class Requests:
    """The request actions and queries over one :class:`ActionRunner` (catalogue, store, clock)."""

    def __init__(self, runner: ActionRunner) -> None:
        self.runner = runner

    @property
    def engine(self) -> RequestEngine:
        return RequestEngine(self.runner.catalogue, self.runner.calendar)

    def _view(self, request: Request, actor: Actor) -> RequestView:
        handler = actor.role in (Role.CLERK, Role.SUPERVISOR, Role.SYSTEM) or (
            actor.role is Role.REVIEWER and actor.department is not None
            and actor.department == request.department)
        return RequestView(request, request.contact if handler else request.contact.masked,
                           self.engine.colour(request, self.runner.clock.now()),
                           tuple(allowed_request_actions(request, actor)))

    def _act(self, actor: Actor, request_id: str, action: str,
             change: Callable[[RequestEngine, Request, dt.datetime], None], *, key: str | None = None,
             payload: object = None) -> RequestView:
        fingerprint = ActionRunner._fingerprint(f"request:{action}", request_id, payload, actor) \
            if key else ""
        with self.runner.store.transaction() as tx:
            if key:
                record = tx.get_idempotency(key)
                if record is not None:
                    if record.fingerprint != fingerprint or record.case_id != request_id:
                        raise DuplicateAction(key, case_id=request_id)
                    return self._replayed(record.result, actor)
            request = load_request(tx, request_id)
            change(self.engine, request, self.runner.clock.now())
            save_request(tx, request)
            view = self._view(request, actor)
            if key:
                self._keep(tx, key, request_id, action, fingerprint, view)
        return view

    @staticmethod
    def _keep(tx: Transaction, key: str, request_id: str, action: str, fingerprint: str,
              view: RequestView) -> None:
        tx.put_idempotency(key, request_id, f"request:{action}", fingerprint, {
            "request": request_snapshot(view.request), "colour": view.colour, "allowed": list(view.allowed)})

    def _replayed(self, result: dict[str, object], actor: Actor) -> RequestView:
        """The view an idempotent action returned the first time (its request as it was then)."""
        request = request_from_snapshot(result["request"])  # type: ignore[arg-type]
        view = self._view(request, actor)
        allowed = result["allowed"]
        assert isinstance(allowed, list)
        return attrs.evolve(view, colour=str(result["colour"]), allowed=tuple(str(a) for a in allowed))

    # ------------------------------------------------------------------ actions

    def take_in(self, actor: Actor, *, kind: str, channel: str, category: str | None, contact: Contact | None,
                content: str, urgency: str = "normal", location: str | None = None,
                regions: Mapping[str, str] | None = None, case_id: str | None = None,
                item: str | None = None, idempotency_key: str | None = None) -> RequestView:
        """Take a request in (received); a complaint about ``case_id`` goes to that case's department.
        With ``idempotency_key``, a repeat (a hotline system sending again) returns the first request."""
        now = self.runner.clock.now()
        payload = [kind, channel, category, None if contact is None else [contact.name, contact.phone],
                   content, urgency, location, dict(regions or {}), case_id, item]
        key = idempotency_key
        fingerprint = ActionRunner._fingerprint("request:take_in", "", payload, actor) if key else ""
        with self.runner.store.transaction() as tx:
            if idempotency_key:
                record = tx.get_idempotency(idempotency_key)
                if record is not None:
                    if record.fingerprint != fingerprint:
                        raise DuplicateAction(idempotency_key, case_id="-")  # never another's request id
                    return self._replayed(record.result, actor)
            case = None
            if case_id is not None:
                try:
                    case = tx.get_case(case_id)
                except CaseNotFound:
                    raise RequestInputError(f"no case {case_id}", request_id=None, field="case_id") from None
            request = self.engine.take_in(actor, new_request_id(now), now, kind=kind, channel=channel,
                                          category=category, contact=contact, content=content,
                                          urgency=urgency, location=location, regions=regions, case=case,
                                          item=item)
            save_request(tx, request)
            view = self._view(request, actor)
            if idempotency_key:
                self._keep(tx, idempotency_key, request.id, "take_in", fingerprint, view)
        return view

    def dispatch(self, actor: Actor, request_id: str, *, department: str | None = None, note: str = "",
                 idempotency_key: str | None = None) -> RequestView:
        return self._act(actor, request_id, "dispatch",
                         lambda e, r, now: e.dispatch(r, actor, now, department, note),
                         key=idempotency_key, payload=[department, note])

    def return_request(self, actor: Actor, request_id: str, *, reason: str | None,
                       idempotency_key: str | None = None) -> RequestView:
        return self._act(actor, request_id, "return_request",
                         lambda e, r, now: e.return_request(r, actor, now, reason),
                         key=idempotency_key, payload=[reason])

    def acknowledge(self, actor: Actor, request_id: str, *,
                    idempotency_key: str | None = None) -> RequestView:
        return self._act(actor, request_id, "acknowledge", lambda e, r, now: e.acknowledge(r, actor, now),
                         key=idempotency_key)

    def answer(self, actor: Actor, request_id: str, *, result: str | None, note: str | None = None,
               idempotency_key: str | None = None) -> RequestView:
        return self._act(actor, request_id, "answer", lambda e, r, now: e.answer(r, actor, now, result, note),
                         key=idempotency_key, payload=[result, note])

    def call_back(self, actor: Actor, request_id: str, *, resolved: bool, satisfaction: str,
                  note: str = "", idempotency_key: str | None = None) -> RequestView:
        """回访; the request comes back closed, or reopened (重办) while the policy allows."""
        return self._act(actor, request_id, "call_back", lambda e, r, now: e.call_back(
            r, actor, now, resolved=resolved, satisfaction=satisfaction, note=note),
            key=idempotency_key, payload=[resolved, satisfaction, note])

    def reopen(self, actor: Actor, request_id: str, *, reason: str | None = None,
               idempotency_key: str | None = None) -> RequestView:
        """督办重办: a supervisor orders a closed, unresolved or dissatisfied request redone."""
        return self._act(actor, request_id, "reopen", lambda e, r, now: e.reopen(r, actor, now, reason),
                         key=idempotency_key, payload=[reason])

    def escalate(self, actor: Actor, request_id: str, *, note: str | None,
                 idempotency_key: str | None = None) -> RequestView:
        return self._act(actor, request_id, "escalate", lambda e, r, now: e.escalate(r, actor, now, note),
                         key=idempotency_key, payload=[note])

    # ------------------------------------------------------------------ queries

    def get(self, actor: Actor, request_id: str) -> RequestView:
        """The request as ``actor`` may see it (a department sees only what is or was its own)."""
        with self.runner.store.transaction(readonly=True) as tx:
            request = load_request(tx, request_id)
            if actor.role is Role.REVIEWER:
                departments = {e.department for e in request_event_rows(tx.connection, request_id)}
                if actor.department not in departments:
                    raise RequestNotAuthorised(f"{actor.describe()}: the request never was this department's",
                                               request_id=request_id, state=str(request.state))
        return self._view(request, actor)

    def events(self, request_id: str) -> list[RequestEvent]:
        """Every event of the request, internal ones included (for its handlers)."""
        with self.runner.store.transaction(readonly=True) as tx:
            load_request(tx, request_id)
            return request_event_rows(tx.connection, request_id)

    def progress(self, request_id: str) -> RequestProgress:
        """The requester's view: every public node with its time, department and note."""
        with self.runner.store.transaction(readonly=True) as tx:
            request = load_request(tx, request_id)
            nodes = request_event_rows(tx.connection, request_id, public_only=True)
        return RequestProgress(
            request.id, str(request.state), request.category, str(request.kind), request.content,
            request.contact.masked, request.result if request.answered_at else "",
            tuple(ProgressNode(e.at, e.type, e.state, e.department, e.note) for e in nodes))

    def department(self, actor: Actor, department: str, *, states: frozenset[RequestState] | None = None,
                   offset: int = 0, limit: int = 50) -> Page[RequestView]:
        """The requests dispatched to ``department`` now, soonest answer due first."""
        if actor.role is Role.REVIEWER and actor.department != department:
            raise RequestNotAuthorised(f"{actor.describe()}: another department's list", request_id=None)
        if actor.role in (Role.APPLICANT, Role.AGENT):
            raise RequestNotAuthorised(f"{actor.describe()}: a department's list", request_id=None)
        with self.runner.store.transaction(readonly=True) as tx:
            page = department_requests(tx.connection, department, states=states, offset=offset, limit=limit)
        return Page(tuple(self._view(r, actor) for r in page.items), page.total, page.offset, page.limit)

    def platform(self, actor: Actor, states: frozenset[RequestState], *, offset: int = 0,
                 limit: int = 50, unsettled: bool = False) -> Page[RequestView]:
        """The requests in ``states`` of every department, oldest first: the 12345 platform's lists
        (clerks, supervisors, systems only); ``unsettled``: only those whose latest callback was
        unresolved or dissatisfied (the closed ones a supervisor may order redone)."""
        if actor.role not in (Role.CLERK, Role.SUPERVISOR, Role.SYSTEM):
            raise RequestNotAuthorised(f"{actor.describe()}: the 12345 platform's lists", request_id=None,
                                       hint="who may: clerk, supervisor, system")
        if not states:
            raise InvalidInput("name at least one state", field="states")
        with self.runner.store.transaction(readonly=True) as tx:
            page = platform_requests(tx.connection, states, offset=offset, limit=limit, unsettled=unsettled)
        return Page(tuple(self._view(r, actor) for r in page.items), page.total, page.offset, page.limit)

    def figures(self, *, by: str = "all", start: dt.datetime | None = None,
                end: dt.datetime | None = None) -> dict[str, RequestFigures]:
        """诉求解决率, 群众满意率, on-time shares, return and reopen rates per group (docs/supervision.md);
        ``by="area"``: the request's routing area, else its competent department's region."""
        if by not in GROUPS:
            raise InvalidInput(f"{by!r} is not one of {', '.join(GROUPS)}", field="by")
        departments = self.runner.catalogue.departments.values()
        regions = {d.id: d.region for d in departments} if by == "area" else None
        with self.runner.store.transaction(readonly=True) as tx:
            return request_figures(tx.connection, by=by, start=start, end=end, department_regions=regions)

    def ranking(self, day: dt.date | None = None, *, window: int = 7,
                top: int = 10) -> tuple[list[CategoryRank], list[CategoryRank]]:
        """The day's most frequent and rising request categories (热点问题; default: today)."""
        if not 1 <= window <= 90 or not 1 <= top <= 100:
            raise InvalidInput("window is 1 to 90 days and top 1 to 100", field="window")
        with self.runner.store.transaction(readonly=True) as tx:
            return daily_ranking(tx.connection, day or self.runner.clock.today(), window=window, top=top)
