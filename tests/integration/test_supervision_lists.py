"""The supervisor's lists: recorded warnings by level and kind, and the appeals still to decide."""

from __future__ import annotations

import datetime as dt

import pytest
from test_supervision import BIZ, LOCATION, ME, REGISTRATION, SUPERVISOR, accepted_business, done_business

from oneservice import TZ, Actor, InvalidInput, Role
from oneservice.supervision import WARNING_KINDS, Supervision


class TestWarningList:
    def test_levels_kinds_and_counts(self, service, clock):
        """On Wed 4 Nov the case and the registration are red, the registration's legal limit yellow."""
        case_id = accepted_business(service)
        clock.set(dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
        supervision = Supervision(service)
        supervision.scan()
        red = supervision.warning_list(level="red")
        assert red.total == 2
        assert sorted((w["kind"], w["subject"]) for w in red.items) == [("case", case_id), ("item", REGISTRATION)]
        assert {w["matter_id"] for w in red.items} == {BIZ} and {w["location"] for w in red.items} == {LOCATION}
        legal = supervision.warning_list(kind="item_legal")
        assert [(w["level"], w["subject"]) for w in legal.items] == [("yellow", REGISTRATION)]
        assert supervision.warning_counts() == {("case", "red"): 1, ("item", "red"): 1,
                                                ("item_legal", "yellow"): 1}
        first = supervision.warning_list(level="red", limit=1)
        second = supervision.warning_list(level="red", limit=1, offset=1)
        assert (first.total, len(first.items), len(second.items)) == (2, 1, 1)
        assert first.items[0]["subject"] != second.items[0]["subject"]

    def test_scope_and_met_deadlines(self, service, clock):
        """Another region's locations see nothing; an approved item leaves the open list."""
        case_id = accepted_business(service)
        clock.set(dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
        supervision = Supervision(service)
        supervision.scan()
        assert supervision.warning_list(locations=["elsewhere"]).total == 0
        assert supervision.warning_list(locations=[]).total == 0
        assert supervision.warning_list(locations=[LOCATION]).total == 3
        reviewer = Actor(Role.REVIEWER, "rev", department=service.catalogue.item(REGISTRATION).department)
        service.start_review(reviewer, case_id, REGISTRATION)
        service.approve(reviewer, case_id, REGISTRATION)
        open_kinds = {(w["kind"], w["subject"]) for w in supervision.warning_list().items}
        assert ("item", REGISTRATION) not in open_kinds and ("case", case_id) in open_kinds
        everything = supervision.warning_list(open_only=False)
        assert ("item", REGISTRATION) in {(w["kind"], w["subject"]) for w in everything.items}

    def test_bad_level_and_kind_are_refused(self, service):
        """Only yellow and red; only the deadline kinds."""
        supervision = Supervision(service)
        with pytest.raises(InvalidInput) as level:
            supervision.warning_list(level="green")
        assert level.value.field == "level"
        with pytest.raises(InvalidInput) as kind:
            supervision.warning_list(kind="cases")
        assert kind.value.field == "kind"
        assert "item_legal" in WARNING_KINDS and "appeal" in WARNING_KINDS


class TestPendingAppeals:
    def test_an_appeal_waits_until_decided(self, service):
        """A department appeals a 差评: listed with its decide-by date until a supervisor decides."""
        tax = service.catalogue.item("330102-SW-XBNSR").department
        case_id = done_business(service)
        service.rate(ME, case_id, 1, "随便打的", about={"kind": "department", "id": tax})
        supervision = Supervision(service)
        assert supervision.pending_appeals().total == 0
        service.appeal_rating(Actor(Role.REVIEWER, "rev-tax", department=tax), case_id, "申请人系误评")
        pending = supervision.pending_appeals()
        assert pending.total == 1
        row = pending.items[0]
        assert (row["case_id"], row["rating"], row["location"]) == (case_id, "1", LOCATION)
        assert isinstance(row["decide_by"], dt.date)
        assert supervision.pending_appeals(locations=["elsewhere"]).total == 0
        service.decide_appeal(SUPERVISOR, case_id, decision="rejected", note="评价属实")
        assert supervision.pending_appeals().total == 0
