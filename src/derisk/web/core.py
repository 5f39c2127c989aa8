"""Core pages: dashboard, material, sources, source, API reference."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, Page, PageDep, SelectionDep, paginate
from derisk.model.countries import name as country_name
from derisk.model.record import Absent, JSONObject, Record
from derisk.services import exposure as svc
from derisk.services import lookup, sources, trade
from derisk.services.common import NotFound
from derisk.services.results import (
    Bounds,
    Exposure,
    GroupInfo,
    ImporterExposure,
    MaterialInfo,
    OverviewRow,
    ShareLine,
    TradeSeries,
)
from derisk.store.view import View
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Dashboard", "/")]
NAV_LAST = [("Sources", "/sources"), ("API", "/api-docs")]
"""Shown after every other module's entries."""

OTHER_LABEL = "Other, unnamed or withheld"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class BreakdownLine(Record):
    """A producer of a stage in the material page's flow chart (``country`` null for the
    remainder)."""

    country: str | None
    name: str
    share: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StageFlow(Record):
    """A stage with figures and its largest producers, for the material page's chart."""

    stage: str
    name: str
    year: int | None
    source_id: str | None
    breakdown: tuple[BreakdownLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ChartShare(Record):
    country: str | None
    name: str | None
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MaterialChart(Record):
    """The data the material page's script draws (map, stage flows, exports)."""

    material: str
    stage: str
    stage_name: str
    year: int | None
    label: str
    selected: tuple[str, ...]
    source_id: str | None
    shares: tuple[ChartShare, ...]
    flows: tuple[StageFlow, ...]
    importer: ImporterExposure | None
    exports: TradeSeries | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Bottleneck(Record):
    """A material's bottleneck stage, as the dashboard lists it."""

    material: str
    name: str
    stage: str
    stage_name: str
    share: float | Absent | None
    bounds: Bounds | Absent
    source_id: str | Absent


def stage_breakdown(shares: Sequence[ShareLine], top: int = 6) -> list[BreakdownLine]:
    """The largest named producers of a stage and one remainder line, summing to 1.

    remainder = max(0, 1 - sum of the shown shares): output of smaller named producers, of
    producers the source does not name, withheld figures and unallocated output.

    >>> def line(c, s):
    ...     return ShareLine(country=c, name=None, quantity=None, share=s, status="reported")
    >>> rows = [line("CHN", 0.6), line("RUS", 0.1), line("USA", None)]
    >>> [(r.country, round(r.share, 2)) for r in stage_breakdown(rows, top=1)]
    [('CHN', 0.6), (None, 0.4)]
    """
    known = sorted(
        ((s.country, s.share) for s in shares if s.share and s.country),
        key=lambda s: -float(s[1]),
    )
    shown = [
        BreakdownLine(country=country, name=country_name(country), share=share)
        for country, share in known[:top]
    ]
    rest = max(0.0, 1.0 - sum(float(s.share) for s in shown))
    if rest > 5e-4:
        shown.append(BreakdownLine(country=None, name=OTHER_LABEL, share=rest))
    return shown


def selection_label(
    countries: Sequence[str], group: str | None, groups: Sequence[GroupInfo]
) -> str:
    """How pages name the selection: the group's name, or the countries' names.

    >>> selection_label(["CHN"], None, [])
    'China'
    >>> covered = [GroupInfo(group="covered", name="Covered nations", members=("CHN",))]
    >>> selection_label(["CHN", "RUS"], "covered", covered)
    'Covered nations'
    """
    if group:
        return next((g.name for g in groups if g.group == group), group)
    return ", ".join(country_name(c) for c in countries)


def _groups(api: ApiDep) -> tuple[GroupInfo, ...]:
    return api.record(("countries",), lookup.country_list).groups


def _materials(api: ApiDep) -> tuple[MaterialInfo, ...]:
    return api.record(("materials",), svc.materials).materials


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, api: ApiDep, sel: SelectionDep) -> HTMLResponse:
    """Heat table of the selected share by material x stage, with bounds and data quality."""
    data = api.record(("overview", sel.key), lambda v: svc.overview(v, *sel.resolve(v)), sel.as_of)
    names = {m.material: m.name for m in _materials(api)}
    by_mat: dict[str, list[OverviewRow]] = {}
    for r in data.rows:
        by_mat.setdefault(r.material, []).append(r)
    necks = []
    frames: dict[tuple[str, str], bool] = {}
    for mat, rows in by_mat.items():
        neck = next((r for r in rows if r.bottleneck), None)
        if neck is not None:
            necks.append(
                Bottleneck(
                    material=mat,
                    name=names.get(mat, mat),
                    stage=neck.stage,
                    stage_name=neck.stage_name,
                    share=neck.selected_share,
                    bounds=neck.selected_share_bounds,
                    source_id=neck.source_id,
                )
            )
    necks.sort(key=lambda n: -(n.bounds[1] or 0.0 if isinstance(n.bounds, tuple) else 0.0))
    groups = _groups(api)
    label = selection_label(data.selected_countries, data.selected_group, groups)
    for mat, rows in by_mat.items():
        with_data = sum(1 for r in rows if r.data_status != "no-data")
        for r in rows:
            r_frame = r.bottleneck and with_data > 1
            frames[(mat, r.stage)] = r_frame
    return page(
        request,
        "dashboard.html.j2",
        title=f"Share of {label} by material and stage",
        data=data,
        by_mat=by_mat,
        names=names,
        max_stages=max((len(v) for v in by_mat.values()), default=0),
        necks=necks,
        frames=frames,
        label=label,
        sel=sel,
        groups=groups,
    )


@router.get("/materials/{material}", response_class=HTMLResponse)
def material_page(
    request: Request,
    api: ApiDep,
    sel: SelectionDep,
    material: Annotated[str, Path(pattern=r"^[a-z0-9-]+$")],
    stage: Annotated[str | None, Query()] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    importer: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """One material: world map, stage flows, shares with sources, importer exposure."""
    stage = stage or None
    imps = api.record(("importers", material), lambda v: lookup.importers(v, material)).importers
    if importer is None and imps:
        importer = imps[0].importer  # show real import data by default
    importer = importer or None

    def exp(st: str | None, yr: int | None, imp: str | None) -> Exposure:
        def run(v: View) -> Exposure:
            return svc.exposure(v, material, st, yr, *sel.resolve(v), imp)

        return api.record(("exposure", material, st, yr, imp, sel.key), run, sel.as_of)

    ex = exp(stage, year, importer)
    flows = []
    for c in ex.chain:
        if c.data_status == "no-data":
            continue
        detail = exp(c.stage, None, None)
        flows.append(
            StageFlow(
                stage=c.stage,
                name=c.name,
                year=detail.year,
                source_id=detail.source_id,
                breakdown=tuple(stage_breakdown(detail.shares)),
            )
        )
    exports = api.read(("page-exports", material), _exports(material))
    mats = _materials(api)
    spec = next(m for m in mats if m.material == material)
    years = next(s.years for s in spec.stages if s.stage == ex.stage)
    groups = _groups(api)
    label = selection_label(ex.selected_countries, ex.selected_group, groups)
    chart = MaterialChart(
        material=material,
        stage=ex.stage,
        stage_name=ex.stage_name,
        year=ex.year,
        label=label,
        selected=ex.selected_countries,
        source_id=ex.source_id,
        shares=tuple(
            ChartShare(country=s.country, name=s.name, share=s.share)
            for s in ex.shares
            if s.share is not None
        ),
        flows=tuple(flows),
        importer=ex.importer,
        exports=exports,
    )
    return page(
        request,
        "material.html.j2",
        title=f"{spec.name}: {ex.stage_name}",
        ex=ex,
        spec=spec,
        materials=mats,
        years=years,
        year=year,
        importers=imps,
        importer=importer,
        label=label,
        chart=chart,
        exports=exports,
        sel=sel,
        groups=groups,
    )


def _exports(material: str) -> Callable[[View], TradeSeries | None]:
    """China's monthly exports of the material by destination, or ``None`` without trade data
    (cached apart from the API's answers: the page keys are its own)."""

    def run(view: View) -> TradeSeries | None:
        try:
            return trade.export_series(view, "CHN", material)
        except NotFound:
            return None

    return run


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, api: ApiDep) -> HTMLResponse:
    """Every source with its publisher, confidence and number of facts."""
    data = api.record(("sources",), sources.list_sources)
    return page(request, "sources.html.j2", title="Sources", data=data)


@router.get("/sources/{ident}", response_class=HTMLResponse)
def source_page(
    request: Request,
    api: ApiDep,
    ident: str,
    pg: PageDep,
) -> HTMLResponse:
    """A source and the facts that cite it; or a fact with its source."""
    found = api.record(("source", ident), lambda v: svc.source_lookup(v, ident))
    if found.fact is not None:
        return page(
            request, "fact.html.j2", title=f"Fact {ident}", fact=found.fact, src=found.source
        )
    size = Page(limit=pg.limit if "limit" in request.query_params else 50, offset=pg.offset)
    data = api.read(
        ("source-facts", ident, size),
        lambda v: paginate(sources.source_facts(v, ident).to_json(), "facts", size),
    )
    return page(
        request,
        "source.html.j2",
        title=data["source"]["title"] or ident,
        src=data["source"],
        facts=data["facts"],
        pageinfo=data["page"],
        columns=_fact_columns(data["facts"]),
    )


_HIDDEN = {"source_id", "table", "fact_id", "dataset", "valid_from", "valid_to", "note", "raw"}


def _fact_columns(facts: Sequence[JSONObject]) -> list[str]:
    """Columns worth showing for a list of facts: those with a value in some fact."""
    cols: list[str] = []
    for f in facts:
        for k, v in f.items():
            if k not in _HIDDEN and k not in cols and v is not None:
                cols.append(k)
    return cols


@router.get("/api-docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The endpoints of the OpenAPI document, readable offline."""
    spec = request.app.openapi()
    ops = []
    for route, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            ok = op.get("responses", {}).get("200", {})
            ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            ops.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": op.get("summary", ""),
                    "doc": op.get("description", ""),
                    "tag": (op.get("tags") or ["other"])[0],
                    "params": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "doc": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "schema": ref.rsplit("/", 1)[-1] if ref else None,
                }
            )
    return page(request, "api.html.j2", title="HTTP API", ops=ops, info=spec.get("info", {}))
