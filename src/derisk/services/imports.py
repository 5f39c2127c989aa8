"""One import service: every file import runs here and answers with a typed result.

The CLI commands ``derisk import csv|bods|ftm|stakes-bulk`` and ``derisk db init|reset``
call :func:`import_file` / :func:`init_database`; the trade importers' reports become
records through :func:`trade_result` and :func:`comext_result`. Each import is atomic (a bad
file changes nothing) and its problems name file, row and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from derisk.data.importers.comext import ComextImport
from derisk.data.importers.trade_common import TradeImport
from derisk.data.importers.usgs_mcs import ImportReport as UsgsReport
from derisk.data.importers.usgs_mcs import import_usgs_mcs
from derisk.data.loader import LoadReport, build_database, import_csv
from derisk.errors import BadInputError
from derisk.model.record import ABSENT
from derisk.progress import Progress
from derisk.services.results.imports import (
    ComextImportResult,
    DbDataset,
    DbInitResult,
    DbStatus,
    ImportResult,
    TradeImportResult,
    UsgsFile,
    UsgsImportResult,
    UsgsSkipGroup,
    UsgsSkipped,
)
from derisk.store import SCHEMA_VERSION
from derisk.store.base import Store

__all__ = [
    "FORMATS",
    "Format",
    "comext_result",
    "import_file",
    "import_result",
    "init_database",
    "trade_result",
]

#: the file formats :func:`import_file` reads
Format = Literal["csv", "bods", "ftm", "stakes-bulk"]
FORMATS: tuple[Format, ...] = ("csv", "bods", "ftm", "stakes-bulk")


def db_status(store: Store) -> DbStatus:
    """Schema version, rows per table and the loaded datasets of ``store``."""
    st = store.status()
    return DbStatus(
        path=st.path,
        schema_version=st.schema_version,
        expected_version=st.expected_version,
        counts=dict(st.counts),
        datasets=tuple(
            DbDataset(name=d.name, origin=d.origin, rows=d.rows, loaded_at=d.loaded_at)
            for d in st.datasets
        ),
    )


def usgs_result(rep: UsgsReport) -> UsgsImportResult:
    """A USGS MCS import's report as the result the front ends print."""
    return UsgsImportResult(
        dataset=rep.dataset,
        replace=rep.replace,
        files=tuple(
            UsgsFile(
                file=f.file,
                layout=f.layout,
                source_id=f.source_id,
                source_reused=f.source_reused,
                records_=f.records,
                rows=dict(f.rows),
                already_present=f.already_present,
                skipped=f.skipped,
            )
            for f in rep.files
        ),
        rows=dict(rep.rows),
        already_present=rep.already_present,
        skipped=UsgsSkipped(
            total=len(rep.skipped),
            by_reason=tuple(
                UsgsSkipGroup(
                    file=g["file"], reason=g["reason"], count=g["count"], rows=tuple(g["rows"])
                )
                for g in rep.skipped_by_reason()
            ),
        ),
        seconds=round(rep.seconds, 3),
    )


def import_usgs(
    store: Store,
    files: Sequence[Path],
    *,
    dataset: str,
    replace: bool = False,
    edition: int | None = None,
    progress: Progress | None = None,
) -> UsgsImportResult:
    """Import USGS MCS data-release CSV files into ``dataset`` (atomic)."""
    rep = import_usgs_mcs(
        store, list(files), dataset=dataset, replace=replace, edition=edition, progress=progress
    )
    return usgs_result(rep)


def import_result(rep: LoadReport, reused_entities: Sequence[str] | None = None) -> ImportResult:
    """An importer's report as the result the front ends print (``reused_entities``: the
    example products' entities that were already in the graph)."""
    return ImportResult(
        dataset=rep.dataset,
        rows=dict(rep.rows),
        seconds=round(rep.seconds, 3),
        reused_entities=ABSENT if reused_entities is None else tuple(reused_entities),
    )


def import_file(
    store: Store,
    fmt: Format,
    path: Path,
    *,
    dataset: str,
    replace: bool = False,
    kind: str | None = None,
    prefix: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file of format ``fmt`` into ``dataset`` (atomic).

    ``kind`` names the table of a derisk CSV file (``csv`` only); ``prefix`` is put before the
    entity ids of a BODS or FollowTheMoney file.
    """
    if fmt == "csv":
        if kind is None:
            raise BadInputError("a derisk CSV import needs the file's kind")
        rep = import_csv(store, kind, path, dataset=dataset, replace=replace)
    elif fmt == "bods":
        from derisk.data.importers.bods import import_bods

        rep = import_bods(
            store, path, dataset=dataset, replace=replace, prefix=prefix, progress=progress
        )
    elif fmt == "ftm":
        from derisk.data.importers.ftm import import_ftm

        rep = import_ftm(
            store, path, dataset=dataset, replace=replace, prefix=prefix, progress=progress
        )
    elif fmt == "stakes-bulk":
        from derisk.data.importers.bulk import load_stakes_bulk

        rep = load_stakes_bulk(store, path, dataset=dataset, replace=replace, progress=progress)
    else:
        raise BadInputError(f"unknown import format {fmt!r}; one of {', '.join(FORMATS)}")
    return import_result(rep)


def init_database(store: Store, path: Path, progress: Progress | None = None) -> DbInitResult:
    """(Re)load the bundled dataset into the database at ``path``."""
    rep = build_database(store, progress=progress)
    return DbInitResult(
        path=str(path),
        rows=dict(rep.rows),
        seconds=round(rep.seconds, 3),
        schema_version=SCHEMA_VERSION,
    )


def trade_result(rep: TradeImport) -> TradeImportResult:
    """A trade importer's report (Comtrade, BACI, the worked example) as its result."""
    return TradeImportResult(
        dataset=rep.dataset,
        source_id=rep.source_id,
        files=tuple(rep.files),
        rows_read=rep.rows_read,
        rows_imported=rep.rows,
        skipped=dict(rep.skipped),
        flows=dict(rep.flows),
        years=tuple(rep.years),
        hs_codes=tuple(rep.hs_codes),
        seconds=round(rep.seconds, 3),
    )


def comext_result(rep: ComextImport) -> ComextImportResult:
    """The Comext importer's report as its result."""
    return ComextImportResult(
        source_id=rep.source_id,
        rows_read=rep.rows_read,
        rows_kept=rep.rows_kept,
        import_source_rows=rep.written,
        periods=tuple(rep.periods),
        skipped=dict(rep.skipped),
        seconds=round(rep.seconds, 3),
    )
