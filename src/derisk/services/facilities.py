"""The facility layer on the store: plants, their owners and screening, capacity by year, and
allied supply -- how much China-free (or other-exclusion-free) output of a processing stage a
buyer or a buyers' club secures when the other buyers' demand is netted out, year by year.

The maths is in :mod:`derisk.analysis.allocation` (equations in its docstring); this module
reads the store, applies the screening to each plant and assembles typed results
(``derisk.facilities/1``, ``derisk.facility/1``, ``derisk.allied/1``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from derisk.analysis.allocation import PIPELINES, RULES, allocate, capacity_by_year
from derisk.data.loader import BUNDLED_DATASET
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.model.facilities import (
    STAGE_UNITS,
    SUBSTAGES,
    FacilityStatus,
    ImporterDemand,
    parse_owners,
    stage_unit,
    substage_share,
    unit_factor,
)
from derisk.model.record import ABSENT, fields_of
from derisk.services.common import NotFound, cited_sources, round_or_none
from derisk.services.lookup import FIND_ENTITY
from derisk.services.results import SourceMeta
from derisk.services.results.facilities import (
    Allied,
    AlliedBindingPlant,
    AlliedClubMember,
    AlliedDemandSetAside,
    AlliedExclusions,
    AlliedFacility,
    AlliedFromParentStage,
    AlliedGap,
    AlliedGroupExclusion,
    AlliedMemberAllocation,
    AlliedPfeExclusion,
    AlliedPlantDifference,
    AlliedUpstream,
    AlliedWorldDemand,
    AlliedYear,
    CapacityByYear,
    FacilitiesList,
    FacilityBase,
    FacilityCapacityTotal,
    FacilityDetail,
    FacilityFilters,
    FacilityOwner,
    FacilityPfeVerdict,
    FacilityRow,
    FacilityScreening,
    FacilityShow,
)
from derisk.store.view import View

FACILITIES_SCHEMA = "derisk.facilities/1"
FACILITY_SCHEMA = "derisk.facility/1"
ALLIED_SCHEMA = "derisk.allied/1"
DEFAULT_YEARS = tuple(range(2025, 2031))


@dataclass(frozen=True)
class Plant:
    facility_id: str
    name: str
    country: str
    material: str
    stage: str
    status: str
    capacity_stated: float | None
    unit_stated: str
    basis: str
    source_id: str
    facility_type: str | None
    product: str | None
    operator_id: str | None
    owners: str | None
    start_year: int | None
    ramp_years: int | None
    end_year: int | None
    parent_id: str | None
    status_source_id: str | None
    latitude: float | None
    longitude: float | None
    note: str | None

    @property
    def capacity(self) -> float | None:
        """Capacity in the stage's comparison unit (``None``: unknown)."""
        if self.capacity_stated is None:
            return None
        return self.capacity_stated * unit_factor(self.material, self.stage, self.unit_stated)


def _r(x: float | None, nd: int = 3) -> float | None:
    return round_or_none(x, nd)


def load_plants(
    view: View,
    *,
    material: str | None = None,
    stage: str | None = None,
    dated: bool = True,
) -> list[Plant]:
    """Facility rows valid on the view's date (all of them when not ``dated``), by material
    and stage."""
    return [
        Plant(
            f.facility_id,
            f.name,
            f.country,
            f.material_id,
            f.stage_id,
            f.status,
            f.capacity,
            f.unit,
            f.basis,
            f.source_id,
            f.facility_type,
            f.product,
            f.operator_id,
            f.owners,
            f.start_year,
            f.ramp_years,
            f.end_year,
            f.parent_id,
            f.status_source_id,
            f.latitude,
            f.longitude,
            f.note,
        )
        for f in view.facilities(material, stage, dated=dated)
    ]


def _source_meta(view: View, ids: set[str]) -> tuple[SourceMeta, ...]:
    return cited_sources(view, ids, via=False)


def _confidence(view: View) -> dict[str, str]:
    return {s.source_id: s.confidence for s in view.sources()}


def _names(view: View) -> dict[str, str]:
    return {e.entity_id: e.name for e in view.all_entities()}


def _pfe(view: View, when: dt.date) -> tuple[set[str], set[str], str]:
    from derisk.services.resource import _pfe_entities

    flagged, unsure, rule = _pfe_entities(view, when)
    return set(flagged), set(unsure), rule


def _plant_row(p: Plant, names: dict[str, str], conf: dict[str, str]) -> FacilityBase:
    """The keys every plant row carries (the results extend it: :func:`fields_of`)."""
    owners = tuple(
        FacilityOwner(entity=e, name=names.get(e, e), percent=pct)
        for e, pct in parse_owners(p.owners)
    )
    return FacilityBase(
        facility=p.facility_id,
        name=p.name,
        country=p.country,
        country_name=countries.name(p.country),
        material=p.material,
        stage=p.stage,
        type=p.facility_type,
        product=p.product,
        status=p.status,
        capacity_stated=_r(p.capacity_stated),
        unit_stated=p.unit_stated,
        basis=p.basis,
        capacity=_r(p.capacity),
        unit=stage_unit(p.material, p.stage),
        start_year=p.start_year,
        ramp_years=p.ramp_years,
        end_year=p.end_year,
        parent=p.parent_id,
        operator=p.operator_id,
        operator_name=names.get(p.operator_id) if p.operator_id else None,
        owners=owners,
        source_id=p.source_id,
        status_source_id=p.status_source_id or p.source_id,
        confidence=conf.get(p.source_id),
        latitude=p.latitude,
        longitude=p.longitude,
        note=p.note,
    )


def _by_year(years: tuple[int, ...], caps: np.ndarray) -> CapacityByYear:
    return MappingProxyType({str(y): _r(float(c)) for y, c in zip(years, caps, strict=True)})


def _cap_matrix(plants: list[Plant], years: tuple[int, ...], pipeline: str) -> np.ndarray:
    nan = float("nan")
    return capacity_by_year(
        np.array([p.capacity if p.capacity is not None else 0.0 for p in plants], dtype=float),
        [p.status for p in plants],
        np.array([p.start_year if p.start_year is not None else nan for p in plants], float),
        np.array([p.ramp_years if p.ramp_years is not None else 1 for p in plants], float),
        np.array([p.end_year if p.end_year is not None else nan for p in plants], float),
        list(years),
        pipeline,
    )


def _check_material_stage(material: str | None, stage: str | None) -> None:
    if material is None:
        return
    try:
        spec = load_catalog().material(material)
    except KeyError as exc:
        raise NotFound(str(exc.args[0])) from None
    if stage is not None:
        try:
            spec.stage(stage)
        except KeyError as exc:
            raise NotFound(str(exc.args[0])) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class FacilityQuery:
    """What ``derisk facilities list`` asks: which plants (material, stage, country, status),
    with their screening verdict or not, for which years, under which pipeline, on which date
    (``None``: today)."""

    material: str | None = None
    stage: str | None = None
    country: str | None = None
    status: str | None = None
    screen: bool = False
    years: tuple[int, ...] = DEFAULT_YEARS
    pipeline: str = "committed"


def list_facilities(
    view: View,
    *,
    material: str | None = None,
    stage: str | None = None,
    country: str | None = None,
    status: str | None = None,
    screen: bool = False,
    years: tuple[int, ...] = DEFAULT_YEARS,
    pipeline: str = "committed",
) -> FacilitiesList:
    """:func:`facility_list` with the query's fields as keywords."""
    query = FacilityQuery(
        material=material,
        stage=stage,
        country=country,
        status=status,
        screen=screen,
        years=years,
        pipeline=pipeline,
    )
    return facility_list(view, query)


def facility_list(view: View, query: FacilityQuery) -> FacilitiesList:
    """Plants with capacity by year on the view's date (``derisk facilities list``)."""
    material, stage, country, status = query.material, query.stage, query.country, query.status
    screen, years, pipeline = query.screen, query.years, query.pipeline
    _check_material_stage(material, stage)
    if status is not None and status not in {s.value for s in FacilityStatus}:
        raise BadInputError(f"status must be one of: {', '.join(FacilityStatus)}")
    if pipeline not in PIPELINES:
        raise BadInputError(f"pipeline must be one of: {', '.join(PIPELINES)}")
    when = view.as_of
    iso = countries.resolve(country) if country else None
    plants = [
        p
        for p in load_plants(view, material=material, stage=stage)
        if (iso is None or p.country == iso) and (status is None or p.status == status)
    ]
    names, conf = _names(view), _confidence(view)
    caps = _cap_matrix(plants, years, pipeline) if plants else np.zeros((0, len(years)))
    flagged: set[str] = set()
    unsure: set[str] = set()
    rule = None
    if screen:
        flagged, unsure, rule = _pfe(view, when)
    rows = tuple(
        FacilityRow(
            **fields_of(_plant_row(p, names, conf)),
            capacity_by_year=_by_year(years, caps[i]),
            pfe=_verdict(p, flagged, unsure) if screen else ABSENT,
        )
        for i, p in enumerate(plants)
    )
    # material:stage -> (plants, capacity in China by year, outside China by year)
    totals: dict[str, tuple[list[Plant], dict[str, float | None], dict[str, float | None]]] = {}
    for i, p in enumerate(plants):
        key = f"{p.material}:{p.stage}"
        t = totals.setdefault(key, ([], {str(y): 0.0 for y in years}, {str(y): 0.0 for y in years}))
        t[0].append(p)
        side = t[1] if p.country == "CHN" else t[2]
        for j, y in enumerate(years):
            side[str(y)] = _r((side[str(y)] or 0.0) + float(caps[i, j]))
    return FacilitiesList(
        schema=FACILITIES_SCHEMA,
        as_of=when.isoformat(),
        filters=FacilityFilters(material=material, stage=stage, country=iso, status=status),
        pipeline=pipeline,
        pipeline_weights=MappingProxyType(PIPELINES[pipeline]),
        years=tuple(years),
        screening=FacilityScreening(rule=rule) if screen else None,
        count=len(rows),
        totals=tuple(
            FacilityCapacityTotal(
                material=ps[0].material,
                stage=ps[0].stage,
                unit=stage_unit(ps[0].material, ps[0].stage),
                facilities=len(ps),
                china=MappingProxyType(china),
                outside_china=MappingProxyType(outside),
            )
            for ps, china, outside in totals.values()
        ),
        facilities=rows,
        sources=_source_meta(
            view,
            {p.source_id for p in plants}
            | {p.status_source_id for p in plants if p.status_source_id},
        ),
    )


def _verdict(p: Plant, flagged: set[str], unsure: set[str]) -> str:
    if p.facility_id in flagged or (p.operator_id is not None and p.operator_id in flagged):
        return "flagged"
    if p.facility_id in unsure or (p.operator_id is not None and p.operator_id in unsure):
        return "indeterminate"
    return "clear"


def show_facility(
    view: View,
    facility_id: str,
    *,
    years: tuple[int, ...] = DEFAULT_YEARS,
) -> FacilityShow:
    """One plant with its owners, screening verdict (on the view's date) and capacity by year
    under each pipeline."""
    when = view.as_of
    plants = [p for p in load_plants(view, dated=False) if p.facility_id == facility_id]
    if not plants:
        raise NotFound(f"unknown facility {facility_id!r}; see `derisk facilities list`")
    p = plants[0]
    names, conf = _names(view), _confidence(view)
    base = _plant_row(p, names, conf)
    by_pipeline = {name: _by_year(years, _cap_matrix([p], years, name)[0]) for name in PIPELINES}
    flagged, unsure, rule = _pfe(view, when)
    expansions = [
        q.facility_id for q in load_plants(view, dated=False) if q.parent_id == p.facility_id
    ]
    row = FacilityDetail(
        **fields_of(base),
        capacity_by_year=MappingProxyType(by_pipeline),
        pfe=FacilityPfeVerdict(rule=rule, verdict=_verdict(p, flagged, unsure)),
        expansions=tuple(expansions),
    )
    return FacilityShow(
        schema=FACILITY_SCHEMA,
        as_of=when.isoformat(),
        facility=row,
        sources=_source_meta(view, {p.source_id, p.status_source_id or p.source_id}),
    )


# -- allied supply ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    key: str  # ISO3 or group id
    name: str
    kind: str  # country | group
    countries: tuple[str, ...]


def _groups(view: View) -> dict[str, str]:
    return {g.group_id: g.name for g in view.groups()}


def resolve_member(view: View, text: str, when: dt.date) -> Member:
    """A club member: an ISO alpha-3 country (or name) or a country-group id (``EU27``)."""
    from derisk.services.resource import group_members

    groups = _groups(view)
    low = text.strip().lower()
    if low in groups:
        return Member(low, groups[low], "group", tuple(group_members(view, low, when)))
    iso = countries.resolve(text)
    return Member(iso, countries.name(iso), "country", (iso,))


def parse_demands(text: str | None) -> dict[str, float]:
    """``"USA=5000,KOR=3000"`` -> ``{"USA": 5000.0, "KOR": 3000.0}`` (keys as given)."""
    out: dict[str, float] = {}
    if not text:
        return out
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        if "=" not in part:
            raise BadInputError(f"demand {part.strip()!r}: expected MEMBER=QUANTITY")
        k, v = part.split("=", 1)
        try:
            q = float(v)
        except ValueError:
            raise BadInputError(f"demand {part.strip()!r}: {v.strip()!r} is not a number") from None
        if not np.isfinite(q) or q < 0:
            raise BadInputError(f"demand {part.strip()!r}: the quantity must be >= 0")
        out[k.strip()] = q
    return out


@dataclass(frozen=True)
class _Demand:
    """A demand figure used: given by the user (``basis`` "user") or stored (quantities in
    the stage's unit, not rounded)."""

    quantity: float
    year: int | None
    source_id: str | None
    basis: str
    dataset: str | None = None
    set_aside: AlliedDemandSetAside | None = None


def _stored_demand(
    view: View, material: str, stage: str, buyer: str, year: int, when: dt.date
) -> _Demand | None:
    """The buyer's demand row used: the latest year at or before ``year``; within that year a
    row the user imported (any dataset but the bundled one) before a bundled row, then the
    lowest source precedence number. A bundled row of the same year that an imported row
    displaced is returned as ``set_aside`` so that the answer can say which figure it did not use.
    """
    rows = view.at(when).demand_figures(material, stage, buyer, year, BUNDLED_DATASET)
    if not rows:
        return None

    def row(d: ImporterDemand, dataset: str) -> _Demand:
        return _Demand(
            quantity=float(d.quantity or 0.0) * unit_factor(material, stage, d.unit),
            year=int(d.year),
            source_id=str(d.source_id),
            basis=str(d.basis),
            dataset=dataset,
        )

    used = row(*rows[0])
    if used.dataset != BUNDLED_DATASET:
        same = [r for r in rows if int(r[0].year) == used.year and r[1] == BUNDLED_DATASET]
        if same:
            aside = row(*same[0])
            used = dataclasses.replace(
                used,
                set_aside=AlliedDemandSetAside(
                    quantity=aside.quantity,
                    year=int(same[0][0].year),
                    source_id=str(aside.source_id),
                    dataset=str(aside.dataset),
                ),
            )
    return used


def parse_years(text: str | None) -> tuple[int, ...]:
    """``"2025-2030"``, ``"2026"`` or ``"2025,2027"`` -> years (default 2025-2030)."""
    if not text:
        return DEFAULT_YEARS
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", part)
        try:
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if b < a or b - a > 50:
                    raise ValueError
                out.extend(range(a, b + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise BadInputError(
                f"years {text!r}: expected YYYY, YYYY-YYYY or a comma list"
            ) from None
    if any(not 1990 <= y <= 2100 for y in out):
        raise BadInputError(f"years {text!r}: years must be between 1990 and 2100")
    return tuple(sorted(set(out)))


def _upstream(
    view: View,
    material: str,
    stage: str,
    excluded: set[str],
    d_members: np.ndarray,
    rule: str,
    member_countries: set[str],
    n_years: int,
    when: dt.date,
) -> tuple[AlliedUpstream | None, np.ndarray | None, str | None]:
    """The stage upstream from country figures: what the club secures of it under the same rule.

    Returns (description, secured per year in this stage's unit, or None, and a note).
    """
    from derisk.services.network import build_stage_network

    spec = load_catalog().material(material)
    ids = [st.id for st in spec.stages]
    # a sub-stage (lithium hydroxide) is fed from its parent's upstream (mining), not a sibling
    i = ids.index(SUBSTAGES.get((material, stage), (stage,))[0])
    if i == 0:
        return None, None, None
    prev = ids[i - 1]
    up_unit = STAGE_UNITS.get((material, prev), ("t", {}))[0]
    table = STAGE_UNITS.get((material, stage), ("t", {}))[1]
    if up_unit not in table:
        return (
            None,
            None,
            (
                f"upstream {prev} is in {up_unit}, not convertible to "
                f"{stage_unit(material, stage)}: the feed is not checked"
            ),
        )
    factor = table[up_unit]
    try:
        st = build_stage_network(view.at(when), material).stage(prev)
    except NotFound:
        return None, None, f"upstream {prev}: no country figures; the feed is not checked"
    if not st.has_data:
        return None, None, f"upstream {prev}: {st.note or 'no usable figures'}; feed not checked"
    sites = [x for x in st.sites if x.available > 0]
    cap = np.array([x.available * factor for x in sites], dtype=float)
    elig = np.array([x.country is not None and x.country not in excluded for x in sites], bool)
    world = float(cap.sum())
    caps = np.repeat(cap[:, None], n_years, axis=1)
    d_o = np.maximum(world - d_members.sum(axis=0), 0.0)
    sigma = None
    if rule == "historical":
        share = np.minimum(d_members.sum(axis=0) / world, 1.0) if world > 0 else np.zeros(n_years)
        own = np.array([x.country in member_countries for x in sites], dtype=bool)
        sigma = np.where(own[:, None], 0.0, 1.0 - share[None, :])
    a = allocate(caps, elig, d_members, d_o, rule, sigma)
    desc = AlliedUpstream(
        stage=prev,
        source_id=st.source_id,
        year=st.year,
        unit=up_unit,
        factor=factor,
        world_output=_r(world),
        eligible_capacity=_r(float(cap[elig].sum())),
        unknown_origin=_r(
            float(sum(c for c, x in zip(cap, sites, strict=True) if x.country is None))
        ),
        note="country figures (output of unknown origin and excluded countries not eligible); "
        "entity screening does not apply inside country totals",
    )
    return desc, a.secured, None


def _parent_demand_hint(material: str, stage: str) -> str:
    spec = SUBSTAGES.get((material, stage))
    if spec is None:
        return ""
    return (
        f" ({material} {spec[0]} demand figures count all salts together and are not used "
        f"for {stage})"
    )


def _substage_plants(
    view: View, material: str, stage: str, when: dt.date
) -> tuple[list[Plant], AlliedFromParentStage] | None:
    """A sub-stage without rows of its own (lithium hydroxide, carbonate) answered from its
    parent stage's rows whose product is the sub-stage (see
    :func:`derisk.model.facilities.substage_share`), in the sub-stage's unit; ``None`` when
    ``stage`` is no sub-stage or its parent has no rows."""
    spec = SUBSTAGES.get((material, stage))
    if spec is None:
        return None
    parent, own_unit, word = spec
    rows = load_plants(view.at(when), material=material, stage=parent)
    if not rows:
        return None
    split: dict[str, list[Plant]] = {"taken": [], "other": [], "not-stated": []}
    for p in rows:
        split[substage_share(material, stage, p.unit_stated, p.product)].append(p)
    taken = [dataclasses.replace(p, stage=stage) for p in split["taken"]]
    info = AlliedFromParentStage(
        stage=parent,
        rule=(
            f"rows of {material} {parent} stated in {own_unit}, or in another convertible unit "
            f"(t LCE) with a product naming {word} only, are taken as {stage} capacity in "
            f"{stage_unit(material, stage)}; rows of another product are left out; rows whose "
            "product is not stated (or mixes salts without a split) are a gap, never counted"
        ),
        taken=tuple(p.facility_id for p in split["taken"]),
        other_product=tuple(p.facility_id for p in split["other"]),
        product_not_stated=tuple(p.facility_id for p in split["not-stated"]),
        own_rows=(),
    )
    return taken, info


@dataclass(frozen=True, slots=True, kw_only=True)
class AlliedQuery:
    """What an allied-supply question states besides the material, stage and club.

    ``demand``: member (ISO3, group id or name; ``""`` for a single buyer) -> quantity in the
    stage's unit (default: the store's figures); ``rule``: pro-rata, historical or market;
    ``pipeline``: which announced capacity counts; the exclusions (China when none is given);
    ``world_demand`` (default: the store's), ``demand_growth`` (yearly rate) and ``as_of``.
    """

    demand: Mapping[str, float] | None = None
    years: tuple[int, ...] = DEFAULT_YEARS
    rule: str = "pro-rata"
    pipeline: str = "committed"
    exclude_countries: Sequence[str] | None = None
    exclude_groups: Sequence[str] | None = None
    exclude_entities: Sequence[str] | None = None
    exclude_pfe: bool = False
    world_demand: float | None = None
    demand_growth: float = 0.0


def allied_supply(
    view: View,
    material: str,
    stage: str,
    club: Sequence[str],
    *,
    demand: Mapping[str, float] | None = None,
    years: tuple[int, ...] = DEFAULT_YEARS,
    rule: str = "pro-rata",
    pipeline: str = "committed",
    exclude_countries: Sequence[str] | None = None,
    exclude_groups: Sequence[str] | None = None,
    exclude_entities: Sequence[str] | None = None,
    exclude_pfe: bool = False,
    world_demand: float | None = None,
    demand_growth: float = 0.0,
) -> Allied:
    """:func:`allied` with the query's fields as keywords."""
    query = AlliedQuery(
        demand=demand,
        years=years,
        rule=rule,
        pipeline=pipeline,
        exclude_countries=exclude_countries,
        exclude_groups=exclude_groups,
        exclude_entities=exclude_entities,
        exclude_pfe=exclude_pfe,
        world_demand=world_demand,
        demand_growth=demand_growth,
    )
    return allied(view, material, stage, club, query)


def allied(
    view: View, material: str, stage: str, club: Sequence[str], query: AlliedQuery
) -> Allied:
    """China-free supply of a stage that a buyer or club secures each year, plant by plant
    (``derisk reroute MATERIAL --stage S --club …``)."""
    from derisk.services.resource import group_members

    demand, years, rule, pipeline = query.demand, query.years, query.rule, query.pipeline
    exclude_countries, exclude_groups = query.exclude_countries, query.exclude_groups
    exclude_entities, exclude_pfe = query.exclude_entities, query.exclude_pfe
    world_demand, demand_growth = query.world_demand, query.demand_growth

    when = view.as_of
    _check_material_stage(material, stage)
    if rule not in RULES:
        raise BadInputError(f"rule must be one of: {', '.join(RULES)}")
    if pipeline not in PIPELINES:
        raise BadInputError(f"pipeline must be one of: {', '.join(PIPELINES)}")
    if not -0.5 < demand_growth < 1.0:
        raise BadInputError("demand-growth must be a yearly rate between -0.5 and 1")
    if not club:
        raise BadInputError("name at least one buyer (a country or a club)")
    if not years:
        raise BadInputError("no years to compute")
    spec = load_catalog().material(material)
    plants_all = load_plants(view, material=material, stage=stage)
    from_parent = None
    sub = _substage_plants(view, material, stage, when)
    if sub is not None:  # rows of its own (an accepted news item) come first, then the parent's
        own_ids = {p.facility_id for p in plants_all}
        plants_all = plants_all + [p for p in sub[0] if p.facility_id not in own_ids]
        from_parent = dataclasses.replace(sub[1], own_rows=tuple(sorted(own_ids)))
    if not plants_all:
        have = sorted(
            {f"{p.material} {p.stage}" for p in load_plants(view, material=material, dated=False)}
        )
        raise NotFound(
            f"no facilities for {material} {stage} in the store; facilities exist for: "
            + (", ".join(have) or "none of its stages")
            + " (import some: derisk import csv facilities FILE)"
        )
    unit = stage_unit(material, stage)
    # a closed plant without a figure is no gap: it supplies nothing whatever its size
    unknown = [p for p in plants_all if p.capacity is None and p.status != "closed"]
    plants = [p for p in plants_all if p.capacity is not None]
    members = [resolve_member(view, m, when) for m in club]
    if len({m.key for m in members}) != len(members):
        raise BadInputError("a club member is named twice")

    # exclusions, per plant
    groups = list(exclude_groups or [])
    explicit = [countries.resolve(c) for c in (exclude_countries or []) if c.strip()]
    entity_ids = list(exclude_entities or [])
    defaulted = not (groups or explicit or entity_ids or exclude_pfe)
    excluded: set[str] = set(explicit)
    group_report = []
    for g in groups:
        mem = group_members(view, g, when)
        excluded.update(mem)
        group_report.append(AlliedGroupExclusion(group=g, members=tuple(mem)))
    if defaulted:
        excluded.add("CHN")
    names = _names(view)
    for eid in entity_ids:
        if eid not in names:
            raise NotFound(f"unknown entity {eid!r}; {FIND_ENTITY}")
    flagged: set[str] = set()
    unsure: set[str] = set()
    pfe_rule = None
    if exclude_pfe:
        flagged, unsure, pfe_rule = _pfe(view, when)
    reasons: list[str | None] = []
    for p in plants:
        why = None
        if p.country in excluded:
            why = "excluded country"
        elif p.facility_id in entity_ids or (
            p.operator_id in entity_ids if p.operator_id else False
        ):
            why = "excluded entity"
        elif any(e in entity_ids for e, _ in parse_owners(p.owners)):
            why = "excluded owner"
        elif exclude_pfe and _verdict(p, flagged, unsure) == "flagged":
            why = "owner screens as a prohibited foreign entity"
        reasons.append(why)
    eligible = np.array([r is None for r in reasons], dtype=bool)

    # demand
    base_year = years[0]
    given = {k.strip().lower(): v for k, v in (demand or {}).items()}
    dem_rows: list[tuple[str, _Demand]] = []  # (member, demand used)
    missing = []
    for m in members:
        q = given.get(m.key.lower(), given.get(m.name.lower()))
        if q is None and len(members) == 1 and "" in given:
            q = given[""]
        if q is not None:
            dem_rows.append((m.key, _Demand(quantity=q, year=None, source_id=None, basis="user")))
            continue
        found = _stored_demand(view, material, stage, m.key, base_year, when)
        if found is None:
            missing.append(m.key.upper() if m.kind == "group" else m.key)
            continue
        dem_rows.append((m.key, found))
    known_keys = {m.key.lower() for m in members} | {m.name.lower() for m in members} | {""}
    stray = sorted(k for k in given if k not in known_keys)
    if stray:
        raise BadInputError(f"demand names buyers that are not in the club: {', '.join(stray)}")
    if missing:
        have = [k.upper() if k in _groups(view) else k for k, _ in dem_rows]
        raise NotFound(
            f"no demand figure for {', '.join(missing)} at {material} {stage} (unknown is not "
            f"zero): give the demand as {missing[0]}=QUANTITY in {unit}, or import demand rows "
            "(derisk import csv demand FILE)"
            + (f"; demand is known for {', '.join(have)}" if have else "")
            + _parent_demand_hint(material, stage)
        )
    if world_demand is not None:
        if not np.isfinite(world_demand) or world_demand <= 0:
            raise BadInputError("world-demand must be a quantity > 0")
        world = _Demand(quantity=float(world_demand), year=None, source_id=None, basis="user")
    else:
        found = _stored_demand(view, material, stage, "WLD", base_year, when)
        if found is None:
            raise NotFound(
                f"no world demand for {material} {stage} in the store: give a world demand "
                f"QUANTITY ({unit}/yr) so that other buyers' demand can be netted out"
                + _parent_demand_hint(material, stage)
            )
        world = _Demand(
            quantity=found.quantity, year=found.year, source_id=found.source_id, basis=found.basis
        )
    d_base = np.array([r.quantity for _, r in dem_rows], dtype=float)
    if d_base.sum() > world.quantity * (1 + 1e-9):
        raise BadInputError(
            f"the club's demand ({d_base.sum():,.6g} {unit}) exceeds world demand "
            f"({world.quantity:,.6g}); check the units ({unit}/yr)"
        )
    yrs = np.array(years, dtype=float)
    growth = (1.0 + demand_growth) ** (yrs - base_year)
    d_members = d_base[:, None] * growth[None, :]
    d_world = world.quantity * growth
    d_others = np.maximum(d_world - d_members.sum(axis=0), 0.0)

    # capacity by year and allocation
    caps = _cap_matrix(plants, years, pipeline)
    member_countries = {c for m in members for c in m.countries}
    notes: list[str] = []
    sigma = None
    if rule == "historical":
        share_club = np.divide(d_members.sum(axis=0), d_world, out=np.zeros_like(d_world),
                               where=d_world > 0)  # fmt: skip
        own = np.array([p.country in member_countries for p in plants], dtype=bool)
        sigma = np.where(own[:, None], 0.0, 1.0 - share_club[None, :])
        notes.append(
            "historical shares: no plant-level trade shares in the store; a member's own plants "
            "are taken to serve the club, other plants sell to non-members in proportion to "
            "their share of world demand"
        )
    alloc = allocate(caps, eligible, d_members, d_others, rule, sigma)
    up_excluded = set(excluded)
    if exclude_pfe:  # inside country totals the producers are unknown: covered nations' output
        up_excluded |= set(group_members(view, "covered", when))
    upstream, up_secured, up_note = _upstream(
        view, material, stage, up_excluded, d_members, rule, member_countries, len(years), when
    )
    if upstream is not None and exclude_pfe:
        upstream = dataclasses.replace(
            upstream,
            note=upstream.note
            + "; with --exclude-pfe the covered nations' country totals are excluded upstream",
        )
    if up_note:
        notes.append(up_note)

    # plants that make the difference: change in capacity vs the year before
    diffs: list[list[AlliedPlantDifference]] = []
    for j in range(len(years)):
        rows_j: list[AlliedPlantDifference] = []
        if j > 0:
            changed = np.flatnonzero(np.abs(caps[:, j] - caps[:, j - 1]) > 1e-9)
            for k in changed:
                alt = caps[:, j : j + 1].copy()
                alt[k, 0] = caps[k, j - 1]
                sig_j = None if sigma is None else sigma[:, j : j + 1]
                a2 = allocate(alt, eligible, d_members[:, j : j + 1],
                              d_others[j : j + 1], rule, sig_j)  # fmt: skip
                effect = float(alloc.secured[j] - a2.secured[0])
                p = plants[k]
                rows_j.append(
                    AlliedPlantDifference(
                        facility=p.facility_id,
                        name=p.name,
                        country=p.country,
                        status=p.status,
                        eligible=bool(eligible[k]),
                        reason=reasons[k],
                        capacity_change=_r(float(caps[k, j] - caps[k, j - 1])),
                        effect_on_secured=_r(effect),
                        source_id=p.source_id,
                    )
                )
            rows_j.sort(
                key=lambda r: (-abs(r.effect_on_secured or 0), -abs(r.capacity_change or 0))
            )
        diffs.append(rows_j)

    by_year: list[AlliedYear] = []
    for j, y in enumerate(years):
        binding = tuple(
            AlliedBindingPlant(
                facility=plants[k].facility_id,
                name=plants[k].name,
                country=plants[k].country,
                capacity=_r(float(caps[k, j])),
                others_take=_r(float(alloc.others_take[k, j])),
                left_for_club=_r(float(alloc.residual[k, j])),
                club_take=_r(float(alloc.club_take[k, j])),
                shadow_price=_r(float(alloc.shadow[k, j]), 6),
                source_id=plants[k].source_id,
            )
            for k in np.argsort(-alloc.residual[:, j])
            if alloc.shadow[k, j] > 0 and alloc.residual[k, j] > 1e-9
        )
        member_rows = tuple(
            AlliedMemberAllocation(
                member=m.key,
                name=m.name,
                demand=_r(float(d_members[i, j])),
                allocation=_r(float(alloc.members[i, j])),
                shortfall=_r(float(alloc.shortfall[i, j])),
            )
            for i, m in enumerate(members)
        )
        cap_j = caps[:, j]
        by_year.append(
            AlliedYear(
                year=y,
                world_demand=_r(float(d_world[j])),
                club_demand=_r(float(d_members[:, j].sum())),
                others_demand=_r(float(d_others[j])),
                capacity_total=_r(float(cap_j.sum())),
                eligible_capacity=_r(float(cap_j[eligible].sum())),
                excluded_capacity=_r(float(cap_j[~eligible].sum())),
                others_take_eligible=_r(float(alloc.others_take[eligible, j].sum())),
                left_for_club=_r(float(alloc.residual[:, j].sum())),
                secured=_r(float(alloc.secured[j])),
                shortfall=_r(float(d_members[:, j].sum() - alloc.secured[j])),
                upstream_secured=None if up_secured is None else _r(float(up_secured[j])),
                chain_secured=(
                    None if up_secured is None else _r(float(min(alloc.secured[j], up_secured[j])))
                ),
                club_short=bool(alloc.shadow[:, j].any()),
                members=member_rows,
                binding=binding,
                difference=tuple(diffs[j]),
            )
        )

    names_map = names
    conf = _confidence(view)
    fac_rows = [
        AlliedFacility(
            **fields_of(_plant_row(p, names_map, conf)),
            capacity_by_year=_by_year(years, caps[i_p]),
            eligible=bool(eligible[i_p]),
            stored_stage=ABSENT
            if from_parent is None
            else (stage if p.facility_id in from_parent.own_rows else from_parent.stage),
            reason=reasons[i_p],
            pfe=_verdict(p, flagged, unsure) if exclude_pfe else ABSENT,
        )
        for i_p, p in enumerate(plants)
    ]
    fac_rows.sort(key=lambda r: (not r.eligible, -(r.capacity or 0)))
    src_ids = {p.source_id for p in plants_all} | {
        p.status_source_id for p in plants_all if p.status_source_id
    }
    src_ids |= {r.source_id for _, r in dem_rows if r.source_id}
    if world.source_id:
        src_ids.add(str(world.source_id))
    assumptions = [
        f"pipeline {pipeline!r}: status weights {PIPELINES[pipeline]} (the 'risked' weights are "
        "this tool's assumptions, not published probabilities)",
        "ramp-up: a plant reaches (year - start + 1) / ramp_years of nameplate, capped at 1",
        f"rule {rule!r}: see derisk.analysis.allocation for the equations",
        f"demand grows {demand_growth:.1%} a year from {base_year}",
        "output is capacity: plants are taken to run at nameplate when demand is there",
    ]
    if world.basis == "world-output":
        assumptions.append(
            "world demand = world output of the stage in the source year (stocks and recycling "
            "ignored)"
        )
    gaps: list[AlliedGap] = []
    if unknown:
        gaps.append(
            AlliedGap(
                what="capacity unknown",
                facilities=tuple(p.facility_id for p in unknown),
                effect="not counted as available (unknown is not zero, nor China-free)",
            )
        )
    low = tuple(p.facility_id for p in plants if conf.get(p.source_id) == "L")
    if low:
        gaps.append(
            AlliedGap(
                what="low-confidence capacities",
                facilities=low,
                effect=f"{len(low)} of {len(plants)} plants carry an unverified (L) figure",
            )
        )
    if from_parent is not None and from_parent.product_not_stated:
        gaps.append(
            AlliedGap(
                what="product not stated",
                facilities=from_parent.product_not_stated,
                effect=f"{from_parent.stage} rows whose product is not stated (or that mix "
                f"salts without a split) are not counted as {stage} capacity",
            )
        )
    if from_parent is not None:
        notes.append(
            f"{stage}: {len(from_parent.own_rows) or 'no'} facility rows of its own; "
            f"answered from them and {len(from_parent.taken)} {from_parent.stage} rows "
            f"({from_parent.rule})"
        )
    gaps.append(
        AlliedGap(
            what="feed not traced plant to plant",
            facilities=(),
            effect=f"the origin of the feed of {stage} plants is not checked: a China-free "
            "plant may run on Chinese intermediates",
        )
    )
    if rule != "market":
        notes.append(
            f"{rule}: non-members take their share of every plant; the club may use the rest of "
            "the eligible plants up to its demand"
        )
    return Allied(
        schema=ALLIED_SCHEMA,
        material=material,
        material_name=spec.name,
        stage=stage,
        stage_name=spec.stage(stage).name,
        unit=unit,
        as_of=when.isoformat(),
        rule=rule,
        pipeline=pipeline,
        pipeline_weights=MappingProxyType(PIPELINES[pipeline]),
        years=tuple(years),
        club=tuple(
            AlliedClubMember(
                member=m.key,
                name=m.name,
                kind=m.kind,
                countries=m.countries,
                demand=_r(r.quantity),
                demand_year=r.year,
                demand_source=r.source_id,
                demand_basis=r.basis,
                demand_dataset=r.dataset,
                demand_set_aside=(
                    dataclasses.replace(r.set_aside, quantity=_r(r.set_aside.quantity))
                    if r.set_aside
                    else None
                ),
            )
            for m, (_, r) in zip(members, dem_rows, strict=True)
        ),
        world_demand=AlliedWorldDemand(
            quantity=_r(world.quantity),
            year=world.year,
            source_id=world.source_id,
            basis=world.basis,
        ),
        demand_growth=demand_growth,
        excluded=AlliedExclusions(
            countries=tuple(sorted(excluded)),
            default=defaulted,
            groups=tuple(group_report),
            entities=tuple(entity_ids),
            pfe=(
                AlliedPfeExclusion(
                    rule=pfe_rule,
                    facilities=tuple(
                        sorted(
                            p.facility_id
                            for p, r in zip(plants, reasons, strict=True)
                            if r and "prohibited" in r
                        )
                    ),
                )
                if exclude_pfe
                else None
            ),
        ),
        by_year=tuple(by_year),
        upstream=upstream,
        facilities=tuple(fac_rows),
        gaps=tuple(gaps),
        assumptions=tuple(assumptions),
        notes=tuple(notes),
        from_parent_stage=from_parent,
        sources=_source_meta(view, src_ids),
    )


__all__ = [
    "ALLIED_SCHEMA",
    "DEFAULT_YEARS",
    "FACILITIES_SCHEMA",
    "FACILITY_SCHEMA",
    "AlliedQuery",
    "FacilityQuery",
    "Plant",
    "allied",
    "allied_supply",
    "facility_list",
    "list_facilities",
    "load_plants",
    "parse_demands",
    "parse_years",
    "resolve_member",
    "show_facility",
]
