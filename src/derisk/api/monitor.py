"""Monitoring: the caller's watchlist, alerts (read, acknowledge, mute), Atom feed, calendar,
feeds and subscriptions. Every answer is the CLI's ``--json`` of the same command."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel, Field

from derisk.api import models as m
from derisk.api.deps import ApiDep, PageDep, paginate
from derisk.services import delivery, feeds
from derisk.services import monitor as svc

router = APIRouter(prefix="/api", tags=["monitoring"])

AlertPath = Annotated[str, Path(description="Alert id (or a unique start of one).")]
STATE_OF = {"read": "read", "ack": "acknowledged", "mute": "muted", "unread": "unread"}


class WatchIn(BaseModel):
    kind: Literal["product", "entity", "material", "country", "importer", "facility"]
    target: str = Field(description="Product, entity or facility id; material; ISO3 country.")
    material: str | None = None
    stage: str | None = None
    countries: list[str] | None = Field(default=None, description="Default: CHN.")
    rule: str | None = Field(default=None, description="Rule pack id (products), or feoc/...")
    on_date: dt.date | None = None
    note: str | None = None


class SubscribeIn(BaseModel):
    channel: Literal["webhook", "email"]
    target: str = Field(description="Webhook URL or e-mail address.")
    secret: str | None = Field(default=None, description="Webhook secret (default: generated).")


class FeedIn(BaseModel):
    url: str
    auto_accept: float | None = Field(default=None, ge=0, le=1)
    interval_s: int = Field(default=900, ge=60)


@router.get("/alerts", response_model=m.AlertsOut, responses=m.problems(400, 401, 422))
def alerts(
    api: ApiDep,
    page: PageDep,
    state: Annotated[
        Literal["open", "all", "unread", "read", "acknowledged", "muted"],
        Query(description="open: neither acknowledged nor muted."),
    ] = "open",
) -> Response:
    """Your alerts, newest first: before → after, reasons and sources (`derisk alerts`)."""
    return api.read_json(
        ("alerts", state, page),
        lambda v: paginate(svc.list_alerts(v, state=state).to_json(), "alerts", page),
    )


@router.get(
    "/alerts/feed.atom",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0 feed"},
        **m.problems(401),
    },
)
def alerts_atom(api: ApiDep, request: Request) -> Response:
    """Your alerts as an Atom 1.0 feed (`derisk alerts --atom`)."""
    base = str(request.base_url).rstrip("/")
    body = api.read(("alerts-atom", base), lambda v: svc.atom(v, base))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.post(
    "/alerts/{alert}/{action}",
    response_model=m.AlertStateOut,
    responses=m.problems(400, 401, 403, 404, 409, 413, 422),
)
def alert_state(
    api: ApiDep,
    alert: AlertPath,
    action: Annotated[Literal["read", "ack", "mute", "unread"], Path()],
) -> Response:
    """Mark one of your alerts read, acknowledged, muted or unread (`derisk alerts ack ID`)."""
    return api.write_json(lambda s: svc.set_state(s, alert, STATE_OF[action]).to_json())


@router.get("/watchlist", response_model=m.WatchlistOut, responses=m.problems(400, 401, 422))
def watchlist(api: ApiDep) -> Response:
    """Your watch items and their last answers (`derisk monitor watch list`)."""
    return api.read_json(("watchlist",), lambda v: svc.list_watch(v).to_json())


@router.post(
    "/watchlist",
    response_model=m.WatchAddedOut,
    responses=m.problems(400, 401, 403, 404, 409, 413, 422),
)
def watch_add(api: ApiDep, body: Annotated[WatchIn, Body()]) -> Response:
    """Watch something (`derisk monitor watch add`)."""
    return api.write_json(
        lambda s: svc.add_watch(
            s,
            body.kind,
            body.target,
            material=body.material,
            stage=body.stage,
            countries=body.countries,
            rule=body.rule,
            on_date=body.on_date,
            note=body.note,
        ).to_json()
    )


@router.delete(
    "/watchlist/{watch_id}",
    response_model=m.WatchRemovedOut,
    responses=m.problems(400, 401, 403, 404, 409, 422),
)
def watch_remove(api: ApiDep, watch_id: str) -> Response:
    """Stop watching an item."""
    return api.write_json(lambda s: svc.remove_watch(s, watch_id).to_json())


@router.get("/monitor/calendar", response_model=m.CalendarOut, responses=m.problems(400, 401, 422))
def monitor_calendar(
    api: ApiDep,
    days: Annotated[int, Query(ge=1, le=3650, description="How far ahead.")] = 90,
) -> Response:
    """Upcoming rule changes and licence expiries touching your watchlist."""
    return api.read_json(("calendar", days), lambda v: svc.calendar(v, days=days).to_json())


@router.get("/monitor/feeds", response_model=m.FeedsOut, responses=m.problems(401))
def monitor_feeds(api: ApiDep) -> Response:
    """Feeds visible to you and their last poll (`derisk monitor feed list`)."""
    return api.read_json(("feeds",), lambda v: feeds.list_feeds(v).to_json())


@router.post(
    "/monitor/feeds",
    response_model=m.FeedAddedOut,
    responses=m.problems(400, 401, 403, 404, 409, 413, 422),
)
def monitor_feed_add(api: ApiDep, body: Annotated[FeedIn, Body()]) -> Response:
    """Poll a news feed (`derisk monitor feed add`)."""
    return api.write_json(
        lambda s: feeds.add_feed(
            s, body.url, auto_accept=body.auto_accept, interval_s=body.interval_s
        ).to_json()
    )


@router.get("/monitor/subscriptions", response_model=m.SubscriptionsOut, responses=m.problems(401))
def subscriptions(api: ApiDep) -> Response:
    """Your alert subscriptions (webhooks and e-mail)."""
    return api.read_json(("subscriptions",), lambda v: delivery.list_subscriptions(v).to_json())


@router.post(
    "/monitor/subscriptions",
    response_model=m.SubAddedOut,
    responses=m.problems(400, 401, 403, 404, 409, 413, 422),
)
def subscribe(api: ApiDep, body: Annotated[SubscribeIn, Body()]) -> Response:
    """Send your alerts to a signed webhook or an e-mail address (`derisk monitor subscribe`)."""
    return api.write_json(
        lambda s: delivery.subscribe(s, body.channel, body.target, secret=body.secret).to_json()
    )


class RunIn(BaseModel):
    feeds: bool = Field(default=True, description="Poll the news feeds first.")
    full: bool = Field(default=False, description="Recompute every answer.")
    smtp: str | None = Field(default=None, description="SMTP HOST:PORT for e-mail alerts.")


@router.post(
    "/monitor/run",
    response_model=m.MonitorRunOut,
    responses=m.problems(400, 401, 403, 404, 409, 413, 422),
)
def monitor_run(api: ApiDep, body: Annotated[RunIn | None, Body()] = None) -> Response:
    """One monitoring pass inside the server (admins; the server must be `--writable`): while a
    server holds the database, cron or a timer triggers passes here instead of the CLI."""
    opts = body or RunIn()
    smtp = delivery.SmtpConfig.parse(opts.smtp) if opts.smtp else None
    return api.write_json(
        lambda s: delivery.run_pass(
            s,
            poll=opts.feeds,
            force=False,
            delay=1.0,
            full=opts.full,
            today=None,
            smtp=smtp,
        ).to_json()
    )
