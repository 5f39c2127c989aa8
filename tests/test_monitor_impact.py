"""Impact analysis on the shipped example products: a date crossing a rule change, imports that
do and do not touch a watched product, the calendar, and the feed parsers."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from derisk.data.importers.products import load_example_products
from derisk.data.loader import load_rows
from derisk.news.feeds import FeedError, parse_feed
from derisk.services import monitor
from derisk.store import DuckStore
from tests.certify_fixtures import bom, fac, link, load, product
from tests.conftest import Cli


@pytest.fixture()
def products_db(built_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "p.duckdb"
    shutil.copyfile(built_db, db)
    with DuckStore(db) as s:
        load_example_products(s)
    return db


def test_rule_change_date_crossing_raises_alert(products_db: Path) -> None:
    cli = Cli(products_db)
    cli.json("monitor", "watch", "add", "product", "magnet-jp-cn-oxide", "--rule", "dfars-7052")
    cli.json("monitor", "watch", "add", "product", "magnet-us-mp", "--rule", "dfars-7052")
    first = cli.json("monitor", "run", "--no-feeds", "--today", "2026-12-31")
    assert first["baseline"] == 2
    # the calendar sees the DFARS stage widening of 2027-01-01 coming
    cal = cli.json("monitor", "calendar", "--today", "2026-12-02", "--days", "60")
    (ev,) = [e for e in cal["events"] if e["kind"] == "rule-change"]
    assert ev["date"] == "2027-01-01" and ev["in_days"] == 30
    assert ev["changes"] == [
        {"product": "magnet-jp-cn-oxide", "now": "compliant", "then": "non-compliant"}
    ]
    assert "makes 1 of your 2 watched product(s) non-compliant" in ev["text"]
    quiet = cli.json("monitor", "run", "--no-feeds", "--today", "2026-12-31")
    assert quiet["recomputed"] == 0
    crossed = cli.json("monitor", "run", "--no-feeds", "--today", "2027-01-01")
    assert crossed["why"] == {"date crossed 2027-01-01": 2}
    (alert,) = crossed["alerts"]
    assert alert["title"] == (
        "magnet-jp-cn-oxide under dfars-7052 becomes non-compliant on 2027-01-01"
    )
    assert (alert["before"], alert["after"]) == ("compliant", "non-compliant")
    texts = " | ".join(r["text"] for r in alert["reasons"])
    assert "China" in texts and "separation" in texts
    assert alert["sources"], "the alert names the facts' sources"


def test_only_dependent_answers_recomputed(fresh_db: Path) -> None:
    # As in test_certify_service: 10% of the separator's feed is unexplained, so the magnet is
    # indeterminate under DFARS from 2027; "magnet3" comes through a separate chain.
    rows = [
        fac("sep", "MYS", "rare-earths", "separation", "separation-plant"),
        fac("mine", "AUS", "rare-earths", "mining", "mine"),
        fac("mag", "DEU", "rare-earths", "magnets", "component-plant"),
        fac("mine3", "CAN", "rare-earths", "mining", "mine"),
        fac("sep3", "EST", "rare-earths", "separation", "separation-plant"),
        fac("mag3", "DEU", "rare-earths", "magnets", "component-plant"),
        link("l1", "mine", "sep", "rare-earths", 0.9),
        link("l2", "sep", "mag", "rare-earths", 1.0),
        link("l31", "mine3", "sep3", "rare-earths", 1.0),
        link("l32", "sep3", "mag3", "rare-earths", 1.0),
        product("magnet", "mag", "ndfeb-magnet"),
        bom("magnet", "re", "rare-earths", "separation"),
        product("magnet3", "mag3", "ndfeb-magnet"),
        bom("magnet3", "re", "rare-earths", "separation"),
    ]
    load(fresh_db, rows)
    cli = Cli(fresh_db)
    for pid in ("magnet", "magnet3"):
        cli.json("monitor", "watch", "add", "product", pid, "--rule", "dfars-7052",
                 "--on-date", "2027-01-01")  # fmt: skip
    cli.json("monitor", "watch", "add", "material", "antimony", "--stage", "refining")
    first = cli.json("monitor", "run", "--no-feeds")
    assert first["baseline"] == 3
    answers = {
        w["target"]: w["answer"]["value"] for w in cli.json("monitor", "watch", "list")["items"]
    }
    assert (answers["magnet"], answers["magnet3"]) == ("indeterminate", "compliant")
    # a facility upstream of nothing watched: no answer recomputed
    with DuckStore(fresh_db) as s:
        lonely = [fac("lonely-mine", "AUS", "rare-earths", "mining", "mine")]
        load_rows(s, {"test": lonely}, dataset="t1", origin="test")
    res = cli.json("monitor", "run", "--no-feeds")
    assert res["recomputed"] == 0 and res["changes"]["audit_entries"] >= 1
    # the unexplained 10% turns out to come from a Chinese mine: only "magnet" is recomputed
    with DuckStore(fresh_db) as s:
        cn = [fac("cn-mine", "CHN", "rare-earths", "mining", "mine"),
              link("l5", "cn-mine", "sep", "rare-earths", 0.1)]  # fmt: skip
        load_rows(s, {"test": cn}, dataset="t2", origin="test")
    res = cli.json("monitor", "run", "--no-feeds")
    assert res["recomputed"] == 1
    (a,) = res["alerts"]
    assert (a["before"], a["after"]) == ("indeterminate", "non-compliant")
    assert a["title"] == "magnet under dfars-7052 becomes non-compliant on 2027-01-01"
    china = [r for r in a["reasons"] if "China" in r["text"] and "mining" in r["text"]]
    assert china and "cn-mine" in china[0]["text"], a["reasons"]


def test_full_pass_agrees_with_impact_pass(products_db: Path) -> None:
    cli = Cli(products_db)
    cli.json("monitor", "watch", "add", "product", "magnet-us-mp", "--rule", "dfars-7052",
             "--on-date", "2027-06-30")  # fmt: skip
    cli.json("monitor", "run", "--no-feeds")
    full = cli.json("monitor", "run", "--no-feeds", "--full")
    assert full["recomputed"] == 1 and full["alerts"] == [] and full["why"] == {"full recompute": 1}


def test_watch_input_errors(products_db: Path) -> None:
    cli = Cli(products_db)
    assert "kind" in cli.json("monitor", "watch", "add", "planet", "x", code=2)["error"]["message"]
    e = cli.json("monitor", "watch", "add", "product", "magnet-us-mp", code=2)["error"]
    assert "rule" in e["message"] and "--" not in e["message"]
    e = cli.json("monitor", "watch", "add", "entity", "no-such-co", code=1)["error"]
    assert e["kind"] == "not-found"
    e = cli.json("monitor", "watch", "add", "importer", "USA", code=2)["error"]
    assert "material" in e["message"] and "--" not in e["message"]
    cli.json("monitor", "watch", "add", "country", "CHN")
    e = cli.json("monitor", "watch", "add", "country", "CHN", code=2)["error"]
    assert "already watched" in e["message"]


def test_feed_parsers() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>A</title><link>/a?utm_source=x</link>"
        b"<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    (e,) = parse_feed(rss, "https://news.example/feed")
    assert e.url == "https://news.example/a" and e.published == dt.date(2026, 3, 3)
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>t</title><id>x</id><updated>2026-03-03T00:00:00Z</updated>"
        b'<entry><title>B</title><id>b</id><link href="https://news.example/b#top"/>'
        b"<updated>2026-03-04T00:00:00Z</updated></entry></feed>"
    )
    (b,) = parse_feed(atom, "https://news.example/atom")
    assert (b.url, b.title) == ("https://news.example/b", "B")
    jf = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [{"id": "1", "url": "c", "date_published": "2026-03-05T08:00:00Z"}],
        }
    ).encode()
    (c,) = parse_feed(jf, "https://news.example/j/", "application/feed+json")
    assert c.url == "https://news.example/j/c" and c.published == dt.date(2026, 3, 5)
    with pytest.raises(FeedError, match="JSON Feed"):
        parse_feed(b'{"items": []}', "https://x/")
    with pytest.raises(FeedError, match="RSS or Atom"):
        parse_feed(b"<html><body>not a feed", "https://x/")


def test_monitor_run_needs_operator(products_db: Path) -> None:
    with DuckStore(products_db) as s:
        from derisk.services import trust

        trust.add_org(s, "acme")
        trust.add_user(s, "carol", "analyst", "acme")
        trust.add_user(s, "vic", "viewer", "acme")
    from tests.test_monitor_e2e import User

    carol = User(products_db, "carol")
    e = carol.json("monitor", "run", "--no-feeds", code=3)["error"]
    assert e["kind"] == "forbidden"
    vic = User(products_db, "vic")  # a viewer keeps a watchlist but adds no feed
    vic.json("monitor", "watch", "add", "material", "antimony")
    e = vic.json("monitor", "feed", "add", "http://127.0.0.1:18799/f.xml", code=3)["error"]
    assert e["kind"] == "forbidden" and "read-only" in e["message"]
    assert carol.json("monitor", "feed", "add", "http://127.0.0.1:18799/f.xml")["added"]
    assert monitor.ALERT_STATES[0] == "unread"


def test_doctests() -> None:
    import doctest

    from derisk.news import feeds as feed_mod
    from derisk.services import delivery

    for mod in (monitor, delivery, feed_mod):
        res = doctest.testmod(mod)
        assert res.attempted > 0 and res.failed == 0, mod.__name__


def test_bulk_import_and_dataset_removal(fresh_db: Path) -> None:
    """A large import is audited as counts only: every answer of a kind that reads the table is
    recomputed. Removing a dataset is a change too, read from the audit log's snapshot."""
    from derisk.model.schema import Production, Source

    rows = [
        fac("sep", "MYS", "rare-earths", "separation", "separation-plant"),
        fac("mine", "AUS", "rare-earths", "mining", "mine"),
        fac("mag", "DEU", "rare-earths", "magnets", "component-plant"),
        link("l1", "mine", "sep", "rare-earths", 1.0),
        link("l2", "sep", "mag", "rare-earths", 1.0),
        product("magnet", "mag", "ndfeb-magnet"),
        bom("magnet", "re", "rare-earths", "separation"),
    ]
    load(fresh_db, rows)
    cli = Cli(fresh_db)
    cli.json("monitor", "watch", "add", "product", "magnet", "--rule", "dfars-7052",
             "--on-date", "2027-01-01")  # fmt: skip
    cli.json("monitor", "watch", "add", "material", "tungsten", "--stage", "mining")
    assert cli.json("monitor", "run", "--no-feeds")["baseline"] == 2
    # 150 rows of a made-up world tungsten table: more than the audit log keeps row by row
    bulk = [Source("t-bulk", "test", "made-up tungsten output")] + [
        Production(f"t-w{i}", "tungsten", "mining", "production", c, 1990 + i // 3,
                   10.0 + i, "t", "reported", "t-bulk")
        for i, c in enumerate(["CHN", "VNM", "RUS"] * 50)
    ]  # fmt: skip
    with DuckStore(fresh_db) as s:
        load_rows(s, {"bulk": bulk}, dataset="bulk", origin="test")
    res = cli.json("monitor", "run", "--no-feeds")
    assert "production" in res["changes"]["tables"]
    assert res["recomputed"] == 1  # the material watch; the product does not read production
    # a Chinese supplier arrives in a dataset of its own, then the dataset is removed again
    with DuckStore(fresh_db) as s:
        cn = [fac("cn-sep", "CHN", "rare-earths", "separation", "separation-plant"),
              link("l9", "cn-sep", "mag", "rare-earths", 0.0)]  # fmt: skip
        load_rows(s, {"test": cn}, dataset="t9", origin="test")
    res = cli.json("monitor", "run", "--no-feeds")
    assert res["recomputed"] == 1
    with DuckStore(fresh_db) as s, s.writer("t9") as w:
        w.delete_dataset("t9")
    res = cli.json("monitor", "run", "--no-feeds")
    assert res["recomputed"] == 1 and res["changes"]["audit_entries"] == 1


def test_email_digest_once(products_db: Path) -> None:
    from tests.monitor_servers import smtp_server

    cli = Cli(products_db)
    cli.json("monitor", "watch", "add", "product", "magnet-jp-cn-oxide", "--rule", "dfars-7052")
    cli.json("monitor", "subscribe", "email", "ops@example.test")
    cli.json("monitor", "run", "--no-feeds", "--today", "2026-12-31")
    with smtp_server() as mails:
        smtp = ["--smtp", mails.address, "--digest"]
        res = cli.json("monitor", "run", "--no-feeds", "--today", "2027-01-01", *smtp)
        assert [d["channel"] for d in res["deliveries"]] == ["email-digest"]
        again = cli.json("monitor", "run", "--no-feeds", "--today", "2027-01-01", *smtp)
        assert again["deliveries"] == []
    (msg,) = mails
    assert msg["Subject"].startswith("[derisk] 1 alert(s): magnet-jp-cn-oxide under dfars-7052")
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)  # a single-part text message decodes to bytes
    body = payload.decode("utf-8")
    assert "compliant → non-compliant (effective 2027-01-01)" in body
