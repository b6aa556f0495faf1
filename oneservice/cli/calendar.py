"""``oneservice calendar load|list``: the calendar years kept in the database.

A year of the official calendar published after the bundled data (the State Council's notice,
usually in November or December) is loaded once into the database; every service started on it
computes on that year, and loading recomputes every provisional deadline the year moves (see
``docs/supervision.md``, "Provisional dates").
"""

from __future__ import annotations

import click

from .options import db_option, fail, open_service, workflows_option

__all__ = ["calendar_group"]


@click.group("calendar")
def calendar_group() -> None:
    """Calendar years loaded into the database (工作日历)."""


@calendar_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@workflows_option()
@db_option()
@click.option("--by", "loaded_by", default="cli", show_default=True,
              help="who loads it (recorded with the year and on each moved case)")
def load_command(file: str, workflows: tuple[str, ...], db: str, loaded_by: str) -> None:
    """Load FILE (a calendar file, docs/authoring.md "Calendars") and recompute the deadlines it moves.

    Refused, with nothing written, when the data would move a frozen deadline (OS706).
    """
    from pathlib import Path

    from .. import Actor, OneServiceError, Role
    from ..catalog.yamlio import read_document

    doc, findings = read_document(Path(file))
    if doc is None:
        raise click.ClickException("\n".join(f.format() for f in findings))
    service = open_service(workflows, db)
    try:
        loaded = service.calendar_updates.load(doc.data, actor=Actor(Role.SUPERVISOR, loaded_by))
    except OneServiceError as exc:
        service.store.dispose()
        raise fail(exc) from None
    click.echo(f"loaded calendar {loaded.year} ({loaded.source}) from {file}: "
               f"{len(loaded.moved)} case(s) moved")
    for case_id in loaded.moved:
        click.echo(f"  {case_id}")
    service.store.dispose()


@calendar_group.command("list")
@workflows_option()
@db_option()
def list_command(workflows: tuple[str, ...], db: str) -> None:
    """The calendar years loaded into the database, and which years the service knows."""
    from .. import OneServiceError

    service = open_service(workflows, db)
    try:
        years = service.calendar_years()
        known = sorted(service.calendar.known_years)
    except OneServiceError as exc:
        service.store.dispose()
        raise fail(exc) from None
    if not years:
        click.echo("no calendar year loaded into the database")
    for row in years:
        click.echo(f"{row.year}  {row.source}  (loaded {row.loaded_at:%Y-%m-%d %H:%M} by {row.loaded_by})")
    if known:
        click.echo(f"known years: {known[0]}–{known[-1]}" if known == list(range(known[0], known[-1] + 1))
                   else "known years: " + ", ".join(map(str, known)))
        click.echo(f"later years are guessed (provisional): from {known[-1] + 1}")
    service.store.dispose()
