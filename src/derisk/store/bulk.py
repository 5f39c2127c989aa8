"""Bulk stake loading on DuckDB's native CSV and Parquet readers: a file staged into a
temporary table, checked in SQL, and inserted into ``stake``, all inside the caller's write
transaction (see :mod:`derisk.data.importers.bulk`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from derisk.errors import BadInputError
from derisk.model.schema import Interest
from derisk.store.base import Store, first_row

REQUIRED = ("fact_id", "owner_id", "owned_id", "interest", "percent", "source_id")
OPTIONAL = ("valid_from", "valid_to", "note")


class BulkProblem(NamedTuple):
    """A bad value of the staged file: its row (as the file counts them), column, message."""

    row: int
    column: str
    message: str


def _con(store: Store) -> Any:
    con = getattr(store, "con", None)
    if con is None:
        raise BadInputError("bulk loading needs the DuckDB store")
    return con


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', header = true, all_varchar = true)"


def check_bulk_store(store: Store) -> None:
    """Refuse a store that cannot bulk load."""
    _con(store)


def stage_stakes(store: Store, path: Path, first: int) -> set[str]:
    """Read ``path`` into the staging table (rows numbered from ``first``); its columns."""
    con = _con(store)
    con.execute("DROP TABLE IF EXISTS _bulk_stakes")
    con.execute(
        "CREATE TEMP TABLE _bulk_stakes AS SELECT row_number() OVER () + "
        f"{first - 1} AS _row, * FROM {_reader(path)}"
    )
    return {str(r[0]) for r in con.execute("DESCRIBE _bulk_stakes").fetchall()}


def staged_problems(store: Store, cols: set[str], shown: int) -> list[BulkProblem]:
    """The first ``shown`` bad values of the staged stakes (required values, interest, percent
    0-100, dates, known sources)."""
    con = _con(store)
    interests = ", ".join(f"'{i.value}'" for i in Interest)
    checks = [
        *(
            (c, f"{c} IS NULL OR trim(CAST({c} AS VARCHAR)) = ''", "required value is empty")
            for c in REQUIRED
        ),
        ("interest", f"interest NOT IN ({interests})", "not one of: board, debt, equity, voting"),
        (
            "percent",
            "TRY_CAST(percent AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(percent AS DOUBLE)) "
            "OR TRY_CAST(percent AS DOUBLE) < 0 OR TRY_CAST(percent AS DOUBLE) > 100",
            "not a number between 0 and 100",
        ),
        (
            "source_id",
            "source_id NOT IN (SELECT source_id FROM source)",
            "unknown source (import its sources first)",
        ),
    ]
    for c in ("valid_from", "valid_to"):
        if c in cols:
            checks.append((c, f"{c} IS NOT NULL AND TRY_CAST({c} AS DATE) IS NULL", "not a date"))
    out: list[BulkProblem] = []
    for col, cond, msg in checks:
        for row, val in con.execute(
            f"SELECT _row, CAST({col} AS VARCHAR) FROM _bulk_stakes WHERE {cond} "
            f"ORDER BY _row LIMIT {shown}"
        ).fetchall():
            out.append(BulkProblem(int(row), col, f"{val!r}: {msg}"))
        if len(out) >= shown:
            break
    return out


def insert_staged_stakes(store: Store, dataset: str, cols: set[str]) -> int:
    """Insert the staged stakes under ``dataset``, drop the staging table; how many rows."""
    con = _con(store)
    opt = {c: (f"TRY_CAST({c} AS DATE)" if c != "note" else "CAST(note AS VARCHAR)")
           if c in cols else "NULL" for c in OPTIONAL}  # fmt: skip
    n = first_row(
        con.execute(
            "INSERT INTO stake (fact_id, owner_id, owned_id, interest, percent, source_id, "
            "valid_from, valid_to, note, dataset) SELECT CAST(fact_id AS VARCHAR), "
            "CAST(owner_id AS VARCHAR), CAST(owned_id AS VARCHAR), CAST(interest AS VARCHAR), "
            f"CAST(percent AS DOUBLE), CAST(source_id AS VARCHAR), {opt['valid_from']}, "
            f"{opt['valid_to']}, {opt['note']}, ? FROM _bulk_stakes",
            [dataset],
        )
    )
    con.execute("DROP TABLE _bulk_stakes")
    return int(n[0]) if n else 0
