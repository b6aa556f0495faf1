"""The errors of 12345 requests (诉求): each names the request and its state (see
:mod:`oneservice.errors`, which offers them too, and docs/errors.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .errors import OneServiceError

__all__ = [
    "RequestConflict",
    "RequestError",
    "RequestIllegalAction",
    "RequestInputError",
    "RequestNotAuthorised",
    "RequestNotFound",
    "RequestReopenLimit",
    "RequestReturnLimit",
    "RequestRoutingError",
    "RequestWrongDepartment",
    "UnknownRequestCategory",
]


class RequestError(OneServiceError):
    """An action on one 12345 request (诉求) failed; carries ``request_id`` and its ``state``
    (``None`` and "not taken in" for a request refused at intake)."""

    code = "OS76x"

    def __init__(self, message: str, *, request_id: str | None, state: str | None = None,
                 field: str = "", hint: str | None = None) -> None:
        self.request_id = request_id
        self.state = state
        self.field = field
        self.hint = hint
        where = (f"request {request_id}" + (f" (state {state})" if state else "") if request_id
                 else "request (not taken in)")
        text = f"{where}: " + (f"{field}: " if field else "") + message
        if hint:
            text += f" — {hint}"
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(request_id=self.request_id, state=self.state, field=self.field, hint=self.hint)
        return data


class RequestNotFound(RequestError):
    code = "OS760"

    def __init__(self, request_id: str) -> None:
        super().__init__("no such request", request_id=request_id)


class RequestIllegalAction(RequestError):
    """The action is not allowed in the request's state (a callback before an answer); ``allowed``
    lists what is."""

    code = "OS761"

    def __init__(self, action: str, *, request_id: str, state: str, allowed: Sequence[str]) -> None:
        self.action = action
        self.allowed = sorted(allowed)
        now = ", ".join(self.allowed) or "none"
        super().__init__(f"action {action!r} is not allowed now; allowed now: {now}",
                         request_id=request_id, state=state)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "action": self.action, "allowed": self.allowed}


class RequestInputError(RequestError):
    """A value given to an action on a request is missing or wrong (no category, no contact, a
    return without a reason, an unknown department); ``field`` names it."""

    code = "OS762"


class UnknownRequestCategory(RequestInputError):
    """The request names a category the request catalogue lacks; ``suggestions`` are close ones."""

    code = "OS763"

    def __init__(self, category: str, known: Iterable[str], *, request_id: str | None = None,
                 state: str | None = None) -> None:
        import difflib

        self.category = category
        self.suggestions = difflib.get_close_matches(category, list(known), n=3)
        hint = f"did you mean {', '.join(repr(c) for c in self.suggestions)}?" if self.suggestions else (
            "see workflows/requests/categories.yaml")
        super().__init__(f"unknown request category {category!r}", request_id=request_id, state=state,
                         field="category", hint=hint)


class RequestReturnLimit(RequestError):
    """A department returns (退单) a request more often than the jurisdiction's policy allows."""

    code = "OS764"


class RequestWrongDepartment(RequestError):
    """A department acts on (acknowledges, returns, answers) a request it is not dispatched to."""

    code = "OS765"


class RequestReopenLimit(RequestError):
    """A supervisor orders a closed request redone (督办重办) whose last callback found it resolved
    and the requester content: nothing to redo. (The policy's reopens are no error: past them the
    callback closes the request.)"""

    code = "OS766"


class RequestNotAuthorised(RequestError):
    """The actor's role may not perform this action on a request."""

    code = "OS767"


class RequestConflict(RequestError):
    """Another action changed the request since it was read; reload and retry."""

    code = "OS768"

    def __init__(self, request_id: str) -> None:
        super().__init__("the request was changed by a concurrent action; reload it and retry",
                         request_id=request_id)


class RequestRoutingError(RequestError):
    """No competent department for the request: the region its category's rule reads is missing,
    not listed, outside the rule's area or wider than its departments cover."""

    code = "OS769"
