"""Front desk rules on in-memory cases: open, submit, one-time notice, accept (with deficiency), refuse."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from engine_helpers import (
    CLERK,
    COMMITMENT,
    ME,
    PERSON,
    SHOP,
    SYSTEM,
    WORKFLOWS,
    build_engine,
    event,
    tasks,
    types,
)

from oneservice.catalog.loader import load_catalogue
from oneservice.domain.case import Applicant, MaterialStatus
from oneservice.engine.clock import TZ
from oneservice.errors import ActionRejected, IllegalAction, InvalidIdentifier, InvalidInput, NotAuthorised

WED, THU, FRI = dt.date(2026, 11, 4), dt.date(2026, 11, 5), dt.date(2026, 11, 6)
NEXT_MON = dt.date(2026, 11, 9)


class TestOpen:
    def test_applicant_opens_a_draft_online(self, shop):
        """A draft with one waiting task per item, one CaseOpened event, no trip."""
        case = shop.open()
        assert (case.state, case.matter_id, case.definition_hash) == ("draft", "open-shop", shop.plan.content_hash)
        assert tasks(case) == {"REG": "waiting", "SEAL": "waiting", "TAX": "waiting", "BANK": "waiting"}
        assert types(case) == ["CaseOpened"]
        assert event(case, "CaseOpened").data["channel"] == "online"
        assert case.visits == []

    def test_applicant_opens_online_or_on_mobile_only(self, shop):
        """At the window a clerk opens the case, not the applicant."""
        with pytest.raises(InvalidInput) as info:
            shop.open(ME, channel="window")
        assert info.value.field == "channel"

    def test_channel_outside_the_matter_is_refused_with_the_allowed_ones(self, shop):
        with pytest.raises(InvalidInput) as info:
            shop.open(ME, channel="mobile")  # open-shop takes window and online
        assert (info.value.field, info.value.hint) == ("channel", "allowed: online, window")

    def test_malformed_resident_id(self, shop):
        """The check digit is verified before anything else."""
        bad = Applicant("person", PERSON.id_number[:-1] + ("0" if PERSON.id_number[-1] != "0" else "1"), "张三")
        with pytest.raises(InvalidIdentifier) as info:
            shop.open(ME, applicant=bad)
        assert info.value.field == "applicant.id_number"

    def test_a_system_actor_may_not_open_cases(self, shop):
        with pytest.raises(NotAuthorised) as info:
            shop.open(SYSTEM)
        assert info.value.actor == "system:timer"


class TestSubmit:
    def test_shared_and_produced_materials_are_never_asked_for(self, shop):
        """The ID card comes from the population register, the licence and seal record from items."""
        case = shop.submitted()
        assert case.state == "submitted"
        assert {m: (str(r.status), r.provider) for m, r in case.materials.items()} == {
            "articles": ("received", None),
            "lease": ("received", None),
            "id-card": ("shared", "population-register"),
            "licence": ("pending", "REG"),
            "seal-record": ("pending", "SEAL"),
        }
        assert types(case) == ["CaseOpened", "ApplicationSubmitted"]
        assert event(case, "ApplicationSubmitted").data == {
            "channel": "online", "fields": ["capital", "company_name"], "materials": ["articles", "lease"],
            "answer_by": NEXT_MON.isoformat(),  # notice or accept within 5 working days (art. 32)
        }

    def test_a_material_produced_upstream_cannot_be_brought(self, shop):
        case = shop.open()
        with pytest.raises(InvalidInput) as info:
            shop.engine.submit(case, ME, shop.now, {}, ["licence"], "online")
        assert info.value.field == "materials"
        assert "an upstream item produces it" in str(info.value)
        assert (case.state, types(case)) == ("draft", ["CaseOpened"])

    def test_an_unknown_material_gets_a_suggestion(self, shop):
        case = shop.open()
        with pytest.raises(InvalidInput) as info:
            shop.engine.submit(case, ME, shop.now, {}, ["articels"], "online")
        assert (info.value.field, info.value.hint) == ("materials", "did you mean 'articles'?")

    def test_submitting_twice_is_illegal(self, shop):
        case = shop.submitted()
        with pytest.raises(IllegalAction) as info:
            shop.engine.submit(case, ME, shop.now, {}, [], "online")
        assert (info.value.action, info.value.state) == ("submit", "submitted")
        assert info.value.allowed == ["choose_pickup", "withdraw"]  # what the applicant may do now


class TestOneTimeNotice:
    def test_lists_everything_missing_at_once(self, shop):
        """Missing materials, empty required fields and failed conditions, in one notice."""
        case = shop.open()
        shop.engine.submit(case, ME, shop.now, {"capital": 0.0}, [], "online")
        check = shop.engine.give_notice(case, CLERK, shop.now)
        assert [i.key for i in check.issues] == [
            "material:articles", "material:lease", "field:company_name", "condition:REG/capital-positive"
        ]
        assert (case.state, case.notices, case.notified) == (
            "awaiting_materials", 1, [i.key for i in check.issues]
        )
        notice = event(case, "OneTimeNoticeGiven")
        assert notice.data["notice"] == 1
        assert [(i["kind"], i["id"]) for i in notice.data["issues"]] == [
            ("material", "articles"), ("material", "lease"), ("field", "company_name"),
            ("condition", "REG/capital-positive"),
        ]
        assert "new_after_first_notice" not in notice.data

    def test_a_condition_over_an_empty_field_is_left_to_the_field(self, shop):
        """An empty capital is listed once, as a field, not also as a failed condition."""
        case = shop.open()
        shop.engine.submit(case, ME, shop.now, {"company_name": "一家店"}, shop.applicant_materials(), "online")
        assert [i.key for i in shop.engine.give_notice(case, CLERK, shop.now).issues] == ["field:capital"]

    def test_cannot_be_given_twice_in_a_row(self, shop):
        """After the notice the case awaits materials: a second notice is illegal and says what is allowed."""
        case = shop.submitted(hold_back=["lease"])
        shop.engine.give_notice(case, CLERK, shop.now)
        before = len(case.new_events)
        with pytest.raises(IllegalAction) as info:
            shop.engine.give_notice(case, CLERK, shop.now)
        assert (info.value.action, info.value.case_id, info.value.state) == (
            "give_notice", case.id, "awaiting_materials"
        )
        assert info.value.allowed == ["choose_pickup", "record_visit", "refuse", "supplement", "withdraw"]  # the clerk's
        assert (case.notices, len(case.new_events)) == (1, before)

    def test_nothing_missing_means_accept_instead(self, shop):
        case = shop.submitted()
        with pytest.raises(ActionRejected) as info:
            shop.engine.give_notice(case, CLERK, shop.now)
        assert (info.value.reason, info.value.state) == ("nothing_missing", "submitted")
        assert case.notices == 0

    def test_a_second_notice_names_what_the_first_did_not(self, shop):
        """Supplying a wrong value after the notice: the next notice flags it as new."""
        case = shop.submitted(hold_back=["lease"])
        shop.engine.give_notice(case, CLERK, shop.now)
        shop.engine.supplement(case, ME, shop.now, {"capital": 0.0}, ["lease"], "online")
        assert case.state == "submitted"
        check = shop.engine.give_notice(case, CLERK, shop.now)
        assert [i.key for i in check.issues] == ["condition:REG/capital-positive"]
        second = case.new_events[-1]
        assert (second.type, second.data["notice"]) == ("OneTimeNoticeGiven", 2)
        assert second.data["new_after_first_notice"] == ["condition:REG/capital-positive"]

    def test_supplement_then_accept(self, shop):
        case = shop.submitted(hold_back=["lease"])
        shop.engine.give_notice(case, CLERK, shop.now)
        shop.engine.supplement(case, ME, shop.now, None, ["lease"], "online")
        shop.engine.accept(case, CLERK, shop.now)
        assert case.state == "in_progress"
        assert types(case) == [
            "CaseOpened", "ApplicationSubmitted", "OneTimeNoticeGiven", "MaterialsSupplemented",
            "CaseAccepted", "ItemDispatched",
        ]


class TestAccept:
    def test_incomplete_application_is_rejected_with_what_is_missing(self, shop):
        case = shop.submitted(hold_back=["articles"])
        with pytest.raises(ActionRejected) as info:
            shop.engine.accept(case, CLERK, shop.now)
        assert (info.value.reason, info.value.state) == ("incomplete", "submitted")
        assert [(d["kind"], d["id"]) for d in info.value.details] == [("material", "articles")]
        assert case.state == "submitted"
        assert list(case.deadlines) == [("notice", case.id)]  # only the notice clock runs

    def test_acceptance_sets_the_case_clocks_and_the_first_items(self, shop):
        """Accepted Mon 2 Nov: the case's promise of 5 working days (Mon 9 Nov) and its legal chain
        (REG 15 + SEAL 5 + BANK 5 = 25 working days, Mon 7 Dec) count from receipt; only REG is
        dispatched, with its promised 2 (Wed) and legal 15 working days (Mon 23 Nov). SEAL, TAX and
        BANK have no clock yet: their departments have not received the file (环节时限)."""
        case = shop.accepted()
        today = shop.now.date()
        assert {key: (d.start, d.due) for key, d in case.deadlines.items() if key[0] != "notice"} == {
            ("case", case.id): (today, NEXT_MON),
            ("case_legal", case.id): (today, dt.date(2026, 12, 7)),
            ("item", "REG"): (today, WED),
            ("item_legal", "REG"): (today, dt.date(2026, 11, 23)),
        }
        assert case.deadlines[("notice", case.id)].met_at == shop.now  # answered on the day
        assert {code: t.due for code, t in case.tasks.items()} == {"REG": WED, "SEAL": None, "TAX": None, "BANK": None}
        assert event(case, "CaseAccepted").data == {
            "received": today.isoformat(), "due": NEXT_MON.isoformat(), "legal_due": "2026-12-07",
            "notice_due": NEXT_MON.isoformat(),
        }
        assert (case.state, case.accepted_at) == ("in_progress", shop.now)

    def test_each_item_clock_starts_when_it_is_dispatched(self, shop, clock):
        """REG approved two days late (Fri 6 Nov): SEAL and TAX are dispatched that day and their
        1 working day runs from then (Mon 9 Nov), not from the date REG was due; the case's promise
        does not move."""
        case = shop.accepted()
        promise = case.due.due  # type: ignore[union-attr]
        clock.set(dt.datetime(2026, 11, 6, 15, 0, tzinfo=TZ))
        shop.approve(case, "REG")
        assert case.deadlines[("item", "REG")].met_at == shop.now  # met, late
        assert {code: (case.deadlines[("item", code)].start, case.tasks[code].due) for code in ("SEAL", "TAX")} == {
            "SEAL": (FRI, NEXT_MON), "TAX": (FRI, NEXT_MON)}
        assert ("item", "BANK") not in case.deadlines
        assert case.due.due == promise  # type: ignore[union-attr]
        assert event(case, "ItemApproved").data["issue_by"] == "2026-11-20"  # art. 44: 10 working days

    def test_a_changed_definition_does_not_move_the_promise(self, shop, tmp_path):
        """Recomputing a deadline (as a calendar update does) starts from what it was computed
        from at acceptance, never from the current definition: here the promise and REG's limit doubled."""
        case = shop.accepted()
        promised = {key: d.due for key, d in case.deadlines.items()}
        changed = tmp_path / "workflows"
        shutil.copytree(WORKFLOWS, changed)
        for matter in (changed / "matters").glob("*.yaml"):
            text = matter.read_text("utf-8")
            matter.write_text(text.replace("promise: {value: 5}", "promise: {value: 10}"), "utf-8")
        item = changed / "items" / "reg.yaml"
        item.write_text(item.read_text("utf-8").replace("promised: {value: 2}", "promised: {value: 4}"), "utf-8")
        catalogue = load_catalogue([changed])
        later = build_engine(catalogue.plan(SHOP), catalogue)
        assert later.plan.matter.promise.value == 10 and later.plan.item("REG").promised_limit.value == 4
        assert [later.recompute(d) for d in case.deadlines.values()] == [False] * len(promised)
        assert {key: d.due for key, d in case.deadlines.items()} == promised

    def test_accepting_twice_is_illegal(self, shop):
        case = shop.accepted()
        with pytest.raises(IllegalAction) as info:
            shop.engine.accept(case, CLERK, shop.now)
        assert (info.value.action, info.value.state) == ("accept", "in_progress")
        assert "withdraw" in info.value.allowed and "accept" not in info.value.allowed
        assert "supply_owed" not in info.value.allowed  # nothing is owed: not offered

    def test_allowed_actions_follow_the_guards(self, shop):
        """Offered only when it could succeed: supply_owed while something is owed, rate once."""
        case = shop.accepted(owe=["lease"])
        assert "supply_owed" in shop.engine.allowed_actions(case, CLERK)
        shop.engine.supply_owed(case, CLERK, shop.now, ["lease"], "window")
        assert "supply_owed" not in shop.engine.allowed_actions(case, CLERK)
        delivered = shop.delivered()
        assert "rate" in shop.engine.allowed_actions(delivered, ME)
        shop.engine.rate(delivered, ME, shop.now, 5)
        assert "rate" not in shop.engine.allowed_actions(delivered, ME)  # rated once


class TestDeficiencyAcceptance:
    def test_a_waivable_material_may_be_owed_with_its_own_deadline(self, shop):
        """容缺受理: the lease is owed for the matter's 3 working days (Thu 5 Nov)."""
        case = shop.accepted(owe=["lease"])
        lease = case.materials["lease"]
        assert (lease.status, lease.due) == (MaterialStatus.OWED, THU)
        assert case.deadlines[("deficiency", "lease")].due == THU
        assert types(case)[-2:] == ["CaseAcceptedWithDeficiency", "ItemDispatched"]
        assert event(case, "CaseAcceptedWithDeficiency").data["owed"] == [
            {"material": "lease", "due": THU.isoformat()}
        ]

    def test_a_required_material_cannot_be_owed(self, shop):
        case = shop.submitted(hold_back=["articles"])
        with pytest.raises(ActionRejected) as info:
            shop.engine.accept(case, CLERK, shop.now, owed=["articles"], commitment=COMMITMENT)
        assert (info.value.reason, info.value.details) == ("not_waivable", {"material": "articles"})
        assert case.state == "submitted"

    def test_a_material_received_cannot_be_owed(self, shop):
        case = shop.submitted()
        with pytest.raises(ActionRejected) as info:
            shop.engine.accept(case, CLERK, shop.now, owed=["lease"], commitment=COMMITMENT)
        assert (info.value.reason, info.value.details) == ("not_missing", {"material": "lease"})

    def test_supplying_the_owed_material_meets_its_deadline(self, shop, clock):
        case = shop.accepted(owe=["lease"])
        clock.advance(days=1)
        shop.engine.supply_owed(case, ME, shop.now, ["lease"], "online")
        assert (case.materials["lease"].status, case.materials["lease"].received_at) == ("received", shop.now)
        assert case.deadlines[("deficiency", "lease")].met_at == shop.now
        assert case.owed() == []
        assert event(case, "OwedMaterialSupplied").data == {"material": "lease", "channel": "online"}

    def test_only_owed_materials_can_be_supplied_as_owed(self, shop):
        case = shop.accepted(owe=["lease"])
        with pytest.raises(ActionRejected) as info:
            shop.engine.supply_owed(case, ME, shop.now, ["articles"], "online")
        assert (info.value.reason, info.value.details) == ("not_owed", {"material": "articles"})
        assert "owed now: lease" in str(info.value)

    def test_case_terminated_when_the_owed_material_is_overdue(self, shop, clock):
        """Due Thu 5 Nov: nothing happens that day; on Fri the timer terminates the case and
        cancels every open item."""
        case = shop.accepted(owe=["lease"])
        shop.approve(case, "REG")
        clock.set(dt.datetime.combine(THU, dt.time(17, 0), TZ))
        assert shop.engine.terminate_overdue(case, SYSTEM, shop.now) is False
        assert case.state == "in_progress"
        before = len(case.new_events)
        clock.set(dt.datetime.combine(FRI, dt.time(9, 0), TZ))
        assert shop.engine.terminate_overdue(case, SYSTEM, shop.now) is True
        assert (case.state, case.concluded_at) == ("terminated", shop.now)
        assert tasks(case) == {"REG": "approved", "SEAL": "cancelled", "TAX": "cancelled", "BANK": "cancelled"}
        assert types(case, before) == ["ItemCancelled"] * 3 + ["CaseTerminated"]
        assert case.new_events[-1].data == {
            "overdue": [{"material": "lease", "due": THU.isoformat(), "provisional": False}]
        }

    def test_owed_material_due_in_a_guessed_year_is_provisional(self, shop, clock):
        """Accepted Wed 30 Dec 2026 owing 3 working days: 31 Dec, (Fri 1 Jan guessed off), 4, 5 Jan;
        the material record carries the deadline's provisional flag."""
        clock.set(dt.datetime(2026, 12, 30, 9, 0, tzinfo=TZ))
        case = shop.accepted(owe=["lease"])
        record = case.materials["lease"]
        assert (record.due, record.due_provisional) == (dt.date(2027, 1, 5), True)
        assert case.deadlines[("deficiency", "lease")].provisional is True

    def test_termination_on_a_provisional_date_says_so(self, shop, clock):
        """Past a provisional due date the case is terminated, and the event records that the
        date was provisional, with the reason in both languages."""
        clock.set(dt.datetime(2026, 12, 30, 9, 0, tzinfo=TZ))
        case = shop.accepted(owe=["lease"])
        clock.set(dt.datetime(2027, 1, 6, 9, 0, tzinfo=TZ))
        assert shop.engine.terminate_overdue(case, SYSTEM, shop.now) is True
        data = case.new_events[-1].data
        assert data["overdue"] == [{"material": "lease", "due": "2027-01-05", "provisional": True}]
        assert data["provisional"] is True
        assert set(data["provisional_reason"]) == {"zh", "en"}
        assert "暂定" in data["provisional_reason"]["zh"]
        assert "provisional" in data["provisional_reason"]["en"]

    def test_results_wait_for_the_owed_material(self, shop):
        case = shop.ready_for_pickup(owe=["lease"])
        assert case.state == "ready_for_pickup"
        with pytest.raises(ActionRejected) as info:
            shop.engine.deliver(case, CLERK, shop.now, "electronic")
        assert (info.value.reason, info.value.details) == ("materials_owed", {"owed": ["lease"]})
        shop.engine.supply_owed(case, ME, shop.now, ["lease"], "online")
        shop.engine.deliver(case, CLERK, shop.now, "electronic")
        assert case.state == "delivered"


class TestRefuse:
    def test_front_desk_refusal_concludes_the_case(self, shop):
        case = shop.submitted(hold_back=["articles"])
        shop.engine.refuse(case, CLERK, shop.now, "不属于本中心受理范围")
        assert (case.state, case.refusal_reason, case.concluded_at) == ("refused", "不属于本中心受理范围", shop.now)
        assert types(case)[-1] == "CaseRefused"

    def test_a_refusal_needs_a_reason(self, shop):
        case = shop.submitted()
        with pytest.raises(InvalidInput) as info:
            shop.engine.refuse(case, CLERK, shop.now, "  ")
        assert info.value.field == "reason"
        assert case.state == "submitted"

    def test_no_refusal_once_accepted(self, shop):
        case = shop.accepted()
        with pytest.raises(IllegalAction) as info:
            shop.engine.refuse(case, CLERK, shop.now, "太晚了")
        assert (info.value.action, info.value.state) == ("refuse", "in_progress")
