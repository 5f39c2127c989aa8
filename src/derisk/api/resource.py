"""Re-sourcing and shock endpoints: reroute, shock scenarios, the list of scenarios.

Each answer is the dict the service returns, the same JSON as the CLI's ``--json``
(``derisk reroute``, ``derisk shock``, ``derisk scenarios``). The server runs bundled
scenarios only, by id: it never reads a scenario or cost file named by a request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from derisk.api import models as m
from derisk.api.deps import ApiDep, AsOfDep
from derisk.services import resource as rs
from derisk.services import shock as sh

router = APIRouter(prefix="/api", tags=["scenarios"])

ScenarioPath = Annotated[
    str,
    Path(
        description="Id of a bundled scenario (`/api/scenarios` lists them).",
        pattern=r"^[a-z0-9-]+$",
        examples=["antimony-us-ban", "rare-earth-licences-lapse"],
    ),
]


def split_list(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated query values as one list, blanks dropped, order kept.

    >>> split_list(["covered", "eu27, g7", ""])
    ['covered', 'eu27', 'g7']
    >>> split_list(None)
    []
    """
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


# -- response schemas (the services' dicts; extra keys allowed) --------------------------------


class ScenarioInfo(m.Out):
    id: str
    title: str
    material: str
    start: str = Field(description="First simulated month, YYYY-MM.")
    months: int
    file: str
    facts: list[str] = Field(description="export_restriction facts the scenario cites.")
    missing_facts: list[str] = Field(description="Cited facts the database does not hold.")


class ScenariosOut(m.Out):
    schema_: str = Field(alias="schema", examples=["derisk.scenarios/1"])
    scenarios: list[ScenarioInfo]


class ShockScenario(m.Out):
    id: str
    title: str
    description: str
    file: str
    material: str
    start: str
    months: int


class ShockRestriction(m.Out):
    id: str
    fact: str | None
    issuer: str | None
    stages: list[str]
    targets: list[str]
    start: str
    end: str
    fraction: float
    source_id: str | None
    effect: str


class ShockMonth(m.Out):
    month: str
    stage: str
    country: str
    supply: float
    demand: float
    shortfall: float
    withheld: float
    substitution: float
    stock_draw: float
    stock_end: float


class ShockSummary(m.Out):
    stage: str
    country: str
    name: str
    demand: float
    shortfall: float
    shortfall_share: float
    peak_shortfall: float
    peak_month: str | None
    first_short_month: str | None
    months_short: int
    withheld: float
    substitution: float
    stock_used: float


class ShockOut(m.Out):
    schema_: str = Field(alias="schema", examples=["derisk.shock/1"])
    scenario: ShockScenario
    material: str
    unit: str
    stages: list[str]
    countries: list[dict[str, Any]]
    restrictions: list[ShockRestriction]
    assumptions: list[str]
    months: list[ShockMonth]
    summary: list[ShockSummary]
    products: list[dict[str, Any]]
    balance: dict[str, Any]
    notes: list[str]
    sources: list[m.SourceMeta]


class PlanRow(m.Out):
    from_: str = Field(alias="from")
    to: str
    stage: str
    kind: str = Field(description="supply, trade, processing or delivery.")
    quantity: float
    cost: float
    from_country: str | None
    to_country: str | None
    site: str | None


class Binding(m.Out):
    constraint: str
    kind: str = Field(description="capacity or share.")
    binds: list[str] = Field(description="plan and/or max_supply.")
    capacity: float | None
    flow: float | None
    shadow_price: float | None = Field(description="Cost change per t/yr more capacity.")
    supply_shadow_price: float | None = Field(description="Supply change per t/yr more.")
    statement: str


class RerouteOut(m.Out):
    schema_: str = Field(alias="schema", examples=["derisk.reroute/1"])
    material: str
    material_name: str
    destination: str
    destination_name: str
    demand: float
    unit: str
    stage: str
    stages: list[str]
    as_of: str
    excluded: dict[str, Any]
    max_supply: float
    max_supply_upper: float
    delivered: float
    unmet: float
    cost: float
    cost_basis: dict[str, Any]
    plan: list[PlanRow]
    binding: list[Binding]
    stage_summary: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    withheld: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    notes: list[str]
    sources: list[m.SourceMeta]


# -- endpoints ----------------------------------------------------------------------------------


@router.get("/scenarios", response_model=ScenariosOut, responses=m.problems(422))
def scenarios(api: ApiDep) -> Response:
    """The bundled shock scenarios and whether their restriction facts are loaded
    (`derisk scenarios`)."""
    return api.json(("scenarios",), sh.list_scenarios)


@router.get("/shock/{scenario}", response_model=ShockOut, responses=m.problems(404, 422))
def shock(api: ApiDep, scenario: ScenarioPath, as_of: AsOfDep) -> Response:
    """Simulate a bundled export-restriction scenario month by month: shortfall by month,
    stage and country, stocks and substitution (`derisk shock SCENARIO`)."""
    return api.json(
        ("shock", scenario, as_of),
        lambda s: sh.run_scenario(s, sh.bundled_scenario(scenario), as_of=as_of),
    )


@router.get("/reroute", response_model=RerouteOut, responses=m.problems(400, 404, 422))
def reroute(
    api: ApiDep,
    as_of: AsOfDep,
    material: Annotated[
        str,
        Query(description="Material id.", pattern=r"^[a-z0-9-]+$", examples=["antimony", "nickel"]),
    ],
    to: Annotated[
        str, Query(description="Destination country, ISO alpha-3 (or name).", examples=["USA"])
    ],
    demand: Annotated[
        float, Query(gt=0, le=1e12, description="Quantity needed, t/yr.", examples=[20000])
    ],
    stage: Annotated[
        str | None,
        Query(description="Stage delivered (default: the last stage with capacity)."),
    ] = None,
    exclude_group: Annotated[
        list[str] | None,
        Query(description="Exclude every member of a group, e.g. covered (repeat or comma list)."),
    ] = None,
    exclude_country: Annotated[
        list[str] | None,
        Query(description="Exclude a country, ISO alpha-3 (repeat or comma list)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        Query(
            description="Exclude an entity: a facility, or every facility a company operates "
            "(repeat or comma list)."
        ),
    ] = None,
    exclude_pfe: Annotated[
        bool, Query(description="Exclude facilities of prohibited foreign entities.")
    ] = False,
    spare_only: Annotated[
        bool, Query(description="Use only spare capacity (capacity less output).")
    ] = False,
    max_country_share: Annotated[
        float | None,
        Query(gt=0, le=1, description="No country above this share of any stage (0-1]."),
    ] = None,
    year: Annotated[
        int | None, Query(ge=1900, le=2200, description="Use figures of this year or earlier.")
    ] = None,
) -> Response:
    """How much of a material can reach a country without the excluded countries, groups or
    entities, the least-cost plan for a demand, and the binding constraints with their shadow
    prices (`derisk reroute`). Without any exclusion, China is excluded. Costs are the
    bundled cost file's (the CLI's `--costs` has no counterpart here)."""
    groups = split_list(exclude_group)
    countries = split_list(exclude_country)
    entities = split_list(exclude)
    stage = stage or None
    key: tuple[object, ...] = ("reroute", material, to, demand, stage, tuple(groups))
    key += (tuple(countries), tuple(entities), exclude_pfe, spare_only, max_country_share)
    key += (year, as_of)
    return api.json(
        key,
        lambda s: rs.reroute(
            s,
            material,
            to,
            demand,
            stage=stage,
            exclude_countries=countries,
            exclude_groups=groups,
            exclude_entities=entities,
            exclude_pfe=exclude_pfe,
            spare_only=spare_only,
            max_country_share=max_country_share,
            year=year,
            as_of=as_of,
        ),
    )
