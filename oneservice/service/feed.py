"""The global event feed for subscribers: events after a position, filtered, with a long poll.

::

    feed = service.feed
    page = feed.events_after(0, limit=100, kinds={"CaseAccepted"}, matter="start-a-business")
    last = page[-1].position if page else 0
    more = feed.wait(last, timeout=20)       # returns as soon as an event after ``last`` commits

Each :class:`~oneservice.store.outbox.FeedEvent` names its schema (``oneservice.event/1``) and its
position; positions are gapless per store (docs/events.md). A subscriber keeps the last position
it handled and asks for what follows; an event may be handed over more than once (at least
once), its ``id`` (``case_id/seq``) is what a consumer de-duplicates by.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ..errors import FeedQueryInvalid
from ..store import Store
from ..store.outbox import FeedEvent, FeedScope, events_after

__all__ = ["MAX_LIMIT", "MAX_WAIT", "Feed"]

MAX_LIMIT = 1000
"""The most events one page holds."""

MAX_WAIT = 30.0
"""The longest long poll, in seconds (a proxy in front usually cuts idle requests at 60)."""

POLL = 1.0
"""How often a long poll looks at the database for events another process committed."""


class Feed:
    """Events of one store in position order (``service.feed``)."""

    def __init__(self, store: Store, *, poll: float = POLL) -> None:
        self._store = store
        self._poll = poll

    def events_after(
        self,
        after: int = 0,
        *,
        limit: int = 100,
        kinds: Iterable[str] | None = None,
        matter: str | None = None,
        department: str | None = None,
        location: str | None = None,
        scope: FeedScope | None = None,
    ) -> list[FeedEvent]:
        """Up to ``limit`` events with a position above ``after``, in position order.

        ``kinds``: event types (``CaseAccepted``, ``ItemApproved`` …); ``matter``; ``department``:
        cases with an item of that department; ``location``: cases taken in there; ``scope``:
        what a reader may see (the HTTP API builds it from the caller's token).
        """
        _check(after, limit)
        return events_after(self._store, after, limit=limit, kinds=kinds, matter=matter,
                            department=department, location=location, scope=scope)

    def wait(
        self,
        after: int = 0,
        *,
        timeout: float,
        limit: int = 100,
        kinds: Iterable[str] | None = None,
        matter: str | None = None,
        department: str | None = None,
        location: str | None = None,
        scope: FeedScope | None = None,
    ) -> list[FeedEvent]:
        """:meth:`events_after`, waiting up to ``timeout`` seconds (≤ 30) for a first event.

        Wakes at once on a commit of this process, and looks at the database every second for
        commits of other processes. An empty list: nothing came in time.
        """
        if not 0 <= timeout <= MAX_WAIT:
            raise FeedQueryInvalid(
                f"wait must be 0 to {MAX_WAIT:g} seconds, not {timeout:g} / 等待时间超出范围",
                field="wait", hint="ask again with wait ≤ 30",
            )
        kinds = None if kinds is None else tuple(kinds)
        end = time.monotonic() + timeout
        signal = self._store.committed
        while True:
            seen = signal.generation
            page = self.events_after(after, limit=limit, kinds=kinds, matter=matter,
                                     department=department, location=location, scope=scope)
            left = end - time.monotonic()
            if page or left <= 0:
                return page
            signal.wait(seen, min(self._poll, left))


def _check(after: int, limit: int) -> None:
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise FeedQueryInvalid(f"after must be a position ≥ 0, not {after!r} / 位置须为非负整数",
                               field="after", hint="0 for the start of the feed")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise FeedQueryInvalid(f"limit must be 1 to {MAX_LIMIT}, not {limit!r} / 每页条数超出范围",
                               field="limit", hint=f"at most {MAX_LIMIT} events a page")
