"""News intelligence: article pages in, supply-chain events out, each traced to its sentence.

- :mod:`derisk.news.articles` reads pages, text and feeds and extracts the main text;
- :mod:`derisk.news.lexicon` links companies, countries and materials to the graph;
- :mod:`derisk.news.events` finds typed events; :mod:`derisk.news.dates` resolves dates;
- :mod:`derisk.news.pipeline` runs them over an article;
- :mod:`derisk.news.evaluation` scores them against a labelled set.

The review queue and the writing of accepted facts are in :mod:`derisk.services.news`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from derisk.news.articles import Article, RawDoc, extract, read_paths
    from derisk.news.events import EVENT_TYPES, KEY_FIELDS, Event
    from derisk.news.lexicon import Lexicon, Mention
    from derisk.news.pipeline import Analysis, NewEntity, analyze, event_json

# Names are loaded on first use, so that importing a light submodule (``derisk.news.feeds``)
# does not pull in the HTML extraction stack (trafilatura, lxml) that only article reading needs.
_HOME = {
    "Article": "articles",
    "RawDoc": "articles",
    "extract": "articles",
    "read_paths": "articles",
    "EVENT_TYPES": "events",
    "KEY_FIELDS": "events",
    "Event": "events",
    "Lexicon": "lexicon",
    "Mention": "lexicon",
    "Analysis": "pipeline",
    "NewEntity": "pipeline",
    "analyze": "pipeline",
    "event_json": "pipeline",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'derisk.news' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"derisk.news.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "EVENT_TYPES",
    "KEY_FIELDS",
    "Analysis",
    "Article",
    "Event",
    "Lexicon",
    "Mention",
    "NewEntity",
    "RawDoc",
    "analyze",
    "event_json",
    "extract",
    "read_paths",
]
