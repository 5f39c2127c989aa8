"""Product tracing: a product's inputs back to the mines, stage by stage, with the evidence.

For each material of a product's bill of materials, the supply links valid at the as-of date
are followed upstream from the product's facility (:mod:`derisk.analysis.trace` has the
recurrence). Every stage of the material's chain gets its origin by country and by facility
(with the operator's screening status), each part marked ``traced`` (firm-level links) or
``statistical`` (the stage's country shares from the exposure data, standing in for the
suppliers that the links do not name) or ``unknown``. The mass balance of every facility --
the share of its input that no link explains -- is listed with the operator to ask.

Placement of a facility in a material's chain (``position``): its own stage when the facility
belongs to that material; otherwise the ``stage_id`` its supply links of the material give;
a facility that only receives the material (a product plant of another material) sits at the
pseudo-stage ``production`` after the chain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from derisk.analysis.exposure import concentration
from derisk.analysis.trace import (
    STATISTICAL,
    TRACED,
    UNKNOWN,
    Edge,
    MaterialGraph,
    Node,
    OriginKey,
    StageDist,
    collapse,
    paths,
    reach,
    stage_origin,
)
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import MaterialSpec, load_catalog
from derisk.model.products import BomLine, Product, SupplyLink
from derisk.rules.certify import KIND_TO_STAGE
from derisk.services.common import NotFound, candidates, pick, source_meta
from derisk.services.common import round_or_none as _round
from derisk.services.results import SourceMeta, source_record
from derisk.services.results.trace import (
    AskWhom,
    BalanceRow,
    CountryOrigin,
    EntityOrigin,
    MaterialTraceResult,
    MissingItem,
    PartInfo,
    ScreeningStatus,
    StagePart,
    StatisticalSource,
    SupplyLinkInfo,
    Trace,
    TraceEntity,
    TraceFacility,
    TracePathInfo,
    TraceProduct,
    TraceStage,
)
from derisk.services.screening import screen
from derisk.store.view import View, valid_at

TRACE_SCHEMA = "derisk.trace/1"
PRODUCTION = "production"
PATH_LIMIT = 2000


def _when(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


VALID = valid_at()
"""The in-force filter (binds the date twice), for the modules whose SQL is not yet in the store."""


# -- screening: the one call site of the ownership screening service -----------------------------

SCREEN_VERDICTS = {"flagged": "{rule}", "clear": "not-{rule}", "indeterminate": "unknown"}


def _screen_verdict(rule: str, verdict: str) -> str:
    return SCREEN_VERDICTS.get(verdict, "unknown").format(rule=rule)


def _explain(res: Mapping[str, Any]) -> str:
    """One sentence from a ``derisk.screen/1`` result: the verdict and the tests that decided."""
    parts: list[str] = []
    groups = [(k, c["tests"]) for k, c in res.get("components", {}).items()] or [
        ("", res.get("tests", []))
    ]
    for comp, tests in groups:
        for tst in tests:
            if tst.get("result") != "flagged" or tst.get("test") in ("sfe", "fie", "feoc"):
                continue
            label = f"{comp.upper()} {tst['test']}" if comp else tst["test"]
            if "value" in tst and "threshold" in tst:
                label += (
                    f" {100 * tst['value']:.4g}% {tst.get('comparison', '>=')} "
                    f"{100 * tst['threshold']:.4g}%"
                )
            parts.append(label)
    ent = res.get("entity", {})
    head = f"{ent.get('name', ent.get('id'))}: {res['rule']['rule']} {res['verdict']}"
    text = head + (f" ({'; '.join(parts)})" if parts else "")
    for c in res.get("caveats", []):
        text += f"; {c}"
    return text


class Screener:
    """Ownership screening (:mod:`derisk.services.screening`) of entities on one date.

    A facility is screened through its operator. ``status(..., detail=False)`` uses one
    screening of every entity per rule (cached); ``detail=True`` screens the one entity with
    the tests that decided it.
    """

    def __init__(self, view: View, as_of: dt.date) -> None:
        self.view = view
        self.when = as_of
        self._bulk: dict[str, dict[str, Mapping[str, Any]] | str] = {}
        self._detail: dict[tuple[str, str], ScreeningStatus] = {}
        self._operators: dict[str, tuple[str, str | None]] = {}

    def _target(self, entity_id: str) -> tuple[str | None, str | None]:
        """(entity to screen, reason it cannot be screened)."""
        if entity_id not in self._operators:
            e = self.view.at(self.when).entity(entity_id)
            self._operators[entity_id] = (e.kind, e.operator_id) if e else ("", None)
        kind, operator = self._operators[entity_id]
        if not kind:
            return None, f"no entity {entity_id!r} in the store"
        if kind == "facility":
            if operator is None:
                return None, f"the operator of facility {entity_id!r} is not recorded"
            return operator, None
        return entity_id, None

    def status(self, entity_id: str, rule: str, detail: bool = False) -> ScreeningStatus:
        target, why = self._target(entity_id)
        if target is None:
            return ScreeningStatus(verdict="unknown", explanation=why, screened_entity=None)
        if detail:
            key = (target, rule)
            if key not in self._detail:
                try:
                    res = screen(self.view.at(self.when), target, rule=rule)
                except (ValueError, LookupError) as exc:
                    self._detail[key] = ScreeningStatus(
                        verdict="unknown",
                        explanation=str(exc.args[0] if exc.args else exc),
                        screened_entity=target,
                    )
                else:
                    self._detail[key] = ScreeningStatus(
                        verdict=_screen_verdict(rule, res["verdict"]),
                        explanation=_explain(res),
                        screened_entity=target,
                        screen_verdict=res["verdict"],
                        rule_version=res["rule"].get("version"),
                        sources=tuple(s["source_id"] for s in res.get("sources", [])),
                    )
            return self._detail[key]
        if rule not in self._bulk:
            try:
                res = screen(self.view.at(self.when), rule=rule, all_entities=True)
                self._bulk[rule] = {r["id"]: r for r in res["entities"]}
            except (ValueError, LookupError) as exc:
                self._bulk[rule] = str(exc.args[0] if exc.args else exc)
        bulk = self._bulk[rule]
        if isinstance(bulk, str):
            return ScreeningStatus(verdict="unknown", explanation=bulk, screened_entity=target)
        row = bulk.get(target)
        if row is None:
            return ScreeningStatus(
                verdict="unknown",
                explanation=f"{target!r} could not be screened",
                screened_entity=target,
            )
        flagged = ", ".join(row.get("flagged_by") or [])
        return ScreeningStatus(
            verdict=_screen_verdict(rule, row["verdict"]),
            explanation=f"{row['name']}: {rule} {row['verdict']}"
            + (f" (by {flagged})" if flagged else ""),
            screened_entity=target,
            screen_verdict=row["verdict"],
        )


def screening_status(view: View, entity_id: str, rule: str, as_of: dt.date) -> ScreeningStatus:
    """Screening verdict of an entity under ``rule`` (``pfe``, ``feoc``, ``sfe``, ``fie``).

    ``verdict`` is ``pfe``/``not-pfe`` (``feoc``/
    ``not-feoc``, ...) or ``unknown`` when the ownership screening is indeterminate or the
    entity cannot be screened (a facility without a recorded operator). A facility is screened
    through its operator.
    """
    return Screener(view, as_of).status(entity_id, rule, detail=True)


# -- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    kind: str
    country: str | None
    facility_type: str | None
    material_id: str | None
    stage_id: str | None
    operator_id: str | None
    source_id: str


def load_product(view: View, product_id: str, when: dt.date) -> Product:
    rows = view.rows(Product, {"product_id": product_id})
    valid = [
        p
        for p in rows
        if (p.valid_from is None or p.valid_from <= when)
        and (p.valid_to is None or when <= p.valid_to)
    ]
    if not valid:
        if rows:
            raise NotFound(f"product {product_id!r} is not valid on {when}")
        known = view.at(when).product_ids(20)
        hint = (
            f"; products: {', '.join(known)}" if known else "; run `derisk import example products`"
        )
        raise NotFound(f"no product {product_id!r}{hint}")
    return valid[0]


def load_bom(view: View, product_id: str, when: dt.date) -> list[BomLine]:
    return [
        b
        for b in view.rows(BomLine, {"product_id": product_id})
        if (b.valid_from is None or b.valid_from <= when)
        and (b.valid_to is None or when <= b.valid_to)
    ]


def load_entities(view: View, ids: Iterable[str], when: dt.date) -> dict[str, Facility]:
    """Entities (facilities and companies) by id, valid at the date."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        e.entity_id: Facility(
            e.entity_id,
            e.name,
            e.kind,
            e.country,
            e.facility_type,
            e.material_id,
            e.stage_id,
            e.operator_id,
            e.source_id,
        )
        for e in view.at(when).entities(wanted)
    }


def world_dists(view: View, spec: MaterialSpec, when: dt.date) -> dict[int, StageDist]:
    """Country shares of each stage of a material (latest year, by source precedence).

    Named countries' shares are taken as given (scaled down if the source's named figures
    exceed its total); unnamed rank blocks, withheld figures and the unallocated rest are
    unknown.
    """
    cands = candidates(view.at(when), spec.id)
    out: dict[int, StageDist] = {}
    for i, s in enumerate(spec.stages):
        best, _ = pick(cands.get((spec.id, s.id), []), None)
        if best is None:
            continue
        k = concentration(
            list(best.lines), best.world_total if best.kind == "quantities" else None, ()
        )
        named = {c.country: c.share for c in k.shares if c.share > 0}
        total = sum(named.values())
        if total > 1.0:
            named = {c: v / total for c, v in named.items()}
            total = 1.0
        out[i] = StageDist(named, max(0.0, 1.0 - total), best.source_id, best.year)
    return out


def position(fac: Facility | None, spec: MaterialSpec, supplied_stages: set[str | None]) -> int:
    """Position of a facility in a material's chain (see module doc); ``len(stages)`` for the
    pseudo-stage ``production``. Raises ``ValueError`` when it cannot be placed."""
    ids = [s.id for s in spec.stages]
    K = len(ids)
    if fac is not None and fac.material_id == spec.id and fac.stage_id in ids:
        return ids.index(fac.stage_id)
    given = {s for s in supplied_stages if s}
    if len(given) > 1:
        raise BadInputError(
            f"facility {fac.id if fac else '?'!r} supplies {spec.id} at several stages "
            f"({', '.join(sorted(given))})"
        )
    if given:
        stage = next(iter(given))
        if stage == PRODUCTION:
            return K
        if stage not in ids:
            raise BadInputError(f"{spec.id} has no stage {stage!r} (stages: {', '.join(ids)})")
        return ids.index(stage)
    if not supplied_stages:
        return K
    if fac is not None and fac.stage_id in ids:
        return ids.index(fac.stage_id)
    raise BadInputError(
        f"cannot place facility {fac.id if fac else '?'!r} in the {spec.id} chain: give the "
        "stage_id of the material it delivers on its supply links"
    )


@dataclass(frozen=True, slots=True)
class StageLabel:
    """A stage of a material's chain with the rule stage it counts as."""

    stage: str
    name: str
    kind: str
    rule_stage: str


def stage_labels(spec: MaterialSpec) -> list[StageLabel]:
    """Chain stages plus the pseudo-stage ``production``, with the rule stage of each."""
    out = [StageLabel(s.id, s.name, s.kind, KIND_TO_STAGE.get(s.kind, s.kind)) for s in spec.stages]
    out.append(StageLabel(PRODUCTION, "Production of the product", "production", PRODUCTION))
    return out


# -- building one material's graph ---------------------------------------------------------------


@dataclass
class Part:
    """One way a material reaches the product: a direct BOM line, or through a sub-component."""

    line_id: str
    start: str
    weight: float | None
    unit: str | None
    component: str | None = None


@dataclass
class MaterialTrace:
    spec: MaterialSpec
    graph: MaterialGraph
    facilities: dict[str, Facility]
    links: dict[str, SupplyLinkInfo]
    parts: list[Part]
    top: int
    missing: list[MissingItem] = field(default_factory=list)


def _fetch_links(
    view: View, material: str, customers: Sequence[str], when: dt.date
) -> list[SupplyLink]:
    return view.at(when).supply_links(material, customers=customers)


def _supplied_stages(
    view: View, material: str, ids: Sequence[str], when: dt.date
) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = defaultdict(set)
    for link in view.at(when).supply_links(material, suppliers=ids):
        out[link.supplier_id].add(link.stage_id)
    return out


def build_material(
    view: View,
    spec: MaterialSpec,
    product: Product,
    bom: Mapping[str, list[BomLine]],
    when: dt.date,
) -> MaterialTrace:
    """The supply graph of one material upstream of a product (and its sub-components)."""
    parts_raw = _parts(view, product, spec.id, bom, when, seen=(product.product_id,))
    starts = {product.facility_id} | {f for _p, _w, _u, f, _c in parts_raw if f}
    # Breadth-first over customers, fetching their links of this material.
    links: dict[str, SupplyLinkInfo] = {}
    frontier = sorted(starts)
    seen_f: set[str] = set(frontier)
    inputs: dict[str, list[Edge]] = defaultdict(list)
    while frontier:
        rows = _fetch_links(view, spec.id, frontier, when)
        nxt: list[str] = []
        for r in rows:
            lid, sup, cust, share, src = (
                r.link_id,
                r.supplier_id,
                r.customer_id,
                r.share,
                r.source_id,
            )
            stage, qty, unit, note = r.stage_id, r.quantity, r.unit, r.note
            links[lid] = SupplyLinkInfo(
                link_id=lid,
                supplier=sup,
                customer=cust,
                share=share,
                source_id=src,
                stage=stage,
                quantity=qty,
                unit=unit,
                note=note,
            )
            inputs[cust].append(Edge(lid, sup, cust, share, src))
            if sup not in seen_f:
                seen_f.add(sup)
                nxt.append(sup)
        frontier = sorted(nxt)
    facs = load_entities(view, seen_f, when)
    unknown_fac = sorted(f for f in seen_f if f not in facs)
    if unknown_fac:
        raise BadInputError(
            f"supply links of {spec.id} name facilities that are not in the store (or not valid "
            f"on {when}): {', '.join(unknown_fac)}"
        )
    supplied = _supplied_stages(view, spec.id, sorted(seen_f), when)
    nodes: dict[str, Node] = {}
    for f in seen_f:
        fac = facs[f]
        nodes[f] = Node(f, fac.country, position(fac, spec, supplied.get(f, set())))
    g = MaterialGraph(spec.id, (*(s.id for s in spec.stages), PRODUCTION), nodes)
    for edges in inputs.values():
        for e in edges:
            g.add_edge(e)
    top = nodes[product.facility_id].pos
    parts: list[Part] = []
    for i, (line_id, w, unit, start, comp) in enumerate(parts_raw):
        if comp is None:
            parts.append(Part(line_id, product.facility_id, w, unit))
            continue
        # A sub-component: a virtual node at the product facility, fed wholly by the
        # component's facility (its own stages come from its links).
        vid = f"{product.facility_id}#{line_id}#{i}"
        g.nodes[vid] = Node(vid, facs[product.facility_id].country, top)
        g.add_edge(Edge(f"{line_id}:{comp}", start, vid, 1.0, None))
        parts.append(Part(line_id, vid, w, unit, comp))
    g.world.update(world_dists(view, spec, when))
    return MaterialTrace(spec, g, facs, links, parts, top)


def _parts(
    view: View,
    product: Product,
    material: str,
    bom: Mapping[str, list[BomLine]],
    when: dt.date,
    seen: tuple[str, ...],
) -> list[tuple[str, float | None, str | None, str, str | None]]:
    """(line id, weight, unit, start facility, component) for each way ``material`` reaches
    ``product``: direct lines arrive at its facility; a sub-component's material arrives at the
    sub-component's facility (recursively; weights multiply, unknown if any factor is)."""
    lines = bom.get(product.product_id)
    if lines is None:
        lines = load_bom(view, product.product_id, when)
    out: list[tuple[str, float | None, str | None, str, str | None]] = []
    direct = [b for b in lines if b.material_id == material and b.component_id is None]
    if direct:
        qty = (
            None
            if any(b.quantity is None for b in direct)
            else sum(b.quantity or 0 for b in direct)
        )
        units = {b.unit for b in direct}
        unit = units.pop() if len(units) == 1 else None
        out.append(
            (
                "+".join(b.line_id for b in direct),
                qty if unit or qty is None else None,
                unit,
                product.facility_id,
                None,
            )
        )
    for b in lines:
        if b.component_id is None:
            continue
        if b.component_id in seen:
            raise BadInputError(f"bill of materials cycle: {' -> '.join((*seen, b.component_id))}")
        sub = load_product(view, b.component_id, when)
        for lid, w, unit, _start, _c in _parts(
            view, sub, material, bom, when, (*seen, sub.product_id)
        ):
            weight = None if (w is None or b.quantity is None) else w * b.quantity
            out.append((f"{b.line_id}/{lid}", weight, unit, sub.facility_id, sub.product_id))
    return out


# -- the trace -----------------------------------------------------------------------------------


def product_materials(
    lines: Sequence[BomLine], view: View, when: dt.date, seen: tuple[str, ...] = ()
) -> list[str]:
    """Materials of a product, including those of its sub-components (first-seen order)."""
    out: list[str] = []
    for b in lines:
        if b.material_id and b.component_id is None:
            out.append(b.material_id)
        elif b.component_id:
            chain = (*seen, b.product_id)
            if b.component_id in chain:
                raise BadInputError(
                    f"bill of materials cycle: {' -> '.join((*chain, b.component_id))}"
                )
            sub = load_bom(view, b.component_id, when)
            out.extend(product_materials(sub, view, when, chain))
    return list(dict.fromkeys(out))


def material_trace(view: View, product: Product, material: str, when: dt.date) -> MaterialTrace:
    try:
        spec = load_catalog().material(material)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from None
    return build_material(view, spec, product, {}, when)


def origins(mt: MaterialTrace) -> list[list[dict[OriginKey, float]]]:
    """``origins[i][k]``: origin of stage ``k`` for part ``i`` (memoised over the graph)."""
    memo: dict[tuple[str, int], dict[OriginKey, float]] = {}
    return [[stage_origin(mt.graph, p.start, k, memo) for k in range(mt.top + 1)] for p in mt.parts]


def facility_of(mt: MaterialTrace, node_id: str | None) -> str | None:
    """The real facility of a (possibly virtual sub-component) node."""
    if node_id is None:
        return None
    return node_id.split("#", 1)[0]


def balance(mt: MaterialTrace) -> list[BalanceRow]:
    """Mass balance of each facility upstream: linked share, unknown remainder, and the share of
    the product's material that passes through it."""
    through: dict[str, float] = defaultdict(float)
    for p in mt.parts:
        for f, w in reach(mt.graph, p.start).items():
            through[f] = max(through[f], w)
    out: list[BalanceRow] = []
    for f, node in mt.graph.nodes.items():
        if "#" in f or node.pos == 0:
            continue
        r = mt.graph.remainder(f)
        linked = sum(e.share for e in mt.graph.inputs.get(f, ()))
        out.append(
            BalanceRow(
                facility=f,
                position=node.pos,
                linked_share=_round(linked),
                unknown_share=_round(r),
                through_share=_round(through.get(f, 0.0)),
            )
        )
    return sorted(out, key=lambda r: (-r.position, r.facility))


def missing_items(mt: MaterialTrace, ents: Mapping[str, Facility]) -> list[MissingItem]:
    """What would settle the unknowns: each facility's unexplained input and whom to ask."""
    labels = stage_labels(mt.spec)
    out: list[MissingItem] = []
    for row in balance(mt):
        if not row.unknown_share or not row.through_share:
            continue
        f = row.facility
        fac = mt.facilities.get(f)
        op = fac.operator_id if fac else None
        ask_id = op or f
        ask = ents.get(ask_id)
        stages = tuple(labels[k].stage for k in range(row.position))
        share = row.unknown_share * row.through_share
        out.append(
            MissingItem(
                kind="supplier-share",
                material=mt.spec.id,
                facility=f,
                facility_name=fac.name if fac else f,
                unknown_share_of_input=row.unknown_share,
                share_of_product=_round(share),
                stages=stages,
                ask=AskWhom(entity=ask_id, name=ask.name if ask else ask_id),
                message=(
                    f"ask {ask.name if ask else ask_id} which suppliers provide the remaining "
                    f"{100 * row.unknown_share:.1f}% of the {mt.spec.id} input of "
                    f"{fac.name if fac else f} (stages {', '.join(stages)})"
                ),
            )
        )
    for f, node in mt.graph.nodes.items():
        if "#" in f or node.country is not None:
            continue
        fac = mt.facilities.get(f)
        op = fac.operator_id if fac else None
        ask = ents.get(op or f)
        out.append(
            MissingItem(
                kind="facility-country",
                material=mt.spec.id,
                facility=f,
                facility_name=fac.name if fac else f,
                share_of_product=None,
                stages=(labels[node.pos].stage,),
                ask=AskWhom(entity=op or f, name=ask.name if ask else (op or f)),
                message=f"the country of facility {fac.name if fac else f} is not known",
            )
        )
    for p in mt.parts:
        if p.weight is None and len(mt.parts) > 1:
            out.append(
                MissingItem(
                    kind="bom-quantity",
                    material=mt.spec.id,
                    facility=None,
                    line_id=p.line_id,
                    share_of_product=None,
                    stages=(),
                    ask=None,
                    message=(
                        f"the {mt.spec.id} quantity of BOM line {p.line_id} is not known: the "
                        "parts' mix is bounded, not computed"
                    ),
                )
            )
    return out


def _screen_all(
    view: View, ids: Iterable[str], when: dt.date
) -> dict[str, dict[str, ScreeningStatus]]:
    sc = Screener(view, when)
    return {e: {rule: sc.status(e, rule) for rule in ("pfe", "feoc")} for e in sorted(set(ids))}


def trace(view: View, product_id: str) -> Trace:
    """The trace of a product on the view's date (schema ``derisk.trace/1``, see
    ``docs/certify.md``)."""
    when = view.as_of
    product = load_product(view, product_id, when)
    lines = load_bom(view, product_id, when)
    mats = product_materials(lines, view, when)
    meta = source_meta(view)
    traces = [material_trace(view, product, m, when) for m in mats]
    ent_ids: set[str] = {product.facility_id} | ({product.owner_id} if product.owner_id else set())
    for mt in traces:
        ent_ids |= set(mt.facilities)
        ent_ids |= {f.operator_id for f in mt.facilities.values() if f.operator_id}
    ents = load_entities(view, ent_ids, when)
    screening = _screen_all(view, [e for e in ent_ids if e in ents], when)
    used_sources: set[str] = {product.source_id} | {b.source_id for b in lines}
    materials_out = []
    missing: list[MissingItem] = []
    for mt in traces:
        used_sources |= {ln.source_id for ln in mt.links.values()}
        used_sources |= {f.source_id for f in mt.facilities.values()}
        materials_out.append(material_json(mt, ents, screening, used_sources))
        missing.extend(missing_items(mt, ents))
    if not mats:
        missing.append(
            MissingItem(
                kind="bom",
                material=None,
                facility=None,
                share_of_product=None,
                stages=(),
                ask=None,
                message=f"product {product_id} has no bill-of-materials lines",
            )
        )
    return Trace(
        as_of=when.isoformat(),
        product=_product_json(product, ents),
        materials=tuple(materials_out),
        entities={
            e: TraceEntity(
                name=f.name,
                kind=f.kind,
                country=f.country,
                facility_type=f.facility_type,
                operator=f.operator_id,
                source_id=f.source_id,
                screening=screening.get(e, {}),
            )
            for e, f in sorted(ents.items())
        },
        missing=tuple(missing),
        sources=cited(meta, used_sources),
    )


def cited(meta: Mapping[str, SourceMeta], ids: Iterable[str]) -> tuple[SourceMeta, ...]:
    """The stored sources among ``ids``, sorted by id (ids with no stored source are left out)."""
    return tuple(source_record(meta, s) for s in sorted(ids) if s in meta)


def _product_json(p: Product, ents: Mapping[str, Facility]) -> TraceProduct:
    fac = ents.get(p.facility_id)
    owner = ents.get(p.owner_id) if p.owner_id else None
    return TraceProduct(
        product=p.product_id,
        name=p.name,
        item_class=p.item_class,
        facility=p.facility_id,
        facility_name=fac.name if fac else None,
        country=fac.country if fac else None,
        owner=p.owner_id,
        owner_name=owner.name if owner else None,
        source_id=p.source_id,
        note=p.note,
    )


def by_entity_rows(
    mt: MaterialTrace,
    origin: Mapping[OriginKey, float],
    k: int,
    ents: Mapping[str, Facility],
    screening: Mapping[str, Mapping[str, ScreeningStatus]],
) -> list[EntityOrigin]:
    """Rows of an origin by (country, facility, basis), largest first."""
    rows: list[EntityOrigin] = []
    dist = mt.graph.dist(k)
    for (country, node, basis), share in origin.items():
        f = facility_of(mt, node)
        fac = ents.get(f) if f else None
        op = fac.operator_id if fac else None
        opent = ents.get(op) if op else None
        integrated = bool(f and basis == TRACED and mt.graph.nodes[f].pos != k)
        screen_id = op or f
        rows.append(
            EntityOrigin(
                country=country,
                country_name=countries.name(country) if country else None,
                entity=f,
                entity_name=fac.name if fac else None,
                operator=op,
                operator_name=opent.name if opent else None,
                share=_round(share),
                basis=basis if country is not None or basis != TRACED else UNKNOWN,
                integrated=integrated,
                screening={r: v.verdict for r, v in screening.get(screen_id or "", {}).items()},
                source_id=fac.source_id
                if fac
                else (dist.source_id if basis == STATISTICAL else None),
            )
        )
    rows.sort(key=lambda r: (-(r.share or 0), r.country or "~", r.entity or "~"))
    return rows


def material_json(
    mt: MaterialTrace,
    ents: Mapping[str, Facility],
    screening: Mapping[str, Mapping[str, ScreeningStatus]],
    used_sources: set[str],
) -> MaterialTraceResult:
    labels = stage_labels(mt.spec)
    org = origins(mt)
    stages = []
    for k in range(mt.top + 1):
        dist = mt.graph.dist(k)
        if dist.source_id and any(
            key[2] == STATISTICAL or (key[2] == UNKNOWN and key[0] is None and key[1] is None)
            for part in org
            for key in part[k]
        ):
            used_sources.add(dist.source_id)
        part_rows = []
        for i, _p in enumerate(mt.parts):
            t, s, u = collapse(org[i][k])
            part_rows.append(
                StagePart(
                    part=i,
                    by_country=_country_rows(t, s),
                    unknown_share=_round(u),
                    by_entity=tuple(by_entity_rows(mt, org[i][k], k, ents, screening)),
                )
            )
        lab = labels[k]
        stages.append(
            TraceStage(
                stage=lab.stage,
                name=lab.name,
                kind=lab.kind,
                rule_stage=lab.rule_stage,
                position=k,
                statistical_source=(
                    StatisticalSource(source_id=dist.source_id, year=dist.year)
                    if dist.source_id
                    else None
                ),
                parts=tuple(part_rows),
            )
        )
    all_paths: list[TracePathInfo] = []
    truncated = False
    for i, p in enumerate(mt.parts):
        ps, cut = paths(mt.graph, p.start, PATH_LIMIT)
        truncated |= cut
        for path in ps:
            all_paths.append(
                TracePathInfo(
                    part=i,
                    facilities=tuple(facility_of(mt, f) for f in path.facilities),
                    links=tuple(lk for lk in path.links if lk in mt.links),
                    share=_round(path.weight),
                )
            )
    return MaterialTraceResult(
        material=mt.spec.id,
        material_name=mt.spec.name,
        position=mt.top,
        parts=tuple(
            PartInfo(
                part=i,
                line_id=p.line_id,
                component=p.component,
                weight=p.weight,
                unit=p.unit,
                start=facility_of(mt, p.start),
            )
            for i, p in enumerate(mt.parts)
        ),
        stages=tuple(stages),
        facilities=tuple(
            TraceFacility(
                facility=f,
                name=fac.name,
                country=fac.country,
                facility_type=fac.facility_type,
                stage=labels[mt.graph.nodes[f].pos].stage,
                operator=fac.operator_id,
                source_id=fac.source_id,
            )
            for f, fac in sorted(mt.facilities.items())
        ),
        links=tuple(sorted(mt.links.values(), key=lambda r: r.link_id)),
        balance=tuple(balance(mt)),
        paths=tuple(all_paths),
        paths_truncated=truncated,
    )


def _country_rows(t: Mapping[str, float], s: Mapping[str, float]) -> tuple[CountryOrigin, ...]:
    return tuple(
        CountryOrigin(
            country=c,
            name=countries.name(c),
            share=_round(t.get(c, 0) + s.get(c, 0)),
            traced=_round(t.get(c, 0.0)),
            statistical=_round(s.get(c, 0.0)),
        )
        for c in sorted(set(t) | set(s), key=lambda c: (-(t.get(c, 0) + s.get(c, 0)), c))
    )
