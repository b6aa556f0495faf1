"""Tests for oneservice.store: the same tests on SQLite and PostgreSQL (fixture ``store``)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from oneservice.domain.case import (
    Applicant,
    Case,
    CaseState,
    Deadline,
    Event,
    ItemTask,
    MaterialRecord,
    MaterialStatus,
    Party,
    Rating,
    RatingLevel,
    Rectification,
    Signature,
    TaskState,
    Visit,
)
from oneservice.engine.clock import TZ
from oneservice.errors import CaseError, CaseNotFound, ConcurrencyConflict, StoreError
from oneservice.store import CaseRow, IdempotencyRecord, Store, TaskRow, Transaction, metadata
from oneservice.store.tables import cases, item_tasks, materials

D0 = dt.date(2027, 3, 1)
T0 = dt.datetime(2027, 3, 1, 9, 30, 15, 123456, tzinfo=TZ)
FORM = {
    "企业名称": "杭州西湖龙井茶业有限公司",
    "经营范围": ["茶叶种植", "茶叶销售"],
    "注册资本": 500000,
    "nested": {"法定代表人": "张三", "电话": None, "ok": True},
}


def _head() -> str:
    from oneservice.store.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


HEAD = _head()


def at(hours: float) -> dt.datetime:
    """``T0`` plus some hours."""
    return T0 + dt.timedelta(hours=hours)


def event(seq: int, type_: str = "Noted", *, state: str = "submitted", **data: Any) -> Event:
    return Event(seq=seq, at=at(seq), type=type_, actor="clerk:w01@hall-a", data=data, state=state)


def make_case(
    case_id: str = "C-1",
    *,
    state: CaseState = CaseState.IN_PROGRESS,
    location: str = "hall-a",
    applicant_id: str = "330106199001011234",
    department: str = "market",
    due: dt.date | None = dt.date(2027, 3, 20),
    full: bool = True,
) -> Case:
    """A case as the engine would build it; ``full`` sets every optional field."""
    case = Case(
        id=case_id,
        matter_id="start-business",
        matter_version="2027.1",
        definition_hash="ab" * 32,
        applicant=Applicant("person", applicant_id, "李四", "13800000000"),
        channel="window",
        location=location,
        pickup_location=location,
        opened_at=T0,
        state=state,
        new_events=[event(1, "CaseOpened", state="draft"), event(2, "CaseSubmitted", 表单="已填写")],
    )
    case.tasks = {
        "licence": ItemTask("licence", department, TaskState.IN_REVIEW, dispatched_at=at(1)),
        "seal": ItemTask("seal", "police", TaskState.WAITING),
    }
    case.materials = {"id-card": MaterialRecord("id-card", MaterialStatus.SHARED, provider="population")}
    if due is not None:
        case.deadlines[("case", case_id)] = Deadline("case", case_id, D0, 5, "working_days", 0, due, False)
    if not full:
        return case
    case.agent = "grid-07"
    case.submitted_at = at(0.5)
    case.accepted_at = at(1).astimezone(dt.UTC)  # another zone, same instant
    case.concluded_at = at(48)
    case.outcome = "approved"
    case.refusal_reason = "无"
    case.form = dict(FORM)
    case.notified = ["lease", "id-card"]
    case.notices = 1
    case.delivery_channel = "mail"
    case.over_budget = True
    case.tasks["licence"] = ItemTask(
        "licence",
        department,
        TaskState.CORRECTION_REQUESTED,
        dispatched_at=at(1),
        started_at=at(2),
        concluded_at=at(30),
        due=dt.date(2027, 3, 10),
        due_provisional=True,
        suspended_since=dt.date(2027, 3, 3),
        suspended_days=2,
        reviewer="rev-9",
        result_id="LIC-001",
        reason="补正：租赁合同缺页",
    )
    case.materials["lease"] = MaterialRecord(
        "lease", MaterialStatus.OWED, channel="mail", received_at=None, due=dt.date(2027, 3, 8),
        due_provisional=True,
    )
    case.materials["form"] = MaterialRecord(
        "form", MaterialStatus.RECEIVED, channel="window", received_at=at(0.5), provider=None
    )
    case.visits = [
        Visit(1, at(0.5), "hall-a", ["submit", "sign"]),
        Visit(2, at(50), "hall-b", ["pickup"], over_budget_reason="原件核验"),
    ]
    case.deadlines[("item", "licence")] = Deadline(
        "item", "licence", D0, 3, "working_days", 2, dt.date(2027, 3, 10), True, met_at=at(30)
    )
    case.deadlines[("deficiency", "lease")] = Deadline(
        "deficiency", "lease", D0, 7, "calendar_days", 0, dt.date(2027, 3, 8), False
    )
    case.ratings = [
        Rating(RatingLevel.DISSATISFIED, "等太久", at(60)),
        Rating(RatingLevel.VERY_SATISFIED, "整改后满意", at(90), follow_up=True),
    ]
    case.parties = [
        Party("seller", Applicant("person", "330106199011230225", "李四", "13900139000")),
        Party("seller-agent", Applicant("person", "330106199012240230", "赵六"), "(2026)浙杭证字第1234号"),
    ]
    case.signatures = [
        Signature("form", "applicant", at(0.5), "window", "clerk-1", "hall-a"),
        Signature("form", "seller", at(0.75).astimezone(dt.UTC), "online", "zhaoliu", agent="seller-agent"),
    ]
    case.rectification = Rectification(
        opened_at=at(60),
        callback_due=dt.date(2027, 3, 5),
        rectify_due=dt.date(2027, 3, 24),
        called_back_at=at(70),
        rectified_at=at(80).astimezone(dt.UTC),
        note="已回访",
    )
    return case


def add(store: Store, *new: Case) -> None:
    with store.transaction() as tx:
        for case in new:
            tx.add_case(case)


def load(store: Store, case_id: str = "C-1", *, cached: bool = False) -> Case:
    """The case as the database holds it (``cached``: as the store's cache may give it)."""
    if not cached:
        store.clear_cache()
    with store.transaction() as tx:
        return tx.get_case(case_id)


def twin(store: Store) -> Store:
    """Another store on the same database (as another process would have)."""
    return Store(store.engine.url.render_as_string(hide_password=False), schema=store.schema)


def types_of(case: Case) -> list[tuple[type, Any]]:
    """The type of every value of a case (and the zone of every datetime)."""
    return [(type(v), getattr(v, "tzinfo", None)) for v in walk(attrs.asdict(case, recurse=False) | {
        "tasks": [attrs.asdict(t) for t in case.tasks.values()],
        "materials": [attrs.asdict(m) for m in case.materials.values()],
        "visits": [attrs.asdict(v) for v in case.visits],
        "deadlines": [attrs.asdict(d) for d in case.deadlines.values()],
        "ratings": [attrs.asdict(r) for r in case.ratings],
        "rectification": attrs.asdict(case.rectification) if case.rectification else None,
        "applicant": attrs.asdict(case.applicant),
    })]


def state_of(case: Case) -> dict[str, Any]:
    """Everything a case holds except the event bookkeeping."""
    data = attrs.asdict(case, recurse=True)
    for name in ("version", "event_count", "new_events"):
        del data[name]
    return data


def walk(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(k)
            yield from walk(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from walk(v)
    else:
        yield value


def case_row(store: Store, case_id: str = "C-1") -> sa.RowMapping:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(cases).where(cases.c.id == case_id)).mappings().one()


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def act(store: Store, case_id: str, change: Callable[[Case], Any]) -> Any:
    """``store.act_on`` with a change that needs no transaction; returns what ``change`` returns."""

    def on_case(tx: Transaction, case: Case) -> Callable[[], Any]:
        result = change(case)
        return lambda: result

    return store.act_on(case_id, on_case)


def writes_of(statements: list[Any]) -> list[tuple[str, str, int]]:
    """``(verb, table, rows)`` of the INSERT, UPDATE and DELETE statements among ``statements``."""
    writes = []
    for statement in statements:
        words = statement.sql.split()
        if words[0] in ("INSERT", "UPDATE", "DELETE"):
            table = words[1] if words[0] == "UPDATE" else words[2]
            writes.append((words[0], table, statement.rows))
    return writes


@contextmanager
def recorded_writes(store: Store) -> Iterator[list[tuple[str, str, int]]]:
    """``(verb, table, rows)`` of every INSERT, UPDATE and DELETE the store sent meanwhile, recorded
    on the path production takes (the DBAPI cursor: no SQLAlchemy listener is attached)."""
    writes: list[tuple[str, str, int]] = []
    with store.record_statements() as statements:
        yield writes
    writes.extend(writes_of(statements))


class TestCache:
    def test_cached_case_equals_loaded_case(self, store: Store) -> None:
        """A case rebuilt from the cache has the values and types a load gives."""
        add(store, make_case())
        cached = load(store, cached=True)
        loaded = load(store)
        assert state_of(cached) == state_of(loaded)
        assert types_of(cached) == types_of(loaded)
        assert list(cached.tasks) == list(loaded.tasks)  # same (primary-key) order
        assert list(cached.deadlines) == list(loaded.deadlines)

    def test_saved_case_equals_loaded_case(self, store: Store) -> None:
        """After a save, the cached rows are those a load returns (zones, enums, JSON)."""
        add(store, make_case())
        case = load(store)
        case.state = "ready_for_pickup"  # type: ignore[assignment]  # a plain string
        case.tasks["seal"].dispatched_at = at(3).astimezone(dt.UTC)
        case.form["日期"] = dt.date(2027, 3, 2)  # JSON gives it back as text
        with store.transaction() as tx:
            tx.save_case(case)
        cached = load(store, cached=True)
        loaded = load(store)
        assert state_of(cached) == state_of(loaded)
        assert types_of(cached) == types_of(loaded)
        assert cached.form["日期"] == "2027-03-02"

    def test_saved_case_is_handed_to_the_next_action_as_a_load_would_give_it(self, store: Store) -> None:
        """The case an action saved is handed to the next action on the case itself (a plain
        get_case builds its own); JSON values (a tuple in the form, a new visit's purposes) are
        replaced by what a load gives back, and it equals a loaded case in values and types.
        (The test keeps the case objects after their actions only to compare them.)"""
        add(store, make_case())

        def change(case: Case) -> Case:
            case.tasks["seal"].state = TaskState.READY
            case.tasks["seal"].dispatched_at = at(4)
            case.form["nested"]["股东"] = ("甲", "乙")  # JSON gives a list back
            case.notified.append("licence")
            case.visits.append(Visit(seq=3, at=at(60), location="hz-window", purposes=("collect",)))  # type: ignore[arg-type]
            return case

        case = act(store, "C-1", change)

        def look(tx: Transaction, got: Case) -> Callable[[], tuple[Case, Case]]:
            again = tx.get_case("C-1")
            return lambda: (got, again)

        handed, again = store.act_on("C-1", look)
        assert handed is case and again is not case
        loaded = load(store)
        for got in (handed, again):
            assert state_of(got) == state_of(loaded)
            assert types_of(got) == types_of(loaded)
        assert handed.form["nested"]["股东"] == ["甲", "乙"]
        assert handed.visits[2].purposes == ["collect"]

    def test_saved_case_in_another_zone_is_rebuilt(self, store: Store) -> None:
        """A saved value the cache must convert (a datetime in UTC) means no hand-over: the next
        action gets a case rebuilt from the normalised rows, in Asia/Shanghai."""
        add(store, make_case())

        def change(case: Case) -> Case:
            case.tasks["seal"].dispatched_at = at(3).astimezone(dt.UTC)
            return case

        case = act(store, "C-1", change)
        got = act(store, "C-1", lambda got: got)
        assert got is not case
        assert got.tasks["seal"].dispatched_at.tzinfo is TZ
        assert types_of(got) == types_of(load(store))

    def test_a_case_is_handed_over_once(self, store: Store) -> None:
        """An action that took the saved case and then failed does not pass the object on (it
        may hold the failed action's changes): the next action gets a case as committed."""
        add(store, make_case())
        case = act(store, "C-1", lambda case: case)

        def fail(tx: Transaction, got: Case) -> Callable[[], None]:
            assert got is case
            got.notices = 7

            def done() -> None:
                raise RuntimeError("rolled back after the save")

            return done

        with pytest.raises(RuntimeError):
            store.act_on("C-1", fail)
        got = act(store, "C-1", lambda got: got)
        assert got is not case and got.notices == 1
        assert (case.notices, case.version) == (7, 1)  # the save was undone on the object too

    def test_change_by_another_store_is_seen(self, store: Store) -> None:
        """The cache is used only while the database holds the same version."""
        add(store, make_case())
        assert load(store, cached=True).notices == 1
        other = twin(store)
        try:
            with other.transaction() as tx:
                case = tx.get_case("C-1")
                case.notices = 2
                tx.save_case(case)
        finally:
            other.dispose()
        assert load(store, cached=True).notices == 2

    def test_cases_are_independent(self, store: Store) -> None:
        """Changing a case object without saving it changes nothing the cache holds."""
        add(store, make_case())
        case = load(store, cached=True)
        case.form["nested"]["法定代表人"] = "王五"
        case.tasks["seal"].state = TaskState.READY
        case.visits[0].purposes.append("x")
        again = load(store, cached=True)
        assert again.form["nested"]["法定代表人"] == "张三"
        assert again.tasks["seal"].state is TaskState.WAITING
        assert again.visits[0].purposes == ["submit", "sign"]

    def test_rolled_back_save_is_not_cached(self, store: Store) -> None:
        """A save that is rolled back never reaches the cache."""
        add(store, make_case())
        case = load(store, cached=True)
        case.notices = 9
        with pytest.raises(RuntimeError), store.transaction() as tx:
            tx.save_case(case)
            raise RuntimeError("rolled back")
        assert load(store, cached=True).notices == 1

    def test_only_changed_columns_are_sent(self, store: Store) -> None:
        """With the loaded version cached, an UPDATE sends only the columns that changed."""
        add(store, make_case())
        case = load(store, cached=True)
        case.notices = 3
        case.tasks["seal"].state = TaskState.READY
        with store.record_statements() as statements, store.transaction() as tx:
            tx.save_case(case)
        assert [assigned(s.sql) for s in statements if s.sql.startswith("UPDATE")] == [
            ["version", "notices"],
            ["state"],
        ]
        loaded = load(store)
        assert (loaded.notices, loaded.tasks["seal"].state, loaded.form) == (3, TaskState.READY, FORM)

    def test_a_cached_case_costs_a_version_check(self, store: Store) -> None:
        """A case in the cache is loaded with one SELECT of its version, not of its rows."""
        add(store, make_case())
        with store.record_statements() as statements:
            load(store, cached=True)
        selects = [s.sql for s in statements if s.sql.startswith("SELECT")]
        assert len(selects) == 1
        assert " ".join(selects[0].split()).startswith("SELECT cases.version FROM cases WHERE cases.id = ")

    def test_without_cache(self, tmp_path: Path) -> None:
        """cache_size=0 loads every case from the database and writes whole rows."""
        store = Store(f"sqlite:///{tmp_path / 'x.sqlite'}", cache_size=0)
        store.migrate()
        try:
            add(store, make_case())
            with store.record_statements() as statements:
                case = load(store, cached=True)
                case.notices = 5
                with store.transaction() as tx:
                    tx.save_case(case)
                assert load(store, cached=True).notices == 5
            selects = [s.sql for s in statements if s.sql.startswith("SELECT")]
            assert len(selects) == 2 and all("FROM item_tasks" in sql for sql in selects)  # full loads
            (update,) = [s.sql for s in statements if s.sql.startswith("UPDATE cases")]
            assert sorted(assigned(update)) == sorted(c.name for c in cases.columns if c.name != "id")
        finally:
            store.dispose()


def assigned(update: str) -> list[str]:
    """The columns an UPDATE statement sets, in order."""
    return [a.split("=")[0] for a in update.split(" SET ")[1].split(" WHERE ", maxsplit=1)[0].split(", ")]


class TestActOn:
    """``Store.act_on``: load (trusting the cache), change, guarded save, one rerun on a stale copy."""

    @pytest.fixture
    def other(self, store: Store) -> Iterator[Store]:
        """A second store on the same database, as another process would have."""
        other = twin(store)
        yield other
        other.dispose()

    @staticmethod
    def stale(store: Store, other: Store) -> None:
        """Leave ``store`` a cached copy of C-1 at version 0, and the database at version 1
        (notices 2, saved by ``other``)."""
        add(store, make_case())
        assert load(store, cached=True).notices == 1
        with other.transaction() as tx:
            case = tx.get_case("C-1")
            case.notices = 2
            tx.save_case(case)

    def test_change_save_done(self, store: Store) -> None:
        """The change is saved, then ``done`` runs in the same transaction; its value is returned."""
        add(store, make_case())

        def change(tx: Transaction, case: Case) -> Callable[[], tuple[int, int]]:
            case.notices = 4
            case.new_events.append(event(3))

            def done() -> tuple[int, int]:
                tx.put_idempotency("k-1", case.id, "notice", "f" * 64, {"version": case.version})
                return case.version, case.event_count

            return done

        assert store.act_on("C-1", change) == (1, 3)
        assert (load(store).notices, case_row(store)["version"]) == (4, 1)
        with store.transaction() as tx:
            record = tx.get_idempotency("k-1")
        assert record is not None and record.result == {"version": 1}

    def test_replay_answers_without_the_case(self, store: Store) -> None:
        """A value from ``replay`` is returned as it is: the case is neither loaded nor saved."""
        add(store, make_case())

        def change(tx: Transaction, case: Case) -> Callable[[], str]:
            raise AssertionError("not called")

        with recorded_writes(store) as writes:
            assert store.act_on("C-1", change, replay=lambda tx: "recorded") == "recorded"
        assert writes == [] and case_row(store)["version"] == 0
        assert act(store, "C-1", lambda case: case.version) == 0  # replay None: the action runs

    def test_a_stale_copy_is_not_saved_but_rerun_on_the_current_case(self, store: Store, other: Store) -> None:
        self.stale(store, other)
        seen: list[tuple[int, int]] = []

        def change(case: Case) -> None:
            seen.append((case.version, case.notices))
            case.notices += 10

        act(store, "C-1", change)
        assert seen == [(0, 1), (1, 2)]  # the cached copy first, refused by the version guard
        assert (load(store).notices, case_row(store)["version"]) == (12, 2)

    def test_a_stale_copy_does_not_refuse_what_the_current_case_allows(
        self, store: Store, other: Store
    ) -> None:
        self.stale(store, other)
        seen: list[int] = []

        def change(case: Case) -> None:
            seen.append(case.notices)
            if case.notices < 2:
                raise CaseError("needs a second notice", case_id=case.id)
            case.notices += 1

        act(store, "C-1", change)
        assert seen == [1, 2]
        assert load(store).notices == 3

    def test_a_refusal_of_the_current_case_is_raised(self, store: Store) -> None:
        add(store, make_case())
        load(store, cached=True)
        calls: list[int] = []

        def change(case: Case) -> None:
            calls.append(case.version)
            raise CaseError("refused", case_id=case.id)

        with pytest.raises(CaseError, match="refused"):
            act(store, "C-1", change)
        assert calls == [0]  # current: not run again
        assert case_row(store)["version"] == 0

    def test_a_refusal_of_the_checked_copy_is_raised(self, store: Store, other: Store) -> None:
        """The rerun loads the case with a version check: its refusal is final."""
        self.stale(store, other)
        calls: list[int] = []

        def change(case: Case) -> None:
            calls.append(case.notices)
            raise CaseError("refused", case_id=case.id)

        with pytest.raises(CaseError, match="refused"):
            act(store, "C-1", change)
        assert calls == [1, 2]
        assert case_row(store)["version"] == 1

    def test_other_errors_are_raised_at_once(self, store: Store, other: Store) -> None:
        """An error that is not a refusal (a bug) is raised from the stale copy as it is."""
        self.stale(store, other)

        def change(case: Case) -> None:
            raise RuntimeError("bug")

        with pytest.raises(RuntimeError, match="bug"):
            act(store, "C-1", change)

    def test_unknown_case(self, store: Store) -> None:
        with pytest.raises(CaseNotFound):
            act(store, "nope", lambda case: None)


class TestStatementRecorder:
    def test_recorded_statements_take_the_production_path(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """While recording, the store still runs its statements on the DBAPI cursor, not through
        SQLAlchemy's execution (which a cursor-event listener would switch it to)."""
        add(store, make_case())

        def through_sqlalchemy(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("a statement went through Connection.exec_driver_sql")

        monkeypatch.setattr(sa.Connection, "exec_driver_sql", through_sqlalchemy)
        with store.record_statements() as statements:
            act(store, "C-1", lambda case: setattr(case, "notices", 3))
            with store.transaction() as tx:
                case = tx.get_case("C-1")
                case.notices = 4
                tx.save_case(case)
        monkeypatch.undo()
        verbs = [s.sql.split()[0] for s in statements]
        # each save: the case's UPDATE, then the upsert of its kept figures (notices count, 0019)
        assert [verb for verb in verbs if verb != "BEGIN"] == ["UPDATE", "INSERT", "SELECT", "UPDATE", "INSERT"]
        assert verbs.count("BEGIN") == (2 if store.dialect == "sqlite" else 0)  # PostgreSQL: implicit
        assert load(store).notices == 4 and case_row(store)["version"] == 2

    def test_a_cursor_event_listener_sees_every_statement(self, store: Store) -> None:
        """With a listener on the engine's cursor events, the store's statements go through
        SQLAlchemy so that the listener sees them; the recorder sees the same ones."""
        add(store, make_case())
        heard: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            heard.append(statement)

        case = load(store, cached=True)
        case.tasks["seal"].state = TaskState.READY
        sa.event.listen(store.engine, "before_cursor_execute", before)
        try:
            with store.record_statements() as statements, store.transaction() as tx:
                tx.save_case(case)
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", before)
        recorded = [s.sql for s in statements]
        assert [sql for sql in recorded if sql.startswith("UPDATE")] == [
            sql for sql in heard if sql.startswith("UPDATE")
        ]
        assert writes_of(statements) == [("UPDATE", "cases", 1), ("UPDATE", "item_tasks", 1)]

    def test_other_stores_are_not_recorded(self, store: Store, tmp_path: Path) -> None:
        other = Store(f"sqlite:///{tmp_path / 'other.sqlite'}")
        other.migrate()
        try:
            with store.record_statements() as statements:
                add(other, make_case())
            assert statements == []
        finally:
            other.dispose()


class TestRoundTrip:
    def test_full_case(self, store: Store) -> None:
        """Every field of a full case comes back equal."""
        original = make_case()
        expected = state_of(original)
        add(store, original)
        loaded = load(store)
        assert state_of(loaded) == expected
        assert (loaded.version, loaded.event_count, loaded.new_events) == (0, 2, [])

    def test_datetimes_aware_in_shanghai(self, store: Store) -> None:
        """Datetimes come back as the same instant, aware, in Asia/Shanghai."""
        add(store, make_case())
        loaded = load(store)
        moments = [v for v in walk(attrs.asdict(loaded)) if isinstance(v, dt.datetime)]
        assert len(moments) == 18  # 16, and the two signatures
        assert all(m.tzinfo is TZ for m in moments)
        assert loaded.accepted_at == at(1)
        assert loaded.accepted_at.hour == 10  # 09:30 + 1h Shanghai wall time, not UTC
        assert loaded.opened_at.microsecond == 123456
        assert loaded.rectification is not None
        assert loaded.rectification.rectified_at == at(80)
        assert loaded.rectification.rectified_at.tzinfo is TZ

    def test_enums(self, store: Store) -> None:
        """Enums come back as domain enum members."""
        add(store, make_case())
        loaded = load(store)
        assert type(loaded.state) is CaseState
        assert type(loaded.tasks["licence"].state) is TaskState
        assert type(loaded.materials["lease"].status) is MaterialStatus
        assert type(loaded.ratings[0].level) is RatingLevel
        assert loaded.ratings[0].level is RatingLevel.DISSATISFIED

    def test_form_json_with_chinese(self, store: Store) -> None:
        """The form is JSON; Chinese keys and values are kept."""
        add(store, make_case())
        assert load(store).form == FORM

    def test_cached_columns(self, store: Store) -> None:
        """trips, due date and event count are written beside the case for queries."""
        add(store, make_case())
        row = case_row(store)
        assert (row["trips"], row["due_date"], row["due_provisional"], row["event_count"]) == (
            2,
            dt.date(2027, 3, 20),
            False,
            2,
        )
        assert row["state"] is CaseState.IN_PROGRESS

    def test_minimal_case(self, store: Store) -> None:
        """A case without optional fields round-trips (None stays None)."""
        original = make_case(full=False, due=None)
        expected = state_of(original)
        add(store, original)
        loaded = load(store)
        assert state_of(loaded) == expected
        assert loaded.rectification is None
        assert case_row(store)["due_date"] is None

    def test_events(self, store: Store) -> None:
        """Events come back in order with their data."""
        add(store, make_case())
        with store.transaction() as tx:
            events = tx.events("C-1")
        assert [(e.seq, e.type, e.state, e.public) for e in events] == [
            (1, "CaseOpened", "draft", True),
            (2, "CaseSubmitted", "submitted", True),
        ]
        assert events[1].data == {"表单": "已填写"}
        assert events[1].at == at(2)
        assert events[1].at.tzinfo is TZ

    def test_add_clears_new_events(self, store: Store) -> None:
        """add_case counts the new events and clears the list."""
        case = make_case()
        add(store, case)
        assert (case.event_count, case.new_events, case.version) == (2, [], 0)

    def test_case_not_found(self, store: Store) -> None:
        """An unknown id raises CaseNotFound."""
        with pytest.raises(CaseNotFound) as info, store.transaction() as tx:
            tx.get_case("nope")
        assert info.value.case_id == "nope"
        assert str(info.value) == "case nope: no such case"

    def test_stored_values_match_core(self, store: Store) -> None:
        """Values written by the store compare equal to the same values bound by Core."""
        add(store, make_case())
        task, material = item_tasks.c, materials.c
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(cases.c.id).where(
                cases.c.opened_at == T0.astimezone(dt.UTC),
                cases.c.accepted_at == at(1),
                cases.c.state == CaseState.IN_PROGRESS,
                cases.c.over_budget.is_(True),
            )).scalars().all() == ["C-1"]
            assert conn.execute(sa.select(task.item_code).where(
                task.due_date == dt.date(2027, 3, 10),
                task.suspended_since == dt.date(2027, 3, 3),
                task.concluded_at == at(30),
            )).scalars().all() == ["licence"]
            assert conn.execute(sa.select(material.material_id).where(
                material.received_at == at(0.5), material.status == MaterialStatus.RECEIVED
            )).scalars().all() == ["form"]

    def test_naive_datetime_refused(self, store: Store) -> None:
        """A naive datetime is refused with a StoreError and nothing is written."""
        case = make_case()
        case.submitted_at = dt.datetime(2027, 3, 1, 10, 0)
        with pytest.raises(StoreError, match="naive datetime 2027-03-01T10:00:00"):
            add(store, case)
        assert count(store, "cases") == 0


class TestSaveCase:
    def test_unchanged_case_writes_only_the_case_row(self, store: Store) -> None:
        """Saving an unchanged case updates only its row (the version)."""
        add(store, make_case())
        with recorded_writes(store) as writes, store.transaction() as tx:
            tx.save_case(tx.get_case("C-1"))
        assert writes == [("UPDATE", "cases", 1)]

    def test_only_changed_rows(self, store: Store) -> None:
        """Only changed and new child rows are written, each table in one statement."""
        add(store, make_case())
        with recorded_writes(store) as writes, store.transaction() as tx:
            case = tx.get_case("C-1")
            case.tasks["seal"].state = TaskState.READY
            case.visits[0].purposes.append("pay")  # changed in place
            case.visits.append(Visit(3, at(70), "hall-a", ["pickup"]))
            case.materials["lease"].status = MaterialStatus.RECEIVED
            case.new_events += [event(3, "ItemDispatched"), event(4, "MaterialSupplied")]
            tx.save_case(case)
        assert writes == [
            ("UPDATE", "cases", 1),
            ("UPDATE", "item_tasks", 1),
            ("UPDATE", "materials", 1),
            ("UPDATE", "visits", 1),
            ("INSERT", "visits", 1),
            ("INSERT", "figure_cases", 1),  # the kept figures: the trips changed (0019)
            ("UPDATE", "outbox_counter", 1),  # the events' positions (the outbox)
            ("INSERT", "events", 2),
        ]
        loaded = load(store)
        assert state_of(loaded) == state_of(case)
        assert loaded.visits[0].purposes == ["submit", "sign", "pay"]
        assert case_row(store)["trips"] == 3

    def test_removed_rows_are_deleted(self, store: Store) -> None:
        """A part removed from the case is deleted."""
        add(store, make_case())
        with store.transaction() as tx:
            case = tx.get_case("C-1")
            del case.materials["form"]
            del case.deadlines[("deficiency", "lease")]
            case.ratings.pop()
            tx.save_case(case)
        loaded = load(store)
        assert sorted(loaded.materials) == ["id-card", "lease"]
        assert sorted(loaded.deadlines) == [("case", "C-1"), ("item", "licence")]
        assert len(loaded.ratings) == 1

    def test_a_deletion_alone_reaches_the_cache(self, store: Store) -> None:
        """A save that only deletes a row (an item no longer part of the case: its situation) leaves
        the cached copy without it too, like the database (the cache used to keep the old rows)."""
        case = make_case()
        add(store, case)
        load(store, cached=True)  # cached
        with store.transaction() as tx:
            case = tx.get_case("C-1")
            [code] = list(case.tasks)[:1]
            del case.tasks[code]
            tx.save_case(case)
        assert code not in load(store, cached=True).tasks
        assert code not in load(store).tasks

    def test_case_fields_and_deadline_copy(self, store: Store) -> None:
        """Scalar fields and the copied case deadline are updated."""
        add(store, make_case())
        with store.transaction() as tx:
            case = tx.get_case("C-1")
            case.state = CaseState.READY_FOR_PICKUP
            case.form["备注"] = "加急"
            case.rectification = None
            due = case.deadlines[("case", "C-1")]
            due.due, due.provisional = dt.date(2027, 3, 25), True
            tx.save_case(case)
        row = case_row(store)
        assert (row["state"], row["due_date"], row["due_provisional"], row["rectification"]) == (
            CaseState.READY_FOR_PICKUP,
            dt.date(2027, 3, 25),
            True,
            None,
        )
        assert load(store).form["备注"] == "加急"

    def test_version_and_counts(self, store: Store) -> None:
        """save_case bumps the version, counts new events and clears them."""
        add(store, make_case())
        case = load(store)
        case.new_events.append(event(3))
        with store.transaction() as tx:
            tx.save_case(case)
        assert (case.version, case.event_count, case.new_events) == (1, 3, [])
        assert (case_row(store)["version"], case_row(store)["event_count"]) == (1, 3)

    def test_saved_twice_across_transactions(self, store: Store) -> None:
        """A case can be saved again after a save, each time writing only its changes."""
        add(store, make_case())
        case = load(store)
        for n, task_state in enumerate((TaskState.READY, TaskState.IN_REVIEW), start=1):
            case.tasks["seal"].state = task_state
            with recorded_writes(store) as writes, store.transaction() as tx:
                tx.save_case(case)
            assert writes == [("UPDATE", "cases", 1), ("UPDATE", "item_tasks", 1)]
            assert case.version == n
        assert load(store).tasks["seal"].state is TaskState.IN_REVIEW

    def test_case_not_loaded_through_the_store(self, store: Store) -> None:
        """A case object the store never saw is compared with what the database holds."""
        add(store, make_case())
        stranger = make_case()
        stranger.new_events, stranger.event_count = [event(3)], 2
        del stranger.materials["form"]
        stranger.tasks["seal"].state = TaskState.READY
        with recorded_writes(store) as writes, store.transaction() as tx:
            tx.save_case(stranger)
        assert writes == [
            ("UPDATE", "cases", 1),
            ("UPDATE", "item_tasks", 1),
            ("DELETE", "materials", 1),
            ("UPDATE", "outbox_counter", 1),
            ("INSERT", "events", 1),
        ]
        assert state_of(load(store)) == state_of(stranger)


class TestConcurrency:
    def test_stale_version_conflicts(self, store: Store) -> None:
        """Two copies of one version: the second save raises and changes nothing."""
        add(store, make_case())
        first, second = load(store), load(store)
        first.tasks["seal"].state = TaskState.READY
        first.new_events.append(event(3, "ItemDispatched"))
        with store.transaction() as tx:
            tx.save_case(first)
        second.tasks["licence"].state = TaskState.APPROVED
        second.visits.append(Visit(3, at(70), "hall-a", ["pickup"]))
        second.new_events.append(event(3, "ItemApproved"))
        with pytest.raises(ConcurrencyConflict) as info, store.transaction() as tx:
            tx.save_case(second)
        assert (info.value.case_id, info.value.expected_version) == ("C-1", 0)
        assert info.value.code == "OS703"
        assert state_of(load(store)) == state_of(first)
        with store.transaction() as tx:
            assert [e.type for e in tx.events("C-1")][-1] == "ItemDispatched"
        assert (second.version, len(second.new_events)) == (0, 1)  # left as it was

    def test_concurrent_writers_on_postgresql(self, store: Store) -> None:
        """PostgreSQL: the second UPDATE waits for the first transaction, then conflicts."""
        if store.dialect != "postgresql":
            pytest.skip("two concurrent writers need PostgreSQL (SQLite serialises writers)")
        add(store, make_case())
        loaded, go = threading.Event(), threading.Event()
        outcome: dict[str, Any] = {}

        def second_writer() -> None:
            try:
                with store.transaction() as tx:
                    case = tx.get_case("C-1")
                    outcome["pid"] = tx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                    loaded.set()
                    assert go.wait(60)
                    case.tasks["licence"].state = TaskState.APPROVED
                    case.new_events.append(event(3, "ItemApproved"))
                    tx.save_case(case)
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                loaded.set()

        thread = threading.Thread(target=second_writer)
        thread.start()
        assert loaded.wait(60)
        with store.transaction() as tx:
            first = tx.get_case("C-1")
            first.tasks["seal"].state = TaskState.READY
            first.new_events.append(event(3, "ItemDispatched"))
            tx.save_case(first)  # holds the row lock until commit
            go.set()
            wait_until_blocked(store, outcome["pid"])
        thread.join(60)
        assert isinstance(outcome.get("error"), ConcurrencyConflict)
        assert state_of(load(store)) == state_of(first)
        assert case_row(store)["version"] == 1
        assert count(store, "events") == 3

    def test_no_lost_updates_under_contention(self, store: Store) -> None:
        """Writers in several threads, retrying on conflicts, lose no update and no event."""
        add(store, make_case(full=False))
        threads, rounds = 4, 10
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                for _ in range(rounds):
                    while True:
                        try:
                            with store.transaction() as tx:
                                case = tx.get_case("C-1")
                                case.notices += 1
                                case.new_events.append(event(case.event_count + 1, "Noticed"))
                                tx.save_case(case)
                            break
                        except ConcurrencyConflict:
                            continue
            except BaseException as exc:
                errors.append(exc)

        workers = [threading.Thread(target=writer) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        assert errors == []
        case = load(store)
        assert (case.notices, case.version, case.event_count) == (40, 40, 42)
        with store.transaction() as tx:
            assert [e.seq for e in tx.events("C-1")] == list(range(1, 43))

    def test_sqlite_writers_take_the_lock_up_front(self, store: Store, tmp_path: Path) -> None:
        """SQLite: a write transaction begins IMMEDIATE; a second writer waits, readers do not."""
        if store.dialect != "sqlite":
            pytest.skip("SQLite locking")
        impatient = Store(store.engine.url.render_as_string(), busy_timeout=0)
        try:
            with store.transaction():
                with pytest.raises(StoreError, match="the database is busy"), impatient.transaction():
                    pass
                with impatient.transaction(readonly=True) as reader:
                    assert reader.case_ids() == []
        finally:
            impatient.dispose()


def wait_until_blocked(store: Store, pid: int) -> None:
    """Poll until backend ``pid`` waits for a lock (no sleeping: each poll is a query)."""
    deadline = time.monotonic() + 60
    with store.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
            conn.rollback()
            if waiting == "Lock":
                return
    raise AssertionError(f"backend {pid} never waited for the row lock")


class TestEvents:
    def test_gapless_numbering(self, store: Store) -> None:
        """Events continue the case's numbering across saves."""
        add(store, make_case())
        for seq in (3, 4, 5):
            case = load(store)
            case.new_events.append(event(seq))
            with store.transaction() as tx:
                tx.save_case(case)
        with store.transaction() as tx:
            assert [e.seq for e in tx.events("C-1")] == [1, 2, 3, 4, 5]

    def test_gap_rejected(self, store: Store) -> None:
        """A new event that skips a number is refused before anything is written."""
        add(store, make_case())
        case = load(store)
        case.new_events.append(event(4))
        numbering = r"numbered 3, 4, … \(event_count is 2\), got \[4\]"
        with pytest.raises(StoreError, match=numbering), store.transaction() as tx:
            tx.save_case(case)
        assert case_row(store)["version"] == 0

    def test_duplicate_seq_rejected(self, store: Store) -> None:
        """The database refuses a second event with the same number: a conflict, nothing written."""
        add(store, make_case())
        case = load(store)
        case.event_count = 1  # stale count: the next event would be number 2 again
        case.tasks["seal"].state = TaskState.READY
        case.new_events.append(event(2, "Duplicate"))
        with pytest.raises(ConcurrencyConflict) as info, store.transaction() as tx:
            tx.save_case(case)
        assert info.value.case_id == "C-1"
        assert (case.version, case.event_count, len(case.new_events)) == (0, 1, 1)
        assert case_row(store)["version"] == 0
        assert load(store).tasks["seal"].state is TaskState.WAITING
        with store.transaction() as tx:
            assert [e.type for e in tx.events("C-1")] == ["CaseOpened", "CaseSubmitted"]


class TestIdempotency:
    def test_absent(self, store: Store) -> None:
        """An unknown key has no record."""
        with store.transaction() as tx:
            assert tx.get_idempotency("k-1") is None

    def test_put_and_get(self, store: Store) -> None:
        """A recorded outcome comes back as it was put."""
        result = {"state": "submitted", "说明": "已受理", "trips": 1}
        with store.transaction() as tx:
            tx.put_idempotency("k-1", "C-1", "submit", "f" * 64, result, at=at(1))
        with store.transaction() as tx:
            record = tx.get_idempotency("k-1")
        assert record == IdempotencyRecord("k-1", "C-1", "submit", "f" * 64, result, at(1))
        assert record is not None
        assert record.at.tzinfo is TZ

    def test_defaults(self, store: Store) -> None:
        """The result may be None; the time defaults to now."""
        before = dt.datetime.now(TZ)
        with store.transaction() as tx:
            tx.put_idempotency("k-2", "C-2", "open_case", "0" * 64, None)
        with store.transaction() as tx:
            record = tx.get_idempotency("k-2")
        assert record is not None
        assert record.result is None
        assert record.at >= before
        assert record.at.tzinfo is TZ

    def test_key_recorded_twice(self, store: Store) -> None:
        """A key recorded concurrently is a conflict on the case: retry and find the record."""
        with store.transaction() as tx:
            tx.put_idempotency("k-1", "C-1", "submit", "f" * 64, {})
        with pytest.raises(ConcurrencyConflict) as info, store.transaction() as tx:
            tx.put_idempotency("k-1", "C-1", "submit", "f" * 64, {})
        assert info.value.case_id == "C-1"


class TestDefinitions:
    FILES: ClassVar[dict[str, str]] = {"matters/start-business.yaml": "name:\n  zh: 企业开办\n", "items/licence.yaml": "code: x\n"}

    def test_save_and_load(self, store: Store) -> None:
        """Stored files come back unchanged; storing the same hash again is a no-op."""
        with store.transaction() as tx:
            assert tx.save_definition("ab" * 32, "start-business", "2027.1", self.FILES) is True
        with store.transaction() as tx:
            assert tx.save_definition("ab" * 32, "start-business", "2027.1", {"x": "y"}) is False
            assert tx.load_definition("ab" * 32) == self.FILES

    def test_unknown(self, store: Store) -> None:
        """An unknown hash loads as None."""
        with store.transaction() as tx:
            assert tx.load_definition("00" * 32) is None


def case_ids(rows: list[CaseRow]) -> list[str]:
    return [r.id for r in rows]


class TestWorklists:
    @pytest.fixture
    def cases(self, store: Store) -> Store:
        """Six cases across states, locations, departments and due dates."""
        c1 = make_case("C-1", full=False, due=dt.date(2027, 3, 5))
        c1.tasks["licence"].state = TaskState.READY
        c1.tasks["licence"].due = dt.date(2027, 3, 9)
        c2 = make_case("C-2", due=dt.date(2027, 3, 10))  # owed lease due 03-08, provisional item
        c2.tasks["licence"].due = dt.date(2027, 3, 7)
        c3 = make_case("C-3", state=CaseState.READY_FOR_PICKUP, full=False, due=dt.date(2027, 3, 12))
        c3.concluded_at = at(5)
        c3.tasks["licence"].state = TaskState.APPROVED
        c4 = make_case("C-4", state=CaseState.READY_FOR_PICKUP, full=False, location="hall-b")
        c4.concluded_at = at(3)
        c5 = make_case("C-5", state=CaseState.AWAITING_MATERIALS, full=False, applicant_id="91330100X")
        c5.deadlines = {}
        c6 = make_case("C-6", state=CaseState.TERMINATED, due=dt.date(2027, 3, 2))  # owed, but finished
        c6.tasks["licence"].state = TaskState.CANCELLED
        for n, case in enumerate((c1, c2, c3, c4, c5, c6)):
            case.opened_at = at(n)
        add(store, c1, c2, c3, c4, c5, c6)
        return store

    def test_department_tasks(self, cases: Store) -> None:
        """Open tasks of a department, earliest due first, undated last."""
        with cases.transaction() as tx:
            rows = tx.department_tasks("market")
            police = tx.department_tasks("police", states=[TaskState.WAITING])
            assert tx.department_tasks("tax") == []
        assert [(r.case_id, r.item_code, r.state, r.due) for r in rows] == [
            ("C-2", "licence", TaskState.CORRECTION_REQUESTED, dt.date(2027, 3, 7)),
            ("C-1", "licence", TaskState.READY, dt.date(2027, 3, 9)),
            ("C-4", "licence", TaskState.IN_REVIEW, None),
            ("C-5", "licence", TaskState.IN_REVIEW, None),
        ]
        assert rows[0] == TaskRow(
            case_id="C-2",
            item_code="licence",
            department="market",
            state=TaskState.CORRECTION_REQUESTED,
            matter_id="start-business",
            dispatched_at=at(1),
            started_at=at(2),
            due=dt.date(2027, 3, 7),
            due_provisional=True,
            suspended_since=dt.date(2027, 3, 3),
            reviewer="rev-9",
        )
        assert [r.case_id for r in police] == ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6"]

    def test_window_queue(self, cases: Store) -> None:
        """Cases ready for pickup at one location."""
        with cases.transaction() as tx:
            assert case_ids(tx.window_queue("hall-a")) == ["C-3"]
            assert case_ids(tx.window_queue("hall-b")) == ["C-4"]
            assert tx.window_queue("hall-z") == []

    def test_awaiting_materials(self, cases: Store) -> None:
        """Open cases after a one-time notice or with owed materials."""
        with cases.transaction() as tx:
            assert case_ids(tx.awaiting_materials()) == ["C-2", "C-5"]
            assert case_ids(tx.awaiting_materials("hall-a")) == ["C-2", "C-5"]
            assert tx.awaiting_materials("hall-b") == []

    def test_open_cases_due_before(self, cases: Store) -> None:
        """Open cases with a deadline before a day (finished ones excluded)."""
        with cases.transaction() as tx:
            assert case_ids(tx.open_cases_due_before(dt.date(2027, 3, 10))) == ["C-1"]
            assert case_ids(tx.open_cases_due_before(dt.date(2027, 3, 11))) == ["C-1", "C-2"]
            assert tx.open_cases_due_before(dt.date(2027, 3, 5)) == []

    def test_open_cases_due_between(self, cases: Store) -> None:
        """Open cases with a deadline in a range, both ends included."""
        with cases.transaction() as tx:
            rows = tx.open_cases_due_between(dt.date(2027, 3, 5), dt.date(2027, 3, 12))
            assert case_ids(rows) == ["C-1", "C-2", "C-3"]
            assert case_ids(tx.open_cases_due_between(dt.date(2027, 3, 6), dt.date(2027, 3, 10))) == ["C-2"]
            assert case_ids(tx.open_cases_due_between(dt.date(2027, 3, 20), dt.date(2027, 3, 31))) == ["C-4"]
        assert rows[0] == CaseRow(
            id="C-1",
            matter_id="start-business",
            state=CaseState.IN_PROGRESS,
            location="hall-a",
            channel="window",
            applicant_id="330106199001011234",
            applicant_name="李四",
            opened_at=at(0),
            concluded_at=None,
            due=dt.date(2027, 3, 5),
            due_provisional=False,
            trips=0,
            over_budget=False,
            version=0,
        )

    def test_cases_for_applicant(self, cases: Store) -> None:
        """An applicant's cases, newest first."""
        with cases.transaction() as tx:
            assert case_ids(tx.cases_for_applicant("330106199001011234")) == [
                "C-6", "C-4", "C-3", "C-2", "C-1",
            ]
            assert case_ids(tx.cases_for_applicant("91330100X")) == ["C-5"]

    def test_provisional_case_ids(self, cases: Store) -> None:
        """Open cases with an unmet provisional deadline."""
        case = load(cases, "C-2")
        case.deadlines[("item", "licence")].met_at = None
        with cases.transaction() as tx:
            assert tx.provisional_case_ids() == []  # C-2's is met, C-6 is finished
            tx.save_case(case)
            assert tx.provisional_case_ids() == ["C-2"]

    def test_overdue_owed_materials(self, cases: Store) -> None:
        """Owed materials of open cases due before today."""
        with cases.transaction() as tx:
            assert tx.overdue_owed_materials(dt.date(2027, 3, 8)) == []
            assert tx.overdue_owed_materials(dt.date(2027, 3, 9)) == [("C-2", "lease", dt.date(2027, 3, 8))]

    def test_case_ids(self, cases: Store) -> None:
        """Case ids page by page."""
        with cases.transaction() as tx:
            assert tx.case_ids(limit=4) == ["C-1", "C-2", "C-3", "C-4"]
            assert tx.case_ids(limit=4, offset=4) == ["C-5", "C-6"]


class TestMigrate:
    def test_idempotent(self, store: Store) -> None:
        """migrate() on a migrated database changes nothing and keeps the data."""
        add(store, make_case())
        store.migrate()
        store.migrate()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [(HEAD,)]
        assert load(store).id == "C-1"

    def test_0005_fills_due_provisional_and_keeps_calendar_years(self, store: Store) -> None:
        """Down to 0004 and up again: an owed material's flag comes back from its deficiency
        deadline (the migration fills it); ``calendar_years`` is created empty."""
        from alembic import command

        from oneservice.store.store import MIGRATIONS

        case = make_case()
        case.deadlines[("deficiency", "lease")] = Deadline(
            "deficiency", "lease", D0, 5, "working_days", 0, dt.date(2027, 3, 8), True)
        add(store, case)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        for target in ("0004", "head"):
            with store.engine.begin() as conn:
                config.attributes["connection"] = conn
                (command.downgrade if target == "0004" else command.upgrade)(config, target)
        store.clear_cache()
        assert load(store).materials["lease"].due_provisional is True
        assert load(store).materials["form"].due_provisional is False
        with store.transaction() as tx:
            assert tx.calendar_years() == []

    def test_schema_equals_metadata(self, store: Store) -> None:
        """Alembic finds no difference between the migrated schema and the tables."""
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []

    def test_comparison_sees_differences(self, store: Store) -> None:
        """The comparison above is not vacuous: a changed table is noticed."""
        changed = sa.MetaData()
        for table in metadata.tables.values():
            table.to_metadata(changed)
        changed.tables["cases"].append_column(sa.Column("extra", sa.Integer))
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), changed)
        assert [d[0] for d in diff] == ["add_column"]


class TestTransaction:
    def test_rollback_on_exception(self, store: Store) -> None:
        """An exception rolls everything back and propagates unchanged."""
        case = make_case()
        with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
            tx.add_case(case)
            tx.put_idempotency("k-1", "C-1", "open_case", "f" * 64, {})
            raise RuntimeError("boom")
        for table in ("cases", "item_tasks", "materials", "visits", "deadlines", "ratings", "events",
                      "idempotency"):
            assert count(store, table) == 0, table
        assert (case.event_count, len(case.new_events)) == (0, 2)  # the case object is restored

    def test_rollback_restores_saved_case(self, store: Store) -> None:
        """A save rolled back later in the transaction leaves the case object as before."""
        add(store, make_case())
        case = load(store)
        case.tasks["seal"].state = TaskState.READY
        case.new_events.append(event(3))
        with pytest.raises(RuntimeError), store.transaction() as tx:
            tx.save_case(case)
            raise RuntimeError("after the save")
        assert (case.version, case.event_count, len(case.new_events)) == (0, 2, 1)
        with store.transaction() as tx:  # retrying the same object writes the same changes
            tx.save_case(case)
        loaded = load(store)
        assert loaded.tasks["seal"].state is TaskState.READY
        assert loaded.event_count == 3

    def test_commit(self, store: Store) -> None:
        """Leaving the block commits."""
        add(store, make_case())
        assert count(store, "cases") == 1

    def test_a_transaction_inside_another_on_the_same_thread(self, store: Store) -> None:
        """A read inside a write transaction of the same thread gets a connection of its own and
        sees what is committed; the outer transaction then commits as usual."""
        add(store, make_case())
        with store.transaction() as outer:
            outer.get_case("C-1")
            with store.transaction(readonly=True) as inner:
                assert inner.connection is not outer.connection
                assert inner.case_ids() == ["C-1"]
            outer.put_idempotency("k-1", "C-1", "open_case", "f" * 64, {})
        assert count(store, "idempotency") == 1

    def test_more_threads_than_kept_connections(self, store: Store) -> None:
        """Twelve threads at once, each running transactions, all succeed (the threads beyond
        those that keep a connection check one out per transaction); when they end, every
        connection is back in the pool."""
        add(store, *(make_case(f"C-{i}") for i in range(12)))
        pool = store.engine.pool
        before = pool.checkedout()  # this thread's kept connection, and those of live threads of other tests
        errors: list[BaseException] = []
        start = threading.Barrier(12)

        def work(i: int) -> None:
            try:
                start.wait()
                for seq in (3, 4, 5):
                    case = load(store, f"C-{i}", cached=True)
                    case.new_events.append(event(seq))
                    with store.transaction() as tx:
                        tx.save_case(case)
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        for i in range(12):
            assert load(store, f"C-{i}").event_count == 5
        import gc

        gc.collect()
        assert pool.checkedout() <= before  # the twelve threads' connections are all back

    def test_a_forked_child_uses_connections_of_its_own(self, store: Store) -> None:
        """After fork(), the child opens its own connections (never its parent's, kept or
        pooled); parent and child both go on working on the same database."""
        import os

        def connection_identity() -> Any:
            with store.transaction() as tx:
                if store.dialect == "postgresql":
                    return tx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                return id(tx.connection.connection.dbapi_connection)

        add(store, make_case())
        parents = connection_identity()  # the parent now keeps / pools this connection
        pid = os.fork()
        if pid == 0:  # the child: exit code 0 only if it worked on a connection of its own
            code = 1
            try:
                assert connection_identity() != parents
                case = load(store)
                case.notices = 5
                with store.transaction() as tx:
                    tx.save_case(case)
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert load(store).notices == 5  # the parent's connections still work and see it

    def test_dispose_then_use_again(self, store: Store) -> None:
        """After dispose() the store opens new connections on first use."""
        add(store, make_case())
        store.dispose()
        assert load(store).id == "C-1"


class TestStore:
    def test_default_url(self) -> None:
        """The default database is ./oneservice.sqlite."""
        store = Store()
        assert (store.url, store.dialect) == ("sqlite:///oneservice.sqlite", "sqlite")
        store.dispose()

    def test_unreachable_database(self) -> None:
        """A database that cannot be reached is a StoreError with the URL, password hidden."""
        store = Store("postgresql+psycopg://someone:secret@127.0.0.1:1/none")
        hidden = r"cannot reach the database postgresql\+psycopg://someone:\*\*\*@127.0.0.1:1/none: "
        with pytest.raises(StoreError, match=hidden), store.transaction():
            pass
        store.dispose()

    def test_a_connection_lost_mid_transaction(self, store: Store) -> None:
        """PostgreSQL: a connection lost under a statement of the store's own (on the DBAPI
        cursor) is a StoreError, the connection is invalidated, and the next transaction works."""
        if store.dialect != "postgresql":
            pytest.skip("a server that drops the connection")
        add(store, make_case())
        case = load(store, cached=True)
        case.notices = 4
        with pytest.raises(StoreError, match="cannot reach the database") as info, store.transaction() as tx:
            pid = tx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with store.engine.connect() as killer:
                killer.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
            tx.save_case(case)
        raised = info.value.__context__
        assert isinstance(raised, sa.exc.DBAPIError) and raised.connection_invalidated
        assert (case.version, load(store).notices) == (0, 1)
        with store.transaction() as tx:
            tx.save_case(case)
        assert load(store).notices == 4

    def test_a_kept_connection_dropped_while_idle(self, store: Store) -> None:
        """PostgreSQL: the connection a thread keeps is pinged when it has been idle; one the
        server dropped meanwhile is replaced before the transaction, which does not see it."""
        if store.dialect != "postgresql":
            pytest.skip("a server that drops the connection")
        add(store, make_case())

        def backend() -> Any:
            with store.transaction() as tx:
                return tx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()

        first = backend()
        assert backend() == first  # kept from one transaction to the next
        with store.engine.connect() as killer:
            killer.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
        store._connections._ping_after = 0.0  # idle long enough: every transaction pings first
        try:
            case = load(store)
            case.notices = 6
            with store.transaction() as tx:
                tx.save_case(case)
            assert backend() != first
        finally:
            store._connections._ping_after = 1.0
        assert load(store).notices == 6

    def test_unusable_sqlite_path(self, tmp_path: Path) -> None:
        """An SQLite file that cannot be opened is a StoreError."""
        store = Store(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}")
        with pytest.raises(StoreError, match="cannot reach the database"):
            store.migrate()
        store.dispose()

    def test_not_migrated(self, tmp_path: Path) -> None:
        """Using a database before migrate() says so."""
        store = Store(f"sqlite:///{tmp_path / 'x.sqlite'}")
        with pytest.raises(StoreError, match=r"run Store.migrate\(\)"), store.transaction() as tx:
            tx.get_case("C-1")
        store.dispose()

    def test_bad_arguments(self) -> None:
        """Unsupported databases and misplaced schemas are refused."""
        with pytest.raises(StoreError, match="unsupported database 'mysql'"):
            Store("mysql://x@localhost/db")
        with pytest.raises(StoreError, match="only for PostgreSQL"):
            Store("sqlite://", schema="x")
        with pytest.raises(StoreError, match="not a database URL"):
            Store("::nonsense::")

    def test_sqlite_settings(self, store: Store) -> None:
        """SQLite runs in WAL mode with foreign keys on and normal sync."""
        if store.dialect != "sqlite":
            pytest.skip("SQLite pragmas")
        with store.engine.connect() as conn:
            pragmas = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                       ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")]
        assert pragmas == ["wal", 1, 1, 10000]
