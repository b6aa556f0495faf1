"""Bad input and forbidden access: always a 4xx problem-details body, never a 500, never data."""

from __future__ import annotations

import json

import pytest
from http_helpers import LOCATION, OTHER_ID, PERSON, PERSON_ID, REGISTRATION, SEAL

PROBLEM = "application/problem+json"


def problem(r, status, code):
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == PROBLEM
    body = r.json
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:oneservice:problem:{code}"
    assert body["title"] and body["detail"]
    return body


def raw(http, path, who, data, content_type="application/json"):
    return http.client.post(path, data=data, content_type=content_type, headers=http.headers(who))


class TestMalformedRequests:
    def test_malformed_json(self, http):
        """A body that is not JSON: 400 OS620."""
        case_id = http.open_business()
        body = problem(raw(http, f"/cases/{case_id}/withdraw", "me", b'{"reason": '), 400, "OS620")
        assert body["errors"] == {"json": ["Invalid JSON body."]}

    @pytest.mark.parametrize("text", [b'{"reason": NaN}', b'{"reason": Infinity}', b"\xff\xfe{}"])
    def test_not_strict_json(self, http, text):
        """NaN, Infinity and bad UTF-8 are malformed JSON too."""
        case_id = http.open_business()
        problem(raw(http, f"/cases/{case_id}/withdraw", "me", text), 400, "OS620")

    def test_wrong_types(self, http):
        """Wrong types: 422 naming each field."""
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/submit", "me", {"materials": "all", "channel": 3, "form": []})
        body = problem(r, 422, "OS620")
        assert set(body["errors"]["json"]) == {"materials", "channel", "form"}

    def test_bool_is_not_a_rating(self, http):
        """``true`` is not an integer level."""
        case_id = http.open_business()
        problem(http.post(f"/cases/{case_id}/rating", "me", {"level": True}), 422, "OS620")

    def test_unknown_fields(self, http):
        """A misspelt field is rejected, not ignored."""
        case_id = http.open_business()
        body = problem(http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x", "reasn": "y"}), 422, "OS620")
        assert body["errors"]["json"] == {"reasn": ["Unknown field."]}
        body = problem(http.post(f"/cases/{case_id}/accept", "clerk", {"force": True}), 422, "OS620")

    def test_top_level_array(self, http):
        case_id = http.open_business()
        problem(http.post(f"/cases/{case_id}/withdraw", "me", ["x"]), 422, "OS620")

    def test_nul_character(self, http):
        """NUL cannot be stored by PostgreSQL: rejected at the door, anywhere in the body."""
        case_id = http.open_business()
        problem(http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "a\x00b"}), 422, "OS620")
        form = {"company_name": "x\x00"}
        r = http.post(f"/cases/{case_id}/submit", "me", {"form": form, "channel": "online"})
        problem(r, 422, "OS620")

    def test_deep_nesting(self, http):
        """Nested past the limit: 400, counted before decoding."""
        case_id = http.open_business()
        deep = {"form": {"company_name": json.loads("[" * 40 + "]" * 40)}, "channel": "online"}
        body = problem(http.post(f"/cases/{case_id}/submit", "me", deep), 400, "OS620")
        assert body["errors"] == {"json": ["JSON nested deeper than 32 levels / JSON 嵌套超过 32 层"]}

    @pytest.mark.parametrize("text", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 30_000 + b"1" + b"}" * 30_000,
                                      b"[" * 100_000])
    def test_nesting_past_the_decoders_recursion_limit(self, http, text):
        """100,000 arrays or 30,000 objects (what made the decoder raise RecursionError): 400, not 500."""
        case_id = http.open_business()
        problem(raw(http, f"/cases/{case_id}/withdraw", "me", text), 400, "OS620")

    def test_brackets_inside_strings_do_not_count(self, http):
        """A text full of brackets is a text, not nesting."""
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "[[[[" * 40 + '\\"{{{{' * 40})
        assert r.status_code == 200, r.get_data(as_text=True)

    @pytest.mark.parametrize(("path", "body", "field"), [
        ("withdraw", b'{"reason": "a\\ud800b"}', "reason"),
        ("withdraw", b'{"reason": "\\udfff"}', "reason"),
        ("submit", b'{"channel": "online", "form": {"company_name": "x\\ud800"}}', "form.company_name"),
        ("submit", b'{"channel": "online", "form": {"\\ud800": "x"}}', "form.\ud800"),
        ("submit", b'{"channel": "online", "materials": ["a", "\\udc00"]}', "materials.1"),
    ])
    def test_lone_surrogate(self, http, path, body, field):
        """A lone surrogate (``"\\ud800"``) anywhere: 422 naming the field, on both databases."""
        case_id = http.open_business()
        problem_body = problem(raw(http, f"/cases/{case_id}/{path}", "me", body), 422, "OS620")
        assert problem_body["field"] == field
        assert "surrogate" in problem_body["detail"]
        assert http.get(f"/cases/{case_id}", "me").json["state"] == "draft"  # nothing stored

    def test_surrogate_pair_is_a_character(self, http):
        """A proper pair (an emoji, 😀 = \\ud83d\\ude00) is accepted."""
        case_id = http.open_business()
        r = raw(http, f"/cases/{case_id}/withdraw", "me", b'{"reason": "ok \\ud83d\\ude00"}')
        assert r.status_code == 200, r.get_data(as_text=True)

    def test_lone_surrogate_when_opening(self, http):
        """In the applicant's name when a case is opened: 422, no case."""
        body = {"matter_id": "start-a-business", "channel": "online", "location": LOCATION,
                "applicant": PERSON | {"name": "张\ud800"}}
        data = json.dumps(body).encode()  # ensure_ascii: the surrogate travels as \ud800
        assert b"\\ud800" in data
        r = http.client.post("/cases", data=data, content_type="application/json", headers=http.headers("me"))
        assert problem(r, 422, "OS620")["field"] == "applicant.name"

    def test_oversized_body(self, http):
        """More than the body limit: 413."""
        case_id = http.open_business()
        big = json.dumps({"reason": "x" * 300_000}).encode()
        problem(raw(http, f"/cases/{case_id}/withdraw", "me", big), 413, "OS900")

    def test_too_long_text(self, http):
        case_id = http.open_business()
        problem(http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x" * 2001}), 422, "OS620")

    def test_not_json_media_type(self, http):
        case_id = http.open_business()
        r = raw(http, f"/cases/{case_id}/withdraw", "me", b"reason=x", "application/x-www-form-urlencoded")
        problem(r, 415, "OS900")

    def test_library_validation(self, http):
        """Values the schema cannot judge are checked by the library: 422 with its field."""
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/submit", "me", {"form": {"nope": 1}, "channel": "online"})
        assert problem(r, 422, "OS620")["field"] == "form.nope"
        r = http.post("/cases", "me", {"matter_id": "start-a-business", "channel": "online",
                                       "location": LOCATION, "applicant": PERSON | {"id_number": "123"}})
        assert problem(r, 422, "OS621")["field"] == "applicant.id_number"

    def test_unknown_route_and_method(self, http):
        problem(http.get("/nope", "clerk"), 404, "OS900")
        r = http.client.delete("/cases", headers=http.headers("clerk"))
        assert problem(r, 405, "OS900") and "POST" in r.headers["Allow"]
        problem(http.get("/cases/bad%00id", "clerk"), 404, "OS900")

    def test_unknown_case_and_definition(self, http):
        problem(http.get("/cases/20260101-000000000000", "clerk"), 404, "OS700")
        body = problem(http.get("/matters/start-a-busines/notice", None), 404, "OS630")
        assert body["suggestions"] == ["start-a-business"]
        body = problem(http.get("/worklists/window/hz-citizen-center", "clerk"), 404, "OS630")

    def test_bad_query(self, http):
        problem(http.get("/matters?page=0", None), 422, "OS620")
        problem(http.get("/matters?page_size=abc", None), 422, "OS620")


class TestConflicts:
    def test_illegal_action(self, http):
        """Wrong state: 409 with the state and the actions allowed now."""
        case_id = http.open_business()
        body = problem(http.post(f"/cases/{case_id}/accept", "clerk"), 409, "OS701")
        assert body["state"] == "draft" and body["error"] == "IllegalAction"
        assert "submit" in body["allowed"] and body["action"] == "accept"

    def test_action_rejected(self, http):
        """A failed guard: 422 OS702 with the reason code (accepting an incomplete application)."""
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "materials": [], "channel": "online"})
        assert r.status_code == 200, r.json
        body = problem(http.post(f"/cases/{case_id}/accept", "clerk"), 422, "OS702")
        assert body["reason"] == "incomplete"

    def test_approving_a_waiting_item_is_a_conflict(self, http):
        """An item still waiting for its upstream item cannot be approved: 409 OS701."""
        case_id = http.accepted_business()
        dep = http.reviewer(SEAL)
        body = problem(http.post(f"/cases/{case_id}/items/{SEAL}/approve", dep, {}), 409, "OS701")
        assert body["target"] == SEAL


class TestForbidden:
    def test_another_applicants_case(self, http):
        """Another applicant: 404 for every read and action, the body of a case that does not exist."""
        case_id = http.open_business()
        missing = "20261102-000000000000"

        def same(r, other_r):
            a, b = problem(r, 404, "OS700"), problem(other_r, 404, "OS700")
            a = {k: (v.replace(case_id, "?") if isinstance(v, str) else v) for k, v in a.items() if k != "case_id"}
            b = {k: (v.replace(missing, "?") if isinstance(v, str) else v) for k, v in b.items() if k != "case_id"}
            assert a == b
            assert PERSON_ID not in json.dumps(a) and "张三" not in json.dumps(a, ensure_ascii=False)

        for path in ("", "/progress", "/notice", "/completeness", "/events", "/detail"):
            same(http.get(f"/cases/{case_id}{path}", "other"), http.get(f"/cases/{missing}{path}", "other"))
        for path, payload in [("/withdraw", {"reason": "x"}), ("/submit", {"channel": "online"}),
                              ("/rating", {"level": 5})]:
            same(http.post(f"/cases/{case_id}{path}", "other", payload),
                 http.post(f"/cases/{missing}{path}", "other", payload))

    def test_another_departments_item(self, http):
        """A reviewer of the case acting on another department's item: 403, nothing changes."""
        case_id = http.accepted_business()
        before = http.get(f"/cases/{case_id}", "clerk").json
        wrong = http.reviewer(SEAL)
        body = problem(http.post(f"/cases/{case_id}/items/{REGISTRATION}/start-review", wrong), 403, "OS705")
        assert "state" not in body
        assert http.get(f"/cases/{case_id}", "clerk").json["tasks"] == before["tasks"]

    def test_uninvolved_department_learns_nothing(self, http):
        """A department without an item in the case: 404, as if the case did not exist."""
        case_id = http.accepted_business()
        for path, body in [(f"items/{SEAL}/approve", {}), (f"items/{SEAL}/corrections",
                                                           {"materials": ["nope"], "note": "x"})]:
            r = http.post(f"/cases/{case_id}/{path}", "hz-water", body)
            text = json.dumps(problem(r, 404, "OS700"))
            assert "start-a-business" not in text and "material" not in text
        problem(http.get(f"/cases/{case_id}", "hz-water"), 404, "OS700")

    def test_wrong_role(self, http):
        """An applicant may not accept; a clerk may not rate."""
        case_id = http.open_business()
        problem(http.post(f"/cases/{case_id}/accept", "me"), 403, "OS705")
        problem(http.post(f"/cases/{case_id}/rating", "clerk", {"level": 5}), 403, "OS705")

    def test_applicant_opens_only_for_themselves(self, http):
        r = http.post("/cases", "other", {"matter_id": "start-a-business", "applicant": PERSON,
                                          "channel": "online", "location": LOCATION})
        problem(r, 403, "OS705")

    def test_worklists_are_for_staff(self, http):
        problem(http.get("/worklists/window/hz-citizen-centre", "me"), 403, "OS705")
        problem(http.get("/worklists/department/sc-amr", "sc-psb"), 403, "OS705")
        problem(http.post("/supervision/terminate-overdue", "clerk"), 403, "OS705")
        problem(http.get("/me/cases", "clerk"), 422, "OS620")

    def test_my_cases_are_mine(self, http):
        http.open_business()
        assert http.get("/me/cases", "other").json["total"] == 0
        mine = http.get("/me/cases", "me").json
        assert mine["total"] == 1 and mine["items"][0]["applicant_id"] != PERSON_ID
        assert OTHER_ID not in json.dumps(mine)


class TestNoIdNumberInProblems:
    def test_invalid_id_number_is_masked_in_the_422(self, http):
        """A resident ID number with a wrong check digit: 422 OS621, the number masked in the body."""
        wrong = PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1")
        r = http.post("/cases", "me", {"matter_id": "start-a-business", "channel": "online",
                                       "location": LOCATION, "applicant": PERSON | {"id_number": wrong}})
        body = problem(r, 422, "OS621")
        assert wrong not in r.get_data(as_text=True)
        assert wrong[:6] + "********" + wrong[-4:] in body["detail"]

    def test_item_codes_and_case_ids_are_left_alone(self):
        from oneservice.http.problems import redact_numbers

        assert redact_numbers("item 330102-SCJG-QYSLDJ of case 20261102-7a7e0a4e66b5") == (
            "item 330102-SCJG-QYSLDJ of case 20261102-7a7e0a4e66b5")
        assert redact_numbers("91330106MA2H3X5K6A is wrong") == "9133**********5K6A is wrong"
