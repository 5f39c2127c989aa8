"""Exposure services: store rows -> analysis -> JSON-ready results with sources.

Choosing the headline when sources disagree. For a material stage, every source with figures
for the latest year or the year before (``NEARBY_YEARS``) is a candidate. The headline is the
most complete candidate: completeness ``a = sum of the shares it allocates`` (named countries,
unnamed rank blocks and "other countries"; 1 for a full world table). Candidates within
``EQUAL_COMPLETENESS`` of the best count as equals; among equals the latest year wins, then the
source's ``precedence`` number (USGS 10, IEA 20, BGS 30, press quotes 40-60, uncited 90), then
tonnage tables before share-only tables. The others are reported under ``alternatives``.

Every candidate narrows the headline's bounds on the selected share:
``[S_lo, S_hi] = intersection over candidates c of [S_lo(c), S_hi(c)]`` (a candidate whose
interval does not meet the running intersection disagrees and is skipped), and the point
figure is clamped into it, so a source that names only Chile cannot make China 0% when another
gives China a share.

A source that covers only some producers (its share rows carry :data:`PARTIAL_NOTE`) is a
partial candidate: it cannot set a world share. It narrows only from above (the selected
countries' share of the world is at most their share of the producers it covers) and is the
headline only when nothing else exists, with bounds ``[0, S_hi]`` and status
``partial-coverage``. A figure whose source gives no year (:data:`YEAR_UNSTATED_NOTE`) is shown
with ``year`` null and ``year_stated`` false.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TypedDict

from derisk.analysis.exposure import Concentration, StagePoint, bottleneck, concentration
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.model.schema import OTHER, ROW_TYPES, columns
from derisk.model.stage_gaps import NO_PUBLIC_FIGURE
from derisk.services.common import (
    NEARBY_YEARS,
    Candidate,
    NotFound,
    candidates,
    completeness,
    pick,
    share_world_total,
    source_meta,
)
from derisk.services.common import round_or_none as _round
from derisk.services.results import (
    Alternative,
    Bounds,
    ChainStage,
    Exposure,
    ExposureNoFigures,
    ImportCategory,
    ImporterExposure,
    ImportReliance,
    ImportShare,
    MaterialInfo,
    Materials,
    Overview,
    OverviewRow,
    ShareLine,
    SourceLookup,
    SourceMeta,
    StageGapInfo,
    StageInfo,
    UnknownLine,
    source_record,
)
from derisk.store.view import View

EXPOSURE_SCHEMA = "derisk.exposure/1"

OVERVIEW_SCHEMA = "derisk.overview/1"


def _as_of(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def selection(
    view: View,
    countries_csv: str | None = None,
    group: str | None = None,
) -> tuple[tuple[str, ...], str | None]:
    """The selected countries: explicit codes, a group (members on the view's date), or China."""
    if countries_csv and group:
        raise BadInputError("give countries or a group, not both")
    if group:
        names = [g.group_id for g in view.groups()]
        if group not in names:
            raise NotFound(f"unknown group {group!r}; groups: {', '.join(names)}")
        return tuple(m.iso3 for m in view.group_members(group)), group
    if countries_csv:
        out = []
        for part in countries_csv.split(","):
            part = part.strip()
            if part:
                out.append(countries.resolve(part))
        return tuple(out), None
    return ("CHN",), None


def _stage_gaps(view: View) -> dict[tuple[str, str], StageGapInfo]:
    """(material, stage) -> the statement that no public country-level figure was found."""
    out: dict[tuple[str, str], StageGapInfo] = {}
    for g in view.stage_gaps():
        out.setdefault(
            (g.material_id, g.stage_id),
            StageGapInfo(
                statement=g.statement,
                searched=g.searched,
                checked=g.checked.isoformat() if g.checked is not None else None,
                source_id=g.source_id,
            ),
        )
    return out


def _known(meta: Mapping[str, SourceMeta], source_id: str, key: str) -> str | None:
    """A text field (``url``, ``confidence``) of a stored source; ``None`` when not stored."""
    found = meta.get(source_id)
    value = None if found is None else found.get(key)
    return value if isinstance(value, str) else None


class _NoData(TypedDict):
    """Status fields of a stage without figures."""

    data_status: str
    public_figure: str | None
    gap: StageGapInfo | None


def _no_data(gap: StageGapInfo | None) -> _NoData:
    """Status fields of a stage without figures: a searched gap says so plainly."""
    if gap is None:
        return {"data_status": "no-data", "public_figure": None, "gap": None}
    return {"data_status": "no-data", "public_figure": NO_PUBLIC_FIGURE, "gap": gap}


def _bounds(b: tuple[float, float]) -> Bounds:
    return (_round(b[0]), _round(b[1]))


def _conc(c: Candidate, selected: tuple[str, ...]) -> Concentration:
    return concentration(list(c.lines), share_world_total(c), selected)


def _bounds_of(c: Candidate, selected: tuple[str, ...]) -> tuple[float, float]:
    k = _conc(c, selected)
    lo, hi = k.selected_share_bounds
    if c.lower_bound:  # "more than x": the selected may hold up to all of the rest
        return lo, 1.0
    if not c.partial:
        return lo, hi
    covered = {ln.country for ln in c.lines if ln.country is not None}
    # Among the producers it covers the selected hold `hi`; in the world at most that much,
    # and only if every selected country is among those covered.
    return 0.0, (hi if set(selected) <= covered else 1.0)


def _headline(best: Candidate, alts: list[Candidate], selected: tuple[str, ...]) -> Concentration:
    """The headline's concentration with its selected-share bounds narrowed by every source."""
    k = _conc(best, selected)
    lo, hi = _bounds_of(best, selected)
    for a in sorted(alts, key=lambda c: (c.partial, -completeness(c), c.precedence)):
        if abs(a.year - best.year) > NEARBY_YEARS:
            continue
        alo, ahi = _bounds_of(a, selected)
        nlo, nhi = max(lo, alo), min(hi, ahi)
        if nlo <= nhi + 1e-9:
            lo, hi = nlo, max(nlo, nhi)
    point = k.selected_share if not best.partial else lo
    point = min(max(point, lo), hi)
    return replace(k, selected_share=point, selected_share_bounds=(lo, hi))


def _summary(c: Candidate, selected: tuple[str, ...]) -> Alternative:
    k = _conc(c, selected)
    return Alternative(
        source_id=c.source_id,
        kind=c.kind,
        year=c.year if c.year_stated else None,
        top_country=k.top_country,
        top_share=_round(k.top_share),
        top3_share=_round(k.top3_share),
        selected_share=_round(k.selected_share),
        selected_share_bounds=_bounds(k.selected_share_bounds),
    )


class _Detail(TypedDict):
    """The fields of an :class:`Exposure` that describe the headline figures."""

    material: str
    stage: str
    year: int | None
    year_stated: bool
    unit: str | None
    measure: str
    data_kind: str | None
    world_total: float | None
    shares: tuple[ShareLine, ...]
    unallocated_share: float | None
    overallocated_share: float | None
    hhi: float | None
    hhi_bounds: Bounds
    top3_share: float | None
    top_country: str | None
    top_share: float | None
    selected_countries: tuple[str, ...]
    selected_share: float | None
    selected_share_bounds: Bounds
    unknown: tuple[UnknownLine, ...]
    data_status: str
    confidence: str | None
    source_id: str | None
    sources: tuple[SourceMeta, ...]
    alternatives: tuple[Alternative, ...]


def _detail(
    material: str,
    stage: str,
    c: Candidate,
    alts: list[Candidate],
    selected: tuple[str, ...],
    meta: Mapping[str, SourceMeta],
) -> _Detail:
    """The fields of an :class:`Exposure` that describe the headline figures."""
    k = _headline(c, alts, selected)
    src = source_record(meta, c.source_id)
    status = _data_status(c, k)
    return {
        "material": material,
        "stage": stage,
        "year": c.year if c.year_stated else None,
        "year_stated": c.year_stated,
        "unit": c.unit,
        "measure": "production",
        "data_kind": c.kind,
        "world_total": _round(k.world_total, 3),
        "shares": tuple(
            ShareLine(
                country=s.country,
                name=countries.name(s.country),
                quantity=s.quantity,
                share=_round(s.share),
                status=s.status,
            )
            for s in k.shares
        )
        + tuple(
            ShareLine(
                country=u.country,
                name=countries.name(u.country),
                quantity=None,
                share=None,
                status=u.status,
            )
            for u in k.unknown
            if u.country is not None
        ),
        "unallocated_share": _round(k.unallocated_share),
        "overallocated_share": _round(k.overallocated_share),
        "hhi": _round(k.hhi),
        "hhi_bounds": _bounds(k.hhi_bounds),
        "top3_share": _round(k.top3_share),
        "top_country": k.top_country,
        "top_share": _round(k.top_share),
        "selected_countries": tuple(selected),
        "selected_share": _round(k.selected_share),
        "selected_share_bounds": _bounds(k.selected_share_bounds),
        "unknown": tuple(
            UnknownLine(
                country=u.country,
                status=u.status,
                share_bound=_round(u.share_bound),
                bounded=u.bounded,
                note=u.note,
            )
            for u in k.unknown
        ),
        "data_status": status,
        "confidence": src.confidence if isinstance(src.confidence, str) else None,
        "source_id": c.source_id,
        "sources": (src, *(source_record(meta, a.source_id) for a in alts)),
        "alternatives": tuple(_summary(a, selected) for a in alts),
    }


def _data_status(c: Candidate, k: Concentration) -> str:
    if c.partial:
        return "partial-coverage"
    if c.kind == "shares":
        return "shares-only"
    if any(u.country is not None for u in k.unknown):
        return "withheld-or-missing"
    return "complete" if k.unallocated_share < 0.05 else "partial"


def materials(view: View) -> Materials:
    """Every material with its stages and which stages have data (any date)."""
    cands = candidates(view.at(dt.date.max), None)
    return Materials(
        materials=tuple(
            MaterialInfo(
                material=m.id,
                name=m.name,
                stages=tuple(
                    StageInfo(
                        stage=s.id,
                        name=s.name,
                        kind=s.kind,
                        hs_codes=tuple(s.hs),
                        years=tuple(sorted({c.year for c in cands.get((m.id, s.id), [])})),
                    )
                    for s in m.stages
                ),
            )
            for m in load_catalog().materials
        )
    )


def exposure(
    view: View,
    material: str,
    stage: str | None = None,
    year: int | None = None,
    selected: tuple[str, ...] = ("CHN",),
    group: str | None = None,
    importer: str | None = None,
    source: str | None = None,
) -> Exposure:
    """Exposure of one material: the chosen stage in detail, every stage in the chain.

    ``source`` forces the figures of one source for the detailed stage (default: precedence).
    """
    when = view.as_of
    try:
        spec = load_catalog().material(material)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from None
    if stage is not None:
        try:
            spec.stage(stage)
        except KeyError as exc:
            raise NotFound(exc.args[0]) from None
    cands = candidates(view, material)
    meta = source_meta(view)
    gaps = _stage_gaps(view)
    chain: list[ChainStage] = []
    points = []
    for s in spec.stages:
        best, _alts = pick(cands.get((material, s.id), []), None)
        if best is None:
            chain.append(
                ChainStage(
                    stage=s.id, name=s.name, year=None, **_no_data(gaps.get((material, s.id)))
                )
            )
            continue
        k = _headline(best, _alts, selected)
        points.append(StagePoint(s.id, k.selected_share, k.selected_share_bounds, k.hhi))
        chain.append(
            ChainStage(
                stage=s.id,
                name=s.name,
                year=best.year if best.year_stated else None,
                year_stated=best.year_stated,
                selected_share=_round(k.selected_share),
                selected_share_bounds=_bounds(k.selected_share_bounds),
                top_country=k.top_country,
                top_share=_round(k.top_share),
                hhi=_round(k.hhi),
                data_status=_data_status(best, k),
                source_id=best.source_id,
                confidence=_known(meta, best.source_id, "confidence"),
            )
        )
    neck = bottleneck(points)
    chosen = stage or neck or spec.stages[0].id
    stage_cands = cands.get((material, chosen), [])
    if source is not None:
        known = sorted({c.source_id for c in stage_cands})
        stage_cands = [c for c in stage_cands if c.source_id == source]
        if not stage_cands:
            raise NotFound(
                f"source {source!r} has no figures for {material} at stage {chosen!r}; "
                f"sources with figures: {', '.join(known) or 'none'}"
            )
    best, alts = pick(stage_cands, year)
    if best is None and importer is not None and source is None and not stage_cands:
        # No production figures at this stage, but the importer's own import sources still
        # answer: say so plainly and give the importer block.
        return _importer_only(
            view, material, chosen, year, selected, group, when, importer, chain, neck, gaps
        )
    if best is None:
        years = sorted({c.year for c in stage_cands})
        hint = f"; years with data: {', '.join(map(str, years))}" if years else ""
        gap = gaps.get((material, chosen))
        if gap is not None and not years:
            hint += f"; no public figure: {gap.statement} (searched {gap.checked})"
        elif not years:
            # Facts count from the day they were published: asked as of an earlier date, a
            # stage with figures today has none yet, which the bare message left unexplained.
            hint += f" as of {when.isoformat()} (figures published later are not counted)"
        raise NotFound(
            f"no data for {material} at stage {chosen!r}" + (f" in {year}" if year else "") + hint
        )
    return Exposure(
        schema=EXPOSURE_SCHEMA,
        as_of=when.isoformat(),
        **_detail(material, chosen, best, alts, selected, meta),
        stage_name=spec.stage(chosen).name,
        selected_group=group,
        chain=tuple(chain),
        bottleneck_stage=neck,
        importer=(
            importer_exposure(view, importer, material, selected, stage=chosen, year=year)
            if importer
            else None
        ),
    )


def reliance_bounds(value: float | None, raw: str | None) -> list[float] | None:
    """Bounds of a net import reliance from its printed form: ``>50`` is [0.5, 1], ``<25`` is
    [0, 0.25], ``E`` (net exporter) is [0, 0], a number is itself; ``None`` when unknown.

    >>> reliance_bounds(0.5, ">50"), reliance_bounds(0.25, "<25"), reliance_bounds(0.91, "91")
    ([0.5, 1.0], [0.0, 0.25], [0.91, 0.91])
    """
    text = (raw or "").strip()
    if text.upper() == "E":
        return [0.0, 0.0]
    if value is None:
        return None
    v = float(value)
    if text.startswith(">"):
        return [v, 1.0]
    if text.startswith("<"):
        return [0.0, v]
    return [v, v]


def _importer_only(
    view: View,
    material: str,
    stage: str,
    year: int | None,
    selected: tuple[str, ...],
    group: str | None,
    when: dt.date,
    importer: str,
    chain: list[ChainStage],
    neck: str | None,
    gaps: dict[tuple[str, str], StageGapInfo],
) -> ExposureNoFigures:
    """Exposure of a stage without production figures: the chain and the importer's view."""
    spec = load_catalog().material(material)
    return ExposureNoFigures(
        schema=EXPOSURE_SCHEMA,
        as_of=when.isoformat(),
        material=material,
        stage=stage,
        stage_name=spec.stage(stage).name,
        year=None,
        unit=None,
        measure="production",
        data_kind=None,
        world_total=None,
        shares=(),
        unallocated_share=None,
        overallocated_share=None,
        hhi=None,
        hhi_bounds=None,
        top3_share=None,
        top_country=None,
        top_share=None,
        selected_countries=tuple(selected),
        selected_group=group,
        selected_share=None,
        selected_share_bounds=None,
        unknown=(),
        confidence=None,
        source_id=None,
        sources=(),
        alternatives=(),
        chain=tuple(chain),
        bottleneck_stage=neck,
        **_no_data(gaps.get((material, stage))),
        importer=importer_exposure(view, importer, material, selected, stage=stage, year=year),
    )


def _period_year(period: str | None) -> int:
    """The last year a period names (``2021-01/09`` -> 2021; none -> -1), for ordering.

    >>> _period_year("2021-2024"), _period_year("2022-01/10"), _period_year("year not stated")
    (2024, 2022, -1)
    """
    years = re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", period or "")
    return max(int(y) for y in years) if years else -1


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _plus(total: float | None, share: float) -> float | None:
    """A running share sum, rounded at every step (unknown stays unknown)."""
    return None if total is None else _round(total + share)


@dataclass
class _Category:
    """An import-source category being summed (see :class:`ImportCategory`)."""

    category: str
    stage: str | None
    period: str | None
    source_id: str
    confidence: str | None
    sources: list[ImportShare] = field(default_factory=list)
    selected_share: float | None = 0.0
    other_share: float | None = 0.0


def importer_exposure(
    view: View,
    importer: str,
    material: str,
    selected: tuple[str, ...],
    *,
    stage: str | None = None,
    year: int | None = None,
) -> ImporterExposure:
    """Import sources by category, the selected countries' direct share, and import reliance.

    Only figures for ``stage`` answer (a category whose stage differs, or an origin traced at
    another stage, is left out and named under ``other_stages``); import reliance is per
    material and is kept, but alone it does not make the stage's status ``ok``.

    ``origin`` traces the importer's supply back through trade (direct and through third
    countries, see :func:`derisk.services.trade.origin_block`); ``None`` without trade data.
    """
    iso = countries.resolve(importer)
    meta = source_meta(view)
    cats: dict[tuple[str, str, str], _Category] = {}
    named: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    bounds: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    elsewhere: dict[str, set[str]] = defaultdict(set)
    for r in view.import_sources(iso, material):
        cat, stg, ctry, share, period = r.category, r.stage_id, r.country, r.share, r.period
        sid, lo_s, hi_s = r.source_id, r.share_low, r.share_high
        if stage is not None and stg is not None and stg != stage:
            # Import sources of another product form (natural graphite for an anode question):
            # not an answer for this stage; named so the reader can ask for that stage.
            elsewhere[stg].add(cat)
            continue
        key = (sid, cat, period)
        entry = cats.get(key)
        if entry is None:
            entry = cats[key] = _Category(cat, stg, period, sid, _known(meta, sid, "confidence"))
        item = ImportShare(country=ctry, share=_round(share))
        if lo_s is not None or hi_s is not None:
            item = ImportShare(
                country=ctry,
                share=_round(share),
                share_bounds=(_round(_or(lo_s, share)), _round(_or(hi_s, share))),
            )
        entry.sources.append(item)
        named[key].add(ctry)
        b = bounds[key]
        if ctry in selected:
            entry.selected_share = _plus(entry.selected_share, share)
            b[0] += _or(lo_s, share)
            b[1] += _or(hi_s, share)
        if ctry == OTHER:
            entry.other_share = _plus(entry.other_share, share)
            b[2] += _or(hi_s, share)
        b[3] += _or(lo_s, share)
    done = []
    for key, entry in cats.items():
        # "Other" is every country the source does not name, and so is whatever the listed
        # shares leave unattributed: either may hide a selected country only when that
        # country is not named in the category.
        lo, hi, other_hi, listed = bounds[key]
        other_hi += max(0.0, 1.0 - listed)
        hidden = any(c not in named[key] for c in selected)
        done.append(
            ImportCategory(
                category=entry.category,
                stage=entry.stage,
                period=entry.period,
                source_id=entry.source_id,
                confidence=entry.confidence,
                sources=tuple(entry.sources),
                selected_share=entry.selected_share,
                other_share=entry.other_share,
                selected_share_bounds=(
                    _round(min(1.0, lo)),
                    _round(min(1.0, hi + (other_hi if hidden else 0.0))),
                ),
            )
        )
    ordered = sorted(
        done,
        key=lambda e: (e.stage != stage, -_period_year(e.period), e.category),
    )
    reliance = []
    for ir in view.import_reliance(iso, material):
        rb = reliance_bounds(ir.value, ir.raw)
        reliance.append(
            ImportReliance(
                year=ir.year,
                value=_round(ir.value),
                raw=ir.raw,
                source_id=ir.source_id,
                bounds=None if rb is None else (rb[0], rb[1]),
            )
        )
    from derisk.services.trade import importer_origin

    origin = importer_origin(view, iso, material, stage, year, selected)
    if origin is not None and stage is not None and origin.stage != stage:
        elsewhere[origin.stage].add("trade origin")
        origin = None
    return ImporterExposure(
        importer=iso,
        stage=stage,
        categories=tuple(ordered),
        import_reliance=tuple(reliance),
        origin=origin,
        other_stages={k: tuple(sorted(v)) for k, v in sorted(elsewhere.items())},
        data_status="no-data" if not cats and origin is None else "ok",
    )


def overview(
    view: View,
    selected: tuple[str, ...] = ("CHN",),
    group: str | None = None,
) -> Overview:
    """Every material x stage: selected share with bounds, top country, HHI, status, source."""
    when = view.as_of
    cands = candidates(view, None)
    meta = source_meta(view)
    gaps = _stage_gaps(view)
    rows: list[OverviewRow] = []
    for m in load_catalog().materials:
        points = []
        mrows: list[OverviewRow] = []
        for s in m.stages:
            best, alts = pick(cands.get((m.id, s.id), []), None)
            if best is None:
                mrows.append(
                    OverviewRow(
                        material=m.id,
                        stage=s.id,
                        stage_name=s.name,
                        year=None,
                        **_no_data(gaps.get((m.id, s.id))),
                        bottleneck=False,
                    )
                )
                continue
            k = _headline(best, alts, selected)
            points.append(StagePoint(s.id, k.selected_share, k.selected_share_bounds, k.hhi))
            mrows.append(
                OverviewRow(
                    material=m.id,
                    stage=s.id,
                    stage_name=s.name,
                    year=best.year if best.year_stated else None,
                    year_stated=best.year_stated,
                    selected_share=_round(k.selected_share),
                    selected_share_bounds=_bounds(k.selected_share_bounds),
                    top_country=k.top_country,
                    top_share=_round(k.top_share),
                    top3_share=_round(k.top3_share),
                    hhi=_round(k.hhi),
                    unallocated_share=_round(k.unallocated_share),
                    data_status=_data_status(best, k),
                    source_id=best.source_id,
                    source_url=_known(meta, best.source_id, "url"),
                    confidence=_known(meta, best.source_id, "confidence"),
                    alternatives=len(alts),
                    bottleneck=False,
                )
            )
        neck = bottleneck(points)
        rows.extend(replace(r, bottleneck=r.stage == neck) for r in mrows)
    return Overview(
        as_of=when.isoformat(),
        selected_countries=tuple(selected),
        selected_group=group,
        rows=tuple(rows),
    )


def lookup_tables() -> list[tuple[str, str]]:
    """(table, id column) of the tables :func:`source_lookup` finds a fact in, in search order.

    Every registered table (``derisk.model.schema.ROW_TYPES``, so area tables too) with a
    ``fact_id`` column, in registration order, then ``entity`` by ``entity_id``.

    >>> ("trade", "fact_id") in lookup_tables(), lookup_tables()[-1]
    (True, ('entity', 'entity_id'))
    """
    out = []
    for cls in ROW_TYPES:
        if any(c.name == "fact_id" for c in columns(cls)):
            out.append((cls.Meta.table, "fact_id"))
    return [*out, ("entity", "entity_id")]


def cited_tables() -> list[str]:
    """Every registered table whose rows cite a source (a ``source_id`` column).

    >>> "production" in cited_tables(), "source" in cited_tables()
    (True, False)
    """
    return [
        cls.Meta.table
        for cls in ROW_TYPES
        if cls.Meta.table != "source" and any(c.name == "source_id" for c in columns(cls))
    ]


def source_lookup(view: View, ident: str) -> SourceLookup:
    """A source by id (with the number of facts citing it, over every fact table), or a fact
    by its id (searched in every table of :func:`lookup_tables`) with its source.

    Table and column names come from the schema only; the id is a query parameter.
    """
    meta = source_meta(view)
    if ident in meta:
        facts = sum(view.count_citing(table, ident) for table in cited_tables())
        return SourceLookup(source=meta[ident], fact=None, facts=facts)
    for table, key in lookup_tables():
        row = view.fact(table, key, ident)  # every stored column, `dataset` too
        if row is not None:
            fact = {c: (v.isoformat() if isinstance(v, dt.date) else v) for c, v in row.items()}
            fact["table"] = table
            sid = fact["source_id"]
            return SourceLookup(
                source=meta.get(sid),
                fact=MappingProxyType(fact),
                facts=1,
            )
    raise NotFound(f"no source or fact with id {ident!r}")
