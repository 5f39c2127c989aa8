"""Trade services: where an importer's supply originates, directly or through third countries.

Store rows (``trade``, ``production``) → :mod:`derisk.analysis.trace_trade` → JSON-ready dicts.

Reading the trade table for one material stage and year:

1. Rows are the ones whose HS code the concordance maps to the stage (rows whose code it does
   not know keep the material and stage stored at import). Only ``import`` and ``export`` flows
   are used: re-imports and re-exports are already inside them in Comtrade's definitions.
2. A year is the annual row where one exists, else the sum of the monthly rows (``months``
   says which months were found). When several sources give the same flow, the one with the
   lowest ``precedence`` is used.
3. Mirror flows (``mirror``): ``importer`` (default) builds ``T[i, j]`` from ``j``'s reported
   imports, and for a country that reported no imports of the stage that year, from its
   partners' reported exports to it; ``exporter`` is the converse; ``importer-only`` and
   ``exporter-only`` do not fill. Under the importer policies, imports from unspecified partners
   (``OTH``) and the part of a reported world total (``WLD``) that no partner line explains are
   the unknown inflow ``u``.
4. Production ``p`` (kg) is the stage's production in the same year, else the nearest earlier
   year, else the nearest later one, from the source with the lowest ``precedence``; withheld
   or unavailable figures and unlisted countries are unknown (filled as the analysis says).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from derisk.analysis.trace_trade import (
    FloatArray,
    Origins,
    chain,
    decompose,
    top_routes,
)
from derisk.data.concordance import Concordance, load_concordance
from derisk.engines import current as current_engine
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.model.reads import TradeFlow
from derisk.model.record import fields_of
from derisk.model.schema import OTHER, WORLD, Trade
from derisk.services.common import NotFound, source_meta
from derisk.services.common import round_or_none as _round
from derisk.services.results import (
    ChainedOrigin,
    CountryShare,
    EstimatedProduction,
    ExportSeries,
    OriginBlock,
    Route,
    SeriesPartner,
    TradeOrigin,
    TradeSeries,
    ViaCountry,
    source_record,
)
from derisk.services.results.trade import ProductionBasis
from derisk.store.view import View

TRADE_ORIGIN_SCHEMA = "derisk.trade-origin/1"
TRADE_SERIES_SCHEMA = "derisk.trade-series/1"
MIRRORS = ("importer", "exporter", "importer-only", "exporter-only")
METHOD = (
    "re-export correction (Kastner et al. 2011): supply pool s = p + T'1 + u, "
    "origin C = (I - s^-1 T')^-1 s^-1 p; exports draw proportionally from the pool"
)
UNIT_KG = {"t": 1000.0, "kg": 1.0, "kt": 1e6, "g": 1e-3}
NO_FEED: dict[tuple[str, str], str] = {
    ("graphite", "synthetic"): "made from petroleum and needle coke, not from natural graphite",
    ("graphite", "anode"): "made from natural (spherical) or synthetic graphite: feed ambiguous",
}
"""Stages whose feed is not the previous stage of the catalogue: the chain stops there."""


@dataclass
class StageInputs:
    material: str
    stage: str
    year: int
    flows: dict[tuple[str, str, str], float]  # (reporter, partner, flow) -> kg
    months: list[int]
    annual: bool
    hs_codes: list[str]
    shared: dict[str, list[str]]
    source_ids: list[str]
    value_without_quantity: float
    production: dict[str, float]  # kg, NaN = unknown
    production_meta: ProductionBasis | None
    countries: set[str] = field(default_factory=set)


def _trade_rows(view: View, material: str, stage: str, conc: Concordance) -> list[TradeFlow]:
    rows = view.trade_flows(conc.codes(material, stage), material, stage)
    out = []
    for r in rows:
        pairs = conc.lookup(r.hs_code)
        if (material, stage) in pairs or (
            not pairs and (r.material_id, r.stage_id) == (material, stage)
        ):
            out.append(r)
    return out


def trade_years(view: View, material: str, stage: str, conc: Concordance) -> list[int]:
    return sorted({r.year for r in _trade_rows(view, material, stage, conc)})


def _production(
    view: View, material: str, stage: str, year: int
) -> tuple[dict[str, float], ProductionBasis | None]:
    rows = view.ranked_production(material, stage)
    if not rows:
        return {}, None
    years = sorted({r.year for r in rows})
    before = [y for y in years if y <= year]
    chosen = max(before) if before else min(years)
    cands = [r for r in rows if r.year == chosen]
    best = min(cands, key=lambda r: (r.precedence, r.source_id)).source_id
    out: dict[str, float] = {}
    unit = None
    for y, sid, ctry, qty, status, unit_r, _prec in cands:
        if sid != best or ctry in (WORLD, OTHER):
            continue
        unit = unit_r
        factor = UNIT_KG.get(str(unit_r).strip().lower())
        if factor is None:
            note = f"unit {unit_r!r} not convertible"
            return {}, ProductionBasis(year=y, source_id=sid, note=note)
        if status in ("reported", "estimated") and qty is not None:
            out[ctry] = float(qty) * factor
        elif status == "zero":
            out[ctry] = 0.0
        else:
            out[ctry] = math.nan
    meta = ProductionBasis(
        year=chosen,
        source_id=best,
        unit=unit,
        countries_known=sum(1 for v in out.values() if not math.isnan(v)),
        countries_unknown=tuple(sorted(c for c, v in out.items() if math.isnan(v))),
    )
    return out, meta


@dataclass
class _Commodity:
    """One (reporter, partner, flow, HS code, source)'s quantities being summed: the annual
    figure, or the monthly ones; and the value reported without a quantity."""

    annual: float | None = None
    months: dict[int, float] = field(default_factory=dict)
    prec: int = 50
    nq_value: float = 0.0


def stage_inputs(
    view: View,
    material: str,
    stage: str,
    year: int | None,
    conc: Concordance,
) -> StageInputs | None:
    """Aggregated flows and production of one stage and year (``None`` without trade data)."""
    rows = _trade_rows(view, material, stage, conc)
    if not rows:
        return None
    yr = year if year is not None else max(r.year for r in rows)
    rows = [r for r in rows if r.year == yr]
    if not rows:
        return None
    # (rep, par, flow, hs, source) -> annual or monthly quantities
    per: dict[tuple[str, str, str, str, str], _Commodity] = defaultdict(_Commodity)
    for rep, par, flow, hs, _y, month, qty, value, sid, prec, _m, _s in rows:
        e = per[(rep, par, flow, hs, sid)]
        e.prec = prec
        if qty is None:
            if value:
                e.nq_value += float(value)
            continue
        if month is None:
            e.annual = float(qty)
        else:
            e.months[month] = e.months.get(month, 0.0) + float(qty)
    best: dict[tuple[str, str, str, str], tuple[tuple[int, str], float, set[int], bool]] = {}
    nq_value = 0.0
    for (rep, par, flow, hs, sid), e in per.items():
        rank = (int(e.prec), sid)
        annual = e.annual is not None
        qty = e.annual if e.annual is not None else sum(e.months.values())
        key = (rep, par, flow, hs)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, qty, set(e.months), annual)
        nq_value += e.nq_value
    flows: dict[tuple[str, str, str], float] = defaultdict(float)
    months: set[int] = set()
    annual_any = False
    sources: set[str] = set()
    for (rep, par, flow, _hs), (rank, qty, mset, annual) in best.items():
        if rep == par:
            continue
        flows[(rep, par, flow)] += qty
        sources.add(rank[1])
        months |= mset
        annual_any |= annual
    hs_codes = sorted({r.hs_code for r in rows})
    shared = {h: conc.shared(h) for h in hs_codes if conc.shared(h)}
    production, pmeta = _production(view, material, stage, yr)
    inp = StageInputs(
        material=material,
        stage=stage,
        year=yr,
        flows=dict(flows),
        months=sorted(months),
        annual=annual_any,
        hs_codes=hs_codes,
        shared=shared,
        source_ids=sorted(sources),
        value_without_quantity=nq_value,
        production=production,
        production_meta=pmeta,
    )
    for rep, par, _f in flows:
        inp.countries.update({rep, par})
    inp.countries.update(production)
    inp.countries -= {WORLD, OTHER}
    return inp


@dataclass(frozen=True)
class Built:
    codes: list[str]
    index: dict[str, int]
    production: FloatArray
    trade: FloatArray
    unknown: FloatArray
    filled: list[str]
    origins: Origins


def build(inp: StageInputs, codes: Sequence[str], mirror: str) -> Built:
    """Trade matrix (mirror policy applied), unknown inflow, production; then origins."""
    if mirror not in MIRRORS:
        raise BadInputError(f"mirror must be one of {', '.join(MIRRORS)}")
    index = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    imp: dict[str, dict[str, float]] = defaultdict(dict)  # importer -> partner -> kg
    exp: dict[str, dict[str, float]] = defaultdict(dict)  # exporter -> partner -> kg
    for (rep, par, flow), q in inp.flows.items():
        (imp if flow == "import" else exp)[rep][par] = q
    t = np.zeros((n, n))
    u = np.zeros(n)
    filled: set[str] = set()
    importer_first = mirror.startswith("importer")
    fill = not mirror.endswith("-only")
    pairs: set[tuple[str, str]] = set()
    for j, parts in imp.items():
        pairs.update((i, j) for i in parts if i not in (WORLD, OTHER))
    for i, parts in exp.items():
        pairs.update((i, j) for j in parts if j not in (WORLD, OTHER))
    for i, j in pairs:
        if i not in index or j not in index:
            continue
        if importer_first:
            if j in imp:
                q = imp[j].get(i, 0.0)
            elif fill:
                q = exp.get(i, {}).get(j, 0.0)
                filled.add(j)
            else:
                q = 0.0
        else:
            if i in exp:
                q = exp[i].get(j, 0.0)
            elif fill:
                q = imp.get(j, {}).get(i, 0.0)
                filled.add(i)
            else:
                q = 0.0
        t[index[i], index[j]] += q
    if importer_first:
        for j, parts in imp.items():
            if j not in index:
                continue
            bilateral = sum(q for p, q in parts.items() if p not in (WORLD, OTHER))
            unspecified = parts.get(OTHER, 0.0)
            gap = max(0.0, parts.get(WORLD, 0.0) - bilateral - unspecified)
            u[index[j]] = unspecified + gap
    p = np.full(n, np.nan)
    for c, q in inp.production.items():
        if c in index:
            p[index[c]] = q
    origins = current_engine().origin_shares(p, t, u)  # local by default; see derisk.engines
    return Built(list(codes), index, p, t, u, sorted(filled), origins)


def _previous_stages(material: str, stage: str) -> list[str]:
    """Feed stages, nearest first: the catalogue's earlier stages until one without a feed."""
    spec = load_catalog().material(material)
    ids = [s.id for s in spec.stages]
    out = []
    for sid in reversed(ids[: ids.index(stage) + 1]):
        if (material, sid) in NO_FEED or sid == ids[0]:
            break
        out.append(ids[ids.index(sid) - 1])
    return out


def _cname(code: str) -> str:
    try:
        return countries.name(code)
    except countries.UnknownCountry:
        return code


def origin_block(
    view: View,
    importer: str,
    material: str,
    stage: str | None = None,
    year: int | None = None,
    selected: Sequence[str] = ("CHN",),
    *,
    mirror: str = "importer",
    concordance: Concordance | None = None,
    routes: int = 5,
) -> OriginBlock | None:
    """The ``origin`` block of an importer: direct, indirect, total, unknown, routes, chain.

    ``None`` when the store holds no trade data for any stage of the material. Shares are
    fractions of the importer's imports of the stage in the year (``basis: imports``).
    """
    conc = concordance or load_concordance()
    iso = countries.resolve(importer)
    try:
        spec = load_catalog().material(material)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from None
    with_data = [s.id for s in spec.stages if trade_years(view, material, s.id, conc)]
    if not with_data:
        return None
    chosen = stage if stage in with_data else with_data[-1]
    inp = stage_inputs(view, material, chosen, year, conc)
    if inp is None:
        years = trade_years(view, material, chosen, conc)
        raise NotFound(
            f"no trade data for {material} {chosen} in {year}; years: {', '.join(map(str, years))}"
        )
    feeds: list[StageInputs] = []
    for prev in _previous_stages(material, chosen):
        f = stage_inputs(view, material, prev, inp.year, conc)
        if f is None or f.year != inp.year:
            break
        feeds.append(f)
    sel = [countries.resolve(c) for c in selected]
    codes = sorted(inp.countries.union(*(f.countries for f in feeds)) | {iso, *sel})
    b = build(inp, codes, mirror)
    j = b.index[iso]
    sidx = [b.index[c] for c in sel]
    d = decompose(b.origins, b.trade, j, sidx)
    n = len(codes)
    rts = top_routes(b.origins, b.trade, j, sidx, limit=routes)
    via = sorted(d.via.items(), key=lambda kv: -kv[1])
    m = d.imports
    by_origin = []
    if m > 0:
        carried = (b.trade[:, j] @ b.origins.shares) / m
        carried[n] += b.origins.unknown_inflow[j] / m
        for k in np.argsort(-carried):
            if carried[k] <= 0:
                break
            code = codes[k] if k < n else "UNK"
            name = _cname(code) if k < n else "unknown origin"
            by_origin.append(CountryShare(country=code, name=name, share=_round(float(carried[k]))))
    chained = None
    if feeds:
        cmat = b.origins.shares
        used = []
        for f in feeds:
            fb = build(f, codes, mirror)
            cmat = chain(cmat, fb.origins.shares)
            used.append(f.stage)
        if m > 0:
            ch = (b.trade[:, j] @ cmat) / m
            ch[n] += b.origins.unknown_inflow[j] / m
            chained = ChainedOrigin(
                stages=(chosen, *used),
                origin_stage=used[-1],
                total_share=_round(float(ch[sidx].sum())),
                unknown_share=_round(float(ch[n])),
            )
    est = tuple(
        EstimatedProduction(country=codes[i], kg=_round(float(b.origins.production[i]), 1))
        for i in np.nonzero(b.origins.estimated & (b.origins.production > 0))[0]
    )
    meta = source_meta(view)
    src_ids = list(inp.source_ids)
    if inp.production_meta:
        src_ids.append(inp.production_meta.source_id)
    for f in feeds:
        src_ids.extend(s for s in f.source_ids if s not in src_ids)
    total: float | None = d.total
    unknown = d.unknown
    direct: float | None = d.direct
    indirect: float | None = d.indirect
    shipped: float | None = d.shipped_from_selected
    if m <= 0:
        # No flow into the importer is recorded: its imports are unknown, not zero. Every share
        # of them is then [0, 1] with the whole of them of unknown origin.
        total = direct = indirect = shipped = None
        unknown = 1.0
        status = "no-data-for-importer"
    else:
        status = "complete" if unknown < 0.05 else "partial"
    return OriginBlock(
        material=material,
        stage=chosen,
        stage_name=spec.stage(chosen).name,
        year=inp.year,
        period="annual" if inp.annual else f"{len(inp.months)} months",
        months=tuple(inp.months),
        importer=iso,
        selected_countries=tuple(sel),
        basis="imports",
        unit="kg",
        imports_kg=_round(m, 1),
        supply_kg=_round(d.supply, 1),
        domestic_share_of_supply=_round(d.domestic),
        direct_share=_round(direct),
        indirect_share=_round(indirect),
        total_share=_round(total),
        total_share_bounds=(_round(total or 0.0), _round(min(1.0, (total or 0.0) + unknown))),
        unknown_share=_round(unknown),
        shipped_from_selected_share=_round(shipped),
        supply_share=_round(d.supply_share),
        indirect=tuple(
            ViaCountry(
                country=codes[i],
                name=_cname(codes[i]),
                share=_round(s),
                imports_share=_round(float(b.trade[i, j] / m)) if m > 0 else None,
            )
            for i, s in via[:10]
        ),
        origins=tuple(by_origin[:15]),
        top_routes=tuple(
            Route(route=tuple(codes[x] for x in r.path), share=_round(r.share)) for r in rts
        ),
        routes_share=_round(sum(r.share for r in rts)),
        chained=chained,
        estimated_production=est,
        production=inp.production_meta,
        mirror=mirror,
        filled_from_partner_reports=tuple(b.filled),
        hs_codes=tuple(inp.hs_codes),
        shared_hs_codes={k: tuple(x) for k, x in inp.shared.items()},
        value_without_quantity_usd=_round(inp.value_without_quantity, 2),
        method=METHOD,
        data_years=tuple(trade_years(view, material, chosen, conc)),
        data_status=status,
        concordance=conc.origin,
        sources=tuple(source_record(meta, s) for s in dict.fromkeys(src_ids)),
    )


def importer_origin(
    view: View,
    importer: str,
    material: str,
    stage: str | None,
    year: int | None,
    selected: Sequence[str],
) -> OriginBlock | None:
    """The origin block for ``derisk exposure --importer`` (latest trade year if ``year`` has
    no trade data). ``$DERISK_HS_CONCORDANCE`` chooses the concordance."""
    try:
        return origin_block(view, importer, material, stage, year, selected)
    except NotFound:
        if year is None:
            raise
        return origin_block(view, importer, material, stage, None, selected)


def trade_origin(
    view: View,
    material: str,
    importer: str,
    stage: str | None = None,
    year: int | None = None,
    selected: Sequence[str] = ("CHN",),
    group: str | None = None,
    *,
    mirror: str = "importer",
    concordance: Concordance | None = None,
) -> TradeOrigin:
    """``derisk trade origin``: the origin block as a document (raises when there is no data)."""
    when = view.as_of
    block = origin_block(
        view,
        importer,
        material,
        stage,
        year,
        selected,
        mirror=mirror,
        concordance=concordance,
    )
    if block is None:
        raise NotFound(
            f"no trade data for {material}; import some with `derisk import comtrade`, "
            "`derisk import baci` or `derisk import example china-exports`"
        )
    if stage is not None and block.stage != stage:
        raise NotFound(
            f"no trade data for {material} at stage {stage!r}; stages with data: "
            f"{block.stage} (and earlier)"
        )
    return TradeOrigin(
        schema=TRADE_ORIGIN_SCHEMA,
        as_of=when.isoformat(),
        selected_group=group,
        **fields_of(block),
    )


def export_series(
    view: View,
    reporter: str = "CHN",
    material: str | None = None,
    hs: str | None = None,
    *,
    measure: str = "quantity",
    top: int = 6,
    concordance: Concordance | None = None,
) -> TradeSeries:
    """Monthly exports of ``reporter`` by destination, one series per HS code (or group).

    The ``top`` destinations over the whole period are named; the rest is ``other``. ``measure``
    is ``quantity`` (tonnes; months without a reported weight count as missing) or ``value``
    (USD).
    """
    if measure not in ("quantity", "value"):
        raise BadInputError("measure must be quantity or value")
    conc = concordance or load_concordance()
    rep = countries.resolve(reporter)
    rows = view.monthly_exports(rep)
    if material is not None:
        rows = [
            r
            for r in rows
            if r.material_id == material or material in {m for m, _ in conc.lookup(r.hs_code)}
        ]
    if hs is not None:
        rows = [r for r in rows if r.hs_code.startswith(hs)]
    if not rows:
        what = " ".join(x for x in (material, hs) if x) or "any product"
        raise NotFound(
            f"no monthly export rows of {rep} for {what}; try `derisk import example china-exports`"
        )
    meta = source_meta(view)
    series: list[ExportSeries] = []
    by_code: dict[str, list[Trade]] = defaultdict(list)
    for r in rows:
        by_code[r.hs_code].append(r)
    for code, rs in by_code.items():
        months = sorted({(r.year, r.month or 0) for r in rs})  # monthly rows: month is set
        mpos = {ym: i for i, ym in enumerate(months)}
        vals: dict[str, list[float | None]] = {}
        for r in rs:
            y, mo, par, qkg, usd = r.year, r.month or 0, r.partner, r.quantity_kg, r.value_usd
            vals.setdefault(par, [None] * len(months))
            v = (qkg / 1000.0 if qkg is not None else None) if measure == "quantity" else usd
            if v is None:
                continue
            cur = vals[par][mpos[(y, mo)]]
            vals[par][mpos[(y, mo)]] = (cur or 0.0) + v
        totals = {p: sum(x for x in v if x) for p, v in vals.items()}
        ranked = sorted(totals, key=lambda p: (-totals[p], p))
        named = ranked[:top]
        other = [0.0] * len(months)
        for p in ranked[top:]:
            for i, x in enumerate(vals[p]):
                other[i] += x or 0.0
        total = [sum((vals[p][i] or 0.0) for p in ranked) for i in range(len(months))]
        mats = sorted(
            {m for m, _ in conc.lookup(code)} | {r.material_id for r in rs if r.material_id}
        )
        series.append(
            ExportSeries(
                key=code,
                materials=tuple(mats),
                shared_hs=tuple(conc.shared(code)),
                months=tuple(f"{y}-{mo:02d}" for y, mo in months),
                partners=tuple(
                    SeriesPartner(
                        country=p,
                        name=_cname(p),
                        values_=tuple(_round(x, 3) for x in vals[p]),
                        total=_round(totals[p], 3),
                    )
                    for p in named
                ),
                other=tuple(_round(x, 3) for x in other),
                other_partners=len(ranked) - len(named),
                total=tuple(_round(x, 3) for x in total),
                source_ids=tuple(sorted({r.source_id for r in rs})),
            )
        )
    used = sorted({s for ser in series for s in ser.source_ids})
    return TradeSeries(
        schema=TRADE_SERIES_SCHEMA,
        reporter=rep,
        flow="export",
        measure=measure,
        unit="t" if measure == "quantity" else "USD",
        series=tuple(series),
        sources=tuple(source_record(meta, s) for s in used),
    )
