"""Scopes by place and by party, checked before a request reaches the service.

Who may see and act on a case at all (what they may *do* with it is the library's rule):

============  ==============================================================================
applicant     a case they are a party of: its applicant, or a party in another role (the seller)
agent         a case they run (``agent``) **and** an authorisation (委托书) of its applicant for
              them in force for its matter (``POST /me/agents``); the ``agent`` field alone
              grants nothing
clerk         a case taken in at their own service location
reviewer      a case with an item of their department
supervisor    a case whose service location, or one of whose departments, lies in their region
              (GB/T 2260 prefix: ``3301`` covers ``330102``); a token without a region is a
              province-level supervisor and sees every case
system        (another system's token, callbacks only) a case with an item of its department;
              one naming no department (payment, carrier) every case
============  ==============================================================================

A case outside the caller's scope is answered exactly as a case that does not exist (404
``CaseNotFound``, the same body), for every route under ``/cases/{case_id}`` — the summary, the
detail, the event log, the notice, every action, the materials' files — so a status code never
tells whether a case id exists. Each refusal is counted in the audit log
(:mod:`oneservice.store.audit`), never in the case's own event log.

Opening a case: an agent needs an authorisation of the applicant (403 OS705 otherwise), a
clerk opens cases at their own service location.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import marshmallow as ma
from flask import Flask, request

from .. import Actor, Case, CaseNotFound, NotAuthorised, Role
from .auth import normalise_applicant_id, region_prefix
from .context import authenticate, current_actor, current_region, service
from .problems import HttpProblem

__all__ = ["case_refusal", "install_scope", "location_in_scope", "record_refusal", "scope_locations"]


def scope_locations(actor: Actor, region: str | None) -> tuple[str, ...] | None:
    """The service locations whose cases ``actor``'s lists hold, for the database to filter on
    (``None``: every location — a province-level supervisor, the system; a reviewer: none, their
    lists are their department's). A clerk: their own; a regional supervisor: the catalogue's
    locations in their region (GB/T 2260 prefix)."""
    if actor.role is Role.CLERK:
        return (actor.location,) if actor.location else ()
    if actor.role is Role.SUPERVISOR:
        if region is None:
            return None
        prefix = region_prefix(region)
        locations = service().catalogue.locations
        return tuple(sorted(lid for lid, loc in locations.items() if loc.region.startswith(prefix)))
    if actor.role is Role.SYSTEM:
        return None
    return ()


def location_in_scope(actor: Actor, region: str | None, location: str) -> bool:
    """Whether ``actor`` may see the lists of service location ``location``."""
    if actor.role is Role.CLERK:
        return actor.location == location
    if actor.role is Role.SUPERVISOR:
        if region is None:
            return True
        try:
            found = service().catalogue.location(location).region
        except Exception:  # an unknown location: the list itself answers 404 for it
            return True
        return found.startswith(region_prefix(region))
    return actor.role is Role.SYSTEM


def case_refusal(actor: Actor, region: str | None, case: Case) -> str | None:
    """Why ``case`` is outside ``actor``'s scope (``None``: inside)."""
    role = actor.role
    if role is Role.APPLICANT:
        return None if case.role_of(actor.applicant_id) is not None else "not a party of the case"
    if role is Role.AGENT:
        if case.agent != actor.id:
            return "not the agent of the case"
        from ..store.agents import is_authorised

        svc = service()
        if not is_authorised(svc.store, applicant_id=case.applicant.id_number, agent_id=actor.id,
                             matter_id=case.matter_id, now=svc.clock.now()):
            return "no authorisation (委托书) of the applicant for this agent"
        return None
    if role is Role.CLERK:  # the intake point's clerks, and those of the point where the results wait
        if actor.location in (case.location, case.pickup_location):
            return None
        return "a case of another service location"
    if role is Role.REVIEWER or (role is Role.SYSTEM and actor.department):
        if actor.department in {t.department for t in case.tasks.values()}:
            return None
        return f"no item of the {role.value}'s department"
    if role is Role.SUPERVISOR:
        if region is None:
            return None
        prefix = region_prefix(region)
        catalogue = service().catalogue
        regions = set()
        with contextlib.suppress(Exception):  # a location no longer in the catalogue: the departments
            regions.add(catalogue.location(case.location).region)
        for task in case.tasks.values():
            try:
                regions.add(catalogue.department(task.department).region)
            except Exception:
                continue
        return None if any(r.startswith(prefix) for r in regions if r) else "a case outside the region"
    return None


def record_refusal(actor: Actor, case_id: str, reason: str) -> None:
    """Count a refused call in the audit log (a failure to record never hides the refusal)."""
    from ..store.audit import record_refusal as record

    svc = service()
    with contextlib.suppress(Exception):  # the refusal stands; the audit row is best effort
        record(svc.store, at=svc.clock.now(), actor=actor.describe(), role=actor.role.value,
               case_id=case_id, action=request.endpoint or request.path, reason=reason)


def _check_case(case_id: str) -> None:
    actor = current_actor()
    svc = service()
    with svc.store.transaction(readonly=True) as tx:
        case = tx.get_case(case_id)  # CaseNotFound: 404 as ever
    reason = case_refusal(actor, current_region(), case)
    if reason is not None:
        record_refusal(actor, case_id, reason)
        raise CaseNotFound(case_id)


def _body() -> dict[str, Any] | None:
    from .fields import Parser

    try:
        data = Parser()._raw_load_json(request)
    except (json.JSONDecodeError, ma.ValidationError):
        return None  # the view reports what is wrong with the body
    return data if isinstance(data, dict) else None


def _check_open() -> None:
    actor = current_actor()
    body = _body()
    if body is None:
        return
    location = body.get("location")
    if actor.role is Role.CLERK and isinstance(location, str) and location != actor.location:
        raise NotAuthorised(f"a clerk of {actor.location} opens cases at {actor.location}, not "
                            f"{body['location']} / 窗口人员只能在本服务点受理", case_id="-",
                            actor=actor.describe())
    if actor.role is Role.AGENT:
        applicant = body.get("applicant")
        number = applicant.get("id_number") if isinstance(applicant, dict) else None
        matter = body.get("matter_id")
        if not isinstance(number, str) or not isinstance(matter, str):
            return
        try:
            number = normalise_applicant_id(number)
        except ValueError:
            return  # the library reports the number (OS621)
        from ..store.agents import is_authorised

        svc = service()
        if not is_authorised(svc.store, applicant_id=number, agent_id=actor.id, matter_id=matter,
                             now=svc.clock.now()):
            record_refusal(actor, "-", "no authorisation (委托书) of the applicant for this agent")
            raise HttpProblem(
                403, "OS705",
                f"agent {actor.id} holds no authorisation (委托书) of this applicant for {matter}; the "
                "applicant records one with POST /me/agents / 代办员未获申请人委托",
                title="Not authorised", error="NotAuthorised",
            )


_CASE_BLUEPRINTS = ("cases.", "files.")
"""The blueprints whose routes under ``/cases/{case_id}`` are scoped."""


def install_scope(app: Flask) -> None:
    """The scope check before every route of a case (and before a case is opened)."""

    @app.before_request
    def _scope() -> None:
        args = request.view_args or {}
        case_id = args.get("case_id")
        if request.endpoint == "cases.open_case" and request.method == "POST":
            authenticate()
            _check_open()
        elif isinstance(case_id, str) and request.endpoint and request.endpoint.startswith(_CASE_BLUEPRINTS):
            authenticate()
            _check_case(case_id)
