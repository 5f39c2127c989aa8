"""Re-sourcing and shock timings, with peers measured in the same run.

* A layered stage network with 10,000 nodes and 100,000 arcs (5 stages x 2,000 sites, each
  site shipping to 12 sites of the next stage; integer capacities, random costs; 10% of the
  sites excluded). ``derisk`` solves it as `derisk reroute` does: maximum flow (Dinic on the
  scaled graph), least-cost plan (HiGHS LP through scipy) and the bound without exclusions.
  Peers: :func:`scipy.sparse.csgraph.maximum_flow` on the same graph (max flow only), and the
  maximum flow written as a plain LP for HiGHS (interior point), the formulation a reader
  would try first.
* `derisk reroute antimony --json` and `derisk shock antimony-us-ban --json` end to end on the
  bundled database (process start included), against `derisk overview --json` as the peer.

Target (issue): the 10,000-node / 100,000-arc network solved in <= 5 s.

Run::

    python benchmarks/reroute_lp.py [--repeat N] [--skip-lp-peer]   # 10,000 nodes
    python benchmarks/reroute_lp.py --tiny    # smoke: 5 x 100 sites (5,000 arcs), each once
    python benchmarks/reroute_lp.py --tiny --json    # the same, results as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from benchlib import bundled_database
from scipy.optimize import linprog
from scipy.sparse.csgraph import maximum_flow

from derisk.analysis.resource import FlowNetwork, max_flow, min_cost_plan


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (this process and its children) over ``repeat``."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(walls), statistics.median(cpus)


def layered(stages: int = 5, per: int = 2000, fanout: int = 12, seed: int = 7) -> FlowNetwork:
    rng = np.random.default_rng(seed)
    n = stages * per + 2
    src, sink = n - 2, n - 1
    tails = [np.full(per, src)]
    tails += [np.repeat(np.arange(per) + s * per, fanout) for s in range(stages - 1)]
    tails.append(np.arange(per) + (stages - 1) * per)
    heads = [np.arange(per)]
    for s in range(stages - 1):
        picks = np.stack([rng.choice(per, fanout, replace=False) for _ in range(per)]).ravel()
        heads.append(picks + (s + 1) * per)
    heads.append(np.full(per, sink))
    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    m = tail.shape[0]
    cap = rng.integers(1, 100, m).astype(float)
    cost = rng.random(m) * 10
    return FlowNetwork.build(n, tail, head, cap, cost)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-lp-peer", action="store_true", help="skip the slow plain-LP peer")
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: 5 x 100 sites, every measure once"
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    per, cli_repeat = 2000, 5
    if args.tiny:
        per, cli_repeat, args.repeat = 100, 1, 1
    say = (lambda *a, **k: print(*a, **k, file=sys.stderr)) if args.json else print
    net = layered(per=per)
    src, sink = net.n_nodes - 2, net.n_nodes - 1
    rng = np.random.default_rng(11)
    blocked = np.zeros(net.n_nodes, dtype=bool)
    blocked[rng.choice(net.n_nodes - 2, (net.n_nodes - 2) // 10, replace=False)] = True
    say(f"network: {net.n_nodes:,} nodes, {net.n_arcs:,} arcs, {int(blocked.sum()):,} blocked")

    mf = max_flow(net, src, sink, blocked=blocked)
    results = []

    def solve(demand: float) -> Callable[[], object]:
        def run() -> None:
            f = max_flow(net, src, sink, blocked=blocked)
            min_cost_plan(net, src, sink, demand, blocked=blocked, flow_limit=f)
            max_flow(net, src, sink)  # the bound without exclusions

        return run

    keep = ~(blocked[net.tail] | blocked[net.head])
    g = sp.csr_matrix(
        (net.capacity[keep].astype(np.int32), (net.tail[keep], net.head[keep])),
        shape=(net.n_nodes, net.n_nodes),
    )
    g.sum_duplicates()

    t_peer_mf = timed(lambda: maximum_flow(g, src, sink), args.repeat)
    t_mf = timed(lambda: max_flow(net, src, sink, blocked=blocked), args.repeat)
    assert abs(mf.value - maximum_flow(g, src, sink).flow_value) < 1e-6
    results.append(("max flow (combinatorial + min cut)", t_mf, "csgraph.maximum_flow", t_peer_mf))
    for share in (0.5, 1.5):
        t = timed(solve(share * mf.value), args.repeat)
        results.append(
            (f"reroute solve, demand {share:.0%} of max", t, "target 5 s (issue)", (5.0, 5.0))
        )
    if not args.skip_lp_peer:
        inc = sp.csr_matrix(
            (
                np.concatenate([net.gain, -np.ones(net.n_arcs)]),
                (
                    np.concatenate([net.head, net.tail]),
                    np.r_[np.arange(net.n_arcs), np.arange(net.n_arcs)],
                ),
            ),
            shape=(net.n_nodes, net.n_arcs),
        )
        inner = np.ones(net.n_nodes, dtype=bool)
        inner[[src, sink]] = False
        ub = np.where(keep, net.capacity, 0.0)

        def lp_peer() -> None:
            linprog(
                -inc[sink].toarray().ravel(),
                A_eq=inc[inner],
                b_eq=np.zeros(int(inner.sum())),
                bounds=np.column_stack([np.zeros(net.n_arcs), ub]),
                method="highs-ipm",
            )

        t_lp = timed(lp_peer, 1)
        results.append(("max flow (combinatorial + min cut)", t_mf, "max flow as plain LP", t_lp))

    tmp = Path(tempfile.mkdtemp())
    db = bundled_database(tmp / "bench.duckdb")
    exe = Path(sys.executable).with_name("derisk")
    env = dict(os.environ, DERISK_DB=str(db))

    def cli(*argv: str) -> Callable[[], object]:
        return lambda: subprocess.run(
            [str(exe), *argv, "--json"], env=env, check=True, capture_output=True
        )

    t_overview = timed(cli("overview"), cli_repeat)
    results.append(
        ("`derisk reroute antimony` (process)",
         timed(cli("reroute", "antimony", "--to", "USA", "--demand", "5000"), cli_repeat),
         "`derisk overview --json`", t_overview)
    )  # fmt: skip
    t_shock = timed(cli("shock", "antimony-us-ban"), cli_repeat)
    results.append(
        ("`derisk shock antimony-us-ban` (process)", t_shock, "`derisk overview --json`",
         t_overview)
    )  # fmt: skip

    shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        out = {
            "nodes": net.n_nodes,
            "arcs": net.n_arcs,
            "blocked": int(blocked.sum()),
            "max_flow": mf.value,
            "repeat": args.repeat,
            "measures": [
                {"measure": name, "wall_s": wall, "cpu_s": cpu, "peer": peer, "peer_s": pw}
                for name, (wall, cpu), peer, (pw, _) in results
            ],
        }
        print(json.dumps(out, indent=1))
        return
    print(f"{'measure':42} {'wall s':>8} {'cpu s':>7}  {'peer':28} {'peer s':>8} {'ratio':>7}")
    for name, (wall, cpu), peer, (pw, _) in results:
        print(f"{name:42} {wall:8.3f} {cpu:7.3f}  {peer:28} {pw:8.3f} {wall / pw:7.2f}x")
    load = os.getloadavg()[0]
    print(f"(medians of {args.repeat} runs; load average at the end {load:.1f} on {os.cpu_count()} "
          "cores)")  # fmt: skip


if __name__ == "__main__":
    main()
