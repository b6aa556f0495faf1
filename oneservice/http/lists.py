# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Lists: the applicant's own cases, the staff worklists and the supervision sweep.

Every list is paginated (``page``, ``page_size`` ≤ 200) in an envelope
``{items, page, page_size, total, pages}``; the database cuts the page and counts the total in
one statement (the service's ``…_page`` methods), so a request never loads a whole worklist.
Resident ID numbers in case rows are in full for clerks and supervisors and masked for everyone
else (reviewers, applicants).

Scopes (:mod:`.scope`): a clerk sees the lists of their own service location only — another
location's window queue is a 404, the awaiting-materials list is their location's, the colour
lists hold their location's cases; a supervisor with a region sees the locations of that region
(GB/T 2260 prefix); reviewers have their department's worklist (window queue: 404; colour and
awaiting-materials lists: 403). A scope is a set of service locations (:func:`.scope.scope_locations`)
the database filters on: scoped lists page in SQL as the others do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from .. import Actor, NotAuthorised, Page, Role
from . import examples
from .api import Blueprint
from .context import (
    authenticate,
    current_actor,
    current_region,
    mask_id,
    page_envelope,
    page_window,
    sees_full_ids,
    service,
)
from .problems import HttpProblem
from .schemas import (
    ActionHeaders,
    CalendarBody,
    CalendarLoadSchema,
    CalendarYearsSchema,
    CasePageSchema,
    DeemedSchema,
    EmptyBody,
    ExtensionRequestPageSchema,
    LocationQuery,
    PageQuery,
    TaskPageSchema,
    TerminatedSchema,
)
from .scope import location_in_scope, record_refusal, scope_locations

__all__ = ["lists"]

lists = Blueprint("lists", __name__, description="Worklists, the applicant's cases and supervision")
lists.before_request(authenticate)


def _rows(actor: Actor, rows: Sequence[Any]) -> list[Any]:
    if sees_full_ids(actor):
        return list(rows)
    return [attrs.evolve(row, applicant_id=mask_id(row.applicant_id)) for row in rows]


def _cases(actor: Actor, page: Page[Any], query: dict[str, Any]) -> dict[str, Any]:
    """The envelope of a page of case rows, ID numbers masked unless ``actor`` sees them."""
    return page_envelope(page, query, _rows(actor, page.items))


def _scoped(actor: Actor) -> bool:
    """Whether ``actor``'s lists are cut by place (a clerk, a supervisor with a region)."""
    from .. import Role

    return actor.role is Role.CLERK or (actor.role is Role.SUPERVISOR and current_region() is not None)


def _not_reviewer(actor: Actor, what: str) -> None:
    from .. import NotAuthorised, Role

    if actor.role is Role.REVIEWER:
        raise NotAuthorised(f"a reviewer works from the department worklist, not the {what}", case_id="-",
                            actor=actor.describe())


def _out_of_scope(actor: Actor, location: str) -> HttpProblem:
    record_refusal(actor, "-", f"lists of location {location} outside the caller's scope")
    return HttpProblem(404, "OS705", f"no list of service location {location} for this caller / "
                       "无权查看该服务点", title="Not found")


@lists.route("/me/cases")
@lists.doc(operationId="my_cases")
@lists.arguments(PageQuery, location="query")
@lists.response(200, CasePageSchema, example=examples.CASE_PAGE)
def my_cases(query: dict[str, Any]) -> dict[str, Any]:
    """The applicant's own cases, newest first (applicant tokens only; the ID number masked)."""
    actor = current_actor()
    return _cases(actor, service().my_cases_page(actor, **page_window(query)), query)


@lists.route("/worklists/department/<ident:department>")
@lists.doc(operationId="department_worklist")
@lists.arguments(PageQuery, location="query")
@lists.response(200, TaskPageSchema)
def department_worklist(query: dict[str, Any], department: str) -> dict[str, Any]:
    """Open item tasks of a department, earliest due first (a reviewer sees only their own)."""
    page = service().department_worklist_page(current_actor(), department, **page_window(query))
    return page_envelope(page, query)


@lists.route("/worklists/window/<ident:location>")
@lists.doc(operationId="window_queue")
@lists.arguments(PageQuery, location="query")
@lists.response(200, CasePageSchema, example=examples.CASE_PAGE)
def window_queue(query: dict[str, Any], location: str) -> dict[str, Any]:
    """Cases ready for pickup at a service location (a clerk: their own; staff)."""
    from .. import Role

    actor = current_actor()
    if actor.role in (Role.CLERK, Role.SUPERVISOR, Role.REVIEWER):
        service().catalogue.location(location)  # an unknown location: 404 OS630 with "did you mean"
        if actor.role is Role.REVIEWER or not location_in_scope(actor, current_region(), location):
            raise _out_of_scope(actor, location)
    return _cases(actor, service().window_queue_page(actor, location, **page_window(query)), query)


@lists.route("/worklists/awaiting-materials")
@lists.doc(operationId="awaiting_materials")
@lists.arguments(LocationQuery, location="query")
@lists.response(200, CasePageSchema, example=examples.CASE_PAGE)
def awaiting_materials(query: dict[str, Any]) -> dict[str, Any]:
    """Cases waiting for the applicant: after a one-time notice, or with materials owed (staff)."""
    from .. import Role

    actor = current_actor()
    _not_reviewer(actor, "awaiting-materials list")
    window = page_window(query)
    location = query.get("location")
    if location is None and actor.role is Role.CLERK:
        location = actor.location
    if location is not None:
        service().catalogue.location(location)
        if _scoped(actor) and not location_in_scope(actor, current_region(), location):
            raise _out_of_scope(actor, location)
        page = service().awaiting_materials_page(actor, location, limit=window["limit"],
                                                 offset=window["offset"])
    else:
        page = service().awaiting_materials_page(actor, locations=scope_locations(actor, current_region()),
                                                 limit=window["limit"], offset=window["offset"])
    return _cases(actor, page, query)


@lists.route("/worklists/colour/<any(yellow, red):colour>")
@lists.doc(operationId="cases_by_colour")
@lists.arguments(PageQuery, location="query")
@lists.response(200, CasePageSchema, example=examples.CASE_PAGE)
def cases_by_colour(query: dict[str, Any], colour: str) -> dict[str, Any]:
    """Open cases whose deadline is near (yellow) or past (red): 电子监察 (staff; a clerk: their
    location's cases; a regional supervisor: their region's)."""
    actor = current_actor()
    _not_reviewer(actor, "colour list")
    locations = scope_locations(actor, current_region())
    window = page_window(query)
    page = service().cases_by_colour_page(actor, colour, locations=locations, limit=window["limit"],
                                          offset=window["offset"])
    return _cases(actor, page, query)


def _sweeper(if_match: str | None, idempotency_key: str | None, what: str) -> Actor:
    """The supervisor running a sweep (a sweep takes neither If-Match nor Idempotency-Key)."""
    if if_match is not None or idempotency_key is not None:
        raise HttpProblem(400, "OS620", "this sweep takes neither If-Match nor Idempotency-Key: "
                          "repeating it is harmless", field="headers")
    return _supervisor(f"runs {what}")


@lists.route("/supervision/terminate-overdue", methods=["POST"])
@lists.doc(operationId="terminate_overdue")
@lists.arguments(EmptyBody, required=False)
@lists.arguments(ActionHeaders, location="headers", as_kwargs=True)
@lists.response(200, TerminatedSchema)
def terminate_overdue(body: dict[str, Any], if_match: str | None = None,
                      idempotency_key: str | None = None) -> dict[str, Any]:
    """Terminate every case whose owed materials are past due (supervisor; safe to repeat)."""
    actor = _sweeper(if_match, idempotency_key, "the overdue sweep")
    return {"terminated": service().terminate_overdue(actor)}


@lists.route("/supervision/deem-accepted", methods=["POST"])
@lists.doc(operationId="deem_accepted")
@lists.arguments(EmptyBody, required=False)
@lists.arguments(ActionHeaders, location="headers", as_kwargs=True)
@lists.response(200, DeemedSchema)
def deem_accepted(body: dict[str, Any], if_match: str | None = None,
                  idempotency_key: str | None = None) -> dict[str, Any]:
    """视为受理: accept from the day of receipt every submitted case left unanswered past the 5
    working days of 《行政许可法》第三十二条 (supervisor; safe to repeat)."""
    actor = _sweeper(if_match, idempotency_key, "the notice-period sweep")
    return {"deemed_accepted": service().deem_overdue_accepted(actor)}


def _supervisor(what: str) -> Actor:
    """The calling actor, who must be a supervisor (``what``: what only a supervisor does)."""
    actor = current_actor()
    if actor.role is not Role.SUPERVISOR:
        raise NotAuthorised(f"only a supervisor {what}", case_id="-", actor=actor.describe())
    return actor


@lists.route("/supervision/extension-requests")
@lists.doc(operationId="pending_extensions")
@lists.arguments(PageQuery, location="query")
@lists.response(200, ExtensionRequestPageSchema)
def pending_extensions(query: dict[str, Any]) -> dict[str, Any]:
    """The extension requests (延期申请) reviewers asked for and a supervisor has still to approve
    or reject (``POST …/items/{item}/extension-request/decision``), the oldest first (supervisor;
    a regional supervisor: their region's cases)."""
    from ..supervision import Supervision

    actor = _supervisor("decides extension requests")
    svc = service()
    page = Supervision(svc, yellow_days=svc.yellow_days).pending_extensions(
        locations=scope_locations(actor, current_region()), **page_window(query))
    return page_envelope(page, query)


@lists.route("/supervision/calendars", methods=["POST"])
@lists.doc(operationId="load_calendar")
@lists.arguments(CalendarBody)
@lists.arguments(ActionHeaders, location="headers", as_kwargs=True)
@lists.response(200, CalendarLoadSchema)
def load_calendar(body: dict[str, Any], if_match: str | None = None,
                  idempotency_key: str | None = None) -> dict[str, Any]:
    """Load a year of the official calendar; every provisional deadline it moves is recomputed.

    Supervisor only. One transaction: a year that would move a frozen deadline (computed on
    official data, or met already) is refused with OS706 (409) and the cases it would move;
    malformed data is OS610 (422) with its key path. Loading the same data again moves nothing.
    """
    if if_match is not None or idempotency_key is not None:
        raise HttpProblem(400, "OS620", "loading a calendar takes neither If-Match nor Idempotency-Key: "
                          "loading the same year again is harmless", field="headers")
    actor = _supervisor("loads calendar years")
    loaded = service().calendar_updates.load(body, actor=actor)
    return {"year": loaded.year, "source": loaded.source, "moved": loaded.moved}


@lists.route("/supervision/calendars")
@lists.doc(operationId="calendar_years")
@lists.response(200, CalendarYearsSchema)
def calendar_years() -> dict[str, Any]:
    """The calendar years loaded into the database, and every year with official data (supervisor)."""
    _supervisor("reads the calendar years")
    svc = service()
    return {"loaded": svc.calendar_years(), "known_years": sorted(svc.calendar.known_years)}
