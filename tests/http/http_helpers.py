"""Constants and the ``Http`` client wrapper shared by the HTTP tests (imported by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oneservice import Actor, Role
from oneservice.http import TokenAuthority
from oneservice.samples import sample_form, sample_resident_id

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"http-tests-secret-0123456789abcdef"
LOCATION = "hz-citizen-centre"
BIZ = "start-a-business"
PARCEL = "EMS 1180 0000 1"
COMMITMENT = "容缺受理承诺书（申请人已签字，编号 2026-118）"
REGISTRATION = "330102-SCJG-QYSLDJ"
SEAL = "330102-GA-YZKZBA"
PERSON_ID = sample_resident_id(1)
OTHER_ID = sample_resident_id(2)
PERSON = {"kind": "person", "id_number": PERSON_ID, "name": "张三", "phone": "13800138000"}


class Http:
    """The test client with a token per role: ``http.post(path, "clerk", body)``."""

    def __init__(self, client: Any, authority: TokenAuthority, catalogue: Any) -> None:
        self.client = client
        self.authority = authority
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        cast = {
            "clerk": Actor(Role.CLERK, "clerk-01", location=LOCATION),
            "supervisor": Actor(Role.SUPERVISOR, "sup-01"),
            "me": Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON_ID),
            "other": Actor(Role.APPLICANT, "lisi", applicant_id=OTHER_ID),
            "agent": Actor(Role.AGENT, "grid-07"),
        }
        for dep in catalogue.departments:
            cast[dep] = Actor(Role.REVIEWER, f"rev-{dep}", department=dep)
        for name, actor in cast.items():
            issued = authority.issue(actor)
            self.tokens[name] = issued.token
            self.ids[name] = issued.id
        self.catalogue = catalogue

    def headers(self, who: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(who, who)}"
        return headers

    def get(self, path: str, who: str | None, **headers: str) -> Any:
        return self.client.get(path, headers=self.headers(who, _names(headers)))

    def post(self, path: str, who: str | None, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        return self.client.post(path, headers=self.headers(who, _names(headers)), **kwargs)

    def reviewer(self, item: str) -> str:
        return self.catalogue.item(item).department

    # ------------------------------------------------------------------ a business case

    def open_business(self, who: str = "me") -> str:
        r = self.post("/cases", who, {"matter_id": BIZ, "applicant": PERSON, "channel": "online",
                                      "location": LOCATION})
        assert r.status_code == 201, r.json
        return str(r.json["id"])

    def form(self) -> dict[str, Any]:
        return sample_form(self.catalogue.plan(BIZ))

    def materials(self) -> list[str]:
        return [line.material.id for line in self.catalogue.plan(BIZ).materials if line.required]

    def accepted_business(self) -> str:
        """A start-a-business case submitted complete and accepted: every item ready or waiting."""
        case_id = self.open_business()
        r = self.post(f"/cases/{case_id}/submit", "me",
                      {"form": self.form(), "materials": self.materials(), "channel": "online"})
        assert r.status_code == 200, r.json
        r = self.post(f"/cases/{case_id}/accept", "clerk")
        assert r.status_code == 200, r.json
        return case_id

    def deliver(self, case_id: str) -> Any:
        """Hand over every result: the seals mailed with their parcel reference, the rest pushed."""
        body = {"channel": "electronic", "results": {"seal-filing": {"channel": "mail", "tracking": PARCEL}}}
        r = self.post(f"/cases/{case_id}/deliver", "clerk", body)
        assert r.status_code == 200, r.json
        return r

    def approve_all(self, case_id: str) -> Any:
        r = None
        for item in self.catalogue.plan(BIZ).items:
            dep = item.department
            assert self.post(f"/cases/{case_id}/items/{item.code}/start-review", dep).status_code == 200
            r = self.post(f"/cases/{case_id}/items/{item.code}/approve", dep, {"note": "ok"})
            assert r.status_code == 200, r.json
        return r


def _names(headers: dict[str, str]) -> dict[str, str]:
    """``if_match="…"`` → ``If-Match: …``."""
    return {"-".join(part.capitalize() for part in k.split("_")): v for k, v in headers.items()}


