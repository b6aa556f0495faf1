"""What other systems report, on both databases: a fee paid before the result goes out (缴费后出件),
the electronic licence of an approved item, a parcel's receipt, a system's own item reference."""

from __future__ import annotations

import pytest
from test_service_lifecycle import CLERK, SUPERVISOR, approve_all_remaining, open_flat, reviewer

from oneservice import ActionRejected, Actor, InvalidInput, NotAuthorised, Role

FEE_ITEM = "330100-BDC-ZYDJ"  # 不动产转移登记: 80 元
TAX_ITEM = "330102-SW-CLFJYSF"
PAYMENT = Actor(Role.SYSTEM, "payment-service")
LICENCES = Actor(Role.SYSTEM, "licence-library")
REGISTRY_SYSTEM = Actor(Role.SYSTEM, "bdc-system")


def ready_flat(service) -> str:
    case_id = open_flat(service)
    service.accept(CLERK, case_id)
    summary = service.get(SUPERVISOR, case_id)
    for _ in range(6):  # the items in dependency order, a round of ready ones at a time
        summary = approve_all_remaining(service, case_id)
        if summary.state != "in_progress":
            break
    assert summary.state == "ready_for_pickup"
    return case_id


class TestFees:
    def test_a_result_goes_out_only_once_its_fee_is_paid(self, service) -> None:
        case_id = ready_flat(service)
        assert "confirm_fee" in service.get(CLERK, case_id).allowed
        with pytest.raises(ActionRejected) as refused:
            service.deliver(CLERK, case_id, channel="electronic")
        assert refused.value.reason == "fee_unpaid" and refused.value.details == {"unpaid": {FEE_ITEM: "80"}}
        service.confirm_fee(PAYMENT, case_id, FEE_ITEM, amount="80.00", reference="PAY-0001",
                            idempotency_key="pay-1")
        again = service.confirm_fee(PAYMENT, case_id, FEE_ITEM, amount="80.00", reference="PAY-0001",
                                    idempotency_key="pay-1")  # the payment service's retry
        assert "confirm_fee" not in again.allowed
        case = service.case(SUPERVISOR, case_id)
        assert case.fees[FEE_ITEM].reference == "PAY-0001" and case.fees[FEE_ITEM].by == "system:payment-service"
        assert [e.type for e in service.events(SUPERVISOR, case_id)].count("FeePaid") == 1
        assert service.deliver(CLERK, case_id, channel="electronic").state == "delivered"

    def test_wrong_sums_and_second_payments_are_refused(self, service) -> None:
        case_id = ready_flat(service)
        with pytest.raises(InvalidInput) as wrong:
            service.confirm_fee(PAYMENT, case_id, FEE_ITEM, amount="8", reference="PAY-2")
        assert wrong.value.field == "amount"
        with pytest.raises(InvalidInput):
            service.confirm_fee(PAYMENT, case_id, FEE_ITEM, amount="80元", reference="PAY-2")
        with pytest.raises(ActionRejected) as free:
            service.confirm_fee(PAYMENT, case_id, TAX_ITEM, amount="0", reference="PAY-2")
        assert free.value.reason == "no_fee"
        service.confirm_fee(CLERK, case_id, FEE_ITEM, amount="80", reference="POS-77")  # paid at the window
        with pytest.raises(ActionRejected) as twice:
            service.confirm_fee(PAYMENT, case_id, FEE_ITEM, amount="80", reference="PAY-3")
        assert twice.value.reason == "fee_paid"
        assert service.case(SUPERVISOR, case_id).fees[FEE_ITEM].reference == "POS-77"

    def test_an_applicant_cannot_confirm_a_fee(self, service) -> None:
        case_id = ready_flat(service)
        applicant = Actor(Role.APPLICANT, "me", applicant_id=service.case(SUPERVISOR, case_id).applicant.id_number)
        with pytest.raises(NotAuthorised):
            service.confirm_fee(applicant, case_id, FEE_ITEM, amount="80", reference="PAY-X")

    def test_a_departments_system_acts_on_its_own_items_only(self, service) -> None:
        """A system actor naming a department (its approval system) may not report on another
        department's item; one naming none (the payment service) reports on any."""
        case_id = ready_flat(service)
        tax_system = Actor(Role.SYSTEM, "tax-system", department=service.catalogue.item(TAX_ITEM).department)
        with pytest.raises(NotAuthorised) as refused:
            service.confirm_fee(tax_system, case_id, FEE_ITEM, amount="80", reference="PAY-T")
        assert "belongs to department" in str(refused.value)
        own = Actor(Role.SYSTEM, "bdc-pay", department=service.catalogue.item(FEE_ITEM).department)
        assert "confirm_fee" not in service.confirm_fee(own, case_id, FEE_ITEM, amount="80",
                                                        reference="PAY-T").allowed


class TestLicencesReceiptsReferences:
    def test_licence_of_an_approved_item_once(self, service) -> None:
        case_id = open_flat(service)
        service.accept(CLERK, case_id)
        with pytest.raises(ActionRejected) as early:
            service.record_licence(LICENCES, case_id, FEE_ITEM, number="浙(2026)杭州市不动产权第0012345号",
                                   issuer="杭州市规划和自然资源局")
        assert early.value.reason == "not_approved"
        for _ in range(6):
            approve_all_remaining(service, case_id)
        number = "浙(2026)杭州市不动产权第0012345号"
        service.record_licence(LICENCES, case_id, FEE_ITEM, number=number, issuer="杭州市规划和自然资源局")
        with pytest.raises(ActionRejected) as twice:
            service.record_licence(reviewer(service, FEE_ITEM), case_id, FEE_ITEM, number="other", issuer="x")
        assert twice.value.reason == "licence_recorded"
        case = service.case(SUPERVISOR, case_id)
        assert case.licences[FEE_ITEM].number == number
        assert case.licences[FEE_ITEM].result_id == service.catalogue.item(FEE_ITEM).result.id

    def test_receipt_of_a_mailed_result(self, service) -> None:
        case_id = ready_flat(service)
        service.confirm_fee(PAYMENT, case_id, FEE_ITEM, amount="80", reference="PAY-1")
        plan = service.catalogue.plan("property-transfer")
        mailed = [r for r in plan.trips.results if "mail" in {c.value for c in r.channels}]
        results = {r.result.id: ({"channel": "mail", "tracking": "EMS 9"} if r in mailed else "electronic")
                   for r in plan.trips.results}
        if not mailed:
            pytest.skip("no result of the matter can be mailed")
        service.deliver(CLERK, case_id, results=results)
        first = mailed[0].result.id
        service.record_receipt(Actor(Role.SYSTEM, "ems"), case_id, first, note="本人签收")
        with pytest.raises(ActionRejected) as twice:
            service.record_receipt(Actor(Role.SYSTEM, "ems"), case_id, first)
        assert twice.value.reason == "already_received"
        with pytest.raises(InvalidInput):
            service.record_receipt(Actor(Role.SYSTEM, "ems"), case_id, "no-such-result")
        delivered = service.case(SUPERVISOR, case_id).delivered(first)
        assert delivered is not None and delivered.received_at is not None
        assert delivered.receipt_note == "本人签收" and delivered.received_by == "system:ems"

    def test_reference_finds_the_item_and_names_one_item(self, service) -> None:
        case_id = open_flat(service)
        service.accept(CLERK, case_id)
        assert service.find_reference("bdc-system", "BDC-2026-000123") is None
        service.record_reference(REGISTRY_SYSTEM, case_id, FEE_ITEM, reference="BDC-2026-000123")
        assert service.find_reference("bdc-system", "BDC-2026-000123") == (case_id, FEE_ITEM)
        assert service.find_reference("other-system", "BDC-2026-000123") is None
        other = open_flat(service)
        service.accept(CLERK, other)
        with pytest.raises(ActionRejected) as taken:
            service.record_reference(REGISTRY_SYSTEM, other, FEE_ITEM, reference="BDC-2026-000123")
        assert taken.value.reason == "reference_taken"
        assert service.case(SUPERVISOR, other).references == {}  # nothing half-written
        with pytest.raises(InvalidInput):
            service.record_reference(REGISTRY_SYSTEM, other, FEE_ITEM, reference="a/b")
        assert service.case(SUPERVISOR, case_id).references == {FEE_ITEM: {"bdc-system": "BDC-2026-000123"}}
