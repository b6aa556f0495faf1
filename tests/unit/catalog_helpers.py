"""Small builders of definition files for the catalogue tests (JSON is valid YAML)."""

from __future__ import annotations

import copy
import json
from typing import Any

from oneservice.catalog.loader import CheckReport, check_files

REGISTRY: dict[str, Any] = {
    "registry": {
        "version": 1,
        "departments": [
            {"id": "hz-amr", "name": {"zh": "市场监管局", "en": "Market regulation"}, "level": "city"},
            {"id": "hz-psb", "name": {"zh": "公安局", "en": "Public security"}, "level": "city"},
            {"id": "hz-tax", "name": {"zh": "税务局", "en": "Tax bureau"}, "level": "city"},
        ],
        "data_sources": [
            {"id": "population-register", "name": {"zh": "人口库", "en": "Population register"},
             "holder": "hz-psb"},
        ],
    }
}


def material(mid: str, **over: Any) -> dict[str, Any]:
    """A material entry; ``over`` replaces or adds keys."""
    return {"id": mid, "name": {"zh": mid, "en": mid}, **over}


def field(fid: str, ftype: str = "string", **over: Any) -> dict[str, Any]:
    """A form field entry."""
    return {"id": fid, "label": {"zh": fid, "en": fid}, "type": ftype, **over}


def item(code: str, **over: Any) -> dict[str, Any]:
    """A valid promised item (3 of 10 working days, result by window, mail or electronically)."""
    body: dict[str, Any] = {
        "code": code,
        "version": 1,
        "name": {"zh": f"事项{code}", "en": f"Item {code}"},
        "department": "hz-amr",
        "kind": "promised",
        "limits": {"legal": {"value": 10}, "promised": {"value": 3}},
        "materials": [],
        "result": {"id": "result", "name": {"zh": "结果", "en": "Result"}, "form": "both"},
        "delivery": ["window", "mail", "electronic"],
    }
    body.update(copy.deepcopy(over))
    return {"item": body}


def matter(mid: str, items: list[str | dict[str, Any]], **over: Any) -> dict[str, Any]:
    """A valid matter whose channels need no trip; ``items`` are codes or ``{item, after}``."""
    body: dict[str, Any] = {
        "id": mid,
        "version": 1,
        "name": {"zh": f"一件事{mid}", "en": f"Matter {mid}"},
        "items": [{"item": i} if isinstance(i, str) else i for i in items],
        "intake": {"channels": ["online", "window"]},
        "supplement": {"channels": ["online"]},
        "correction": {"channels": ["online"]},
        "pickup": {"channels": ["mail", "electronic", "window"]},
        "promise": {"value": 30},
    }
    body.update(copy.deepcopy(over))
    return {"matter": body}


def run(*docs: dict[str, Any], registry: dict[str, Any] | None = None) -> CheckReport:
    """Check ``docs`` (plus the test registry) as in-memory files ``0.yaml``, ``1.yaml`` …"""
    files = {"registry.yaml": json.dumps(registry or REGISTRY, ensure_ascii=False)}
    files.update({f"{n}.yaml": json.dumps(doc, ensure_ascii=False) for n, doc in enumerate(docs)})
    return check_files(files)


def codes(report: CheckReport) -> list[str]:
    return [f.code for f in report.findings]
