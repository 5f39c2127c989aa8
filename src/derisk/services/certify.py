"""Certification: a verdict per rule for a product, with the evidence and what is missing.

``certify`` evaluates one product against one rule (see :mod:`derisk.rules.certify` for the
rule kinds and the verdict logic) from its trace (:mod:`derisk.services.trace`).
``certify_many`` evaluates every product (or a list) at once: each material's supply graph is
propagated for all facilities together (:func:`derisk.analysis.trace.propagate`), so the cost
grows with the number of links, not with the number of paths per product.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from derisk.analysis.trace import (
    STATISTICAL,
    TRACED,
    UNKNOWN,
    ArrayGraph,
    OriginKey,
    collapse,
    levels,
    paths,
    propagate,
)
from derisk.analysis.trace import Path as TracePath
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import MaterialSpec, load_catalog
from derisk.model.products import DirectCost, Product
from derisk.model.record import ABSENT, Absent
from derisk.progress import Progress
from derisk.rules import certify as rules
from derisk.rules.certify import (
    COMPLIANT,
    INDETERMINATE,
    NOT_APPLICABLE,
    CountrySet,
    CountrySpec,
    Dist,
    RuleSpec,
    RuleVersion,
)
from derisk.services.common import NotFound, source_meta
from derisk.services.common import round_or_none as _r
from derisk.services.results import SourceMeta
from derisk.services.results.certify import (
    Certificate,
    CertifyBatch,
    CitationInfo,
    CostEvidence,
    CostFinding,
    CountryRule,
    Macr,
    MacrParameters,
    NoParameters,
    PathEvidence,
    ProductInfo,
    Products,
    RuleInfo,
    Rules,
    RuleVersionInfo,
    ShareFinding,
    ShareParameters,
    StageVerdict,
    StatisticEvidence,
    StatisticRef,
    ThresholdInfo,
    VerdictLine,
)
from derisk.services.results.trace import AskWhom, MissingItem, ScreeningStatus
from derisk.services.trace import (
    PRODUCTION,
    Facility,
    MaterialTrace,
    Screener,
    StageLabel,
    cited,
    facility_of,
    load_bom,
    load_entities,
    load_product,
    material_trace,
    missing_items,
    origins,
    position,
    product_materials,
    screening_status,
    stage_labels,
    world_dists,
)
from derisk.store.view import View

CERTIFICATE_SCHEMA = "derisk.certificate/1"
BATCH_SCHEMA = "derisk.certify-batch/1"
RULES_SCHEMA = "derisk.rules/1"
PRODUCTS_SCHEMA = "derisk.products/1"
EVIDENCE_PATHS = 5
EVIDENCE_PATH_LIMIT = 20_000


def get_rule(rule_id: str, rules_files: Sequence[Path] = ()) -> RuleSpec:
    known = rules.load_rules(rules_files)
    if rule_id not in known:
        raise NotFound(f"no rule {rule_id!r}; rules: {', '.join(sorted(known))}")
    return known[rule_id]


def resolve_countries(view: View, spec: CountrySpec, when: dt.date) -> CountrySet:
    """The countries a rule names, as of a date (group membership is dated)."""
    if spec.countries:
        return CountrySet(frozenset(countries.resolve(c) for c in spec.countries))
    group = spec.group or spec.not_in_group
    if group is None:
        raise BadInputError("the rule names no countries")
    view = view.at(when)
    if not view.group_exists(group):
        raise NotFound(f"unknown country group {group!r} (named by the rule)")
    members = view.group_members(group)
    return CountrySet(frozenset(m.iso3 for m in members), complement=spec.not_in_group is not None)


def _citations(rule: RuleSpec) -> tuple[CitationInfo, ...]:
    return tuple(
        CitationInfo(id=c.id, title=c.title, url=c.url, confidence=c.confidence, note=c.note)
        for c in rule.citations
    )


def _country_rule(spec: CountrySpec) -> CountryRule:
    """The countries as the pack gives them (keys left empty there are left out)."""
    return CountryRule(
        group=spec.group or ABSENT,
        countries=tuple(spec.countries) if spec.countries else ABSENT,
        not_in_group=spec.not_in_group or ABSENT,
    )


def rule_json(rule: RuleSpec) -> RuleInfo:
    """A rule with its versions, as ``derisk rule-packs`` lists it."""
    share = rule.kind == "max-share"
    return RuleInfo(
        rule=rule.id,
        title=rule.title,
        kind=rule.kind,
        pack=rule.pack,
        origin=rule.origin,
        confidence=rule.confidence,
        applies_to=tuple(rule.applies_to) if rule.applies_to is not None else "any",
        citations=_citations(rule),
        versions=tuple(_version_json(v) for v in rule.versions),
        metric=rule.metric if share else ABSENT,
        countries=_country_rule(rule.countries) if share else ABSENT,
        materials={k: tuple(v) for k, v in rule.materials.items()} if share else ABSENT,
        screening=ABSENT if share else rule.screening,
        year_basis=ABSENT if share else rule.year_basis,
    )


def _version_json(v: RuleVersion) -> RuleVersionInfo:
    share = v.threshold is not None
    return RuleVersionInfo(
        version=v.version,
        effective_from=v.effective_from.isoformat() if v.effective_from else None,
        effective_to=v.effective_to.isoformat() if v.effective_to else None,
        confidence=v.confidence,
        note=v.note,
        stages=tuple(v.stages) if share else ABSENT,
        threshold=float(v.threshold) if v.threshold is not None else ABSENT,
        thresholds=(
            {
                str(y): ThresholdInfo(value=float(t.value), confidence=t.confidence)
                for y, t in sorted(v.thresholds.items())
            }
            if v.thresholds
            else ABSENT
        ),
        later=(float(v.later.value) if v.later else None) if v.thresholds else ABSENT,
    )


def list_rules(rules_files: Sequence[Path] = ()) -> Rules:
    """Every rule of the packaged packs (and of extra pack files)."""
    known = rules.load_rules(rules_files)
    return Rules(rules=tuple(rule_json(r) for r in known.values()))


def list_products(view: View) -> Products:
    """Products valid on the view's date, with their facility, country and BOM materials."""
    when = view.as_of
    rows = view.product_listing()
    return Products(
        as_of=when.isoformat(),
        products=tuple(
            ProductInfo(
                product=r.product_id,
                name=r.name,
                item_class=r.item_class,
                facility=r.facility_id,
                country=r.country,
                owner=r.owner_id,
                source_id=r.source_id,
                materials=tuple(r.materials),
            )
            for r in rows
        ),
    )


# -- one product ------------------------------------------------------------------------------


def certify(
    view: View,
    product_id: str,
    rule_id: str,
    rules_files: Sequence[Path] = (),
    year: int | None = None,
) -> Certificate:
    """Certificate of one product under one rule on the view's date (schema
    ``derisk.certificate/1``)."""
    when = view.as_of
    rule = get_rule(rule_id, rules_files)
    version = rule.version_at(when)
    product = load_product(view, product_id, when)
    meta = source_meta(view)
    if not rule.applies(product.item_class):
        covers = ", ".join(rule.applies_to or ())
        body = _Body(
            verdict=NOT_APPLICABLE,
            statistical_verdict=NOT_APPLICABLE,
            reason=f"{rule.id} covers {covers}; {product.product_id} is a {product.item_class}",
            parameters=NoParameters(),
            stages=(),
            findings=(),
            missing=(),
            sources=cited(meta, [product.source_id]),
        )
        low: list[str] = []
    else:
        if rule.kind == "max-share":
            body = _certify_share(view, product, rule, version, when, meta)
        else:
            body = _certify_macr(view, product, rule, version, when, meta, year)
        low = sorted(
            {s.source_id for s in body.sources if s.confidence == "L"}
            | ({f"rule:{rule.id}"} if version.confidence == "L" else set())
        )
    return Certificate(
        product=product.product_id,
        product_name=product.name,
        item_class=product.item_class,
        rule=rule.id,
        rule_title=rule.title,
        rule_kind=rule.kind,
        rule_version=version.version,
        rule_confidence=version.confidence,
        rule_note=version.note,
        citations=_citations(rule),
        as_of=when.isoformat(),
        verdict=body.verdict,
        statistical_verdict=body.statistical_verdict,
        reason=body.reason,
        parameters=body.parameters,
        macr=body.macr,
        stages=body.stages,
        findings=body.findings,
        missing=body.missing,
        sources=body.sources,
        low_confidence=tuple(low),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Body:
    """The rule-kind specific part of a certificate."""

    verdict: str
    statistical_verdict: str
    reason: str
    parameters: ShareParameters | MacrParameters | NoParameters
    stages: tuple[StageVerdict, ...]
    findings: tuple[ShareFinding | CostFinding, ...]
    missing: tuple[MissingItem, ...]
    sources: tuple[SourceMeta, ...]
    macr: Macr | Absent = ABSENT


def performer(mt: MaterialTrace, facs: Sequence[str], k: int) -> str | None:
    """The facility that performed stage ``k`` along one path (``None``: the path's last
    facility got the material at a later stage from a supplier that no link names)."""
    g = mt.graph
    for i, f in enumerate(facs):
        p = g.nodes[f].pos
        if p == k:
            return f
        nxt = facs[i + 1] if i + 1 < len(facs) else None
        if p > k and nxt is not None and g.nodes[nxt].pos < k:
            return f
    return None


def _evidence(
    mt: MaterialTrace, ps: Sequence[TracePath], k: int, limit: int = EVIDENCE_PATHS
) -> dict[str | None, list[PathEvidence]]:
    """Paths (heaviest first) by the facility performing stage ``k`` on them."""
    by: dict[str | None, list[PathEvidence]] = defaultdict(list)
    for p in ps:
        key = facility_of(mt, performer(mt, p.facilities, k))
        if len(by[key]) < limit:
            by[key].append(
                PathEvidence(
                    path=tuple(facility_of(mt, f) for f in p.facilities),
                    links=tuple(lk for lk in p.links if lk in mt.links),
                    share=_r(p.weight),
                )
            )
    return by


def _certify_share(
    view: View,
    product: Product,
    rule: RuleSpec,
    version: RuleVersion,
    when: dt.date,
    meta: Mapping[str, SourceMeta],
) -> _Body:
    assert version.threshold is not None
    threshold = float(version.threshold)
    cset = resolve_countries(view, rule.countries, when)
    lines = load_bom(view, product.product_id, when)
    mats = product_materials(lines, view, when)
    wanted = rule.materials_for(product.item_class)
    considered = [m for m in mats if wanted is None or m in wanted]
    used: set[str] = {product.source_id} | {b.source_id for b in lines}
    stages_out: list[StageVerdict] = []
    findings: list[ShareFinding | CostFinding] = []
    missing: list[MissingItem] = []
    statuses: list[str] = []
    stat_statuses: list[str] = []
    if not considered:
        need = ", ".join(wanted) if wanted else "any material"
        missing.append(
            MissingItem(
                kind="bom",
                material=None,
                facility=None,
                share_of_product=None,
                stages=(),
                ask=None,
                message=f"the bill of materials of {product.product_id} names none of: {need}",
            )
        )
        statuses.append(rules.UNDETERMINED)
        stat_statuses.append(rules.UNDETERMINED)
    traces = [material_trace(view, product, m, when) for m in considered]
    ent_ids = {product.facility_id}
    for mt in traces:
        ent_ids |= set(mt.facilities) | {
            f.operator_id for f in mt.facilities.values() if f.operator_id
        }
    ents = load_entities(view, ent_ids, when)
    for mt in traces:
        labels = stage_labels(mt.spec)
        org = origins(mt)
        part_paths = [
            sorted(paths(mt.graph, p.start, EVIDENCE_PATH_LIMIT)[0], key=lambda x: -x.weight)
            for p in mt.parts
        ]
        counted: list[str] = []
        for k in range(mt.top + 1):
            lab = labels[k]
            if lab.rule_stage not in version.stages:
                continue
            counted.append(lab.stage)
            parts = [(p.weight, _dist(org[i][k])) for i, p in enumerate(mt.parts)]
            b = rules.share_bounds(parts, cset, rule.metric)
            st = rules.stage_status(b.lo, b.hi, threshold)
            sst = rules.stage_status(b.stat_lo, b.stat_hi, threshold)
            statuses.append(st)
            stat_statuses.append(sst)
            dist = mt.graph.dist(k)
            stages_out.append(
                StageVerdict(
                    material=mt.spec.id,
                    stage=lab.stage,
                    rule_stage=lab.rule_stage,
                    share_bounds=(_r(b.lo), _r(b.hi)),
                    statistical_share_bounds=(_r(b.stat_lo), _r(b.stat_hi)),
                    threshold=threshold,
                    status=st,
                    statistical_status=sst,
                )
            )
            for i in range(len(mt.parts)):
                ev = _evidence(mt, part_paths[i], k)
                for (country, node, basis), share in sorted(
                    org[i][k].items(), key=lambda kv: (-kv[1], str(kv[0]))
                ):
                    findings.append(
                        _finding(
                            mt,
                            k,
                            lab,
                            i,
                            country,
                            node,
                            basis,
                            share,
                            cset,
                            st,
                            ev,
                            ents,
                            dist.source_id,
                            dist.year,
                            meta,
                            used,
                        )
                    )
        for item in missing_items(mt, ents):
            if item.kind == "bom-quantity" or set(item.stages) & set(counted):
                missing.append(item)
    for mt in traces:
        used |= {f.source_id for f in mt.facilities.values()}
    verdict = rules.combine(statuses)
    stat_verdict = rules.combine(stat_statuses)
    return _Body(
        verdict=verdict,
        statistical_verdict=stat_verdict,
        reason=_share_reason(verdict, stages_out, rule, cset, threshold, version),
        parameters=ShareParameters(
            metric=rule.metric,
            countries=cset.describe(),
            country_rule=_country_rule(rule.countries),
            threshold=threshold,
            stages=tuple(version.stages),
            materials=tuple(considered),
        ),
        stages=tuple(stages_out),
        findings=tuple(findings),
        missing=tuple(missing),
        sources=cited(meta, used),
    )


def _dist(origin: Mapping[OriginKey, float]) -> Dist:
    t, s, u = collapse(origin)
    return Dist(t, s, u)


def _finding(
    mt: MaterialTrace,
    k: int,
    lab: StageLabel,
    part: int,
    country: str | None,
    node: str | None,
    basis: str,
    share: float,
    cset: CountrySet,
    status: str,
    ev: Mapping[str | None, list[PathEvidence]],
    ents: Mapping[str, Facility],
    stat_source: str | None,
    stat_year: int | None,
    meta: Mapping[str, SourceMeta],
    used: set[str],
) -> ShareFinding:
    f = facility_of(mt, node)
    fac = ents.get(f) if f else None
    op = fac.operator_id if fac else None
    opent = ents.get(op) if op else None
    srcs: set[str] = set()
    evidence: list[PathEvidence | StatisticEvidence] = []
    note = None
    if basis == TRACED and f is not None:
        paths_here = ev.get(f, [])
        evidence = list(paths_here)
        for e in paths_here:
            srcs |= {mt.links[lk].source_id for lk in e.links}
        if fac:
            srcs.add(fac.source_id)
        if mt.graph.nodes[f].pos != k:
            note = (
                f"{fac.name if fac else f} receives the material before this stage and is "
                "taken to perform it (integrated processing)"
            )
    elif basis == STATISTICAL:
        if stat_source:
            srcs.add(stat_source)
        evidence = [
            StatisticEvidence(
                statistic=StatisticRef(
                    material=mt.spec.id, stage=lab.stage, year=stat_year, source_id=stat_source
                )
            )
        ]
        note = "country share of world output at this stage, standing in for unnamed suppliers"
    else:
        note = "no supplier link or statistic explains this share"
    used |= srcs
    return ShareFinding(
        material=mt.spec.id,
        stage=lab.stage,
        rule_stage=lab.rule_stage,
        part=part,
        country=country,
        country_name=countries.name(country) if country else None,
        entity=f,
        entity_name=fac.name if fac else None,
        operator=op,
        operator_name=opent.name if opent else None,
        share=_r(share),
        basis=basis if (country is not None or basis != TRACED) else UNKNOWN,
        in_rule_countries=country in cset,
        stage_status=status,
        note=note,
        evidence=tuple(evidence),
        sources=cited(meta, srcs),
    )


def _share_reason(
    verdict: str,
    stages: Sequence[StageVerdict],
    rule: RuleSpec,
    cset: CountrySet,
    threshold: float,
    version: RuleVersion,
) -> str:
    what = (
        "the rule's countries together hold"
        if rule.metric == "aggregate"
        else "a single country of the rule holds"
    )
    limit = f"{100 * threshold:g}%"
    if verdict == rules.NON_COMPLIANT:
        s = next(s for s in stages if s.status == rules.FAIL)
        return (
            f"{s.material} at stage {s.stage}: {what} at least "
            f"{100 * (s.share_bounds[0] or 0.0):.1f}% (traced), more than {limit}"
        )
    if verdict == INDETERMINATE:
        und = [s for s in stages if s.status == rules.UNDETERMINED]
        if not und:
            return "the bill of materials does not name the materials the rule looks at"
        s = und[0]
        return (
            f"{s.material} at stage {s.stage}: {what} between "
            f"{100 * (s.share_bounds[0] or 0.0):.1f}% and {100 * (s.share_bounds[1] or 0.0):.1f}% "
            f"(limit {limit}); the untraced share decides"
        )
    counted = ", ".join(version.stages)
    return f"at every counted stage ({counted}) {what} at most {limit} (traced)"


def _screen_sources(scr: ScreeningStatus) -> set[str]:
    return set(scr.sources) if isinstance(scr.sources, tuple) else set()


def _certify_macr(
    view: View,
    product: Product,
    rule: RuleSpec,
    version: RuleVersion,
    when: dt.date,
    meta: Mapping[str, SourceMeta],
    year: int | None,
) -> _Body:
    y = year if year is not None else when.year
    th = version.threshold_for(y)
    if th is None:
        years = ", ".join(str(x) for x in sorted(version.thresholds))
        raise BadInputError(f"rule {rule.id} has no threshold for {y} (years: {years})")
    costs = [
        c
        for c in view.rows(DirectCost, {"product_id": product.product_id})
        if (c.valid_from is None or c.valid_from <= when)
        and (c.valid_to is None or when <= c.valid_to)
    ]
    currencies = {c.currency for c in costs}
    if len(currencies) > 1:
        raise BadInputError(
            f"direct costs of {product.product_id} are in several currencies "
            f"({', '.join(sorted(currencies))}); convert them to one"
        )
    ents = load_entities(view, {c.supplier_id for c in costs if c.supplier_id}, when)
    owner = load_entities(view, [product.owner_id] if product.owner_id else [], when)
    lines: list[rules.CostLine] = []
    findings: list[CostFinding] = []
    missing: list[MissingItem] = []
    used: set[str] = {product.source_id}
    screened: dict[str, ScreeningStatus] = {}
    screener = Screener(view, when)
    for c in costs:
        used.add(c.source_id)
        if c.supplier_id is None:
            status = rules.UNSCREENED
            scr = ScreeningStatus(verdict="unknown", explanation="supplier not known")
            ask = product.owner_id
            missing.append(
                MissingItem(
                    kind="cost-supplier",
                    cost_id=c.cost_id,
                    facility=None,
                    share_of_product=None,
                    stages=(),
                    ask=AskWhom(entity=ask, name=owner[ask].name if ask in owner else ask),
                    message=f"the supplier of {c.description} (cost {c.cost_id}) is not "
                    "recorded: name it so that it can be screened",
                )
            )
        else:
            if c.supplier_id not in screened:
                screened[c.supplier_id] = screener.status(c.supplier_id, rule.screening, True)
            scr = screened[c.supplier_id]
            v = scr.verdict
            flagged, clear = rule.screening, f"not-{rule.screening}"
            status = (
                rules.PFE if v == flagged else rules.NOT_PFE if v == clear else rules.UNSCREENED
            )
            used |= _screen_sources(scr)
            if status == rules.UNSCREENED:
                ent = ents.get(c.supplier_id)
                missing.append(
                    MissingItem(
                        kind="supplier-screening",
                        cost_id=c.cost_id,
                        facility=c.supplier_id,
                        share_of_product=None,
                        stages=(),
                        ask=AskWhom(entity=c.supplier_id, name=ent.name if ent else c.supplier_id),
                        message=f"{ent.name if ent else c.supplier_id} could not be screened: "
                        f"{scr.explanation}",
                    )
                )
        lines.append(rules.CostLine(c.cost_id, rules.to_fraction(c.amount), status))
        ent = ents.get(c.supplier_id) if c.supplier_id else None
        if ent:
            used.add(ent.source_id)
        stage = None
        if c.material_id and c.stage_id:
            try:
                kind = load_catalog().material(c.material_id).stage(c.stage_id).kind
                stage = rules.KIND_TO_STAGE.get(kind, kind)
            except KeyError:
                stage = None
        findings.append(
            CostFinding(
                cost_id=c.cost_id,
                description=c.description,
                material=c.material_id,
                stage=stage,
                country=ent.country if ent else None,
                entity=c.supplier_id,
                entity_name=ent.name if ent else None,
                amount=c.amount,
                currency=c.currency,
                share=None,
                status=status,
                basis="reported",
                evidence=(CostEvidence(cost=c.cost_id, screening=scr),),
                sources=cited(
                    meta,
                    {c.source_id} | ({ent.source_id} if ent else set()) | _screen_sources(scr),
                ),
            )
        )
    m = rules.macr(lines)
    if m.total > 0:
        findings = [
            dataclasses.replace(f, share=_r(float(rules.to_fraction(f.amount) / m.total)))
            for f in findings
        ]
    if not costs:
        missing.append(
            MissingItem(
                kind="direct-costs",
                cost_id=None,
                facility=None,
                share_of_product=None,
                stages=(),
                ask=None,
                message=f"no direct costs of {product.product_id} are recorded",
            )
        )
    verdict = rules.macr_verdict(m, th.value)
    if verdict == COMPLIANT and th.value == 0:
        reason = f"the threshold for {y} is 0%: any cost ratio qualifies"
    elif m.lo is None or m.hi is None:
        reason = "no direct costs: the ratio cannot be computed"
    else:
        span = (
            f"{100 * float(m.lo):.2f}%"
            if m.lo == m.hi
            else f"between {100 * float(m.lo):.2f}% and {100 * float(m.hi):.2f}%"
        )
        cmp = {COMPLIANT: "at least", rules.NON_COMPLIANT: "below"}.get(verdict, "against")
        reason = f"MACR {span}, {cmp} the {y} threshold of {100 * float(th.value):g}%"
    return _Body(
        verdict=verdict,
        statistical_verdict=verdict,
        reason=reason,
        parameters=MacrParameters(
            year=y,
            year_basis=rule.year_basis,
            threshold=float(th.value),
            threshold_confidence=th.confidence,
            screening=rule.screening,
            currency=next(iter(currencies)) if currencies else None,
        ),
        macr=Macr(
            value=_r(float(m.lo)) if m.lo is not None and m.lo == m.hi else None,
            bounds=(
                _r(float(m.lo)) if m.lo is not None else None,
                _r(float(m.hi)) if m.hi is not None else None,
            ),
            exact_bounds=(
                str(m.lo) if m.lo is not None else None,
                str(m.hi) if m.hi is not None else None,
            ),
            total=float(m.total),
            pfe=float(m.pfe),
            unscreened=float(m.unknown),
        ),
        stages=(),
        findings=tuple(findings),
        missing=tuple(missing),
        sources=cited(meta, used),
    )


# -- many products at once --------------------------------------------------------------------


def certify_many(
    view: View,
    rule_id: str,
    product_ids: Sequence[str] | None = None,
    rules_files: Sequence[Path] = (),
    year: int | None = None,
    progress: Progress | None = None,
) -> CertifyBatch:
    """Verdicts for many products under one rule (schema ``derisk.certify-batch/1``).

    ``max-share`` rules run on the batch engine (every facility at once); ``macr`` rules and
    products with sub-components are certified one by one. The verdicts equal those of
    :func:`certify`. Every product is certified on the view's date.
    """
    when = view.as_of
    rule = get_rule(rule_id, rules_files)
    version = rule.version_at(when)
    prows = view.products(product_ids)
    if product_ids is not None:
        found = {p.product_id for p in prows}
        absent = [p for p in product_ids if p not in found]
        if absent:
            raise NotFound(f"no product(s) valid on {when}: {', '.join(absent[:10])}")
    verdicts: dict[str, str] = {}
    applicable = []
    for prod in prows:
        pid, cls, fac = prod.product_id, prod.item_class, prod.facility_id
        if rule.applies(cls):
            applicable.append((pid, cls, fac))
        else:
            verdicts[pid] = NOT_APPLICABLE
    if rule.kind == "macr":
        for i, (pid, _c, _f) in enumerate(applicable):
            verdicts[pid] = certify(view.at(when), pid, rule_id, rules_files, year).verdict
            if progress:
                progress("certify", i + 1, len(applicable))
    else:
        verdicts.update(_batch_share(view, rule, version, when, applicable, rules_files, progress))
    counts = {v: 0 for v in rules.VERDICTS}
    for v in verdicts.values():
        counts[v] += 1
    return CertifyBatch(
        rule=rule.id,
        rule_version=version.version,
        as_of=when.isoformat(),
        products=len(verdicts),
        counts=counts,
        verdicts=tuple(VerdictLine(product=p, verdict=verdicts[p]) for p in sorted(verdicts)),
    )


def _batch_share(
    view: View,
    rule: RuleSpec,
    version: RuleVersion,
    when: dt.date,
    products: Sequence[tuple[str, str, str]],
    rules_files: Sequence[Path],
    progress: Progress | None,
) -> dict[str, str]:
    assert version.threshold is not None
    threshold = float(version.threshold)
    cset = resolve_countries(view, rule.countries, when)
    ids = [p[0] for p in products]
    wanted_ids = set(ids)
    direct: dict[str, set[str]] = defaultdict(set)
    slow: set[str] = set()
    for line in view.at(when).bom_lines():
        if line.product_id not in wanted_ids:
            continue
        if line.component_id is not None:
            slow.add(line.product_id)
        elif line.material_id is not None:
            direct[line.product_id].add(line.material_id)
    # worst status per product: 0 pass, 1 undetermined, 2 fail; -1 nothing evaluated yet
    worst = {pid: -1 for pid in ids if pid not in slow}
    by_material: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pid, cls, fac in products:
        if pid in slow:
            continue
        wanted = rule.materials_for(cls)
        mats = [m for m in sorted(direct.get(pid, ())) if wanted is None or m in wanted]
        if not mats:
            worst[pid] = 1
        for m in mats:
            by_material[m].append((pid, fac))
    cat = load_catalog()
    for mi, (m, plist) in enumerate(sorted(by_material.items())):
        spec = cat.material(m)
        status = _material_statuses(view, spec, when, plist, version, cset, rule.metric, threshold)
        for (pid, _fac), s in zip(plist, status, strict=True):
            worst[pid] = max(worst[pid], int(s))
        if progress:
            progress(f"material {m}", mi + 1, len(by_material))
    out = {pid: rules.VERDICT_CODES[max(0, w)] for pid, w in worst.items()}
    for pid in sorted(slow):
        out[pid] = certify(view.at(when), pid, rule.id, rules_files).verdict
    return out


def _material_statuses(
    view: View,
    spec: MaterialSpec,
    when: dt.date,
    plist: Sequence[tuple[str, str]],
    version: RuleVersion,
    cset: CountrySet,
    metric: str,
    threshold: float,
) -> np.ndarray[Any, np.dtype[np.int8]]:
    """Worst stage status (0 pass, 1 undetermined, 2 fail) of each product for one material."""
    g, fac_index, cnames = array_graph(view, spec, when, [f for _p, f in plist])
    rows = np.array([fac_index[f] for _p, f in plist], dtype=np.int64)
    top = g.pos[rows]
    labels = stage_labels(spec)
    worst = np.zeros(len(plist), dtype=np.int8)
    lev = levels(g.n, g.supplier, g.customer)
    member = np.array([c in cset for c in cnames], dtype=bool)
    for k, lab in enumerate(labels):
        if lab.rule_stage not in version.stages:
            continue
        here = top >= k
        if not here.any():
            continue
        sm = propagate(g, k, lev)
        sub = rows[here]
        lo, hi, _slo, _shi = rules.matrix_bounds(
            sm.traced[sub], sm.statistical[sub], sm.unknown[sub], member, metric
        )
        st = rules.matrix_status(lo, hi, threshold)
        worst[here] = np.maximum(worst[here], st)
    return worst


def array_graph(
    view: View, spec: MaterialSpec, when: dt.date, product_facilities: Iterable[str]
) -> tuple[ArrayGraph, dict[str, int], list[str]]:
    """Every valid supply link of a material as arrays, facilities placed in the chain.

    Facility ids are numbered in the database (sorted by id) and the links fetched as index
    triples, so no per-link work happens in Python beyond one pass to build the arrays.
    """
    graph = view.at(when).link_graph(spec.id, product_facilities)
    facs, supplied, trip = graph.nodes, graph.supplied, graph.links
    bad = [r.facility_id for r in facs if r.kind != "facility"]
    if bad:
        raise BadInputError(
            f"supply links or products of {spec.id} name facilities that are not in the store "
            f"(or not valid on {when}, or not of kind facility): {', '.join(bad[:10])}"
        )
    arr = np.fromiter(
        itertools.chain.from_iterable(trip), dtype=np.float64, count=3 * len(trip)
    ).reshape(-1, 3)
    names = [r.facility_id for r in facs]
    fac_ids = {f: i for i, f in enumerate(names)}
    world = world_dists(view, spec, when)
    cnames: list[str] = sorted(
        {r.country for r in facs if r.country} | {c for d in world.values() for c in d.shares}
    )
    cidx = {c: i for i, c in enumerate(cnames)}
    pos = np.array(
        [
            position(
                Facility(
                    r.facility_id,
                    r.facility_id,
                    r.kind or "",
                    r.country,
                    None,
                    r.material_id,
                    r.stage_id,
                    None,
                    "",
                ),
                spec,
                supplied.get(r.facility_id, set()),
            )
            for r in facs
        ],
        dtype=np.int64,
    )
    ctry = np.array([cidx.get(r.country or "", -1) for r in facs], dtype=np.int64)
    wd = {
        k: (
            np.array([cidx[c] for c in d.shares], dtype=np.int64),
            np.array(list(d.shares.values()), dtype=np.float64),
            float(d.unknown),
        )
        for k, d in world.items()
    }
    g = ArrayGraph(
        pos,
        ctry,
        arr[:, 0].astype(np.int64),
        arr[:, 1].astype(np.int64),
        np.ascontiguousarray(arr[:, 2]),
        len(cnames),
        wd,
    )
    return g, fac_ids, cnames


__all__ = [
    "BATCH_SCHEMA",
    "CERTIFICATE_SCHEMA",
    "PRODUCTION",
    "RULES_SCHEMA",
    "certify",
    "certify_many",
    "list_rules",
    "resolve_countries",
    "screening_status",
]
