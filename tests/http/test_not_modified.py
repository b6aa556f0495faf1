"""``If-None-Match`` on ``GET /cases/{id}``: 304 while the view is the same, 200 when it changed —
after an action, on the day its colour turns (the version unchanged), for another viewer."""

from __future__ import annotations

from oneservice.http.context import none_match


def get(http, case_id, who="clerk", **headers):
    return http.get(f"/cases/{case_id}", who, **headers)


class TestIfNoneMatch:
    def test_same_view_is_304_without_body(self, http):
        case_id = http.open_business()
        first = get(http, case_id)
        tag = first.headers["ETag"]
        assert tag.startswith(f'"{first.json["version"]}.')
        again = get(http, case_id, if_none_match=tag)
        assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == tag
        assert get(http, case_id, if_none_match=f'"x", W/{tag}').status_code == 304  # weak comparison
        assert get(http, case_id, if_none_match="*").status_code == 304
        assert again.headers["Cache-Control"] == "private, no-cache"

    def test_an_action_changes_the_tag(self, http):
        case_id = http.open_business()
        tag = get(http, case_id, "me").headers["ETag"]
        http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"})
        r = get(http, case_id, "me", if_none_match=tag)
        assert r.status_code == 200 and r.headers["ETag"] != tag and r.json["state"] == "submitted"

    def test_colour_turning_changes_the_tag_not_the_version(self, http, clock, service):
        """The day the deadline passes the case turns red at the same version: a new ETag, 200."""
        case_id = http.accepted_business()
        before = get(http, case_id)
        clock.advance_working_days(40, service.calendar)
        after = get(http, case_id, if_none_match=before.headers["ETag"])
        assert after.status_code == 200 and after.json["colour"] == "red" != before.json["colour"]
        assert after.json["version"] == before.json["version"]
        assert after.headers["ETag"] != before.headers["ETag"]

    def test_another_viewer_gets_its_own_view(self, http):
        """The applicant's view masks the ID number: the clerk's tag does not match it."""
        case_id = http.open_business()
        clerk = get(http, case_id).headers["ETag"]
        mine = get(http, case_id, "me", if_none_match=clerk)
        assert mine.status_code == 200 and mine.headers["ETag"] != clerk

    def test_out_of_scope_is_404_whatever_the_tag(self, http):
        case_id = http.open_business()
        r = get(http, case_id, "other", if_none_match="*")
        assert r.status_code == 404

    def test_view_tag_works_as_if_match(self, http):
        """The tag of the view names its version: If-Match accepts it while the version holds."""
        case_id = http.open_business()
        tag = get(http, case_id, "me").headers["ETag"]
        r = http.post(f"/cases/{case_id}/submit", "me", {"form": http.form(), "channel": "online"}, if_match=tag)
        assert r.status_code == 200, r.json
        r = http.post(f"/cases/{case_id}/withdraw", "me", {"reason": "x"}, if_match=tag)
        assert r.status_code == 412


def test_malformed_if_none_match_is_ignored():
    assert not none_match("seven", '"7.ab"') and not none_match(None, '"7.ab"')
    assert none_match(' "1.aa" , "7.ab"', '"7.ab"') and not none_match('"7"', '"7.ab"')
