"""``oneservice demo MATTER_ID``: one realistic case end to end on a SQLite file, simulated clock
(``oneservice demo request``: a 12345 request, :mod:`.demo_request`).

The case takes the path most applicants know: the first submission misses a material, the front
desk gives the one-time notice, the applicant supplies it online, the case is accepted, every
back office reviews and approves its item (downstream items receive upstream results
automatically), the single window hands over every result — each by a channel that suits its form:
electronic results pushed, seals and cards mailed with a tracking reference, or handed over at the
window where the law asks for it — and the applicant rates the service.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from .options import db_option, fail, missing_catalogue, workflows_option

if TYPE_CHECKING:
    from .. import Actor, Applicant, OneService, Party

__all__ = ["demo_command", "run_demo"]


def run_demo(
    workflows: tuple[str, ...], matter_id: str, db: str, lang: str = "zh", start: dt.datetime | None = None
) -> list[str]:
    """Run the demo case; return the printed lines."""
    from .. import TZ, Actor, Applicant, OneService, Role, SimulatedClock
    from ..domain.definitions import Channel, OnsiteStage
    from ..domain.situations import APPLICANT_KIND
    from ..samples import sample_deliveries, sample_form, sample_parties, sample_resident_id
    from ..store.schema import open_schema
    from .options import catalogue_cache, database_url

    clock = SimulatedClock(start or dt.datetime(2026, 9, 28, 9, 0, tzinfo=TZ))
    base = OneService.open(workflows, database_url(db), clock=clock, migrate=False,
                           catalogue_cache=catalogue_cache())
    open_schema(base.store)  # created when new; OS730 when behind (oneservice migrate --db …)
    service = base
    plan = service.catalogue.plan(matter_id)
    matter = plan.matter
    location = next(iter(sorted(service.catalogue.locations)))
    person = Applicant("person", sample_resident_id(1), "张三", "13800138000")
    applicant = Actor(Role.APPLICANT, "zhangsan", applicant_id=person.id_number)
    clerk = Actor(Role.CLERK, "clerk-01", location=location)
    parties = sample_parties(matter, person.id_number)  # the seller beside the buyer, …
    online = [c for c in (Channel.ONLINE, Channel.MOBILE) if c in matter.intake_channels]
    if any(i.onsite is not None and i.onsite.stage is OnsiteStage.INTAKE for i in plan.items):
        online = []  # the applicant must come to the window anyway: do everything in that visit
    if online:
        summary = service.open_case(applicant, matter_id, person, channel=online[0].value, location=location,
                                    parties=parties)
        intake = online[0].value
    elif Channel.AGENT in matter.intake_channels:
        agent = Actor(Role.AGENT, "grid-worker-07")
        summary = service.open_case(agent, matter_id, person, channel="agent", location=location,
                                    parties=parties)
        applicant, intake = agent, "agent"
    else:
        summary = service.open_case(clerk, matter_id, person, channel="window", location=location,
                                    parties=parties)
        applicant, intake = clerk, "window"
    case_id = summary.id
    form = sample_form(plan)
    plan = plan.for_answers({APPLICANT_KIND: person.kind, **form})  # the sample's situation (情形)
    roles = {matter.applicant_role.role, *(p.role for p in parties)}  # a party the case has (no agent)
    materials = [line.material.id for line in plan.materials
                 if line.required and (line.material.party is None or line.material.party in roles)]
    held_back = materials[-1:] if materials else []
    service.submit(
        applicant,
        case_id,
        form=form,
        materials=materials[:-1] if held_back else [],
        channel=intake,
    )
    notice = None
    if held_back:
        notice = service.give_notice(clerk, case_id)
        clock.advance(hours=3)
        supply = next(c.value for c in sorted(matter.supplement_channels, key=lambda c: c.on_site))
        service.supplement(
            applicant if supply != "window" else clerk, case_id, materials=held_back, channel=supply
        )
    for item in plan.items:  # an unavoidable on-site step at intake, where the window is not it
        if item.onsite is not None and item.onsite.stage is OnsiteStage.INTAKE and intake != "window":
            service.record_visit(clerk, case_id, item.code, item.onsite.reason.get(lang))
            break
    _sign(service, clerk, case_id, person, parties)
    service.accept(clerk, case_id)
    tasks = service.case(clerk, case_id).tasks
    for item in plan.items:
        department = tasks[item.code].department  # a routed item's as its rule chose
        reviewer = Actor(Role.REVIEWER, f"reviewer-{department}", department=department)
        service.start_review(reviewer, case_id, item.code)
        if item.onsite is not None and item.onsite.stage is OnsiteStage.REVIEW:
            record = service.record_staff_visit if item.onsite.by == "staff" else service.record_visit
            record(reviewer, case_id, item.code, item.onsite.reason.get(lang))  # 上门核查: no trip
        days = max(0, min(item.promised_limit.value, 1))
        if days:
            clock.advance_working_days(days, service.calendar)
        else:
            clock.advance(minutes=30)
        service.approve(reviewer, case_id, item.code)
    payment = Actor(Role.SYSTEM, "payment-service")  # 缴费后出件: the payment platform's callback
    for item in plan.items:
        fee = service.catalogue.item(item.code).fee.amount
        if _charges(fee):
            service.confirm_fee(payment, case_id, item.code, amount=fee,
                                reference=f"DEMO-PAY-{case_id[-6:].upper()}-{item.code[-4:]}")
    if any(i.onsite is not None and i.onsite.stage is OnsiteStage.PICKUP for i in plan.items):
        service.deliver(clerk, case_id, channel="window")  # signed for in person
    else:
        parcel = f"DEMO-EMS-{case_id[-6:].upper()}"  # a simulated parcel: the demo mails nothing
        deliveries = sample_deliveries(plan, parcel)
        for route in plan.trips.results:
            if route.result.id not in deliveries:
                deliveries[route.result.id] = {"channel": "window"}  # window-only: counted as a trip
        service.deliver(clerk, case_id, results=deliveries)
    clock.advance(hours=2)
    if applicant.role is Role.APPLICANT:
        service.rate(applicant, case_id, 5, "一次都没跑")
    service.conclude(clerk, case_id)
    supervisor = Actor(Role.SUPERVISOR, "supervisor-01")
    view = service.progress(supervisor, case_id)
    case = service.case(supervisor, case_id)
    zh = lang == "zh"
    lines = [
        f"{'办件' if zh else 'Case'} {case_id} — {view.matter_zh if zh else view.matter_en} "
        f"({matter_id}, v{matter.version}, {plan.content_hash[:19]})",
        f"{'申请人' if zh else 'Applicant'}: {view.applicant_name} {view.applicant_id}",
        f"{'数据库' if zh else 'Database'}: {db}",
        "",
    ]
    for step in view.steps:
        dep = f" [{step.department_zh if zh else step.department_en}]" if step.department else ""
        note = f" — {step.note}" if step.note else ""
        lines.append(f"  {step.at[:16].replace('T', ' ')}  {step.zh if zh else step.en}{dep}{note}")
    if notice is not None:
        lines.append("")
        lines.append(
            ("一次性告知：" if zh else "One-time notice: ")
            + "; ".join(ln.zh if zh else ln.en for ln in notice.lines)
        )
    lines.append("")
    lines.append(
        ("跑动次数" if zh else "Trips")
        + f": {case.trips} / {'承诺' if zh else 'budget'} {matter.trip_budget}"
        + "".join(f"\n  - {v.at:%Y-%m-%d %H:%M} {v.location}: {', '.join(v.purposes)}" for v in case.visits)
    )
    lines.append(("时限" if zh else "Deadlines") + ":")
    for (kind, subject), d in sorted(case.deadlines.items(), key=lambda kv: (kv[1].due, kv[0])):
        met = f"{'办结于' if zh else 'met'} {d.met_at:%Y-%m-%d}" if d.met_at else ""
        flag = " (provisional)" if d.provisional else ""
        lines.append(f"  - {kind} {subject}: {d.amount} {d.unit} from {d.start} → {d.due}{flag} {met}")
    lines.append(("结果" if zh else "Results") + ":")
    names = {r.result.id: r.result.name.get(lang) for r in plan.trips.results}
    for handed in case.deliveries:
        parcel = f" {handed.tracking}" if handed.tracking else ""
        copy = (" + 电子证照" if zh else " + electronic copy") if handed.electronic_copy else ""
        lines.append(f"  - {names.get(handed.result_id, handed.result_id)} → {handed.channel}{parcel}{copy}")
    lines.append(("状态" if zh else "State") + f": {view.state_zh if zh else view.state_en}")
    service.store.dispose()
    return lines


@click.command("demo")
@click.argument("matter_id", default="start-a-business")
@workflows_option()
@db_option("oneservice-demo.sqlite")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--request", "request", is_flag=True,
              help="run a 12345 request (诉求) instead of a case: `oneservice demo request` does too")
def demo_command(matter_id: str, workflows: tuple[str, ...], db: str, lang: str, request: bool) -> None:
    """Run one realistic case of MATTER_ID end to end and print its timeline; ``request`` (or
    ``--request``): one 12345 request, taken in by the hotline, dispatched, returned, re-dispatched,
    answered, called back and closed."""

    from .. import OneServiceError

    missing = missing_catalogue(workflows)
    if missing is not None:
        raise missing
    try:
        if request or matter_id == "request":
            from .demo_request import run_request_demo

            lines = run_request_demo(workflows, db, lang)
        else:
            lines = run_demo(workflows, matter_id, db, lang)
    except OneServiceError as exc:
        raise fail(exc) from None
    click.echo("\n".join(lines))


def _charges(amount: str) -> bool:
    """Whether a fee's amount is a sum above 0 (text such as 按面积计收 charges nothing here)."""
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(amount) > 0
    except InvalidOperation:
        return False


def _sign(service: OneService, clerk: Actor, case_id: str, person: Applicant, parties: list[Party]) -> None:
    """Each party signs online (电子签名) what a hand-in away from the window left unsigned."""
    from .. import Actor, Role

    people = {p.role: p.applicant for p in parties}
    lines = service.completeness(clerk, case_id).lines
    for role in dict.fromkeys(line.id.rpartition("/")[2] for line in lines if line.kind == "signature"):
        who = people.get(role, person)
        service.sign(Actor(Role.APPLICANT, f"party-{role}", applicant_id=who.id_number), case_id, role)
