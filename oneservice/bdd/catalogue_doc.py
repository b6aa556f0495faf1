"""Generate ``docs/bdd-steps.md``, the catalogue of every step, from the step definitions.

Run ``python -m oneservice.bdd.catalogue_doc --write docs/bdd-steps.md`` after changing a step;
a test checks that the committed file equals :func:`render`, so it cannot drift.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from collections.abc import Sequence
from pathlib import Path

from .library import CHANNEL_WORDS, DELIVERY_WORDS, RATING_WORDS, STEP_MODULES, STEPS, StepDef

__all__ = ["load_steps", "main", "render"]

INTRO = """\
# Gherkin step catalogue

<!-- Generated from the step definitions by `python -m oneservice.bdd.catalogue_doc --write
docs/bdd-steps.md`; do not edit by hand (a test compares this file with the generated text). -->

Every step of the oneservice step library, in English and in Chinese (`# language: zh-CN`). A
project that installs oneservice gets them through its pytest plugin; see
[first-scenario.md](first-scenario.md) to write a scenario.

- **Given / When** steps (setup and actions) may be written with either keyword (`假如` / `当`);
  **Then** steps (checks) with `Then` / `那么`. `And` / `But` (`而且`, `并且`, `同时`, `但是`)
  continue the previous keyword.
- `"{name}"` is a value in quotes: `"…"`, `“…”` or `「…」`. Matters, items, departments, service
  locations, materials and form fields may be named by their id or by their Chinese or English
  name (or a part of a name that only one of them has); an unknown name fails the scenario with
  the closest known names. Several materials are separated by `,` `，` or `、`.
- `[…]` marks an optional part, `(a|b)` alternatives. In Chinese the spaces of a template are
  optional, and `，` `：` may also be written `,` `:`.
- An action the service refuses does not fail at once: the next step may assert it with
  `Then the action is refused with "…"`. Otherwise the scenario fails with the error and the line
  of the action.
- A step followed by a data table says so; the first row of the table is its header (English or
  Chinese column names).
"""


def load_steps() -> list[StepDef]:
    """Import the step modules (they register themselves) and return every step definition."""
    for name in STEP_MODULES:
        importlib.import_module(name)
    return list(STEPS)


def _words(table: dict[str, str] | dict[str, int]) -> str:
    return ", ".join(f"`{word}`" for word in table)


def _placeholders() -> list[str]:
    return [
        "## Typed values",
        "",
        "| placeholder | written as |",
        "|---|---|",
        "| `{n:int}` | a whole number: `3` |",
        "| `{day:date}` | a date: `2026-09-29` |",
        "| `{at:time}` | a time of day: `16:00` |",
        f"| `{{channel:channel}}` | English: {_words(CHANNEL_WORDS['en'])}; "
        f"中文: {_words(CHANNEL_WORDS['zh'])} |",
        f"| `{{how:delivery}}` | English: {_words(DELIVERY_WORDS['en'])}; "
        f"中文: {_words(DELIVERY_WORDS['zh'])} |",
        f"| `{{level:rating}}` | `1` … `5`; 中文 also {_words(RATING_WORDS)} |",
        "",
    ]


def _entry(step: StepDef) -> list[str]:
    table = " *(followed by a data table)*" if "datatable" in inspect.signature(step.func).parameters else ""
    doc = " ".join(step.doc.split())
    return [
        f"- **{step.keyword('en')}** `{step.en}`{table}  ",
        f"  **{step.keyword('zh')}** `{step.zh}`  ",
        f"  {doc}",
        "",
    ]


def render() -> str:
    """The Markdown text of the step catalogue."""
    steps = load_steps()
    lines = [INTRO, *_placeholders()]
    sections = list(dict.fromkeys(s.section for s in steps))
    lines.append(f"## Steps ({len(steps)}, each in English and Chinese)")
    lines.append("")
    for section in sections:
        lines += [f"### {section}", ""]
        for step in steps:
            if step.section == section:
                lines += _entry(step)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the oneservice Gherkin step catalogue.")
    parser.add_argument("--write", metavar="PATH", help="write to PATH instead of printing")
    parser.add_argument("--check", metavar="PATH", help="exit 1 if PATH differs from the generated text")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if Path(args.check).read_text(encoding="utf-8") != text:
            print(f"{args.check} is out of date: run "
                  f"python -m oneservice.bdd.catalogue_doc --write {args.check}", file=sys.stderr)
            return 1
        return 0
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
