"""Fixtures of the engine tests: the tests' own catalogue, a clock, one :class:`Desk` per matter.

Everything runs in memory (see ``engine_helpers.py``); nothing here opens a store.
"""

from __future__ import annotations

import pytest
from engine_helpers import MONDAY, SHOP, STRICT, WORKFLOWS, Desk, build_engine

from oneservice.catalog.loader import load_catalogue
from oneservice.engine.clock import SimulatedClock


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue([WORKFLOWS])


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(MONDAY)


@pytest.fixture
def shop(catalogue, clock) -> Desk:
    """open-shop: a refused item cancels the items depending on it."""
    return Desk(build_engine(catalogue.plan(SHOP), catalogue), clock)


@pytest.fixture
def strict(catalogue, clock) -> Desk:
    """open-shop-strict: a refused item cancels every open item."""
    return Desk(build_engine(catalogue.plan(STRICT), catalogue), clock)
