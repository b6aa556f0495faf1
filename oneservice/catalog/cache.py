"""Compiled catalogues: a checked catalogue kept on disk, found again by the content of its files.

:func:`~oneservice.catalog.loader.check` (and so ``load_catalogue``, ``OneService.open`` and
every command) reads the bytes of every definition file, computes a key from them and looks the
key up here before parsing anything. The key is a SHA-256 over:

* ``FORMAT`` (the layout of an entry) and the library's version, with a hash of its own source
  files (an editable install changes code without changing the version);
* the Python implementation and version, and which copy of each package that reads and checks
  the files is installed (ruamel.yaml, PyYAML and whether its libyaml reader is there,
  marshmallow, attrs, cel-expr-python: the file, size and time of each package's module);
* whether the check is ``strict``;
* every file read: its name as findings show it and its bytes, in order.

So a file changed, added, removed or renamed, another library version or another Python gives
another key: the catalogue is checked again and stored under the new key. A report with an error
is never stored; a stored report keeps its warnings, each with its file and line.

An entry is a pickle (the catalogue's own frozen classes, loaded without building anything
again). Unpickling runs code named by the data, so an entry is only unpickled after its
HMAC-SHA256 checks out, keyed by a secret of 32 random bytes in the folder (``secret``, mode
0600, created once). The folder is created 0700; a folder or secret that another user owns or
could write is not used (a warning is logged and the catalogue is checked from the files). A
truncated, corrupt or foreign entry fails the HMAC and is rebuilt, never trusted.

Entries are written to a temporary file in the folder and moved into place with
:func:`os.replace`, so processes starting at once each read either no entry or a whole one.
While one process checks the files, the others that need the same entry wait on an advisory
lock (:meth:`CatalogueCache.building`) and then load what it stored, instead of all checking the
same files at once. A folder that cannot be written (read-only, full)
only costs the check: a warning is logged and the catalogue is returned all the same. After a
write the least recently used entries beyond ``keep`` are removed.

Where: ``ONESERVICE_CATALOGUE_CACHE`` names the folder (``off`` turns the cache off); by default
``$XDG_CACHE_HOME/oneservice/catalogues`` (``~/.cache/oneservice/catalogues``);
``ONESERVICE_CATALOGUE_CACHE_KEEP`` says how many entries stay (8).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .report import CheckReport

__all__ = ["CACHE_VARIABLE", "FORMAT", "KEEP_VARIABLE", "CacheOption", "CatalogueCache", "default_folder",
           "resolve_cache"]

log = logging.getLogger(__name__)

FORMAT = 1
"""The layout of an entry; part of the key, raised when what an entry holds changes."""
CACHE_VARIABLE = "ONESERVICE_CATALOGUE_CACHE"
KEEP_VARIABLE = "ONESERVICE_CATALOGUE_CACHE_KEEP"
OFF = frozenset({"off", "0", "no", "false", "none", "disabled"})
MAGIC = b"oneservice-catalogue\x00"
SECRET = "secret"
SUFFIX = ".catalogue"
TEMP_PREFIX = ".writing-"
STALE_TEMP_SECONDS = 3600.0
_TAG_BYTES = 32


def _as_path(value: str | os.PathLike[str]) -> Path:
    return Path(value).expanduser()


def default_folder(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/oneservice/catalogues``, else ``~/.cache/oneservice/catalogues``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oneservice" / "catalogues"


@attrs.define
class CatalogueCache:
    """The compiled catalogues kept in ``folder`` (see the module docstring).

    ``hits``, ``misses`` and ``writes`` count what this object did, for tests and tools."""

    folder: Path = attrs.field(converter=_as_path)
    keep: int = 8
    hits: int = attrs.field(default=0, init=False, eq=False)
    misses: int = attrs.field(default=0, init=False, eq=False)
    writes: int = attrs.field(default=0, init=False, eq=False)
    _secret: bytes | None = attrs.field(default=None, init=False, eq=False, repr=False)
    _unusable: bool = attrs.field(default=False, init=False, eq=False, repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> CatalogueCache | None:
        """The cache ``ONESERVICE_CATALOGUE_CACHE`` names (None when it says ``off``), else the
        default folder."""
        env = os.environ if environ is None else environ
        value = env.get(CACHE_VARIABLE, "").strip()
        if value.lower() in OFF:
            return None
        keep = env.get(KEEP_VARIABLE, "").strip()
        try:
            kept = max(1, int(keep)) if keep else 8
        except ValueError:
            log.warning("%s=%r is not a whole number; keeping 8 entries", KEEP_VARIABLE, keep)
            kept = 8
        return cls(Path(value) if value else default_folder(env), keep=kept)

    # ------------------------------------------------------------------ key

    def key(self, sources: Iterable[tuple[str, bytes]], *, strict: bool = False) -> str:
        """The key of the catalogue read from ``sources`` (display name, bytes), in order."""
        digest = hashlib.sha256()
        digest.update(_environment_fingerprint().encode())
        digest.update(b"strict" if strict else b"lenient")
        for name, raw in sources:
            encoded = name.encode("utf-8", "surrogateescape")
            digest.update(b"\x00file\x00%d\x00" % len(encoded))
            digest.update(encoded)
            digest.update(b"\x00%d\x00" % len(raw))
            digest.update(raw)
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    # ------------------------------------------------------------------ read

    def get(self, key: str) -> CheckReport | None:
        """The report stored under ``key``, or None (no entry, or one that does not verify)."""
        found = self._lookup(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def recheck(self, key: str) -> CheckReport | None:
        """:meth:`get` again once :meth:`building` is held (another process may have stored the
        entry meanwhile); a second miss is not counted."""
        found = self._lookup(key)
        if found is not None:
            self.hits += 1
            self.misses -= 1
        return found

    @contextlib.contextmanager
    def building(self, key: str, wait: float = 300.0) -> Iterator[None]:
        """Held while this process checks the files of ``key``: another process that starts
        meanwhile waits (up to ``wait`` seconds), then finds the entry instead of checking the same
        files too. An advisory lock (``flock``) on a file in the folder, released when the
        process ends however it ends; nothing is held without ``fcntl`` (Windows) or in a folder
        that cannot be written."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        if self._open_secret(create=True) is None:
            yield
            return
        try:
            fd = os.open(self.folder / f"{TEMP_PREFIX}{key[:32]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield
            return
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    with contextlib.suppress(OSError):
                        os.utime(fd)  # in use: not a leftover for prune()
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        log.warning("catalogue cache: another process has checked these files for "
                                    "%.0f s; checking them here too", wait)
                        break
                    time.sleep(0.05)  # the other process is checking the same files
            yield
        finally:
            os.close(fd)

    def _lookup(self, key: str) -> CheckReport | None:
        from .report import CheckReport

        secret = self._open_secret(create=False)
        if secret is None:
            return None
        entry = self.path(key)
        try:
            with entry.open("rb") as handle:
                blob = handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("catalogue cache: cannot read %s (%s); checking the files instead", entry, exc)
            return None
        payload = _verified(blob, key, secret)  # a view of blob: no copy of a large entry
        report: Any = None
        if payload is not None:
            try:
                report = pickle.loads(payload)  # authenticated by the HMAC above
            except Exception as exc:  # an entry of another layout: rebuilt
                log.warning("catalogue cache: entry %s does not load (%s); rebuilding it", entry.name, exc)
                report = None
        if not isinstance(report, CheckReport) or not report.ok or report.catalogue is None:
            if payload is None:
                log.warning("catalogue cache: entry %s is corrupt or not ours; rebuilding it", entry.name)
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # most recently used: kept when older entries are pruned
        return attrs.evolve(report, cached=True)

    # ------------------------------------------------------------------ write

    def put(self, key: str, report: CheckReport) -> bool:
        """Store ``report`` (without errors) under ``key``; False when it cannot be stored."""
        if not report.ok or report.catalogue is None:
            return False
        secret = self._open_secret(create=True)
        if secret is None:
            return False
        payload = pickle.dumps(attrs.evolve(report, cached=False), protocol=pickle.HIGHEST_PROTOCOL)
        tag = _tag(secret, key, payload)
        temp: str | None = None
        try:
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=SUFFIX + ".part", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC)
                handle.write(tag)
                handle.write(payload)
            os.replace(temp, self.path(key))
            temp = None
        except OSError as exc:
            log.warning("catalogue cache: cannot write to %s (%s); the catalogue is not kept",
                        self.folder, exc)
            return False
        finally:
            if temp is not None:
                _remove(Path(temp))
        self.writes += 1
        self.prune()
        return True

    def prune(self) -> list[Path]:
        """Remove the least recently used entries beyond ``keep``, and temporary files left by a
        writer that stopped; returns what was removed."""
        removed: list[Path] = []
        try:
            listing = list(os.scandir(self.folder))
        except OSError:
            return removed
        entries: list[tuple[float, Path]] = []
        now = time.time()
        for item in listing:
            try:
                mtime = item.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if item.name.endswith(SUFFIX) and not item.name.startswith(TEMP_PREFIX):
                entries.append((mtime, Path(item.path)))
            elif item.name.startswith(TEMP_PREFIX) and now - mtime > STALE_TEMP_SECONDS:
                removed.extend(_remove(Path(item.path)))
        entries.sort(reverse=True)
        for _, old in entries[max(self.keep, 1):]:
            removed.extend(_remove(old))
        return removed

    def entries(self) -> list[Path]:
        """The stored entries (tests and tools)."""
        try:
            return sorted(p for p in self.folder.iterdir()
                          if p.name.endswith(SUFFIX) and not p.name.startswith(TEMP_PREFIX))
        except OSError:
            return []

    # ------------------------------------------------------------------ the folder and its secret

    def _open_secret(self, *, create: bool) -> bytes | None:
        if self._secret is not None:
            return self._secret
        if self._unusable:
            return None
        try:
            if create:
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            problem = _unsafe(self.folder, folder=True)
            if problem is not None:
                self._give_up(f"{self.folder} {problem}")
                return None
            secret_path = self.folder / SECRET
            if create and not secret_path.exists():
                _create_secret(secret_path)
            secret = _read_secret(secret_path)
        except FileNotFoundError:
            return None  # nothing stored yet (and nothing to create on a read)
        except OSError as exc:
            if create:
                self._give_up(f"cannot use {self.folder} ({exc})")
            return None
        if isinstance(secret, str):
            self._give_up(f"{self.folder / SECRET} {secret}")
            return None
        self._secret = secret
        return secret

    def _give_up(self, why: str) -> None:
        log.warning("catalogue cache not used: %s; checking the files instead", why)
        self._unusable = True


def _unsafe(path: Path, *, folder: bool) -> str | None:
    """Why ``path`` must not be trusted (another owner, writable or readable by others), or None."""
    info = os.lstat(path)
    if folder and not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if not folder and not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    getuid = getattr(os, "geteuid", None)
    if getuid is None:  # pragma: no cover - Windows: the user's profile folder protects it
        return None
    if info.st_uid != getuid():
        return f"belongs to another user (uid {info.st_uid})"
    mask = 0o022 if folder else 0o077
    if info.st_mode & mask:
        return (f"can be {'written' if folder else 'read'} by others (mode {stat.S_IMODE(info.st_mode):o}); "
                f"chmod {'go-w' if folder else '600'} it")
    return None


def _create_secret(path: Path) -> None:
    """Write a new secret atomically: a complete file appears under ``path`` or nothing changes
    (another process that got there first keeps its secret)."""
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".secret", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        _remove(Path(temp))


def _read_secret(path: Path) -> bytes | str:
    """The secret, or why it is not used."""
    problem = _unsafe(path, folder=False)
    if problem is not None:
        return problem
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        secret = handle.read(65)
    if len(secret) < 32:
        return "is too short (remove it; a new one is made)"
    return secret


def _verified(blob: bytes, key: str, secret: bytes) -> memoryview | None:
    """The payload of an entry when its HMAC is right, else None."""
    head = len(MAGIC) + _TAG_BYTES
    if len(blob) <= head or not blob.startswith(MAGIC):
        return None
    view = memoryview(blob)
    tag, payload = view[len(MAGIC):head], view[head:]
    return payload if hmac.compare_digest(tag, _tag(secret, key, payload)) else None


def _tag(secret: bytes, key: str, payload: bytes | memoryview) -> bytes:
    mac = hmac.new(secret, key.encode(), hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def _remove(path: Path) -> list[Path]:
    try:
        path.unlink()
    except OSError:
        return []
    return [path]


@functools.cache
def _environment_fingerprint() -> str:
    """Everything besides the files that the stored catalogue depends on (computed once)."""
    from .._version import __version__

    parts = [f"format={FORMAT}", f"oneservice={__version__}", f"code={_code_hash()}",
             f"python={sys.implementation.cache_tag}:{sys.version}",
             f"pickle={pickle.HIGHEST_PROTOCOL}", f"libyaml={_libyaml()}"]
    parts += [f"{name}={_installed(name)}" for name in _READERS]
    return "\n".join(parts)


_READERS = ("ruamel.yaml", "yaml", "marshmallow", "attr", "cel_expr_python.cel")
"""The packages whose code reads and checks the files."""


def _libyaml() -> str:
    """PyYAML's libyaml binding, which the fast reader needs (told from the files, without
    importing PyYAML: a catalogue from the cache needs no reader)."""
    import importlib.util

    spec = importlib.util.find_spec("yaml")
    if spec is None or not spec.origin:
        return "-"
    found = sorted(p.name for p in Path(spec.origin).parent.glob("_yaml*"))
    return ",".join(found) or "-"


def _installed(module: str) -> str:
    """Which copy of ``module`` is installed: its file, size and modification time (an upgrade
    or another environment gives other values; ``importlib.metadata`` took 50 ms to say the
    versions)."""
    import importlib.util

    loaded = sys.modules.get(module)
    origin = getattr(loaded, "__file__", None)
    if origin is None:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
    if not origin:
        return "-"
    try:
        info = os.stat(origin)
    except OSError:
        return origin
    return f"{origin}:{info.st_size}:{info.st_mtime_ns}"


def _code_hash() -> str:
    """A hash of the library's Python files (names and bytes): a changed editable install is
    another library, whatever its version says."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\x00%d\x00" % len(raw) + raw)
    return digest.hexdigest()


CacheOption = CatalogueCache | str | os.PathLike[str] | bool | None
"""How a caller asks for the cache: a :class:`CatalogueCache` or a folder; ``True`` for the one
the environment names (``ONESERVICE_CATALOGUE_CACHE``, else the default folder); ``False`` or
``None`` for none."""


def resolve_cache(option: CacheOption) -> CatalogueCache | None:
    """The cache ``option`` asks for (see :data:`CacheOption`)."""
    if option is None or option is False:
        return None
    if option is True:
        return CatalogueCache.from_environment()
    if isinstance(option, CatalogueCache):
        return option
    return CatalogueCache(Path(option))
