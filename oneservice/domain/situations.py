"""Situations (情形): which items are part of a case, and which shared sources cover the applicant.

A matter's item may carry ``when: <condition>``; a material's shared source may carry one too.
A *situation* is one truth assignment of those conditions (:data:`Truth`: the set of
conditions that are true). :func:`present_items` gives the items a situation holds, with their
``after`` lists rewired around the absent ones; :func:`truths` enumerates every situation (the
static analysis proves each of them); :func:`truth_of` decides the situation of one form.

An absent item is not part of the case: it has no task, no deadline, no decision, and it never
counts as refused. An item after an absent one either proceeds (it waits only for the present
items before the absent one: ``if_absent: proceed``, the default) or is absent too
(``if_absent: skip``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from . import conditions
from .definitions import AbsentPolicy, Item, Matter, MatterItem

__all__ = [
    "APPLICANT_KIND",
    "MAX_CONDITIONS",
    "Truth",
    "describe",
    "present_items",
    "situation_conditions",
    "truth_of",
    "truths",
]

Truth = frozenset[str]
"""A situation: the conditions (their expressions) that are true; the others are false."""

APPLICANT_KIND = "applicant_kind"
"""The name under which a situation condition reads the applicant's kind (``"person"``, …)."""

MAX_CONDITIONS = 8
"""At most this many distinct conditions per matter: 2⁸ = 256 situations are proven at load."""


def situation_conditions(matter: Matter, items: Mapping[str, Item]) -> tuple[str, ...]:
    """The distinct conditions of ``matter``: its items' ``when``, then its shared sources'."""
    found: dict[str, None] = {}
    for mi in matter.items:
        if mi.when is not None:
            found.setdefault(mi.when)
    for mi in matter.items:
        item = items.get(mi.item)
        for material in item.materials if item is not None else ():
            for source in material.sources:
                if source.kind == "shared" and source.when is not None:
                    found.setdefault(source.when)
    return tuple(found)


def truths(expressions: tuple[str, ...]) -> Iterator[Truth]:
    """Every situation over ``expressions``, all true first."""
    for values in itertools.product((True, False), repeat=len(expressions)):
        yield frozenset(e for e, v in zip(expressions, values, strict=True) if v)


def present_items(matter: Matter, truth: Truth) -> tuple[MatterItem, ...]:
    """The matter's items that are part of a case in situation ``truth``, in the matter's order,
    each with its ``after`` list rewired: an absent predecessor is replaced by the present
    items it waited for (``proceed``), or makes the item absent (``skip``)."""
    by_code = {mi.item: mi for mi in matter.items}
    rewired: dict[str, tuple[str, ...] | None] = {}  # None: absent

    def resolve(code: str, trail: tuple[str, ...] = ()) -> tuple[str, ...] | None:
        if code in rewired:
            return rewired[code]
        mi = by_code[code]
        if code in trail:  # a cycle: reported by the analysis, kept as declared here
            return mi.after
        absent = mi.when is not None and mi.when not in truth
        after: list[str] = []
        for pred in mi.after:
            if pred not in by_code:
                after.append(pred)
                continue
            resolved = resolve(pred, (*trail, code))
            if resolved is not None:
                after.append(pred)
            elif mi.if_absent is AbsentPolicy.SKIP:
                absent = True
            else:
                after.extend(p for p in _nearest(pred, by_code, rewired, resolve, (*trail, code))
                             if p not in after)
        result = None if absent else tuple(after)
        rewired[code] = result
        return result

    out = []
    for mi in matter.items:
        after = resolve(mi.item)
        if after is not None:
            out.append(attrs.evolve(mi, after=after))
    return tuple(out)


def _nearest(code: str, by_code: Mapping[str, MatterItem], rewired: Mapping[str, Any],
             resolve: Any, trail: tuple[str, ...]) -> list[str]:
    """The present items an absent item ``code`` waited for, directly or through absent ones."""
    out: list[str] = []
    for pred in by_code[code].after:
        if pred not in by_code or pred in trail:
            continue
        if resolve(pred, trail) is not None:
            out.append(pred)
        else:
            out.extend(_nearest(pred, by_code, rewired, resolve, (*trail, code)))
    return list(dict.fromkeys(out))


def truth_of(expressions: tuple[str, ...], values: Mapping[str, Any], *,
             today: dt.date | None = None, name: str = "") -> Truth:
    """The situation of one form: each condition evaluated with ``values``.

    A condition that cannot be evaluated (its answer is missing, a value of the wrong kind)
    counts as true: the item stays part of the case and the shared source is not relied on,
    until the answer is given (the notice asks for it when the field is required).
    """
    out = set()
    for expression in expressions:
        outcome = conditions.evaluate(expression, values, today=today,
                                      name=f"{name}, situation {expression!r}" if name else "")
        if outcome.passed or outcome.error is not None:
            out.add(expression)
    return frozenset(out)


def describe(expressions: tuple[str, ...], truth: Truth) -> str:
    """A situation in words: each condition with its value (``a == true: false; …``)."""
    return "; ".join(f"{e}: {'true' if e in truth else 'false'}" for e in expressions)
