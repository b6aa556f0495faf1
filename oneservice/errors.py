"""Every error oneservice raises, under one root.

::

    OneServiceError                      code OS000
    ├── DefinitionError                  definition-time: YAML under workflows/ (carries findings)
    ├── CalendarError                    calendar data missing or malformed          OS610
    │   └── CalendarConflict             a calendar year would move frozen deadlines OS706
    ├── InvalidInput                     a value given to an action is wrong         OS620
    │   ├── InvalidIdentifier            resident ID number / credit code malformed  OS621
    │   ├── SituationError               wrong for the applicant's situation (情形)  OS710
    │   ├── PartyError                   a party's role, kind or person is wrong      OS711
    │   ├── FeedQueryInvalid             a feed position, page size or wait is wrong  OS720
    │   └── WebhookInvalid               a webhook's URL, secret or kinds are wrong   OS722
    ├── FileRefused                      an uploaded file is refused, nothing is kept
    │   ├── FileTooLarge                 over the size limit                          OS740
    │   ├── FileTypeRefused              its content (sniffed) is not an allowed type OS741
    │   └── FileHashMismatch             not the SHA-256 the caller declared          OS742
    ├── UnknownDefinition                no such matter / item / location            OS630
    ├── RequestError                     run-time, about one 12345 request (request_id, state)
    │   ├── RequestNotFound              OS760
    │   ├── RequestIllegalAction         action not allowed in this state             OS761
    │   ├── RequestInputError            a value missing or wrong (field named)      OS762
    │   │   └── UnknownRequestCategory   not in the request catalogue                 OS763
    │   ├── RequestReturnLimit           returned by one department beyond policy     OS764
    │   ├── RequestWrongDepartment       a department it is not dispatched to         OS765
    │   ├── RequestReopenLimit           ordered redone, resolved and content         OS766
    │   ├── RequestNotAuthorised         the actor's role may not do this             OS767
    │   ├── RequestConflict              another action changed it meanwhile          OS768
    │   └── RequestRoutingError          no competent department for its area         OS769
    ├── CaseError                        run-time, about one case (carries case_id, state)
    │   ├── CaseNotFound                 OS700
    │   ├── IllegalAction                action not allowed in this state             OS701
    │   ├── ActionRejected               a guard of the action failed (reason given)  OS702
    │   ├── ConcurrencyConflict          another action changed the case meanwhile    OS703
    │   ├── DuplicateAction              idempotency key reused with other content    OS704
    │   ├── NotAuthorised                actor may not do this                        OS705
    │   ├── MaterialNotFound             no such material in the case's matter        OS743
    │   ├── MaterialsClosed              the case's state takes no materials now      OS744
    │   └── AttachmentNotFound           no file received for that material           OS745
    └── StoreError                       the database could not be used              OS800
        └── SchemaOutOfDate              the database is behind the code's migrations OS730

Definition errors carry a list of :class:`Finding` (code, message, file, line, column, key path,
hint); run-time errors carry the case id, its state and, for illegal actions, the actions allowed
now. Every code is listed in ``docs/errors.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import attrs

__all__ = [
    "ActionRejected",
    "AttachmentNotFound",
    "CalendarConflict",
    "CalendarError",
    "CaseError",
    "CaseInputError",
    "CaseNotFound",
    "ConcurrencyConflict",
    "DefinitionError",
    "DuplicateAction",
    "FeedQueryInvalid",
    "FileHashMismatch",
    "FileRefused",
    "FileTooLarge",
    "FileTypeRefused",
    "Finding",
    "IllegalAction",
    "InvalidIdentifier",
    "InvalidInput",
    "MaterialNotFound",
    "MaterialsClosed",
    "NotAuthorised",
    "OneServiceError",
    "PartyError",
    "PointError",
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
    "RoutingError",
    "SchemaOutOfDate",
    "Severity",
    "SituationError",
    "StoreError",
    "UnknownDefinition",
    "UnknownRequestCategory",
    "WebhookInvalid",
]


class OneServiceError(Exception):
    """Root of every error raised by oneservice."""

    code = "OS000"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the error (code, type, message and context)."""
        return {"code": self.code, "type": type(self).__name__, "message": str(self)}


Severity = Literal["error", "warning"]
"""An error stops a catalogue from loading; a warning is printed."""


@attrs.frozen
class Finding:
    """One problem found in a definition: what, where and how to fix it."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str = ""  # key path, e.g. "item.materials[2].sources[0]"
    hint: str | None = None
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """``file:LINE:COL: CODE message (at key.path) hint`` for people."""
        where = self.file or "<catalogue>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.code} {self.message}"
        if self.severity != "error":
            text = f"{where}: {self.code} [{self.severity}] {self.message}"
        if self.path:
            text += f" (at {self.path})"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.code))


class DefinitionError(OneServiceError):
    """Definitions under ``workflows/`` are invalid; ``findings`` lists every problem."""

    code = "OS100"

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = sort_findings(findings)
        errors = [f for f in self.findings if f.is_error]
        shown = "\n".join(f.format() for f in errors[:50])
        more = f"\n… and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} definition error(s):\n{shown}{more}")

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["findings"] = [f.to_dict() for f in self.findings]
        return data


class CalendarError(OneServiceError):
    """Calendar data is missing or malformed."""

    code = "OS610"


class CalendarConflict(CalendarError):
    """Loading a calendar year would move frozen deadlines; nothing was loaded.

    A deadline is frozen when it was computed on official data (not provisional) or was met
    already; ``case_ids`` lists the cases whose frozen deadlines the year contradicts, ``deadlines``
    each one (case, kind, subject, its due date and the date the year would give).
    """

    code = "OS706"

    def __init__(self, year: int, deadlines: Sequence[dict[str, Any]]) -> None:
        self.year = year
        self.deadlines = list(deadlines)
        self.case_ids = sorted({d["case_id"] for d in self.deadlines})
        shown = ", ".join(self.case_ids[:20]) + (f" … and {len(self.case_ids) - 20} more"
                                                  if len(self.case_ids) > 20 else "")
        super().__init__(
            f"calendar {year} contradicts {len(self.deadlines)} frozen deadline(s) of case(s) {shown}; "
            "nothing was loaded — 日历数据与已确定的期限矛盾，未载入 — check the data against the "
            "official notice; a year already in use cannot be changed under cases that relied on it"
        )

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(year=self.year, case_ids=self.case_ids, deadlines=self.deadlines)
        return data


class InvalidInput(OneServiceError):
    """A value passed to an action is wrong; ``field`` names it."""

    code = "OS620"

    def __init__(self, message: str, *, field: str = "", hint: str | None = None) -> None:
        self.field = field
        self.hint = hint
        text = f"{field}: {message}" if field else message
        if hint:
            text += f" — {hint}"
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(field=self.field, hint=self.hint)
        return data


class SituationError(InvalidInput):
    """A value that does not fit the applicant's situation (情形): a material only absent items
    need, an answer of the wrong type, a question the matter does not ask."""

    code = "OS710"


class PartyError(InvalidInput):
    """A party of a case is wrong: a role the matter does not declare, a required role missing,
    one person in two roles, a kind that does not fit the role."""

    code = "OS711"


class CaseInputError(InvalidInput):
    """A value given to an action on a case does not fit the registry; names the case and its
    state when there is one (before a case exists, only the field)."""

    def __init__(self, message: str, *, field: str = "", hint: str | None = None,
                 case_id: str | None = None, state: str | None = None) -> None:
        self.case_id = case_id
        self.state = state
        if case_id is not None:
            message = f"case {case_id}" + (f" ({state})" if state else "") + f": {message}"
        super().__init__(message, field=field, hint=hint)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(case_id=self.case_id, state=self.state)
        return data


class RoutingError(CaseInputError):
    """No competent department for an item of the case: the area the rule reads (the applicant's
    residence, the property's location, the intake point) is not listed, is outside the rule's
    area, or is wider than its departments cover."""

    code = "OS750"


class PointError(CaseInputError):
    """A service location that does not fit: not in the registry, at a level the matter does not
    take cases in at, or a pickup point whose window cannot hand the case's results out."""

    code = "OS751"


class InvalidIdentifier(InvalidInput):
    """A resident ID number or unified social credit code is malformed."""

    code = "OS621"


class FeedQueryInvalid(InvalidInput):
    """A question to the event feed is wrong: a negative position, a page too big, a wait too long."""

    code = "OS720"


class WebhookInvalid(InvalidInput):
    """A webhook registration is wrong: not an http(s) URL, a short secret, a malformed event kind."""

    code = "OS722"


class UnknownDefinition(OneServiceError):
    """A matter, item, location or department id is not in the loaded catalogue."""

    code = "OS630"

    def __init__(self, kind: str, ident: str, known: Iterable[str] = ()) -> None:
        import difflib

        self.kind = kind
        self.ident = ident
        close = difflib.get_close_matches(ident, list(known), n=3)
        self.suggestions = close
        text = f"unknown {kind} {ident!r}"
        if close:
            text += f" — did you mean {', '.join(repr(c) for c in close)}?"
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(kind=self.kind, id=self.ident, suggestions=self.suggestions)
        return data


class CaseError(OneServiceError):
    """An action on one case failed; carries ``case_id`` and the case's ``state``."""

    code = "OS7xx"

    def __init__(self, message: str, *, case_id: str, state: str | None = None) -> None:
        self.case_id = case_id
        self.state = state
        where = f"case {case_id}" + (f" (state {state})" if state else "")
        super().__init__(f"{where}: {message}")

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(case_id=self.case_id, state=self.state)
        return data


class CaseNotFound(CaseError):
    code = "OS700"

    def __init__(self, case_id: str) -> None:
        super().__init__("no such case", case_id=case_id)


class IllegalAction(CaseError):
    """The action is not allowed in the current state; ``allowed`` lists what is."""

    code = "OS701"

    def __init__(
        self, action: str, *, case_id: str, state: str, allowed: Sequence[str], target: str = ""
    ) -> None:
        self.action = action
        self.allowed = sorted(allowed)
        self.target = target
        on = f" on {target}" if target else ""
        now = ", ".join(self.allowed) or "none"
        super().__init__(
            f"action {action!r}{on} is not allowed now; allowed now: {now}",
            case_id=case_id,
            state=state,
        )

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(action=self.action, allowed=self.allowed, target=self.target)
        return data


class ActionRejected(CaseError):
    """A guard of the action failed; ``reason`` is a stable reason code."""

    code = "OS702"

    def __init__(
        self, message: str, *, case_id: str, state: str | None, reason: str, details: Any = None
    ) -> None:
        self.reason = reason
        self.details = details
        super().__init__(f"{message} [{reason}]", case_id=case_id, state=state)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(reason=self.reason, details=self.details)
        return data


class ConcurrencyConflict(CaseError):
    """Another action changed the case since it was read; reload and retry."""

    code = "OS703"

    def __init__(self, case_id: str, *, expected_version: int | None = None) -> None:
        self.expected_version = expected_version
        super().__init__(
            "the case was changed by a concurrent action; reload it and retry",
            case_id=case_id,
        )


class DuplicateAction(CaseError):
    """An idempotency key was reused for a different action or different arguments."""

    code = "OS704"

    def __init__(self, key: str, *, case_id: str) -> None:
        self.key = key
        super().__init__(
            f"idempotency key {key!r} was already used for a different action", case_id=case_id
        )


class NotAuthorised(CaseError):
    """The actor may not perform this action; the attempt is recorded as an event."""

    code = "OS705"

    def __init__(self, message: str, *, case_id: str, state: str | None = None, actor: str = "") -> None:
        self.actor = actor
        super().__init__(f"{actor}: {message}" if actor else message, case_id=case_id, state=state)


class FileRefused(OneServiceError):
    """An uploaded file is refused before anything is kept (no blob, no attachment, no event)."""

    code = "OS74x"

    def __init__(self, message: str, **context: Any) -> None:
        self.context = context
        super().__init__(message)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.context}


class FileTooLarge(FileRefused):
    """The file is larger than the limit (``limit`` bytes)."""

    code = "OS740"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than {limit} bytes / 文件超过大小限制（{limit} 字节）",
                         limit=limit)


class FileTypeRefused(FileRefused):
    """The file's content, sniffed from its bytes, is not of an allowed type (the declared
    ``Content-Type`` is not trusted)."""

    code = "OS741"

    def __init__(self, found: str, allowed: Sequence[str]) -> None:
        shown = ", ".join(sorted(allowed))
        super().__init__(f"the file's content is {found}, not an allowed type ({shown}) / 文件类型不允许",
                         found=found, allowed=sorted(allowed))


class FileHashMismatch(FileRefused):
    """The SHA-256 of the bytes received is not the one the caller declared."""

    code = "OS742"

    def __init__(self, declared: str, actual: str) -> None:
        super().__init__(f"the file's SHA-256 is {actual}, not the declared {declared} / 文件摘要与声明不符",
                         declared=declared, actual=actual)


class MaterialNotFound(CaseError):
    """The material is not one of the case's matter's materials; ``known`` lists them."""

    code = "OS743"

    def __init__(self, material: str, *, case_id: str, known: Sequence[str] = ()) -> None:
        import difflib

        self.material = material
        self.known = sorted(known)
        close = difflib.get_close_matches(material, self.known, n=1)
        hint = f" — did you mean {close[0]!r}?" if close else ""
        super().__init__(f"no material {material!r} in this case's matter / 该事项无此材料{hint}",
                         case_id=case_id)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "material": self.material}


class MaterialsClosed(CaseError):
    """The case is in a state that takes no materials (delivered, closed, refused, terminated,
    withdrawn): nothing is received for it any more."""

    code = "OS744"

    def __init__(self, *, case_id: str, state: str) -> None:
        super().__init__(f"a case in state {state} takes no materials / 该办件当前状态不再接收材料",
                         case_id=case_id, state=state)


class AttachmentNotFound(CaseError):
    """No file was received for the material (or its files were purged under the retention rule)."""

    code = "OS745"

    def __init__(self, material: str, *, case_id: str) -> None:
        self.material = material
        super().__init__(f"no file of material {material!r} is kept / 该材料无已上传文件", case_id=case_id)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "material": self.material}


class StoreError(OneServiceError):
    """The database could not be reached or used."""

    code = "OS800"


class SchemaOutOfDate(StoreError):
    """The database's schema is behind (or ahead of) the migrations of this version of oneservice.

    Raised where a command or the server opens a database without migrating it; ``oneservice
    migrate`` (or ``serve --migrate``) brings it to ``head``.
    """

    code = "OS730"

    def __init__(self, message: str, *, current: str | None, head: str, where: str) -> None:
        super().__init__(message)
        self.current = current
        self.head = head
        self.where = where

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "current": self.current, "head": self.head, "where": self.where}


# The errors of 12345 requests live in their own module (this one stays short); they are part of
# this module's names all the same.
from .request_errors import (  # noqa: E402
    RequestConflict,
    RequestError,
    RequestIllegalAction,
    RequestInputError,
    RequestNotAuthorised,
    RequestNotFound,
    RequestReopenLimit,
    RequestReturnLimit,
    RequestRoutingError,
    RequestWrongDepartment,
    UnknownRequestCategory,
)
