"""Tokens of an identity platform (OIDC): RS256 / ES256 JWTs verified with the platform's JWKS.

::

    verifier = OidcVerifier(issuer="https://id.zj.gov.cn", audience="oneservice",
                            jwks="https://id.zj.gov.cn/.well-known/jwks.json")   # or a file path
    app = create_app(service, Authenticators(self_issued, [verifier]))

A token is accepted when its header names ``RS256`` or ``ES256`` (nothing else: no ``HS256`` with a
public key, no ``none``), its key id (``kid``) is in the JWKS, the signature verifies, ``iss`` is
the configured issuer, ``aud`` holds the configured audience, and ``exp`` (required), ``nbf`` and
``iat`` hold within ``leeway`` seconds of clock skew (default 30).

**Key rotation.** A JWKS URL is fetched once and kept for ``cache_seconds`` (default 300); a token
whose ``kid`` is not in the kept set makes the verifier fetch the set again (PyJWT's
``PyJWKClient``), at most once per ``refresh_cooldown`` seconds (default 30: a flood of made-up key
ids cannot make the server hammer the platform), so a key the platform adds is used within half
a minute of its first token. A JWKS *file* is re-read when it changes (modification time or size).

**Claim mapping** (:class:`ClaimMapping`, every name configurable) — the actor a token names:

==================  ===========================  ================================================
actor               claim (default)               notes
==================  ===========================  ================================================
id                  ``sub``                       1–64 letters, digits and ``. _ @ -``
role                ``oneservice_role``           ``clerk``, ``reviewer``, ``supervisor``,
                                                  ``applicant``, ``agent``; ``roles`` maps the
                                                  platform's own names (``{"window": "clerk"}``)
department          ``oneservice_department``     reviewers (required)
location            ``oneservice_location``       clerks (required)
region              ``oneservice_region``         supervisors: GB/T 2260 code (absent: every region)
applicant           ``oneservice_applicant_id``   applicants: resident ID number or credit code
==================  ===========================  ================================================

The token id is ``jti`` when present (else ``oidc:<sub>``); self-issued revocation does not apply
to platform tokens: the platform revokes its own (short lifetimes).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import jwt

from .. import Actor, Role
from .auth import (
    ISSUER,
    Identity,
    InvalidToken,
    TokenAuthority,
    check_actor,
    check_region,
    normalise_applicant_id,
)

__all__ = ["ALGORITHMS", "Authenticators", "ClaimMapping", "OidcVerifier"]

ALGORITHMS = ("RS256", "ES256")


@attrs.frozen
class ClaimMapping:
    """Which claim of a platform token holds each part of the actor (see the module docstring)."""

    subject: str = "sub"
    role: str = "oneservice_role"
    department: str = "oneservice_department"
    location: str = "oneservice_location"
    region: str = "oneservice_region"
    applicant: str = "oneservice_applicant_id"
    roles: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClaimMapping:
        """From a JSON object of the same names (``--oidc-claims file.json``); unknown names refused."""
        known = {a.name for a in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown claim mapping key(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        return cls(**data)


class _JwksFile:
    """A JWKS read from a file, read again when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._keys: dict[str, jwt.PyJWK] = {}

    def key(self, kid: str | None) -> jwt.PyJWK:
        with self._lock:
            info = self.path.stat()
            seen = (info.st_mtime_ns, info.st_size)
            if seen != self._seen:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                keys = jwt.PyJWKSet.from_dict(data).keys
                self._keys = {str(k.key_id): k for k in keys}
                self._seen = seen
            if kid is None and len(self._keys) == 1:
                return next(iter(self._keys.values()))
            found = self._keys.get(str(kid))
        if found is None:
            raise InvalidToken(f"the token's key {kid!r} is not in the identity platform's key set")
        return found


class OidcVerifier:
    """Verifies the tokens of one identity platform (one issuer)."""

    def __init__(
        self, *, issuer: str, audience: str, jwks: str, mapping: ClaimMapping | None = None,
        leeway: int = 30, cache_seconds: int = 300, refresh_cooldown: float = 30,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("an identity platform needs its issuer and this server's audience")
        if issuer == ISSUER:
            raise ValueError(f"issuer {ISSUER!r} is the server's own (self-issued tokens)")
        self.issuer = issuer
        self.audience = audience
        self.mapping = mapping or ClaimMapping()
        self.leeway = leeway
        self._client: jwt.PyJWKClient | None = None
        self._file: _JwksFile | None = None
        if jwks.startswith(("https://", "http://")):
            options: dict[str, Any] = {"cache_jwk_set": True, "lifespan": cache_seconds, "timeout": 10}
            if "cooldown_duration" in inspect.signature(jwt.PyJWKClient).parameters:
                options["cooldown_duration"] = refresh_cooldown  # PyJWT ≥ 2.11 waits this long between
            self._client = jwt.PyJWKClient(jwks, **options)  # the refreshes an unknown kid forces
        else:
            path = Path(jwks)
            if not path.is_file():
                raise ValueError(f"no JWKS file {path} (give a file or an https:// URL)")
            self._file = _JwksFile(path)

    def _key(self, token: str, kid: str | None) -> Any:
        if self._file is not None:
            return self._file.key(kid).key
        assert self._client is not None
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError:
            raise InvalidToken("the identity platform's key set cannot be fetched; try again later") \
                from None
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(f"the token's key is not in the identity platform's key set ({exc})") from None

    def identify(self, token: str) -> Identity:
        """The :class:`~oneservice.http.auth.Identity` a platform token names; :class:`InvalidToken`
        otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the token is malformed") from None
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"the identity platform's tokens are signed with {' or '.join(ALGORITHMS)}")
        key = self._key(token, header.get("kid"))
        try:
            claims = jwt.decode(
                token, key, algorithms=list(ALGORITHMS), audience=self.audience, issuer=self.issuer,
                leeway=self.leeway, options={"require": ["iss", "aud", "exp", self.mapping.subject]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(f"the token is not for this server (audience {self.audience!r})") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken(f"the token is not of issuer {self.issuer!r}") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is malformed or its signature does not verify ({exc})") from None
        return self._identity(claims)

    def _identity(self, claims: Mapping[str, Any]) -> Identity:
        m = self.mapping

        def text(name: str) -> str | None:
            value = claims.get(name)
            if value is None:
                return None
            if not isinstance(value, str):
                raise InvalidToken(f"claim {name!r} must be text")
            return value

        raw_role = text(m.role)
        if raw_role is None:
            raise InvalidToken(f"the token has no role (claim {m.role!r})")
        try:
            role = Role(m.roles.get(raw_role, raw_role))
            if role is Role.SYSTEM:
                raise ValueError("a system's credentials are this server's own tokens (token issue --role "
                                 "system --scope …), not the platform's")
            applicant = text(m.applicant)
            if applicant is not None:
                applicant = normalise_applicant_id(applicant)
            actor = Actor(role, str(claims[m.subject]), department=text(m.department),
                          location=text(m.location), applicant_id=applicant)
            check_actor(actor)
            region = text(m.region)
            check_region(actor, region)
        except ValueError as exc:
            raise InvalidToken(f"the token names an actor this server does not accept: {exc}") from None
        token_id = claims.get("jti")
        return Identity(actor, f"oidc:{token_id if isinstance(token_id, str) else claims[m.subject]}", region)


class Authenticators:
    """The server's own tokens and those of identity platforms, told apart by ``iss``."""

    def __init__(self, self_issued: TokenAuthority | None, platforms: Sequence[OidcVerifier] = ()) -> None:
        self.self_issued = self_issued
        self.platforms = {p.issuer: p for p in platforms}

    def derive_key(self, purpose: str) -> bytes:
        """The server's own key for ``purpose`` (:meth:`TokenAuthority.derive_key`)."""
        if self.self_issued is None:
            raise ValueError("the web front needs the server's own secret (a TokenAuthority)")
        return self.self_issued.derive_key(purpose)

    def identify(self, token: str) -> Identity:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise InvalidToken("the token is malformed or not signed by this server") from None
        if issuer == ISSUER and self.self_issued is not None:
            return self.self_issued.identify(token)
        platform = self.platforms.get(issuer) if isinstance(issuer, str) else None
        if platform is None:
            raise InvalidToken("the token is of an issuer this server does not accept")
        return platform.identify(token)
