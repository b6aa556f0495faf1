"""The 12345 pages through Flask's test client: intake, dispatch, return, answer, callback and
reopen; bad input; scope (another department's handler gets 404); CSRF; the requester's page and
its wrong-code limit; the supervisor's cockpit."""

from __future__ import annotations

import datetime as dt
import re

from staff_pages import client_for, page_csrf

from oneservice import TZ, Actor, Role
from oneservice.domain.requests import Contact
from oneservice.samples import sample_resident_id

CLERK = Actor(Role.CLERK, "op-12345", location="hz-citizen-centre")
SUPERVISOR = Actor(Role.SUPERVISOR, "sup-12345")
HRSS = Actor(Role.REVIEWER, "h-rs", department="hz-hrss")
SC = Actor(Role.REVIEWER, "h-sc", department="sc-cgj")
INTAKE = {"kind": "help", "channel": "hotline", "category": "social-insurance", "urgency": "normal",
          "name": "王小明", "phone": "13900001111", "content": "社保卡补缴查询不到"}


def at(clock, day, hour):
    clock.set(dt.datetime(2026, 11, day, hour, 0, tzinfo=TZ))


def taken_in(service) -> str:
    return service.take_in_request(CLERK, kind="help", channel="hotline", category="social-insurance",
                                   contact=Contact("王小明", "13900001111"), content="社保卡补缴查询不到").request.id


def dispatched(service) -> str:
    rid = taken_in(service)
    service.dispatch_request(CLERK, rid)
    return rid


def post(client, path, data, page):
    return client.post(path, data={"csrf": page_csrf(client, page), **data}, follow_redirects=True)


class TestPlatform:
    def test_take_in_shows_the_number_and_code_and_lists_it_to_dispatch(self, service, clock):
        at(clock, 2, 9)
        client = client_for(service, CLERK)
        reply = post(client, "/web/requests", INTAKE, "/web/requests")
        html = reply.get_data(as_text=True)
        rid = re.search(r"已受理登记 (R\d{8}-[0-9a-f]{10})，查询码 ([0-9A-Z]{4}-[0-9A-Z]{4})", html)
        assert reply.status_code == 200 and rid, html
        assert service.get_request(CLERK, rid.group(1)).request.content == "社保卡补缴查询不到"
        listing = client.get("/web/requests").get_data(as_text=True)
        table = listing.split('id="to-dispatch"')[1].split("</table>")[0]
        assert rid.group(1) in table and "社会保险" in table

    def test_bad_input_comes_back_with_the_form_filled_in(self, service, clock):
        at(clock, 2, 9)
        client = client_for(service, CLERK)
        reply = post(client, "/web/requests", {**INTAKE, "phone": "call me"}, "/web/requests")
        html = reply.get_data(as_text=True)
        assert reply.status_code == 422 and "OS762" in html and "contact.phone" in html
        assert 'value="王小明"' in html and "社保卡补缴查询不到" in html
        reply = post(client, "/web/requests", {**INTAKE, "category": "noise-nuisance", "kind": "complaint"},
                     "/web/requests")
        assert reply.status_code == 422 and "OS769" in reply.get_data(as_text=True)  # no region given
        reply = post(client, "/web/requests", {**INTAKE, "region": "330102"}, "/web/requests")
        assert reply.status_code == 422 and "不按区域分派" in reply.get_data(as_text=True)
        assert service.platform_requests(CLERK, frozenset({"received"})).total == 0  # type: ignore[arg-type]

    def test_a_routed_category_goes_to_the_area_department(self, service, clock):
        at(clock, 2, 9)
        client = client_for(service, CLERK)
        post(client, "/web/requests", {**INTAKE, "category": "noise-nuisance", "kind": "complaint",
                                       "region": "330102"}, "/web/requests")
        page = service.platform_requests(CLERK, frozenset({"received"}))  # type: ignore[arg-type]
        assert page.items[0].request.competent == "sc-cgj"
        html = client.get(f"/web/requests/{page.items[0].request.id}").get_data(as_text=True)
        assert '<option value="sc-cgj" selected>' in html  # the dispatch proposes the rule's department

    def test_post_without_csrf_is_refused(self, service, clock):
        at(clock, 2, 9)
        client = client_for(service, CLERK)
        reply = client.post("/web/requests", data=INTAKE)
        assert reply.status_code == 400 and "CSRF" in reply.get_data(as_text=True)
        rid = taken_in(service)
        reply = client.post(f"/web/requests/{rid}/dispatch", data={"csrf": "forged"})
        assert reply.status_code == 400
        assert service.get_request(CLERK, rid).request.state == "received"

    def test_other_roles_are_refused(self, service):
        assert client_for(service, HRSS).get("/web/requests").status_code == 403
        me = Actor(Role.APPLICANT, "someone", applicant_id=sample_resident_id(7))
        assert client_for(service, me).get("/web/requests/department").status_code == 403


class TestTheLoop:
    def test_return_redispatch_answer_callback_reopen(self, service, clock):
        at(clock, 2, 9)
        rid = dispatched(service)
        handler = client_for(service, HRSS)
        listing = handler.get("/web/requests/department").get_data(as_text=True)
        assert rid in listing and "2026-11-03 17:00" in listing and "2026-11-09 17:00" in listing
        page = f"/web/requests/{rid}"
        reply = post(handler, f"{page}/return_request", {"reason": ""}, page)
        assert "OS762" in reply.get_data(as_text=True)  # a return needs its reason
        assert service.get_request(CLERK, rid).request.state == "dispatched"
        reply = post(handler, f"{page}/return_request", {"reason": "属医保局职责"}, page)
        assert "已退单" in reply.get_data(as_text=True)
        platform = client_for(service, CLERK)
        html = platform.get(page).get_data(as_text=True)
        assert "属医保局职责" in html and "转派" in html
        post(platform, f"{page}/dispatch", {"department": "hz-hrss"}, page)
        post(handler, f"{page}/answer", {"result": "已为您补缴", "note": "已电话告知"}, page)
        reply = post(platform, f"{page}/call_back", {"resolved": "no", "satisfaction": "dissatisfied",
                                                     "note": "仍未到账"}, page)
        html = reply.get_data(as_text=True)
        assert "已自动重办（第1次），重新派给hz-hrss" in html and 'id="form-reopen"' not in html
        view = service.get_request(CLERK, rid)
        assert (view.request.state, view.request.department, view.request.reopens) == ("dispatched", "hz-hrss", 1)
        assert rid in handler.get("/web/requests/department").get_data(as_text=True)  # back on its list
        post(handler, f"{page}/answer", {"result": "已到账"}, page)
        reply = post(platform, f"{page}/call_back", {"resolved": "yes", "satisfaction": "satisfied"}, page)
        assert service.get_request(CLERK, rid).request.state == "closed"
        assert "已办结" in reply.get_data(as_text=True)

    def test_reopens_used_up_then_a_supervisor_orders_it_redone(self, service, clock):
        """Past the policy's reopen the callback closes the request; it is listed as closed unresolved,
        and only the supervisor's page offers 督办重办 (its reason required)."""
        at(clock, 2, 9)
        rid = dispatched(service)
        handler, platform = client_for(service, HRSS), client_for(service, CLERK)
        page = f"/web/requests/{rid}"
        for _ in range(2):
            post(handler, f"{page}/answer", {"result": "已处理"}, page)
            reply = post(platform, f"{page}/call_back", {"resolved": "no", "satisfaction": "satisfied"}, page)
        assert "重办次数已用完，按回访结果（未解决或不满意）办结" in reply.get_data(as_text=True)
        assert service.get_request(CLERK, rid).request.state == "closed"
        listed = platform.get("/web/requests").get_data(as_text=True)
        assert re.search(r'id="closed-unsettled".*?' + rid, listed, re.S)
        assert 'id="form-reopen"' not in platform.get(page).get_data(as_text=True)  # a clerk's page
        supervisor = client_for(service, SUPERVISOR)
        assert 'id="form-reopen"' in supervisor.get(page).get_data(as_text=True)
        reply = post(supervisor, f"{page}/reopen", {"reason": ""}, page)
        assert "OS762" in reply.get_data(as_text=True)
        reply = post(supervisor, f"{page}/reopen", {"reason": "诉求人称仍未到账"}, page)
        assert "已督办重办" in reply.get_data(as_text=True)
        assert (service.get_request(CLERK, rid).request.state, service.get_request(CLERK, rid).request.reopens) == (
            "dispatched", 2)
        assert post(platform, f"{page}/close", {}, page).status_code == 404  # the callback closes, no one else

    def test_a_callback_needs_both_answers(self, service, clock):
        at(clock, 2, 9)
        rid = dispatched(service)
        service.answer_request(HRSS, rid, result="已处理")
        client = client_for(service, CLERK)
        page = f"/web/requests/{rid}"
        reply = post(client, f"{page}/call_back", {"satisfaction": "satisfied"}, page)
        assert "请选择问题是否已解决" in reply.get_data(as_text=True)
        reply = post(client, f"{page}/call_back", {"resolved": "yes", "satisfaction": "happy"}, page)
        assert "满意、基本满意或不满意" in reply.get_data(as_text=True)
        assert service.get_request(CLERK, rid).request.state == "answered"

    def test_only_a_supervisor_escalates_and_only_when_late(self, service, clock):
        at(clock, 2, 9)
        rid = dispatched(service)
        page = f"/web/requests/{rid}"
        assert 'id="form-escalate"' not in client_for(service, CLERK).get(page).get_data(as_text=True)
        supervisor = client_for(service, SUPERVISOR)
        reply = post(supervisor, f"{page}/escalate", {"note": "请加快"}, page)
        assert "OS762" in reply.get_data(as_text=True)  # green: nothing to press yet
        at(clock, 10, 9)
        reply = post(supervisor, f"{page}/escalate", {"note": "已超答复时限"}, page)
        assert "已督办" in reply.get_data(as_text=True)
        assert service.get_request(SUPERVISOR, rid).request.escalated_at is not None


class TestScope:
    def test_another_departments_handler_gets_404(self, service, clock):
        at(clock, 2, 9)
        rid = dispatched(service)
        other = client_for(service, SC)
        assert other.get(f"/web/requests/{rid}").status_code == 404
        csrf = page_csrf(other, "/web/requests/department")
        reply = other.post(f"/web/requests/{rid}/answer", data={"csrf": csrf, "result": "x"})
        assert reply.status_code == 404
        assert service.get_request(CLERK, rid).request.state == "dispatched"
        assert rid not in other.get("/web/requests/department").get_data(as_text=True)

    def test_unknown_requests_and_actions_are_404(self, service, clock):
        at(clock, 2, 9)
        client = client_for(service, CLERK)
        assert client.get("/web/requests/R20261102-0000000000").status_code == 404
        assert client.get("/web/requests/not-a-number").status_code == 404
        rid = taken_in(service)
        csrf = page_csrf(client, "/web/requests")
        assert client.post(f"/web/requests/{rid}/delete", data={"csrf": csrf}).status_code == 404


class TestRequesterPage:
    def test_every_public_node_with_the_contact_masked(self, service, clock):
        from oneservice.web.requests import request_code

        at(clock, 2, 9)
        rid = dispatched(service)
        service.return_request(HRSS, rid, reason="内部理由")
        service.dispatch_request(CLERK, rid, department="hz-hrss")
        service.answer_request(HRSS, rid, result="已补缴", note="已电话告知")
        client = client_for(service, CLERK)
        with client.application.test_request_context():
            code = request_code(rid)
        public = client.application.test_client()
        reply = public.get(f"/requests/progress?request={rid}&code={code.lower()}")
        html = reply.get_data(as_text=True)
        assert reply.status_code == 200
        nodes = html.split('id="progress-nodes"')[1]
        for name in ("受理登记", "派单", "退单", "签收", "答复"):
            assert name in nodes
        assert "已电话告知" in nodes and "人力资源" in nodes and "已补缴" in html
        assert "王**" in html and "139****1111" in html and "13900001111" not in html
        assert "内部理由" not in html

    def test_wrong_codes_are_limited(self, service, clock):
        at(clock, 2, 9)
        rid = taken_in(service)
        public = client_for(service, CLERK).application.test_client()
        for _ in range(5):
            assert public.get(f"/requests/progress?request={rid}&code=AAAA-AAAA").status_code == 404
        reply = public.get(f"/requests/progress?request={rid}&code=AAAA-AAAA")
        assert reply.status_code == 429 and "次数过多" in reply.get_data(as_text=True)
        assert public.get(f"/requests/progress?request={rid}").status_code == 400

    def test_the_login_page_links_the_request_lookup(self, service):
        html = client_for(service, CLERK).application.test_client().get("/").get_data(as_text=True)
        assert 'action="/requests/progress"' in html


class TestCockpit:
    def test_ranking_and_figures(self, service, clock):
        at(clock, 2, 9)
        for _ in range(2):
            taken_in(service)
        rid = dispatched(service)
        service.answer_request(HRSS, rid, result="已补缴")
        service.call_back_request(CLERK, rid, resolved=True, satisfaction="satisfied")
        client = client_for(service, SUPERVISOR)
        html = client.get("/web/supervision/requests").get_data(as_text=True)
        frequent = html.split('id="frequent"')[1].split("</table>")[0]
        assert "社会保险" in frequent and "<td>3</td>" in frequent
        whole = html.split('id="figures-all"')[1].split("</table>")[0]
        assert "100.0%" in whole
        assert "当日无诉求" in client.get("/web/supervision/requests?day=2026-11-05").get_data(as_text=True)
        assert client.get("/web/supervision/requests?day=yesterday").status_code == 422
        assert client_for(service, CLERK).get("/web/supervision/requests").status_code == 403


def test_the_pages_in_english(service, clock):
    at(clock, 2, 9)
    rid = dispatched(service)
    client = client_for(service, SUPERVISOR)
    client.get("/lang/en")
    assert "Take a request in" in client.get("/web/requests").get_data(as_text=True)
    page = client.get(f"/web/requests/{rid}").get_data(as_text=True)
    assert "Social insurance" in page and "Dispatched to" in page and "History" in page
    assert "Request figures" in client.get("/web/supervision/requests").get_data(as_text=True)
