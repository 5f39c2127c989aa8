"""Ownership commands: owners, holdings, screen, and the BODS / FollowTheMoney / bulk importers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from derisk.cli.common import (
    AsOfOpt,
    DbOpt,
    EngineOpt,
    JsonOpt,
    console,
    emit_json,
    guarded,
    parse_date,
    progress_bar,
    store_for,
    view_for,
)
from derisk.engines import using
from derisk.model.record import Absent
from derisk.services import imports
from derisk.services import ownership as svc
from derisk.services import screening as scr
from derisk.services.imports import Format
from derisk.services.results import OwnershipChain
from derisk.services.results.screening import FlagTest, ScreenAll, ScreenTest, ThresholdTest

InterestOpt = Annotated[
    str, typer.Option("--interest", help="Layer: equity, voting, board or debt.")
]
MinShareOpt = Annotated[
    float,
    typer.Option("--min-share", help="Hide holders below this look-through share (0-1)."),
]
PathsOpt = Annotated[int, typer.Option("--paths", help="Chains to show per holder.")]


def register(app: typer.Typer) -> None:
    app.command("entities")(entities)
    app.command("owners")(owners)
    app.command("holdings")(holdings)
    app.command("screen")(screen)
    from derisk.cli.core import import_app

    have = {c.name for c in import_app.registered_commands}
    for name, fn in (
        ("bods", import_bods), ("ftm", import_ftm), ("stakes-bulk", import_stakes_bulk)
    ):  # fmt: skip
        if name not in have:
            import_app.command(name)(fn)


def entities(
    query: Annotated[
        str | None, typer.Argument(help="Part of a name, alias or id (accents and case ignored).")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Only this country (ISO3).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="company, government, person or facility.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows shown in the table.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find entities and their ids: companies, governments, persons and facilities."""

    def body() -> None:
        from derisk.services import lookup

        with view_for(db, as_json=as_json) as view:
            res = lookup.entity_list(view, query, country=country, kind=kind).to_json()
        if as_json:
            emit_json(res)
            return
        rows = res["entities"]
        t = Table(title=f"Entities matching {query!r}" if query else "Entities")
        for col in ("id", "name", "kind", "country", "stakes", "source"):
            t.add_column(col, overflow="fold")
        for e in rows[:limit]:
            t.add_row(
                e["id"], e["name"], e["kind"], e["country"] or "", str(e["stakes"]),
                e["source_id"] or "",
            )  # fmt: skip
        console.print(t)
        more = f" (first {limit} shown; --limit or --json for all)" if len(rows) > limit else ""
        console.print(f"{len(rows)} entities{more}")

    guarded(as_json)(body)


def _pct(x: float | None, nd: int = 2) -> str:
    return "—" if x is None else f"{100 * x:.{nd}f}%"


def _bounds(b: Sequence[float]) -> str:
    return "" if abs(b[1] - b[0]) < 5e-7 else f"[{_pct(b[0])}–{_pct(b[1])}]"


def _chain(c: OwnershipChain) -> str:
    parts = [c.names[0]] if c.names else []
    for name, st in zip(c.names[1:], c.stakes, strict=True):
        rng = f"–{st.percent_max:g}" if st.percent_max is not None else ""
        parts.append(f"—{st.percent:g}{rng}% \\[{st.fact_id}]→ {name}")
    return " ".join(parts)


def owners(
    entity: Annotated[str, typer.Argument(help="Entity id or an unambiguous name.")],
    as_of: AsOfOpt = None,
    min_share: MinShareOpt = 0.0,
    interest: InterestOpt = "equity",
    paths: PathsOpt = 3,
    engine: EngineOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Look-through owners of an entity: direct and look-through shares, and their chains."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view, using(engine):
            res = svc.owners(view, entity, interest=interest, min_share=min_share, paths=paths)
        if as_json:
            emit_json(res.to_json())
            return
        e = res["entity"]
        console.print(
            f"[bold]{e['name']}[/] ({e['id']}, {e['country'] or '—'}) · {res['interest']} "
            f"as of {res['as_of']} · recorded direct holders: {_pct(res['known_direct_share'])}"
        )
        t = Table()
        for col in ("holder", "country", "direct", "look-through", "bounds", "top chain"):
            t.add_column(col, justify="right" if col in ("direct", "look-through") else "left")
        for h in res["owners"]:
            direct = "" if h["direct_percent"] is None else f"{h['direct_percent']:g}%"
            chain = _chain(h["paths"][0]) if h["paths"] else ""
            t.add_row(
                f"{h['name']} ({h['id']})" + (" ◆" if h["ultimate"] else ""),
                h["country"] or "—",
                direct,
                _pct(h["look_through"]),
                _bounds(h["look_through_bounds"]),
                chain,
            )
        console.print(t)
        console.print("◆ holds no recorded holder itself (ultimate owner as far as the data go)")
        ctl = res["control"]
        if ctl.get("ultimate_parent"):
            console.print(f"Controlled (chain of majorities) by: {ctl['ultimate_parent']}")
        for d in res["declared_interests"]:
            rng = f"{d['percent_min']}–{d['percent_max']}%"
            console.print(f"Declared indirect: {d['owner']} {rng} ({d['fact_id']})")
        for r in res["rights"]:
            who = r["holder"] or "unspecified owner"
            extra = f" — {r['reason']}" if r["reason"] else ""
            console.print(f"Right: {who} {r['right']}{extra} ({r['fact_id']})")
        for c in res["cycles"]:
            console.print(f"Cycle of holdings: {', '.join(c)}")

    guarded(as_json)(body)


def holdings(
    owner: Annotated[str, typer.Argument(help="Owner id or an unambiguous name.")],
    as_of: AsOfOpt = None,
    min_share: MinShareOpt = 0.0,
    interest: InterestOpt = "equity",
    paths: PathsOpt = 1,
    engine: EngineOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Everything an owner holds, directly and through chains of holdings."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view, using(engine):
            res = svc.holdings(view, owner, interest=interest, min_share=min_share, paths=paths)
        if as_json:
            emit_json(res.to_json())
            return
        o = res["owner"]
        console.print(f"[bold]{o['name']}[/] ({o['id']}) · {res['interest']} as of {res['as_of']}")
        t = Table()
        for col in ("held", "direct", "look-through", "bounds", "top chain"):
            t.add_column(col, justify="right" if col in ("direct", "look-through") else "left")
        for h in res["holdings"]:
            direct = "" if h["direct_percent"] is None else f"{h['direct_percent']:g}%"
            t.add_row(
                f"{h['name']} ({h['id']})",
                direct,
                _pct(h["look_through"]),
                _bounds(h["look_through_bounds"]),
                _chain(h["paths"][0]) if h["paths"] else "",
            )
        console.print(t)
        if res.get("truncated"):
            lim = res["limits"]
            console.print(
                f"[yellow]truncated:[/] {len(res['holdings'])} of {res['total_holdings']} "
                f"holdings listed; chains of at most {lim['chain_depth']} stakes searched for "
                f"at most {lim['seconds']:g} s (DERISK_LIMIT_CHAIN_* change the bounds)"
            )

    guarded(as_json)(body)


def screen(
    entity: Annotated[
        str | None, typer.Argument(help="Entity id or an unambiguous name (or --all).")
    ] = None,
    all_entities: Annotated[bool, typer.Option("--all", help="Screen every entity.")] = False,
    rule: Annotated[str, typer.Option("--rule", help="feoc, sfe, fie or pfe.")] = "pfe",
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """FEOC / SFE / FIE / PFE verdicts with figures, thresholds, chains and sources."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view, using(engine):
            res = scr.screen(view, entity, rule=rule, all_entities=all_entities)
        if as_json:
            emit_json(res.to_json())
            return
        r = res.rule
        head = f"{r.title} · version {r.version} (confidence {r.confidence})"
        if isinstance(res, ScreenAll):
            t = Table(title=f"{head} · as of {res.as_of}")
            for col in ("entity", "verdict", "at min", "at max", "flagged by"):
                t.add_column(col)
            for row in res.entities:
                t.add_row(
                    f"{row.name} ({row.id})",
                    _colour(row.verdict),
                    row.verdict_at_min,
                    row.verdict_at_max,
                    ", ".join(row.flagged_by),
                )
            console.print(t)
            console.print(", ".join(f"{k}: {v}" for k, v in res.counts.items()))
            return
        e = res.entity
        console.print(f"[bold]{e.name}[/] ({e.id}) · {head} · as of {res.as_of}")
        console.print(
            f"Verdict: {_colour(res.verdict)} "
            f"(at lower ends: {res.verdict_at_min}, at upper ends: {res.verdict_at_max})"
        )
        _print_tests(res.tests)
        for name, comp in res.components.items():
            console.print(f"[bold]{name.upper()}[/]: {_colour(comp.verdict)}")
            _print_tests(comp.tests, indent="  ")
        for s in res.settle:
            console.print(f"To settle: {s.what} {s.fact_id} ({s.get('owner')}→{s.get('owned')})")
        for c in res.caveats:
            console.print(f"[yellow]Note:[/] {c}")
        console.print("Sources: " + ", ".join(src.source_id for src in res.sources))

    guarded(as_json)(body)


def _colour(v: str) -> str:
    return {"flagged": "[bold red]flagged[/]", "clear": "[green]clear[/]"}.get(
        v, "[yellow]indeterminate[/]"
    )


def _print_tests(tests: Sequence[ScreenTest], indent: str = "") -> None:
    for t in tests:
        if isinstance(t, ThresholdTest):
            line = (
                f"{indent}{t.test}: {_pct(t.value)} {_bounds(t.bounds)} "
                f"{t.comparison} {_pct(t.threshold, 0)} → {t.result}"
            )
            if t.holder:
                line += f" (holder {t.holder})"
            console.print(line)
            for c in () if isinstance(t.paths, Absent) else t.paths[:2]:
                console.print(f"{indent}    {_pct(c.share)}: {_chain(c)}")
        else:
            console.print(f"{indent}{t.test}: {t.result}")
            entries = t.entries if isinstance(t, FlagTest) else ()
            for en in () if isinstance(entries, Absent) else entries:
                console.print(
                    f"{indent}    {en.list} {en.edition}: {en.name_as_listed}"
                    + (f" §{en.section}" if en.section else "")
                )


FileArg = Annotated[Path, typer.Argument(help="Input file.")]
DatasetOpt = Annotated[str, typer.Option("--dataset", help="Dataset name for these rows.")]
ReplaceOpt = Annotated[bool, typer.Option("--replace", help="Replace the dataset's rows.")]


def _import(fmt: Format, file: Path, dataset: str, replace: bool, db: Path | None,
            as_json: bool, prefix: str = "") -> None:  # fmt: skip
    def body() -> None:
        with (
            store_for(db, as_json=as_json, read_only=False) as store,
            progress_bar(as_json, "bytes", first=f"importing {file.name}") as tick,
        ):
            res = imports.import_file(
                store, fmt, file, dataset=dataset, replace=replace, prefix=prefix, progress=tick
            )
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(
                f"Imported {sum(res.rows.values())} rows into dataset {res.dataset} in "
                f"{res.seconds:.2f}s: " + ", ".join(f"{k} {v}" for k, v in res.rows.items())
            )

    guarded(as_json)(body)


def import_bods(
    file: FileArg,
    dataset: DatasetOpt = "bods",
    replace: ReplaceOpt = False,
    prefix: Annotated[str, typer.Option("--prefix", help="Prefix for entity ids.")] = "",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import Beneficial Ownership Data Standard 0.4 statements (JSON array or JSON Lines)."""
    _import("bods", file, dataset, replace, db, as_json, prefix=prefix)


def import_ftm(
    file: FileArg,
    dataset: DatasetOpt = "ftm",
    replace: ReplaceOpt = False,
    prefix: Annotated[str, typer.Option("--prefix", help="Prefix for entity ids.")] = "",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import FollowTheMoney entities (JSON Lines or a JSON array)."""
    _import("ftm", file, dataset, replace, db, as_json, prefix=prefix)


def import_stakes_bulk(
    file: Annotated[Path, typer.Argument(help="Stakes as CSV or Parquet (stake columns).")],
    dataset: DatasetOpt = "bulk",
    replace: ReplaceOpt = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load many stakes fast with DuckDB's native CSV/Parquet reader (atomic, checked)."""
    _import("stakes-bulk", file, dataset, replace, db, as_json)
