"""Allied supply page: plants of a processing stage on a map and in a table (stage, status,
screening), the club's China-free supply year by year and each member's allocation.

The numbers are the ``derisk.allied/1`` result of :func:`derisk.services.facilities.
allied_supply`, the same as ``derisk reroute ... --club`` and ``/api/allied`` print.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
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


def chart_data(r: Allied) -> dict[str, Any]:
    """What the page's charts draw (JSON for its script): totals by year, members, plants by
    country."""
    by_country: dict[str, dict[str, Any]] = {}
    first = str(r.years[0])
    for f in r.facilities:
        c = by_country.setdefault(
            f.country,
            {"country": f.country, "name": f.country_name, "eligible": 0.0, "excluded": 0.0,
             "plants": []},
        )  # fmt: skip
        cap = f.capacity_by_year.get(first) or 0.0
        c["eligible" if f.eligible else "excluded"] += cap
        c["plants"].append(f"{f.name} ({f.status}{'' if f.eligible else ', excluded'})")
    return {
        "unit": r.unit,
        "years": list(r.years),
        "secured": [y.secured for y in r.by_year],
        "shortfall": [y.shortfall for y in r.by_year],
        "eligible": [y.eligible_capacity for y in r.by_year],
        "others": [y.others_take_eligible for y in r.by_year],
        "demand": [y.club_demand for y in r.by_year],
        "members": [
            {
                "member": m.member,
                "allocation": [y.members[i].allocation for y in r.by_year],
            }
            for i, m in enumerate(r.club)
        ],
        "countries": list(by_country.values()),
        "map_year": r.years[0],
    }


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
    ctx: dict[str, Any] = {
        "choices": CHOICES,
        "sel": {
            "chain": chain,
            "club": club,
            "demand": demand,
            "rule": rule,
            "pipeline": pipeline,
            "years": years,
            "world_demand": world_demand,
            "exclude_pfe": exclude_pfe,
        },
        "as_of": as_of,
    }
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
        chart=chart_data(res) if res else {},
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
        **ctx,
    )
