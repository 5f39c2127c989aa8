"""The derisk CSV importer: clean errors naming file, row and field; atomic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from derisk.data.csvio import ImportFailed
from derisk.data.loader import import_csv, load_files
from derisk.store import DuckStore

HEADER = "fact_id,material_id,stage_id,measure,country,year,quantity,unit,status,source_id,raw"
SOURCE = (
    "source_id,publisher,title,url,published,confidence,precedence\n"
    "my-survey,Example Ministry,Survey of antimony smelters 2025,https://example.org/s,"
    "2026-03-01,M,45\n"
)


def snapshot(path: Path) -> str:
    """A checksum of every table's content."""
    with DuckStore(path, read_only=True) as s:
        h = hashlib.sha256()
        for t in sorted(s.status().counts):
            for row in s.sql(f"SELECT * FROM {t} ORDER BY ALL"):
                h.update(repr(row).encode())
        return h.hexdigest()


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def good_rows() -> str:
    return (
        HEADER + "\n"
        "s1,antimony,refining,production,CHN,2025,60000,t,estimated,my-survey,60000\n"
        "s2,antimony,refining,production,BEL,2025,,t,withheld,my-survey,W\n"
        "s3,antimony,refining,production,WLD,2025,100000,t,estimated,my-survey,100000\n"
    )


def test_import_sources_then_facts(fresh_db: Path, tmp_path: Path) -> None:
    with DuckStore(fresh_db) as s:
        import_csv(s, "sources", write(tmp_path, "sources.csv", SOURCE), dataset="mine")
        rep = import_csv(s, "production", write(tmp_path, "p.csv", good_rows()), dataset="mine")
        assert rep.rows == {"production": 3}
        rows = s.sql(
            "SELECT country, quantity, status FROM production WHERE source_id='my-survey' "
            "ORDER BY country"
        )
    assert rows == [
        ("BEL", None, "withheld"),
        ("CHN", 60000.0, "estimated"),
        ("WLD", 100000.0, "estimated"),
    ]


@pytest.mark.parametrize(
    ("body", "row", "field", "words"),
    [
        (
            "fact_id,material_id,stage_id,measure,country,year,unit,status,source_id\n"
            "x,antimony,mining,production,CHN,2025,t,reported,my-survey\n",
            1,
            "quantity",
            "missing required column",
        ),
        (
            HEADER + "\nx,antimony,mining,production,CHN,2025,12;5,t,reported,my-survey,\n",
            2,
            "quantity",
            "not a valid float",
        ),
        (
            HEADER + "\nx,antimony,mining,production,XYZ,2025,1,t,reported,my-survey,\n",
            2,
            "country",
            "unknown ISO alpha-3 country",
        ),
        (
            HEADER + "\nx,antimony,mining,production,CHN,2025,1,t,reported,my-survey,\n"
            "y,antimony,mining,production,CHN,2025,2,t,reported,my-survey,\n",
            3,
            "material_id,stage_id,measure,country,year,source_id",
            "duplicate key",
        ),
        (
            HEADER + "\nx,antimony,mining,production,CHN,2025,1,t,guessed,my-survey,\n",
            2,
            "status",
            "is not one of",
        ),
        (
            HEADER + "\nx,antimony,mining,production,CHN,2025,5,t,withheld,my-survey,W\n",
            2,
            "quantity",
            "must be empty when status is withheld",
        ),
        (
            HEADER + "\nx,unobtainium,mining,production,CHN,2025,1,t,reported,my-survey,\n",
            2,
            "material_id",
            "unknown material",
        ),
        (
            HEADER + "\nx,antimony,smelting,production,CHN,2025,1,t,reported,my-survey,\n",
            2,
            "stage_id",
            "has no stage",
        ),
        (
            HEADER + "\nx,antimony,mining,production,CHN,2025,1,t,reported,nobody,\n",
            2,
            "source_id",
            "unknown source",
        ),
        (
            HEADER + "\nx,antimony,mining,production,CHN,twenty,1,t,reported,my-survey,\n",
            2,
            "year",
            "not a valid int",
        ),
    ],
)
def test_malformed_file_is_refused_and_changes_nothing(
    fresh_db: Path, tmp_path: Path, body: str, row: int, field: str, words: str
) -> None:
    with DuckStore(fresh_db) as s:
        import_csv(s, "sources", write(tmp_path, "sources.csv", SOURCE), dataset="mine")
    before = snapshot(fresh_db)
    bad = write(tmp_path, "bad.csv", body)
    with DuckStore(fresh_db) as s, pytest.raises(ImportFailed) as err:
        import_csv(s, "production", bad, dataset="mine")
    probs = err.value.problems
    assert any(
        p.file.endswith("bad.csv") and p.row == row and p.field == field and words in p.message
        for p in probs
    ), probs
    assert "bad.csv" in str(err.value) and f"row {row}" in str(err.value)
    assert snapshot(fresh_db) == before


def test_good_file_with_one_bad_file_writes_nothing(fresh_db: Path, tmp_path: Path) -> None:
    before = snapshot(fresh_db)
    files = [
        (write(tmp_path, "sources.csv", SOURCE), "sources"),
        (write(tmp_path, "good.csv", good_rows()), "production"),
        (
            write(
                tmp_path,
                "bad.csv",
                HEADER + "\nx,antimony,mining,production,CHN,2025,-4,t,reported,my-survey,\n",
            ),
            "production",
        ),
    ]
    with DuckStore(fresh_db) as s, pytest.raises(ImportFailed, match="must not be negative"):
        load_files(s, files, dataset="mine")
    assert snapshot(fresh_db) == before


def test_failure_inside_the_write_rolls_back(fresh_db: Path, tmp_path: Path) -> None:
    """An error raised while writing (after validation) leaves the store unchanged."""
    before = snapshot(fresh_db)
    with DuckStore(fresh_db) as s, pytest.raises(RuntimeError), s.writer("mine") as w:
        w.delete_dataset("bundled")
        raise RuntimeError("disk full")
    assert snapshot(fresh_db) == before


def test_missing_file_and_unknown_kind(fresh_db: Path, tmp_path: Path) -> None:
    with DuckStore(fresh_db) as s:
        with pytest.raises(ImportFailed, match="file not found"):
            import_csv(s, "production", tmp_path / "nope.csv")
        with pytest.raises(ImportFailed, match="unknown kind"):
            import_csv(s, "widgets", write(tmp_path, "w.csv", "a\n1\n"))


def test_cli_import_reports_row_and_field(fresh_db: Path, tmp_path: Path) -> None:
    from tests.conftest import Cli

    cli = Cli(fresh_db)
    cli.run("import", "csv", "sources", str(write(tmp_path, "sources.csv", SOURCE)))
    bad = write(
        tmp_path,
        "bad.csv",
        HEADER + "\nx,antimony,mining,production,ZZZ,2025,1,t,reported,my-survey,\n",
    )
    out = cli.json("import", "csv", "production", str(bad), code=1)
    assert out["error"]["kind"] == "import-refused"
    assert out["error"]["problems"][0] == {
        "file": "bad.csv",
        "row": 2,
        "field": "country",
        "message": "unknown ISO alpha-3 country 'ZZZ'",
    }
