"""The examples of docs/authoring.md are checked, so the guide cannot rot.

Every ```yaml block whose first line is ``# file: <name>.yaml`` is an example file. Blocks
without an ``# expect:`` line form one catalogue that must check clean; each block with
``# expect: CODE …`` (or ``OK``) is checked with that catalogue, replacing the file of the same
name, and must give exactly those codes. ```console blocks running ``oneservice`` show output
that the command really prints (up to a final ``…`` line).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from oneservice.catalog.loader import check
from oneservice.cli import main

DOC = Path(__file__).parent.parent.parent / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(kind: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(DOC.read_text(encoding="utf-8")) if lang == kind]


def examples() -> list[tuple[str, str, list[str] | None]]:
    """(file name, text, expected codes or None for the base catalogue) of every example."""
    out = []
    for body in blocks("yaml"):
        first, _, _ = body.partition("\n")
        if not first.startswith("# file: "):
            continue
        expect = re.search(r"^# expect: (.+)$", body, re.MULTILINE)
        codes = None if expect is None else [c for c in expect[1].split() if c != "OK"]
        out.append((first.removeprefix("# file: ").strip(), body, codes))
    return out


BASE = {name: text for name, text, codes in examples() if codes is None}
EXPECTING = [(name, text, codes) for name, text, codes in examples() if codes is not None]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


class TestAuthoringExamples:
    def test_there_are_examples(self) -> None:
        """The guide has a base catalogue and examples with expectations (OK and OS501)."""
        assert {"registry.yaml", "matters/open-a-shop.yaml"} <= set(BASE)
        assert [] in [codes for _, _, codes in EXPECTING]
        assert ["OS501"] in [codes for _, _, codes in EXPECTING]

    def test_base_catalogue_is_clean(self, tmp_path: Path) -> None:
        """The tour's registry, items and matter check with no finding at all."""
        report = check([write(tmp_path, BASE)])
        assert [f.format() for f in report.findings] == []
        assert report.catalogue is not None and "open-a-shop" in report.catalogue.matters

    @pytest.mark.parametrize(("name", "text", "codes"), EXPECTING,
                             ids=[f"{n}-{'-'.join(c) or 'OK'}" for n, _, c in EXPECTING])
    def test_expectation(self, tmp_path: Path, name: str, text: str, codes: list[str]) -> None:
        """An example marked ``# expect:`` gives exactly the codes it names."""
        report = check([write(tmp_path, {**BASE, name: text})])
        assert [f.code for f in report.findings] == codes, [f.format() for f in report.findings]

    def test_shown_os501_finding(self, tmp_path: Path) -> None:
        """The OS501 finding quoted in 'Counting trips' is the one the check gives."""
        name, text, _ = next(e for e in EXPECTING if e[0] == "matters/renew-permit.yaml" and e[2])
        [finding] = check([write(tmp_path, {**BASE, name: text})]).findings
        quoted = re.search(r"^matters/renew-permit\.yaml:\d+:\d+: OS501 .*$",
                           DOC.read_text(encoding="utf-8"), re.MULTILINE)
        assert quoted is not None
        assert finding.format().replace(str(finding.file), name).startswith(quoted[0].rstrip("…"))


def console_runs() -> list[tuple[list[str], list[str], dict[str, str]]]:
    """(arguments, lines shown, base files written above the block) of every console block."""
    out = []
    seen: dict[str, str] = {}
    for lang, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        first = body.partition("\n")[0]
        if lang == "yaml" and first.startswith("# file: ") and "# expect:" not in body:
            seen[first.removeprefix("# file: ").strip()] = body
        elif lang == "console":
            lines = body.rstrip("\n").split("\n")
            assert lines[0].startswith("$ oneservice ")
            out.append((shlex.split(lines[0][2:])[1:], lines[1:], dict(seen)))
    return out


class TestConsoleExamples:
    @pytest.mark.parametrize(("args", "shown", "files"), console_runs(),
                             ids=lambda x: " ".join(x)[:30] if isinstance(x, list) else "")
    def test_output(self, tmp_path: Path, args: list[str], shown: list[str], files: dict[str, str]) -> None:
        """The output shown in the guide is what the command prints for the files above it."""
        root = write(tmp_path / "workflows", files)
        args = [str(root) if a == "workflows/" else a for a in args]
        if args[0] in ("explain", "diagram"):
            args += ["--workflows", str(root)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        printed = result.stdout.rstrip("\n").split("\n")
        if shown and shown[-1] == "…":
            shown = shown[:-1]
            printed = printed[: len(shown)]
        assert printed == shown
