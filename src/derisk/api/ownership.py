"""Ownership and screening endpoints: entities, owners, holdings, screen."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from derisk.api import models as m
from derisk.api.deps import ApiDep, AsOfDep, PageDep, paginate
from derisk.services import lookup
from derisk.services import ownership as own
from derisk.services import screening as scr

router = APIRouter(prefix="/api", tags=["ownership"])

EntityPath = Annotated[
    str,
    Path(
        description="Entity id (or a name that resolves to one entity).",
        examples=["mp-materials", "china-rare-earth-group"],
    ),
]
Interest = Annotated[
    Literal["equity", "voting", "board", "debt"], Query(description="Layer of interest to follow.")
]
MinShare = Annotated[
    float, Query(ge=0.0, le=1.0, description="Leave out holders below this share (0-1).")
]
Rule = Annotated[Literal["feoc", "sfe", "fie", "pfe"], Query(description="Screening rule.")]


@router.get("/entities", response_model=m.EntitiesOut, responses=m.problems(422))
def entities(
    api: ApiDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Part of a name, alias or id (case, accents ignored)."),
    ] = None,
    country: Annotated[
        str | None, Query(pattern="^[A-Za-z0-9]{2,8}$", description="Only this country (ISO3).")
    ] = None,
    kind: Annotated[
        Literal["company", "government", "person", "facility"] | None,
        Query(description="Only this kind."),
    ] = None,
) -> Response:
    """Companies, governments, persons and facilities, with kind, country and stake count;
    `q` searches names, aliases and ids (`derisk entities`)."""
    return api.read_json(
        ("entities", page, q, country, kind),
        lambda v: paginate(
            lookup.entity_list(v, q, country=country, kind=kind).to_json(), "entities", page
        ),
    )


@router.get("/owners/{entity}", response_model=m.OwnersOut, responses=m.problems(400, 404, 422))
def owners(
    api: ApiDep,
    entity: EntityPath,
    as_of: AsOfDep,
    interest: Interest = "equity",
    min_share: MinShare = 0.0,
    paths: Annotated[int, Query(ge=0, le=20, description="Chains shown per holder.")] = 3,
) -> Response:
    """Direct and look-through holders of an entity, with the chains that carry each share
    (`derisk owners`)."""
    return api.read_json(
        ("owners", entity, as_of, interest, min_share, paths),
        lambda v: own.owners(
            v, entity, interest=interest, min_share=min_share, paths=paths
        ).to_json(),
        as_of,
    )


@router.get("/holdings/{entity}", response_model=m.HoldingsOut, responses=m.problems(400, 404, 422))
def holdings(
    api: ApiDep,
    entity: EntityPath,
    as_of: AsOfDep,
    interest: Interest = "equity",
    min_share: MinShare = 0.0,
    paths: Annotated[int, Query(ge=0, le=20, description="Chains shown per holding.")] = 1,
) -> Response:
    """Everything an owner holds, directly and through chains (`derisk holdings`)."""
    return api.read_json(
        ("holdings", entity, as_of, interest, min_share, paths),
        lambda v: own.holdings(
            v, entity, interest=interest, min_share=min_share, paths=paths
        ).to_json(),
        as_of,
    )


@router.get("/screen/{entity}", response_model=m.ScreenOut, responses=m.problems(400, 404, 422))
def screen(api: ApiDep, entity: EntityPath, as_of: AsOfDep, rule: Rule = "pfe") -> Response:
    """Verdict of one entity under a rule, with figures, thresholds, chains and sources
    (`derisk screen ENTITY`)."""
    return api.read_json(
        ("screen", entity, rule, as_of),
        lambda v: scr.screen_entity(v, entity, rule=rule).to_json(),
        as_of,
    )


@router.get("/screen", response_model=m.ScreenAllOut, responses=m.problems(400, 422))
def screen_all(api: ApiDep, as_of: AsOfDep, page: PageDep, rule: Rule = "pfe") -> Response:
    """One line per entity under a rule (`derisk screen --all`)."""
    return api.read_json(
        ("screen-all", rule, as_of, page),
        lambda v: paginate(scr.screen_all(v, rule=rule).to_json(), "entities", page),
        as_of,
    )
