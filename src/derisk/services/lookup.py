"""Look-up lists for front ends: countries (with ISO numeric codes), country groups, importers."""

from __future__ import annotations

import re
import unicodedata

import pycountry

from derisk.model import countries
from derisk.model.names import normalise_name
from derisk.services.results import (
    Countries,
    CountryInfo,
    Entities,
    EntityRow,
    GroupInfo,
    ImporterInfo,
    Importers,
)
from derisk.store.view import View

COUNTRIES_SCHEMA = "derisk.countries/1"
IMPORTERS_SCHEMA = "derisk.importers/1"


def country_list(view: View) -> Countries:
    """Every ISO 3166-1 country (alpha-3, numeric, display name) and every country group."""
    rows = tuple(
        CountryInfo(iso3=c.alpha_3, numeric=c.numeric, name=countries.name(c.alpha_3))
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    )
    groups = view.groups()
    members: dict[str, list[str]] = {g.group_id: [] for g in groups}
    for gid, iso in view.group_membership():
        if gid in members:
            members[gid].append(iso)
    return Countries(
        schema=COUNTRIES_SCHEMA,
        countries=rows,
        groups=tuple(
            GroupInfo(group=g.group_id, name=g.name, members=tuple(members[g.group_id]))
            for g in groups
        ),
    )


def importers(view: View, material: str | None = None) -> Importers:
    """Importing countries with import-source or import-reliance facts (for one material)."""
    rows = view.importer_materials(material)
    return Importers(
        schema=IMPORTERS_SCHEMA,
        material=material,
        importers=tuple(
            ImporterInfo(importer=imp, name=countries.name(imp), materials=tuple(mats))
            for imp, mats in rows
        ),
    )


ENTITIES_SCHEMA = "derisk.entities/1"
# Where an unknown entity id sends the user.
FIND_ENTITY = "search by name: `derisk entities NAME`, GET /api/entities?q=NAME"


def entity_list(
    view: View,
    query: str | None = None,
    *,
    country: str | None = None,
    kind: str | None = None,
) -> Entities:
    """Every entity (company, government, person, facility) with its kind and country.

    ``query`` keeps the entities whose id, name or an alias contains it (case and accents
    ignored, and company suffixes such as "Co., Ltd." too); ``country`` (ISO3) and ``kind``
    narrow further. Results stay in name order.
    """
    rows = view.entities_by_name()
    if query is not None and query.strip():
        rows = [r for r in rows if _matches(query, r.entity_id, r.name, r.aliases)]
    if country:
        rows = [r for r in rows if (r.country or "").upper() == country.strip().upper()]
    if kind:
        rows = [r for r in rows if (r.kind or "") == kind.strip().lower()]
    stakes = view.stake_counts()
    return Entities(
        schema=ENTITIES_SCHEMA,
        entities=tuple(
            EntityRow(
                id=r.entity_id,
                name=r.name,
                kind=r.kind,
                country=r.country,
                source_id=r.source_id,
                stakes=stakes.get(r.entity_id, 0),
            )
            for r in rows
        ),
    )


def _fold(text: str) -> str:
    """Lower case without accents: "Mineração" -> "mineracao"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _matches(query: str, entity_id: str, name: str | None, aliases: str | None) -> bool:
    """True when ``query`` is part of the id, the name or an alias (folded), or names the same
    company once legal suffixes are dropped."""
    q = _fold(query.strip())
    names = [name or "", *(a.strip() for a in re.split(r"[|;]", aliases or "") if a.strip())]
    if q in entity_id.casefold() or any(q in _fold(n) for n in names):
        return True

    want = normalise_name(query)
    return bool(want) and any(want in normalise_name(n) for n in names if n)
