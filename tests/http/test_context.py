"""Per-request helpers of the HTTP layer: one masking of ID numbers, case reads by the caller."""

from __future__ import annotations

from http_helpers import BIZ, PERSON_ID, REGISTRATION

from oneservice import Applicant
from oneservice.http import auth, context
from oneservice.samples import sample_company_code


class TestMaskId:
    def test_one_definition(self) -> None:
        """Tokens (auth) and lists (context) mask with the same function."""
        assert context.mask_id is auth.mask_id

    def test_masks_as_the_library_does(self) -> None:
        """A resident ID number and a company code are masked as ``Applicant.masked_id``."""
        company = sample_company_code(1)
        assert auth.mask_id(PERSON_ID) == Applicant("person", PERSON_ID, "-").masked_id
        assert auth.mask_id(company) == Applicant("company", company, "-").masked_id
        assert auth.mask_id(PERSON_ID) != PERSON_ID


class TestCaseReadsAsTheCaller:
    def test_no_privileged_reader(self) -> None:
        """The HTTP layer has no reader of its own: the library authorises every case read."""
        assert not hasattr(context, "READER")

    def test_reviewer_of_another_department_is_refused(self, http) -> None:
        """A reviewer whose department has no item in the case: 404, as for a case that does not exist."""
        case_id = http.accepted_business()
        involved = {item.department for item in http.catalogue.plan(BIZ).items}
        outsider = next(dep for dep in sorted(http.catalogue.departments) if dep not in involved)
        r = http.get(f"/cases/{case_id}", outsider)
        assert r.status_code == 404 and r.json["code"] == "OS700"

    def test_reviewer_precondition(self, http) -> None:
        """A reviewer's ``If-Match`` is checked against the summary the reviewer may read."""
        case_id = http.accepted_business()
        dep = http.reviewer(REGISTRATION)
        current = http.get(f"/cases/{case_id}", dep)
        assert current.status_code == 200
        start = f"/cases/{case_id}/items/{REGISTRATION}/start-review"
        stale = http.post(start, dep, if_match=f'"{current.json["version"] + 1}"')
        assert stale.status_code == 412 and stale.headers["ETag"] == f'"{current.json["version"]}"'
        assert current.headers["ETag"].startswith(f'"{current.json["version"]}.')
        fresh = http.post(start, dep, if_match=current.headers["ETag"])
        assert fresh.status_code == 200 and fresh.json["tasks"][REGISTRATION] == "in_review"
