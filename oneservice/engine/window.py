"""Single-window (统一出件) and after-service actions: deliver, close, withdraw, terminate, rate.

Results are delivered together, once no material is owed. A case ends early when the applicant
withdraws it or when an owed material is overdue (the timer terminates it); its open items are
cancelled. A bad rating (好差评) opens a rectification with a callback (回访) due in
:data:`CALLBACK_DAYS` and the rectification in :data:`RECTIFY_DAYS` working days.
"""

from __future__ import annotations

import datetime as dt

from ..domain.case import Actor, Case, Rating, RatingLevel, Rectification, Role
from ..domain.definitions import Channel, Limit
from ..errors import InvalidInput
from .base import EngineBase, require_text
from .labels import PROVISIONAL_DUE

__all__ = ["CALLBACK_DAYS", "RECTIFY_DAYS", "Window"]

CALLBACK_DAYS = 1
RECTIFY_DAYS = 15


class Window(EngineBase):
    """Delivering and closing a case, ending it early, and rating it."""

    def deliver(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        channel: str,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Deliver all results together: at the window, by mail or electronically."""
        self.authorise(case, actor, "deliver")
        if actor.role is Role.SYSTEM and channel == Channel.WINDOW:
            raise self._deny(case, actor, "a hand-over at the window needs a window clerk")
        self._case_step(case, "deliver", actor)
        allowed = {Channel(c) for c in self.plan.trips.delivery_channels}
        chosen = self._channel(case, channel, allowed, "delivery")
        owed = [m.material_id for m in case.owed()]
        if owed:
            raise self._reject(
                case,
                "results are issued only after the owed materials are supplied: " + ", ".join(owed),
                "materials_owed",
                {"owed": owed},
            )
        if self._on_site(chosen):
            self._visit(case, actor, now, actor.location, "pickup", over_budget_reason)
        case.delivery_channel = chosen.value
        self._fire(case, "deliver", actor)
        self._event(case, now, "ResultsDelivered", actor, channel=chosen.value, outcome=case.outcome)

    def conclude(self, case: Case, actor: Actor, now: dt.datetime) -> None:
        self.authorise(case, actor, "conclude")
        self._fire(case, "conclude", actor)
        self._event(case, now, "CaseClosed", actor)

    # ------------------------------------------------------------------ applicant, timers

    def withdraw(self, case: Case, actor: Actor, now: dt.datetime, reason: str) -> None:
        self.authorise(case, actor, "withdraw")
        require_text(reason, "reason")
        self._fire(case, "withdraw", actor)
        self._cancel_open(case, now, actor, "withdrawn")
        case.concluded_at = now
        self._event(case, now, "CaseWithdrawn", actor, reason=reason)

    def _cancel_open(self, case: Case, now: dt.datetime, actor: Actor, why: str) -> None:
        for code, task in case.tasks.items():
            if not task.concluded:
                self._fire_task(case, task, "cancel")
                task.concluded_at, task.reason = now, why
                self._event(
                    case, now, "ItemCancelled", actor, item=code, department=task.department, because=why
                )

    def terminate_overdue(self, case: Case, actor: Actor, now: dt.datetime) -> bool:
        """Terminate the case when an owed material is past its due date; False if none is.

        A due date computed on a guessed calendar year still terminates (the applicant was told
        that date), but never silently: the event then says ``provisional: true`` and why.
        """
        self.authorise(case, actor, "terminate")
        late = [m for m in case.owed() if m.due is not None and m.due < now.date()]
        if not late:
            return False
        self._fire(case, "terminate", actor)
        self._cancel_open(case, now, actor, "terminated")
        case.concluded_at = now
        provisional = any(m.due_provisional for m in late)
        self._event(
            case,
            now,
            "CaseTerminated",
            actor,
            overdue=[
                {"material": m.material_id, "due": m.due.isoformat() if m.due else None,
                 "provisional": m.due_provisional}
                for m in late
            ],
            provisional=provisional or None,
            provisional_reason={"zh": PROVISIONAL_DUE.zh, "en": PROVISIONAL_DUE.en} if provisional else None,
        )
        return True

    # ------------------------------------------------------------------ rating, rectification

    def rate(self, case: Case, actor: Actor, now: dt.datetime, level: int, comment: str = "") -> None:
        """Rate the service (好差评); a bad rating opens a rectification."""
        self.authorise(case, actor, "rate")
        try:
            value = RatingLevel(level)
        except ValueError:
            raise InvalidInput(
                "a rating is a level from 1 (非常不满意) to 5 (非常满意)", field="level"
            ) from None
        if not isinstance(comment, str) or len(comment) > 2000:
            raise InvalidInput("a comment is text of at most 2000 characters", field="comment")
        follow_up = bool(case.ratings)
        if follow_up:
            rect = case.rectification
            if rect is None or rect.rectified_at is None or any(r.follow_up for r in case.ratings):
                raise self._reject(
                    case,
                    "the case is already rated; a second rating follows a completed rectification only",
                    "already_rated",
                )
        self._case_step(case, "rate", actor)
        case.ratings.append(Rating(value, comment, now, follow_up))
        self._event(
            case,
            now,
            "FollowUpRated" if follow_up else "CaseRated",
            actor,
            level=int(value),
            label=value.zh,
            comment=comment or None,
        )
        if value.bad and not follow_up:
            today = now.date()
            callback = self._deadline(case, "callback", case.id, today, Limit(CALLBACK_DAYS))
            rectify = self._deadline(case, "rectification", case.id, today, Limit(RECTIFY_DAYS))
            case.rectification = Rectification(now, callback.due, rectify.due)
            self._event(
                case,
                now,
                "RectificationOpened",
                actor,
                callback_due=callback.due.isoformat(),
                rectify_due=rectify.due.isoformat(),
            )

    def record_callback(self, case: Case, actor: Actor, now: dt.datetime, note: str) -> None:
        self.authorise(case, actor, "record_callback")
        rect = self._open_rectification(case, actor, "record_callback")
        if rect.called_back_at is not None:
            raise self._reject(case, "the callback is already recorded", "already_done")
        require_text(note, "note")
        rect.called_back_at, rect.note = now, note
        self._met(case, "callback", case.id, now)
        self._event(case, now, "CallbackMade", actor, public=False, note=note)

    def record_rectified(self, case: Case, actor: Actor, now: dt.datetime, note: str) -> None:
        self.authorise(case, actor, "record_rectified")
        rect = self._open_rectification(case, actor, "record_rectified")
        if rect.called_back_at is None:
            raise self._reject(case, "record the callback (回访) first", "callback_missing")
        require_text(note, "note")
        rect.rectified_at, rect.note = now, note
        self._met(case, "rectification", case.id, now)
        self._event(case, now, "RectificationCompleted", actor, note=note)

    def _open_rectification(self, case: Case, actor: Actor, action: str) -> Rectification:
        rect = case.rectification
        if rect is None or rect.rectified_at is not None:
            raise self._illegal(case, action, "rectification", actor)
        return rect
