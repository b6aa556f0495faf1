"""Every event the engine records has bilingual words for the progress view and the web front."""

from __future__ import annotations

import re
from pathlib import Path

from oneservice.engine.labels import EVENT_LABELS

ENGINE = Path(__file__).resolve().parents[3] / "oneservice" / "engine"
_RECORDED = re.compile(r'_event\(\s*case,\s*[a-z_]+,\s*"([A-Z][A-Za-z]+)"')


def test_every_recorded_event_type_has_a_label():
    recorded = {m for path in ENGINE.glob("*.py") for m in _RECORDED.findall(path.read_text("utf-8"))}
    assert len(recorded) > 30  # the pattern still finds the engine's events
    assert sorted(recorded - EVENT_LABELS.keys()) == []
    for label in EVENT_LABELS.values():
        assert label.zh != label.en
