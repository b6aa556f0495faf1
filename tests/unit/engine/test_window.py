"""Single-window rules on in-memory cases: delivery, closing, withdrawal, rating and rectification."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import CLERK, ME, OTHER, SUPERVISOR, SYSTEM, TRACKING, event, tasks, types

from oneservice.domain.case import RatingLevel
from oneservice.errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised


class TestDeliver:
    def test_all_results_delivered_together(self, shop):
        case = shop.ready_for_pickup()
        shop.engine.deliver(case, CLERK, shop.now, "mail", tracking=TRACKING)
        assert (case.state, case.delivery_channel) == ("delivered", "mail")
        mailed = [{"result": r, "item": i, "channel": "mail", "tracking": TRACKING}
                  for i, r in (("REG", "licence"), ("SEAL", "seal"), ("TAX", "invoices"),
                               ("BANK", "account"))]
        assert event(case, "ResultsDelivered").data == {"channel": "mail", "outcome": "approved",
                                                        "deliveries": mailed}
        assert [(d.result_id, d.channel, d.tracking) for d in case.deliveries] == [
            (m["result"], "mail", TRACKING) for m in mailed]
        assert all(case.deadlines[("issuing", i)].met_at == shop.now for i in ("REG", "SEAL", "TAX", "BANK"))

    def test_not_before_every_item_is_concluded(self, shop):
        case = shop.accepted()
        shop.approve(case, "REG", "SEAL", "TAX")
        with pytest.raises(IllegalAction) as info:
            shop.engine.deliver(case, CLERK, shop.now, "mail", tracking=TRACKING)
        assert (info.value.action, info.value.state) == ("deliver", "in_progress")
        assert "deliver" not in info.value.allowed
        assert case.state == "in_progress"

    def test_a_channel_every_result_allows(self, shop):
        case = shop.ready_for_pickup()
        with pytest.raises(InvalidInput) as info:
            shop.engine.deliver(case, CLERK, shop.now, "agent")
        assert (info.value.field, info.value.hint) == ("channel", "use one of: electronic, mail, window")
        assert "'agent' does not suit result 'licence' (both) of REG" in str(info.value)
        assert case.deliveries == [] and case.state == "ready_for_pickup"

    def test_the_system_delivers_electronically_but_not_at_the_window(self, shop):
        case = shop.ready_for_pickup()
        with pytest.raises(NotAuthorised):
            shop.engine.deliver(case, SYSTEM, shop.now, "window")
        assert case.state == "ready_for_pickup"
        shop.engine.deliver(case, SYSTEM, shop.now, "electronic")
        assert case.state == "delivered"

    def test_closing_after_delivery(self, shop):
        case = shop.delivered()
        shop.engine.conclude(case, CLERK, shop.now)
        assert (case.state, types(case)[-1]) == ("closed", "CaseClosed")


class TestWithdraw:
    def test_withdrawal_cancels_the_open_items(self, shop):
        case = shop.accepted()
        shop.approve(case, "REG")
        before = len(case.new_events)
        shop.engine.withdraw(case, ME, shop.now, "不再开店")
        assert (case.state, case.concluded_at) == ("withdrawn", shop.now)
        assert tasks(case) == {"REG": "approved", "SEAL": "cancelled", "TAX": "cancelled", "BANK": "cancelled"}
        assert types(case, before) == ["ItemCancelled"] * 3 + ["CaseWithdrawn"]
        assert {e.data["because"] for e in case.new_events if e.type == "ItemCancelled"} == {"withdrawn"}

    def test_no_withdrawal_once_the_results_are_ready(self, shop):
        case = shop.ready_for_pickup()
        with pytest.raises(IllegalAction) as info:
            shop.engine.withdraw(case, ME, shop.now, "太晚了")
        assert (info.value.action, info.value.state) == ("withdraw", "ready_for_pickup")
        assert "withdraw" not in info.value.allowed
        assert case.state == "ready_for_pickup"


class TestRating:
    def test_a_good_rating_opens_nothing(self, shop):
        case = shop.delivered()
        shop.engine.rate(case, ME, shop.now, 5, "一次都没跑")
        assert [(r.level, r.follow_up) for r in case.ratings] == [(RatingLevel.VERY_SATISFIED, False)]
        assert case.rectification is None
        assert event(case, "CaseRated").data == {"level": 5, "label": "非常满意", "comment": "一次都没跑"}

    @pytest.mark.parametrize("level", [1, 2])
    def test_a_bad_rating_opens_a_rectification(self, shop, level):
        """差评: callback due in 1 working day, rectification in 15 (delivered Mon 2 Nov)."""
        case = shop.delivered()
        shop.engine.rate(case, ME, shop.now, level, "等待太久")
        rect = case.rectification
        assert rect is not None
        assert (rect.callback_due, rect.rectify_due) == (dt.date(2026, 11, 3), dt.date(2026, 11, 23))
        assert types(case)[-2:] == ["CaseRated", "RectificationOpened"]
        assert {("callback", case.id), ("rectification", case.id)} <= set(case.deadlines)

    def test_the_rectification_loop(self, shop, clock):
        """Callback first, then the rectification, then one follow-up rating; no third rating."""
        case = shop.delivered()
        rated = len(case.new_events)
        shop.engine.rate(case, ME, shop.now, 1, "态度差")
        with pytest.raises(ActionRejected) as info:
            shop.engine.record_rectified(case, SUPERVISOR, shop.now, "已整改")
        assert info.value.reason == "callback_missing"
        clock.advance(hours=2)
        shop.engine.record_callback(case, SUPERVISOR, shop.now, "已电话回访")
        assert event(case, "CallbackMade").public is False
        assert case.deadlines[("callback", case.id)].met_at == shop.now
        with pytest.raises(ActionRejected) as info:
            shop.engine.record_callback(case, SUPERVISOR, shop.now, "再次回访")
        assert info.value.reason == "already_done"
        shop.engine.record_rectified(case, SUPERVISOR, shop.now, "窗口人员已培训")
        with pytest.raises(IllegalAction) as illegal:
            shop.engine.record_rectified(case, SUPERVISOR, shop.now, "again")
        assert (illegal.value.action, illegal.value.target) == ("record_rectified", "rectification")
        shop.engine.rate(case, ME, shop.now, 4, "改进了")
        assert [(int(r.level), r.follow_up) for r in case.ratings] == [(1, False), (4, True)]
        assert types(case, rated) == [
            "CaseRated", "RectificationOpened", "CallbackMade", "RectificationCompleted", "FollowUpRated"
        ]
        with pytest.raises(ActionRejected) as info:
            shop.engine.rate(case, ME, shop.now, 5)
        assert info.value.reason == "already_rated"

    def test_a_second_rating_without_rectification_is_refused(self, shop):
        case = shop.delivered()
        shop.engine.rate(case, ME, shop.now, 3)
        with pytest.raises(ActionRejected) as info:
            shop.engine.rate(case, ME, shop.now, 5)
        assert info.value.reason == "already_rated"
        assert len(case.ratings) == 1

    def test_not_before_the_results_are_delivered(self, shop):
        case = shop.ready_for_pickup()
        with pytest.raises(IllegalAction) as info:
            shop.engine.rate(case, ME, shop.now, 5)
        assert (info.value.action, info.value.state) == ("rate", "ready_for_pickup")

    def test_a_refused_application_can_be_rated(self, shop):
        case = shop.submitted()
        shop.engine.refuse(case, CLERK, shop.now, "不属于受理范围")
        shop.engine.rate(case, ME, shop.now, 2, "不满意")
        assert case.rectification is not None

    @pytest.mark.parametrize("level", [0, 6, "5"])
    def test_a_level_is_one_to_five(self, shop, level):
        case = shop.delivered()
        with pytest.raises(InvalidInput) as info:
            shop.engine.rate(case, ME, shop.now, level)
        assert info.value.field == "level"

    @pytest.mark.parametrize("actor", [OTHER, CLERK], ids=["another applicant", "a clerk"])
    def test_only_the_applicant_rates(self, shop, actor):
        case = shop.delivered()
        with pytest.raises(NotAuthorised):
            shop.engine.rate(case, actor, shop.now, 1)
        assert case.ratings == []
