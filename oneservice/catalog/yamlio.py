"""Reading definition files safely, keeping line numbers for error messages.

Hostile input is refused with a finding, never another exception: files over ``MAX_BYTES``,
bytes that are not UTF-8, tabs and other syntax errors, duplicate keys, anchors and aliases
(which would allow "billion laughs" alias bombs), mappings or lists used as keys, and nesting
deeper than ``MAX_DEPTH``.

Two readers, one behaviour:

* The fast reader pulls events from libyaml (PyYAML's ``CSafeLoader``; about 25 times faster
  than the pure-Python round-trip parser on the shipped files) and builds
  :class:`CommentedMap` / :class:`CommentedSeq`: a dict and a list that carry the 0-based
  position of themselves and of every key or item in ``.lc``, as ruamel.yaml's classes of the
  same names do. Plain scalars are resolved with ruamel.yaml's YAML 1.2 rules and built by its
  round-trip constructor, so values are exactly those of the reference reader (``yes`` and
  ``010`` stay what YAML 1.2 makes of them; PyYAML would read YAML 1.1 booleans, octals,
  sexagesimals).
* The reference reader is ruamel.yaml's round-trip parser with the guards below. It is used
  whenever the fast reader meets anything it does not handle exactly alike: any syntax error,
  anchor, alias, tag, directive, duplicate key, collection as a key, nesting beyond
  ``MAX_DEPTH``, a second document, a ``key: value`` pair inside a flow list, ``|#`` (libyaml
  allows a comment without a space there), a tab, or a character whose handling differs
  between YAML 1.1 and 1.2. So every finding (code, message,
  line, column) comes from the reference reader, and a refused file costs one fast attempt
  more than before.

Without libyaml (a PyYAML built without it) only the reference reader is used: PyYAML's
pure-Python parser is only 2 to 3 times faster, and reads some flow texts differently (it takes
``{a:, b}`` for the key ``a`` where YAML 1.2 and libyaml do not).
``tests/unit/test_yaml_reader.py`` compares the two readers on every file of the repository,
on YAML 1.1/1.2 edge cases and on generated texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap as _RuamelMap
from ruamel.yaml.comments import CommentedSeq as _RuamelSeq
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import ScalarNode as _RuamelScalarNode
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.resolver import VersionedResolver

from ..errors import Finding
from .sources import MAX_BYTES, read_bytes, too_big

try:
    import yaml as _pyyaml  # type: ignore[import-untyped, unused-ignore]
except ImportError:  # pragma: no cover - PyYAML is a dependency
    _pyyaml = None

__all__ = ["MAX_BYTES", "MAX_DEPTH", "CommentedMap", "CommentedSeq", "Document", "Positions", "locate",
           "parse_text", "read_bytes", "read_document", "value_position"]

MAX_DEPTH = 40


class Document:
    """A parsed YAML file: its display name and data (collections with ``.lc`` positions)."""

    def __init__(self, name: str, data: Any, text: str = "") -> None:
        self.name = name
        self.data = data
        self.text = text
        self.kind = ""  # item | matter | registry | calendar, once the loader knows
        self.flat = False  # a calendar file written without the ``calendar:`` key


class Positions:
    """0-based positions in the file, read like ruamel.yaml's ``LineCol``: ``line`` and ``col``
    of the collection itself, ``key(k)`` of a mapping's key, ``item(i)`` of a list's item."""

    __slots__ = ("_at", "col", "line")

    def __init__(self, line: int, col: int, at: Any) -> None:
        self.line = line
        self.col = col
        self._at = at  # mapping: {key: (line, col)}; list: [(line, col), ...]

    def key(self, k: Any) -> tuple[int, int]:
        return self._at[k]  # type: ignore[no-any-return]

    def item(self, index: int) -> tuple[int, int]:
        return self._at[index]  # type: ignore[no-any-return]


class CommentedMap(dict[Any, Any]):
    """A mapping read by the fast reader, with positions in ``.lc``.

    Named after the ruamel.yaml class it stands in for, so that messages which name the type of
    a value read as they did with the round-trip reader.
    """

    __slots__ = ("lc",)
    lc: Positions


class CommentedSeq(list[Any]):
    """A list read by the fast reader, with positions in ``.lc`` (see :class:`CommentedMap`)."""

    __slots__ = ("lc",)
    lc: Positions


class _Slow(Exception):
    """The fast reader cannot read this text exactly as the reference reader would."""


# Characters the fast reader leaves to the reference reader: anything but line feed, carriage
# return, printable ASCII and printable non-ASCII. That is tabs (YAML 1.1 and 1.2 differ on where
# they may stand), NEL, LINE and PARAGRAPH SEPARATOR (line breaks in YAML 1.1 only), a byte order
# mark inside the text, and every character that YAML refuses.
_UNUSUAL = re.compile("[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                      "\U00010000-\U0010ffff]")


_BLOCK = ("|", ">")
_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _resolvers() -> tuple[dict[str, list[tuple[str, Any]]], list[tuple[str, Any]]]:
    """ruamel.yaml's YAML 1.2 implicit resolvers of plain scalars, by first character."""
    table = VersionedResolver(version=(1, 2)).versioned_resolver
    anywhere = list(table.get(None, []))
    return {first: [*rules, *anywhere] for first, rules in table.items() if first is not None}, anywhere


_RESOLVERS, _ANY_FIRST = _resolvers()
_TAG = "tag:yaml.org,2002:"
_CONSTRUCTOR = YAML(typ="rt", pure=True).constructor  # builds bool, int, float, timestamp values
_BUILT = {tag: _CONSTRUCTOR.yaml_constructors[tag] for tag in
          (f"{_TAG}bool", f"{_TAG}int", f"{_TAG}float", f"{_TAG}timestamp")}


def _plain(value: str) -> Any:
    """The value of an untagged plain scalar, exactly as ruamel.yaml's round-trip loader makes it.

    Remembered by text (every value built is immutable: text, numbers, booleans, dates): a
    catalogue repeats the same few thousand scalars (ids, codes, channels, limits) many times."""
    try:
        return _PLAIN_SEEN[value]
    except KeyError:
        pass
    built = _resolve_plain(value)
    if len(_PLAIN_SEEN) >= _PLAIN_SEEN_MAX:
        _PLAIN_SEEN.clear()
    _PLAIN_SEEN[value] = built
    return built


_PLAIN_SEEN: dict[str, Any] = {}
_PLAIN_SEEN_MAX = 200_000


def _resolve_plain(value: str) -> Any:
    for tag, regexp in _RESOLVERS.get(value[:1], _ANY_FIRST):
        if regexp.match(value):
            if tag == f"{_TAG}null":
                return None
            build = _BUILT.get(tag)
            if build is None:  # merge key <<, value key =: the reference reader handles them
                raise _Slow(tag)
            return build(_CONSTRUCTOR, _RuamelScalarNode(tag, value))
    return value


def _fast_load(text: str, loader_class: Any) -> Any:
    """The data of ``text`` read through libyaml; :class:`_Slow` when in doubt."""
    if _UNUSUAL.search(text):
        raise _Slow("unusual character")
    loader = loader_class(text)
    try:
        get = loader.get_event
        get()  # StreamStartEvent
        event = get()
        if event.__class__ is _StreamEnd:
            return None  # no document: only comments or nothing
        if event.version is not None or event.tags:  # %YAML or %TAG directive
            raise _Slow("directive")
        data = _node(get, get(), 0, text)
        get()  # DocumentEndEvent
        if get().__class__ is not _StreamEnd:
            raise _Slow("more than one document")
        return data
    except _Slow:
        raise
    except Exception as exc:  # PyYAML's errors, or a value ruamel.yaml cannot build
        raise _Slow(str(exc)) from exc
    finally:
        loader.dispose()


def _node(get: Callable[[], Any], event: Any, depth: int, text: str) -> Any:
    """The value that starts with ``event``; ``depth`` collections are open around it."""
    kind = event.__class__
    if event.anchor is not None or getattr(event, "tag", None) is not None:
        raise _Slow("anchor, alias or tag")
    if kind is _Scalar:
        if event.implicit[0]:
            return _plain(event.value)
        if event.style in _BLOCK and _HEADER_COMMENT.match(text, event.start_mark.index):
            raise _Slow("a comment right after a block scalar indicator")  # libyaml allows |#
        return event.value
    if depth >= MAX_DEPTH:
        raise _Slow("too deep")
    mark = event.start_mark
    if kind is _MappingStart:
        mapping = CommentedMap()
        keys: dict[Any, tuple[int, int]] = {}
        mapping.lc = Positions(mark.line, mark.column, keys)
        while True:
            event = get()
            if event.__class__ is not _Scalar:
                if event.__class__ is _MappingEnd:
                    return mapping
                raise _Slow("a collection or an alias as a key")
            key = _node(get, event, depth + 1, text)
            key_mark = event.start_mark
            value = _node(get, get(), depth + 1, text)
            if key in mapping:
                raise _Slow("duplicate key")
            mapping[key] = value
            keys[key] = (key_mark.line, key_mark.column)
    if kind is _SequenceStart:
        sequence = CommentedSeq()
        items: list[tuple[int, int]] = []
        sequence.lc = Positions(mark.line, mark.column, items)
        flow = event.flow_style
        while True:
            event = get()
            if event.__class__ is _SequenceEnd:
                return sequence
            item_mark = event.start_mark
            if flow and event.__class__ is _MappingStart and text[item_mark.index:item_mark.index + 1] != "{":
                # a "key: value" pair in a flow list, as in [a: 1]: YAML 1.1 and 1.2 read the
                # colon differently in ["a":1] (libyaml: a pair; ruamel.yaml: a syntax error)
                raise _Slow("a pair in a flow list")
            sequence.append(_node(get, event, depth + 1, text))
            items.append((item_mark.line, item_mark.column))
    raise _Slow(f"unexpected {kind.__name__}")


def _fast_loader() -> Any:
    """PyYAML's libyaml-based loader, or None when PyYAML or its libyaml binding is missing."""
    return getattr(_pyyaml, "CSafeLoader", None)


_FAST_LOADER = _fast_loader()
if _pyyaml is not None:
    _Scalar = _pyyaml.events.ScalarEvent
    _MappingStart = _pyyaml.events.MappingStartEvent
    _MappingEnd = _pyyaml.events.MappingEndEvent
    _SequenceStart = _pyyaml.events.SequenceStartEvent
    _SequenceEnd = _pyyaml.events.SequenceEndEvent
    _StreamEnd = _pyyaml.events.StreamEndEvent


def _finding(
    code: str, message: str, name: str, *, line: int | None = 1, col: int | None = 1, hint: str | None = None
) -> Finding:
    """A finding about one file; a problem of the whole file is reported at line 1."""
    return Finding(code, message, file=name, line=line, column=col, hint=hint)


def _mark(exc: BaseException) -> tuple[int | None, int | None]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def _decode(raw: bytes, name: str) -> tuple[str | None, Finding | None]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, _finding(
            "OS101", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})", name, line=line, col=col,
            hint="save the file as UTF-8",
        )
    if "\x00" in text:
        line, col = _position(text, text.index("\x00"))
        return None, _finding("OS101", "the file contains a NUL character", name, line=line, col=col,
                              hint="save the file as UTF-8 text")
    return text, None


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character ``index`` of ``text``."""
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


class _Refused(Exception):
    """Raised from inside the parser to stop at the first hostile construct."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(finding.message)


class _GuardedParser(RoundTripParser):  # type: ignore[misc, unused-ignore]
    """The round-trip parser, refusing hostile constructs as the events pass.

    Refused: anchors and aliases (alias bombs), a mapping or a list used as a key (ruamel hashes
    nested keys in exponential time), and nesting deeper than ``MAX_DEPTH``. Checking while the
    composer pulls events means the file is parsed once, and nothing is built from such a file.
    """

    def __init__(self, loader: Any) -> None:
        super().__init__(loader)
        self._open: list[list[int]] = []  # per open collection: [is a mapping, nodes seen]

    def _refuse(self, code: str, message: str, event: Any, hint: str) -> _Refused:
        mark = event.start_mark
        name = str(getattr(self.loader, "_oneservice_name", "<yaml>"))
        return _Refused(_finding(code, message, name, line=mark.line + 1, col=mark.column + 1, hint=hint))

    def get_event(self) -> Any:
        event = super().get_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise self._refuse("OS104", "anchors and aliases (& and *) are not allowed in definitions",
                               event, "write the value out in full")
        if getattr(event, "tag", None) is not None and not isinstance(event, AliasEvent):
            raise self._refuse("OS104", f"YAML tags ({event.tag.replace('tag:yaml.org,2002:', '!!')}) are "
                               "not allowed in definitions", event,
                               "write the value as plain text; definitions have no binary or typed values")
        at_key = bool(self._open) and bool(self._open[-1][0]) and self._open[-1][1] % 2 == 0
        if (at_key and isinstance(event, ScalarEvent) and event.value == "<<" and event.style is None
                and event.implicit[0]):
            raise self._refuse("OS104", "merge keys (<<) are not allowed in definitions", event,
                               "write the keys out in full")
        if isinstance(event, CollectionStartEvent):
            if at_key:
                raise self._refuse("OS104", "a mapping or a list cannot be a key in definitions",
                                   event, "keys are plain names such as 'code'")
            if len(self._open) >= MAX_DEPTH:
                raise self._refuse("OS105", f"nesting deeper than {MAX_DEPTH} levels", event,
                                   "definitions need only a few levels")
            self._open.append([int(isinstance(event, MappingStartEvent)), 0])
        elif isinstance(event, CollectionEndEvent):
            if self._open:
                self._open.pop()
            if self._open:
                self._open[-1][1] += 1
        elif isinstance(event, ScalarEvent) and self._open:
            self._open[-1][1] += 1
        return event


def read_document(path: Path, name: str | None = None) -> tuple[Document | None, list[Finding]]:
    """Read and parse one YAML file; return the document or the findings that prevent it."""
    name = name or str(path)
    raw, found = read_bytes(path, name)
    if raw is None:
        return None, found
    return parse_text(raw, name)


def parse_text(raw: bytes, name: str) -> tuple[Document | None, list[Finding]]:
    """Parse YAML bytes into a :class:`Document`, or return the findings that prevent it."""
    if len(raw) > MAX_BYTES:
        return None, [too_big(len(raw), name)]
    text, problem = _decode(raw, name)
    if problem is not None or text is None:
        return None, [problem] if problem else []
    if _FAST_LOADER is not None:
        try:
            return Document(name, _fast_load(text, _FAST_LOADER), text), []
        except _Slow:
            pass  # the reference reader decides, and words the finding
    return _reference_load(text, name)


def _reference_load(text: str, name: str) -> tuple[Document | None, list[Finding]]:
    """Parse ``text`` with ruamel.yaml's guarded round-trip parser: the reference behaviour."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Parser = _GuardedParser
    yaml.allow_duplicate_keys = False
    yaml._oneservice_name = name  # type: ignore[attr-defined]  # read by _GuardedParser
    try:
        data = yaml.load(text)
    except _Refused as refused:
        return None, [refused.finding]
    except RecursionError:
        return None, [_finding("OS105", "the document is nested too deeply", name,
                               hint="definitions need only a few levels")]
    except Exception as exc:  # ruamel raises many error types; all are syntax problems here
        return None, [_syntax_finding(exc, text, name)]
    return Document(name, data, text), []


def _syntax_finding(exc: Exception, text: str, name: str) -> Finding:
    line, col = _mark(exc)
    position = getattr(exc, "position", None)  # ReaderError: a character YAML does not allow
    if line is None and isinstance(position, int):
        line, col = _position(text, position)
    kind = type(exc).__name__
    lines = str(exc).strip().splitlines()
    problem = getattr(exc, "problem", None) or (lines[0] if lines else kind)
    if "Duplicate" in kind:
        return _finding("OS103", f"duplicate key: {problem}", name, line=line or 1, col=col or 1,
                        hint="each key may appear once in a mapping")
    hint = "indent with spaces, never tabs" if "\t" in text else None
    return _finding("OS102", f"YAML syntax error: {problem}", name, line=line or 1, col=col or 1, hint=hint)


_MAPS = (CommentedMap, _RuamelMap)
_SEQS = (CommentedSeq, _RuamelSeq)


def locate(root: Any, path: Sequence[str | int]) -> tuple[int | None, int | None]:
    """The 1-based (line, column) of the node at ``path``, or of its nearest existing parent."""
    node = root
    line: int | None = None
    col: int | None = None
    if isinstance(root, _MAPS + _SEQS):
        line, col = root.lc.line + 1, root.lc.col + 1
    for key in path:
        if isinstance(node, _MAPS) and key in node:
            try:
                kl, kc = node.lc.key(key)
                line, col = kl + 1, kc + 1
            except (KeyError, TypeError):
                pass
            node = node[key]
        elif isinstance(node, _SEQS) and isinstance(key, int) and 0 <= key < len(node):
            try:
                il, ic = node.lc.item(key)
                line, col = il + 1, ic + 1
            except (KeyError, TypeError, IndexError):
                pass
            node = node[key]
        else:
            break
    return line, col


def _index(text: str, line: int, col: int) -> int:
    """The index in ``text`` of the 1-based (line, column)."""
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + col - 1


def _scalar_sources(text: str, start: int) -> list[int] | None:
    """For the scalar that starts at ``start``: the index in ``text`` of each of its characters.

    Flow scalars on one line (plain, single- or double-quoted) and block scalars (``|``, ``>``)
    are mapped; None when a scalar is written in a way this does not follow (a quoted scalar over
    several lines, a folded scalar with blank lines).
    """
    first = text[start:start + 1]
    out: list[int] = []
    if first in ("'", '"'):
        i = start + 1
        while i < len(text):
            if text[i] == "\n":
                return None
            if first == "'" and text[i:i + 2] == "''":
                out.append(i)
                i += 2
                continue
            if text[i] == first:
                break
            if first == "'" or text[i] != "\\":
                out.append(i)
                i += 1
                continue
            code = text[i + 1:i + 2]
            width = {"x": 4, "u": 6, "U": 10}.get(code, 2)
            out.append(i)
            i += width
        return out
    if first in ("|", ">"):
        header_end = text.find("\n", start)
        if header_end < 0:
            return None
        lines = text[header_end + 1:].split("\n")
        body = [x for x in lines if x.strip()]
        if not body:
            return []
        indent = len(body[0]) - len(body[0].lstrip(" "))
        at = header_end + 1
        for n, raw in enumerate(lines):
            if raw.strip() and len(raw) - len(raw.lstrip(" ")) < indent:
                break
            if not raw.strip() and first == ">":
                return None
            out.extend(range(at + indent, at + len(raw)))
            if n + 1 < len(lines):
                out.append(at + len(raw))  # the line break (or the space it folds into)
            at += len(raw) + 1
        return out
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    value = text[start:end].split(" #", maxsplit=1)[0].rstrip()
    return list(range(start, start + len(value)))


def value_position(text: str, line: int, col: int, index: int) -> tuple[int, int] | None:
    """The 1-based (line, column) in ``text`` of character ``index`` of the scalar value of the
    mapping key at (``line``, ``col``), or None when it cannot be told exactly."""
    try:
        i = _index(text, line, col)
    except ValueError:
        return None
    if text[i:i + 1] in ("'", '"'):  # a quoted key
        quote = text[i]
        i = text.find(quote, i + 1)
        if i < 0:
            return None
        i += 1
    while i < len(text) and text[i] != ":":
        if text[i] == "\n":
            return None
        i += 1
    i += 1
    while i < len(text) and text[i] == " ":
        i += 1
    sources = _scalar_sources(text, i)
    if sources and index == len(sources):  # just past the end (an expression that ends too early)
        return _position(text, sources[-1] + 1)
    if sources is None or not 0 <= index < len(sources):
        return None
    return _position(text, sources[index])
