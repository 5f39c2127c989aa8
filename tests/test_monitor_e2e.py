"""Monitoring end to end with real parts on loopback: a news site publishes an article in its
RSS feed, ``derisk monitor run`` polls it, the proposal is accepted, and the alert reaches a
webhook receiver and an SMTP server with the right before/after and sources -- while a second
organisation, watching the same company, receives nothing of the first one's private data.

The ownership facts are hand-made: the public ones make "Northern State Holding" a company
wholly owned by the Chinese government; ``acme`` privately knows of a further 5% direct
government stake in Zeta Magnetics. Expected figures: FEOC government equity of Zeta after
the reported 26% acquisition is 26% (public) and 26% + 5% = 31% in acme's view; the DOE
threshold is 25%, so both flip from clear to flagged.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from derisk.cli import app
from derisk.data.loader import load_rows
from derisk.model.ownership import EntityTag
from derisk.model.schema import Entity, Source, Stake
from derisk.model.trust import Principal, Role
from derisk.services import delivery, trust
from derisk.store import DuckStore, guard
from tests.monitor_servers import news_site, smtp_server, webhook_receiver

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Northern State Holding takes 26% of Zeta Magnetics | Loopback Wire</title>
<meta property="og:site_name" content="Loopback Wire">
<meta name="article:published_time" content="2026-03-02T08:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/markets">Markets</a></nav><main><article>
<h1>Northern State Holding takes 26% of Zeta Magnetics</h1>
<p>Northern State Holding acquired a 26% stake in Zeta Magnetics, the two companies said on
Monday.</p>
<p>Zeta Magnetics makes sintered magnets for motors in Ohio and sells most of its output to
carmakers.</p>
<p>The buyer did not say how much it paid for the shares, and neither company gave further
details.</p>
</article></main></body></html>
"""
SENTENCE = (
    "Northern State Holding acquired a 26% stake in Zeta Magnetics, the two companies said on "
    "Monday."
)


def rss(items: list[tuple[str, str]], home: str) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link>"
        "<pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate></item>"
        for t, u in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>'
        f"<link>{home}</link><description>test</description>"
        f"{body}</channel></rss>"
    ).encode()


class User:
    def __init__(self, db: Path, name: str | None) -> None:
        self.db, self.name, self.runner = db, name, CliRunner()

    def run(self, *args: str, code: int = 0) -> str:
        env = {"DERISK_USER": self.name} if self.name else {}
        old = os.environ.pop("DERISK_USER", None)
        try:
            res = self.runner.invoke(app, [*args, "--db", str(self.db)], env=env)
        finally:
            if old is not None:
                os.environ["DERISK_USER"] = old
        assert res.exit_code == code, (res.exit_code, res.output)
        return res.output

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self.run(*args, "--json", code=code))


def world(db: Path) -> None:
    """Public ownership facts, two organisations, and acme's private stake."""
    pub = [
        Source("t-registry", "Test registry", "Hand-made company register"),
        Entity("cn-gov", "government", "Government of the PRC (test)", "t-registry", country="CHN"),
        Entity("northern-state-holding", "company", "Northern State Holding", "t-registry",
               country="HKG"),
        Entity("zeta-magnetics", "company", "Zeta Magnetics", "t-registry", country="USA"),
        Stake("t-s1", "cn-gov", "northern-state-holding", "equity", 100.0, "t-registry"),
        EntityTag("northern-state-holding", "state-owned", "t-registry", country="CHN"),
    ]  # fmt: skip
    with DuckStore(db) as store:
        load_rows(store, {"x": pub}, dataset="test-public", origin="test")
        trust.set_access(store, "test-public", "public")
        for org in ("acme", "beta"):
            trust.add_org(store, org)
        trust.add_user(store, "alice", "analyst", "acme")
        trust.add_user(store, "bob", "analyst", "beta")
    secret = [
        Source("acme-intel-77", "Acme Corp", "Acme confidential diligence memo"),
        Stake("acme-gov-zeta", "cn-gov", "zeta-magnetics", "equity", 5.0, "acme-intel-77"),
    ]
    with guard.acting_as(Principal("alice", Role.ANALYST, "acme", via="cli")), DuckStore(db) as s:
        load_rows(s, {"x": secret}, dataset="acme-diligence", origin="test")


def test_article_to_webhook_and_mail_without_leaks(fresh_db: Path) -> None:
    world(fresh_db)
    op, alice, bob = User(fresh_db, None), User(fresh_db, "alice"), User(fresh_db, "bob")
    with (
        news_site() as site,
        webhook_receiver() as hook,
        smtp_server() as mails,
    ):
        # each user watches Zeta Magnetics and subscribes a webhook and an inbox
        for u, org in ((alice, "acme"), (bob, "beta")):
            w = u.json("monitor", "watch", "add", "entity", "zeta-magnetics", "--rule", "feoc")
            assert w["added"]["org"] == org
            u.json("monitor", "subscribe", "webhook", hook.url(f"/{org}"),
                   "--secret", f"{org}-secret")  # fmt: skip
            u.json("monitor", "subscribe", "email", f"{u.name}@{org}.test")
        site.pages["/feed.xml"] = ("application/rss+xml", rss([], site.url("/")))
        site.etags["/feed.xml"] = '"v1"'
        op.json("monitor", "feed", "add", site.url("/feed.xml"), "--interval", "60")

        # baseline: answers computed (alice already sees her private 5%), no alert
        smtp = mails.address
        first = op.json("monitor", "run", "--delay", "0", "--smtp", smtp)
        assert first["baseline"] == 2 and first["alerts"] == []
        assert [f["outcome"] for f in first["feeds"]] == ["ok"]
        a0 = {w["owner"]: w for w in op.json("monitor", "watch", "list")["items"]}
        assert a0["alice"]["answer"]["value"] == a0["bob"]["answer"]["value"] == "clear"

        # the feed publishes the article; a conditional GET first gets 304
        again = op.json("monitor", "run", "--delay", "0", "--force")
        assert again["feeds"][0]["outcome"] == "not-modified"
        assert site.requests[-1]["headers"].get("If-None-Match") == '"v1"'
        site.pages["/news/zeta.html"] = ("text/html; charset=utf-8", ARTICLE.encode())
        site.pages["/feed.xml"] = (
            "application/rss+xml",
            rss([("Northern State Holding takes 26% of Zeta Magnetics",
                  site.url("/news/zeta.html?utm_source=rss"))], site.url("/")),
        )  # fmt: skip
        site.etags["/feed.xml"] = '"v2"'
        polled = op.json("monitor", "run", "--delay", "0", "--force", "--smtp", smtp)
        (fr,) = polled["feeds"]
        assert (fr["outcome"], fr["new_pages"], fr["proposals"]) == ("ok", 1, 1)
        assert polled["alerts"] == []  # a proposal changes nothing until accepted
        # the same entry again: seen by URL, the page is not fetched a second time
        site.etags["/feed.xml"] = '"v3"'
        n_req = len(site.requests)
        dup = op.json("monitor", "run", "--delay", "0", "--force")
        assert dup["feeds"][0]["new_pages"] == 0
        assert [r["path"] for r in site.requests[n_req:]] == ["/feed.xml"]

        (pid,) = fr["proposal_ids"]
        prop = op.json("review", "show", pid)["proposal"]
        assert prop["type"] == "stake_acquisition" and prop["sentence"] == SENTENCE
        alice.json("review", "accept", pid)

        hook.fail_first = 1  # the first delivery fails: retried with back-off
        res = op.json("monitor", "run", "--delay", "0", "--smtp", smtp)
        assert res["recomputed"] == 2 and res["why"] == {"changed facts": 2}
        assert {(a["owner"], a["before"], a["after"]) for a in res["alerts"]} == {
            ("alice", "clear", "flagged"),
            ("bob", "clear", "flagged"),
        }
        deadline = time.time() + 5
        while len(mails) < 2 and time.time() < deadline:
            time.sleep(0.05)

    # webhooks: signed, one per organisation, with before/after, reasons and sources
    by_path = {r["path"]: r for r in hook.received}
    assert set(by_path) == {"/acme", "/beta"} and hook.attempts == 3
    payloads = {}
    for org in ("acme", "beta"):
        r = by_path[org if org.startswith("/") else f"/{org}"]
        h = {k.lower(): v for k, v in r["headers"].items()}
        assert delivery.verify(f"{org}-secret", h["x-derisk-timestamp"], r["body"],
                               h["x-derisk-signature"])  # fmt: skip
        assert not delivery.verify("wrong", h["x-derisk-timestamp"], r["body"],
                                   h["x-derisk-signature"])  # fmt: skip
        payloads[org] = json.loads(r["body"])["alert"]
    pa, pb = payloads["acme"], payloads["beta"]
    assert (pa["before"], pa["after"]) == (pb["before"], pb["after"]) == ("clear", "flagged")
    assert pa["title"] == pb["title"] == "Zeta Magnetics is now FEOC-flagged"
    news_src = [s for s in pb["sources"] if s.get("quote") == SENTENCE]
    assert news_src and news_src[0]["url"] == site.url("/news/zeta.html")
    assert any("26%" in r["text"] and "Northern State Holding" in r["text"] for r in pb["reasons"])
    # acme's view adds its private 5%: 31% in all, with its own memo as a source
    assert any("31%" in r["text"] for r in pa["reasons"])
    assert any(s["source_id"] == "acme-intel-77" for s in pa["sources"])

    # e-mail: one message per user, with the before → after line and the article's sentence
    by_rcpt = {m["X-Envelope-To"]: m for m in mails}
    assert set(by_rcpt) == {"alice@acme.test", "bob@beta.test"}
    payload = by_rcpt["bob@beta.test"].get_payload(decode=True)
    assert isinstance(payload, bytes)  # a single-part text message decodes to bytes
    text_b = payload.decode("utf-8")
    assert "clear → flagged" in text_b and SENTENCE in " ".join(text_b.split())

    # nothing of acme's private data reaches beta: webhook, mail, inbox, Atom feed
    beta_out = [
        by_path["/beta"]["body"].decode(),
        text_b,
        str(by_rcpt["bob@beta.test"].items()),
        bob.run("alerts", "--json", "--state", "all"),
        bob.run("alerts", "--atom"),
    ]
    for out in beta_out:
        for leak in ("acme", "31%", "diligence", "acme-gov-zeta"):
            assert leak not in out, (leak, out[:400])
        assert not re.search(r"(?<![\d.])5(\.0+)?%", out), out[:400]  # the private 5% stake
    # and bob cannot see or acknowledge alice's alert
    bob_alerts = bob.json("alerts", "--state", "all")["alerts"]
    assert [a["owner"] for a in bob_alerts] == ["bob"]
    alice_id = pa["alert_id"]
    bob.json("alerts", "ack", alice_id, code=1)
    assert alice.json("alerts", "ack", alice_id)["alert"]["state"] == "acknowledged"
    assert alice.json("alerts")["alerts"] == []  # acknowledged alerts leave the open list
    # a further pass changes nothing and delivers nothing twice
    quiet = op.json("monitor", "run", "--no-feeds")
    assert quiet["alerts"] == [] and quiet["deliveries"] == [] and quiet["recomputed"] == 0


def test_feed_back_off_and_json_feed(fresh_db: Path) -> None:
    op = User(fresh_db, None)
    with news_site() as site:
        site.fail_next = 1
        site.pages["/feed.json"] = (
            "application/feed+json",
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "title": "Loopback JSON",
                    "items": [{"id": "1", "url": site.url("/n/1.html"), "title": "Nothing"}],
                }
            ).encode(),
        )
        site.pages["/n/1.html"] = ("text/html", b"<html><body><p>No events here.</p></body></html>")
        op.json("monitor", "feed", "add", site.url("/feed.json"), "--interval", "60")
        r1 = op.json("monitor", "run", "--delay", "0", "--no-feeds")
        assert r1["feeds"] == []
        r1 = op.json("monitor", "run", "--delay", "0")
        (f1,) = r1["feeds"]
        assert (f1["outcome"], f1["http_status"], f1["failures"]) == ("failed", 503, 1)
        r2 = op.json("monitor", "run", "--delay", "0")
        assert r2["feeds"][0]["outcome"] == "not-due"  # back-off: not asked again yet
        r3 = op.json("monitor", "run", "--delay", "0", "--force")
        assert (r3["feeds"][0]["outcome"], r3["feeds"][0]["new_pages"]) == ("ok", 1)
        assert r3["feeds"][0]["failures"] == 0
    bad = op.json("monitor", "feed", "add", "ftp://example.org/x", code=2)
    assert "http" in bad["error"]["message"]


@pytest.mark.parametrize("kind", ["facility"])
def test_facility_watch_degrades_clearly(fresh_db: Path, kind: str) -> None:
    op = User(fresh_db, None)
    res = op.json("monitor", "watch", "add", kind, "no-such-plant")
    assert "no facility" in res["notes"][0]
    op.json("monitor", "run", "--no-feeds")
    (item,) = op.json("monitor", "watch", "list")["items"]
    assert item["answer"]["value"] == "unknown"


def test_auto_accept_feed_alerts_in_one_pass(fresh_db: Path) -> None:
    """A feed with an auto-accept threshold: the proposal is accepted as it is read, and the
    same pass raises the alert; `monitor serve --passes 1` runs that pass."""
    world(fresh_db)
    op, bob = User(fresh_db, None), User(fresh_db, "bob")
    bob.json("monitor", "watch", "add", "entity", "zeta-magnetics")
    with news_site() as site:
        site.pages["/feed.json"] = (
            "application/feed+json",
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "title": "Loopback Wire",
                    "items": [{"id": "z", "url": site.url("/z.html"), "title": "Zeta stake"}],
                }
            ).encode(),
        )
        # stakes are right far less than 80% of the time on unseen text, so their calibrated
        # confidence is low (docs/news.md, "Round 5"): the threshold here is below any
        # calibrated confidence, since what is tested is the one-pass alert, not the table
        op.json("monitor", "feed", "add", site.url("/feed.json"), "--auto-accept", "0.05")
        op.json("monitor", "run", "--no-feeds")  # baseline before the article exists
        site.pages["/z.html"] = ("text/html", ARTICLE.encode())
        out = op.run("monitor", "serve", "--passes", "1", "--every", "1", "--delay", "0", "--json")
    res = json.loads(out)
    assert res["pass"] == 1 and res["feeds"][0]["auto_accepted"] == 1
    (alert,) = res["alerts"]
    assert (alert["owner"], alert["before"], alert["after"]) == ("bob", "clear", "flagged")
    assert any(s.get("quote") == SENTENCE for s in alert["sources"])
    accepted = op.json("review", "list", "--status", "accepted")["proposals"]
    assert len(accepted) == 1 and accepted[0]["sentence"] == SENTENCE
