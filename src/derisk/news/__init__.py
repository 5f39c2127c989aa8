"""News intelligence: article pages in, supply-chain events out, each traced to its sentence.

- :mod:`derisk.news.articles` reads pages, text and feeds and extracts the main text;
- :mod:`derisk.news.lexicon` links companies, countries and materials to the graph;
- :mod:`derisk.news.events` finds typed events; :mod:`derisk.news.dates` resolves dates;
- :mod:`derisk.news.pipeline` runs them over an article;
- :mod:`derisk.news.evaluation` scores them against a labelled set.

The review queue and the writing of accepted facts are in :mod:`derisk.services.news`.
"""

from derisk.news.articles import Article, RawDoc, extract, read_paths
from derisk.news.events import EVENT_TYPES, KEY_FIELDS, Event
from derisk.news.lexicon import Lexicon, Mention
from derisk.news.pipeline import Analysis, NewEntity, analyze, event_json

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
