"""Compiled kernels for :func:`derisk.analysis.trace_trade.trace_batch` (numba; one pass each).

Flows are sorted by commodity, commodity ``k`` owning ``starts[k]:starts[k + 1]``; node ``n``
is ``UNK`` (imports from unknown partners). Each kernel works on a range of commodities and
writes into arrays the caller allocated, so that ranges run in parallel threads (``nogil``).

* :func:`pools`: per commodity, exports and imports, production filled where unknown, orphan
  exporters' unknown inflow, supply pools ``s``, reachability from production (repeated sweeps
  over the commodity's flows until nothing changes), ``D = ŝ⁻¹p`` and the flow weights
  ``T[i, j] / s_j``.
* :func:`solve`: per commodity, the exporter block ``(I − A_EE) C[E, S] = D[E, S] + A_E,UNK
  C[UNK, S]`` built densely from the flows and solved by LAPACK (``gesv``), one right-hand side
  per origin set, then every country's ``C[j, S] = D[j, S] + Σ_i (T[i, j]/s_j) C[i, S]`` in one
  more pass over the flows.

The functions are plain Python; :func:`compiled` gives them compiled by numba (on first use,
cached on disk with ``cache=True``). Importing numba and loading compiled code costs about a
second, so small inputs run the same functions uncompiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

_JIT: tuple[Callable[..., None], Callable[..., None]] | None = None


def compiled() -> tuple[Callable[..., None], Callable[..., None]]:
    """``(pools, solve)`` compiled with numba (``nogil``: ranges run in parallel threads)."""
    global _JIT
    if _JIT is None:
        from numba import njit

        _JIT = (njit(cache=True, nogil=True)(pools), njit(cache=True, nogil=True)(solve))
    return _JIT


def pools(
    starts: Any,
    ii: Any,
    jj: Any,
    qq: Any,
    prod: Any,
    uin: Any,
    k0: int,
    k1: int,
    p_out: Any,
    est: Any,
    u_out: Any,
    supply: Any,
    dshare: Any,
    sourceless: Any,
    in_e: Any,
    fw: Any,
    uw: Any,
) -> None:
    n = prod.shape[1]
    big = n + 1
    exports = np.zeros(n)
    imports = np.zeros(n)
    inv = np.zeros(big)
    reach = np.zeros(big, dtype=np.bool_)
    for k in range(k0, k1):
        lo, hi = starts[k], starts[k + 1]
        exports[:] = 0.0
        imports[:] = 0.0
        for f in range(lo, hi):
            i, j, q = ii[f], jj[f], qq[f]
            if i != j and q > 0:
                exports[i] += q
                imports[j] += q
        usum = 0.0
        for j in range(n):
            pj = prod[k, j]
            e = np.isnan(pj)
            est[k, j] = e
            u = uin[k, j]
            if e:
                pj = max(0.0, exports[j] - imports[j] - u)
            if pj + imports[j] + u <= 0 and exports[j] > 0:
                u += exports[j]  # exports without any known supply: origin unknown
            p_out[k, j] = pj
            u_out[k, j] = u
            usum += u
            supply[k, j] = pj + imports[j] + u
            reach[j] = pj > 0 or u > 0  # UNK (a source when usum > 0) reaches j via u_j
        supply[k, n] = usum
        reach[n] = usum > 0
        changed = True
        while changed:
            changed = False
            for f in range(lo, hi):
                i, j = ii[f], jj[f]
                if reach[i] and not reach[j] and i != j and qq[f] > 0:
                    reach[j] = True
                    changed = True
        for v in range(big):
            s = supply[k, v]
            ok = s > 0 and reach[v]
            sourceless[k, v] = s > 0 and not reach[v]
            inv[v] = 1.0 / s if ok else 0.0
            pv = usum if v == n else p_out[k, v]
            dshare[k, v] = inv[v] * pv
            if v < n:
                uw[k, v] = u_out[k, v] * inv[v]
                in_e[k, v] = exports[v] > 0 and s > 0
            else:
                in_e[k, v] = usum > 0
        for f in range(lo, hi):
            i, j, q = ii[f], jj[f], qq[f]
            fw[f] = q * inv[j] if (i != j and q > 0) else 0.0


def solve(
    which: Any,
    starts: Any,
    ii: Any,
    jj: Any,
    fw: Any,
    uw: Any,
    in_e: Any,
    dshare: Any,
    sourceless: Any,
    masks: Any,
    w0: int,
    w1: int,
    out: Any,
) -> None:
    nq, big = masks.shape
    n = big - 1
    pos = np.full(big, -1, dtype=np.int64)
    cs = np.zeros((big, nq))
    cunk = np.zeros(nq)
    d = np.zeros((big, nq))
    for w in range(w0, w1):
        k = which[w]
        lo, hi = starts[k], starts[k + 1]
        for v in range(big):
            for q in range(nq):
                d[v, q] = dshare[k, v] * masks[q, v] + sourceless[k, v] * masks[q, n]
        for q in range(nq):
            cunk[q] = d[n, q]  # UNK has no inflow: C[UNK, S] = D[UNK, S]
        ne = 0
        for v in range(n):
            if in_e[k, v]:
                pos[v] = ne
                ne += 1
            else:
                pos[v] = -1
        cs[:, :] = 0.0
        if ne > 0:
            m = np.zeros((ne, ne))
            r = np.zeros((ne, nq))
            for v in range(n):
                e = pos[v]
                if e >= 0:
                    m[e, e] = 1.0
                    for q in range(nq):
                        r[e, q] = d[v, q] + uw[k, v] * cunk[q]
            for f in range(lo, hi):
                a, b = pos[jj[f]], pos[ii[f]]
                if a >= 0 and b >= 0:
                    m[a, b] -= fw[f]
            x = np.linalg.solve(m, r)
            for v in range(n):
                e = pos[v]
                if e >= 0:
                    for q in range(nq):
                        cs[v, q] = x[e, q]
        for q in range(nq):
            cs[n, q] = cunk[q]
            for v in range(big):
                out[q, w, v] = d[v, q]
            for v in range(n):
                out[q, w, v] += uw[k, v] * cunk[q]
        for f in range(lo, hi):
            wf = fw[f]
            if wf != 0.0:
                i, j = ii[f], jj[f]
                for q in range(nq):
                    out[q, w, j] += wf * cs[i, q]
