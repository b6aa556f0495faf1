"""How many time limits of a catalogue are verified, named but unchecked, or placeholders.

    python bench/limit_census.py [PATH ...]        (default: workflows/)

Every item has two limits (legal 法定 and promised 承诺). Each is counted in one of three classes,
from the structured keys the loader reads (not from comments):

- ``verified``: ``verified: true`` — the value was checked against its ``source``;
- ``named``: a ``source`` is given but ``verified`` is false (the article or guide is named, its
  value not checked against the text);
- ``placeholder``: no ``source`` at all.

Prints a table per limit kind and the totals, and the unverified limits of each item with
``--list``. Prints, never asserts; ``oneservice check --strict`` is the gate (OS418 per
unverified limit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oneservice import check  # noqa: E402


def _kind(limit: object) -> str:
    if getattr(limit, "verified", False):
        return "verified"
    return "named" if getattr(limit, "source", None) else "placeholder"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "workflows")])
    parser.add_argument("--list", action="store_true", help="list every limit that is not verified")
    args = parser.parse_args(argv)
    report = check(args.paths)
    if report.catalogue is None:
        for finding in report.findings:
            print(finding.format())
        return 1
    items = report.catalogue.items
    counts = {which: {"verified": 0, "named": 0, "placeholder": 0} for which in ("legal", "promised")}
    for code in sorted(items):
        item = items[code]
        for which, limit in (("legal", item.legal_limit), ("promised", item.promised_limit)):
            kind = _kind(limit)
            counts[which][kind] += 1
            if args.list and kind != "verified":
                print(f"  {code:28} {which:8} {kind:11} {limit.value} {limit.unit.value}")
    print(f"{len(items)} items, {len(report.catalogue.matters)} matters, {2 * len(items)} limits")
    print(f"{'limit':10} {'verified':>9} {'named':>7} {'placeholder':>12} {'total':>7}")
    for which, row in counts.items():
        print(f"{which:10} {row['verified']:9} {row['named']:7} {row['placeholder']:12} {sum(row.values()):7}")
    total = {k: counts["legal"][k] + counts["promised"][k] for k in ("verified", "named", "placeholder")}
    print(f"{'all':10} {total['verified']:9} {total['named']:7} {total['placeholder']:12} {sum(total.values()):7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
