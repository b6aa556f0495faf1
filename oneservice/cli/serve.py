"""``oneservice serve`` and ``oneservice token issue|list|revoke``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..http.limits import DEFAULT_MAX_BODY, ISSUABLE_ROLE_NAMES
from .options import (
    DEFAULT_DB,
    catalogue_cache,
    database_url,
    db_option,
    fail,
    files_option,
    open_service,
    workflows_option,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from .. import OneService, Store
    from ..http.auth import Identifies, TokenAuthority
    from ..http.oidc import OidcVerifier
    from ..service.worker import Worker

__all__ = ["DEFAULT_DB", "serve_command", "token_group"]

def _secret_file(db: str, secret_file: str | None) -> Path:
    from ..http.auth import secret_path_for

    return Path(secret_file) if secret_file else secret_path_for(database_url(db))


def _authority(db: str, secret_file: str | None, *, create: bool,
               store: Store | None = None) -> TokenAuthority:
    """The server's token authority: the secret, and the token ledger in the database ``db``
    (``store`` when the caller has it open; else opened here, created when new, OS730 when behind)."""
    from .. import OneServiceError
    from ..http.auth import InvalidToken, TokenAuthority, load_secret
    from ..http.ledger import DatabaseLedger

    path = _secret_file(db, secret_file)
    try:
        secret = load_secret(path, create=create)
    except (OSError, InvalidToken, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if store is None:
        from .. import Store
        from ..store.schema import open_schema

        try:
            store = Store(database_url(db))
            open_schema(store)
        except OneServiceError as exc:
            raise fail(exc) from None
    return TokenAuthority(secret, DatabaseLedger(store))


def _platform(issuer: str | None, audience: str | None, jwks: str | None,
              claims: str | None) -> OidcVerifier | None:
    """The identity platform of ``serve --oidc-…``; all three of issuer, audience, JWKS or none."""
    given = {"--oidc-issuer": issuer, "--oidc-audience": audience, "--oidc-jwks": jwks}
    if not any(given.values()) and claims is None:
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise click.UsageError(f"an identity platform needs {', '.join(missing)} too")
    from ..http.oidc import ClaimMapping, OidcVerifier

    try:
        mapping = None
        if claims:
            mapping = ClaimMapping.from_dict(json.loads(Path(claims).read_text(encoding="utf-8")))
        assert issuer and audience and jwks
        return OidcVerifier(issuer=issuer, audience=audience, jwks=jwks, mapping=mapping)
    except (OSError, ValueError, TypeError) as exc:
        raise click.BadParameter(str(exc), param_hint="--oidc-…") from None


_db_option = db_option()
_secret_option = click.option(
    "--secret-file", type=click.Path(dir_okay=False), default=None, envvar="ONESERVICE_SECRET_FILE",
    show_envvar=True,
    help="signing secret (default: next to a SQLite database, else ./oneservice.secret; "
    "ONESERVICE_SECRET, the secret itself, overrides)",
)


def _env(name: str) -> dict[str, Any]:
    return {"envvar": f"ONESERVICE_{name}", "show_envvar": True}


@click.command("serve")
@workflows_option()
@_db_option
@files_option()
@click.option("--host", default="127.0.0.1", show_default=True, **_env("HOST"),
              help="0.0.0.0 to listen on every interface")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), **_env("PORT"),
              help="0: a free port")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256), **_env("WORKERS"),
              help="server processes: above 1, gunicorn forks them (PostgreSQL only; not on Windows)")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), **_env("THREADS"),
              help="threads per server process")
@click.option("--max-body", default=DEFAULT_MAX_BODY, show_default=True, type=click.IntRange(1024),
              **_env("MAX_BODY"), help="largest request body in bytes (413 beyond)")
@_secret_option
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True, **_env("LOG_LEVEL"))
@click.option("--migrate", is_flag=True,
              help="bring the database schema to this version's head first (else OS730 when it is behind)")
@click.option("--no-worker", is_flag=True, **_env("NO_WORKER"),
              help="run the timers in no server process (run `oneservice worker` beside the servers)")
@click.option("--broker", envvar="ONESERVICE_BROKER_URL", show_envvar=True, default=None,
              help="the in-process worker publishes the outbox to this RabbitMQ (amqp://…)")
@click.option("--exchange", envvar="ONESERVICE_BROKER_EXCHANGE", show_envvar=True, default=None,
              help="the broker's topic exchange (default: oneservice.events)")
@click.option("--oidc-issuer", envvar="ONESERVICE_OIDC_ISSUER", default=None,
              help="accept the tokens of this identity platform (its `iss`) too")
@click.option("--oidc-audience", envvar="ONESERVICE_OIDC_AUDIENCE", default=None,
              help="this server's audience (`aud`) at the identity platform")
@click.option("--oidc-jwks", envvar="ONESERVICE_OIDC_JWKS", default=None,
              help="the platform's JWKS: an https:// URL or a file")
@click.option("--oidc-claims", envvar="ONESERVICE_OIDC_CLAIMS", default=None, type=click.Path(dir_okay=False),
              help="JSON file mapping the platform's claims onto the actor (docs/http-api.md)")
@click.option("--secure-cookies/--plain-cookies", default=None, **_env("SECURE_COOKIES"),
              help="mark the web front's session cookie Secure (HTTPS only); default: Secure unless "
                   "--host is a loopback address")
def serve_command(
    workflows: tuple[str, ...], db: str, files: str | None, host: str, port: int, workers: int, threads: int,
    max_body: int,
    secret_file: str | None, log_level: str, migrate: bool, no_worker: bool, broker: str | None,
    exchange: str | None, oidc_issuer: str | None,
    oidc_audience: str | None, oidc_jwks: str | None, oidc_claims: str | None,
    secure_cookies: bool | None,
) -> None:
    """Serve the HTTP API (REST, OpenAPI at /openapi.json, docs at /docs): one waitress process,
    or with --workers N, N gunicorn processes (docs/deployment.md)."""
    from ..http.logs import configure_logging

    if workers > 1:
        from ..http.processes import gunicorn_missing

        if database_url(db).startswith("sqlite"):
            raise click.UsageError(
                "--workers above 1 needs PostgreSQL: SQLite takes one writer at a time, so more "
                "processes only wait for each other; use --threads, or run PostgreSQL "
                "(docs/deployment.md) / 多个服务进程需要 PostgreSQL")
        why = gunicorn_missing()
        if why is not None:
            raise click.UsageError(
                f"--workers above 1 runs gunicorn, and {why}: run several `oneservice serve` "
                "processes on different ports behind the reverse proxy instead / 请改为运行多个 serve 进程")
    configure_logging(log_level)
    platform = _platform(oidc_issuer, oidc_audience, oidc_jwks, oidc_claims)
    # before the secret: a failed start writes none
    service = open_service(workflows, db, migrate=migrate, files=files)
    own = _authority(db, secret_file, create=True, store=service.store)

    def identifies(service: OneService, platform: OidcVerifier | None) -> Identifies:
        own = _authority(db, secret_file, create=False, store=service.store)
        if platform is None:
            return own
        from ..http.oidc import Authenticators

        return Authenticators(own, [platform])

    def timers(service: OneService) -> Worker:
        from ..jobs import standard_worker

        return standard_worker(service, broker=broker, exchange=exchange)

    where = service.store.url
    if secure_cookies is None:
        secure_cookies = host not in ("127.0.0.1", "localhost", "::1")
    web = {"WEB_COOKIE_SECURE": secure_cookies}
    relay = "" if broker else "; no broker: webhooks and the feed only"

    def ready(timers_text: str) -> Callable[[str], None]:
        def _ready(url: str) -> None:
            click.echo(f"oneservice serving {where} on {url} (docs: {url}/docs; {timers_text})", err=True)
            click.echo(f"web front: open {url}/ and sign in with a token of `oneservice token issue` "
                       f"/ 在浏览器打开 {url}/ ，用令牌登录", err=True)
            click.echo(url)

        return _ready

    if workers > 1:  # gunicorn: each process opens its own store after the fork
        from ..http.processes import serve_processes

        service.store.dispose()
        del service, own

        def build() -> tuple[OneService, Identifies]:
            fresh = open_service(workflows, db, files=files)
            return fresh, identifies(fresh, _platform(oidc_issuer, oidc_audience, oidc_jwks, oidc_claims))

        shown = (f"{workers} gunicorn processes of {threads} threads; "
                 + ("no worker: run `oneservice worker` beside" if no_worker
                    else "one of them runs the timers" + relay))
        serve_processes(build, workers=workers, host=host, port=port, threads=threads, max_body=max_body,
                        timers=None if no_worker else timers, log_level=log_level, on_ready=ready(shown),
                        config=web)
        return

    from ..http.server import serve

    tokens: Identifies = own
    if platform is not None:
        from ..http.oidc import Authenticators

        tokens = Authenticators(own, [platform])
    if not no_worker:  # the timers run here: the embedded default warns and acts by itself
        timers(service).start()
    shown = "no worker" if no_worker else "a worker thread runs the timers" + relay
    serve(service, tokens, host=host, port=port, threads=threads, max_body=max_body, on_ready=ready(shown),
          config=web)


@click.group("token")
def token_group() -> None:
    """Issue, list and revoke the bearer tokens of the HTTP API."""


@token_group.command("issue")
@click.option("--role", required=True, type=click.Choice(ISSUABLE_ROLE_NAMES))
@click.option("--id", "actor_id", required=True, help="who: staff number or user name")
@click.option("--department", help="reviewers: their department")
@click.option("--location", help="clerks: their service location")
@click.option("--applicant-id", help="applicants: their resident ID number or credit code")
@click.option("--region", help="supervisors: the GB/T 2260 code of their region (33, 3301, 330102); "
              "absent: every region")
@click.option("--scope", "scope", default=None,
              help="system tokens: what it reports, comma-separated: decision, licence (both with "
              "--department), fee, delivery; or hotline alone (a 12345 hotline system: requests only)")
@click.option("--expires", default="30d", show_default=True, help="lifetime: 30d, 12h, 90m, 2w")
@workflows_option("catalogue to check department and location against (skipped if absent)")
@_db_option
@_secret_option
def issue_command(
    role: str, actor_id: str, department: str | None, location: str | None, applicant_id: str | None,
    region: str | None, scope: str | None, expires: str, workflows: tuple[str, ...], db: str,
    secret_file: str | None,
) -> None:
    """Print a new token (stdout); its id and expiry go to stderr.

    A system token (``--role system``) is another system's credential for the callbacks and the
    event feed: ``--id amr-approval --department hz-amr --scope decision,licence``; a 12345 hotline
    system's for the requests only: ``--id hotline-12345 --scope hotline``."""
    from .. import Actor, OneServiceError, Role
    from ..http.auth import normalise_applicant_id, parse_duration, parse_scopes

    try:
        ttl = parse_duration(expires)
        if applicant_id is not None:
            applicant_id = normalise_applicant_id(applicant_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if any(Path(w).is_dir() for w in workflows) and (department or location):
        from .. import check

        report = check([w for w in workflows if Path(w).exists()], cache=catalogue_cache())
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
        issued = tokens.issue(actor, ttl, region=region, scopes=parse_scopes(scope))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    scopes = f" (scopes: {scope})" if scope else ""
    click.echo(f"token {issued.id} for {actor.describe()}{scopes} expires "
               f"{issued.expires:%Y-%m-%d %H:%M} UTC", err=True)
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
                "scopes": list(r.scopes),
            }
            for r in records
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    now = dt.datetime.now(dt.UTC)
    for r in records:
        status = "revoked" if r.revoked else ("expired" if r.expires < now else "active")
        where = r.department or r.location or r.applicant or ""
        scopes = f" [{','.join(r.scopes)}]" if r.scopes else ""
        click.echo(f"{r.id}  {status:8}  {r.role}:{r.subject}{'@' + where if where else ''}{scopes}  "
                   f"expires {r.expires:%Y-%m-%d %H:%M} UTC")
