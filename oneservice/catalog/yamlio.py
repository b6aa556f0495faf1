"""Reading definition files safely, keeping line numbers for error messages.

Hostile input is refused with a finding, never another exception: files over ``MAX_BYTES``,
bytes that are not UTF-8, tabs and other syntax errors, duplicate keys, anchors and aliases
(which would allow "billion laughs" alias bombs), mappings or lists used as keys, and nesting
deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from ruamel.yaml.parser import RoundTripParser

from ..errors import Finding

__all__ = ["MAX_BYTES", "MAX_DEPTH", "Document", "locate", "read_document"]

MAX_BYTES = 1_048_576
MAX_DEPTH = 40


class Document:
    """A parsed YAML file: its display name and round-trip data (with ``.lc`` positions)."""

    def __init__(self, name: str, data: Any, text: str = "") -> None:
        self.name = name
        self.data = data
        self.text = text
        self.kind = ""  # item | matter | registry | calendar, once the loader knows
        self.flat = False  # a calendar file written without the ``calendar:`` key


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
        if isinstance(event, CollectionStartEvent):
            if self._open and self._open[-1][0] and self._open[-1][1] % 2 == 0:
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
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [_too_big(size, name)]
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        return None, [_finding("OS101", f"cannot read the file: {exc.strerror or exc}", name,
                               line=None, col=None)]
    return parse_text(raw, name)


def _too_big(size: int, name: str) -> Finding:
    return _finding("OS105", f"the file is {size} bytes, more than the limit of {MAX_BYTES}", name,
                    hint="split the definitions into several files")


def parse_text(raw: bytes, name: str) -> tuple[Document | None, list[Finding]]:
    """Parse YAML bytes into a :class:`Document`, or return the findings that prevent it."""
    if len(raw) > MAX_BYTES:
        return None, [_too_big(len(raw), name)]
    text, problem = _decode(raw, name)
    if problem is not None or text is None:
        return None, [problem] if problem else []
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


def locate(root: Any, path: Sequence[str | int]) -> tuple[int | None, int | None]:
    """The 1-based (line, column) of the node at ``path``, or of its nearest existing parent."""
    node = root
    line: int | None = None
    col: int | None = None
    if isinstance(root, (CommentedMap, CommentedSeq)):
        line, col = root.lc.line + 1, root.lc.col + 1
    for key in path:
        if isinstance(node, CommentedMap) and key in node:
            try:
                kl, kc = node.lc.key(key)
                line, col = kl + 1, kc + 1
            except (KeyError, TypeError):
                pass
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            try:
                il, ic = node.lc.item(key)
                line, col = il + 1, ic + 1
            except (KeyError, TypeError, IndexError):
                pass
            node = node[key]
        else:
            break
    return line, col
