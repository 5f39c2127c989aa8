"""Re-sourcing and shock endpoints: reroute, shock scenarios, the list of scenarios.

Each answer is the service's result record as ``to_json()`` gives it, the CLI's ``--json``
(``derisk reroute``, ``derisk shock``, ``derisk scenarios``). The server runs bundled
scenarios only, by id: it never reads a scenario or cost file named by a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from derisk.api import models as m
from derisk.api.deps import ApiDep, AsOfDep, JSONBody
from derisk.api.state import encode_json
from derisk.model.record import Record
from derisk.services import resource as rs
from derisk.services import shock as sh
from derisk.store.view import View

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


def _json(
    api: ApiDep, key: Hashable, compute: Callable[[View], Record], as_of: dt.date | None = None
) -> Response:
    """The (cached) result record of ``compute(view)`` (the request's view as of ``as_of``)
    as a JSON response; the record itself is cached under ``key`` too, where the web pages
    read it."""
    body = api.state.cached(
        ("json", key), lambda: encode_json(api.read(key, compute, as_of).to_json())
    )
    return JSONBody(body)


# -- endpoints ----------------------------------------------------------------------------------


@router.get("/scenarios", response_model=m.ScenariosOut, responses=m.problems(422))
def scenarios(api: ApiDep) -> Response:
    """The bundled shock scenarios and whether their restriction facts are loaded
    (`derisk scenarios`)."""
    return _json(api, ("scenarios",), sh.list_scenarios)


@router.get("/shock/{scenario}", response_model=m.ShockOut, responses=m.problems(404, 422))
def shock(api: ApiDep, scenario: ScenarioPath, as_of: AsOfDep) -> Response:
    """Simulate a bundled export-restriction scenario month by month: shortfall by month,
    stage and country, stocks and substitution (`derisk shock SCENARIO`)."""
    return _json(
        api,
        ("shock", scenario, as_of),
        lambda v: sh.run_scenario(v, sh.bundled_scenario(scenario)),
        as_of,
    )


@router.get("/reroute", response_model=m.RerouteOut, responses=m.problems(400, 404, 422))
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
    options = rs.RerouteOptions(
        material=material,
        destination=to,
        demand=demand,
        stage=stage,
        exclude_countries=tuple(countries),
        exclude_groups=tuple(groups),
        exclude_entities=tuple(entities),
        exclude_pfe=exclude_pfe,
        spare_only=spare_only,
        max_country_share=max_country_share,
        year=year,
    )
    # the options and the date are the cache key (frozen, hashable): the /resource page shares
    # the answer
    return _json(api, ("reroute", options, as_of), lambda v: rs.reroute(v, options), as_of)
