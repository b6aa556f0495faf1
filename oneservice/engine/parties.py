"""The parties of a case (当事人): checked against the roles its matter declares when it opens.

The applicant takes the matter's first role; every other party is a :class:`Party` in one of
the other roles. Refused with :class:`~oneservice.errors.PartyError` (OS711): a role the matter
does not declare, two parties in one role, a kind the role does not take, one person in two
roles, a required role without a party, an agent's role (``acts_for``) without the reference of
its written authorisation (委托书) or without the party it acts for; a malformed ID number is
:class:`~oneservice.errors.InvalidIdentifier` (OS621).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import attrs

from ..domain.case import Applicant, Party
from ..domain.definitions import Matter, PartyRole
from ..errors import InvalidInput, PartyError
from .forms import validate_applicant_id

__all__ = ["check_parties"]


def _fits(role: PartyRole, kind: str, field: str) -> None:
    if not role.kind.fits(kind):
        zh = "自然人" if role.kind.value == "person" else "企业"
        raise PartyError(f"the {role.name.en} ({role.role}) must be a {role.kind.value}, not a {kind}",
                         field=field, hint=f"{role.name.zh}须为{zh}")


def check_parties(matter: Matter, applicant: Applicant, parties: Iterable[Party]) -> list[Party]:
    """The other parties of a case of ``matter`` opened by ``applicant``, checked and with their
    numbers made compact, in the matter's role order."""
    first = matter.applicant_role
    _fits(first, applicant.kind, "applicant.kind")
    others = {p.role: p for p in matter.parties[1:]}
    seen: dict[str, int] = {applicant.id_number: -1}
    given: dict[str, Party] = {}
    for n, party in enumerate(parties):
        at = f"parties[{n}]"
        if not isinstance(party, Party) or not isinstance(party.applicant, Applicant):
            raise InvalidInput("must be a Party(role, Applicant(…))", field=at)
        role = others.get(party.role)
        if role is None:
            if party.role == first.role:
                raise PartyError(f"{party.role!r} is the applicant's role: the applicant takes it",
                                 field=f"{at}.role")
            close = difflib.get_close_matches(str(party.role), list(others), n=1)
            known = ", ".join(others) or "none besides the applicant"
            raise PartyError(f"matter {matter.id} has no party role {party.role!r} (roles: {known})",
                             field=f"{at}.role", hint=f"did you mean {close[0]!r}?" if close else None)
        if party.role in given:
            raise PartyError(f"two parties in the role {party.role!r}: one party per role",
                             field=f"{at}.role")
        person = party.applicant
        number = validate_applicant_id(person.kind, person.id_number, f"{at}.applicant.id_number")
        if not isinstance(person.name, str) or not person.name.strip():
            raise InvalidInput("the party's name is required", field=f"{at}.applicant.name")
        _fits(role, person.kind, f"{at}.applicant.kind")
        if number in seen:
            other = first.role if seen[number] < 0 else list(given)[seen[number]]
            raise PartyError(f"one person cannot take two roles: {number[:4]}… is already the {other}",
                             field=f"{at}.applicant.id_number")
        seen[number] = len(given)
        given[party.role] = Party(party.role, attrs.evolve(person, id_number=number),
                                  _authorisation(role, party.authorisation, at))
    missing = [r for r in matter.parties[1:] if r.required and r.role not in given]
    if missing:
        names = ", ".join(f"{r.role} ({r.name.en})" for r in missing)
        raise PartyError(f"matter {matter.id} needs a party in each required role; missing: {names}",
                         field="parties", hint="、".join(r.name.zh for r in missing))
    for role_name in given:
        principal = others[role_name].acts_for
        if principal is not None and principal != first.role and principal not in given:
            name = others[principal].name
            raise PartyError(f"the {others[role_name].name.en} ({role_name}) acts for the {name.en} "
                             f"({principal}), who is not a party of this case",
                             field="parties", hint=f"add the {principal} ({name.zh}) as a party")
    return [given[r.role] for r in matter.parties[1:] if r.role in given]


def _authorisation(role: PartyRole, reference: object, at: str) -> str | None:
    """The reference of an agent's written authorisation (委托书), required for an agent's role
    and refused for any other."""
    field = f"{at}.authorisation"
    if role.acts_for is None:
        if reference is not None:
            raise PartyError(f"the {role.name.en} ({role.role}) is not an agent's role: only an agent "
                             "acts under an authorisation (委托书)", field=field)
        return None
    if not isinstance(reference, str) or not reference.strip():
        raise PartyError(
            f"the {role.name.en} ({role.role}) acts for the {role.acts_for} only under a written "
            "authorisation (委托书): give its reference (notarisation or registration number)",
            field=field, hint=f"{role.name.zh}须提交授权委托书，填写其编号")
    if len(reference) > 100:
        raise InvalidInput("the authorisation's reference is at most 100 characters", field=field)
    return reference.strip()
