"""Look-through screening at scale: derisk's block solver against SciPy BiCGSTAB (and networkx).

Generates ownership-like layers -- entities in tiers (ultimate owners on top), about three
stakes per entity mostly from the tier just above, column sums uniform in 0.3-1.0, and about
1% back edges (a subsidiary holding a stake in its parent or grandparent: cross-holdings and
short cycles) -- at n = 1e5, 1e6, 1e7, and screens every entity against one owner set of
1,000 entities (the share of each entity held by the set, chains cut at the first member).

For each n, in one run and on the same system:

* ``prepare``: derisk's condensation, levels and layout (once per layer); ``cold`` is prepare
  plus the first screen (what a user waits for after a data update); CPU seconds beside wall
  time (less sensitive to a shared machine's load);
* ``restart``: the prepared structure kept as the store keeps it (``.npy`` files, see
  ``derisk.store.prepared``), loaded memory-mapped as a restarted process would, and the first
  screen from it (its answers compared with the first process's);
* ``screen``: one owner-set query over all n entities, warm (median of repeats);
* the peers, each on the same shares ``x = W^T (s + D x)``, ``D = diag(1 - s)``, from the same
  stakes: Jacobi/Neumann sweeps ``x <- W^T (s + D x)`` until the largest change is below 1e-13
  (they converge in about the chain depth), and SciPy BiCGSTAB on ``(I - W^T D) x = W^T s``
  (rtol 1e-10) with its ``info`` flag checked. Their matrix assembly is timed apart; a peer that
  does not converge is reported and left out. The ratios use the fastest converging peer:
  ``cold`` against its assembly plus solve, ``screen`` against its solve alone (also in CPU
  seconds, ``solve_cpu_s`` against ``screen_cpu_s``: on a shared machine a 0.3 s screen loses
  more of its wall time to other processes than a solve of seconds does);
* ``max |diff|`` between derisk and each converging peer; peak resident memory of the process
  (each n runs in its own process);
* at n = 1e4, networkx ``all_simple_paths`` enumeration of the same shares for a sample of
  entities, timed per entity and extrapolated to all of them;
* loading ``--load`` stakes (default 1e7) from CSV and from Parquet into a derisk store with
  ``derisk import stakes-bulk`` (DuckDB's native readers);
* with ``--cli N``: the whole cold command ``derisk engine lookthrough`` on the layer of size N
  written as Parquet (string ids), in a fresh process, against a peer process that reads the
  same file with pyarrow, encodes the ids, assembles ``W^T`` and runs the Jacobi sweeps to
  convergence, then writes its shares the same way; both wall times and the largest difference
  between the two output files.

Run::

    python benchmarks/ownership.py     # all sizes, about 10 minutes on 2 cores
    python benchmarks/ownership.py --sizes 100000 1000000 --no-load
    python benchmarks/ownership.py --tiny    # smoke: n = 1e4, one repeat, the whole command
    python benchmarks/ownership.py --sizes 10000000 --no-load --shuffle   # ids in random order
    python benchmarks/ownership.py --tiny --json out.json   # the same, results also in out.json

``--tiny`` runs n = 1e4 only, with one repeat, no networkx and no load, and the whole-command
run (``--cli``) at the same n.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from derisk.analysis.ownership import FlatPlan, Stakes, plan, set_share

OWNER_SET = 1_000
FAR_BACK = 0.0
"""Share of back edges that go to a grandparent (the rest go to a direct parent)."""


def generate(n: int, seed: int = 7) -> Stakes:
    """An ownership-like layer with about 3 stakes per entity and 1% back edges."""
    rng = np.random.default_rng(seed)
    tier = np.minimum(rng.geometric(0.3, size=n) - 1, 12)
    tier.sort()
    tier_start = np.searchsorted(tier, np.arange(14))
    tier_size = np.diff(tier_start)
    held = np.flatnonzero(tier > 0)
    k = 1 + rng.poisson(3.3, size=held.size)
    owned = np.repeat(held, k)
    up = np.minimum(rng.geometric(0.7, size=owned.size), tier[owned])
    otier = tier[owned] - up
    owner = tier_start[otier] + (rng.random(owned.size) * tier_size[otier]).astype(np.int64)
    del up, otier, k
    # column sums uniform in 0.3-1.0, split among the holders of each entity
    e = rng.exponential(size=owned.size)
    colsum = np.bincount(owned, weights=e, minlength=n)
    target = rng.uniform(0.3, 1.0, size=n)
    share = e / colsum[owned] * target[owned]
    del e
    # back edges: 1% of stakes get a reverse stake (a subsidiary holding part of its parent),
    # a fifth of them one level further up (a stake in a grandparent: cycles of three)
    nb = owned.size // 100
    pick = rng.choice(owned.size, size=nb, replace=False)
    b_owner = owned[pick].copy()
    b_owned = owner[pick].copy()
    far = rng.random(nb) < FAR_BACK
    # grandparent: a holder of the parent, found through a random stake of the parent
    order = np.argsort(owned, kind="stable")
    first = np.searchsorted(owned[order], b_owned[far])
    count = np.searchsorted(owned[order], b_owned[far], side="right") - first
    has = count > 0
    idx = first[has] + (rng.random(int(has.sum())) * count[has]).astype(np.int64)
    gp = b_owned[far].copy()
    gp[has] = owner[order[idx]]
    b_owned[far] = gp
    room = 1.0 - np.bincount(owned, weights=share, minlength=n)
    w_b = rng.random(nb) * 0.5 * room[b_owned]
    # two back stakes into one entity must not overfill it
    dup_total = np.bincount(b_owned, weights=w_b, minlength=n)
    scale = np.where(dup_total > room, room / np.maximum(dup_total, 1e-300), 1.0)
    w_b = w_b * scale[b_owned] * 0.999
    return Stakes(
        n,
        np.concatenate([owner, b_owner]).astype(np.int64),
        np.concatenate([owned, b_owned]).astype(np.int64),
        np.concatenate([share, w_b]),
    )


def shuffled(stakes: Stakes, members: np.ndarray, seed: int = 13) -> tuple[Stakes, np.ndarray]:
    """The same layer and owner set with the entities renumbered at random: the generator numbers
    entities tier by tier (holders first), which real ids -- sorted strings -- do not."""
    new = np.random.default_rng(seed).permutation(stakes.n)
    return Stakes(stakes.n, new[stakes.owner], new[stakes.owned], stakes.share), new[members]


def owner_set(n: int, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(n // 3, size=min(OWNER_SET, n // 3), replace=False)


def bicgstab_system(stakes: Stakes, members: np.ndarray) -> tuple[Any, np.ndarray]:
    """``(I - W^T D) x = W^T s``, ``D = diag(1 - s)``: the same shares as :func:`set_share`.
    (The equivalent system in ``u = s + D x`` breaks BiCGSTAB down at its first step.)"""
    a = stakes.inflow()
    s = np.zeros(stakes.n)
    s[members] = 1.0
    mat = (sp.identity(stakes.n, format="csr") - a @ sp.diags(1.0 - s)).tocsr()
    return mat, np.asarray(a @ s)


def bicgstab_share(mat: Any, rhs: np.ndarray) -> tuple[np.ndarray, int, int]:
    iters = 0

    def count(_: Any) -> None:
        nonlocal iters
        iters += 1

    x, info = spla.bicgstab(mat, rhs, rtol=1e-10, atol=0.0, maxiter=5000, callback=count)
    return np.asarray(x), iters, int(info)


def jacobi_share(
    a: Any, members: np.ndarray, tol: float = 1e-13, maxiter: int = 10_000
) -> tuple[np.ndarray, int, bool]:
    """Jacobi/Neumann sweeps ``x <- W^T (s + D x)`` until the largest change is below ``tol``."""
    s = np.zeros(a.shape[0])
    s[members] = 1.0
    d = 1.0 - s
    x = np.asarray(a @ s)
    for it in range(1, maxiter + 1):
        nxt = np.asarray(a @ (s + d * x))
        change = float(np.abs(nxt - x).max(initial=0.0))
        x = nxt
        if change < tol:
            return x, it, True
    return x, maxiter, False


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n: int, repeats: int, bicg_repeats: int, shuffle: bool = False) -> dict[str, Any]:
    t0 = time.perf_counter()
    stakes = generate(n)
    members = owner_set(n)
    if shuffle:
        stakes, members = shuffled(stakes, members)
    gen = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    p = plan(stakes)
    prep, prep_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    ours = set_share(p, members)
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    times, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        ours = set_share(p, members)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    screen_peak = peak_mb()
    shape = {
        "levels": p.levels,
        "cyclic_components": p.cyclic_components,
        "largest_component": p.largest_component,
    }
    restart = run_restart(p, members, ours) if isinstance(p, FlatPlan) else None
    del p
    peers: dict[str, dict[str, Any]] = {}
    # Jacobi / Neumann sweeps on W^T
    t0 = time.perf_counter()
    a = stakes.inflow()
    a.sum_duplicates()
    assemble = time.perf_counter() - t0
    jt, jc, it, ok = [], [], 0, False
    theirs = ours
    for _ in range(bicg_repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        theirs, it, ok = jacobi_share(a, members)
        jt.append(time.perf_counter() - t0)
        jc.append(time.process_time() - c0)
    peers["jacobi"] = {
        "assemble_s": assemble, "solve_s": statistics.median(jt), "runs": jt,
        "solve_cpu_s": statistics.median(jc),
        "iterations": it, "converged": ok, "max_abs_diff": float(np.abs(ours - theirs).max()),
    }  # fmt: skip
    del a
    t0 = time.perf_counter()
    mat, rhs = bicgstab_system(stakes, members)
    assemble = time.perf_counter() - t0
    bt, bc, info = [], [], 0
    for _ in range(bicg_repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        theirs, it, info = bicgstab_share(mat, rhs)
        bt.append(time.perf_counter() - t0)
        bc.append(time.process_time() - c0)
    peers["bicgstab"] = {
        "assemble_s": assemble, "solve_s": statistics.median(bt), "runs": bt,
        "solve_cpu_s": statistics.median(bc),
        "iterations": it, "converged": info == 0, "info": info,
        "max_abs_diff": float(np.abs(ours - theirs).max()),
    }  # fmt: skip
    del mat, rhs
    ok_peers = {k: v for k, v in peers.items() if v["converged"]}
    best = min(ok_peers, key=lambda k: ok_peers[k]["solve_s"]) if ok_peers else None
    best_cold = (
        min(ok_peers, key=lambda k: ok_peers[k]["solve_s"] + ok_peers[k]["assemble_s"])
        if ok_peers
        else None
    )
    return {
        "n": n,
        "stakes": len(stakes.share),
        "back_edges": int(len(stakes.share) - np.count_nonzero(stakes.owner < stakes.owned)),
        **shape,
        "generate_s": gen,
        "prepare_s": prep,
        "prepare_cpu_s": prep_cpu,
        "first_screen_s": first,
        "first_screen_cpu_s": first_cpu,
        "cold_s": prep + first,
        "cold_cpu_s": prep_cpu + first_cpu,
        "screen_s": statistics.median(times),
        "screen_cpu_s": statistics.median(cpus),
        "screen_runs": times,
        "restart": restart,
        "peers": peers,
        "peer": best,
        "peer_cold": best_cold,
        "peer_solve_s": ok_peers[best]["solve_s"] if best else None,
        "peer_cold_s": (
            ok_peers[best_cold]["solve_s"] + ok_peers[best_cold]["assemble_s"]
            if best_cold
            else None
        ),
        "max_abs_diff": max((v["max_abs_diff"] for v in ok_peers.values()), default=None),
        "flagged_25pct": int((ours >= 0.25).sum()),
        "peak_mb_screen": screen_peak,
        "peak_mb": peak_mb(),
    }


def run_restart(p: FlatPlan, members: np.ndarray, ours: np.ndarray) -> dict[str, Any]:
    """Keep the prepared structure as the store does (:mod:`derisk.store.prepared`), then load
    it as a restarted process would (memory-mapped) and screen once from it."""
    from derisk.store.prepared import PreparedCache

    with tempfile.TemporaryDirectory() as tmp:
        kept = PreparedCache(Path(tmp))
        key = "0" * 64
        t0 = time.perf_counter()
        kept.save(key, p.arrays())
        save = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        arrays = kept.load(key)
        assert arrays is not None
        q = FlatPlan.from_arrays(arrays)
        load, load_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        again = set_share(q, members)
        first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
        diff = float(np.abs(again - ours).max())
        del q, arrays
    return {
        "save_s": save, "load_s": load, "load_cpu_s": load_cpu, "first_screen_s": first,
        "first_screen_cpu_s": first_cpu, "bytes": size, "max_abs_diff": diff,
    }  # fmt: skip


def run_networkx(n: int, sample: int) -> dict[str, Any]:
    import networkx as nx

    stakes = generate(n)
    members = owner_set(n)
    ours = set_share(plan(stakes), members)
    g = nx.DiGraph()
    for o, d, w in zip(stakes.owner, stakes.owned, stakes.share, strict=True):
        g.add_edge(int(o), int(d), w=float(w) + g.get_edge_data(int(o), int(d), {"w": 0.0})["w"])
    mset = {int(m) for m in members}
    rng = np.random.default_rng(3)
    # targets whose holders form no cycle: there simple chains are exactly the look-through
    anc_ok = []
    for t in rng.permutation(n):
        anc = (nx.ancestors(g, int(t)) if g.has_node(int(t)) else set()) | {int(t)}
        sub = g.subgraph(anc)
        if anc & mset - {int(t)} and nx.is_directed_acyclic_graph(sub):
            anc_ok.append(int(t))
        if len(anc_ok) >= sample:
            break
    times = []
    diffs = []
    paths = 0
    for t in anc_ok:
        t0 = time.perf_counter()
        total = 0.0
        if g.has_node(t):
            anc = nx.ancestors(g, t)
            starts = [m for m in anc if m in mset]
            # drop other members from the middle: a chain stops at the first member met
            for m in starts:
                sub = g.subgraph((anc - mset) | {m, t})
                for path in nx.all_simple_paths(sub, m, t):
                    prod = 1.0
                    for a, b in itertools.pairwise(path):
                        prod *= sub[a][b]["w"]
                    total += prod
                    paths += 1
        times.append(time.perf_counter() - t0)
        diffs.append(abs(total - ours[t]))
    per = statistics.median(times)
    return {
        "n": n,
        "sample": len(anc_ok),
        "median_per_entity_s": per,
        "mean_per_entity_s": statistics.fmean(times),
        "extrapolated_all_s": statistics.fmean(times) * n,
        "paths_enumerated": paths,
        "max_abs_diff": max(diffs) if diffs else 0.0,
    }


def run_load(n_stakes: int) -> dict[str, Any]:
    """Write ``n_stakes`` stakes as CSV and Parquet and load each into a fresh store."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from derisk.data.importers.bulk import load_stakes_bulk
    from derisk.store import DuckStore

    n = max(n_stakes // 3, 10)
    rng = np.random.default_rng(5)
    owner = rng.integers(0, n, size=n_stakes)
    owned = rng.integers(0, n, size=n_stakes)
    pct = np.round(rng.uniform(0.01, 30.0, size=n_stakes), 4)
    ids = np.arange(n_stakes)
    table = pa.table(
        {
            "fact_id": pa.array(np.char.add("s", ids.astype(str))),
            "owner_id": pa.array(np.char.add("e", owner.astype(str))),
            "owned_id": pa.array(np.char.add("e", owned.astype(str))),
            "interest": pa.array(np.full(n_stakes, "equity")),
            "percent": pa.array(pct),
            "source_id": pa.array(np.full(n_stakes, "bench")),
        }
    )
    out: dict[str, Any] = {"stakes": n_stakes}
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        pq.write_table(table, tmpd / "stakes.parquet")
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, tmpd / "stakes.csv")
        del table
        for fmt in ("csv", "parquet"):
            db = tmpd / f"{fmt}.duckdb"
            with DuckStore(db) as store:
                with store.writer("bench") as w:
                    from derisk.model.schema import Source

                    w.add([Source("bench", "derisk benchmark", "synthetic stakes")])
                t0 = time.perf_counter()
                rep = load_stakes_bulk(store, tmpd / f"stakes.{fmt}", dataset="bulk")
                out[f"{fmt}_s"] = time.perf_counter() - t0
                out[f"{fmt}_rows"] = rep.rows.get("stake", 0)
            db.unlink()
    out["peak_mb"] = peak_mb()
    return out


PEER = """
import sys, time
import numpy as np, pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
import scipy.sparse as sp
t = pq.read_table(sys.argv[1], columns=["owner_id", "owned_id", "percent"])
every = pa.chunked_array(t["owner_id"].chunks + t["owned_id"].chunks)
ids = pc.unique(every)
o = pc.index_in(t["owner_id"], value_set=ids).to_numpy()
d = pc.index_in(t["owned_id"], value_set=ids).to_numpy()
w = t["percent"].to_numpy() / 100.0
n = len(ids)
a = sp.csr_matrix((w, (d, o)), shape=(n, n))
m = pc.drop_null(pc.index_in(pa.array(open(sys.argv[2]).read().split()), value_set=ids))
m = m.to_numpy()
s = np.zeros(n); s[m] = 1.0; dd = 1.0 - s
x = a @ s
for it in range(10000):
    nxt = a @ (s + dd * x)
    change = np.abs(nxt - x).max(initial=0.0)
    x = nxt
    if change < 1e-13:
        break
else:
    raise SystemExit("Jacobi did not converge")
keep = np.flatnonzero(x > 0)
pq.write_table(pa.table({"entity": ids.take(pa.array(keep)), "share": x[keep]}), sys.argv[3])
print(it + 1)
"""


def run_cli(n: int) -> dict[str, Any]:
    """Whole cold processes from one Parquet file: ``derisk engine lookthrough`` and the peer."""
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    stakes = generate(n)
    members = owner_set(n)
    names = np.char.add("e", np.arange(n).astype(str))
    out: dict[str, Any] = {"n": n, "stakes": int(stakes.share.size)}
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        pq.write_table(
            pa.table(
                {
                    "owner_id": pa.array(names[stakes.owner]),
                    "owned_id": pa.array(names[stakes.owned]),
                    "interest": pa.array(np.full(stakes.share.size, "equity")),
                    "percent": pa.array(stakes.share * 100.0),
                }
            ),
            tmpd / "stakes.parquet",
        )
        (tmpd / "members.txt").write_text("\n".join(names[members].tolist()) + "\n")
        del stakes, names
        derisk = Path(sys.executable).with_name("derisk")
        env = dict(os.environ, DERISK_DB=str(tmpd / "cli.duckdb"))
        for name, cmd in (
            ("derisk", [str(derisk), "engine", "lookthrough", str(tmpd / "stakes.parquet"),
                        "--members", str(tmpd / "members.txt"), "--out",
                        str(tmpd / "derisk.parquet"), "--engine", "local", "--json"]),
            ("peer", [sys.executable, "-c", PEER, str(tmpd / "stakes.parquet"),
                      str(tmpd / "members.txt"), str(tmpd / "peer.parquet")]),
        ):  # fmt: skip
            t0 = time.perf_counter()
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
            if res.returncode:
                raise RuntimeError(f"{name} failed: {res.stderr[-2000:]}")
            out[f"{name}_s"] = time.perf_counter() - t0
            if name == "peer":
                out["peer_iterations"] = int(res.stdout.strip().splitlines()[-1])
        a = pq.read_table(tmpd / "derisk.parquet")
        b = pq.read_table(tmpd / "peer.parquet")
        ja = dict(zip(a["entity"].to_pylist(), a["share"].to_numpy().tolist(), strict=True))
        jb = dict(zip(b["entity"].to_pylist(), b["share"].to_numpy().tolist(), strict=True))
        keys = set(ja) | set(jb)
        out["held"] = len(ja)
        out["max_abs_diff"] = max((abs(ja.get(k, 0.0) - jb.get(k, 0.0)) for k in keys), default=0)
    return out


def child(args: argparse.Namespace) -> None:
    if args.child == "size":
        res = run_size(args.n, args.repeats, args.bicg_repeats, args.shuffle)
    elif args.child == "networkx":
        res = run_networkx(args.n, args.sample)
    elif args.child == "cli":
        res = run_cli(args.n)
    else:
        res = run_load(args.n)
    sys.stdout.write(json.dumps(res) + "\n")


def spawn(*argv: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, *argv]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000, 10_000_000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--bicg-repeats", type=int, default=3)
    ap.add_argument("--networkx", type=int, default=10_000, help="n for networkx (0: skip)")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--load", type=int, default=10_000_000, help="stakes to load (0: skip)")
    ap.add_argument("--no-load", action="store_true")
    ap.add_argument("--tiny", action="store_true", help="smoke run: n = 1e4 only, one repeat")
    ap.add_argument("--cli", type=int, default=0, help="n for the whole-command run (0: skip)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument(
        "--shuffle", action="store_true", help="renumber the entities at random (ids in no order)"
    )
    ap.add_argument("--child", choices=["size", "networkx", "load", "cli"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.tiny:
        args.sizes, args.networkx, args.no_load, args.repeats = [10_000], 0, True, 1
        args.bicg_repeats = 1
        args.cli = 10_000
    results: dict[str, Any] = {"sizes": [], "networkx": None, "load": None, "cli": None}
    rows = []
    for n in args.sizes:
        r = spawn(
            "--child", "size", "--n", str(n), "--repeats", str(args.repeats),
            "--bicg-repeats", str(args.bicg_repeats), *(["--shuffle"] if args.shuffle else []),
        )  # fmt: skip
        results["sizes"].append(r)
        rows.append(r)
        print(
            f"n={n:>10,} stakes={r['stakes']:>11,} levels={r['levels']:>3} "
            f"cycles={r['cyclic_components']:>7,} (largest {r['largest_component']:,}) "
            f"prepare {r['prepare_s']:.2f}s first screen {r['first_screen_s']:.3f}s "
            f"warm screen {r['screen_s']:.3f}s peak {r['peak_mb']:.0f} MB",
            flush=True,
        )
        print(
            f"    CPU seconds: prepare {r['prepare_cpu_s']:.2f} first screen "
            f"{r['first_screen_cpu_s']:.3f} warm screen {r['screen_cpu_s']:.3f}",
            flush=True,
        )
        if r["restart"]:
            k = r["restart"]
            print(
                f"    kept structure: save {k['save_s']:.2f}s ({k['bytes'] / 2**20:.0f} MB), "
                f"restart: load {k['load_s']:.3f}s + first screen {k['first_screen_s']:.3f}s "
                f"(CPU {k['load_cpu_s']:.3f} + {k['first_screen_cpu_s']:.3f}); "
                f"max |diff| {k['max_abs_diff']:.1e}",
                flush=True,
            )
        for name, v in r["peers"].items():
            print(
                f"    peer {name}: assemble {v['assemble_s']:.2f}s solve {v['solve_s']:.2f}s "
                f"(CPU {v['solve_cpu_s']:.2f}s; {v['iterations']} it, converged {v['converged']}) "
                f"max |diff| {v['max_abs_diff']:.1e}",
                flush=True,
            )
        if r["peer"]:
            print(
                f"    cold {r['cold_s']:.2f}s vs {r['peer_cold']} {r['peer_cold_s']:.2f}s: "
                f"{r['peer_cold_s'] / r['cold_s']:.2f}x; warm screen vs {r['peer']}: "
                f"{r['peer_solve_s'] / r['screen_s']:.1f}x "
                f"(CPU seconds: {r['peers'][r['peer']]['solve_cpu_s'] / r['screen_cpu_s']:.1f}x)",
                flush=True,
            )
    if args.networkx:
        r = spawn("--child", "networkx", "--n", str(args.networkx), "--sample", str(args.sample))
        results["networkx"] = r
        print(
            f"networkx n={r['n']:,}: {r['mean_per_entity_s'] * 1e3:.2f} ms per entity "
            f"(sample {r['sample']}, {r['paths_enumerated']:,} chains), "
            f"all entities ~{r['extrapolated_all_s']:.1f}s; max |diff| {r['max_abs_diff']:.1e}",
            flush=True,
        )
    if args.cli:
        r = spawn("--child", "cli", "--n", str(args.cli))
        results["cli"] = r
        print(
            f"whole command, n={r['n']:,} ({r['stakes']:,} stakes) from Parquet: derisk engine "
            f"lookthrough {r['derisk_s']:.2f}s, peer (read + assemble + Jacobi, "
            f"{r['peer_iterations']} sweeps) {r['peer_s']:.2f}s: "
            f"{r['peer_s'] / r['derisk_s']:.2f}x; max |diff| {r['max_abs_diff']:.1e}",
            flush=True,
        )
    if args.load and not args.no_load:
        r = spawn("--child", "load", "--n", str(args.load))
        results["load"] = r
        print(
            f"load {r['stakes']:,} stakes: CSV {r['csv_s']:.1f}s, Parquet {r['parquet_s']:.1f}s",
            flush=True,
        )
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def table(results: dict[str, Any]) -> str:
    lines = [
        "| n | stakes | levels | cyclic comps (largest) | prepare (s) | cold: prepare + first "
        "screen (s) | warm screen, median (s) | fastest converging peer | peer assemble + solve "
        "(s) | cold speed-up | warm speed-up | max abs diff | peak memory (GB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["sizes"]:
        if not r["peer"]:
            continue
        pc = r["peers"][r["peer_cold"]]
        lines.append(
            f"| {r['n']:.0e} | {r['stakes']:,} | {r['levels']} | "
            f"{r['cyclic_components']:,} ({r['largest_component']}) | {r['prepare_s']:.2f} | "
            f"{r['cold_s']:.2f} | {r['screen_s']:.3f} | {r['peer_cold']} "
            f"({pc['iterations']} it) | {pc['assemble_s']:.2f} + {pc['solve_s']:.2f} | "
            f"{r['peer_cold_s'] / r['cold_s']:.2f}× | {r['peer_solve_s'] / r['screen_s']:.0f}× | "
            f"{r['max_abs_diff']:.0e} | {r['peak_mb'] / 1024:.2f} |"
        )
    nx_ = results.get("networkx")
    if nx_:
        lines.append("")
        lines.append(
            f"networkx path enumeration, n = {nx_['n']:,}: {nx_['mean_per_entity_s'] * 1e3:.1f} ms "
            f"per entity (sample of {nx_['sample']} entities with a member and no cycle above "
            "them), "
            f"about {nx_['extrapolated_all_s']:.0f} s for all; max abs diff "
            f"{nx_['max_abs_diff']:.0e}."
        )
    ld = results.get("load")
    if ld:
        lines.append("")
        lines.append(
            f"Loading {ld['stakes']:,} stakes into the store: CSV {ld['csv_s']:.1f} s, "
            f"Parquet {ld['parquet_s']:.1f} s."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
