"""A zero-trip matter brought to the window in person: the clerk opens it with the reason, the
trip is counted over the budget and said in the events; without a reason it is refused."""

from __future__ import annotations

import pytest

from oneservice import ActionRejected, Actor, Applicant, Role
from oneservice.samples import sample_resident_id

CLERK = Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre")
REASON = "申请人不会使用网上办事，自愿到窗口办理 / the applicant came in person"


def test_a_window_intake_over_the_budget_needs_a_reason(service):
    person = Applicant("person", sample_resident_id(4), "赵六")
    with pytest.raises(ActionRejected, match="over the matter's budget of 0"):
        service.open_case(CLERK, "enterprise-change", person, channel="window", location="hz-citizen-centre")
    summary = service.open_case(CLERK, "enterprise-change", person, channel="window",
                                location="hz-citizen-centre", over_budget_reason=REASON)
    assert (summary.trips, summary.trip_budget) == (1, 0)
    case = service.case(CLERK, summary.id)
    assert case.over_budget
    assert case.visits[0].over_budget_reason == REASON
    exceeded = [e for e in service.events(CLERK, summary.id) if e.type == "TripBudgetExceeded"]
    assert [e.data["reason"] for e in exceeded] == [REASON]


def test_over_http_the_reason_is_a_field_of_the_new_case(http):
    from http_helpers import PERSON

    body = {"matter_id": "enterprise-change", "applicant": PERSON, "channel": "window",
            "location": "hz-citizen-centre"}
    refused = http.post("/cases", "clerk", body)
    assert refused.status_code == 422 and refused.json["code"] == "OS702"
    opened = http.post("/cases", "clerk", body | {"over_budget_reason": REASON})
    assert opened.status_code == 201, opened.json
    assert opened.json["trips"] == 1
