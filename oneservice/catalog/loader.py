"""Load a catalogue of definitions from YAML files and check it.

:func:`check` reads every ``*.yaml``/``*.yml`` file under the given paths and returns a
:class:`CheckReport` with every finding (errors and warnings) and, when there is no error, the
:class:`Catalogue`. :func:`load_catalogue` does the same and raises
:class:`~oneservice.errors.DefinitionError` when there is an error.

The parser (:mod:`.yamlio`) and the checks (:mod:`.checking`: marshmallow, the analysis) are
imported when a catalogue is checked, not when it comes from the catalogue cache.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DefinitionError, Finding
from .cache import CacheOption, resolve_cache
from .catalogue import Catalogue
from .report import CheckReport
from .sources import read_bytes

if TYPE_CHECKING:
    from .yamlio import Document

__all__ = ["CheckReport", "check", "check_files", "load_catalogue"]


def _display_name(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _display_names(files: list[Path]) -> list[str]:
    """:func:`_display_name` of each file, working out each folder's relative path once (the
    same names: a relative path is worked out from the text of the path alone)."""
    folders: dict[Path, str | None] = {}
    out = []
    for file in files:
        parent = file.parent
        if parent not in folders:
            try:
                folders[parent] = os.path.relpath(parent)
            except ValueError:
                folders[parent] = None
        shown = folders[parent]
        if shown is None or file.name in ("", ".", ".."):
            out.append(_display_name(file))
        else:
            out.append(file.name if shown == "." else os.path.join(shown, file.name))
    return out


Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
"""One file or directory, or several."""


def _discover(paths: Paths) -> tuple[list[Path], list[Finding]]:
    """The definition files under ``paths``, and a finding for each path that gives none.

    A missing path, a folder without a definition file, and a dangling or looping link are
    findings (OS101), never silently skipped. Links to folders are followed once each.
    """
    files: list[Path] = []
    problems: list[Finding] = []
    # one path is one path: a string is not iterated character by character
    for raw in (paths,) if isinstance(paths, str | os.PathLike) else paths:
        p = Path(raw)
        if p.is_symlink() and not p.exists():
            problems.append(_broken_link(p))
        elif p.is_dir():
            found = _walk(p, problems)
            if not found and not any(f.file and f.file.startswith(str(p)) for f in problems):
                problems.append(Finding("OS101", "no definition file (*.yaml, *.yml) in this folder",
                                        file=str(raw), hint="give the folder that holds registry/, "
                                        "items/ and matters/, or the files themselves"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Finding("OS101", "no such file or directory", file=str(raw)))
    return files, problems


def _broken_link(path: Path) -> Finding:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    try:
        path.resolve(strict=True)
    except RuntimeError:  # pragma: no cover - Python < 3.13 raises this for a loop
        return Finding("OS101", f"the link loops (→ {target})", file=str(path), hint="remove or fix the link")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Finding("OS101", f"the link loops (→ {target})", file=str(path),
                           hint="remove or fix the link")
    return Finding("OS101", f"the link points nowhere (→ {target})", file=str(path),
                   hint="remove the link, or restore the file or folder it points to")


def _walk(folder: Path, problems: list[Finding]) -> list[Path]:
    """The definition files under ``folder`` in a stable order, following links to folders once.

    ``os.scandir``: its entries know from the folder listing whether they are folders, files or
    links, without one ``stat`` per question (thousands of files at every start)."""
    out: list[Path] = []
    seen: set[str] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        real = os.path.realpath(current)
        if real in seen:
            problems.append(Finding("OS101", f"the folder link leads back to {real}, read already",
                                    file=str(current), hint="remove the link"))
            continue
        seen.add(real)
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Finding("OS101", f"cannot read the folder: {exc.strerror or exc}",
                                    file=str(current)))
            continue
        subfolders = []
        for entry in entries:
            path = current / entry.name
            if entry.is_symlink() and not os.path.exists(entry.path):
                problems.append(_broken_link(path))
            elif entry.is_dir():
                subfolders.append(path)
            elif entry.name.endswith((".yaml", ".yml")) and path.suffix in (".yaml", ".yml") \
                    and entry.is_file():
                out.append(path)
        stack.extend(reversed(subfolders))
    return sorted(out)


def check(paths: Paths = ("workflows",), *, strict: bool = False, cache: CacheOption = None) -> CheckReport:
    """Read, validate and analyse every definition file under ``paths`` (one or several).

    ``strict``: an unverified time limit is an error too (OS418; ``oneservice check --strict``).
    ``cache``: a :class:`~oneservice.catalog.cache.CatalogueCache` (or its folder, or ``True`` for
    the one ``ONESERVICE_CATALOGUE_CACHE`` names) to look the checked catalogue up in by the
    content of the files, and to keep it in when it has no error; None (the default) checks
    the files every time."""
    store = resolve_cache(cache)
    files, problems = _discover(paths)
    with paused_collector():
        sources: list[tuple[str, bytes]] = []
        for file, name in zip(files, _display_names(files), strict=True):
            raw, found = read_bytes(file, name)
            problems.extend(found)
            if raw is not None:
                sources.append((name, raw))
        if store is None or problems:  # a file that cannot be read is an error anyway
            return _checked(sources, problems, len(files), strict=strict)
        key = store.key(sources, strict=strict)
        hit = store.get(key)
        if hit is not None and hit.files == len(files):
            return hit
        with store.building(key):  # one process checks; the others starting meanwhile wait
            hit = store.recheck(key)
            if hit is not None and hit.files == len(files):
                return hit
            report = _checked(sources, problems, len(files), strict=strict)
            if report.ok:
                store.put(key, report)
    return report


def _checked(sources: list[tuple[str, bytes]], problems: list[Finding], count: int, *,
             strict: bool) -> CheckReport:
    from .yamlio import parse_text

    documents: list[Document] = []
    for name, raw in sources:
        doc, found = parse_text(raw, name)
        problems.extend(found)
        if doc is not None:
            documents.append(doc)
    return _check_documents(documents, problems, count, strict=strict)


def check_files(sources: Mapping[str, bytes | str], *, strict: bool = False) -> CheckReport:
    """Like :func:`check`, for in-memory files (name → content); used by tests and tools."""
    from .yamlio import parse_text

    documents: list[Document] = []
    problems: list[Finding] = []
    with paused_collector():
        for name, content in sources.items():
            raw = content.encode() if isinstance(content, str) else content
            doc, found = parse_text(raw, name)
            problems.extend(found)
            if doc is not None:
                documents.append(doc)
        return _check_documents(documents, problems, len(sources), strict=strict)


def load_catalogue(paths: Paths = ("workflows",), *, cache: CacheOption = None) -> Catalogue:
    """Load and check definitions; raise :class:`DefinitionError` listing every error.

    ``cache``: see :func:`check` (``OneService.open`` and the commands pass ``True``)."""
    report = check(paths, cache=cache)
    if report.catalogue is None:
        raise DefinitionError(report.findings)
    return report.catalogue


@contextlib.contextmanager
def paused_collector() -> Iterator[None]:
    """The cyclic garbage collector off while a catalogue is read, checked or unpickled.

    Reading builds hundreds of thousands of objects that all stay alive; each collection walks
    all of them again, which took more time than the parsing itself (1,000 matters: 5.3 s →
    3.0 s). Nothing read here forms a cycle that must be freed meanwhile."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():  # moves what was built to the oldest generation at once,
            gc.freeze()  # instead of the next collections walking it generation by generation
            gc.unfreeze()
        gc.enable()


def _check_documents(
    documents: list[Document], problems: list[Finding], count: int, *, strict: bool = False
) -> CheckReport:
    """Validate and analyse parsed files (:func:`.checking.check_documents`)."""
    from .checking import check_documents

    return check_documents(documents, problems, count, strict=strict)
