"""Bearer tokens: signed JWTs carrying the actor, issued and revoked from the command line.

A token is a JWT signed with HMAC-SHA256 (``HS256``, the only algorithm accepted). Its claims
are the :class:`~oneservice.domain.case.Actor` the requests act as::

    {"iss": "oneservice", "jti": "t-3f9c…", "sub": "zhangsan", "role": "applicant",
     "dep": null, "loc": null, "aie": "kP3x…", "iat": 1790000000, "exp": 1792592000}

``aie`` is an applicant's resident ID number or credit code **sealed** (AES-256-GCM under a key
derived from the secret with HKDF, bound to the token id): a JWT is signed, not encrypted, and
the number is no longer readable from a token (0.1 carried it in clear as ``aid``; such tokens
are refused: issue new ones). ``reg`` is a supervisor's region (GB/T 2260). ``scp`` lists a
system token's scopes (:data:`SYSTEM_SCOPES`).

**System tokens** (``--role system --scope decision,licence``) are the credentials of the systems
around a service centre: a department's own approval system, the electronic licence library, the
payment service, the postal carrier. They reach the callbacks (``/callbacks/…``) and the event
feed only, each callback only with its scope; a system token naming a department (required for
``decision`` and ``licence``) acts on that department's items only. A 12345 hotline system's
token (``--scope hotline``, alone) reaches the requests (``/requests…``) only: it takes requests
in and reads the ones it took in, their progress and answers; never a case, a callback or the feed.

Signing secret: ``ONESERVICE_SECRET`` (at least 32 characters) or a secret file, created with
mode 0600 on first use (a secret file readable by others is refused). A weak secret is refused
with :class:`WeakSecret` (OS110, :func:`weak_secret_reason`): fewer than 32 characters, fewer than
8 different characters, a repetition of a shorter part (``abcabc…``), or less than 2.5 bits of
entropy per character (a random hex secret has about 3.5 over 32 characters, 4 at most).

Tokens are recorded in a ledger (:mod:`.ledger`): the database's ``token_ledger`` table, shared
by every server (what ``oneservice serve`` and ``oneservice token`` use: a revocation takes
effect on the next request on every server, and a token the ledger does not know is refused), or
the 0.1 JSONL file beside the secret.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import jwt

from .. import Actor, Applicant, Role
from .ledger import TokenRecord
from .limits import ISSUABLE_ROLE_NAMES

if TYPE_CHECKING:
    from .ledger import Ledger

__all__ = [
    "HOTLINE_SCOPE",
    "ISSUER",
    "SYSTEM_SCOPES",
    "Identifies",
    "Identity",
    "InvalidToken",
    "IssuedToken",
    "TokenAuthority",
    "TokenRecord",
    "WeakSecret",
    "ledger_path_for",
    "load_secret",
    "mask_id",
    "normalise_applicant_id",
    "parse_duration",
    "region_prefix",
    "secret_path_for",
    "weak_secret_reason",
]

ISSUER = "oneservice"
ALGORITHM = "HS256"
SECRET_VARIABLE = "ONESERVICE_SECRET"
MIN_SECRET = 32
ISSUABLE_ROLES = tuple(Role(name) for name in ISSUABLE_ROLE_NAMES)
ACTOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
SYSTEM_SCOPES = ("decision", "licence", "fee", "delivery", "hotline")
"""What a system token may report: an item's decision (a department's approval system), an
electronic licence (电子证照库), a fee paid (the payment service), a mailed result received (the
carrier). Recording the system's own reference for an item needs any one of them. ``hotline`` is
a 12345 hotline system's: it takes requests in (``POST /requests``) and reads the requests it took
in and their answers (``GET /requests/{id}``, ``…/progress``), and reaches nothing about cases
(neither the callbacks nor the event feed); it carries no other scope."""
HOTLINE_SCOPE = "hotline"
DEPARTMENT_SCOPES = frozenset({"decision", "licence"})
PLACE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
REGION = re.compile(r"\d{2}(\d{2}){0,2}")
_DURATION = re.compile(r"(\d{1,6})([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class InvalidToken(Exception):
    """The token is malformed, forged, expired, revoked or names an impossible actor."""


class WeakSecret(ValueError):
    """The signing secret is too short or too predictable (OS110)."""

    code = "OS110"

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(
            f"OS110 {where} is a weak signing secret: {reason}; use 32+ random characters, e.g. "
            "`python -c \"import secrets; print(secrets.token_hex(32))\"` / 签名密钥强度不足"
        )
        self.where = where
        self.reason = reason


MIN_DISTINCT = 8
MIN_BITS_PER_CHARACTER = 2.5  # random hex of 32 characters: never below 2.8 in 200,000 draws


def weak_secret_reason(secret: bytes) -> str | None:
    """Why ``secret`` is too weak to sign tokens with (``None``: strong enough).

    Checks what a machine can judge: the length, the number of different characters, a repeated
    part, and the Shannon entropy of the character frequencies.
    """
    n = len(secret)
    if n < MIN_SECRET:
        return f"{n} characters, fewer than {MIN_SECRET}"
    distinct = len(set(secret))
    if distinct < MIN_DISTINCT:
        return f"only {distinct} different character(s), fewer than {MIN_DISTINCT}"
    for period in range(1, n // 2 + 1):
        if n % period == 0 and secret == secret[:period] * (n // period):
            return f"the same {period} characters repeated {n // period} times"
    counts = [secret.count(byte) for byte in set(secret)]
    bits = -sum(c / n * math.log2(c / n) for c in counts)
    if bits < MIN_BITS_PER_CHARACTER:
        return f"{bits:.1f} bits of entropy per character, fewer than {MIN_BITS_PER_CHARACTER}"
    return None


def _strong(secret: bytes, where: str) -> bytes:
    reason = weak_secret_reason(secret)
    if reason is not None:
        raise WeakSecret(where, reason)
    return secret


def parse_duration(text: str) -> dt.timedelta:
    """``30d``, ``12h``, ``90m``, ``2w``, ``3600s`` → a timedelta (at most ten years)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 30d, 12h, 90m, 2w or 3600s")
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0 or seconds > 3650 * 86400:
        raise ValueError("a token lives between one second and ten years")
    return dt.timedelta(seconds=seconds)


def secret_path_for(url: str) -> Path:
    """The default secret file: next to a SQLite database file, else ``./oneservice.secret``."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix):] not in ("", ":memory:"):
        return Path(url[len(prefix):]).with_suffix(".secret")
    return Path("oneservice.secret")


def ledger_path_for(secret_file: Path) -> Path:
    return secret_file.with_name(secret_file.name + ".tokens.jsonl")


def load_secret(secret_file: Path, *, create: bool = True) -> bytes:
    """The signing secret: ``ONESERVICE_SECRET``, or ``secret_file`` (created 0600 if missing)."""
    from_env = os.environ.get(SECRET_VARIABLE)
    if from_env:
        return _strong(from_env.encode(), SECRET_VARIABLE)
    if not secret_file.exists():
        if not create:
            raise FileNotFoundError(f"no secret file {secret_file}; set {SECRET_VARIABLE} or issue a token")
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another process: read it below
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
    mode = secret_file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PermissionError(f"{secret_file} is readable by others; run: chmod 600 {secret_file}")
    text = secret_file.read_text().strip()
    return _strong(text.encode(), str(secret_file))


class Identifies(Protocol):
    """Anything that verifies a bearer token: :class:`TokenAuthority`, ``oidc.Authenticators``."""

    def identify(self, token: str) -> Identity: ...


@attrs.frozen
class Identity:
    """Who a verified token names: the actor, the token id, and a supervisor's region (GB/T 2260
    code: ``33`` Zhejiang, ``3301`` or ``330100`` Hangzhou, ``330102`` Shangcheng; ``None``: every
    region, a province-level supervisor)."""

    actor: Actor
    token_id: str
    region: str | None = None
    scopes: frozenset[str] = frozenset()
    """A system token's scopes (:data:`SYSTEM_SCOPES`); empty for every other role."""


def region_prefix(code: str) -> str:
    """The prefix a region code covers: ``330100`` → ``3301``, ``330000`` → ``33``."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


@attrs.frozen
class IssuedToken:
    token: str
    id: str
    expires: dt.datetime


def mask_id(number: str) -> str:
    """The masking of :attr:`oneservice.Applicant.masked_id` (kind told by the check digit)."""
    from stdnum.cn import ric

    return Applicant("person" if ric.is_valid(number) else "company", number, "-").masked_id


def normalise_applicant_id(number: str) -> str:
    """The compact form the library stores (``ValueError`` when it is neither kind of number)."""
    from stdnum.cn import ric, uscc

    for module in (ric, uscc):
        if module.is_valid(number):
            return str(module.compact(number))
    raise ValueError(f"{number!r} is neither a resident ID number nor a unified social credit code")


def check_actor(actor: Actor) -> None:
    """Raise ``ValueError`` unless ``actor`` is one a token may carry."""
    if actor.role not in ISSUABLE_ROLES:
        raise ValueError(f"tokens are for {', '.join(r.value for r in ISSUABLE_ROLES)}, not {actor.role}")
    if not ACTOR_ID.fullmatch(actor.id):
        raise ValueError("an actor id is 1-64 letters, digits and . _ @ - (starting with a letter or digit)")
    for name, value in (("department", actor.department), ("location", actor.location)):
        if value is not None and not PLACE_ID.fullmatch(value):
            raise ValueError(f"{name} {value!r} is not an id")
    if actor.role is Role.REVIEWER and not actor.department:
        raise ValueError("a reviewer token names the department (--department)")
    if actor.role is Role.CLERK and not actor.location:
        raise ValueError("a window clerk token names the service location (--location)")
    if actor.role is Role.APPLICANT:
        from stdnum.cn import ric, uscc

        number = actor.applicant_id or ""
        if not (ric.is_valid(number) or uscc.is_valid(number)) or normalise_applicant_id(number) != number:
            raise ValueError(
                "an applicant token carries a valid resident ID number or credit code (--applicant-id)"
            )
    elif actor.applicant_id is not None:
        raise ValueError("only an applicant token carries an applicant id")


def check_scopes(actor: Actor, scopes: tuple[str, ...]) -> None:
    """Raise ``ValueError`` unless ``scopes`` suit ``actor``: a system token has one or more of
    :data:`SYSTEM_SCOPES` (and a department for ``decision`` and ``licence``), no other token any."""
    if actor.role is not Role.SYSTEM:
        if scopes:
            raise ValueError("only a system token carries scopes (--scope)")
        return
    if not scopes:
        raise ValueError(f"a system token names its scopes (--scope, of: {', '.join(SYSTEM_SCOPES)})")
    unknown = [s for s in scopes if s not in SYSTEM_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r} (scopes: {', '.join(SYSTEM_SCOPES)})")
    if len(set(scopes)) != len(scopes):
        raise ValueError("a scope is named twice")
    if HOTLINE_SCOPE in scopes and len(scopes) > 1:
        raise ValueError("a hotline token carries no other scope: a 12345 hotline system reaches the "
                         "requests only, nothing about cases")
    if HOTLINE_SCOPE in scopes and actor.department:
        raise ValueError("a hotline token names no department: the 12345 platform dispatches requests")
    needing = sorted(DEPARTMENT_SCOPES.intersection(scopes))
    if needing and not actor.department:
        raise ValueError(f"a system token with scope {needing[0]} names its department (--department)")
    if actor.location is not None:
        raise ValueError("a system token names no service location")


def parse_scopes(text: str | None) -> tuple[str, ...]:
    """``decision,licence`` → ``("decision", "licence")`` (``None`` or empty: none)."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def check_region(actor: Actor, region: str | None) -> None:
    """Raise ``ValueError`` unless ``region`` is a GB/T 2260 code on a supervisor's token."""
    if region is None:
        return
    if actor.role is not Role.SUPERVISOR:
        raise ValueError("only a supervisor token names a region (--region)")
    if not REGION.fullmatch(region):
        raise ValueError(f"region {region!r} is not a GB/T 2260 code (33, 3301, 330102)")


class TokenAuthority:
    """Issues, verifies and revokes tokens, recording them in ``ledger`` (a
    :class:`~oneservice.http.ledger.Ledger`; a path means the JSONL file ledger; ``None`` keeps
    revocations in this process only)."""

    def __init__(
        self, secret: bytes, ledger: Ledger | Path | None = None, *, now: Callable[[], float] = time.time
    ) -> None:
        from .ledger import FileLedger, MemoryLedger

        self._secret = _strong(secret, "the signing secret")
        if isinstance(ledger, Path):
            ledger = FileLedger(ledger)
        self.ledger: Ledger = ledger if ledger is not None else MemoryLedger()
        self._now = now
        self._sealer = _ApplicantSealer(self._secret)

    @classmethod
    def from_files(cls, secret_file: Path, *, create: bool = True) -> TokenAuthority:
        return cls(load_secret(secret_file, create=create), ledger_path_for(secret_file))

    # ------------------------------------------------------------------ issue and revoke

    def issue(self, actor: Actor, ttl: dt.timedelta = dt.timedelta(days=30), *,
              region: str | None = None, scopes: tuple[str, ...] = ()) -> IssuedToken:
        """A new token for ``actor``, recorded in the ledger. An applicant's ID number travels
        sealed (claim ``aie``, AES-GCM under a key derived from the secret), never in clear; a
        system token carries its ``scopes`` (claim ``scp``)."""
        from .ledger import TokenRecord

        check_actor(actor)
        check_region(actor, region)
        check_scopes(actor, scopes)
        moment = self._now()
        issued = int(moment)
        expires = issued + int(ttl.total_seconds())
        token_id = "t-" + secrets.token_hex(10)
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "jti": token_id,
            "sub": actor.id,
            "role": actor.role.value,
            "dep": actor.department,
            "loc": actor.location,
            "iat": issued,
            "exp": expires,
        }
        if actor.applicant_id is not None:
            claims["aie"] = self._sealer.seal(actor.applicant_id, token_id)
        if region is not None:
            claims["reg"] = region
        if scopes:
            claims["scp"] = list(scopes)
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        when = dt.datetime.fromtimestamp(expires, dt.UTC)
        self.ledger.record(TokenRecord(
            token_id, actor.role.value, actor.id, actor.department, actor.location,
            mask_id(actor.applicant_id) if actor.applicant_id else None,
            dt.datetime.fromtimestamp(moment, dt.UTC), when, None,  # to the microsecond: the order
            tuple(scopes),
        ))
        return IssuedToken(token, token_id, when)

    def derive_key(self, purpose: str) -> bytes:
        """A 32-byte key for ``purpose`` (the web front's session cookies, its progress codes),
        derived from the signing secret with HKDF: every server of one secret derives the same."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(hashes.SHA256(), length=32, salt=None,
                    info=f"oneservice {purpose} v1".encode()).derive(self._secret)

    def revoke(self, token_or_id: str) -> str:
        """Revoke by token id (``t-…``) or by the token itself; returns the token id."""
        token_id = token_or_id.strip()
        if token_id.count(".") == 2:  # a whole token: take its id, signature checked
            try:
                claims = jwt.decode(
                    token_id, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                    options={"verify_exp": False, "require": ["jti"]},
                )
            except jwt.PyJWTError as exc:
                raise InvalidToken(f"not a token of this server: {exc}") from None
            token_id = str(claims["jti"])
        if not re.fullmatch(r"t-[0-9a-f]{20}", token_id):
            raise InvalidToken(f"{token_or_id!r} is neither a token nor a token id (t-…)")
        if not self.ledger.revoke(token_id, dt.datetime.fromtimestamp(self._now(), dt.UTC)):
            raise InvalidToken(f"no token {token_id} in the ledger")
        return token_id

    def records(self) -> list[TokenRecord]:
        """Every token in the ledger, oldest first."""
        return self.ledger.records()

    # ------------------------------------------------------------------ verify

    def verify(self, token: str) -> tuple[Actor, str]:
        """The actor a token carries and the token id; :class:`InvalidToken` otherwise."""
        identity = self.identify(token)
        return identity.actor, identity.token_id

    def identify(self, token: str) -> Identity:
        """The :class:`Identity` a token carries; :class:`InvalidToken` otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                leeway=30,
                options={"require": ["iss", "jti", "sub", "role", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.PyJWTError:
            raise InvalidToken("the token is malformed or not signed by this server") from None
        token_id = claims.get("jti")
        if not isinstance(token_id, str):
            raise InvalidToken("the token has been revoked")
        status = self.ledger.status(token_id)
        if status:
            raise InvalidToken("the token has been revoked")
        if status is None and self.ledger.requires_record:
            raise InvalidToken("the token is not in this site's ledger (issued elsewhere or before 0.2: "
                               "issue a new one)")
        if "aid" in claims:
            raise InvalidToken("the token carries an ID number in clear (issued before 0.2): issue a new one")
        try:
            sealed = _optional_text(claims.get("aie"))
            actor = Actor(
                Role(claims["role"]),
                str(claims["sub"]),
                department=_optional_text(claims.get("dep")),
                location=_optional_text(claims.get("loc")),
                applicant_id=self._sealer.open(sealed, token_id) if sealed is not None else None,
            )
            check_actor(actor)
            region = _optional_text(claims.get("reg"))
            check_region(actor, region)
            scopes = _scopes(claims.get("scp"))
            check_scopes(actor, scopes)
        except (ValueError, TypeError):
            raise InvalidToken("the token names an actor this server does not accept") from None
        return Identity(actor, token_id, region, frozenset(scopes))

    def is_revoked(self, token_id: str) -> bool:
        return bool(self.ledger.status(token_id))


class _ApplicantSealer:
    """AES-256-GCM for the applicant's ID number in a token, bound to the token id."""

    def __init__(self, secret: bytes) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        key = HKDF(hashes.SHA256(), length=32, salt=None, info=b"oneservice token aie v1").derive(secret)
        self._aead = AESGCM(key)

    def seal(self, number: str, token_id: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = nonce + self._aead.encrypt(nonce, number.encode(), token_id.encode())
        return str(base64.urlsafe_b64encode(sealed).rstrip(b"=").decode())

    def open(self, text: str, token_id: str) -> str:
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            return str(self._aead.decrypt(raw[:12], raw[12:], token_id.encode()).decode())
        except (ValueError, InvalidTag) as exc:
            raise ValueError("the sealed applicant id does not open") from exc


def _scopes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("claim scp must be a list of text")
    return tuple(value)


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("claim must be text")
    return value
