"""Hostile and malformed definitions give findings, never another exception, never a hang."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from oneservice.catalog.loader import CheckReport, check, check_files
from oneservice.catalog.yamlio import MAX_BYTES
from oneservice.errors import Finding

MINIMAL = Path(__file__).parent.parent / "fixtures" / "minimal"
FILES = {str(p.relative_to(MINIMAL)): p.read_bytes() for p in sorted(MINIMAL.rglob("*.yaml"))}
NAMES = sorted(FILES)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_formed(report: CheckReport) -> None:
    """Every finding is a Finding naming its file, at a line ≥ 1, and renders and serialises."""
    assert isinstance(report, CheckReport)
    for f in report.findings:
        assert isinstance(f, Finding)
        assert f.file in FILES, f
        assert f.line is not None and f.line >= 1, f
        assert f.column is None or f.column >= 1, f
        assert f.format().startswith(f"{f.file}:{f.line}:")
        json.dumps(f.to_dict(), ensure_ascii=False)
    if report.ok:
        assert report.catalogue is not None


def check_with(name: str, content: bytes) -> CheckReport:
    return check_files({**FILES, name: content})


# ------------------------------------------------------------------ text mutations

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from(["x" * 100_000, "2027-13-45", "shared:", "item:", "~", "é" * 300]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
snippets = st.one_of(
    values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.sampled_from([
        "&a x", "*a", "&a [1, 2]", "!!python/object:os.system x", "!!binary zz", "!!int nope",
        "!!set {a, b}", "{<<: {a: 1}}", "? [a, b]\n: 1", "|\n  block", ">-\n  folded", "'unterminated",
        "\t", "\x07", "- -", "[" * 60, "{" * 30 + "}" * 30, "---\nitem: {}", "%YAML 1.1", "@x", "`x",
    ]),
    st.integers(1, 200).map(lambda n: "[" * n + "]" * n),
)


@st.composite
def line_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(NAMES))
    lines = FILES[name].decode().split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "tab", "replace", "insert", "indent"]))
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "tab":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + "\t" + lines[i][pos:]
        elif kind == "replace" and ":" in lines[i]:
            key, _, _ = lines[i].partition(":")
            lines[i] = f"{key}: {draw(snippets)}"
        elif kind == "insert":
            indent = " " * draw(st.integers(0, 8))
            lines.insert(i, f"{indent}{draw(st.text(max_size=10))}: {draw(snippets)}")
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
    return name, "\n".join(lines).encode("utf-8", "surrogatepass")


class TestTextMutations:
    @FUZZ
    @given(line_mutations())
    def test_lines(self, case: tuple[str, bytes]) -> None:
        """Deleted, duplicated, swapped, re-indented lines, tabs, odd scalars: findings only."""
        name, content = case
        assert_well_formed(check_with(name, content))

    @settings(max_examples=60, deadline=None)
    @given(st.sampled_from(NAMES), st.data())
    def test_random_bytes(self, name: str, data: st.DataObject) -> None:
        """Random bytes spliced into a file (often not UTF-8): findings only."""
        raw = FILES[name]
        pos = data.draw(st.integers(0, len(raw)))
        junk = data.draw(st.binary(min_size=1, max_size=16))
        assert_well_formed(check_with(name, raw[:pos] + junk + raw[pos:]))


# ------------------------------------------------------------------ structural mutations

def _load(raw: bytes) -> Any:
    return json.loads(json.dumps(YAML(typ="safe", pure=True).load(raw)))


DATA = {name: _load(raw) for name, raw in FILES.items()}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*path, index))
    return out


@st.composite
def structural_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(NAMES))
    doc = json.loads(json.dumps(DATA[name]))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        kind = draw(st.sampled_from(["replace", "delete", "unknown", "wrap"]))
        if kind == "replace":
            parent[last] = draw(values)
        elif kind == "delete":
            del parent[last]
        elif kind == "unknown" and isinstance(parent[last], dict):
            parent[last][draw(st.text(min_size=1, max_size=8))] = draw(values)
        elif kind == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {"value": parent[last]}
    if draw(st.booleans()):
        return name, json.dumps(doc, ensure_ascii=False).encode()
    stream = io.StringIO()
    yaml = YAML()
    yaml.dump(doc, stream)
    return name, stream.getvalue().encode()


class TestStructuralMutations:
    @FUZZ
    @given(structural_mutations())
    def test_replace_delete_add(self, case: tuple[str, bytes]) -> None:
        """Values replaced by lists, maps, numbers, huge strings; keys deleted or added: findings only."""
        name, content = case
        report = check_with(name, content)
        assert_well_formed(report)
        if content != FILES[name] and not report.ok:
            assert report.catalogue is None

    @settings(max_examples=40, deadline=None)
    @given(st.sampled_from(NAMES), values)
    def test_whole_file_replaced(self, name: str, value: Any) -> None:
        """A file holding any JSON-like value instead of a definition: findings only."""
        assert_well_formed(check_with(name, json.dumps(value).encode()))


# ------------------------------------------------------------------ attacks


def billion_laughs(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


class TestAttacks:
    def test_billion_laughs(self) -> None:
        """An alias bomb is refused at its first anchor with OS104."""
        report = check_files({**FILES, "bomb.yaml": billion_laughs()})
        assert [(f.code, f.file, f.line, f.column) for f in report.findings] == [("OS104", "bomb.yaml", 1, 5)]

    def test_alias_bomb_inside_definition(self) -> None:
        """Aliases nested inside an item are refused too."""
        text = FILES["items/a.yaml"].decode().replace("code: A-1", "code: A-9")
        text = text.replace("  version: 1", "  version: &v 1\n  x: *v")
        report = check_files({**FILES, "x.yaml": text.encode()})
        assert [(f.code, f.file, f.line, f.column) for f in report.findings] == [("OS104", "x.yaml", 3, 12)]

    def test_nested_mapping_keys(self) -> None:
        """Mappings as keys, nested 30 deep (exponential to hash in ruamel), are refused with OS104."""
        report = check_files({**FILES, "x.yaml": b"{" * 30 + b"}" * 30})
        assert [(f.code, f.file, f.line, f.column) for f in report.findings] == [("OS104", "x.yaml", 1, 2)]

    def test_huge_file_in_memory(self) -> None:
        """More than MAX_BYTES is refused with OS105 before parsing."""
        big = b"item:\n  code: A-1\n" + b"# padding\n" * (2 * MAX_BYTES // 10)
        report = check_files({**FILES, "x.yaml": big})
        assert [(f.code, f.file, f.line) for f in report.findings] == [("OS105", "x.yaml", 1)]

    def test_huge_file_on_disk(self, tmp_path: Path) -> None:
        """A 2 MB file on disk is refused with OS105 without reading it whole."""
        path = tmp_path / "big.yaml"
        path.write_bytes(b"item:\n  name: '" + b"x" * (2 * 1024 * 1024) + b"'\n")
        assert [f.code for f in check([path]).findings] == ["OS105"]

    def test_deep_nesting(self) -> None:
        """A megabyte of opening brackets stops at the depth limit with OS105."""
        report = check_files({**FILES, "x.yaml": b"[" * (MAX_BYTES - 1)})
        assert [(f.code, f.file, f.line, f.column) for f in report.findings] == [("OS105", "x.yaml", 1, 41)]

    def test_many_documents(self) -> None:
        """A stream of several documents is a syntax error (OS102)."""
        report = check_files({**FILES, "x.yaml": b"a: 1\n---\nb: 2\n"})
        assert [(f.code, f.file, f.line) for f in report.findings] == [("OS102", "x.yaml", 2)]
