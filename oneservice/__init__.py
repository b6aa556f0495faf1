"""oneservice — make China's "at most one trip" (最多跑一次) reform executable and checkable.

Definitions (items and matters in YAML) are loaded and checked by :func:`load_catalogue`;
cases are driven through :class:`OneService`, which persists them in a :class:`Store`.

Every name below is imported from its module on first use (PEP 562), so ``import oneservice``
and the command line (``oneservice --help``) load neither SQLAlchemy nor Flask until a name
that needs them is used. Type checkers read the imports under ``TYPE_CHECKING``.
"""

import importlib as _importlib
import typing as _typing

from oneservice._version import __version__ as __version__  # eager: a string, and not in __all__

if _typing.TYPE_CHECKING:
    from .catalog.catalogue import Catalogue as Catalogue
    from .catalog.loader import CheckReport as CheckReport
    from .catalog.loader import check as check
    from .catalog.loader import load_catalogue as load_catalogue
    from .catalog.notice import notice_data as notice_data
    from .catalog.notice import render_diagram as render_diagram
    from .catalog.notice import render_notice as render_notice
    from .catalog.plan import MatterPlan as MatterPlan
    from .domain.case import Actor as Actor
    from .domain.case import Applicant as Applicant
    from .domain.case import Case as Case
    from .domain.case import CaseState as CaseState
    from .domain.case import Party as Party
    from .domain.case import RatingLevel as RatingLevel
    from .domain.case import Role as Role
    from .domain.case import TaskState as TaskState
    from .engine.calendar import Due as Due
    from .engine.calendar import WorkCalendar as WorkCalendar
    from .engine.clock import TZ as TZ
    from .engine.clock import Clock as Clock
    from .engine.clock import SimulatedClock as SimulatedClock
    from .engine.clock import SystemClock as SystemClock
    from .errors import ActionRejected as ActionRejected
    from .errors import CalendarConflict as CalendarConflict
    from .errors import CalendarError as CalendarError
    from .errors import CaseError as CaseError
    from .errors import CaseNotFound as CaseNotFound
    from .errors import ConcurrencyConflict as ConcurrencyConflict
    from .errors import DefinitionError as DefinitionError
    from .errors import DuplicateAction as DuplicateAction
    from .errors import Finding as Finding
    from .errors import IllegalAction as IllegalAction
    from .errors import InvalidIdentifier as InvalidIdentifier
    from .errors import InvalidInput as InvalidInput
    from .errors import NotAuthorised as NotAuthorised
    from .errors import OneServiceError as OneServiceError
    from .errors import PartyError as PartyError
    from .errors import PointError as PointError
    from .errors import RoutingError as RoutingError
    from .errors import SchemaOutOfDate as SchemaOutOfDate
    from .errors import StoreError as StoreError
    from .errors import UnknownDefinition as UnknownDefinition
    from .service import OneService as OneService
    from .service.views import CaseSummary as CaseSummary
    from .service.views import Notice as Notice
    from .service.views import ProgressView as ProgressView
    from .store import Page as Page
    from .store import Store as Store

__all__ = [
    "TZ",
    "ActionRejected",
    "Actor",
    "Applicant",
    "CalendarConflict",
    "CalendarError",
    "Case",
    "CaseError",
    "CaseNotFound",
    "CaseState",
    "CaseSummary",
    "Catalogue",
    "CheckReport",
    "Clock",
    "ConcurrencyConflict",
    "DefinitionError",
    "Due",
    "DuplicateAction",
    "Finding",
    "IllegalAction",
    "InvalidIdentifier",
    "InvalidInput",
    "MatterPlan",
    "NotAuthorised",
    "Notice",
    "OneService",
    "OneServiceError",
    "Page",
    "Party",
    "PartyError",
    "PointError",
    "ProgressView",
    "RatingLevel",
    "Role",
    "RoutingError",
    "SchemaOutOfDate",
    "SimulatedClock",
    "Store",
    "StoreError",
    "SystemClock",
    "TaskState",
    "UnknownDefinition",
    "WorkCalendar",
    "check",
    "load_catalogue",
    "notice_data",
    "render_diagram",
    "render_notice",
]

# The module each public name is imported from: the same as the imports above (a test checks).
_MODULES = {
    ".catalog.catalogue": ("Catalogue",),
    ".catalog.loader": ("CheckReport", "check", "load_catalogue"),
    ".catalog.notice": ("notice_data", "render_diagram", "render_notice"),
    ".catalog.plan": ("MatterPlan",),
    ".domain.case": ("Actor", "Applicant", "Case", "CaseState", "Party", "RatingLevel", "Role",
                     "TaskState"),
    ".engine.clock": ("TZ", "Clock", "SimulatedClock", "SystemClock"),
    ".engine.calendar": ("Due", "WorkCalendar"),
    ".errors": (
        "ActionRejected", "CalendarConflict", "CalendarError", "CaseError", "CaseNotFound",
        "ConcurrencyConflict", "DefinitionError", "DuplicateAction", "Finding", "IllegalAction",
        "InvalidIdentifier", "InvalidInput", "NotAuthorised", "OneServiceError", "PartyError",
        "PointError", "RoutingError", "SchemaOutOfDate", "StoreError",
        "UnknownDefinition",
    ),
    ".service": ("OneService",),
    ".service.views": ("CaseSummary", "Notice", "ProgressView"),
    ".store": ("Page", "Store"),
}
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}

if not _typing.TYPE_CHECKING:  # hidden from type checkers: a misspelt name stays a type error

    def __getattr__(name: str) -> object:
        """Import a public name's module on first access (PEP 562) and keep the name."""
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
