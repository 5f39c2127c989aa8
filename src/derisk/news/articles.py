"""Article input: saved HTML pages, plain text, directories and JSON Lines feeds.

Main-text extraction removes the parts of a page that are not the story before
``trafilatura`` picks the main text: navigation, headers and footers, app and newsletter
promotions, share bars, comment threads, and lists of related, recommended, trending or
most-read articles (by tag, ``class``/``id`` words and ARIA roles), and in-body teasers
("READ MORE: …"). Lines left that are boilerplate (sign-offs, "Forward-looking statements"
sections, contacts) are dropped afterwards.

Plain text may start with ``Key: value`` header lines (``Title``, ``URL``, ``Published``,
``Site``) and a blank line. A JSON Lines feed has one object a line with ``url``, ``html`` or
``text``, ``published`` and optionally ``title`` and ``site``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import lxml.html
import trafilatura
from lxml import etree

from derisk.data.csvio import ImportFailed, Problem

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".text", ".md")
FEED_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class RawDoc:
    """One article as read, before extraction."""

    origin: str
    kind: str  # "html" or "text"
    content: str
    url: str | None = None
    published: dt.date | None = None
    title: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class Article:
    """An article's main text and metadata."""

    article_id: str
    url: str | None
    title: str | None
    published: dt.date | None
    site: str | None
    text: str
    origin: str

    def as_dict(self) -> dict[str, object]:
        return {
            "article_id": self.article_id,
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "site": self.site,
            "origin": self.origin,
        }


# --------------------------------------------------------------------------- reading
def _parse_date(value: object, where: str, row: int, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ImportFailed(
            [Problem(where, row, field, f"{text!r} is not a date (YYYY-MM-DD)")]
        ) from None


def _read_feed(path: Path) -> Iterator[RawDoc]:
    problems: list[Problem] = []
    docs: list[RawDoc] = []
    from derisk.data.textcheck import utf8_error

    if bad := utf8_error(path):  # a feed must be UTF-8 JSON Lines
        raise ImportFailed([Problem(str(path), bad[0], "-", bad[1])])
    from derisk.data.safeio import InputLimit, bounded_lines, loads
    from derisk.model.limits import limits

    cap = limits().article_bytes
    with path.open(encoding="utf-8", newline="") as fh:
        lines = list(enumerate(bounded_lines(fh, str(path), max_chars=2 * cap + 4096), start=1))
    for i, line in lines:
        if not line.strip():
            continue
        try:
            obj = loads(line, str(path), i)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), i, "-", f"not JSON: {exc.msg}"))
            continue
        except InputLimit as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(str(path), i, "-", "a line must be a JSON object"))
            continue
        html, text = obj.get("html"), obj.get("text")
        if not isinstance(html, str) and not isinstance(text, str):
            problems.append(Problem(str(path), i, "html", "needs `html` or `text` (a string)"))
            continue
        body = html if isinstance(html, str) else str(text)
        if len(body.encode("utf-8", "surrogatepass")) > cap:
            field = "html" if isinstance(html, str) else "text"
            problems.append(Problem(str(path), i, field, _too_big(cap)))
            continue
        try:
            published = _parse_date(obj.get("published"), str(path), i, "published")
        except ImportFailed as exc:
            problems.extend(exc.problems)
            continue
        url = obj.get("url")
        docs.append(
            RawDoc(
                origin=f"{path}#{i}",
                kind="html" if isinstance(html, str) else "text",
                content=html if isinstance(html, str) else str(text),
                url=str(url) if url else None,
                published=published,
                title=obj.get("title") or None,
                site=obj.get("site") or None,
            )
        )
    if problems:
        raise ImportFailed(problems)
    yield from docs


def read_paths(paths: Sequence[Path]) -> Iterator[RawDoc]:
    """Every article in the given files and directories (recursively, sorted by name).

    Raises :class:`ImportFailed` naming the file, line and field of a bad feed entry, or a
    path that does not exist.
    """
    missing = [Problem(str(p), 0, "-", "file not found") for p in paths if not p.exists()]
    if missing:
        raise ImportFailed(missing)
    for p in paths:
        files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for f in files:
            suffix = f.suffix.lower()
            if suffix in FEED_SUFFIXES:
                yield from _read_feed(f)
            elif suffix in HTML_SUFFIXES:
                yield RawDoc(str(f), "html", _read_article(f))
            elif suffix in TEXT_SUFFIXES or not p.is_dir():
                yield RawDoc(str(f), "text", _read_article(f))


def _too_big(cap: int) -> str:
    return f"article larger than {cap:,} bytes (DERISK_LIMIT_ARTICLE_BYTES)"


def _read_article(f: Path) -> str:
    """One article page or text, refused past the size limit before it is read."""
    from derisk.model.limits import limits

    cap = limits().article_bytes
    if f.stat().st_size > cap:
        raise ImportFailed([Problem(str(f), 0, "-", _too_big(cap))])
    return f.read_text("utf-8", errors="replace")


# --------------------------------------------------------------------------- extraction
_BOILER_PARTS = frozenset(
    [
        "related",
        "recommended",
        "recommend",
        "recommendations",
        "trending",
        "popular",
        "rail",
        "sidebar",
        "widget",
        "teaser",
        "teasers",
        "promo",
        "promotion",
        "banner",
        "cookie",
        "cookies",
        "consent",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "share",
        "sharing",
        "social",
        "comment",
        "comments",
        "disqus",
        "discussion",
        "reply",
        "replies",
        "paywall",
        "advert",
        "ad",
        "ads",
        "advertisement",
        "byline",
        "author",
        "tags",
        "breadcrumb",
        "breadcrumbs",
        "outbrain",
        "taboola",
        "footer",
        "header",
        "nav",
        "navigation",
        "menu",
        "masthead",
        "kicker",
        "more",
        "yml",
        "topbar",
        "search",
        "meta",
        "via",
        "signoff",
        "standards",
        "provided",
        "contact",
        "read",
        "also",
        "like",
        "next",
        "trending-now",
        "most-read",
    ]
)
_BOILER_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "iframe",
    "svg",
    "figcaption",
    "template",
    "input",
    "textarea",
    "select",
)
_BOILER_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search"})
_TEASER_LINE = re.compile(
    r"^\s*(?:read more|read also|also read|related|see also|more|read next|recommended|"
    r"watch|listen|trending|most read|related coverage|you might also like)\s*[:|»›-]",
    re.IGNORECASE,
)
_BOILER_LINE = re.compile(
    r"^(?:reporting by|editing by|writing by|additional reporting|our standards|"
    r"read the full story|"
    r"source:? [A-Z]|news provided by|share this article|sign up|subscribe|contact:|"
    r"media contact|investor relations|©|copyright|all rights reserved|filed under|tags:|"
    r"forward-looking (?:statements|information)\s*:|cautionary (?:note|statement)[^:]*:)",
    re.IGNORECASE,
)
_SECTION_DROP = re.compile(
    r"^(?:forward-looking (?:statements|information)|cautionary (?:note|statement)[\w ,-]*|"
    r"contacts?|media contacts?|safe harbou?r[\w ,-]*)\s*:?\s*$",
    re.IGNORECASE,
)


def _is_boiler(el: etree._Element) -> bool:
    tokens = f"{el.get('class') or ''} {el.get('id') or ''}".lower().split()
    for tok in tokens:
        if tok in _BOILER_PARTS:
            return True
        if any(part in _BOILER_PARTS for part in re.split(r"[-_]+", tok) if part):
            return True
    return (el.get("role") or "").lower() in _BOILER_ROLES


def clean_tree(root: etree._Element) -> None:
    """Remove non-story parts of a page in place (see the module docstring)."""
    paragraphs = root.xpath("//p")
    total = sum(len(p.text_content()) for p in paragraphs) or 1
    doomed: list[etree._Element] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)  # comments and processing instructions
            continue
        tag = el.tag.lower()
        if tag in ("html", "body", "head"):
            continue
        if tag in _BOILER_TAGS or _is_boiler(el):
            # never drop an element that holds most of the page's paragraph text
            inner = sum(len(p.text_content()) for p in el.iter("p"))
            if tag not in _BOILER_TAGS and inner > 0.6 * total:
                continue
            doomed.append(el)
            continue
        content = el.text_content() or ""
        is_block = tag in ("p", "div", "li", "section")
        if is_block and _TEASER_LINE.match(content) and len(content) < 300:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is None:
            continue
        if isinstance(el, lxml.html.HtmlMixin):
            el.drop_tree()  # keeps the element's tail text
        else:
            el.getparent().remove(el)


def _clean_lines(text: str, title: str | None) -> str:
    out: list[str] = []
    skip_next = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if skip_next:
            skip_next = False
            continue
        if _SECTION_DROP.match(line):
            skip_next = True
            continue
        if _TEASER_LINE.match(line) or _BOILER_LINE.match(line):
            continue
        if title and line.strip().rstrip(".") == title.strip().rstrip("."):
            continue
        # short label lines without a sentence end: headings, dates, bylines
        if len(line.split()) < 8 and not re.search(r"[.!?\"”]$", line):
            continue
        out.append(line)
    return "\n".join(out)


def _canonical(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    if not parts.scheme:
        return url.strip()
    query = "&".join(
        q for q in parts.query.split("&") if q and not q.lower().startswith(("utm_", "ref="))
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def article_id(url: str | None, text: str) -> str:
    """Stable id: a hash of the canonical URL, or of the text when there is no URL.

    >>> a = article_id("https://Example.com/a/?utm_source=x", "")
    >>> a == article_id("https://example.com/a", "")
    True
    """
    key = _canonical(url) or re.sub(r"\s+", " ", text).strip()
    return "a-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _meta(root: etree._Element, *names: str) -> str | None:
    for n in names:
        for attr in ("property", "name", "itemprop"):
            found = root.xpath(f"//meta[@{attr}='{n}']/@content")
            if found and str(found[0]).strip():
                return str(found[0]).strip()
    return None


def _html_date(root: etree._Element) -> dt.date | None:
    cands: list[str] = []
    for n in ("article:published_time", "datePublished", "date", "pubdate", "og:published_time"):
        v = _meta(root, n)
        if v:
            cands.append(v)
    for s in root.xpath("//script[@type='application/ld+json']/text()"):
        m = re.search(r'"datePublished"\s*:\s*"([^"]+)"', str(s))
        if m:
            cands.append(m.group(1))
    cands += [str(t) for t in root.xpath("//time/@datetime")]
    for c in cands:
        try:
            return dt.date.fromisoformat(c.strip()[:10])
        except ValueError:
            continue
    return None


def extract_html(doc: RawDoc) -> Article:
    """Main text and metadata of a saved page."""
    try:
        root = lxml.html.fromstring(doc.content)
    except (etree.ParserError, ValueError):
        return extract_text(
            RawDoc(
                doc.origin,
                "text",
                re.sub(r"<[^>]+>", " ", doc.content),
                doc.url,
                doc.published,
                doc.title,
                doc.site,
            )
        )
    title = doc.title or _meta(root, "og:title", "twitter:title")
    if not title:
        h1 = root.xpath("//h1")
        title = h1[0].text_content().strip() if h1 else None
    if not title:
        t = root.xpath("//title")
        title = t[0].text_content().split(" | ")[0].strip() if t else None
    url = doc.url or _meta(root, "og:url")
    if not url:
        canon = root.xpath("//link[@rel='canonical']/@href")
        url = str(canon[0]) if canon else None
    site = doc.site or _meta(root, "og:site_name", "application-name")
    if not site:
        # "<title>Headline - Site name</title>"
        t = root.xpath("//title")
        parts = re.split(r"\s+[|–—-]\s+", t[0].text_content().strip()) if t else []
        if len(parts) > 1 and len(parts[-1]) <= 40 and parts[-1] != title:
            site = parts[-1]
    published = doc.published or _html_date(root)
    clean_tree(root)
    cleaned = lxml.html.tostring(root, encoding="unicode")
    text = trafilatura.extract(
        cleaned,
        include_comments=False,
        include_tables=False,
        include_links=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:
        text = "\n".join(p.text_content().strip() for p in root.iter("p"))
    if site is None and url:
        site = urlsplit(url).netloc or None
    text = _clean_lines(text, title)
    return Article(article_id(url, text), url, title, published, site, text, doc.origin)


_HEADER = re.compile(
    r"^(title|url|published|date|site|source|publisher)\s*:\s*(.*)$", re.IGNORECASE
)


def extract_text(doc: RawDoc) -> Article:
    """A plain-text article, with optional ``Key: value`` header lines."""
    lines = doc.content.splitlines()
    head: dict[str, str] = {}
    i = 0
    while i < len(lines) and (m := _HEADER.match(lines[i].strip())):
        head[m.group(1).lower()] = m.group(2).strip()
        i += 1
    body_lines = lines[i:] if head else lines
    title = doc.title or head.get("title")
    if title is None:
        first = next((x.strip() for x in body_lines if x.strip()), "")
        if first and len(first) < 160 and not first.endswith("."):
            title = first
            body_lines = body_lines[
                body_lines.index(next(x for x in body_lines if x.strip())) + 1 :
            ]
    published = doc.published
    if published is None:
        raw = head.get("published") or head.get("date")
        published = _parse_date(raw, doc.origin, 1, "published") if raw else None
    url = doc.url or head.get("url")
    site = doc.site or head.get("site") or head.get("source") or head.get("publisher")
    if site is None and url:
        site = urlsplit(url).netloc or None
    paragraphs = re.split(r"\n\s*\n", "\n".join(body_lines))
    text = "\n".join(re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip())
    text = _clean_lines(text, title)
    return Article(article_id(url, text), url, title, published, site, text, doc.origin)


def extract(doc: RawDoc) -> Article:
    """Main text and metadata of any input document."""
    return extract_html(doc) if doc.kind == "html" else extract_text(doc)
