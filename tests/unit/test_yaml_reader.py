"""The fast YAML reader (libyaml events) gives exactly what the reference reader gives.

The reference reader is ruamel.yaml's guarded round-trip parser, the reader oneservice always
used. For every text below, either the fast reader gives up (and the reference reader decides),
or it returns the same data: same keys in the same order, values of the same type and value
(YAML 1.2, not PyYAML's YAML 1.1), and the same line and column for every collection, key and
list item. The findings of :func:`parse_text` are always those of the reference reader.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oneservice.catalog import yamlio
from oneservice.catalog.loader import check
from oneservice.catalog.yamlio import CommentedMap, CommentedSeq, locate, parse_text

ROOT = Path(__file__).parent.parent.parent
CORPUS = sorted([*ROOT.glob("workflows/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")])
pytestmark = pytest.mark.skipif(yamlio._FAST_LOADER is None, reason="PyYAML without libyaml")


def reference(text: str) -> Any:
    """What the reference reader makes of ``text``: its data, or its findings."""
    doc, findings = yamlio._reference_load(text, "x.yaml")
    return doc.data if doc is not None else findings


def fast(text: str) -> Any:
    """What the fast reader makes of ``text``, or ``SLOW`` when it leaves it to the reference."""
    try:
        return yamlio._fast_load(text, yamlio._FAST_LOADER)
    except yamlio._Slow:
        return SLOW


SLOW = object()


def assert_same(ref: Any, got: Any, where: str = "") -> None:
    """``got`` (fast reader) is ``ref`` (reference reader): values, types and positions."""
    if isinstance(ref, dict):
        assert type(got) is CommentedMap, where
        assert list(got) == list(ref), where
        assert (got.lc.line, got.lc.col) == (ref.lc.line, ref.lc.col), where
        for key in ref:
            assert got.lc.key(key) == tuple(ref.lc.key(key)), f"{where}.{key}"
            assert_same(ref[key], got[key], f"{where}.{key}")
    elif isinstance(ref, list):
        assert type(got) is CommentedSeq, where
        assert len(got) == len(ref), where
        assert (got.lc.line, got.lc.col) == (ref.lc.line, ref.lc.col), where
        for index, item in enumerate(ref):
            assert got.lc.item(index) == tuple(ref.lc.item(index)), f"{where}[{index}]"
            assert_same(item, got[index], f"{where}[{index}]")
    elif isinstance(ref, str):  # ruamel gives str subclasses for | and > blocks; equal text
        assert type(got) is str and got == ref, (where, ref, got)
    elif isinstance(ref, float) and math.isnan(ref):
        assert type(got) is type(ref) and math.isnan(got), where
    else:
        assert type(got) is type(ref) and got == ref, (where, ref, got)
        assert repr(got) == repr(ref) and str(got) == str(ref), where


RUAMEL_CRASH = "YAML syntax error: AssertionError"  # see test_ruamel_comment_crash


def assert_agrees(text: str) -> bool:
    """The fast reader agrees with the reference on ``text``; True when it read it itself."""
    ref = reference(text)
    got = fast(text)
    if got is SLOW:
        return False
    if isinstance(ref, list) and ref and hasattr(ref[0], "code"):  # the reference found problems
        assert [f.message for f in ref] == [RUAMEL_CRASH], (text, ref)
        return True
    assert_same(ref, got)
    return True


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("path", CORPUS, ids=[str(p.relative_to(ROOT)) for p in CORPUS])
def test_every_file_of_the_repository(path: Path) -> None:
    """Shipped workflows and test fixtures, as they are and with Windows line endings."""
    text = path.read_text(encoding="utf-8")
    read = assert_agrees(text)
    assert_agrees(text.replace("\n", "\r\n"))
    if "broken" not in path.parts:
        assert read, "a valid definition file should not need the reference reader"


def test_findings_come_from_the_reference_reader() -> None:
    """For every broken example, parse_text gives the findings of the reference reader."""
    for path in sorted((ROOT / "tests/fixtures/broken").glob("*.yaml")):
        raw = path.read_bytes()
        doc, findings = parse_text(raw, "x.yaml")
        ref_doc, ref_findings = yamlio._reference_load(raw.decode("utf-8-sig"), "x.yaml")
        assert findings == ref_findings, path.name
        assert (doc is None) == (ref_doc is None), path.name


# ------------------------------------------------------------------ scalars: YAML 1.2 as before

SCALARS = [
    # YAML 1.1 booleans are texts in YAML 1.2; only true/false (3 spellings) are booleans
    "yes", "no", "Yes", "NO", "on", "off", "On", "OFF", "y", "n", "Y", "N",
    "true", "True", "TRUE", "false", "False", "FALSE", "tRUE",
    # null
    "~", "null", "Null", "NULL", "nULL", "",
    # integers: YAML 1.1 octal 010 is 10 in ruamel.yaml's 1.2; sexagesimal 1:30 is a text
    "0", "-0", "+0", "7", "-7", "+7", "010", "0010", "-010", "08", "0o10", "0o0", "0x1F", "0x1f",
    "0X1F", "0b101", "0b0", "1_000", "1_000_", "_1", "1__0", "0_1", "12345678901234567890",
    "1:30", "1:30:15", "-1:30", "190:20:30", "1:30.5",
    # floats
    "1.0", "1.", ".5", "-.5", "+.5", "1e3", "1E3", "1e+3", "1.5e-3", "1.0e3", "-1.5", "1_0.5",
    ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "1.2.3", "1e", "e3",
    "0.1", "3.14159265358979323846",
    # dates and timestamps (PyYAML would give date objects too, but with other rules)
    "2027-01-01", "2027-1-1", "2027-12-31", "2027-01-01T10:00:00", "2027-01-01t10:00:00",
    "2027-01-01 10:00:00", "2027-01-01T10:00:00Z", "2027-01-01T10:00:00+08:00",
    "2027-01-01 10:00:00.123456789 -5", "2027-01-01T1:00:00", "20270101", "2027-01-01x",
    "2027-02-30", "2027-13-01",
    # other implicit tags of YAML 1.1 / ruamel.yaml
    "<<", "=", "!", "&", "*",
    # texts
    "abc", "a b", "zh: 中文", "中文", "Ünïcödé", "330102-GA-CSDJ", "v1.2", "1.2.3-rc1", "--",
    "-", "-a", "+", ".", "..", "0x", "0b", "0o", "0xG", "0b2", "0o8", "1-2", "12:00", "tRuE",
]


@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_plain_scalars_resolve_as_before(scalar: str) -> None:
    """Plain scalars as values, keys, list items and whole documents; quoted ones stay texts."""
    texts = [f"key: {scalar}\n", f"{scalar}: value\n", f"- {scalar}\n", f"[{scalar}, x]\n",
             f"{{k: {scalar}}}\n", f"{scalar}\n", f"key: '{scalar}'\n", f'key: "{scalar}"\n',
             f"key: |\n  {scalar}\n", f"key: >-\n  {scalar}\n"]
    for text in texts:
        assert_agrees(text)


def test_yaml_1_2_values() -> None:
    """The cases PyYAML (YAML 1.1) would read differently: the values are those of YAML 1.2."""
    doc, findings = parse_text(
        b"a: yes\nb: on\nc: 010\nd: 1:30\ne: 2027-01-01\nf: 0o10\ng: true\nh: 1_000\ni: ~\n", "x.yaml")
    assert not findings and doc is not None
    assert doc.data == {"a": "yes", "b": "on", "c": 10, "d": "1:30", "e": dt.date(2027, 1, 1),
                        "f": 8, "g": True, "h": 1000, "i": None}
    assert type(doc.data) is CommentedMap
    assert yaml.safe_load("a: yes\nc: 010\nd: 1:30\n") == {"a": True, "c": 8, "d": 90}  # YAML 1.1


# ------------------------------------------------------------------ structure and positions

STRUCTURES = [
    "", "# only a comment\n", "---\n", "--- \n...\n", "...\n", "---\na: 1\n...\n", "a: 1\n---\nb: 2\n",
    "a:\n", "a:\nb:\n", "- \n-\n- x\n", "a:\n  - 1\n  -\n  - - 2\n    - 3\n", "a:\n- 1\n- 2\nb: x\n",
    "? a\n: 1\n", "? a\n", "{a, b: 1}\n", "[a: 1, b]\n", "[a: 1, b: 2]\n", "{a:1}\n", '{"a":1}\n',
    "[a:b]\n", "{a: [1, {b: c}], d: {}}\n", "[]\n", "{}\n", "a: {}\nb: []\n",
    "a: b\n  c\n", "a: 'x\n  y'\n", 'a: "x\\\n  y"\n', "a: |\n  x\n\n  y\n\n", "a: |+\n  x\n\n",
    "a: >\n  x\n  y\n\n  z\n", "a: |2\n   x\n", "a: >-\n\n  x\n", "a: x # c\nb: y#z\n",
    'a: "\\x41\\u00e9\\U0001F600\\/\\N\\_\\L\\P\\e\\0\\a\\t\\ \\""\n', "a: 'it''s'\n",
    "a: \u4e2d\u6587\nb: {zh: \u51fa\u751f, en: x}\n", "\u952e: \U0001f600 x\n", "a: [1, 2,]\n",
    "a: 1\na: 2\n", "a: 1\nb: {a: 1, a: 2}\n", "1: x\n1.0: y\n", "true: x\n1: y\n", "a: 1\n'a': 2\n",
    ".nan: 1\n.nan: 2\n", "~: 1\nnull: 2\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: !x 1\n",
    "a: ! 1\n", "!!map {a: 1}\n", "%YAML 1.1\n---\na: yes\n", "%YAML 1.2\n---\na: yes\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "<<: {a: 1}\nb: 2\n", "=: 1\n",
    "[a, b]: 1\n", "{a: 1}: 2\n", "? - a\n: 1\n", "a:\tb\n", "a: 'x\ty'\n", "\ta: 1\n",
    "a: x\u0085y\n", "a: x\u2028y\n", "a: \ufeffx\n", "a: \x07\n", "a: [\n", "a: 'x\n", "- a\nb: 1\n",
    "a:\n  b: 1\n c: 2\n", "a: b: c\n", "a: 1\r\nb:\r\n  - x\r\n", "a: 1\rb: 2\r", "a: |\r\n  x\r\n  y\r\n",
    "- - - - x\n", "a: [[[[]]]]\n", "k" * 1100 + ": 1\n", "a: " + "x" * 5000 + "\n",
    "a: 2027-02-30\n", "a: 0b_\n", "a: -_\n", "a: 2027-01-01T10:00:00Z\nb: [2027-01-01]\n",
    # flow styles where a colon is read differently by YAML 1.1 (libyaml) and 1.2 (ruamel.yaml)
    '["a":1]\n', "['a':1]\n", '[a, "b":c]\n', '["a" :1]\n', '[? "a":1]\n', 'a: ["b":1]\n',
    '\U0001f600: ["a":1]\n', '\u4e2d: [{"a": 1}, "b":2]\n', '[a:1]\n', '[a :1]\n', '[a, :b]\n',
    '{"a":1}\n', '{"a" :1}\n', '{a: :b}\n', '{a: b:c}\n', '{a: "b":c}\n', '{:a}\n', '[:]\n',
    '[{"a":1},{"b":[1,2]}]\n', '\U0001f600: [{"a": 1}]\n', 'a: [1,\n2]\n', "a: 'x\ny'\n",
    "a: {b: 1,\nc: 2}\n", "a: x:y\n", "a: :x\n", "a: -x\n", "a: ?x\n", "[-x]\n", "[? b]\n", "{? b}\n",
    # comments without a space before them (libyaml accepts |#, ruamel.yaml does not)
    "a: |#c\n  x\n", "a: >-#c\n  x\n", "a: |2#c\n   x\n", "- >#\n  x\n", "a: | #c\n  x\n", "a: >\n  x#y\n",
    'a: "x"#c\n', "a: 'x'#c\n", "a: [x]#c\n", "a: {x: y}#c\n", "---#c\na: 1\n", "a: x\n...#c\n",
]


@pytest.mark.parametrize("text", STRUCTURES, ids=repr)
def test_structures_and_positions(text: str) -> None:
    """Block and flow styles, empty values, explicit keys, documents, hostile constructs."""
    assert_agrees(text)
    doc, findings = parse_text(text.encode(), "x.yaml")
    ref_doc, ref_findings = yamlio._reference_load(text, "x.yaml")
    assert findings == ref_findings
    assert (doc is None) == (ref_doc is None)


@pytest.mark.parametrize("depth", [39, 40, 41])
def test_nesting_at_the_limit(depth: int) -> None:
    """MAX_DEPTH levels are read; one more is refused (OS105), in flow and block style."""
    flow = "[" * depth + "]" * depth + "\n"
    block = "".join("  " * i + "a:\n" for i in range(depth - 2)) + "  " * (depth - 2) + "a: {}\n"
    for text in (flow, block):
        assert assert_agrees(text) == (depth <= yamlio.MAX_DEPTH)
        _, findings = parse_text(text.encode(), "x.yaml")
        assert [f.code for f in findings] == ([] if depth <= yamlio.MAX_DEPTH else ["OS105"])


def test_ruamel_comment_crash() -> None:
    """The one known difference: a comment line before a block scalar whose indicator line has a
    comment too crashes ruamel.yaml's comment handling (an AssertionError, reported as an OS102
    "syntax error" at 1:1). The text is valid YAML, and the fast reader reads it."""
    text = "a:\n  # c\n  |  # d\n    x\n"
    assert [(f.code, f.message, f.line) for f in reference(text)] == [("OS102", RUAMEL_CRASH, 1)]
    doc, findings = parse_text(text.encode(), "x.yaml")
    assert not findings and doc is not None and doc.data == {"a": "x\n"}


def test_alias_bomb_is_not_expanded() -> None:
    """An alias bomb goes to the reference reader at once, which refuses it at its first anchor."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    text = "\n".join(lines) + "\n"
    assert fast(text) is SLOW
    _, findings = parse_text(text.encode(), "x.yaml")
    assert [(f.code, f.line, f.column) for f in findings] == [("OS104", 1, 5)]


def test_locate_reads_both_kinds_of_collections() -> None:
    """locate gives the same answers on the fast reader's data and the reference reader's."""
    text = "item:\n  code: A-1\n  materials:\n    - id: m\n      sources: [applicant, 'x']\n"
    ref = reference(text)
    got = fast(text)
    for path in [(), ("item",), ("item", "code"), ("item", "materials", 0, "sources", 1),
                 ("item", "materials", 5), ("item", "nope", "x"), ("item", "code", "x"),
                 ("item", "materials", "0")]:
        assert locate(got, path) == locate(ref, path), path
    assert locate(got, ("item", "materials", 0, "sources", 1)) == (5, 28)
    assert locate(None, ("item",)) == (None, None)


def test_parse_text_uses_the_fast_reader() -> None:
    """A valid file is read by the fast reader (its collections are this module's)."""
    doc, findings = parse_text((ROOT / "workflows/registry.yaml").read_bytes(), "registry.yaml")
    assert not findings and doc is not None
    assert type(doc.data) is CommentedMap


def test_same_catalogue_and_content_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped catalogue checks the same with either reader, down to the plans' hashes."""
    fast_report = check([ROOT / "workflows"])
    monkeypatch.setattr(yamlio, "_FAST_LOADER", None)
    ref_report = check([ROOT / "workflows"])
    assert fast_report.findings == ref_report.findings
    assert fast_report.catalogue is not None and ref_report.catalogue is not None
    assert ({k: p.content_hash for k, p in fast_report.catalogue.plans.items()}
            == {k: p.content_hash for k, p in ref_report.catalogue.plans.items()})
    assert fast_report.catalogue == ref_report.catalogue


def test_broken_examples_with_either_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every finding of every broken example is the same with the reference reader alone."""
    broken = ROOT / "tests/fixtures/broken"
    base = [ROOT / "tests/fixtures/minimal", broken / "support"]
    cases = sorted(broken.glob("*.yaml"))
    fast_findings = [check([*base, case]).findings for case in cases]
    monkeypatch.setattr(yamlio, "_FAST_LOADER", None)
    assert fast_findings == [check([*base, case]).findings for case in cases]


# ------------------------------------------------------------------ generated texts

PIECES = st.sampled_from([
    *SCALARS, "'q'", '"d"', '"a\\tb"', "[a, b]", "{a: 1}", "[", "]", "{", "}", ",", ":", "? ", "- ",
    "#c", " #c", "|", ">", "|-", ">+", "&a", "*a", "!!str", "!t", "---", "...", "%YAML 1.2", "@",
    "`", "\t", "\r", "\u00a0", "\u3000", "中", "a:", "b: ", "  ", "    ",
])


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Lines of YAML-like text: indents, keys, dashes and tricky scalars and indicators."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 4, 1, 3]))
        head = draw(st.sampled_from(["", "- ", "k: ", "- k: ", "? ", ": ", "k:"]))
        body = "".join(draw(st.lists(PIECES, max_size=3)))
        lines.append(indent + head + body)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


PLAIN = st.sampled_from([s for s in SCALARS if s and s[0] not in "!&*-<=~" and ": " not in s])
TEXTS = st.one_of(PLAIN, st.text(st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")), max_size=12))


def _quoted(draw: st.DrawFn, text: str) -> str:
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "plain":
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(draw: st.DrawFn, node: Any) -> str:
    colon = draw(st.sampled_from([": ", ": ", ":", " :", " : "]))
    if isinstance(node, dict):
        pairs = [f"{_quoted(draw, k)}{colon}{_flow(draw, v)}" for k, v in node.items()]
        if len(pairs) == 1 and draw(st.integers(0, 3)) == 0:
            return f"[{pairs[0]}]"  # a single pair in a flow list
        return "{" + ", ".join(pairs) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_flow(draw, v) for v in node) + "]"
    return _quoted(draw, node)


def _block(draw: st.DrawFn, node: Any, indent: int, step: int) -> list[str]:
    pad = " " * indent
    comment = draw(st.sampled_from(["", "", " # note", "  #注"]))
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            head = f"{pad}{_quoted(draw, key)}:"
            if isinstance(value, (dict, list)) and value and not draw(st.booleans()):
                out.append(head + comment)
                inner = indent if isinstance(value, list) and draw(st.booleans()) else indent + step
                out += _block(draw, value, inner, step)
            elif isinstance(value, str) and draw(st.integers(0, 4)) == 0:
                out.append(head + " " + draw(st.sampled_from(["|", ">", "|-", ">+"])))
                out += [" " * (indent + step) + line for line in (value or "x").split("\n")]
            else:
                out.append(f"{head} {_flow(draw, value)}{comment}")
            if draw(st.integers(0, 5)) == 0:
                out.append(draw(st.sampled_from(["", "# comment", pad + "# comment"])))
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)) and item and draw(st.booleans()):
                lines = _block(draw, item, indent + 2, step)
                out.append(f"{pad}- " + lines[0][indent + 2:])
                out += lines[1:]
            else:
                out.append(f"{pad}- {_flow(draw, item)}{comment}")
    else:
        out.append(pad + _flow(draw, node))
    return out


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Mostly valid YAML: nested mappings and lists of tricky scalars, in block and flow style,
    quoted or not, with comments, block scalars, blank lines and various indentation."""
    tree = draw(st.recursive(TEXTS, lambda inner: st.lists(inner, max_size=4)
                             | st.dictionaries(TEXTS, inner, max_size=4), max_leaves=12))
    lines = _block(draw, tree, 0, draw(st.sampled_from([2, 4, 3])))
    head = draw(st.sampled_from(["", "", "---\n", "# head\n"]))
    return head + draw(st.sampled_from(["\n", "\r\n"])).join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(text=st.one_of(texts(), documents()))
def test_generated_texts(text: str) -> None:
    """Whatever the text, the fast reader agrees with the reference reader or gives up."""
    assert_agrees(text)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(CORPUS), data=st.data())
def test_mutated_files(path: Path, data: st.DataObject) -> None:
    """Shipped files with a line re-indented, deleted, duplicated or given a tricky piece."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        kind = data.draw(st.sampled_from(["indent", "dedent", "delete", "duplicate", "append"]))
        if kind == "indent":
            lines[i] = " " * data.draw(st.integers(1, 3)) + lines[i]
        elif kind == "dedent":
            lines[i] = lines[i][data.draw(st.integers(1, 3)):]
        elif kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i] += data.draw(PIECES)
    assert_agrees("\n".join(lines))


CHARACTERS = st.sampled_from([*" \n:-?,[]{}#&*!|>'\"%@`.0123456789abxyz_+~=<\\/", "中", "\u3000", "\r\n",
                              ": ", "- ", "  ", "\n  "])


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(CORPUS), data=st.data())
def test_files_with_characters_inserted_or_deleted(path: Path, data: st.DataObject) -> None:
    """Shipped files with indicators, quotes, spaces or line breaks inserted, or characters cut."""
    text = path.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:i] + data.draw(CHARACTERS) + text[i:]
        else:
            text = text[:i] + text[i + data.draw(st.integers(1, 3)):]
    assert_agrees(text)
