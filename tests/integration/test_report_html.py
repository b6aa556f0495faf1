"""The HTML report opens offline in headless Chromium and shows its three charts."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from oneservice import TZ, Actor, Applicant, OneService, Role, SimulatedClock, Store, load_catalogue
from oneservice.samples import sample_deliveries, sample_form, sample_resident_id
from oneservice.supervision import Supervision
from oneservice.supervision.render import render_report

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Chromium is not installed (CI installs it: apt-get install chromium)",
)
BAR_COLOURS = {"trips": (0x2F, 0x6F, 0xB0), "trend_and_satisfied": (0x2E, 0x8B, 0x57)}


def report_html(tmp_path: Path) -> Path:
    store = Store(f"sqlite:///{tmp_path}/r.sqlite")
    store.migrate()
    clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    service = OneService(load_catalogue([ROOT / "workflows"]), store, clock=clock)
    plan = service.catalogue.plan("start-a-business")
    person = Applicant("person", sample_resident_id(9), "钱七")
    me = Actor(Role.APPLICANT, "qianqi", applicant_id=person.id_number)
    clerk = Actor(Role.CLERK, "clerk", location="hz-citizen-centre")
    for level in (5, 4, 2):
        case = service.open_case(
            me, "start-a-business", person, channel="online", location="hz-citizen-centre"
        )
        service.submit(
            me,
            case.id,
            form=sample_form(plan),
            materials=[ln.material.id for ln in plan.materials],
            channel="online",
        )
        service.accept(clerk, case.id)
        for item in plan.items:
            reviewer = Actor(Role.REVIEWER, "rev", department=item.department)
            service.start_review(reviewer, case.id, item.code)
            service.approve(reviewer, case.id, item.code)
        service.deliver(clerk, case.id, results=sample_deliveries(plan, "EMS 5555 6666 7"))
        service.rate(me, case.id, level)
    page = tmp_path / "report.html"
    page.write_text(render_report(Supervision(service).report(by="matter"), "html"), "utf-8")
    store.dispose()
    return page


def test_report_renders_with_its_charts(tmp_path):
    """A screenshot of the report shows the bars of each chart in their colours."""
    assert CHROMIUM is not None, "Chromium is required in CI"
    page = report_html(tmp_path)
    text = page.read_text("utf-8")
    assert "<script" not in text and "http" not in text.replace("http://www.w3.org/2000/svg", "")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1400,1200",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    counts = dict.fromkeys(BAR_COLOURS, 0)
    for pixel in image.get_flattened_data():
        for name, colour in BAR_COLOURS.items():
            if all(abs(a - b) <= 6 for a, b in zip(pixel, colour, strict=True)):
                counts[name] += 1
    assert counts["trips"] > 500, counts  # the trips bar (3 cases with 0 trips)
    assert counts["trend_and_satisfied"] > 1000, counts  # the on-time bar and the 非常满意 bar
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--dump-dom",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    for chart in ("chart-shares", "chart-trips", "chart-trend", "chart-satisfaction"):
        assert f'id="{chart}"' in dom
    assert "开办企业" in dom and "Start a business" in dom  # groups named, not by id
    assert 'id="generated">2026-11-02 09:00<' in dom
