"""The alert inbox in Debian's Chromium, as a non-admin user of a multi-user server: the alert
shows before → after, the reasons and the article's sentence; acknowledging moves it out of
the open list; another organisation's user sees none of it. Plus the API and Atom feed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from derisk.api import create_app
from derisk.data.loader import load_rows
from derisk.model.schema import Source, Stake
from derisk.model.trust import Principal, Role
from derisk.services import monitor, trust
from derisk.store import DuckStore, guard
from tests.browser_fixtures import Watch
from tests.test_monitor_e2e import SENTENCE, world
from tests.web_server import running_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inbox(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    db = tmp_path_factory.mktemp("inbox") / "inbox.duckdb"
    shutil.copyfile(built_db, db)
    world(db)
    for user in ("alice", "bob"):
        org = "acme" if user == "alice" else "beta"
        with guard.acting_as(Principal(user, Role.ANALYST, org)), DuckStore(db) as s:
            monitor.add_watch(s, "entity", "zeta-magnetics", rule="feoc")
    with DuckStore(db) as s:
        monitor.run(s)
        load_rows(  # the reported stake, as an accepted news proposal would write it
            s,
            {
                "x": [
                    Source("news-p-test", "Loopback Wire", "Northern State Holding takes 26% "
                           "of Zeta Magnetics", url="http://127.0.0.1/news/zeta.html",
                           quote=SENTENCE, confidence="M"),
                    Stake("news-p-test", "northern-state-holding", "zeta-magnetics", "equity",
                          26.0, "news-p-test"),
                ]
            },
            dataset="news",
            origin="test",
        )  # fmt: skip
        res = monitor.run(s)
        assert len(res["alerts"]) == 2
        tokens = {u: trust.create_token(s, u)["token"] for u in ("alice", "bob")}
    app = create_app(db, writable=True, multi_user=True, cache_size=0)
    with running_app(app) as base:
        yield {"base": base, **tokens}


def test_inbox_read_acknowledge(browser: Browser, inbox: dict[str, str]) -> None:
    base = inbox["base"]
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base)
    ctx.add_cookies([{"name": "derisk_token", "value": inbox["alice"], "url": base}])
    pg = ctx.new_page()
    watch = Watch(base)
    watch.attach(pg)
    pg.goto("/alerts")
    cards = pg.locator("section.alert")
    assert cards.count() == 1
    card = cards.first
    assert card.locator(".alert-title").inner_text() == "Zeta Magnetics is now FEOC-flagged"
    assert card.locator(".change").inner_text().split() == ["CLEAR", "→", "FLAGGED"]
    assert card.get_attribute("data-state") == "unread"
    reasons = card.locator(".reasons li").all_inner_texts()
    assert any("31%" in r and "Northern State Holding" in r for r in reasons)
    assert SENTENCE in card.locator("details.sources").inner_text()
    # the nav links to the inbox
    assert pg.locator("nav a[href='/alerts']").count() >= 1
    card.locator("button.read").click()
    pg.wait_for_url(re.compile(r"/alerts\?state=open&done="))
    assert "read" in pg.locator("#flash").inner_text()
    assert pg.locator("section.alert").first.get_attribute("data-state") == "read"
    pg.locator("section.alert button.ack").first.click()
    pg.wait_for_url(re.compile(r"done=.*acknowledged"))
    assert pg.locator("section.alert").count() == 0
    assert pg.locator("#no-alerts").is_visible()
    pg.locator("#alert-tabs a", has_text="acknowledged").click()
    pg.wait_for_url(re.compile(r"state=acknowledged"))
    assert pg.locator("section.alert").count() == 1
    assert watch.errors == []
    ctx.close()


def test_other_organisation_sees_nothing(browser: Browser, inbox: dict[str, str]) -> None:
    base = inbox["base"]
    ctx = browser.new_context(base_url=base)
    ctx.add_cookies([{"name": "derisk_token", "value": inbox["bob"], "url": base}])
    pg = ctx.new_page()
    pg.goto("/alerts?state=all")
    text = pg.locator("main").inner_text()
    assert pg.locator("section.alert").count() == 1
    assert "26%" in text and "31%" not in text and "Acme" not in text
    ctx.close()
    h = {"Authorization": f"Bearer {inbox['bob']}"}
    api = httpx.get(f"{base}/api/alerts?state=all", headers=h).json()
    assert [a["owner"] for a in api["alerts"]] == ["bob"] and api["page"]["total"] == 1
    atom = httpx.get(f"{base}/api/alerts/feed.atom", headers=h)
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert "FEOC-flagged" in atom.text and "acme" not in atom.text.lower()
    alice_id = httpx.get(
        f"{base}/api/alerts?state=all", headers={"Authorization": f"Bearer {inbox['alice']}"}
    ).json()["alerts"][0]["alert_id"]
    r = httpx.post(f"{base}/api/alerts/{alice_id}/mute", headers=h)
    assert r.status_code == 404
    r = httpx.post(f"{base}/api/monitor/run", headers=h)
    assert r.status_code == 403
