"""Bulk stake loading with DuckDB's native CSV and Parquet readers (for millions of stakes).

The file has the stake columns (``fact_id, owner_id, owned_id, interest, percent, source_id``
and optionally ``valid_from, valid_to, note``). It is read into a temporary table, checked in
SQL (required values, interest, percent 0-100, dates, known sources), and inserted in the same
transaction: a bad file changes nothing, and the first problems name their row and column.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from derisk.data.csvio import ImportFailed, Problem
from derisk.data.loader import LoadReport
from derisk.errors import BadInputError
from derisk.model.schema import Interest
from derisk.progress import Progress
from derisk.store.base import Store
from derisk.store.base import first_row as one_row

REQUIRED = ("fact_id", "owner_id", "owned_id", "interest", "percent", "source_id")
OPTIONAL = ("valid_from", "valid_to", "note")
SHOWN = 20


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', header = true, all_varchar = true)"


def load_stakes_bulk(
    store: Store,
    path: Path,
    *,
    dataset: str = "bulk",
    replace: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Load stakes from a CSV or Parquet file in one transaction (see the module doc)."""
    t0 = time.perf_counter()
    con: Any = getattr(store, "con", None)
    if con is None:
        raise BadInputError("bulk loading needs the DuckDB store")
    if not path.exists():
        raise ImportFailed([Problem(path.name, 0, "-", "file not found")])
    name = path.name
    total = path.stat().st_size
    first_row = 2 if path.suffix.lower() not in (".parquet", ".pq") else 1
    with store.writer(dataset) as w:
        if replace:
            w.delete_dataset(dataset)
        con.execute("DROP TABLE IF EXISTS _bulk_stakes")
        con.execute(
            "CREATE TEMP TABLE _bulk_stakes AS SELECT row_number() OVER () + "
            f"{first_row - 1} AS _row, * FROM {_reader(path)}"
        )
        if progress:
            progress(f"reading {name}", total // 2, total)
        cols = {r[0] for r in con.execute("DESCRIBE _bulk_stakes").fetchall()}
        missing = [c for c in REQUIRED if c not in cols]
        unknown = sorted(cols - set(REQUIRED) - set(OPTIONAL) - {"_row"})
        problems: list[Problem] = []
        if missing:
            problems.append(Problem(name, 1, ", ".join(missing), "missing required column(s)"))
        if unknown:
            problems.append(Problem(name, 1, ", ".join(unknown), "unknown column(s) for Stake"))
        if problems:
            raise ImportFailed(problems)
        interests = ", ".join(f"'{i.value}'" for i in Interest)
        checks = [
            *(
                (c, f"{c} IS NULL OR trim(CAST({c} AS VARCHAR)) = ''", "required value is empty")
                for c in REQUIRED
            ),
            (
                "interest",
                f"interest NOT IN ({interests})",
                "not one of: board, debt, equity, voting",
            ),
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
                checks.append(
                    (c, f"{c} IS NOT NULL AND TRY_CAST({c} AS DATE) IS NULL", "not a date")
                )
        for col, cond, msg in checks:
            for row, val in con.execute(
                f"SELECT _row, CAST({col} AS VARCHAR) FROM _bulk_stakes WHERE {cond} "
                f"ORDER BY _row LIMIT {SHOWN}"
            ).fetchall():
                problems.append(Problem(name, int(row), col, f"{val!r}: {msg}"))
            if len(problems) >= SHOWN:
                break
        if problems:
            raise ImportFailed(problems)
        opt = {c: (f"TRY_CAST({c} AS DATE)" if c != "note" else "CAST(note AS VARCHAR)")
               if c in cols else "NULL" for c in OPTIONAL}  # fmt: skip
        n = one_row(
            con.execute(
                "INSERT INTO stake (fact_id, owner_id, owned_id, interest, percent, source_id, "
                "valid_from, valid_to, note, dataset) SELECT CAST(fact_id AS VARCHAR), "
                "CAST(owner_id AS VARCHAR), CAST(owned_id AS VARCHAR), CAST(interest AS VARCHAR), "
                f"CAST(percent AS DOUBLE), CAST(source_id AS VARCHAR), {opt['valid_from']}, "
                f"{opt['valid_to']}, {opt['note']}, ? FROM _bulk_stakes",
                [dataset],
            )
        )
        rows = int(n[0]) if n else 0
        con.execute("DROP TABLE _bulk_stakes")
        w.record_dataset(dataset, str(path), rows)
    if progress:
        progress(f"reading {name}", total, total)
    return LoadReport(dataset, {"stake": rows}, time.perf_counter() - t0)
