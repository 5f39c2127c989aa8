"""Bulk stake loading with DuckDB's native CSV and Parquet readers (for millions of stakes).

The file has the stake columns (``fact_id, owner_id, owned_id, interest, percent, source_id``
and optionally ``valid_from, valid_to, note``). It is read into a temporary table, checked in
SQL (required values, interest, percent 0-100, dates, known sources), and inserted in the same
transaction: a bad file changes nothing, and the first problems name their row and column.
"""

from __future__ import annotations

import time
from pathlib import Path

from derisk.data.csvio import ImportFailed, Problem
from derisk.data.loader import LoadReport
from derisk.progress import Progress
from derisk.store.base import Store
from derisk.store.bulk import (
    OPTIONAL,
    REQUIRED,
    check_bulk_store,
    insert_staged_stakes,
    stage_stakes,
    staged_problems,
)

SHOWN = 20


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
    check_bulk_store(store)
    if not path.exists():
        raise ImportFailed([Problem(path.name, 0, "-", "file not found")])
    name = path.name
    total = path.stat().st_size
    first_row = 2 if path.suffix.lower() not in (".parquet", ".pq") else 1
    with store.writer(dataset) as w:
        if replace:
            w.delete_dataset(dataset)
        cols = stage_stakes(store, path, first_row)
        if progress:
            progress(f"reading {name}", total // 2, total)
        missing = [c for c in REQUIRED if c not in cols]
        unknown = sorted(cols - set(REQUIRED) - set(OPTIONAL) - {"_row"})
        problems: list[Problem] = []
        if missing:
            problems.append(Problem(name, 1, ", ".join(missing), "missing required column(s)"))
        if unknown:
            problems.append(Problem(name, 1, ", ".join(unknown), "unknown column(s) for Stake"))
        if problems:
            raise ImportFailed(problems)
        problems = [
            Problem(name, p.row, p.column, p.message) for p in staged_problems(store, cols, SHOWN)
        ]
        if problems:
            raise ImportFailed(problems)
        rows = insert_staged_stakes(store, dataset, cols)
        w.record_dataset(dataset, str(path), rows)
    if progress:
        progress(f"reading {name}", total, total)
    return LoadReport(dataset, {"stake": rows}, time.perf_counter() - t0)
