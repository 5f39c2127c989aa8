"""Stage-resolved origin of a product's material, traced through firm-level supply links.

Notation, for one material with processing stages ``0 .. K-1`` (mining first) and a pseudo-stage
``K`` (production of a product outside the material's chain, e.g. a cathode plant):

* every facility ``f`` sits at a stage position ``p(f)`` and in a country ``c(f)`` (maybe
  unknown);
* a supply link ``s -> f`` carries the share ``a[f, s]`` of ``f``'s input of the material that
  ``s`` provides; ``sum_s a[f, s] <= 1`` and the remainder ``r(f) = 1 - sum_s a[f, s]`` is an
  explicit unknown supplier (mass balance);
* ``O_k(f)`` is the origin of stage ``k`` of the material that ``f`` ships, a distribution over
  (country, facility, basis) with basis ``traced`` (firm-level facts), ``statistical``
  (country-level stage shares ``W_k`` standing in for an unknown supplier) or ``unknown``.

The recurrence, for ``k <= p(f)``::

    O_k(f) = e(c(f), f)                                               if p(f) == k
    O_k(f) = sum_s a[f, s] * (O_k(s) if p(s) >= k else e(c(f), f))    if p(f) >  k
             + r(f) * W_k

A link whose supplier is at a stage before ``k`` means ``f`` itself performed stage ``k``
(integrated processing: it received the material before that stage). The unknown remainder is
taken to arrive at the stage just before ``p(f)``, so every earlier stage ``k`` of it falls back
to ``W_k``. When no stage shares are known, ``W_k`` is wholly unknown.

:func:`stage_origin` evaluates the recurrence for one facility (memoised per facility and stage;
with ``memo=None`` it walks every path anew, the naive per-product traversal).
:func:`propagate` evaluates it for every facility at once as sparse matrix products, level by
level in topological order: ``X = B + M X`` with ``M[f, s] = a[f, s]`` where ``p(s) >= k``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from derisk.errors import BadInputError

TRACED = "traced"
STATISTICAL = "statistical"
UNKNOWN = "unknown"
TOL = 1e-9
"""Tolerance on sums of shares (a customer's supplier shares may exceed 1 by at most this)."""

OriginKey = tuple[str | None, str | None, str]
"""(country or None, facility id or None, basis)."""


@dataclass(frozen=True)
class Node:
    """A facility placed in one material's chain."""

    id: str
    country: str | None
    pos: int


@dataclass(frozen=True)
class Edge:
    """A supply link: ``supplier`` provides ``share`` of ``customer``'s input."""

    link_id: str
    supplier: str
    customer: str
    share: float
    source_id: str | None = None


@dataclass(frozen=True)
class StageDist:
    """Country shares of a stage standing in for unknown suppliers (statistical fallback)."""

    shares: Mapping[str, float]
    unknown: float
    source_id: str | None = None
    year: int | None = None

    @staticmethod
    def none() -> StageDist:
        return StageDist({}, 1.0)


@dataclass
class MaterialGraph:
    """Facilities and links of one material, with the stage fallback distributions.

    ``stages`` are the chain's stage ids followed by the pseudo-stage ``production``.
    """

    material: str
    stages: tuple[str, ...]
    nodes: dict[str, Node]
    inputs: dict[str, list[Edge]] = field(default_factory=dict)
    world: dict[int, StageDist] = field(default_factory=dict)

    def add_edge(self, e: Edge) -> None:
        self.inputs.setdefault(e.customer, []).append(e)

    def remainder(self, f: str) -> float:
        """``r(f) = 1 - sum of f's supplier shares`` (0 for a facility at the first stage)."""
        if self.nodes[f].pos == 0:
            return 0.0
        total = sum(e.share for e in self.inputs.get(f, ()))
        if total > 1.0 + TOL:
            raise BadInputError(
                f"supplier shares of {f!r} for {self.material} sum to {total:.6g} > 1 "
                f"(links {', '.join(e.link_id for e in self.inputs.get(f, ()))})"
            )
        return max(0.0, 1.0 - total)

    def dist(self, k: int) -> StageDist:
        return self.world.get(k) or StageDist.none()


def _add(acc: dict[OriginKey, float], src: Mapping[OriginKey, float], w: float) -> None:
    if w == 0.0:
        return
    for key, v in src.items():
        acc[key] = acc.get(key, 0.0) + w * v


def _world_part(g: MaterialGraph, k: int) -> dict[OriginKey, float]:
    d = g.dist(k)
    out: dict[OriginKey, float] = {(c, None, STATISTICAL): s for c, s in d.shares.items() if s}
    if d.unknown > 0:
        out[(None, None, UNKNOWN)] = d.unknown
    return out


def stage_origin(
    g: MaterialGraph,
    f: str,
    k: int,
    memo: dict[tuple[str, int], dict[OriginKey, float]] | None = None,
    _active: set[str] | None = None,
) -> dict[OriginKey, float]:
    """``O_k(f)``: origin of stage ``k`` of what ``f`` ships, by (country, facility, basis).

    The shares sum to 1. Pass a ``memo`` dict to reuse results across calls; ``memo=None`` walks
    every path (cost grows with the number of paths). Raises ``ValueError`` on a cycle of links
    or when ``k`` is after ``f``'s stage.

    >>> g = MaterialGraph("x", ("mining", "refining", "production"),
    ...     {"m": Node("m", "AUS", 0), "r": Node("r", "CHN", 1)})
    >>> g.add_edge(Edge("l1", "m", "r", 0.6))
    >>> g.world[0] = StageDist({"CHN": 0.5}, 0.5)
    >>> for key, share in stage_origin(g, "r", 0).items():
    ...     print(key, round(share, 3))
    ('AUS', 'm', 'traced') 0.6
    ('CHN', None, 'statistical') 0.2
    (None, None, 'unknown') 0.2
    """
    node = g.nodes[f]
    if k > node.pos:
        raise BadInputError(f"stage {k} is after the stage of {f!r} ({node.pos})")
    if memo is not None and (f, k) in memo:
        return memo[(f, k)]
    if node.pos == k:
        out: dict[OriginKey, float] = {(node.country, f, TRACED): 1.0}
    else:
        active = _active if _active is not None else set()
        if f in active:
            raise BadInputError(f"supply links of {g.material} form a cycle through {f!r}")
        active.add(f)
        out = {}
        own: OriginKey = (node.country, f, TRACED)
        for e in g.inputs.get(f, ()):
            sup = g.nodes[e.supplier]
            if sup.pos >= k:
                _add(out, stage_origin(g, e.supplier, k, memo, active), e.share)
            else:
                out[own] = out.get(own, 0.0) + e.share
        _add(out, _world_part(g, k), g.remainder(f))
        active.discard(f)
    if memo is not None:
        memo[(f, k)] = out
    return out


def reach(g: MaterialGraph, start: str) -> dict[str, float]:
    """Share of ``start``'s material that passes through each upstream facility.

    ``w(start) = 1``; ``w(s) = sum over customers f of w(f) * a[f, s]``.

    >>> g = MaterialGraph("x", ("a", "b", "production"),
    ...     {"m1": Node("m1", "AUS", 0), "m2": Node("m2", "CHN", 0), "r": Node("r", "JPN", 1)})
    >>> g.add_edge(Edge("l1", "m1", "r", 0.25)); g.add_edge(Edge("l2", "m2", "r", 0.75))
    >>> sorted(reach(g, "r").items())
    [('m1', 0.25), ('m2', 0.75), ('r', 1.0)]
    """
    order = _topo_from(g, start)
    w: dict[str, float] = defaultdict(float)
    w[start] = 1.0
    for f in order:
        for e in g.inputs.get(f, ()):
            w[e.supplier] += w[f] * e.share
    return {f: w[f] for f in order}


def _topo_from(g: MaterialGraph, start: str) -> list[str]:
    """Facilities reachable upstream of ``start``, customers before their suppliers."""
    seen: set[str] = set()
    active: set[str] = set()
    post: list[str] = []
    stack: list[tuple[str, int]] = [(start, 0)]
    while stack:
        f, i = stack.pop()
        if i == 0:
            if f in seen:
                continue
            if f in active:
                raise BadInputError(f"supply links of {g.material} form a cycle through {f!r}")
            active.add(f)
        edges = g.inputs.get(f, [])
        if i < len(edges):
            stack.append((f, i + 1))
            s = edges[i].supplier
            if s in active:
                raise BadInputError(f"supply links of {g.material} form a cycle through {s!r}")
            if s not in seen:
                stack.append((s, 0))
        else:
            active.discard(f)
            seen.add(f)
            post.append(f)
    return post[::-1]


@dataclass(frozen=True)
class Path:
    """One chain of links from the product's facility back to where tracing stops."""

    facilities: tuple[str, ...]
    links: tuple[str, ...]
    weight: float


def paths(g: MaterialGraph, start: str, limit: int = 5000) -> tuple[list[Path], bool]:
    """Every path of links upstream from ``start`` (up to ``limit``), and whether it was cut.

    A path ends at a facility with no supplier links. Its weight is the product of the shares.

    >>> g = MaterialGraph("x", ("a", "b", "production"),
    ...     {"m": Node("m", "AUS", 0), "r": Node("r", "JPN", 1)})
    >>> g.add_edge(Edge("l1", "m", "r", 0.5))
    >>> paths(g, "r")
    ([Path(facilities=('r', 'm'), links=('l1',), weight=0.5)], False)
    """
    out: list[Path] = []
    stack: list[tuple[tuple[str, ...], tuple[str, ...], float]] = [((start,), (), 1.0)]
    while stack:
        facs, links, w = stack.pop()
        edges = g.inputs.get(facs[-1], [])
        if not edges:
            out.append(Path(facs, links, w))
            if len(out) >= limit:
                return out, bool(stack)
            continue
        for e in reversed(edges):
            if e.supplier in facs:
                raise BadInputError(
                    f"supply links of {g.material} form a cycle through {e.supplier!r}"
                )
            stack.append(((*facs, e.supplier), (*links, e.link_id), w * e.share))
    return out, False


# -- batch: every facility at once --------------------------------------------------------------


@dataclass(frozen=True)
class ArrayGraph:
    """One material's supply graph as arrays (facilities ``0..n-1``, countries ``0..C-1``).

    ``country[f] = -1`` when unknown. ``world[k] = (country indices, shares, unknown share)``.
    """

    pos: npt.NDArray[np.int64]
    country: npt.NDArray[np.int64]
    supplier: npt.NDArray[np.int64]
    customer: npt.NDArray[np.int64]
    share: npt.NDArray[np.float64]
    n_countries: int
    world: Mapping[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], float]]

    @property
    def n(self) -> int:
        return int(self.pos.shape[0])


@dataclass(frozen=True)
class StageMatrix:
    """``O_k`` for every facility: ``traced`` and ``statistical`` are ``n x C`` sparse shares
    by country, ``unknown`` the unknown share (``n``); rows with ``p(f) < k`` are all zero and
    ``applicable[f]`` is false there."""

    traced: sp.csr_matrix
    statistical: sp.csr_matrix
    unknown: npt.NDArray[np.float64]
    applicable: npt.NDArray[np.bool_]


def levels(
    n: int, supplier: npt.NDArray[np.int64], customer: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Topological level of each node: 0 without suppliers, else 1 + max level of its suppliers.

    Raises ``ValueError`` when links form a cycle.

    >>> levels(3, np.array([0, 1]), np.array([1, 2])).tolist()
    [0, 1, 2]
    """
    indeg = np.bincount(customer, minlength=n)
    order = np.argsort(supplier, kind="stable")
    sup_sorted = supplier[order]
    cust_sorted = customer[order]
    starts = np.searchsorted(sup_sorted, np.arange(n + 1))
    level = np.zeros(n, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    remaining = indeg.copy()
    done = 0
    while frontier.size:
        done += frontier.size
        lo = starts[frontier]
        counts = starts[frontier + 1] - lo
        if counts.sum() == 0:
            break
        first = np.cumsum(counts) - counts
        idx = np.repeat(lo - first, counts) + np.arange(int(counts.sum()))
        custs = cust_sorted[idx]
        src_level = np.repeat(level[frontier], counts)
        np.maximum.at(level, custs, src_level + 1)
        np.subtract.at(remaining, custs, 1)
        touched = np.unique(custs)
        frontier = touched[remaining[touched] == 0]
    if done < n:
        stuck = np.flatnonzero(remaining > 0)[:5].tolist()
        raise BadInputError(f"supply links form a cycle (facilities {stuck} among them)")
    return level


def propagate(g: ArrayGraph, k: int, level: npt.NDArray[np.int64] | None = None) -> StageMatrix:
    """``O_k`` for every facility of ``g`` by sparse products, level by level (see module doc).

    >>> g = ArrayGraph(np.array([0, 1]), np.array([0, 1]), np.array([0]), np.array([1]),
    ...     np.array([0.6]), 2, {0: (np.array([1]), np.array([0.5]), 0.5)})
    >>> m = propagate(g, 0)
    >>> m.traced.toarray().round(3).tolist(), m.statistical.toarray().round(3).tolist()
    ([[1.0, 0.0], [0.6, 0.0]], [[0.0, 0.0], [0.0, 0.2]])
    >>> m.unknown.round(3).tolist()
    [0.0, 0.2]
    """
    n, C = g.n, g.n_countries
    pos, ctry = g.pos, g.country
    lev = levels(n, g.supplier, g.customer) if level is None else level
    p_sup, p_cust = pos[g.supplier], pos[g.customer]
    live = p_cust > k
    follow = live & (p_sup >= k)
    integ = live & (p_sup < k)
    insum = np.bincount(g.customer, weights=g.share, minlength=n)
    if np.any(insum > 1.0 + TOL):
        bad = int(np.flatnonzero(insum > 1.0 + TOL)[0])
        raise BadInputError(f"supplier shares of facility {bad} sum to {insum[bad]:.6g} > 1")
    rem = np.where(pos > 0, np.clip(1.0 - insum, 0.0, None), 0.0)
    integ_w = np.bincount(g.customer[integ], weights=g.share[integ], minlength=n)
    own = np.where(pos == k, 1.0, np.where(pos > k, integ_w, 0.0))
    # Own-country (traced) base; an unknown country goes to the unknown column.
    width = 2 * C + 1
    unk_col = 2 * C
    rows = np.flatnonzero(own > 0)
    cols = np.where(ctry[rows] >= 0, ctry[rows], unk_col)
    base = sp.csr_matrix((own[rows], (rows, cols)), shape=(n, width))
    # Statistical base: remainder r(f) spread as W_k for facilities after stage k.
    w_idx, w_share, w_unk = g.world.get(k, (np.zeros(0, np.int64), np.zeros(0), 1.0))
    rrows = np.flatnonzero((pos > k) & (rem > 0))
    if rrows.size:
        wcols = np.concatenate([C + w_idx, [unk_col]])
        wvals = np.concatenate([w_share, [w_unk]])
        keep = wvals > 0
        wcols, wvals = wcols[keep], wvals[keep]
        srows = np.repeat(rrows, wcols.size)
        scols = np.tile(wcols, rrows.size)
        svals = (rem[rrows][:, None] * wvals[None, :]).ravel()
        base = base + sp.csr_matrix((svals, (srows, scols)), shape=(n, width))
    M = sp.csr_matrix((g.share[follow], (g.customer[follow], g.supplier[follow])), shape=(n, n))
    # Solve level by level: rows of level L depend only on rows of lower levels.
    order = np.argsort(lev, kind="stable")
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)
    Mp = M[order][:, order].tocsr()
    Bp = base[order].tocsr()
    lev_sorted = lev[order]
    bounds = np.searchsorted(lev_sorted, np.arange(int(lev_sorted.max(initial=0)) + 2))
    X: sp.csr_matrix | None = None  # solved rows 0 .. done-1 (in level order)
    done = 0
    for L in range(len(bounds) - 1):
        a, b = int(bounds[L]), int(bounds[L + 1])
        if a == b:
            continue
        blk = Bp[a:b]
        if X is not None:
            blk = blk + Mp[a:b, :done] @ X
            X = sp.vstack([X, blk], format="csr")
        else:
            X = sp.csr_matrix(blk)
        done = b
    X = X[inv].tocsr() if X is not None else sp.csr_matrix((n, width))
    return StageMatrix(
        traced=X[:, :C].tocsr(),
        statistical=X[:, C : 2 * C].tocsr(),
        unknown=np.asarray(X[:, unk_col].todense()).ravel(),
        applicable=pos >= k,
    )


def collapse(origin: Mapping[OriginKey, float]) -> tuple[dict[str, float], dict[str, float], float]:
    """(traced by country, statistical by country, unknown) from an origin by key.

    A traced facility of unknown country counts as unknown.

    >>> collapse({("CHN", "f", "traced"): 0.5, (None, "g", "traced"): 0.2,
    ...           ("AUS", None, "statistical"): 0.3})
    ({'CHN': 0.5}, {'AUS': 0.3}, 0.2)
    """
    t: dict[str, float] = {}
    s: dict[str, float] = {}
    u = 0.0
    for (c, _f, basis), v in origin.items():
        if c is None or basis == UNKNOWN:
            u += v
        elif basis == TRACED:
            t[c] = t.get(c, 0.0) + v
        else:
            s[c] = s.get(c, 0.0) + v
    return t, s, u


def stage_positions(stage_ids: Sequence[str]) -> dict[str, int]:
    """Position of each stage id in a chain (the pseudo-stage ``production`` last).

    >>> stage_positions(["mining", "refining"])
    {'mining': 0, 'refining': 1, 'production': 2}
    """
    out = {s: i for i, s in enumerate(stage_ids)}
    out.setdefault("production", len(stage_ids))
    return out


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without repeats."""
    return list(dict.fromkeys(values))
