"""Core endpoints: health, materials, overview, exposure, sources, countries, importers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

import derisk
from derisk.api import models as m
from derisk.api.deps import ApiDep, PageDep, SelectionDep, paginate
from derisk.services import exposure as svc
from derisk.services import lookup, sources
from derisk.store import Store, guard

router = APIRouter(prefix="/api")

MaterialPath = Annotated[
    str,
    Path(
        description="Material id, e.g. antimony, rare-earths.",
        pattern=r"^[a-z0-9-]+$",
        examples=["antimony", "rare-earths", "graphite"],
    ),
]


@router.get("/health", response_model=m.HealthOut, tags=["meta"], responses=m.problems(503))
def health(api: ApiDep) -> Response:
    """Whether the server can read its database, and (for admins and the local operator)
    which one."""
    st = api.state

    def run(store: Store) -> dict[str, object]:
        return {
            "schema": "derisk.health/1",
            "status": "ok",
            # the file's path is for the operator and admins: no path to anyone else
            "database": str(st.db_path) if guard.may_see_paths() else None,
            "schema_version": store.schema_version(),
            "writable": st.writable,
            "version": derisk.__version__,
        }

    return api.json(("health",), run)


@router.get(
    "/materials", response_model=m.MaterialsOut, tags=["exposure"], responses=m.problems(422)
)
def materials(api: ApiDep, page: PageDep) -> Response:
    """Materials, their processing stages, HS codes and years with data (`derisk materials`)."""
    return api.read_json(
        ("materials", page),
        lambda v: paginate(svc.materials(v).to_json(), "materials", page),
    )


@router.get(
    "/overview",
    response_model=m.OverviewOut,
    tags=["exposure"],
    responses=m.problems(400, 404, 422),
)
def overview(api: ApiDep, sel: SelectionDep, page: PageDep) -> Response:
    """Every material x stage: selected share with bounds, top country, HHI (`derisk overview`)."""
    return api.read_json(
        ("overview", sel.key, page),
        lambda v: paginate(svc.overview(v, *sel.resolve(v)).to_json(), "rows", page),
        sel.as_of,
    )


@router.get(
    "/exposure/{material}",
    response_model=m.ExposureOut,
    tags=["exposure"],
    responses=m.problems(400, 404, 422),
)
def exposure(
    api: ApiDep,
    sel: SelectionDep,
    material: MaterialPath,
    stage: Annotated[
        str | None, Query(description="Stage id (default: bottleneck).", examples=["mining"])
    ] = None,
    year: Annotated[
        int | None, Query(ge=1900, le=2200, description="Year (default: latest).")
    ] = None,
    importer: Annotated[
        str | None, Query(description="Importing country, ISO alpha-3 (or name).")
    ] = None,
) -> Response:
    """One material: the stage in detail, every stage in the chain (`derisk exposure`)."""
    stage = stage or None
    importer = importer or None
    return api.read_json(
        ("exposure", material, stage, year, importer, sel.key),
        lambda v: svc.exposure(v, material, stage, year, *sel.resolve(v), importer).to_json(),
        sel.as_of,
    )


@router.get(
    "/importers",
    response_model=m.ImportersOut,
    tags=["exposure"],
    responses=m.problems(422),
)
def importers(
    api: ApiDep,
    material: Annotated[str | None, Query(description="Only importers of this material.")] = None,
) -> Response:
    """Importing countries with import-source or import-reliance facts."""
    material = material or None
    return api.read_json(("importers", material), lambda v: lookup.importers(v, material).to_json())


@router.get("/sources", response_model=m.SourcesOut, tags=["sources"], responses=m.problems(422))
def source_list(api: ApiDep, page: PageDep) -> Response:
    """Every source with its publisher, URL, confidence and number of facts."""
    return api.read_json(
        ("sources", page), lambda v: paginate(sources.list_sources(v).to_json(), "sources", page)
    )


@router.get(
    "/sources/{ident}",
    response_model=m.SourceLookupOut,
    tags=["sources"],
    responses=m.problems(404, 422),
)
def source(
    api: ApiDep,
    ident: Annotated[
        str, Path(description="A source id or a fact id.", examples=["usgs-mcs2026-antimony"])
    ],
) -> Response:
    """A source, or a fact and the source it comes from (`derisk sources ID`)."""
    return api.read_json(("source", ident), lambda v: svc.source_lookup(v, ident).to_json())


@router.get(
    "/sources/{source_id}/facts",
    response_model=m.SourceFactsOut,
    tags=["sources"],
    responses=m.problems(404, 422),
)
def source_facts(
    api: ApiDep,
    source_id: Annotated[str, Path(description="A source id.", examples=["usgs-mcs2026-antimony"])],
    page: PageDep,
) -> Response:
    """Every fact that cites one source, from every fact table."""
    return api.read_json(
        ("source-facts", source_id, page),
        lambda v: paginate(sources.source_facts(v, source_id).to_json(), "facts", page),
    )


@router.get("/countries", response_model=m.CountriesOut, tags=["meta"], responses=m.problems(422))
def countries(api: ApiDep, page: PageDep) -> Response:
    """ISO 3166-1 countries (alpha-3, numeric, name) and the country groups with members."""
    return api.read_json(
        ("countries", page),
        lambda v: paginate(lookup.country_list(v).to_json(), "countries", page),
    )
