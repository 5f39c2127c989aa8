"""Facility commands: ``derisk facilities list|show``, and the printer of allied supply
(``derisk reroute ... --club/--years/--rule``, see :mod:`derisk.cli.resource`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from derisk.cli.common import (
    AsOfOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    guarded,
    parse_date,
    view_for,
)

if TYPE_CHECKING:  # pragma: no cover - the service is imported when a command runs
    from derisk.services.results.facilities import Allied

facilities_app = typer.Typer(
    help="Plants of the facility layer: capacity, status, owners and screening.",
    no_args_is_help=True,
)

YearsOpt = Annotated[
    str | None,
    typer.Option("--years", help="Years to show: 2025-2030 (default), 2027 or 2025,2028."),
]
PipelineOpt = Annotated[
    str,
    typer.Option(
        "--pipeline",
        help="Which announced capacity counts: operating, committed (default: operating and "
        "under construction), risked (weighted by status), announced (all).",
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(facilities_app, name="facilities")


def _t(x: float | None) -> str:
    if x is None:
        return "—"
    if x == 0 or abs(x) >= 10:
        return f"{x:,.0f}"
    return f"{x:,.2f}"


@facilities_app.command("list")
def list_cmd(
    material: Annotated[str | None, typer.Option("--material", help="Material id.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Stage id.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO alpha-3.")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="operating, construction, planned, idled or closed."),
    ] = None,
    screen: Annotated[
        bool, typer.Option("--screen", help="Add each plant's PFE screening verdict.")
    ] = False,
    years: YearsOpt = None,
    pipeline: PipelineOpt = "committed",
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List plants with their capacity by year (in the stage's unit) and their sources."""
    from derisk.services.facilities import FacilityQuery, facility_list, parse_years

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            query = FacilityQuery(
                material=material,
                stage=stage,
                country=country,
                status=status,
                screen=screen,
                years=parse_years(years),
                pipeline=pipeline,
            )
            res = facility_list(view, query)
        if as_json:
            emit_json(res.to_json())
            return
        yrs = [str(y) for y in res.years]
        t = Table(title=f"Facilities ({res.count}), capacity by year, pipeline {res.pipeline}")
        for col in ("facility", "country", "stage", "status", "operator", "unit", *yrs, "conf."):
            t.add_column(col, justify="right" if col in yrs else "left")
        if screen:
            t.add_column("PFE")
        for r in res.facilities:
            cells = [
                r.facility,
                r.country,
                f"{r.material} {r.stage}",
                r.status,
                r.operator or "—",
                r.unit,
                *[_t(r.capacity_by_year[y]) for y in yrs],
                r.confidence or "",
            ]
            if screen:
                cells.append(str(r.pfe))
            t.add_row(*cells)
        console.print(t)
        s = Table(title="Totals (China / outside China)")
        for col in ("material stage", "unit", "plants", *yrs):
            s.add_column(col, justify="right" if col in yrs else "left")
        for x in res.totals:
            s.add_row(
                f"{x.material} {x.stage}",
                x.unit,
                str(x.facilities),
                *[f"{_t(x.china[y])} / {_t(x.outside_china[y])}" for y in yrs],
            )
        console.print(s)

    guarded(as_json)(body)


@facilities_app.command("show")
def show_cmd(
    facility: Annotated[str, typer.Argument(help="Facility id (see `derisk facilities list`).")],
    years: YearsOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One plant: capacity and its basis, status and dates, owners, screening, sources."""
    from derisk.services.facilities import parse_years, show_facility

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            res = show_facility(view, facility, years=parse_years(years))
        if as_json:
            emit_json(res.to_json())
            return
        f = res.facility
        console.print(
            f"[bold]{f.name}[/] ({f.facility}), {f.country_name}: {f.material} "
            f"{f.stage}, {f.type or 'plant'}, {f.product or ''}",
            highlight=False,
        )
        console.print(
            f"status {f.status}; start {f.start_year or '—'}, ramp {f.ramp_years or 1} "
            f"yr, end {f.end_year or '—'}; capacity {_t(f.capacity_stated)} "
            f"{f.unit_stated} ({f.basis}) = {_t(f.capacity)} {f.unit}; "
            f"confidence {f.confidence}",
            highlight=False,
        )
        console.print(f"operator: {f.operator_name or f.operator or '—'}", highlight=False)
        for o in f.owners:
            console.print(f"  owner {o.name} ({o.entity}): {o.percent:g}%", highlight=False)
        console.print(f"PFE screening ({f.pfe.rule}): {f.pfe.verdict}", highlight=False)
        t = Table(title=f"Capacity by year ({f.unit})")
        yrs = list(next(iter(f.capacity_by_year.values())).keys())
        t.add_column("pipeline")
        for y in yrs:
            t.add_column(y, justify="right")
        for name, row in f.capacity_by_year.items():
            t.add_row(name, *[_t(row[y]) for y in yrs])
        console.print(t)
        if f.note:
            console.print(f"[dim]note:[/] {f.note}", highlight=False)
        for s in res.sources:
            console.print(
                f"[dim]source:[/] {s.source_id} [{s.confidence}] {s.publisher}: "
                f"{s.title} {s.url or ''}",
                highlight=False,
            )

    guarded(as_json)(body)


def _member(m: Mapping[str, Any]) -> str:
    """A club member as users name it (group ids in capitals: ``EU27``)."""
    return str(m["member"]).upper() if m.get("kind") == "group" else str(m["member"])


def print_allied(r: Allied) -> None:
    """Human tables for a ``derisk.allied/1`` result (read by its JSON keys)."""
    club = ", ".join(f"{_member(m)} ({_t(m['demand'])})" for m in r["club"])
    ex = r["excluded"]
    what = ", ".join(ex["countries"]) or "nothing"
    if ex["default"]:
        what += " (default)"
    console.print(
        f"[bold]{r['material_name']} — {r['stage_name']}[/] ({r['unit']}/yr): buyers {club}; "
        f"rule {r['rule']}, pipeline {r['pipeline']}; excluding {what}"
        + ("; plants whose owners screen as PFE" if ex["pfe"] else ""),
        highlight=False,
    )
    wd = r["world_demand"]
    console.print(
        f"World demand {_t(wd['quantity'])} ({wd['basis']}"
        + (f", {wd['source_id']} {wd['year']}" if wd["source_id"] else "")
        + f"), growing {r['demand_growth']:.1%}/yr",
        highlight=False,
    )
    console.print(
        "Demand by buyer: "
        + "; ".join(
            f"{_member(m)} {_t(m['demand'])} ("
            + (
                f"{m['demand_basis']}, {m['demand_source']} {m['demand_year']}"
                if m["demand_source"]
                else "given"
            )
            + (
                f", imported dataset {m['demand_dataset']}"
                if m.get("demand_dataset") not in (None, "bundled")
                else ""
            )
            + (
                f"; bundled {_t(m['demand_set_aside']['quantity'])} "
                f"({m['demand_set_aside']['source_id']}) not used"
                if m.get("demand_set_aside")
                else ""
            )
            + ")"
            for m in r["club"]
        ),
        highlight=False,
    )
    t = Table(title=f"China-free supply secured, by year ({r['unit']}/yr)")
    up = r.get("upstream")
    cols = ["year", "world demand", "buyers' demand", "eligible capacity", "excluded",
            "others take", "left for buyers", "secured", "shortfall"]  # fmt: skip
    if up:
        cols += [f"{up['stage']} secured", "through the chain"]
    for col in cols:
        t.add_column(col, justify="right")
    for y in r["by_year"]:
        cells = [str(y["year"]), _t(y["world_demand"]), _t(y["club_demand"]),
                 _t(y["eligible_capacity"]), _t(y["excluded_capacity"]),
                 _t(y["others_take_eligible"]), _t(y["left_for_club"]),
                 _t(y["secured"]), _t(y["shortfall"])]  # fmt: skip
        if up:
            cells += [_t(y["upstream_secured"]), _t(y["chain_secured"])]
        t.add_row(*cells)
    console.print(t)
    if up:
        console.print(
            f"[dim]upstream:[/] {up['stage']} from {up['source_id']} {up['year']} "
            f"({_t(up['eligible_capacity'])} of {_t(up['world_output'])} {r['unit']} eligible); "
            f"{up['note']}",
            highlight=False,
        )
    if len(r["club"]) > 1:
        m = Table(title="Allocation by member (allocation / shortfall)")
        m.add_column("member")
        for y in r["by_year"]:
            m.add_column(str(y["year"]), justify="right")
        for i, mem in enumerate(r["club"]):
            m.add_row(
                _member(mem),
                *[
                    f"{_t(y['members'][i]['allocation'])} / {_t(y['members'][i]['shortfall'])}"
                    for y in r["by_year"]
                ],
            )
        console.print(m)
    last = r["by_year"][-1]
    if last["binding"]:
        b = Table(title=f"Binding plants in {last['year']} (shadow price: t secured per t more)")
        for col in ("facility", "country", "capacity", "others take", "left", "shadow price"):
            b.add_column(col, justify="left" if col in ("facility", "country") else "right")
        for x in last["binding"][:12]:
            b.add_row(x["facility"], x["country"], _t(x["capacity"]), _t(x["others_take"]),
                      _t(x["left_for_club"]), f"{x['shadow_price']:g}")  # fmt: skip
        console.print(b)
        if len(last["binding"]) > 12:
            console.print(f"  ... and {len(last['binding']) - 12} more (see --json)")
    d = Table(title="Plants that make the difference (capacity change vs the year before)")
    for col in ("year", "facility", "country", "status", "eligible", "Δ capacity", "Δ secured"):
        d.add_column(col, justify="right" if col.startswith("Δ") else "left")
    n = 0
    for y in r["by_year"]:
        for x in y["difference"][:5]:
            n += 1
            d.add_row(str(y["year"]), x["facility"], x["country"], x["status"],
                      "yes" if x["eligible"] else (x["reason"] or "no"),
                      _t(x["capacity_change"]), _t(x["effect_on_secured"]))  # fmt: skip
    if n:
        console.print(d)
    if ex["pfe"] and ex["pfe"]["facilities"]:
        console.print(
            f"[dim]excluded by PFE screening ({ex['pfe']['rule']}):[/] "
            + ", ".join(ex["pfe"]["facilities"]),
            highlight=False,
        )
    for g in r["gaps"]:
        shown = ", ".join(g["facilities"][:8]) + (" …" if len(g["facilities"]) > 8 else "")
        console.print(f"[dim]gap:[/] {g['what']}: {g['effect']}" + (f" ({shown})" if shown else ""),
                      highlight=False)  # fmt: skip
    for a in r["assumptions"]:
        console.print(f"[dim]assumption:[/] {a}", highlight=False)
    for note in r["notes"]:
        console.print(f"[dim]note:[/] {note}", highlight=False)
