"""Validating and analysing parsed definition files: :func:`check_documents`.

The schema pass (marshmallow) turns each document into definitions, with every message placed
at its file, line and column; then the references, the areas, the 12345 categories, every item
and every matter are analysed. :mod:`.loader` reads the files and imports this module only when
the catalogue is not in the catalogue cache.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import attrs
from marshmallow import Schema, ValidationError, fields

from ..domain import definitions as d
from ..domain.policy import RegionalPolicy
from ..domain.regions import Region, Regions
from ..domain.requests import RequestCategory
from ..errors import Finding, sort_findings
from . import analysis, areas
from . import requests as request_catalogue
from .calendars import CalendarData, CalendarProblem, check_calendar_file
from .catalogue import Catalogue
from .report import CheckReport
from .schemas import SCHEMAS, build_policy
from .yamlio import Document, locate, value_position

__all__ = ["FILE_SCHEMAS", "KINDS", "check_documents"]

Path_ = tuple[str | int, ...]

FILE_SCHEMAS: dict[str, type[Schema]] = {**SCHEMAS,
                                          "request_categories": request_catalogue.RequestCategoriesFileSchema}
KINDS = (*FILE_SCHEMAS, "calendar")
"""What a definition file may hold: one of these keys (a calendar may also be flat)."""


def _dotted(path: Path_) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _flatten(messages: Any, path: Path_ = ()) -> Iterable[tuple[Path_, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            sub = path if key == "_schema" else (*path, key)
            yield from _flatten(value, sub)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path, str(messages)


def _schema_fields(schema: Schema, path: Path_) -> list[str]:
    """The keys allowed at the mapping that holds ``path[-1]``."""
    current: Schema | None = schema
    for key in path[:-1]:
        if isinstance(key, int) or current is None:
            continue
        field = next((f for n, f in current.fields.items() if (f.data_key or n) == key), None)
        if isinstance(field, fields.List):
            field = field.inner
        current = field.schema if isinstance(field, fields.Nested) else None
    if current is None:
        return []
    return [f.data_key or n for n, f in current.fields.items()]


_PLAIN = {  # marshmallow's messages, said for a YAML author
    "Field may not be null.": "a value is needed here",
    "Invalid input type.": "wrong type: expected a mapping (key: value lines)",
    "Not a valid list.": "wrong type: expected a list",
    "Not a valid string.": "wrong type: expected a text",
    "Not a valid mapping type.": "wrong type: expected a mapping (key: value lines)",
}


def _got(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", not a mapping"
    if isinstance(value, list):
        return ", not a list"
    text = repr(value)
    return f", not {text if len(text) <= 40 else text[:39] + '…'}"


def _value_at(root: Any, path: Path_) -> Any:
    node = root
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _doc_path(doc: Document, path: Path_) -> Path_:
    """``path`` as it is written in the file (a flat calendar file has no ``calendar:`` key)."""
    if doc.kind == "calendar" and doc.flat and path[:1] == ("calendar",):
        return path[1:]
    return path


def _locate(doc: Document, path: Path_) -> tuple[int | None, int | None]:
    return locate(doc.data, _doc_path(doc, path))


def _schema_findings(doc: Document, schema: Schema, err: ValidationError) -> list[Finding]:
    out = []
    for path, raw_message in _flatten(err.messages):
        message = raw_message
        line, col = _locate(doc, path)
        code, hint = "OS203", None
        shown = _doc_path(doc, path)
        if message.startswith("OS") and message[2:5].isdigit() and message[5:7] == ": ":
            code, message = message[:5], message[7:]
        elif message == "Unknown field.":
            code = "OS201"
            allowed = _schema_fields(schema, path)
            message = f"unknown key {path[-1]!r}"
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
            hint = (f"did you mean {close[0]!r}?" if close else "") + (
                f" allowed here: {', '.join(allowed)}" if allowed else "")
            hint = hint.strip()
        elif message == "Missing data for required field.":
            code = "OS202"
            message = f"missing required key {path[-1]!r}" if path else "missing required key"
            line, col = _locate(doc, path[:-1])
        elif message.startswith("must be one of: "):
            value = _value_at(doc.data, shown)
            choices = [c.strip() for c in message[len("must be one of: "):].split(",")]
            if isinstance(value, str):
                message = f"{value!r} is not allowed here; {message}"
                close = difflib.get_close_matches(value, choices, n=1)
                hint = f"did you mean {close[0]!r}?" if close else None
        elif message in _PLAIN:
            message = _PLAIN[message] + _got(_value_at(doc.data, shown))
        out.append(Finding(code, message, file=doc.name, line=line, column=col,
                           path=_dotted(shown), hint=hint))
    return out


@attrs.define
class _Origins:
    """Where each definition came from, to locate semantic findings."""

    docs: dict[tuple[str, str], tuple[Document, Path_]] = attrs.Factory(dict)

    def __call__(self, kind: str, ident: str, path: Path_, at: int | None = None) -> dict[str, Any]:
        if (kind, ident) not in self.docs:
            return {}
        doc, base = self.docs[(kind, ident)]
        full = base + path
        line, col = _locate(doc, full)
        if at is not None and line is not None and col is not None:
            line, col = value_position(doc.text, line, col, at) or (line, col)
        return {"file": doc.name, "line": line, "column": col, "path": _dotted(_doc_path(doc, full))}


def _kind_of(doc: Document) -> str | None:
    """Which kind of definition ``doc`` holds, or None when it is not one."""
    data = doc.data
    keys = list(data) if isinstance(data, dict) else []
    if len(keys) == 1 and isinstance(keys[0], str) and keys[0] in KINDS:
        doc.kind = keys[0]
        return doc.kind
    if "year" in keys and all(isinstance(k, str) and k not in KINDS for k in keys):
        doc.kind, doc.flat = "calendar", True  # the engine's calendar file form
        return doc.kind
    return None


def _raw_id(doc: Document, kind: str, key: str) -> str | None:
    body = doc.data.get(kind) if isinstance(doc.data, dict) else None
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def check_documents(
    documents: list[Document], problems: list[Finding], count: int, *, strict: bool = False
) -> CheckReport:
    origins = _Origins()
    items: dict[str, d.Item] = {}
    matters: dict[str, d.Matter] = {}
    departments: dict[str, d.Department] = {}
    locations: dict[str, d.Location] = {}
    regions: dict[str, Region] = {}
    sources: dict[str, d.DataSource] = {}
    calendars: list[CalendarData] = []
    categories: dict[str, RequestCategory] = {}
    policy = RegionalPolicy()
    invalid_items: set[str] = set()  # codes of item files with errors of their own
    # one schema object per kind: a new one builds its whole tree of nested schemas again (deep
    # copies of every field), which took more time than loading the data
    schemas: dict[str, Schema] = {}

    def duplicate(kind: str, ident: Any, doc: Document, base: Path_, key: str) -> bool:
        """Record where ``ident`` is defined (``base``); report it when it was defined before."""
        if (kind, ident) in origins.docs:
            first, _ = origins.docs[(kind, ident)]
            path = (*base, key)
            line, col = _locate(doc, path)
            what = kind.rstrip("s").replace("_", " ")
            problems.append(Finding("OS205", f"duplicate {what} id {ident!r} (first defined in {first.name})",
                                    file=doc.name, line=line, column=col, path=_dotted(_doc_path(doc, path)),
                                    hint="every id must be unique across the catalogue"))
            return True
        origins.docs[(kind, ident)] = (doc, base)
        return False

    for doc in documents:
        kind = _kind_of(doc)
        if kind is None:
            data = doc.data
            keys = list(data) if isinstance(data, dict) else []
            line, col = locate(data, ())
            shown = ", ".join(map(str, keys)) or ("an empty file" if data is None else type(data).__name__)
            problems.append(Finding(
                "OS106", f"a definition file holds exactly one of: {', '.join(KINDS)} (found {shown})",
                file=doc.name, line=line or 1, column=col or 1,
                hint="start the file with 'item:', 'matter:', 'registry:', 'request_categories:' or "
                     "'calendar:'"))
            continue
        if kind == "calendar":
            checked = check_calendar_file(doc.data if doc.flat else doc.data["calendar"], file=doc.name)
            problems.extend(_calendar_findings(doc, checked.problems))
            year = checked.year
            fresh = year is not None and not duplicate("calendars", year, doc, ("calendar",), "year")
            if fresh and checked.data is not None:
                calendars.append(checked.data)
            continue
        schema = schemas.get(kind) or schemas.setdefault(kind, FILE_SCHEMAS[kind]())
        try:
            loaded = schema.load(doc.data)[kind]
        except ValidationError as err:
            problems.extend(_schema_findings(doc, schema, err))
            if kind == "item" and (code := _raw_id(doc, "item", "code")):
                invalid_items.add(code)
            continue
        except RecursionError:
            problems.append(Finding("OS105", "the document is nested too deeply", file=doc.name,
                                    line=1, column=1))
            continue
        if kind == "item":
            item = _build_item(loaded, doc.name)
            if not duplicate("item", item.code, doc, ("item",), "code"):
                items[item.code] = item
        elif kind == "matter":
            matter = _build_matter(loaded, doc.name)
            if not duplicate("matter", matter.id, doc, ("matter",), "id"):
                matters[matter.id] = matter
        elif kind == "request_categories":
            for index, category in enumerate(loaded["categories"]):
                if not duplicate("request_categories", category.id, doc,
                                 ("request_categories", "categories", index), "id"):
                    categories[category.id] = attrs.evolve(category, source_file=doc.name)
        else:
            if loaded.get("policy") is not None and not duplicate("policy", "policy", doc, ("registry",),
                                                                   "policy"):
                declared = loaded["policy"]
                base = build_policy(declared)
                overrides = {r["region"]: build_policy(r, base) for r in declared["regions"]}
                policy = RegionalPolicy(base, overrides)
            for index, region in enumerate(loaded["regions"]):
                if not duplicate("regions", region.code, doc, ("registry", "regions", index), "code"):
                    regions[region.code] = region
            for group, target in (("departments", departments), ("locations", locations),
                                  ("data_sources", sources)):
                for index, entry in enumerate(loaded[group]):
                    if not duplicate(group, entry.id, doc, ("registry", group, index), "id"):
                        target[entry.id] = entry

    for (group, ident), (doc, path) in list(origins.docs.items()):
        if group == "data_sources" and sources[ident].holder not in departments:
            holder = sources[ident].holder
            where = (*path, "holder")
            line, col = _locate(doc, where)
            close = difflib.get_close_matches(holder, list(departments), n=1)
            problems.append(Finding("OS301", f"unknown department {holder!r}", file=doc.name, line=line,
                                    column=col, path=_dotted(where),
                                    hint=f"did you mean {close[0]!r}?" if close
                                    else "add it to the registry's departments"))
    hierarchy = Regions(regions)
    problems.extend(areas.check_regions(hierarchy, departments, locations, origins))
    routes, found = areas.build_routes(items, departments, locations, hierarchy, origins)
    problems.extend(found)
    request_routes, found = request_catalogue.check_categories(categories, departments, locations,
                                                               hierarchy, origins, strict=strict)
    problems.extend(found)
    known_items = set(items) | invalid_items
    for item in items.values():
        problems.extend(analysis.analyse_item(item, departments, sources, known_items, origins,
                                              strict=strict))
    plans = {}
    for matter in matters.values():
        if any(code in invalid_items and code not in items for code in matter.item_codes):
            continue  # the item's own findings say what to fix first
        plan, found = analysis.analyse_matter(matter, items, departments, sources, origins, routes)
        problems.extend(found)
        if plan is not None:
            plans[matter.id] = plan
    findings = tuple(sort_findings(problems))
    catalogue = None
    if not any(f.is_error for f in findings):
        catalogue = Catalogue(departments=departments, locations=locations, data_sources=sources,
                              regions=hierarchy,
                              items=items, matters=matters, plans=plans,
                              calendars=tuple(sorted(calendars, key=lambda c: c.year)),
                              policy=policy,
                              request_categories=categories, request_routes=request_routes,
                              warnings=tuple(f for f in findings if not f.is_error),
                              texts={doc.name: doc.text for doc in documents},
                              origins={(kind, str(ident)): doc.name
                                       for (kind, ident), (doc, _) in origins.docs.items()})
    return CheckReport(findings, catalogue, count)


def _build_item(x: dict[str, Any], name: str) -> d.Item:
    return d.Item(
        code=x["code"], version=x["version"], name=x["name"],
        department=x["department"] if isinstance(x["department"], str) else "",
        routing=None if isinstance(x["department"], str) else x["department"],
        kind=d.ItemKind(x["kind"]), legal_limit=x["limits"]["legal"],
        promised_limit=x["limits"]["promised"], materials=tuple(x["materials"]),
        form=tuple(x["form"]), conditions=tuple(x["conditions"]), fee=x["fee"], result=x["result"],
        delivery=frozenset(d.Channel(c) for c in x["delivery"]), onsite=x["onsite"], stops=x["stops"],
        source_file=name,
    )


def _build_matter(x: dict[str, Any], name: str) -> d.Matter:
    return d.Matter(
        id=x["id"], version=x["version"], name=x["name"], items=tuple(x["items"]),
        intake_channels=frozenset(d.Channel(c) for c in x["intake"]["channels"]),
        supplement_channels=frozenset(d.Channel(c) for c in x["supplement"]["channels"]),
        correction_channels=frozenset(d.Channel(c) for c in x["correction"]["channels"]),
        pickup_channels=frozenset(d.Channel(c) for c in x["pickup"]["channels"]),
        same_visit_pickup=x["pickup"]["same_visit"], trip_budget=x["trip_budget"],
        promise=x["promise"], on_item_refused=d.RefusalPolicy(x["on_item_refused"]),
        deficiency=x["deficiency"], release=d.ResultRelease(x["pickup"]["release"]),
        joint_handling=x["joint_handling"], questions=tuple(x["questions"]),
        parties=tuple(x["parties"]) if x["parties"] else (d.APPLICANT_ROLE,), source_file=name,
        intake_levels=frozenset(d.Level(lv) for lv in x["intake"]["levels"]),
        pickup_levels=frozenset(d.Level(lv) for lv in x["pickup"]["levels"]),
    )


def _calendar_findings(doc: Document, found: Iterable[CalendarProblem]) -> list[Finding]:
    """The calendar validator's problems as findings at their place in the file."""
    out = []
    for problem in found:
        path = ("calendar", *problem.path)
        line, col = _locate(doc, path)
        out.append(Finding(problem.code, problem.message, file=doc.name, line=line, column=col,
                           path=_dotted(_doc_path(doc, path)), hint=problem.hint))
    return out
