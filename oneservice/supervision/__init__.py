"""Electronic supervision (电子监察) and the figures the reform is judged by.

- :mod:`.supervisor` — :class:`Supervision`: the deadline scan and :meth:`Supervision.report`;
- :mod:`.render` — a report as text, CSV, JSON or HTML.

The SQL behind both stays in :mod:`oneservice.store.supervision`.
"""

from __future__ import annotations

from .supervisor import GROUPINGS as GROUPINGS
from .supervisor import LEVELS as LEVELS
from .supervisor import REQUEST_WARNING_KINDS as REQUEST_WARNING_KINDS
from .supervisor import WARNING_KINDS as WARNING_KINDS
from .supervisor import Figures as Figures
from .supervisor import Report as Report
from .supervisor import ScanResult as ScanResult
from .supervisor import Supervision as Supervision

__all__ = ["GROUPINGS", "LEVELS", "REQUEST_WARNING_KINDS", "WARNING_KINDS", "Figures", "Report", "ScanResult",
           "Supervision"]
