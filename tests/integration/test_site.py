"""A site from the package: ``init``, ``migrate [--sql]``, OS730 on a schema behind the code, ``--db``."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from oneservice import SchemaOutOfDate, Store
from oneservice.cli import main
from oneservice.cli.options import open_service
from oneservice.cli.site import STARTER, starter_files
from oneservice.store.schema import open_schema, require_current, schema_status

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def behind(url: str) -> None:
    """A database migrated to 0002 only: behind the code."""
    from alembic import command
    from alembic.config import Config

    store = Store(url)
    config = Config()
    config.set_main_option("script_location", str(ROOT / "oneservice" / "store" / "migrations"))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    store.dispose()


class TestInit:
    def test_starter_site_checks_and_runs_the_demo(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """init DIR, then check and demo in DIR, as a team does after installing the wheel."""
        code, out = invoke("init", str(tmp_path / "site"))
        assert code == 0, out
        monkeypatch.chdir(tmp_path / "site")
        code, out = invoke("check")
        assert code == 0, out
        assert "2 matter(s)" in out
        code, out = invoke("demo", "start-a-business", "--lang", "en")
        assert code == 0, out
        assert "State: Closed" in out.splitlines()

    def test_init_refuses_to_overwrite(self, tmp_path: Path) -> None:
        """A second init into the same folder writes nothing and names what exists."""
        assert invoke("init", str(tmp_path))[0] == 0
        (tmp_path / "workflows" / "registry.yaml").write_text("mine\n")
        code, out = invoke("init", str(tmp_path))
        assert code == 1
        assert "exist(s) already; nothing written" in out
        assert (tmp_path / "workflows" / "registry.yaml").read_text() == "mine\n"
        assert invoke("init", str(tmp_path), "--force")[0] == 0
        assert (tmp_path / "workflows" / "registry.yaml").read_text() != "mine\n"

    @pytest.mark.parametrize("name", [f for f in starter_files()
                                      if f.parts[0] == "workflows" and f.parts[1] != "calendars"])
    def test_starter_definitions_are_the_shipped_ones(self, name: Path) -> None:
        """The starter's registry, matters and items are byte for byte those of workflows/."""
        assert (STARTER / name).read_bytes() == (ROOT / name).read_bytes()


class TestMigrate:
    def test_migrate_creates_then_does_nothing(self, tmp_path: Path) -> None:
        db = tmp_path / "site.sqlite"
        code, out = invoke("migrate", "--db", str(db))
        assert code == 0, out
        assert "(empty) →" in out
        code, out = invoke("migrate", "--db", f"sqlite:///{db}")  # a URL or a path: the same database
        assert "nothing to do" in out

    def test_sql_is_printed_without_touching_a_database(self, tmp_path: Path) -> None:
        code, out = invoke("migrate", "--sql", "--db", str(tmp_path / "none.sqlite"))
        assert code == 0, out
        assert "CREATE TABLE cases" in out
        assert not (tmp_path / "none.sqlite").exists()
        code, out = invoke("migrate", "--sql", "--db", "postgresql+psycopg://u@h/db", "--from", "0002")
        assert code == 0, out
        assert "CREATE TABLE cases" not in out
        assert "UPDATE alembic_version SET version_num='0003'" in out


class TestSchemaOutOfDate:
    @pytest.mark.parametrize("command", [
        ["report"], ["supervise"], ["demo", "start-a-business"],
        ["serve", "--port", "0"],
    ])
    def test_commands_refuse_a_schema_behind(self, tmp_path: Path, command: list[str]) -> None:
        """Every command that opens the database stops with OS730 on a schema behind the code."""
        db = tmp_path / "old.sqlite"
        behind(f"sqlite:///{db}")
        code, out = invoke(*command, "--workflows", str(ROOT / "workflows"), "--db", str(db))
        assert code == 1, out
        assert "OS730" in out
        assert "oneservice migrate" in out
        assert not db.with_suffix(".secret").exists()  # serve wrote no secret before failing

    def test_serve_migrate_brings_it_to_head(self, tmp_path: Path) -> None:
        """open_service(migrate=True) — what serve --migrate does before listening."""
        db = tmp_path / "old.sqlite"
        behind(f"sqlite:///{db}")
        service = open_service(str(ROOT / "workflows"), str(db), migrate=True)
        assert schema_status(service.store).up_to_date
        service.store.dispose()

    def test_unknown_revision_is_refused(self, tmp_path: Path) -> None:
        """A schema a newer oneservice migrated: OS730, naming the revision."""
        db = tmp_path / "new.sqlite"
        store = Store(f"sqlite:///{db}")
        store.migrate()
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(SchemaOutOfDate, match="9999") as caught:
            open_schema(store, migrate=True)
        assert caught.value.code == "OS730"
        store.dispose()
        code, out = invoke("migrate", "--db", str(db))
        assert code == 1 and "unknown to this version" in out

    @pytest.mark.postgres
    def test_postgresql_schema_behind(self) -> None:
        url = os.environ.get("ONESERVICE_TEST_DATABASE_URL")
        if not url:
            pytest.skip("ONESERVICE_TEST_DATABASE_URL is not set")
        schema = f"oneservice_site_{uuid.uuid4().hex[:10]}"
        store = Store(url, schema=schema)
        try:
            with store.engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            assert schema_status(store).empty
            store.migrate()
            assert require_current(store).up_to_date
            with store.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
            with pytest.raises(SchemaOutOfDate, match="behind"):
                require_current(store)
        finally:
            store.drop_schema()
            store.dispose()


class TestPrivateFiles:
    def test_sqlite_file_is_created_0600(self, tmp_path: Path) -> None:
        """The database file (names, full ID numbers, phones) is readable by its owner only."""
        old = os.umask(0o022)
        try:
            db = tmp_path / "private.sqlite"
            store = Store(f"sqlite:///{db}")
            store.migrate()
            store.dispose()
        finally:
            os.umask(old)
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        for extra in db.parent.glob("private.sqlite-*"):  # journal/WAL, if any are left
            assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0


class TestEmptyFolder:
    @pytest.mark.parametrize("command", [["check"], ["demo"], ["serve", "--port", "0"], ["report"]])
    def test_commands_point_at_init(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
        """In an empty folder every command says how to start (oneservice init) and writes nothing."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("ONESERVICE_SECRET", raising=False)
        code, out = invoke(*command)
        assert code == 1
        assert "oneservice init" in out
        assert list(tmp_path.iterdir()) == []
