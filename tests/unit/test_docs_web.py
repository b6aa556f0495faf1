"""The pictures of docs/web.md exist: every image the guide references (Markdown ``![…](…)``,
reference definitions and HTML ``<img src>``) is a real JPEG or PNG file under docs/, so the guide
cannot point at a screenshot that was renamed or never saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = DOCS / "web.md"
INLINE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"!\[[^\]]*\]\[([^\]]*)\]")
DEFINITION = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
HTML = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}


def images(text: str) -> list[str]:
    """The image paths ``text`` references, in order (duplicates kept once)."""
    definitions = {label.lower(): target for label, target in DEFINITION.findall(text)}
    found = INLINE.findall(text) + HTML.findall(text)
    for label in REFERENCE.findall(text):
        assert label.lower() in definitions, f"docs/web.md: image reference [{label}] has no definition"
        found.append(definitions[label.lower()])
    return list(dict.fromkeys(found))


REFERENCED = images(DOC.read_text(encoding="utf-8"))


def test_the_guide_shows_screenshots():
    assert len(REFERENCED) >= 10, f"docs/web.md references only {REFERENCED}"


@pytest.mark.parametrize("target", REFERENCED)
def test_each_referenced_image_is_a_picture_under_docs(target: str):
    assert "://" not in target, f"docs/web.md: {target} is not a file of the repository"
    path = (DOCS / target.partition("#")[0]).resolve()
    assert path.is_relative_to(DOCS), f"docs/web.md: {target} lies outside docs/"
    assert path.is_file(), f"docs/web.md: {target} does not exist under docs/"
    head = path.read_bytes()[:8]
    assert any(head.startswith(magic) for magic in MAGIC), (
        f"docs/web.md: {target} is neither a JPEG nor a PNG (a Git LFS pointer or a broken file?)")


def test_the_reader_finds_the_images_a_reference_names():
    text = "![a](web/a.jpg)\n![b][shot]\n<img alt='c' src=\"web/c.png\">\n\n[shot]: web/b.jpg \"B\"\n"
    assert images(text) == ["web/a.jpg", "web/c.png", "web/b.jpg"]
