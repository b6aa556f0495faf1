"""The case engine: every action on a case, in memory, with its guards, deadlines and events.

A :class:`CaseEngine` serves every case of one definition version (one :class:`MatterPlan`); the
state machines (:data:`~oneservice.engine.machines.MACHINES`) are shared by all engines. Each action
is declared in :data:`oneservice.domain.actions.ACTIONS` and its rule is the method of the same name:

1. checks the actor may perform it (:class:`~oneservice.errors.NotAuthorised`),
2. checks the state machine allows it now (:class:`~oneservice.errors.IllegalAction`, naming the
   actions allowed now),
3. checks its guards (:class:`~oneservice.errors.ActionRejected`, with a reason code),
4. changes the case and appends its events (past tense, gapless sequence).

Persistence and transactions are the service's business, not the engine's.

The rules live in one class per desk, each a subclass of :class:`~oneservice.engine.base.EngineBase`
(events, errors, authorisation, trips, deadlines) and calling nothing of the others, so a desk's
``self`` is its own file plus ``base.py``; :class:`CaseEngine` only unites them::

    CaseEngine
    ├── FrontDesk   (front_desk.py)   open_case, submit, completeness, give_notice, supplement,
    │                                 accept, accept_with_deficiency, refuse, supply_owed
    ├── BackOffice  (back_office.py)  start_review, approve, refuse_item, request_correction,
    │                                 supply_correction, suspend, resume, record_visit,
    │                                 extend_item, request_extension, decide_extension, extend_case
    ├── Window      (window.py)       deliver, release_results, conclude, withdraw, terminate_overdue
    ├── Ratings     (ratings.py)      rate, record_callback, record_rectified, appeal_rating,
    │                                 decide_appeal
    ├── Reports     (reports.py)      confirm_fee, record_licence, record_receipt, record_reference
    ├── Attachments (attachments.py)  attach_material, purge_files
    └── Signatures  (signatures.py)   sign
"""

from __future__ import annotations

from .attachments import Attachments
from .back_office import BackOffice
from .completeness import Completeness, Issue
from .front_desk import FrontDesk
from .ratings import Ratings
from .reports import Reports
from .signatures import Signatures
from .window import Window

__all__ = ["CaseEngine", "Completeness", "Issue"]


class CaseEngine(FrontDesk, BackOffice, Window, Ratings, Reports, Attachments, Signatures):
    """All actions on the cases of one definition version."""
