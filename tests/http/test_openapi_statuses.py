"""The OpenAPI document names every status an operation can answer (no catch-all ``default``),
with an example problem for each error status, an operationId for every operation and
``format: date`` for dates; schemathesis (``test_schemathesis.py``) then checks that every status
the API answers is documented for its operation."""

from __future__ import annotations

from oneservice.http.api import error_statuses

METHODS = ("get", "post", "delete", "put", "patch")


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_no_default_and_an_operation_id_each(http):
    spec = http.get("/openapi.json", None).json
    ids = []
    for path, method, op in operations(spec):
        assert "default" not in op["responses"], (path, method)
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids)) >= 40


def test_statuses_by_kind_of_operation(http):
    spec = http.get("/openapi.json", None).json
    accept = spec["paths"]["/cases/{case_id}/accept"]["post"]["responses"]
    assert set(accept) == {"200", "400", "401", "403", "404", "409", "412", "413", "415", "422", "503"}
    get_case = spec["paths"]["/cases/{case_id}"]["get"]["responses"]
    assert set(get_case) == {"200", "304", "401", "403", "404", "422", "503"}
    assert "ETag" in get_case["304"]["headers"]
    assert set(spec["paths"]["/healthz"]["get"]["responses"]) == {"200", "404", "503"}
    assert {"400", "422"} <= set(spec["paths"]["/cases"]["get"]["responses"])


def test_every_error_status_has_an_example_problem(http):
    spec = http.get("/openapi.json", None).json
    used = {status for _, _, op in operations(spec) for status in op["responses"] if status >= "400"}
    for status in used:
        name = next(n for n in spec["components"]["responses"] if n == _name(status))
        example = spec["components"]["responses"][name]["content"]["application/problem+json"]["example"]
        assert example["status"] == int(status) and example["code"].startswith("OS")


def test_dates_are_format_date(http):
    schemas = http.get("/openapi.json", None).json["components"]["schemas"]
    assert schemas["CaseSummary"]["properties"]["due"]["format"] == "date" if "CaseSummary" in schemas else True
    dated = [(name, prop) for name, schema in schemas.items()
             for prop, value in schema.get("properties", {}).items() if prop == "due"]
    assert dated and all(schemas[name]["properties"][prop].get("format") == "date" for name, prop in dated)


def test_error_statuses_rule():
    assert error_statuses("health", "get", {}) == [404, 503]
    assert error_statuses("lists", "get", {"422": "x"}) == [400, 401, 403, 404, 422, 503]


def _name(status: str) -> str:
    import http as std

    return std.HTTPStatus(int(status)).name


def test_examples_match_their_schemas():
    """Each example body loads through its own response schema (no unknown field, none missing)."""
    from oneservice.http import examples
    from oneservice.http.schemas import CasePageSchema, CaseViewSchema, NoticeSchema, SummarySchema

    for schema, example in ((SummarySchema, examples.SUMMARY), (CaseViewSchema, examples.CASE_VIEW),
                            (NoticeSchema, examples.NOTICE), (CasePageSchema, examples.CASE_PAGE)):
        assert schema().validate(example) == {}, schema
        required = {name for name, field in schema().fields.items() if field.required}
        assert required <= set(example), schema


def test_success_responses_carry_examples(http):
    spec = http.get("/openapi.json", None).json
    summary = spec["paths"]["/cases/{case_id}/accept"]["post"]["responses"]["200"]
    assert summary["content"]["application/json"]["example"]["state"] == "in_progress"
    search = spec["paths"]["/cases"]["get"]["responses"]["200"]["content"]["application/json"]
    assert search["example"]["items"][0]["applicant_id"].count("*") == 8
    with_examples = [op for _, _, op in operations(spec)
                     if any("example" in r.get("content", {}).get("application/json", {})
                            for s, r in op["responses"].items() if s < "400")]
    assert len(with_examples) >= 35


def test_accept_language_documented_once_per_operation(http):
    spec = http.get("/openapi.json", None).json
    for path, method, op in operations(spec):
        names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "header"]
        assert names.count("Accept-Language") == 1, (path, method)
