"""Compiled catalogues (oneservice.catalog.cache): hits, misses, corruption, concurrency, safety."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from oneservice import load_catalogue
from oneservice.catalog import cache as cache_module
from oneservice.catalog import loader
from oneservice.catalog.cache import CatalogueCache, default_folder, resolve_cache
from oneservice.catalog.loader import CheckReport, check

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue that a test may change."""
    target = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, target)
    return target


@pytest.fixture
def cache(tmp_path: Path) -> CatalogueCache:
    return CatalogueCache(tmp_path / "cache")


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the calls of the loader's checking pass (parse results in, catalogue out)."""
    calls: list[int] = []
    real = loader._check_documents

    def counting(*args: Any, **kwargs: Any) -> CheckReport:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "_check_documents", counting)
    return calls


def hashes(report: CheckReport) -> dict[str, str]:
    assert report.catalogue is not None
    return {mid: plan.content_hash for mid, plan in report.catalogue.plans.items()}


class TestHitAndMiss:
    def test_second_load_is_a_hit(self, site: Path, cache: CatalogueCache, analysed: list[int]) -> None:
        """Unchanged files: the second load comes from the cache; the files are not checked again."""
        first = check([site], cache=cache)
        second = check([site], cache=cache)
        assert (first.cached, second.cached) == (False, True)
        assert len(analysed) == 1
        assert (cache.misses, cache.hits, cache.writes) == (1, 1, 1)

    def test_cached_equals_fresh(self, cache: CatalogueCache) -> None:
        """The cached catalogue of the shipped workflows equals a fresh one: plans, hashes, texts,
        warnings with their file and line."""
        check([WORKFLOWS], cache=cache)
        cached = check([WORKFLOWS], cache=cache)
        fresh = check([WORKFLOWS])
        assert cached.cached and not fresh.cached
        assert cached.catalogue == fresh.catalogue
        assert hashes(cached) == hashes(fresh)
        assert cached.findings == fresh.findings
        assert [(f.file, f.line) for f in cached.warnings] == [(f.file, f.line) for f in fresh.warnings]
        assert cached.catalogue is not None and fresh.catalogue is not None
        assert cached.catalogue.texts == fresh.catalogue.texts
        assert cached.files == fresh.files

    def test_changed_file_is_a_miss(self, site: Path, cache: CatalogueCache, analysed: list[int]) -> None:
        """One byte changed in one file (same length): checked again, and the new content is
        what loads."""
        before = check([site], cache=cache)
        matter = site / "matters" / "start-a-business.yaml"
        text = matter.read_text(encoding="utf-8")
        assert "  version: 1\n" in text
        matter.write_text(text.replace("  version: 1\n", "  version: 2\n", 1), encoding="utf-8")
        after = check([site], cache=cache)
        assert not after.cached and len(analysed) == 2
        assert after.catalogue is not None
        assert after.catalogue.matter("start-a-business").version == "2"
        changed = {m for m in hashes(before) if hashes(before)[m] != hashes(after)[m]}
        assert changed == {"start-a-business"}

    def test_comment_changed_is_a_miss(self, site: Path, cache: CatalogueCache, analysed: list[int]) -> None:
        """A comment added: checked again (the stored texts must be the files' own)."""
        before = check([site], cache=cache)
        registry = site / "registry.yaml"
        registry.write_text(registry.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        after = check([site], cache=cache)
        assert not after.cached and len(analysed) == 2
        assert after.catalogue is not None
        assert after.catalogue.texts[loader._display_name(registry)].endswith("# edited\n")
        assert hashes(after) == hashes(before)  # a comment does not change what a matter means

    def test_new_file_is_a_miss(self, site: Path, cache: CatalogueCache, analysed: list[int]) -> None:
        """A file added under the folder: checked again, and the new item is in the catalogue."""
        check([site], cache=cache)
        source = next((site / "items").rglob("*.yaml"))
        text = source.read_text(encoding="utf-8")
        code = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                    if line.strip().startswith("code:"))
        (site / "items" / "zz-copy.yaml").write_text(text.replace(code, code + "-copy"), encoding="utf-8")
        after = check([site], cache=cache)
        assert not after.cached and len(analysed) == 2
        assert after.catalogue is not None and code + "-copy" in after.catalogue.items

    def test_removed_file_is_a_miss(self, site: Path, cache: CatalogueCache, analysed: list[int]) -> None:
        """A file removed: checked again (here: an error, since a matter needs the item)."""
        check([site], cache=cache)
        start = (site / "matters" / "start-a-business.yaml").read_text(encoding="utf-8")
        used = next(f for f in (site / "items").rglob("*.yaml")
                    if any(line.strip() == f"code: {code}" for code in _codes_in(start)
                           for line in f.read_text(encoding="utf-8").splitlines()))
        used.unlink()
        after = check([site], cache=cache)
        assert not after.cached and len(analysed) == 2
        assert "OS302" in {f.code for f in after.errors}

    def test_renamed_file_is_a_miss(self, site: Path, cache: CatalogueCache, analysed: list[int]) -> None:
        """The same bytes under another name: another key (findings name the file)."""
        check([site], cache=cache)
        (site / "registry.yaml").rename(site / "registry-renamed.yaml")
        after = check([site], cache=cache)
        assert not after.cached and len(analysed) == 2

    def test_other_library_version_is_a_miss(self, site: Path, cache: CatalogueCache, analysed: list[int],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        """An entry written by another version of the library is never used."""
        check([site], cache=cache)
        real = cache_module._environment_fingerprint()
        monkeypatch.setattr(cache_module, "_environment_fingerprint",
                            lambda: real.replace("oneservice=", "oneservice=0.0.0-other+"))
        after = check([site], cache=cache)
        assert not after.cached and len(analysed) == 2
        assert len(cache.entries()) == 2

    def test_strict_is_another_key(self, cache: CatalogueCache, analysed: list[int]) -> None:
        """A strict check does not take a lenient one's report (OS418 would be missed)."""
        check([FIXTURES / "minimal"], cache=cache)
        strict = check([FIXTURES / "minimal"], cache=cache, strict=True)
        assert not strict.cached and len(analysed) == 2

    def test_errors_are_never_cached(self, cache: CatalogueCache, analysed: list[int]) -> None:
        """A catalogue with an error is checked every time, its findings at their file and line."""
        broken = [FIXTURES / "minimal", FIXTURES / "broken" / "os301-unknown-department.yaml"]
        first = check(broken, cache=cache)
        second = check(broken, cache=cache)
        assert not first.ok and not second.cached and len(analysed) == 2
        assert cache.entries() == []
        [error] = second.errors
        assert (error.code, error.line, error.column) == ("OS301", 6, 3)

    def test_load_catalogue_and_resolve(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """load_catalogue(cache=folder) keeps an entry there; True follows the environment."""
        load_catalogue([FIXTURES / "minimal"], cache=tmp_path / "here")
        assert len(CatalogueCache(tmp_path / "here").entries()) == 1
        monkeypatch.setenv("ONESERVICE_CATALOGUE_CACHE", "off")
        assert resolve_cache(True) is None
        monkeypatch.setenv("ONESERVICE_CATALOGUE_CACHE", str(tmp_path / "env"))
        resolved = resolve_cache(True)
        assert resolved is not None and resolved.folder == tmp_path / "env"
        assert resolve_cache(False) is None and resolve_cache(None) is None
        monkeypatch.setenv("ONESERVICE_CATALOGUE_CACHE_KEEP", "3")
        resolved = resolve_cache(True)
        assert resolved is not None and resolved.keep == 3
        assert default_folder({"XDG_CACHE_HOME": "/x"}) == Path("/x/oneservice/catalogues")


def _codes_in(matter_text: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in matter_text.splitlines()
            if line.strip().startswith("- item:")]


class TestEntries:
    def test_corrupt_entry_is_rebuilt(self, cache: CatalogueCache, analysed: list[int],
                                      caplog: pytest.LogCaptureFixture) -> None:
        """A truncated entry fails its HMAC: never unpickled, checked again and written anew."""
        paths = [FIXTURES / "minimal"]
        check(paths, cache=cache)
        [entry] = cache.entries()
        entry.write_bytes(entry.read_bytes()[:-100])
        with caplog.at_level(logging.WARNING, logger="oneservice.catalog.cache"):
            again = check(paths, cache=cache)
        assert not again.cached and len(analysed) == 2
        assert "corrupt or not ours" in caplog.text
        assert check(paths, cache=cache).cached  # the rewritten entry is good

    def test_forged_entry_is_not_unpickled(self, cache: CatalogueCache,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
        """An entry written without the folder's secret (a valid pickle, wrong HMAC) is refused
        before pickle sees it."""
        paths = [FIXTURES / "minimal"]
        check(paths, cache=cache)
        [entry] = cache.entries()
        blob = entry.read_bytes()
        head = len(cache_module.MAGIC)
        entry.write_bytes(blob[:head] + bytes(32) + blob[head + 32:])
        unpickled: list[int] = []
        monkeypatch.setattr(cache_module.pickle, "loads", lambda *_: unpickled.append(1))
        assert not check(paths, cache=cache).cached
        assert unpickled == []

    def test_prune_keeps_the_last(self, tmp_path: Path) -> None:
        """Beyond ``keep`` entries, the least recently used go."""
        cache = CatalogueCache(tmp_path / "cache", keep=2)
        for n in range(4):
            folder = tmp_path / f"site{n}"
            shutil.copytree(FIXTURES / "minimal", folder)
            check([folder], cache=cache)
            for entry in cache.entries():  # older by a second each round: the order of use shows
                info = entry.stat()
                os.utime(entry, ns=(info.st_atime_ns, info.st_mtime_ns - 10**9))
        assert len(cache.entries()) == 2
        assert check([tmp_path / "site3"], cache=cache).cached
        assert not check([tmp_path / "site0"], cache=cache).cached

    def test_folder_and_secret_modes(self, cache: CatalogueCache) -> None:
        """The folder is created 0700 and its secret 0600."""
        check([FIXTURES / "minimal"], cache=cache)
        assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((cache.folder / "secret").stat().st_mode) == 0o600

    def test_unsafe_folder_is_not_used(self, cache: CatalogueCache, analysed: list[int],
                                       caplog: pytest.LogCaptureFixture) -> None:
        """A folder others may write to is not used (a warning), and the catalogue still loads."""
        check([FIXTURES / "minimal"], cache=cache)
        cache.folder.chmod(0o777)
        other = CatalogueCache(cache.folder)
        with caplog.at_level(logging.WARNING, logger="oneservice.catalog.cache"):
            report = check([FIXTURES / "minimal"], cache=other)
        assert report.ok and not report.cached and len(analysed) == 2
        assert "can be written by others" in caplog.text

    def test_readable_secret_is_not_used(self, cache: CatalogueCache, caplog: pytest.LogCaptureFixture) -> None:
        """A secret others can read could sign a forged entry: not used."""
        check([FIXTURES / "minimal"], cache=cache)
        (cache.folder / "secret").chmod(0o644)
        with caplog.at_level(logging.WARNING, logger="oneservice.catalog.cache"):
            report = check([FIXTURES / "minimal"], cache=CatalogueCache(cache.folder))
        assert report.ok and not report.cached
        assert "can be read by others" in caplog.text

    def test_read_only_folder_still_loads(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
        """A folder that cannot be written: the catalogue loads, with a warning in the log."""
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o700)
        folder.chmod(0o500)
        if os.geteuid() == 0:  # root writes anyway: make the write fail as it would for a user

            def refuse(*_: Any, **__: Any) -> Any:
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr(cache_module.tempfile, "mkstemp", refuse)
        try:
            with caplog.at_level(logging.WARNING, logger="oneservice.catalog.cache"):
                report = check([FIXTURES / "minimal"], cache=CatalogueCache(folder))
        finally:
            folder.chmod(0o700)
        assert report.ok and report.catalogue is not None
        assert "checking the files instead" in caplog.text or "not kept" in caplog.text

    def test_folder_under_a_file(self, tmp_path: Path) -> None:
        """A cache folder that cannot be created: the catalogue loads all the same."""
        (tmp_path / "file").write_text("x")
        report = check([FIXTURES / "minimal"], cache=CatalogueCache(tmp_path / "file" / "sub"))
        assert report.ok and not report.cached


def _start(folder: str, site: str, ready: Any, go: Any, out: Any) -> None:
    """One process starting: load the catalogue through the cache, send back its hashes."""
    cache = CatalogueCache(Path(folder))
    ready.put(1)
    go.wait()
    report = check([site], cache=cache)
    assert report.catalogue is not None
    out.put((report.cached, sorted((m, p.content_hash) for m, p in report.catalogue.plans.items())))


class TestConcurrentStarts:
    def test_processes_starting_at_once(self, site: Path, tmp_path: Path) -> None:
        """Four processes starting at once on an empty cache each get the same catalogue: one
        checks the files, the three others wait for it and load its entry; one valid entry and
        no partly written file are left."""
        folder = tmp_path / "cache"
        context = multiprocessing.get_context("spawn")
        ready, out, go = context.Queue(), context.Queue(), context.Event()
        processes = [context.Process(target=_start, args=(str(folder), str(site), ready, go, out))
                     for _ in range(4)]
        for process in processes:
            process.start()
        for _ in processes:  # every process imported and waiting: they start together
            ready.get(timeout=300)
        go.set()
        results = [out.get(timeout=300) for _ in processes]
        for process in processes:
            process.join(timeout=60)
            assert process.exitcode == 0
        fresh = check([site])
        expected = sorted(hashes(fresh).items())
        assert [r[1] for r in results] == [expected] * 4
        assert sorted(r[0] for r in results) == [False, True, True, True]
        cache = CatalogueCache(folder)
        assert len(cache.entries()) == 1
        assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
        again = check([site], cache=cache)
        assert again.cached and hashes(again) == hashes(fresh)

    def test_waiter_loads_what_the_builder_stored(self, site: Path, cache: CatalogueCache,
                                                  analysed: list[int]) -> None:
        """A process that finds the lock held waits, then loads the entry stored meanwhile
        instead of checking the files (here the builder is this test, holding the lock)."""
        key = cache.key([(n, r) for n, r in _sources(site)])
        report = check([site])
        with cache.building(key):
            cache.put(key, report)
            assert cache.recheck(key) is not None
        assert check([site], cache=cache).cached
        assert len(analysed) == 1  # only the first check(), without the cache


def _sources(site: Path) -> list[tuple[str, bytes]]:
    files, problems = loader._discover([site])
    assert not problems
    return [(name, file.read_bytes()) for file, name in zip(files, loader._display_names(files), strict=True)]
