"""Compiled graph kernel for :mod:`derisk.analysis.ownership` (numba; one pass over the stakes).

* :func:`condense`: strongly connected components, the level of every component in the
  condensed DAG -- the longest chain of holders above it (``0``: no holder outside itself) --
  and a layout of the nodes level by level, components contiguous, in one depth-first pass
  over the stakes (Tarjan's algorithm, iterative, so deep chains need no recursion). A
  component is complete only after every component it is held from, so its level,
  ``1 + max`` over its outside holders' levels, is known when it is found. One random read
  per stake (a single state array: unvisited / on the stack / level of its component).

The kernel is compiled on first use and cached on disk (numba's ``cache=True``): in
``__pycache__`` beside this file, or, where that is not writable (a system-wide install), in
the user's cache directory; ``NUMBA_CACHE_DIR`` overrides both. A cached kernel loads in a
fraction of a second; numba itself is imported only for layers of a million stakes or more.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _condense(indptr: Any, indices: Any, n: int) -> Any:  # pragma: no cover - compiled
    # Tarjan's strongly connected components (iterative; Pearce's one-array variant) over the
    # edges j -> holder of j. A component pops off the stack only after every component its
    # members hold into, so its level (1 + the highest level among its outside holders) is
    # known then. ``state[v]``: -1 unvisited; below n: on the stack (its low link); n + level
    # of its component once the component is complete -- one random read per edge.
    idt = indices.dtype.type
    state = np.full(n, -1, dtype=indices.dtype)
    comp = np.empty(n, dtype=indices.dtype)
    stack = np.empty(n, dtype=indices.dtype)  # Tarjan's stack
    order = np.empty(n, dtype=indices.dtype)  # nodes in completion order, components contiguous
    olevel = np.empty(n, dtype=indices.dtype)  # the level of each of them
    call_v = np.empty(n, dtype=indices.dtype)
    call_e = np.empty(n, dtype=indptr.dtype)
    call_up = np.empty(n, dtype=indices.dtype)  # 1 + highest level above the subtree's members
    call_root = np.empty(n, dtype=np.bool_)
    clevel = np.empty(n, dtype=indices.dtype)
    counter = 0
    ncomp = 0
    top = 0
    done = 0
    nlevels = 0
    big = idt(n)
    for root in range(n):
        if state[root] >= 0:
            continue
        depth = 0
        call_v[0] = root
        call_e[0] = indptr[root]
        call_up[0] = 0
        call_root[0] = True
        state[root] = counter
        counter += 1
        stack[top] = root
        top += 1
        while depth >= 0:
            v = call_v[depth]
            e = call_e[depth]
            end = indptr[v + 1]
            descend = -1
            while e < end:
                w = indices[e]
                e += 1
                sw = state[w]
                if sw < 0:
                    descend = w
                    break
                if sw < big:  # on the stack: the same component
                    if sw < state[v]:
                        state[v] = sw
                        call_root[depth] = False
                elif sw - big + 1 > call_up[depth]:
                    call_up[depth] = sw - big + 1
            if descend >= 0:
                call_e[depth] = e
                depth += 1
                call_v[depth] = descend
                call_e[depth] = indptr[descend]
                call_up[depth] = 0
                call_root[depth] = True
                state[descend] = counter
                counter += 1
                stack[top] = descend
                top += 1
                continue
            up = call_up[depth]
            if call_root[depth]:  # v roots a component: pop it
                k = top
                while True:
                    k -= 1
                    w = stack[k]
                    state[w] = big + up
                    comp[w] = ncomp
                    if w == v:
                        break
                for t in range(k, top):
                    order[done] = stack[t]
                    olevel[done] = up
                    done += 1
                clevel[ncomp] = up
                if up + 1 > nlevels:
                    nlevels = up + 1
                ncomp += 1
                top = k
                up += 1  # what the parent sees: one level below this component
            depth -= 1
            if depth >= 0:
                if state[v] < big and state[v] < state[call_v[depth]]:  # same component
                    state[call_v[depth]] = state[v]
                    call_root[depth] = False
                if up > call_up[depth]:
                    call_up[depth] = up
    # stable counting sort of ``order`` by level: components stay contiguous
    cuts = np.zeros(nlevels + 1, dtype=np.int64)
    for k in range(n):
        cuts[olevel[k] + 1] += 1
    for lv in range(nlevels):
        cuts[lv + 1] += cuts[lv]
    fill = cuts[:-1].copy()
    perm = stack  # reuse: the stack is empty now
    pos = call_v
    for k in range(n):
        v = order[k]
        lv = olevel[k]
        perm[fill[lv]] = v
        pos[v] = fill[lv]
        fill[lv] += 1
    return perm, pos, cuts, comp, clevel[:ncomp].copy()


def condense(indptr: Any, indices: Any) -> tuple[Any, Any, Any, Any, Any]:
    """``(perm, pos, cuts, comp, clevel)`` for the graph whose CSR row ``j`` lists the holders
    of ``j``, in one pass over its edges (Tarjan's algorithm, iterative): ``comp`` labels the
    strongly connected component of every node, ``clevel`` gives every component its level
    (0: no holder outside itself; else 1 + the highest level among its outside holders), and
    the nodes are laid out level by level, the members of a component contiguous: level ``k``
    is ``perm[cuts[k]:cuts[k + 1]]``, ``pos`` the inverse of ``perm``.

    >>> # 0 holds 1; 1 and 2 hold each other; 2 holds 3
    >>> perm, pos, cuts, comp, clevel = condense(np.array([0, 0, 2, 3, 4]), np.array([0, 2, 1, 2]))
    >>> cuts.tolist(), sorted(perm[1:3].tolist()), int(perm[3])
    ([0, 1, 3, 4], [1, 2], 3)
    >>> [int(clevel[c]) for c in comp]
    [0, 1, 1, 2]
    """
    n = int(np.asarray(indptr).size - 1)
    idx = np.asarray(indices)
    if idx.dtype != np.int32 or n >= 2**30:  # states run up to 2n
        idx = np.asarray(idx, dtype=np.int64)
    return _condense(np.asarray(indptr), idx, n)  # type: ignore[no-any-return]


@njit(cache=True, nogil=True)
def _scatter(
    owner: Any, owned: Any, share: Any, indptr: Any, indices: Any, data: Any
) -> None:  # pragma: no cover - compiled
    fill = indptr[:-1].copy()
    for k in range(owned.size):
        if share[k] != 0.0:
            j = owned[k]
            f = fill[j]
            indices[f] = owner[k]
            data[f] = share[k]
            fill[j] = f + 1


def inflow_csr(owner: Any, owned: Any, share: Any, n: int) -> tuple[Any, Any, Any]:
    """``(indptr, indices, data)`` of ``W^T`` (row ``j``: the holders of ``j``) from the stakes,
    by a counting sort (one count, one scatter; no sort within rows, no copies of the edge
    lists). Zero stakes are left out; duplicate stakes stay apart (products add them up).
    Indices are 32-bit where they fit.

    >>> [a.tolist() for a in inflow_csr(np.array([0, 2, 1]), np.array([1, 1, 2]),
    ...                                 np.array([0.5, 0.25, 0.0]), 3)]
    [[0, 0, 2, 2], [0, 2], [0.5, 0.25]]
    """
    nz = share != 0
    counts = np.bincount(owned if bool(nz.all()) else owned[nz], minlength=n)
    nnz = int(counts.sum())
    small = n < 2**31 and nnz < 2**31
    idt = np.int32 if small else np.int64
    indptr = np.zeros(n + 1, dtype=idt)
    np.cumsum(counts, out=indptr[1:])
    del counts
    indices = np.empty(nnz, dtype=idt)
    data = np.empty(nnz, dtype=np.float64)
    _scatter(owner, owned, share, indptr, indices, data)
    return indptr, indices, data
