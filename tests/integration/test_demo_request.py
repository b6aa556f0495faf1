"""`oneservice demo request` (and `--request`) runs a 12345 request end to end and prints the
requester's timeline: taken in by the hotline, dispatched, returned, re-dispatched, answered,
called back, closed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from oneservice import OneService
from oneservice.cli import main

ROOT = Path(__file__).resolve().parents[2]


def demo(tmp_path: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(main, ["demo", *args, "--workflows", str(ROOT / "workflows"),
                                       "--db", str(tmp_path / "demo.sqlite")])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_the_request_timeline_in_english(tmp_path: Path) -> None:
    """Every node in order, with its department; the contact masked; closed after the callback."""
    lines = demo(tmp_path, "request", "--lang", "en")
    assert lines[0].startswith("Request R2026") and "(noise-nuisance, Complaint, Hotline)" in lines[0]
    assert lines[1] == "Requester: 王* 137****5678"
    nodes = [line for line in lines if line.startswith("  2026-")]
    assert [line.split("  ")[2].split(" [")[0] for line in nodes] == [
        "Taken in", "Dispatched", "Returned", "Re-dispatched", "Acknowledged", "Answered", "Called back",
        "Closed"]
    assert "[Xihu District City Management Bureau]" in nodes[2]
    assert "[Shangcheng District City Management Bureau]" in nodes[3]
    assert "13700005678" not in "\n".join(lines)
    assert "Callback: resolved, satisfied" in lines and "Returns: xh-cgj × 1" in lines
    assert lines[-1] == "State: Closed"


def test_the_flag_in_chinese_and_what_is_stored(tmp_path: Path) -> None:
    """``--request`` is the same demo; the request is in the database, its events in the outbox."""
    lines = demo(tmp_path, "--request")
    assert lines[-1] == "状态: 已办结" and any("  退单 [杭州市西湖区城市管理局]" in line for line in lines)
    rid = lines[0].split()[1]
    service = OneService.open([ROOT / "workflows"], f"sqlite:///{tmp_path / 'demo.sqlite'}", migrate=False)
    try:
        types = [e.type for e in service.request_events(rid)]
    finally:
        service.store.dispose()
    assert types.count("RequestDispatched") == 2 and types[-1] == "RequestClosed"
