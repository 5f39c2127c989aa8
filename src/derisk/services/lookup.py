"""Look-up lists for front ends: countries (with ISO numeric codes), country groups, importers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pycountry

from derisk.model import countries
from derisk.model.names import normalise_name
from derisk.store.base import Store

COUNTRIES_SCHEMA = "derisk.countries/1"
IMPORTERS_SCHEMA = "derisk.importers/1"


def country_list(store: Store) -> dict[str, Any]:
    """Every ISO 3166-1 country (alpha-3, numeric, display name) and every country group."""
    rows = [
        {"iso3": c.alpha_3, "numeric": c.numeric, "name": countries.name(c.alpha_3)}
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    ]
    groups = [
        {"group": g, "name": n, "members": []}
        for g, n in store.sql("SELECT group_id, name FROM country_group ORDER BY group_id")
    ]
    by_id = {g["group"]: g for g in groups}
    for gid, iso in store.sql(
        "SELECT DISTINCT group_id, iso3 FROM group_member ORDER BY group_id, iso3"
    ):
        if gid in by_id:
            by_id[gid]["members"].append(iso)
    return {"schema": COUNTRIES_SCHEMA, "countries": rows, "groups": groups}


def importers(store: Store, material: str | None = None) -> dict[str, Any]:
    """Importing countries with import-source or import-reliance facts (for one material)."""
    filt = "" if material is None else " WHERE material_id = ?"
    params = [] if material is None else [material]
    rows = store.sql(
        "SELECT importer, list(DISTINCT material_id ORDER BY material_id) FROM ("
        f"SELECT importer, material_id FROM import_source{filt} UNION ALL "
        f"SELECT importer, material_id FROM import_reliance{filt}) GROUP BY 1 ORDER BY 1",
        params + params,
    )
    return {
        "schema": IMPORTERS_SCHEMA,
        "material": material,
        "importers": [
            {"importer": r[0], "name": countries.name(r[0]), "materials": list(r[1])} for r in rows
        ],
    }


ENTITIES_SCHEMA = "derisk.entities/1"
# Where an unknown entity id sends the user.
FIND_ENTITY = "search by name: `derisk entities NAME`, GET /api/entities?q=NAME"


def entity_list(
    store: Store,
    query: str | None = None,
    *,
    country: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Every entity (company, government, person, facility) with its kind and country.

    ``query`` keeps the entities whose id, name or an alias contains it (case and accents
    ignored, and company suffixes such as "Co., Ltd." too); ``country`` (ISO3) and ``kind``
    narrow further. Results stay in name order.
    """
    rows = store.sql(
        "SELECT entity_id, name, kind, country, source_id, aliases FROM entity "
        "ORDER BY lower(name), entity_id"
    )
    if query is not None and query.strip():
        rows = [r for r in rows if _matches(query, r[0], r[1], r[5])]
    if country:
        rows = [r for r in rows if (r[3] or "").upper() == country.strip().upper()]
    if kind:
        rows = [r for r in rows if (r[2] or "") == kind.strip().lower()]
    stakes = dict(
        store.sql(
            "SELECT e, count(*) FROM (SELECT owner_id AS e FROM stake UNION ALL "
            "SELECT owned_id FROM stake) GROUP BY 1"
        )
    )
    return {
        "schema": ENTITIES_SCHEMA,
        "entities": [
            {
                "id": r[0],
                "name": r[1],
                "kind": r[2],
                "country": r[3],
                "source_id": r[4],
                "stakes": int(stakes.get(r[0], 0)),
            }
            for r in rows
        ],
    }


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
