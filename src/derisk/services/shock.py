"""Shock scenarios: export restrictions propagated month by month (see docs/scenarios.md).

A scenario file (YAML) names a material, a start month and a horizon, the restrictions
(issuer, stages, targets, start, duration, fraction withheld; optionally linked to an
``export_restriction`` fact), final demand by country, inventories (months of cover) and
substitution (spare capacity, ramp-up time). This module builds the baseline of
:class:`derisk.analysis.shock.ShockSystem` from the stage network and the scenario, runs
:func:`derisk.analysis.shock.simulate`, and reports shortfalls by month x stage x country, and
by product where product data exist.

Baseline flows (one month = a twelfth of a year):

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
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from derisk.analysis.shock import Restriction, ShockSystem, product_shortfall, simulate
from derisk.data.csvio import ImportFailed, Problem
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.services.common import NotFound
from derisk.services.network import Site, build_stage_network
from derisk.services.resource import _source_meta, group_members
from derisk.store.base import Store

SHOCK_SCHEMA = "derisk.shock/1"
SCENARIOS_SCHEMA = "derisk.scenarios/1"
ROW = "ROW"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# -- scenario files ----------------------------------------------------------------------------


@dataclass
class RestrictionSpec:
    id: str
    fact: str | None
    issuer: str | None
    stages: list[str] | None
    targets: list[str] | None
    target_group: str | None
    start: str | None
    end: str | None
    months: int | None
    fraction: float
    note: str | None


@dataclass
class Scenario:
    id: str
    title: str
    material: str
    start: dt.date
    months: int
    file: str
    description: str = ""
    final_stage: str | None = None
    year: int | None = None
    supply: list[dict[str, Any]] = field(default_factory=list)
    demand: list[dict[str, Any]] = field(default_factory=list)
    restrictions: list[RestrictionSpec] = field(default_factory=list)
    cover_default: float = 0.0
    cover_by: list[dict[str, Any]] = field(default_factory=list)
    ramp_months: float = 6.0
    spare_fraction: float = 0.0
    spare_by: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    store_products: bool = True
    assumptions: list[str] = field(default_factory=list)


def bundled_scenarios() -> list[Path]:
    """Scenario files shipped with derisk."""
    base = Path(str(resources.files("derisk.data").joinpath("scenarios")))
    return sorted(base.glob("*.yaml"))


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


def list_scenarios(store: Store) -> dict[str, Any]:
    """The bundled scenarios, each with the restriction facts it cites and those the store
    lacks (``derisk scenarios``)."""
    have = {r[0] for r in store.sql("SELECT fact_id FROM export_restriction")}
    rows: list[dict[str, Any]] = []
    for p in bundled_scenarios():
        sc = parse_scenario(p)
        facts = [r.fact for r in sc.restrictions if r.fact]
        rows.append(
            {
                "id": sc.id,
                "title": sc.title,
                "material": sc.material,
                "start": sc.start.isoformat()[:7],
                "months": sc.months,
                "file": str(p),
                "facts": facts,
                "missing_facts": [f for f in facts if f not in have],
            }
        )
    return {"schema": SCENARIOS_SCHEMA, "scenarios": rows}


def _month(value: Any, file: str, path: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = _MONTH.match(str(value).strip()) if value is not None else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        problems.append(Problem(file, 0, path, f"{value!r} is not a month (YYYY-MM)"))
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _number(
    value: Any,
    file: str,
    path: str,
    problems: list[Problem],
    lo: float = 0.0,
    hi: float | None = None,
) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(file, 0, path, f"{value!r} is not a number"))
        return 0.0
    if x != x or x < lo or (hi is not None and x > hi) or x == float("inf"):
        rng = f"between {lo:g} and {hi:g}" if hi is not None else f">= {lo:g}"
        problems.append(Problem(file, 0, path, f"{value!r} must be {rng}"))
        return 0.0
    return x


def _iso(value: Any, file: str, path: str, problems: list[Problem]) -> str | None:
    if str(value).upper() in ("WLD", "ROW"):
        return str(value).upper()
    try:
        return countries.resolve(str(value))
    except Exception as exc:
        problems.append(Problem(file, 0, path, str(exc)))
        return None


def parse_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; ``ImportFailed`` names the file and field of each error."""
    name = path.name
    try:
        doc = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ImportFailed([Problem(str(path), 0, "-", f"cannot read: {exc.strerror}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = int(mark.line) + 1 if mark is not None else 0
        raise ImportFailed([Problem(name, row, "-", f"not valid YAML: {exc}")]) from None
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise ImportFailed([Problem(name, 0, "-", "a scenario is a mapping of fields")])
    known = {
        "id", "title", "description", "material", "final_stage", "year", "start", "months",
        "supply", "demand", "restrictions", "inventories", "substitution", "products",
        "store_products", "assumptions",
    }  # fmt: skip
    for key in doc:
        if key not in known:
            problems.append(Problem(name, 0, str(key), f"unknown field; fields: {sorted(known)}"))
    for req in ("id", "title", "material", "start", "months", "restrictions"):
        if req not in doc:
            problems.append(Problem(name, 0, req, "required"))
    if problems:
        raise ImportFailed(problems)
    cat = load_catalog()
    material = str(doc["material"])
    try:
        spec = cat.material(material)
    except KeyError as exc:
        raise ImportFailed([Problem(name, 0, "material", str(exc.args[0]))]) from None
    stage_ids = [s.id for s in spec.stages]

    def stage_of(value: Any, path: str) -> str | None:
        if str(value) not in stage_ids:
            problems.append(Problem(name, 0, path, f"{value!r} is not a stage of {material}"))
            return None
        return str(value)

    start = _month(doc["start"], name, "start", problems)
    months = int(_number(doc["months"], name, "months", problems, 1, 240))
    sc = Scenario(
        id=str(doc["id"]),
        title=str(doc["title"]),
        material=material,
        start=start or dt.date(2000, 1, 1),
        months=max(months, 1),
        file=str(path),
        description=str(doc.get("description") or "").strip(),
    )
    if doc.get("final_stage") is not None:
        sc.final_stage = stage_of(doc["final_stage"], "final_stage")
    if doc.get("year") is not None:
        sc.year = int(_number(doc["year"], name, "year", problems, 1900, 2200))
    for i, s in enumerate(doc.get("supply") or []):
        p = f"supply[{i}]"
        st = stage_of(s.get("stage"), f"{p}.stage")
        c = _iso(s.get("country"), name, f"{p}.country", problems)
        q = _number(s.get("quantity"), name, f"{p}.quantity", problems)
        cap = s.get("capacity")
        capn = _number(cap, name, f"{p}.capacity", problems) if cap is not None else None
        sc.supply.append(
            {"stage": st, "country": c, "quantity": q, "capacity": capn,
             "source": s.get("source"), "note": s.get("note")}
        )  # fmt: skip
    for i, d in enumerate(doc.get("demand") or []):
        p = f"demand[{i}]"
        c = _iso(d.get("country"), name, f"{p}.country", problems)
        q = _number(d.get("quantity"), name, f"{p}.quantity", problems)
        ir = d.get("import_reliance")
        irv: float | str | None = None
        if ir == "store":
            irv = "store"
        elif ir is not None:
            irv = _number(ir, name, f"{p}.import_reliance", problems, 0, 1)
        sc.demand.append(
            {"country": c, "quantity": q, "import_reliance": irv,
             "import_category": d.get("import_category"), "source": d.get("source"),
             "note": d.get("note")}
        )  # fmt: skip
    for i, r in enumerate(doc.get("restrictions") or []):
        p = f"restrictions[{i}]"
        if not isinstance(r, dict):
            problems.append(Problem(name, 0, p, "a restriction is a mapping"))
            continue
        stages = r.get("stages")
        if stages is not None:
            stages = [x for x in (stage_of(v, f"{p}.stages") for v in stages) if x]
        targets = r.get("targets")
        if targets is not None:
            targets = [x for x in (_iso(v, name, f"{p}.targets", problems) for v in targets) if x]
        for k in ("start", "end"):
            if r.get(k) is not None:
                _month(r[k], name, f"{p}.{k}", problems)
        months_r = r.get("months")
        if months_r is not None:
            months_r = int(_number(months_r, name, f"{p}.months", problems, 0, 600))
        if r.get("issuer") is None and r.get("fact") is None:
            problems.append(Problem(name, 0, f"{p}.issuer", "give issuer or fact"))
        sc.restrictions.append(
            RestrictionSpec(
                id=str(r.get("id") or f"r{i + 1}"),
                fact=r.get("fact"),
                issuer=_iso(r["issuer"], name, f"{p}.issuer", problems)
                if r.get("issuer") is not None
                else None,
                stages=stages,
                targets=targets,
                target_group=r.get("target_group"),
                start=str(r["start"]) if r.get("start") is not None else None,
                end=str(r["end"]) if r.get("end") is not None else None,
                months=months_r,
                fraction=_number(r.get("fraction", 1.0), name, f"{p}.fraction", problems, 0, 1),
                note=r.get("note"),
            )
        )
    inv = doc.get("inventories") or {}
    sc.cover_default = _number(
        inv.get("default_months", 0), name, "inventories.default_months", problems, 0, 120
    )
    for i, b in enumerate(inv.get("by") or []):
        p = f"inventories.by[{i}]"
        sc.cover_by.append(
            {
                "country": _iso(b.get("country"), name, f"{p}.country", problems),
                "stage": stage_of(b.get("stage"), f"{p}.stage") if b.get("stage") else None,
                "months": _number(b.get("months"), name, f"{p}.months", problems, 0, 120),
            }
        )
    sub = doc.get("substitution") or {}
    sc.ramp_months = _number(
        sub.get("ramp_months", 6), name, "substitution.ramp_months", problems, 0, 120
    )
    sc.spare_fraction = _number(
        sub.get("spare_fraction", 0), name, "substitution.spare_fraction", problems, 0, 10
    )
    for i, b in enumerate(sub.get("by") or []):
        p = f"substitution.by[{i}]"
        sc.spare_by.append(
            {
                "country": _iso(b.get("country"), name, f"{p}.country", problems),
                "stage": stage_of(b.get("stage"), f"{p}.stage"),
                "spare": _number(b.get("spare"), name, f"{p}.spare", problems),
            }
        )
    for i, pr in enumerate(doc.get("products") or []):
        p = f"products[{i}]"
        sc.products.append(
            {
                "id": str(pr.get("id") or f"p{i + 1}"),
                "name": str(pr.get("name") or pr.get("id") or f"p{i + 1}"),
                "country": _iso(pr.get("country"), name, f"{p}.country", problems),
                "stage": stage_of(pr.get("stage"), f"{p}.stage"),
                "use": _number(pr.get("use"), name, f"{p}.use", problems),
                "note": pr.get("note"),
            }
        )
    sc.store_products = bool(doc.get("store_products", True))
    sc.assumptions = [str(a) for a in (doc.get("assumptions") or [])]
    if problems:
        raise ImportFailed(problems)
    return sc


# -- baseline ----------------------------------------------------------------------------------


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
    store: Store, importer: str, material: str, stage: str, category: str | None
) -> tuple[dict[str, float], str | None, list[str]]:
    rows = store.sql(
        "SELECT category, country, share, stage_id, source_id, fact_id FROM import_source "
        "WHERE importer = ? AND material_id = ?",
        [importer, material],
    )
    if not rows:
        return {}, None, []
    cats: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for r in rows:
        cats[r[0]].append(r)
    if category is not None:
        if category not in cats:
            raise NotFound(
                f"no import sources of {importer} for {material} in category {category!r}; "
                f"categories: {', '.join(sorted(cats))}"
            )
        chosen = category
    else:
        staged = sorted(c for c, rs in cats.items() if any(r[3] == stage for r in rs))
        if not staged:
            return {}, None, []
        chosen = staged[0]
    picked = cats[chosen]
    # one source per category: the first by source id (USGS lists the same shares twice)
    sid = sorted({r[4] for r in picked})[0]
    shares = {r[1]: float(r[2]) for r in picked if r[4] == sid}
    return shares, chosen, [r[5] for r in picked if r[4] == sid]


def _import_reliance(store: Store, importer: str, material: str) -> tuple[float | None, str | None]:
    rows = store.sql(
        "SELECT value, fact_id FROM import_reliance WHERE importer = ? AND material_id = ? "
        "AND value IS NOT NULL ORDER BY year DESC, source_id",
        [importer, material],
    )
    return (float(rows[0][0]), rows[0][1]) if rows else (None, None)


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


def build_baseline(store: Store, sc: Scenario, as_of: dt.date | None = None) -> Baseline:
    """The monthly baseline of the scenario's material (see the module docstring)."""
    net = build_stage_network(store, sc.material, year=sc.year, as_of=as_of)
    notes: list[str] = list(net.notes)
    assumptions: list[str] = list(sc.assumptions)
    facts: set[str] = set()
    sources: set[str] = set()
    # scenario supply overrides
    stages_data: dict[str, list[Site]] = {st.stage: list(st.sites) for st in net.stages}
    for s in sc.supply:
        st = net.stage(s["stage"])
        rest = [x for x in stages_data[st.stage] if x.country != s["country"]]
        rest.append(
            Site(
                f"{sc.material}:{st.stage}:{s['country']}:scenario",
                sc.material,
                st.stage,
                st.seq,
                s["country"],
                s["country"],
                s["quantity"],
                s["capacity"],
                max(s["quantity"], s["capacity"] or 0.0),
                (s["capacity"] - s["quantity"]) if s["capacity"] is not None else None,
                "reported",
                "scenario",
                sc.year or sc.start.year,
                (),
                (s["source"],) if s.get("source") else (),
                note=s.get("note"),
            )
        )
        stages_data[st.stage] = rest
        if s.get("source"):
            sources.add(str(s["source"]))
        assumptions.append(
            f"supply of {st.stage} in {s['country']}: {s['quantity']:,.6g} t/yr from the scenario"
            + (f" ({s['note']})" if s.get("note") else "")
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
        c, qty = dspec["country"], float(dspec["quantity"])
        if dspec.get("source"):
            sources.add(str(dspec["source"]))
        ir = dspec.get("import_reliance")
        ir_fact = None
        if ir == "store":
            ir, ir_fact = _import_reliance(store, c, sc.material)
            if ir is None:
                raise NotFound(f"no import reliance fact for {c} {sc.material}")
            facts.add(str(ir_fact))
        shares, category, share_facts = _import_shares(
            store, c, sc.material, chain[last], dspec.get("import_category")
        )
        if ir is None or not shares:
            pool_demand[c] = pool_demand.get(c, 0.0) + qty
            if ir is not None and not shares:
                notes.append(
                    f"{c}: no import sources for {chain[last]}: demand drawn from the pool"
                )
            continue
        facts.update(share_facts)
        for r in store.sql(
            "SELECT DISTINCT source_id FROM import_source WHERE importer = ? AND material_id = ? "
            "AND category = ?",
            [c, sc.material, category],
        ):
            sources.add(r[0])
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
            if b["stage"] == st_id and b["country"] in ix:
                spare[i, ix[b["country"]]] = b["spare"] / 12.0
    if sc.spare_fraction > 0:
        assumptions.append(
            f"spare capacity where the data give none: {sc.spare_fraction:.0%} of output"
        )
    cover = np.full((s_n, c_n), sc.cover_default)
    for b in sc.cover_by:
        for i, st_id in enumerate(chain):
            if (b["stage"] is None or b["stage"] == st_id) and b["country"] in ix:
                cover[i, ix[b["country"]]] = b["months"]
    assumptions.append(
        f"inventories: {sc.cover_default:g} months of cover by default"
        + "".join(
            f"; {b['country']}{' ' + b['stage'] if b['stage'] else ''} {b['months']:g}"
            for b in sc.cover_by
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


# -- restrictions ------------------------------------------------------------------------------


def _restrictions(
    store: Store, sc: Scenario, base: Baseline, when: dt.date
) -> tuple[list[Restriction], list[dict[str, Any]], set[str]]:
    out: list[Restriction] = []
    report: list[dict[str, Any]] = []
    sources: set[str] = set()
    ix = {k: j for j, k in enumerate(base.keys)}
    for r in sc.restrictions:
        fact: dict[str, Any] | None = None
        if r.fact:
            rows = store.sql(
                "SELECT fact_id, issuer, items, target, source_id, material_id, stage_id, scope, "
                "valid_from, valid_to, suspended_until, note FROM export_restriction "
                "WHERE fact_id = ?",
                [r.fact],
            )
            if not rows:
                raise NotFound(f"{sc.file}: restriction {r.id}: no export_restriction {r.fact!r}")
            cols = [
                "fact_id",
                "issuer",
                "items",
                "target",
                "source_id",
                "material_id",
                "stage_id",
                "scope",
                "valid_from",
                "valid_to",
                "suspended_until",
                "note",
            ]
            fact = dict(zip(cols, rows[0], strict=True))
            sources.add(fact["source_id"])
            if fact["material_id"] not in (None, sc.material):
                raise BadInputError(
                    f"{sc.file}: restriction {r.id}: fact {r.fact} is about "
                    f"{fact['material_id']}, not {sc.material}"
                )
        issuer = r.issuer or (fact["issuer"] if fact else None)
        stages = r.stages or (
            [fact["stage_id"]] if fact and fact["stage_id"] else list(base.stages)
        )
        targets = list(r.targets or [])
        if r.target_group:
            targets.extend(group_members(store, r.target_group, when))
        if not targets and fact:
            targets = [fact["target"]]
        start = (
            _parse_month(r.start)
            if r.start
            else (fact["valid_from"].replace(day=1) if fact and fact["valid_from"] else sc.start)
        )
        if r.end:
            end = _parse_month(r.end)
        elif r.months is not None:
            end = _add_months(start, r.months)
        elif fact and fact["valid_to"]:
            stop = fact["valid_to"]
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
        entry = {
            "id": r.id,
            "fact": r.fact,
            "issuer": issuer,
            "stages": modelled,
            "stages_not_modelled": missing,
            "targets": sorted(set(targets)),
            "start": start.isoformat()[:7],
            "end": end.isoformat()[:7],
            "fraction": r.fraction,
            "note": r.note,
            "source_id": fact["source_id"] if fact else None,
            "scope": fact["scope"] if fact else None,
            "suspended_until": (
                fact["suspended_until"].isoformat() if fact and fact["suspended_until"] else None
            ),
        }
        if fact and fact["suspended_until"] and not (r.end or r.months is not None):
            entry["warning"] = (
                f"the fact is suspended until {fact['suspended_until']}: the scenario should "
                "give the months it applies (end or months)"
            )
        if issuer not in ix:
            entry["effect"] = f"{issuer} supplies none of the modelled stages: no effect"
        elif not modelled:
            entry["effect"] = "none of its stages is modelled: no effect"
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
            entry["effect"] = f"months {i0 + 1}-{max(i1, i0)} of the horizon"
        report.append(entry)
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


def _store_products(store: Store, sc: Scenario, base: Baseline) -> list[dict[str, Any]]:
    rows = store.sql(
        "SELECT p.product_id, p.name, b.stage_id, b.quantity, b.unit, e.country, b.source_id "
        "FROM bom_line b JOIN product p USING (product_id) "
        "LEFT JOIN entity e ON e.entity_id = p.facility_id WHERE b.material_id = ?",
        [sc.material],
    )
    out = []
    for pid, name, stage, qty, unit, country, sid in rows:
        out.append(
            {
                "id": pid,
                "name": name,
                "country": country,
                "stage": stage,
                "use": None,
                "per_unit": qty,
                "unit": unit,
                "source_id": sid,
                "origin": "store",
            }
        )
    return out


def run_scenario(
    store: Store, scenario: str | Path, *, as_of: dt.date | None = None
) -> dict[str, Any]:
    """Simulate a scenario file (or bundled scenario id) and report shortfalls."""
    path = resolve_scenario(str(scenario))
    sc = parse_scenario(path)
    when = as_of or dt.date.today()
    base = build_baseline(store, sc, when)
    restr, rreport, rsources = _restrictions(store, sc, base, when)
    res = simulate(base.system, restr, sc.months)
    balance = res.balance_errors()
    scale = max(1.0, float(base.system.output.max(initial=0.0)))
    rows = []
    s_n, c_n = base.system.shape
    for t in range(sc.months):
        label = _month_label(sc.start, t)
        for i in range(s_n):
            for j in range(c_n):
                need = float(res.demand[t, i, j])
                if need <= 0:
                    continue
                rows.append(
                    {
                        "month": label,
                        "stage": base.stages[i],
                        "country": base.keys[j],
                        "supply": round(
                            float(res.received[t, i, j] + res.substitution[t, i, j]), 3
                        ),
                        "demand": round(need, 3),
                        "shortfall": round(float(res.shortfall[t, i, j]), 3),
                        "withheld": round(float(res.withheld[t, i, j]), 3),
                        "substitution": round(float(res.substitution[t, i, j]), 3),
                        "stock_draw": round(float(res.stock_draw[t, i, j]), 3),
                        "stock_end": round(float(res.stock_end[t, i, j]), 3),
                    }
                )
    summary: list[dict[str, Any]] = []
    for i in range(s_n):
        for j in range(c_n):
            dem = res.demand[:, i, j]
            if float(dem.sum()) <= 0:
                continue
            short = res.shortfall[:, i, j]
            hit = np.flatnonzero(short > 1e-9 * max(1.0, float(dem.max())))
            summary.append(
                {
                    "stage": base.stages[i],
                    "country": base.keys[j],
                    "name": _name(base.keys[j]),
                    "demand": round(float(dem.sum()), 3),
                    "shortfall": round(float(short.sum()), 3),
                    "shortfall_share": round(float(short.sum() / dem.sum()), 6),
                    "peak_shortfall": round(float(short.max()), 3),
                    "peak_month": _month_label(sc.start, int(short.argmax())) if hit.size else None,
                    "first_short_month": _month_label(sc.start, int(hit[0])) if hit.size else None,
                    "months_short": int(hit.size),
                    "withheld": round(float(res.withheld[:, i, j].sum()), 3),
                    "substitution": round(float(res.substitution[:, i, j].sum()), 3),
                    "stock_used": round(float(res.stock_draw[:, i, j].sum()), 3),
                }
            )
    summary.sort(key=lambda r: (-r["shortfall"], r["stage"], r["country"]))
    ix = {k: j for j, k in enumerate(base.keys)}
    prods = []
    candidates = list(sc.products)
    for p in candidates:
        p["origin"] = "scenario"
    if sc.store_products:
        candidates += _store_products(store, sc, base)
    for p in candidates:
        node = None
        if p["stage"] in base.stages and p["country"] in ix:
            cand = (base.stages.index(p["stage"]), ix[p["country"]])
            if float(res.demand[:, cand[0], cand[1]].sum()) > 0:
                node = cand  # the country uses that stage's material in the model
        if node is None and p["stage"] == base.stages[-1] and ROW in ix:
            node = (len(base.stages) - 1, ix[ROW])  # its use is part of the rest of the world
        if node is None:
            prods.append(
                {**p, "modelled": False, "months": [], "note": "not in the modelled network"}
            )
            continue
        i, j = node
        need_t = res.demand[:, i, j][:, None]
        short_t = res.shortfall[:, i, j][:, None]
        frac = product_shortfall(np.ones(1), need_t, short_t)[:, 0]
        use = float(p["use"]) / 12.0 if p.get("use") else None
        qty = product_shortfall(np.array([use]), need_t, short_t)[:, 0] if use is not None else None
        prods.append(
            {
                **p,
                "modelled": True,
                "node": {"stage": base.stages[i], "country": base.keys[j]},
                "months": [
                    {
                        "month": _month_label(sc.start, t),
                        "shortfall_share": round(float(frac[t]), 6),
                        "shortfall": None if qty is None else round(float(qty[t]), 3),
                    }
                    for t in range(sc.months)
                ],
                "worst_share": round(float(frac.max()), 6),
            }
        )
    src = base.sources | rsources
    src |= {p["source_id"] for p in prods if p.get("source_id")}
    return {
        "schema": SHOCK_SCHEMA,
        "scenario": {
            "id": sc.id,
            "title": sc.title,
            "description": sc.description,
            "file": str(path),
            "material": sc.material,
            "start": sc.start.isoformat()[:7],
            "months": sc.months,
        },
        "material": sc.material,
        "unit": "t per month",
        "stages": base.stages,
        "countries": [{"key": k, "name": _name(k)} for k in base.keys],
        "restrictions": rreport,
        "assumptions": base.assumptions,
        "months": rows,
        "summary": summary,
        "products": prods,
        "balance": {
            "max_error": float(balance.max(initial=0.0)),
            "relative": float(balance.max(initial=0.0)) / scale,
            "checks": [
                "producers: output = shipped + retained",
                "substitution supplied = substitution received",
                "users: used = received + substitution + stock draw",
                "stocks: end = start - draw",
                "users: demand = used + shortfall",
            ],
        },
        "notes": base.notes,
        "sources": _source_meta(store, {s for s in src if s}),
    }


__all__ = [
    "SHOCK_SCHEMA",
    "Scenario",
    "build_baseline",
    "bundled_scenarios",
    "parse_scenario",
    "resolve_scenario",
    "run_scenario",
]
