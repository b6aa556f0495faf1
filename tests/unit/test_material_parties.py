"""Each party's materials: who brings a material and who signs it, shown in the one-time notice."""

from __future__ import annotations

from pathlib import Path

from oneservice import load_catalogue
from oneservice.catalog.notice import notice_data, render_notice

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_catalogue(ROOT / "workflows")


def test_definitions_carry_the_party_and_the_signers() -> None:
    item = SHIPPED.items["330100-BDC-ZYDJ"]
    by_id = {m.id: m for m in item.materials}
    assert by_id["property-certificate"].party == "seller"
    assert by_id["property-registration-application"].signed_by == ("buyer", "seller")
    assert by_id["property-registration-application"].party is None  # the applicant's


def test_the_notice_names_who_brings_and_who_signs() -> None:
    data = notice_data(SHIPPED, "property-transfer", "zh")
    application = next(x for x in data["materials"] if x["id"] == "property-registration-application")
    assert application["signed_by"] == ["买方", "卖方"] and application["party"] is None
    assert "签字方 买方、卖方" in render_notice(SHIPPED, "property-transfer", "zh")
    assert "signed by the buyer, seller" in render_notice(SHIPPED, "property-transfer", "en")


def test_a_matter_without_parties_has_no_party_tags() -> None:
    data = notice_data(SHIPPED, "start-a-business", "en")
    assert all(x["party"] is None and x["signed_by"] == [] for x in data["materials"])
