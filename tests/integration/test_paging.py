"""Worklists paged in SQL, on SQLite and PostgreSQL (fixture ``store``).

Every list is read page by page with several page sizes: the pages put together are the whole
list, each row once and in the list's order (computed here in Python from the rows inserted, with
many ties in the sort keys so that only the primary key decides), every page carries the total,
and pages past the end are empty with the same total. Then: each list's index serves its filter
and its order (Alembic compares index columns but not the ``WHERE`` of a partial index).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oneservice import (
    TZ,
    Actor,
    InvalidInput,
    OneService,
    Page,
    Role,
    SimulatedClock,
    Store,
    load_catalogue,
)
from oneservice.domain.case import CaseState, MaterialStatus, TaskState
from oneservice.store.tables import (
    OPEN_STATES,
    WORKLIST_TASK_STATES,
    case_parties,
    cases,
    events,
    item_tasks,
    materials,
)
from oneservice.store.worklists import _LISTINGS, _search

ROOT = Path(__file__).resolve().parents[2]
N = 41
DEPT = "sc-amr"  # a department and two service locations of the shipped catalogue
LOC = "hz-citizen-centre"
OTHER_LOC = "sc-service-centre"
TODAY = dt.date(2027, 3, 10)
EDGE = dt.date(2027, 3, 11)  # the yellow range: TODAY … EDGE
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=TZ)
PERSON = "330106199001011234"
CYCLE = [CaseState.IN_PROGRESS, CaseState.READY_FOR_PICKUP, CaseState.AWAITING_MATERIALS,
         CaseState.CLOSED, CaseState.ACCEPTED, CaseState.TERMINATED, CaseState.SUBMITTED]
TASK_CYCLE = [TaskState.READY, TaskState.IN_REVIEW, TaskState.APPROVED, TaskState.CORRECTION_REQUESTED,
              TaskState.WAITING, TaskState.SUSPENDED]
SIZES = (1, 2, 3, 7, 40, 41, 200)


def _case(i: int) -> dict[str, Any]:
    """Case ``i``: ids not in insertion order, few distinct dates (ties), some without a due date."""
    state = CYCLE[i % len(CYCLE)]
    return {
        "id": f"P-{(i * 17) % 101:03d}", "matter_id": "start-business", "matter_version": "1",
        "definition_hash": "ab" * 32, "state": state, "version": 1, "applicant_kind": "person",
        "applicant_id": PERSON if i % 5 else "91330100X", "applicant_name": "李四", "applicant_phone": "",
        "channel": "window", "location": LOC if i % 6 and i % 4 != 3 else OTHER_LOC,
        "pickup_location": LOC if i % 6 and i % 4 != 3 else OTHER_LOC,
        "agent": None, "opened_at": T0 + dt.timedelta(hours=i % 4), "submitted_at": None,
        "accepted_at": None,
        "concluded_at": T0 + dt.timedelta(days=1, hours=i % 3) if state is CaseState.READY_FOR_PICKUP else None,
        "due_date": None if i % 9 == 0 else TODAY + dt.timedelta(days=i % 5 - 2),
        "due_provisional": False, "outcome": None, "refusal_reason": None, "form": {}, "notified": [],
        "notices": 0, "delivery_channel": None, "over_budget": False, "trips": 1, "event_count": 0,
        "rectification": None,
    }


def _tasks(row: dict[str, Any], i: int) -> list[dict[str, Any]]:
    """Two tasks of the same department per case, dispatched at few distinct times."""
    return [
        {
            "case_id": row["id"], "item_code": code, "department": DEPT,
            "state": TASK_CYCLE[(i + k) % len(TASK_CYCLE)], "dispatched_at": T0 + dt.timedelta(hours=i % 2),
            "started_at": None, "concluded_at": None,
            "due_date": None if (i + k) % 7 == 0 else TODAY + dt.timedelta(days=(i + k) % 3),
            "due_provisional": False, "suspended_since": None, "suspended_days": 0, "reviewer": None,
            "result_id": None, "reason": None,
        }
        for k, code in enumerate(("licence", "permit"))
    ]


def _events(case_id: str, count: int) -> list[dict[str, Any]]:
    return [
        {"case_id": case_id, "seq": seq, "at": T0 + dt.timedelta(minutes=seq), "type": "Noted",
         "actor": "clerk:w01@hall-a", "state": "submitted", "public": bool(seq % 2), "data": {"n": seq}}
        for seq in range(1, count + 1)
    ]


ROWS = [_case(i) for i in range(N)]
TASKS = [task for i, row in enumerate(ROWS) for task in _tasks(row, i)]
OWED = {row["id"] for i, row in enumerate(ROWS) if i % 4 == 1}  # finished cases among them too
LOG = ROWS[3]["id"]
LOG_LENGTH = 23


@pytest.fixture
def filled(store: Store) -> Store:
    with store.engine.begin() as conn:
        conn.execute(cases.insert(), ROWS)
        conn.execute(case_parties.insert(), [  # each case's applicant, as opening a case writes it
            {"case_id": row["id"], "role": "applicant", "party_id": row["applicant_id"],
             "opened_at": row["opened_at"]} for row in ROWS])
        conn.execute(item_tasks.insert(), TASKS)
        conn.execute(materials.insert(), [
            {"case_id": case_id, "material_id": "lease", "status": MaterialStatus.OWED, "channel": None,
             "received_at": None, "due_date": TODAY, "provider": None} for case_id in sorted(OWED)
        ])
        conn.execute(events.insert(), _events(LOG, LOG_LENGTH))
    return store


def _open(row: dict[str, Any]) -> bool:
    return row["state"] in OPEN_STATES


def _by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r["id"])


# The whole lists as the documented orders make them, computed here from the rows inserted
EXPECTED: dict[str, list[Any]] = {
    "department": [
        (t["case_id"], t["item_code"]) for t in sorted(
            (t for t in TASKS if t["state"] in WORKLIST_TASK_STATES),
            key=lambda t: (t["due_date"] is None, t["due_date"] or TODAY, t["dispatched_at"], t["case_id"],
                           t["item_code"]),
        )
    ],
    "window": [r["id"] for r in sorted(
        (r for r in ROWS if r["location"] == LOC and r["state"] is CaseState.READY_FOR_PICKUP),
        key=lambda r: (r["concluded_at"], r["id"]),
    )],
    "awaiting": [r["id"] for r in sorted(
        (r for r in ROWS if _open(r) and (r["state"] is CaseState.AWAITING_MATERIALS or r["id"] in OWED)),
        key=lambda r: (r["opened_at"], r["id"]),
    )],
    "red": [r["id"] for r in sorted(
        (r for r in ROWS if _open(r) and r["due_date"] is not None and r["due_date"] < TODAY),
        key=lambda r: (r["due_date"], r["id"]),
    )],
    "yellow": [r["id"] for r in sorted(
        (r for r in ROWS if _open(r) and r["due_date"] is not None and TODAY <= r["due_date"] <= EDGE),
        key=lambda r: (r["due_date"], r["id"]),
    )],
    "applicant": [r["id"] for r in sorted(
        _by_id([r for r in ROWS if r["applicant_id"] == PERSON]), key=lambda r: r["opened_at"], reverse=True,
    )],
    "events": list(range(1, LOG_LENGTH + 1)),
}
# the lists of a scope (a set of service locations): the same lists, the scope's cases only
_AT = {r["id"]: r["location"] for r in ROWS}
EXPECTED |= {
    "awaiting_scoped": [i for i in EXPECTED["awaiting"] if _AT[i] == LOC],
    "awaiting_region": EXPECTED["awaiting"],
    "yellow_scoped": [i for i in EXPECTED["yellow"] if _AT[i] == LOC],
    "red_scoped": [i for i in EXPECTED["red"] if _AT[i] == OTHER_LOC],
    # a search: of a scope, in some states, due first (no due date last)
    "search": [r["id"] for r in sorted(
        (r for r in ROWS if r["location"] == LOC and r["state"] in (CaseState.IN_PROGRESS, CaseState.ACCEPTED)),
        key=lambda r: (r["due_date"] is None, r["due_date"] or TODAY, r["id"]),
    )],
    "search_newest": [r["id"] for r in sorted(
        sorted((r for r in ROWS if r["applicant_id"] == PERSON and r["opened_at"] >= T0 + dt.timedelta(hours=1)),
               key=lambda r: r["id"]),
        key=lambda r: r["opened_at"], reverse=True,
    )],
}

Fetch = Callable[[Any, int | None, int], Page[Any]]  # (transaction, limit, offset) -> page
PAGES: dict[str, Fetch] = {
    "department": lambda tx, limit, offset: tx.department_tasks_page(DEPT, limit=limit, offset=offset),
    "window": lambda tx, limit, offset: tx.window_queue_page(LOC, limit=limit, offset=offset),
    "awaiting": lambda tx, limit, offset: tx.awaiting_materials_page(limit=limit, offset=offset),
    "red": lambda tx, limit, offset: tx.open_cases_due_before_page(TODAY, limit=limit, offset=offset),
    "yellow": lambda tx, limit, offset: tx.open_cases_due_between_page(TODAY, EDGE, limit=limit, offset=offset),
    "applicant": lambda tx, limit, offset: tx.cases_for_applicant_page(PERSON, limit=limit, offset=offset),
    "events": lambda tx, limit, offset: tx.events_page(LOG, limit=limit, offset=offset),
    "awaiting_scoped": lambda tx, limit, offset: tx.awaiting_materials_page(
        locations=[LOC, LOC], limit=limit, offset=offset),
    "awaiting_region": lambda tx, limit, offset: tx.awaiting_materials_page(
        locations=(OTHER_LOC, LOC, "no-such-centre"), limit=limit, offset=offset),
    "yellow_scoped": lambda tx, limit, offset: tx.open_cases_due_between_page(
        TODAY, EDGE, locations=[LOC], limit=limit, offset=offset),
    "search": lambda tx, limit, offset: tx.search_cases_page(
        locations=[LOC], states=[CaseState.IN_PROGRESS, CaseState.ACCEPTED], sort="due", limit=limit,
        offset=offset),
    "search_newest": lambda tx, limit, offset: tx.search_cases_page(
        applicant_id=PERSON, opened_from=T0 + dt.timedelta(hours=1), limit=limit, offset=offset),
    "red_scoped": lambda tx, limit, offset: tx.open_cases_due_between_page(
        dt.date.min, TODAY - dt.timedelta(days=1), locations=[OTHER_LOC], limit=limit, offset=offset),
}
LISTS: dict[str, Callable[..., list[Any]]] = {
    "department": lambda tx, **window: tx.department_tasks(DEPT, **window),
    "window": lambda tx, **window: tx.window_queue(LOC, **window),
    "awaiting": lambda tx, **window: tx.awaiting_materials(**window),
    "red": lambda tx, **window: tx.open_cases_due_before(TODAY, **window),
    "yellow": lambda tx, **window: tx.open_cases_due_between(TODAY, EDGE, **window),
    "applicant": lambda tx, **window: tx.cases_for_applicant(PERSON, **window),
    "awaiting_scoped": lambda tx, **window: tx.awaiting_materials(locations=[LOC], **window),
    "yellow_scoped": lambda tx, **window: tx.open_cases_due_between(TODAY, EDGE, locations=[LOC], **window),
}


def key(name: str, row: Any) -> Any:
    """What identifies a row of list ``name``."""
    if name == "department":
        return (row.case_id, row.item_code)
    if name == "events":
        return row.seq
    return row.id


def test_the_lists_are_long_and_have_ties() -> None:
    """The data makes the tests meaningful: every list has many rows and sort-key ties, and a
    scope cuts its list."""
    assert {name: len(rows) >= 2 for name, rows in EXPECTED.items()} == dict.fromkeys(EXPECTED, True)
    for scoped in ("awaiting_scoped", "yellow_scoped", "red_scoped"):
        assert len(EXPECTED[scoped]) < len(EXPECTED[scoped.split("_")[0]])
    assert len(EXPECTED["department"]) >= 40
    assert any(t["due_date"] is None for t in TASKS if t["state"] in WORKLIST_TASK_STATES)


@pytest.mark.parametrize("name", sorted(PAGES))
class TestPaging:
    def test_whole_list(self, filled: Store, name: str) -> None:
        """Without a limit the page is the whole list, in order, and its total is its length."""
        with filled.transaction(readonly=True) as tx:
            page = PAGES[name](tx, None, 0)
        assert [key(name, row) for row in page.items] == EXPECTED[name]
        assert (page.total, page.offset, page.limit, page.pages) == (len(EXPECTED[name]), 0, None, 1)

    @pytest.mark.parametrize("size", SIZES)
    def test_pages_put_together_are_the_list(self, filled: Store, name: str, size: int) -> None:
        """Page after page: each row exactly once, in order; every page has the total; the page
        after the last is empty, with the total."""
        expected = EXPECTED[name]
        seen: list[Any] = []
        offset = 0
        while True:
            with filled.transaction(readonly=True) as tx:
                page = PAGES[name](tx, size, offset)
            assert (page.total, page.offset, page.limit) == (len(expected), offset, size)
            assert page.pages == -(-len(expected) // size)
            if not page.items:
                break
            assert len(page.items) == min(size, len(expected) - offset)
            seen += [key(name, row) for row in page.items]
            offset += size
        assert seen == expected
        assert offset == page.pages * size

    def test_far_past_the_end(self, filled: Store, name: str) -> None:
        """A page far beyond the end: no items, the right total."""
        with filled.transaction(readonly=True) as tx:
            page = PAGES[name](tx, 10, 10_000)
        assert (page.items, page.total) == ((), len(EXPECTED[name]))

    def test_list_method_takes_the_same_window(self, filled: Store, name: str) -> None:
        """``limit``/``offset`` of the list method cut the same rows as the page."""
        if name not in LISTS:
            pytest.skip("events_page has no list twin (Transaction.events gives them all)")
        with filled.transaction(readonly=True) as tx:
            for limit, offset in ((3, 0), (3, 4), (None, 5), (100, 2)):
                rows = LISTS[name](tx, limit=limit, offset=offset)
                assert rows == list(PAGES[name](tx, limit, offset).items)
                end = None if limit is None else offset + limit
                assert [key(name, row) for row in rows] == EXPECTED[name][offset:end]


class TestWindowArguments:
    def test_bad_window(self, store: Store) -> None:
        """A limit below 1, a negative offset or a boolean is refused, naming the argument."""
        with store.transaction(readonly=True) as tx:
            for limit in (-1, 0, True):
                with pytest.raises(InvalidInput) as info:
                    tx.window_queue_page(LOC, limit=limit)
                assert info.value.field == "limit"
            with pytest.raises(InvalidInput) as info:
                tx.window_queue(LOC, offset=-1)
            assert info.value.field == "offset"

    def test_search_arguments(self, filled: Store) -> None:
        """A search: an unknown order or an empty set of states is refused, naming the argument."""
        with filled.transaction(readonly=True) as tx:
            for kwargs, field in (({"sort": "id"}, "sort"), ({"states": []}, "states")):
                with pytest.raises(InvalidInput) as info:
                    tx.search_cases_page(**kwargs)
                assert info.value.field == field
            assert tx.search_cases_page(locations=[], limit=3).total == 0
            assert tx.search_cases_page().total == len(ROWS)

    def test_empty_scope_and_one_string(self, filled: Store) -> None:
        """An empty set of locations holds no case; a location id given as the set is refused
        (it is not a set of its letters)."""
        with filled.transaction(readonly=True) as tx:
            assert tx.awaiting_materials_page(locations=[], limit=5).total == 0
            assert tx.open_cases_due_between(TODAY, EDGE, locations=()) == []
            with pytest.raises(InvalidInput) as info:
                tx.awaiting_materials(locations=LOC)
            assert info.value.field == "locations"
            with pytest.raises(InvalidInput) as info:
                tx.awaiting_materials(LOC, locations=[LOC])
            assert info.value.field == "locations"

    def test_empty_list(self, store: Store) -> None:
        """An empty list: no items, total 0, 0 pages."""
        with store.transaction(readonly=True) as tx:
            page = tx.department_tasks_page(DEPT, limit=5, offset=0)
        assert (page.items, page.total, page.pages) == ((), 0, 0)


# ------------------------------------------------------------------------------- OneService

SUPERVISOR = Actor(Role.SUPERVISOR, "sup-01")
CLERK = Actor(Role.CLERK, "clerk-01", location=LOC)
REVIEWER = Actor(Role.REVIEWER, "rev-01", department=DEPT)
APPLICANT = Actor(Role.APPLICANT, "lisi", applicant_id=PERSON)


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_catalogue([ROOT / "workflows"])


@pytest.fixture
def service(catalogue: Any, filled: Store) -> OneService:
    clock = SimulatedClock(dt.datetime.combine(TODAY, dt.time(9), TZ))  # a Wednesday: EDGE is Thursday
    return OneService(catalogue, filled, clock=clock)


SERVICE_LISTS: dict[str, tuple[str, Actor, tuple[Any, ...]]] = {
    # list: (OneService method, actor, arguments)
    "department": ("department_worklist", REVIEWER, (DEPT,)),
    "window": ("window_queue", CLERK, ()),
    "awaiting": ("awaiting_materials", CLERK, ()),
    "red": ("cases_by_colour", SUPERVISOR, ("red",)),
    "yellow": ("cases_by_colour", SUPERVISOR, ("yellow",)),
    "applicant": ("my_cases", APPLICANT, ()),
}


@pytest.mark.parametrize("name", sorted(SERVICE_LISTS))
class TestService:
    def test_unpaged_call_unchanged(self, service: OneService, name: str) -> None:
        """Called as before (no paging argument), a worklist is the whole list, in order."""
        method, actor, args = SERVICE_LISTS[name]
        rows = getattr(service, method)(actor, *args)
        assert isinstance(rows, list)
        assert [key(name, row) for row in rows] == EXPECTED[name]

    def test_window_and_page(self, service: OneService, name: str) -> None:
        """``limit``/``offset`` cut the list; the ``…_page`` twin adds the total."""
        method, actor, args = SERVICE_LISTS[name]
        expected = EXPECTED[name]
        rows = getattr(service, method)(actor, *args, limit=2, offset=1)
        assert [key(name, row) for row in rows] == expected[1:3]
        page = getattr(service, method + "_page")(actor, *args, limit=4, offset=2)
        assert [key(name, row) for row in page.items] == expected[2:6]
        assert (page.total, page.offset, page.limit) == (len(expected), 2, 4)
        default = getattr(service, method + "_page")(actor, *args)
        assert (len(default.items), default.limit) == (min(50, len(expected)), 50)

    @pytest.mark.parametrize(("window", "field"), [
        ({"limit": 0}, "limit"), ({"limit": -3}, "limit"), ({"limit": True}, "limit"), ({"limit": "5"}, "limit"),
        ({"offset": -1}, "offset"), ({"offset": 1.5}, "offset"),
    ])
    def test_bad_window(self, service: OneService, name: str, window: dict[str, Any], field: str) -> None:
        """A limit below 1 or a negative offset is refused, naming the argument."""
        method, actor, args = SERVICE_LISTS[name]
        with pytest.raises(InvalidInput) as info:
            getattr(service, method + "_page")(actor, *args, **window)
        assert info.value.field == field


def test_cases_by_colour_thresholds(service: OneService) -> None:
    """Yellow ends on the ``yellow_days``-th working day after today, computed by the calendar:
    over a weekend it reaches the Monday."""
    friday = dt.datetime.combine(TODAY + dt.timedelta(days=2), dt.time(9), TZ)
    later = OneService(service.catalogue, service.store, clock=SimulatedClock(friday))
    monday = friday.date() + dt.timedelta(days=3)
    rows = later.cases_by_colour(SUPERVISOR, "yellow")
    assert [r.id for r in rows] == [r["id"] for r in sorted(
        (r for r in ROWS if _open(r) and r["due_date"] is not None and friday.date() <= r["due_date"] <= monday),
        key=lambda r: (r["due_date"], r["id"]),
    )]
    assert later.cases_by_colour_page(SUPERVISOR, "yellow").total == len(rows)
    with pytest.raises(InvalidInput):
        later.cases_by_colour_page(SUPERVISOR, "green")


# ------------------------------------------------------------------------------- indexes

LISTINGS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    # name: (listing, its parameters, table, index); the index gives the whole order (ties of
    # an applicant's cases may still be sorted: "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY")
    "department": ("department", {"department": DEPT}, "item_tasks", "ix_item_tasks_worklist"),
    "window": ("window", {"location": LOC}, "cases", "ix_cases_pickup_location_state_concluded_at_id"),
    "red": ("due_before", {"before": TODAY}, "cases", "ix_cases_open_due_date"),
    "yellow": ("due_between", {"start": TODAY, "end": EDGE}, "cases", "ix_cases_open_due_date"),
    "search_location": ("search", {"locations": [LOC]}, "cases", "ix_cases_location_opened_at_id"),
    "yellow_scoped": ("due_between_in", {"start": TODAY, "end": EDGE, "locations": [LOC, OTHER_LOC]}, "cases",
                      "ix_cases_open_due_date"),
    "applicant": ("applicant", {"applicant_id": PERSON}, "case_parties",
                  "ix_case_parties_party_id_opened_at_case_id"),
    "events": ("events", {"case_id": LOG}, "events", "pk_events"),
}


def _sql(store: Store, stmt: Any) -> str:
    with store.engine.connect() as conn:
        return str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_an_index_serves_filter_and_order(store: Store, name: str) -> None:
    """The keys of a page come from the list's index: SQLite accepts ``INDEXED BY`` it (an error
    if the index cannot serve the query: a partial index whose WHERE the query does not repeat);
    PostgreSQL, scans and sorts disabled, scans it (incremental sort of ties allowed)."""
    listing, params, table, index = LISTINGS[name]
    found = _search(frozenset(params), "-opened_at") if listing == "search" else _LISTINGS[listing]
    keys = found.keys.params(params, oneservice_limit=50, oneservice_offset=100)
    sql = _sql(store, keys)
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            if index.startswith("pk_"):
                index = f"sqlite_autoindex_{table}_1"
            forced = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {index}", 1)
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + forced)]
            assert any(index in line for line in plan), plan
            assert not any("USE TEMP B-TREE FOR ORDER BY" in line for line in plan), plan
        else:
            with conn.begin():
                for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                    conn.exec_driver_sql(f"SET LOCAL {setting} = off")
                plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql)]
            assert any(index in line for line in plan), plan
            assert not any(re.match(r"(->\s+)?Sort\s+\(", line.strip()) for line in plan), plan
