"""The examples of docs/python-api.md run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_python_api_examples_run(tmp_path):
    """Every ```python block of the Python API and supervision guides runs; its assertions hold."""
    blocks = []
    for page in ("python-api.md", "supervision.md"):  # supervision.md continues python-api.md
        text = (ROOT / "docs" / page).read_text("utf-8")
        blocks += re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 10
    namespace = {"WORKFLOWS": ROOT / "workflows", "TMP": tmp_path}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"docs/python-api.md block {number}", "exec"), namespace)
    namespace["store"].dispose()
