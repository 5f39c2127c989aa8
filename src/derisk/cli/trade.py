"""Trade commands: ``derisk import comtrade|baci|example``, ``derisk trade …``, ``derisk report
trade``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from derisk.cli.common import (
    AsOfOpt,
    CountriesOpt,
    DbOpt,
    GroupOpt,
    JsonOpt,
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
from derisk.data.concordance import (
    load_concordance,
    rows_from_catalog,
    shipped_path,
    write_concordance,
)
from derisk.data.importers.baci import import_baci
from derisk.data.importers.comext import import_comext
from derisk.data.importers.comtrade import import_comtrade
from derisk.data.importers.examples import import_example
from derisk.data.importers.trade_common import TradeImport
from derisk.errors import BadInputError
from derisk.services import exposure as exposure_svc
from derisk.services import imports
from derisk.services import trade as svc
from derisk.services.results.trade import ConcordanceEntry, ConcordanceListing

trade_app = typer.Typer(
    help="Trade flows: origin through third countries, export series.", no_args_is_help=True
)

ConcordanceOpt = Annotated[
    Path | None,
    typer.Option(
        "--concordance",
        help="HS concordance CSV (hs_code, material_id, stage_id, note); default: the shipped "
        "one or $DERISK_HS_CONCORDANCE.",
    ),
]
SourceIdOpt = Annotated[
    str | None, typer.Option("--source-id", help="Source id (default: from the file name).")
]
DatasetOpt = Annotated[
    str | None,
    typer.Option("--dataset", help="Dataset name (default: the source id); replaced on re-import."),
]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Source title.")]
MirrorOpt = Annotated[
    str,
    typer.Option(
        "--mirror",
        help="Mirror flows: importer (default: importer reports, partner reports for "
        "non-reporters), exporter, importer-only, exporter-only.",
    ),
]


def register(app: typer.Typer) -> None:
    from derisk.cli.core import import_app
    from derisk.cli.report import report_app

    import_app.command("comtrade")(import_comtrade_cmd)
    import_app.command("baci")(import_baci_cmd)
    import_app.command("comext")(import_comext_cmd)
    example = next(
        (g.typer_instance for g in import_app.registered_groups if g.name == "example"), None
    )
    if example is None:
        example = typer.Typer(help="Load a worked example shipped with derisk.")
        import_app.add_typer(example, name="example")
    example.command("china-exports")(import_china_exports_cmd)
    report_app.command("trade")(trade_report)
    app.add_typer(trade_app, name="trade")


def _report_import(rep: TradeImport, as_json: bool) -> None:
    res = imports.trade_result(rep)
    if as_json:
        emit_json(res.to_json())
        return
    console.print(
        f"Imported {res.rows_imported:,} trade rows "
        f"({', '.join(f'{k} {v:,}' for k, v in res.flows.items())}"
        f") of {res.rows_read:,} read into dataset {res.dataset} in {res.seconds:.1f}s"
    )
    if res.years:
        console.print(
            f"years {res.years[0]}–{res.years[-1]}; HS codes {' '.join(res.hs_codes[:12])}"
            + (" …" if len(res.hs_codes) > 12 else "")
        )
    for reason, n in sorted(res.skipped.items(), key=lambda kv: -kv[1]):
        console.print(f"  skipped {n:,}: {reason}")


def import_comtrade_cmd(
    files: Annotated[list[Path], typer.Argument(help="UN Comtrade CSV/TSV files (.gz, .zip).")],
    source_id: SourceIdOpt = None,
    dataset: DatasetOpt = None,
    title: TitleOpt = None,
    concordance: ConcordanceOpt = None,
    all_products: Annotated[
        bool, typer.Option("--all-products", help="Keep codes the concordance does not map.")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import UN Comtrade files (Plus API/bulk or legacy layout); atomic, streamed."""

    def body() -> None:
        conc = load_concordance(concordance)
        with (
            store_for(db, as_json=as_json, read_only=False) as store,
            progress_bar(as_json, "bytes") as tick,
        ):
            rep = import_comtrade(
                store,
                files,
                source_id=source_id,
                dataset=dataset,
                title=title,
                concordance=conc,
                all_products=all_products,
                progress=tick,
            )
        _report_import(rep, as_json)

    guarded(as_json)(body)


def import_comext_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(help="Eurostat Comext bulk files full_YYYYMM.dat (unpacked from .7z)."),
    ],
    source_id: SourceIdOpt = None,
    concordance: ConcordanceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import Eurostat Comext bulk files as the EU27's import sources (extra-EU imports)."""

    def body() -> None:
        conc = load_concordance(concordance)
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = imports.comext_result(
                import_comext(store, files, source_id=source_id, concordance=conc)
            )
        if as_json:
            emit_json(res.to_json())
            return
        console.print(
            f"Imported {res.import_source_rows:,} EU27 import-source rows from "
            f"{res.rows_kept:,} of {res.rows_read:,} rows (periods "
            f"{', '.join(res.periods) or 'none'}) as source {res.source_id} in {res.seconds:.1f}s"
        )
        for reason, n in sorted(res.skipped.items(), key=lambda kv: -kv[1]):
            console.print(f"  skipped {n:,}: {reason}")

    guarded(as_json)(body)


def import_baci_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="BACI zip archive(s) or BACI_*_Y<year>_V*.csv files.")
    ],
    country_codes: Annotated[
        Path | None,
        typer.Option("--country-codes", help="BACI country_codes_V*.csv (when not in a zip)."),
    ] = None,
    products: Annotated[
        str | None,
        typer.Option(
            "--products",
            help="HS codes or prefixes, comma-separated (default: the concordance's codes).",
        ),
    ] = None,
    countries: Annotated[
        str | None,
        typer.Option(
            "--countries",
            help="Keep flows with one of these ISO3 countries (tracing needs all; default: all).",
        ),
    ] = None,
    years: Annotated[
        str | None, typer.Option("--years", help="Years to keep, comma-separated.")
    ] = None,
    source_id: SourceIdOpt = None,
    dataset: DatasetOpt = None,
    title: TitleOpt = None,
    concordance: ConcordanceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import CEPII BACI (t,i,j,k,v,q) with its country table; atomic, streamed."""

    def body() -> None:
        conc = load_concordance(concordance)
        prods = [p.strip() for p in products.split(",")] if products else None
        ctry = [c.strip() for c in countries.split(",")] if countries else None
        try:
            yrs = [int(y) for y in years.split(",")] if years else None
        except ValueError:
            raise BadInputError(f"--years {years!r}: give years like 2021,2022") from None
        with (
            store_for(db, as_json=as_json, read_only=False) as store,
            progress_bar(as_json, "bytes") as tick,
        ):
            rep = import_baci(
                store,
                files,
                country_codes=country_codes,
                products=prods,
                countries=ctry,
                years=yrs,
                source_id=source_id,
                dataset=dataset,
                title=title,
                concordance=conc,
                progress=tick,
            )
        _report_import(rep, as_json)

    guarded(as_json)(body)


def import_china_exports_cmd(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """China's exports by partner, monthly 2017-2024 (UN Comtrade; optional example data)."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            rep = import_example(store, "china-exports")
        _report_import(rep, as_json)
        if not as_json:
            console.print(
                "Data: UN Comtrade, compiled by qennis/ChinaCriticalMineralComtrade "
                "(no licence stated; cite UN Comtrade)."
            )

    guarded(as_json)(body)


@trade_app.command("origin")
def origin_cmd(
    material: Annotated[str, typer.Argument(help="Material id, e.g. graphite.")],
    importer: Annotated[str, typer.Option("--importer", help="Importing country, ISO3.")],
    stage: Annotated[
        str | None, typer.Option("--stage", help="Stage (default: latest stage with trade data).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year (default: latest).")] = None,
    countries: CountriesOpt = None,
    group: GroupOpt = None,
    mirror: MirrorOpt = "importer",
    concordance: ConcordanceOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Share of an importer's imports originating in China (or any countries), directly and
    through third countries, with the top routes."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            sel, grp = exposure_svc.selection(view, countries, group)
            res = svc.trade_origin(
                view,
                material,
                importer,
                stage,
                year,
                sel,
                grp,
                mirror=mirror,
                concordance=load_concordance(concordance),
            )
        if as_json:
            emit_json(res.to_json())
            return
        print_origin(res)
        t = Table(title="Origin of imports by country")
        t.add_column("origin")
        t.add_column("share", justify="right")
        for o in res["origins"]:
            t.add_row(f"{o['country']} {o['name']}", pct(o["share"]))
        if res["origins"]:
            console.print(t)
        else:
            console.print(
                f"No flow into {res['importer']} is recorded: the origin of its imports is "
                "unknown, not zero."
            )

    guarded(as_json)(body)


@trade_app.command("series")
def series_cmd(
    material: Annotated[str | None, typer.Argument(help="Material id (default: all).")] = None,
    reporter: Annotated[str, typer.Option("--reporter", help="Exporting country.")] = "CHN",
    hs: Annotated[str | None, typer.Option("--hs", help="HS code or prefix.")] = None,
    measure: Annotated[str, typer.Option("--measure", help="quantity (t) or value (USD).")] = (
        "quantity"
    ),
    top: Annotated[int, typer.Option("--top", help="Destinations named.")] = 6,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Monthly exports of a country by destination (default China), one series per HS code."""

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = svc.export_series(
                view, reporter, material, hs, measure=measure, top=top
            ).to_json()
        if as_json:
            emit_json(res)
            return
        for s in res["series"]:
            months = s["months"]
            t = Table(
                title=f"{res['reporter']} exports of HS {s['key']} ({', '.join(s['materials'])})"
                f", {res['unit']}, {months[0]} to {months[-1]}"
            )
            t.add_column("destination")
            t.add_column("total", justify="right")
            t.add_column("last 12 months", justify="right")
            for p in s["partners"]:
                last = sum(x or 0.0 for x in p["values"][-12:])
                t.add_row(f"{p['country']} {p['name']}", f"{p['total']:,.0f}", f"{last:,.0f}")
            t.add_row(
                f"other ({s['other_partners']})",
                f"{sum(s['other']):,.0f}",
                f"{sum(s['other'][-12:]):,.0f}",
            )
            console.print(t)

    guarded(as_json)(body)


@trade_app.command("concordance")
def concordance_cmd(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the catalogue-generated concordance here.")
    ] = None,
    write_shipped: Annotated[
        bool,
        typer.Option(
            "--write-shipped", help="Regenerate the shipped file from the catalogue (development)."
        ),
    ] = False,
    concordance: ConcordanceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the HS concordance in use, or write one generated from the material catalogue."""

    def body() -> None:
        if out is not None or write_shipped:
            target = out or shipped_path()
            n = write_concordance(target, rows_from_catalog())
            if as_json:
                emit_json(
                    {
                        "schema": "derisk.trade-concordance-written/1",
                        "path": str(target),
                        "entries": n,
                    }
                )
            else:
                console.print(f"Wrote {n} entries to {target}")
            return
        conc = load_concordance(concordance)
        listing = ConcordanceListing(
            path=conc.origin,
            entries=tuple(
                ConcordanceEntry(
                    hs_code=e.hs_code,
                    material_id=e.material_id,
                    stage_id=e.stage_id,
                    note=e.note,
                    shared_with=tuple(conc.shared(e.hs_code)),
                )
                for e in conc.entries
            ),
        )
        if as_json:
            emit_json(listing.to_json())
            return
        t = Table(title=f"HS concordance ({conc.origin})")
        for c in ("hs_code", "material", "stage", "shared with"):
            t.add_column(c)
        for r in listing.entries:
            t.add_row(r.hs_code, r.material_id, r.stage_id, ", ".join(r.shared_with))
        console.print(t)

    guarded(as_json)(body)


def trade_report(
    out: Annotated[Path, typer.Option("--out", help="Output HTML file.")] = Path("out/trade.html"),
    reporter: Annotated[str, typer.Option("--reporter", help="Exporting country.")] = "CHN",
    material: Annotated[str | None, typer.Option("--material", help="Material id.")] = None,
    importer: Annotated[
        str | None, typer.Option("--importer", help="Also show this importer's origin block(s).")
    ] = None,
    measure: Annotated[str, typer.Option("--measure", help="quantity or value.")] = "quantity",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Monthly export-destination charts (inline SVG) and origin tables (offline HTML)."""
    from derisk.report.trade import render_trade

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            series = svc.export_series(view, reporter, material, measure=measure)
            origins = []
            if importer:
                mats = sorted({m for s in series.series for m in s.materials})
                for m in mats:
                    blk = svc.origin_block(view, importer, m, selected=(series.reporter,))
                    if blk is not None:
                        origins.append(blk)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_trade(series, origins), encoding="utf-8")
        if as_json:
            emit_json({"schema": "derisk.report/1", "path": str(out)})
        else:
            console.print(f"Wrote {out}")

    guarded(as_json)(body)
