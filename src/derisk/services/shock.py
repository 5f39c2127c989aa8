"""Shock scenarios: export restrictions propagated month by month (see docs/scenarios.md).

A scenario file is parsed by :mod:`derisk.data.scenarios`, its baseline built by
:mod:`derisk.services.shock_baseline`; this module finds scenario files, runs
:func:`derisk.analysis.shock.simulate` on the baseline with the scenario's restrictions, and
reports shortfalls by month x stage x country, and by product where product data exist. The
names of the other two modules stay importable from here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from derisk.analysis.shock import Restriction, product_shortfall, simulate
from derisk.data.scenarios import RestrictionSpec, Scenario, bundled_scenarios, parse_scenario
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.record import ABSENT, Absent
from derisk.model.schema import ExportRestriction
from derisk.services.common import NotFound
from derisk.services.resource import _source_meta, group_members
from derisk.services.results.shock import (
    ProductMonth,
    ProductNode,
    ScenarioInfo,
    ScenarioProduct,
    Scenarios,
    Shock,
    ShockBalance,
    ShockCountry,
    ShockMonth,
    ShockRestriction,
    ShockScenario,
    ShockSummary,
    StoreProduct,
)
from derisk.services.shock_baseline import (
    ROW,
    Baseline,
    _month_index,
    _month_label,
    build_baseline,
)
from derisk.store.view import View

SHOCK_SCHEMA = "derisk.shock/1"
SCENARIOS_SCHEMA = "derisk.scenarios/1"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# -- scenario files ----------------------------------------------------------------------------


def resolve_scenario(name: str) -> Path:
    """A path, or the id of a bundled scenario."""
    p = Path(name)
    if p.exists():
        return p
    for q in bundled_scenarios():
        if q.stem == name or q.name == name:
            return q
    known = ", ".join(q.stem for q in bundled_scenarios())
    raise NotFound(f"no scenario file {name!r}; bundled scenarios: {known}")


def bundled_scenario(scenario_id: str) -> Path:
    """The file of a bundled scenario by id only (never a path: for servers).

    >>> bundled_scenario("antimony-us-ban").name
    'antimony-us-ban.yaml'
    """
    for q in bundled_scenarios():
        if q.stem == scenario_id:
            return q
    known = ", ".join(q.stem for q in bundled_scenarios())
    raise NotFound(f"no bundled scenario {scenario_id!r}; bundled scenarios: {known}")


def list_scenarios(view: View) -> Scenarios:
    """The bundled scenarios, each with the restriction facts it cites and those the store
    lacks (``derisk scenarios``)."""
    have = {r.fact_id for r in view.export_restrictions()}
    rows: list[ScenarioInfo] = []
    for p in bundled_scenarios():
        sc = parse_scenario(p)
        facts = tuple(r.fact for r in sc.restrictions if r.fact)
        rows.append(
            ScenarioInfo(
                id=sc.id,
                title=sc.title,
                material=sc.material,
                start=sc.start.isoformat()[:7],
                months=sc.months,
                file=str(p),
                facts=facts,
                missing_facts=tuple(f for f in facts if f not in have),
            )
        )
    return Scenarios(scenarios=tuple(rows))


# -- restrictions ------------------------------------------------------------------------------


def _restrictions(
    view: View, sc: Scenario, base: Baseline, when: dt.date
) -> tuple[list[Restriction], list[ShockRestriction], set[str]]:
    out: list[Restriction] = []
    report: list[ShockRestriction] = []
    sources: set[str] = set()
    ix = {k: j for j, k in enumerate(base.keys)}
    for r in sc.restrictions:
        fact: ExportRestriction | None = None
        if r.fact:
            fact = view.export_restriction(r.fact)
            if fact is None:
                raise NotFound(f"{sc.file}: restriction {r.id}: no export_restriction {r.fact!r}")
            sources.add(fact.source_id)
            if fact.material_id not in (None, sc.material):
                raise BadInputError(
                    f"{sc.file}: restriction {r.id}: fact {r.fact} is about "
                    f"{fact.material_id}, not {sc.material}"
                )
        issuer = r.issuer or (fact.issuer if fact else None)
        stages = r.stages or ([fact.stage_id] if fact and fact.stage_id else list(base.stages))
        targets = list(r.targets or [])
        if r.target_group:
            targets.extend(group_members(view, r.target_group, when))
        if not targets and fact:
            targets = [fact.target]
        start = (
            _parse_month(r.start)
            if r.start
            else (fact.valid_from.replace(day=1) if fact and fact.valid_from else sc.start)
        )
        if r.end:
            end = _parse_month(r.end)
        elif r.months is not None:
            end = _add_months(start, r.months)
        elif fact and fact.valid_to:
            stop = fact.valid_to
            end = _add_months(stop.replace(day=1), 1 if stop.day > 1 else 0)
        else:
            end = _add_months(sc.start, sc.months)
        modelled = [s for s in stages if s in base.stages]
        missing = [s for s in stages if s not in base.stages]
        mask = np.zeros(len(base.keys), dtype=bool)
        if "WLD" in targets:
            mask[:] = True
        for t in targets:
            if t in ix:
                mask[ix[t]] = True
        suspended = fact.suspended_until if fact else None
        warning: str | Absent = ABSENT
        if suspended and not (r.end or r.months is not None):
            warning = (
                f"the fact is suspended until {suspended}: the scenario should "
                "give the months it applies (end or months)"
            )
        if issuer not in ix:
            effect = f"{issuer} supplies none of the modelled stages: no effect"
        elif not modelled:
            effect = "none of its stages is modelled: no effect"
        else:
            i0 = max(_month_index(sc.start, start), 0)
            i1 = min(_month_index(sc.start, end), sc.months)
            out.append(
                Restriction(
                    ix[str(issuer)],
                    tuple(base.stages.index(s) for s in modelled),
                    mask,
                    i0,
                    max(i1, i0),
                    r.fraction,
                )
            )
            effect = f"months {i0 + 1}-{max(i1, i0)} of the horizon"
        report.append(
            ShockRestriction(
                id=r.id,
                fact=r.fact,
                issuer=issuer,
                stages=tuple(modelled),
                stages_not_modelled=tuple(missing),
                targets=tuple(sorted(set(targets))),
                start=start.isoformat()[:7],
                end=end.isoformat()[:7],
                fraction=r.fraction,
                note=r.note,
                source_id=fact.source_id if fact else None,
                scope=fact.scope if fact else None,
                suspended_until=suspended.isoformat() if suspended else None,
                warning=warning,
                effect=effect,
            )
        )
    return out, report, sources


def _parse_month(text: str) -> dt.date:
    m = _MONTH.match(text.strip())
    if not m:
        raise BadInputError(f"{text!r} is not a month (YYYY-MM)")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


# -- run ---------------------------------------------------------------------------------------


def _name(key: str) -> str:
    if key == ROW:
        return "rest of the world"
    if key.startswith("?"):
        stage, _, block = key[1:].partition(":")
        what = {
            "other": "other countries",
            "unallocated": "unallocated output",
            "imports-other": "other import origins",
        }.get(block, block.replace("ranks-", "producers ranked "))
        return f"{what} ({stage}, not named by the source)"
    try:
        return countries.name(key)
    except Exception:  # pragma: no cover
        return key


def _store_products(view: View, sc: Scenario) -> list[StoreProduct]:
    """Products whose bill of materials in the store uses the material (not yet modelled)."""
    return [
        StoreProduct(
            id=u.product_id,
            name=u.name,
            country=u.country,
            stage=u.stage_id,
            use=None,
            per_unit=u.quantity,
            unit=u.unit,
            source_id=u.source_id,
            modelled=False,
            months=(),
        )
        for u in view.bom_uses(sc.material)
    ]


def _scenario_products(sc: Scenario) -> list[ScenarioProduct]:
    """The products the scenario file names (not yet modelled)."""
    return [
        ScenarioProduct(
            id=p.id,
            name=p.name,
            country=p.country,
            stage=p.stage,
            use=p.use,
            note=p.note,
            modelled=False,
            months=(),
        )
        for p in sc.products
    ]


def run_scenario(view: View, scenario: str | Path) -> Shock:
    """Simulate a scenario file (or bundled scenario id) and report shortfalls."""
    path = resolve_scenario(str(scenario))
    sc = parse_scenario(path)
    when = view.as_of
    base = build_baseline(view, sc)
    restr, rreport, rsources = _restrictions(view, sc, base, when)
    res = simulate(base.system, restr, sc.months)
    balance = res.balance_errors()
    scale = max(1.0, float(base.system.output.max(initial=0.0)))
    rows: list[ShockMonth] = []
    s_n, c_n = base.system.shape
    for t in range(sc.months):
        label = _month_label(sc.start, t)
        for i in range(s_n):
            for j in range(c_n):
                need = float(res.demand[t, i, j])
                if need <= 0:
                    continue
                rows.append(
                    ShockMonth(
                        month=label,
                        stage=base.stages[i],
                        country=base.keys[j],
                        supply=round(float(res.received[t, i, j] + res.substitution[t, i, j]), 3),
                        demand=round(need, 3),
                        shortfall=round(float(res.shortfall[t, i, j]), 3),
                        withheld=round(float(res.withheld[t, i, j]), 3),
                        substitution=round(float(res.substitution[t, i, j]), 3),
                        stock_draw=round(float(res.stock_draw[t, i, j]), 3),
                        stock_end=round(float(res.stock_end[t, i, j]), 3),
                    )
                )
    summary: list[ShockSummary] = []
    for i in range(s_n):
        for j in range(c_n):
            dem = res.demand[:, i, j]
            if float(dem.sum()) <= 0:
                continue
            short = res.shortfall[:, i, j]
            hit = np.flatnonzero(short > 1e-9 * max(1.0, float(dem.max())))
            summary.append(
                ShockSummary(
                    stage=base.stages[i],
                    country=base.keys[j],
                    name=_name(base.keys[j]),
                    demand=round(float(dem.sum()), 3),
                    shortfall=round(float(short.sum()), 3),
                    shortfall_share=round(float(short.sum() / dem.sum()), 6),
                    peak_shortfall=round(float(short.max()), 3),
                    peak_month=_month_label(sc.start, int(short.argmax())) if hit.size else None,
                    first_short_month=_month_label(sc.start, int(hit[0])) if hit.size else None,
                    months_short=int(hit.size),
                    withheld=round(float(res.withheld[:, i, j].sum()), 3),
                    substitution=round(float(res.substitution[:, i, j].sum()), 3),
                    stock_used=round(float(res.stock_draw[:, i, j].sum()), 3),
                )
            )
    summary.sort(key=lambda r: (-r.shortfall, r.stage, r.country))
    ix = {k: j for j, k in enumerate(base.keys)}
    prods: list[ScenarioProduct | StoreProduct] = []
    candidates: list[ScenarioProduct | StoreProduct] = [*_scenario_products(sc)]
    if sc.store_products:
        candidates += _store_products(view, sc)
    for p in candidates:
        node = None
        if p.stage in base.stages and p.country in ix:
            cand = (base.stages.index(p.stage), ix[str(p.country)])
            if float(res.demand[:, cand[0], cand[1]].sum()) > 0:
                node = cand  # the country uses that stage's material in the model
        if node is None and p.stage == base.stages[-1] and ROW in ix:
            node = (len(base.stages) - 1, ix[ROW])  # its use is part of the rest of the world
        if node is None:
            prods.append(replace(p, note="not in the modelled network"))
            continue
        i, j = node
        need_t = res.demand[:, i, j][:, None]
        short_t = res.shortfall[:, i, j][:, None]
        frac = product_shortfall(np.ones(1), need_t, short_t)[:, 0]
        use = float(p.use) / 12.0 if p.use else None
        qty = product_shortfall(np.array([use]), need_t, short_t)[:, 0] if use is not None else None
        prods.append(
            replace(
                p,
                modelled=True,
                node=ProductNode(stage=base.stages[i], country=base.keys[j]),
                months=tuple(
                    ProductMonth(
                        month=_month_label(sc.start, t),
                        shortfall_share=round(float(frac[t]), 6),
                        shortfall=None if qty is None else round(float(qty[t]), 3),
                    )
                    for t in range(sc.months)
                ),
                worst_share=round(float(frac.max()), 6),
            )
        )
    src = base.sources | rsources
    src |= {p.source_id for p in prods if isinstance(p, StoreProduct) and p.source_id}
    return Shock(
        scenario=ShockScenario(
            id=sc.id,
            title=sc.title,
            description=sc.description,
            file=str(path),
            material=sc.material,
            start=sc.start.isoformat()[:7],
            months=sc.months,
        ),
        material=sc.material,
        unit="t per month",
        stages=tuple(base.stages),
        countries=tuple(ShockCountry(key=k, name=_name(k)) for k in base.keys),
        restrictions=tuple(rreport),
        assumptions=tuple(base.assumptions),
        months=tuple(rows),
        summary=tuple(summary),
        products=tuple(prods),
        balance=ShockBalance(
            max_error=float(balance.max(initial=0.0)),
            relative=float(balance.max(initial=0.0)) / scale,
            checks=(
                "producers: output = shipped + retained",
                "substitution supplied = substitution received",
                "users: used = received + substitution + stock draw",
                "stocks: end = start - draw",
                "users: demand = used + shortfall",
            ),
        ),
        notes=tuple(base.notes),
        sources=_source_meta(view, {s for s in src if s}),
    )


__all__ = [
    "ROW",
    "SCENARIOS_SCHEMA",
    "SHOCK_SCHEMA",
    "Baseline",
    "RestrictionSpec",
    "Scenario",
    "build_baseline",
    "bundled_scenario",
    "bundled_scenarios",
    "list_scenarios",
    "parse_scenario",
    "resolve_scenario",
    "run_scenario",
]
