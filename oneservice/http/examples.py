"""Example bodies of the most used responses, for the OpenAPI document (checked against their
schemas by ``tests/http/test_openapi_statuses.py``)."""

from __future__ import annotations

from typing import Any

__all__ = ["CASE_PAGE", "CASE_VIEW", "NOTICE", "SUMMARY"]

SUMMARY: dict[str, Any] = {
    "id": "20261102-4be1c0a9d2f3",
    "matter_id": "start-a-business",
    "state": "in_progress",
    "version": 7,
    "trips": 1,
    "trip_budget": 1,
    "due": "2026-11-16",
    "due_provisional": False,
    "colour": "green",
    "tasks": {"330102-SCJG-QYSLDJ": "approved", "330102-GA-YZKZBA": "in_review"},
    "owed": [],
    "allowed": ["withdraw"],
    "outcome": None,
}

CASE_VIEW: dict[str, Any] = SUMMARY | {
    "applicant": {"kind": "person", "name": "张三", "id_number": "330106********0024", "phone": None},
}

NOTICE: dict[str, Any] = {
    "case_id": "20261102-4be1c0a9d2f3",
    "number": 1,
    "lines": [{"kind": "material", "id": "lease", "zh": "缺少：经营场所证明（租赁合同）",
               "en": "missing: proof of premises (lease)"}],
    "channels": ["mail", "online", "window"],
}

CASE_PAGE: dict[str, Any] = {
    "items": [{
        "id": "20261102-4be1c0a9d2f3", "matter_id": "start-a-business", "state": "in_progress",
        "location": "hz-citizen-centre", "channel": "online", "applicant_id": "330106********0024",
        "applicant_name": "张三", "opened_at": "2026-11-02T09:00:00+08:00", "concluded_at": None,
        "due": "2026-11-16", "due_provisional": False, "trips": 1, "over_budget": False, "version": 7,
    }],
    "page": 1,
    "page_size": 50,
    "total": 1,
    "pages": 1,
}
