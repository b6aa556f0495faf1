"""Single-window (统一出件) actions: deliver, release, close, withdraw, terminate.

One window hands out every result once no material is owed, each result by a channel that suits
its form (seals by mail with a tracking reference, the electronic licence pushed), recorded per
result; delivering a result meets its issuing deadline (《行政许可法》第四十四条). A matter whose
``pickup.release`` is ``as_ready`` may send results ahead by remote channels.

A case ends early when the applicant withdraws it or when an owed material is overdue (the timer
terminates it); its open items are cancelled. Ratings are :mod:`.ratings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..catalog.plan import ResultRoute
from ..domain.case import Actor, Case, ResultDelivery, Role
from ..domain.definitions import Channel, ResultRelease
from ..domain.states import TaskState
from ..errors import InvalidInput
from .base import require_text
from .labels import PROVISIONAL_DUE
from .points import Points

__all__ = ["Window"]


class Window(Points):
    """Delivering and closing a case, ending it early, and rating it."""

    def deliver(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        channel: str | None = None,
        results: Mapping[str, Any] | None = None,
        tracking: str | None = None,
        *,
        over_budget_reason: str | None = None,
    ) -> None:
        """Hand over every result not yet handed over (统一出件), each by a channel that suits its
        form: ``results`` names a channel (and tracking reference) per result, ``channel`` one for
        the rest; an electronic result is pushed without one. A case without results (refused)
        hands over its decision by ``channel``."""
        self.authorise(case, actor, "deliver")
        self._case_step(case, "deliver", actor)
        self._check_nothing_owed(case)
        pending = self._pending_results(case)
        if not pending and not case.deliveries:  # no result at all: the decision is handed over
            if channel is None:
                allowed = ", ".join(sorted(c.value for c in self.matter.pickup_channels))
                raise InvalidInput("name the channel the decision is handed over by", field="channel",
                                   hint=f"allowed: {allowed}")
            chosen = self._channel(case, channel, self.matter.pickup_channels, "delivery")
            if actor.role is Role.SYSTEM and chosen is Channel.WINDOW:
                raise self._deny(case, actor, "a hand-over at the window needs a window clerk")
            if chosen is Channel.MAIL:
                require_text(tracking, "tracking")
            if self._on_site(chosen):
                self._visit(case, actor, now, actor.location, "pickup", over_budget_reason)
            case.delivery_channel = chosen.value
            self._fire(case, "deliver", actor)
            self._event(case, now, "ResultsDelivered", actor, channel=chosen.value, outcome=case.outcome,
                        tracking=tracking)
            return
        handed = self._route(case, actor, pending, channel, results, tracking, remote_only=False)
        missing = [r.result.id for r in pending if r.result.id not in handed]
        if missing:
            first = next(r for r in pending if r.result.id == missing[0])
            raise InvalidInput(
                f"result {first.result.id!r} ({first.result.form.value}) of {first.item} is not handed over: "
                "every result goes out in this delivery (统一出件)", field=f"results.{first.result.id}",
                hint="give it a channel: " + ", ".join(sorted(c.value for c in first.channels)),
            )
        self._check_fees_paid(case, pending, handed)
        self._check_handover_point(case, actor, pending, handed)
        if any(Channel(c) is Channel.WINDOW for c, _ in handed.values()):
            self._visit(case, actor, now, actor.location, "pickup", over_budget_reason)
        records = self._record(case, actor, now, pending, handed)
        self._fire(case, "deliver", actor)
        self._event(case, now, "ResultsDelivered", actor, channel=case.delivery_channel, outcome=case.outcome,
                    deliveries=records)

    def release_results(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        channel: str | None = None,
        results: Mapping[str, Any] | None = None,
        tracking: str | None = None,
    ) -> None:
        """先行出件: send results of approved items ahead of the rest, by mail or electronically, in a
        matter whose ``pickup.release`` is ``as_ready``; window hand-overs wait for the last item."""
        self.authorise(case, actor, "release_results")
        self._case_step(case, "release_results", actor)
        if self.matter.release is not ResultRelease.AS_READY:
            raise self._reject(
                case,
                f"matter {self.matter.id} hands over every result together once all items conclude "
                "(pickup.release: together)",
                "release_together",
            )
        self._check_nothing_owed(case)
        pending = self._pending_results(case)
        if not pending:
            raise self._reject(case, "no approved result is waiting to be handed over", "nothing_ready")
        chosen = [r for r in pending if r.result.id in results] if results else pending  # only those named
        handed = self._route(case, actor, chosen, channel, results, tracking, remote_only=True)
        if not handed:
            raise InvalidInput("name the results to release and their channels", field="results")
        self._check_fees_paid(case, pending, handed)
        records = self._record(case, actor, now, pending, handed)
        self._event(case, now, "ResultsReleased", actor, deliveries=records)

    def _check_nothing_owed(self, case: Case) -> None:
        owed = [m.material_id for m in case.owed()]
        if owed:
            raise self._reject(
                case,
                "results are issued only after the owed materials are supplied: " + ", ".join(owed),
                "materials_owed",
                {"owed": owed},
            )

    def _check_fees_paid(self, case: Case, pending: list[ResultRoute], handed: Mapping[str, Any]) -> None:
        """缴费后出件: a result whose item charges a fee goes out only once the fee is confirmed paid."""
        unpaid = self.unpaid_fees(case, [r.item for r in pending if r.result.id in handed])
        if unpaid:
            fees = {code: str(self.fee_of(code)) for code in unpaid}
            listed = ", ".join(f"{code} ({fee} 元)" for code, fee in fees.items())
            raise self._reject(
                case, f"results are handed over once their fees are paid / 缴费后出件: {listed} not paid",
                "fee_unpaid", {"unpaid": fees},
            )

    def _pending_results(self, case: Case) -> list[ResultRoute]:
        """The results of approved items not yet handed over, in dependency order."""
        return [
            r for r in self.plan_for(case).trips.results
            if r.item in case.tasks and case.tasks[r.item].state is TaskState.APPROVED
            and case.delivered(r.result.id) is None
        ]

    def _route(
        self,
        case: Case,
        actor: Actor,
        pending: list[ResultRoute],
        channel: str | None,
        results: Mapping[str, Any] | None,
        tracking: str | None,
        *,
        remote_only: bool,
    ) -> dict[str, tuple[str, str | None]]:
        """The channel and tracking reference of each result handed over now (result id → pair)."""
        waiting = {r.result.id: r for r in pending}
        if results is not None and not isinstance(results, Mapping):
            raise InvalidInput("must map result ids to {channel, tracking}", field="results")
        for rid in results or {}:
            if rid in waiting:
                continue
            if case.delivered(str(rid)) is not None:
                raise self._reject(case, f"result {rid!r} was already handed over", "already_delivered",
                                   {"result": rid})
            names = [r.result.id for r in self.plan_for(case).trips.results]
            hint = "waiting now: " + (", ".join(waiting) or "none")
            if rid in names:
                raise InvalidInput(f"result {rid!r} is not ready: its item is not approved",
                                   field=f"results.{rid}", hint=hint)
            raise InvalidInput(f"{rid!r} is not a result of matter {case.matter_id}",
                               field=f"results.{rid}", hint=hint)
        handed: dict[str, tuple[str, str | None]] = {}
        for route in pending:
            rid = route.result.id
            given: Any = (results or {}).get(rid)
            field = f"results.{rid}"
            wanted: Any
            ref: Any
            if isinstance(given, str):
                wanted, ref = given, None
            elif isinstance(given, Mapping):
                wanted, ref = given.get("channel"), given.get("tracking")
                field += ".channel"
            elif given is None:
                wanted, ref, field = channel, tracking, "channel"
                if route.channels == {Channel.ELECTRONIC}:
                    wanted = Channel.ELECTRONIC.value  # an electronic-only result is pushed
                elif wanted is None:
                    continue  # not handed over now (deliver names what it misses)
            else:
                raise InvalidInput("must be a channel or {channel, tracking}", field=field)
            try:
                value = Channel(wanted)
            except ValueError:
                value = None
            if value is None or value not in route.channels:
                suits = ", ".join(sorted(c.value for c in route.channels))
                raise InvalidInput(
                    f"{wanted!r} does not suit result {rid!r} ({route.result.form.value}) of {route.item}",
                    field=field, hint=f"use one of: {suits}",
                )
            if remote_only and value.on_site:
                raise InvalidInput(
                    f"result {rid!r} cannot be released at the window ahead of the others: window hand-overs "
                    "wait until every item concludes, so they are collected in one visit",
                    field=field, hint="release it by mail or electronically, or deliver it with the rest",
                )
            if actor.role is Role.SYSTEM and value is Channel.WINDOW:
                raise self._deny(case, actor, "a hand-over at the window needs a window clerk")
            if value is Channel.MAIL:
                if not isinstance(ref, str) or not ref.strip():
                    raise InvalidInput(
                        f"result {rid!r} goes by mail and needs its postal tracking reference",
                        field=f"results.{rid}.tracking" if given is not None else "tracking",
                    )
                require_text(ref, "tracking")
            else:
                ref = None
            handed[rid] = (value.value, ref)
        return handed

    def _record(
        self,
        case: Case,
        actor: Actor,
        now: dt.datetime,
        pending: list[ResultRoute],
        handed: Mapping[str, tuple[str, str | None]],
    ) -> list[dict[str, Any]]:
        """Record each result handed over, meet its issuing deadline (art. 44); the event's rows."""
        rows = []
        for route in pending:
            if route.result.id not in handed:
                continue
            channel, ref = handed[route.result.id]
            record = ResultDelivery(
                route.result.id, route.item, channel, now, actor.describe(),
                location=actor.location if channel == Channel.WINDOW else None,
                tracking=ref, electronic_copy=route.result.electronic_copy,
            )
            case.deliveries.append(record)
            self._met(case, "issuing", route.item, now)
            row = {"result": record.result_id, "item": record.item_code, "channel": channel,
                   "tracking": ref, "electronic_copy": record.electronic_copy or None}
            rows.append({k: v for k, v in row.items() if v is not None})
        channels = {d.channel for d in case.deliveries}
        case.delivery_channel = channels.pop() if len(channels) == 1 else "mixed"
        return rows

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
