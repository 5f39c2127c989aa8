"""Certifying many products over a large generated supply graph, with peers in the same run.

The graph has five tiers for rare earths -- mines, separation plants, metal plants, magnet plants
and product plants (one per product) -- with 1,000,000 supply links by default, random shares
(some facilities leave part of their input unexplained) and a few facilities of unknown
country. Every product is an NdFeB magnet certified under DFARS 252.225-7052 as of 2027-01-01
(all five stages count).

* batch: ``certify_many`` end to end -- read the links and facilities from the database,
  place them in the chain, propagate each counted stage for all facilities at once (sparse
  products, level by level), evaluate the rule for every product.
* peer 1, naive per-product traversal: for each product and counted stage, walk every path
  upstream (``stage_origin`` without a memo), then evaluate the rule; timed on a random sample
  and scaled to all products.
* peer 2, per-product traversal with a memo reset for each product (each product traced on its
  own, sharing nothing with the others); timed on a sample and scaled.

The sampled peers must give the same verdicts as the batch run. Target (issue 5): 100,000
products and 1e6 links certified in <= 60 s.

Run::

    python benchmarks/certify.py [--products N] [--sample N] [--repeat N]   # 100,000 products
    python benchmarks/certify.py --tiny    # smoke: 200 products over a 1:100 graph, one repeat
    python benchmarks/certify.py --tiny --json    # the same, results as JSON

``--tiny`` runs the same code on tiers a hundredth of the size (20 mines, 20 separation
plants, 100 metal plants, 400 magnet plants), 200 products, a sample of 20 and one repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from benchlib import bundled_database

from derisk.analysis.trace import Edge, MaterialGraph, Node, OriginKey, collapse, stage_origin
from derisk.model.catalog import load_catalog
from derisk.rules.certify import Dist, combine, load_rules, share_bounds, stage_status
from derisk.services.certify import certify_many, resolve_countries
from derisk.services.trace import world_dists
from derisk.store import DuckStore

AS_OF = dt.date(2027, 1, 1)
COUNTRIES = [
    "CHN",
    "AUS",
    "USA",
    "MMR",
    "MYS",
    "EST",
    "JPN",
    "DEU",
    "FRA",
    "VNM",
    "THA",
    "IND",
    "BRA",
    "CAN",
    "KOR",
    "GBR",
    "ZAF",
    "MDG",
    "NGA",
    "RUS",
]
# tier: (facilities, suppliers per facility, facility type, stage)
TIERS = [
    (2_000, 0, "mine", "mining"),
    (2_000, 10, "separation-plant", "separation"),
    (10_000, 10, "metal-plant", "metal"),
    (40_000, 7, "component-plant", "magnets"),
]
# the smoke size: the same tiers, a hundredth of the facilities
TINY_TIERS = [(n // 100, fan, ftype, stage) for n, fan, ftype, stage in TIERS]
PRODUCT_FANIN = 6  # magnet plants per product plant


def generate(
    n_products: int, seed: int = 7, tiers: list[tuple[int, int, str, str]] | None = None
) -> dict[str, Any]:
    """Facilities, links and products as columns.

    Facilities fall in three pools: ``A`` (allied countries, every input linked), ``G``
    (allied countries, but 30% of them leave up to 10% of their input unexplained and 2% have
    no known country) and ``M`` (any country, China weighted heavily). An ``A`` customer buys
    from ``A`` only, a ``G`` customer from ``A`` and ``G``, an ``M`` customer from anyone; so
    the products get all three verdicts.
    """
    tiers_spec = TIERS if tiers is None else tiers
    rng = np.random.default_rng(seed)
    allied = [c for c in COUNTRIES if c not in ("CHN", "RUS")]
    weights = np.array([8.0 if c == "CHN" else 1.0 for c in COUNTRIES])
    weights /= weights.sum()
    share_pool = {"A": 0.6, "G": 0.25, "M": 0.15}
    fac_id: list[str] = []
    fac_country: list[str | None] = []
    fac_type: list[str] = []
    fac_material: list[str | None] = []
    fac_stage: list[str | None] = []
    made: list[dict[str, list[str]]] = []

    def add_tier(
        n: int, prefix: str, ftype: str, material: str | None, stage: str | None
    ) -> dict[str, list[str]]:
        pools = rng.choice(list(share_pool), size=n, p=list(share_pool.values()))
        out: dict[str, list[str]] = {"A": [], "G": [], "M": []}
        for i in range(n):
            fid = f"{prefix}-{i}"
            pool = str(pools[i])
            if pool == "M":
                country: str | None = COUNTRIES[rng.choice(len(COUNTRIES), p=weights)]
            else:
                country = allied[rng.integers(len(allied))]
            if pool == "G" and rng.random() < 0.02:
                country = None
            fac_id.append(fid)
            fac_country.append(country)
            fac_type.append(ftype)
            fac_material.append(material)
            fac_stage.append(stage)
            out[pool].append(fid)
        return out

    for t, (n, _fan, ftype, stage) in enumerate(tiers_spec):
        made.append(add_tier(n, f"t{t}", ftype, "rare-earths", stage))
    plants = add_tier(n_products, "p", "component-plant", None, None)
    sup: list[str] = []
    cus: list[str] = []
    share: list[float] = []
    levels = [(made[t], tiers_spec[t][1], made[t - 1]) for t in range(1, len(tiers_spec))]
    levels.append((plants, PRODUCT_FANIN, made[-1]))
    sources = {"A": ["A"], "G": ["A", "G"], "M": ["A", "G", "M"]}
    for custs_by_pool, fan, prev in levels:
        for pool, custs in custs_by_pool.items():
            supply = [f for q in sources[pool] for f in prev[q]]
            picks = rng.integers(0, len(supply), size=(len(custs), fan))
            w = rng.random((len(custs), fan)) + 0.05
            covered = np.ones(len(custs))
            if pool == "G":
                leaky = rng.random(len(custs)) < 0.3
                covered[leaky] = rng.uniform(0.9, 1.0, int(leaky.sum()))
            w = w / w.sum(axis=1, keepdims=True) * covered[:, None]
            for i, c in enumerate(custs):
                for j in range(fan):
                    sup.append(supply[picks[i, j]])
                    cus.append(c)
                    share.append(float(w[i, j]))
    plant_ids = [f"p-{i}" for i in range(n_products)]
    return {
        "facilities": (fac_id, fac_country, fac_type, fac_material, fac_stage),
        "links": (sup, cus, share),
        "products": plant_ids,
    }


def write_store(path: Path, data: dict[str, Any]) -> None:
    """Bundled dataset plus the generated graph (bulk insert through Arrow; set-up, not timed)."""
    bundled_database(path)
    with DuckStore(path) as s:
        con = s.con
        fid, fc, ft, fm, fs = data["facilities"]
        n = len(fid)
        con.execute(
            "INSERT INTO source (source_id, publisher, title, confidence, precedence, dataset) "
            "VALUES ('bench', 'benchmark', 'generated supply graph', 'L', 90, 'bench')"
        )
        ent = pa.table(
            {
                "entity_id": fid,
                "kind": ["facility"] * n,
                "name": fid,
                "source_id": ["bench"] * n,
                "country": fc,
                "facility_type": ft,
                "material_id": fm,
                "stage_id": fs,
            }
        )
        con.register("ent", ent)
        con.execute(
            "INSERT INTO entity (entity_id, kind, name, source_id, country, facility_type, "
            "material_id, stage_id, dataset) SELECT *, 'bench' FROM ent"
        )
        sup, cus, share = data["links"]
        m = len(sup)
        lk = pa.table(
            {
                "link_id": [f"l{i}" for i in range(m)],
                "supplier_id": sup,
                "customer_id": cus,
                "material_id": ["rare-earths"] * m,
                "share": share,
                "source_id": ["bench"] * m,
            }
        )
        con.register("lk", lk)
        con.execute(
            "INSERT INTO supply_link (link_id, supplier_id, customer_id, material_id, share, "
            "source_id, dataset) SELECT *, 'bench' FROM lk"
        )
        plants = data["products"]
        k = len(plants)
        pr = pa.table(
            {
                "product_id": [f"prod-{i}" for i in range(k)],
                "name": [f"magnet {i}" for i in range(k)],
                "item_class": ["ndfeb-magnet"] * k,
                "facility_id": plants,
                "source_id": ["bench"] * k,
            }
        )
        con.register("pr", pr)
        con.execute(
            "INSERT INTO product (product_id, name, item_class, facility_id, source_id, dataset) "
            "SELECT *, 'bench' FROM pr"
        )
        con.execute(
            "INSERT INTO bom_line (product_id, line_id, source_id, material_id, stage_id, "
            "quantity, unit, dataset) SELECT product_id, 'ndpr', 'bench', 'rare-earths', "
            "'metal', 0.3, 'kg', 'bench' FROM pr"
        )


def memory_graph(store: DuckStore, data: dict[str, Any]) -> MaterialGraph:
    """The same graph as :class:`MaterialGraph` for the traversal peers (set-up, not timed)."""
    spec = load_catalog().material("rare-earths")
    stage_pos = {s.id: i for i, s in enumerate(spec.stages)}
    fid, fc, _ft, _fm, fs = data["facilities"]
    nodes = {
        f: Node(f, c, stage_pos[s] if s else len(spec.stages))
        for f, c, s in zip(fid, fc, fs, strict=True)
    }
    g = MaterialGraph("rare-earths", (*(s.id for s in spec.stages), "production"), nodes)
    for i, (s, c, a) in enumerate(zip(*data["links"], strict=True)):
        g.add_edge(Edge(f"l{i}", s, c, a))
    g.world.update(world_dists(store.view(as_of=AS_OF), spec, AS_OF))
    return g


def traversal_verdict(
    g: MaterialGraph, facility: str, stages: list[int], cset: Any, memo: dict | None
) -> str:
    statuses = []
    for k in stages:
        origin: dict[OriginKey, float] = stage_origin(g, facility, k, memo)
        t, s, u = collapse(origin)
        b = share_bounds([(1.0, Dist(t, s, u))], cset, "aggregate")
        statuses.append(stage_status(b.lo, b.hi, 0.0))
    return combine(statuses)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: 200 products, 1:100 tiers, one repeat"
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    tiers = None
    if args.tiny:
        args.products, args.sample, args.repeat, tiers = 200, 20, 1, TINY_TIERS
    say = (lambda *a, **k: print(*a, **k, file=sys.stderr)) if args.json else print
    t0 = time.perf_counter()
    data = generate(args.products, tiers=tiers)
    n_links = len(data["links"][0])
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "bench.duckdb"
    write_store(db, data)
    setup = time.perf_counter() - t0
    say(
        f"generated {args.products:,} products, {len(data['facilities'][0]):,} facilities, "
        f"{n_links:,} links; set-up {setup:.1f} s"
    )

    store = DuckStore(db, read_only=True)
    times = []
    cpu = []
    res: dict[str, Any] = {}
    for _ in range(args.repeat):
        t1, c1 = time.perf_counter(), time.process_time()
        res = certify_many(store.view(as_of=AS_OF), "dfars-7052")
        times.append(time.perf_counter() - t1)
        cpu.append(time.process_time() - c1)
    batch = statistics.median(times)
    batch_cpu = statistics.median(cpu)
    verdicts = {v["product"]: v["verdict"] for v in res["verdicts"]}

    g = memory_graph(store, data)
    rule = load_rules()["dfars-7052"]
    cset = resolve_countries(store.view(as_of=AS_OF), rule.countries, AS_OF)
    stages = list(range(5))
    rng = np.random.default_rng(1)
    sample = sorted(rng.choice(args.products, size=min(args.sample, args.products), replace=False))
    peers: dict[str, tuple[float, float]] = {}
    mismatches = 0
    for name, memo_per_product in (
        ("naive traversal", False),
        ("traversal, memo per product", True),
    ):
        t2, c2 = time.perf_counter(), time.process_time()
        for i in sample:
            memo: dict | None = {} if memo_per_product else None
            v = traversal_verdict(g, f"p-{i}", stages, cset, memo)
            mismatches += v != verdicts[f"prod-{i}"]
        per = (time.perf_counter() - t2) / len(sample)
        per_cpu = (time.process_time() - c2) / len(sample)
        peers[name] = (per * args.products, per_cpu * args.products)
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        out = {
            "products": args.products,
            "facilities": len(data["facilities"][0]),
            "links": n_links,
            "repeat": args.repeat,
            "batch_s": batch,
            "batch_cpu_s": batch_cpu,
            "batch_runs_s": times,
            "sample": len(sample),
            "peers_scaled_s": {k: v[0] for k, v in peers.items()},
            "verdict_counts": res["counts"],
            "peer_mismatches": mismatches,
            "target_met": batch <= 60,
        }
        print(json.dumps(out, indent=1))
        return

    print()
    head = f"{'method':<52}{'wall s':>10}{'x batch':>9}{'CPU s':>10}{'x batch':>9}"
    print(head)
    label = f"batch certify_many (median of {args.repeat})"
    print(f"{label:<52}{batch:>10.2f}{1.0:>9.1f}{batch_cpu:>10.2f}{1.0:>9.1f}")
    for name, (secs, csecs) in peers.items():
        label = f"{name} (sample {len(sample)}, scaled)"
        print(
            f"{label:<52}{secs:>10.1f}{secs / batch:>9.1f}{csecs:>10.1f}{csecs / batch_cpu:>9.1f}"
        )
    print()
    print(
        f"batch runs (wall): {', '.join(f'{t:.2f}' for t in times)} s; "
        f"CPU: {', '.join(f'{t:.2f}' for t in cpu)} s"
    )
    print(f"verdicts {res['counts']}")
    print(f"sampled peer verdicts differing from batch: {mismatches}")
    print(
        f"target: {args.products:,} products, {n_links:,} links in <= 60 s: "
        f"{'met' if batch <= 60 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
