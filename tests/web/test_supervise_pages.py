"""The supervisor's pages through Flask's test client: warnings and their scope, figures, appeals,
extensions, calendars, and bad input."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from staff_pages import (
    ME,
    REGISTRATION,
    SUPERVISOR,
    accepted_business,
    client_for,
    delivered_business,
    page_csrf,
    reviewer_of,
)

from oneservice import TZ, Actor, Role
from oneservice.supervision import Supervision

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_2027 = ROOT / "tests" / "fixtures" / "calendars" / "2027.yaml"  # TEST FIXTURE: invented dates
WED = dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ)  # the case and the registration were due Tue 3 Nov


def overdue_case(service, clock):
    case_id = accepted_business(service)
    clock.set(WED)
    Supervision(service).scan()
    return case_id


class TestWarnings:
    def test_red_cases_and_recorded_warnings_link_to_the_case(self, service, clock):
        case_id = overdue_case(service, clock)
        html = client_for(service, SUPERVISOR).get("/web/supervision").get_data(as_text=True)
        assert html.count(f'href="/web/cases/{case_id}"') >= 3  # the red case, two red warnings
        assert "事项承诺时限" in html and "办件承诺时限" in html
        yellow = client_for(service, SUPERVISOR).get("/web/supervision?colour=yellow").get_data(as_text=True)
        assert "事项法定时限" in yellow  # the registration's legal limit, due Thu 5 Nov

    def test_filter_by_kind(self, service, clock):
        overdue_case(service, clock)
        html = client_for(service, SUPERVISOR).get("/web/supervision?kind=item").get_data(as_text=True)
        recorded = html.split('id="recorded-warnings"')[1]
        assert REGISTRATION in recorded and "办件承诺时限" not in recorded

    def test_the_case_page_shows_its_warnings(self, service, clock):
        case_id = overdue_case(service, clock)
        html = client_for(service, SUPERVISOR).get(f"/web/cases/{case_id}").get_data(as_text=True)
        panel = html.split('id="case-warnings"')[1].split("</table>")[0]
        assert panel.count('class="colour red"') == 2 and "2026-11-03" in panel

    def test_a_supervisor_of_another_region_does_not_see_the_case(self, service, clock):
        """A token of region 3302 (Ningbo): no warning, no red case, and the case file is 404."""
        case_id = overdue_case(service, clock)
        client = client_for(service, SUPERVISOR, region="3302")
        html = client.get("/web/supervision").get_data(as_text=True)
        assert case_id not in html
        assert client.get(f"/web/cases/{case_id}").status_code == 404
        figures = client.get("/web/supervision/figures").get_data(as_text=True)
        assert case_id not in figures.split('id="overdue"')[1]
        own = client_for(service, SUPERVISOR, region="3301").get("/web/supervision").get_data(as_text=True)
        assert case_id in own

    def test_an_unknown_colour_or_kind_falls_back_to_all_red(self, service, clock):
        case_id = overdue_case(service, clock)
        reply = client_for(service, SUPERVISOR).get("/web/supervision?colour=green&kind=nonsense")
        assert reply.status_code == 200 and case_id in reply.get_data(as_text=True)

    def test_other_roles_are_refused(self, service):
        assert client_for(service, reviewer_of(service)).get("/web/supervision").status_code == 403


class TestFigures:
    def test_the_reports_numbers_and_charts(self, service):
        delivered_business(service)
        accepted_business(service)
        html = client_for(service, SUPERVISOR).get("/web/supervision/figures?by=matter").get_data(as_text=True)
        report = Supervision(service).report(None, None, "matter")
        assert f'<strong id="total-cases">{report.total.cases}</strong>' in html
        assert report.total.cases == 2
        for chart in ("chart-shares", "chart-trips", "chart-trend", "chart-satisfaction"):
            assert f'id="{chart}"' in html
        assert 'data-key="start-a-business"' in html

    def test_a_rating_changes_the_satisfaction_figures(self, service):
        case_id = delivered_business(service)
        client = client_for(service, SUPERVISOR)
        before = client.get("/web/supervision/figures").get_data(as_text=True)
        service.rate(ME, case_id, 5, "很方便")
        after = client.get("/web/supervision/figures").get_data(as_text=True)
        ratings = after.split('id="ratings"')[1].split("</table>")[0]
        assert "<td>1</td>" in ratings and "<td>1</td>" not in before.split('id="ratings"')[1].split("</table>")[0]

    def test_a_bad_period_is_an_error_page(self, service):
        client = client_for(service, SUPERVISOR)
        bad_date = client.get("/web/supervision/figures?from=2026-13-01")
        assert bad_date.status_code == 422 and "2026-13-01" in bad_date.get_data(as_text=True)
        backwards = client.get("/web/supervision/figures?from=2026-11-05&to=2026-11-01")
        assert backwards.status_code == 422
        assert client.get("/web/supervision/figures?by=colour").status_code == 422


class TestAppeals:
    def appealed(self, service):
        tax = service.catalogue.item("330102-SW-XBNSR").department
        case_id = delivered_business(service)
        service.rate(ME, case_id, 1, "随便打的", about={"kind": "department", "id": tax})
        service.appeal_rating(Actor(Role.REVIEWER, "rev-tax", department=tax), case_id, "申请人系误评")
        return case_id

    def test_decide_an_appeal(self, service):
        case_id = self.appealed(service)
        client = client_for(service, SUPERVISOR)
        html = client.get("/web/supervision/appeals").get_data(as_text=True)
        assert "申请人系误评" in html and "随便打的" in html
        reply = client.post(f"/web/supervision/cases/{case_id}/appeal",
                            data={"csrf": page_csrf(client, "/web/supervision/appeals"), "rating": "1",
                                  "decision": "upheld", "note": "经核实为误评", "back": "/web/supervision/appeals"},
                            follow_redirects=True)
        assert "申诉成立" in reply.get_data(as_text=True)
        assert service.case(SUPERVISOR, case_id).ratings[0].appeal.decision == "upheld"
        assert "申请人系误评" not in client.get("/web/supervision/appeals").get_data(as_text=True)

    def test_a_decision_without_reasons_is_flashed(self, service):
        case_id = self.appealed(service)
        client = client_for(service, SUPERVISOR)
        reply = client.post(f"/web/supervision/cases/{case_id}/appeal",
                            data={"csrf": page_csrf(client, "/web/supervision/appeals"), "rating": "1",
                                  "decision": "maybe", "note": "x"}, follow_redirects=True)
        assert 'class="flash error"' in reply.get_data(as_text=True)
        assert service.case(SUPERVISOR, case_id).ratings[0].appeal.decision is None


class TestExtensions:
    def test_no_request_waits_and_the_warned_legal_limits_are_listed(self, service, clock):
        case_id = overdue_case(service, clock)
        html = client_for(service, SUPERVISOR).get("/web/supervision/appeals").get_data(as_text=True)
        assert "没有待审批的延期申请" in html
        legal = html.split('id="legal-limits"')[1]
        assert case_id in legal and REGISTRATION in legal

    def test_grant_an_item_extension(self, service):
        case_id = accepted_business(service)
        client = client_for(service, SUPERVISOR)
        page = client.get(f"/web/cases/{case_id}").get_data(as_text=True)
        assert f'<option value="{REGISTRATION}">' in page
        reply = client.post(f"/web/supervision/cases/{case_id}/extension",
                            data={"csrf": page_csrf(client, f"/web/cases/{case_id}"), "item": REGISTRATION,
                                  "days": "5", "reason": "需组织专家论证"}, follow_redirects=True)
        assert "已延长 5 个工作日" in reply.get_data(as_text=True)
        assert service.case(SUPERVISOR, case_id).deadlines[("item_legal", REGISTRATION)].extension_days == 5
        again = client.post(f"/web/supervision/cases/{case_id}/extension",
                            data={"csrf": page_csrf(client, f"/web/cases/{case_id}"), "item": REGISTRATION,
                                  "days": "3", "reason": "再次延期"}, follow_redirects=True)
        assert 'class="flash error"' in again.get_data(as_text=True)  # the law allows one extension

    def test_days_must_be_a_number(self, service):
        case_id = accepted_business(service)
        client = client_for(service, SUPERVISOR)
        reply = client.post(f"/web/supervision/cases/{case_id}/extension",
                            data={"csrf": page_csrf(client, f"/web/cases/{case_id}"), "item": REGISTRATION,
                                  "days": "ten", "reason": "x"}, follow_redirects=True)
        assert "整数" in reply.get_data(as_text=True)
        assert service.case(SUPERVISOR, case_id).deadlines[("item_legal", REGISTRATION)].extension_days == 0

    def test_another_regions_supervisor_cannot_extend(self, service):
        case_id = accepted_business(service)
        client = client_for(service, SUPERVISOR, region="3302")
        reply = client.post(f"/web/supervision/cases/{case_id}/extension",
                            data={"csrf": page_csrf(client, "/web/supervision"), "item": REGISTRATION,
                                  "days": "5", "reason": "x"})
        assert reply.status_code == 404


class TestCalendars:
    def upload(self, client, name, data):
        return client.post("/web/supervision/calendars", data={
            "csrf": page_csrf(client, "/web/supervision/calendars"), "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)

    def test_load_a_year_from_yaml(self, service):
        client = client_for(service, SUPERVISOR)
        before = client.get("/web/supervision/calendars").get_data(as_text=True)
        assert "2004–2026" in before
        html = self.upload(client, "2027.yaml", FIXTURE_2027.read_bytes())
        assert "已载入 2027 年工作日历" in html and "2004–2027" in html
        assert [row.year for row in service.calendar_years()] == [2027]

    def test_load_a_year_from_json(self, service):
        import json

        import yaml

        data = yaml.safe_load(FIXTURE_2027.read_text("utf-8"))
        text = json.dumps(data, default=str, ensure_ascii=False).encode()
        html = self.upload(client_for(service, SUPERVISOR), "2027.json", text)
        assert "已载入 2027 年工作日历" in html

    def test_malformed_data_and_no_file_are_shown(self, service):
        client = client_for(service, SUPERVISOR)
        html = self.upload(client, "bad.yaml", b"year: 2027\nsource: x\nholidays: []\nworkdays: [2027-01-04]\n")
        assert 'class="flash error"' in html and "OS610" in html
        broken = self.upload(client, "broken.yaml", b"year: [2027\n")
        assert 'class="flash error"' in broken
        none = client.post("/web/supervision/calendars", data={"csrf": page_csrf(client, "/web/supervision/calendars")},
                           follow_redirects=True).get_data(as_text=True)
        assert "请选择日历文件" in none
        assert service.calendar_years() == []
