"""Spark by components against the local engine, on graphs of many components and a few large.

Real ownership layers are many small weakly connected groups and a few large ones. This
benchmark generates such a layer (component sizes drawn from a power law, P(size > s) ~ s^-1.5,
so most groups have 2-10 entities and the largest tens of thousands; inside a group every entity
but the first has 1 + Poisson(1) holders among the entities before it, and 1% of stakes are back
edges making short cycles; ids shuffled), writes it as a stakes Parquet file (string ids), and
runs ``derisk engine lookthrough`` end to end (read, plan, one query for 1,000 owners spread over
the layer, write Parquet) on the local engine and on Spark ``local[2]``, each in its own process,
on the same file. Spark takes the component path of ``lookthrough_parquet``: every partition
of the file labels the components of its own stakes and hands up a forest, the driver merges
the forests and packs the components into buckets, each bucket is solved whole in one task with
the local algorithm, and the shares are sorted and written (four Spark jobs in all).

The table gives each engine's wall seconds and CPU seconds (of its whole process tree: for Spark
the driver, its JVM and the Python workers, which a loaded machine inflates much less than wall
time), their ratios, the largest difference between the two answers and the load average around
each run (the machine may be shared: the ratios carry over, absolute seconds less so). From the
Spark runs it projects the core-hours for 10^9 stakes on a cluster from the measured costs per
stake of each part (see ``projection`` for the method).

Run::

    python benchmarks/spark_components.py                    # 1e5 and 1e6 stakes: ~2 min
    python benchmarks/spark_components.py --stakes 1000000 10000000  # 1e6 and 1e7: ~10 min
    python benchmarks/spark_components.py --tiny              # smoke: ~300 stakes (driver labels)
    python benchmarks/spark_components.py --tiny --json out.json   # the same, JSON in out.json

Exits with status 1 when an engine fails or the answers differ by more than 1e-9.
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
TARGET_STAKES = 1e9


def component_sizes(nodes: int, rng: np.random.Generator, tail: float = 1.5) -> np.ndarray:
    """Sizes (entities, at least 2) adding up to ``nodes``: P(size > s) ~ s^-tail."""
    out: list[np.ndarray] = []
    total = 0
    while total < nodes:
        s = np.floor(2.0 * (1.0 - rng.random(max(16, nodes // 4))) ** (-1.0 / tail))
        s = np.minimum(s, nodes).astype(np.int64)
        out.append(s)
        total += int(s.sum())
    sizes = np.concatenate(out)
    cut = int(np.searchsorted(np.cumsum(sizes), nodes))
    sizes = sizes[: cut + 1]
    sizes[-1] -= int(sizes.sum()) - nodes
    return sizes[sizes >= 1]


def generate_components(stakes: int, seed: int = 11) -> pa.Table:
    """About ``stakes`` stakes in many weakly connected groups (see the module doc)."""
    rng = np.random.default_rng(seed)
    n = max(int(stakes / 1.41), 8)  # ~1.41 stakes per entity
    sizes = component_sizes(n, rng)
    n = int(sizes.sum())
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.arange(n) - start
    held = np.flatnonzero(rank > 0)
    k = np.minimum(1 + rng.poisson(1.0, size=held.size), rank[held])
    owned = np.repeat(held, k)
    owner = start[owned] + (rng.random(owned.size) * rank[owned]).astype(np.int64)
    e = rng.exponential(size=owned.size)
    col = np.bincount(owned, weights=e, minlength=n)
    share = e / col[owned] * rng.uniform(0.3, 0.95, size=n)[owned]
    nb = owned.size // 100  # back edges: a subsidiary holds part of one of its holders
    pick = rng.choice(owned.size, size=nb, replace=False)
    b_owner, b_owned = owned[pick], owner[pick]
    room = 1.0 - np.bincount(owned, weights=share, minlength=n)
    w = rng.random(nb) * 0.5 * room[b_owned]
    tot = np.bincount(b_owned, weights=w, minlength=n)
    w *= np.where(tot > room, room / np.maximum(tot, 1e-300), 1.0)[b_owned] * 0.999
    o = np.concatenate([owner, b_owner])
    d = np.concatenate([owned, b_owned])
    perm = rng.permutation(n)  # ids carry no hint of the groups
    ids = np.char.add("E", np.char.zfill(perm.astype(str), 9))
    return pa.table(
        {"owner_id": ids[o], "owned_id": ids[d], "percent": 100 * np.concatenate([share, w])}
    )


def size_profile(table: pa.Table) -> dict[str, Any]:
    """Weakly connected components of the generated layer (counted with SciPy)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    from derisk.engines.tables import encode

    ids, (o, d) = encode([table["owner_id"], table["owned_id"]])
    m = ids.size
    g = sp.csr_matrix((np.ones(o.size), (o, d)), shape=(m, m))
    _nc, lab = connected_components(g, directed=True, connection="weak")
    per = np.bincount(lab[d], minlength=int(lab.max()) + 1)
    top = np.sort(per)[::-1]
    return {
        "entities": int(m),
        "components": int((per > 0).sum()),
        "largest_stakes": [int(x) for x in top[:3]],
        "largest_share": float(top[0] / max(1, o.size)),
    }


def tree_cpu_s() -> float:
    """CPU seconds used so far by this process and its descendants (the Spark JVM and its
    Python workers, finished ones included): core-seconds actually spent, which a loaded
    machine does not inflate as it does wall time."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stats[int(d.name)] = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
    me = os.getpid()
    total = 0.0
    for pid, st in stats.items():
        p, seen = pid, 0
        while p in stats and p != me and seen < 50:
            p, seen = int(stats[p][1]), seen + 1
        if p == me:  # utime, stime, cutime, cstime
            total += sum(int(x) for x in st[11:15]) / tick
    return total


def child(args: argparse.Namespace) -> None:
    from derisk.engines.local import LocalEngine
    from derisk.services import engines as svc

    eng: Any
    if args.engine == "spark":
        from derisk.engines.spark import SparkEngine, SparkSettings

        eng = SparkEngine(
            settings=SparkSettings(
                master="local[2]",
                workdir=args.work,
                driver_limit=args.driver_limit,
                task_limit=args.task_limit,
                conf={
                    "spark.driver.memory": args.driver_memory,
                    "spark.sql.shuffle.partitions": str(args.partitions),
                    "spark.local.dir": args.work,
                    "spark.ui.enabled": "false",
                },
            )
        )
    else:
        eng = LocalEngine()
    members = [str(x) for x in json.loads(Path(args.members).read_text())]
    load0 = os.getloadavg()[0]
    cpu0 = tree_cpu_s()
    t0 = time.perf_counter()
    res = svc.lookthrough_files(eng, args.input, members, args.out)
    secs = time.perf_counter() - t0
    out = {
        "seconds": secs,
        "cpu_s": tree_cpu_s() - cpu0,
        "load": [load0, os.getloadavg()[0]],
        "plan": res.plan.to_json(),
        "held": res.held,
        "engine": res.engine,
    }
    if args.engine == "spark":
        out["timings"] = dict(eng.timings)
        eng.close()
    print(json.dumps(out))


def run_child(**kw: Any) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child"]
    for k, v in kw.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-5:]
        return {"error": " | ".join(tail)}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def max_diff(a: Path, b: Path) -> float:
    ta, tb = pq.read_table(a).to_pandas(), pq.read_table(b).to_pandas()
    m = ta.merge(tb, on="entity", how="outer", suffixes=("_a", "_b")).fillna(0.0)
    return float(np.abs(m["share_a"] - m["share_b"]).max()) if len(m) else 0.0


def _spark_costs(row: dict[str, Any]) -> dict[str, float]:
    """Core-seconds of one Spark run by part (CPU seconds of its process tree)."""
    sp_ = row["spark"]
    t = sp_.get("timings", {})
    cpu = float(sp_.get("cpu_s") or 0.0)
    forest = float(t.get("forest_task_s", 0.0))
    merge = float(t.get("merge_cpu_s", t.get("merge_s", 0.0)))
    task = float(t.get("task_s", 0.0))
    return {
        "cpu": cpu,
        "forest": forest,
        "merge": merge,
        "task": task,
        "rest": max(0.0, cpu - forest - merge - task),
        "wall": float(sp_["seconds"]),
        "forest_rows": float(t.get("forest_rows", 0.0)),
    }


def projection(rows: list[dict[str, Any]], cores: int = 2) -> dict[str, Any]:
    """Core-hours for 10^9 stakes on a cluster from the Spark runs' measured costs.

    Method: the work that scales with the stakes is measured where it runs — the seconds
    inside the forest tasks (first pass) and the bucket tasks (solve), summed over tasks, and
    the driver's merge of the forests (one core) — each taken per stake at the largest size
    and multiplied by 10^9. Everything else the Spark process tree spent (CPU seconds minus
    those parts: scans, Arrow transfers, the shuffle, sorting, writing, job scheduling) is
    fitted through the two largest sizes as a fixed cost plus a cost per stake (the number of
    jobs does not grow with the stakes, so their fixed cost is paid once), or taken per stake
    at the largest size when only one size ran. ``upper_core_hours_1e9`` scales the largest
    run's whole CPU per stake instead (fixed costs counted as growing with the stakes), and
    ``wall_core_hours_1e9`` its wall time x ``cores`` per stake (inflated by other work on a
    shared machine). ``driver_gb_1e9`` is the driver memory the merge needs at 10^9 stakes
    (about 60 bytes per forest row, the forest rows per stake as measured)."""
    b = _spark_costs(rows[-1])
    s2 = float(rows[-1]["stakes"])
    per = {k: b[k] / s2 for k in ("forest", "merge", "task", "rest")}
    fixed = 0.0
    if len(rows) >= 2:
        a = _spark_costs(rows[-2])
        s1 = float(rows[-2]["stakes"])
        slope = (b["rest"] - a["rest"]) / (s2 - s1)
        if slope > 0:
            per["rest"], fixed = slope, max(0.0, b["rest"] - slope * s2)
    core_s = TARGET_STAKES * sum(per.values()) + fixed
    return {
        "from_stakes": [int(r["stakes"]) for r in rows[-2:]],
        "spark_cpu_s": b["cpu"],
        "forest_core_us_per_stake": round(per["forest"] * 1e6, 3),
        "merge_core_us_per_stake": round(per["merge"] * 1e6, 3),
        "task_core_us_per_stake": round(per["task"] * 1e6, 3),
        "rest_core_us_per_stake": round(per["rest"] * 1e6, 3),
        "fixed_core_s": round(fixed, 1),
        "core_hours_1e9": round(core_s / 3600, 2),
        "upper_core_hours_1e9": round(b["cpu"] * TARGET_STAKES / s2 / 3600, 2),
        "wall_core_hours_1e9": round(cores * b["wall"] * TARGET_STAKES / s2 / 3600, 2),
        "driver_gb_1e9": round(60 * b["forest_rows"] / s2 * TARGET_STAKES / 1e9, 1),
    }


def measure(td: Path, stakes: int, args: argparse.Namespace) -> dict[str, Any]:
    table = generate_components(stakes)
    path = td / f"stakes-{stakes}.parquet"
    pq.write_table(table, path)
    owners = np.unique(table["owner_id"].to_numpy(zero_copy_only=False))
    mem = td / f"members-{stakes}.json"
    mem.write_text(json.dumps(sorted(owners.tolist())[:: max(1, owners.size // MEMBERS)]))
    row: dict[str, Any] = {"stakes": table.num_rows, **size_profile(table)}
    for eng in ("local", "spark"):
        row[eng] = run_child(
            engine=eng, input=path, members=mem, out=td / f"shares-{stakes}-{eng}.parquet",
            work=td / f"work-{eng}", driver_limit=args.driver_limit, task_limit=args.task_limit,
            partitions=args.partitions, driver_memory=args.driver_memory,
        )  # fmt: skip
        print(f"{table.num_rows:,} stakes, {eng}: {row[eng]}", file=sys.stderr)
    ok = "error" not in row["local"] and "error" not in row["spark"]
    row["max_diff"] = (
        max_diff(td / f"shares-{stakes}-local.parquet", td / f"shares-{stakes}-spark.parquet")
        if ok
        else None
    )
    if ok:
        row["ratio"] = row["spark"]["seconds"] / row["local"]["seconds"]
    return row


def report(rows: list[dict[str, Any]], proj: dict[str, Any] | None) -> None:
    print(
        f"{'stakes':>11} {'comps':>9} {'largest':>8} {'local s':>8} {'spark s':>8} "
        f"{'ratio':>6} {'local cpu':>9} {'spark cpu':>9} {'cpu ratio':>9} {'max |diff|':>10} "
        f"{'load':>10}"
    )
    nan = float("nan")
    for r in rows:
        lo, spk = r["local"], r["spark"]
        d = "-" if r["max_diff"] is None else f"{r['max_diff']:.1e}"
        loads = [*lo.get("load", []), *spk.get("load", [])]
        load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "-"
        lc, sc = lo.get("cpu_s") or nan, spk.get("cpu_s") or nan
        print(
            f"{r['stakes']:>11,} {r['components']:>9,} {r['largest_stakes'][0]:>8,} "
            f"{lo.get('seconds', nan):>8.1f} {spk.get('seconds', nan):>8.1f} "
            f"{r.get('ratio', nan):>6.1f} {lc:>9.1f} {sc:>9.1f} {sc / lc:>9.1f} {d:>10} "
            f"{load:>10}"
        )
        for e in ("local", "spark"):
            if "error" in r[e]:
                print(f"   {e} failed: {r[e]['error']}")
    if proj:
        print(
            f"projected for 1e9 stakes from {proj['from_stakes']} stakes (core-us/stake): "
            f"forest tasks {proj['forest_core_us_per_stake']} + driver merge "
            f"{proj['merge_core_us_per_stake']} + bucket tasks {proj['task_core_us_per_stake']} "
            f"+ the rest {proj['rest_core_us_per_stake']}, + {proj['fixed_core_s']} core-s "
            f"fixed = {proj['core_hours_1e9']} core-hours (whole CPU per stake of the largest "
            f"run: {proj['upper_core_hours_1e9']}; its wall x cores: "
            f"{proj['wall_core_hours_1e9']}; driver for the merge: {proj['driver_gb_1e9']} GB)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--members", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--stakes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--driver-limit", type=int, default=0, help="Spark: links collected")
    ap.add_argument("--task-limit", type=int, default=2_000_000, help="Spark: stakes per task")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--driver-memory", default="8g")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--tiny", action="store_true", help="smoke run: ~300 stakes")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.tiny:
        # the engine's shipped default (labels found on the driver): the smoke run checks the
        # component tasks against the local engine; labelling on Spark is in the engine suite
        args.stakes, args.partitions, args.driver_memory = [300], 2, "1g"
        args.driver_limit = 5_000_000
    with tempfile.TemporaryDirectory(prefix="derisk-spark-cc-") as tmp:
        rows = [measure(Path(tmp), s, args) for s in args.stakes]
    last = rows[-1]
    good = [r for r in rows if r["max_diff"] is not None]
    proj = projection(good) if not args.tiny and good and good[-1] is last else None
    report(rows, proj)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"rows": rows, "projection": proj}, indent=2, default=str)
        )
    failed = [str(r["stakes"]) for r in rows if r["max_diff"] is None or r["max_diff"] > 1e-9]
    if failed:
        raise SystemExit(f"an engine failed or the engines disagree at {', '.join(failed)} stakes")


if __name__ == "__main__":
    main()
