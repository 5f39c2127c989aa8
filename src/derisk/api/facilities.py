"""Facility-layer endpoints: plants, one plant, and allied supply (a buyer or a buyers' club).

Each answer is the service's result as JSON (``to_json()``), the same as the CLI's ``--json``
(``derisk facilities list|show``, ``derisk reroute ... --club``); the response models are
derived from the result types (:mod:`derisk.services.results.facilities`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from derisk.api import models as m
from derisk.api.deps import ApiDep, AsOfDep
from derisk.api.resource import split_list
from derisk.services import facilities as fs

router = APIRouter(prefix="/api", tags=["facilities"])

Slug = r"^[a-z0-9][a-z0-9-]*$"


YearsQ = Annotated[
    str | None,
    Query(description="Years: 2025-2030 (default), 2027 or 2025,2028.", max_length=60),
]
PipelineQ = Annotated[
    str,
    Query(
        description="Which announced capacity counts: operating, committed, risked, announced.",
        pattern=r"^(operating|committed|risked|announced)$",
    ),
]


@router.get("/facilities", response_model=m.FacilitiesOut, responses=m.problems(400, 404, 422))
def facilities(
    api: ApiDep,
    as_of: AsOfDep,
    material: Annotated[
        str | None, Query(pattern=Slug, description="Material id.", examples=["antimony"])
    ] = None,
    stage: Annotated[str | None, Query(pattern=Slug, description="Stage id.")] = None,
    country: Annotated[str | None, Query(description="ISO alpha-3.", max_length=60)] = None,
    status: Annotated[
        str | None,
        Query(pattern=r"^(operating|construction|planned|idled|closed)$", description="Status."),
    ] = None,
    screen: Annotated[bool, Query(description="Add each plant's PFE verdict.")] = False,
    years: YearsQ = None,
    pipeline: PipelineQ = "committed",
) -> Response:
    """Plants with capacity by year, status, owners and sources (`derisk facilities list`)."""
    key = ("facilities", material, stage, country, status, screen, years, pipeline, as_of)
    return api.read_json(
        key,
        lambda v: fs.facility_list(
            v,
            fs.FacilityQuery(
                material=material,
                stage=stage,
                country=country,
                status=status,
                screen=screen,
                years=fs.parse_years(years),
                pipeline=pipeline,
            ),
        ).to_json(),
        as_of,
    )


@router.get(
    "/facilities/{facility}", response_model=m.FacilityOut, responses=m.problems(400, 404, 422)
)
def facility(
    api: ApiDep,
    as_of: AsOfDep,
    facility: Annotated[
        str,
        Path(pattern=r"^[A-Za-z0-9._-]+$", description="Facility id.", examples=["mp-10x-magnets"]),
    ],
    years: YearsQ = None,
) -> Response:
    """One plant: capacity and basis, status and dates, owners, screening, capacity by year
    under each pipeline (`derisk facilities show`)."""
    return api.read_json(
        ("facility", facility, years, as_of),
        lambda v: fs.show_facility(v, facility, years=fs.parse_years(years)).to_json(),
        as_of,
    )


@router.get("/allied", response_model=m.AlliedOut, responses=m.problems(400, 404, 422))
def allied(
    api: ApiDep,
    as_of: AsOfDep,
    material: Annotated[
        str, Query(pattern=Slug, description="Material id.", examples=["antimony"])
    ],
    stage: Annotated[str, Query(pattern=Slug, description="Stage id.", examples=["refining"])],
    club: Annotated[
        list[str],
        Query(description="Buyers: countries or groups (repeat or comma list).", examples=["USA"]),
    ],
    demand: Annotated[
        str | None,
        Query(
            description="MEMBER=QTY pairs in the stage's unit (default: the store's figures).",
            max_length=500,
            examples=["USA=5000"],
        ),
    ] = None,
    years: YearsQ = None,
    rule: Annotated[
        str, Query(pattern=r"^(pro-rata|historical|market)$", description="Allocation rule.")
    ] = "pro-rata",
    pipeline: PipelineQ = "committed",
    exclude_group: Annotated[list[str] | None, Query(description="Exclude a group.")] = None,
    exclude_country: Annotated[list[str] | None, Query(description="Exclude a country.")] = None,
    exclude: Annotated[list[str] | None, Query(description="Exclude an entity.")] = None,
    exclude_pfe: Annotated[bool, Query(description="Exclude plants of PFEs.")] = False,
    world_demand: Annotated[
        float | None, Query(gt=0, le=1e12, description="World demand of the stage.")
    ] = None,
    demand_growth: Annotated[
        float, Query(gt=-0.5, lt=1.0, description="Yearly growth of demand.")
    ] = 0.0,
) -> Response:
    """China-free (or other-exclusion-free) supply of a processing stage that a buyer or a
    buyers' club secures each year, plant by plant, after other buyers' demand
    (`derisk reroute MATERIAL --stage S --club ...`)."""
    members = split_list(club)
    groups, countries, entities = (
        split_list(exclude_group),
        split_list(exclude_country),
        split_list(exclude),
    )
    key: tuple[object, ...] = ("allied", material, stage, tuple(members), demand, years, rule)
    key += (pipeline,)
    key += (tuple(groups), tuple(countries), tuple(entities), exclude_pfe, world_demand)
    key += (demand_growth, as_of)
    return api.read_json(
        key,
        lambda v: fs.allied(
            v,
            material,
            stage,
            members,
            fs.AlliedQuery(
                demand=fs.parse_demands(demand),
                years=fs.parse_years(years),
                rule=rule,
                pipeline=pipeline,
                exclude_countries=countries,
                exclude_groups=groups,
                exclude_entities=entities,
                exclude_pfe=exclude_pfe,
                world_demand=world_demand,
                demand_growth=demand_growth,
            ),
        ).to_json(),
        as_of,
    )
