"""``oneservice supervise`` and ``oneservice report``: supervision scans and the reform's figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .options import db_option, open_service, workflows_option

__all__ = ["report_command", "supervise_command"]


@click.command("supervise")
@workflows_option()
@db_option()
@click.option(
    "--yellow-days",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="working days before the due date that a yellow warning starts",
)
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(min=1))
def supervise_command(workflows: tuple[str, ...], db: str, yellow_days: int, batch: int) -> None:
    """Record yellow (near the limit) and red (overdue) warnings, each exactly once."""
    from .. import OneServiceError
    from ..supervision import Supervision

    service = open_service(workflows, db)
    try:
        result = Supervision(service, yellow_days=yellow_days).scan(batch=batch)
    except OneServiceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"yellow warnings: {result.yellow}, red warnings: {result.red}; requests: "
               f"{result.request_yellow} yellow, {result.request_red} red ({result.batches} batch(es))")
    service.store.dispose()


@click.command("report")
@workflows_option()
@db_option()
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="first day (cases opened on or after), YYYY-MM-DD",
)
@click.option(
    "--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="last day (inclusive), YYYY-MM-DD"
)
@click.option("--by", type=click.Choice(["matter", "department", "location", "month"]), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="write to a file")
@click.option("--rebuild", is_flag=True, help="compute the figures kept per case again from the cases first")
@click.option("--check", is_flag=True,
              help="compare the report from the kept figures with the computed one, every grouping")
def report_command(
    workflows: tuple[str, ...],
    db: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    by: str | None,
    fmt: str,
    output: str | None,
    rebuild: bool,
    check: bool,
) -> None:
    """The reform's figures (docs/supervision.md): promise and legal limit, durations, trips, channels,
    notices, deficiency, 好差评, appeals, rectifications, warnings, the catalogue's share."""
    from .. import OneServiceError
    from ..supervision import Supervision
    from ..supervision.render import render_report

    if start and end and end < start:
        raise click.BadParameter(f"--to {end:%Y-%m-%d} is before --from {start:%Y-%m-%d}", param_hint="--to")
    service = open_service(workflows, db)
    supervision = Supervision(service)
    first, last = start.date() if start else None, end.date() if end else None
    try:
        if rebuild:
            cases, departments = supervision.rebuild_figures()
            click.echo(f"kept figures rebuilt: {cases} cases, {departments} case departments", err=True)
        if check:
            differ = supervision.check_figures(first, last)
            service.store.dispose()
            if differ:
                raise click.ClickException(
                    f"the kept figures differ from the computed ones by {', '.join(differ)} "
                    "/ 留存指标与实时计算不一致; run `oneservice report --rebuild`")
            click.echo("kept figures equal the computed ones for every grouping / 留存指标与实时计算一致")
            return
        report = supervision.report(first, last, by)
    except OneServiceError as exc:
        raise click.ClickException(str(exc)) from None
    text = render_report(report, fmt)
    service.store.dispose()
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
