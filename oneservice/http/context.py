"""Per-request helpers: the service, the authenticated actor, keys, preconditions, masking."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from flask import current_app, g, request

from .. import Actor, CaseSummary, OneService, Page, Role
from .auth import Identifies, InvalidToken, mask_id
from .problems import AUTH_REQUIRED, INVALID_TOKEN, HttpProblem

__all__ = [
    "HttpState",
    "authenticate",
    "case_summary",
    "current_actor",
    "current_region",
    "current_scopes",
    "etag",
    "mask_id",
    "none_match",
    "page_envelope",
    "page_window",
    "paginate",
    "precondition",
    "representation_tag",
    "scoped_key",
    "sees_full_ids",
    "service",
    "state",
]

EXTENSION = "oneservice"
SYSTEM_BLUEPRINTS = frozenset({"callbacks", "events"})
"""Where a system token may go: the callbacks in, and the event feed out."""
HOTLINE_BLUEPRINTS = frozenset({"requests", "webhooks"})
"""Where a hotline system's token (scope ``hotline``) may go: the 12345 requests and its own
webhooks, nothing else (:mod:`oneservice.http.requests` narrows it to taking requests in and
reading them, :mod:`oneservice.http.webhooks` to webhooks pushed its requests' public events)."""
_BEARER = re.compile(r"Bearer\s+([A-Za-z0-9_.~+/=-]{1,4096})\s*", re.IGNORECASE)
_ENTITY_TAG = re.compile(r'\s*(W/)?"?(\d{1,12})(?:\.[0-9a-f]{1,64})?"?\s*')
_ANY_TAG = re.compile(r'\s*(?:W/)?("[\x21\x23-\x7e]*")\s*')


@attrs.define
class HttpState:
    """What the app needs besides Flask: the service and who verifies tokens (the server's own
    :class:`~oneservice.http.auth.TokenAuthority`, or :class:`~oneservice.http.oidc.Authenticators`
    with identity platforms)."""

    service: OneService
    tokens: Identifies


def state() -> HttpState:
    found: HttpState = current_app.extensions[EXTENSION]
    return found


def service() -> OneService:
    return state().service


def authenticate() -> None:
    """``before_request`` of the protected blueprints: a valid bearer token, or 401 (once per
    request: the scope check before it may have authenticated already)."""
    if "actor" in g:
        return
    header = request.headers.get("Authorization")
    challenge = {"WWW-Authenticate": 'Bearer realm="oneservice"'}
    if not header:
        raise HttpProblem(401, AUTH_REQUIRED, "send Authorization: Bearer <token>", headers=challenge)
    match = _BEARER.fullmatch(header)
    if match is None:
        raise HttpProblem(
            401, INVALID_TOKEN, "the Authorization header is not 'Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="oneservice", error="invalid_request"'},
        )
    try:
        identity = state().tokens.identify(match.group(1))
    except InvalidToken as exc:
        raise HttpProblem(
            401, INVALID_TOKEN, str(exc),
            headers={"WWW-Authenticate": 'Bearer realm="oneservice", error="invalid_token"'},
        ) from None
    if identity.actor.role is Role.SYSTEM:
        _system_may_reach(identity.scopes)
    g.actor = identity.actor
    g.token_id = identity.token_id
    g.region = identity.region
    g.scopes = identity.scopes


def _system_may_reach(scopes: frozenset[str]) -> None:
    """403 unless a system token of ``scopes`` may reach the blueprint asked for."""
    from .auth import HOTLINE_SCOPE

    if HOTLINE_SCOPE in scopes:
        if request.blueprint not in HOTLINE_BLUEPRINTS:
            raise HttpProblem(
                403, "OS705", "a hotline system's token reaches the 12345 requests (/requests…) and its "
                "webhooks (/webhooks) only, nothing about cases / 热线系统凭证仅用于诉求",
                title="Not authorised", error="NotAuthorised",
            )
    elif request.blueprint not in SYSTEM_BLUEPRINTS:
        raise HttpProblem(
            403, "OS705", "a system token reaches the callbacks (/callbacks/…) and the event feed (/events) "
            "only / 系统凭证仅用于回调与事件订阅", title="Not authorised", error="NotAuthorised",
        )


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def current_scopes() -> frozenset[str]:
    """A system token's scopes (empty for every other caller)."""
    scopes: frozenset[str] = g.get("scopes", frozenset())
    return scopes


def current_region() -> str | None:
    """A supervisor's region (GB/T 2260 code), ``None`` for every region."""
    region: str | None = g.get("region")
    return region


def scoped_key(actor: Actor, key: str | None) -> str | None:
    """The client's idempotency key, scoped to the actor so that keys never collide across users.

    An ``Idempotency-Key`` is chosen by its client and means something only to it. The library
    keeps one record per key and puts the actor into its fingerprint, so another actor reusing a
    key would be refused (422, ``DuplicateAction``) — never given the first caller's result. Over
    HTTP two clients may pick the same key independently, so each caller's keys live in a space of
    their own: another caller reusing a key acts afresh (``test_keys_are_scoped_to_the_caller``).
    """
    if key is None:
        return None
    parts = [actor.role.value, actor.id, actor.department or "", actor.location or "",
             actor.applicant_id or "", key]
    return "http:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def etag(version: int) -> str:
    return f'"{version}"'


def representation_tag(version: int, body: Any) -> str:
    """The entity tag of a case as shown (``GET /cases/{id}``): ``"7.3f9a1c2b04d5"``, the case
    version and a digest of the JSON body. The version alone is not a validator of the view: the
    colour of a deadline changes with the day, the applicant's fields with who asks, while the
    version stays. ``If-Match`` compares the version part (:func:`parse_if_match`)."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return f'"{version}.{hashlib.sha256(text.encode()).hexdigest()[:12]}"'


def none_match(header: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` ``header`` names ``tag`` (weak comparison, RFC 9110 §13.1.2:
    ``W/"x"`` matches ``"x"``; ``*`` matches any current representation). A malformed header is
    ignored, as the RFC allows (the full answer is sent)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    for part in header.split(","):
        match = _ANY_TAG.fullmatch(part)
        if match is not None and match.group(1) == tag:
            return True
    return False


def parse_if_match(header: str) -> set[int] | None:
    """The versions an ``If-Match`` header accepts; ``None`` for ``*``. Weak tags never match. A
    tag of ``GET /cases/{id}`` (``"7.3f9a1c2b04d5"``) names its version, 7."""
    if header.strip() == "*":
        return None
    versions: set[int] = set()
    for part in header.split(","):
        match = _ENTITY_TAG.fullmatch(part)
        if match is None:
            raise HttpProblem(
                400, "OS620", 'If-Match must be an entity tag such as "7" (the case version) or *',
                field="If-Match",
            )
        if match.group(1) is None:
            versions.add(int(match.group(2)))
    return versions


def case_summary(actor: Actor, case_id: str) -> CaseSummary:
    """The case summary as ``actor`` may see it (the library decides: reviewers see the cases
    with an item of their department)."""
    return service().get(actor, case_id)


def precondition(actor: Actor, case_id: str, if_match: str | None) -> None:
    """412 unless the case is at a version ``If-Match`` names (checked before the action runs)."""
    if if_match is None:
        return
    version_precondition("case", case_id, if_match, lambda: case_summary(actor, case_id).version)


def version_precondition(kind: str, ident: str, if_match: str | None,
                         current_version: Callable[[], int]) -> None:
    """412 ``OS703`` unless the ``kind`` (case, request) ``ident`` is at a version ``If-Match``
    names; ``current_version`` reads it (when the header is given: one that does not exist is its
    404). The problem names the current version (and gives it as ``ETag``) under ``case_id`` or
    ``request_id``."""
    if if_match is None:
        return
    accepted = parse_if_match(if_match)
    current = current_version()
    if accepted is not None and current not in accepted:
        raise HttpProblem(
            412,
            "OS703",
            f"{kind} {ident} is at version {current}, not {', '.join(map(str, sorted(accepted))) or '-'}; "
            "read it again and retry",
            title="Precondition failed",
            headers={"ETag": etag(current)},
            current_version=current,
            **{f"{kind}_id": ident},
        )


def sees_full_ids(actor: Actor) -> bool:
    """Authorised staff (clerks, supervisors) see resident ID numbers in full."""
    return actor.role in (Role.CLERK, Role.SUPERVISOR)


def page_window(query: dict[str, Any]) -> dict[str, int]:
    """``limit`` and ``offset`` of the page that ``?page=&page_size=`` asks for."""
    page, size = int(query["page"]), int(query["page_size"])
    return {"limit": size, "offset": (page - 1) * size}


def page_envelope(
    page: Page[Any], query: dict[str, Any], items: Sequence[Any] | None = None
) -> dict[str, Any]:
    """The list envelope ``{items, page, page_size, total, pages}`` of a page the store cut
    (``items``: the page's items as shown, e.g. masked; by default as they are)."""
    number, size = int(query["page"]), int(query["page_size"])
    return {
        "items": list(page.items if items is None else items),
        "page": number,
        "page_size": size,
        "total": page.total,
        "pages": math.ceil(page.total / size),
    }


def paginate(rows: Sequence[Any], query: dict[str, Any]) -> dict[str, Any]:
    """The envelope of a list held in memory (the catalogue's matters), cut here."""
    window = page_window(query)
    start, size = window["offset"], window["limit"]
    return page_envelope(Page(tuple(rows[start:start + size]), len(rows), start, size), query)
