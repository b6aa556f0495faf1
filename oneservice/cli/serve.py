"""``oneservice serve`` and ``oneservice token issue|list|revoke``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..http.limits import DEFAULT_MAX_BODY, ISSUABLE_ROLE_NAMES
from .options import workflows_option

if TYPE_CHECKING:
    from ..http.auth import TokenAuthority

__all__ = ["DEFAULT_DB", "serve_command", "token_group"]

DEFAULT_DB = "sqlite:///oneservice.sqlite"


def database_url(db: str) -> str:
    """A database URL; a plain path means a SQLite file."""
    return db if "://" in db else f"sqlite:///{db}"


def _secret_file(db: str, secret_file: str | None) -> Path:
    from ..http.auth import secret_path_for

    return Path(secret_file) if secret_file else secret_path_for(database_url(db))


def _authority(db: str, secret_file: str | None, *, create: bool) -> TokenAuthority:
    from ..http.auth import InvalidToken, TokenAuthority, ledger_path_for, load_secret

    path = _secret_file(db, secret_file)
    try:
        return TokenAuthority(load_secret(path, create=create), ledger_path_for(path))
    except (OSError, InvalidToken, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


_db_option = click.option(
    "--db", default=DEFAULT_DB, show_default=True, help="database URL, or the path of a SQLite file"
)
_secret_option = click.option(
    "--secret-file", type=click.Path(dir_okay=False), default=None,
    help="signing secret (default: next to a SQLite database, else ./oneservice.secret; "
    "ONESERVICE_SECRET overrides)",
)


@click.command("serve")
@workflows_option()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 to listen on every interface")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="0: a free port")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--max-body", default=DEFAULT_MAX_BODY, show_default=True, type=click.IntRange(1024),
              help="largest request body in bytes (413 beyond)")
@_secret_option
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
def serve_command(
    workflows: tuple[str, ...], db: str, host: str, port: int, threads: int, max_body: int,
    secret_file: str | None, log_level: str,
) -> None:
    """Serve the HTTP API (REST, OpenAPI at /openapi.json, docs at /docs) under waitress."""
    from .. import OneService, OneServiceError
    from ..http.logs import configure_logging
    from ..http.server import serve

    configure_logging(log_level)
    tokens = _authority(db, secret_file, create=True)
    try:
        service = OneService.open(workflows, database_url(db))
    except OneServiceError as exc:
        raise click.ClickException(str(exc)) from None

    def ready(url: str) -> None:
        click.echo(f"oneservice serving {service.store.url} on {url} (docs: {url}/docs)", err=True)
        click.echo(url)

    serve(service, tokens, host=host, port=port, threads=threads, max_body=max_body, on_ready=ready)


@click.group("token")
def token_group() -> None:
    """Issue, list and revoke the bearer tokens of the HTTP API."""


@token_group.command("issue")
@click.option("--role", required=True, type=click.Choice(ISSUABLE_ROLE_NAMES))
@click.option("--id", "actor_id", required=True, help="who: staff number or user name")
@click.option("--department", help="reviewers: their department")
@click.option("--location", help="clerks: their service location")
@click.option("--applicant-id", help="applicants: their resident ID number or credit code")
@click.option("--expires", default="30d", show_default=True, help="lifetime: 30d, 12h, 90m, 2w")
@workflows_option("catalogue to check department and location against (skipped if absent); repeatable")
@_db_option
@_secret_option
def issue_command(
    role: str, actor_id: str, department: str | None, location: str | None, applicant_id: str | None,
    expires: str, workflows: tuple[str, ...], db: str, secret_file: str | None,
) -> None:
    """Print a new token (stdout); its id and expiry go to stderr."""
    from .. import Actor, OneServiceError, Role
    from ..http.auth import normalise_applicant_id, parse_duration

    try:
        ttl = parse_duration(expires)
        if applicant_id is not None:
            applicant_id = normalise_applicant_id(applicant_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if all(Path(w).exists() for w in workflows) and (department or location):
        from .. import check

        report = check(list(workflows))
        if report.catalogue is not None:
            try:
                if department:
                    report.catalogue.department(department)
                if location:
                    report.catalogue.location(location)
            except OneServiceError as exc:
                raise click.BadParameter(str(exc)) from None
    actor = Actor(Role(role), actor_id, department=department, location=location, applicant_id=applicant_id)
    tokens = _authority(db, secret_file, create=True)
    try:
        issued = tokens.issue(actor, ttl)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"token {issued.id} for {actor.describe()} expires {issued.expires:%Y-%m-%d %H:%M} UTC",
               err=True)
    click.echo(issued.token)


@token_group.command("revoke")
@click.argument("token_id")
@_db_option
@_secret_option
def revoke_command(token_id: str, db: str, secret_file: str | None) -> None:
    """Revoke TOKEN_ID (t-…, or the token itself); the server refuses it from the next request."""
    from ..http.auth import InvalidToken

    tokens = _authority(db, secret_file, create=False)
    try:
        revoked = tokens.revoke(token_id)
    except InvalidToken as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"revoked {revoked}")


@token_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_db_option
@_secret_option
def list_command(fmt: str, db: str, secret_file: str | None) -> None:
    """List issued tokens (ids, roles, expiry, revocation; ID numbers masked)."""
    tokens = _authority(db, secret_file, create=False)
    records = tokens.records()
    if fmt == "json":
        rows = [
            {
                "id": r.id, "role": r.role, "subject": r.subject, "department": r.department,
                "location": r.location, "applicant": r.applicant, "issued": r.issued.isoformat(),
                "expires": r.expires.isoformat(), "revoked": r.revoked.isoformat() if r.revoked else None,
            }
            for r in records
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    now = dt.datetime.now(dt.UTC)
    for r in records:
        status = "revoked" if r.revoked else ("expired" if r.expires < now else "active")
        where = r.department or r.location or r.applicant or ""
        click.echo(f"{r.id}  {status:8}  {r.role}:{r.subject}{'@' + where if where else ''}  "
                   f"expires {r.expires:%Y-%m-%d %H:%M} UTC")
