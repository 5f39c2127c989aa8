"""Compiled graph kernels for :mod:`derisk.analysis.ownership` (numba; one pass each).

* :func:`levels_from_labels`: the level of every strongly connected component in the condensed
  DAG -- the longest chain of holders above it (``0``: no holder outside itself) -- in one pass
  over the stakes, given component labels numbered holders first (SciPy's strong
  ``connected_components`` numbers them so; the kernel checks it and says when they are not).
  A component's level is ``1 + max`` over its outside holders' levels, all computed before it.
* :func:`layout`: positions level by level (a stable counting sort of the nodes grouped by
  component, so the members of a component stay contiguous).

The kernels are compiled on first use and cached on disk (numba's ``cache=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _levels_from_labels(
    indptr: Any, indices: Any, labels: Any, ncomp: int
) -> Any:  # pragma: no cover - compiled
    n = indptr.size - 1
    start = np.zeros(ncomp + 1, dtype=np.int64)
    for v in range(n):
        start[labels[v] + 1] += 1
    for c in range(ncomp):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for v in range(n):
        c = labels[v]
        order[fill[c]] = v
        fill[c] += 1
    clevel = np.full(ncomp, -1, dtype=np.int64)
    for c in range(ncomp):
        lvl = 0
        for k in range(start[c], start[c + 1]):
            w = order[k]
            for e in range(indptr[w], indptr[w + 1]):
                lc = labels[indices[e]]
                if lc != c:
                    if clevel[lc] < 0:
                        return False, order, clevel
                    if clevel[lc] + 1 > lvl:
                        lvl = clevel[lc] + 1
        clevel[c] = lvl
    return True, order, clevel


@njit(cache=True, nogil=True)
def _layout(order: Any, comp: Any, clevel: Any, nlevels: int) -> Any:  # pragma: no cover
    n = order.size
    cuts = np.zeros(nlevels + 1, dtype=np.int64)
    for k in range(n):
        cuts[clevel[comp[order[k]]] + 1] += 1
    for lv in range(nlevels):
        cuts[lv + 1] += cuts[lv]
    fill = cuts[:-1].copy()
    perm = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for k in range(n):
        v = order[k]
        lv = clevel[comp[v]]
        perm[fill[lv]] = v
        pos[v] = fill[lv]
        fill[lv] += 1
    return perm, pos, cuts


def levels_from_labels(indptr: Any, indices: Any, labels: Any, ncomp: int) -> Any:
    """``(order, clevel)``: nodes grouped by component in label order and the level of every
    component, for the graph whose CSR row ``j`` lists the holders of ``j``; ``None`` when the
    labels are not numbered holders first.

    >>> order, clevel = levels_from_labels(
    ...     np.array([0, 1, 2, 3]), np.array([1, 0, 1]), np.array([0, 0, 1]), 2
    ... )
    >>> order.tolist(), clevel.tolist()
    ([0, 1, 2], [0, 1])
    >>> levels_from_labels(np.array([0, 0, 1]), np.array([0]), np.array([1, 0]), 2) is None
    True
    """
    ok, order, clevel = _levels_from_labels(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices),
        np.asarray(labels, dtype=np.int64),
        int(ncomp),
    )
    return (order, clevel) if ok else None


def layout(order: Any, comp: Any, clevel: Any) -> tuple[Any, Any, Any]:
    """``(perm, pos, cuts)``: nodes laid out level by level, level ``k`` being
    ``perm[cuts[k]:cuts[k + 1]]`` (``order`` groups nodes by component; ``comp`` labels them).

    >>> [a.tolist() for a in layout(np.array([1, 0, 2]), np.array([1, 0, 1]), np.array([1, 0]))]
    [[0, 2, 1], [0, 2, 1], [0, 2, 3]]
    """
    nlevels = int(clevel.max()) + 1 if clevel.size else 0
    return _layout(  # type: ignore[no-any-return]
        np.asarray(order, dtype=np.int64),
        np.asarray(comp, dtype=np.int64),
        np.asarray(clevel, dtype=np.int64),
        nlevels,
    )
