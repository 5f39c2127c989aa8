"""Product commands: trace, certify, rule packs, and importing product sets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from derisk.cli.common import (
    AsOfOpt,
    DbOpt,
    JsonOpt,
    emit_json,
    fail,
    guarded,
    parse_date,
    pct,
    progress_bar,
    store_for,
    view_for,
)
from derisk.data.importers.products import (
    EXAMPLE_DATASET,
    load_example_products,
    load_product_dir,
)
from derisk.rules.certify import RulePackError
from derisk.services import certify as csvc
from derisk.services import trace as tsvc
from derisk.services.imports import import_result
from derisk.services.results.certify import (
    Certificate,
    CertifyBatch,
    CostFinding,
    Macr,
    MacrParameters,
    ShareFinding,
)
from derisk.services.results.trace import Trace
from derisk.store.view import View

RulesFileOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules-file", help="Extra rule pack (YAML, docs/rules.md); repeatable."),
]
console = Console(markup=False, highlight=False)
"""Data (names, messages) may contain brackets: print without markup, style explicitly."""
VERDICT_STYLE = {
    "compliant": "bold green",
    "non-compliant": "bold red",
    "indeterminate": "bold yellow",
    "not-applicable": "bold",
}


def register(app: typer.Typer) -> None:
    app.command("trace")(trace)
    app.command("certify")(certify)
    app.command("products")(products)
    app.command("rule-packs")(rule_packs)
    from derisk.cli.core import import_app

    import_app.command("products")(import_products)
    example = next(
        (g.typer_instance for g in import_app.registered_groups if g.name == "example"), None
    )
    if example is None:
        example = typer.Typer(help="Load a worked example shipped with derisk.")
        import_app.add_typer(example, name="example")
    example.command("products")(import_example_products)


def _rule_guard(as_json: bool, body: Any) -> None:
    def run() -> None:
        try:
            body()
        except RulePackError as exc:
            fail(str(exc), as_json=as_json, kind="bad-input", code=2)

    guarded(as_json)(run)


def trace(
    product: Annotated[str, typer.Argument(help="Product id (see `derisk products`).")],
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Trace a product's materials back to the mines: origin of every stage, by country and
    entity, traced or statistical, with the mass balance and what is missing."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            res = tsvc.trace(view, product)
        if as_json:
            emit_json(res.to_json())
            return
        _print_trace(res)

    guarded(as_json)(body)


def _print_trace(res: Trace) -> None:
    p = res.product
    console.print(
        Text.assemble(
            (p.name, "bold"),
            f" ({p.product}, {p.item_class}), made at {p.facility_name} "
            f"({p.country}); as of {res.as_of}",
        )
    )
    for m in res.materials:
        t = Table(title=f"{m.material_name}: origin by stage")
        for col in ("stage", "rule stage", "origin (country share, basis)", "by entity", "unknown"):
            t.add_column(col, overflow="fold")
        for s in m.stages:
            for part in s.parts:
                countries = ", ".join(
                    f"{c.country} {pct(c.share)}"
                    + (" stat" if c.statistical and not c.traced else "")
                    for c in part.by_country[:6]
                )
                ents_txt = "; ".join(
                    f"{e.entity_name} {pct(e.share)}"
                    + (f" [{e.screening.get('pfe')}]" if e.screening.get("pfe") else "")
                    + (" (integrated)" if e.integrated else "")
                    for e in part.by_entity
                    if e.entity
                )
                label = s.stage + (f" (part {part.part})" if len(s.parts) > 1 else "")
                t.add_row(label, s.rule_stage, countries, ents_txt, pct(part.unknown_share))
        console.print(t)
    if res.missing:
        console.print("Missing", style="bold")
        for x in res.missing:
            console.print(f"  • {x.message}")
    pfe = {
        e: v.screening["pfe"].verdict if "pfe" in v.screening else None
        for e, v in res.entities.items()
    }
    shown = ", ".join(f"{e}: {v}" for e, v in pfe.items() if v)
    if shown:
        console.print(f"Screening (PFE): {shown}")


def certify(
    product: Annotated[
        str | None, typer.Argument(help="Product id; omit with --all to certify every product.")
    ] = None,
    rule: Annotated[str, typer.Option("--rule", help="Rule id (see `derisk rule-packs`).")] = "",
    all_products: Annotated[
        bool, typer.Option("--all", help="Certify every product (verdicts only).")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Cost-ratio year (default: the as-of year)."),
    ] = None,
    rules_file: RulesFileOpt = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write a PDF report.")] = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Verdict of a product under a rule (compliant, non-compliant, indeterminate) with the
    evidence: paths, facts and sources, and the missing data with whom to ask."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        if not rule:
            fail("give --rule (see `derisk rule-packs`)", as_json=as_json, code=2, kind="bad-input")
        if (product is None) == (not all_products):
            fail("give a PRODUCT or --all", as_json=as_json, code=2, kind="bad-input")
        files = list(rules_file or [])
        with view_for(db, as_json=as_json, as_of=when) as view:
            if all_products:
                batch = _certify_all(view, rule, files, year, as_json)
            else:
                assert product is not None
                cert = csvc.certify(view, product, rule, files, year)
        if all_products:
            if as_json:
                emit_json(batch.to_json())
            else:
                _print_batch(batch)
            return
        _write_reports(cert, html, pdf)
        if as_json:
            emit_json(cert.to_json())
        else:
            _print_certificate(cert, html, pdf)

    _rule_guard(as_json, body)


def _certify_all(
    view: View,
    rule: str,
    files: list[Path],
    year: int | None,
    as_json: bool,
) -> CertifyBatch:
    with progress_bar(as_json, first="certifying") as tick:
        return csvc.certify_many(view, rule, rules_files=files, year=year, progress=tick)


def _write_reports(res: Certificate, html: Path | None, pdf: Path | None) -> None:
    from derisk.report.certificate import render_certificate_html, write_certificate_pdf

    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_certificate_html(res), encoding="utf-8")
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        write_certificate_pdf(res, pdf)


def _print_certificate(res: Certificate, html: Path | None, pdf: Path | None) -> None:
    style = VERDICT_STYLE.get(res.verdict, "bold")
    console.print(
        Panel(
            Group(Text(res.verdict.upper(), style=style), Text(res.reason)),
            title=f"{res.product} · {res.rule} {res.rule_version} · as of {res.as_of}",
            expand=False,
        )
    )
    if res.statistical_verdict != res.verdict:
        console.print(
            f"With country statistics standing in for unnamed suppliers: {res.statistical_verdict}"
        )
    if isinstance(res.macr, Macr) and isinstance(res.parameters, MacrParameters):
        m, par = res.macr, res.parameters
        console.print(
            f"MACR {pct(m.bounds[0], 2)}–{pct(m.bounds[1], 2)} vs threshold "
            f"{pct(par.threshold, 0)} ({par.year}); total "
            f"{m.total:,.0f}, PFE {m.pfe:,.0f}, unscreened {m.unscreened:,.0f}"
        )
    if res.stages:
        t = Table(title="Stages")
        for col in ("material", "stage", "rule stage", "share", "with statistics", "status"):
            t.add_column(col)
        for s in res.stages:
            b, sb = s.share_bounds, s.statistical_share_bounds
            t.add_row(
                s.material,
                s.stage,
                s.rule_stage,
                f"{pct(b[0])}–{pct(b[1])}",
                f"{pct(sb[0])}–{pct(sb[1])}",
                s.status,
            )
        console.print(t)
    if res.findings:
        console.print(_findings_table(res.findings))
    if res.missing:
        console.print("Missing data", style="bold")
        for item in res.missing:
            console.print(f"  • {item.message}")
    if res.low_confidence:
        console.print(f"Rests on unverified [L] items: {', '.join(res.low_confidence)}")
    for path in (html, pdf):
        if path is not None:
            console.print(f"Wrote {path}")


def _findings_table(findings: Sequence[ShareFinding | CostFinding]) -> Table:
    """Findings, with statistical lines under 1% folded into one line per stage (--json has
    every line)."""
    t = Table(title="Findings (◀ = a country the rule names)")
    for col in ("stage", "country", "entity", "share", "basis", "sources"):
        t.add_column(col, overflow="fold")
    folded: dict[str, tuple[float, set[str]]] = {}
    for f in findings:
        stage = f"{f.material or ''} {f.stage or ''}".strip()
        if f.basis == "statistical" and (f.share or 0) < 0.01:
            share, srcs = folded.get(stage, (0.0, set()))
            folded[stage] = (share + (f.share or 0), srcs | {s.source_id for s in f.sources})
            continue
        in_rule = isinstance(f, ShareFinding) and f.in_rule_countries
        status = f.status if isinstance(f, CostFinding) else None
        t.add_row(
            stage,
            (f.country or "unknown") + (" ◀" if in_rule else ""),
            f.entity_name or f.entity or "—",
            pct(f.share),
            f.basis + (f" {status}" if status else ""),
            ", ".join(s.source_id for s in f.sources),
        )
    for stage, (share, srcs) in folded.items():
        t.add_row(
            stage, "others < 1% each", "—", pct(share), "statistical", ", ".join(sorted(srcs))
        )
    return t


def _print_batch(res: CertifyBatch) -> None:
    t = Table(title=f"{res.rule} {res.rule_version} as of {res.as_of}")
    t.add_column("verdict")
    t.add_column("products", justify="right")
    for v, n in res.counts.items():
        t.add_row(v, str(n))
    console.print(t)


def products(db: DbOpt = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """List the products in the database."""

    def body() -> None:
        when = parse_date(as_of, as_json=as_json)
        with view_for(db, as_json=as_json, as_of=when) as view:
            res = csvc.list_products(view)
        if as_json:
            emit_json(res.to_json())
            return
        t = Table(title="Products")
        for col in ("product", "name", "item class", "facility", "country"):
            t.add_column(col, overflow="fold")
        for p in res.products:
            t.add_row(p.product, p.name, p.item_class, p.facility, p.country or "")
        console.print(t)

    guarded(as_json)(body)


def rule_packs(rules_file: RulesFileOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the certification rules, their versions, thresholds and citations (``--db`` is
    accepted for uniformity; rules do not live in the database)."""

    def body() -> None:
        res = csvc.list_rules(list(rules_file or []))
        if as_json:
            emit_json(res.to_json())
            return
        t = Table(title="Certification rules")
        for col in ("rule", "kind", "applies to", "versions", "confidence"):
            t.add_column(col, overflow="fold")
        for r in res.rules:
            vers = "; ".join(
                f"{v.version} ({v.effective_from or '…'}–{v.effective_to or '…'})"
                for v in r.versions
            )
            applies = r.applies_to if isinstance(r.applies_to, str) else ", ".join(r.applies_to)
            t.add_row(r.rule, r.kind, applies, vers, r.confidence)
        console.print(t)

    _rule_guard(as_json, body)


def import_products(
    folder: Annotated[Path, typer.Argument(help="Folder of product-set CSV files.")],
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset name.")] = "products",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a product set (products, BOM, facilities, supply links, costs); atomic."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            rep, reused = load_product_dir(store, folder, dataset=dataset, replace=True)
        _print_import(rep, reused, as_json)

    guarded(as_json)(body)


def import_example_products(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Load the worked example: two NdFeB magnets and an NMC cathode (docs/certify.md)."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            rep, reused = load_example_products(store)
        _print_import(rep, reused, as_json)

    guarded(as_json)(body)


def _print_import(rep: Any, reused: list[str], as_json: bool) -> None:
    res = import_result(rep, reused)
    if as_json:
        emit_json(res.to_json())
        return
    console.print(
        f"Imported {sum(rep.rows.values())} rows into dataset {rep.dataset}"
        + (f" (reused entities: {', '.join(reused)})" if reused else "")
    )
    if rep.dataset == EXAMPLE_DATASET:
        console.print("Try: derisk certify magnet-jp-cn-oxide --rule dfars-7052 --as-of 2027-01-01")
