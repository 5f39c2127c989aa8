"""Re-sourcing over a stage network: maximum flow, least-cost plan and what binds.

A network has nodes ``0..n-1`` and arcs ``a = (tail_a -> head_a)`` with capacity ``u_a`` on the
flow ``x_a`` that enters the arc, a unit cost ``c_a`` and a gain ``g_a > 0`` (a processing
yield: the head receives ``g_a * x_a``). With a source ``s`` and a sink ``t``:

* conservation at every other node ``v``: ``sum_{head_a = v} g_a x_a - sum_{tail_a = v} x_a = 0``;
* delivered quantity ``F(x) = sum_{head_a = t} g_a x_a - sum_{tail_a = t} x_a``;
* bounds ``0 <= x_a <= u_a``; arcs touching a *blocked* node (an excluded country, group member
  or entity) have ``u_a = 0``, so blocked nodes carry no flow;
* optional share caps (a policy such as "no country above 65% of what is delivered"):
  ``sum_{a in A_k} w_a x_a <= sigma_k * F(x)`` (or ``sigma_k`` times the flow on a set of base
  arcs, such as a stage's total output).

:func:`max_flow` maximises ``F``. Without gains or share caps it is a plain maximum flow, solved
combinatorially (Dinic's algorithm in :func:`scipy.sparse.csgraph.maximum_flow` on capacities
scaled to 32-bit integers: each arc of the minimum cut may lose up to ``2e-9`` of the flow in
rounding); the minimum cut is read from the residual graph, and ``dF/du_a = 1`` exactly for
the arcs that lie in every minimum cut, else 0. Otherwise it
is a linear program solved with HiGHS, and the marginals are the LP duals.

:func:`min_cost_plan` minimises ``sum_a c_a x_a`` subject to ``F(x) = min(D, F_max)`` (to a
relative ``1e-9``) for a demand ``D``; ``unmet = D - F``. It is a linear program solved with HiGHS
(:func:`scipy.optimize.linprog`); ``d cost / d u_a`` and ``d cost / d (cap of share k)`` are the
duals of the capacity bounds and share rows (``<= 0``: more capacity never costs more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from derisk.errors import BadInputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_INT_LIMIT = 2**31 - 1
_SCALE_HEADROOM = 4


class Infeasible(BadInputError):
    """The linear program has no solution (inconsistent constraints)."""


class Unbounded(BadInputError):
    """Unlimited flow can reach the sink (a path with no finite capacity)."""


@dataclass(frozen=True)
class FlowNetwork:
    """Arcs of a network with capacities (``inf`` allowed), unit costs and gains."""

    n_nodes: int
    tail: IntArray
    head: IntArray
    capacity: FloatArray
    cost: FloatArray
    gain: FloatArray

    @staticmethod
    def build(
        n_nodes: int,
        tail: Sequence[int] | IntArray,
        head: Sequence[int] | IntArray,
        capacity: Sequence[float] | FloatArray,
        cost: Sequence[float] | FloatArray | None = None,
        gain: Sequence[float] | FloatArray | None = None,
    ) -> FlowNetwork:
        """Check and convert arc lists into a network (costs default to 0, gains to 1)."""
        t = np.asarray(tail, dtype=np.int64)
        h = np.asarray(head, dtype=np.int64)
        u = np.asarray(capacity, dtype=np.float64)
        m = t.shape[0]
        c = np.zeros(m) if cost is None else np.asarray(cost, dtype=np.float64)
        g = np.ones(m) if gain is None else np.asarray(gain, dtype=np.float64)
        if not (h.shape == u.shape == c.shape == g.shape == (m,)):
            raise ValueError("tail, head, capacity, cost and gain must have one entry per arc")
        if m and (t.min() < 0 or h.min() < 0 or t.max() >= n_nodes or h.max() >= n_nodes):
            raise ValueError(f"arc endpoints must be node numbers 0..{n_nodes - 1}")
        if np.any(np.isnan(u)) or np.any(u < 0):
            raise ValueError("capacities must be >= 0 (inf for unlimited)")
        if not np.all(np.isfinite(c)):
            raise ValueError("costs must be finite")
        if not np.all(np.isfinite(g)) or np.any(g <= 0):
            raise ValueError("gains must be finite and > 0")
        return FlowNetwork(n_nodes, t, h, u, c, g)

    @property
    def n_arcs(self) -> int:
        return int(self.tail.shape[0])

    @property
    def unit_gains(self) -> bool:
        return bool(np.all(self.gain == 1.0))


@dataclass(frozen=True)
class ShareCap:
    """Policy row ``sum_{a in arcs} w_a x_a <= share * B(x)`` (``w`` defaults to the gains).

    ``B`` is the delivered quantity ``F(x)``, or ``sum_{b in base} g_b x_b`` when ``base``
    arcs are given (a stage's total output, for "no country above 65% of any stage").
    """

    label: str
    arcs: IntArray
    share: float
    weights: FloatArray | None = None
    base: IntArray | None = None


@dataclass(frozen=True)
class MaxFlow:
    """Result of :func:`max_flow`.

    ``supply_marginal[a]`` is ``dF/du_a``; ``share_marginal[k]`` is ``dF/d(rhs_k)`` for share cap
    ``k`` (its allowance in delivered units). ``source_side`` and ``cut_arcs`` give a minimum cut
    (for unit gains; for networks with gains they list the saturated arcs leaving the nodes that
    the residual graph reaches from the source).
    """

    value: float
    flow: FloatArray
    source_side: BoolArray
    cut_arcs: IntArray
    supply_marginal: FloatArray
    share_marginal: FloatArray
    method: str


@dataclass(frozen=True)
class Plan:
    """Result of :func:`min_cost_plan`. Marginals are ``d cost / d capacity`` (``<= 0``)."""

    demand: float
    delivered: float
    unmet: float
    flow: FloatArray
    cost: float
    cost_marginal: FloatArray
    share_cost_marginal: FloatArray
    max_flow: MaxFlow
    notes: tuple[str, ...] = field(default=())


def _effective_capacity(net: FlowNetwork, blocked: BoolArray | None) -> FloatArray:
    u = net.capacity.copy()
    if blocked is not None:
        u[blocked[net.tail] | blocked[net.head]] = 0.0
    return u


def _blocked_mask(net: FlowNetwork, blocked: Sequence[int] | BoolArray | None) -> BoolArray:
    mask = np.zeros(net.n_nodes, dtype=bool)
    if blocked is None:
        return mask
    arr = np.asarray(blocked)
    if arr.dtype == np.bool_:
        if arr.shape != (net.n_nodes,):
            raise ValueError("a boolean blocked mask needs one entry per node")
        return arr.copy()
    if arr.size:
        mask[arr.astype(np.int64)] = True
    return mask


def _incidence(net: FlowNetwork) -> sp.csr_matrix:
    """``N[v, a]``: ``+g_a`` at the head, ``-1`` at the tail (net inflow per unit of ``x_a``)."""
    m = net.n_arcs
    cols = np.concatenate([np.arange(m), np.arange(m)])
    rows = np.concatenate([net.head, net.tail])
    vals = np.concatenate([net.gain, -np.ones(m)])
    return sp.csr_matrix((vals, (rows, cols)), shape=(net.n_nodes, m))


@dataclass(frozen=True)
class _LP:
    a_eq: sp.csr_matrix
    delivered: FloatArray
    share_rows: sp.csr_matrix | None
    bounds: FloatArray


def _lp_parts(
    net: FlowNetwork, source: int, sink: int, u: FloatArray, shares: Sequence[ShareCap]
) -> _LP:
    inc = _incidence(net)
    inner = np.ones(net.n_nodes, dtype=bool)
    inner[[source, sink]] = False
    delivered = np.asarray(inc[sink].toarray()).ravel()
    share_rows = None
    if shares:
        rows = []
        for cap in shares:
            w = net.gain[cap.arcs] if cap.weights is None else np.asarray(cap.weights, float)
            r = np.zeros(net.n_arcs)
            np.add.at(r, np.asarray(cap.arcs, dtype=np.int64), w)
            if cap.base is None:
                basis = delivered
            else:
                basis = np.zeros(net.n_arcs)
                b = np.asarray(cap.base, dtype=np.int64)
                np.add.at(basis, b, net.gain[b])
            rows.append(r - cap.share * basis)
        share_rows = sp.csr_matrix(np.vstack(rows))
    bounds = np.column_stack([np.zeros(net.n_arcs), u])
    return _LP(sp.csr_matrix(inc[inner]), delivered, share_rows, bounds)


def _check_ends(net: FlowNetwork, source: int, sink: int, blocked: BoolArray) -> None:
    if not (0 <= source < net.n_nodes and 0 <= sink < net.n_nodes) or source == sink:
        raise BadInputError("source and sink must be two different nodes of the network")
    if blocked[source] or blocked[sink]:
        raise BadInputError("the source and the sink cannot be blocked")


def _residual_reach(
    net: FlowNetwork, room: BoolArray, back: BoolArray, start: int, *, reverse: bool
) -> BoolArray:
    """Nodes reachable from ``start`` in the residual graph (or reaching it, with ``reverse``).

    ``room[a]``: more can be pushed along ``a``; ``back[a]``: flow on ``a`` can be pushed back.
    """
    tails = np.concatenate([net.tail[room], net.head[back]])
    heads = np.concatenate([net.head[room], net.tail[back]])
    if reverse:
        tails, heads = heads, tails
    g = sp.csr_matrix((np.ones(tails.shape[0]), (tails, heads)), shape=(net.n_nodes, net.n_nodes))
    order = breadth_first_order(g, start, directed=True, return_predecessors=False)
    seen = np.zeros(net.n_nodes, dtype=bool)
    seen[np.asarray(order, dtype=np.int64)] = True
    return seen


def min_cut(
    net: FlowNetwork,
    flow: FloatArray,
    source: int,
    *,
    capacity: FloatArray | None = None,
    tol: float = 1e-9,
) -> tuple[BoolArray, IntArray]:
    """Source side ``S`` and cut arcs ``{a : tail_a in S, head_a not in S, u_a > 0}``.

    ``S`` is the set of nodes the residual graph of a maximum ``flow`` reaches from the source;
    for unit gains the capacity of the cut equals the maximum flow (max-flow min-cut theorem).

    >>> net = FlowNetwork.build(3, [0, 1], [1, 2], [5.0, 3.0])
    >>> side, arcs = min_cut(net, np.array([3.0, 3.0]), 0)
    >>> side.tolist(), arcs.tolist()
    ([True, True, False], [1])
    """
    u = net.capacity if capacity is None else capacity
    scale_tol = tol * max(1.0, float(np.max(flow, initial=0.0)))
    room, back = flow < u - scale_tol, flow > scale_tol
    return _cut_from(net, u, room, back, source)


def _cut_from(
    net: FlowNetwork, u: FloatArray, room: BoolArray, back: BoolArray, source: int
) -> tuple[BoolArray, IntArray]:
    side = _residual_reach(net, room, back, source, reverse=False)
    cut = np.flatnonzero(side[net.tail] & ~side[net.head] & (u > 0))
    return side, cut.astype(np.int64)


@dataclass(frozen=True)
class _Dinic:
    value: float
    flow: FloatArray
    room: BoolArray  # exact, from the integer capacities and flows
    back: BoolArray


def _dinic_scaled(
    net: FlowNetwork, source: int, sink: int, u: FloatArray, bound: float
) -> tuple[_Dinic, float]:
    use = (u > 0) & (net.tail != net.head)
    # A power of two: integer (and short binary-fraction) capacities scale exactly.
    scale = float(2.0 ** np.floor(np.log2((_INT_LIMIT // _SCALE_HEADROOM) / bound)))
    icap = np.zeros(net.n_arcs, dtype=np.int64)
    icap[use] = np.floor(np.minimum(u[use], bound) * scale).astype(np.int64)
    keep = icap > 0
    g = sp.csr_matrix(
        (icap[keep].astype(np.int32), (net.tail[keep], net.head[keep])),
        shape=(net.n_nodes, net.n_nodes),
    )
    g.sum_duplicates()
    res = maximum_flow(g, source, sink)
    # The net flow on each node pair goes back to its arcs, parallel arcs filled in order.
    fmat = res.flow.tocsr()
    pair = np.zeros(net.n_arcs, dtype=np.int64)
    pair[keep] = np.maximum(np.asarray(fmat[net.tail[keep], net.head[keep]]).ravel(), 0)
    iflow = np.minimum(pair, icap)
    key = net.tail * net.n_nodes + net.head
    _, inverse, counts = np.unique(key[keep], return_inverse=True, return_counts=True)
    dup = np.flatnonzero(keep)[counts[inverse] > 1]
    remaining: dict[int, int] = {}
    for a in dup[np.lexsort((dup, key[dup]))]:
        left = remaining.setdefault(int(key[a]), int(pair[a]))
        iflow[a] = min(left, int(icap[a]))
        remaining[int(key[a])] = left - int(iflow[a])
    room = keep & (iflow < icap)
    room |= use & ~keep  # capacity below one scaled unit: never saturated exactly
    room |= use & (u > bound)  # capped at the bound only: real room above any flow
    back = iflow > 0
    value = float(res.flow_value) / scale
    return _Dinic(value, iflow.astype(np.float64) / scale, room, back), scale


def _max_flow_combinatorial(net: FlowNetwork, source: int, sink: int, u: FloatArray) -> _Dinic:
    """Dinic on capacities scaled to int32; the scale is refined until it matches the flow.

    Flooring each capacity loses less than one scaled unit, so with ``m`` arcs the true maximum
    is below ``F + m / scale``; each pass caps arcs at that bound and rescales.
    """
    use = u > 0
    out_s = u[use & (net.tail == source)]
    in_t = u[use & (net.head == sink)]
    # Any maximum flow without cycles carries at most B on an arc, B an upper bound on F.
    bound = min(float(out_s.sum()), float(in_t.sum()))
    if not np.isfinite(bound):
        bound = float(u[use & np.isfinite(u)].sum())
    if bound == 0.0:
        if np.any(use):
            _unlimited_check(net, source, sink, u)
        zero = np.zeros(net.n_arcs)
        return _Dinic(0.0, zero, use.copy(), np.zeros(net.n_arcs, dtype=bool))
    first = bound
    for _ in range(4):
        result, scale = _dinic_scaled(net, source, sink, u, bound)
        tighter = result.value + (int(use.sum()) + 1) / scale
        if result.value == 0.0 or tighter > bound / 4:
            break
        bound = tighter
    if result.value >= first * (1 - 1e-9) and np.any(np.isinf(u[use])):
        _unlimited_check(net, source, sink, u)
    return result


def _unlimited_check(
    net: FlowNetwork, source: int, sink: int, u: FloatArray
) -> tuple[float, FloatArray]:
    inf = np.isinf(u)
    g = sp.csr_matrix(
        (np.ones(int(inf.sum())), (net.tail[inf], net.head[inf])),
        shape=(net.n_nodes, net.n_nodes),
    )
    order = breadth_first_order(g, source, directed=True, return_predecessors=False)
    if sink in set(np.asarray(order).tolist()):
        raise Unbounded("a path of unlimited capacity joins the source to the sink")
    return 0.0, np.zeros(net.n_arcs)


def _solve(
    cost: FloatArray,
    lp: _LP,
    extra_ub: list[tuple[FloatArray, float]],
    *,
    devex: bool = False,
) -> Any:
    rows: list[sp.csr_matrix] = []
    rhs: list[float] = []
    if lp.share_rows is not None:
        rows.append(lp.share_rows)
        rhs.extend([0.0] * lp.share_rows.shape[0])
    for r, b in extra_ub:
        rows.append(sp.csr_matrix(r[None, :]))
        rhs.append(b)
    a_ub = sp.vstack(rows, format="csr") if rows else None
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.asarray(rhs) if rows else None,
        A_eq=lp.a_eq,
        b_eq=np.zeros(lp.a_eq.shape[0]),
        bounds=lp.bounds,
        # Devex pricing in the dual simplex is faster on large flow LPs (measured in
        # benchmarks/resource.py); the default choice of HiGHS otherwise.
        method="highs-ds" if devex else "highs",
        options={"simplex_dual_edge_weight_strategy": "devex"} if devex else None,
    )
    return res


def max_flow(
    net: FlowNetwork,
    source: int,
    sink: int,
    *,
    blocked: Sequence[int] | BoolArray | None = None,
    shares: Sequence[ShareCap] = (),
    method: str = "auto",
) -> MaxFlow:
    """Largest ``F`` that can reach ``sink`` from ``source`` without touching blocked nodes.

    ``method``: ``"auto"`` (combinatorial when gains are 1 and there are no share caps, else
    LP), ``"combinatorial"`` or ``"lp"``.

    >>> # two mines (5 and 4 t) feed one refinery (cap 6 t); excluding mine 2 leaves 5 t.
    >>> net = FlowNetwork.build(5, [0, 0, 1, 2, 3], [1, 2, 3, 3, 4], [5, 4, 1e9, 1e9, 6])
    >>> round(max_flow(net, 0, 4).value, 6), round(max_flow(net, 0, 4, blocked=[2]).value, 6)
    (6.0, 5.0)
    """
    mask = _blocked_mask(net, blocked)
    _check_ends(net, source, sink, mask)
    u = _effective_capacity(net, mask)
    if method not in ("auto", "combinatorial", "lp"):
        raise BadInputError("method must be 'auto', 'combinatorial' or 'lp'")
    plain = net.unit_gains and not shares
    if net.n_arcs == 0:
        side = np.zeros(net.n_nodes, dtype=bool)
        side[source] = True
        empty = np.zeros(0)
        return MaxFlow(
            0.0, empty, side, np.zeros(0, np.int64), empty, np.zeros(len(shares)), "none"
        )
    if method == "combinatorial" and not plain:
        raise BadInputError("the combinatorial method needs unit gains and no share caps")
    if method == "combinatorial" or (method == "auto" and plain):
        d = _max_flow_combinatorial(net, source, sink, u)
        side, cut = _cut_from(net, u, d.room, d.back, source)
        to_sink = _residual_reach(net, d.room, d.back, sink, reverse=True)
        marg = np.zeros(net.n_arcs)
        open_arc = ~(mask[net.tail] | mask[net.head])
        marg[side[net.tail] & to_sink[net.head] & ~d.room & np.isfinite(u) & open_arc] = 1.0
        return MaxFlow(d.value, d.flow, side, cut, marg, np.zeros(0), "combinatorial")
    lp = _lp_parts(net, source, sink, u, shares)
    res = _solve(-lp.delivered, lp, [])
    status = int(getattr(res, "status", 4))
    if status == 3:
        raise Unbounded("a path of unlimited capacity joins the source to the sink")
    if status != 0:
        raise Infeasible(f"maximum-flow LP failed: {getattr(res, 'message', '')}")
    flow = np.clip(np.asarray(res.x, dtype=np.float64), 0.0, None)
    value = float(lp.delivered @ flow)
    upper = np.asarray(res.upper.marginals, dtype=np.float64)
    marg = np.where(np.isfinite(u), -upper, 0.0)
    share_m = (
        -np.asarray(res.ineqlin.marginals, dtype=np.float64)[: len(shares)]
        if shares
        else np.zeros(0)
    )
    side, cut = min_cut(net, flow, source, capacity=u)
    return MaxFlow(value, flow, side, cut, marg, share_m, "lp")


def min_cost_plan(
    net: FlowNetwork,
    source: int,
    sink: int,
    demand: float,
    *,
    blocked: Sequence[int] | BoolArray | None = None,
    shares: Sequence[ShareCap] = (),
    flow_limit: MaxFlow | None = None,
) -> Plan:
    """Cheapest flow delivering ``min(demand, F_max)``; the rest is ``unmet``.

    >>> # mine A (cap 4, $10/t) and mine B (cap 10, $15/t) feed a buyer who needs 6 t.
    >>> net = FlowNetwork.build(4, [0, 0, 1, 2], [1, 2, 3, 3], [4, 10, 1e9, 1e9], [10, 15, 0, 0])
    >>> p = min_cost_plan(net, 0, 3, 6.0)
    >>> round(p.cost, 6), p.flow[:2].round(6).tolist(), round(float(p.cost_marginal[0]), 6)
    (70.0, [4.0, 2.0], -5.0)
    """
    if not np.isfinite(demand) or demand < 0:
        raise BadInputError("demand must be a finite quantity >= 0")
    mask = _blocked_mask(net, blocked)
    _check_ends(net, source, sink, mask)
    mf = flow_limit or max_flow(net, source, sink, blocked=mask, shares=shares)
    target = min(float(demand), mf.value)
    if net.n_arcs == 0:
        empty = np.zeros(0)
        return Plan(float(demand), 0.0, float(demand), empty, 0.0, empty, np.zeros(len(shares)), mf)
    u = _effective_capacity(net, mask)
    lp = _lp_parts(net, source, sink, u, shares)
    notes: list[str] = []
    res = None
    relax = 0.0
    for relax in (0.0, 1e-9, 1e-7, 1e-5):
        lo = target * (1 - relax)
        res = _solve(net.cost, lp, [(-lp.delivered, -lo), (lp.delivered, target)], devex=True)
        if int(getattr(res, "status", 4)) == 0:
            if relax > 1e-9:
                notes.append(f"delivered quantity relaxed by {relax:g} (numerical tolerance)")
            break
    if res is None or int(getattr(res, "status", 4)) != 0:
        raise Infeasible(f"least-cost LP failed: {getattr(res, 'message', '')}")
    flow = np.clip(np.asarray(res.x, dtype=np.float64), 0.0, None)
    delivered = float(lp.delivered @ flow)
    if abs(delivered - target) <= max(2 * relax, 1e-12) * max(1.0, target):
        delivered = target
    upper = np.asarray(res.upper.marginals, dtype=np.float64)
    cost_m = np.where(np.isfinite(u), upper, 0.0)
    share_m = (
        np.asarray(res.ineqlin.marginals, dtype=np.float64)[: len(shares)]
        if shares
        else np.zeros(0)
    )
    return Plan(
        demand=float(demand),
        delivered=delivered,
        unmet=max(float(demand) - delivered, 0.0),
        flow=flow,
        cost=float(net.cost @ flow),
        cost_marginal=cost_m,
        share_cost_marginal=share_m,
        max_flow=mf,
        notes=tuple(notes),
    )


__all__ = [
    "FlowNetwork",
    "Infeasible",
    "MaxFlow",
    "Plan",
    "ShareCap",
    "Unbounded",
    "max_flow",
    "min_cost_plan",
    "min_cut",
]
