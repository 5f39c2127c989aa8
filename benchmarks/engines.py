"""Local engine against Spark (local[2]) on generated data: look-through and trade origins.

For each size, one run and the same machine:

* **ownership**: a generated stakes file (Parquet, string ids; entities in tiers, ~4 holders
  each mostly from the tier above, 1% back edges making short cycles) at 1e6 and 1e7 stakes;
  ``derisk engine lookthrough`` end to end (read Parquet, plan, one owner-set query over every
  entity for 1,000 owners, write Parquet) on each engine;
* **trade**: a generated BACI-sized year (5,000 HS6 codes x 230 countries, ~1,700 flows per
  code, ~8.5 million flows, production for part of the codes, 2% unknown partners);
  ``derisk engine trace`` end to end on each engine.

Each run is its own process; the table gives wall seconds, the peak resident memory of the
process tree (the local process; for Spark the driver and its JVM), the ratio Spark/local, and
the largest difference between the two engines' answers. From the local peaks it projects the
stake count at which the local engine's memory runs out on 24 GB, and from the Spark run at the
largest size the cluster needed for 1e9 stakes.

Run::

    python benchmarks/engines.py     # 1e6 and 1e7 stakes, 5,000 codes: ~30 minutes on 2 cores
    python benchmarks/engines.py --stakes 100000 --trade-codes 200   # a quick look
    python benchmarks/engines.py --tiny    # smoke: 30 stakes, 1 code, both engines
    python benchmarks/engines.py --tiny --json out.json   # the same, results also in out.json

``--tiny`` runs the same tasks on each engine at the smallest sizes (one code of ~2,000 flows;
~30 stakes), both tasks of an engine in one process so that Spark starts once, with Spark set
as the test suite sets it (two shuffle partitions, 1 GB driver). Every run exits with status
1 when an engine fails or the two engines' answers differ by more than 1e-9.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MEMBERS = 1_000
MACHINE_GB = 24.0


def generate_stakes(stakes: int, seed: int = 7) -> pa.Table:
    """About ``stakes`` stakes among ``stakes / 2.67`` entities in tiers (see the module doc)."""
    rng = np.random.default_rng(seed)
    n = max(int(stakes / 2.67), 10)  # top-tier entities hold nothing: ~2.67 stakes each
    tier = np.sort(np.minimum(rng.geometric(0.35, size=n) - 1, 11))
    start = np.searchsorted(tier, np.arange(13))
    size = np.diff(start)
    held = np.flatnonzero(tier > 0)
    k = 1 + rng.poisson(3.0, size=held.size)
    owned = np.repeat(held, k)
    up = np.minimum(rng.geometric(0.75, size=owned.size), tier[owned])
    ot = tier[owned] - up
    owner = start[ot] + (rng.random(owned.size) * size[ot]).astype(np.int64)
    e = rng.exponential(size=owned.size)
    col = np.bincount(owned, weights=e, minlength=n)
    share = e / col[owned] * rng.uniform(0.3, 0.95, size=n)[owned]
    nb = owned.size // 100  # back edges: a subsidiary holds part of its holder
    pick = rng.choice(owned.size, size=nb, replace=False)
    b_owner, b_owned = owned[pick], owner[pick]
    room = 1.0 - np.bincount(owned, weights=share, minlength=n)
    w = rng.random(nb) * 0.5 * room[b_owned]
    tot = np.bincount(b_owned, weights=w, minlength=n)
    w *= np.where(tot > room, room / np.maximum(tot, 1e-300), 1.0)[b_owned] * 0.999
    o = np.concatenate([owner, b_owner])
    d = np.concatenate([owned, b_owned])
    ids = np.char.add("E", np.char.zfill(np.arange(n).astype(str), 9))
    return pa.table(
        {"owner_id": ids[o], "owned_id": ids[d], "percent": 100 * np.concatenate([share, w])}
    )


def generate_trade(codes: int, countries: int = 230, seed: int = 3) -> tuple[pa.Table, pa.Table]:
    """A BACI-sized year: ``codes`` HS6 codes, ~1,700 flows each, production for 60%."""
    rng = np.random.default_rng(seed)
    names = np.array([f"C{i:03d}" for i in range(countries)])
    weight = 1.0 / np.arange(1, countries + 1) ** 1.1
    rows_c, rows_e, rows_i, rows_q = [], [], [], []
    prod_c, prod_n, prod_q = [], [], []
    for c in range(codes):
        m = int(rng.integers(1200, 2200))
        perm = rng.permutation(countries)
        e = perm[rng.choice(countries, size=m, p=weight / weight.sum())]
        i = rng.integers(0, countries, size=m)
        keep = e != i
        e, i = e[keep], i[keep]
        code = f"{100000 + c:06d}"
        rows_c.append(np.full(e.size, code))
        rows_e.append(names[e])
        rows_i.append(names[i])
        rows_q.append(rng.lognormal(8, 2, size=e.size))
        unk = rng.random(countries) < 0.02
        rows_c.append(np.full(int(unk.sum()), code))
        rows_e.append(np.full(int(unk.sum()), "OTH"))
        rows_i.append(names[unk])
        rows_q.append(rng.lognormal(6, 1, size=int(unk.sum())))
        if rng.random() < 0.6:
            top = perm[:10]
            prod_c.append(np.full(10, code))
            prod_n.append(names[top])
            prod_q.append(rng.lognormal(12, 1, size=10))
    flows = pa.table(
        {
            "year": np.full(sum(len(x) for x in rows_c), 2022, dtype=np.int64),
            "commodity": np.concatenate(rows_c),
            "exporter": np.concatenate(rows_e),
            "importer": np.concatenate(rows_i),
            "quantity": np.concatenate(rows_q),
        }
    )
    prod = pa.table(
        {
            "year": np.full(sum(len(x) for x in prod_c), 2022, dtype=np.int64),
            "commodity": np.concatenate(prod_c),
            "country": np.concatenate(prod_n),
            "quantity": np.concatenate(prod_q),
        }
    )
    return flows, prod


def tree_peak_mb() -> float:
    """Peak resident memory of this process plus its live descendants (the Spark JVM)."""
    own = _hwm_mb(Path("/proc/self/status"))
    kids = 0.0
    me = os.getpid()
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(d.name)] = int(stat[1])
            except (OSError, IndexError, ValueError):
                continue
    for pid in parents:
        p, seen = pid, 0
        while p in parents and p != me and seen < 50:
            p, seen = parents[p], seen + 1
        if p == me and pid != me:
            kids += _hwm_mb(Path("/proc") / str(pid) / "status")
    return own + kids


def _hwm_mb(status: Path) -> float:
    """Peak resident memory (VmHWM) of one process, MB."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child(args: argparse.Namespace) -> None:
    from derisk.engines.local import LocalEngine
    from derisk.services import engines as svc

    t0 = time.perf_counter()
    if args.engine == "spark":
        from derisk.engines.spark import SparkEngine, SparkSettings

        eng: Any = SparkEngine(
            settings=SparkSettings(
                master="local[2]",
                workdir=args.work,
                conf={
                    "spark.driver.memory": args.driver_memory,
                    "spark.sql.shuffle.partitions": str(args.partitions),
                    "spark.local.dir": args.work,
                },
            )
        )
    else:
        eng = LocalEngine()
    started = time.perf_counter() - t0
    if args.task == "both":  # --tiny: both tasks in one process, one Spark start
        trade = _task(eng, "trade", args.input, args.production, args.members, args.out)
        own = _task(eng, "own", args.own_input, None, args.members, args.own_out)
        both = {"trade": trade, "own": own, "startup": started, "peak_mb": tree_peak_mb()}
        if args.engine == "spark":
            eng.close()
        print(json.dumps(both))
        return
    t0 = time.perf_counter()
    if args.task == "own":
        members = [str(x) for x in json.loads(Path(args.members).read_text())]
        res = svc.lookthrough_files(eng, args.input, members, args.out)
    else:
        res = svc.trace_files(eng, args.input, args.production, ["C000", "C001"], args.out)
    secs = time.perf_counter() - t0
    peak = tree_peak_mb()
    if args.engine == "spark":
        eng.close()
    print(
        json.dumps({"seconds": secs, "startup": started, "peak_mb": peak, "result": res.to_json()})
    )


def _task(
    eng: Any, task: str, data: str, production: str | None, members: str, out: str
) -> dict[str, Any]:
    """One task on an engine already started: its wall seconds and its result."""
    from derisk.services import engines as svc

    t0 = time.perf_counter()
    if task == "own":
        owners = [str(x) for x in json.loads(Path(members).read_text())]
        res = svc.lookthrough_files(eng, data, owners, out)
    else:
        res = svc.trace_files(eng, data, str(production), ["C000", "C001"], out)
    return {"seconds": time.perf_counter() - t0, "result": res.to_json()}


def tiny(td: Path, stakes: int, codes: int, spark: dict[str, Any]) -> list[dict[str, Any]]:
    """The smoke run: both tasks at the smallest sizes, each engine in one process."""
    flows, prod = generate_trade(codes)
    fpath, ppath = td / "flows.parquet", td / "production.parquet"
    pq.write_table(flows, fpath)
    pq.write_table(prod, ppath)
    table = generate_stakes(stakes)
    spath = td / f"stakes-{stakes}.parquet"
    pq.write_table(table, spath)
    owners = np.unique(table["owner_id"].to_numpy(zero_copy_only=False))
    mem = td / f"members-{stakes}.json"
    mem.write_text(json.dumps(sorted(owners.tolist())[:: max(1, owners.size // MEMBERS)]))
    res: dict[str, dict[str, Any]] = {}
    for eng in ("local", "spark"):
        res[eng] = run_child(
            engine=eng, task="both", input=fpath, production=ppath, members=mem,
            out=td / f"origins-{eng}.parquet", own_input=spath,
            own_out=td / f"shares-{eng}.parquet", work=td / f"work-{eng}", **spark,
        )  # fmt: skip
        print(f"both tasks, {eng}: {res[eng]}", file=sys.stderr)

    def side(eng: str, task: str) -> dict[str, Any]:
        r = res[eng]
        if "error" in r:
            return r
        return {**r[task], "startup": r["startup"], "peak_mb": r["peak_mb"]}

    ok = "error" not in res["local"] and "error" not in res["spark"]
    trade_diff = (
        max_diff(td / "origins-local.parquet", td / "origins-spark.parquet",
                 ["commodity", "country"], ["selected_share", "unknown_share"])
        if ok else None
    )  # fmt: skip
    own_diff = (
        max_diff(td / "shares-local.parquet", td / "shares-spark.parquet", ["entity"], ["share"])
        if ok
        else None
    )
    return [
        {"case": f"trade origins, {flows.num_rows:,} flows ({codes:,} codes)",
         "local": side("local", "trade"), "spark": side("spark", "trade"),
         "max_diff": trade_diff},
        {"case": f"look-through, {table.num_rows:,} stakes", "stakes": table.num_rows,
         "local": side("local", "own"), "spark": side("spark", "own"), "max_diff": own_diff},
    ]  # fmt: skip


def run_child(**kw: Any) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child"]
    for k, v in kw.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-5:]
        return {"error": " | ".join(tail)}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def max_diff(a: Path, b: Path, keys: list[str], cols: list[str]) -> float:
    ta, tb = pq.read_table(a).to_pandas(), pq.read_table(b).to_pandas()
    m = ta.merge(tb, on=keys, how="outer", suffixes=("_a", "_b")).fillna(0.0)
    return float(max(np.abs(m[f"{c}_a"] - m[f"{c}_b"]).max() for c in cols))


def full(td: Path, args: argparse.Namespace, spark: dict[str, Any]) -> list[dict[str, Any]]:
    """The full run: each engine on each task and size in its own process."""
    rows: list[dict[str, Any]] = []
    flows, prod = generate_trade(args.trade_codes)
    fpath, ppath = td / "flows.parquet", td / "production.parquet"
    pq.write_table(flows, fpath)
    pq.write_table(prod, ppath)
    res = {}
    for eng in ("local", "spark"):
        res[eng] = run_child(
            engine=eng, task="trade", input=fpath, production=ppath,
            out=td / f"origins-{eng}.parquet", work=td / f"work-{eng}", **spark,
        )  # fmt: skip
        print(f"trade {flows.num_rows:,} {eng}: {res[eng]}", file=sys.stderr)
    diff = (
        max_diff(td / "origins-local.parquet", td / "origins-spark.parquet",
                 ["commodity", "country"], ["selected_share", "unknown_share"])
        if "error" not in res["local"] and "error" not in res["spark"] else None
    )  # fmt: skip
    rows.append({"case": f"trade origins, {flows.num_rows:,} flows ({args.trade_codes:,} "
                 "codes)", **res, "max_diff": diff})  # fmt: skip
    for m in args.stakes:
        table = generate_stakes(m)
        path = td / f"stakes-{m}.parquet"
        pq.write_table(table, path)
        owners = np.unique(table["owner_id"].to_numpy(zero_copy_only=False))
        mem = td / f"members-{m}.json"
        mem.write_text(json.dumps(sorted(owners.tolist())[:: max(1, owners.size // MEMBERS)]))
        res = {}
        for eng in ("local", "spark"):
            res[eng] = run_child(
                engine=eng, task="own", input=path, members=mem,
                out=td / f"shares-{m}-{eng}.parquet", work=td / f"work-{eng}", **spark,
            )  # fmt: skip
            print(f"stakes {table.num_rows:,} {eng}: {res[eng]}", file=sys.stderr)
        diff = (
            max_diff(td / f"shares-{m}-local.parquet", td / f"shares-{m}-spark.parquet",
                     ["entity"], ["share"])
            if "error" not in res["local"] and "error" not in res["spark"] else None
        )  # fmt: skip
        rows.append({"case": f"look-through, {table.num_rows:,} stakes", "stakes":
                     table.num_rows, **{e: res[e] for e in res}, "max_diff": diff})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="local")
    ap.add_argument("--task", default="own")
    ap.add_argument("--input")
    ap.add_argument("--production")
    ap.add_argument("--members")
    ap.add_argument("--out")
    ap.add_argument("--work")
    ap.add_argument("--own-input", help=argparse.SUPPRESS)
    ap.add_argument("--own-out", help=argparse.SUPPRESS)
    ap.add_argument("--partitions", type=int, default=8, help=argparse.SUPPRESS)
    ap.add_argument("--driver-memory", default="12g", help=argparse.SUPPRESS)
    ap.add_argument("--stakes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--trade-codes", type=int, default=5_000)
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: 30 stakes and 1 code, both engines"
    )
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    spark = {"partitions": args.partitions, "driver_memory": args.driver_memory}
    if args.tiny:  # the smallest sizes, and Spark set as the test suite sets it
        spark = {"partitions": 2, "driver_memory": "1g"}
    with tempfile.TemporaryDirectory(prefix="derisk-engines-") as tmp:
        td = Path(tmp)
        rows = tiny(td, 30, 1, spark) if args.tiny else full(td, args, spark)
    report(rows, project=not args.tiny)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))
    failed = [r["case"] for r in rows if r["max_diff"] is None or r["max_diff"] > 1e-9]
    if failed:
        raise SystemExit(f"an engine failed or the engines disagree: {'; '.join(failed)}")


def report(rows: list[dict[str, Any]], project: bool = True) -> None:
    print(f"{'case':<44} {'local s':>9} {'spark s':>9} {'spark/local':>11} "
          f"{'local MB':>9} {'spark MB':>9} {'max |diff|':>10}")  # fmt: skip
    for r in rows:
        lo, sp = r["local"], r["spark"]
        ls = lo.get("seconds")
        ss = sp.get("seconds")
        ratio = f"{ss / ls:.2f}" if ls and ss else "-"
        d = "-" if r["max_diff"] is None else f"{r['max_diff']:.1e}"
        print(
            f"{r['case']:<44} {ls or float('nan'):>9.1f} {ss or float('nan'):>9.1f} {ratio:>11} "
            f"{lo.get('peak_mb', float('nan')):>9.0f} {sp.get('peak_mb', float('nan')):>9.0f} "
            f"{d:>10}"
        )
        for e in ("local", "spark"):
            if "error" in r[e]:
                print(f"   {e} failed: {r[e]['error']}")
    if not project:  # the smoke sizes are too small to project from
        return
    own = [r for r in rows if "stakes" in r and "peak_mb" in r["local"]]
    if len(own) >= 2:
        a, b = own[-2], own[-1]
        slope = (b["local"]["peak_mb"] - a["local"]["peak_mb"]) / (b["stakes"] - a["stakes"])
        if slope > 0:
            limit = b["stakes"] + (MACHINE_GB * 1024 - b["local"]["peak_mb"]) / slope
            print(
                f"local engine: {slope * 1e6:.0f} MB per million stakes (between the two sizes); "
                f"24 GB runs out near {limit:.2e} stakes"
            )
    if own and "seconds" in own[-1]["spark"]:
        b = own[-1]
        core_s = 2 * b["spark"]["seconds"] * 1e9 / b["stakes"]
        mb = b["spark"]["peak_mb"] * 1e9 / b["stakes"]
        cores_1h = core_s / 3600
        print(
            f"spark, projected to 1e9 stakes (linear in stakes, same depth): {core_s / 3600:.0f} "
            f"core-hours; for one hour ~{cores_1h:.0f} cores; memory ~{mb / 1024:.0f} GB in all "
            f"(~{max(1, round(mb / 1024 / 16))} executors of 16 GB)"
        )


if __name__ == "__main__":
    main()
