"""好差评 (国办发〔2019〕51号): rating a case, the rectification a 差评 opens, and the appeal against it.

The applicant — or their agent on their behalf, marked as such — rates a concluded, refused,
withdrawn or terminated case within the policy's window, about the whole case (一事一评) or about
one department, window or staff member (一次一评). Whether a level is a 差评 is the policy's, frozen
on the rating. A 差评 opens a rectification: a callback (回访) and the rectification (整改反馈) due by
the policy; once rectified the applicant may rate once more. The department (or window) the 差评
is about may appeal it once as mistaken or malicious (申诉) within the policy's period; a supervisor
decides (复核) by the policy's deadline: upheld, the rating leaves the figures but stays in the
history, and its rectification is withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..domain.case import Actor, Appeal, Case, Rating, RatingLevel, RatingSubject, Rectification, Role
from ..domain.definitions import Limit
from ..errors import InvalidInput
from .base import EngineBase, require_text

__all__ = ["Ratings"]

_SUBJECTS = ("department", "window", "staff")


class Ratings(EngineBase):
    """Rating, rectification and appeal."""

    def rate(self, case: Case, actor: Actor, now: dt.datetime, level: int, comment: str = "",
             about: Mapping[str, Any] | None = None) -> None:
        """Rate the service (好差评); a 差评 opens a rectification."""
        self.authorise(case, actor, "rate")
        try:
            value = RatingLevel(level)
        except ValueError:
            raise InvalidInput(
                "a rating is a level from 1 (非常不满意) to 5 (非常满意)", field="level"
            ) from None
        if not isinstance(comment, str) or len(comment) > 2000:
            raise InvalidInput("a comment is text of at most 2000 characters", field="comment")
        subject, subject_id = self._subject(case, about)
        party = self.rating_party(case, actor)
        mine = self.ratings_of(case, party)
        follow_up = bool(mine)
        if follow_up:
            rect = case.rectification
            if rect is None or rect.rectified_at is None or any(r.follow_up for r in mine):
                raise self._reject(
                    case,
                    "the case is already rated; a second rating follows a completed rectification only",
                    "already_rated",
                )
        self._case_step(case, "rate", actor)
        policy = self.policy(case)
        if not follow_up:
            self._check_window(case, now, policy.rating_window)
        bad = policy.bad(int(value))
        case.ratings.append(Rating(value, comment, now, follow_up, actor.describe(), actor.role is Role.AGENT,
                                   subject, subject_id, bad, party=party))
        self._event(
            case,
            now,
            "FollowUpRated" if follow_up else "CaseRated",
            actor,
            level=int(value),
            label=value.zh,
            comment=comment or None,
            about=subject if subject != "case" else None,
            about_id=subject_id,
            on_behalf=True if actor.role is Role.AGENT else None,
            bad=bad or None,
            party=party if case.parties else None,
        )
        if bad and not follow_up and case.rectification is None:
            today = now.date()
            callback = self._deadline(case, "callback", case.id, today, policy.callback)
            rectify = self._deadline(case, "rectification", case.id, today, policy.rectification)
            case.rectification = Rectification(now, callback.due, rectify.due)
            self._event(
                case,
                now,
                "RectificationOpened",
                actor,
                callback_due=callback.due.isoformat(),
                rectify_due=rectify.due.isoformat(),
            )

    def _subject(self, case: Case, about: Mapping[str, Any] | None) -> tuple[RatingSubject, str | None]:
        """What a rating is about, checked against the case."""
        if about is None:
            return "case", None
        if not isinstance(about, Mapping):
            raise InvalidInput("must be {kind: department|window|staff, id: …}", field="about")
        kind, ident = about.get("kind"), about.get("id")
        if kind not in _SUBJECTS:
            raise InvalidInput(f"{kind!r} is not what a rating can be about", field="about.kind",
                               hint="one of: " + ", ".join(_SUBJECTS))
        if not isinstance(ident, str) or not ident.strip() or len(ident) > 100:
            raise InvalidInput("name the department, window or staff member (1–100 characters)",
                               field="about.id")
        if kind == "department":
            departments = sorted({t.department for t in case.tasks.values()})
            if ident not in departments:
                raise InvalidInput(f"department {ident!r} has no item in this case", field="about.id",
                                   hint="one of: " + ", ".join(departments))
        if kind == "window":
            windows = sorted({case.location} | {d.location for d in case.deliveries if d.location})
            if ident not in windows:
                raise InvalidInput(f"window {ident!r} did not serve this case", field="about.id",
                                   hint="one of: " + ", ".join(windows))
        return kind, ident

    def _check_window(self, case: Case, now: dt.datetime, window: Limit) -> None:
        """A first rating comes within the policy's window after conclusion (or the last delivery)."""
        ended = max([m for m in (case.concluded_at, *(d.at for d in case.deliveries)) if m is not None],
                    default=None)
        if ended is None:
            return
        last = self._due(ended.date(), window).date
        if now.date() > last:
            raise self._reject(
                case,
                f"the rating window closed on {last.isoformat()} ({window} after {ended.date().isoformat()})",
                "rating_window_closed",
                {"closed": last.isoformat()},
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
        if rect is None or rect.rectified_at is not None or rect.withdrawn_at is not None:
            raise self._illegal(case, action, "rectification", actor)
        return rect

    # ------------------------------------------------------------------ appeal (申诉复核)

    def _rating(self, case: Case, number: int | None, *, appealed: bool) -> tuple[int, Rating]:
        """The rating ``number`` (1-based), or the latest 差评 (``appealed``: the latest appealed)."""
        if number is not None:
            valid = isinstance(number, int) and not isinstance(number, bool)
            if not valid or not 1 <= number <= len(case.ratings):
                raise InvalidInput(f"the case has {len(case.ratings)} rating(s)", field="rating")
            return number, case.ratings[number - 1]
        for n in range(len(case.ratings), 0, -1):
            rating = case.ratings[n - 1]
            if (rating.appeal is not None) if appealed else rating.bad:
                return n, rating
        what = "appealed" if appealed else "差评 (bad)"
        raise self._reject(case, f"the case has no {what} rating", "no_such_rating")

    def appeal_rating(self, case: Case, actor: Actor, now: dt.datetime, reason: str,
                      rating: int | None = None) -> None:
        """申诉: the department or window a 差评 is about appeals it once, within the policy's period."""
        self.authorise(case, actor, "appeal_rating")
        self._case_step(case, "appeal_rating", actor)
        require_text(reason, "reason")
        number, target = self._rating(case, rating, appealed=False)
        if not target.bad:
            raise self._reject(case, f"rating {number} is not a 差评: only a bad rating can be appealed",
                               "not_a_bad_rating", {"rating": number})
        if target.appeal is not None:
            raise self._reject(case, f"rating {number} was already appealed on {target.appeal.at.date()}",
                               "already_appealed", {"rating": number})
        self._check_appellant(case, actor, target)
        policy = self.policy(case)
        last = self._due(target.at.date(), policy.appeal_window).date
        if now.date() > last:
            raise self._reject(case, f"the appeal period ended on {last.isoformat()} ({policy.appeal_window} "
                               "after the rating)", "appeal_period_over", {"ended": last.isoformat()})
        decision = self._deadline(case, "appeal", str(number), now.date(), policy.appeal_decision)
        target.appeal = Appeal(now, actor.describe(), reason, decision.due)
        self._event(case, now, "RatingAppealed", actor, public=False, rating=number, reason=reason,
                    decide_by=decision.due.isoformat())

    @staticmethod
    def _check_appellant(case: Case, actor: Actor, rating: Rating) -> None:
        """A reviewer appeals what is about their department (or the case their department served);
        a clerk what is about their window or a staff member (or the case taken in at their window)."""
        if actor.role is Role.REVIEWER:
            ok = (rating.about == "department" and rating.about_id == actor.department) or (
                rating.about == "case" and actor.department in {t.department for t in case.tasks.values()})
        else:
            ok = (rating.about == "window" and rating.about_id == actor.location) or (
                rating.about in ("case", "staff") and actor.location == case.location)
        if not ok:
            from ..errors import NotAuthorised

            raise NotAuthorised(
                f"the rating is about {rating.about} {rating.about_id or case.id}: only the party it is "
                "about may appeal it", case_id=case.id, state=str(case.state), actor=actor.describe())

    def decide_appeal(self, case: Case, actor: Actor, now: dt.datetime, decision: str, note: str,
                      rating: int | None = None) -> None:
        """复核: a supervisor upholds the appeal (the rating leaves the figures and its rectification is
        withdrawn; the history keeps both) or rejects it."""
        self.authorise(case, actor, "decide_appeal")
        self._case_step(case, "decide_appeal", actor)
        require_text(note, "note")
        if decision not in ("upheld", "rejected"):
            raise InvalidInput(f"{decision!r} is not a decision", field="decision", hint="upheld or rejected")
        number, target = self._rating(case, rating, appealed=True)
        appeal = target.appeal
        if appeal is None:
            raise self._reject(case, f"rating {number} has not been appealed", "not_appealed",
                               {"rating": number})
        if appeal.decision is not None:
            raise self._reject(case, f"the appeal on rating {number} was already decided: {appeal.decision}",
                               "already_decided", {"rating": number})
        appeal.decision, appeal.decided_at, appeal.decided_by, appeal.note = (
            decision, now, actor.describe(), note)  # type: ignore[assignment]
        self._met(case, "appeal", str(number), now)
        rect = case.rectification
        open_rect = rect is not None and rect.rectified_at is None
        withdrawn = decision == "upheld" and open_rect and not target.follow_up
        if withdrawn and rect is not None:
            rect.withdrawn_at = now
            self._met(case, "callback", case.id, now)
            self._met(case, "rectification", case.id, now)
        self._event(case, now, "AppealDecided", actor, public=False, rating=number, decision=decision,
                    note=note, rectification_withdrawn=withdrawn or None)
