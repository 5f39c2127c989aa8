"""The DuckDB store: creation, schema version, migrations, read-only use, datasets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from derisk.model.schema import TABLES, Source
from derisk.store import SCHEMA_VERSION, DuckStore, StoreError, default_db_path, open_store


def test_new_store_has_every_table_and_version(tmp_path: Path) -> None:
    with DuckStore(tmp_path / "a.duckdb") as s:
        st = s.status()
        assert st.schema_version == SCHEMA_VERSION
        assert set(TABLES) <= set(st.counts)


def test_read_only_open_of_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="derisk db init"):
        DuckStore(tmp_path / "missing.duckdb", read_only=True)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.duckdb"
    DuckStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(StoreError, match="newer than this derisk"):
        DuckStore(path)


def test_missing_table_is_created_on_open(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    DuckStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE stake")
    con.close()
    with pytest.raises(StoreError, match="lacks tables"):
        DuckStore(path, read_only=True)
    with DuckStore(path) as s:  # a writable open adds the missing table
        assert s.status().counts["stake"] == 0


def test_typed_rows_round_trip(tmp_path: Path) -> None:
    src = Source("s1", "Pub", "Title", "https://x", dt.date(2026, 1, 30), "q", "H", 10)
    with DuckStore(tmp_path / "d.duckdb") as s:
        with s.writer("ds") as w:
            w.add([src])
            w.record_dataset("ds", "test", 1)
        assert s.rows(Source) == [src]
        assert s.rows(Source, {"publisher": "Pub"}) == [src]
        assert s.rows(Source, {"publisher": "Other"}) == []
        with pytest.raises(KeyError):
            s.rows(Source, {"nope": 1})
        with s.writer("ds") as w:
            assert w.delete_dataset("ds") == 1
        assert s.rows(Source) == []


def test_default_path_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DERISK_DB", str(tmp_path / "env.duckdb"))
    assert default_db_path() == tmp_path / "env.duckdb"
    open_store().close()
    assert (tmp_path / "env.duckdb").exists()
    monkeypatch.delenv("DERISK_DB")
    assert default_db_path().name == "derisk.duckdb"


def test_table_made_by_another_build_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "e.duckdb"
    DuckStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE stake RENAME COLUMN percent TO pct")
    con.close()
    with pytest.raises(StoreError, match=r"stake.*derisk db reset"):
        DuckStore(path)
