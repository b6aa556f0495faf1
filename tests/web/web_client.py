"""The Flask test client signed in through the login form (imported by name by tests/web)."""

from __future__ import annotations

import re
from typing import Any

from oneservice import Actor
from oneservice.http import TokenAuthority, create_app

SECRET = b"web-tests-secret-0123456789abcdefgh"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


class Browser:
    """A test client with a session: ``page = Browser(app); page.sign_in(authority, actor)``."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        if response.mimetype == "text/html" and 'name="csrf"' in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        if csrf and not self.csrf:
            self.get("/")
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        return self.client.post(path, data=form, **kwargs)

    def sign_in(self, authority: TokenAuthority, actor: Actor, **claims: Any) -> Any:
        response = self.post("/login", {"token": authority.issue(actor, **claims).token})
        assert response.status_code == 302, response.text
        return response


def web_app(service: Any, authority: TokenAuthority, **config: Any) -> Any:
    return create_app(service, authority, config={"WEB_COOKIE_SECURE": False, **config})
