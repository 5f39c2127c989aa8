"""Source services: the list of sources and the facts that cite one source.

Every fact table (a registered row type with a ``source_id`` column) is searched, so facts of
areas added later are listed without changes here.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

from derisk.model.record import JSONObject, fields_of
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
        sources=tuple(SourceListed(**fields_of(s), facts=counts.get(s.source_id, 0)) for s in rows),
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
    facts: list[JSONObject] = []
    lookups = dict(lookup_tables())
    for cls, table, names in _fact_tables():
        # the id under which `derisk sources ID` finds a fact of this table, if it has one
        lookup = lookups.get(table)
        for row in view.citing(cls, source_id):
            facts.append(_fact(row, names, table, lookup))
    extra = view.source(source_id)
    quote, licence = (extra.quote, extra.licence) if extra is not None else (None, None)
    source = SourceDetail(**fields_of(meta[source_id]), quote=quote, licence=licence)
    return SourceFacts(schema=SOURCE_FACTS_SCHEMA, source=source, facts=tuple(facts))


def _fact(row: object, names: list[str], table: str, lookup: str | None) -> JSONObject:
    """A fact as ``derisk sources`` lists it: every stored column (a free-form row), then its
    ``table`` and ``fact_id``."""
    values = {n: _jsonable(getattr(row, n)) for n in names}
    fact_id = values.get(lookup) if lookup else None
    return MappingProxyType({**values, "table": table, "fact_id": fact_id})
