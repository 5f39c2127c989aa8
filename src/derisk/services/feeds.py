"""Polling news feeds into the review queue.

Each feed is fetched with a conditional GET (``If-None-Match`` with the last ``ETag``,
``If-Modified-Since`` with the last ``Last-Modified``); a feed is not asked again before its
``interval_s`` has passed (politeness), and after a failure the wait doubles with each
consecutive failure up to a day (back-off; a ``Retry-After`` of a 429 or 503 answer is
honoured). Entries already seen (same canonical URL) are skipped without a request; each new
entry's page is fetched (one request per host at a time, ``delay`` seconds apart), its main
text read with the news extractor, and a page whose text was seen before (same hash) is
skipped. New pages go through :func:`derisk.services.news.ingest`, so every event becomes a
proposal in the review queue; a feed's ``auto_accept`` threshold (off by default) accepts
those at or above it.

JSON schema: ``derisk.monitor.feeds/1`` and ``derisk.monitor.poll/1`` (``docs/monitoring.md``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import tempfile
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import derisk
from derisk.errors import BadInputError
from derisk.model.monitor import Feed, FeedItem, FeedPoll
from derisk.model.trust import Principal, Role
from derisk.news.feeds import FeedError, canonical_url, parse_feed
from derisk.progress import Progress
from derisk.services import monitor
from derisk.services.common import NotFound
from derisk.services.results.monitor import FEEDS_SCHEMA as FEEDS_SCHEMA
from derisk.services.results.monitor import POLL_SCHEMA as POLL_SCHEMA
from derisk.services.results.monitor import (
    FeedAdded,
    FeedInfo,
    FeedLastPoll,
    FeedPolled,
    FeedRemoved,
    Feeds,
    Poll,
)
from derisk.store import guard
from derisk.store.base import Store
from derisk.store.monitoring import retire_rows
from derisk.store.view import View

if TYPE_CHECKING:  # pragma: no cover
    from derisk.services.results.news import NewsIngest

USER_AGENT = f"derisk-monitor/{derisk.__version__} (+https://github.com/derisk)"
MAX_BYTES = 10 << 20
TIMEOUT = 20.0
MAX_BACKOFF = 24 * 3600
MAX_PAGES = 50
"""New pages fetched per feed and pass (the rest wait for the next pass)."""


def _ts(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_ts(s: str) -> float:
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC).timestamp()


def _require_analyst(who: Principal) -> None:
    """A feed's articles go to the shared review queue (and, with auto-accept, its facts to the
    shared news dataset): only those who may accept proposals may add or remove feeds."""
    if not (who.sees_everything or who.role.allows(Role.ANALYST)):
        raise guard.Forbidden(
            f"{who.label} ({who.role}) may not add or remove feeds: read-only role"
        )


def add_feed(
    store: Store, url: str, *, auto_accept: float | None = None, interval_s: int = 900
) -> FeedAdded:
    """Add a feed to poll (RSS, Atom or JSON Feed, over http or https)."""
    p = urlsplit(url)
    if p.scheme not in ("http", "https") or not p.netloc:
        raise BadInputError(f"feed URL {url!r} must be http:// or https://")
    if auto_accept is not None and not 0.0 <= auto_accept <= 1.0:
        raise BadInputError(f"auto-accept {auto_accept} must be a confidence between 0 and 1")
    if interval_s < 60:
        raise BadInputError(f"interval {interval_s} s is below the 60 s politeness floor")
    who = monitor.acting(store)
    _require_analyst(who)
    fid = "f-" + hashlib.sha1(canonical_url(url).encode()).hexdigest()[:10]
    if any(f.feed_id == fid for f in _feeds(store)):
        raise BadInputError(f"feed {url} is already polled as {fid}")
    feed = Feed(fid, url, guard.now(), who.org_id, auto_accept, interval_s)
    with monitor._monitor_writer(store, who.org_id, who) as w:
        retire_rows(store, "monitor_feed", [fid])  # an earlier removal record of the feed
        w.add([feed])
    return FeedAdded(added=_feed_json(feed, None))


def _feeds(source: Store | View) -> list[Feed]:
    rows = source.rows(Feed)
    gone = {f.feed_id for f in rows if f.removed_at is not None}
    return sorted((f for f in rows if f.feed_id not in gone), key=lambda f: f.feed_id)


def remove_feed(store: Store, feed_id: str) -> FeedRemoved:
    found = [f for f in _feeds(store) if f.feed_id == feed_id]
    if not found:
        raise NotFound(f"no feed {feed_id!r}; `derisk monitor feed list`")
    who = monitor.acting(store)
    _require_analyst(who)
    gone = dataclasses.replace(found[0], removed_at=guard.now())
    with monitor._monitor_writer(store, found[0].org_id, who) as w:
        retire_rows(store, "monitor_feed", [feed_id])
        w.add([gone])
    return FeedRemoved(removed=_feed_json(gone, None))


def _last_polls(source: Store | View) -> dict[str, FeedPoll]:
    out: dict[str, FeedPoll] = {}
    for p in sorted(source.rows(FeedPoll), key=lambda p: p.polled_at):
        out[p.feed_id] = p
    return out


def _feed_json(f: Feed, last: FeedPoll | None) -> FeedInfo:
    return FeedInfo(
        feed_id=f.feed_id,
        url=f.url,
        org=f.org_id,
        auto_accept=f.auto_accept,
        interval_s=f.interval_s,
        last_poll=None
        if last is None
        else FeedLastPoll(
            at=last.polled_at,
            outcome=last.outcome,
            http_status=last.http_status,
            failures=last.failures,
            next_poll_at=last.next_poll_at,
            items_=last.items,
            new_items=last.new_items,
            error=last.error,
        ),
    )


def list_feeds(view: View) -> Feeds:
    """The news feeds the view's reader may see, with their last poll."""
    polls = _last_polls(view)
    return Feeds(feeds=tuple(_feed_json(f, polls.get(f.feed_id)) for f in _feeds(view)))


class _Fetched:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = TIMEOUT) -> _Fetched:
    """GET ``url`` (at most :data:`MAX_BYTES`); a 304 is an answer, other errors raise."""
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FeedError(f"{url}: more than {MAX_BYTES} bytes")
            return _Fetched(resp.status, body, {k.lower(): v for k, v in resp.headers.items()})
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return _Fetched(304, b"", {k.lower(): v for k, v in exc.headers.items()})
        raise


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    try:
        return now + max(0.0, float(value))
    except ValueError:
        try:
            return parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None


class _Politeness:
    """One request per host at a time, at least ``delay`` seconds apart."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        gap = time.monotonic() - self.last.get(host, -1e9)
        if gap < self.delay:
            time.sleep(self.delay - gap)
        self.last[host] = time.monotonic()


def poll(
    store: Store,
    *,
    force: bool = False,
    delay: float = 1.0,
    progress: Progress | None = None,
    now: float | None = None,
) -> Poll:
    """Poll every due feed once; new pages go to the review queue."""
    # the HTML extraction stack is loaded only when a feed is polled
    from derisk.news.articles import RawDoc, extract
    from derisk.services import news

    t_now = now if now is not None else time.time()
    polls = _last_polls(store)
    seen_urls, seen_sha = store.view().seen_feed_items()
    gate = _Politeness(delay)
    results: list[FeedPolled] = []
    for feed in _feeds(store):
        last = polls.get(feed.feed_id)
        if not force and last is not None and _parse_ts(last.next_poll_at) > t_now:
            results.append(
                FeedPolled(feed_id=feed.feed_id, outcome="not-due", due=last.next_poll_at)
            )
            continue
        if progress:
            progress(f"feed {feed.url}")
        cond: dict[str, str] = {}
        if last is not None and last.etag:
            cond["If-None-Match"] = last.etag
        if last is not None and last.last_modified:
            cond["If-Modified-Since"] = last.last_modified
        failures = last.failures if last else 0
        etag = last.etag if last else None
        modified = last.last_modified if last else None
        items: list[FeedItem] = []
        docs: list[dict[str, str | None]] = []
        entries_n = 0
        status: int | None = None
        error = None
        outcome = "ok"
        retry_hdr: str | None = None
        next_at = t_now + feed.interval_s
        try:
            gate.wait(feed.url)
            got = fetch(feed.url, cond)
            status = got.status
            if got.status == 304:
                outcome = "not-modified"
            else:
                etag = got.headers.get("etag") or None
                modified = got.headers.get("last-modified") or None
                entries = parse_feed(got.body, feed.url, got.headers.get("content-type"))
                entries_n = len(entries)
                fresh = [e for e in entries if e.url not in seen_urls]
                for e in fresh[:MAX_PAGES]:
                    seen_urls.add(e.url)
                    try:
                        gate.wait(e.url)
                        page = fetch(e.url)
                    except (urllib.error.URLError, OSError, FeedError) as exc:
                        items.append(
                            FeedItem(feed.feed_id, e.url, "", guard.now(), None, f"error: {exc}")
                        )
                        continue
                    html = page.body.decode("utf-8", errors="replace")
                    # the page's own title (a feed's title may differ from the headline, which
                    # would then stay in the text and be read twice)
                    art = extract(RawDoc(e.url, "html", html, e.url, e.published))
                    sha = hashlib.sha1(art.text.encode("utf-8")).hexdigest()
                    if sha in seen_sha:
                        items.append(
                            FeedItem(feed.feed_id, e.url, sha, guard.now(), None, "duplicate")
                        )
                        continue
                    seen_sha.add(sha)
                    items.append(
                        FeedItem(feed.feed_id, e.url, sha, guard.now(), art.article_id, "new")
                    )
                    docs.append(
                        {
                            "url": e.url,
                            "html": html,
                            "title": None if art.title else e.title,
                            "published": e.published.isoformat() if e.published else None,
                        }
                    )
            failures = 0
        except urllib.error.HTTPError as exc:
            status, error, outcome = exc.code, f"HTTP {exc.code}", "failed"
            retry_hdr = exc.headers.get("Retry-After") if exc.headers else None
        except (urllib.error.URLError, OSError, FeedError) as exc:
            error, outcome = str(exc)[:300], "failed"
        if outcome == "failed":
            failures += 1
            backoff = min(MAX_BACKOFF, feed.interval_s * 2 ** min(failures, 16))
            next_at = t_now + backoff
            if status in (429, 503):
                with_ra = _retry_after(retry_hdr, t_now)
                if with_ra:
                    next_at = max(next_at, with_ra)
        ingested: NewsIngest | None = None
        if docs:
            with tempfile.TemporaryDirectory(prefix="derisk-feed-") as tmp:
                path = Path(tmp) / "pages.jsonl"
                path.write_text("\n".join(json.dumps(d) for d in docs) + "\n", "utf-8")
                ingested = news.ingest(store, [path], auto_accept=feed.auto_accept)
        new_n = sum(1 for i in items if i.status == "new")
        row = FeedPoll(
            feed.feed_id,
            guard.now(),
            outcome,
            _ts(next_at),
            status,
            etag,
            modified,
            failures,
            entries_n,
            new_n,
            error,
        )
        with monitor._monitor_writer(store, feed.org_id, monitor._SYSTEM) as w:
            w.add([row])
            w.add(items)
        results.append(
            FeedPolled(
                feed_id=feed.feed_id,
                url=feed.url,
                outcome=outcome,
                http_status=status,
                entries=entries_n,
                new_pages=new_n,
                duplicates=sum(1 for i in items if i.status == "duplicate"),
                proposals=ingested.summary.proposals if ingested else 0,
                auto_accepted=ingested.summary.auto_accepted if ingested else 0,
                proposal_ids=tuple(
                    str(e["proposal_id"]) for a in ingested["articles"] for e in a["events"]
                )
                if ingested
                else (),
                failures=failures,
                next_poll_at=_ts(next_at),
                error=error,
            )
        )
    return Poll(feeds=tuple(results))
