"""Impact analysis after one accepted news event, against recomputing every answer, same run.

Set-up (not timed): the generated rare-earth supply graph of ``benchmarks/certify.py``
(100,000 product plants, about 1,000,000 supply links by default), one product per plant,
and a watch item per product (DFARS 252.225-7052 on 2027-01-01); a first ``monitor run``
computes every answer and the dependency index.

Then one news proposal is accepted through the review queue (``services.news.accept``): a
company takes a 30% stake in a magnet plant that supplies the first product's plant (by
default), so the change reaches every product downstream of that plant. Timed, each
``--repeat`` times on a fresh copy of the database:

* **impact**: ``monitor.run`` -- read the change from the audit log, widen it down the supply
  links, look the keys up in the index, recompute only the dependent answers, store them;
* **peer, recompute everything**: ``monitor.run(full=True)`` over the same change -- every
  watched product certified again (batch engine) and every answer stored.

Both must agree: the full pass finds no change the impact pass missed. Target (issue 18):
impact <= 5 s over 100,000 watched products.

Run::

    python benchmarks/monitor_impact.py [--products N] [--repeat N]   # 100,000 products
    python benchmarks/monitor_impact.py --tiny    # smoke: 200 products, 1:100 graph, one repeat
    python benchmarks/monitor_impact.py --tiny --json    # the same, results as JSON

``--tiny`` runs the same passes on the smoke graph of ``certify.py --tiny`` (tiers a
hundredth of the size) with 200 watched products and one repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from derisk.model.news import NewsArticle, NewsProposal
from derisk.services import monitor
from derisk.services import news as news_svc
from derisk.store import DuckStore

AS_OF = dt.date(2027, 1, 1)
RULE = "dfars-7052"


def _graph_module() -> Any:
    path = Path(__file__).with_name("certify.py")
    spec = importlib.util.spec_from_file_location("derisk_bench_certify_graph", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def add_watches(db: Path, n: int) -> None:
    """One watch item per product, written in bulk (set-up)."""
    with DuckStore(db) as s:
        now = "2026-12-01T00:00:00.000000Z"
        t = pa.table(
            {
                "watch_id": [f"w-{i}" for i in range(n)],
                "owner": ["bench"] * n,
                "kind": ["product"] * n,
                "target": [f"prod-{i}" for i in range(n)],
                "created_at": [now] * n,
                "rule_id": [RULE] * n,
                "on_date": [AS_OF] * n,
            }
        )
        s.con.register("wt", t)
        s.con.execute(
            "INSERT INTO watch_item (watch_id, owner, kind, target, created_at, rule_id, "
            "on_date, dataset) SELECT *, 'monitor' FROM wt"
        )


def accept_event(db: Path, facility: str) -> str:
    """Queue and accept one stake-acquisition proposal through the review service."""
    sentence = f"Bench Buyer Ltd acquired a 30% stake in {facility}, the buyer said."
    fields = {"acquirer": "Bench Buyer Ltd", "target": facility, "percent": 30.0}
    with DuckStore(db) as s:
        with s.writer("news") as w:
            w.add(
                [
                    NewsArticle(
                        "bench-article",
                        sentence,
                        "0" * 40,
                        "2026-12-01T00:00:00Z",
                        "benchmark",
                        "https://bench.invalid/a",
                        "Benchmark event",
                        dt.date(2026, 6, 1),
                        "bench",
                    )
                ]
            )
            w.add(
                [
                    NewsProposal(
                        "p-bench",
                        "bench-article",
                        0,
                        "stake_acquisition",
                        json.dumps(fields),
                        json.dumps({"mentions": [], "links": []}),
                        sentence,
                        0.9,
                        "2026-12-01T00:00:00Z",
                    )
                ]
            )
        news_svc.accept(s, "p-bench")
    return "p-bench"


def downstream_products(db: Path, facility: str) -> int:
    with DuckStore(db, read_only=True) as s:
        keys = monitor.expand(s, {f"entity:{facility}"})
        fac = sorted(k[9:] for k in keys if k.startswith("facility:"))
        row = s.sql("SELECT count(*) FROM product WHERE facility_id = ANY(?)", [fac])
        return int(row[0][0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--facility",
        help="Facility the event is about (default: a magnet plant "
        "supplying the first product's plant).",
    )
    ap.add_argument(
        "--tiny", action="store_true", help="Smoke size: 200 products, 1:100 graph, 1 repeat."
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    g = _graph_module()
    tiers = None
    if args.tiny:
        args.products, args.repeat, tiers = 200, 1, g.TINY_TIERS
    say = (lambda *a, **k: print(*a, **k, file=sys.stderr)) if args.json else print
    t0 = time.perf_counter()
    data = g.generate(args.products, tiers=tiers)
    tmp = Path(tempfile.mkdtemp(prefix="derisk-monitor-bench-"))
    base = tmp / "base.duckdb"
    g.write_store(base, data)
    add_watches(base, args.products)
    with DuckStore(base) as s:
        first = monitor.run(s, today=dt.date(2026, 12, 1))
    say(
        f"{args.products:,} watched products, {len(data['links'][0]):,} links; set-up and first "
        f"pass {time.perf_counter() - t0:.1f} s ({first['baseline']:,} answers, "
        f"{first['seconds']} s for the first pass)"
    )
    if args.facility is None:
        sup, cus, _share = data["links"]
        args.facility = next(s for s, c in zip(sup, cus, strict=True) if c == "p-0")
    affected = downstream_products(base, args.facility)
    say(f"event: a stake in {args.facility}; {affected} product(s) downstream of it")
    impact: list[float] = []
    full: list[float] = []
    recomputed = 0
    missed = 0
    for r in range(args.repeat):
        db = tmp / f"run{r}.duckdb"
        shutil.copyfile(base, db)
        accept_event(db, args.facility)
        with DuckStore(db) as s:
            t1 = time.perf_counter()
            res = monitor.run(s, today=dt.date(2026, 12, 2))
            impact.append(time.perf_counter() - t1)
            recomputed = res["recomputed"]
            t2 = time.perf_counter()
            res_full = monitor.run(s, today=dt.date(2026, 12, 2), full=True)
            full.append(time.perf_counter() - t2)
            missed += len(res_full["alerts"])
        db.unlink()
    shutil.rmtree(tmp, ignore_errors=True)
    mi, mf = statistics.median(impact), statistics.median(full)
    if args.json:
        out = {
            "products": args.products,
            "links": len(data["links"][0]),
            "repeat": args.repeat,
            "baseline_answers": first["baseline"],
            "facility": args.facility,
            "downstream_products": affected,
            "impact_s": mi,
            "full_s": mf,
            "recomputed": recomputed,
            "missed": missed,
            "target_met": mi <= 5.0,
        }
        print(json.dumps(out, indent=1))
        if missed:
            raise SystemExit("the full pass found changes the impact pass missed")
        return
    print(f"{'pass':<34}{'median s':>10}{'answers':>10}")
    print(f"{'impact (dependent answers only)':<34}{mi:>10.3f}{recomputed:>10,}")
    print(f"{'peer: recompute everything':<34}{mf:>10.3f}{args.products:>10,}")
    print(f"speed-up {mf / mi:.1f}x; changes the impact pass missed: {missed}")
    target = "met" if mi <= 5.0 else "NOT met"
    print(f"target impact <= 5 s over {args.products:,} watched products: {target}")
    if missed:
        raise SystemExit("the full pass found changes the impact pass missed")


if __name__ == "__main__":
    main()
