"""Plant capacity by year and allocation of China-free supply among competing buyers.

Capacity by year (the investment pipeline). Plant ``k`` has nameplate ``c_k``, status ``s_k``,
first year of output ``y0_k`` (commissioning or restart), ramp-up ``r_k`` years and first year
without output ``y1_k``. In year ``t``::

    ramp_k(t) = clip((t - y0_k + 1) / r_k, 0, 1)        (1 when y0_k is unknown)
    cap_k(t)  = c_k * w[s_k] * ramp_k(t) * [t < y1_k]    operating, construction, planned
    cap_k(t)  = c_k * [t < y1_k]                         closed (output until it closed)
    cap_k(t)  = c_k * [t < y1_k] + c_k * w[idled] * ramp_k(t)   idled (restart at y0_k)

where ``w`` is the pipeline scenario's weight of each status (:data:`PIPELINES`).

Allocation. Buyers are the club members ``m in G`` with demand ``d_m`` and the other buyers
with total demand ``d_O``; ``D = d_G + d_O`` with ``d_G = sum_m d_m``. Plants ``k in E`` are
eligible for the club (they pass its screening); other buyers may buy from every plant.
``C = sum_k c_k``, ``C_E = sum_{k in E} c_k``. The other buyers' take ``o_k`` by rule:

* ``pro-rata``: every plant sells to every buyer in proportion to demand, at the world
  utilisation ``min(1, D / C)``: ``o_k = c_k * d_O / max(D, C)``;
* ``historical``: ``o_k = c_k * sigma_Ok``, with ``sigma_Ok`` the share of plant ``k``'s (or
  its country's) output that went to non-members in a base period, scaled down so that
  ``sum_k o_k <= d_O``;
* ``market``: the market-clearing LP ``max sum_i v_i sum_k x_ik`` s.t. ``sum_i x_ik <= c_k``,
  ``sum_k x_ik <= d_i``, ``x_ik = 0`` for members at plants outside ``E``, with the club's value
  above the others' (it has no other source): others first take plants outside ``E``; the club
  takes ``min(d_G, C_E)``; others take what is left of ``E`` up to their remaining demand.
  Its closed form (used here; :func:`market_lp` solves the LP itself) spreads each group's take
  over its plants in proportion to capacity (one of the optimal solutions).

The club's capacity left is ``r_k = (c_k - o_k) [k in E]``; it secures ``S = min(d_G, sum_k
r_k)``. The shadow price of plant ``k`` is the dual of ``y_k <= r_k`` in ``max sum_k y_k``
s.t. ``sum_k y_k <= d_G``: 1 t of club supply per t of capacity left at ``k`` when the club is
short (``sum_k r_k < d_G``), else 0. Members split ``S`` pro rata to demand
(``a_m = S d_m / d_G``), or by :func:`club_lp`, which maximises ``sum_mk (v_m - t_mk) x_mk``
s.t. ``sum_m x_mk <= r_k``, ``sum_k x_mk <= d_m`` and reports the plants' duals (the value of one
more tonne at plant ``k``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

from derisk.errors import BadInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

STATUSES = ("operating", "construction", "planned", "idled", "closed")
PIPELINES: dict[str, dict[str, float]] = {
    "operating": {"operating": 1.0, "construction": 0.0, "planned": 0.0, "idled": 0.0},
    "committed": {"operating": 1.0, "construction": 1.0, "planned": 0.0, "idled": 0.0},
    "risked": {"operating": 1.0, "construction": 0.8, "planned": 0.3, "idled": 0.5},
    "announced": {"operating": 1.0, "construction": 1.0, "planned": 1.0, "idled": 1.0},
}
"""Weight of each status in each pipeline scenario. The ``risked`` weights are assumptions of
this tool (no published probability of completion is used), stated in every result."""
RULES = ("pro-rata", "historical", "market")
TOL = 1e-9


def capacity_by_year(
    nameplate: FloatArray,
    status: NDArray[np.str_] | list[str],
    start: FloatArray,
    ramp: FloatArray,
    end: FloatArray,
    years: list[int] | NDArray[np.int64],
    pipeline: str = "committed",
) -> FloatArray:
    """Capacity of every plant in every year, ``(K, Y)`` (see the module docstring).

    ``start`` and ``end`` are years (``nan`` when unknown), ``ramp`` years to nameplate.

    >>> capacity_by_year(np.array([100.0]), ["construction"], np.array([2027.0]),
    ...                  np.array([2.0]), np.array([np.nan]), [2026, 2027, 2028]).tolist()
    [[0.0, 50.0, 100.0]]
    """
    if pipeline not in PIPELINES:
        raise BadInputError(f"unknown pipeline {pipeline!r}; one of {', '.join(PIPELINES)}")
    w = PIPELINES[pipeline]
    st = np.asarray(status)
    t = np.asarray(years, dtype=np.float64)[None, :]
    c = np.nan_to_num(np.asarray(nameplate, dtype=np.float64))[:, None]
    y0 = np.asarray(start, dtype=np.float64)[:, None]
    r = np.maximum(np.nan_to_num(np.asarray(ramp, dtype=np.float64), nan=1.0), 1.0)[:, None]
    y1 = np.asarray(end, dtype=np.float64)[:, None]
    rampf = np.where(np.isnan(y0), 1.0, np.clip((t - y0 + 1.0) / r, 0.0, 1.0))
    before_end = np.where(np.isnan(y1), True, t < y1)
    weight = np.array([w.get(str(s), 0.0) for s in st], dtype=np.float64)[:, None]
    out = c * weight * rampf * before_end
    closed = (st == "closed")[:, None]
    out = np.where(closed, c * rampf * before_end, out)
    idled = (st == "idled")[:, None]
    restart = np.where(np.isnan(y0), 0.0, rampf)
    past = np.where(np.isnan(y1), False, t < y1)
    out = np.where(idled, c * past + c * w["idled"] * restart * ~past, out)
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class ClubAllocation:
    """Allocation in each year; arrays over plants are ``(K, Y)``, over members ``(M, Y)``."""

    rule: str
    others_take: FloatArray
    residual: FloatArray
    club_take: FloatArray
    secured: FloatArray  # (Y,)
    members: FloatArray
    shortfall: FloatArray
    shadow: FloatArray
    others_served: FloatArray  # (Y,)


def others_take(
    cap: FloatArray,
    eligible: BoolArray,
    d_club: FloatArray,
    d_others: FloatArray,
    rule: str,
    sigma_others: FloatArray | None = None,
) -> FloatArray:
    """What the other buyers take from each plant, ``o_k`` per year (module docstring)."""
    cap = np.atleast_2d(np.asarray(cap, dtype=np.float64))
    d_club = np.broadcast_to(np.asarray(d_club, dtype=np.float64), (cap.shape[1],))
    d_o = np.broadcast_to(np.asarray(d_others, dtype=np.float64), (cap.shape[1],))
    elig = np.asarray(eligible, dtype=bool)[:, None]
    total = cap.sum(axis=0)
    if rule == "pro-rata":
        denom = np.maximum(d_club + d_o, total)
        frac = np.divide(d_o, denom, out=np.zeros_like(denom), where=denom > 0)
        return np.asarray(cap * frac[None, :], dtype=np.float64)
    if rule == "historical":
        if sigma_others is None:
            raise BadInputError("the historical rule needs the others' historical shares")
        sig = np.clip(np.asarray(sigma_others, dtype=np.float64), 0.0, 1.0)
        if sig.ndim == 1:
            sig = sig[:, None]
        o = cap * sig
        tot = o.sum(axis=0)
        scale = np.where(tot > d_o, np.divide(d_o, tot, out=np.ones_like(tot), where=tot > 0), 1.0)
        return np.asarray(o * scale[None, :], dtype=np.float64)
    if rule == "market":
        c_e = (cap * elig).sum(axis=0)
        c_n = total - c_e
        first = np.minimum(d_o, c_n)
        club = np.minimum(d_club, c_e)
        second = np.minimum(d_o - first, c_e - club)
        f_n = np.divide(first, c_n, out=np.zeros_like(c_n), where=c_n > 0)
        f_e = np.divide(second, c_e, out=np.zeros_like(c_e), where=c_e > 0)
        return np.asarray(np.where(elig, cap * f_e[None, :], cap * f_n[None, :]), dtype=np.float64)
    raise BadInputError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")


def allocate(
    cap: FloatArray,
    eligible: BoolArray,
    d_members: FloatArray,
    d_others: FloatArray,
    rule: str,
    sigma_others: FloatArray | None = None,
) -> ClubAllocation:
    """The club's secured supply, members' pro-rata split and plant shadow prices, per year.

    ``cap`` is ``(K, Y)``, ``d_members`` ``(M, Y)`` (or ``(M,)``), ``d_others`` ``(Y,)``.

    >>> # one plant of 100 t; club demand 30, others 70, pro rata: the club gets 30.
    >>> a = allocate(np.array([[100.0]]), np.array([True]), np.array([[30.0]]),
    ...              np.array([70.0]), "pro-rata")
    >>> float(a.secured[0]), float(a.others_take[0, 0])
    (30.0, 70.0)
    """
    cap = np.atleast_2d(np.asarray(cap, dtype=np.float64))
    n_years = cap.shape[1]
    dm = np.asarray(d_members, dtype=np.float64)
    if dm.ndim == 1:
        dm = np.repeat(dm[:, None], n_years, axis=1)
    d_o = np.broadcast_to(np.asarray(d_others, dtype=np.float64), (n_years,)).copy()
    if np.any(dm < 0) or np.any(d_o < 0) or np.any(cap < 0):
        raise BadInputError("capacities and demands must be >= 0")
    d_g = dm.sum(axis=0)
    elig = np.asarray(eligible, dtype=bool)
    o = others_take(cap, elig, d_g, d_o, rule, sigma_others)
    resid = np.where(elig[:, None], np.maximum(cap - o, 0.0), 0.0)
    avail = resid.sum(axis=0)
    secured = np.minimum(d_g, avail)
    frac = np.divide(secured, avail, out=np.zeros_like(avail), where=avail > 0)
    club_take = resid * frac[None, :]
    share = np.divide(dm, d_g[None, :], out=np.zeros_like(dm), where=d_g[None, :] > 0)
    members = share * secured[None, :]
    short = avail < d_g * (1 - TOL) - TOL
    shadow = np.where(elig[:, None] & short[None, :], 1.0, 0.0)
    return ClubAllocation(
        rule=rule,
        others_take=o,
        residual=resid,
        club_take=club_take,
        secured=secured,
        members=members,
        shortfall=dm - members,
        shadow=shadow,
        others_served=o.sum(axis=0),
    )


@dataclass(frozen=True)
class LPResult:
    flow: FloatArray  # (M, K)
    members: FloatArray  # (M,)
    plant_dual: FloatArray  # (K,): value of one more tonne at each plant
    demand_dual: FloatArray  # (M,)
    objective: float


def club_lp(
    capacity: FloatArray,
    demand: FloatArray,
    value: FloatArray | None = None,
    cost: FloatArray | None = None,
    eligible: BoolArray | None = None,
) -> LPResult:
    """``max sum_mk (v_m - t_mk) x_mk`` s.t. ``sum_m x_mk <= c_k``, ``sum_k x_mk <= d_m``.

    A transport LP solved with HiGHS; ``plant_dual[k]`` is the value of one more tonne of
    capacity at plant ``k``. Pairs that are not eligible, or whose margin ``v - t`` is not
    positive, carry nothing.

    >>> # plant A (10 t, freight 0) and B (100 t, freight 5) serve one buyer (value 20, 30 t):
    >>> r = club_lp(np.array([10.0, 100.0]), np.array([30.0]), np.array([20.0]),
    ...             np.array([[0.0, 5.0]]))
    >>> r.members.round(6).tolist(), r.plant_dual.round(6).tolist()
    ([30.0], [5.0, 0.0])
    """
    c = np.asarray(capacity, dtype=np.float64)
    d = np.asarray(demand, dtype=np.float64)
    n_m, n_k = d.shape[0], c.shape[0]
    v = np.ones(n_m) if value is None else np.asarray(value, dtype=np.float64)
    t = np.zeros((n_m, n_k)) if cost is None else np.asarray(cost, dtype=np.float64)
    e = np.ones((n_m, n_k), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    margin = v[:, None] - t
    use = e & (margin > 0)
    mi, ki = np.nonzero(use)
    n = mi.shape[0]
    flow = np.zeros((n_m, n_k))
    if n == 0:
        return LPResult(flow, np.zeros(n_m), np.zeros(n_k), np.zeros(n_m), 0.0)
    cols = np.arange(n)
    a_plant = sp.csr_matrix((np.ones(n), (ki, cols)), shape=(n_k, n))
    a_dem = sp.csr_matrix((np.ones(n), (mi, cols)), shape=(n_m, n))
    res = linprog(
        -margin[mi, ki],
        A_ub=sp.vstack([a_plant, a_dem], format="csr"),
        b_ub=np.concatenate([c, d]),
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:  # pragma: no cover - bounded and feasible by construction
        raise ValueError(f"club LP failed: {res.message}")
    flow[mi, ki] = res.x
    duals = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
    return LPResult(
        flow=flow,
        members=flow.sum(axis=1),
        plant_dual=duals[:n_k],
        demand_dual=duals[n_k:],
        objective=float(-res.fun),
    )


def market_lp(
    capacity: FloatArray,
    eligible: BoolArray,
    d_members: FloatArray,
    d_others: float,
    club_value: float = 2.0,
) -> LPResult:
    """The market-clearing LP of the ``market`` rule solved directly (rows: members, others).

    Members value supply at ``club_value``, others at 1; members may use eligible plants only.
    """
    dm = np.asarray(d_members, dtype=np.float64)
    n_k = np.asarray(capacity).shape[0]
    elig = np.vstack(
        [
            np.repeat(np.asarray(eligible, bool)[None, :], dm.shape[0], axis=0),
            np.ones((1, n_k), bool),
        ]
    )
    values = np.concatenate([np.full(dm.shape[0], club_value), [1.0]])
    return club_lp(capacity, np.concatenate([dm, [d_others]]), values, eligible=elig)


__all__ = [
    "PIPELINES",
    "RULES",
    "ClubAllocation",
    "LPResult",
    "allocate",
    "capacity_by_year",
    "club_lp",
    "market_lp",
    "others_take",
]
