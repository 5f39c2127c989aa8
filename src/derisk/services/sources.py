"""Source services: the list of sources and the facts that cite one source.

Every fact table (a registered row type with a ``source_id`` column) is searched, so facts of
areas added later are listed without changes here.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

from derisk.model.schema import ROW_TYPES, columns
from derisk.services.common import NotFound, source_meta
from derisk.services.exposure import lookup_tables
from derisk.services.results import SourceDetail, SourceFacts, SourceList, SourceListed
from derisk.store.view import View

SOURCES_SCHEMA = "derisk.sources/1"
SOURCE_FACTS_SCHEMA = "derisk.source-facts/1"


def _fact_tables() -> list[tuple[type[Any], str, list[str]]]:
    """(row type, table, column names) of every table whose rows cite a source."""
    out = []
    for cls in ROW_TYPES:
        names = [c.name for c in columns(cls)]
        if "source_id" in names and cls.Meta.table != "source":
            out.append((cls, cls.Meta.table, names))
    return out


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def list_sources(view: View) -> SourceList:
    """Every source with the number of facts that cite it, by precedence then id."""
    counts: dict[str, int] = {}
    for cls, _table, _names in _fact_tables():
        for sid, n in view.citation_counts(cls).items():
            counts[sid] = counts.get(sid, 0) + n
    meta = source_meta(view)
    rows = sorted(meta.values(), key=lambda s: (s["precedence"], s["source_id"]))
    return SourceList(
        schema=SOURCES_SCHEMA,
        sources=tuple(SourceListed(**s, facts=counts.get(s["source_id"], 0)) for s in rows),
    )


def source_facts(view: View, source_id: str) -> SourceFacts:
    """A source and every fact that cites it.

    Each fact is a dict of its columns plus ``table`` and ``fact_id`` (the id that
    :func:`derisk.services.exposure.source_lookup` finds it by, ``None`` for tables it does
    not search).
    """
    meta = source_meta(view)
    if source_id not in meta:
        raise NotFound(f"no source with id {source_id!r}")
    facts: list[dict[str, Any]] = []
    lookups = dict(lookup_tables())
    for cls, table, names in _fact_tables():
        for row in view.citing(cls, source_id):
            fact = {n: _jsonable(getattr(row, n)) for n in names}
            fact["table"] = table
            # the id under which `derisk sources ID` finds this fact, if it has one
            lookup = lookups.get(table)
            fact["fact_id"] = fact.get(lookup) if lookup else None
            facts.append(fact)
    extra = view.source(source_id)
    quote, licence = (extra.quote, extra.licence) if extra is not None else (None, None)
    source = SourceDetail(**meta[source_id], quote=quote, licence=licence)
    return SourceFacts(
        schema=SOURCE_FACTS_SCHEMA,
        source=source,
        facts=tuple(MappingProxyType(f) for f in facts),
    )
