"""Optimistic concurrency (ETag / If-Match) and idempotency keys."""

from __future__ import annotations

from http_helpers import BIZ, LOCATION, PERSON, REGISTRATION


def etag_of(http, case_id, who="clerk"):
    return http.get(f"/cases/{case_id}", who).headers["ETag"]


class TestIfMatch:
    def test_current_version_acts(self, http):
        """If-Match with the current ETag: the action runs and returns the next ETag."""
        case_id = http.open_business()
        tag = etag_of(http, case_id, "me")
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "不再需要"}, if_match=tag)
        assert r.status_code == 200
        assert r.headers["ETag"] == f'"{r.json["version"]}"' != tag

    def test_stale_version_is_412(self, http):
        """Someone acted meanwhile: 412 with the current ETag, and nothing changes."""
        case_id = http.open_business()
        stale = etag_of(http, case_id, "me")
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, if_match=stale)
        assert r.status_code == 412 and r.json["code"] == "OS703"
        assert r.headers["ETag"] == f'"{r.json["current_version"]}"'
        assert etag_of(http, case_id, "me").startswith(f'"{r.json["current_version"]}.')  # the view's tag
        assert http.get(f"/cases/{case_id}", "me").json["state"] == "submitted"

    def test_forms_of_the_header(self, http):
        """``*`` matches, a list matches any, weak tags never match, garbage is a 400."""
        case_id = http.open_business()
        version = http.get(f"/cases/{case_id}", "me").json["version"]
        assert http.post(f"/cases/{case_id}/submit", "me", {"channel": "online"}, if_match="*").status_code == 200
        version += 1
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, if_match=f'W/"{version}"')
        assert r.status_code == 412
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, if_match="version seven")
        assert r.status_code == 400 and r.json["field"] == "If-Match"
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, if_match=f'"99", "{version}"')
        assert r.status_code == 200

    def test_reviewer_may_use_if_match(self, http):
        case_id = http.accepted_business()
        dep = http.reviewer(REGISTRATION)
        tag = etag_of(http, case_id, dep)
        r = http.post(f"/cases/{case_id}/items/{REGISTRATION}/start-review", dep, if_match=tag)
        assert r.status_code == 200

    def test_precondition_does_not_reveal_others_cases(self, http):
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/withdraw", "other", {"reason": "x"}, if_match='"0"')
        assert r.status_code == 404 and "current_version" not in r.json  # out of scope: as if missing

    def test_new_case_has_no_version(self, http):
        """If-Match on POST /cases is a bad request (400 naming the header), and opens nothing.

        A valid body is sent: with an invalid one the schema's 422 comes first (the body is
        parsed before the view runs), which is why this test once had to accept either status.
        """
        body = {"matter_id": BIZ, "applicant": PERSON, "channel": "online", "location": LOCATION}
        for tag in ('"1"', "*"):
            r = http.post("/cases", "me", body, if_match=tag)
            assert r.status_code == 400, r.json
            assert (r.json["code"], r.json["field"]) == ("OS620", "If-Match")
        assert http.get("/me/cases", "me").json["items"] == []


class TestIdempotencyKey:
    def test_repeat_returns_first_result(self, http):
        """The same key and body: the first summary again, the action applied once."""
        case_id = http.open_business()
        body = {"form": http.form(), "materials": http.materials(), "channel": "online"}
        first = http.post(f"/cases/{case_id}/submit", "me", body, idempotency_key="k-1")
        again = http.post(f"/cases/{case_id}/submit", "me", body, idempotency_key="k-1")
        assert first.status_code == again.status_code == 200
        assert again.json == first.json
        events = http.get(f"/cases/{case_id}/events", "clerk").json["items"]
        assert [e["type"] for e in events].count("ApplicationSubmitted") == 1

    def test_open_case_repeat(self, http):
        """A repeated POST /cases with the key opens one case."""
        body = {"matter_id": BIZ, "applicant": PERSON, "channel": "online", "location": LOCATION}
        first = http.post("/cases", "me", body, idempotency_key="open-1")
        again = http.post("/cases", "me", body, idempotency_key="open-1")
        assert first.json["id"] == again.json["id"]
        assert http.get("/me/cases", "me").json["total"] == 1

    def test_same_key_other_body_is_422(self, http):
        """The IETF Idempotency-Key draft: a key reused with another request is a 422."""
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me", {"channel": "online"}, idempotency_key="k-2")
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, idempotency_key="k-2")
        assert r.status_code == 422 and r.json["code"] == "OS704"

    def test_keys_are_scoped_to_the_caller(self, http):
        """Another caller reusing a key acts afresh and never sees the first caller's result."""
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"},
                  idempotency_key="shared")
        r = http.post(f"/cases/{case_id}/notice", "clerk", idempotency_key="shared")
        assert r.status_code == 200 and r.json["number"] == 1
        r = http.post(f"/cases/{case_id}/submit", "other", {"form": http.form(), "channel": "online"},
                      idempotency_key="shared")
        assert r.status_code == 404  # another applicant's case: as if it did not exist

    def test_notice_repeat(self, http):
        case_id = http.open_business()
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
        first = http.post(f"/cases/{case_id}/notice", "clerk", idempotency_key="n-1")
        again = http.post(f"/cases/{case_id}/notice", "clerk", idempotency_key="n-1")
        assert again.status_code == 200 and again.json == first.json

    def test_bad_key(self, http):
        case_id = http.open_business()
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, idempotency_key="a b")
        assert r.status_code == 422 and "Idempotency-Key" in r.json["errors"]["headers"]

    def test_rectification_steps_replay_a_key(self, http):
        """The callback and the rectification take a key like every action: a repeat replays."""
        case_id = http.accepted_business()
        http.approve_all(case_id)
        http.deliver(case_id)
        http.post(f"/cases/{case_id}/rating", "me", {"level": 1, "comment": "材料被退回三次"})
        for path in ("rectification/callback", "rectification/done"):
            first = http.post(f"/cases/{case_id}/{path}", "supervisor", {"note": "已处理"}, idempotency_key=path)
            again = http.post(f"/cases/{case_id}/{path}", "supervisor", {"note": "已处理"}, idempotency_key=path)
            assert first.status_code == again.status_code == 200
            assert again.json == first.json and again.headers["ETag"] == first.headers["ETag"]
