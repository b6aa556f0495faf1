"""Problem details in the caller's language (``Accept-Language`` zh / en)."""

from __future__ import annotations

import pytest
from http_helpers import BIZ, LOCATION, PERSON

from oneservice import Actor, Role
from oneservice.http.language import TITLES_ZH, localise
from oneservice.http.problems import _TITLES

MISSING = "20261102-000000000000"


def problem(http, path: str, who="clerk", language: str | None = None, method="get", body=None):
    headers = {} if language is None else {"Accept-Language": language}
    call = http.client.get if method == "get" else http.client.post
    kwargs = {} if body is None else {"json": body}
    return call(path, headers=http.headers(who, headers), **kwargs)


class TestNegotiation:
    @pytest.mark.parametrize("header", ["zh", "zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "en;q=0.5, zh-Hans"])
    def test_chinese(self, http, header):
        r = problem(http, f"/cases/{MISSING}", language=header)
        assert r.status_code == 404 and r.headers["Content-Language"] == "zh"
        assert r.json["title"] == "办件不存在" and r.json["detail"].startswith("没有该办件（")
        assert MISSING in r.json["detail"] and r.json["code"] == "OS700"

    @pytest.mark.parametrize("header", ["en", "en-US", "zh;q=0.2, en"])
    def test_english(self, http, header):
        r = problem(http, f"/cases/{MISSING}", language=header)
        assert r.headers["Content-Language"] == "en" and r.json["title"] == "Case not found"

    def test_no_header_or_no_choice_keeps_the_body(self, http):
        plain = problem(http, f"/cases/{MISSING}")
        other = problem(http, f"/cases/{MISSING}", language="fr")
        assert plain.json == other.json and "Content-Language" not in plain.headers
        assert "Accept-Language" in plain.headers["Vary"]


class TestBilingualDetails:
    def test_halves_of_a_bilingual_detail(self, http):
        """A clerk opening a case at another centre: the detail is "… / 窗口人员只能在本服务点受理"."""
        other = http.authority.issue(Actor(Role.CLERK, "c9", location="sc-service-centre")).token
        body = {"matter_id": BIZ, "applicant": PERSON, "channel": "window", "location": LOCATION}
        both = problem(http, "/cases", other, method="post", body=body).json["detail"]
        zh = problem(http, "/cases", other, "zh", method="post", body=body).json
        en = problem(http, "/cases", other, "en", method="post", body=body).json
        assert " / " in both and zh["detail"] == "窗口人员只能在本服务点受理"
        assert en["detail"] == both.split(" / ")[0] and "窗口" not in en["detail"]
        assert zh["title"] == "无权操作" and en["title"] == "Not authorised" and zh["code"] == en["code"]

    def test_validation_and_token_problems(self, http):
        r = problem(http, "/cases?page_size=999", language="zh")
        assert r.status_code == 422 and r.json["title"] == "输入有误" and "errors" in r.json
        r = problem(http, "/cases", who="not-a-token", language="zh")
        assert r.status_code == 401 and r.json["title"] == "令牌无效"


def test_every_library_title_has_chinese():
    assert set(_TITLES) <= set(TITLES_ZH)
    assert localise({"code": "OS999", "status": 404, "title": "x", "detail": "gone"}, "zh")["title"] == "资源不存在"
