"""The front desk's pages through Flask's test client: the window queue and its scope, a new case
with its parties and bad input kept on the page, the unified form and its live check, the
one-time notice, the decisions and the hand-over — each through the library's own checks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from web_client import SECRET, web_app
from web_client import Browser as ClientBrowser

from oneservice import Actor, Applicant, OneService, Party, Role, load_catalogue
from oneservice.http import TokenAuthority
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
HERE = "hz-citizen-centre"
CLERK = Actor(Role.CLERK, "clerk-01", location=HERE)
OTHER_CLERK = Actor(Role.CLERK, "clerk-09", location="sc-service-centre")
BIZ = "start-a-business"
FLAT = "property-transfer"
PERSON_ID = sample_resident_id(1)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The shipped catalogue, with start-a-business also taken in at a window (budget 1): the
    shipped matter is zero-trip and online only, which a clerk may not open at the counter."""
    target = tmp_path_factory.mktemp("counter") / "workflows"
    shutil.copytree(ROOT / "workflows", target)
    matter = target / "matters" / f"{BIZ}.yaml"
    text = matter.read_text(encoding="utf-8")
    text = text.replace("intake: {channels: [online, mobile, agent]}",
                        "intake: {channels: [window, online, mobile, agent]}").replace("trip_budget: 0",
                                                                                        "trip_budget: 1")
    matter.write_text(text, encoding="utf-8")
    return load_catalogue([target])


class Browser(ClientBrowser):
    """web_client's test client, signed in as ``actor`` and holding the page's CSRF token."""

    def __init__(self, service: OneService, actor: Actor) -> None:
        authority = TokenAuthority(SECRET, None)
        super().__init__(web_app(service, authority))
        self.sign_in(authority, actor)
        self.get("/web/", follow_redirects=True)


def _alerts(html: str) -> list[str]:
    return re.findall(r'class="flash[^"]*"[^>]*>([^<]*)', html)


@pytest.fixture
def desk(service: OneService) -> Browser:
    return Browser(service, CLERK)


def _business(service: OneService) -> str:
    applicant = Applicant("person", PERSON_ID, "张三", "13800138000")
    return service.open_case(CLERK, BIZ, applicant, channel="window", location=HERE).id


def _form_data(service: OneService, **overrides: str) -> dict[str, Any]:
    data = {f"f_{key}": ("true" if value is True else "false" if value is False else str(value))
            for key, value in sample_form(service.catalogue.plan(BIZ)).items()}
    return data | overrides


def _submitted(service: OneService, desk: Browser, *, hold_back: tuple[str, ...] = ("premises-lease",)) -> str:
    case_id = _business(service)
    plan = service.catalogue.plan(BIZ)
    materials = [line.material.id for line in plan.materials if line.material.id not in hold_back]
    answer = desk.post(f"/web/cases/{case_id}/form", _form_data(service) | {"material": materials})
    assert answer.status_code == 302, _alerts(answer.text)
    return case_id


class TestQueue:
    def test_the_queue_lists_the_clerks_own_location_with_ids_masked(self, service, desk):
        """A case of this point is listed (ID masked, linked); another point's case is not."""
        mine = _business(service)
        theirs = service.open_case(OTHER_CLERK, FLAT, Applicant("person", sample_resident_id(5), "王五"),
                                   channel="window", location="sc-service-centre",
                                   parties=[Party("seller", Applicant("person", sample_resident_id(6), "赵六"))],
                                   ).id
        page = desk.get("/web/desk").text
        assert f'href="/web/cases/{mine}"' in page
        assert theirs not in page
        assert PERSON_ID not in page
        assert "330106********" in page

    def test_the_queue_pages_through_twenty_cases_at_a_time(self, service, desk):
        """21 drafts: 20 on the first page, the last on the second, a link between them."""
        ids = [_business(service) for _ in range(21)]
        first = desk.get("/web/desk").text
        assert sum(case_id in first for case_id in ids) == 20
        assert "intake=2" in first
        second = desk.get("/web/desk?intake=2").text
        assert sum(case_id in second for case_id in ids) == 1

    def test_a_case_ready_for_pickup_waits_in_the_hand_over_list(self, service, desk):
        """Every item approved and nothing owed: the case is in the results list at the window."""
        case_id = _submitted(service, desk, hold_back=())
        service.accept(CLERK, case_id)
        _approve_all(service, case_id)
        page = desk.get("/web/desk").text
        ready = page[page.index('id="ready"'):]
        assert case_id in ready

    def test_another_role_may_not_see_the_desk(self, service):
        """A reviewer gets 403 for the window queue."""
        reviewer = Browser(service, Actor(Role.REVIEWER, "rev-01", department="sc-amr"))
        assert reviewer.get("/web/desk").status_code == 403


class TestNewCase:
    def test_an_invalid_id_number_is_shown_with_the_values_kept(self, desk):
        """OS621 on the page (422); the name, phone and the mistyped number stay in the form."""
        answer = desk.post("/web/desk/new", {"matter_id": BIZ, "a-kind": "person",
                                             "a-id_number": "330106199001010000", "a-name": "张三",
                                             "a-phone": "13800138000"})
        assert answer.status_code == 422
        assert "OS621" in answer.text
        assert 'value="张三"' in answer.text and 'value="13800138000"' in answer.text
        assert 'value="330106199001010000"' in answer.text

    def test_a_valid_id_number_is_never_sent_back_in_full(self, desk):
        """A flat without its seller is refused (OS711); the buyer's valid number comes back masked."""
        answer = desk.post("/web/desk/new", {"matter_id": FLAT, "a-kind": "person", "a-id_number": PERSON_ID,
                                             "a-name": "张三", "a-phone": ""})
        assert answer.status_code == 422
        assert "OS711" in answer.text
        assert PERSON_ID not in answer.text
        assert PERSON_ID[:6] + "********" + PERSON_ID[-4:] in answer.text

    def test_the_parties_and_the_agents_authorisation_are_taken_in(self, service, desk):
        """Buyer, seller and the seller's agent under a written authorisation: the case holds them."""
        seller, agent = sample_resident_id(7), sample_resident_id(8)
        form = desk.get(f"/web/desk/new?matter_id={FLAT}").text
        assert 'id="p-seller-agent-authorisation"' in form
        answer = desk.post("/web/desk/new", {
            "matter_id": FLAT, "a-kind": "person", "a-id_number": PERSON_ID, "a-name": "张三",
            "p-seller-kind": "person", "p-seller-id_number": seller, "p-seller-name": "李四",
            "p-seller-agent-kind": "person", "p-seller-agent-id_number": agent, "p-seller-agent-name": "钱七",
            "p-seller-agent-authorisation": "（2026）浙杭证字第123号", "agent": "grid-07"})
        assert answer.status_code == 302
        case_id = answer.location.split("/")[-2]
        case = service.case(CLERK, case_id)
        assert [(p.role, p.applicant.name, p.authorisation) for p in case.parties] == [
            ("seller", "李四", None), ("seller-agent", "钱七", "（2026）浙杭证字第123号")]
        assert case.channel == "window" and case.location == HERE and case.agent == "grid-07"

    def test_an_agent_without_authorisation_is_refused_on_the_page(self, desk):
        """The seller's agent with no authorisation reference: OS711, values kept."""
        answer = desk.post("/web/desk/new", {
            "matter_id": FLAT, "a-kind": "person", "a-id_number": PERSON_ID, "a-name": "张三",
            "p-seller-kind": "person", "p-seller-id_number": sample_resident_id(7), "p-seller-name": "李四",
            "p-seller-agent-kind": "person", "p-seller-agent-id_number": sample_resident_id(8),
            "p-seller-agent-name": "钱七"})
        assert answer.status_code == 422
        assert "OS711" in answer.text and "委托书" in answer.text
        assert 'value="钱七"' in answer.text

    def test_a_matter_the_window_does_not_take_in_is_refused_by_the_library(self, service, desk):
        """Company deregistration is online or by agent only: the library's refusal is on the page."""
        answer = desk.post("/web/desk/new", {"matter_id": "company-deregistration", "a-kind": "person",
                                             "a-id_number": PERSON_ID, "a-name": "张三"})
        assert answer.status_code == 422
        assert "window" in answer.text and "company-deregistration" in answer.text
        assert service.search_cases_page(CLERK, locations=[HERE]).total == 0


class TestForm:
    def test_fields_follow_the_definition(self, service, desk):
        """Choices become selects, numbers number inputs, required fields are marked; every material
        has a checkbox."""
        page = desk.get(f"/web/cases/{_business(service)}/form").text
        assert re.search(r'<select id="f_company_type" name="f_company_type"', page)
        assert '<option value="有限责任公司"' in page
        assert re.search(r'id="f_employee_count" name="f_employee_count" type="number" step="1"', page)
        assert re.search(r'id="f_housing_fund_rate" name="f_housing_fund_rate" type="number" step="any"', page)
        assert 'for="f_company_name">企业名称 *' in page
        assert 'for="f_corporate_shareholder_uscc">法人股东统一社会信用代码</label>' in page
        for line in service.catalogue.plan(BIZ).materials:
            assert f'id="m-{line.material.id}"' in page
        assert 'data-check="/web/cases/' in page and 'class="live card"' in page

    def test_the_live_check_shows_the_conditions_messages_and_saves_nothing(self, service, desk):
        """A contribution rate of 20 %: the condition's own message; the case's form stays empty."""
        case_id = _business(service)
        answer = desk.post(f"/web/cases/{case_id}/form/check", _form_data(service, f_housing_fund_rate="20"),
                           headers={"X-CSRF-Token": desk.csrf})
        assert answer.status_code == 200
        assert "住房公积金缴存比例应在5%至12%之间" in answer.text
        assert "缺少材料：公司章程" in answer.text
        assert service.case(CLERK, case_id).form == {}

    def test_the_live_check_reports_a_complete_form(self, service, desk):
        """Every field right and every material ticked: 齐全."""
        case_id = _business(service)
        materials = [line.material.id for line in service.catalogue.plan(BIZ).materials]
        answer = desk.post(f"/web/cases/{case_id}/form/check", _form_data(service) | {"material": materials})
        assert "齐全" in answer.text and "不齐全" not in answer.text

    def test_a_bad_value_is_shown_and_the_form_kept(self, service, desk):
        """A number that is no number: 422, the field marked, every value typed still there."""
        case_id = _business(service)
        answer = desk.post(f"/web/cases/{case_id}/form", _form_data(service, f_employee_count="many"))
        assert answer.status_code == 422
        assert 'id="f_employee_count-error"' in answer.text
        assert 'value="many"' in answer.text and 'value="示例企业名称"' in answer.text
        assert service.case(CLERK, case_id).state.value == "draft"

    def test_submitting_hands_in_the_form_and_never_echoes_an_id_number(self, service, desk):
        """Submitted at the window; the legal representative's number is on file but only masked."""
        case_id = _submitted(service, desk)
        case = service.case(CLERK, case_id)
        assert case.state.value == "submitted"
        assert case.materials["articles-of-association"].status.value == "received"
        number = case.form["legal_rep_id"]
        for path in (f"/web/cases/{case_id}/form", f"/web/cases/{case_id}"):
            page = desk.get(path).text
            assert number not in page
            assert number[-4:] in page

    def test_a_supplement_after_the_notice_goes_by_the_matters_channels(self, service, desk):
        """After the notice the form supplements (by mail here) and the case is submitted again."""
        case_id = _submitted(service, desk, hold_back=("articles-of-association", "premises-lease"))
        service.give_notice(CLERK, case_id)
        page = desk.get(f"/web/cases/{case_id}/form").text
        assert '<option value="mail"' in page and '<option value="window"' not in page
        answer = desk.post(f"/web/cases/{case_id}/form", {"channel": "mail",
                                                          "material": ["articles-of-association"]})
        assert answer.status_code == 302
        case = service.case(CLERK, case_id)
        assert case.state.value == "submitted"
        assert case.form["company_name"] == "示例企业名称"  # the fields not posted stay as they were


class TestNotice:
    def test_the_notice_is_an_a4_page_with_everything_the_applicant_needs(self, service, desk):
        """Given: its number, the case number and progress code, what to bring, what not and why,
        the departments; a print button."""
        case_id = _submitted(service, desk, hold_back=("articles-of-association", "premises-lease"))
        answer = desk.post(f"/web/cases/{case_id}/notice")
        assert answer.status_code == 302
        page = desk.get(f"/web/cases/{case_id}/notice").text
        assert 'class="a4 notice"' in page and "data-print" in page
        assert "第 1 号" in page and case_id in page
        code = re.search(r'<strong class="code">([0-9A-Z]{4}-[0-9A-Z]{4})</strong>', page)
        assert code
        assert "缺少材料：公司章程" in page and "缺少材料：住所（经营场所）租赁合同复印件" in page
        assert "通过共享数据获取" in page and "人口综合库" in page
        assert "由本事项上游办理结果自动获取" in page
        assert "杭州市上城区市场监督管理局" in page and "杭州住房公积金管理中心" in page
        assert "出具一次性告知" not in page  # given once: no second notice offered
        assert service.case(CLERK, case_id).state.value == "awaiting_materials"

    def test_before_it_is_given_the_notice_is_a_preview_with_the_notice_deadline(self, service, desk):
        """Not yet given: marked as a preview, the art. 32 deadline shown, the give button there."""
        case_id = _submitted(service, desk)
        page = desk.get(f"/web/cases/{case_id}/notice").text
        assert "预览（尚未出具）" in page and "第三十二条" in page and "出具一次性告知" in page


    def test_the_notice_reads_in_english_after_the_switch(self, service, desk):
        """/lang/en: the same notice in English, the lines in the library's English words."""
        case_id = _submitted(service, desk)
        desk.get("/lang/en")
        page = desk.get(f"/web/cases/{case_id}/notice").text
        assert "One-time notice" in page and "Materials you need not bring" in page
        assert "missing material: Copy of the premises tenancy contract" in page
        assert "obtained from shared data" in page


class TestDecisions:
    def test_accept_with_deficiency_records_the_owed_material_and_the_commitment(self, service, desk):
        """The panel offers the waivable material; the case owes it and keeps the commitment."""
        case_id = _submitted(service, desk)
        panel = desk.get(f"/web/cases/{case_id}").text
        assert 'id="owed-premises-lease"' in panel
        answer = desk.post(f"/web/cases/{case_id}/accept-with-deficiency",
                           {"owed": ["premises-lease"], "commitment": "承诺5个工作日内补交租赁合同"})
        assert answer.status_code == 302
        case = service.case(CLERK, case_id)
        assert case.state.value in ("accepted", "in_progress")
        assert [m.material_id for m in case.owed()] == ["premises-lease"]
        assert case.commitment == "承诺5个工作日内补交租赁合同"

    def test_accepting_an_incomplete_application_shows_the_librarys_refusal(self, service, desk):
        """Plain accept with a material missing: the error comes back on the case page."""
        case_id = _submitted(service, desk)
        answer = desk.post(f"/web/cases/{case_id}/accept", follow_redirects=True)
        assert "OS702" in answer.text
        assert service.case(CLERK, case_id).state.value == "submitted"

    def test_refusing_takes_a_reason(self, service, desk):
        """Refused with its reason recorded."""
        case_id = _submitted(service, desk)
        desk.post(f"/web/cases/{case_id}/refuse", {"reason": "经营范围属禁止类"})
        case = service.case(CLERK, case_id)
        assert case.state.value == "refused" and case.refusal_reason == "经营范围属禁止类"

    def test_the_results_are_handed_over_one_by_one(self, service, desk):
        """Owed material supplied, then each result by its own channel: the seals mailed with the
        tracking reference, the rest pushed electronically."""
        case_id = _submitted(service, desk)
        service.accept_with_deficiency(CLERK, case_id, ["premises-lease"], commitment="承诺补交")
        _approve_all(service, case_id)
        assert desk.post(f"/web/cases/{case_id}/owed", {"materials": ["premises-lease"],
                                                        "channel": "mail"}).status_code == 302
        plan = service.catalogue.plan(BIZ)
        data: dict[str, str] = {}
        for result, how in sample_deliveries(plan, "EMS 1234 5678 9").items():
            data[f"channel-{result}"] = how["channel"]
            data[f"tracking-{result}"] = how.get("tracking", "")
        page = desk.get(f"/web/cases/{case_id}").text
        assert 'id="channel-seal-filing"' in page
        assert desk.post(f"/web/cases/{case_id}/deliver", data).status_code == 302
        case = service.case(CLERK, case_id)
        assert case.state.value == "delivered"
        shipped = {d.result_id: (d.channel, d.tracking) for d in case.deliveries}
        assert shipped["seal-filing"] == ("mail", "EMS 1234 5678 9")
        assert shipped["business-licence"] == ("electronic", None)


class TestScope:
    @pytest.mark.parametrize("path", ["", "/form", "/notice"])
    def test_a_clerk_of_another_location_gets_404_for_the_pages(self, service, path):
        """The case of hz-citizen-centre does not exist for a clerk of sc-service-centre."""
        case_id = _business(service)
        assert Browser(service, OTHER_CLERK).get(f"/web/cases/{case_id}{path}").status_code == 404

    @pytest.mark.parametrize("action", ["accept", "accept-with-deficiency", "refuse", "owed", "pickup",
                                        "deliver", "conclude", "notice", "form", "form/check"])
    def test_a_clerk_of_another_location_gets_404_for_the_actions(self, service, desk, action):
        """Every action of the panel, the form and the notice: 404, and the case is untouched."""
        case_id = _submitted(service, desk)
        before = service.case(CLERK, case_id).version
        other = Browser(service, OTHER_CLERK)
        answer = other.post(f"/web/cases/{case_id}/{action}", {"reason": "x", "owed": ["premises-lease"],
                                                               "commitment": "x", "location": HERE})
        assert answer.status_code == 404
        assert service.case(CLERK, case_id).version == before


def _approve_all(service: OneService, case_id: str) -> None:
    plan = service.catalogue.plan(BIZ)
    for item in plan.items:
        department = service.catalogue.item(item.code).department
        reviewer = Actor(Role.REVIEWER, f"rev-{department}", department=department)
        service.start_review(reviewer, case_id, item.code)
        service.approve(reviewer, case_id, item.code)


class TestZeroTripMatterAtTheWindow:
    def test_the_new_case_form_asks_why_and_the_trip_is_recorded_over_the_budget(self, service, desk):
        """enterprise-change promises no trip: at the window the form asks for the reason; without
        it the library's refusal is shown with the values kept; with it the case opens, 1 / 0."""
        form = desk.get("/web/desk/new?matter_id=enterprise-change").text
        assert 'for="over_budget_reason"' in form
        data = {"matter_id": "enterprise-change", "a-kind": "person", "a-id_number": PERSON_ID,
                "a-name": "张三", "a-phone": "13800138000"}
        refused = desk.post("/web/desk/new", data)
        assert refused.status_code == 422
        assert "over the matter&#39;s budget of 0" in refused.text or "跑动" in refused.text
        assert 'value="张三"' in refused.text
        opened = desk.post("/web/desk/new", data | {"over_budget_reason": "申请人自愿到窗口办理"})
        assert opened.status_code == 302, _alerts(opened.text)
        case_id = opened.headers["Location"].split("/")[3]
        case = service.case(CLERK, case_id)
        assert case.over_budget and case.visits[0].over_budget_reason == "申请人自愿到窗口办理"
