"""The browser tests' tools (imported by name): a real server on a free port, a signed-in page
per role, and :class:`Screens`, which saves a screenshot of every screen and checks it.

Every screen a test saves is checked for: the text the test expects, no resident ID number in
full (any 18-character number with a valid check digit, in the text or the HTML), and a label
for every input, select and textarea (``<label for>``, a wrapping ``<label>``, ``aria-label`` or
``aria-labelledby``). Screenshots go to ``$ONESERVICE_WEB_SCREENSHOTS`` (``docs/web`` makes the
pictures of docs/web.md) or the test's temporary directory.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stdnum.cn import ric

from oneservice import Actor, OneService
from oneservice.http import TokenAuthority, create_app

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"browser-tests-secret-0123456789abcdef"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.type || '').toLowerCase()))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 160))"""


def full_ids(text: str) -> list[str]:
    """The resident ID numbers shown in full in ``text``."""
    return [m for m in _ID_LIKE.findall(text) if ric.is_valid(m)]


@contextmanager
def running_server(service: OneService, authority: TokenAuthority) -> Iterator[str]:
    """The app under waitress on a free port of 127.0.0.1, in a thread; yields its base URL."""
    from waitress.server import create_server

    app = create_app(service, authority, config={"WEB_COOKIE_SECURE": False})
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="oneservice-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=10)


class Screens:
    """Saves and checks each screen a test visits."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []

    def check(self, page: Any, name: str, *expected: str, full_page: bool = True) -> str:
        """Screenshot ``page`` as ``name.jpg`` (the whole page, or the window where it is long);
        assert ``expected`` texts, masking and labels."""
        page.wait_for_load_state("networkidle")
        text = page.inner_text("body")
        for want in expected:
            assert want in text, f"screen {name}: {want!r} is not on the page ({page.url})"
        html = page.content()
        shown = full_ids(text) + full_ids(html)
        assert not shown, f"screen {name} ({page.url}) shows resident ID numbers in full: {shown}"
        unlabelled = page.evaluate(_UNLABELLED)
        assert not unlabelled, f"screen {name} ({page.url}) has inputs without a label: {unlabelled}"
        path = self.directory / f"{name}.jpg"  # JPEG: the pictures of docs/web.md stay small
        page.screenshot(path=str(path), full_page=full_page, type="jpeg", quality=70)
        self.saved.append(path)
        return text


def screenshot_dir(tmp_path: Path) -> Path:
    configured = os.environ.get("ONESERVICE_WEB_SCREENSHOTS")
    return Path(configured) if configured else tmp_path / "screens"


def sign_in(browser: Any, base: str, authority: TokenAuthority, actor: Actor, *,
            lang: str | None = None, **claims: Any) -> Any:
    """A new browser context signed in as ``actor`` through the login form; returns its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    if lang:
        page.goto(f"{base}/lang/{lang}")
    page.goto(f"{base}/")
    page.fill("#token", authority.issue(actor, **claims).token)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    return page
