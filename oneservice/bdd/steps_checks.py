"""Steps: what a scenario checks — states, trips, deadlines, supervision, notice, progress, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from oneservice import ActionRejected, CaseState, IllegalAction, TaskState

from .library import step_def
from .names import ScenarioProblem, known
from .tables import Column, read_table
from .world import World

CASE = "Checks: the case"
NOTICE = "Checks: notice, materials and progress"
TIME = "Checks: deadlines and supervision"
ERRORS = "Checks: errors"

COLOURS = {"green": "green", "yellow": "yellow", "red": "red", "绿": "green", "绿灯": "green",
           "正常": "green", "黄": "yellow", "黄灯": "yellow", "黄牌": "yellow", "黄牌预警": "yellow",
           "红": "red", "红灯": "red", "红牌": "red", "红牌超期": "red"}
OUTCOMES = {"approved": "approved", "partially_approved": "partially_approved", "refused": "refused",
            "全部通过": "approved", "准予许可": "approved", "部分通过": "partially_approved",
            "不予许可": "refused"}
NOTICE_TABLE = (Column("kind", "kind", "类别", ("类型",)), Column("id", "id", "名称", ("name", "项目")))
NOTICE_KINDS = {"material": "material", "field": "field", "condition": "condition", "材料": "material",
                "字段": "field", "表单": "field", "条件": "condition", "受理条件": "condition",
                "signature": "signature", "签字": "signature"}


def _word(table: dict[str, str], text: str, what: str) -> str:
    value = table.get(text.strip()) or table.get(text.strip().casefold())
    if value is None:
        raise ScenarioProblem(f"unknown {what} {text!r} — known: {known(table)}")
    return value


def _check_state(expected: str, actual: tuple[str, str, str], states: Sequence[str], what: str) -> None:
    """``actual`` is the state id and its Chinese and English labels."""
    state, zh, en = actual
    wanted = expected.strip()
    if wanted in (state, zh) or wanted.casefold() == en.casefold():
        return
    message = f"expected {what} to be {wanted!r}, but it is {state!r} ({zh} / {en})"
    if wanted not in states:
        message += f"\n{wanted!r} is not a state id; states: {', '.join(states)}"
    raise AssertionError(message)


@step_def("check", CASE,
          'the results wait at "{location}"',
          '办理结果在 "{location}" 待领取')
def results_wait_at(world: World, location: str) -> None:
    """The case's pickup point (取件点): where its window hands the results out."""
    wanted = world.names.location(location)
    actual = world.pickup_point()
    assert actual == wanted, f"the results wait at {actual!r}, not at {wanted!r}"


def _window_queue(world: World, location: str) -> tuple[str, list[str]]:
    where = world.names.location(location)
    return where, [row.id for row in world.service.window_queue(world.clerk(where), where)]


@step_def("check", CASE,
          'the window queue of "{location}" holds the case',
          '"{location}" 的待取件队列包含本办件')
def window_queue_holds(world: World, location: str) -> None:
    """The window queue (待取件) of a service point: the cases whose results wait there, those it
    took in and those coming back to it."""
    where, ids = _window_queue(world, location)
    assert world.case in ids, f"the window queue of {where} lacks the case; it holds {ids}"


@step_def("check", CASE,
          'the window queue of "{location}" does not hold the case',
          '"{location}" 的待取件队列不含本办件')
def window_queue_lacks(world: World, location: str) -> None:
    """The case's results do not wait at that point (another point, mail, or handed over)."""
    where, ids = _window_queue(world, location)
    assert world.case not in ids, f"the window queue of {where} holds the case"


@step_def("check", CASE,
          'the applicant\'s visits were at "{locations}"',
          '申请人到场地点依次为 "{locations}"')
def visits_at(world: World, locations: str) -> None:
    """Where each of the applicant's visits (跑动) took place, in order (names or ids, comma-separated)."""
    names = locations.replace("，", ",").replace("、", ",").split(",")
    wanted = [world.names.location(n.strip()) for n in names if n.strip()]
    actual = [v.location for v in world.service.case(world.supervisor(), world.case).visits]
    assert actual == wanted, f"the visits were at {actual}, not {wanted}"


@step_def("check", CASE,
          'the case is "{state}"',
          '办件状态为 "{state}"')
def case_is(world: World, state: str) -> None:
    """The case state: its id (``in_progress``) or its label (审批中 / In progress)."""
    view = world.progress()
    try:
        states = [str(s) for s in CaseState]
        _check_state(state, (view.state, view.state_zh, view.state_en), states, "the case")
    except AssertionError as exc:
        world.fail(str(exc))


@step_def("check", CASE,
          'item "{item}" is "{state}"',
          '事项 "{item}" 的状态为 "{state}"')
def item_is(world: World, item: str, state: str) -> None:
    """The state of an item task: ``waiting``, ``ready``, ``in_review``, ``approved`` … or its
    label (审查中, 通过 …)."""
    code = world.item(item)
    task = next(t for t in world.progress().tasks if t["item"] == code)
    try:
        _check_state(state, (task["state"], task["state_zh"], task["state_en"]), [str(s) for s in TaskState],
                     f"item {code}")
    except AssertionError as exc:
        world.fail(str(exc))


@step_def("check", CASE,
          'the case outcome is "{outcome}"',
          '办理结论为 "{outcome}"')
def outcome_is(world: World, outcome: str) -> None:
    """The back-office outcome: ``approved``, ``partially_approved`` or ``refused`` (全部通过,
    部分通过, 不予许可)."""
    expected = _word(OUTCOMES, outcome, "outcome")
    actual = world.summary().outcome
    if actual != expected:
        world.fail(f"expected the outcome {expected!r}, but it is {actual!r}")


@step_def("check", CASE,
          "the case has {n:int} trip[s]",
          "跑动次数为 {n:int}[ 次]")
def trips_are(world: World, n: int) -> None:
    """The applicant's on-site trips so far (steps on one visit count once)."""
    trips = world.summary().trips
    if trips != n:
        world.fail(f"expected {n} trip(s), but the case has {trips}")


@step_def("check", CASE,
          'the matter "{matter}" needs at most {n:int} trip[s]',
          '"{matter}" 最多跑 {n:int} 次')
def matter_trips(world: World, matter: str, n: int) -> None:
    """Static analysis, no case needed: the worst case of on-site trips of a matter."""
    worst = world.catalogue.plan(world.names.matter(matter)).trips.worst
    if worst > n:
        world.fail(f"the matter needs up to {worst} trip(s) in the worst case, more than {n}")


@step_def("check", TIME,
          "the case is due on {day:date}",
          "办件承诺办结日期为 {day:date}")
def case_due(world: World, day: dt.date) -> None:
    """The case's promised conclusion date (frozen at acceptance; suspensions move it)."""
    due = world.summary().due
    if due != day.isoformat():
        world.fail(f"expected the case to be due on {day.isoformat()}, but it is due on {due}")


@step_def("check", TIME,
          'item "{item}" is due on {day:date}',
          '事项 "{item}" 的办结期限为 {day:date}')
def item_due(world: World, item: str, day: dt.date) -> None:
    """An item's due date (after its dependencies' due dates; corrections and suspensions move it)."""
    code = world.item(item)
    task = next(t for t in world.progress().tasks if t["item"] == code)
    if task["due"] != day.isoformat():
        world.fail(f"expected item {code} to be due on {day.isoformat()}, but it is due on {task['due']}")


@step_def("check", TIME,
          'item "{item}" has its legal deadline on {day:date}',
          '事项 "{item}" 的法定期限为 {day:date}')
def item_legal_due(world: World, item: str, day: dt.date) -> None:
    """An item's legal deadline (法定时限, from its dispatch; stopped clocks and an approved
    extension move it)."""
    code = world.item(item)
    deadline = world.service.case(world.supervisor(), world.case).deadlines.get(("item_legal", code))
    got = deadline.due.isoformat() if deadline is not None else None
    if got != day.isoformat():
        world.fail(f"expected item {code}'s legal deadline on {day.isoformat()}, but it is {got}")


@step_def("check", TIME,
          'the supervision warns "{item}"[ for its "{kind}"]',
          '电子监察 对 "{item}" 发出预警[，类别 "{kind}"]')
def warned(world: World, item: str, kind: str | None) -> None:
    """The overdue scan recorded a red warning for the item (``kind``: item, item_legal,
    suspension, correction, issuing — any when not named)."""
    code = world.item(item)
    rows = _warnings(world, code)
    if not any(kind is None or w["kind"] == kind for w in rows):
        what = f" ({kind})" if kind else ""
        world.fail(f"expected a red warning for {code}{what}; recorded: {rows or 'none'}")


@step_def("check", TIME,
          'the supervision does not warn "{item}"',
          '电子监察 未对 "{item}" 发出预警')
def not_warned(world: World, item: str) -> None:
    """No red warning for the item: its department is on time (or has not received the file yet)."""
    code = world.item(item)
    rows = _warnings(world, code)
    if rows:
        world.fail(f"expected no red warning for {code}, but recorded: {rows}")


def _warnings(world: World, code: str) -> list[dict[str, str]]:
    from ..supervision import Supervision

    return [{"kind": w["kind"], "due": str(w["due_date"])}
            for w in Supervision(world.service).warnings(world.case)
            if w["subject"] == code and w["level"] == "red"]


@step_def("check", TIME,
          'the figures count {n:int} bad rating[s][ for "{department}"]',
          '统计中差评为 {n:int} 件[，部门 "{department}"]')
def bad_ratings_counted(world: World, n: int, department: str | None) -> None:
    """The report's counted 差评 (all cases, or those about one department): an upheld appeal
    removes a rating from the figures."""
    from ..supervision import Supervision

    supervision = Supervision(world.service)
    if department:
        code = world.names.department(department)
        groups = {g.key: g for g in supervision.report(by="department").groups}
        got = groups[code].bad_ratings if code in groups else 0
    else:
        got = supervision.report().total.bad_ratings
    if got != n:
        world.fail(f"expected {n} counted bad rating(s){f' for {department}' if department else ''}, "
                   f"but the figures count {got}")


@step_def("check", TIME,
          "the good-rating share is {n:int}%",
          "好评率为 {n:int}%")
def good_share(world: World, n: int) -> None:
    """好评率 (国办发〔2019〕51号): counted first ratings that are not a 差评 ÷ counted first ratings."""
    from ..supervision import Supervision

    share = Supervision(world.service).report().total.to_dict()["good_share"]
    got = None if share is None else round(share * 100)
    if got != n:
        world.fail(f"expected a good-rating share of {n}%, but it is {got}%")


@step_def("check", TIME,
          "the case deadline is provisional",
          "办结期限为暂定")
def provisional(world: World) -> None:
    """The deadline falls in a year without official calendar data: computed on the guess
    (Monday–Friday less 1 January, 1–2 May, 1–3 October)."""
    if not world.summary().due_provisional:
        world.fail("expected a provisional deadline, but it is final")


@step_def("check", TIME,
          "the case deadline is final",
          "办结期限已确定")
def final(world: World) -> None:
    """The deadline was computed on official calendar data."""
    if world.summary().due_provisional:
        world.fail("expected a final deadline, but it is provisional")


@step_def("check", TIME,
          'the supervision colour is "{colour}"',
          '电子监察状态为 "{colour}"')
def colour_is(world: World, colour: str) -> None:
    """电子监察: ``green`` on time, ``yellow`` within a working day of the deadline, ``red``
    overdue (绿/黄牌/红牌)."""
    expected = _word(COLOURS, colour, "supervision colour")
    actual = world.summary().colour
    if actual != expected:
        world.fail(f"expected the supervision colour {expected!r}, but it is {actual!r}")


@step_def("check", TIME,
          'the supervisor lists the case as "{colour}"',
          '督查人员 的 "{colour}" 清单中有该办件')
def supervisor_lists(world: World, colour: str) -> None:
    """The supervisor's yellow or red list (a database query over due dates) holds the case."""
    expected = _word(COLOURS, colour, "supervision colour")
    rows = world.service.cases_by_colour(world.supervisor(), expected)
    if world.case not in [row.id for row in rows]:
        world.fail(f"the case is not on the supervisor's {expected} list")


@step_def("check", NOTICE,
          "the one-time notice lists:",
          "一次性告知书列明：")
def notice_lists_table(world: World, datatable: Sequence[Sequence[object]] | None = None) -> None:
    """The last one-time notice lists exactly the rows of a table ``| kind | id |`` (kind:
    material, field, condition or signature / 材料, 字段, 条件, 签字; id or name — a signature as
    ``material/party role``, e.g. ``不动产登记申请书/卖方``)."""
    rows = read_table(datatable, NOTICE_TABLE)
    expected = set()
    for row in rows:
        kind = _word(NOTICE_KINDS, row["kind"], "notice line kind")
        if kind == "material":
            ident = world.names.material(row["id"], world.matter)
        elif kind == "field":
            ident = world.names.field(row["id"], world.matter)[0]
        elif kind == "signature":
            material, _, role = str(row["id"]).rpartition("/")
            ident = f"{world.names.material(material, world.matter)}/{world.role(role, world.matter)}"
        else:
            ident = world.names.condition(row["id"], world.matter)
        expected.add((kind, ident))
    compare_notice(world, expected)


def compare_notice(world: World, expected: set[tuple[str, str]]) -> None:
    notice = world.notice or world.service.last_notice(world.clerk(), world.case)
    actual = {(line.kind, line.id) for line in notice.lines}
    if actual != expected:
        missing, extra = sorted(expected - actual), sorted(actual - expected)
        world.fail("the one-time notice lists " + ", ".join(f"{k} {i}" for k, i in sorted(actual))
                   + (f"\nnot listed: {missing}" if missing else "")
                   + (f"\nnot expected: {extra}" if extra else ""))


@step_def("check", NOTICE,
          'the one-time notice lists "{materials}"',
          '一次性告知书列明 "{materials}"')
def notice_lists(world: World, materials: str) -> None:
    """The last one-time notice lists exactly these materials (and nothing else)."""
    compare_notice(world, {("material", m) for m in world.names.materials(materials, world.matter)})


@step_def("check", NOTICE,
          'the materials owed are "{materials}"',
          '容缺待补材料为 "{materials}"')
def owed_are(world: World, materials: str) -> None:
    """The materials owed under deficiency acceptance."""
    expected = sorted(world.names.materials(materials, world.matter))
    owed = sorted(world.summary().owed)
    if owed != expected:
        world.fail(f"expected the owed materials {expected}, but they are {owed}")


@step_def("check", NOTICE,
          "no materials are owed",
          "没有容缺待补材料")
def none_owed(world: World) -> None:
    """Nothing is owed under deficiency acceptance."""
    owed = world.summary().owed
    if owed:
        world.fail(f"expected no owed materials, but {owed} are owed")


@step_def("check", NOTICE,
          '"{material}" is owed until {day:date}',
          '容缺材料 "{material}" 应于 {day:date} 前补交')
def owed_until(world: World, material: str, day: dt.date) -> None:
    """The due date of a material owed under deficiency acceptance."""
    mid = world.names.material(material, world.matter)
    due = {o["material"]: o["due"] for o in world.progress().owed}
    if mid not in due:
        world.fail(f"{mid!r} is not owed; owed: {sorted(due) or 'nothing'}")
    if due[mid] != day.isoformat():
        world.fail(f"expected {mid!r} to be due on {day.isoformat()}, but it is due on {due[mid]}")


@step_def("check", NOTICE,
          'the due date of "{material}" is provisional',
          '容缺材料 "{material}" 的补交期限为暂定')
def owed_provisional(world: World, material: str) -> None:
    """The owed material's due date falls in a year without official calendar data (a guess)."""
    mid = world.names.material(material, world.matter)
    flags = {o["material"]: o["due_provisional"] for o in world.progress().owed}
    if mid not in flags:
        world.fail(f"{mid!r} is not owed; owed: {sorted(flags) or 'nothing'}")
    if not flags[mid]:
        world.fail(f"expected the due date of {mid!r} to be provisional, but it is final")


@step_def("check", NOTICE,
          "the termination records that its date was provisional",
          "终止记录注明所依据的期限为暂定")
def termination_provisional(world: World) -> None:
    """The case was terminated on a provisional due date, and its CaseTerminated event says so
    (``provisional: true`` and the reason in both languages)."""
    events = [e for e in world.service.events(world.supervisor(), world.case) if e.type == "CaseTerminated"]
    if not events:
        world.fail("the case was not terminated")
    data = events[-1].data
    if data.get("provisional") is not True or set(data.get("provisional_reason") or ()) != {"zh", "en"}:
        world.fail(f"expected the termination to record a provisional date with its reason, got {data}")


@step_def("check", NOTICE,
          'the progress view shows "{label}"',
          '办件进度显示 "{label}"')
def progress_shows(world: World, label: str) -> None:
    """办件进度, as the applicant sees it, has a step with this label (Chinese or English), or
    the case state is shown with it."""
    view = world.progress()
    labels = [s.zh for s in view.steps] + [s.en for s in view.steps] + [view.state_zh, view.state_en]
    if label not in labels:
        world.fail(f"the progress view does not show {label!r}; it shows: "
                   + "、".join(s.zh for s in view.steps) + f" (state {view.state_zh})")


@step_def("check", CASE,
          'the party "{role}" has {n:int} trip[s]',
          '当事人 "{role}" 的跑动次数为 {n:int}[ 次]')
def party_trips_are(world: World, role: str, n: int) -> None:
    """The on-site trips of one party of the case (buyer, seller; by role id or name), as that
    party's own progress view shows them."""
    rid = world.role(role, world.matter)
    view = world.service.progress(world.party_actor(rid), world.case)
    if view.trips != n:
        world.fail(f"expected the {rid} to have {n} trip(s), but they have {view.trips}")


@step_def("check", NOTICE,
          'the progress view of the party "{role}" shows only their own data',
          '当事人 "{role}" 的办件进度只显示本人信息')
def party_progress_own(world: World, role: str) -> None:
    """办件进度 as one party sees it: their own trips; every other party by role, name and masked
    ID number only (no trips, no full number)."""
    rid = world.role(role, world.matter)
    view = world.service.progress(world.party_actor(rid), world.case)
    case = world.service.case(world.supervisor(), world.case)
    if view.party != rid:
        world.fail(f"the progress view is the {view.party}'s, not the {rid}'s")
    for line in view.parties:
        full = case.party(line["role"])
        assert full is not None
        if line["id_number"] == full.id_number or full.id_number in repr(view.to_dict()):
            world.fail(f"the {rid}'s progress view shows the full ID number of the {line['role']}")
        if line["role"] == rid and line["trips"] != case.trips_of(rid):
            world.fail(f"the {rid}'s own line shows {line['trips']} trip(s), not {case.trips_of(rid)}")
        if line["role"] != rid and line["trips"] is not None:
            world.fail(f"the {rid}'s progress view shows the trips of the {line['role']}")
    if [line["role"] for line in view.parties if line["self"]] != [rid]:
        world.fail(f"the {rid}'s progress view does not mark exactly their own line")


@step_def("check", NOTICE,
          "the progress view masks the applicant's ID number",
          "办件进度中申请人证件号码已脱敏")
def progress_masks(world: World) -> None:
    """The applicant's ID number is masked in the progress view."""
    view = world.progress()
    if world.the_applicant().id_number in view.applicant_id or "*" not in view.applicant_id:
        world.fail(f"the ID number is not masked: {view.applicant_id}")


@step_def("check", NOTICE,
          'the worklist of "{department}" has {n:int} task[s]',
          '"{department}" 的待办事项有 {n:int} 件')
def worklist_has(world: World, department: str, n: int) -> None:
    """Open item tasks (ready, in review, correction, suspended) of a department, all cases."""
    dep = world.names.department(department)
    rows = world.service.department_worklist(world.reviewer(dep))
    if len(rows) != n:
        world.fail(f"expected {n} task(s) in the worklist of {dep}, but it has {len(rows)}: "
                   + ", ".join(str(getattr(r, "item_code", r)) for r in rows))


@step_def("check", ERRORS,
          'the action is refused with "{reason}"',
          '操作被拒绝，原因为 "{reason}"', asserts_error=True)
def refused_with(world: World, reason: str) -> None:
    """The previous action failed with this reason code (``incomplete``, ``trip_budget`` …), error
    code (``OS701``), error type (``IllegalAction``, ``NotAuthorised``) or a part of the message."""
    pending, world.error = world.error, None
    if pending is None:
        world.fail(f"expected the previous action to be refused with {reason!r}, but it succeeded")
    exc = pending.error
    names = {exc.code, type(exc).__name__}
    if isinstance(exc, ActionRejected):
        names.add(exc.reason)
    if isinstance(exc, IllegalAction):
        names.add("illegal_action")
    if reason in names or reason.casefold() in str(exc).casefold():
        return
    world.fail(f"expected the action to be refused with {reason!r}, but it failed with\n{pending.describe()}")


@step_def("check", CASE,
          'the case does not include "{item}"',
          '办件不涉及事项 "{item}"')
def item_absent(world: World, item: str) -> None:
    """Situations (情形): an item whose condition is false is not part of the case (no task)."""
    code = world.item(item)
    tasks = world.summary().tasks
    if code in tasks:
        world.fail(f"expected {code} not to be part of the case, but it is {tasks[code]}")


@step_def("check", CASE,
          'the case includes "{item}"',
          '办件包含事项 "{item}"')
def item_present(world: World, item: str) -> None:
    """Situations (情形): an item whose condition is true (or has none) is part of the case."""
    code = world.item(item)
    if code not in world.summary().tasks:
        world.fail(f"expected {code} to be part of the case, but the applicant's situation leaves it out")
