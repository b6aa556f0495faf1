"""Extension requests (延期申请, 《行政许可法》第四十二条第一款) on in-memory cases: a reviewer of the
item's department asks, one request pending per item; a supervisor approves it (the legal limit
moves exactly as extend_item moves it) or rejects it with the reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import CLERK, SUPERVISOR, event, types

from oneservice.errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised

EXTENDED_DUE = dt.date(2026, 12, 7)  # REG's legal limit (Mon 23 Nov) plus 10 working days


class TestRequest:
    def test_a_reviewer_of_the_department_asks(self, shop):
        """The request is recorded on the task and as an internal event; nothing moves yet."""
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        before = case.deadlines[("item_legal", "REG")].due
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 10, "需要现场核查")
        asked = event(case, "ExtensionRequested")
        request = case.tasks["REG"].extension_request
        assert request is not None
        assert (request.seq, request.by, request.days, request.reason, request.at) == (
            asked.seq, reviewer.describe(), 10, "需要现场核查", shop.now)
        assert (asked.public, asked.data) == (False, {
            "item": "REG", "department": "amr", "days": 10, "reason": "需要现场核查",
            "legal_due": before.isoformat()})
        assert case.deadlines[("item_legal", "REG")].due == before
        assert "request_extension:REG" not in shop.engine.allowed_actions(case, reviewer)
        assert shop.engine.allowed_actions(case, SUPERVISOR).count("decide_extension:REG") == 1

    def test_one_request_pending_at_a_time(self, shop):
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 5, "需要现场核查")
        with pytest.raises(ActionRejected) as info:
            shop.engine.request_extension(case, reviewer, shop.now, "REG", 8, "再申请一次")
        assert (info.value.reason, info.value.case_id, info.value.state) == (
            "extension_pending", case.id, "in_progress")
        assert info.value.details == {"item": "REG", "request": event(case, "ExtensionRequested").seq, "days": 5}
        assert types(case).count("ExtensionRequested") == 1

    def test_another_department_or_role_may_not_ask(self, shop):
        case = shop.accepted()
        with pytest.raises(NotAuthorised) as other:
            shop.engine.request_extension(case, shop.reviewer("TAX"), shop.now, "REG", 5, "需要现场核查")
        assert "belongs to department amr" in str(other.value)
        for actor in (CLERK, SUPERVISOR):
            with pytest.raises(NotAuthorised) as info:
                shop.engine.request_extension(case, actor, shop.now, "REG", 5, "需要现场核查")
            assert "allowed: reviewer" in str(info.value)
        assert case.tasks["REG"].extension_request is None

    def test_the_days_and_the_reason_are_checked(self, shop):
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        with pytest.raises(InvalidInput) as days:
            shop.engine.request_extension(case, reviewer, shop.now, "REG", 11, "需要现场核查")
        with pytest.raises(InvalidInput) as reason:
            shop.engine.request_extension(case, reviewer, shop.now, "REG", 5, " ")
        assert (days.value.field, reason.value.field) == ("days", "reason")

    def test_a_waiting_item_has_no_limit_running(self, shop):
        """SEAL waits for REG: the error names the case, its state and what is allowed."""
        case = shop.accepted()
        with pytest.raises(IllegalAction) as info:
            shop.engine.request_extension(case, shop.reviewer("SEAL"), shop.now, "SEAL", 5, "尚未收件")
        assert (info.value.case_id, info.value.state, info.value.target) == (case.id, "in_progress", "SEAL")

    def test_an_extended_limit_cannot_be_asked_again(self, shop):
        case = shop.accepted()
        shop.engine.extend_item(case, SUPERVISOR, shop.now, "REG", 3, "需要现场核查")
        with pytest.raises(ActionRejected) as info:
            shop.engine.request_extension(case, shop.reviewer("REG"), shop.now, "REG", 5, "再延几天")
        assert (info.value.reason, info.value.details) == ("already_extended", {"item": "REG", "days": 3})

    def test_a_suspended_item_may_ask(self, shop):
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        shop.engine.start_review(case, reviewer, shop.now, "REG")
        shop.engine.suspend(case, reviewer, shop.now, "REG", "经营场所现场核查", "inspection", 5)
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 5, "核查需时")
        assert case.tasks["REG"].extension_request is not None

    def test_a_concluded_item_drops_its_request(self, shop):
        """Approving the item while a request waits: the request goes, nothing is left to decide."""
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 5, "需要现场核查")
        shop.approve(case, "REG")
        assert case.tasks["REG"].extension_request is None
        assert "decide_extension:REG" not in shop.engine.allowed_actions(case, SUPERVISOR)


class TestDecision:
    def test_approval_moves_the_due_date_exactly_as_extend_item(self, shop):
        asked, direct = shop.accepted(), shop.accepted()
        shop.engine.request_extension(asked, shop.reviewer("REG"), shop.now, "REG", 10, "需要现场核查")
        request_seq = event(asked, "ExtensionRequested").seq
        shop.engine.decide_extension(asked, SUPERVISOR, shop.now, "REG", "approved", "同意")
        shop.engine.extend_item(direct, SUPERVISOR, shop.now, "REG", 10, "需要现场核查")
        mine, theirs = asked.deadlines[("item_legal", "REG")], direct.deadlines[("item_legal", "REG")]
        assert (mine.extension_days, mine.due) == (theirs.extension_days, theirs.due) == (10, EXTENDED_DUE)
        approved, granted = event(asked, "ItemTimeLimitExtended"), event(direct, "ItemTimeLimitExtended")
        assert approved.actor == SUPERVISOR.describe()
        assert approved.data == granted.data | {
            "request": request_seq, "requested_by": shop.reviewer("REG").describe(),
            "requested_at": shop.now.isoformat(), "note": "同意"}
        assert asked.tasks["REG"].extension_request is None
        assert "ExtensionRejected" not in types(asked)
        with pytest.raises(ActionRejected) as again:
            shop.engine.request_extension(asked, shop.reviewer("REG"), shop.now, "REG", 1, "再延一天")
        assert again.value.reason == "already_extended"

    def test_rejection_records_the_reason(self, shop):
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        before = case.deadlines[("item_legal", "REG")].due
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 10, "需要现场核查")
        with pytest.raises(InvalidInput) as missing:
            shop.engine.decide_extension(case, SUPERVISOR, shop.now, "REG", "rejected", "  ")
        assert missing.value.field == "note"
        shop.engine.decide_extension(case, SUPERVISOR, shop.now, "REG", "rejected", "材料齐全，无需延期")
        rejected = event(case, "ExtensionRejected")
        assert (rejected.public, rejected.actor) == (False, SUPERVISOR.describe())
        assert rejected.data == {
            "item": "REG", "department": "amr", "days": 10, "note": "材料齐全，无需延期",
            "request": event(case, "ExtensionRequested").seq, "requested_by": reviewer.describe(),
            "requested_at": shop.now.isoformat()}
        legal = case.deadlines[("item_legal", "REG")]
        assert (legal.due, legal.extension_days, case.tasks["REG"].extension_request) == (before, 0, None)
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 3, "核查需时")  # may ask again
        assert case.tasks["REG"].extension_request.days == 3  # type: ignore[union-attr]

    def test_only_a_supervisor_decides(self, shop):
        case = shop.accepted()
        reviewer = shop.reviewer("REG")
        shop.engine.request_extension(case, reviewer, shop.now, "REG", 5, "需要现场核查")
        for actor in (reviewer, CLERK):
            with pytest.raises(NotAuthorised) as info:
                shop.engine.decide_extension(case, actor, shop.now, "REG", "approved")
            assert (info.value.case_id, "allowed: supervisor" in str(info.value)) == (case.id, True)
        assert case.tasks["REG"].extension_request is not None

    def test_nothing_to_decide(self, shop):
        case = shop.accepted()
        with pytest.raises(ActionRejected) as info:
            shop.engine.decide_extension(case, SUPERVISOR, shop.now, "REG", "approved")
        assert (info.value.reason, info.value.case_id, info.value.state) == (
            "no_extension_request", case.id, "in_progress")
        assert "item REG has no extension request to decide" in str(info.value)

    def test_an_unknown_decision(self, shop):
        case = shop.accepted()
        shop.engine.request_extension(case, shop.reviewer("REG"), shop.now, "REG", 5, "需要现场核查")
        with pytest.raises(InvalidInput) as info:
            shop.engine.decide_extension(case, SUPERVISOR, shop.now, "REG", "upheld")
        assert (info.value.field, info.value.hint) == ("decision", "approved or rejected")

    def test_a_direct_extension_waits_for_the_pending_request(self, shop):
        """A supervisor may still extend directly, but not past a request waiting for them."""
        case = shop.accepted()
        shop.engine.request_extension(case, shop.reviewer("REG"), shop.now, "REG", 5, "需要现场核查")
        assert "extend_item:REG" not in shop.engine.allowed_actions(case, SUPERVISOR)
        with pytest.raises(ActionRejected) as info:
            shop.engine.extend_item(case, SUPERVISOR, shop.now, "REG", 10, "直接延期")
        assert (info.value.reason, info.value.case_id) == ("extension_pending", case.id)
        assert case.deadlines[("item_legal", "REG")].extension_days == 0

    def test_a_delivered_case_has_no_request_to_decide(self, shop):
        """Outside the running states the decision is illegal, naming the case and its state."""
        case = shop.ready_for_pickup()
        with pytest.raises(IllegalAction) as info:
            shop.engine.decide_extension(case, SUPERVISOR, shop.now, "REG", "approved")
        assert (info.value.case_id, info.value.state) == (case.id, "ready_for_pickup")
