# ruff: noqa: E501  (HTML templates keep one tag per line)
"""Lay out the evaluation articles (``source/*.yaml``) as saved pages, a feed and labels.

Run ``python tests/data/news/render.py`` after editing a source file. It writes
``pages/*.html`` and ``pages/*.txt`` (one article each, with each site's navigation,
promotions, comments and teasers), ``feed.jsonl`` (the articles marked ``feed: true``) and
``labels.json`` (the events of each article and the noise text that must yield none).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
E = html.escape


def _date_long(d: dt.date) -> str:
    return d.strftime("%B %-d, %Y")


def _teaser_items(rel: list[dict[str, str]], cls: str, with_blurb: bool) -> str:
    out = []
    for i, r in enumerate(rel):
        slug = r["headline"].lower().replace(" ", "-").replace(",", "")[:60]
        blurb = f'<p class="{cls}__blurb">{E(r["blurb"])}</p>' if with_blurb else ""
        out.append(
            f'<li class="{cls}__item"><a href="/story/{i}-{E(slug)}">'
            f'<span class="{cls}__title">{E(r["headline"])}</span></a>{blurb}</li>'
        )
    return "\n".join(out)


def _body(a: dict[str, Any], inline_style: str = "plain") -> str:
    out = []
    inline = {int(k): v for k, v in (a.get("inline") or {}).items()}
    for i, p in enumerate(a["body"]):
        out.append(f"<p>{E(p)}</p>")
        if i in inline:
            label, _, rest = inline[i].partition(": ")
            if inline_style == "plain":
                out.append(
                    f'<p><strong>{E(label)}:</strong> <a href="/related/{i}">{E(rest)}</a></p>'
                )
            else:
                out.append(
                    f'<div class="inline-promo"><span>{E(label)}</span> '
                    f'<a href="/related/{i}">{E(rest)}</a></div>'
                )
    return "\n".join(out)


def _comments(a: dict[str, Any], wrap: str, item: str) -> str:
    cs = a.get("comments") or []
    if not cs:
        return ""
    items = "\n".join(
        f'<div class="{item}"><span class="{item}__user">{E(c["user"])}</span>'
        f'<span class="{item}__time">2 hours ago</span><p>{E(c["text"])}</p>'
        f"<button>Reply</button> <button>Like</button></div>"
        for c in cs
    )
    return (
        f'<section class="{wrap}"><h3>{len(cs)} Comments</h3>'
        '<form><textarea placeholder="Join the discussion"></textarea><button>Post</button></form>'
        f"{items}</section>"
    )


def wire(a: dict[str, Any]) -> str:
    d = a["published"]
    rel = _teaser_items(a.get("related") or [], "related-coverage", False)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{E(a["title"])} | {E(a["site"])}</title>
<meta property="og:title" content="{E(a["title"])}">
<meta property="og:site_name" content="{E(a["site"])}">
<meta name="article:published_time" content="{d.isoformat()}T06:12:00Z">
<link rel="canonical" href="{E(a["url"])}">
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}</script>
</head><body>
<header class="site-header"><a class="logo" href="/">{E(a["site"])}</a>
<nav class="primary-nav"><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/markets">Markets</a></li><li><a href="/sustainability">Sustainability</a></li>
<li><a href="/legal">Legal</a></li><li><a href="/breakingviews">Breakingviews</a></li>
<li><a href="/technology">Technology</a></li></ul></nav>
<a class="btn" href="/account/register">Register</a> <a class="btn" href="/account/sign-in">Sign in</a>
</header>
<main id="main-content">
<article class="article">
<nav class="breadcrumbs"><a href="/markets">Markets</a> › <a href="/markets/commodities">Commodities</a></nav>
<h1 class="article-headline">{E(a["title"])}</h1>
<div class="article-byline">By <a href="/authors/x">{E(a.get("byline", "Staff"))}</a></div>
<time datetime="{d.isoformat()}T06:12:00Z">{_date_long(d)} 6:12 AM UTC</time>
<div class="share-bar"><a>Share on X</a><a>Share on LinkedIn</a><a>Email</a><a>Copy link</a></div>
<div class="article-body">
{_body(a)}
<p class="signoff">Reporting by {E(a.get("byline", "Staff"))}; Editing by Mark Potter</p>
<p class="standards"><a href="/trust">Our Standards: The Trust Principles.</a></p>
</div>
</article>
<aside class="related-coverage"><h2>Related Coverage</h2><ul>
{rel}
</ul></aside>
</main>
<footer class="site-footer"><p>© {d.year} {E(a["site"])}. All rights reserved.</p>
<ul><li><a>About us</a></li><li><a>Careers</a></li><li><a>Advertise with us</a></li>
<li><a>Cookies</a></li><li><a>Terms of use</a></li><li><a>Privacy</a></li></ul>
<p>All quotes delayed a minimum of 15 minutes.</p></footer>
</body></html>
"""


def aggregator(a: dict[str, Any]) -> str:
    d = a["published"]
    rel = _teaser_items(a.get("related") or [], "rail-card", True)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{E(a["title"])} - {E(a["site"])}</title>
<meta name="description" content="{E(a["body"][0][:150])}">
<meta property="og:title" content="{E(a["title"])}">
<meta property="article:published_time" content="{d.isoformat()}">
<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": a["title"], "datePublished": d.isoformat(), "publisher": {"@type": "Organization", "name": a["site"]}})}</script>
</head><body>
<div id="cookie-consent" class="banner">We use cookies to personalise content and ads. <button>Accept all</button> <button>Manage</button></div>
<div class="topbar"><a href="/">{E(a["site"])}</a>
<ul class="menu"><li>Home</li><li>Battery Metals</li><li>Rare Earths</li><li>Base Metals</li><li>Policy</li><li>Prices</li><li>Events</li></ul>
<form class="search"><input placeholder="Search news"></form></div>
<div class="app-banner"><strong>Get {E(a["site"])} on your phone</strong> Breaking metals news and price alerts. Download the free app for iOS and Android. <a>Install now</a></div>
<div id="content"><div class="post">
<h1 class="post-title">{E(a["title"])}</h1>
<div class="meta">{d.strftime("%d %b %Y")} · Source: <a rel="nofollow">{E(a.get("source_name", "Wire"))}</a> · 3 min read</div>
<div class="post-content">
{_body(a, "box")}
<p class="via"><a rel="nofollow" href="#">Read the full story at {E(a.get("source_name", "the source"))}</a></p>
</div>
<div class="tags">Tags: <a>critical minerals</a> <a>supply chain</a> <a>China</a></div>
<div class="app-promo-inline">📱 Never miss a deal: turn on push alerts in the {E(a["site"])} app.</div>
</div>
<div class="rail-widget"><h4>Trending now</h4><ul>
{rel}
</ul></div>
{_comments(a, "discussion", "c-item")}
</div>
<div class="newsletter">Sign up for the Daily Digest newsletter <input placeholder="Your email"><button>Subscribe</button></div>
<footer><p>{E(a["site"])} aggregates headlines from publishers worldwide. © {d.year}</p></footer>
</body></html>
"""


def daily(a: dict[str, Any]) -> str:
    d = a["published"]
    rel = _teaser_items(a.get("related") or [], "most-read", True)
    return f"""<html><head><title>{E(a["title"])}</title>
<meta property="og:site_name" content="{E(a["site"])}">
<meta property="og:url" content="{E(a["url"])}">
<meta itemprop="datePublished" content="{d.isoformat()}">
</head><body class="article-page">
<div class="masthead"><span class="paper-name">{E(a["site"])}</span>
<div class="nav-links"><a>Home</a> | <a>Companies</a> | <a>Markets</a> | <a>Energy transition</a> | <a>Opinion</a> | <a>Data</a> | <a>Subscribe</a></div></div>
<div class="layout">
<div class="col-main">
<div class="kicker">Critical minerals</div>
<h1>{E(a["title"])}</h1>
<div class="byline">{E(a.get("byline", "Staff reporter"))} · {_date_long(d)}</div>
<div class="story-body">
{_body(a)}
</div>
<div class="paywall-prompt">You have read 3 of 5 free articles this month. Subscribe for unlimited access from $1 a week.</div>
<div class="author-box">{E(a.get("byline", "Staff"))} covers metals and mining for {E(a["site"])}.</div>
{_comments(a, "comments-thread", "comment")}
</div>
<aside class="col-side"><h3>Most read</h3><ol>
{rel}
</ol>
<div class="ad-slot">Advertisement</div>
<div class="app-promo">Read {E(a["site"])} anywhere with our app — download it free today.</div>
</aside>
</div>
<div class="footer">Copyright {d.year} {E(a["site"])} Ltd. <a>Contact</a> <a>Licensing</a> <a>Accessibility</a></div>
</body></html>
"""


def trade(a: dict[str, Any]) -> str:
    d = a["published"]
    rel = _teaser_items(a.get("related") or [], "yml", True)
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8">
<title>{E(a["title"])} – {E(a["site"])}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{E(a["title"])}">
<meta property="article:published_time" content="{d.isoformat()}T09:00:00+00:00">
</head><body>
<header><div class="brand">{E(a["site"])}</div>
<nav><a>News</a><a>Lithium</a><a>Graphite</a><a>Rare earths</a><a>Nickel &amp; cobalt</a><a>Podcasts</a><a>Webinars</a><a>Log in</a></nav></header>
<article class="post type-post">
<header class="entry-header"><h1 class="entry-title">{E(a["title"])}</h1>
<p class="entry-meta">By {E(a.get("byline", "Staff"))} | {d.strftime("%d/%m/%Y")}</p></header>
<div class="entry-content">
{_body(a)}
<div class="newsletter-box"><p><strong>Stay informed.</strong> Get our free weekly battery metals briefing in your inbox.</p><input type="email"><button>Sign up</button></div>
</div>
<footer class="entry-footer"><p>Filed under: Supply chain, Policy</p></footer>
</article>
<section class="you-may-like"><h2>You might also like</h2><ul>
{rel}
</ul></section>
{_comments(a, "disqus", "post-comment")}
<footer class="site"><p>{E(a["site"])} is published by Trade Media Group. © {d.year}</p></footer>
</body></html>
"""


RELEASE_TEASERS = [
    {
        "headline": "Atlas Rare Earths Acquires 51% of Ngualla Project",
        "blurb": "Atlas Rare Earths Inc. acquired a 51% interest in the Ngualla rare earths project for $60 million.",
    },
    {
        "headline": "Boreal Nickel Opens Sudbury Refinery",
        "blurb": "Boreal Nickel Corp. opened its nickel sulphate refinery in Sudbury, Ontario.",
    },
]


def release(a: dict[str, Any]) -> str:
    d = a["published"]
    rel = _teaser_items(RELEASE_TEASERS, "more-releases", True)
    paras = []
    for p in a["body"]:
        if p.startswith(("About ", "Forward-looking", "Cautionary", "Contact")):
            head, _, rest = p.partition(": ")
            paras.append(f"<p><b>{E(head)}</b></p><p>{E(rest)}</p>")
        else:
            paras.append(f"<p>{E(p)}</p>")
    body = "\n".join(paras)
    return f"""<!DOCTYPE html><html><head><title>{E(a["title"])}</title>
<meta name="date" content="{d.isoformat()}"><meta property="og:site_name" content="{E(a["site"])}">
</head><body>
<div class="header"><a>{E(a["site"])}</a> <a>News</a> <a>Send a release</a> <a>Contact sales</a> <a>Sign up</a></div>
<div class="release">
<h1>{E(a["title"])}</h1>
<p class="provided">News provided by <b>{E(a["title"].split(" ")[0])}</b><br>{_date_long(d)}, 08:30 ET</p>
<div class="social">Share this article <a>Facebook</a> <a>X</a> <a>LinkedIn</a> <a>Email</a></div>
<section class="release-body">
{body}
<p>SOURCE {E(a["title"].split(" signs")[0].split(" Commissions")[0].split(" to ")[0])}</p>
</section>
</div>
<div class="more"><h3>More news releases in similar topics</h3><ul>
{rel}
</ul></div>
<div class="footer">{E(a["site"])} — distributing news since 1998. Terms | Privacy | Cookie settings</div>
</body></html>
"""


def text(a: dict[str, Any]) -> str:
    head = f"Title: {a['title']}\nURL: {a['url']}\nPublished: {a['published'].isoformat()}\nSite: {a['site']}\n\n"
    return head + "\n\n".join(a["body"]) + "\n"


LAYOUTS = {
    "wire": wire,
    "aggregator": aggregator,
    "daily": daily,
    "trade": trade,
    "release": release,
}


def noise(a: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for r in a.get("related") or []:
        out += [r["headline"], r["blurb"]]
    out += [v.partition(": ")[2] for v in (a.get("inline") or {}).values()]
    out += [c["text"] for c in a.get("comments") or []]
    if a["layout"] == "release":
        for r in RELEASE_TEASERS:
            out += [r["headline"], r["blurb"]]
    return out


def _json_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def main() -> None:
    pages = HERE / "pages"
    pages.mkdir(exist_ok=True)
    for old in pages.iterdir():
        old.unlink()
    feed_lines: list[str] = []
    labels = []
    for split in ("dev", "heldout"):
        for a in yaml.safe_load((HERE / "source" / f"{split}.yaml").read_text("utf-8")):
            is_text = a["layout"] == "text"
            content = text(a) if is_text else LAYOUTS[a["layout"]](a)
            if a.get("feed"):
                entry: dict[str, Any] = {"url": a["url"], "published": a["published"].isoformat()}
                if is_text:
                    entry["title"] = a["title"]
                    entry["text"] = "\n\n".join(a["body"])
                else:
                    entry["html"] = content
                feed_lines.append(json.dumps(entry, ensure_ascii=False))
                where = f"feed.jsonl#{len(feed_lines)}"
            else:
                name = f"{a['id']}.{'txt' if is_text else 'html'}"
                (pages / name).write_text(content, "utf-8")
                where = f"pages/{name}"
            labels.append(
                {
                    "id": a["id"],
                    "split": split,
                    "layout": a["layout"],
                    "input": where,
                    "url": a["url"],
                    "title": a["title"],
                    "published": a["published"].isoformat(),
                    "events": [
                        {
                            "type": e["type"],
                            "fields": {k: _json_value(v) for k, v in e["fields"].items()},
                        }
                        for e in a["events"]
                    ],
                    "noise": noise(a),
                }
            )
    (HERE / "feed.jsonl").write_text("\n".join(feed_lines) + "\n", "utf-8")
    doc = {
        "about": "Labelled news articles for derisk's evaluation; see README.md.",
        "articles": labels,
    }
    (HERE / "labels.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"{len(labels)} articles, {sum(len(x['events']) for x in labels)} events")


if __name__ == "__main__":
    main()
