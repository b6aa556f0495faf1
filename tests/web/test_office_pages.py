"""The back office's pages through Flask's test client: the worklist, the review actions, bad input
and scope."""

from __future__ import annotations

from staff_pages import REGISTRATION, SUPERVISOR, accepted_business, client_for, page_csrf, reviewer_of

from oneservice import Actor, Role


def case_page(client, case_id):
    reply = client.get(f"/web/cases/{case_id}")
    return reply.status_code, reply.get_data(as_text=True)


class TestWorklist:
    def test_the_departments_items_with_due_date_and_colour(self, service):
        """The registration of an accepted case is on its department's worklist, due Tue 3 Nov
        (yellow on Mon 2 Nov, one working day ahead), linked to the case file."""
        case_id = accepted_business(service)
        client = client_for(service, reviewer_of(service))
        html = client.get("/web/office").get_data(as_text=True)
        assert f'href="/web/cases/{case_id}"' in html
        assert REGISTRATION in html and "2026-11-03" in html
        assert 'class="colour yellow"' in html

    def test_pages_of_twenty(self, service):
        """21 tasks: the first page holds 20 and links to page 2, which holds the last one."""
        ids = [accepted_business(service) for _ in range(21)]
        client = client_for(service, reviewer_of(service))
        first = client.get("/web/office").get_data(as_text=True)
        assert sum(f'href="/web/cases/{i}"' in first for i in ids) == 20
        assert "/web/office?page=2" in first and "1 / 2" in first
        second = client.get("/web/office?page=2").get_data(as_text=True)
        assert sum(f'href="/web/cases/{i}"' in second for i in ids) == 1

    def test_a_bad_page_number_is_an_error_page(self, service):
        client = client_for(service, reviewer_of(service))
        reply = client.get("/web/office?page=zero")
        assert reply.status_code == 422
        assert "页码" in reply.get_data(as_text=True)

    def test_other_roles_are_refused(self, service):
        client = client_for(service, Actor(Role.SUPERVISOR, "sup"))
        assert client.get("/web/office").status_code == 403


class TestReview:
    def test_start_review_then_approve_with_a_note(self, service):
        """The panel offers start review, then approve; the approval and its note are recorded."""
        case_id = accepted_business(service)
        reviewer = reviewer_of(service)
        client = client_for(service, reviewer)
        status, html = case_page(client, case_id)
        assert status == 200 and f"/web/office/cases/{case_id}/items/{REGISTRATION}/start_review" in html
        assert f"items/{REGISTRATION}/approve" not in html
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        reply = client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/start_review",
                            data={"csrf": csrf, "key": "k1"}, follow_redirects=True)
        assert "已开始审查" in reply.get_data(as_text=True)
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "in_review"
        reply = client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/approve",
                            data={"csrf": csrf, "note": "材料齐全，准予登记", "key": "k2"}, follow_redirects=True)
        assert "已准予许可" in reply.get_data(as_text=True)
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "approved"
        events = [e for e in service.events(SUPERVISOR, case_id) if e.type == "ItemApproved"]
        assert events and events[-1].data.get("note") == "材料齐全，准予登记"

    def test_an_action_the_state_does_not_allow_is_flashed(self, service):
        """Approving an item not yet in review: the library refuses, the page says why, nothing moves."""
        case_id = accepted_business(service)
        reviewer = reviewer_of(service)
        client = client_for(service, reviewer)
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        reply = client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/approve",
                            data={"csrf": csrf, "back": f"/web/cases/{case_id}"}, follow_redirects=True)
        html = reply.get_data(as_text=True)
        assert reply.status_code == 200 and 'class="flash error"' in html and "OS" in html
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "ready"

    def test_suspend_with_basis_and_resume(self, service):
        case_id = accepted_business(service)
        reviewer = reviewer_of(service)
        service.start_review(reviewer, case_id, REGISTRATION)
        client = client_for(service, reviewer)
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        url = f"/web/office/cases/{case_id}/items/{REGISTRATION}/"
        client.post(url + "suspend", data={"csrf": csrf, "reason": "需现场核查经营场所", "basis": "inspection",
                                           "expected_days": "5"})
        task = service.case(SUPERVISOR, case_id).tasks[REGISTRATION]
        assert task.state.value == "suspended"
        client.post(url + "resume", data={"csrf": csrf})
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "in_review"

    def test_request_correction_names_the_materials(self, service):
        case_id = accepted_business(service)
        reviewer = reviewer_of(service)
        service.start_review(reviewer, case_id, REGISTRATION)
        material = next(iter(service.case(SUPERVISOR, case_id).materials))
        client = client_for(service, reviewer)
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/request_correction",
                    data={"csrf": csrf, "materials": [material], "note": "复印件不清晰", "days": "5"})
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "correction_requested"
        event = [e for e in service.events(SUPERVISOR, case_id) if e.type == "CorrectionRequested"][-1]
        assert material in str(event.data)

    def test_bad_days_and_an_empty_reason_are_flashed(self, service):
        case_id = accepted_business(service)
        reviewer = reviewer_of(service)
        service.start_review(reviewer, case_id, REGISTRATION)
        client = client_for(service, reviewer)
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        url = f"/web/office/cases/{case_id}/items/{REGISTRATION}/"
        html = client.post(url + "suspend", data={"csrf": csrf, "reason": "x", "basis": "inspection",
                                                  "expected_days": "five"},
                           follow_redirects=True).get_data(as_text=True)
        assert "整数" in html and "'five'" in html.replace("&#39;", "'")
        html = client.post(url + "refuse_item", data={"csrf": csrf, "reason": "  "},
                           follow_redirects=True).get_data(as_text=True)
        assert 'class="flash error"' in html
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "in_review"

    def test_no_csrf_no_action(self, service):
        case_id = accepted_business(service)
        reviewer = reviewer_of(service)
        client = client_for(service, reviewer)
        reply = client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/start_review", data={})
        assert reply.status_code == 400
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "ready"

    def test_an_unknown_action_is_404(self, service):
        case_id = accepted_business(service)
        client = client_for(service, reviewer_of(service))
        csrf = page_csrf(client, f"/web/cases/{case_id}")
        reply = client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/extend_item", data={"csrf": csrf})
        assert reply.status_code == 404


class TestScope:
    def test_a_reviewer_of_another_department_gets_404(self, service):
        """A reviewer of a department with no item in the case: the case file and the actions are
        404, as for a case that does not exist; the task stays as it was."""
        case_id = accepted_business(service)
        other = Actor(Role.REVIEWER, "rev-x", department="hz-housing") if "hz-housing" in \
            service.catalogue.departments else None
        departments = {item.department for item in service.catalogue.items.values()}
        used = {t.department for t in service.case(SUPERVISOR, case_id).tasks.values()}
        outsider = other or Actor(Role.REVIEWER, "rev-x", department=sorted(departments - used)[0])
        client = client_for(service, outsider)
        status, _ = case_page(client, case_id)
        assert status == 404
        csrf = page_csrf(client, "/web/office")
        reply = client.post(f"/web/office/cases/{case_id}/items/{REGISTRATION}/start_review", data={"csrf": csrf})
        assert reply.status_code == 404
        assert service.case(SUPERVISOR, case_id).tasks[REGISTRATION].state.value == "ready"
        assert f"/web/cases/{case_id}" not in client.get("/web/office").get_data(as_text=True)
