"""The outbox and the global event feed: gapless positions written with the change, filters,
scopes and the long poll (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from oneservice import Actor, Applicant, OneService, Role, SimulatedClock
from oneservice.domain.case import Event
from oneservice.errors import FeedQueryInvalid
from oneservice.samples import sample_form, sample_resident_id
from oneservice.store.outbox import EVENT_SCHEMA, FeedScope, last_position

BIZ = "start-a-business"
LOCATION = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=LOCATION)
PERSON = Applicant("person", sample_resident_id(1), "张三", "13800138000")
ME = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON.id_number)
OTHER = Applicant("person", sample_resident_id(2), "李四", "13800138001")
HER = Actor(Role.APPLICANT, "lisi", applicant_id=OTHER.id_number)


def accepted_case(service: OneService, who: Applicant = PERSON, actor: Actor = ME) -> str:
    plan = service.catalogue.plan(BIZ)
    case = service.open_case(actor, BIZ, who, channel="online", location=LOCATION)
    materials = [line.material.id for line in plan.materials]
    service.submit(actor, case.id, form=sample_form(plan), materials=materials, channel="online")
    service.accept(CLERK, case.id)
    return case.id


def reviewer_of(service: OneService, item: str) -> Actor:
    department = service.catalogue.item(item).department
    return Actor(Role.REVIEWER, f"rev-{department}", department=department)


class TestPositions:
    def test_every_event_has_the_next_position(self, service: OneService) -> None:
        """Positions run 1, 2, 3 … across cases, in the order the events were written."""
        first = accepted_case(service)
        second = accepted_case(service, OTHER, HER)
        feed = service.feed.events_after(0, limit=1000)
        assert [e.position for e in feed] == list(range(1, len(feed) + 1))
        per_case = {c: [e.seq for e in feed if e.case_id == c] for c in (first, second)}
        assert per_case[first] == list(range(1, len(per_case[first]) + 1))
        assert feed[-1].case_id == second
        assert all(e.schema == EVENT_SCHEMA for e in feed)
        with service.store.transaction(readonly=True) as tx:
            assert last_position(tx.connection) == len(feed)

    def test_a_rolled_back_transaction_leaves_no_gap(self, service: OneService) -> None:
        """Positions taken by a transaction that rolls back are given again, so none is missing."""
        case_id = accepted_case(service)
        before = len(service.feed.events_after(0, limit=1000))
        item = service.catalogue.plan(BIZ).items[0].code
        actor = reviewer_of(service, item)

        class Boom(Exception):
            pass

        with pytest.raises(Boom), service.store.transaction() as tx:
            case = tx.get_case(case_id)
            case.new_events.append(Event(case.event_count + 1, service.clock.now(), "Noted", "test"))
            tx.save_case(case)
            raise Boom
        service.store.clear_cache()
        service.start_review(actor, case_id, item)
        feed = service.feed.events_after(0, limit=1000)
        assert [e.position for e in feed] == list(range(1, len(feed) + 1))
        assert len(feed) > before

    def test_concurrent_writers_leave_no_gap(self, service: OneService) -> None:
        """Threads acting on different cases at once: every event has a position, none twice."""
        ids = [accepted_case(service) for _ in range(4)]
        items = [i.code for i in service.catalogue.plan(BIZ).items]
        errors: list[BaseException] = []

        def review(case_id: str) -> None:
            try:
                for item in items:
                    actor = reviewer_of(service, item)
                    service.with_retry(lambda: service.start_review(actor, case_id, item))  # noqa: B023
                    service.with_retry(lambda: service.approve(actor, case_id, item))  # noqa: B023
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=review, args=(c,)) for c in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        feed = service.feed.events_after(0, limit=1000)
        assert [e.position for e in feed] == list(range(1, len(feed) + 1))
        for case_id in ids:
            seqs = [e.seq for e in feed if e.case_id == case_id]
            assert seqs == list(range(1, len(seqs) + 1))
            assert len(seqs) == len(service.events(CLERK, case_id))


class TestFilters:
    def test_after_and_limit_page_the_feed(self, service: OneService) -> None:
        """``after`` skips what was handled; ``limit`` bounds a page."""
        accepted_case(service)
        page = service.feed.events_after(2, limit=2)
        assert [e.position for e in page] == [3, 4]

    def test_kinds_matter_location_department(self, service: OneService) -> None:
        """Each filter keeps only the events it names."""
        case_id = accepted_case(service)
        item = service.catalogue.plan(BIZ).items[0]
        service.start_review(reviewer_of(service, item.code), case_id, item.code)
        feed = service.feed
        accepted = feed.events_after(0, kinds=["CaseAccepted"])
        assert [e.type for e in accepted] == ["CaseAccepted"]
        assert len(feed.events_after(0, matter=BIZ)) == len(feed.events_after(0))
        assert feed.events_after(0, matter="no-such-matter") == []
        assert feed.events_after(0, location="elsewhere") == []
        assert feed.events_after(0, department=item.department)  # a case with its item
        assert feed.events_after(0, department="no-such-department") == []
        reviewed = [e for e in feed.events_after(0) if e.data.get("item") == item.code]
        assert reviewed and {e.department for e in reviewed} == {item.department}
        assert reviewed[0].routing_key == f"{reviewed[0].type}.{BIZ}.{item.department}"
        assert accepted[0].routing_key == f"CaseAccepted.{BIZ}.-"
        assert accepted[0].id == f"{case_id}/{accepted[0].seq}"

    def test_bad_questions_are_refused(self, service: OneService) -> None:
        """A negative position, a page too big or a wait too long is OS720 naming the field."""
        with pytest.raises(FeedQueryInvalid, match="after") as caught:
            service.feed.events_after(-1)
        assert caught.value.code == "OS720"
        with pytest.raises(FeedQueryInvalid, match="limit"):
            service.feed.events_after(0, limit=5000)
        with pytest.raises(FeedQueryInvalid, match="wait"):
            service.feed.wait(0, timeout=31)


class TestScope:
    def test_scopes(self, service: OneService) -> None:
        """An applicant sees their own cases' public events; a clerk their location's; a
        reviewer the cases with an item of their department."""
        mine = accepted_case(service)
        hers = accepted_case(service, OTHER, HER)
        feed = service.feed
        own = feed.events_after(0, scope=FeedScope(applicant=PERSON.id_number, public_only=True))
        assert own and {e.case_id for e in own} == {mine} and all(e.public for e in own)
        here = feed.events_after(0, scope=FeedScope(locations=frozenset({LOCATION}), departments=frozenset()))
        assert {e.case_id for e in here} == {mine, hers}
        assert feed.events_after(0, scope=FeedScope(locations=frozenset({"x"}), departments=frozenset())) == []
        department = service.catalogue.plan(BIZ).items[0].department
        desk = feed.events_after(0, scope=FeedScope(locations=frozenset(), departments=frozenset({department})))
        assert {e.case_id for e in desk} == {mine, hers}
        assert feed.events_after(0, scope=FeedScope(locations=frozenset(), departments=frozenset())) == []


class TestLongPoll:
    def test_returns_at_once_when_events_wait(self, service: OneService) -> None:
        """Events already after the position are answered without waiting."""
        accepted_case(service)
        assert service.feed.wait(0, timeout=30)

    def test_nothing_within_no_time(self, service: OneService) -> None:
        """``timeout=0`` on an empty feed answers an empty page."""
        assert service.feed.wait(0, timeout=0) == []

    def test_a_commit_wakes_the_waiter(self, service: OneService) -> None:
        """A reader waiting after the last position gets the event committed meanwhile."""
        last = 0
        got: list[int] = []
        started = threading.Event()

        def reader() -> None:
            started.set()
            got.extend(e.position for e in service.feed.wait(last, timeout=30))

        thread = threading.Thread(target=reader)
        thread.start()
        started.wait()
        service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
        thread.join()
        assert got == [1]


class TestMigration:
    def test_events_before_0009_are_numbered_in_order(self, service: OneService, clock: SimulatedClock) -> None:
        """Down to 0008 and up again: the events are numbered by time, case and seq, and the
        next event continues after them."""
        import datetime as dt

        from alembic import command
        from alembic.config import Config

        from oneservice.store.store import MIGRATIONS

        accepted_case(service)
        clock.advance(dt.timedelta(hours=1))
        accepted_case(service, OTHER, HER)
        store = service.store
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        for target in ("0008", "head"):
            with store.engine.begin() as conn:
                config.attributes["connection"] = conn
                (command.downgrade if target == "0008" else command.upgrade)(config, target)
        store.clear_cache()
        feed = service.feed.events_after(0, limit=1000)
        assert [e.position for e in feed] == list(range(1, len(feed) + 1))
        assert [(e.at, e.case_id, e.seq) for e in feed] == sorted((e.at, e.case_id, e.seq) for e in feed)
        service.open_case(ME, BIZ, PERSON, channel="online", location=LOCATION)
        assert service.feed.events_after(len(feed))[0].position == len(feed) + 1
