"""The step library's registry: every step is defined once, in English and in Chinese.

A step is a plain function ``f(world, **arguments)`` decorated with :func:`step_def`, which

* records a :class:`StepDef` in :data:`STEPS` (the step catalogue ``docs/bdd-steps.md`` is
  generated from it, so the documentation cannot drift from the code), and
* registers the function with pytest-bdd twice — once for the English template, once for the
  Chinese one — as a ``given``/``when`` step (setup and actions) or a ``then`` step (checks).

Templates are readable patterns rather than regular expressions::

    the clerk accepts the case owing "{materials}"
    the reviewer[ of "{department}"] approves "{item}"
    {n:int} working day[s] pass[es]

``"{name}"`` is a quoted value (ASCII quotes, “…” or 「…」), ``{name:type}`` a typed value
(see :data:`TYPES`), ``[…]`` an optional part and ``(a|b)`` alternatives. A space means "one or
more spaces" in English and "optional spaces" in Chinese; ``，`` and ``：`` also accept their
ASCII forms, and a trailing ``:`` (before a data table) is optional.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable
from typing import Literal

import attrs
import pytest_bdd
from pytest_bdd import parsers

__all__ = [
    "CHANNEL_WORDS",
    "DELIVERY_WORDS",
    "LANGS",
    "RATING_WORDS",
    "STEPS",
    "STEP_MODULES",
    "TYPES",
    "StepDef",
    "closest_steps",
    "compile_template",
    "step_def",
]

Kind = Literal["setup", "action", "check"]
Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

OPEN_QUOTE = "\"“「『"
CLOSE_QUOTE = "\"”」』"

# channel words: how a tester says "online" or "at the window" (value: the API's channel)
CHANNEL_WORDS: dict[Lang, dict[str, str]] = {
    "en": {"online": "online", "on mobile": "mobile", "by mobile": "mobile", "at the window": "window",
           "by mail": "mail", "through an agent": "agent", "through the agent": "agent"},
    "zh": {"在线": "online", "网上": "online", "线上": "online", "掌上": "mobile", "手机上": "mobile",
           "到窗口": "window", "在窗口": "window", "窗口": "window", "邮寄": "mail", "通过代办员": "agent",
           "代办": "agent"},
}
DELIVERY_WORDS: dict[Lang, dict[str, str]] = {
    "en": {"electronically": "electronic", "by mail": "mail", "at the window": "window",
           "through an agent": "agent", "through the agent": "agent"},
    "zh": {"电子送达": "electronic", "电子证照送达": "electronic", "邮寄送达": "mail", "邮寄": "mail",
           "窗口领取": "window", "窗口送达": "window", "代办员送达": "agent"},
}
RATING_WORDS: dict[str, int] = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


TYPES: dict[str, Callable[[Lang], str]] = {
    "int": lambda lang: r"\d+",
    "date": lambda lang: r"\d{4}-\d{1,2}-\d{1,2}",
    "time": lambda lang: r"\d{1,2}[:：]\d{2}",
    "channel": lambda lang: _alternatives(list(CHANNEL_WORDS[lang])),
    "delivery": lambda lang: _alternatives(list(DELIVERY_WORDS[lang])),
    "rating": lambda lang: r"[1-5]" + ("|" + _alternatives(list(RATING_WORDS)) if lang == "zh" else ""),
}
"""Typed placeholders: ``{n:int}``, ``{day:date}`` (2026-09-29), ``{at:time}`` (16:00),
``{channel:channel}``, ``{how:delivery}``, ``{level:rating}`` (1–5, in Chinese also 非常满意 …)."""

_TOKEN = re.compile(r'"\{(\w+)\}"|\{(\w+):(\w+)\}|\s+|[\[\]()|"，,：:]|[^\s\[\]()|"，,：:{]+|\{')


def compile_template(template: str, lang: Lang) -> str:
    """The regular expression (for a full match) of a step template."""
    space = r"\s+" if lang == "en" else r"\s*"
    out: list[str] = []
    groups: list[str] = []
    for m in _TOKEN.finditer(template):
        text = m.group(0)
        if m.group(1):
            name = m.group(1)
            groups.append(name)
            out.append(f"[{OPEN_QUOTE}](?P<{name}>[^{OPEN_QUOTE}{CLOSE_QUOTE}]+)[{CLOSE_QUOTE}]")
        elif m.group(2):
            name, kind = m.group(2), m.group(3)
            if kind not in TYPES:
                raise ValueError(f"unknown placeholder type {kind!r} in step template {template!r}")
            groups.append(name)
            out.append(f"(?P<{name}>{TYPES[kind](lang)})")
        elif text.isspace():
            out.append(space)
        elif text == "[":
            out.append("(?:")
        elif text == "]":
            out.append(")?")
        elif text == "(":
            out.append("(?:")
        elif text in (")", "|"):
            out.append(text)
        elif text in "，,":
            out.append(r"\s*[，,、]?\s*")
        elif text in "：:":
            out.append(r"\s*[：:]?\s*" if m.end() < len(template) else r"\s*[：:]?")
        else:
            out.append(re.escape(text))
    if len(groups) != len(set(groups)):
        raise ValueError(f"a placeholder is repeated in step template {template!r}")
    regex = "".join(out)
    re.compile(regex)
    return regex


@attrs.frozen
class StepDef:
    """One step of the library: its templates in both languages and what it does."""

    kind: Kind
    section: str
    en: str
    zh: str
    doc: str
    func: Callable[..., None] = attrs.field(eq=False, repr=False)
    asserts_error: bool = False
    en_regex: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)
    zh_regex: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "en_regex", re.compile(compile_template(self.en, "en")))
        object.__setattr__(self, "zh_regex", re.compile(compile_template(self.zh, "zh")))

    @property
    def types(self) -> tuple[str, ...]:
        """pytest-bdd step types: setup and actions are Given or When, checks are Then."""
        return ("then",) if self.kind == "check" else ("given", "when")

    def keyword(self, lang: Lang) -> str:
        if lang == "en":
            return {"setup": "Given", "action": "When", "check": "Then"}[self.kind]
        return {"setup": "假如", "action": "当", "check": "那么"}[self.kind]

    def template(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.zh

    def regex(self, lang: Lang) -> re.Pattern[str]:
        return self.en_regex if lang == "en" else self.zh_regex

    def matches(self, text: str) -> bool:
        return bool(self.en_regex.fullmatch(text) or self.zh_regex.fullmatch(text))


STEP_MODULES = (
    "oneservice.bdd.steps_setup",
    "oneservice.bdd.steps_front",
    "oneservice.bdd.steps_parties",
    "oneservice.bdd.steps_back",
    "oneservice.bdd.steps_after",
    "oneservice.bdd.steps_checks",
    "oneservice.bdd.steps_requests",
)
"""The modules that define the steps, in catalogue order (the plugin loads them)."""

STEPS: list[StepDef] = []
"""Every step of the library, in definition order (the order of the catalogue)."""

def step_def(kind: Kind, section: str, en: str, zh: str, *,
             asserts_error: bool = False) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Define a step in English and Chinese and register it with pytest-bdd (see the module doc).

    Must be used as a decorator at module level: pytest-bdd puts its step fixtures into the
    namespace of the module that applies the decorator.
    """

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        definition = StepDef(kind, section, en, zh, inspect.getdoc(func) or "", func, asserts_error)
        if placeholders(en) != placeholders(zh):
            raise ValueError(f"the English and Chinese templates of {func.__name__} differ in their "
                             f"placeholders: {placeholders(en)} / {placeholders(zh)}")
        STEPS.append(definition)
        from .runner import make_runner

        runner = make_runner(definition)
        for lang in LANGS:
            parser = parsers.re(definition.regex(lang).pattern)
            for type_ in definition.types:
                # stacklevel=2: the fixture goes to the module that applied @step_def
                pytest_bdd.step(parser, type_, stacklevel=2)(runner)  # type: ignore[arg-type]
        return func

    return decorate


_QUOTED = re.compile(f"[{OPEN_QUOTE}][^{OPEN_QUOTE}{CLOSE_QUOTE}]*[{CLOSE_QUOTE}]")
_NUMBER = re.compile(r"\d[\d\-:]*")


def _shape(text: str) -> str:
    """A step text with its values blanked out, for comparing a step with the templates."""
    text = _QUOTED.sub('"…"', text)
    text = re.sub(r'"\{\w+\}"', '"…"', text)
    text = re.sub(r"\{\w+:\w+\}", "#", text)
    text = re.sub(r"\[([^\]]*)\]", r"\1", text)
    return _NUMBER.sub("#", text)


def closest_steps(text: str, step_type: str | None = None, n: int = 3) -> list[str]:
    """The library steps closest to ``text`` (difflib), as ``Keyword template`` lines."""
    candidates: dict[str, str] = {}
    for definition in STEPS:
        if step_type is not None and step_type not in definition.types:
            continue
        for lang in LANGS:
            template = definition.template(lang)
            candidates.setdefault(_shape(template), f"{definition.keyword(lang)} {template}")
    shapes = difflib.get_close_matches(_shape(text), list(candidates), n=n, cutoff=0.45)
    return [candidates[s] for s in shapes]


def find(text: str) -> list[StepDef]:
    """Every library step whose English or Chinese template matches ``text``."""
    return [d for d in STEPS if d.matches(text)]


def placeholders(template: str) -> dict[str, str]:
    """The placeholders of a template and their types (``text`` for a quoted value)."""
    out = {m.group(1): "text" for m in re.finditer(r'"\{(\w+)\}"', template)}
    out.update({m.group(1): m.group(2) for m in re.finditer(r"\{(\w+):(\w+)\}", template)})
    return out
