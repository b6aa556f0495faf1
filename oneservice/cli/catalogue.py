"""``oneservice check``, ``explain`` and ``diagram``: the catalogue, without a database.

The catalogue modules (marshmallow, ruamel.yaml, cel-expr-python) are imported inside the commands, so
``oneservice --help`` does not load them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import DEFAULT_WORKFLOWS, catalogue_cache, catalogue_cache_options, workflows_option

if TYPE_CHECKING:
    from .. import Catalogue, CheckReport

__all__ = ["DEFAULT_WORKFLOWS", "check_command", "diagram_command", "explain_command"]

def _load(workflows: tuple[str, ...]) -> CheckReport:
    from .. import check

    report = check(list(workflows), cache=catalogue_cache())
    if report.catalogue is None:
        for finding in report.findings:
            click.echo(finding.format(), err=True)
        raise SystemExit(1)
    return report


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True,
              help="also fail on every time limit not verified against its source (OS418)")
@catalogue_cache_options()
def check_command(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Validate and analyse definitions under PATHS (default: workflows/).

    Files unchanged since a check without errors are not checked again: the catalogue and its
    warnings come from the catalogue cache (--no-catalogue-cache checks them anyway). Errors are
    never cached."""
    from .. import check

    report = check(paths or (DEFAULT_WORKFLOWS,), strict=strict, cache=catalogue_cache())
    if fmt == "json":
        data = {
            "ok": report.ok, "files": report.files, "cached": report.cached,
            "errors": len(report.errors), "warnings": len(report.warnings),
            "findings": [f.to_dict() for f in report.findings],
        }
        if report.catalogue is not None:
            data["unverified_limits"] = sum(
                not limit.verified for item in report.catalogue.items.values()
                for limit in (item.legal_limit, item.promised_limit))
            data["matters"] = {
                mid: {"content_hash": p.content_hash, "trips": {
                    "best": p.trips.best, "worst": p.trips.worst, "budget": p.trips.budget,
                    "parties": {party.role: {"best": party.best, "worst": party.worst}
                                for party in p.trips.parties},
                }}
                for mid, p in sorted(report.catalogue.plans.items())
            }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for finding in report.findings:
            click.echo(finding.format(), err=finding.is_error)
        if report.catalogue is not None:
            cat = report.catalogue
            click.echo(
                f"ok: {report.files} file(s), {len(cat.items)} item(s), {len(cat.matters)} matter(s), "
                f"{len(report.warnings)} warning(s)"
            )
            for mid, plan in sorted(cat.plans.items()):
                parties = plan.trips.parties
                each = ("; per party " + ", ".join(f"{p.role} {p.best}/{p.worst}" for p in parties)
                        if len(parties) > 1 else "")
                click.echo(f"  {mid}: trips best {plan.trips.best} / worst {plan.trips.worst} "
                           f"(budget {plan.trips.budget}){each}; critical path {plan.path.promised_total} "
                           f"{plan.path.unit.replace('_', ' ')} (promise {plan.matter.promise})")
        else:
            click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) "
                       f"in {report.files} file(s)", err=True)
            if not paths and not Path(DEFAULT_WORKFLOWS).exists():
                from .options import INIT_HINT

                click.echo(f"no catalogue folder {DEFAULT_WORKFLOWS}/ here; {INIT_HINT}", err=True)
    sys.exit(0 if report.ok else 1)


def _catalogue_with(workflows: tuple[str, ...], matter_id: str) -> Catalogue:
    """The checked catalogue under the ``workflows`` paths, which must hold ``matter_id`` (else a
    usage error)."""
    from .. import OneServiceError

    report = _load(workflows)
    assert report.catalogue is not None
    if matter_id not in report.catalogue.matters:
        try:
            report.catalogue.matter(matter_id)
        except OneServiceError as exc:
            raise click.UsageError(str(exc)) from None
    return report.catalogue


@click.command("explain")
@click.argument("matter_id")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--answers", "answers", multiple=True, metavar="FILE|KEY=VALUE",
              help="the applicant's situation (情形): a YAML/JSON file of answers, or key=value "
                   "(repeatable); without it, the notice lists what depends on which answer")
@workflows_option()
def explain_command(matter_id: str, lang: str, fmt: str, answers: tuple[str, ...],
                    workflows: tuple[str, ...]) -> None:
    """Print the one-time notice (一次性告知) of MATTER_ID."""
    from .. import OneServiceError, render_notice

    catalogue = _catalogue_with(workflows, matter_id)
    try:
        given = _answers(answers) if answers else None
        text = render_notice(catalogue, matter_id, lang, fmt, given)
    except OneServiceError as exc:
        click.echo(f"{exc.code} {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(text, nl=False)


def _answers(given: tuple[str, ...]) -> dict[str, object]:
    """key=value pairs and answer files, merged in order (a later answer wins)."""
    from ..errors import SituationError

    out: dict[str, object] = {}
    for entry in given:
        key, eq, value = entry.partition("=")
        if eq and key.strip():
            out[key.strip()] = value
            continue
        path = Path(entry)
        if not path.is_file():
            raise SituationError(f"{entry!r} is neither key=value nor a file of answers", field="--answers")
        from ruamel.yaml import YAML

        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise SituationError(f"{entry}: a file of answers maps question ids to values",
                                 field="--answers")
        out.update({str(k): v for k, v in data.items()})
    return out


@click.command("diagram")
@click.argument("matter_id")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@workflows_option()
def diagram_command(matter_id: str, fmt: str, lang: str, workflows: tuple[str, ...]) -> None:
    """Draw MATTER_ID: front desk, back-office items and their dependencies, pickup."""
    from .. import render_diagram

    click.echo(render_diagram(_catalogue_with(workflows, matter_id), matter_id, fmt, lang), nl=False)
