"""The catalogue browser through Flask's test client: matters, a matter's page (items, notice
per situation, SVG diagram, trip proof) and the findings of check with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from web_client import SECRET, Browser, web_app

from oneservice import Actor, OneService, Role, load_catalogue
from oneservice.http import TokenAuthority

ROOT = Path(__file__).resolve().parents[2]
READER = Actor(Role.REVIEWER, "rev-01", department="hz-amr")


def signed_in(service: OneService, actor: Actor = READER) -> Browser:
    authority = TokenAuthority(SECRET, None)
    page = Browser(web_app(service, authority))
    page.sign_in(authority, actor)
    return page


class TestMatters:
    def test_every_matter_with_its_trips_and_promise(self, service):
        body = signed_in(service).get("/web/catalogue").get_data(as_text=True)
        for matter_id in service.catalogue.matters:
            assert f'/web/catalogue/{matter_id}"' in body
        assert "开办企业" in body or "start-a-business" in body
        assert "承诺时限" in body

    def test_signed_out_goes_to_the_login(self, service):
        response = Browser(web_app(service, TokenAuthority(SECRET, None))).get("/web/catalogue")
        assert response.status_code == 302 and "/?next=" in response.headers["Location"]


class TestMatter:
    def test_items_limits_diagram_and_trip_proof(self, service):
        plan = service.catalogue.plan("start-a-business")
        body = signed_in(service).get("/web/catalogue/start-a-business").get_data(as_text=True)
        assert "<svg" in body and 'role="img"' in body
        assert body.count('marker-end="url(#arrow)"') >= len(plan.items) + 1  # every dependency an arrow
        for item in plan.items:
            assert item.code in body
        assert "flowchart LR" in body and "digraph" in body  # the mermaid and dot texts
        assert "跑动次数证明" in body
        assert ("待核实" in body) or ("已核实" in body)
        assert "stroke-dasharray" not in body  # no item depends on a situation here

    def test_items_of_some_situations_only_are_dashed(self, service):
        body = signed_in(service).get("/web/catalogue/utility-connection").get_data(as_text=True)
        assert 'stroke-dasharray="5 3"' in body and "wants_gas == true" in body

    def test_the_notice_of_one_situation(self, service):
        """Answering the situation leaves the items of the other situations out."""
        client = signed_in(service)
        every = client.get("/web/catalogue/utility-connection").get_data(as_text=True)
        assert "按情形办理" in every
        one = client.get("/web/catalogue/utility-connection?situation=1&road_works=false&green_works=false"
                         "&wants_gas=false&wants_internet=false").get_data(as_text=True)
        assert "不涉及的事项" in one and "330100-RQ-BZ" in one.split("不涉及的事项")[1][:400]
        assert 'value="false" selected' in one

    def test_a_wrong_answer_is_shown_and_the_whole_notice_given(self, service):
        body = signed_in(service).get("/web/catalogue/social-security-card?card_situation=nonsense")
        text = body.get_data(as_text=True)
        assert body.status_code == 200
        assert "OS" in text and 'role="alert"' in text and "按情形办理" in text

    def test_an_unknown_matter_is_404_with_a_suggestion(self, service):
        response = signed_in(service).get("/web/catalogue/start-a-busines")
        assert response.status_code == 404
        assert "start-a-business" in response.get_data(as_text=True)


class TestFindings:
    def test_the_shipped_catalogue_has_none_and_strict_lists_unverified_limits(self, service):
        client = signed_in(service)
        plain = client.get("/web/catalogue/findings").get_data(as_text=True)
        assert "0 个错误" in plain and "0 个警告" in plain
        strict = client.get("/web/catalogue/findings?strict=1").get_data(as_text=True)
        assert "OS418" in strict
        assert re.search(r"workflows/items/[^<]+\.yaml:\d+:\d+", strict)


@pytest.fixture
def warned(store, clock):
    catalogue = load_catalogue([ROOT / "tests/fixtures/minimal",
                                ROOT / "tests/fixtures/broken/os411-optional-waivable.yaml"])
    return OneService(catalogue, store, clock=clock)


def test_a_warning_is_listed_with_its_file_and_line(warned):
    body = signed_in(warned).get("/web/catalogue/findings").get_data(as_text=True)
    assert "OS411" in body and "1 个警告" in body
    assert "os411-optional-waivable.yaml:15:7" in body
