"""Self-issued tokens: no resident ID number in clear, and a ledger in the database that several
servers share (SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from http_helpers import PERSON_ID, SECRET

from oneservice import Actor, Role, Store
from oneservice.http import TokenAuthority
from oneservice.http.auth import InvalidToken
from oneservice.http.ledger import DatabaseLedger

APPLICANT = Actor(Role.APPLICANT, "zhangsan", applicant_id=PERSON_ID)


def payload(token: str) -> str:
    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


class TestNoIdNumberInClear:
    def test_applicant_token_seals_the_number(self):
        """The claims hold ``aie`` (sealed), no ``aid``; the number is not in the token's text."""
        authority = TokenAuthority(SECRET)
        token = authority.issue(APPLICANT).token
        claims = json.loads(payload(token))
        assert "aid" not in claims and "aie" in claims
        assert PERSON_ID not in payload(token) and PERSON_ID[6:14] not in token
        assert authority.verify(token)[0].applicant_id == PERSON_ID

    def test_sealed_number_is_bound_to_its_token(self):
        """An ``aie`` moved into another token (re-signed with the secret) does not open."""
        authority = TokenAuthority(SECRET)
        first = jwt.decode(authority.issue(APPLICANT).token, SECRET, algorithms=["HS256"], issuer="oneservice")
        other = Actor(Role.APPLICANT, "lisi", applicant_id="11010519491231002X")
        second = jwt.decode(authority.issue(other).token, SECRET, algorithms=["HS256"], issuer="oneservice")
        second["aie"] = first["aie"]
        with pytest.raises(InvalidToken, match="does not accept"):
            authority.verify(jwt.encode(second, SECRET, algorithm="HS256"))

    def test_token_with_the_number_in_clear_is_refused(self):
        """A 0.1 token (``aid`` in clear) is refused: issue a new one."""
        now = int(time.time())
        old = jwt.encode({"iss": "oneservice", "jti": "t-" + "0" * 20, "sub": "zs", "role": "applicant",
                          "aid": PERSON_ID, "iat": now, "exp": now + 60}, SECRET, algorithm="HS256")
        with pytest.raises(InvalidToken, match="in clear"):
            TokenAuthority(SECRET).verify(old)


class TestDatabaseLedger:
    def test_two_servers_share_issue_and_revocation(self, store):
        """Two servers (two stores on one database): a token of one works on the other, and a
        revocation on one is refused by the other from its next request."""
        second = Store(store.url if store.dialect == "sqlite" else store.engine.url.render_as_string(False),
                       schema=store.schema)
        try:
            a = TokenAuthority(SECRET, DatabaseLedger(store))
            b = TokenAuthority(SECRET, DatabaseLedger(second))
            issued = a.issue(Actor(Role.CLERK, "clerk-01", location="hz-citizen-centre"))
            assert b.verify(issued.token)[1] == issued.id
            b.revoke(issued.id)
            with pytest.raises(InvalidToken, match="revoked"):
                a.verify(issued.token)
            records = a.records()
            assert [r.id for r in records] == [issued.id] and records[0].revoked is not None
        finally:
            second.dispose()

    def test_token_not_in_the_ledger_is_refused(self, store):
        """Signed with the secret but never issued into the site's ledger: refused."""
        a = TokenAuthority(SECRET, DatabaseLedger(store))
        elsewhere = TokenAuthority(SECRET).issue(Actor(Role.SUPERVISOR, "sup-x")).token
        with pytest.raises(InvalidToken, match="not in this site's ledger"):
            a.verify(elsewhere)

    def test_ledger_masks_the_number_and_revoking_an_unknown_id_fails(self, store):
        a = TokenAuthority(SECRET, DatabaseLedger(store))
        a.issue(APPLICANT)
        assert a.records()[0].applicant.count("*") == 8
        with pytest.raises(InvalidToken, match="no token"):
            a.revoke("t-" + "a" * 20)
