"""Names a scenario uses for definitions: ids, or the Chinese or English names.

A Chinese feature says 「开办企业」 where the catalogue says ``start-a-business``; a tester may
name an item by its code or its name, a department by its id or its name. Every lookup is
exact first (id, then name), then a unique part of a name; anything else is a
:class:`ScenarioProblem` that names the closest known names (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

import attrs

from oneservice import Catalogue, MatterPlan

__all__ = ["Entry", "Names", "ScenarioProblem", "split_list"]


class ScenarioProblem(Exception):
    """A scenario is wrong (an unknown name, a malformed table or value), not the service."""


@attrs.frozen
class Entry:
    """One named definition: its id and its Chinese and English names."""

    id: str
    zh: str = ""
    en: str = ""

    def label(self) -> str:
        names = " / ".join(n for n in (self.zh, self.en) if n and n != self.id)
        return f"{self.id} ({names})" if names else self.id


def split_list(text: str) -> list[str]:
    """``"a, b and c"`` / ``"甲、乙和丙"`` → the listed names."""
    parts = re.split(r"\s*(?:[,，、;；]|\band\b|\s和\s)\s*", text.strip())
    return [p.strip() for p in parts if p.strip()]


def lookup(kind: str, text: str, entries: Sequence[Entry], scope: str = "") -> Entry:
    """The entry named ``text`` (id, name, or a unique part of a name), or a helpful problem."""
    wanted = text.strip()
    folded = wanted.casefold()
    for e in entries:
        if wanted == e.id:
            return e
    exact = [e for e in entries if folded in (e.zh.casefold(), e.en.casefold(), e.id.casefold())]
    if len(exact) == 1:
        return exact[0]
    partial = [e for e in entries
               if len(folded) >= 2 and (folded in e.zh.casefold() or folded in e.en.casefold())]
    if len(partial) == 1 and not exact:
        return partial[0]
    where = f" {scope}" if scope else ""
    if len(exact) > 1 or len(partial) > 1:
        found = exact or partial
        raise ScenarioProblem(f"{kind} {wanted!r}{where} is ambiguous: it names "
                              + ", ".join(e.label() for e in found) + " — use the id")
    names = {n: e for e in entries for n in (e.id, e.zh, e.en) if n}
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)
    message = f"unknown {kind} {wanted!r}{where}"
    if close:
        labels = list(dict.fromkeys(names[c].label() for c in close))
        message += " — did you mean " + " or ".join(labels) + "?"
    elif len(entries) <= 12:
        message += " — known: " + ", ".join(e.label() for e in entries)
    raise ScenarioProblem(message)


class Names:
    """Resolves what a scenario names to catalogue ids."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._matters = [Entry(m.id, m.name.zh, m.name.en) for m in catalogue.matters.values()]
        self._locations = [Entry(loc.id, loc.name.zh, loc.name.en) for loc in catalogue.locations.values()]
        self._departments = [Entry(d.id, d.name.zh, d.name.en) for d in catalogue.departments.values()]

    def matter(self, text: str) -> str:
        return lookup("matter", text, self._matters).id

    def location(self, text: str) -> str:
        return lookup("service location", text, self._locations).id

    def department(self, text: str) -> str:
        return lookup("department", text, self._departments).id

    def plan(self, matter_id: str) -> MatterPlan:
        return self.catalogue.plan(matter_id)

    def item(self, text: str, matter_id: str) -> str:
        entries = [Entry(i.code, i.name.zh, i.name.en) for i in self.plan(matter_id).items]
        return lookup("item", text, entries, f"in matter {matter_id}").id

    def material(self, text: str, matter_id: str) -> str:
        """A material the applicant brings for ``matter_id`` (not one produced or shared)."""
        plan = self.plan(matter_id)
        entries = [Entry(ln.material.id, ln.material.name.zh, ln.material.name.en) for ln in plan.materials]
        try:
            return lookup("material", text, entries, f"of matter {matter_id}").id
        except ScenarioProblem as problem:
            excluded = [Entry(x.material.id, x.material.name.zh, x.material.name.en) for x in plan.not_needed]
            if not any(text.strip() in (e.id, e.zh, e.en) for e in excluded):
                raise problem from None
        x = next(x for x in plan.not_needed
                 if text.strip() in (x.material.id, x.material.name.zh, x.material.name.en))
        why = "an earlier item produces it" if x.reason == "upstream" else "it comes from shared data"
        raise ScenarioProblem(f"material {x.material.id!r} is not brought by the applicant in matter "
                              f"{matter_id}: {why} ({x.provider})")

    def materials(self, text: str, matter_id: str) -> list[str]:
        return [self.material(part, matter_id) for part in split_list(text)]

    def all_materials(self, matter_id: str) -> list[str]:
        return [ln.material.id for ln in self.plan(matter_id).materials]

    def field(self, text: str, matter_id: str) -> tuple[str, str]:
        """The form field named ``text``: its id and type (``string``, ``integer`` …)."""
        lines = self.plan(matter_id).form
        entries = [Entry(ln.field.id, ln.field.label.zh, ln.field.label.en) for ln in lines]
        found = lookup("form field", text, entries, f"of matter {matter_id}")
        line = next(ln for ln in lines if ln.field.id == found.id)
        return line.field.id, str(line.field.type)

    def condition(self, text: str, matter_id: str) -> str:
        """An acceptance condition (``ITEM/condition-id``) by id or by its message."""
        entries = [Entry(f"{i.code}/{c.id}", c.message.zh, c.message.en)
                   for i in self.plan(matter_id).items for c in i.conditions]
        short = [e for e in entries if e.id.split("/", 1)[1] == text.strip()]
        if len(short) == 1:
            return short[0].id
        return lookup("acceptance condition", text, entries, f"of matter {matter_id}").id

def known(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))
