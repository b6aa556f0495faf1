"""Property-based tests of the whole API against its own OpenAPI document (schemathesis).

Every operation of ``/openapi.json`` gets generated requests — valid ones and, in negative mode,
ones that break the schema (wrong types, unknown fields, bad headers). Every response must be
free of server errors and match the document: status, content type, headers and body schema;
invalid input must be rejected with a 4xx. Half of the generated case ids, item codes and
catalogue ids are replaced by real ones (a few seeded cases in different states), so requests
reach the engine and not only the router; callers rotate over the roles.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zlib
from typing import Any

import hypothesis
import pytest
import schemathesis
from http_helpers import LOCATION, PERSON_ID, ROOT, SECRET, Http
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oneservice import TZ, OneService, SimulatedClock, Store, load_catalogue
from oneservice.http import TokenAuthority, create_app
from oneservice.http.fields import ID_PATTERN

# per operation and mode: 10 is about 750 requests in ~20 s; ONESERVICE_FUZZ_EXAMPLES=200 explores deeper
EXAMPLES = int(os.environ.get("ONESERVICE_FUZZ_EXAMPLES", "10"))
ROLES = ("clerk", "supervisor", "me", "agent", "sc-amr", "sc-psb")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
REAL: dict[str, list[str]] = {}
TOKENS: dict[str, str] = {}
STATUSES: dict[int, int] = {}
VALID = re.compile(ID_PATTERN[1:-1])  # case ids are a subset of this


def _pick(value: Any, choices: list[str]) -> Any:
    """Half of the valid values (decided by the value itself, so examples replay) become real ids.

    An invalid value (negative mode) is kept: replacing it would send valid data as invalid.
    """
    text = str(value)
    if not choices or not isinstance(value, str) or not VALID.fullmatch(value):
        return value
    if zlib.crc32(text.encode()) % 2:
        return value
    return choices[zlib.crc32(text.encode()) // 2 % len(choices)]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}")
    store.migrate()
    catalogue = load_catalogue([ROOT / "workflows"])
    clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    service = OneService(catalogue, store, clock=clock)
    authority = TokenAuthority(SECRET)
    app = create_app(service, authority, config={"FEED_MAX_WAIT": 0})  # no long poll: GET /events answers at once
    http = Http(app.test_client(), authority, catalogue)
    ids = [http.open_business(), http.accepted_business(), http.accepted_business()]
    http.approve_all(ids[-1])
    submitted = http.open_business()
    http.post(f"/cases/{submitted}/submit", "me", {"form": http.form(), "channel": "online"})
    ids.append(submitted)
    noise = {"kind": "complaint", "channel": "hotline", "category": "noise-nuisance", "content": "噪音",
             "contact": {"name": "张三", "phone": "13800001234"}, "regions": {"incident_region": "330106"}}
    requests = [http.post("/requests", "clerk", noise).json["id"] for _ in range(2)]
    http.post(f"/requests/{requests[1]}/dispatch", "clerk", {})
    REAL.update(
        request_id=requests,
        case_id=ids,
        item=[i.code for i in catalogue.plan("start-a-business").items],
        matter_id=sorted(catalogue.matters),
        department=["sc-amr", "sc-psb", "hz-water", "xh-cgj"],
        location=[LOCATION],
    )
    TOKENS.update({role: http.tokens[role] for role in ROLES})
    yield app
    store.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)

    @schema.hook
    def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        if not path_parameters:
            return path_parameters
        return {name: _pick(value, REAL.get(name, [])) for name, value in path_parameters.items()}

    return schema


def _run(operation: Any, mode: GenerationMode, examples: int) -> list[str]:
    """Hypothesis over one operation in one mode; the failures found, as text."""
    failures: list[str] = []

    @hypothesis.given(case=operation.as_strategy(mode))
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case: Any) -> None:
        headers = dict(case.headers or {})
        key = zlib.crc32(repr((case.path_parameters, case.body, case.query)).encode())
        if key % 8 and "Authorization" in headers:  # 1 in 8 keeps a generated (bad) token; absent stays absent
            headers["Authorization"] = f"Bearer {TOKENS[ROLES[key // 8 % len(ROLES)]]}"
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
        if PERSON_ID in response.text:
            assert headers["Authorization"] in {f"Bearer {TOKENS['clerk']}", f"Bearer {TOKENS['supervisor']}"}

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing to negate: no parameters, no body
    except Exception as exc:  # collected: every operation is tried before the test fails
        failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures


def test_every_operation(api_schema):
    """No 5xx; every response matches the OpenAPI document; invalid input is a 4xx."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 35
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _run(operation, mode, EXAMPLES)
    assert not failures, "\n\n".join(failures)
    assert STATUSES.get(200, 0) > 20, STATUSES  # many requests reached the engine, not only the router
    print(sorted(STATUSES.items()))
