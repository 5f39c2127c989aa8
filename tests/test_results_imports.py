"""`derisk db status` answers with a typed record built by the import service, not a dict the
CLI assembles from the store (the same record for the CLI's --json and the Python caller)."""

from __future__ import annotations

from pathlib import Path

from derisk.services import imports
from derisk.services.results import imports as import_results
from derisk.store import DuckStore
from tests.conftest import Cli
from tests.test_results import conforms


def test_db_status_is_a_typed_record_equal_to_the_cli_json(fresh_db: Path) -> None:
    cli = Cli(fresh_db)
    imported = cli.json("import", "example", "products")
    printed = cli.json("db", "status")
    with DuckStore(fresh_db, read_only=True) as store:
        res = imports.db_status(store)
    assert isinstance(res, import_results.DbStatus)
    assert all(isinstance(d, import_results.DbDataset) for d in res.datasets)
    assert res.to_json() == printed
    assert conforms(res) == printed  # the JSON matches the record's SCHEMA
    names = [d.name for d in res.datasets]
    assert "example-products" in names and names == sorted(names)
    example = next(d for d in res.datasets if d.name == "example-products")
    assert example.rows == sum(imported["rows"].values())  # what the import wrote
    frame = res.to_frame()
    assert list(frame["name"]) == names


def test_usgs_import_is_a_typed_record_equal_to_the_cli_json(
    fresh_db: Path, tmp_path: Path
) -> None:
    """The USGS importer's report reaches the CLI as one record (files, rows, skipped by
    reason), built by the import service; the same import through the service prints alike."""
    import shutil

    subset = (
        Path(__file__).resolve().parents[1] / "data/sources/usgs_mcs2026_official_fixture_subset"
    )
    files = sorted(subset.glob("*.csv"))
    twin = tmp_path / "twin.duckdb"
    shutil.copyfile(fresh_db, twin)
    printed = Cli(fresh_db).json("import", "usgs-mcs", *map(str, files), "--dataset", "mcs")
    with DuckStore(twin) as store:
        res = imports.import_usgs(store, files, dataset="mcs")
    assert isinstance(res, import_results.UsgsImportResult)
    got, want = conforms(res), dict(printed)
    got.pop("seconds"), want.pop("seconds")
    assert got == want
    assert [f["records"] for f in printed["files"]] == [f.records_ for f in res.files]
    assert res.skipped.total == sum(g.count for g in res.skipped.by_reason) > 0
    assert list(res.to_frame()["file"]) == [f.file for f in res.files]
