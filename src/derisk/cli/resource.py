"""Re-sourcing and shock commands: ``derisk reroute``, ``derisk shock``, ``derisk scenarios``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from derisk.errors import BadInputError

if TYPE_CHECKING:  # pragma: no cover
    from derisk.services.results.facilities import Allied
    from derisk.services.results.resource import Reroute
    from derisk.services.results.shock import Shock

HtmlOpt = Annotated[
    Path | None, typer.Option("--html", help="Also write an offline HTML report to this file.")
]


def register(app: typer.Typer) -> None:
    app.command("reroute")(reroute)
    app.command("shock")(shock)
    app.command("scenarios")(scenarios)


def _t(x: float | None) -> str:
    if x is None:
        return "—"
    if x == 0 or abs(x) >= 10:
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def reroute(
    material: Annotated[str, typer.Argument(help="Material id, e.g. antimony, rare-earths.")],
    to: Annotated[
        str | None, typer.Option("--to", help="Destination country (ISO alpha-3 or name).")
    ] = None,
    demand: Annotated[
        str | None,
        typer.Option(
            "--demand",
            help="Quantity needed, t/yr; with --club, MEMBER=QTY pairs (USA=5000,KOR=3000).",
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="Stage delivered (default: the last stage with capacity)."),
    ] = None,
    exclude_group: Annotated[
        list[str] | None,
        typer.Option("--exclude-group", help="Exclude every member of a group (e.g. covered)."),
    ] = None,
    exclude_country: Annotated[
        list[str] | None,
        typer.Option("--exclude-country", help="Exclude a country (repeatable or comma list)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Exclude an entity: a facility, or every facility a "
            "company operates (repeatable or comma list).",
        ),
    ] = None,
    exclude_pfe: Annotated[
        bool,
        typer.Option(
            "--exclude-pfe",
            help="Exclude facilities of prohibited foreign entities (screening: flagged PFEs).",
        ),
    ] = False,
    spare_only: Annotated[
        bool,
        typer.Option("--spare-only", help="Use only spare capacity (capacity less output)."),
    ] = False,
    max_country_share: Annotated[
        float | None,
        typer.Option(
            "--max-country-share",
            help="No country above this share of any stage "
            "(0-1, e.g. 0.65 for the EU CRMA benchmark).",
        ),
    ] = None,
    costs: Annotated[
        Path | None,
        typer.Option("--costs", help="Cost file (YAML or CSV): prices, freight, fees, yields."),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Use figures of this year or earlier.")
    ] = None,
    club: Annotated[
        str | None,
        typer.Option(
            "--club",
            help="Buyers' club, comma list of countries or groups (USA,KOR,JPN,EU27): plant-level "
            "supply the club secures after other buyers' demand.",
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option("--years", help="Plant-level answer for these years (2025-2030, 2027)."),
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            "--rule",
            help="How other buyers' demand is netted out: pro-rata (default), historical, market.",
        ),
    ] = None,
    pipeline: Annotated[
        str | None,
        typer.Option(
            "--pipeline",
            help="Announced capacity that counts: operating, committed (default), risked, "
            "announced.",
        ),
    ] = None,
    world_demand: Annotated[
        float | None,
        typer.Option("--world-demand", help="World demand of the stage (default: the store's)."),
    ] = None,
    demand_growth: Annotated[
        float, typer.Option("--demand-growth", help="Yearly growth of every buyer's demand.")
    ] = 0.0,
    plants: Annotated[
        bool,
        typer.Option("--plants", help="Answer from the facility layer (plant by plant)."),
    ] = False,
    as_of: AsOfOpt = None,
    html: HtmlOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How much can reach a country without excluded countries or entities, and the cheapest plan.

    Without --exclude-group, --exclude-country, --exclude or --exclude-pfe, China is excluded.
    With --club, --years, --rule, --pipeline or --plants the answer comes from the facility
    layer: named plants with capacity by year, other buyers' demand netted out (JSON schema
    derisk.allied/1); otherwise from country figures (derisk.reroute/1).
    """
    from derisk.services.common import NotFound
    from derisk.services.facilities import allied_supply, parse_demands, parse_years
    from derisk.services.resource import RerouteOptions
    from derisk.services.resource import reroute as run

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        countries = [c.strip() for v in (exclude_country or []) for c in v.split(",") if c.strip()]
        entities = [e.strip() for v in (exclude or []) for e in v.split(",") if e.strip()]
        allied = bool(club or years or rule or pipeline or plants or world_demand)
        # one buyer at a named stage without --demand: its demand comes from the store
        allied = allied or (to is not None and stage is not None and demand is None)
        single: float | None = None
        pairs: dict[str, float] = {}
        if demand is not None:
            try:
                single = float(demand)
            except ValueError:
                pairs = parse_demands(demand)
        if not allied and (to is None or single is None):
            raise BadInputError("give --to COUNTRY and --demand QTY (or --club for a buyers' club)")

        def run_allied(note: str | None = None) -> Allied:
            members = [m.strip() for m in (club or "").split(",") if m.strip()]
            if not members:
                if to is None:
                    raise BadInputError("give --to COUNTRY or --club MEMBERS")
                members = [to]
            given = dict(pairs)
            if single is not None:
                if len(members) != 1:
                    raise BadInputError("with a club, give --demand MEMBER=QTY pairs")
                given[members[0]] = single
            if stage is None:
                raise BadInputError("give --stage for a plant-level answer (e.g. refining)")
            res = allied_supply(
                view,
                material,
                stage,
                members,
                demand=given,
                years=parse_years(years)
                if years
                else ((year,) if year is not None else parse_years(None)),
                rule=rule or "pro-rata",
                pipeline=pipeline or "committed",
                exclude_countries=countries,
                exclude_groups=list(exclude_group or []),
                exclude_entities=entities,
                exclude_pfe=exclude_pfe,
                world_demand=world_demand,
                demand_growth=demand_growth,
            )
            return replace(res, notes=(note, *res.notes)) if note else res

        rec: Reroute | None = None
        res: Allied | None = None
        with view_for(db, as_json=as_json, as_of=when) as view:
            if allied:
                res = run_allied()
            else:
                assert to is not None and single is not None
                try:
                    options = RerouteOptions(
                        material=material,
                        destination=to,
                        demand=single,
                        stage=stage,
                        exclude_countries=tuple(countries),
                        exclude_groups=tuple(exclude_group or ()),
                        exclude_entities=tuple(entities),
                        exclude_pfe=exclude_pfe,
                        spare_only=spare_only,
                        max_country_share=max_country_share,
                        costs_path=costs,
                        year=year,
                    )
                    rec = run(view, options)
                except NotFound as exc:
                    if stage is None:
                        raise
                    try:
                        res = run_allied(
                            f"country figures cannot answer ({exc.args[0]}); plant-level answer"
                        )
                    except NotFound:
                        raise exc from None
        if rec is None:
            assert res is not None
            if html is not None:
                raise BadInputError("--html is available for country-level answers only")
            if as_json:
                emit_json(res.to_json())
                return
            from derisk.cli.facilities import print_allied

            print_allied(res)
            return
        if html is not None:
            from derisk.report.resource import render_reroute

            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_reroute(rec), encoding="utf-8")
        if as_json:
            emit_json(rec.to_json())
            return
        _print_reroute(rec)
        if html is not None:
            console.print(f"Wrote {html}")

    guarded(as_json)(body)


def _print_reroute(r: Reroute) -> None:
    ex = r["excluded"]
    what = ", ".join(ex["countries"]) or "nothing"
    if ex["default"]:
        what += " (default)"
    console.print(
        f"[bold]{r['material_name']} → {r['destination_name']}[/]: {_t(r['demand'])} t/yr of "
        f"{r['stage']} (stages {' → '.join(r['stages'])}), excluding {what}"
        + ("; output of unknown origin excluded" if ex["unknown_origin"] else ""),
        highlight=False,
    )
    for e in ex["entities"]:
        console.print(f"  entity {e['entity']}: {e['effect']}", highlight=False)
    if ex["pfe"]:
        console.print(f"  PFE screening: {ex['pfe']['effect']}", highlight=False)
    upper = ""
    if r["max_supply_upper"] > r["max_supply"]:
        upper = f" (up to {_t(r['max_supply_upper'])} with output of unknown origin)"
    cur = r["cost_basis"]["currency"]
    console.print(
        f"Max supply: [bold]{_t(r['max_supply'])}[/] t/yr{upper}.  Plan: delivered "
        f"{_t(r['delivered'])}, unmet [bold]{_t(r['unmet'])}[/], cost {cur} {r['cost']:,.0f}",
        highlight=False,
    )
    t = Table(title="Capacity by stage (t/yr)")
    for col in ("stage", "year", "source", "eligible", "excluded", "unknown origin", "withheld",
                "used"):  # fmt: skip
        t.add_column(col, justify="right" if col in ("eligible", "excluded", "used") else "left")
    for s in r["stage_summary"]:
        t.add_row(
            s["stage"],
            str(s["year"]),
            f"{s['source_id']} ({s['data_kind']})",
            _t(s["eligible"]),
            _t(s["excluded"]),
            _t(s["unknown_origin"]),
            ", ".join(w.rsplit(":", 1)[-1] for w in s["withheld"]),
            _t(s["used"]),
        )
    console.print(t)
    p = Table(title="Plan")
    for col in ("from", "to", "stage", "kind", "t/yr", f"cost {cur}"):
        p.add_column(col, justify="right" if col in ("t/yr", f"cost {cur}") else "left")
    for row in r["plan"]:
        if row["kind"] == "supply":
            continue
        p.add_row(row["from"], row["to"], row["stage"], row["kind"], _t(row["quantity"]),
                  f"{row['cost']:,.0f}")  # fmt: skip
    console.print(p)
    for group, title in (
        ("plan", "Binding in the plan (shadow prices per t/yr more)"),
        ("max_supply", "Bottlenecks of the maximum supply (minimum cut)"),
    ):
        rows = [x for x in r["binding"] if group in x["binds"]]
        if group == "max_supply":
            rows = [x for x in rows if "plan" not in x["binds"]]
        if not rows:
            continue
        b = Table(title=title)
        for col in ("constraint", "capacity", "used", f"cost Δ {cur}", "supply Δ t"):
            b.add_column(col, justify="left" if col == "constraint" else "right")
        for row in rows[:12]:
            b.add_row(
                row["constraint"],
                _t(row["capacity"]),
                _t(row["flow"]),
                f"{row['shadow_price']:,.4g}",
                f"{row['supply_shadow_price']:,.4g}",
            )
        console.print(b)
        if len(rows) > 12:
            console.print(f"  ... and {len(rows) - 12} more (see --json)")
    for n in r["notes"]:
        console.print(f"[dim]note:[/] {n}", highlight=False)
    for g in r["gaps"]:
        if g["effect"]:
            console.print(f"[dim]gap:[/] {g['stage']}: {g['reason']} — {g['effect']}")


def shock(
    scenario: Annotated[
        str, typer.Argument(help="Scenario YAML file, or the id of a bundled scenario.")
    ],
    country: Annotated[
        str | None, typer.Option("--country", help="Show the months of this country only.")
    ] = None,
    as_of: AsOfOpt = None,
    html: HtmlOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate an export-restriction scenario month by month: shortfall by stage and country."""
    from derisk.services.shock import run_scenario

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            res = run_scenario(view, scenario)
        if html is not None:
            from derisk.report.resource import render_shock

            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_shock(res), encoding="utf-8")
        if as_json:
            emit_json(res.to_json())
            return
        _print_shock(res, country)
        if html is not None:
            console.print(f"Wrote {html}")

    guarded(as_json)(body)


def _print_shock(r: Shock, country: str | None) -> None:
    sc = r["scenario"]
    console.print(
        f"[bold]{sc['title']}[/]\n{sc['material']}, {sc['months']} months from {sc['start']}; "
        f"stages {' → '.join(r['stages'])}",
        highlight=False,
    )
    t = Table(title="Restrictions")
    for col in ("id", "issuer", "stages", "targets", "from", "until", "withheld", "effect"):
        t.add_column(col)
    for x in r["restrictions"]:
        t.add_row(x["id"], str(x["issuer"]), ", ".join(x["stages"]) or "—",
                  ", ".join(x["targets"]), x["start"], x["end"], f"{x['fraction']:.0%}",
                  x["effect"])  # fmt: skip
    console.print(t)
    s = Table(title="Shortfall over the horizon (t)")
    for col in ("stage", "country", "demand", "shortfall", "share", "peak month", "peak",
                "months", "stock used", "substitution"):  # fmt: skip
        s.add_column(col, justify="left" if col in ("stage", "country", "peak month") else "right")
    shown = 0
    for x in r["summary"]:
        if x["shortfall"] <= 0 and x["withheld"] <= 0:
            continue
        shown += 1
        s.add_row(x["stage"], x["name"], _t(x["demand"]), _t(x["shortfall"]),
                  f"{100 * x['shortfall_share']:.1f}%", x["peak_month"] or "",
                  _t(x["peak_shortfall"]), str(x["months_short"]), _t(x["stock_used"]),
                  _t(x["substitution"]))  # fmt: skip
    if shown:
        console.print(s)
    else:
        console.print("No shortfall anywhere in the horizon.")
    focus = country
    if focus is None:
        hit = [x for x in r["summary"] if x["shortfall"] > 0 or x["withheld"] > 0]
        focus = hit[0]["country"] if hit else None
    if focus is not None:
        m = Table(title=f"Months: {focus}")
        for col in ("month", "stage", "demand", "supply", "withheld", "substitution",
                    "stock draw", "stock end", "shortfall"):  # fmt: skip
            m.add_column(col, justify="left" if col in ("month", "stage") else "right")
        hit_stages = {
            x["stage"]
            for x in r["summary"]
            if x["country"] == focus and (x["shortfall"] > 0 or x["withheld"] > 0)
        }
        for row in r["months"]:
            if row["country"] != focus or (hit_stages and row["stage"] not in hit_stages):
                continue
            m.add_row(row["month"], row["stage"], _t(row["demand"]), _t(row["supply"]),
                      _t(row["withheld"]), _t(row["substitution"]), _t(row["stock_draw"]),
                      _t(row["stock_end"]), _t(row["shortfall"]))  # fmt: skip
        console.print(m)
    if r["products"]:
        p = Table(title="Products")
        for col in ("product", "node", "worst month short", "months short"):
            p.add_column(col)
        for x in r["products"]:
            if not x["modelled"]:
                p.add_row(x["name"], f"{x['country']} {x['stage']}", "not modelled", "")
                continue
            n = sum(1 for m_ in x["months"] if m_["shortfall_share"] > 0)
            p.add_row(x["name"], f"{x['node']['country']} {x['node']['stage']}",
                      f"{100 * x['worst_share']:.1f}%", str(n))  # fmt: skip
        console.print(p)
    for a in r["assumptions"]:
        console.print(f"[dim]assumption:[/] {a}", highlight=False)
    for n in r["notes"]:
        console.print(f"[dim]note:[/] {n}", highlight=False)
    console.print(f"[dim]mass balance: largest error {r['balance']['max_error']:.2g} t[/]")


def scenarios(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the scenarios shipped with derisk, and whether their restriction facts are loaded."""
    from derisk.services.shock import list_scenarios

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = list_scenarios(view)
        if as_json:
            emit_json(res.to_json())
            return
        rows = res.scenarios
        t = Table(title="Bundled scenarios (derisk shock ID)")
        for col in ("id", "material", "start", "months", "title"):
            t.add_column(col)
        for x in rows:
            t.add_row(x.id, x.material, x.start, str(x.months), x.title)
        console.print(t)
        for x in rows:
            if x.missing_facts:
                console.print(
                    f"[yellow]{x.id}: facts not in the database: {', '.join(x.missing_facts)}[/]"
                )

    guarded(as_json)(body)
