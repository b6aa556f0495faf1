"""Tools of the back-office and supervisor page tests (imported by name): a Flask test client
signed in as an actor, the CSRF token of a page, and start-a-business cases at each stage."""

from __future__ import annotations

from typing import Any

from web_client import SECRET, csrf_of

from oneservice import Actor, Applicant, Role
from oneservice.http import TokenAuthority, create_app
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id

BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
REGISTRATION = "330102-SCJG-QYSLDJ"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(3), "赵六")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
ME = Actor(Role.APPLICANT, "zhaoliu", applicant_id=PERSON.id_number)


def client_for(service: Any, actor: Actor, **claims: Any) -> Any:
    """A test client of the app over ``service``, signed in as ``actor`` (``claims``: the token's,
    e.g. ``region``)."""
    authority = TokenAuthority(SECRET, None)
    app = create_app(service, authority, config={"WEB_COOKIE_SECURE": False})
    client = app.test_client()
    login = client.get("/")
    token = authority.issue(actor, **claims).token
    reply = client.post("/login", data={"token": token, "csrf": csrf_of(login.get_data(as_text=True))})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return client



def page_csrf(client: Any, path: str = "/web/") -> str:
    """The session's CSRF token, read from a page."""
    reply = client.get(path, follow_redirects=True)
    return csrf_of(reply.get_data(as_text=True))


def reviewer_of(service: Any, item: str = REGISTRATION, name: str = "rev-01") -> Actor:
    return Actor(Role.REVIEWER, name, department=service.catalogue.item(item).department)


def accepted_business(service: Any) -> str:
    """A start-a-business case submitted online with everything and accepted: the registration
    is ready for review."""
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
    service.submit(ME, case.id, form=sample_form(plan), materials=[ln.material.id for ln in plan.materials],
                   channel="online")
    service.accept(CLERK, case.id)
    return str(case.id)


def delivered_business(service: Any) -> str:
    """A start-a-business case approved by every department and delivered: the applicant may rate it."""
    case_id = accepted_business(service)
    for item in service.catalogue.plan(BIZ).items:
        reviewer = reviewer_of(service, item.code)
        service.start_review(reviewer, case_id, item.code)
        service.approve(reviewer, case_id, item.code)
    service.deliver(CLERK, case_id, results=sample_deliveries(service.catalogue.plan(BIZ), "EMS 9876 5432 1"))
    return case_id
