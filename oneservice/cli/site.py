"""``oneservice init DIR`` (a starter site from package data) and ``oneservice migrate [--sql]``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import database_url, db_option, fail

__all__ = ["STARTER", "init_command", "migrate_command", "starter_files"]

STARTER = Path(__file__).resolve().parent.parent / "starter"


def starter_files() -> list[Path]:
    """The files ``init`` writes, relative to the starter folder of the package."""
    return sorted(p.relative_to(STARTER) for p in STARTER.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="overwrite files that exist (else init stops before writing any)")
def init_command(directory: str, force: bool) -> None:
    """Write a starter site into DIRECTORY: workflows/ (registry, policy, two matters and their items,
    a calendar year), README.md and oneservice.env.example."""
    target = Path(directory)
    files = starter_files()
    existing = [f for f in files if (target / f).exists()]
    if existing and not force:
        shown = ", ".join(str(target / f) for f in existing[:3]) + (" …" if len(existing) > 3 else "")
        raise click.ClickException(
            f"{shown} exist(s) already; nothing written (--force overwrites) / 文件已存在，未写入任何文件"
        )
    for name in files:
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes((STARTER / name).read_bytes())
    click.echo(f"wrote {len(files)} files to {target}; next: cd {directory} && oneservice check && "
               "oneservice demo start-a-business")


@click.command("migrate")
@db_option()
@click.option("--sql", "as_sql", is_flag=True,
              help="print the SQL that creates the schema (for a DBA to run) instead of running it")
@click.option("--from", "start", default=None, metavar="REVISION",
              help="with --sql: the revision the database is at (default: an empty database)")
def migrate_command(db: str, as_sql: bool, start: str | None) -> None:
    """Bring the database schema to this version's head (Alembic), or print the SQL (--sql)."""
    from .. import OneServiceError, Store
    from ..store.schema import migration_sql, schema_status

    url = database_url(db)
    if as_sql:
        try:
            click.echo(migration_sql(url, start=start), nl=False)
        except Exception as exc:  # alembic's CommandError for an unknown revision
            where = start or "an empty database"
            raise click.ClickException(f"cannot print the migrations from {where}: {exc}") from None
        return
    if start is not None:
        raise click.UsageError("--from goes with --sql")
    try:
        with Store(url) as store:
            before = schema_status(store)
            if not before.known:
                raise click.ClickException(
                    f"OS730 the database {store.url} is at revision {before.current}, unknown to this "
                    f"version (head {before.head}): a newer oneservice migrated it"
                )
            store.migrate()
            after = schema_status(store)
    except OneServiceError as exc:
        raise fail(exc) from None
    if before.current == after.current:
        click.echo(f"{store.url}: at {after.current} (head), nothing to do")
    else:
        click.echo(f"{store.url}: {before.current or '(empty)'} → {after.current}")
