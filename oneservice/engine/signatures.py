"""Signatures (签字) of the materials that need them, before acceptance.

A material names the party roles that sign it (``signed_by``, e.g. a sale contract signed by
buyer and seller). A signature is recorded

- **at the window**, before the clerk: every party who comes to a hand-in at the window signs the
  materials handed in that they sign (:func:`sign_present`, called by the front desk), and a
  party who comes later signs with :meth:`Signatures.sign` on the window channel — a visit of
  theirs, counted against the trip budget like any other;
- **online** (电子签名): the party signs with :meth:`Signatures.sign` on the online or mobile
  channel themselves, with no trip.

An agent (委托代理人, a party role with ``acts_for``) signs on behalf of the party they act for,
under the written authorisation (委托书) recorded when the case opened; the signature names them.

Each missing signature is a line of the one-time notice and keeps the case from acceptance
(:func:`~oneservice.engine.completeness.check_completeness`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from ..domain.case import Actor, Case, MaterialStatus, Role, Signature
from ..domain.definitions import Channel, Material, Matter
from ..errors import InvalidInput, NotAuthorised, PartyError
from .base import EngineBase

__all__ = ["Signatures", "sign_present"]

SIGN_CHANNELS = frozenset({Channel.WINDOW, Channel.ONLINE, Channel.MOBILE})
"""Where a party signs: before a clerk at the window, or electronically online or on mobile."""


def _principal(matter: Matter, signer: str) -> str:
    """The role whose signature ``signer`` gives: their own, or an agent's principal's."""
    role = matter.party_role(signer)
    return role.acts_for if role is not None and role.acts_for else signer


def sign_present(
    case: Case,
    matter: Matter,
    materials: Iterable[Material],
    present: Sequence[str],
    actor: Actor,
    now: dt.datetime,
    location: str,
) -> list[Signature]:
    """Record the signatures of the parties ``present`` at the window (roles, agents included) on
    ``materials`` just handed in: each party signs before the clerk what they sign."""
    made = []
    for material in materials:
        for signer in present:
            role = _principal(matter, signer)
            if role not in material.signed_by or case.signed(material.id, role) is not None:
                continue
            signature = Signature(material.id, role, now, Channel.WINDOW.value, actor.id, location,
                                  agent=signer if signer != role else None)
            case.signatures.append(signature)
            made.append(signature)
    return made


class Signatures(EngineBase):
    """The signing of materials by the parties of a case (签字)."""

    def sign(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        role: str,
        materials: Sequence[str] = (),
        channel: str = "online",
        *,
        signer: str | None = None,
        over_budget_reason: str | None = None,
    ) -> None:
        """The party in ``role`` — or ``signer``, their agent — signs ``materials`` (default:
        every received material they still have to sign): online by that party themselves, or at
        the window before a clerk (a visit of the signer's)."""
        self.authorise(case, actor, "sign")
        self._case_step(case, "sign", actor)
        if role not in case.roles:
            raise PartyError(f"this case has no party in the role {role!r} "
                             f"(parties: {', '.join(case.roles)})", field="role")
        signer = signer or role
        if signer != role and (signer not in case.roles or _principal(self.matter, signer) != role):
            agents = [r for r in self.matter.agent_roles(role) if r in case.roles]
            raise PartyError(f"{signer!r} is not an agent of the {role} in this case "
                             f"(agents of the {role}: {', '.join(agents) or 'none'})", field="signer")
        chosen = self._channel(case, channel, SIGN_CHANNELS, "signing")
        wanted = self._to_sign(case, role, list(materials))
        if chosen is Channel.WINDOW:
            if actor.role is not Role.CLERK:
                raise NotAuthorised("at the window a clerk records the signature", case_id=case.id,
                                    state=str(case.state), actor=actor.describe())
            self._visit(case, actor, now, None, "sign", over_budget_reason, [signer])
        else:
            person = case.party(signer)
            if actor.role is not Role.APPLICANT or person is None or actor.applicant_id != person.id_number:
                raise NotAuthorised(
                    f"online, the {signer} signs themselves (电子签名): sign in as that party",
                    case_id=case.id, state=str(case.state), actor=actor.describe())
        location = (actor.location or case.location) if chosen is Channel.WINDOW else None
        for mid in wanted:
            case.signatures.append(Signature(mid, role, now, chosen.value, actor.id, location,
                                             agent=signer if signer != role else None))
        self._event(case, now, "MaterialsSigned", actor, role=role, materials=wanted, channel=chosen.value,
                    agent=signer if signer != role else None)

    def _to_sign(self, case: Case, role: str, materials: list[str]) -> list[str]:
        """The materials ``role`` signs now: those named, each checked, or every one still unsigned."""
        lines = self.lines
        if not materials:
            open_ = [mid for mid, whose in case.unsigned(self.signers) if whose == role]
            if not open_:
                raise self._reject(case, f"the {role} has nothing to sign now: no received material "
                                   "awaits their signature", "nothing_to_sign", {"role": role})
            return sorted(open_)
        for n, mid in enumerate(dict.fromkeys(materials)):
            field = f"materials[{n}]"
            line = lines.get(mid)
            if line is None:
                raise InvalidInput(f"material {mid!r} does not belong to matter {case.matter_id}",
                                   field=field)
            if role not in line.material.signed_by:
                signers = ", ".join(line.material.signed_by) or "nobody"
                raise self._reject(case, f"material {mid!r} is not signed by the {role} "
                                   f"(signed by: {signers})", "not_a_signer", {"material": mid, "role": role})
            record = case.materials.get(mid)
            if record is None or record.status is not MaterialStatus.RECEIVED:
                raise self._reject(case, f"material {mid!r} has not been handed in: it is signed once "
                                   "received", "not_received", {"material": mid})
            if case.signed(mid, role) is not None:
                raise self._reject(case, f"the {role} has already signed material {mid!r}",
                                   "already_signed", {"material": mid, "role": role})
        return list(dict.fromkeys(materials))
