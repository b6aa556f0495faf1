"""Steps: pickup (出件) and pickup points (就近取件), withdrawal, rating (好差评) and its follow-up."""

from __future__ import annotations

from .library import step_def
from .world import World

SECTION = "Pickup, withdrawal and rating"


@step_def("action", SECTION,
          'the clerk delivers the results {how:delivery}[, mailing "{mailed}" under the tracking reference'
          ' "{tracking}"]',
          '办理结果 {how:delivery}[，"{mailed}" 邮寄送达，运单号 "{tracking}"]')
def delivers(world: World, how: str, mailed: str | None, tracking: str | None) -> None:
    """统一出件: hand over every result — electronically, by mail, at the window (a trip) or through
    an agent; ``mailed`` (result names or ids, comma-separated) go by mail under the parcel's
    ``tracking`` reference instead, as seals and cards must when the rest is pushed electronically."""
    results: dict[str, dict[str, str]] = {}
    if mailed:
        routes = world.catalogue.plan(world.matter).trips.results
        for name in (n.strip() for n in mailed.replace("，", ",").replace("、", ",").split(",")):
            route = next((r for r in routes if name in (r.result.id, r.result.name.zh, r.result.name.en)),
                         None)
            if route is None:
                known = ", ".join(f"{r.result.id} ({r.result.name.zh})" for r in routes)
                world.fail(f"{name!r} is not a result of {world.matter}; its results: {known}")
            results[route.result.id] = {"channel": "mail", "tracking": tracking or ""}
    world.service.deliver(world.clerk(world.pickup_point()), world.case, channel=how, results=results or None,
                          tracking=tracking if how == "mail" else None)


@step_def("action", SECTION,
          'the applicant chooses "{location}" as the pickup point',
          '申请人 选择取件点 "{location}"')
def chooses_pickup(world: World, location: str) -> None:
    """就近取件: the applicant has the results handed out at another service point (by name or id)
    instead of the intake point; the point's level must fit the matter and each result's window."""
    world.service.choose_pickup(world.applicant_actor(), world.case, world.names.location(location))


@step_def("action", SECTION,
          'the clerk of "{location}" hands the results over at the window',
          '"{location}" 的窗口人员 窗口发放办理结果')
def hands_over_at(world: World, location: str) -> None:
    """A window clerk of the named service point hands every result over there (a trip); refused
    unless the results wait at that point and its window fits them."""
    world.service.deliver(world.clerk(world.names.location(location)), world.case, channel="window")


@step_def("action", SECTION,
          "the clerk closes the case",
          "窗口人员 办结归档")
def closes(world: World) -> None:
    """Close a delivered case."""
    world.service.conclude(world.clerk(), world.case)


@step_def("action", SECTION,
          'the applicant withdraws the case because "{reason}"',
          '申请人 撤回申请，理由 "{reason}"')
def withdraws(world: World, reason: str) -> None:
    """撤回: withdraw before the results are ready; open items are cancelled."""
    world.service.withdraw(world.on_behalf(world.channel or "online"), world.case, reason)


@step_def("action", SECTION,
          'the applicant rates the service {level:rating}[ saying "{comment}"]'
          '[ about the department "{department}"]',
          '申请人 评价 {level:rating}[ 分][，"{comment}"][，评价对象 "{department}"]')
def rates(world: World, level: int, comment: str | None, department: str | None) -> None:
    """好差评: 5 非常满意 … 1 非常不满意; a 差评 (1 or 2 under the default policy) opens a
    rectification. ``department``: the rating is about that department (一次一评), not the case."""
    about = {"kind": "department", "id": world.names.department(department)} if department else None
    world.service.rate(world.applicant_actor(), world.case, level, comment or "", about=about)


@step_def("action", SECTION,
          'the reviewer of "{department}" appeals the bad rating because "{reason}"',
          '"{department}" 的审查员 对差评提出申诉，理由 "{reason}"')
def appeals(world: World, department: str, reason: str) -> None:
    """申诉: the department a 差评 is about appeals it as mistaken or malicious (once, within the
    policy's period); a supervisor decides."""
    world.service.appeal_rating(world.reviewer(world.names.department(department)), world.case, reason)


@step_def("action", SECTION,
          'the supervisor upholds the appeal: "{note}"',
          '督查人员 复核申诉成立："{note}"')
def upholds(world: World, note: str) -> None:
    """复核 upheld: the rating leaves the figures (it stays in the history); its rectification is
    withdrawn."""
    world.service.decide_appeal(world.supervisor(), world.case, decision="upheld", note=note)


@step_def("action", SECTION,
          'the supervisor rejects the appeal: "{note}"',
          '督查人员 复核申诉不成立："{note}"')
def rejects(world: World, note: str) -> None:
    """复核 rejected: the rating and its rectification stand."""
    world.service.decide_appeal(world.supervisor(), world.case, decision="rejected", note=note)


@step_def("action", SECTION,
          'the supervisor records the callback: "{note}"',
          '督查人员 完成回访："{note}"')
def callback(world: World, note: str) -> None:
    """回访 after a bad rating (due in 1 working day)."""
    world.service.record_callback(world.supervisor(), world.case, note)


@step_def("action", SECTION,
          'the supervisor records the rectification: "{note}"',
          '督查人员 完成整改："{note}"')
def rectified(world: World, note: str) -> None:
    """整改 after a bad rating and its callback (due in 15 working days)."""
    world.service.record_rectified(world.supervisor(), world.case, note)
