"""The catalogue browser in a real browser: the matters, one matter (items, notice of a situation,
the diagram, the trip proof) and the findings of check with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_helpers import sign_in

from oneservice import Actor, Role, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
AUTHOR = Actor(Role.SUPERVISOR, "sup-01")


@pytest.fixture(scope="module")
def catalogue():
    """The shipped catalogue and one item whose definition gives a warning (OS411)."""
    return load_catalogue([ROOT / "workflows", ROOT / "tests/fixtures/broken/os411-optional-waivable.yaml"])


def test_the_author_browses_matters_a_matter_and_the_findings(browser, site, authority, screens):
    page = sign_in(browser, site, authority, AUTHOR)
    page.click("text=事项目录")
    screens.check(page, "catalogue-matters", "事项目录", "开办企业", "承诺时限", "水电气网联合报装")
    page.click("text=水电气网联合报装一件事")
    page.select_option("#q-road_works", "false")
    page.select_option("#q-green_works", "false")
    page.select_option("#q-wants_gas", "true")
    page.select_option("#q-wants_internet", "false")
    page.click("text=生成该情形的告知单")
    text = screens.check(page, "catalogue-matter", "审批事项", "流程图", "跑动次数证明", "一次性告知",
                         "所选情形", "不涉及的事项", "前台综合受理")
    assert page.locator("svg.diagram rect").count() >= 3
    assert "330100-WL-BZ" in text.split("不涉及的事项")[1].split("\n")[0]
    page.goto(site + "/web/catalogue")
    page.click("text=检查结果（check）")
    screens.check(page, "catalogue-findings", "OS411", "os411-optional-waivable.yaml:15:7", "1 个警告")
    page.check("#strict")
    page.click("text=重新检查")
    screens.check(page, "catalogue-findings-strict", "OS418", full_page=False)  # 165 findings long
