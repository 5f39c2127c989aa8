"""``derisk report``: static HTML reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    view_for,
)
from derisk.report.overview import render_overview
from derisk.services import exposure as svc
from derisk.services.common import source_meta

report_app = typer.Typer(help="Write static HTML reports.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("overview")
def overview_report(
    out: Annotated[Path, typer.Option("--out", help="Output HTML file.")] = Path(
        "out/overview.html"
    ),
    countries: CountriesOpt = None,
    group: GroupOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Heat table of the selected share by material x stage, with sources (offline HTML)."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            sel, grp = svc.selection(view, countries, group)
            data = svc.overview(view, sel, grp)
            meta = source_meta(view)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_overview(data, meta), encoding="utf-8")
        if as_json:
            emit_json({"schema": "derisk.report/1", "path": str(out)})
        else:
            console.print(f"Wrote {out}")

    guarded(as_json)(body)
