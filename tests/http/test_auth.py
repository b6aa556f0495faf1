"""Tokens: missing, malformed, forged, expired and revoked tokens; the token commands."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat

import jwt
import pytest
from click.testing import CliRunner
from http_helpers import PERSON_ID, SECRET

from oneservice import Actor, Role
from oneservice.cli import main
from oneservice.http import TokenAuthority
from oneservice.http.auth import WeakSecret, load_secret, parse_duration, weak_secret_reason


def unauthorised(r, code):
    assert r.status_code == 401, r.json
    assert r.mimetype == "application/problem+json" and r.json["code"] == code
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="oneservice"')
    return r.json


class TestBearer:
    def test_missing(self, http):
        unauthorised(http.get("/me/cases", None), "OS901")

    def test_not_bearer(self, http):
        r = http.client.get("/me/cases", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        unauthorised(r, "OS902")

    def test_garbage(self, http):
        unauthorised(http.get("/me/cases", "not-a-token"), "OS902")

    def test_forged(self, http):
        """Signed with another secret: 401."""
        other = TokenAuthority(b"another-secret-0123456789abcdefghij")
        token = other.issue(Actor(Role.SUPERVISOR, "sup-x")).token
        unauthorised(http.get("/worklists/colour/red", token), "OS902")

    def test_tampered_claims(self, http):
        """Changing the role in the payload breaks the signature."""
        head, _, sig = http.tokens["me"].split(".")
        claims = jwt.decode(http.tokens["me"], options={"verify_signature": False})
        claims["role"] = "supervisor"
        forged = jwt.encode(claims, "x" * 40, algorithm="HS256").split(".")[1]
        unauthorised(http.get("/worklists/colour/red", f"{head}.{forged}.{sig}"), "OS902")

    def test_alg_none(self, http):
        claims = jwt.decode(http.tokens["supervisor"], options={"verify_signature": False})
        token = jwt.encode(claims, None, algorithm="none")
        unauthorised(http.get("/worklists/colour/red", token), "OS902")

    def test_expired(self, http, authority):
        old = TokenAuthority(SECRET, now=lambda: 1_000_000.0)
        token = old.issue(Actor(Role.SUPERVISOR, "sup-x"), dt.timedelta(hours=1)).token
        assert "expired" in unauthorised(http.get("/worklists/colour/red", token), "OS902")["detail"]

    def test_impossible_actor(self, http):
        """A validly signed token naming a system actor is refused."""
        now = int(dt.datetime.now(dt.UTC).timestamp())
        claims = {"iss": "oneservice", "jti": "t-" + "0" * 20, "sub": "timer", "role": "system",
                  "iat": now, "exp": now + 60}
        unauthorised(http.get("/worklists/colour/red", jwt.encode(claims, SECRET, algorithm="HS256")), "OS902")

    def test_revoked_takes_effect_at_once(self, http, authority):
        """Revoking (another process appending to the ledger) refuses the next request."""
        assert http.get("/worklists/colour/red", "supervisor").status_code == 200
        TokenAuthority(SECRET, authority.ledger).revoke(http.ids["supervisor"])
        assert "revoked" in unauthorised(http.get("/worklists/colour/red", "supervisor"), "OS902")["detail"]
        assert http.get("/worklists/colour/red", "clerk").status_code == 200

    def test_public_endpoints_need_no_token(self, http):
        for path in ("/healthz", "/readyz", "/matters", "/matters/start-a-business/notice", "/openapi.json"):
            assert http.get(path, None).status_code == 200, path


class TestTokenCommands:
    def test_issue_list_revoke(self, tmp_path, monkeypatch):
        monkeypatch.delenv("ONESERVICE_SECRET", raising=False)
        db = str(tmp_path / "cases.sqlite")
        runner = CliRunner()
        r = runner.invoke(main, ["token", "issue", "--role", "reviewer", "--id", "rev-1",
                                 "--department", "sc-amr", "--expires", "7d", "--db", db])
        assert r.exit_code == 0, r.output
        token = r.stdout.strip()
        secret_file = tmp_path / "cases.secret"
        assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
        from oneservice import Store
        from oneservice.http.ledger import DatabaseLedger

        store = Store(f"sqlite:///{db}")  # the commands' ledger: the database's token_ledger table
        authority = TokenAuthority(load_secret(secret_file), DatabaseLedger(store))
        actor, token_id = authority.verify(token)
        assert actor == Actor(Role.REVIEWER, "rev-1", department="sc-amr")
        r = runner.invoke(main, ["token", "issue", "--role", "applicant", "--id", "zs",
                                 "--applicant-id", PERSON_ID.lower(), "--db", db])
        assert r.exit_code == 0, r.output
        assert authority.verify(r.stdout.strip())[0].applicant_id == PERSON_ID
        listed = runner.invoke(main, ["token", "list", "--format", "json", "--db", db])
        rows = json.loads(listed.stdout)
        assert rows[0]["id"] == token_id
        assert PERSON_ID not in listed.stdout and rows[1]["applicant"].count("*") == 8
        r = runner.invoke(main, ["token", "revoke", token_id, "--db", db])
        assert r.exit_code == 0 and token_id in r.stdout
        with pytest.raises(Exception, match="revoked"):
            authority.verify(token)
        assert "revoked" in runner.invoke(main, ["token", "list", "--db", db]).stdout
        store.dispose()

    def test_a_system_token_with_its_scopes(self, tmp_path, monkeypatch):
        """``--role system --scope``: the scopes travel in the token and show in ``token list``."""
        monkeypatch.delenv("ONESERVICE_SECRET", raising=False)
        db = str(tmp_path / "cases.sqlite")
        runner = CliRunner()
        r = runner.invoke(main, ["token", "issue", "--role", "system", "--id", "amr-approval", "--department",
                                 "sc-amr", "--scope", "decision,licence", "--db", db])
        assert r.exit_code == 0, r.output
        assert "scopes: decision,licence" in r.stderr
        from oneservice import Store
        from oneservice.http.ledger import DatabaseLedger

        store = Store(f"sqlite:///{db}")
        authority = TokenAuthority(load_secret(tmp_path / "cases.secret"), DatabaseLedger(store))
        identity = authority.identify(r.stdout.strip())
        assert identity.actor == Actor(Role.SYSTEM, "amr-approval", department="sc-amr")
        assert identity.scopes == {"decision", "licence"}
        rows = json.loads(runner.invoke(main, ["token", "list", "--format", "json", "--db", db]).stdout)
        assert rows[0]["scopes"] == ["decision", "licence"]
        assert "[decision,licence]" in runner.invoke(main, ["token", "list", "--db", db]).stdout
        store.dispose()

    @pytest.mark.parametrize("args", [
        ["--role", "reviewer", "--id", "rev-1"],                                # no department
        ["--role", "clerk", "--id", "c-1"],                                     # no location
        ["--role", "applicant", "--id", "a", "--applicant-id", "123"],          # invalid number
        ["--role", "reviewer", "--id", "rev-1", "--department", "sc-amrr"],     # unknown department
        ["--role", "system", "--id", "timer"],                                  # no scope
        ["--role", "system", "--id", "amr", "--scope", "decision"],             # no department
        ["--role", "system", "--id", "pay", "--scope", "fee,refund"],           # unknown scope
        ["--role", "clerk", "--id", "c-1", "--location", "hz-citizen-centre", "--scope", "fee"],
        ["--role", "supervisor", "--id", "s", "--expires", "forever"],
    ])
    def test_issue_refuses(self, tmp_path, args):
        r = CliRunner().invoke(main, ["token", "issue", *args, "--db", str(tmp_path / "x.sqlite")])
        assert r.exit_code == 2, r.output

    def test_secret_readable_by_others_is_refused(self, tmp_path, monkeypatch):
        monkeypatch.delenv("ONESERVICE_SECRET", raising=False)
        path = tmp_path / "s.secret"
        path.write_text("x" * 64)
        path.chmod(0o644)
        with pytest.raises(PermissionError):
            load_secret(path)

    def test_secret_from_environment(self, tmp_path, monkeypatch):
        strong = "5f0c1e9a7b3d42e8a6c1f0b9d7e3a2c4"
        monkeypatch.setenv("ONESERVICE_SECRET", strong)
        assert load_secret(tmp_path / "absent.secret") == strong.encode()
        assert not (tmp_path / "absent.secret").exists()

    @pytest.mark.parametrize(("secret", "reason"), [
        ("e" * 40, "only 1 different character(s), fewer than 8"),
        ("a" * 32, "only 1 different character(s), fewer than 8"),
        ("abcdefgh" * 4, "the same 8 characters repeated 4 times"),
        ("aaaaaaaaaaaaaaaaaaaaaaaabcdefghi", "bits of entropy per character, fewer than 2.5"),
        ("short-but-varied-123", "20 characters, fewer than 32"),
    ])
    def test_weak_secrets_are_refused(self, tmp_path, monkeypatch, secret, reason):
        """A 32-character secret of one repeated letter, a repeated word, low entropy: OS110."""
        monkeypatch.setenv("ONESERVICE_SECRET", secret)
        with pytest.raises(WeakSecret, match=re.escape(reason)) as caught:
            load_secret(tmp_path / "absent.secret")
        assert str(caught.value).startswith("OS110 ONESERVICE_SECRET is a weak signing secret")
        monkeypatch.delenv("ONESERVICE_SECRET")
        path = tmp_path / "weak.secret"
        path.write_text(secret + "\n")
        path.chmod(0o600)
        with pytest.raises(WeakSecret, match=re.escape(reason)):
            load_secret(path)
        with pytest.raises(WeakSecret):
            TokenAuthority(secret.encode())

    def test_weak_secret_stops_the_command(self, tmp_path, monkeypatch):
        """``token issue`` with a weak ONESERVICE_SECRET: exit 1, the reason, no token."""
        monkeypatch.setenv("ONESERVICE_SECRET", "x" * 32)
        r = CliRunner().invoke(main, ["token", "issue", "--role", "supervisor", "--id", "s",
                                      "--db", str(tmp_path / "x.sqlite")])
        assert r.exit_code == 1
        assert "OS110" in r.output
        assert r.stdout.count(".") < 2  # no JWT printed

    def test_generated_secrets_are_strong(self):
        """What the server writes (token_hex(32)) always passes."""
        import secrets

        assert all(weak_secret_reason(secrets.token_hex(32).encode()) is None for _ in range(200))
        assert all(weak_secret_reason(secrets.token_hex(16).encode()) is None for _ in range(200))

    def test_durations(self):
        assert parse_duration("30d") == dt.timedelta(days=30)
        assert parse_duration("90m") == dt.timedelta(minutes=90)
        with pytest.raises(ValueError):
            parse_duration("0s")
