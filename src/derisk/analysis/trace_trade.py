"""Origin of supply traced through trade (re-export correction) and across processing stages.

Notation, for one material stage (one commodity) and one period, with ``n`` countries:

* ``p`` production (``p_j`` of country ``j``); ``T[i, j]`` quantity that ``i`` exports to ``j``;
  ``u_j`` imports of ``j`` whose partner is not known (Comtrade "areas, n.e.s.", or the part of
  a reported world total that no bilateral line explains).
* Supply pool ``s = p + Tᵀ1 + u``. Exports are assumed to draw proportionally from the pool
  (Kastner, Kastner, Erb & Krausmann 2011, "International wood trade and forest change: a global
  analysis", Global Environmental Change 21(1); the "re-export correction").
* Origin matrix ``C = (I − ŝ⁻¹Tᵀ)⁻¹ ŝ⁻¹p̂``: ``C[j, k]`` is the share of ``j``'s pool that
  originates in (was produced at this stage in) ``k``. Unknown partners are an extra node
  ``UNK`` (index ``n``) that produces what it exports, so ``C`` has ``n + 1`` columns and the last
  is the unknown share. Where the data are complete, every row with supply sums to 1.

Unknowns stay explicit instead of being guessed:

* unknown production (``NaN``) is taken at its smallest value consistent with the country's
  trade, ``p_j = max(0, e_j − m_j − u_j)`` (exports less imports), and flagged ``estimated``;
* a country that exports without any known supply has the origin of those exports unknown
  (an unknown inflow equal to its exports);
* a pool that no production reaches (material circling between traders with no source) has
  unknown origin.

Stages chain: if refiner ``r``'s feed has origin mix ``F[r, :]`` (the refiner's supply pool at the
feed stage), the mine origin of what ``j`` holds at the refined stage is
``C_chain = C_refined[:, :n] · F'``, with ``F'`` = ``F`` plus, in its unknown column, whatever
share of a refiner's feed is not traced (``1 − Σ_k F[r, k]``); the refined stage's own unknown
column carries over.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from derisk.analysis import _trade

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Origins:
    """Origin of each country's supply pool at one stage (see the module notation).

    ``shares`` is ``C`` with shape ``(n, n + 1)``; its last column is the unknown origin.
    A row is all zero when the country has no supply.
    """

    production: FloatArray
    estimated: BoolArray
    unknown_inflow: FloatArray
    supply: FloatArray
    shares: FloatArray
    sourceless: BoolArray

    @property
    def n(self) -> int:
        return int(self.production.shape[0])

    def share_from(self, selected: Iterable[int]) -> FloatArray:
        """``C[:, S].sum(1)``: share of every country's pool that originates in the set ``S``."""
        idx = sorted(set(selected))
        return np.asarray(self.shares[:, idx].sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class Decomposition:
    """How the selected origins ``S`` reach importer ``j`` (fractions of ``j``'s imports).

    ``m_j = Σ_i T[i, j] + u_j``; ``via[i] = T[i, j] · C[i, S] / m_j``; ``direct`` sums ``via``
    over suppliers in ``S``, ``indirect`` over the others; ``total = direct + indirect``;
    ``unknown = (u_j + Σ_i T[i, j] · C[i, UNK]) / m_j``; ``shipped_from_selected`` is the plain
    direct import share ``Σ_{i∈S} T[i, j] / m_j`` (what bilateral import statistics show).
    ``supply_share`` is ``C[j, S]``, the share of ``j``'s whole pool (own production included).
    """

    importer: int
    imports: float
    supply: float
    domestic: float
    direct: float
    indirect: float
    total: float
    unknown: float
    shipped_from_selected: float
    supply_share: float
    via: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """A chain of countries from origin to importer and the share of imports it carries."""

    path: tuple[int, ...]
    share: float


def _check(production: FloatArray, trade: FloatArray, unknown_inflow: FloatArray | None) -> None:
    n = production.shape[0]
    if production.ndim != 1 or trade.shape != (n, n):
        raise ValueError(
            f"production must be (n,) and trade (n, n); got {production.shape}, {trade.shape}"
        )
    if not np.all(np.isfinite(trade)) or np.any(trade < 0):
        raise ValueError("trade must be finite and non-negative")
    known = production[~np.isnan(production)]
    if np.any(~np.isfinite(known)) or np.any(known < 0):
        raise ValueError("production must be non-negative (NaN for unknown)")
    if unknown_inflow is not None and (
        unknown_inflow.shape != (n,)
        or not np.all(np.isfinite(unknown_inflow))
        or np.any(unknown_inflow < 0)
    ):
        raise ValueError("unknown_inflow must be (n,), finite and non-negative")


def fill_unknown_production(
    production: FloatArray, trade: FloatArray, unknown_inflow: FloatArray | None = None
) -> tuple[FloatArray, BoolArray]:
    """Replace unknown (``NaN``) production by ``max(0, e_j − m_j − u_j)`` and flag it.

    ``e = T1`` (exports), ``m = Tᵀ1`` (imports); this is the least production that the
    country's own trade requires.

    >>> p, est = fill_unknown_production(np.array([np.nan, 5.0]), np.array([[0, 8.0], [3.0, 0]]))
    >>> p.tolist(), est.tolist()
    ([5.0, 5.0], [True, False])
    """
    p = np.array(production, dtype=np.float64)
    est = np.isnan(p)
    u = np.zeros_like(p) if unknown_inflow is None else unknown_inflow
    need = np.maximum(0.0, trade.sum(axis=1) - trade.sum(axis=0) - u)
    p[est] = need[est]
    return p, est


def _reachable(sources: BoolArray, adjacency: BoolArray) -> BoolArray:
    """Nodes reachable along ``adjacency[i, j]`` (i supplies j) from ``sources``."""
    reach = sources.copy()
    while True:
        nxt = reach | adjacency[reach].any(axis=0)
        if np.array_equal(nxt, reach):
            return reach
        reach = nxt


def origin_shares(
    production: FloatArray, trade: FloatArray, unknown_inflow: FloatArray | None = None
) -> Origins:
    """Re-export-corrected origin of every country's supply: ``C = (I − ŝ⁻¹Tᵀ)⁻¹ ŝ⁻¹p̂``.

    ``production`` (n,) with ``NaN`` for unknown; ``trade[i, j]`` exports of ``i`` to ``j``;
    ``unknown_inflow`` (n,) imports from unknown partners. Returns ``C`` with an extra last
    column for unknown origin (see the module docstring for how unknowns are kept).

    Three countries, no re-export: China (100) and Australia (50) ship 40 and 10 to the US.

    >>> o = origin_shares(np.array([100.0, 50.0, 0.0]),
    ...                   np.array([[0, 0, 40.0], [0, 0, 10.0], [0, 0, 0]]))
    >>> o.shares[2].round(3).tolist()
    [0.8, 0.2, 0.0, 0.0]
    """
    production = np.asarray(production, dtype=np.float64)
    trade = np.asarray(trade, dtype=np.float64)
    u_in = None if unknown_inflow is None else np.asarray(unknown_inflow, dtype=np.float64)
    _check(production, trade, u_in)
    n = production.shape[0]
    u = np.zeros(n) if u_in is None else u_in.copy()
    p, est = fill_unknown_production(production, trade, u)
    exports = trade.sum(axis=1)
    s0 = p + trade.sum(axis=0) + u
    orphan = (s0 <= 0) & (exports > 0)
    u = u + np.where(orphan, exports, 0.0)
    big = n + 1
    ta = np.zeros((big, big))
    ta[:n, :n] = trade
    ta[n, :n] = u
    pa = np.append(p, u.sum())
    sa = pa + ta.sum(axis=0)
    reach = _reachable(pa > 0, ta > 0)
    sourceless = (sa > 0) & ~reach
    valid = (sa > 0) & reach
    inv = np.divide(1.0, sa, out=np.zeros(big), where=valid)
    a = inv[:, None] * ta.T
    rhs = np.diag(inv * pa)
    rhs[sourceless, n] = 1.0
    c = np.linalg.solve(np.eye(big) - a, rhs)
    return Origins(
        production=p,
        estimated=est,
        unknown_inflow=u,
        supply=sa[:n],
        shares=np.ascontiguousarray(c[:n]),
        sourceless=sourceless[:n],
    )


def decompose(
    origins: Origins, trade: FloatArray, importer: int, selected: Iterable[int]
) -> Decomposition:
    """Direct, indirect (by immediate supplier) and total share of ``S`` in ``j``'s imports.

    Re-export through Belgium: China (100) ships 20 to Belgium and 30 to the US; Belgium
    (no production) ships 10 on to the US. Of the US's 40 imports, 30/40 come from China
    directly and 10/40 through Belgium.

    >>> T = np.array([[0, 20.0, 30.0], [0, 0, 10.0], [0, 0, 0]])
    >>> o = origin_shares(np.array([100.0, 0.0, 10.0]), T)
    >>> d = decompose(o, T, 2, [0])
    >>> d.direct, d.via, d.total
    (0.75, {1: 0.25}, 1.0)
    """
    sel = sorted(set(selected))
    n = origins.n
    j = importer
    col = origins.share_from(sel)
    inflow = np.asarray(trade, dtype=np.float64)[:, j]
    m = float(inflow.sum() + origins.unknown_inflow[j])
    s = float(origins.supply[j])
    domestic = float(origins.production[j] / s) if s > 0 else 0.0
    supply_share = float(col[j])
    if m <= 0:
        return Decomposition(j, 0.0, s, domestic, 0.0, 0.0, 0.0, 0.0, 0.0, supply_share, {})
    carried = inflow * col / m
    in_sel = np.zeros(n, dtype=bool)
    in_sel[sel] = True
    direct = float(carried[in_sel].sum())
    via = {int(i): float(carried[i]) for i in np.nonzero((carried > 0) & ~in_sel)[0]}
    indirect = float(sum(via.values()))
    unknown = float((origins.unknown_inflow[j] + inflow @ origins.shares[:, n]) / m)
    shipped = float(inflow[in_sel].sum() / m)
    return Decomposition(
        j, m, s, domestic, direct, indirect, direct + indirect, unknown, shipped, supply_share, via
    )


def top_routes(
    origins: Origins,
    trade: FloatArray,
    importer: int,
    selected: Iterable[int],
    *,
    limit: int = 5,
    max_depth: int = 4,
    min_share: float = 1e-4,
) -> list[Route]:
    """The largest origin → … → importer chains carrying ``S``-origin material into ``j``.

    A route ``k → i₁ → … → i_m → j`` carries ``T[i_m, j]/m_j · Π A[i_{t+1}, i_t] · p_k/s_k``
    of ``j``'s imports, with ``A[x, y] = T[y, x]/s_x``; summed over all routes of any length this
    is :func:`decompose`'s ``total``. The search is pruned exactly: a partial route of weight
    ``w`` ending at ``x`` can carry at most ``w · C[x, S]`` more, so it is dropped below
    ``min_share``. Paths are given origin first.

    >>> T = np.array([[0, 20.0, 30.0], [0, 0, 10.0], [0, 0, 0]])
    >>> o = origin_shares(np.array([100.0, 0.0, 10.0]), T)
    >>> [(r.path, r.share) for r in top_routes(o, T, 2, [0])]
    [((0, 2), 0.75), ((0, 1, 2), 0.25)]
    """
    sel = set(selected)
    col = origins.share_from(sel)
    t = np.asarray(trade, dtype=np.float64)
    j = importer
    m = float(t[:, j].sum() + origins.unknown_inflow[j])
    if m <= 0:
        return []
    s = origins.supply
    own = np.divide(origins.production, s, out=np.zeros_like(s), where=s > 0)
    found: list[Route] = []

    def walk(node: int, weight: float, path: tuple[int, ...], depth: int) -> None:
        # ``path`` runs from ``node`` to the importer; ``weight`` is node's share in it.
        if node in sel and own[node] > 0:
            share = float(weight * own[node])
            if share >= min_share:
                found.append(Route(path, share))
        if depth >= max_depth or s[node] <= 0:
            return
        for sup in np.nonzero(t[:, node] > 0)[0]:
            w = float(weight * t[sup, node] / s[node])
            if w * col[sup] >= min_share and int(sup) not in path:
                walk(int(sup), w, (int(sup), *path), depth + 1)

    for sup in np.nonzero(t[:, j] > 0)[0]:
        w = float(t[sup, j] / m)
        if w * col[sup] >= min_share:
            walk(int(sup), w, (int(sup), j), 1)
    found.sort(key=lambda r: (-r.share, r.path))
    return found[:limit]


def chain(stage: FloatArray, feed: FloatArray) -> FloatArray:
    """Origin at the feed stage of material held at a later stage.

    ``stage`` (n, n+1): origin by country of processing; ``feed`` (n, n+1): origin of each
    processor's feed pool. ``C_chain = stage[:, :n] · F'`` where ``F'`` moves any untraced part
    of a processor's feed (``1 − Σ_k feed[r, k]``) into the unknown column, and the stage's own
    unknown column is added.

    >>> stage = np.array([[1.0, 0, 0], [0.75, 0.25, 0]])
    >>> feed = np.array([[1.0, 0, 0], [0, 0, 0]])      # country 1 has no traced feed
    >>> chain(stage, feed).tolist()
    [[1.0, 0.0, 0.0], [0.75, 0.0, 0.25]]
    """
    n = stage.shape[0]
    if stage.shape != (n, n + 1) or feed.shape != (n, n + 1):
        raise ValueError("stage and feed must both be (n, n + 1)")
    f = feed.copy()
    f[:, n] += np.clip(1.0 - feed.sum(axis=1), 0.0, 1.0)
    out = stage[:, :n] @ f
    out[:, n] += stage[:, n]
    return np.asarray(out, dtype=np.float64)


# -- many commodities at once -----------------------------------------------------------


@dataclass(frozen=True)
class BatchOrigins:
    """Origins for ``K`` commodities (or commodity-years) over the same ``n`` countries.

    Stored compactly: the flows sorted by commodity (commodity ``k`` owns
    ``starts[k]:starts[k + 1]``) with their weights ``T[i, j]/s_j``. Node ``n`` is ``UNK``.
    For commodity ``k`` only the exporters ``E`` carry a linear system,
    ``(I − A_EE) C[E, S] = D[E, S] + A_E,UNK C[UNK, S]``, solved per query for the origin sets
    asked about (one right-hand side per set); every other row follows from one pass over the
    flows, ``C[j, S] = D[j, S] + Σ_i (T[i, j]/s_j) · C[i, S]``.
    """

    n: int
    production: FloatArray  # (K, n): as given, unknown (NaN) filled as in origin_shares
    unknown_inflow: FloatArray  # (K, n): as given, plus exports of pools without known supply
    supply: FloatArray  # (K, n + 1)
    dshare: FloatArray  # (K, n + 1): p_j / s_j (0 where no valid pool)
    estimated: BoolArray  # (K, n)
    sourceless: BoolArray  # (K, n + 1)
    exporter: BoolArray  # (K, n + 1): the nodes E that carry the linear system (and UNK)
    unknown_w: FloatArray  # (K, n): u_j / s_j, the weight of the flow UNK -> j
    starts: IntArray  # (K + 1,)
    flow_i: IntArray
    flow_j: IntArray
    flow_w: FloatArray  # T[i, j] / s_j (0 for a flow dropped: i == j or no quantity)
    chunk: int = 64
    compiled: bool = True  # run the numba-compiled kernels (else the same code, uncompiled)

    @property
    def k(self) -> int:
        return int(self.supply.shape[0])

    def _solve(self, which: IntArray, masks: BoolArray) -> FloatArray:
        """``(len(masks), len(which), n + 1)``: ``C[:, S]`` of each commodity in ``which``."""
        out = np.zeros((masks.shape[0], which.size, self.n + 1))
        bounds = [(w0, min(w0 + self.chunk, which.size)) for w0 in range(0, which.size, self.chunk)]

        kernel = _trade.compiled()[1] if self.compiled else _trade.solve

        def run(b: tuple[int, int]) -> None:
            kernel(
                which, self.starts, self.flow_i, self.flow_j, self.flow_w, self.unknown_w,
                self.exporter, self.dshare, self.sourceless, masks, b[0], b[1], out,
            )  # fmt: skip

        _parallel(run, bounds if self.compiled else [(0, which.size)])
        return out

    def shares_from(self, sets: Sequence[Iterable[int]]) -> list[FloatArray]:
        """:meth:`share_from` for several origin sets at once (one factorisation for all)."""
        big = self.n + 1
        masks = np.zeros((len(sets), big), dtype=np.bool_)
        for q, selected in enumerate(sets):
            idx = sorted(set(selected))
            if idx and (idx[0] < 0 or idx[-1] >= big):
                raise ValueError(f"origin index out of range 0..{self.n}: {idx}")
            masks[q, idx] = True
        res = self._solve(np.arange(self.k, dtype=np.int64), masks)
        return [np.ascontiguousarray(res[q, :, : self.n]) for q in range(len(sets))]

    def share_from(self, selected: Iterable[int]) -> FloatArray:
        """``(K, n)``: share of every country's pool that originates in the set ``S``.

        ``S`` may include ``n`` (the unknown origin).
        """
        return self.shares_from([selected])[0]

    def unknown_share(self) -> FloatArray:
        """``(K, n)``: share of every country's pool of unknown origin."""
        return self.share_from([self.n])

    def matrix(self, k: int) -> FloatArray:
        """Dense ``C`` (n, n + 1) of commodity ``k``, last column unknown."""
        big = self.n + 1
        res = self._solve(np.array([k], dtype=np.int64), np.eye(big, dtype=np.bool_))
        return np.ascontiguousarray(res[:, 0, : self.n].T)


def _parallel(run: Callable[[tuple[int, int]], None], bounds: list[tuple[int, int]]) -> None:
    """Run the compiled kernel over commodity ranges, spread over the cores (one BLAS thread
    each: the systems are small)."""
    workers = max(1, min(os.cpu_count() or 1, len(bounds)))
    with threadpool_limits(limits=1, user_api="blas"):
        if workers == 1:
            for b in bounds:
                run(b)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run, bounds))


def trace_batch(
    commodity: npt.ArrayLike,
    exporter: npt.ArrayLike,
    importer: npt.ArrayLike,
    quantity: npt.ArrayLike,
    production: FloatArray,
    unknown_inflow: FloatArray | None = None,
    *,
    chunk: int = 64,
    compiled: bool | None = None,
) -> BatchOrigins:
    """:func:`origin_shares` for many commodities, from sparse (COO) trade.

    ``commodity, exporter, importer, quantity``: one entry per flow (duplicates add up);
    ``production`` ``(K, n)`` with ``NaN`` for unknown; ``unknown_inflow`` ``(K, n)``;
    ``chunk``: commodities per task handed to a worker thread; ``compiled``: run the
    numba-compiled kernels (default: when there are more than 50,000 flows and pools, below which
    importing and loading them costs more than the uncompiled code takes).

    Only exporting countries pass origin on, so the linear system is solved for them alone:
    with ``E`` the exporters and ``O`` the exporting producers (plus ``UNK``),
    ``C[E, O] = (I − A_EE)⁻¹ D_EO`` (``A = ŝ⁻¹Tᵀ``, ``D = ŝ⁻¹p̂``); any other entry follows from
    ``C = D + A C`` restricted to ``E``'s columns of ``A``. One compiled pass over the flows
    (sorted by commodity) computes the pools and the weights; the solves are left to the
    queries (:meth:`BatchOrigins.shares_from`): per commodity, the block ``I − A_EE`` is built
    from its flows and factorised once for all the origin sets asked about.

    >>> b = trace_batch([0, 0], [0, 1], [2, 2], [40.0, 10.0], np.array([[100.0, 50.0, 0.0]]))
    >>> b.share_from([0])[0].round(3).tolist()
    [1.0, 0.0, 0.8]
    """
    ks = np.asarray(commodity, dtype=np.int64)
    ii = np.asarray(exporter, dtype=np.int64)
    jj = np.asarray(importer, dtype=np.int64)
    qq = np.asarray(quantity, dtype=np.float64)
    prod = np.asarray(production, dtype=np.float64)
    if prod.ndim != 2:
        raise ValueError("production must be (K, n)")
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    kk, n = prod.shape
    if not (ks.shape == ii.shape == jj.shape == qq.shape) or ks.ndim != 1:
        raise ValueError("commodity, exporter, importer and quantity must be 1-d, one length")
    if ks.size and (
        ks.min() < 0
        or ks.max() >= kk
        or min(ii.min(), jj.min()) < 0
        or max(ii.max(), jj.max()) >= n
    ):
        raise ValueError("commodity or country index out of range")
    if not np.all(np.isfinite(qq)) or np.any(qq < 0):
        raise ValueError("quantity must be finite and non-negative")
    known = prod[~np.isnan(prod)]
    if np.any(~np.isfinite(known)) or np.any(known < 0):
        raise ValueError("production must be non-negative (NaN for unknown)")
    uin = np.zeros((kk, n)) if unknown_inflow is None else np.asarray(unknown_inflow, float)
    if uin.shape != (kk, n) or not np.all(np.isfinite(uin)) or np.any(uin < 0):
        raise ValueError("unknown_inflow must be (K, n), finite and non-negative")
    if ks.size > 1 and np.any(ks[1:] < ks[:-1]):
        srt = np.argsort(ks, kind="stable")
        ks, ii, jj, qq = ks[srt], ii[srt], jj[srt], qq[srt]
    starts = np.searchsorted(ks, np.arange(kk + 1)).astype(np.int64)
    big = n + 1
    p = np.empty((kk, n))
    est = np.empty((kk, n), dtype=np.bool_)
    u = np.empty((kk, n))
    supply = np.empty((kk, big))
    dshare = np.empty((kk, big))
    sourceless = np.empty((kk, big), dtype=np.bool_)
    in_e = np.empty((kk, big), dtype=np.bool_)
    fw = np.empty(ks.size)
    uw = np.empty((kk, n))
    bounds = [(k0, min(k0 + chunk, kk)) for k0 in range(0, kk, chunk)]

    if compiled is None:
        compiled = ks.size + kk * big > 50_000
    kernel = _trade.compiled()[0] if compiled else _trade.pools

    def run(b: tuple[int, int]) -> None:
        kernel(
            starts, ii, jj, qq, prod, uin, b[0], b[1],
            p, est, u, supply, dshare, sourceless, in_e, fw, uw,
        )  # fmt: skip

    _parallel(run, bounds if compiled else [(0, kk)])
    return BatchOrigins(
        n=n,
        production=p,
        unknown_inflow=u,
        supply=supply,
        dshare=dshare,
        estimated=est,
        sourceless=sourceless,
        exporter=in_e,
        unknown_w=uw,
        starts=starts,
        flow_i=np.ascontiguousarray(ii),
        flow_j=np.ascontiguousarray(jj),
        flow_w=fw,
        chunk=chunk,
        compiled=compiled,
    )


def names(indices: Sequence[int], codes: Sequence[str]) -> list[str]:
    """Country codes for indices (``UNK`` for the unknown node)."""
    return [codes[i] if i < len(codes) else "UNK" for i in indices]
