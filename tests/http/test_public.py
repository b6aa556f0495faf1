"""Health, readiness, the published catalogue, the OpenAPI document, the docs page and logs."""

from __future__ import annotations

import json
import logging

from http_helpers import PERSON_ID

from oneservice.http.cases import ENDPOINTS


class TestProbes:
    def test_health_and_ready(self, http):
        assert http.get("/healthz", None).json == {"status": "ok"}
        ready = http.get("/readyz", None).json
        assert ready["status"] == "ready" and ready["checks"]["catalogue"].endswith("matters")

    def test_not_ready_without_database(self, http, service, monkeypatch):
        from oneservice import StoreError

        def broken(*args, **kwargs):
            raise StoreError("cannot reach the database")

        monkeypatch.setattr(service.store, "transaction", broken)
        r = http.get("/readyz", None)
        assert r.status_code == 503 and r.json["code"] == "OS800" and r.headers["Retry-After"]


class TestCatalogue:
    def test_matters(self, http, catalogue):
        page = http.get("/matters?page_size=100", None).json
        assert page["total"] == len(catalogue.matters)
        biz = next(m for m in page["items"] if m["id"] == "start-a-business")
        assert biz["trip_budget"] == 0 and biz["trips_worst"] <= biz["trip_budget"]

    def test_notice(self, http):
        zh = http.get("/matters/start-a-business/notice", None).json
        en = http.get("/matters/start-a-business/notice?lang=en", None).json
        assert zh["matter"]["id"] == en["matter"]["id"] == "start-a-business"
        assert zh["matter"]["name"] != en["matter"]["name"]


class TestOpenApi:
    def test_every_action_documented(self, http):
        spec = http.get("/openapi.json", None).json
        assert spec["openapi"].startswith("3.")
        operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()
                      if isinstance(op, dict) and "operationId" in op}
        assert {e.spec.name for e in ENDPOINTS} | {"open_case", "get_case", "progress", "events"} <= operations
        accept = spec["paths"]["/cases/{case_id}/accept"]["post"]
        assert {p["name"] for p in accept["parameters"]} >= {"If-Match", "Idempotency-Key"}
        assert spec["security"] == [{"bearerAuth": []}]
        assert spec["paths"]["/healthz"]["get"]["security"] == []
        error = spec["components"]["responses"]["NOT_FOUND"]["content"]
        assert list(error) == ["application/problem+json"]

    def test_docs_page_served_locally(self, http):
        page = http.get("/docs", None)
        assert page.status_code == 200 and b"/docs/assets/swagger-ui-bundle.js" in page.data
        assert http.get("/docs/assets/swagger-ui-bundle.js", None).status_code == 200


class TestRequestLogs:
    def test_one_line_per_request_without_personal_data(self, http, caplog):
        caplog.set_level(logging.INFO, logger="oneservice.http.access")
        case_id = http.open_business()
        http.get(f"/cases/{case_id}", "clerk")
        http.get(f"/cases/{case_id}", "other")
        records = [r for r in caplog.records if r.name == "oneservice.http.access"]
        assert len(records) == 3
        fields = [r.fields for r in records]
        assert fields[0]["route"] == "/cases" and fields[0]["status"] == 201 and fields[0]["role"] == "applicant"
        assert fields[1]["route"] == "/cases/<case_id:case_id>" and fields[1]["case"] == case_id
        assert fields[2]["status"] == 404 and fields[2]["code"] == "OS700"  # another's case: as if missing
        assert all(f["token"].startswith("t-") and f["request_id"] for f in fields)
        text = json.dumps(fields, ensure_ascii=False)
        for secret in (PERSON_ID, "张三", "zhangsan", "13800138000", http.tokens["me"]):
            assert secret not in text

    def test_request_id_echoed(self, http):
        r = http.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert r.headers["X-Request-ID"] == "abc-123"
        assert len(http.get("/healthz", None).headers["X-Request-ID"]) == 32

    def test_json_formatter(self):
        from oneservice.http.logs import JsonFormatter

        record = logging.LogRecord("oneservice.http.access", logging.INFO, __file__, 1, "request", None, None)
        record.fields = {"status": 200}
        line = json.loads(JsonFormatter().format(record))
        assert line["event"] == "request" and line["status"] == 200 and line["level"] == "info"


class TestDocs:
    def test_every_endpoint_documented_and_every_documented_one_exists(self, http):
        """docs/http-api.md's endpoint tables and /openapi.json list the same operations."""
        import re

        from http_helpers import ROOT

        text = (ROOT / "docs" / "http-api.md").read_text()
        documented = set()
        for method, written in re.findall(r"^\| `(GET|POST) (/[^`?]*)", text, re.MULTILINE):
            path = re.sub(r"\{id\}", "{case_id}", written.replace("{yellow\\|red}", "{colour}"))
            documented.add((method.lower(), path))
        spec = http.get("/openapi.json", None).json
        served = {(m, p) for p, ops in spec["paths"].items() for m in ops if m in ("get", "post")}
        assert documented - {("get", "/openapi.json"), ("get", "/docs")} == served


class TestPublishedFigures:
    def test_figures_per_department_without_a_token_or_personal_data(self, http):
        """GET /public/figures: counts and shares per department, no case id, name or ID number."""
        from http_helpers import PERSON_ID

        case_id = http.accepted_business()
        http.approve_all(case_id)
        http.deliver(case_id)
        tax = http.reviewer("330102-SW-XBNSR")
        r = http.post(f"/cases/{case_id}/rating", "me",
                      {"level": 2, "comment": "退回两次", "about": {"kind": "department", "id": tax}})
        assert r.status_code == 200, r.json
        r = http.get("/public/figures?by=department", None)
        assert r.status_code == 200, r.json
        groups = {g["key"]: g for g in r.json["groups"]}
        assert groups[tax]["bad_share"] == 1.0 and groups[tax]["name_zh"]
        assert all(g["bad_share"] is None for key, g in groups.items() if key != tax)
        body = r.get_data(as_text=True)
        assert case_id not in body and PERSON_ID not in body and "张三" not in body
        bad = http.get("/public/figures?by=applicant", None)
        assert bad.status_code == 422
        backwards = http.get("/public/figures?from=2026-12-01&to=2026-11-01", None)
        assert backwards.status_code == 422 and backwards.json["field"] == "to"
