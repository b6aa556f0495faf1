"""Extension requests (延期申请) on the web pages through Flask's test client: the reviewer asks on
the case file, the supervisor sees the request on 申诉与延期 and on the case file and approves or
rejects it there."""

from __future__ import annotations

from staff_pages import REGISTRATION, SUPERVISOR, accepted_business, client_for, page_csrf, reviewer_of

ASK = "/web/office/cases/{}/items/" + REGISTRATION + "/request_extension"
DECIDE = "/web/supervision/cases/{}/items/" + REGISTRATION + "/extension-request"
APPEALS = "/web/supervision/appeals"


def ask(service, case_id, days="7", reason="需组织专家论证"):
    client = client_for(service, reviewer_of(service))
    csrf = page_csrf(client, f"/web/cases/{case_id}")
    reply = client.post(ASK.format(case_id), data={"csrf": csrf, "key": "x1", "days": days, "reason": reason},
                        follow_redirects=True)
    return client, reply.get_data(as_text=True)


def legal(service, case_id):
    return service.case(SUPERVISOR, case_id).deadlines[("item_legal", REGISTRATION)]


class TestReviewerAsks:
    def test_the_panel_offers_the_form_and_then_shows_the_request(self, service):
        case_id = accepted_business(service)
        client = client_for(service, reviewer_of(service))
        page = client.get(f"/web/cases/{case_id}").get_data(as_text=True)
        assert ASK.format(case_id) in page and "申请延期" in page
        assert "系统不记录" not in page
        assert f'<label for="item-{REGISTRATION}-ext-days">' in page
        _, html = ask(service, case_id)
        assert "已提交延期申请" in html  # flashed
        request = service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request
        assert request is not None and (request.days, request.reason) == (7, "需组织专家论证")
        assert f'id="item-{REGISTRATION}-extension-asked"' in html and "需组织专家论证" in html
        assert ASK.format(case_id) not in html  # one request at a time: no second form

    def test_bad_days_and_an_empty_reason_are_flashed(self, service):
        case_id = accepted_business(service)
        _, html = ask(service, case_id, days="ten")
        assert "整数" in html and 'class="flash error"' in html
        _, html = ask(service, case_id, days="11")
        assert 'class="flash error"' in html and "days" in html
        _, html = ask(service, case_id, reason=" ")
        assert 'class="flash error"' in html
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request is None

    def test_a_second_request_is_refused_in_words(self, service):
        case_id = accepted_business(service)
        ask(service, case_id)
        client = client_for(service, reviewer_of(service))
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        html = client.post(ASK.format(case_id), data={"csrf": csrf, "days": "3", "reason": "再申请"},
                           follow_redirects=True).get_data(as_text=True)
        assert 'class="flash error"' in html and "extension_pending" in html
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request.days == 7


class TestSupervisorDecides:
    def test_the_request_is_listed_and_approved(self, service):
        case_id = accepted_business(service)
        ask(service, case_id, days="10")
        before = legal(service, case_id).due
        client = client_for(service, SUPERVISOR)
        html = client.get(APPEALS).get_data(as_text=True)
        requests = html.split('id="extension-requests"')[1].split('id="extensions"')[0]
        assert case_id in requests and "需组织专家论证" in requests and DECIDE.format(case_id) in requests
        assert "没有待审批的延期申请" not in requests
        reply = client.post(DECIDE.format(case_id), data={"csrf": page_csrf(client, APPEALS), "key": "d1",
                                                          "decision": "approved", "back": APPEALS},
                            follow_redirects=True).get_data(as_text=True)
        assert "已批准延期申请" in reply and "没有待审批的延期申请" in reply
        after = legal(service, case_id)
        assert after.extension_days == 10
        assert after.due == service.calendar.add_working_days(before, 10).date
        approved = [e for e in service.events(SUPERVISOR, case_id) if e.type == "ItemTimeLimitExtended"]
        assert [e.actor for e in approved] == [SUPERVISOR.describe()]

    def test_rejected_on_the_case_page_with_the_reasons(self, service):
        case_id = accepted_business(service)
        ask(service, case_id)
        client = client_for(service, SUPERVISOR)
        page = client.get(f"/web/cases/{case_id}").get_data(as_text=True)
        panel = page.split('id="supervise-actions"')[1]
        assert f'id="case-extension-{REGISTRATION}"' in panel and "需组织专家论证" in panel
        assert f'<option value="{REGISTRATION}">' not in panel  # no direct grant past the request
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        back = f"/web/cases/{case_id}"
        empty = client.post(DECIDE.format(case_id), data={"csrf": csrf, "decision": "rejected", "back": back},
                            follow_redirects=True).get_data(as_text=True)
        assert 'class="flash error"' in empty and "note" in empty
        reply = client.post(DECIDE.format(case_id), data={"csrf": csrf, "decision": "rejected", "back": back,
                                                          "note": "材料齐全，无需延期"}, follow_redirects=True)
        html = reply.get_data(as_text=True)
        assert "延期申请未获批准" in html and f'id="case-extension-{REGISTRATION}"' not in html
        rejected = [e for e in service.events(SUPERVISOR, case_id) if e.type == "ExtensionRejected"]
        assert [e.data["note"] for e in rejected] == ["材料齐全，无需延期"]
        assert legal(service, case_id).extension_days == 0

    def test_another_regions_supervisor_neither_sees_nor_decides(self, service):
        case_id = accepted_business(service)
        ask(service, case_id)
        client = client_for(service, SUPERVISOR, region="3302")
        assert case_id not in client.get(APPEALS).get_data(as_text=True)
        reply = client.post(DECIDE.format(case_id), data={"csrf": page_csrf(client, APPEALS),
                                                          "decision": "approved"})
        assert reply.status_code == 404
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request is not None

    def test_a_reviewer_cannot_decide(self, service):
        case_id = accepted_business(service)
        client, _ = ask(service, case_id)
        reply = client.post(DECIDE.format(case_id), data={"csrf": page_csrf(client, f"/web/cases/{case_id}"),
                                                          "decision": "approved"})
        assert reply.status_code == 403
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].extension_request is not None
