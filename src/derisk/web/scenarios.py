"""Scenario pages: shock scenarios (list, month-by-month timeline) and the re-sourcing plan.

The pages render the same (cached) results as ``/api/shock/{scenario}``, ``/api/scenarios``
and ``/api/reroute``; the charts are drawn in the browser from the JSON embedded in the page
(``static/js/scenario.js``, ``static/js/reroute.js``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
from derisk.api.resource import split_list
from derisk.errors import BadInputError
from derisk.model.record import Record
from derisk.services import exposure as svc
from derisk.services import lookup
from derisk.services import resource as rs
from derisk.services import shock as sh
from derisk.services.plan_flows import plan_flows, site_ref
from derisk.services.results import MaterialInfo
from derisk.services.results.resource import Reroute, RerouteOptions
from derisk.services.results.shock import Scenarios, Shock
from derisk.store.view import View
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Scenarios", "/scenarios"), ("Re-sourcing", "/reroute")]


# -- shapes for the charts (pure) ---------------------------------------------------------------


def node_key(stage: str, country: str) -> str:
    """Id of a (stage, country) node of a shock result.

    >>> node_key("refining", "USA")
    'refining|USA'
    """
    return f"{stage}|{country}"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NodeSeries(Record):
    """A (stage, country) node's monthly series over the horizon (0 in months without a row);
    each month deliveries + substitution + stock_draw + shortfall = demand."""

    key: str
    stage: str
    country: str
    label: str
    demand: tuple[float, ...]
    substitution: tuple[float, ...]
    stock_draw: tuple[float, ...]
    shortfall: tuple[float, ...]
    withheld: tuple[float, ...]
    stock_end: tuple[float, ...]
    deliveries: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RestrictionSpan(Record):
    id: str
    start: str
    end: str
    label: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProductSeries(Record):
    name: str | None
    share: tuple[float, ...]
    short: tuple[float | None, ...]
    months: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockChart(Record):
    """The shock timeline as the scenario page's script draws it."""

    months: tuple[str, ...]
    nodes: tuple[NodeSeries, ...]
    affected: tuple[str, ...]
    focus: str | None
    restrictions: tuple[RestrictionSpan, ...]
    products: tuple[ProductSeries, ...]
    unit: str


_SERIES = ("demand", "substitution", "stock_draw", "shortfall", "withheld", "stock_end")


def horizon(start: str, months: int) -> list[str]:
    """The months ``YYYY-MM`` of a horizon of ``months`` from ``start``.

    >>> horizon("2025-11", 3)
    ['2025-11', '2025-12', '2026-01']
    """
    y, m = (int(x) for x in start.split("-"))
    return [f"{y + (m - 1 + t) // 12:04d}-{(m - 1 + t) % 12 + 1:02d}" for t in range(months)]


def shock_chart(result: Shock, stage_names: Mapping[str, str]) -> ShockChart:
    """The shock timeline as series over the months of the horizon.

    For every (stage, country) node with demand: the monthly ``demand``, ``deliveries``
    (= supply - substitution), ``substitution``, ``stock_draw``, ``shortfall``, ``withheld`` and
    ``stock_end`` (months without a row are 0), so that each month
    deliveries + substitution + stock_draw + shortfall = demand. ``affected`` lists the nodes
    with a shortfall or withheld shipments, most short first (the order of ``summary``).
    """
    months = horizon(result.scenario.start, result.scenario.months)
    index = {mo: i for i, mo in enumerate(months)}
    series: dict[str, dict[str, list[float]]] = defaultdict(
        lambda: {f: [0.0] * len(months) for f in (*_SERIES, "deliveries")}
    )
    for row in result.months:
        s = series[node_key(row.stage, row.country)]
        t = index[row.month]
        for f in _SERIES:
            s[f][t] = float(getattr(row, f))
        s["deliveries"][t] = round(float(row.supply) - float(row.substitution), 3)
    nodes = []
    for x in result.summary:
        key = node_key(x.stage, x.country)
        v = series[key]
        nodes.append(
            NodeSeries(
                key=key,
                stage=x.stage,
                country=x.country,
                label=f"{x.name} · {stage_names.get(x.stage, x.stage)}",
                **{f: tuple(v[f]) for f in (*_SERIES, "deliveries")},
            )
        )
    affected = tuple(
        n.key
        for n, x in zip(nodes, result.summary, strict=True)
        if x.shortfall > 0 or x.withheld > 0
    )
    return ShockChart(
        months=tuple(months),
        nodes=tuple(nodes),
        affected=affected,
        focus=affected[0] if affected else (nodes[0].key if nodes else None),
        restrictions=tuple(
            RestrictionSpan(
                id=r.id,
                start=r.start,
                end=r.end,
                label=f"{r.id}: {r.issuer or '?'} → {', '.join(r.targets)}",
            )
            for r in result.restrictions
        ),
        products=tuple(
            ProductSeries(
                name=p.name,
                share=tuple(float(mo.shortfall_share) for mo in p.months),
                short=tuple(mo.shortfall for mo in p.months),
                months=tuple(mo.month for mo in p.months),
            )
            for p in result.products
            if p.modelled
        ),
        unit=result.unit,
    )


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CapacityBar(Record):
    """A modelled stage's capacity: used by the plan, eligible but unused, excluded, and of
    unknown origin (t/yr), with the stage's source."""

    stage: str
    label: str
    used: float
    unused: float
    excluded: float
    unknown: float
    source_id: str | None


def capacity_bars(result: Reroute, stage_names: Mapping[str, str]) -> list[CapacityBar]:
    """Per modelled stage: capacity used by the plan, eligible but unused, excluded, and of
    unknown origin (t/yr), with the stage's source; eligible = used + unused."""
    out = []
    for s in result.stage_summary:
        used = float(s.used or 0.0)
        out.append(
            CapacityBar(
                stage=s.stage,
                label=f"{stage_names.get(s.stage, s.stage)} ({s.year})",
                used=used,
                unused=max(0.0, float(s.eligible or 0.0) - used),
                excluded=float(s.excluded or 0.0),
                unknown=float(s.unknown_origin or 0.0),
                source_id=s.source_id,
            )
        )
    return out


# -- pages --------------------------------------------------------------------------------------


def _materials(api: ApiDep) -> tuple[MaterialInfo, ...]:
    return api.record(("materials",), svc.materials).materials


def _stage_names(api: ApiDep, material: str) -> dict[str, str]:
    for m in _materials(api):
        if m.material == material:
            return {s.stage: s.name for s in m.stages}
    return {}


def _shock(api: ApiDep, scenario: str, as_of: Any) -> Shock:
    """The shock result under the API's cache key (``/api/shock/{scenario}``)."""

    def run(v: View) -> Shock:
        return sh.run_scenario(v, sh.bundled_scenario(scenario))

    return api.read(("shock", scenario, as_of), run, as_of)


def _scenarios(api: ApiDep) -> Scenarios:
    """The bundled scenarios under the API's cache key (``/api/scenarios``)."""
    return api.read(("scenarios",), sh.list_scenarios)


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, api: ApiDep, as_of: AsOfDep) -> HTMLResponse:
    """The bundled scenarios, each with its worst shortfall."""
    rows = []
    for x in _scenarios(api).scenarios:
        res = _shock(api, x.id, as_of)
        worst = next((s for s in res.summary if s.shortfall > 0), None)
        names = _stage_names(api, x.material)
        rows.append(
            {
                **x.to_json(),
                "worst": worst,
                "worst_stage": names.get(worst.stage, worst.stage) if worst else None,
                "restrictions": res.restrictions,
                "illustrative": [a for a in res.assumptions if "llustrative" in a],
            }
        )
    return page(request, "scenarios.html.j2", title="Shock scenarios", rows=rows, as_of=as_of)


@router.get("/scenarios/{scenario}", response_class=HTMLResponse)
def scenario_page(
    request: Request,
    api: ApiDep,
    scenario: Annotated[str, Path(pattern=r"^[a-z0-9-]+$")],
    as_of: AsOfDep,
) -> HTMLResponse:
    """One scenario: restrictions, shortfall timeline, stocks and substitution, products."""
    res = _shock(api, scenario, as_of)
    listed = _scenarios(api).scenarios
    names = _stage_names(api, res.material)
    chart = shock_chart(res, names)
    material_name = next(
        (m.name for m in _materials(api) if m.material == res.material), res.material
    )
    return page(
        request,
        "scenario.html.j2",
        title=res.scenario.title,
        r=res,
        chart=chart,
        scenarios=listed,
        stage_names=names,
        material_name=material_name,
        affected=[s for s in res.summary if s.shortfall > 0 or s.withheld > 0],
        as_of=as_of,
    )


def _opt_float(raw: str | None, name: str) -> float | None:
    """An optional number from a form field ("" = not given).

    >>> _opt_float("0.65", "max_country_share"), _opt_float("", "year")
    (0.65, None)
    """
    if raw is None or not raw.strip():
        return None
    try:
        x = float(raw)
    except ValueError:
        raise BadInputError(f"{name}: {raw!r} is not a number") from None
    if not math.isfinite(x):
        raise BadInputError(f"{name}: {raw!r} is not a finite number")
    return x


@router.get("/reroute", response_class=HTMLResponse)
def reroute_page(
    request: Request,
    api: ApiDep,
    as_of: AsOfDep,
    material: Annotated[str | None, Query(pattern=r"^[a-z0-9-]*$")] = None,
    to: Annotated[str | None, Query()] = None,
    demand: Annotated[str | None, Query()] = None,
    stage: Annotated[str | None, Query()] = None,
    exclude_group: Annotated[list[str] | None, Query()] = None,
    exclude_country: Annotated[list[str] | None, Query()] = None,
    exclude: Annotated[list[str] | None, Query()] = None,
    exclude_pfe: Annotated[bool, Query()] = False,
    spare_only: Annotated[bool, Query()] = False,
    max_country_share: Annotated[str | None, Query()] = None,
    year: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The re-sourcing form and, once material, destination and demand are given, the plan."""
    groups = split_list(exclude_group)
    countries = split_list(exclude_country)
    entities = split_list(exclude)
    material, to, stage = material or None, (to or "").strip() or None, stage or None
    qty = _opt_float(demand, "demand")
    share = _opt_float(max_country_share, "max_country_share")
    yr = _opt_float(year, "year")
    if qty is not None and not 0 < qty <= 1e12:
        raise BadInputError("demand: give a quantity > 0 (t/yr)")
    if share is not None and not 0 < share <= 1:
        raise BadInputError("max_country_share: give a fraction in (0, 1]")
    if yr is not None and (yr != int(yr) or not 1900 <= yr <= 2200):
        raise BadInputError("year: give a year between 1900 and 2200")
    year_i = int(yr) if yr is not None else None
    mats = _materials(api)
    res: Reroute | None = None
    if material and to and qty is not None:
        options = RerouteOptions(
            material=material,
            destination=to,
            demand=qty,
            stage=stage,
            exclude_countries=tuple(countries),
            exclude_groups=tuple(groups),
            exclude_entities=tuple(entities),
            exclude_pfe=exclude_pfe,
            spare_only=spare_only,
            max_country_share=share,
            year=year_i,
        )
        # the API's cache key (/api/reroute): the page and the API share one computation
        res = api.read(("reroute", options, as_of), lambda v: rs.reroute(v, options), as_of)
    form = {
        "material": material or "antimony",
        "to": to or "USA",
        "demand": demand or "",
        "stage": stage or "",
        "exclude_group": groups[0] if groups else "",
        "exclude_country": ", ".join(countries),
        "exclude": ", ".join(entities),
        "exclude_pfe": exclude_pfe,
        "spare_only": spare_only,
        "max_country_share": max_country_share or "",
        "year": year or "",
    }
    country_groups = api.record(("countries",), lookup.country_list).groups
    if res is None:
        return page(
            request,
            "reroute.html.j2",
            title="Re-sourcing",
            r=None,
            as_of=as_of,
            form=form,
            materials=mats,
            groups=country_groups,
        )
    names = _stage_names(api, res.material)
    refs = {s.site: site_ref(s.facts, s.sources) for s in res.sites}
    refs.update({w.site: site_ref(w.facts, w.sources) for w in res.withheld})
    flows = plan_flows(res, names)
    per_column: dict[int, int] = defaultdict(int)
    for n in flows.nodes:
        per_column[n.depth] += 1
    chart = {
        "flows": flows.to_json(),
        "plan_height": min(640, max(280, 110 + 48 * max(per_column.values(), default=1))),
        "capacity": capacity_bars(res, names),
        "unit": res.unit,
    }
    return page(
        request,
        "reroute.html.j2",
        title=f"Re-sourcing {res.material_name} for {res.destination_name}",
        r=res,
        chart=chart,
        stage_names=names,
        site_refs=refs,
        as_of=as_of,
        form=form,
        materials=mats,
        groups=country_groups,
    )
