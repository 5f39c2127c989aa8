"""News feeds: RSS and Atom (read with ``feedparser``) and JSON Feed 1.x, to a list of entries.

Pure functions over the bytes of a feed document; fetching lives in
:mod:`derisk.services.feeds`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

MAX_ENTRIES = 500
"""A feed document is cut to its first entries (a feed is a window, not an archive)."""


class FeedError(ValueError):
    """A feed document that cannot be read, with the reason."""


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None
    published: dt.date | None
    summary: str | None


def canonical_url(url: str) -> str:
    """The URL without fragment and tracking parameters, lower-case scheme and host.

    >>> canonical_url("HTTPS://Example.org/a?utm_source=x&id=2#top")
    'https://example.org/a?id=2'
    """
    p = urlsplit(url.strip())
    query = "&".join(
        q for q in p.query.split("&") if q and not q.lower().startswith(("utm_", "fbclid", "gclid"))
    )
    return urlunsplit((p.scheme.lower(), p.netloc.lower(), p.path or "/", query, ""))


def _date_from_struct(st: Any) -> dt.date | None:
    if not st:
        return None
    try:
        return dt.date.fromtimestamp(time.mktime(st))
    except (OverflowError, ValueError, TypeError):
        return None


def _iso_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None


def is_json_feed(body: bytes, content_type: str | None = None) -> bool:
    if content_type and ("json" in content_type.lower()):
        return True
    return body.lstrip()[:1] == b"{"


def parse_json_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of a JSON Feed (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"not a JSON Feed: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedError("not a JSON Feed: no `version` https://jsonfeed.org/version/1.x")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("JSON Feed without an `items` list")
    out = []
    for i, it in enumerate(items[:MAX_ENTRIES]):
        if not isinstance(it, dict):
            raise FeedError(f"JSON Feed item {i} is not an object")
        url = it.get("url") or it.get("external_url")
        if not isinstance(url, str) or not url:
            continue
        out.append(
            FeedEntry(
                canonical_url(urljoin(base_url, url)),
                it.get("title") if isinstance(it.get("title"), str) else None,
                _iso_date(it.get("date_published")),
                it.get("summary") if isinstance(it.get("summary"), str) else None,
            )
        )
    return out


def parse_xml_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of an RSS (0.9x, 1.0, 2.0) or Atom (0.3, 1.0) feed."""
    import feedparser

    parsed = feedparser.parse(body)
    if parsed.get("bozo") and not parsed.get("entries"):
        exc = parsed.get("bozo_exception")
        raise FeedError(f"not an RSS or Atom feed: {exc}")
    out = []
    for e in parsed.get("entries", [])[:MAX_ENTRIES]:
        url = e.get("link")
        if not url:
            continue
        out.append(
            FeedEntry(
                canonical_url(urljoin(base_url, str(url))),
                str(e.get("title")) if e.get("title") else None,
                _date_from_struct(e.get("published_parsed") or e.get("updated_parsed")),
                str(e.get("summary")) if e.get("summary") else None,
            )
        )
    return out


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries of any supported feed document."""
    if is_json_feed(body, content_type):
        return parse_json_feed(body, base_url)
    return parse_xml_feed(body, base_url)
