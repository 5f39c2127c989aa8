"""News commands: ``news ingest`` and the review queue (``review list|show|accept|reject``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from derisk.cli.common import (
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    fail,
    guarded,
    progress_bar,
    store_for,
)

if TYPE_CHECKING:  # pragma: no cover
    from derisk.model.news import FieldValue
    from derisk.services.results.news import (
        NewsDecisionResult,
        NewsIngest,
        NewsProposalShow,
        NewsReview,
    )
    from derisk.store.base import Store


def _svc() -> ModuleType:
    """The news service, imported on first use: it loads the HTML extraction stack, which
    commands and pages that do not read news never need."""
    from derisk.services import news

    return news


def _acting_label(store: Store) -> str:
    """How the user this command acts for is named in the decisions it records."""
    from derisk.services.monitor import acting

    return acting(store).label


news_app = typer.Typer(
    help="Read news articles and propose supply-chain events for review.", no_args_is_help=True
)
review_app = typer.Typer(
    help="Review proposed events: list, show, accept, reject.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(news_app, name="news")
    app.add_typer(review_app, name="review")


def _fields(fields: Mapping[str, FieldValue]) -> str:
    return ", ".join(f"{k}={v}" for k, v in fields.items())


@news_app.command("ingest")
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="HTML pages, text files, JSON Lines feeds or directories of them."),
    ],
    auto_accept: Annotated[
        float | None,
        typer.Option(
            "--auto-accept",
            metavar="MIN_CONFIDENCE",
            help=(
                "Accept proposals with at least this confidence (0-1) at once; confidence "
                "is the share right on real articles (docs/news.md)."
            ),
        ),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(
            "--published",
            help="Publication date (YYYY-MM-DD) for articles that "
            "state none; relative dates are resolved against it.",
        ),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract events from articles into the review queue (nothing changes the graph)."""

    def body() -> None:
        import datetime as dt

        pub = None
        if published is not None:
            try:
                pub = dt.date.fromisoformat(published)
            except ValueError:
                fail(
                    f"--published {published!r} is not a date (YYYY-MM-DD)",
                    as_json=as_json,
                    kind="bad-input",
                    code=2,
                )
        with (
            store_for(db, as_json=as_json, read_only=False) as store,
            progress_bar(as_json, "articles", first="reading") as tick,
        ):
            res: NewsIngest = _svc().ingest(
                store, paths, auto_accept=auto_accept, published=pub, progress=tick
            )
        if as_json:
            emit_json(res.to_json())
            return
        for a in res.articles:
            meta = a.article
            head = (
                f"[bold]{escape(meta.title or meta.origin)}[/] "
                f"[dim]{meta.published or 'no date'} · {escape(meta.site or '')}[/]"
            )
            if a.status == "duplicate":
                console.print(head + f"  [yellow]already ingested ({a.duplicate_of})[/]")
                continue
            console.print(head)
            if not a.events:
                console.print("  [dim]no events[/]")
            for e in a.events:
                mark = "[green]accepted[/]" if e.status == "accepted" else "pending"
                console.print(
                    f"  {e.proposal_id}  {e.type}  {e.confidence:.2f}  "
                    f"{mark}  {escape(_fields(e.fields))}"
                )
            for n in a.new_entities:
                console.print(f"  [cyan]new entity[/] {escape(n.name)} → {n.proposed_id}")
        s = res.summary
        console.print(
            f"{s.read} read, {s.new_articles} new, {s.duplicates} already "
            f"ingested, {s.proposals} proposals, {s.auto_accepted} auto-accepted. "
            "Review with `derisk review list`."
        )

    guarded(as_json)(body)


@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="pending, accepted, rejected or all.")] = "pending",
    event_type: Annotated[str | None, typer.Option("--type", help="Only this event type.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals waiting for review (or decided ones, with --status)."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store, store.view() as view:
            res: NewsReview = _svc().list_proposals(view, status, event_type)
        if as_json:
            emit_json(res.to_json())
            return
        t = Table(title=f"Proposals ({status})")
        for col in ("id", "type", "conf", "status", "fields", "article"):
            t.add_column(col)
        for p in res.proposals:
            art = p.article
            published = (art.published if art else None) or ""
            title = (art.title if art else None) or ""
            t.add_row(
                p.proposal_id,
                p.type,
                f"{p.confidence:.2f}",
                p.status,
                escape(p.summary),
                escape(f"{published} {title[:50]}"),
            )
        console.print(t)
        if not res.proposals:
            console.print("[dim]nothing to review[/]")

    guarded(as_json)(body)


@review_app.command("show")
def review_show(
    ident: Annotated[str, typer.Argument(help="Proposal id (or a unique start of it).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A proposal with its sentence, fields, linked entities, article and decisions."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store, store.view() as view:
            res: NewsProposalShow = _svc().show(view, ident)
        if as_json:
            emit_json(res.to_json())
            return
        p = res.proposal
        art = p.article
        t = Table(title=f"Proposal {p.proposal_id} ({p.status})", show_header=False)
        t.add_row("type", p.type)
        t.add_row("confidence", f"{p.confidence:.2f}")
        for k, v in p.fields.items():
            t.add_row(k, escape(str(v)))
        t.add_row("sentence", escape(p.sentence))
        t.add_row("article", escape(f"{art.title} ({art.site}, {art.published})"))
        t.add_row("url", escape(art.url or art.origin))
        ents = "; ".join(
            f"{e['text']} → {e['id_or_null'] or 'new'} ({e['kind']})" for e in p.entities
        )
        t.add_row("entities", escape(ents))
        for d in p.decisions:
            t.add_row(d.decision, f"{d.decided_at} by {d.decided_by}")
        console.print(t)

    guarded(as_json)(body)


def _parse_sets(values: list[str] | None, as_json: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values or []:
        if "=" not in v:
            fail(f"--set {v!r}: expected FIELD=VALUE", as_json=as_json, kind="bad-input", code=2)
        k, _, val = v.partition("=")
        out[k.strip()] = val.strip()
    return out


@review_app.command("accept")
def review_accept(
    ident: Annotated[str, typer.Argument(help="Proposal id (or a unique start of it).")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Correct a field before accepting: FIELD=VALUE (repeatable)."),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Accept a proposal: write its facts to the graph with the article as their source."""

    def body() -> None:
        overrides = _parse_sets(set_, as_json)
        with store_for(db, as_json=as_json, read_only=False) as store:
            res: NewsDecisionResult = _svc().accept(
                store, ident, overrides, decided_by=_acting_label(store)
            )
        if as_json:
            emit_json(res.to_json())
            return
        written = ", ".join(f"{f.table} {f.id}" for f in res.facts)
        console.print(
            f"[green]accepted[/] {res.proposal_id}: wrote {written} (source {res.source_id})"
        )
        for n in res.notes:
            console.print(f"[yellow]note:[/] {escape(n)}")

    guarded(as_json)(body)


@review_app.command("reject")
def review_reject(
    ident: Annotated[str, typer.Argument(help="Proposal id (or a unique start of it).")],
    reason: Annotated[str | None, typer.Option(help="Why, for the record.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a proposal (recorded; the graph does not change)."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res: NewsDecisionResult = _svc().reject(
                store, ident, reason, decided_by=_acting_label(store)
            )
        if as_json:
            emit_json(res.to_json())
            return
        console.print(f"[red]rejected[/] {res.proposal_id}")

    guarded(as_json)(body)
