"""Signing in and out in a real browser; the language switch; the login page's own checks."""

from __future__ import annotations

from web_helpers import sign_in

from oneservice import Actor, Role


def test_a_clerk_signs_in_sees_the_desk_and_signs_out(browser, site, authority, screens):
    clerk = Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre")
    page = browser.new_context().new_page()
    page.goto(site + "/")
    screens.check(page, "login", "工作人员与申请人登录", "查询办件进度")
    page = sign_in(browser, site, authority, clerk)
    assert page.url.endswith("/web/desk")
    screens.check(page, "desk-home", "clerk-01", "综合窗口")
    page.click("text=English")
    screens.check(page, "desk-home-en", "Front desk", "Sign out")
    page.click("text=Sign out")
    assert page.url.endswith("/")
    assert "signed out" in page.inner_text("body")


def test_a_bad_token_is_refused_on_the_page(browser, site, screens):
    page = browser.new_context().new_page()
    page.goto(site + "/")
    page.fill("#token", "not-a-token")
    page.click("button[type=submit].primary")
    text = screens.check(page, "login-refused", "令牌无效")
    assert "/web/" not in page.url
    assert "Traceback" not in text
