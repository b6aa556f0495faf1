"""``oneservice serve`` as a real process on loopback: a case driven end to end over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from http_helpers import BIZ, LOCATION, PERSON, PERSON_ID, ROOT

from oneservice import Actor, Role, load_catalogue
from oneservice.http import TokenAuthority
from oneservice.samples import sample_form

BIN = Path(sys.executable).parent / "oneservice"


def command(*args: str) -> list[str]:
    if BIN.exists():
        return [str(BIN), *args]
    return [sys.executable, "-m", "oneservice.cli", *args]


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.sent: list[tuple[str, int]] = []  # (method, status) of every request, in order

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             **headers: str) -> tuple[int, Any, Any]:
        """Status, headers (case-insensitive) and the JSON body."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.sent.append((method, response.status))
                return response.status, response.headers, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            self.sent.append((method, error.code))
            return error.code, error.headers, json.loads(error.read() or b"null")


def issue(db: Path, *args: str) -> str:
    result = subprocess.run(command("token", "issue", "--db", str(db), *args),
                            capture_output=True, text=True, check=True, cwd=ROOT, timeout=60)
    return result.stdout.strip()


class Server:
    """A running ``oneservice serve``: its base URL, database file and log file."""

    def __init__(self, process: subprocess.Popen[str], base: str, db: Path, log: Path) -> None:
        self.process, self.base, self.db, self.log = process, base, db, log

    def stop(self) -> str:
        """SIGTERM, wait for the process to exit (it must exit cleanly), and return its whole log."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung server fails the test
                self.process.kill()
                self.process.wait()
                raise
        text = self.log.read_text()
        assert self.process.returncode == 0, text
        return text


@pytest.fixture
def server(tmp_path):
    """``oneservice serve --port 0`` on a fresh SQLite file, stopped at the end if the test did not."""
    db = tmp_path / "serve.sqlite"
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "ONESERVICE_SECRET"}
    with log.open("w") as err:
        process = subprocess.Popen(
            command("serve", "--db", str(db), "--host", "127.0.0.1", "--port", "0", "--threads", "4"),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, env=env,
        )
    running = Server(process, "", db, log)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()  # the base URL, once listening
        assert line.startswith("http://127.0.0.1:"), log.read_text()
        running.base = line
        yield running
    finally:
        running.stop()


def test_case_end_to_end(server):
    """Open, notice, supplement, accept, every department approves, deliver, rate, progress."""
    base, db = server.base, server.db
    api = Client(base)
    catalogue = load_catalogue([ROOT / "workflows"])
    plan = catalogue.plan(BIZ)
    me = issue(db, "--role", "applicant", "--id", "zhangsan", "--applicant-id", PERSON_ID)
    clerk = issue(db, "--role", "clerk", "--id", "clerk-01", "--location", LOCATION)

    assert api.call("GET", "/healthz")[2] == {"status": "ok"}
    assert api.call("GET", "/readyz")[0] == 200
    assert api.call("GET", "/me/cases")[0] == 401

    status, headers, case = api.call("POST", "/cases", me, {"matter_id": BIZ, "applicant": PERSON,
                                                             "channel": "online", "location": LOCATION})
    assert status == 201 and headers["Location"] == f"/cases/{case['id']}"
    case_id = case["id"]
    materials = [line.material.id for line in plan.materials if line.required]
    status, headers, case = api.call("POST", f"/cases/{case_id}/submit", me,
                                     {"form": sample_form(plan), "materials": materials[:-1], "channel": "online"},
                                     If_Match=headers["ETag"], Idempotency_Key="submit-1")
    assert status == 200 and case["state"] == "submitted", case
    status, _, notice = api.call("POST", f"/cases/{case_id}/notice", clerk)
    assert status == 200 and [line["id"] for line in notice["lines"]] == materials[-1:]
    status, _, case = api.call("POST", f"/cases/{case_id}/supplement", me,
                               {"materials": materials[-1:], "channel": "online"})
    assert status == 200
    status, _, case = api.call("POST", f"/cases/{case_id}/accept", clerk)
    assert status == 200 and case["state"] == "in_progress"
    from oneservice import Store
    from oneservice.http.auth import load_secret
    from oneservice.http.ledger import DatabaseLedger

    ledger_store = Store(f"sqlite:///{db}")  # the server's secret and its token ledger in the database
    authority = TokenAuthority(load_secret(db.with_suffix(".secret"), create=False), DatabaseLedger(ledger_store))
    for item in plan.items:
        reviewer = authority.issue(Actor(Role.REVIEWER, f"rev-{item.department}", department=item.department)).token
        assert api.call("POST", f"/cases/{case_id}/items/{item.code}/start-review", reviewer)[0] == 200
        status, _, case = api.call("POST", f"/cases/{case_id}/items/{item.code}/approve", reviewer, {})
        assert status == 200, case
    assert case["state"] == "ready_for_pickup"
    body = {"channel": "electronic", "results": {"seal-filing": {"channel": "mail", "tracking": "EMS 1180 0000 2"}}}
    status, _, case = api.call("POST", f"/cases/{case_id}/deliver", clerk, body)
    assert status == 200 and case["state"] == "delivered"
    assert api.call("POST", f"/cases/{case_id}/rating", me, {"level": 5, "comment": "一次都没跑"})[0] == 200
    status, _, progress = api.call("GET", f"/cases/{case_id}/progress", me)
    assert status == 200 and progress["trips"] == 0 and progress["applicant_id"].count("*") == 8

    # a stale If-Match, malformed JSON and a revoked token, over the wire
    status, _, problem = api.call("POST", f"/cases/{case_id}/conclude", clerk, If_Match='"1"')
    assert status == 412 and problem["code"] == "OS703"
    request = urllib.request.Request(f"{base}/cases/{case_id}/withdraw", data=b"{oops", method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {me}"})
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(request, timeout=10)
    api.sent.append(("POST", bad.value.code))
    assert bad.value.code == 400
    assert bad.value.headers["Content-Type"] == "application/problem+json"
    token_id = json.loads(subprocess.run(
        command("token", "list", "--format", "json", "--db", str(db)),
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=60).stdout)[0]["id"]
    subprocess.run(command("token", "revoke", token_id, "--db", str(db)), check=True, cwd=ROOT, timeout=60,
                   capture_output=True)
    assert api.call("GET", "/me/cases", me)[0] == 401
    assert api.call("GET", "/openapi.json")[2]["openapi"].startswith("3.")

    text = server.stop()  # the log is complete once the process has exited
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "oneservice.http.access"]
    assert [(line["method"], line["status"]) for line in requests] == api.sent  # one line per request
    assert all(line["route"] for line in requests)
    assert PERSON_ID not in text and "张三" not in text and me not in text


def test_upload_larger_than_the_json_limit(server, tmp_path):
    """A 1 MiB scan goes through the real server (its body limit is the files' one), lands in
    oneservice-files/ beside the database, and comes back byte for byte."""
    import hashlib

    client = Client(server.base)
    token = issue(server.db, "--role", "applicant", "--id", "zhangsan", "--applicant-id", PERSON_ID)
    status, _, body = client.call("POST", "/cases", token, {"matter_id": BIZ, "applicant": PERSON,
                                                             "channel": "online", "location": LOCATION})
    assert status == 201, body
    data = b"%PDF-1.7\n" + os.urandom(1024 * 1024)
    url = f"{server.base}/cases/{body['id']}/materials/premises-lease/file"
    request = urllib.request.Request(url, data=data, method="PUT")
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("X-Content-SHA256", hashlib.sha256(data).hexdigest())
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        assert json.loads(response.read())["size"] == len(data)
    assert (server.db.parent / "oneservice-files" / hashlib.sha256(data).hexdigest()[:2]).is_dir()
    download = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(download, timeout=30) as response:
        assert response.read() == data
