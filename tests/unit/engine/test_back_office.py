"""Back office rules on in-memory cases: dispatch along the dependencies, refusal policies,
corrections and suspensions stopping the item clock, pickup once every item is concluded."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import ME, OTHER, event, tasks, types

from oneservice.engine.clock import TZ
from oneservice.errors import IllegalAction, InvalidInput, NotAuthorised

WED, THU = dt.date(2026, 11, 4), dt.date(2026, 11, 5)
NEXT_MON = dt.date(2026, 11, 9)


class TestDispatch:
    def test_only_items_without_predecessors_start_at_acceptance(self, shop):
        case = shop.accepted()
        assert tasks(case) == {"REG": "ready", "SEAL": "waiting", "TAX": "waiting", "BANK": "waiting"}
        dispatched = event(case, "ItemDispatched")
        assert dispatched.data == {"item": "REG", "department": "amr", "due": WED.isoformat(),
                                   "legal_due": "2026-11-23"}

    def test_an_approval_dispatches_the_items_waiting_for_it_in_parallel(self, shop):
        """REG approved: SEAL and TAX (both need only REG) start together; BANK waits for SEAL."""
        case = shop.accepted()
        before = len(case.new_events)
        shop.approve(case, "REG")
        assert tasks(case) == {"REG": "approved", "SEAL": "ready", "TAX": "ready", "BANK": "waiting"}
        assert types(case, before) == [
            "ItemReviewStarted", "ItemApproved", "ResultProduced", "ItemDispatched", "ItemDispatched"
        ]
        assert [e.data["item"] for e in case.new_events[-2:]] == ["SEAL", "TAX"]
        assert case.materials["licence"].status == "produced"
        assert case.tasks["REG"].result_id == "licence"

    def test_an_item_waits_for_all_its_predecessors(self, shop):
        """TAX approved first changes nothing for BANK; SEAL's approval starts it."""
        case = shop.accepted()
        shop.approve(case, "REG", "TAX")
        assert case.tasks["BANK"].state == "waiting"
        shop.approve(case, "SEAL")
        assert (case.tasks["BANK"].state, case.materials["seal-record"].status) == ("ready", "produced")

    def test_a_waiting_item_cannot_be_reviewed(self, shop):
        case = shop.accepted()
        with pytest.raises(IllegalAction) as info:
            shop.engine.start_review(case, shop.reviewer("SEAL"), shop.now, "SEAL")
        assert (info.value.action, info.value.target, info.value.state) == ("start_review", "SEAL", "in_progress")
        assert info.value.allowed == []  # nothing of the seal department's is ready yet

    def test_an_item_is_approved_only_after_its_review_started(self, shop):
        case = shop.accepted()
        actor = shop.reviewer("REG")
        with pytest.raises(IllegalAction) as info:
            shop.engine.approve(case, actor, shop.now, "REG")
        assert info.value.allowed == ["record_staff_visit:REG", "record_visit:REG", "refuse_item:REG",
                                      "request_extension:REG", "start_review:REG"]
        assert case.tasks["REG"].state == "ready"

    def test_an_unknown_item_gets_a_suggestion(self, shop):
        case = shop.accepted()
        with pytest.raises(InvalidInput) as info:
            shop.engine.start_review(case, shop.reviewer("REG"), shop.now, "RGE")
        assert (info.value.field, info.value.hint) == ("item", "did you mean 'REG'?")


class TestPickup:
    def test_ready_for_pickup_only_when_every_item_is_concluded(self, shop):
        case = shop.accepted()
        shop.approve(case, "REG", "SEAL", "TAX")
        assert case.state == "in_progress" and case.concluded_at is None
        shop.approve(case, "BANK")
        assert (case.state, case.outcome, case.concluded_at) == ("ready_for_pickup", "approved", shop.now)
        assert event(case, "CaseReadyForPickup").data == {
            "outcome": "approved", "results": ["licence", "seal", "invoices", "account"]
        }
        assert case.deadlines[("case", case.id)].met_at == shop.now


class TestRefusalPolicy:
    def test_continue_cancels_the_items_depending_on_the_refused_one(self, shop):
        """SEAL refused: BANK (after SEAL) is cancelled, TAX goes on; the decision is partial."""
        case = shop.accepted()
        shop.approve(case, "REG")
        actor = shop.reviewer("SEAL")
        shop.engine.start_review(case, actor, shop.now, "SEAL")
        before = len(case.new_events)
        shop.engine.refuse_item(case, actor, shop.now, "SEAL", "印章样式不符合规定")
        assert tasks(case) == {"REG": "approved", "SEAL": "refused", "TAX": "ready", "BANK": "cancelled"}
        assert types(case, before) == ["ItemRefused", "ItemCancelled"]
        assert case.new_events[-1].data == {
            "item": "BANK", "department": "bank", "because": "SEAL", "policy": "continue"
        }
        assert case.state == "in_progress"
        shop.approve(case, "TAX")
        assert (case.state, case.outcome) == ("ready_for_pickup", "partially_approved")

    def test_continue_cancels_dependants_of_dependants(self, shop):
        """REG refused before review: every other item needs it, directly or through SEAL."""
        case = shop.accepted()
        shop.engine.refuse_item(case, shop.reviewer("REG"), shop.now, "REG", "名称与在先登记企业近似")
        assert tasks(case) == {"REG": "refused", "SEAL": "cancelled", "TAX": "cancelled", "BANK": "cancelled"}
        assert (case.state, case.outcome) == ("ready_for_pickup", "refused")
        assert types(case)[-5:] == ["ItemRefused"] + ["ItemCancelled"] * 3 + ["CaseReadyForPickup"]

    def test_refuse_matter_cancels_every_open_item(self, strict):
        """TAX refused: SEAL and BANK do not depend on it, and are cancelled all the same."""
        case = strict.accepted()
        strict.approve(case, "REG")
        strict.engine.refuse_item(case, strict.reviewer("TAX"), strict.now, "TAX", "经营范围需前置许可")
        assert tasks(case) == {"REG": "approved", "SEAL": "cancelled", "TAX": "refused", "BANK": "cancelled"}
        cancelled = [e.data for e in case.new_events if e.type == "ItemCancelled"]
        assert [(d["item"], d["because"], d["policy"]) for d in cancelled] == [
            ("SEAL", "TAX", "refuse_matter"), ("BANK", "TAX", "refuse_matter")
        ]
        assert case.state == "ready_for_pickup"

    def test_refuse_matter_concludes_the_case_refused(self, strict):
        """Under ``refuse_matter`` one refusal refuses the matter, whatever was approved before it."""
        case = strict.accepted()
        strict.approve(case, "REG")
        strict.engine.refuse_item(case, strict.reviewer("TAX"), strict.now, "TAX", "经营范围需前置许可")
        assert case.outcome == "refused"

    def test_a_refusal_needs_a_reason(self, shop):
        case = shop.accepted()
        with pytest.raises(InvalidInput) as info:
            shop.engine.refuse_item(case, shop.reviewer("REG"), shop.now, "REG", "")
        assert info.value.field == "reason"
        assert case.tasks["REG"].state == "ready"


class TestStoppedClock:
    def test_correction_stops_the_item_clock(self, shop, clock):
        """补正 asked Mon, supplied three working days later (Thu): REG and the case are due 3
        working days later than promised."""
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        shop.engine.request_correction(case, actor, shop.now, "REG", ["articles"], "章程缺少股东签字")
        assert (case.tasks["REG"].state, case.tasks["REG"].suspended_since) == ("correction_requested", shop.now.date())
        requested = event(case, "CorrectionRequested").data
        assert (requested["materials"], requested["channels"]) == (["articles"], ["online", "window"])
        clock.advance_working_days(3, shop.calendar)
        shop.engine.supply_correction(case, ME, shop.now, "REG", "online", ["articles"])
        cal = shop.calendar
        assert case.tasks["REG"].state == "in_review"
        task = case.tasks["REG"]
        assert (task.due, task.correction_days, task.suspended_days) == (cal.add_working_days(WED, 3).date, 3, 0)
        assert case.deadlines[("correction", "REG")].met_at == shop.now
        assert case.deadlines[("case", case.id)].due == cal.add_working_days(NEXT_MON, 3).date
        assert event(case, "CorrectionSupplied").data["clock_stopped_days"] == 3
        assert case.materials["articles"].received_at == shop.now

    def test_a_correction_supplied_the_same_day_stops_nothing(self, shop):
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        shop.engine.request_correction(case, actor, shop.now, "REG", [], "请补充说明")
        shop.engine.supply_correction(case, ME, shop.now, "REG", "online")
        assert (case.tasks["REG"].due, case.tasks["REG"].correction_days) == (WED, 0)
        assert event(case, "CorrectionSupplied").data["clock_stopped_days"] == 0

    def test_a_correction_names_materials_of_the_matter(self, shop):
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        with pytest.raises(InvalidInput) as info:
            shop.engine.request_correction(case, actor, shop.now, "REG", ["passport"], "请补充护照")
        assert info.value.field == "materials"
        assert case.tasks["REG"].state == "in_review"

    def test_only_the_applicant_of_the_case_supplies_a_correction(self, shop):
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        shop.engine.request_correction(case, actor, shop.now, "REG", [], "请补充说明")
        with pytest.raises(NotAuthorised):
            shop.engine.supply_correction(case, OTHER, shop.now, "REG", "online")
        assert case.tasks["REG"].state == "correction_requested"

    def test_suspension_stops_the_item_clock(self, shop, clock):
        """中止 for an inspection Mon, resumed two working days later: two days added."""
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        shop.engine.suspend(case, actor, shop.now, "REG", "经营场所现场核查", "inspection", 5)
        assert case.tasks["REG"].state == "suspended"
        with pytest.raises(IllegalAction) as info:
            shop.engine.approve(case, actor, shop.now, "REG")
        assert info.value.allowed == ["request_extension:REG", "resume:REG"]
        clock.advance_working_days(2, shop.calendar)
        shop.engine.resume(case, actor, shop.now, "REG")
        due = shop.calendar.add_working_days(WED, 2).date
        assert (case.tasks["REG"].state, case.tasks["REG"].due) == ("in_review", due)
        assert event(case, "ItemResumed").data == {
            "item": "REG", "department": "amr", "clock_stopped_days": 2, "due": due.isoformat()
        }
        assert case.deadlines[("case", case.id)].due == shop.calendar.add_working_days(NEXT_MON, 2).date

    def test_a_weekend_in_a_suspension_is_not_counted(self, shop, clock):
        """Suspended Fri, resumed Mon: one working day stopped."""
        case = shop.accepted()
        actor = shop.reviewer("REG")
        shop.engine.start_review(case, actor, shop.now, "REG")
        clock.set(dt.datetime(2026, 11, 6, 9, 0, tzinfo=TZ))
        shop.engine.suspend(case, actor, shop.now, "REG", "专家评审", "expert_review")
        clock.set(dt.datetime(2026, 11, 9, 9, 0, tzinfo=TZ))
        shop.engine.resume(case, actor, shop.now, "REG")
        assert case.tasks["REG"].suspended_days == 1
