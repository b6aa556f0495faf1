"""Steps: pickup (出件), withdrawal, rating (好差评) and its follow-up."""

from __future__ import annotations

from .library import step_def
from .world import World

SECTION = "Pickup, withdrawal and rating"


@step_def("action", SECTION,
          "the clerk delivers the results {how:delivery}",
          "办理结果 {how:delivery}")
def delivers(world: World, how: str) -> None:
    """Deliver every result together: electronically, by mail, at the window (a trip) or
    through an agent."""
    world.service.deliver(world.clerk(), world.case, channel=how)


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
          'the applicant rates the service {level:rating}[ saying "{comment}"]',
          '申请人 评价 {level:rating}[ 分][，"{comment}"]')
def rates(world: World, level: int, comment: str | None) -> None:
    """好差评: 5 非常满意 … 1 非常不满意; a rating of 1 or 2 opens a rectification."""
    world.service.rate(world.applicant_actor(), world.case, level, comment or "")


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
