"""Facts the systems around a service centre report: fees paid, licences issued, parcels received,
and the numbers those systems give an item.

- **缴费** (``confirm_fee``): an item whose definition charges a fee (``fee.amount`` above 0) has its
  payment confirmed once — by the payment service's callback or by a clerk at the window — for
  exactly the item's fee. The single window hands over a result of such an item only once it is paid
  (``EngineBase.unpaid_fees``).
- **电子证照** (``record_licence``): the licence library (or the department) reports the number and
  issuing body of the electronic licence of an approved item's result; it is recorded once.
- **签收** (``record_receipt``): the carrier reports that a result sent by mail was received.
- **外部编号** (``record_reference``): a department's own system records the number it gave an item,
  so that its later callbacks may name the item by that number.

Reporting the same fact again with the same values is the caller's retry, answered by the
idempotency key; a different fact for what is already recorded is refused (409), never overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..domain.actions import AMOUNT_PATTERN, REFERENCE_PATTERN
from ..domain.case import Actor, Case, FeePayment, Licence, Role
from ..domain.states import TaskState
from ..errors import InvalidInput
from .base import EngineBase, require_text

__all__ = ["AMOUNT", "REFERENCE", "Reports"]

AMOUNT = re.compile(AMOUNT_PATTERN)
REFERENCE = re.compile(REFERENCE_PATTERN)

_CLOSED = (TaskState.REFUSED, TaskState.CANCELLED)


class Reports(EngineBase):
    """Fees, licences, receipts and external references, as other systems report them."""

    def confirm_fee(self, case: Case, actor: Actor, now: dt.datetime, item: str, amount: str,
                    reference: str) -> None:
        self.authorise(case, actor, "confirm_fee", item)
        self._case_step(case, "confirm_fee", actor)
        task = self._task(case, item)
        require_text(reference, "reference")
        if not isinstance(amount, str) or not AMOUNT.fullmatch(amount):
            raise InvalidInput("must be a sum in yuan such as 80 or 80.00", field="amount")
        fee = self.fee_of(item)
        if fee <= 0:
            raise self._reject(case, f"item {item} charges no fee / 该事项不收费", "no_fee", {"item": item})
        if task.state in _CLOSED:
            raise self._reject(case, f"item {item} is {task.state}: no fee is due for it", "item_closed",
                               {"item": item, "state": str(task.state)})
        paid = case.fees.get(item)
        if paid is not None:
            raise self._reject(
                case, f"the fee of item {item} was confirmed paid on {paid.at:%Y-%m-%d} (reference "
                f"{paid.reference}) / 已确认缴费", "fee_paid", {"item": item, "reference": paid.reference},
            )
        if Decimal(amount) != fee:
            raise InvalidInput(f"item {item} charges {fee} yuan, not {amount} / 金额与收费标准不符",
                               field="amount", hint=f"confirm the payment of {fee}")
        if actor.role is Role.CLERK and actor.location != case.location:
            raise self._deny(case, actor, "a clerk confirms payments at the case's service location")
        case.fees[item] = FeePayment(item, amount, reference, now, actor.describe())
        self._event(case, now, "FeePaid", actor, item=item, amount=amount, reference=reference)

    def record_licence(self, case: Case, actor: Actor, now: dt.datetime, item: str, number: str,
                       issuer: str) -> None:
        self.authorise(case, actor, "record_licence", item)
        self._case_step(case, "record_licence", actor)
        task = self._task(case, item)
        require_text(number, "number")
        require_text(issuer, "issuer")
        if task.state is not TaskState.APPROVED:
            raise self._reject(case, f"item {item} is {task.state}: a licence is issued for an approved item",
                               "not_approved", {"item": item, "state": str(task.state)})
        known = case.licences.get(item)
        if known is not None:
            raise self._reject(
                case, f"the licence of item {item} is recorded: {known.number} ({known.issuer}) / 已入库",
                "licence_recorded", {"item": item, "number": known.number},
            )
        result = self.items[item].result.id
        case.licences[item] = Licence(item, result, number, issuer, now, actor.describe())
        self._event(case, now, "LicenceIssued", actor, item=item, result=result, number=number, issuer=issuer)

    def record_receipt(self, case: Case, actor: Actor, now: dt.datetime, result: str,
                       note: str | None = None) -> None:
        self.authorise(case, actor, "record_receipt")
        self._case_step(case, "record_receipt", actor)
        if note is not None:
            require_text(note, "note")
        delivery = case.delivered(result) if isinstance(result, str) else None
        if delivery is None:
            names = [r.result.id for r in self.plan_for(case).trips.results]
            if result not in names:
                raise InvalidInput(f"{result!r} is not a result of matter {case.matter_id}", field="result",
                                   hint="one of: " + (", ".join(names) or "none"))
            raise self._reject(case, f"result {result} has not been sent yet", "not_sent", {"result": result})
        if delivery.channel != "mail":
            raise self._reject(
                case, f"result {result} was handed over by {delivery.channel}: only a parcel is received",
                "not_mailed", {"result": result, "channel": delivery.channel},
            )
        if delivery.received_at is not None:
            raise self._reject(case, f"result {result} was received on {delivery.received_at:%Y-%m-%d}",
                               "already_received", {"result": result})
        delivery.received_at, delivery.received_by, delivery.receipt_note = now, actor.describe(), note
        self._event(case, now, "DeliveryReceived", actor, result=result, item=delivery.item_code,
                    tracking=delivery.tracking, note=note)

    def record_reference(self, case: Case, actor: Actor, now: dt.datetime, item: str, reference: str) -> None:
        self.authorise(case, actor, "record_reference", item)
        self._case_step(case, "record_reference", actor)
        task = self._task(case, item)
        if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
            raise InvalidInput("must be 1-100 characters without a slash, not starting with a space",
                               field="reference")
        known = case.references.get(item, {}).get(actor.id)
        if known is not None:
            raise self._reject(case, f"{actor.id} recorded {known!r} for item {item}", "reference_recorded",
                               {"item": item, "reference": known})
        case.references.setdefault(item, {})[actor.id] = reference
        self._event(case, now, "ReferenceRecorded", actor, public=False, item=item,
                    department=task.department, system=actor.id, reference=reference)
