"""Steps of the parties of a case: agents under a written authorisation (委托书) and signatures (签字)."""

from __future__ import annotations

from oneservice.domain.case import Applicant
from oneservice.samples import sample_resident_id

from .library import step_def
from .names import ScenarioProblem
from .world import World

SECTION = "Parties and signatures"


@step_def("setup", SECTION,
          'the agent "{name}" acts for the party "{role}" under the authorisation "{reference}"',
          '委托代理人 "{name}" 代理当事人 "{role}"，授权委托书 "{reference}"')
def agent_of_party(world: World, name: str, role: str, reference: str) -> None:
    """The next case has an agent (委托代理人) of the party in ``role`` (by id or name), in the
    matter's agent role for it, acting under the written authorisation ``reference``: the agent
    comes and signs in that party's place."""
    number = sample_resident_id(40 + len(world.agents))
    world.agents[role] = (Applicant("person", number, name, "13700137000"), reference)


def _signer(world: World, text: str) -> tuple[str, str | None]:
    """(the role whose signature it is, the agent's role signing for them or None)."""
    role = world.role(text, world.matter)
    principal = world.catalogue.matters[world.matter].party_role(role)
    if principal is not None and principal.acts_for:
        return principal.acts_for, role
    return role, None


@step_def("action", SECTION,
          'the party "{role}" signs[ "{materials}"] online',
          '当事人 "{role}" 在线签字[ "{materials}"]')
def signs_online(world: World, role: str, materials: str | None) -> None:
    """The party (or an agent, for the party they act for) signs electronically (电子签名), signed in
    as themselves: the materials named, or every received one they still sign. No trip."""
    whose, agent = _signer(world, role)
    ids = world.names.materials(materials, world.matter) if materials else []
    actor = world.party_actor(agent or whose)
    world.service.sign(actor, world.case, whose, ids, channel="online", signer=agent)


@step_def("action", SECTION,
          'the party "{role}" signs at the window',
          '当事人 "{role}" 到窗口签字')
def signs_at_window(world: World, role: str) -> None:
    """The party (or an agent) comes to the window and signs before the clerk every received
    material they still sign: a visit of theirs (the same visit on the same day)."""
    whose, agent = _signer(world, role)
    world.service.sign(world.clerk(), world.case, whose, channel="window", signer=agent)


@step_def("check", SECTION,
          'the party "{role}" has signed "{material}"',
          '当事人 "{role}" 已签字 "{material}"')
def has_signed(world: World, role: str, material: str) -> None:
    """The case holds the signature of the party in ``role`` on the material (given by them or
    by their agent; an agent's role names the party they act for)."""
    whose, _agent = _signer(world, role)
    mid = world.names.material(material, world.matter)
    case = world.service.case(world.supervisor(), world.case)
    if case.signed(mid, whose) is None:
        shown = ", ".join(f"{s.material_id}/{s.role}" for s in case.signatures) or "none"
        raise ScenarioProblem(f"the {whose} has not signed {mid} (signatures: {shown})")
