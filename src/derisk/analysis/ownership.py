"""Look-through ownership and control (Vitali, Glattfelder & Battiston 2011).

Notation. ``W[i, j]`` is the fraction of ``j`` held directly by ``i`` (an *interest layer*:
equity, voting rights, board seats or debt, each its own ``W``); columns sum to at most 1.
Stakes are given as edge lists ``(owner, owned, share)``.

* Integrated (look-through) ownership: ``W~ = (I - W)^-1 W = W + W^2 + W^3 + ...`` -- the sum
  over every chain of holdings of the product of the stakes along it. Cross-holdings and cycles
  are handled by the inverse; it exists when no group of entities is held entirely by itself
  (a *closed cycle*: every member's stakes come from inside the group and add up to 100%).
* Vitali's cycle correction: the share of ``j`` that ``i`` holds through chains that do not
  come back to ``i`` is ``W^_ij = W~_ij / (1 + W~_ii)`` (every chain from ``i`` to ``j`` is a loop
  from ``i`` back to itself followed by a chain that never returns to ``i``).
* Share held by a set ``S`` of owners (``s`` its indicator): chains are cut at the first member
  of ``S`` met going up, so a member held by another member is not counted twice:
  ``x_j = sum_i W_ij u_i`` with ``u_i = 1`` for ``i`` in ``S`` and ``u_i = x_i`` otherwise, i.e.
  ``(I - D W^T) u = s`` with ``D = diag(1 - s)``; for one owner this is ``W^_ij``. With
  ``cut=False`` every chain counts (``x = W~^T s``), Vitali's integrated value of ``S``.
* Control: linear ``C = W``; threshold ``C_ij = 1`` if ``W_ij > 0.5``; relative
  ``C_ij = W_ij^2 / sum_l W_lj^2`` (Vitali et al. 2011, SI section 3.1).

Solving. :func:`plan` builds the inflow, condenses strongly connected components, gives each
its level (longest chain of holders above it) and lays the entities out level by level
(components contiguous) -- for large layers in one compiled depth-first pass over the stakes
(:mod:`._graph`) -- inverts the small cyclic components in batches by size and factorises
the larger ones; :func:`set_share` then sweeps the levels once per owner set: a sparse product
per level for the inflow, one for the small components' inverses, and a solve only inside the
large components and those with a member inside (dense, sparse LU or GMRES for very large
ones). ``W~`` is never formed.
"""

from __future__ import annotations

import functools
import heapq
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from derisk.errors import BadInputError
from derisk.model.reads import NamedArrays

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

COLUMN_TOLERANCE = 1e-9
"""How far above 1 a column of ``W`` may sum (rounding in filings) before it is refused."""
DENSE_LIMIT = 300
"""Components up to this size are solved densely; larger ones by sparse LU or Krylov (a dense
solve of a 1,500-company ring takes about a second; its sparse LU a few milliseconds)."""
LU_LIMIT = 20_000
"""Components up to this size get a sparse LU; larger ones are solved by GMRES."""


class ControlModel(StrEnum):
    LINEAR = "linear"
    THRESHOLD = "threshold"
    RELATIVE = "relative"


class ClosedCycleError(BadInputError):
    """Chains of holdings that never leave a closed cycle: the sum over chains diverges."""


@dataclass(frozen=True)
class Stakes:
    """An interest layer as an edge list: ``owner[k]`` holds ``share[k]`` (0-1) of ``owned[k]``.

    >>> Stakes.from_lists(2, [0], [1], [0.4]).matrix().toarray().tolist()
    [[0.0, 0.4], [0.0, 0.0]]
    """

    n: int
    owner: IntArray
    owned: IntArray
    share: FloatArray

    @staticmethod
    def from_lists(
        n: int, owner: Sequence[int], owned: Sequence[int], share: Sequence[float]
    ) -> Stakes:
        return Stakes(
            n,
            np.asarray(owner, dtype=np.int64),
            np.asarray(owned, dtype=np.int64),
            np.asarray(share, dtype=np.float64),
        )

    def __post_init__(self) -> None:
        if not (len(self.owner) == len(self.owned) == len(self.share)):
            raise ValueError("owner, owned and share must have the same length")
        if len(self.share):
            if self.share.min() < 0 or self.share.max() > 1 + COLUMN_TOLERANCE:
                raise ValueError("shares must be fractions between 0 and 1")
            lo = min(int(self.owner.min()), int(self.owned.min()))
            hi = max(int(self.owner.max()), int(self.owned.max()))
            if lo < 0 or hi >= self.n:
                raise ValueError(f"node index out of range 0..{self.n - 1}")

    def matrix(self) -> Any:
        """``W`` as a CSR matrix (duplicate stakes of one owner in one entity add up)."""
        return sp.csr_matrix((self.share, (self.owner, self.owned)), shape=(self.n, self.n))

    def inflow(self) -> Any:
        """``W^T`` as CSR: row ``j`` lists the holders of ``j`` (built once per layer: the
        arrays are not changed after construction)."""
        return self._inflow

    @functools.cached_property
    def _inflow(self) -> Any:
        return sp.csr_matrix((self.share, (self.owned, self.owner)), shape=(self.n, self.n))


def column_sums(stakes: Stakes) -> FloatArray:
    """``sum_i W_ij`` for every ``j``: the part of each entity whose holders are known."""
    out = np.bincount(stakes.owned, weights=stakes.share, minlength=stakes.n)
    return np.asarray(out, dtype=np.float64)


def control_weights(stakes: Stakes, model: ControlModel | str) -> Stakes:
    """The control layer ``C`` derived from ownership ``W`` under a control model.

    >>> s = Stakes.from_lists(3, [0, 1], [2, 2], [0.6, 0.2])
    >>> control_weights(s, "threshold").share.tolist()
    [1.0, 0.0]
    >>> [round(float(v), 3) for v in control_weights(s, "relative").share]
    [0.9, 0.1]
    """
    model = ControlModel(model)
    w = stakes.share
    if model is ControlModel.LINEAR:
        c = w.copy()
    elif model is ControlModel.THRESHOLD:
        c = (w > 0.5).astype(np.float64)
    else:
        sq = w * w
        denom = np.bincount(stakes.owned, weights=sq, minlength=stakes.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(denom[stakes.owned] > 0, sq / denom[stakes.owned], 0.0)
    return Stakes(stakes.n, stakes.owner, stakes.owned, np.asarray(c, dtype=np.float64))


def check_columns(stakes: Stakes) -> None:
    """Refuse a layer in which the holders of some entity add up to more than 100%."""
    sums = column_sums(stakes)
    bad = np.flatnonzero(sums > 1 + COLUMN_TOLERANCE)
    if bad.size:
        j = int(bad[0])
        raise _overfull(j, float(sums[j]), int(bad.size))


def _overfull(j: int, total: float, count: int) -> BadInputError:
    return BadInputError(
        f"the stakes in node {j} add up to {100 * total:.4g}% (more than 100%)"
        + (f", and in {count - 1} other node(s)" if count > 1 else "")
    )


# -- dense reference (small graphs) -----------------------------------------------------------


def integrated_dense(w: FloatArray) -> FloatArray:
    """``W~ = (I - W)^-1 W`` for a small dense ``W`` (reference for tests and small graphs).

    >>> integrated_dense(np.array([[0, .5, 0], [0, 0, .4], [0, 0, 0]])).round(3).tolist()
    [[0.0, 0.5, 0.2], [0.0, 0.0, 0.4], [0.0, 0.0, 0.0]]
    """
    n = w.shape[0]
    m = np.eye(n) - w
    try:
        out = np.linalg.solve(m, w)
    except np.linalg.LinAlgError as exc:
        raise ClosedCycleError("I - W is singular: a closed cycle of holdings") from exc
    return np.asarray(out, dtype=np.float64)


# -- plan: condensation, levels, factorised blocks ---------------------------------------------

INVERSE_LIMIT = 64
"""Open cyclic components up to this size get their dense ``(I - B)^-1`` once, in batches by
size; a screen then applies all of them with one sparse product per level."""


@dataclass
class _Special:
    """A component solved on its own at every screen: closed, or too large for a dense inverse."""

    lo: int  # first position
    hi: int  # end position
    closed: bool
    sub: Any  # CSR of its within-component stakes B (local coordinates)
    lu: Any | None  # sparse LU of I - B (open components up to LU_LIMIT)


@dataclass
class _Level:
    """One level of the condensed order, in positions ``lo:hi``."""

    lo: int
    hi: int
    rows: Any  # CSR view of the inflow rows of the level (columns: all positions)
    intra: Any | None  # CSR view of the within-component stakes of these rows (None: acyclic)
    inverse: Any | None  # CSR view of the stacked inverses (I - B)^-1 of the level's rows
    inv_local: IntArray  # local rows that ``inverse`` covers
    special: list[_Special]


@dataclass
class Plan:
    """A layer prepared for repeated owner-set queries (see :func:`plan`)."""

    n: int
    perm: IntArray  # position -> node
    pos: IntArray  # node -> position
    bounds: list[tuple[int, int]]  # level ranges in positions
    steps: list[_Level]
    comp: IntArray  # component label per position (contiguous within a level)
    comp_lo: IntArray  # per component label: its first position
    comp_hi: IntArray  # per component label: its end position
    nontrivial: BoolArray  # per component label: a cycle (more than one node, or a self-holding)
    closed: BoolArray  # per component label: closed cycle (held entirely by itself)
    intra: Any  # CSR (positions) of all within-component stakes
    levels: int
    components: int
    largest_component: int
    cyclic_components: int


SMALL_COMPONENT = 64
"""In a compiled plan (:class:`FlatPlan`), open cyclic components up to this size are solved in
place by the sweep at every screen (dense elimination, at most ``64^3 / 3`` operations)."""


@dataclass
class FlatPlan:
    """A large layer prepared for the compiled sweep (see :func:`plan`).

    Positions follow the order in which strongly connected components complete in Tarjan's
    pass: every holder sits before what it holds, the members of a component together. The
    inflow ``W^T`` is kept as one CSR in positions (``indptr, indices, data``); the cyclic
    components (more than one member, or a self-holding) are ``nt_lo[q]:nt_hi[q]``.
    """

    n: int
    perm: IntArray  # position -> node
    pos: IntArray  # node -> position
    indptr: IntArray
    indices: IntArray
    data: FloatArray
    nt_lo: IntArray
    nt_hi: IntArray
    nt_closed: BoolArray  # held entirely from inside: a closed cycle
    levels: int
    components: int
    largest_component: int
    cyclic_components: int
    small: int = SMALL_COMPONENT
    nt_here: BoolArray = field(init=False)  # solved inside the sweep
    specials: dict[int, _Special] = field(init=False)  # the others, solved here

    def __post_init__(self) -> None:
        self.nt_here = ~self.nt_closed & (self.nt_hi - self.nt_lo <= self.small)
        self.specials = {}
        for q in np.flatnonzero(~self.nt_here).tolist():
            self.specials[q] = self._special(q)

    def _special(self, q: int) -> _Special:
        c0, c1 = int(self.nt_lo[q]), int(self.nt_hi[q])
        sub = self.rows(c0, c1)[:, c0:c1].tocsr()
        lu = None
        if not self.nt_closed[q] and c1 - c0 <= LU_LIMIT:
            lu = spla.splu((sp.identity(c1 - c0, format="csc") - sub).tocsc())
        return _Special(c0, c1, bool(self.nt_closed[q]), sub, lu)

    def rows(self, lo: int, hi: int) -> Any:
        """Rows ``lo:hi`` of the inflow in positions (a CSR sharing the plan's arrays)."""
        a, b = int(self.indptr[lo]), int(self.indptr[hi])
        return sp.csr_matrix(
            (self.data[a:b], self.indices[a:b], self.indptr[lo : hi + 1] - self.indptr[lo]),
            shape=(hi - lo, self.n),
        )

    ARRAYS = ("perm", "indptr", "indices", "data", "nt_lo", "nt_hi", "nt_closed")
    COUNTS = ("n", "levels", "components", "largest_component", "cyclic_components")

    def arrays(self) -> NamedArrays:
        """What :meth:`from_arrays` needs: the arrays, and the counts as 0-d arrays."""
        out: NamedArrays = {k: getattr(self, k) for k in self.ARRAYS}
        out.update({k: np.asarray(getattr(self, k), dtype=np.int64) for k in self.COUNTS})
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> FlatPlan:
        """The plan again from :meth:`arrays` (arrays may be memory-mapped files)."""
        perm = arrays["perm"]
        n = int(arrays["n"])
        pos = np.empty(n, dtype=perm.dtype)
        pos[perm] = np.arange(n, dtype=perm.dtype)
        return cls(
            n=n,
            perm=perm,
            pos=pos,
            indptr=arrays["indptr"],
            indices=arrays["indices"],
            data=arrays["data"],
            nt_lo=arrays["nt_lo"],
            nt_hi=arrays["nt_hi"],
            nt_closed=arrays["nt_closed"],
            levels=int(arrays["levels"]),
            components=int(arrays["components"]),
            largest_component=int(arrays["largest_component"]),
            cyclic_components=int(arrays["cyclic_components"]),
            small=int(arrays.get("small", SMALL_COMPONENT)),
        )


Prepared = Plan | FlatPlan
"""A layer prepared for owner-set queries: level by level (small layers) or compiled."""


def _flat_plan(stakes: Stakes) -> FlatPlan:
    """The compiled plan: the inflow by a counting sort, then one Tarjan pass giving the
    components, their levels, the layout and the inflow renamed to it (:mod:`._graph`).

    The arrays are allocated first and a second thread maps their pages (the kernels then write
    without faulting) while numba is imported and the kernels run; the same thread checks the
    column sums of ``W`` (:func:`check_columns`, from the inflow's rows) during the pass."""
    from derisk.analysis._pages import Prefault, rows_in_order, workspace

    n = stakes.n
    # ids in no order fill the inflow through buckets of rows, whose arrays are mapped first
    buckets = not rows_in_order(stakes.owned)
    with Prefault() as pages:
        ws = workspace(n, int(np.count_nonzero(stakes.share)), pages, buckets=buckets)
        from derisk.analysis import _graph  # numba: imported only for large layers

        indptr, indices, data = _graph.inflow_csr(
            stakes.owner, stakes.owned, stakes.share, n, ws, buckets=buckets
        )
        sums = pages.submit(functools.partial(_graph.overfull, indptr, data, 1 + COLUMN_TOLERANCE))
        g = _graph.prepare(indptr, indices, data, ws)
        bad, first, total = sums.result()
    del indptr, indices, data, ws
    if bad:
        raise _overfull(first, total, bad)
    return FlatPlan(
        n=n,
        perm=g.perm,
        pos=g.pos,
        indptr=g.indptr,
        indices=g.indices,
        data=g.data,
        nt_lo=g.nt_lo,
        nt_hi=g.nt_hi,
        nt_closed=g.nt_closed,
        levels=g.levels if n else 0,
        components=int(g.cstart.size - 1),
        largest_component=g.largest,
        cyclic_components=g.cyclic,
    )


def _flat_share(p: FlatPlan, s_node: BoolArray, cut: bool) -> FloatArray:
    """:func:`set_share` on a compiled plan: one sweep over the positions, stopping only at the
    components solved here (closed, larger than ``p.small``, or singular)."""
    from derisk.analysis import _graph

    u = np.zeros(p.n)  # positions not reached yet stay 0: rows @ u is then the outside inflow
    out = np.zeros(p.n)  # entities no member reaches stay 0 (the sweep skips them)
    mark = _graph.marks(p.pos, s_node)
    j = q = solved = 0
    nnt = int(p.nt_lo.size)
    while True:
        q = _graph.sweep(
            p.indptr, p.indices, p.data, p.nt_lo, p.nt_hi, p.nt_here, p.perm, mark, cut, u,
            out, solved, j, q, p.small, _graph.WINDOW,
        )  # fmt: skip
        if q >= nnt:
            break
        spc = p.specials.get(q) or p._special(q)
        c0, c1 = spc.lo, spc.hi
        nodes = p.perm[c0:c1]
        s = s_node[nodes].astype(np.float64)
        d = 1.0 - s if cut else np.ones(c1 - c0)
        ext = p.rows(c0, c1) @ u
        uc = _solve_component(spc.sub, d, s + d * ext, spc.closed, spc.lu)
        u[c0:c1] = uc
        out[nodes] = ext + spc.sub @ uc
        solved, j, q = c0, c1, q + 1
    return out


def _gather(indptr: IntArray, rows: IntArray) -> IntArray:
    """Indices of the CSR entries of ``rows`` (vectorised concatenation of ranges)."""
    starts = np.asarray(indptr[rows], dtype=np.int64)
    counts = np.asarray(indptr[rows + 1], dtype=np.int64) - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return np.asarray(np.arange(total, dtype=np.int64) + offsets, dtype=np.int64)


def _peel_levels(a: Any, labels: IntArray, ncomp: int, erow: IntArray) -> tuple[IntArray, IntArray]:
    """``(order, clevel)`` by vectorised frontier peeling of the condensed DAG (numpy only; used
    for small layers, where compiling or loading the kernels of :mod:`._graph` costs more).

    ``a``: inflow CSR; ``erow``: rows (owned nodes) of the within-component stakes.
    """
    n = a.shape[0]
    sizes = np.bincount(labels, minlength=ncomp)
    in_multi = np.flatnonzero(sizes[labels] > 1)
    srt = np.argsort(labels[in_multi], kind="stable")
    members = in_multi[srt]
    mptr = np.concatenate([[0], np.cumsum(sizes * (sizes > 1))]).astype(np.int64)
    multi = sizes > 1
    indeg = np.bincount(labels, weights=np.diff(a.indptr), minlength=ncomp).astype(np.int64)
    indeg -= np.bincount(labels[erow], minlength=ncomp)
    w = a.tocsc()  # column i: what node i holds
    out_ptr = np.asarray(w.indptr, dtype=np.int64)
    rep = np.empty(ncomp, dtype=np.int64)
    rep[labels] = np.arange(n, dtype=np.int64)
    clevel = np.full(ncomp, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    out: list[IntArray] = []
    lvl = 0
    while frontier.size:
        clevel[frontier] = lvl
        m = multi[frontier]
        nodes = rep[frontier[~m]]
        if m.any():
            nodes = np.concatenate([nodes, members[_gather(mptr, frontier[m])]])
        out.append(nodes)
        tl = labels[np.asarray(w.indices[_gather(out_ptr, nodes)], dtype=np.int64)]
        tl = tl[clevel[tl] < 0]  # stakes inside the frontier's own components drop out
        if tl.size:
            uniq, cnt = np.unique(tl, return_counts=True)
            indeg[uniq] -= cnt
            frontier = uniq[indeg[uniq] == 0]
        else:
            frontier = np.zeros(0, dtype=np.int64)
        lvl += 1
    if (clevel < 0).any():  # pragma: no cover - impossible for a condensation
        raise RuntimeError("condensation is not acyclic")
    order = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    return order, clevel


KERNEL_MIN_STAKES = 1_000_000
"""From this many stakes on, the layer is condensed by the compiled kernels of :mod:`._graph`."""


def _csr_rows(m: Any, lo: int, hi: int, ncols: int) -> Any:
    """Rows ``lo:hi`` of CSR ``m`` as a CSR sharing its data (no copy of the entries)."""
    a, b = int(m.indptr[lo]), int(m.indptr[hi])
    return sp.csr_matrix(
        (m.data[a:b], m.indices[a:b], m.indptr[lo : hi + 1] - a), shape=(hi - lo, ncols)
    )


def plan(stakes: Stakes) -> Prepared:
    """Condense, level and factorise a layer once; query it with :func:`set_share`.

    Work is about one pass over the stakes. From ``KERNEL_MIN_STAKES`` on: the inflow by a
    compiled counting sort, then one compiled Tarjan pass giving components, their levels and
    the layout (:func:`._graph.condense`); below it (no kernel to load): SciPy's components and
    vectorised frontier peeling. Then the inflow is permuted once and the within-component
    blocks are inverted in batches by size.

    >>> p = plan(Stakes.from_lists(3, [0, 1, 2], [1, 2, 1], [0.5, 0.4, 0.3]))
    >>> (p.levels, p.cyclic_components, p.largest_component)
    (2, 1, 2)
    """
    if stakes.share.size >= KERNEL_MIN_STAKES:
        return _flat_plan(stakes)  # checks the columns from the inflow it builds
    check_columns(stakes)
    n = stakes.n
    a = stakes.inflow()
    a.sum_duplicates()
    a.eliminate_zeros()
    ncomp_, labels_ = csgraph.connected_components(a, directed=True, connection="strong")
    ncomp, labels = int(ncomp_), np.asarray(labels_, dtype=np.int64)
    del labels_
    sizes = np.bincount(labels, minlength=ncomp)
    # within-component stakes: only rows of multi-node components or self-holdings carry them
    cand = np.flatnonzero((sizes[labels] > 1) | _has_self(a, n))
    eidx = _gather(np.asarray(a.indptr, dtype=np.int64), cand)
    erow = np.repeat(cand, np.diff(a.indptr)[cand])
    ecol = np.asarray(a.indices[eidx], dtype=np.int64)
    same = labels[ecol] == labels[erow]
    erow, ecol, eval_ = erow[same], ecol[same], a.data[eidx][same]
    del cand, eidx, same
    order, clevel = _peel_levels(a, labels, ncomp, erow)  # numpy: no kernel to load
    counts = np.bincount(clevel, weights=sizes, minlength=int(clevel.max(initial=-1)) + 1)
    cuts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    perm = order
    pos = np.empty(n, dtype=np.int64)
    pos[perm] = np.arange(n, dtype=np.int64)
    del order
    nlevels = int(cuts.size - 1)
    bounds = [(int(cuts[k]), int(cuts[k + 1])) for k in range(nlevels)]
    # Inflow in positions: row j lists the holders of node perm[j] (rows moved, columns renamed).
    pa = a[perm]
    pa.indices = pos.astype(pa.indices.dtype)[pa.indices]
    del a
    comp = labels[perm]
    del labels
    comp_lo = np.empty(ncomp, dtype=np.int64)  # components are contiguous: where runs start
    starts = np.flatnonzero(np.diff(comp)) + 1 if n else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([np.zeros(min(n, 1), dtype=np.int64), starts])
    comp_lo[comp[starts]] = starts
    del starts
    comp_hi = comp_lo + sizes
    erow, ecol = pos[erow], pos[ecol]
    intra = sp.csr_matrix((eval_, (erow, ecol)), shape=(n, n))
    intra.sum_duplicates()
    nontrivial = (sizes > 1) | (np.bincount(comp[erow[erow == ecol]], minlength=ncomp) > 0)
    incol = np.bincount(erow, weights=eval_, minlength=n)  # within-component holders of j
    closed = np.zeros(ncomp, dtype=np.bool_)
    ntc = np.flatnonzero(nontrivial)
    if ntc.size:  # closed: every member's within-component holders add up to 100%
        ntc = ntc[np.argsort(comp_lo[ntc])]
        ext = np.append(incol, 0.0)
        ends = np.column_stack([comp_lo[ntc], comp_hi[ntc]]).ravel()
        low = np.minimum.reduceat(ext, ends)[::2]
        closed[ntc] = low >= 1 - 1e-12
    invert = nontrivial & ~closed & (sizes <= INVERSE_LIMIT)
    inverse = _batched_inverses(intra, comp_lo, sizes, np.flatnonzero(invert), n)
    special_c = np.flatnonzero(nontrivial & ~invert)
    specials: dict[int, list[_Special]] = {}
    for c in special_c.tolist():
        c0, c1 = int(comp_lo[c]), int(comp_hi[c])
        sub = intra[c0:c1, c0:c1].tocsr()
        lu = None
        if not closed[c] and c1 - c0 <= LU_LIMIT:
            lu = spla.splu((sp.identity(c1 - c0, format="csc") - sub).tocsc())
        specials.setdefault(int(clevel[c]), []).append(_Special(c0, c1, bool(closed[c]), sub, lu))
    inv_rows = np.zeros(n, dtype=np.bool_)
    inv_rows[np.flatnonzero(invert[comp])] = True
    steps: list[_Level] = []
    for k, (lo, hi) in enumerate(bounds):
        rows = _csr_rows(pa, lo, hi, n)
        has_intra = intra.indptr[hi] > intra.indptr[lo]
        loc = np.flatnonzero(inv_rows[lo:hi])
        steps.append(
            _Level(
                lo,
                hi,
                rows,
                _csr_rows(intra, lo, hi, n) if has_intra else None,
                _csr_rows(inverse, lo, hi, n) if loc.size else None,
                loc.astype(np.int64),
                specials.get(k, []),
            )
        )
    return Plan(
        n=n,
        perm=perm,
        pos=pos,
        bounds=bounds,
        steps=steps,
        comp=comp,
        comp_lo=comp_lo,
        comp_hi=comp_hi,
        nontrivial=nontrivial,
        closed=closed,
        intra=intra,
        levels=nlevels,
        components=ncomp,
        largest_component=int(sizes.max()) if n else 0,
        cyclic_components=int((sizes > 1).sum()),
    )


def _has_self(m: Any, n: int) -> BoolArray:
    """Rows of CSR ``m`` with a diagonal entry (a node holding part of itself)."""
    d = np.asarray(m.diagonal(), dtype=np.float64)
    return np.asarray(d != 0, dtype=np.bool_) if d.size else np.zeros(n, dtype=np.bool_)


def _batched_inverses(
    intra: Any, comp_lo: IntArray, sizes: IntArray, comps: IntArray, n: int
) -> Any:
    """Block-diagonal CSR (positions) of ``(I - B_c)^-1`` for the components ``comps``.

    Components are grouped by size and inverted with one batched LAPACK call per size.
    """
    rr: list[IntArray] = []
    cc: list[IntArray] = []
    vv: list[FloatArray] = []
    if comps.size:
        csz = sizes[comps]
        for m in np.unique(csz).tolist():
            group = comps[csz == m]
            g = group.size
            start = comp_lo[group]
            rows = (start[:, None] + np.arange(m)[None, :]).ravel()
            sub = intra[rows]  # (g*m, n)
            r = np.repeat(np.arange(g * m, dtype=np.int64), np.diff(sub.indptr))
            gi = r // m
            li = r % m
            lj = np.asarray(sub.indices, dtype=np.int64) - start[gi]
            blocks = np.zeros((g, m, m))
            np.add.at(blocks, (gi, li, lj), sub.data)
            mat = np.eye(m)[None, :, :] - blocks
            try:
                inv = np.linalg.inv(mat)
            except np.linalg.LinAlgError as exc:  # pragma: no cover - closed ones are set apart
                raise ClosedCycleError("a closed cycle of holdings") from exc
            rr.append(np.repeat(rows, m))
            cc.append((start[:, None, None] + np.zeros((1, m, 1), np.int64) + np.arange(m)).ravel())
            vv.append(np.asarray(inv, dtype=np.float64).ravel())
    if not rr:
        return sp.csr_matrix((n, n))
    return sp.csr_matrix(
        (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(n, n)
    )


def _solve_component(
    sub: Any, d: FloatArray, rhs: FloatArray, closed: bool, lu: Any | None
) -> FloatArray:
    """Solve ``(I - D B) u = rhs`` for one component ``B`` (``D = diag(d)``)."""
    m = sub.shape[0]
    if lu is not None and bool((d == 1).all()):
        return np.asarray(lu.solve(rhs), dtype=np.float64)
    if closed and bool((d == 1).all()):
        if np.abs(rhs).max(initial=0.0) > 0:
            raise ClosedCycleError(
                "chains of holdings enter a closed cycle (a group held entirely by itself)"
            )
        return np.zeros(m)
    if m <= DENSE_LIMIT:
        dense = np.eye(m) - d[:, None] * sub.toarray()
        try:
            return np.asarray(np.linalg.solve(dense, rhs), dtype=np.float64)
        except np.linalg.LinAlgError as exc:
            raise ClosedCycleError("a closed cycle of holdings") from exc
    mat = sp.identity(m, format="csr") - sp.diags(d) @ sub
    if m <= LU_LIMIT:
        try:
            sol = spla.splu(mat.tocsc()).solve(rhs)
        except RuntimeError as exc:  # "Factor is exactly singular"
            raise ClosedCycleError(f"a closed cycle inside a component of {m} nodes") from exc
        if not np.all(np.isfinite(sol)):
            raise ClosedCycleError(f"a closed cycle inside a component of {m} nodes")
        return np.asarray(sol, dtype=np.float64)
    sol, info = spla.gmres(mat, rhs, rtol=1e-13, atol=0.0, restart=60, maxiter=2_000)
    if info != 0:  # Krylov stalled (tiny or nearly closed component): direct solve
        sol = spla.spsolve(mat.tocsc(), rhs)
        if not np.all(np.isfinite(sol)):
            raise ClosedCycleError(f"a closed cycle inside a component of {m} nodes")
    return np.asarray(sol, dtype=np.float64)


def set_share(p: Prepared, members: BoolArray | Iterable[int], *, cut: bool = True) -> FloatArray:
    """Share of every entity held by the owner set ``S`` through every chain (module doc).

    ``members`` is a boolean mask over nodes or an iterable of node indices. With ``cut``
    (default) chains stop at the first member met going up; without, all chains count.

    >>> p = plan(Stakes.from_lists(4, [0, 1, 2], [1, 2, 3], [0.6, 0.5, 1.0]))
    >>> set_share(p, [0]).round(3).tolist()
    [0.0, 0.6, 0.3, 0.3]
    >>> set_share(p, [0, 1]).round(3).tolist()  # 1 is a member: no double count below it
    [0.0, 0.6, 0.5, 0.5]
    >>> set_share(p, [0, 1], cut=False).round(3).tolist()
    [0.0, 0.6, 0.8, 0.8]
    """
    s_node = _mask(p.n, members)
    if isinstance(p, FlatPlan):
        return _flat_share(p, s_node, cut)
    s = s_node[p.perm].astype(np.float64)
    d = 1.0 - s if cut else np.ones(p.n)
    # components with a member inside are solved anew (their cached inverse assumes D = I)
    redo: dict[int, list[int]] = {}
    if cut:
        hitc = np.unique(p.comp[np.flatnonzero(s > 0)])
        hitc = hitc[p.nontrivial[hitc]]
        for c in hitc.tolist():
            lo = int(p.comp_lo[c])
            k = int(np.searchsorted([b[1] for b in p.bounds], lo, side="right"))
            redo.setdefault(k, []).append(c)
    u = np.zeros(p.n)
    x = np.zeros(p.n)
    for k, st in enumerate(p.steps):
        lo, hi = st.lo, st.hi
        inflow = st.rows @ u
        rhs = s[lo:hi] + d[lo:hi] * inflow
        if st.intra is None:
            x[lo:hi] = inflow
            u[lo:hi] = rhs
            continue
        u[lo:hi] = rhs
        if st.inverse is not None:
            y = st.inverse @ u
            u[lo + st.inv_local] = y[st.inv_local]
        done: set[int] = set()
        for c in redo.get(k, []):
            c0, c1 = int(p.comp_lo[c]), int(p.comp_hi[c])
            sub = p.intra[c0:c1, c0:c1]
            u[c0:c1] = _solve_component(
                sub, d[c0:c1], rhs[c0 - lo : c1 - lo], bool(p.closed[c]), None
            )
            done.add(c0)
        for sp_ in st.special:
            if sp_.lo in done:
                continue
            u[sp_.lo : sp_.hi] = _solve_component(
                sp_.sub, d[sp_.lo : sp_.hi], rhs[sp_.lo - lo : sp_.hi - lo], sp_.closed, sp_.lu
            )
        x[lo:hi] = inflow + st.intra @ u
    out = np.empty(p.n)
    out[p.perm] = x
    return out


def _mask(n: int, members: BoolArray | Iterable[int]) -> BoolArray:
    if isinstance(members, np.ndarray) and members.dtype == np.bool_:
        if members.shape != (n,):
            raise ValueError(f"member mask must have length {n}")
        return members
    mask = np.zeros(n, dtype=np.bool_)
    idx = np.fromiter((int(i) for i in members), dtype=np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"member index out of range 0..{n - 1}")
    mask[idx] = True
    return mask


# -- one target: its holders, their look-through shares and the chains that carry them --------


def ancestors(stakes: Stakes, target: int) -> IntArray:
    """Every entity that holds ``target`` through some chain (``target`` first).

    >>> ancestors(Stakes.from_lists(4, [0, 1, 3], [1, 2, 0], [0.5, 0.5, 0.5]), 2).tolist()
    [2, 1, 0, 3]
    """
    a = stakes.inflow()
    seen = np.zeros(stakes.n, dtype=np.bool_)
    seen[target] = True
    order = [np.array([target], dtype=np.int64)]
    frontier = order[0]
    indptr = np.asarray(a.indptr, dtype=np.int64)
    while frontier.size:
        cand = np.asarray(a.indices[_gather(indptr, frontier)], dtype=np.int64)
        cand = np.unique(cand[~seen[cand]])
        seen[cand] = True
        if cand.size:
            order.append(cand)
        frontier = cand
    return np.concatenate(order)


def descendants(stakes: Stakes, owner: int) -> IntArray:
    """Every entity that ``owner`` holds through some chain (``owner`` first)."""
    flipped = Stakes(stakes.n, stakes.owned, stakes.owner, stakes.share)
    return ancestors(flipped, owner)


@dataclass(frozen=True)
class LookThrough:
    """Holders of one target: ``nodes[k]`` holds ``integrated[k]`` (``W~``, all chains) and
    ``corrected[k]`` (``W^``, chains that do not return to the holder) of the target.
    ``integrated`` is ``inf`` where chains enter a closed cycle."""

    target: int
    nodes: IntArray
    integrated: FloatArray
    corrected: FloatArray


def look_through(stakes: Stakes, target: int) -> LookThrough:
    """Look-through shares of every holder of ``target`` (solved on its holders only).

    >>> lt = look_through(Stakes.from_lists(3, [0, 2, 1], [1, 1, 2], [0.5, 0.5, 0.4]), 2)
    >>> [(int(i), round(float(v), 3)) for i, v in zip(lt.nodes, lt.integrated)]
    [(1, 0.5), (0, 0.25)]
    >>> [(int(i), round(float(v), 3)) for i, v in zip(lt.nodes, lt.corrected)]
    [(1, 0.4), (0, 0.25)]
    """
    nodes = ancestors(stakes, target)
    m = len(nodes)
    local = np.full(stakes.n, -1, dtype=np.int64)
    local[nodes] = np.arange(m, dtype=np.int64)
    lo_owner, lo_owned = local[stakes.owner], local[stakes.owned]
    keep = (lo_owner >= 0) & (lo_owned >= 0)
    sub = Stakes(m, lo_owner[keep], lo_owned[keep], stakes.share[keep])
    check_columns(sub)
    integ: FloatArray
    corr: FloatArray
    if m <= 4 * DENSE_LIMIT:
        wd = np.zeros((m, m))
        np.add.at(wd, (sub.owner, sub.owned), sub.share)  # duplicate stakes add up, as in W
        try:
            wt = integrated_dense(wd)
            integ = wt[:, 0].copy()
            corr = integ / (1.0 + np.diag(wt))
        except ClosedCycleError:
            integ, corr = _closed_fallback(sub)
    else:
        w = sub.matrix()
        integ = np.asarray(
            spla.spsolve((sp.identity(m, format="csc") - w).tocsc(), w[:, 0].toarray().ravel()),
            dtype=np.float64,
        )
        corr = integ / (1.0 + _diag_integrated(sub))
    return LookThrough(target, nodes[1:], integ[1:], corr[1:])


def _closed_fallback(sub: Stakes) -> tuple[FloatArray, FloatArray]:
    """Holders of a target whose holders include a closed cycle: one cut solve per holder."""
    m = sub.n
    if m > 2000:
        raise ClosedCycleError("a closed cycle among more than 2000 holders")
    p = plan(sub)
    corr = np.zeros(m)
    for i in range(1, m):
        corr[i] = set_share(p, [i])[0]
    integ = np.full(m, np.inf)
    try:
        reach_closed = _reaches_closed(sub)
    except ClosedCycleError:  # pragma: no cover
        reach_closed = np.ones(m, dtype=np.bool_)
    integ[~reach_closed] = corr[~reach_closed]
    return integ, corr


def _reaches_closed(sub: Stakes) -> BoolArray:
    """Holders from which a chain enters a closed cycle (their ``W~`` entries diverge)."""
    w = sub.matrix().toarray()
    n = sub.n
    ncomp, labels = csgraph.connected_components(
        sp.csr_matrix(w), directed=True, connection="strong"
    )
    bad = np.zeros(n, dtype=np.bool_)
    for c in range(int(ncomp)):
        idx = np.flatnonzero(labels == c)
        blk = w[np.ix_(idx, idx)]
        if (len(idx) > 1 or blk[0, 0] > 0) and (blk.sum(axis=0) >= 1 - 1e-12).all():
            bad[idx] = True
    # anything that holds a member of a closed cycle reaches it
    reach = bad.copy()
    for _ in range(n):
        new = reach | ((w[:, reach] > 0).any(axis=1))
        if (new == reach).all():
            break
        reach = new
    return reach


def _diag_integrated(sub: Stakes) -> FloatArray:
    """``W~_ii`` for every node: nonzero only inside cyclic components (solved per block)."""
    w = sub.matrix()
    ncomp, labels = csgraph.connected_components(w, directed=True, connection="strong")
    out = np.zeros(sub.n)
    sizes = np.bincount(labels, minlength=int(ncomp))
    for c in np.flatnonzero(sizes > 1):
        idx = np.flatnonzero(labels == c)
        if len(idx) > 4 * DENSE_LIMIT:
            raise ValueError(f"a cycle of {len(idx)} holders is too large for per-holder shares")
        blk = w[idx][:, idx].toarray()
        out[idx] = np.diag(integrated_dense(blk))
    return out


@dataclass(frozen=True)
class Chain:
    """One chain of holdings ``nodes[0] -> nodes[1] -> ... -> nodes[-1]`` and its product."""

    nodes: tuple[int, ...]
    share: float


def top_chains(
    stakes: Stakes,
    sources: Iterable[int],
    target: int,
    *,
    k: int = 5,
    cover: float = 0.99,
    total: float | None = None,
    max_expansions: int = 100_000,
    max_depth: int | None = None,
    deadline: float | None = None,
    inflow: Any | None = None,
) -> list[Chain]:
    """The chains from any of ``sources`` to ``target`` carrying the most share, largest first.

    Best-first search upwards from the target over simple chains (products only shrink along a
    chain, so chains come out in decreasing order). A chain stops at the first source met.
    Stops after ``k`` chains or when they add up to ``cover`` of ``total``; never follows a
    chain of more than ``max_depth`` stakes, and stops at ``deadline`` (``time.monotonic()``).

    >>> s = Stakes.from_lists(4, [0, 0, 1, 2], [1, 2, 3, 3], [0.5, 0.5, 0.6, 0.2])
    >>> [(c.nodes, round(c.share, 3)) for c in top_chains(s, [0], 3)]
    [((0, 1, 3), 0.3), ((0, 2, 3), 0.1)]
    """
    src = set(int(v) for v in sources)
    a = stakes.inflow() if inflow is None else inflow  # pass it when asking for many targets
    a.sum_duplicates()
    indptr, indices, data = a.indptr, a.indices, a.data
    heap: list[tuple[float, int, tuple[int, ...]]] = [(-1.0, 0, (target,))]
    out: list[Chain] = []
    got = 0.0
    counter = 1
    expansions = 0
    while heap and len(out) < k and expansions < max_expansions:
        neg, _, path = heapq.heappop(heap)
        node = path[-1]
        if node in src and len(path) > 1:
            out.append(Chain(tuple(reversed(path)), -neg))
            got += -neg
            if total is not None and total > 0 and got >= cover * total - 1e-15:
                break
            continue
        expansions += 1
        if max_depth is not None and len(path) > max_depth:
            continue
        if deadline is not None and expansions % 256 == 0 and time.monotonic() > deadline:
            break
        for e in range(indptr[node], indptr[node + 1]):
            holder = int(indices[e])
            if holder in path or data[e] <= 0:
                continue
            heapq.heappush(heap, (neg * float(data[e]), counter, (*path, holder)))
            counter += 1
    return out
