"""Static analysis of items and matters: references, graph, time limits, materials, form, trips.

Every check returns :class:`~oneservice.errors.Finding` values; a ``Locator`` turns a definition
and a key path into file, line and column. The trip counting rule is documented in
``docs/authoring.md`` ("Counting trips") and implemented in :func:`.trips.analyse_trips`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import attrs

from ..domain import conditions, situations
from ..domain.definitions import (
    AbsentPolicy,
    DataSource,
    Department,
    FieldType,
    Item,
    ItemKind,
    Limit,
    LimitUnit,
    Matter,
    MatterItem,
)
from ..domain.law import LAW, Clocks
from ..domain.regions import Route
from ..errors import Finding, Severity
from .hashing import content_hash
from .plan import (
    ExcludedMaterial,
    FormLine,
    MaterialLine,
    MatterPlan,
    PathReport,
)
from .trips import analyse_trips

__all__ = ["Locator", "analyse_item", "analyse_matter", "content_hash", "to_unit"]

class Locator(Protocol):
    """Where a definition's key path is: file, line, column and dotted path (a dict for Finding).

    With ``at``, the place of character ``at`` of the scalar value at the path (the column of a
    problem within a condition), when it can be told exactly; else the key's place.
    """

    def __call__(self, kind: str, ident: str, path: tuple[str | int, ...],
                 at: int | None = None) -> dict[str, Any]: ...


@attrs.define
class _Reporter:
    """Collects findings about one definition, located through a :data:`Locator`."""

    loc: Locator
    kind: str
    ident: str
    out: list[Finding] = attrs.Factory(list)

    def __call__(self, path: tuple[str | int, ...], code: str, message: str,
                 hint: str | None = None, severity: Severity = "error", at: int | None = None) -> None:
        self.out.append(Finding(code, message, hint=hint, severity=severity,
                                **self.loc(self.kind, self.ident, path, at)))


def _check_condition(f: _Reporter, path: tuple[str | int, ...], expression: str,
                     fields: Mapping[str, FieldType], where: str) -> None:
    """Every problem of one condition (syntax, names, types, regexes, cost) at its column."""
    declared = tuple(sorted((name, type(kind).__name__, str(kind)) for name, kind in fields.items()))
    for problem in _problems(expression, declared, fields):
        hint = problem.hint
        message = problem.message
        if problem.code == "OS306":
            message = f"invalid CEL expression: {problem.message}"
            hint = (f"{hint}; " if hint else "") + "see docs/authoring.md, 'Acceptance conditions'"
        elif problem.code == "OS307":
            hint = _did_you_mean(problem.name or "", fields) or f"declare the field {where}"
        at = _expression_index(expression, problem.line, problem.column)
        shown = expression if len(expression) <= 60 else expression[:59] + "…"
        f(path, problem.code, f"{message} (in {shown!r})", hint, at=at)


_Declared = tuple[tuple[str, str, str], ...]  # (field id, type of its kind, kind)
_CHECKED: dict[tuple[str, _Declared], tuple[conditions.Problem, ...]] = {}


def _problems(expression: str, declared: _Declared,
              fields: Mapping[str, FieldType]) -> tuple[conditions.Problem, ...]:
    """:func:`~oneservice.domain.conditions.check_expression`, remembered by the expression and
    the declared fields: a catalogue repeats the same conditions over the same fields in many
    items, and compiling each again took a tenth of the check."""
    key = (expression, declared)
    found = _CHECKED.get(key)
    if found is None:
        found = tuple(conditions.check_expression(expression, fields))
        if len(_CHECKED) >= 4096:
            _CHECKED.clear()
        _CHECKED[key] = found
    return found


def _expression_index(expression: str, line: int, column: int | None) -> int | None:
    if column is None:
        return None
    lines = expression.split("\n")
    if not 1 <= line <= len(lines):
        return None
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def _did_you_mean(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return "did you mean " + ", ".join(repr(c) for c in close) + "?" if close else None


def to_unit(limit: Limit, unit: LimitUnit) -> tuple[int, bool]:
    """``limit`` expressed as an upper bound in ``unit``; the flag says a conversion happened.

    Calendar days → working days: N calendar days hold at most N working days. Working days →
    calendar days: ⌈N × 7 / 5⌉, exact without holidays (a conservative estimate around them).
    """
    if limit.unit == unit:
        return limit.value, False
    if unit is LimitUnit.WORKING_DAYS:
        return limit.value, True
    return math.ceil(limit.value * 7 / 5), True


# ---------------------------------------------------------------- items


def _limit_sources(item: Item, f: _Reporter, strict: bool) -> None:
    """OS417 a limit verified against no source; under ``strict``, OS418 each unverified one."""
    for which, limit in (("legal", item.legal_limit), ("promised", item.promised_limit)):
        if limit.verified and not limit.source:
            f(("limits", which, "verified"), "OS417",
              f"the {which} limit {limit} is marked verified but names no source",
              "add source: with the article of law or the published guide it was checked against, "
              "or remove verified: true")
        elif strict and not limit.verified:
            named = f" (source: {limit.source})" if limit.source else ""
            f(("limits", which), "OS418",
              f"the {which} limit {limit} is not verified{named}",
              "check the value against its source and add source: and verified: true "
              "(docs/authoring.md, 'Where a limit comes from')")


def analyse_item(item: Item, departments: Mapping[str, Department],
                 data_sources: Mapping[str, DataSource], item_codes: Iterable[str],
                 loc: Locator, *, strict: bool = False) -> list[Finding]:
    """Checks of one item on its own and against the registry; ``strict`` also refuses every
    unverified limit (OS418, ``oneservice check --strict``)."""
    f = _Reporter(loc, "item", item.code)
    _limit_sources(item, f, strict)
    codes = set(item_codes)
    if item.routing is None and item.department not in departments:
        f(("department",), "OS301", f"unknown department {item.department!r}",
          _did_you_mean(item.department, departments) or "add it to the registry's departments")
    for group, values in (("materials", [m.id for m in item.materials]),
                          ("form", [x.id for x in item.form]),
                          ("conditions", [c.id for c in item.conditions])):
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value in seen:
                f((group, index, "id"), "OS205", f"duplicate id {value!r} in {group}",
                  "give each entry its own id")
            seen.add(value)
    for mi, material in enumerate(item.materials):
        for si, source in enumerate(material.sources):
            if source.kind == "shared" and source.ref not in data_sources:
                f(("materials", mi, "sources", si), "OS304", f"unknown data source {source.ref!r}",
                  _did_you_mean(source.ref, data_sources) or "add it to the registry's data_sources")
            if source.kind == "item":
                if source.ref not in codes:
                    f(("materials", mi, "sources", si), "OS305", f"unknown item {source.ref!r}",
                      _did_you_mean(source.ref, codes))
                elif source.ref == item.code:
                    f(("materials", mi, "sources", si), "OS305", "an item cannot produce its own material")
        if material.waivable and not material.required:
            f(("materials", mi, "waivable"), "OS411",
              f"material {material.id!r} is optional, so marking it waivable has no effect",
              "remove waivable or make it required", "warning")
    field_types = {x.id: x.type for x in item.form}
    for ci, condition in enumerate(item.conditions):
        _check_condition(f, ("conditions", ci, "when"), condition.expression, field_types, "under form:")
    # The promise is converted into the legal limit's unit as an upper bound, so that a promise
    # that may run past the legal limit is reported.
    promised, converted = to_unit(item.promised_limit, item.legal_limit.unit)
    if promised > item.legal_limit.value:
        extra = f" (about {promised} {item.legal_limit.unit.value.replace('_', ' ')})" if converted else ""
        f(("limits", "promised"), "OS402",
          f"promised limit {item.promised_limit}{extra} exceeds the legal limit {item.legal_limit}",
          "a promise may only shorten the legal limit")
    if item.kind is ItemKind.IMMEDIATE and item.promised_limit.value > 1:
        f(("limits", "promised"), "OS404",
          f"an immediate item (即办件) cannot have a multi-day promised limit ({item.promised_limit})",
          "use kind: promised, or a promised limit of 0 or 1 day")
    return f.out


# ---------------------------------------------------------------- matters


def _order(matter: Matter, loc: Locator, out: list[Finding]) -> list[str] | None:
    """Topological order of the matter's items (Kahn, stable); None when there is a cycle."""
    codes = list(matter.item_codes)
    preds = {mi.item: [a for a in mi.after if a in codes] for mi in matter.items}
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(codes):
        ready = [c for c in codes if c not in placed and all(p in placed for p in preds[c])]
        if not ready:
            stuck = [c for c in codes if c not in placed]
            cycle = _find_cycle(stuck, preds)
            index = codes.index(cycle[0])
            out.append(Finding("OS401", "dependency cycle: " + " → ".join([*cycle, cycle[0]]),
                               hint="remove one of these after: entries",
                               **loc("matter", matter.id, ("items", index, "after"))))
            return None
        order.append(ready[0])
        placed.add(ready[0])
    return order


def _find_cycle(stuck: list[str], preds: Mapping[str, list[str]]) -> list[str]:
    node = stuck[0]
    seen: list[str] = []
    while node not in seen:
        seen.append(node)
        node = next(p for p in preds[node] if p in stuck)
    return list(reversed(seen[seen.index(node):]))


def _critical_path(order: list[str], matter: Matter, items: Mapping[str, Item]) -> PathReport:
    """The longest chain of promised limits (ties broken by legal limits), in the promise's unit.

    ``legal_total`` is the longest chain of legal limits, which may run through other items;
    ``converted`` says whether a promised limit had to be converted into the promise's unit.
    """
    unit = matter.promise.unit
    best: dict[str, tuple[int, int, tuple[str, ...]]] = {}
    legal_best: dict[str, int] = {}
    converted = False
    for code in order:
        item = items[code]
        promised, c1 = to_unit(item.promised_limit, unit)
        legal, _ = to_unit(item.legal_limit, unit)  # informative only: not a finding
        converted = converted or c1
        before = [p for p in matter.after(code) if p in best]
        prev = max((best[p] for p in before), key=lambda t: (t[0], t[1]), default=(0, 0, ()))
        best[code] = (prev[0] + promised, prev[1] + legal, (*prev[2], code))
        legal_best[code] = legal + max((legal_best[p] for p in before), default=0)
    total, _, path = max(best.values(), key=lambda t: (t[0], t[1]), default=(0, 0, ()))
    return PathReport(path, total, max(legal_best.values(), default=0), unit.value, converted)


def _check_law(matter: Matter, ordered: list[Item], path: PathReport, f: _Reporter,
               clocks: Clocks = LAW) -> None:
    """The joint-handling ceiling (art. 42 ¶2) and the 容缺 period against the promise."""
    departments = {i.department or f"route:{i.code}" for i in ordered}  # a routed item: one of its rule's
    ceiling = clocks.joint_handling_days
    legal_wd, _ = to_unit(Limit(path.legal_total, LimitUnit(path.unit)), LimitUnit.WORKING_DAYS)
    if len(departments) > 1 and legal_wd > ceiling and matter.joint_handling is None:
        f(("items",), "OS412",
          f"the legal chain of {matter.id} is {legal_wd} working days, over the joint-handling "
          f"ceiling of {ceiling} working days for {len(departments)} departments "
          f"(《行政许可法》第四十二条第二款)",
          "shorten the chain (items that need not wait for each other run in parallel), or declare "
          "joint_handling: {legal_basis: …} naming the law or regulation that allows a longer chain")


def _check_deficiency(matter: Matter, ordered: list[Item], waivable: bool, f: _Reporter) -> None:
    """容缺: the period to supply an owed material against the promise, and its gating condition."""
    promise_wd, _ = to_unit(matter.promise, LimitUnit.WORKING_DAYS)
    rules = matter.deficiency
    if waivable and rules.days > promise_wd and rules.reason is None:
        f(("deficiency", "days"), "OS413",
          f"an owed material (容缺) may come {rules.days} working days after acceptance, later than "
          f"the promise of {matter.promise}: the results, held until it arrives, would miss the promise",
          "shorten deficiency.days to the promise, or give deficiency.reason")
    if rules.condition is not None:
        known: dict[str, FieldType] = {}
        for i in ordered:
            for x in i.form:
                known.setdefault(x.id, x.type)  # a field typed differently by two items is OS407
        _check_condition(f, ("deficiency", "condition", "when"), rules.condition.expression, known,
                         "in an item's form:")


def _upstream(order: list[str], matter: Matter) -> dict[str, frozenset[str]]:
    up: dict[str, frozenset[str]] = {}
    for code in order:
        direct = [a for a in matter.after(code) if a in up]
        up[code] = frozenset(direct).union(*(up[a] for a in direct)) if direct else frozenset()
    return up


def analyse_matter(matter: Matter, items: Mapping[str, Item], departments: Mapping[str, Department],
                   data_sources: Mapping[str, DataSource], loc: Locator,
                   routes: Mapping[str, Route] | None = None) -> tuple[MatterPlan | None, list[Finding]]:
    """Every check of one matter; the plan when nothing prevents one (with the ``routes`` of its
    routed items)."""
    plan, out = _analyse_matter(matter, items, departments, data_sources, loc)
    if plan is None or not routes:
        return plan, out
    mine = {code: routes[code] for code in matter.item_codes if code in routes}
    return (attrs.evolve(plan, routes=mine) if mine else plan), out


def _analyse_matter(matter: Matter, items: Mapping[str, Item], departments: Mapping[str, Department],
                    data_sources: Mapping[str, DataSource],
                    loc: Locator) -> tuple[MatterPlan | None, list[Finding]]:
    f = _Reporter(loc, "matter", matter.id)
    out = f.out
    codes = list(matter.item_codes)
    seen: set[str] = set()
    for index, mi in enumerate(matter.items):
        if mi.item in seen:
            f(("items", index, "item"), "OS205", f"item {mi.item!r} is listed twice")
        seen.add(mi.item)
        if mi.item not in items:
            f(("items", index, "item"), "OS302", f"unknown item {mi.item!r}",
              _did_you_mean(mi.item, items) or "define it under workflows/items/")
        for ai, after in enumerate(mi.after):
            if after not in codes:
                f(("items", index, "after", ai), "OS303",
                  f"{mi.item} depends on {after!r}, which is not an item of this matter",
                  _did_you_mean(after, codes))
            elif after == mi.item:
                f(("items", index, "after", ai), "OS401", f"{mi.item} depends on itself")
    roles: set[str] = set()
    for pi, party in enumerate(matter.parties):
        if party.role in roles:
            f(("parties", pi, "role"), "OS205", f"duplicate party role {party.role!r}",
              "give each party role its own id")
        roles.add(party.role)
    _check_agents(matter, roles, f)
    _check_material_parties(matter, items, roles, f)
    if any(x.is_error for x in out):
        return None, out
    if _order(matter, loc, out) is None:
        return None, out
    expressions = situations.situation_conditions(matter, items)
    _check_situations(matter, items, expressions, f)
    if any(x.is_error for x in out):
        return None, out
    digest = _Digest(matter, [items[c] for c in codes], departments, data_sources)
    if not expressions:
        plan = _plan_situation(matter, matter.items, frozenset(), items, departments, data_sources,
                               loc, f, digest)
        return plan, out
    reported: set[tuple[str, str | None]] = set()
    plans: dict[tuple[tuple[MatterItem, ...], frozenset[str]], MatterPlan] = {}
    by_truth: dict[frozenset[str], MatterPlan] = {}
    for n, truth in enumerate(situations.truths(expressions)):
        present = matter.items if n == 0 else situations.present_items(matter, truth)
        key = (present, truth)
        if key not in plans:
            sub = _Reporter(loc, "matter", matter.id)
            plans[key] = _plan_situation(matter, present, truth, items, departments, data_sources,
                                         loc, sub, digest)
            named = situations.describe(expressions, truth)
            for x in sub.out:
                if x.code not in _PROVEN:
                    if n == 0:  # about the definition as written: reported once
                        out.append(x)
                elif (x.code, x.path) not in reported:
                    reported.add((x.code, x.path))
                    out.append(attrs.evolve(x, message=f"{x.message} — in the situation {named}"))
        by_truth[truth] = plans[key]
    plan = by_truth[frozenset(expressions)]
    return attrs.evolve(plan, conditions=expressions, situations=by_truth), out


_PROVEN = frozenset({"OS403", "OS406", "OS409", "OS412", "OS413", "OS501", "OS502"})
"""The findings proven for every situation (the others are about the definition as written)."""


def _check_agents(matter: Matter, roles: set[str], f: _Reporter) -> None:
    """OS309: an agent's role (``acts_for``) must act for another declared role that is not itself
    an agent's, and the applicant's role is nobody's agent."""
    agents = {p.role for p in matter.parties if p.acts_for}
    for pi, party in enumerate(matter.parties):
        target = party.acts_for
        if target is None:
            continue
        at = ("parties", pi, "acts_for")
        if pi == 0:
            f(at, "OS309", f"the first party role ({party.role}) is the applicant's: it cannot act for "
              "another party", "put the agent's role after the role it acts for")
        elif target == party.role:
            f(at, "OS309", f"party role {party.role!r} acts for itself", "name the role it acts for")
        elif target not in roles:
            f(at, "OS309", f"party role {party.role!r} acts for {target!r}, which matter {matter.id} "
              "does not declare", _did_you_mean(target, roles - {party.role})
              or f"declare it under parties: (roles: {', '.join(sorted(roles))})")
        elif target in agents:
            f(at, "OS309", f"party role {party.role!r} acts for {target!r}, which is itself an agent's role",
              "an agent acts for a party, not for another agent")
        elif party.present_at_intake:
            f(("parties", pi, "present_at_intake"), "OS309",
              f"party role {party.role!r} is an agent's: it comes when the {target} would",
              f"leave present_at_intake out; set it on {target!r}")


def _check_material_parties(matter: Matter, items: Mapping[str, Item], roles: set[str], f: _Reporter) -> None:
    """OS308: a material brought or signed by a party role the matter does not declare."""
    for index, mi in enumerate(matter.items):
        item = items.get(mi.item)
        for material in item.materials if item is not None else ():
            named = ([material.party] if material.party else []) + list(material.signed_by)
            for role in named:
                if role not in roles:
                    f(("items", index, "item"), "OS308",
                      f"material {material.id!r} of item {mi.item} names party role {role!r}, which matter "
                      f"{matter.id} does not declare",
                      f"declare it under parties: (roles: {', '.join(sorted(roles))})")


def _situation_fields(matter: Matter, items: Mapping[str, Item]) -> dict[str, FieldType]:
    """What a situation's condition may read: the matter's questions, the fields of the items
    that are part of every case (no ``when``), and the applicant's kind."""
    known: dict[str, FieldType] = {q.id: q.type for q in matter.questions}
    for mi in matter.items:
        if mi.when is None and mi.item in items:
            for x in items[mi.item].form:
                known.setdefault(x.id, x.type)
    known.setdefault(situations.APPLICANT_KIND, FieldType.STRING)
    return known


def _check_situations(matter: Matter, items: Mapping[str, Item], expressions: tuple[str, ...],
                      f: _Reporter) -> None:
    """Type-check every situation condition (OS260–OS264, OS307) and bound their number (OS265)."""
    known = _situation_fields(matter, items)
    seen: set[str] = set()
    for qi, question in enumerate(matter.questions):
        if question.id in seen:
            f(("questions", qi, "id"), "OS205", f"duplicate question id {question.id!r}",
              "give each question its own id")
        seen.add(question.id)
    for index, mi in enumerate(matter.items):
        if mi.when is not None:
            before = len(f.out)
            _check_condition(f, ("items", index, "when"), mi.when, known,
                             "under the matter's questions:")
            if len(f.out) == before and conditions.compile_expression(mi.when).uses_today:
                f(("items", index, "when"), "OS267",
                  f"the situation of {mi.item} reads today: a case's situation must not change "
                  "from one day to the next", "ask a question instead (e.g. a date field)")
        if mi.if_absent is AbsentPolicy.SKIP and not mi.after:
            f(("items", index, "if_absent"), "OS266",
              f"{mi.item} has if_absent: skip but comes after no item, so it has no effect",
              "remove if_absent, or list the items it comes after", "warning")
    for mi in matter.items:
        item = items[mi.item]
        for m_index, material in enumerate(item.materials):
            for s_index, source in enumerate(material.sources):
                if source.kind == "shared" and source.when is not None:
                    _check_condition(_Reporter(f.loc, "item", item.code, f.out),
                                     ("materials", m_index, "sources", s_index, "when"), source.when,
                                     known, f"under the questions of matter {matter.id}:")
    if len(expressions) > situations.MAX_CONDITIONS:
        f(("items",), "OS265",
          f"matter {matter.id} has {len(expressions)} distinct situation conditions, more than "
          f"{situations.MAX_CONDITIONS}: its {2 ** len(expressions)} situations cannot all be proven",
          "reuse one condition for items that go together, or split the matter")


def _plan_situation(matter: Matter, present: tuple[MatterItem, ...], truth: frozenset[str],
                    items: Mapping[str, Item], departments: Mapping[str, Department],
                    data_sources: Mapping[str, DataSource], loc: Locator,
                    f: _Reporter, digest: _Digest) -> MatterPlan:
    """The plan of one situation: ``present`` items (rewired), shared sources whose condition is
    in ``truth``. Key paths of findings point into the matter as written."""
    out = f.out
    codes = list(matter.item_codes)  # the file's order: key paths index into it
    full = matter
    matter = attrs.evolve(matter, items=present)
    order = _order(matter, loc, [])
    assert order is not None  # the matter as written has no cycle, nor has any part of it
    present_codes = set(order)
    ordered = [items[c] for c in order]
    upstream = _upstream(order, matter)

    path = _critical_path(order, matter, items)
    if path.promised_total > matter.promise.value:
        f(("promise",), "OS403",
          f"the promise of {matter.promise} is shorter than the critical path "
          f"{' → '.join(path.items)} ({path.promised_total} {path.unit.replace('_', ' ')})",
          f"promise at least {path.promised_total}, or shorten the items' promised limits")
    _check_law(matter, ordered, path, f)
    if path.converted:
        f(("promise",), "OS405", "items and the matter use different limit units; the critical "
          "path was converted conservatively (5 working days ≈ 7 calendar days)",
          "use one unit throughout the matter", "warning")

    lines: dict[str, dict[str, Any]] = {}
    excluded: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in ordered:
        for material in item.materials:
            provider = None
            for source in material.sources:
                if source.kind == "item" and source.ref in present_codes:
                    if source.ref in upstream[item.code]:
                        provider = ("upstream", source.ref, items[source.ref].name)
                        break
                    index = codes.index(item.code)
                    f(("items", index, "after"), "OS406",
                      f"{item.code} needs {material.id!r} from {source.ref}, which is an item of "
                      f"this matter but not upstream of it",
                      f"add {source.ref} to the after: list of {item.code}")
            if provider is None:
                shared = next((s for s in material.sources
                               if s.kind == "shared" and s.ref in data_sources
                               and (s.when is None or s.when in truth)), None)
                if shared is not None:
                    provider = ("shared", shared.ref, data_sources[shared.ref].name)
            if provider is not None:
                key = (material.id, provider[0], provider[1])
                entry = excluded.setdefault(key, {"material": material, "items": [],
                                                  "provider": provider})
                entry["items"].append(item.code)
                continue
            line = lines.setdefault(material.id, {"material": material, "items": [], "required": False,
                                                  "waivable": True})
            other = line["material"]
            if (other.form, other.name) != (material.form, material.name):
                f(("items", codes.index(item.code), "item"), "OS408",
                  f"material {material.id!r} is defined differently in {line['items'][0]} and {item.code}",
                  "use one name and form for one material id", "warning")
            line["items"].append(item.code)
            line["required"] = line["required"] or material.required
            line["waivable"] = line["waivable"] and material.waivable
    bring = tuple(MaterialLine(v["material"], tuple(v["items"]), v["required"],
                               v["waivable"] and v["required"]) for v in lines.values())
    not_needed = tuple(
        ExcludedMaterial(v["material"], tuple(v["items"]), *v["provider"])
        for key, v in excluded.items() if key[0] not in lines
    )

    fields: dict[str, dict[str, Any]] = {
        q.id: {"field": q, "items": [], "required": q.required} for q in full.questions}
    for item in ordered:
        for field in item.form:
            entry = fields.setdefault(field.id, {"field": field, "items": [], "required": False})
            first = entry["field"]
            if first.signature() != field.signature():
                differs = (f"{field.type.value} in {item.code}" if field.type != first.type
                           else f"has other choices in {item.code}")
                f(("items", codes.index(item.code), "item"), "OS407",
                  f"form field {field.id!r} is {first.type.value} in "
                  f"{entry['items'][0] if entry['items'] else 'the questions'} but {differs}",
                  "one field id must have one type (and one set of choices) across the matter")
            entry["items"].append(item.code)
            entry["required"] = entry["required"] or field.required
    form = tuple(FormLine(attrs.evolve(v["field"], required=v["required"]), tuple(v["items"]))
                 for v in fields.values())

    _check_deficiency(matter, ordered, any(m.waivable for m in bring), f)
    trips, problems = analyse_trips(matter, ordered, any(m.waivable for m in bring))
    for tpath, code, message, in_item in problems:
        if in_item is not None:  # about an item's result: shown at the result in the item's file
            out.append(Finding(code, message, hint="allow a channel that suits the result's form in "
                               "the item's delivery and the matter's pickup (mail or window for paper "
                               "and physical results)", **loc("item", in_item, tpath)))
            continue
        f(tpath, code, message, "allow online/mobile/agent channels, mail or electronic delivery, "
          "or same-visit pickup of immediate items" if code == "OS501" else None)
    departments_used = tuple(dict.fromkeys(dep for i in ordered for dep in i.departments))
    return MatterPlan(matter, tuple(ordered), upstream, bring, not_needed, form, departments_used,
                      path, trips, digest())


class _Digest:
    """The content hash of a matter as written, computed once for all its situations."""

    def __init__(self, matter: Matter, items: list[Item], departments: Mapping[str, Department],
                 data_sources: Mapping[str, DataSource]) -> None:
        self._args = (matter, items, departments, data_sources)
        self._value: str | None = None

    def __call__(self) -> str:
        if self._value is None:
            self._value = content_hash(*self._args)
        return self._value
