"""Tokens of an identity platform: RS256/ES256 verified with a JWKS from a file or served on loopback
by the test itself (no other network); rotation, issuer, audience, clock skew, claim mapping."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from http_helpers import LOCATION

from oneservice import Actor, Role
from oneservice.http import Authenticators, ClaimMapping, OidcVerifier, create_app
from oneservice.http.auth import InvalidToken

ISSUER = "https://id.zj.example"
AUDIENCE = "oneservice-hz"


class Key:
    """A signing key of the platform and its public JWK."""

    def __init__(self, kid: str, kind: str = "RSA") -> None:
        self.kid = kid
        if kind == "RSA":
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.algorithm = "RS256"
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.algorithm = "ES256"
            jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        self.jwk = jwk | {"kid": kid, "use": "sig", "alg": self.algorithm}

    def sign(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "clerk-07", "iat": now, "exp": now + 600,
                "oneservice_role": "clerk", "oneservice_location": LOCATION} | claims
        return jwt.encode({k: v for k, v in body.items() if v is not None}, self.private,
                          algorithm=self.algorithm, headers={"kid": self.kid})


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    return {"k1": Key("k1"), "k2": Key("k2"), "e1": Key("e1", "EC")}


def write_jwks(path: Path, *keys: Key) -> Path:
    path.write_text(json.dumps({"keys": [k.jwk for k in keys]}), encoding="utf-8")
    return path


def client(service, authority, verifier: OidcVerifier):
    return create_app(service, Authenticators(authority, [verifier])).test_client()


def window(c, token: str):
    return c.get(f"/worklists/window/{LOCATION}", headers={"Authorization": f"Bearer {token}"})


class TestJwksFile:
    def test_rs256_and_es256_tokens_are_accepted(self, service, authority, keys, tmp_path):
        verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE,
                                jwks=str(write_jwks(tmp_path / "jwks.json", keys["k1"], keys["e1"])))
        c = client(service, authority, verifier)
        assert window(c, keys["k1"].sign()).status_code == 200
        assert window(c, keys["e1"].sign()).status_code == 200
        identity = verifier.identify(keys["k1"].sign(jti="abc"))
        assert identity.actor == Actor(Role.CLERK, "clerk-07", location=LOCATION)
        assert identity.token_id == "oidc:abc"

    def test_self_issued_tokens_still_work(self, service, authority, keys, tmp_path):
        verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=str(write_jwks(tmp_path / "j.json", keys["k1"])))
        c = client(service, authority, verifier)
        own = authority.issue(Actor(Role.CLERK, "clerk-01", location=LOCATION)).token
        assert window(c, own).status_code == 200

    def test_a_rotated_key_is_picked_up(self, service, authority, keys, tmp_path):
        """The file gains k2: a k2 token, refused before, is accepted without a restart."""
        path = write_jwks(tmp_path / "jwks.json", keys["k1"])
        c = client(service, authority, OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=str(path)))
        token = keys["k2"].sign()
        r = window(c, token)
        assert r.status_code == 401 and "key" in r.json["detail"]
        write_jwks(path, keys["k1"], keys["k2"])
        assert window(c, token).status_code == 200

    @pytest.mark.parametrize(("claims", "fragment"), [
        ({"iss": "https://id.other.example"}, "issuer this server does not accept"),
        ({"aud": "another-service"}, "not for this server"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"oneservice_role": "system"}, "does not accept"),
        ({"oneservice_role": None}, "no role"),
        ({"oneservice_location": None}, "location"),
        ({"sub": "bad id!"}, "does not accept"),
        ({"oneservice_region": "3301"}, "only a supervisor"),
    ])
    def test_refused(self, service, authority, keys, tmp_path, claims, fragment):
        """Another issuer or audience, an expired token, an impossible actor: 401 saying why."""
        verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=str(write_jwks(tmp_path / "j.json", keys["k1"])))
        r = window(client(service, authority, verifier), keys["k1"].sign(**claims))
        assert r.status_code == 401 and r.json["code"] == "OS902"
        assert fragment in r.json["detail"]

    def test_clock_skew_within_the_leeway(self, keys, tmp_path):
        verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=str(write_jwks(tmp_path / "j.json", keys["k1"])),
                                leeway=300)
        verifier.identify(keys["k1"].sign(exp=int(time.time()) - 120))  # 2 minutes late, 5 allowed
        with pytest.raises(InvalidToken, match="expired"):
            verifier.identify(keys["k1"].sign(exp=int(time.time()) - 900))

    def test_only_rs256_and_es256(self, keys, tmp_path):
        """HS256 signed with the public key (key confusion) and unsigned tokens are refused."""
        verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=str(write_jwks(tmp_path / "j.json", keys["k1"])))
        public_pem = keys["k1"].private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60,
                  "oneservice_role": "supervisor"}
        forged = jwt.encode(claims, public_pem.decode()[:64], algorithm="HS256", headers={"kid": "k1"})
        with pytest.raises(InvalidToken, match="RS256 or ES256"):
            verifier.identify(forged)
        unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})
        with pytest.raises(InvalidToken, match="RS256 or ES256"):
            verifier.identify(unsigned)
        other = Key("k1")  # same kid, another key: the signature does not verify
        with pytest.raises(InvalidToken, match="signature"):
            verifier.identify(other.sign())

    def test_claim_mapping(self, keys, tmp_path):
        """The platform's own claim names and role names map onto the actor."""
        mapping = ClaimMapping.from_dict({"subject": "uid", "role": "groups_role", "region": "area",
                                          "applicant": "id_card", "roles": {"inspector": "supervisor"}})
        verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE, mapping=mapping,
                                jwks=str(write_jwks(tmp_path / "j.json", keys["k1"])))
        identity = verifier.identify(keys["k1"].sign(uid="sup-9", groups_role="inspector", area="330102",
                                                     oneservice_location=None))
        assert identity.actor == Actor(Role.SUPERVISOR, "sup-9") and identity.region == "330102"
        from oneservice.samples import sample_resident_id

        number = sample_resident_id(3)
        applicant = verifier.identify(keys["k1"].sign(uid="zs", groups_role="applicant", id_card=number.lower(),
                                                      oneservice_location=None))
        assert applicant.actor.applicant_id == number
        with pytest.raises(ValueError, match="unknown claim mapping key"):
            ClaimMapping.from_dict({"rol": "x"})


class _Jwks(BaseHTTPRequestHandler):
    served: dict[str, Any] = {"keys": []}  # noqa: RUF012
    fetches = 0

    def do_GET(self) -> None:
        type(self).fetches += 1
        body = json.dumps(type(self).served).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_jwks():
    server = HTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


class TestJwksUrl:
    def test_loopback_jwks_with_rotation(self, service, authority, keys, loopback_jwks):
        """A JWKS served over HTTP: fetched once, fetched again for an unknown key id (rotation)."""
        _Jwks.served = {"keys": [keys["k1"].jwk]}
        _Jwks.fetches = 0
        c = client(service, authority, OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=loopback_jwks,
                                                    refresh_cooldown=0))
        assert window(c, keys["k1"].sign()).status_code == 200
        assert window(c, keys["k1"].sign()).status_code == 200
        assert _Jwks.fetches == 1  # kept
        _Jwks.served = {"keys": [keys["k1"].jwk, keys["k2"].jwk]}
        assert window(c, keys["k2"].sign()).status_code == 200
        assert _Jwks.fetches == 2
        r = window(c, Key("k9").sign())
        assert r.status_code == 401 and "key" in r.json["detail"]

    def test_unreachable_jwks_is_a_401_not_a_500(self, service, authority, keys):
        c = client(service, authority, OidcVerifier(issuer=ISSUER, audience=AUDIENCE,
                                                    jwks="http://127.0.0.1:9/jwks.json"))
        r = window(c, keys["k1"].sign())
        assert r.status_code == 401 and r.json["code"] == "OS902"


class TestServeOptions:
    def test_platform_needs_issuer_audience_and_jwks(self, tmp_path):
        """serve --oidc-issuer alone is a usage error (exit 2), before anything is opened or written."""
        from click.testing import CliRunner

        from oneservice.cli import main

        r = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "x.sqlite"), "--oidc-issuer", ISSUER])
        assert r.exit_code == 2 and "--oidc-audience, --oidc-jwks" in r.output
        assert not (tmp_path / "x.secret").exists() and not (tmp_path / "x.sqlite").exists()

    def test_claim_mapping_file_is_checked(self, tmp_path, keys):
        from click.testing import CliRunner

        from oneservice.cli import main

        (tmp_path / "claims.json").write_text('{"rol": "x"}')
        r = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "x.sqlite"), "--oidc-issuer", ISSUER,
                                      "--oidc-audience", AUDIENCE,
                                      "--oidc-jwks", str(write_jwks(tmp_path / "j.json", keys["k1"])),
                                      "--oidc-claims", str(tmp_path / "claims.json")])
        assert r.exit_code == 2 and "unknown claim mapping key(s) rol" in r.output


def test_a_platform_token_signs_in_to_the_web_front(service, authority, keys, tmp_path):
    """The login page takes the identity platform's tokens as the API does (same Authenticators)."""
    import re

    verifier = OidcVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=str(write_jwks(tmp_path / "j.json", keys["k1"])))
    app = create_app(service, Authenticators(authority, [verifier]), config={"WEB_COOKIE_SECURE": False})
    c = app.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/").text).group(1)
    answer = c.post("/login", data={"csrf": csrf, "token": keys["k1"].sign()})
    assert answer.headers["Location"] == "/web/desk"
    page = c.get("/web/desk")
    assert page.status_code == 200 and "clerk-07" in page.text
    stranger = Key("x9")  # a key the platform never published
    c2 = app.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', c2.get("/").text).group(1)
    c2.post("/login", data={"csrf": csrf, "token": stranger.sign()})
    assert c2.get("/web/desk").status_code == 302
