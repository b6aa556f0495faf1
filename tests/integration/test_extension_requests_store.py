"""Extension requests (延期申请) through the service on real databases: the pending request is
saved with the case, the supervisor's list holds it (scoped by location) until it is decided."""

from __future__ import annotations

import datetime as dt

import pytest
from test_supervision import LOCATION, REGISTRATION, SUPERVISOR, accepted_business

from oneservice import ActionRejected, Actor, NotAuthorised, Role
from oneservice.supervision import Supervision


def _reviewer(service, name="rev-amr"):
    return Actor(Role.REVIEWER, name, department=service.catalogue.item(REGISTRATION).department)


def _legal_due(service, case_id):
    case = service.case(SUPERVISOR, case_id)
    return case.deadlines[("item_legal", REGISTRATION)]


class TestPersisted:
    def test_the_request_is_saved_and_listed(self, service, clock):
        case_id = accepted_business(service)
        reviewer = _reviewer(service)
        summary = service.request_extension(reviewer, case_id, REGISTRATION, days=7, reason="需要现场核查")
        assert f"decide_extension:{REGISTRATION}" not in summary.allowed  # the reviewer's own summary
        service.store.clear_cache()  # read back from the rows, not the cached case
        request = service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request
        assert request is not None
        assert (request.days, request.reason, request.by, request.at) == (
            7, "需要现场核查", reviewer.describe(), clock.now())
        assert f"decide_extension:{REGISTRATION}" in service.get(SUPERVISOR, case_id).allowed
        pending = Supervision(service).pending_extensions()
        assert pending.total == 1
        row = pending.items[0]
        assert (row["case_id"], row["item"], row["days"], row["reason"], row["requested_by"], row["location"],
                row["request"], row["state"]) == (
            case_id, REGISTRATION, 7, "需要现场核查", reviewer.describe(), LOCATION, request.seq, "in_progress")
        assert row["legal_due"] == _legal_due(service, case_id).due
        assert isinstance(row["requested_at"], dt.datetime)

    def test_scoped_by_location(self, service):
        case_id = accepted_business(service)
        service.request_extension(_reviewer(service), case_id, REGISTRATION, days=3, reason="核查")
        watch = Supervision(service)
        assert watch.pending_extensions(locations=["elsewhere"]).total == 0
        assert watch.pending_extensions(locations=[]).total == 0
        assert watch.pending_extensions(locations=[LOCATION]).total == 1

    def test_approval_extends_and_leaves_the_list(self, service):
        asked, direct = accepted_business(service), accepted_business(service)
        service.request_extension(_reviewer(service), asked, REGISTRATION, days=10, reason="需要现场核查")
        service.decide_extension(SUPERVISOR, asked, REGISTRATION, decision="approved")
        service.extend_item(SUPERVISOR, direct, REGISTRATION, days=10, reason="需要现场核查")
        service.store.clear_cache()
        mine, theirs = _legal_due(service, asked), _legal_due(service, direct)
        assert (mine.due, mine.extension_days) == (theirs.due, theirs.extension_days)
        assert mine.extension_days == 10
        assert service.case(SUPERVISOR, asked).tasks[REGISTRATION].extension_request is None
        assert Supervision(service).pending_extensions().total == 0
        extended = [e for e in service.events(SUPERVISOR, asked) if e.type == "ItemTimeLimitExtended"]
        assert [(e.actor, e.data["requested_by"]) for e in extended] == [
            (SUPERVISOR.describe(), _reviewer(service).describe())]

    def test_rejection_and_a_second_request(self, service):
        case_id = accepted_business(service)
        reviewer = _reviewer(service)
        service.request_extension(reviewer, case_id, REGISTRATION, days=10, reason="需要现场核查")
        with pytest.raises(ActionRejected) as twice:
            service.request_extension(reviewer, case_id, REGISTRATION, days=2, reason="再申请")
        assert (twice.value.reason, twice.value.case_id) == ("extension_pending", case_id)
        with pytest.raises(NotAuthorised):
            service.decide_extension(reviewer, case_id, REGISTRATION, decision="approved")
        service.decide_extension(SUPERVISOR, case_id, REGISTRATION, decision="rejected", note="无需延期")
        rejected = [e for e in service.events(SUPERVISOR, case_id) if e.type == "ExtensionRejected"]
        assert [e.data["note"] for e in rejected] == ["无需延期"]
        assert _legal_due(service, case_id).extension_days == 0
        assert Supervision(service).pending_extensions().total == 0
        service.request_extension(reviewer, case_id, REGISTRATION, days=2, reason="核查需时")
        assert [r["days"] for r in Supervision(service).pending_extensions().items] == [2]

    def test_an_approved_item_leaves_the_list(self, service):
        """The reviewer decides the item while the request waits: nothing left to extend."""
        case_id = accepted_business(service)
        reviewer = _reviewer(service)
        service.request_extension(reviewer, case_id, REGISTRATION, days=5, reason="需要现场核查")
        service.start_review(reviewer, case_id, REGISTRATION)
        service.approve(reviewer, case_id, REGISTRATION)
        assert Supervision(service).pending_extensions().total == 0
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request is None
