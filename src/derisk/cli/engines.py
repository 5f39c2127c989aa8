"""Engine commands: ``derisk engine info|trace|lookthrough`` (Parquet in, Parquet out).

The same computations as ``derisk exposure --importer`` and ``derisk screen``, over files too
large for the store, on the local engine or on Apache Spark (``--engine spark``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from derisk.cli.common import (
    EngineOpt,
    JsonOpt,
    console,
    emit_json,
    guarded,
    progress_bar,
)
from derisk.engines import Engine, get_engine
from derisk.errors import BadInputError
from derisk.model.record import Record
from derisk.services import engines as svc

engine_app = typer.Typer(
    help="Heavy computations over Parquet files, on the local engine or Apache Spark.",
    no_args_is_help=True,
)

OutOpt = Annotated[str, typer.Option("--out", help="Output Parquet file or directory (or URI).")]


def register(app: typer.Typer) -> None:
    app.add_typer(engine_app, name="engine")


@contextmanager
def _engine(name: str | None, as_json: bool) -> Iterator[Engine]:
    """The engine, with its progress messages on a status line (not with ``--json``)."""
    with progress_bar(as_json, first="starting the engine…"):
        yield get_engine(name)


@engine_app.command("info")
def info(engine: EngineOpt = None, as_json: JsonOpt = False) -> None:
    """Which engine runs, and how it is configured (starts Spark for ``--engine spark``)."""

    def body() -> None:
        with _engine(engine, as_json) as eng:
            res = svc.engine_info(eng)
        if as_json:
            emit_json(res.to_json())
            return
        t = Table(show_header=False)
        for k, v in res.items():
            if k != "schema":
                t.add_row(k, str(v))
        console.print(t)

    guarded(as_json)(body)


@engine_app.command("trace")
def trace(
    flows: Annotated[
        str, typer.Argument(help="Flows (Parquet): year, commodity, exporter, importer, quantity.")
    ],
    out: OutOpt,
    production: Annotated[
        str | None,
        typer.Option(
            "--production", help="Production (Parquet): year, commodity, country, quantity."
        ),
    ] = None,
    countries: Annotated[
        str, typer.Option("--countries", help="Selected origins, comma-separated.")
    ] = "CHN",
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Origin of every country's supply, for every commodity-year of a flows file."""

    def body() -> None:
        sel = [c.strip().upper() for c in countries.split(",") if c.strip()]
        with _engine(engine, as_json) as eng:
            res = svc.trace_files(eng, flows, production, sel, out)
        if as_json:
            emit_json(res.to_json())
            return
        _summary(res, ["engine", "rows", "commodity_years", "out", "seconds"])

    guarded(as_json)(body)


@engine_app.command("lookthrough")
def lookthrough(
    stakes: Annotated[
        str, typer.Argument(help="Stakes (Parquet): owner_id, owned_id, percent [, interest].")
    ],
    out: OutOpt,
    member: Annotated[
        list[str] | None, typer.Option("--member", help="An entity id of the owner set.")
    ] = None,
    members: Annotated[
        Path | None,
        typer.Option(
            "--members",
            help="File of owner-set ids, one a line (or a CSV/Parquet with an entity_id column).",
        ),
    ] = None,
    interest: Annotated[str, typer.Option("--interest", help="Interest layer.")] = "equity",
    no_cut: Annotated[
        bool,
        typer.Option("--no-cut", help="Count every chain (do not stop at the first member)."),
    ] = False,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Share of every entity held by an owner set through every chain of holdings."""

    def body() -> None:
        ids = list(member or []) + (_read_members(members) if members else [])
        with _engine(engine, as_json) as eng:
            res = svc.lookthrough_files(eng, stakes, ids, out, interest=interest, cut=not no_cut)
        if as_json:
            emit_json(res.to_json())
            return
        _summary(res, ["engine", "entities", "held", "out", "seconds"])
        t = Table("entity", "share held")
        for r in res.top:
            t.add_row(r.entity, f"{100 * r.share:.4g}%")
        console.print(t)

    guarded(as_json)(body)


def _read_members(path: Path) -> list[str]:
    if not path.exists():
        raise BadInputError(f"{path}: file not found")
    if path.suffix.lower() in (".parquet", ".pq", ".csv"):
        from derisk.engines.tables import read_table

        t = read_table(path)
        if "entity_id" not in t.column_names:
            raise BadInputError(f"{path}, row 1, field entity_id: column missing")
        return [str(v) for v in t.column("entity_id").to_pylist() if v]
    return [ln.strip() for ln in path.read_text("utf-8").splitlines() if ln.strip()]


def _summary(res: Record, keys: list[str]) -> None:
    t = Table(show_header=False)
    for k in keys:
        t.add_row(k, str(res[k]))
    console.print(t)
