"""Allied supply benchmark: plants x importers x years, closed forms against a naive LP.

Run::

    python benchmarks/allied.py            # 10,000 plants x 50 importers x 6 years
    python benchmarks/allied.py --tiny     # 100 plants x 10 importers x 6 years (smoke)
    python benchmarks/allied.py --json     # the same as JSON
    python benchmarks/allied.py --tiny --json    # the smoke run as JSON

What is timed, on a random but reproducible instance (seed 2026; 30% of the plants excluded,
statuses mixed so that capacity changes year by year; 4 importers form the club, the others
compete):

* ``derisk``: :func:`derisk.analysis.allocation.capacity_by_year` for every plant and year, then
  :func:`~derisk.analysis.allocation.allocate` under each of the three rules (pro-rata,
  historical, market) for all six years at once, plus every importer's allocation;
* ``peer``: the market-clearing rule solved naively, one transport LP per year over every
  (importer, plant) pair with HiGHS (:func:`scipy.optimize.linprog`), as a modeller would
  write it. The LP is timed on as many years as ``--peer-years`` (default: all six at the tiny
  size, one at full size -- each year is the same size of problem, so the total is that time
  x 6, printed as such) under a time limit per year (``--peer-limit``, 60 s: at full size on
  a 2-core machine one year did not finish in 10 minutes). Its club totals are checked
  against the closed form on up to 1,000 plants for all six years.

The ratio printed is peer time / derisk time for the market rule over six years.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from derisk.analysis.allocation import allocate, capacity_by_year

YEARS = list(range(2025, 2031))


def instance(n_plants: int, n_importers: int, seed: int = 2026) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    status = rng.choice(
        ["operating", "construction", "planned", "idled", "closed"],
        size=n_plants,
        p=[0.6, 0.15, 0.15, 0.05, 0.05],
    )
    start = np.where(status == "operating", np.nan, rng.integers(2025, 2031, n_plants))
    end = np.where(np.isin(status, ["closed", "idled"]), rng.integers(2024, 2029, n_plants), np.nan)
    return {
        "nameplate": rng.lognormal(8, 1.2, n_plants),
        "status": status,
        "start": start.astype(float),
        "ramp": rng.integers(1, 4, n_plants).astype(float),
        "end": end.astype(float),
        "eligible": rng.random(n_plants) > 0.3,
        "demand": rng.lognormal(9, 1.0, n_importers),
        "club": 4,
    }


def run_derisk(inst: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    caps = capacity_by_year(
        inst["nameplate"], inst["status"], inst["start"], inst["ramp"], inst["end"], YEARS,
        "risked",
    )  # fmt: skip
    total = caps.sum(axis=0)
    d = inst["demand"] / inst["demand"].sum() * total.mean() * 0.9
    m = inst["club"]
    d_members = np.repeat(d[:m, None], len(YEARS), axis=1)
    d_others = np.full(len(YEARS), d[m:].sum())
    out = {}
    for rule in ("pro-rata", "historical", "market"):
        sigma = np.full(caps.shape[0], d[m:].sum() / d.sum()) if rule == "historical" else None
        a = allocate(caps, inst["eligible"], d_members, d_others, rule, sigma)
        # every other importer's allocation: its share of the others' take
        per_importer = a.others_served[None, :] * (d[m:] / d[m:].sum())[:, None]
        out[rule] = {"secured": a.secured, "members": a.members, "others": per_importer}
    return time.perf_counter() - t0, {"caps": caps, "d": d, "out": out}


def naive_market_lp(
    caps_y: np.ndarray, eligible: np.ndarray, d: np.ndarray, m: int, time_limit: float
) -> float | None:
    """One year of the market rule as a plain transport LP over every (importer, plant) pair."""
    n_i, n_k = d.shape[0], caps_y.shape[0]
    ok = np.ones((n_i, n_k), dtype=bool)
    ok[:m] = eligible[None, :]
    ii, kk = np.nonzero(ok)
    n = ii.shape[0]
    value = np.where(ii < m, 2.0, 1.0)
    cols = np.arange(n)
    a_ub = sp.vstack(
        [
            sp.csr_matrix((np.ones(n), (kk, cols)), shape=(n_k, n)),
            sp.csr_matrix((np.ones(n), (ii, cols)), shape=(n_i, n)),
        ],
        format="csr",
    )
    res = linprog(-value, A_ub=a_ub, b_ub=np.concatenate([caps_y, d]), bounds=(0, None),
                  method="highs", options={"time_limit": time_limit})  # fmt: skip
    if res.status == 1:  # time limit reached
        return None
    if res.status != 0:
        raise RuntimeError(res.message)
    x = np.asarray(res.x)
    return float(x[ii < m].sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="100 plants x 10 importers (smoke)")
    ap.add_argument("--plants", type=int, default=None)
    ap.add_argument("--importers", type=int, default=None)
    ap.add_argument("--peer-years", type=int, default=None, help="years the LP peer solves")
    ap.add_argument("--peer-limit", type=float, default=60.0, help="LP time limit per year, s")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n_k = args.plants or (100 if args.tiny else 10_000)
    n_i = args.importers or (10 if args.tiny else 50)
    peer_years = args.peer_years or (len(YEARS) if args.tiny else 1)
    inst = instance(n_k, n_i)
    runs = [run_derisk(inst) for _ in range(3)]
    t_ours = float(np.median([r[0] for r in runs]))
    data = runs[0][1]
    t0 = time.perf_counter()
    checks = []
    finished = True
    for j in range(peer_years):
        club = naive_market_lp(
            data["caps"][:, j], inst["eligible"], data["d"], inst["club"], args.peer_limit
        )
        if club is None:
            finished = False
            break
        checks.append(abs(club - float(data["out"]["market"]["secured"][j])))
    t_peer_measured = time.perf_counter() - t0
    t_peer = t_peer_measured / peer_years * len(YEARS)
    # the peer's answer is checked on a size it can finish: 1,000 plants, every year
    small = instance(min(n_k, 1000), n_i)
    small_data = run_derisk(small)[1]
    for j in range(len(YEARS)):
        club = naive_market_lp(small_data["caps"][:, j], small["eligible"], small_data["d"],
                               small["club"], 600.0)  # fmt: skip
        assert club is not None
        checks.append(abs(club - float(small_data["out"]["market"]["secured"][j])))
    result = {
        "plants": n_k,
        "importers": n_i,
        "years": len(YEARS),
        "derisk_seconds_median_of_3": round(t_ours, 4),
        "derisk_rules": ["pro-rata", "historical", "market"],
        "peer": "scipy.optimize.linprog (HiGHS), one transport LP per year, market rule",
        "peer_years_attempted": peer_years,
        "peer_finished": finished,
        "peer_time_limit_seconds": args.peer_limit,
        "peer_seconds_measured": round(t_peer_measured, 3),
        "peer_seconds_for_6_years": round(t_peer, 3) if finished else None,
        "speedup_market_rule_at_least": round(t_peer / t_ours, 1) if t_ours > 0 else None,
        "max_abs_difference_club_secured": max(checks),
        "within_10s": t_ours <= 10.0,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"allied supply: {n_k:,} plants x {n_i} importers x {len(YEARS)} years")
    print(f"  derisk (capacity by year + 3 rules, all importers): {t_ours:.4f} s (median of 3)")
    if finished:
        print(f"  peer   ({result['peer']}): {t_peer_measured:.2f} s for {peer_years} year(s)"
              f" -> {t_peer:.2f} s for 6 years")  # fmt: skip
    else:
        print(f"  peer   ({result['peer']}): one year not solved within its {args.peer_limit:g} s"
              f" time limit -> more than {t_peer:.0f} s for 6 years")  # fmt: skip
    print(f"  speed-up on the market rule: at least {result['speedup_market_rule_at_least']}x; "
          f"largest difference in the club's supply (peer vs derisk, checked on up to 1,000 "
          f"plants x 6 years): {max(checks):.3g} t")  # fmt: skip
    print(f"  within the 10 s budget: {result['within_10s']}")


if __name__ == "__main__":
    main()
