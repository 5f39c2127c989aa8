"""Re-sourcing service: how much of a material can reach a country without excluded countries,
groups or entities at any stage, the least-cost plan for a demand, and what binds.

The stage network (:mod:`derisk.services.network`) becomes a flow network:

* ``supply -> site`` at the first modelled stage, capacity = the site's available output;
* ``site -> place``: stage-``s`` material moves to a country that processes stage ``s+1``
  (freight between different countries);
* ``place -> site`` of stage ``s+1``: processing, capacity = the site's available output divided
  by the yield, gain = yield, cost = tolling fee;
* ``site -> destination`` at the last stage: price of the material from that origin + freight.

Blocked (carry no flow): sites and places in excluded countries, facilities of excluded
entities, and -- whenever anything is excluded -- output of unknown origin (a source's
"other countries", unnamed rank blocks, unallocated rest), because its origin cannot be
checked. ``max_supply_upper`` is the maximum if that output of unknown origin were eligible.
Withheld figures are unknown and never counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from derisk.analysis.resource import FlowNetwork, ShareCap, max_flow, min_cost_plan
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.record import fields_of
from derisk.services.common import NotFound, cited_sources
from derisk.services.common import round_or_none as _r
from derisk.services.costs import CostModel, add_trade_unit_values, load_costs
from derisk.services.lookup import FIND_ENTITY
from derisk.services.network import Site, StageData, build_stage_network
from derisk.services.results import SourceMeta
from derisk.services.results.resource import (
    Binding,
    CostBasis,
    Excluded,
    ExcludedEntity,
    ExcludedGroup,
    ExcludedPfe,
    Freight,
    NetworkSize,
    PlanRow,
    PriceRow,
    ProcessingRate,
    Reroute,
    RerouteOptions,
    RerouteSite,
    StageGap,
    StageSummary,
    WithheldSite,
)
from derisk.store.view import View

REROUTE_SCHEMA = "derisk.reroute/1"
SOURCE, SINK = 0, 1


@dataclass
class Arc:
    kind: str  # supply | trade | processing | delivery
    stage: str  # stage of the material on the arc (output stage for processing)
    tail_label: str
    head_label: str
    tail_country: str | None
    head_country: str | None
    site: Site | None = None
    capacity_out: float | None = None  # capacity in output units (t/yr)


@dataclass(frozen=True)
class ShareOf:
    """The stage and country a share cap limits."""

    stage: str
    country: str


@dataclass
class Built:
    net: FlowNetwork
    arcs: list[Arc]
    blocked_strict: np.ndarray
    blocked_known: np.ndarray
    shares: list[ShareCap]
    share_meta: list[ShareOf]
    site_nodes: dict[str, int] = field(default_factory=dict)


def _as_of(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def group_members(view: View, group: str, when: dt.date) -> list[str]:
    view = view.at(when)
    if not view.group_exists(group):
        raise NotFound(f"unknown group {group!r}; groups: {', '.join(view.group_ids())}")
    return [m.iso3 for m in view.group_members(group)]


def _entity_facilities(
    view: View, entity_ids: list[str], sites: list[Site]
) -> tuple[set[str], list[ExcludedEntity]]:
    """Facility sites excluded by the entity ids, and what each id did."""
    blocked: set[str] = set()
    report: list[ExcludedEntity] = []
    known = {e.entity_id: e for e in view.all_entities()}
    for eid in entity_ids:
        if eid not in known:
            raise NotFound(f"unknown entity {eid!r}; {FIND_ENTITY}")
        hit = [
            s.site_id
            for s in sites
            if s.entity_id is not None and (s.entity_id == eid or s.operator_id == eid)
        ]
        blocked.update(hit)
        report.append(
            ExcludedEntity(
                entity=eid,
                name=known[eid].name,
                kind=known[eid].kind,
                sites=tuple(hit),
                effect=(
                    f"{len(hit)} facility site(s) excluded"
                    if hit
                    else "no facility capacity facts for this entity in the modelled stages: "
                    "its output is inside country totals and cannot be excluded separately"
                ),
            )
        )
    return blocked, report


def _pfe_entities(view: View, when: dt.date) -> tuple[list[str], list[str], str]:
    """Entities flagged (and indeterminate) as prohibited foreign entities by screening."""
    from derisk.services import screening

    res = screening.screen(view.at(when), rule="pfe", all_entities=True)
    flagged = [r["id"] for r in res["entities"] if r["verdict"] == "flagged"]
    unsure = [r["id"] for r in res["entities"] if r["verdict"] == "indeterminate"]
    rule = res.get("rule", {})
    label = (
        f"{rule.get('rule', 'pfe')} ({rule.get('version', '')})"
        if isinstance(rule, dict)
        else "pfe"
    )
    return flagged, unsure, label


def _place_key(site: Site) -> str:
    return site.country if site.country is not None else f"?{site.site_id}"


def _label(site: Site) -> str:
    return site.label if site.basis in ("facility", "unallocated") else site.country or site.label


def build_flow_network(
    chain: list[StageData],
    destination: str,
    costs: CostModel,
    *,
    excluded_countries: set[str],
    blocked_sites: set[str],
    strict_unknown: bool,
    spare_only: bool,
    max_country_share: float | None,
) -> Built:
    """Turn the modelled stages into a flow network (see the module docstring)."""
    tails: list[int] = []
    heads: list[int] = []
    caps: list[float] = []
    cost: list[float] = []
    gains: list[float] = []
    arcs: list[Arc] = []
    n = 2
    blocked_known: list[bool] = [False, False]
    blocked_unknown: list[bool] = [False, False]
    site_nodes: dict[str, int] = {}
    mat = chain[0].material

    def node(bad_known: bool, bad_unknown: bool) -> int:
        nonlocal n
        blocked_known.append(bad_known)
        blocked_unknown.append(bad_unknown)
        n += 1
        return n - 1

    def arc(t: int, h: int, u: float, c: float, g: float, meta: Arc) -> None:
        tails.append(t)
        heads.append(h)
        caps.append(u)
        cost.append(c)
        gains.append(g)
        arcs.append(meta)

    stage_nodes: list[list[tuple[Site, int]]] = []
    for st in chain:
        nodes = []
        for s in st.sites:
            bad = (s.country in excluded_countries) or s.site_id in blocked_sites
            nodes.append((s, node(bad, bad or not s.known_origin)))
            site_nodes[s.site_id] = nodes[-1][1]
        stage_nodes.append(nodes)

    def usable(s: Site) -> float:
        if spare_only:
            return s.spare or 0.0
        return s.available

    for s, v in stage_nodes[0]:
        arc(
            SOURCE,
            v,
            usable(s),
            0.0,
            1.0,
            Arc("supply", s.stage, _label(s), _label(s), s.country, s.country, s, usable(s)),
        )
    for i in range(len(chain) - 1):
        nxt = chain[i + 1]
        y = costs.yield_of(mat, nxt.stage)
        places: dict[str, int] = {}
        for s2, _ in stage_nodes[i + 1]:
            key = _place_key(s2)
            if key not in places:
                places[key] = node(
                    s2.country in excluded_countries,
                    not s2.known_origin or (s2.country in excluded_countries),
                )
        for s, v in stage_nodes[i]:
            for key, p in places.items():
                to_c = None if key.startswith("?") else key
                arc(
                    v,
                    p,
                    np.inf,
                    costs.freight(s.country, to_c),
                    1.0,
                    Arc(
                        "trade",
                        chain[i].stage,
                        _label(s),
                        to_c or key[1:],
                        s.country,
                        to_c,
                    ),
                )
        for s2, v2 in stage_nodes[i + 1]:
            p = places[_place_key(s2)]
            cap_out = usable(s2)
            arc(
                p,
                v2,
                cap_out / y,
                costs.fee(mat, nxt.stage, s2.country) * y,
                y,
                Arc(
                    "processing",
                    nxt.stage,
                    s2.country or _label(s2),
                    _label(s2),
                    s2.country,
                    s2.country,
                    s2,
                    cap_out,
                ),
            )
    last = chain[-1].stage
    for s, v in stage_nodes[-1]:
        price, _ = costs.price(mat, last, s.country)
        arc(
            v,
            SINK,
            np.inf,
            price + costs.freight(s.country, destination),
            1.0,
            Arc("delivery", last, _label(s), destination, s.country, destination, s),
        )
    net = FlowNetwork.build(n, tails, heads, caps, cost, gains)
    b_known = np.array(blocked_known, dtype=bool)
    b_unknown = np.array(blocked_unknown, dtype=bool)
    shares: list[ShareCap] = []
    share_meta: list[ShareOf] = []
    if max_country_share is not None:
        for st, nodes in zip(chain, stage_nodes, strict=True):
            out_arcs = {
                v: [
                    a
                    for a, (t, m) in enumerate(zip(tails, arcs, strict=True))
                    if t == v and m.kind in ("trade", "delivery")
                ]
                for _, v in nodes
            }
            base = np.array(sorted(a for lst in out_arcs.values() for a in lst), dtype=np.int64)
            by_country: dict[str, list[int]] = {}
            for s, v in nodes:
                if s.country is not None:
                    by_country.setdefault(s.country, []).extend(out_arcs[v])
            for c, lst in sorted(by_country.items()):
                if c in excluded_countries:
                    continue
                shares.append(
                    ShareCap(
                        f"{c} at most {max_country_share:.0%} of {st.stage}",
                        np.array(lst, dtype=np.int64),
                        max_country_share,
                        base=base,
                    )
                )
                share_meta.append(ShareOf(st.stage, c))
    return Built(
        net,
        arcs,
        b_unknown if strict_unknown else b_known,
        b_known,
        shares,
        share_meta,
        site_nodes,
    )


def _statement(kind: str, what: str, cost_sp: float, supply_sp: float, currency: str) -> str:
    parts = []
    if supply_sp > 1e-9:
        parts.append(f"raise the supply by {supply_sp:.3g} t/yr")
    if cost_sp < -1e-9:
        parts.append(f"cut the cost by {currency} {-cost_sp:,.4g}")
    unit = "t/yr more capacity" if kind == "capacity" else "t/yr more allowance"
    if not parts:
        return f"{what}: binding, but 1 {unit} would change neither supply nor cost"
    return f"1 {unit} at {what} would " + " and ".join(parts)


def _source_meta(view: View, ids: set[str]) -> tuple[SourceMeta, ...]:
    return cited_sources(view, ids)


def _withheld_site(s: Site) -> WithheldSite:
    return WithheldSite(
        site=s.site_id,
        stage=s.stage,
        country=s.country,
        label=s.label,
        production=_r(s.production),
        capacity=_r(s.capacity),
        available=_r(s.available),
        spare=_r(s.spare),
        status=s.status,
        basis=s.basis,
        year=s.year,
        entity=s.entity_id,
        operator=s.operator_id,
        facts=tuple(s.fact_ids),
        sources=tuple(s.source_ids),
        note=s.note,
    )


def reroute(view: View, options: RerouteOptions) -> Reroute:
    """Maximum China-free (or other-exclusion-free) supply and the least-cost plan, from the
    figures known on the view's date."""
    o = options
    material, demand, stage = o.material, o.demand, o.stage
    exclude_pfe, spare_only, max_country_share = o.exclude_pfe, o.spare_only, o.max_country_share
    year, destination = o.year, o.destination
    when = view.as_of
    dest = countries.resolve(destination)
    if not np.isfinite(demand) or demand <= 0:
        raise BadInputError("demand must be a quantity > 0 (t/yr)")
    if max_country_share is not None and not 0 < max_country_share <= 1:
        raise BadInputError("max-country-share must be a fraction in (0, 1]")
    network = build_stage_network(view, material, year=year)
    chain, gaps = network.chain(stage)
    costs = load_costs(o.costs_path)
    trade_uv = add_trade_unit_values(view, costs, material, chain[-1].stage)

    groups = list(o.exclude_groups)
    explicit = [countries.resolve(c) for c in o.exclude_countries if c.strip()]
    entity_ids = list(o.exclude_entities)
    defaulted = not (groups or explicit or entity_ids or exclude_pfe)
    excluded: set[str] = set(explicit)
    group_report = []
    for g in groups:
        members = group_members(view, g, when)
        excluded.update(members)
        group_report.append(ExcludedGroup(group=g, members=tuple(members)))
    if defaulted:
        excluded.add("CHN")
    sites = [s for st in chain for s in st.sites]
    blocked_sites, entity_report = _entity_facilities(view, entity_ids, sites)
    pfe_report: ExcludedPfe | None = None
    if exclude_pfe:
        flagged, unsure, rule = _pfe_entities(view, when)
        hit = {
            s.site_id
            for s in sites
            if s.entity_id is not None and (s.entity_id in flagged or s.operator_id in flagged)
        }
        blocked_sites |= hit
        pfe_report = ExcludedPfe(
            rule=rule,
            flagged_entities=len(flagged),
            indeterminate_entities=len(unsure),
            sites=tuple(sorted(hit)),
            indeterminate_sites=tuple(
                sorted(
                    s.site_id
                    for s in sites
                    if s.entity_id is not None
                    and (s.entity_id in unsure or s.operator_id in unsure)
                )
            ),
            effect=(
                f"{len(hit)} facility site(s) excluded"
                if hit
                else "no facility capacity facts for flagged entities in the modelled stages"
            ),
        )
    strict = bool(excluded or blocked_sites or entity_ids or exclude_pfe)
    built = build_flow_network(
        chain,
        dest,
        costs,
        excluded_countries=excluded,
        blocked_sites=blocked_sites,
        strict_unknown=strict,
        spare_only=spare_only,
        max_country_share=max_country_share,
    )
    net = built.net
    mf = max_flow(net, SOURCE, SINK, blocked=built.blocked_strict, shares=built.shares)
    plan = min_cost_plan(
        net, SOURCE, SINK, demand, blocked=built.blocked_strict, shares=built.shares,
        flow_limit=mf,
    )  # fmt: skip
    upper = max_flow(net, SOURCE, SINK, blocked=built.blocked_known, shares=built.shares)
    tol = 1e-9 * max(1.0, plan.delivered)

    plan_rows = []
    for a, meta in enumerate(built.arcs):
        x = float(plan.flow[a])
        if x <= tol:
            continue
        qty = x * float(net.gain[a]) if meta.kind == "processing" else x
        plan_rows.append(
            PlanRow(
                from_=meta.tail_label,
                to=meta.head_label,
                stage=meta.stage,
                kind=meta.kind,
                quantity=_r(qty, 3),
                cost=_r(x * float(net.cost[a]), 2),
                from_country=meta.tail_country,
                to_country=meta.head_country,
                site=meta.site.site_id if meta.site else None,
            )
        )
    binding: list[Binding] = []
    for a, meta in enumerate(built.arcs):
        if meta.kind not in ("supply", "processing") or meta.site is None:
            continue
        if built.blocked_strict[net.tail[a]] or built.blocked_strict[net.head[a]]:
            continue
        u = float(net.capacity[a])
        x = float(plan.flow[a])
        gain = float(net.gain[a])
        cost_sp = float(plan.cost_marginal[a]) / gain
        supply_sp = float(mf.supply_marginal[a]) / gain
        tight = u > 0 and x >= u - 1e-7 * max(1.0, u)
        binds = []
        if tight or abs(cost_sp) > 1e-9:
            binds.append("plan")
        if supply_sp > 1e-9:
            binds.append("max_supply")
        if not binds:
            continue
        what = f"{_label(meta.site)} {meta.stage}"
        binding.append(
            Binding(
                constraint=f"capacity of {what} (t/yr)",
                kind="capacity",
                binds=tuple(binds),
                stage=meta.stage,
                site=meta.site.site_id,
                country=meta.site.country,
                capacity=_r(u * gain),
                flow=_r(x * gain),
                shadow_price=_r(cost_sp, 4),
                supply_shadow_price=_r(supply_sp, 6),
                statement=_statement("capacity", what, cost_sp, supply_sp, costs.currency),
            )
        )
    for k, (cap, meta2) in enumerate(zip(built.shares, built.share_meta, strict=True)):
        cost_sp = float(plan.share_cost_marginal[k]) if plan.share_cost_marginal.size else 0.0
        supply_sp = float(mf.share_marginal[k]) if mf.share_marginal.size else 0.0
        binds = (["plan"] if abs(cost_sp) > 1e-9 else []) + (
            ["max_supply"] if supply_sp > 1e-9 else []
        )
        if not binds:
            continue
        binding.append(
            Binding(
                constraint=cap.label,
                kind="share",
                binds=tuple(binds),
                stage=meta2.stage,
                site=None,
                country=meta2.country,
                capacity=None,
                flow=None,
                shadow_price=_r(cost_sp, 4),
                supply_shadow_price=_r(supply_sp, 6),
                statement=_statement("share", cap.label, cost_sp, supply_sp, costs.currency),
            )
        )
    binding.sort(
        key=lambda b: (
            "plan" not in b.binds,
            b.shadow_price or 0,
            -(b.supply_shadow_price or 0),
            b.constraint,
        )
    )

    used_flow: dict[str, float] = {}
    for a, meta in enumerate(built.arcs):
        if meta.kind in ("supply", "processing") and meta.site is not None:
            used_flow[meta.site.site_id] = float(plan.flow[a] * net.gain[a])
    site_rows: list[RerouteSite] = []
    src_ids: set[str] = set()
    for st in chain:
        for s in st.sites:
            node = built.site_nodes[s.site_id]
            reason = None
            if s.country in excluded:
                reason = "excluded country"
            elif s.site_id in blocked_sites:
                reason = "excluded entity"
            elif built.blocked_strict[node]:
                reason = "origin unknown (cannot be checked)"
            site_rows.append(
                RerouteSite(
                    **fields_of(_withheld_site(s)),
                    excluded=reason is not None,
                    reason=reason,
                    usable=_r(s.spare or 0.0) if spare_only else _r(s.available),
                    used=_r(used_flow.get(s.site_id, 0.0)),
                )
            )
            src_ids.update(s.source_ids)
    withheld = [_withheld_site(w) for st in chain for w in st.withheld]
    summary: list[StageSummary] = []
    unknown = "origin unknown (cannot be checked)"
    for st in chain:
        rows_st = [r for r in site_rows if r.stage == st.stage]
        summary.append(
            StageSummary(
                stage=st.stage,
                year=st.year,
                source_id=st.source_id,
                data_kind=st.kind,
                eligible=_r(sum(r.usable or 0 for r in rows_st if not r.excluded), 3),
                excluded=_r(
                    sum(r.usable or 0 for r in rows_st if r.excluded and r.reason != unknown), 3
                ),
                unknown_origin=_r(sum(r.usable or 0 for r in rows_st if r.reason == unknown), 3),
                withheld=tuple(w.site_id for w in st.withheld),
                used=_r(sum(r.used or 0 for r in rows_st), 3),
            )
        )
    for st in chain:
        for w in st.withheld:
            src_ids.update(w.source_ids)

    last = chain[-1].stage
    rate = costs.prices.get((material, last))
    price_rows: list[PriceRow] = []
    if rate is not None:
        if rate.default is not None:
            price_rows.append(
                PriceRow(
                    stage=last,
                    origin="default",
                    value=rate.default,
                    basis=rate.origin,
                    source=rate.source,
                    note=rate.note,
                )
            )
            if rate.source:
                src_ids.add(rate.source)
        for c, v in sorted(rate.by_country.items()):
            price_rows.append(
                PriceRow(
                    stage=last,
                    origin=c,
                    value=_r(v, 2),
                    basis=rate.country_origin.get(c, rate.origin),
                    source=None,
                    note=None,
                )
            )
    for info in trade_uv.values():
        src_ids.update(info.sources)
    by_kind: dict[str, set[float]] = {}
    for c, arc_meta in zip(net.cost, built.arcs, strict=True):
        by_kind.setdefault(arc_meta.kind, set()).add(round(float(c), 9))
    uniform = all(len(v) <= 1 for v in by_kind.values())
    cost_basis = CostBasis(
        currency=costs.currency,
        unit=f"{costs.currency} per t",
        prices=tuple(price_rows),
        trade_unit_values=trade_uv,
        freight=Freight(
            default=costs.freight_default,
            routes={f"{a}-{b}": v for (a, b), v in sorted(costs.freight_routes.items())},
            basis=costs.freight_origin,
            note=costs.freight_note,
        ),
        processing={
            f"{m}:{s}": ProcessingRate(
                default=r.default, by_country=dict(r.by_country), basis=r.origin
            )
            for (m, s), r in sorted(costs.processing.items())
            if m == material
        },
        yields={st.stage: costs.yield_of(material, st.stage) for st in chain[1:]},
        files=tuple(costs.files),
        note=(
            "no price for this stage: the plan minimises freight and fees only"
            if not price_rows
            else "prices are paid on delivery of the last modelled stage; upstream stages "
            "carry freight and tolling fees only"
        ),
    )
    notes = list(network.notes)
    if uniform:
        notes.append(
            "every route costs the same: the plan is one of many least-cost plans "
            "(give origin prices or freight in a cost file to rank suppliers)"
        )
    if plan.unmet > tol:
        notes.append(
            f"demand exceeds the supply that avoids the exclusions: {plan.unmet:,.6g} t/yr unmet"
        )
    if withheld:
        notes.append(
            f"{len(withheld)} withheld or unavailable figure(s) are not counted as available: "
            + ", ".join(w.site for w in withheld)
        )
    if upper.value > mf.value + tol:
        notes.append(
            f"output of unknown origin could add up to {upper.value - mf.value:,.6g} t/yr; "
            "it is excluded because its origin cannot be checked"
        )
    if spare_only:
        unknown_spare = [s.site_id for st in chain for s in st.sites if s.spare is None]
        if unknown_spare:
            notes.append(
                f"spare capacity unknown for {len(unknown_spare)} site(s): counted as none"
            )
    notes.extend(plan.notes)

    return Reroute(
        material=material,
        material_name=network.name,
        destination=dest,
        destination_name=countries.name(dest),
        demand=_r(demand),
        unit="t/yr",
        stage=last,
        stages=tuple(st.stage for st in chain),
        as_of=when.isoformat(),
        excluded=Excluded(
            countries=tuple(sorted(excluded)),
            default=defaulted,
            groups=tuple(group_report),
            entities=tuple(entity_report),
            pfe=pfe_report,
            unknown_origin=strict,
        ),
        max_supply=_r(mf.value, 3),
        max_supply_upper=_r(upper.value, 3),
        delivered=_r(plan.delivered, 3),
        unmet=_r(plan.unmet, 3),
        cost=_r(plan.cost, 2),
        cost_basis=cost_basis,
        plan=tuple(plan_rows),
        binding=tuple(binding),
        max_country_share=max_country_share,
        spare_only=spare_only,
        stage_summary=tuple(summary),
        sites=tuple(site_rows),
        withheld=tuple(withheld),
        gaps=tuple(StageGap(**g) for g in gaps),
        network=NetworkSize(nodes=net.n_nodes, arcs=net.n_arcs, method=mf.method),
        notes=tuple(notes),
        sources=_source_meta(view, src_ids),
    )


__all__ = [
    "REROUTE_SCHEMA",
    "RerouteOptions",
    "build_flow_network",
    "group_members",
    "reroute",
]
