"""Article → linked sentences → proposed events (pure: no store, no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from derisk.model.catalog import Catalog, load_catalog
from derisk.news.articles import Article
from derisk.news.dates import find_dates
from derisk.news.events import EXTRACTORS, Context, Event, Sent, follow_up
from derisk.news.lexicon import Lexicon, Mention, slug, strip_legal
from derisk.news.text import sentences


@dataclass(frozen=True)
class NewEntity:
    """An organisation named in an event that the graph does not hold yet."""

    name: str
    proposed_id: str
    kind: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "proposed_id": self.proposed_id, "kind": self.kind}


@dataclass(frozen=True)
class Analysis:
    article: Article
    events: tuple[Event, ...]
    new_entities: tuple[NewEntity, ...]


def proposed_id(name: str) -> str:
    """Entity id proposed for a new organisation: the slug of its name without legal form.

    >>> proposed_id("Kibara Graphite Ltd")
    'kibara-graphite'
    """
    return slug(strip_legal(name))


def _json_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def entity_json(m: Mention) -> dict[str, Any]:
    return {"text": m.text, "id_or_null": m.id, "kind": m.kind}


def event_json(e: Event) -> dict[str, Any]:
    """An event as the ``events[]`` item of ``derisk.news.ingest/1``."""
    return {
        "type": e.type,
        "fields": {k: _json_value(v) for k, v in e.fields.items()},
        "sentence": e.sentence,
        "confidence": e.confidence,
        "entities": [entity_json(m) for m in e.mentions],
    }


def analyze(article: Article, lexicon: Lexicon, catalog: Catalog | None = None) -> Analysis:
    """Every event the article's main text states, in text order, without duplicates."""
    catalog = catalog or load_catalog()
    ctx = Context(published=article.published, catalog=catalog)
    active: dict[str, Mention] = {}
    if article.title:
        # titles abbreviate: only graph entities named there enable their short names
        for m in lexicon.mentions(article.title, active):
            if m.id is not None:
                active.update(lexicon.short_names(m))
    events: list[Event] = []
    for s in sentences(article.text, article.published):
        mentions = tuple(lexicon.mentions(s.text, active))
        sent = Sent(
            s.text, s.index, mentions, s.dateline, tuple(find_dates(s.text, article.published))
        )
        found: list[Event] = []
        for extract in EXTRACTORS:
            found.extend(extract(sent, ctx))
        if found:
            events.extend(found)
            ctx.events = events
            ctx.last_event_index = s.index
            issuers = [e.links["issuer"] for e in found if "issuer" in e.links]
            if issuers:
                ctx.last_issuer = issuers[0]
        else:
            for upd in follow_up(sent, ctx):
                for i, e in enumerate(events):
                    if e.sentence_index == upd.sentence_index and e.key() == upd.key():
                        events[i] = upd
            ctx.events = events
        orgs = [m for m in mentions if m.kind in ("company", "government")]
        if orgs:
            ctx.last_orgs = orgs
        if ctx.last_issuer is None:
            govs = [m for m in mentions if m.kind == "country" and m.role in ("name", "capital")]
            if govs:
                ctx.last_issuer = govs[0]
        for m in mentions:
            active.update(lexicon.short_names(m))
    unique: list[Event] = []
    seen: set[tuple[Any, ...]] = set()
    for e in events:
        k = (*e.key(), *(str(e.fields.get(f)) for f in ("date", "start", "expiry")))
        if k in seen:
            continue
        seen.add(k)
        unique.append(e)
    new: dict[str, NewEntity] = {}
    for e in unique:
        for m in e.links.values():
            if m.id is None and m.kind == "company":
                pid = proposed_id(m.value)
                new.setdefault(pid, NewEntity(m.value, pid, "company"))
    return Analysis(article, tuple(unique), tuple(new.values()))
