"""Fixtures of the browser tests: Debian's Chromium driven by Playwright (the tool's own browser
download does not work here: ``.ci/run`` installs ``chromium`` with apt), a real server over the
``store`` fixture (SQLite, then PostgreSQL) and the shipped catalogue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import CHROMIUM, CHROMIUM_FLAGS, SECRET, Screens, running_server, screenshot_dir

from oneservice.http import TokenAuthority

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it: apt-get install chromium)",
                allow_module_level=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def authority() -> TokenAuthority:
    return TokenAuthority(SECRET, None)


@pytest.fixture
def site(service, authority) -> Iterator[str]:
    """The base URL of a server over ``service`` (its simulated clock is the tests' ``clock``)."""
    with running_server(service, authority) as base:
        yield base


@pytest.fixture
def screens(tmp_path) -> Screens:
    return Screens(screenshot_dir(tmp_path))
