"""Typed results of monitoring and trust: the API models are derived from the records, every
result conforms to its SCHEMA, and ``to_json()`` / ``to_frame()`` are the CLI's ``--json``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, is_typeddict

import pandas as pd
import pytest

from derisk.api import models
from derisk.data.loader import load_rows
from derisk.model import monitor as mm
from derisk.model.record import Record
from derisk.model.schema import Entity, Source, Stake
from derisk.model.trust import Principal, Role
from derisk.services import delivery, feeds, monitor, trust
from derisk.services.results import monitor as rm
from derisk.services.results import trust as rt
from derisk.store import DuckStore, guard
from tests.conftest import Cli
from tests.test_results import conforms

ALICE = Principal("alice", Role.ANALYST, "acme", via="cli")


@pytest.mark.parametrize(
    ("record", "model"),
    [
        (rm.Watchlist, models.WatchlistOut),
        (rm.WatchAdded, models.WatchAddedOut),
        (rm.WatchRemoved, models.WatchRemovedOut),
        (rm.Alerts, models.AlertsOut),
        (rm.AlertStateSet, models.AlertStateOut),
        (rm.Calendar, models.CalendarOut),
        (rm.Feeds, models.FeedsOut),
        (rm.FeedAdded, models.FeedAddedOut),
        (rm.Subscriptions, models.SubscriptionsOut),
        (rm.SubAdded, models.SubAddedOut),
        (rm.MonitorRun, models.MonitorRunOut),
        (rt.Whoami, models.WhoamiOut),
        (rt.Datasets, models.DatasetsOut),
        (rt.Audit, models.AuditOut),
    ],
)
def test_api_models_are_derived_from_the_results(record: type[Record], model: Any) -> None:
    """The OpenAPI model has the result's keys (plus the API's `page`); nested models have
    their records' keys."""
    api = model.model_json_schema(mode="serialization")
    assert set(api["properties"]) - {"page"} == set(record.SCHEMA["properties"])
    for name, sub in record.SCHEMA.get("$defs", {}).items():
        nested = getattr(rm, name, None) or getattr(rt, name, None) or getattr(mm, name)
        if issubclass(nested, Record):
            derived = models.derive(nested)
        else:  # an alert's reasons and sources are TypedDicts
            assert is_typeddict(nested)
            derived = models.derive_typeddict(nested)
        assert set(derived.model_json_schema(mode="serialization")["properties"]) == set(
            sub["properties"]
        )


@contextmanager
def as_user(name: str | None) -> Iterator[None]:
    old = os.environ.pop("DERISK_USER", None)
    if name:
        os.environ["DERISK_USER"] = name
    try:
        yield
    finally:
        os.environ.pop("DERISK_USER", None)
        if old is not None:
            os.environ["DERISK_USER"] = old


@pytest.fixture()
def watched(fresh_db: Path) -> Path:
    """Two organisations, a public company chain, alice's watch items, a baseline pass, a new
    stake that flips the entity's answer, and a second pass that raises an alert."""
    pub = [
        Source("t-registry", "Test registry", "Hand-made company register"),
        Entity("cn-gov", "government", "Government of the PRC (test)", "t-registry", country="CHN"),
        Entity("zeta-magnetics", "company", "Zeta Magnetics", "t-registry", country="USA"),
    ]
    with DuckStore(fresh_db) as store:
        load_rows(store, {"x": pub}, dataset="test-public", origin="test")
        trust.set_access(store, "test-public", "public")
        trust.add_org(store, "acme")
        trust.add_user(store, "alice", "analyst", "acme")
        trust.create_token(store, "alice", days=30, note="ci")
    with guard.acting_as(ALICE), DuckStore(fresh_db) as store:
        monitor.add_watch(store, "entity", "zeta-magnetics")
        monitor.add_watch(store, "material", "antimony", stage="mining", countries=["CHN"])
        monitor.add_watch(store, "country", "CHN", note="exports")
        monitor.add_watch(store, "facility", "no-such-plant")
        feeds.add_feed(store, "http://127.0.0.1:9/feed.xml", interval_s=600)
        delivery.subscribe(store, "email", "alice@example.org")
    with DuckStore(fresh_db) as store:
        monitor.run(store, today=dt.date(2026, 6, 1))
        stake = Stake("t-s1", "cn-gov", "zeta-magnetics", "equity", 40.0, "t-registry")
        load_rows(store, {"x": [stake]}, dataset="test-public", origin="test")
        second = monitor.run(store, today=dt.date(2026, 6, 2))
    assert isinstance(second, rm.MonitorRun) and second.alerts, second.to_json()
    return fresh_db


READS: list[tuple[str | None, list[str], Callable[[DuckStore], Record], str | None]] = [
    ("alice", ["monitor", "watch", "list"], lambda s: monitor.list_watch(s.view()), "items"),
    ("alice", ["alerts", "--state", "all"],
     lambda s: monitor.list_alerts(s.view(), state="all"), None),
    (None, ["alerts", "--state", "all"],
     lambda s: monitor.list_alerts(s.view(), state="all"), "alerts"),
    ("alice", ["monitor", "calendar", "--days", "400"],
     lambda s: monitor.calendar(s.view(), days=400), None),
    ("alice", ["monitor", "feed", "list"], lambda s: feeds.list_feeds(s.view()), "feeds"),
    ("alice", ["monitor", "subscriptions"],
     lambda s: delivery.list_subscriptions(s.view()), "subscriptions"),
    (None, ["admin", "org", "list"], trust.list_orgs, None),
    (None, ["admin", "user", "list"], trust.list_users, "users"),
    (None, ["admin", "token", "list"], trust.list_tokens, "tokens"),
    (None, ["admin", "dataset", "list"], trust.list_datasets, "datasets"),
    ("alice", ["admin", "dataset", "list"], trust.list_datasets, "datasets"),
    ("alice", ["whoami"], lambda s: trust.whoami(s, mode="user"), None),
    (None, ["audit", "--limit", "20"], lambda s: trust.audit(s, limit=20), "entries"),
]  # fmt: skip


def test_results_are_the_cli_json(watched: Path) -> None:
    """Each read, as the same user, is the CLI's --json: keys, order, values; and its main
    table is the CLI's rows."""
    cli = Cli(watched)
    for user, argv, read, table in READS:
        with as_user(user):
            expected = cli.json(*argv)
            with DuckStore(watched, read_only=True) as store:
                res = read(store)
        assert isinstance(res, Record), argv
        data = conforms(res)
        assert list(data) == list(expected) == list(dict(res)), argv
        assert data == expected, argv
        if table:
            frame = res.to_frame()
            assert frame.equals(pd.DataFrame.from_records(expected[table])), argv


def test_monitor_results_are_frozen_and_typed(watched: Path) -> None:
    with guard.acting_as(ALICE), DuckStore(watched, read_only=True) as store:
        alerts = monitor.list_alerts(store.view(), state="all")
        items = monitor.list_watch(store.view())
    a = alerts.alerts[0]
    assert isinstance(a, rm.AlertInfo) and a.after == "flagged" and a.state == "unread"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.state = "read"  # type: ignore[misc]
    assert alerts.counts["unread"] == len(alerts.alerts)
    kinds = {w.kind: w for w in items.items_}
    assert kinds["material"].countries == ("CHN",) and kinds["country"].note == "exports"
    assert all(w.answer is not None for w in items.items_)
    assert kinds["facility"].answer is not None and kinds["facility"].answer.value == "unknown"


def test_remove_and_add_again(watched: Path) -> None:
    """A watch item, feed or subscription can be removed (its removal record keeps the id) and
    added again, from the CLI as its owner."""
    cli = Cli(watched)
    with as_user("alice"):
        item = cli.json("monitor", "watch", "list")["items"][0]
        wid = item["watch_id"]
        assert cli.json("monitor", "watch", "remove", wid)["removed"]["watch_id"] == wid
        assert wid not in {w["watch_id"] for w in cli.json("monitor", "watch", "list")["items"]}
        again = cli.json("monitor", "watch", "add", item["kind"], item["target"])
        assert again["added"]["watch_id"] == wid
        fid = cli.json("monitor", "feed", "list")["feeds"][0]["feed_id"]
        cli.json("monitor", "feed", "remove", fid)
        assert cli.json("monitor", "feed", "list")["feeds"] == []
        url = "http://127.0.0.1:9/feed.xml"
        assert cli.json("monitor", "feed", "add", url)["added"]["feed_id"] == fid
        sid = cli.json("monitor", "subscriptions")["subscriptions"][0]["sub_id"]
        cli.json("monitor", "unsubscribe", sid)
        assert cli.json("monitor", "subscriptions")["subscriptions"] == []
        assert (
            cli.json("monitor", "subscribe", "email", "alice@example.org")["added"]["sub_id"] == sid
        )


def test_api_listings_read_a_view_and_answer_as_the_cli(watched: Path) -> None:
    """The alerts, watchlist, feeds, subscriptions and Atom feed over HTTP, as alice with her
    token, are her CLI answers: each front end opens one view for the caller and the services
    read through it (another user's view does not see alice's rows)."""
    from fastapi.testclient import TestClient

    from derisk.api.app import create_app

    with DuckStore(watched) as store:
        token = trust.create_token(store, "alice", days=1, note="api test")["token"]
    cli = Cli(watched)
    with as_user("alice"):
        expected = {
            "/api/watchlist": cli.json("monitor", "watch", "list"),
            "/api/alerts?state=all": cli.json("alerts", "--state", "all"),
            "/api/monitor/feeds": cli.json("monitor", "feed", "list"),
            "/api/monitor/subscriptions": cli.json("monitor", "subscriptions"),
        }
        atom = cli.run("alerts", "--atom")
    assert expected["/api/alerts?state=all"]["alerts"], "the fixture raised an alert for alice"
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(watched, multi_user=True)) as client:
        for url, want in expected.items():
            r = client.get(url, headers=auth)
            assert r.status_code == 200, (url, r.text)
            got = r.json()
            got.pop("page", None)
            assert got == want, url
        r = client.get("/api/alerts/feed.atom", headers=auth)
        assert r.status_code == 200
    # the feed's links name the server it was asked of; otherwise it is the CLI's feed
    assert r.text.replace("http://testserver", "http://127.0.0.1:8000") == atom
    assert "<entry>" in atom and "Zeta Magnetics" in atom
    bob = Principal("bob", Role.ANALYST, "other-org", via="cli")
    with as_user(None), DuckStore(watched, read_only=True) as store, store.view(principal=bob) as v:
        assert monitor.list_alerts(v, state="all").alerts == ()
        assert monitor.list_watch(v).items_ == ()


def test_alerts_page_renders_the_records(watched: Path) -> None:
    """The inbox page renders the alert, calendar and watchlist records: each alert and watch
    item of the CLI's answers is on it, with its state, title and answer."""
    import html

    from fastapi.testclient import TestClient

    from derisk.api.app import create_app

    cli = Cli(watched)
    alerts = cli.json("alerts", "--state", "all")["alerts"]
    items = cli.json("monitor", "watch", "list")["items"]
    with TestClient(create_app(watched)) as client:
        r = client.get("/alerts?state=all")
    assert r.status_code == 200
    assert alerts and items
    for a in alerts:
        assert f'id="{a["alert_id"]}"' in r.text and f'data-state="{a["state"]}"' in r.text
        assert html.escape(a["title"]) in r.text
    watchlist = r.text[r.text.index('id="watchlist"') :]
    assert watchlist.count("<tr>") == len(items)
    for w in items:
        assert html.escape(w["answer"]["text"] if w["answer"] else "at the next pass") in watchlist
