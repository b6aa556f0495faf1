"""The application service: :class:`OneService` and what it returns.

- :mod:`.facade` — :class:`OneService`, one typed method per action, one transaction each;
- :mod:`.runner` — engines per definition version, the transaction around an action, idempotency;
- :mod:`.queries` — the read side (summaries, progress, worklists);
- :mod:`.calendar_updates` — new calendar data and the deadlines it moves;
- :mod:`.files` — materials as files and licence references, the retention purge (:mod:`.filetypes`);
- :mod:`.views` — the values the service returns (:class:`CaseSummary`, :class:`Notice`, …).
"""

from __future__ import annotations

from .facade import OneService as OneService
from .runner import calendar_from_catalogue as calendar_from_catalogue
from .views import CaseSummary as CaseSummary
from .views import Notice as Notice
from .views import ProgressView as ProgressView

__all__ = ["CaseSummary", "Notice", "OneService", "ProgressView", "calendar_from_catalogue"]
