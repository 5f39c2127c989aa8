"""What the news tests share: the events the reader proposes for a text of our own, and a
match of one of them against expected fields (the ``lexicon`` fixture is in conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from derisk.news import RawDoc, analyze, extract
from derisk.news.evaluation import values_equal
from derisk.news.lexicon import Lexicon


def events_of(text: str, lexicon: Lexicon, published: str) -> list[dict[str, Any]]:
    """The proposed events of ``text`` published on ``published``, each as its type and fields."""
    art = extract(RawDoc("t.txt", "text", text, published=dt.date.fromisoformat(published)))
    return [{"type": e.type, **e.fields} for e in analyze(art, lexicon).events]


def plain(v: Any) -> Any:
    """A field as labels write it (dates as ISO strings)."""
    return v.isoformat() if isinstance(v, dt.date) else v


def has(events: list[dict[str, Any]], etype: str, **want: Any) -> bool:
    """Whether one event of type ``etype`` carries every field of ``want``."""
    return any(
        e["type"] == etype and all(values_equal(plain(e.get(k)), v) for k, v in want.items())
        for e in events
    )
