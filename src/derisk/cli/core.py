"""Core commands: materials, overview, exposure, sources, db, import, report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from derisk.cli.common import (
    AsOfOpt,
    CountriesOpt,
    DbOpt,
    EngineOpt,
    GroupOpt,
    JsonOpt,
    bounds,
    console,
    emit_json,
    guarded,
    parse_date,
    pct,
    print_origin,
    progress_bar,
    store_for,
    view_for,
)
from derisk.data.csvio import FILE_KINDS
from derisk.engines import using
from derisk.services import exposure as svc
from derisk.services import imports
from derisk.services.results import Exposure
from derisk.store import default_db_path, open_store

db_app = typer.Typer(help="Create, inspect and reset the database.", no_args_is_help=True)
import_app = typer.Typer(help="Import data files (atomic: a bad file changes nothing).")


SHORT_STATUS = {
    "complete": "ok",
    "withheld-or-missing": "W/NA",
    "shares-only": "shares",
    "partial": "partial",
}


def register(app: typer.Typer) -> None:
    app.command("materials")(materials)
    app.command("overview")(overview)
    app.command("exposure")(exposure)
    app.command("sources")(sources)
    app.add_typer(db_app, name="db")
    app.add_typer(import_app, name="import")


def materials(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List materials, their processing stages, HS codes and years with data."""

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = svc.materials(view).to_json()
        if as_json:
            emit_json(res)
            return
        rows = res["materials"]
        t = Table(title="Materials and stages")
        for col in ("material", "stage", "name", "HS codes", "years"):
            t.add_column(col)
        for m in rows:
            for i, s in enumerate(m["stages"]):
                years = ", ".join(map(str, s["years"][-3:])) or "[dim]no data[/]"
                t.add_row(
                    m["material"] if i == 0 else "",
                    s["stage"],
                    s["name"],
                    " ".join(s["hs_codes"]),
                    years,
                )
        console.print(t)

    guarded(as_json)(body)


def overview(
    db: DbOpt = None,
    countries: CountriesOpt = None,
    group: GroupOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every material x stage: selected share (default China) with bounds, top country, HHI."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            sel, grp = svc.selection(view, countries, group)
            res = svc.overview(view, sel, grp).to_json()
        if as_json:
            emit_json(res)
            return
        label = grp or ",".join(sel)
        t = Table(title=f"Share of {label} by material and stage (as of {res['as_of']})")
        for col in ("material", "stage", "year", label, "bounds", "top", "HHI", "data", "source"):
            t.add_column(
                col,
                justify="right" if col in (label, "HHI", "year") else "left",
                no_wrap=col in ("material", "stage", label),
                overflow="ellipsis",
            )
        last = None
        for r in res["rows"]:
            mat = r["material"] if r["material"] != last else ""
            last = r["material"]
            if r["data_status"] == "no-data":
                empty = "[dim]no public figure[/]" if r.get("gap") else "[dim]no data[/]"
                t.add_row(mat, r["stage"], "", empty, "", "", "", "", "")
                continue
            neck = " ◆" if r.get("bottleneck") else ""
            t.add_row(
                mat,
                r["stage"] + neck,
                year_label(r["year"]),
                pct(r["selected_share"]),
                bounds(r["selected_share_bounds"]),
                f"{r['top_country']} {pct(r['top_share'], 0)}",
                f"{r['hhi']:.2f}",
                f"{SHORT_STATUS.get(r['data_status'], r['data_status'])} {r['confidence']}",
                r["source_id"],
            )
        console.print(t)
        console.print(
            "◆ bottleneck stage (highest selected share).  "
            "Confidence: H official, M secondary, L unverified."
        )

    guarded(as_json)(body)


def exposure(
    material: Annotated[str, typer.Argument(help="Material id, e.g. antimony, rare-earths.")],
    stage: Annotated[
        str | None, typer.Option("--stage", help="Stage id (default: bottleneck).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year (default: latest).")] = None,
    countries: CountriesOpt = None,
    group: GroupOpt = None,
    importer: Annotated[
        str | None, typer.Option("--importer", help="Importing country, ISO alpha-3.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Use this source's figures (default: precedence)."),
    ] = None,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Concentration and the selected countries' share at one stage, and across the chain."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view, using(engine):
            sel, grp = svc.selection(view, countries, group)
            res = svc.exposure(view, material, stage, year, sel, grp, importer, source)
        if as_json:
            emit_json(res.to_json())
            return
        _print_exposure(res)

    guarded(as_json)(body)


def year_label(year: int | None) -> str:
    """A figure's year, or a plain statement that its source gives none."""
    return "year unknown" if year is None else str(year)


def _print_exposure(res: Exposure) -> None:
    r = res
    label = r["selected_group"] or ",".join(r["selected_countries"])
    if r["year"] is None:  # no production figures at this stage: chain and importer only
        gap = r.get("gap")
        why = f"no public figure: {gap['statement']}" if gap else "no production figures"
        console.print(f"[bold]{r['material']} · {r['stage_name']}[/] ({r['stage']}): {why}")
        _print_chain_and_importer(r, label)
        return
    console.print(
        f"[bold]{r['material']} · {r['stage_name']}[/] ({r['stage']}), {year_label(r['year'])}, "
        f"source {r['source_id']} (confidence {r['confidence']}, {r['data_kind']})"
    )
    wt = r["world_total"]
    if wt is not None:
        console.print(f"World total: {wt:,.0f} {r['unit'] or ''}")
    t = Table()
    for col in ("country", "quantity", "share", "status"):
        t.add_column(col, justify="right" if col in ("quantity", "share") else "left")
    for s in r["shares"]:
        q = "" if s["quantity"] is None else f"{s['quantity']:,.0f}"
        t.add_row(f"{s['country']} {s['name']}", q, pct(s["share"]), s["status"])
    for u in r["unknown"]:
        if u["country"] is None and u["status"].startswith("unnamed"):
            t.add_row(f"{u['status']} (not named)", "", pct(u["share_bound"]), "reported")
    if r["unallocated_share"]:
        t.add_row("unallocated", "", pct(r["unallocated_share"]), "not named by source")
    console.print(t)
    console.print(
        f"{label}: [bold]{pct(r['selected_share'])}[/] {bounds(r['selected_share_bounds'])}  "
        f"HHI {r['hhi']:.3f}  top-3 {pct(r['top3_share'])}"
    )
    for u in r["unknown"]:
        console.print(f"  unknown: {u['country'] or '—'} {u['status']}: {u['note']}")
    for a in r["alternatives"]:
        console.print(
            f"  other source {a['source_id']} ({year_label(a['year'])}): top {a['top_country']} "
            f"{pct(a['top_share'])}, {label} {pct(a['selected_share'])}"
        )
    _print_chain_and_importer(r, label)


def _print_chain_and_importer(r: Exposure, label: str) -> None:
    ch = Table(title=f"Chain (bottleneck: {r['bottleneck_stage']})")
    for col in ("stage", "year", label, "top", "HHI", "source"):
        ch.add_column(col)
    for c in r["chain"]:
        if c["data_status"] == "no-data":
            empty = "[dim]no public figure[/]" if c.get("gap") else "[dim]no data[/]"
            ch.add_row(c["stage"], "", empty, "", "", "")
        else:
            ch.add_row(
                c["stage"],
                year_label(c["year"]),
                f"{pct(c['selected_share'])} {bounds(c['selected_share_bounds'])}",
                f"{c['top_country']} {pct(c['top_share'], 0)}",
                f"{c['hhi']:.2f}",
                c["source_id"],
            )
    console.print(ch)
    imp = r.get("importer")
    if imp:
        it = Table(title=f"Imports of {imp['importer']} (direct shares)")
        for col in ("category", "period", label, "sources", "source"):
            it.add_column(col)
        for c in imp["categories"]:
            srcs = ", ".join(f"{s['country']} {pct(s['share'], 0)}" for s in c["sources"])
            conf = f" [{c['confidence']}]" if c.get("confidence") else ""
            it.add_row(
                c["category"],
                c["period"],
                f"{pct(c['selected_share'], 0)} {bounds(c['selected_share_bounds'])}",
                srcs,
                f"{c['source_id']}{conf}",
            )
        if imp["categories"]:
            console.print(it)
        else:
            console.print(f"No import sources of {imp['importer']} for this stage ({r['stage']}).")
        with_data = {c["stage"] for c in r["chain"] if c["data_status"] != "no-data"}
        for stg, what in (imp.get("other_stages") or {}).items():
            asks = []
            if stg in with_data and any(w != "trade origin" for w in what):
                asks.append(f"--stage {stg}")
            if "trade origin" in what:
                asks.append(
                    f"derisk trade origin {r['material']} --stage {stg} --importer "
                    f"{imp['importer']}"
                )
            hint = f"; ask with {' or '.join(asks)}" if asks else ""
            console.print(
                f"  [dim]figures for another stage, not used here: {stg} ({', '.join(what)})"
                f"{hint}[/]"
            )
        for rel in imp["import_reliance"]:
            b = rel.get("bounds")
            span = f" [{pct(b[0], 0)}–{pct(b[1], 0)}]" if b and b[0] != b[1] else ""
            console.print(
                f"Net import reliance {rel['year']}: {rel['raw']}%{span} ({rel['source_id']})"
            )
        if imp.get("origin"):
            print_origin(imp["origin"])


def sources(
    ident: Annotated[str, typer.Argument(help="A source id or a fact id.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a source, or a fact and the source it comes from."""

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = svc.source_lookup(view, ident).to_json()
        if as_json:
            emit_json(res)
            return
        if res["fact"]:
            t = Table(title=f"Fact {ident}", show_header=False)
            for k, v in res["fact"].items():
                if v is not None:
                    t.add_row(k, str(v))
            console.print(t)
        src = res["source"] or {}
        t = Table(title=f"Source {src.get('source_id')}", show_header=False)
        for k, v in src.items():
            if v is not None:
                t.add_row(k, str(v))
        console.print(t)

    guarded(as_json)(body)


@db_app.command("init")
def db_init(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Create or migrate the database and (re)load the bundled dataset."""

    def body() -> None:
        path = db or default_db_path()
        with (
            open_store(path) as store,
            progress_bar(as_json, "rows", first="loading bundled dataset") as tick,
        ):
            res = imports.init_database(store, path, progress=tick)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(
                f"Built {path} in {res.seconds:.2f}s: "
                + ", ".join(f"{k} {v}" for k, v in res.rows.items())
            )

    guarded(as_json)(body)


@db_app.command("status")
def db_status(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Schema version, row counts and loaded datasets."""

    def body() -> None:
        with store_for(db, as_json=as_json) as store:
            st = imports.db_status(store)
        if as_json:
            emit_json(st.to_json())
            return
        console.print(
            f"{st.path}: schema version {st.schema_version} (expected {st.expected_version})"
        )
        t = Table()
        t.add_column("table")
        t.add_column("rows", justify="right")
        for k, v in st.counts.items():
            t.add_row(k, str(v))
        console.print(t)
        for d in st.datasets:
            console.print(f"dataset {d.name}: {d.rows} rows from {d.origin} at {d.loaded_at}")

    guarded(as_json)(body)


@db_app.command("reset")
def db_reset(
    db: DbOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete the database file and build it again from the bundled dataset."""

    def body() -> None:
        path = db or default_db_path()
        if not yes and not typer.confirm(f"Delete {path} and rebuild it?", default=False):
            raise typer.Exit(1)
        for p in (path, Path(str(path) + ".wal")):
            p.unlink(missing_ok=True)
        with open_store(path) as store:
            res = imports.init_database(store, path)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(f"Reset {path}: {sum(res.rows.values())} rows in {res.seconds:.2f}s")

    guarded(as_json)(body)


@import_app.command("csv")
def import_csv_cmd(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(FILE_KINDS)}.")],
    file: Annotated[Path, typer.Argument(help="CSV file in the derisk format (docs/formats.md).")],
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset name for these rows.")
    ] = "user",
    replace: Annotated[bool, typer.Option("--replace", help="Replace the dataset's rows.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import one derisk CSV file; a bad file changes nothing and names row and field."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = imports.import_file(
                store, "csv", file, kind=kind, dataset=dataset, replace=replace
            )
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(f"Imported {sum(res.rows.values())} rows into dataset {res.dataset}")

    guarded(as_json)(body)
