# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints: its route, arguments and response decorators are untyped)
"""Lists: the applicant's own cases, the staff worklists and the supervision sweep.

Every list is paginated (``page``, ``page_size`` ≤ 200) in an envelope
``{items, page, page_size, total, pages}``; the database cuts the page and counts the total in
one statement (the service's ``…_page`` methods), so a request never loads a whole worklist.
Resident ID numbers in case rows are in full for clerks and supervisors and masked for everyone
else (reviewers, applicants).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from .. import Actor, NotAuthorised, Page, Role
from .api import Blueprint
from .context import authenticate, current_actor, mask_id, page_envelope, page_window, sees_full_ids, service
from .problems import HttpProblem
from .schemas import (
    ActionHeaders,
    CalendarBody,
    CalendarLoadSchema,
    CalendarYearsSchema,
    CasePageSchema,
    DeemedSchema,
    EmptyBody,
    LocationQuery,
    PageQuery,
    TaskPageSchema,
    TerminatedSchema,
)

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


@lists.route("/me/cases")
@lists.doc(operationId="my_cases")
@lists.arguments(PageQuery, location="query")
@lists.response(200, CasePageSchema)
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
@lists.response(200, CasePageSchema)
def window_queue(query: dict[str, Any], location: str) -> dict[str, Any]:
    """Cases ready for pickup at a service location (staff)."""
    actor = current_actor()
    return _cases(actor, service().window_queue_page(actor, location, **page_window(query)), query)


@lists.route("/worklists/awaiting-materials")
@lists.doc(operationId="awaiting_materials")
@lists.arguments(LocationQuery, location="query")
@lists.response(200, CasePageSchema)
def awaiting_materials(query: dict[str, Any]) -> dict[str, Any]:
    """Cases waiting for the applicant: after a one-time notice, or with materials owed (staff)."""
    actor = current_actor()
    location = query.get("location")
    if location is not None:
        service().catalogue.location(location)
    return _cases(actor, service().awaiting_materials_page(actor, location, **page_window(query)), query)


@lists.route("/worklists/colour/<any(yellow, red):colour>")
@lists.doc(operationId="cases_by_colour")
@lists.arguments(PageQuery, location="query")
@lists.response(200, CasePageSchema)
def cases_by_colour(query: dict[str, Any], colour: str) -> dict[str, Any]:
    """Open cases whose deadline is near (yellow) or past (red): 电子监察 (staff)."""
    actor = current_actor()
    return _cases(actor, service().cases_by_colour_page(actor, colour, **page_window(query)), query)


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
