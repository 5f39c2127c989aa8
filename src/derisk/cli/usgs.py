"""``derisk import usgs-mcs``: the USGS Mineral Commodity Summaries data-release CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from derisk.cli.common import DbOpt, JsonOpt, console, emit_json, guarded, progress_bar, store_for
from derisk.cli.core import import_app
from derisk.data.importers.usgs_mcs import DEFAULT_DATASET
from derisk.services import imports
from derisk.services.results.imports import UsgsImportResult


def register(app: typer.Typer) -> None:
    """Add ``usgs-mcs`` to the ``derisk import`` group (the group itself belongs to core)."""
    import_app.command("usgs-mcs")(import_usgs_mcs_cmd)


def import_usgs_mcs_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="MCS data-release CSV files: MCS<year>_Commodities_Data.csv, "
            "MCS<year>_T7_Critical_Minerals_Salient.csv, MCS<year>_Fig3_Major_Import_Sources.csv."
        ),
    ],
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset name for these rows.")
    ] = DEFAULT_DATASET,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the dataset's earlier rows.")
    ] = False,
    edition: Annotated[
        int | None,
        typer.Option("--edition", help="MCS edition year, when neither file name nor rows say."),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import USGS MCS data-release CSV files (layout read from the header; atomic)."""

    def body() -> None:
        with (
            store_for(db, as_json=as_json, read_only=False) as store,
            progress_bar(as_json, "files", first="reading") as tick,
        ):
            rep = imports.import_usgs(
                store, files, dataset=dataset, replace=replace, edition=edition, progress=tick
            )
        if as_json:
            emit_json(rep.to_json())
            return
        _print(rep)

    guarded(as_json)(body)


def _print(rep: UsgsImportResult) -> None:
    t = Table(title=f"USGS MCS import into dataset {rep.dataset}")
    for col in ("file", "layout", "source", "records", "written", "already there", "skipped"):
        t.add_column(
            col,
            justify="right" if col in ("records", "already there", "skipped") else "left",
            overflow="fold" if col == "file" else "ellipsis",
        )
    for f in rep.files:
        written = ", ".join(f"{k} {v}" for k, v in f.rows.items()) or "—"
        src = f"{f.source_id}{' (existing)' if f.source_reused else ''}"
        t.add_row(
            f.file, f.layout, src, str(f.records_), written, str(f.already_present), str(f.skipped)
        )
    console.print(t)
    total = sum(rep.rows.values())
    console.print(
        f"Wrote {total} rows ({', '.join(f'{k} {v}' for k, v in rep.rows.items()) or 'none'}) "
        f"in {rep.seconds:.2f}s; {rep.already_present} facts were already in the database."
    )
    groups = rep.skipped.by_reason
    if groups:
        s = Table(title=f"Skipped rows ({rep.skipped.total}): not mapped to the catalogue")
        for col in ("file", "reason", "rows", "first rows"):
            s.add_column(col, justify="right" if col == "rows" else "left")
        for g in groups:
            s.add_row(g.file, g.reason, str(g.count), ", ".join(map(str, g.rows)))
        console.print(s)
