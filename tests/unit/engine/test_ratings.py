"""好差评 as the rules say, on in-memory cases: the rating window, an agent rating on the applicant's
behalf, a rating about a department or window, the policy's 差评, and the appeal (申诉复核)."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import AGENT, CLERK, ME, SUPERVISOR, event, reviewer, types

from oneservice.domain.policy import Policy
from oneservice.engine.clock import TZ
from oneservice.errors import ActionRejected, IllegalAction, InvalidInput, NotAuthorised


class TestWhoAndWhen:
    def test_a_withdrawn_case_can_be_rated(self, shop):
        case = shop.submitted()
        shop.engine.withdraw(case, ME, shop.now, "改日再办")
        shop.engine.rate(case, ME, shop.now, 4)
        assert [r.level for r in case.ratings] == [4]

    def test_the_window_closes_thirty_calendar_days_after_conclusion(self, shop, clock):
        case = shop.delivered()
        clock.set(dt.datetime.combine(shop.now.date() + dt.timedelta(days=31), dt.time(9), TZ))
        with pytest.raises(ActionRejected) as info:
            shop.engine.rate(case, ME, shop.now, 5)
        assert info.value.reason == "rating_window_closed"
        assert case.ratings == []

    def test_an_agent_rates_on_the_applicants_behalf_marked_as_such(self, shop):
        case = shop.submitted()
        case.agent = AGENT.id  # the case's agent (代办员), as an agent-channel matter records it
        shop.engine.withdraw(case, AGENT, shop.now, "申请人不再需要")
        shop.engine.rate(case, AGENT, shop.now, 5)
        [rating] = case.ratings
        assert (rating.on_behalf, rating.by) == (True, "agent:grid-07")
        assert event(case, "CaseRated").data["on_behalf"] is True


class TestAbout:
    def test_a_rating_names_a_department_of_the_case(self, shop):
        case = shop.delivered()
        with pytest.raises(InvalidInput) as info:
            shop.engine.rate(case, ME, shop.now, 1, about={"kind": "department", "id": "health"})
        assert info.value.field == "about.id" and "tax" in (info.value.hint or "")
        shop.engine.rate(case, ME, shop.now, 1, "税务窗口态度差", about={"kind": "department", "id": "tax"})
        assert (case.ratings[0].about, case.ratings[0].about_id, case.ratings[0].bad) == ("department", "tax", True)

    def test_what_is_a_bad_rating_is_the_policys_and_frozen(self, shop):
        """A jurisdiction that counts 基本满意 as a 差评: the rating is frozen bad, a rectification opens."""
        strict = Policy(good_levels=frozenset({5, 4}))
        shop.engine.policies["centre"] = strict
        case = shop.delivered()
        shop.engine.rate(case, ME, shop.now, 3)
        assert case.ratings[0].bad and case.rectification is not None
        shop.engine.policies.pop("centre")
        assert case.ratings[0].bad  # frozen on the rating


class TestAppeal:
    def _bad(self, shop, about=None):
        case = shop.delivered()
        shop.engine.rate(case, ME, shop.now, 1, "随意差评", about=about)
        return case

    def test_the_department_appeals_once_and_a_supervisor_decides(self, shop):
        case = self._bad(shop, {"kind": "department", "id": "tax"})
        with pytest.raises(NotAuthorised):
            shop.engine.appeal_rating(case, reviewer("amr"), shop.now, "与本部门无关")  # about tax, not amr
        shop.engine.appeal_rating(case, reviewer("tax"), shop.now, "申请人确认误评")
        with pytest.raises(ActionRejected) as again:
            shop.engine.appeal_rating(case, reviewer("tax"), shop.now, "再次申诉")
        assert again.value.reason == "already_appealed"
        with pytest.raises(NotAuthorised):
            shop.engine.decide_appeal(case, CLERK, shop.now, "upheld", "自己裁决")
        shop.engine.decide_appeal(case, SUPERVISOR, shop.now, "upheld", "经核实为误评")
        rating = case.ratings[0]
        assert (rating.counted, rating.appeal.decision) == (False, "upheld")  # type: ignore[union-attr]
        assert case.rectification is not None and case.rectification.withdrawn_at == shop.now
        assert types(case)[-2:] == ["RatingAppealed", "AppealDecided"]
        with pytest.raises(IllegalAction):
            shop.engine.record_callback(case, SUPERVISOR, shop.now, "回访")  # withdrawn: nothing to follow up

    def test_a_rejected_appeal_keeps_the_rating_and_its_rectification(self, shop):
        case = self._bad(shop)
        shop.engine.appeal_rating(case, CLERK, shop.now, "窗口已按规定办理")
        shop.engine.decide_appeal(case, SUPERVISOR, shop.now, "rejected", "差评属实")
        assert case.ratings[0].counted and case.rectification.withdrawn_at is None  # type: ignore[union-attr]

    def test_only_a_bad_rating_within_the_period(self, shop, clock):
        good = shop.delivered()
        shop.engine.rate(good, ME, shop.now, 5)
        with pytest.raises(ActionRejected) as info:
            shop.engine.appeal_rating(good, CLERK, shop.now, "无")
        assert info.value.reason == "no_such_rating"
        with pytest.raises(ActionRejected) as info:
            shop.engine.appeal_rating(good, CLERK, shop.now, "无", rating=1)
        assert info.value.reason == "not_a_bad_rating"
        case = self._bad(shop)
        clock.advance_working_days(6, shop.calendar)
        with pytest.raises(ActionRejected) as late:
            shop.engine.appeal_rating(case, CLERK, shop.now, "太晚了")
        assert late.value.reason == "appeal_period_over"
        assert case.ratings[0].appeal is None
