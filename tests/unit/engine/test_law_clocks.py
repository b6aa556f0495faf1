"""The law's clocks on in-memory cases: the notice period and deemed acceptance (art. 32), the
extension (art. 42), the issuing deadline (art. 44), stopped clocks (art. 45) and 容缺 commitments."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import CLERK, COMMITMENT, ME, SUPERVISOR, SYSTEM, event, types

from oneservice.engine.clock import TZ
from oneservice.errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised

NEXT_MON, NEXT_TUE = dt.date(2026, 11, 9), dt.date(2026, 11, 10)


class TestNoticePeriod:
    def test_a_notice_after_five_working_days_is_refused(self, shop, clock):
        """Submitted Mon 2 Nov: the notice may be given until Mon 9 Nov, not on Tue 10 Nov."""
        case = shop.submitted(hold_back=["lease"])
        assert case.deadlines[("notice", case.id)].due == NEXT_MON
        clock.set(dt.datetime.combine(NEXT_TUE, dt.time(9), TZ))
        with pytest.raises(ActionRejected) as info:
            shop.engine.give_notice(case, CLERK, shop.now)
        assert (info.value.reason, info.value.details) == (
            "notice_period_over", {"due": "2026-11-09", "received": "2026-11-02"})
        assert (case.state, case.notices) == ("submitted", 0)

    def test_deemed_accepted_from_receipt_by_the_timer(self, shop, clock):
        """视为受理: nothing on Mon 9 Nov; on Tue 10 Nov accepted, the promise counted from 2 Nov."""
        case = shop.submitted(hold_back=["lease"])
        clock.set(dt.datetime.combine(NEXT_MON, dt.time(17), TZ))
        assert shop.engine.deem_accepted(case, SYSTEM, shop.now) is False
        clock.set(dt.datetime.combine(NEXT_TUE, dt.time(9), TZ))
        assert shop.engine.deem_accepted(case, SYSTEM, shop.now) is True
        assert case.state == "in_progress"
        assert (case.due.start, case.due.due) == (dt.date(2026, 11, 2), NEXT_MON)  # type: ignore[union-attr]
        data = event(case, "CaseDeemedAccepted").data
        assert (data["received"], data["missing"]) == ("2026-11-02", ["material:lease"])
        assert "第三十二条" in data["basis"]
        assert case.deadlines[("notice", case.id)].met_at == shop.now

    def test_only_the_timer_or_a_supervisor_deems(self, shop, clock):
        case = shop.submitted()
        clock.set(dt.datetime.combine(NEXT_TUE, dt.time(9), TZ))
        with pytest.raises(NotAuthorised):
            shop.engine.deem_accepted(case, CLERK, shop.now)
        assert shop.engine.deem_accepted(case, SUPERVISOR, shop.now) is True

    def test_a_late_acceptance_counts_from_receipt(self, shop, clock):
        case = shop.submitted()
        clock.set(dt.datetime.combine(NEXT_TUE, dt.time(9), TZ))
        shop.engine.accept(case, CLERK, shop.now)
        assert case.due.start == dt.date(2026, 11, 2)  # type: ignore[union-attr]
        assert event(case, "CaseAccepted").data["after_notice_period"] is True

    def test_a_second_notice_is_recorded_as_a_breach(self, shop):
        case = shop.submitted(hold_back=["lease", "articles"])
        shop.engine.give_notice(case, CLERK, shop.now)
        shop.engine.supplement(case, ME, shop.now, None, ["lease"], "online")
        assert "OneTimeNoticeBreached" not in types(case)
        shop.engine.give_notice(case, CLERK, shop.now)
        breach = event(case, "OneTimeNoticeBreached")
        assert (breach.public, breach.data["notice"]) == (False, 2)


class TestDeficiencyCommitment:
    def test_the_commitment_is_required_and_recorded(self, shop):
        case = shop.submitted(hold_back=["lease"])
        with pytest.raises(InvalidInput) as info:
            shop.engine.accept_with_deficiency(case, CLERK, shop.now, ["lease"], "  ")
        assert (info.value.field, case.state) == ("commitment", "submitted")
        shop.engine.accept_with_deficiency(case, CLERK, shop.now, ["lease"], COMMITMENT)
        assert case.commitment == COMMITMENT
        assert event(case, "CaseAcceptedWithDeficiency").data["commitment"] == COMMITMENT


class TestExtension:
    def test_one_extension_of_at_most_ten_days_by_a_supervisor(self, shop):
        """REG's legal limit (15 working days from Mon 2 Nov: Mon 23 Nov) extended by 10."""
        case = shop.accepted()
        with pytest.raises(NotAuthorised):
            shop.engine.extend_item(case, shop.reviewer("REG"), shop.now, "REG", 5, "需要现场核查")
        with pytest.raises(InvalidInput) as info:
            shop.engine.extend_item(case, SUPERVISOR, shop.now, "REG", 11, "需要现场核查")
        assert info.value.field == "days"
        with pytest.raises(InvalidInput) as info:
            shop.engine.extend_item(case, SUPERVISOR, shop.now, "REG", 10, "")
        assert info.value.field == "reason"
        shop.engine.extend_item(case, SUPERVISOR, shop.now, "REG", 10, "需要现场核查")
        legal = case.deadlines[("item_legal", "REG")]
        assert (legal.extension_days, legal.due) == (10, dt.date(2026, 12, 7))
        extended = event(case, "ItemTimeLimitExtended")
        assert (extended.public, extended.data["reason"], extended.data["days"]) == (True, "需要现场核查", 10)
        assert case.deadlines[("item", "REG")].due == dt.date(2026, 11, 4)  # the promise does not move
        with pytest.raises(ActionRejected) as again:
            shop.engine.extend_item(case, SUPERVISOR, shop.now, "REG", 1, "再延一天")
        assert again.value.reason == "already_extended"

    def test_a_waiting_item_cannot_be_extended(self, shop):
        case = shop.accepted()
        with pytest.raises(IllegalAction):
            shop.engine.extend_item(case, SUPERVISOR, shop.now, "SEAL", 5, "尚未收件")

    def test_the_joint_handling_extension_up_to_fifteen_days_once(self, shop):
        case = shop.accepted()
        with pytest.raises(InvalidInput):
            shop.engine.extend_case(case, SUPERVISOR, shop.now, 16, "联合审查")
        before = case.deadlines[("case_legal", case.id)].due
        shop.engine.extend_case(case, SUPERVISOR, shop.now, 15, "联合审查")
        after = case.deadlines[("case_legal", case.id)].due
        assert after == shop.calendar.add_working_days(before, 15).date
        assert "extend_case" not in shop.engine.allowed_actions(case, SUPERVISOR)


class TestIssuingAndRelease:
    def test_approval_starts_the_issuing_deadline_met_by_delivery(self, shop):
        case = shop.ready_for_pickup()
        issuing = case.deadlines[("issuing", "REG")]
        assert (issuing.amount, issuing.met_at) == (10, None)
        shop.engine.deliver(case, CLERK, shop.now, "electronic")
        assert issuing.met_at == shop.now

    def test_results_are_released_ahead_only_when_the_matter_says_so(self, shop):
        case = shop.accepted()
        shop.approve(case, "REG")
        assert "release_results" not in shop.engine.allowed_actions(case, CLERK)
        with pytest.raises(ActionRejected) as info:
            shop.engine.release_results(case, CLERK, shop.now, "electronic")
        assert info.value.reason == "release_together"
        assert case.deliveries == []


class TestStoppedClocks:
    def test_a_suspension_needs_a_ground_and_a_bounded_duration(self, shop):
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        with pytest.raises(InvalidInput) as info:
            shop.engine.suspend(case, actor, shop.now, "REG", "专家评审", "coffee_break")
        assert info.value.field == "basis"
        with pytest.raises(InvalidInput) as info:
            shop.engine.suspend(case, actor, shop.now, "REG", "专家评审", "expert_review", 61)
        assert info.value.field == "expected_days"
        assert case.tasks["REG"].state == "in_review"
        shop.engine.suspend(case, actor, shop.now, "REG", "专家评审", "expert_review", 20)
        stop = case.deadlines[("suspension", "REG")]
        assert (stop.amount, stop.met_at) == (20, None)
        assert event(case, "ItemSuspended").data["basis_zh"]

    def test_a_correction_period_is_bounded(self, shop):
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        with pytest.raises(InvalidInput) as info:
            shop.engine.request_correction(case, actor, shop.now, "REG", [], "请补充", 31)
        assert info.value.field == "days"
        shop.engine.request_correction(case, actor, shop.now, "REG", [], "请补充")
        assert case.deadlines[("correction", "REG")].amount == 10
