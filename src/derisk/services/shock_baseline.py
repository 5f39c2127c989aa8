"""The baseline of a shock scenario: month-by-month flows of the stage network, before any
restriction (see docs/scenarios.md).

:func:`build_baseline` builds the :class:`derisk.analysis.shock.ShockSystem` of a scenario from
the stage network (:func:`derisk.services.network.build_stage_network`) and the scenario's
demand, import facts, inventories and substitution (one month = a twelfth of a year):

* stage ``s`` output goes to the processors of stage ``s+1`` in proportion to their output
  (a pooled market; the data hold no bilateral trade by stage);
* at the last stage, a country with stated demand gets ``demand x (1 - import reliance)`` from
  its own producers and ``demand x import reliance x share_c`` from each origin ``c`` of its
  import-source facts (origins that do not produce the stage in the data become suppliers whose
  feed is not modelled); without import facts it draws from the pool; the rest of every
  producer's output goes to the rest of the world (``ROW``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from derisk.analysis.shock import ShockSystem
from derisk.data.scenarios import Scenario
from derisk.model.schema import ImportSource
from derisk.services.common import NotFound
from derisk.services.network import Site, build_stage_network
from derisk.store.view import View

ROW = "ROW"


def _month_index(start: dt.date, value: dt.date) -> int:
    return (value.year - start.year) * 12 + (value.month - start.month)


def _month_label(start: dt.date, t: int) -> str:
    y, m = divmod(start.month - 1 + t, 12)
    return f"{start.year + y:04d}-{m + 1:02d}"


def _key(site: Site) -> str:
    """Country code, or ``?stage:block`` for output the source does not assign to a country."""
    if site.country is not None:
        return site.country
    return f"?{site.stage}:{site.site_id.rsplit(':', 1)[-1]}"


def _import_shares(
    view: View, importer: str, material: str, stage: str, category: str | None
) -> tuple[dict[str, float], str | None, list[str]]:
    rows = view.import_source_rows(importer, material)
    if not rows:
        return {}, None, []
    cats: dict[str, list[ImportSource]] = defaultdict(list)
    for r in rows:
        cats[r.category].append(r)
    if category is not None:
        if category not in cats:
            raise NotFound(
                f"no import sources of {importer} for {material} in category {category!r}; "
                f"categories: {', '.join(sorted(cats))}"
            )
        chosen = category
    else:
        staged = sorted(c for c, rs in cats.items() if any(r.stage_id == stage for r in rs))
        if not staged:
            return {}, None, []
        chosen = staged[0]
    picked = cats[chosen]
    # one source per category: the first by source id (USGS lists the same shares twice)
    sid = sorted({r.source_id for r in picked})[0]
    shares = {r.country: float(r.share) for r in picked if r.source_id == sid}
    return shares, chosen, [r.fact_id for r in picked if r.source_id == sid]


def _import_reliance(view: View, importer: str, material: str) -> tuple[float | None, str | None]:
    for r in view.import_reliance(importer, material):  # latest year first
        if r.value is not None:
            return float(r.value), r.fact_id
    return None, None


@dataclass
class Baseline:
    stages: list[str]
    keys: list[str]
    system: ShockSystem
    kinds: dict[tuple[int, str], str]  # (stage idx, key) -> producer basis
    facts: set[str]
    sources: set[str]
    notes: list[str]
    assumptions: list[str]


def build_baseline(view: View, sc: Scenario) -> Baseline:
    """The monthly baseline of the scenario's material (see the module docstring)."""
    net = build_stage_network(view, sc.material, year=sc.year)
    notes: list[str] = list(net.notes)
    assumptions: list[str] = list(sc.assumptions)
    facts: set[str] = set()
    sources: set[str] = set()
    # scenario supply overrides
    stages_data: dict[str, list[Site]] = {st.stage: list(st.sites) for st in net.stages}
    for s in sc.supply:
        st = net.stage(s.stage)
        rest = [x for x in stages_data[st.stage] if x.country != s.country]
        rest.append(
            Site(
                f"{sc.material}:{st.stage}:{s.country}:scenario",
                sc.material,
                st.stage,
                st.seq,
                s.country,
                s.country,
                s.quantity,
                s.capacity,
                max(s.quantity, s.capacity or 0.0),
                (s.capacity - s.quantity) if s.capacity is not None else None,
                "reported",
                "scenario",
                sc.year or sc.start.year,
                (),
                (s.source,) if s.source else (),
                note=s.note,
            )
        )
        stages_data[st.stage] = rest
        if s.source:
            sources.add(str(s.source))
        assumptions.append(
            f"supply of {st.stage} in {s.country}: {s.quantity:,.6g} t/yr from the scenario"
            + (f" ({s.note})" if s.note else "")
        )
    has = {k: any(x.available > 0 for x in v) for k, v in stages_data.items()}
    order = [st.stage for st in net.stages]
    final = sc.final_stage or next((s for s in reversed(order) if has[s]), None)
    if final is None:
        raise NotFound(f"no stage of {sc.material} has figures; add supply to the scenario")
    idx = order.index(final)
    first = idx
    while first > 0 and has[order[first - 1]] and has[final]:
        first -= 1
    chain = order[first : idx + 1]
    if first > 0:
        why = (
            "no usable figures"
            if has[final]
            else f"{final} has no production figures to link them to"
        )
        notes.append(
            f"stages upstream of {chain[0]} are not modelled ({why}): " + ", ".join(order[:first])
        )
    if not has[final]:
        notes.append(
            f"{final}: no production figures; suppliers come from the import sources of the "
            "countries with stated demand (their feed is not modelled)"
        )
    s_n = len(chain)
    # producers per stage (annual output)
    prod: list[dict[str, float]] = [defaultdict(float) for _ in chain]
    cap_spare: list[dict[str, float | None]] = [dict() for _ in chain]
    kinds: dict[tuple[int, str], str] = {}
    for i, st_id in enumerate(chain):
        for site in stages_data[st_id]:
            if site.basis == "withheld":
                continue
            q = site.production if site.production is not None else 0.0
            if q <= 0 and not site.spare:
                continue
            k = _key(site)
            prod[i][k] += q
            prev = cap_spare[i].get(k)
            if site.spare is not None:
                cap_spare[i][k] = (prev or 0.0) + site.spare
            elif k not in cap_spare[i]:
                cap_spare[i][k] = None
            kinds[(i, k)] = site.basis
            facts.update(site.fact_ids)
            sources.update(site.source_ids)
        withheld = [w for w in next(x for x in net.stages if x.stage == st_id).withheld]
        if withheld:
            notes.append(
                f"{st_id}: withheld figures not counted: " + ", ".join(w.label for w in withheld)
            )
    last = s_n - 1
    exo_extra: set[str] = set()
    # final demand and its sourcing
    fixed: dict[tuple[str, str], float] = {}
    pool_demand: dict[str, float] = {}
    for dspec in sc.demand:
        c, qty = dspec.country, float(dspec.quantity)
        if dspec.source:
            sources.add(str(dspec.source))
        ir = dspec.import_reliance
        ir_fact = None
        if ir == "store":
            ir, ir_fact = _import_reliance(view, c, sc.material)
            if ir is None:
                raise NotFound(f"no import reliance fact for {c} {sc.material}")
            facts.add(str(ir_fact))
        shares, category, share_facts = _import_shares(
            view, c, sc.material, chain[last], dspec.import_category
        )
        if ir is None or not shares:
            pool_demand[c] = pool_demand.get(c, 0.0) + qty
            if ir is not None and not shares:
                notes.append(
                    f"{c}: no import sources for {chain[last]}: demand drawn from the pool"
                )
            continue
        facts.update(share_facts)
        sources.update(
            r.source_id for r in view.import_source_rows(c, sc.material) if r.category == category
        )
        total_share = sum(v for k, v in shares.items() if k != c)
        domestic = qty * (1.0 - float(ir))
        imports = qty - domestic
        assumptions.append(
            f"{c}: demand {qty:,.6g} t/yr, {float(ir):.0%} imported by the shares of '{category}'"
        )
        if domestic > 0:
            fixed[(c, c)] = fixed.get((c, c), 0.0) + domestic
        for origin, share in shares.items():
            if origin == c:
                continue
            key = f"?{chain[last]}:imports-other" if origin == "OTH" else origin
            fixed[(key, c)] = fixed.get((key, c), 0.0) + imports * share / total_share
    # producers that supply fixed flows but are not in the data: exogenous suppliers
    for origin, _ in fixed:
        if prod[last].get(origin, 0.0) <= 0:
            exo_extra.add(origin)
    for (origin, _dest), q in list(fixed.items()):
        if origin in exo_extra:
            prod[last][origin] = prod[last].get(origin, 0.0) + q
            kinds[(last, origin)] = "import-source"
    # cap fixed flows at producer output
    for origin in {o for o, _ in fixed}:
        out = prod[last].get(origin, 0.0)
        owed = sum(q for (o, _), q in fixed.items() if o == origin)
        if owed > out + 1e-9:
            scale = out / owed
            for fk in [fk for fk in fixed if fk[0] == origin]:
                fixed[fk] *= scale
            notes.append(
                f"{origin}: fixed shipments ({owed:,.6g} t/yr) exceed its output "
                f"({out:,.6g} t/yr): scaled down"
            )
    remaining = {c: prod[last][c] - sum(q for (o, _), q in fixed.items() if o == c)
                 for c in prod[last]}  # fmt: skip
    rest_total = sum(max(v, 0.0) for v in remaining.values())
    want = sum(pool_demand.values())
    if want > rest_total + 1e-9:
        scale = rest_total / want if want else 0.0
        notes.append(
            f"demand drawn from the pool ({want:,.6g} t/yr) exceeds the output left "
            f"({rest_total:,.6g} t/yr): scaled down"
        )
        pool_demand = {c: v * scale for c, v in pool_demand.items()}
        want = rest_total
    row_demand = rest_total - want
    users_last = sorted(
        {d for _, d in fixed} | set(pool_demand) | ({ROW} if row_demand > 0 else set())
    )
    # keys
    keys: list[str] = []
    for i in range(s_n):
        keys.extend(prod[i].keys())
    keys.extend(users_last)
    keys = sorted(set(keys), key=lambda k: (k == ROW, k.startswith("?"), k))
    ix = {k: j for j, k in enumerate(keys)}
    c_n = len(keys)
    output = np.zeros((s_n, c_n))
    flows = np.zeros((s_n, c_n, c_n))
    exogenous = np.zeros((s_n, c_n), dtype=bool)
    spare = np.zeros((s_n, c_n))
    for i in range(s_n):
        for k, q in prod[i].items():
            output[i, ix[k]] = q / 12.0
    exogenous[0, :] = True
    for k in exo_extra:
        exogenous[last, ix[k]] = True
    # upstream flows: pooled by processor output
    for i in range(s_n - 1):
        linked = output[i + 1] * ~exogenous[i + 1]
        total = float(linked.sum())
        if total <= 0:
            raise NotFound(f"{chain[i + 1]}: no processors with output to receive {chain[i]}")
        flows[i] = np.outer(output[i], linked / total)
        ratio = total / max(float(output[i].sum()), 1e-12)
        if abs(ratio - 1) > 0.02:
            notes.append(
                f"{chain[i + 1]} output is {ratio:.3g} x the {chain[i]} output in the data "
                "(different sources, years or content bases): processors' implied yields "
                "absorb the difference"
            )
    # last stage flows
    for (o, dst), q in fixed.items():
        flows[last, ix[o], ix[dst]] += q / 12.0
    rem = np.array([max(remaining.get(k, 0.0), 0.0) if k in prod[last] else 0.0 for k in keys])
    if rest_total > 0:
        for user in users_last:
            if user in pool_demand:
                flows[last, :, ix[user]] += rem / rest_total * pool_demand[user] / 12.0
        if row_demand > 0:
            flows[last, :, ix[ROW]] += rem / rest_total * row_demand / 12.0
    output[last] = flows[last].sum(axis=1)
    # spare capacity
    for i, st_id in enumerate(chain):
        for k in prod[i]:
            known = cap_spare[i].get(k)
            if known is not None:
                spare[i, ix[k]] = known / 12.0
            else:
                spare[i, ix[k]] = sc.spare_fraction * output[i, ix[k]]
        for b in sc.spare_by:
            if b.stage == st_id and b.country in ix:
                spare[i, ix[b.country]] = b.spare / 12.0
    if sc.spare_fraction > 0:
        assumptions.append(
            f"spare capacity where the data give none: {sc.spare_fraction:.0%} of output"
        )
    cover = np.full((s_n, c_n), sc.cover_default)
    for cv in sc.cover_by:
        for i, st_id in enumerate(chain):
            if (cv.stage is None or cv.stage == st_id) and cv.country in ix:
                cover[i, ix[cv.country]] = cv.months
    assumptions.append(
        f"inventories: {sc.cover_default:g} months of cover by default"
        + "".join(
            f"; {b.country}{' ' + b.stage if b.stage else ''} {b.months:g}" for b in sc.cover_by
        )
    )
    assumptions.append(f"substitution ramps up over {sc.ramp_months:g} months")
    system = ShockSystem(
        output=output,
        flows=flows,
        exogenous=exogenous,
        spare=spare,
        cover=cover,
        ramp_months=np.full(s_n, sc.ramp_months),
    )
    system.check()
    return Baseline(chain, keys, system, kinds, facts, sources, notes, assumptions)


__all__ = ["ROW", "Baseline", "build_baseline"]
