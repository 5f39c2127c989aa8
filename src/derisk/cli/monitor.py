"""Monitoring commands: ``monitor watch|feed|subscribe|run|serve|calendar`` and ``alerts``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import time
from typing import Annotated, Any

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
    progress_lines,
    store_for,
    view_for,
)
from derisk.model.monitor import WATCH_KINDS
from derisk.services import delivery, feeds
from derisk.services import monitor as svc
from derisk.services.results.monitor import MonitorRun

monitor_app = typer.Typer(
    help="Watch products, entities, materials, countries, importers and facilities; poll news "
    "feeds; raise alerts when an answer changes.",
    no_args_is_help=True,
)
watch_app = typer.Typer(help="The watchlist: add, list, remove.", no_args_is_help=True)
feed_app = typer.Typer(help="News feeds polled by `monitor run`.", no_args_is_help=True)
alerts_app = typer.Typer(
    help="Your alerts (newest first); read, ack, mute, unread one.",
    invoke_without_command=True,
)
monitor_app.add_typer(watch_app, name="watch")
monitor_app.add_typer(feed_app, name="feed")


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")
    app.add_typer(alerts_app, name="alerts")


TodayOpt = Annotated[
    str | None,
    typer.Option("--today", help="Evaluate as of this date (YYYY-MM-DD; default today)."),
]


def _date(value: str | None, opt: str, as_json: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(
            f"{opt} {value!r} is not a date (YYYY-MM-DD)", as_json=as_json, kind="bad-input", code=2
        )


# -- watchlist ---------------------------------------------------------------------------------


@watch_app.command("add")
def watch_add(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(WATCH_KINDS)}.")],
    target: Annotated[
        str,
        typer.Argument(
            help="Product id, entity id, facility id, material id, or ISO3 country/importer."
        ),
    ],
    material: Annotated[
        str | None, typer.Option("--material", help="Material (importer watches).")
    ] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Stage of the material.")] = None,
    countries: Annotated[
        str | None,
        typer.Option("--countries", help="Countries whose share is watched (default CHN)."),
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option("--rule", help="Rule a product must certify under; screening rule."),
    ] = None,
    on_date: Annotated[
        str | None,
        typer.Option("--on-date", help="Date the product must certify on (default: each day)."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Your note.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Watch something; its answer is computed at the next `derisk monitor run`."""

    def body() -> None:
        d = _date(on_date, "--on-date", as_json)
        cs = countries.split(",") if countries else None
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = svc.add_watch(
                store,
                kind,
                target,
                material=material,
                stage=stage,
                countries=cs,
                rule=rule,
                on_date=d,
                note=note,
            )
        if as_json:
            emit_json(res.to_json())
            return
        console.print(f"watching {kind} {escape(target)} as [bold]{res['added']['watch_id']}[/]")
        for n in res["notes"]:
            console.print(f"[yellow]note:[/] {escape(n)}")

    guarded(as_json)(body)


@watch_app.command("list")
def watch_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Your watch items and their last answers."""

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = svc.list_watch(view)
        if as_json:
            emit_json(res.to_json())
            return
        t = Table("id", "kind", "target", "detail", "answer")
        for w in res["items"]:
            detail = " ".join(
                str(x)
                for x in (w["material"], w["stage"], w["rule"], w["on_date"], w["countries"])
                if x
            )
            ans = w["answer"]["text"] if w["answer"] else "(at the next run)"
            t.add_row(w["watch_id"], w["kind"], escape(w["target"]), escape(detail), escape(ans))
        console.print(t)

    guarded(as_json)(body)


@watch_app.command("remove")
def watch_remove(
    watch_id: Annotated[str, typer.Argument(help="Watch id.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop watching an item."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = svc.remove_watch(store, watch_id)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(f"removed {watch_id}")

    guarded(as_json)(body)


# -- feeds -------------------------------------------------------------------------------------


@feed_app.command("add")
def feed_add(
    url: Annotated[str, typer.Argument(help="RSS, Atom or JSON Feed URL.")],
    auto_accept: Annotated[
        float | None,
        typer.Option(
            "--auto-accept",
            metavar="MIN_CONFIDENCE",
            help="Accept this feed's proposals at or above this confidence (default: off).",
        ),
    ] = None,
    interval: Annotated[
        int, typer.Option("--interval", help="Least seconds between two polls of the feed.")
    ] = 900,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Poll a news feed; its new articles go to the review queue."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = feeds.add_feed(store, url, auto_accept=auto_accept, interval_s=interval)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(f"polling {escape(url)} as [bold]{res['added']['feed_id']}[/]")

    guarded(as_json)(body)


@feed_app.command("list")
def feed_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Feeds and their last poll."""

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = feeds.list_feeds(view)
        if as_json:
            emit_json(res.to_json())
            return
        t = Table("id", "url", "auto-accept", "last poll", "next", "failures")
        for f in res["feeds"]:
            lp = f["last_poll"] or {}
            t.add_row(
                f["feed_id"],
                escape(f["url"]),
                "off" if f["auto_accept"] is None else str(f["auto_accept"]),
                f"{lp.get('at', '—')} {lp.get('outcome', '')}",
                str(lp.get("next_poll_at", "now")),
                str(lp.get("failures", 0)),
            )
        console.print(t)

    guarded(as_json)(body)


@feed_app.command("remove")
def feed_remove(
    feed_id: Annotated[str, typer.Argument(help="Feed id.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stop polling a feed."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = feeds.remove_feed(store, feed_id)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(f"removed {feed_id}")

    guarded(as_json)(body)


# -- subscriptions -----------------------------------------------------------------------------


@monitor_app.command("subscribe")
def subscribe(
    channel: Annotated[str, typer.Argument(help="webhook or email.")],
    target: Annotated[str, typer.Argument(help="Webhook URL or e-mail address.")],
    secret: Annotated[
        str | None,
        typer.Option("--secret", help="Webhook signing secret (default: a new random one)."),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send your alerts to a signed webhook or an e-mail address."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = delivery.subscribe(store, channel, target, secret=secret)
        if as_json:
            emit_json(res.to_json())
            return
        console.print(f"subscribed as [bold]{res['added']['sub_id']}[/]")
        if res["added"].get("secret"):
            console.print(f"signing secret (shown once): {res['added']['secret']}")

    guarded(as_json)(body)


@monitor_app.command("subscriptions")
def subscriptions(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Your alert subscriptions."""

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            res = delivery.list_subscriptions(view)
        if as_json:
            emit_json(res.to_json())
            return
        t = Table("id", "channel", "target", "owner")
        for s in res["subscriptions"]:
            t.add_row(s["sub_id"], s["channel"], escape(s["target"]), escape(s["owner"]))
        console.print(t)

    guarded(as_json)(body)


@monitor_app.command("unsubscribe")
def unsubscribe(
    sub_id: Annotated[str, typer.Argument(help="Subscription id.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove a subscription."""

    def body() -> None:
        with store_for(db, as_json=as_json, read_only=False) as store:
            res = delivery.unsubscribe(store, sub_id)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(f"removed {sub_id}")

    guarded(as_json)(body)


# -- run / serve -------------------------------------------------------------------------------

SmtpOpt = Annotated[
    str | None,
    typer.Option(
        "--smtp",
        help="SMTP server HOST:PORT for e-mail alerts (default: $DERISK_SMTP; none: no e-mail).",
    ),
]
MailFromOpt = Annotated[
    str | None, typer.Option("--mail-from", help="Sender address (default: derisk@localhost).")
]
DigestOpt = Annotated[
    bool, typer.Option("--digest", help="One e-mail per subscriber and pass, not one per alert.")
]
FeedsOpt = Annotated[bool, typer.Option("--feeds/--no-feeds", help="Poll the news feeds.")]
DelayOpt = Annotated[
    float, typer.Option("--delay", help="Seconds between two requests to one host.")
]
FullOpt = Annotated[
    bool, typer.Option("--full", help="Recompute every answer, not only the dependent ones.")
]


one_pass = delivery.run_pass


def _smtp(
    value: str | None, sender: str | None, digest: bool = False
) -> delivery.SmtpConfig | None:
    value = value or os.environ.get("DERISK_SMTP")
    if not value:
        return None
    return dataclasses.replace(delivery.SmtpConfig.parse(value, sender), digest=digest)


def _print_pass(res: MonitorRun) -> None:
    for f in res["feeds"]:
        console.print(
            f"feed {f['feed_id']}: {f['outcome']}"
            + (
                f", {f.get('new_pages', 0)} new page(s), {f.get('proposals', 0)} proposal(s)"
                if f["outcome"] == "ok"
                else ""
            )
            + (f" — {escape(str(f['error']))}" if f.get("error") else "")
        )
    ch = res["changes"]
    console.print(
        f"{res['watched']} watched; {ch['audit_entries']} change(s) since the last pass; "
        f"recomputed {res['recomputed']} ({res['baseline']} new) in {res['seconds']} s"
    )
    for a in res["alerts"]:
        console.print(f"[bold]ALERT[/] {escape(a['title'])}: {a['before']} → {a['after']}")
        for r in a["reasons"][:3]:
            console.print(f"  · {escape(r.get('text', ''))}")
    for d in res["deliveries"]:
        console.print(f"{d['channel']} {d['alert_id']}: {d['outcome']} ({escape(d['detail'])})")


@monitor_app.command("run")
def run(
    poll: FeedsOpt = True,
    force: Annotated[
        bool, typer.Option("--force", help="Poll feeds even before their interval has passed.")
    ] = False,
    delay: DelayOpt = 1.0,
    full: FullOpt = False,
    today: TodayOpt = None,
    smtp: SmtpOpt = None,
    mail_from: MailFromOpt = None,
    digest: DigestOpt = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One pass: poll due feeds, recompute the answers that depend on changed facts, raise and
    deliver alerts. Run it from cron or a systemd timer (docs/monitoring.md)."""

    def body() -> None:
        d = _date(today, "--today", as_json)
        cfg = _smtp(smtp, mail_from, digest)
        with (
            store_for(db, as_json=as_json, read_only=False) as store,
            progress_lines(as_json) as prog,
        ):
            res = one_pass(
                store,
                poll=poll,
                force=force,
                delay=delay,
                full=full,
                today=d,
                smtp=cfg,
                progress=prog,
            )
        if as_json:
            emit_json(res.to_json())
        else:
            _print_pass(res)

    guarded(as_json)(body)


@monitor_app.command("serve")
def serve(
    every: Annotated[
        int, typer.Option("--every", help="Seconds between passes (feeds keep their own interval).")
    ] = 300,
    passes: Annotated[
        int, typer.Option("--passes", help="Stop after this many passes (0: run until stopped).")
    ] = 0,
    poll: FeedsOpt = True,
    delay: DelayOpt = 1.0,
    smtp: SmtpOpt = None,
    mail_from: MailFromOpt = None,
    digest: DigestOpt = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Keep running passes until stopped (SIGINT/SIGTERM end it after the current pass).
    The database is opened for each pass only, so other commands can use it in between."""
    stop = {"now": False}

    def _stop(*_: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def body() -> None:
        cfg = _smtp(smtp, mail_from, digest)
        n = 0
        while not stop["now"]:
            with store_for(db, as_json=as_json, read_only=False) as store:
                res = one_pass(
                    store, poll=poll, force=False, delay=delay, full=False, today=None, smtp=cfg
                )
            n += 1
            if as_json:
                emit_json({**res.to_json(), "pass": n})
            else:
                console.print(f"[bold]pass {n}[/] {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S}Z")
                _print_pass(res)
            if passes and n >= passes:
                break
            end = time.monotonic() + every
            while not stop["now"] and time.monotonic() < end:
                time.sleep(min(1.0, max(0.0, end - time.monotonic())))

    guarded(as_json)(body)


@monitor_app.command("calendar")
def calendar(
    days: Annotated[int, typer.Option("--days", help="How far ahead to look.")] = 90,
    today: TodayOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Upcoming rule changes and licence expiries that touch your watchlist."""

    def body() -> None:
        d = _date(today, "--today", as_json)
        with view_for(db, as_json=as_json, as_of=d) as view:
            res = svc.calendar(view, days=days)
        if as_json:
            emit_json(res.to_json())
            return
        if not res["events"]:
            console.print(f"nothing in the next {days} days touches your watchlist")
        for e in res["events"]:
            console.print(f"{e['date']} ({e['in_days']} d) {e['kind']}: {escape(e['text'])}")

    guarded(as_json)(body)


# -- alerts ------------------------------------------------------------------------------------


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    state: Annotated[
        str,
        typer.Option("--state", help="open (default), all, unread, read, acknowledged or muted."),
    ] = "open",
    limit: Annotated[int, typer.Option("--limit", help="At most this many.")] = 50,
    atom: Annotated[
        bool, typer.Option("--atom", help="Print an Atom feed of your alerts.")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your alerts, newest first, with before → after, reasons and sources."""
    if ctx.invoked_subcommand is not None:
        return

    def body() -> None:
        with view_for(db, as_json=as_json) as view:
            if atom:
                typer.echo(svc.atom(view), nl=False)
                return
            res = svc.list_alerts(view, state=state, limit=limit)
        if as_json:
            emit_json(res.to_json())
            return
        c = res["counts"]
        console.print(
            f"{c['unread']} unread, {c['read']} read, {c['acknowledged']} acknowledged, "
            f"{c['muted']} muted"
        )
        for a in res["alerts"]:
            console.print(
                f"[bold]{a['alert_id']}[/] [{a['state']}] {a['created_at'][:16]} "
                f"{escape(a['title'])}\n    {escape(a['before'])} → {escape(a['after'])}"
            )
            for r in a["reasons"][:4]:
                console.print(f"    · {escape(r.get('text', ''))}")
            for s in a["sources"][:4]:
                q = f' — "{s["quote"]}"' if s.get("quote") else ""
                console.print(
                    f"    source: {escape(str(s.get('title')))} "
                    f"({escape(str(s.get('url') or s.get('source_id')))}){escape(q)}"
                )

    guarded(as_json)(body)


def _state_command(name: str, state: str, doc: str) -> None:
    def cmd(
        alert_id: Annotated[str, typer.Argument(help="Alert id (or a unique start of one).")],
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        def body() -> None:
            with store_for(db, as_json=as_json, read_only=False) as store:
                res = svc.set_state(store, alert_id, state)
            emit_json(res.to_json()) if as_json else console.print(
                f"{res['alert']['alert_id']}: {state}"
            )

        guarded(as_json)(body)

    cmd.__doc__ = doc
    alerts_app.command(name)(cmd)


_state_command("read", "read", "Mark an alert read.")
_state_command("ack", "acknowledged", "Acknowledge an alert (it leaves the open list).")
_state_command("mute", "muted", "Mute an alert and later alerts of its watch item.")
_state_command("unread", "unread", "Mark an alert unread again.")
