"""The web front's sessions: sign-in by token, the cookie's flags, CSRF, revocation, language,
redirects that stay on the site, progress codes."""

from __future__ import annotations

import pytest
from web_client import SECRET, Browser, web_app

from oneservice import Actor, Role
from oneservice.http import TokenAuthority

CLERK = Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre")


@pytest.fixture
def authority() -> TokenAuthority:
    return TokenAuthority(SECRET, None)


@pytest.fixture
def app(service, authority):
    return web_app(service, authority)


def test_the_login_page_is_served_at_the_root_in_chinese(app):
    page = Browser(app).get("/")
    assert page.status_code == 200
    assert "工作人员与申请人登录" in page.text
    assert '<label for="token">' in page.text


def test_a_clerk_signs_in_to_the_front_desk(app, authority):
    browser = Browser(app)
    answer = browser.sign_in(authority, CLERK)
    assert answer.headers["Location"] == "/web/desk"
    assert browser.get("/web/desk").status_code == 200


def test_the_session_cookie_is_httponly_lax_and_secure_by_default(service, authority):
    browser = Browser(web_app(service, authority, WEB_COOKIE_SECURE=True))
    answer = browser.post("/login", {"token": authority.issue(CLERK).token})
    cookie = answer.headers["Set-Cookie"]
    assert "oneservice_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_a_form_without_the_csrf_token_is_refused(app, authority):
    browser = Browser(app)
    browser.get("/")
    refused = browser.post("/login", {"token": authority.issue(CLERK).token}, csrf=False)
    assert refused.status_code == 400
    assert "CSRF" in refused.text
    forged = browser.post("/login", {"token": authority.issue(CLERK).token, "csrf": "forged"}, csrf=False)
    assert forged.status_code == 400
    assert browser.get("/web/desk").status_code == 302  # still signed out


def test_a_revoked_token_ends_the_session_on_the_next_page(app, authority):
    browser = Browser(app)
    issued = authority.issue(CLERK)
    browser.post("/login", {"token": issued.token})
    assert browser.get("/web/desk").status_code == 200
    authority.revoke(issued.id)
    answer = browser.get("/web/desk")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/?next=")
    assert "登录已失效" in browser.get("/").text


def test_a_bad_token_and_a_system_token_do_not_sign_in(app, authority):
    browser = Browser(app)
    bad = browser.post("/login", {"token": "eyJ.not.a.token"})
    assert bad.headers["Location"] == "/"
    assert "令牌无效" in browser.get("/").text
    system = authority.issue(Actor(Role.SYSTEM, "carrier"), scopes=("delivery",))
    browser.post("/login", {"token": system.token})
    assert "系统凭证不能登录页面" in browser.get("/").text
    assert browser.get("/web/desk").status_code == 302


def test_pages_of_another_role_are_forbidden(app, authority):
    browser = Browser(app)
    browser.sign_in(authority, CLERK)
    answer = browser.get("/web/office")
    assert answer.status_code == 403
    assert "此页面不属于您的岗位" in answer.text


def test_after_sign_in_the_user_returns_to_the_page_asked_for_on_this_site_only(app, authority):
    browser = Browser(app)
    asked = browser.get("/web/catalogue")
    assert asked.headers["Location"] == "/?next=/web/catalogue"
    back = browser.post("/login", {"token": authority.issue(CLERK).token, "next": "/web/catalogue"})
    assert back.headers["Location"] == "/web/catalogue"
    elsewhere = Browser(app)
    away = elsewhere.post("/login", {"token": authority.issue(CLERK).token, "next": "//evil.example/x"})
    assert away.headers["Location"] == "/web/desk"


def test_the_language_switch_is_kept_across_sign_in(app, authority):
    browser = Browser(app)
    browser.get("/lang/en", headers={"Referer": "http://localhost/"})
    assert "Sign in" in browser.get("/").text
    browser.sign_in(authority, CLERK)
    page = browser.get("/web/desk")
    assert "Front desk" in page.text and '<html lang="en">' in page.text
    browser.get("/lang/zh")
    assert "综合窗口" in browser.get("/web/desk").text


def test_signing_out_needs_the_csrf_token_and_ends_the_session(app, authority):
    browser = Browser(app)
    browser.sign_in(authority, CLERK)
    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/web/desk").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert browser.get("/web/desk").status_code == 302


def test_progress_codes_are_stable_per_secret_and_forgive_how_they_are_typed(service, authority, app):
    from oneservice.web.codes import normalise_code, progress_code, verify_code

    with app.app_context():
        code = progress_code("C-2026-000001")
        assert code == progress_code("C-2026-000001")
        assert len(code) == 9 and code[4] == "-"
        assert code != progress_code("C-2026-000002")
        assert verify_code("C-2026-000001", code.lower().replace("-", " "))
        assert not verify_code("C-2026-000002", code)
        assert normalise_code("k7q2m9xo") == "K7Q2-M9X0"
    other = web_app(service, TokenAuthority(b"another-secret-0123456789abcdefghij", None))
    with other.app_context():
        assert progress_code("C-2026-000001") != code


def test_the_api_alone_can_be_served_without_the_web_front(service, authority):
    from oneservice.http import create_app

    app = create_app(service, authority, config={"WEB": False})
    assert app.test_client().get("/").status_code == 404
    assert app.test_client().get("/matters").status_code == 200


def test_every_page_carries_the_security_headers_and_is_not_cached(app, authority):
    browser = Browser(app)
    login = browser.get("/")
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]
    assert "script-src 'self'" in login.headers["Content-Security-Policy"]
    assert login.headers["X-Frame-Options"] == "DENY"
    assert login.headers["X-Content-Type-Options"] == "nosniff"
    browser.sign_in(authority, CLERK)
    desk = browser.get("/web/desk")
    assert desk.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in desk.headers
    assert "no-store" not in browser.get("/web/static/web.css").headers.get("Cache-Control", "")
    assert "Content-Security-Policy" not in browser.client.get("/matters").headers  # the API's JSON
