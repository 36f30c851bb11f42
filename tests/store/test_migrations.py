"""Versioned migrations: a new store, an upgrade, refusal of a newer store, broken migration files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import palermo
from palermo.errors import MigrationError, StoreError, StoreVersionError
from palermo.store import Store, latest_version, migrations


def test_new_store_has_every_migration(tmp_path: Path) -> None:
    with palermo.open(tmp_path / "p.duckdb") as ws:
        versions = [
            r[0] for r in ws.store.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        ]
        assert versions == list(range(1, latest_version() + 1))
        assert ws.store.schema_version == latest_version()
        assert {"datasets", "store_meta"} <= set(ws.store.tables())


def test_shipped_migrations_are_numbered_without_gaps() -> None:
    found = migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert all(m.sql.strip() for m in found)


def test_older_store_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with Store(path, upgrade_to=1) as old:
        assert old.schema_version == 1
        old.execute("INSERT INTO store_meta VALUES ('created_by', 'test')")
    if latest_version() == 1:
        pytest.skip("only one migration ships; nothing to upgrade to")
    with palermo.open(path) as ws:
        assert ws.store.schema_version == latest_version()
        assert ws.store.scalar("SELECT value FROM store_meta WHERE key = 'created_by'") == "test"


def test_upgrade_with_custom_migrations(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    path = tmp_path / "s.duckdb"
    with Store(path, migrations_dir=folder) as store:
        store.execute("INSERT INTO a VALUES (1), (2)")
    (folder / "0002_second.sql").write_text("ALTER TABLE a ADD COLUMN y VARCHAR; CREATE TABLE b (z INTEGER);")
    with Store(path, migrations_dir=folder) as store:
        assert store.schema_version == 2
        assert store.count("a") == 2
        assert "b" in store.tables()


def test_newer_store_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with palermo.open(path) as ws:
        ws.store.execute(
            "INSERT INTO schema_version (version, name, palermo_version) VALUES (?, 'from_the_future', '99.0')",
            [latest_version() + 1],
        )
    before = path.read_bytes()
    with pytest.raises(StoreVersionError, match=rf"schema version {latest_version() + 1}.*upgrade Palermo"):
        palermo.open(path)
    assert path.read_bytes() == before


def test_failed_migration_leaves_previous_version(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    path = tmp_path / "s.duckdb"
    Store(path, migrations_dir=folder).close()
    (folder / "0002_broken.sql").write_text("CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;")
    with pytest.raises(MigrationError, match="0002_broken failed"):
        Store(path, migrations_dir=folder)
    con = duckdb.connect(str(path))
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "half" not in tables
    finally:
        con.close()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"1_bad.sql": "SELECT 1"}, "name must look like"),
        ({"0001_a.sql": "SELECT 1", "0003_c.sql": "SELECT 1"}, "expected number 0002"),
    ],
)
def test_malformed_migration_folder(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, sql in files.items():
        (tmp_path / name).write_text(sql)
    with pytest.raises(MigrationError, match=message):
        migrations(tmp_path)


def test_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        palermo.open(junk)
    with pytest.raises(StoreError, match="is a folder"):
        palermo.open(tmp_path)


def test_default_location_follows_palermo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PALERMO_HOME", str(tmp_path / "elsewhere"))
    with palermo.open() as ws:
        assert ws.path == tmp_path / "elsewhere" / "palermo.duckdb"
    monkeypatch.delenv("PALERMO_HOME")
    monkeypatch.chdir(tmp_path)
    with palermo.open() as ws:
        assert ws.path == Path(".palermo") / "palermo.duckdb"
        assert (tmp_path / ".palermo" / "palermo.duckdb").exists()
