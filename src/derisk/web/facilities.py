"""Allied supply page: plants of a processing stage on a map and in a table (stage, status,
screening), the club's China-free supply year by year and each member's allocation.

The numbers are the ``derisk.allied/1`` result of :func:`derisk.services.facilities.
allied_supply`, the same as ``derisk reroute ... --club`` and ``/api/allied`` print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
from derisk.model.record import JSONObject, Record
from derisk.services import facilities as fs
from derisk.services.common import NotFound
from derisk.services.results.facilities import Allied
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Allied supply", "/allied")]

CHOICES = [
    ("antimony", "refining"),
    ("antimony", "oxide"),
    ("rare-earths", "separation"),
    ("rare-earths", "magnets"),
    ("rare-earths", "metal"),
    ("graphite", "anode"),
    ("lithium", "refining"),
    ("nickel", "refining"),
    ("cobalt", "refining"),
    ("gallium", "refining"),
    ("germanium", "refining"),
    ("tungsten", "refining"),
]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CountryPlants(Record):
    """A country's plants on the map: capacity in the first year, eligible and excluded."""

    country: str | None
    name: str | None
    eligible: float
    excluded: float
    plants: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MemberSeries(Record):
    member: str
    allocation: tuple[float | None, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedChart(Record):
    """What the page's charts draw (JSON for its script)."""

    unit: str | None
    years: tuple[int, ...]
    secured: tuple[float | None, ...]
    shortfall: tuple[float | None, ...]
    eligible: tuple[float | None, ...]
    others: tuple[float | None, ...]
    demand: tuple[float | None, ...]
    members: tuple[MemberSeries, ...]
    countries: tuple[CountryPlants, ...]
    map_year: int


@dataclass
class _Country:
    country: str | None
    name: str | None
    eligible: float = 0.0
    excluded: float = 0.0
    plants: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedForm(Record):
    """The page's form as submitted."""

    chain: str
    club: str
    demand: str
    rule: str
    pipeline: str
    years: str
    world_demand: str
    exclude_pfe: bool


NO_CHART: JSONObject = MappingProxyType({})
"""The chart data of a page without an answer (an empty object for its script)."""


def chart_data(r: Allied) -> AlliedChart:
    """What the page's charts draw (JSON for its script): totals by year, members, plants by
    country."""
    by_country: dict[str | None, _Country] = {}
    first = str(r.years[0])
    for f in r.facilities:
        c = by_country.setdefault(f.country, _Country(f.country, f.country_name))
        cap = f.capacity_by_year.get(first) or 0.0
        if f.eligible:
            c.eligible += cap
        else:
            c.excluded += cap
        c.plants.append(f"{f.name} ({f.status}{'' if f.eligible else ', excluded'})")
    return AlliedChart(
        unit=r.unit,
        years=tuple(r.years),
        secured=tuple(y.secured for y in r.by_year),
        shortfall=tuple(y.shortfall for y in r.by_year),
        eligible=tuple(y.eligible_capacity for y in r.by_year),
        others=tuple(y.others_take_eligible for y in r.by_year),
        demand=tuple(y.club_demand for y in r.by_year),
        members=tuple(
            MemberSeries(
                member=m.member, allocation=tuple(y.members[i].allocation for y in r.by_year)
            )
            for i, m in enumerate(r.club)
        ),
        countries=tuple(
            CountryPlants(
                country=c.country,
                name=c.name,
                eligible=c.eligible,
                excluded=c.excluded,
                plants=tuple(c.plants),
            )
            for c in by_country.values()
        ),
        map_year=r.years[0],
    )


@router.get("/allied", response_class=HTMLResponse)
def allied_page(
    request: Request,
    api: ApiDep,
    as_of: AsOfDep,
    chain: Annotated[str, Query(pattern=r"^[a-z-]+:[a-z-]+$")] = "antimony:refining",
    club: Annotated[str, Query(max_length=200)] = "USA,KOR,JPN,EU27",
    demand: Annotated[str, Query(max_length=500)] = "",
    rule: Annotated[str, Query(pattern=r"^(pro-rata|historical|market)$")] = "pro-rata",
    pipeline: Annotated[str, Query(pattern=r"^(operating|committed|risked|announced)$")] = (
        "committed"
    ),
    years: Annotated[str, Query(max_length=60)] = "2025-2030",
    world_demand: Annotated[str, Query(max_length=30)] = "",
    exclude_pfe: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """The form, the year-by-year answer, the club table and the plants."""
    material, stage = chain.split(":", 1)
    members = [m.strip() for m in club.split(",") if m.strip()]
    sel = AlliedForm(
        chain=chain,
        club=club,
        demand=demand,
        rule=rule,
        pipeline=pipeline,
        years=years,
        world_demand=world_demand,
        exclude_pfe=exclude_pfe,
    )
    error = None
    res: Allied | None = None
    if demand.strip():
        try:
            wd = float(world_demand) if world_demand.strip() else None
            key: tuple[object, ...] = ("allied-page", chain, tuple(members), demand, rule)
            key += (pipeline, years, wd)
            key += (exclude_pfe, as_of)
            res = api.read(
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
                        exclude_pfe=exclude_pfe,
                        world_demand=wd,
                    ),
                ),
                as_of,
            )
        except (NotFound, ValueError, KeyError) as exc:
            error = str(exc.args[0]) if exc.args else str(exc)
    return page(
        request,
        "allied.html.j2",
        title="Allied supply",
        r=res,
        error=error,
        chart=chart_data(res) if res else NO_CHART,
        api_href="/api/allied?"
        + urlencode(
            {
                "material": material,
                "stage": stage,
                "club": club,
                "demand": demand,
                "rule": rule,
                "pipeline": pipeline,
                "years": years,
                "exclude_pfe": str(exclude_pfe).lower(),
                **({"world_demand": world_demand} if world_demand.strip() else {}),
            }
        ),
        choices=CHOICES,
        sel=sel,
        as_of=as_of,
    )
