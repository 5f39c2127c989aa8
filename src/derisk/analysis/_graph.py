"""Compiled graph kernels for :mod:`derisk.analysis.ownership` (numba; one pass each).

* :func:`inflow_csr`: ``W^T`` as CSR (row ``j``: the holders of ``j``) by a counting sort
  (through buckets of rows when the ids come in no order).
* :func:`prepare`: strongly connected components, the level of every component in the
  condensed DAG -- the longest chain of holders above it (``0``: no holder outside itself) --
  a layout of the nodes in the order their components complete (every holder first, components
  contiguous) and the inflow renamed to that layout, in one depth-first pass over the stakes
  (Tarjan's algorithm, iterative, so deep chains need no recursion). A component is complete
  only after every component it is held from, so its level and its holders' positions are
  known when it is found and its rows go out at once. One random read per stake (a single
  state array: unvisited / on the stack / position and level once complete). A scan in
  index order goes first and completes every node whose holders are already complete, so that
  the search starts only from the nodes it set aside and does not wander through the nodes
  ahead of it in random order (about a fifth of the pass on the benchmark's layers). The search
  is a chain of random reads, each waiting on the one before (a row start, its holders, their
  state); it asks the CPU ahead of time for what it will read next (the state and row start of
  every holder of a node it enters, the next holder's row, the roots coming up), so that these
  reads overlap: a quarter less CPU time with entities numbered at random, a sixth with holders
  first, the same answers. The first scan asks likewise for the holders' state a few nodes
  ahead.
  :func:`condense` is the same pass without the renamed inflow.
* :func:`sweep`: one owner-set screen over the layout (small cycles solved in place) that
  computes only the entities a member reaches: a bit per position (:func:`marks`, n / 8
  bytes, small enough to stay in cache) says which are reached, so an entity no member
  reaches costs a look at its holders' bits instead of a random read of their values.

The kernel is compiled on first use and cached on disk (numba's ``cache=True``): in
``__pycache__`` beside this file, or, where that is not writable (a system-wide install), in
the user's cache directory; ``NUMBA_CACHE_DIR`` overrides both. A cached kernel loads in a
fraction of a second; numba itself is imported only for layers of a million stakes or more.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba import njit
from numba.core import cgutils as _cgutils
from numba.core import types
from numba.extending import intrinsic

from derisk.analysis._pages import Workspace, rows_in_order, workspace

WINDOW = 1024
""":func:`sweep` reads every row in full for the next this many positions when more than half of
the last this many were reached (a branch per row on its holders' bits costs more then)."""

_DONE = 1 << 62
"""``state`` of a complete node: ``_DONE + (position << 32) + level``."""

AHEAD = 8
"""How far ahead :func:`prepare` asks for what it will read: in its first scan, the state of the
holders of the node this many places ahead; in its search, the state and row start of the root
this many places ahead in its list of nodes set aside."""


cgutils: Any = _cgutils  # numba's code-generation helpers (untyped)


def _prefetch_typer(typingctx: Any, arr: Any, i: Any) -> Any:  # pragma: no cover - compiled
    # ``_prefetch(a, i)``: ask the CPU to bring ``a[i]``'s cache line in (LLVM's
    # ``llvm.prefetch``: a read, kept in every cache level), without waiting for it and
    # without any effect on the result: a hint, as if the load had started early. The name
    # carries the pointer type of LLVM's typed pointers; LLVM with opaque pointers renames it.
    # A prefetch never faults, so an address one past an array's end (an empty last row) is
    # harmless.
    sig = types.void(arr, i)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aty = signature.args[0]
        ary = context.make_array(aty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aty, ary, [args[1]], wraparound=False)
        byte = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(fn, [byte, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


_prefetch: Any = intrinsic(_prefetch_typer)


@njit(cache=True, nogil=True)
def _emit(
    members: Any,
    k0: int,
    k1: int,
    up: int,
    c0: int,
    indptr: Any,
    indices: Any,
    data: Any,
    state: Any,
    perm: Any,
    level: Any,
    pindptr: Any,
    pindices: Any,
    pdata: Any,
) -> Any:  # pragma: no cover - compiled
    # ``members[k0:k1]`` complete as one component of level ``up`` at positions ``c0...``: their
    # rows of the inflow, renamed to positions, go out now (every holder has its position).
    # Returns whether stakes run inside it and the smallest within-component inflow.
    for t in range(k1 - k0):
        w = members[k0 + t]
        perm[c0 + t] = w
        level[c0 + t] = up
        state[w] = _DONE + ((c0 + t) << 32) + up
    intra = False
    low = np.inf
    for t in range(k1 - k0):
        w = members[k0 + t]
        k = c0 + t
        dst = pindptr[k]
        within = 0.0
        for e in range(indptr[w], indptr[w + 1]):
            p = (state[indices[e]] - _DONE) >> 32
            pindices[dst] = p
            pdata[dst] = data[e]
            dst += 1
            if p >= c0:
                intra = True
                within += data[e]
        pindptr[k + 1] = dst
        if within < low:
            low = within
    return intra, low


@njit(cache=True, nogil=True)
def _prepare(
    indptr: Any,
    indices: Any,
    data: Any,
    n: int,
    state: Any,
    perm: Any,
    cstart: Any,
    level: Any,
    stack: Any,
    call_v: Any,
    call_e: Any,
    call_up: Any,
    call_root: Any,
    pindptr: Any,
    pindices: Any,
    pdata: Any,
    nt_lo: Any,
    nt_hi: Any,
    nt_closed: Any,
    pos: Any,
) -> Any:  # pragma: no cover - compiled
    # Tarjan's strongly connected components (iterative; Pearce's one-array variant) over the
    # edges j -> holder of j. A component pops off the stack only after every component its
    # members hold into: its level (1 + the highest level among its outside holders) and the
    # positions of all its holders are known then, so its rows of the inflow go out in the
    # layout at once, and the order in which components complete puts every holder first.
    # ``state[v]``: -1 unvisited (-2: set aside by the first scan, below); below ``_DONE``: on
    # the stack (its low link); once complete,
    # its position and level (one random read per stake serves the search, the level and the
    # layout). A node whose holders are all complete is a component of its own: it completes
    # at once, without entering the stack. Every array is the caller's (numpy's allocations are
    # eligible for huge pages, which halve the cost of a random read into ``state`` here, and
    # their pages can be mapped ahead by another thread: :mod:`._pages`).
    for v in range(n):
        state[v] = -1
    pindptr[0] = 0
    mask = (1 << 32) - 1
    counter = 0
    ncomp = 0
    nnt = 0
    top = 0
    done = 0
    nlevels = 0
    largest = 0
    cyclic = 0
    # First a scan in index order completes every node whose holders are all complete already
    # (most of a layer listed roughly holders first) and sets the others aside (state -2, their
    # list kept in ``pos``, written only at the end); the search then starts from those, so it
    # descends only into nodes that wait on a holder later in the order, not into every node
    # that lies ahead of the scan.
    nwait = 0
    for v in range(n):
        if v + AHEAD < n:  # the state of the holders of the node this many places ahead
            for f in range(indptr[v + AHEAD], indptr[v + AHEAD + 1]):
                _prefetch(state, indices[f])
        vup = 0
        f = indptr[v]
        fend = indptr[v + 1]
        while f < fend:
            sx = state[indices[f]]
            if sx < _DONE:
                break
            if (sx & mask) + 1 > vup:
                vup = (sx & mask) + 1
            f += 1
        if f < fend:
            state[v] = -2
            pos[nwait] = v
            nwait += 1
            continue
        stack[top] = v
        _emit(
            stack, top, top + 1, vup, done, indptr, indices, data, state, perm, level, pindptr,
            pindices, pdata,
        )  # fmt: skip
        cstart[ncomp] = done
        ncomp += 1
        done += 1
        largest = 1
        if vup + 1 > nlevels:
            nlevels = vup + 1
    for r in range(nwait):
        # the roots ahead: their state and row start, then their first holders and stakes (the
        # search's reads are each a random read that waits on the one before; these do not)
        if r + AHEAD < nwait:
            _prefetch(state, pos[r + AHEAD])
            _prefetch(indptr, pos[r + AHEAD])
        if r + 2 < nwait:
            nx = indptr[pos[r + 2]]
            _prefetch(indices, nx)
            _prefetch(data, nx)
        root = pos[r]
        if state[root] >= 0:
            continue
        depth = -1
        v = root
        while True:
            # ``v`` not seen yet: a component of its own if all its holders are complete
            vup = 0
            f = indptr[v]
            fend = indptr[v + 1]
            for f2 in range(f, fend):  # every holder's state and row start, all at once
                w2 = indices[f2]
                _prefetch(state, w2)
                _prefetch(indptr, w2)
            _prefetch(data, f)
            while f < fend:
                sx = state[indices[f]]
                if sx < _DONE:
                    break
                if (sx & mask) + 1 > vup:
                    vup = (sx & mask) + 1
                f += 1
            if f == fend:
                stack[top] = v
                intra, low = _emit(
                    stack, top, top + 1, vup, done, indptr, indices, data, state, perm, level,
                    pindptr, pindices, pdata,
                )  # fmt: skip
                cstart[ncomp] = done
                ncomp += 1
                done += 1
                if largest < 1:
                    largest = 1
                if vup + 1 > nlevels:
                    nlevels = vup + 1
                if depth >= 0 and vup + 1 > call_up[depth]:
                    call_up[depth] = vup + 1
            else:
                depth += 1
                call_v[depth] = v
                call_e[depth] = f  # the holders before it are complete: their levels are in
                call_up[depth] = vup
                call_root[depth] = True
                state[v] = counter
                counter += 1
                stack[top] = v
                top += 1
            # continue the search from the deepest open node
            descend = -1
            while depth >= 0:
                u = call_v[depth]
                e = call_e[depth]
                end = indptr[u + 1]
                while e < end:
                    w = indices[e]
                    e += 1
                    if e < end:  # the next holder's row, in case the search descends there
                        nx = indptr[indices[e]]
                        _prefetch(indices, nx)
                        _prefetch(data, nx)
                    sw = state[w]
                    if sw < 0:
                        descend = w
                        break
                    if sw < _DONE:  # on the stack: the same component
                        if sw < state[u]:
                            state[u] = sw
                            call_root[depth] = False
                    elif (sw & mask) + 1 > call_up[depth]:
                        call_up[depth] = (sw & mask) + 1
                if descend >= 0:
                    call_e[depth] = e
                    break
                up = call_up[depth]
                if call_root[depth]:  # u roots a component: pop it
                    k = top
                    while True:
                        k -= 1
                        if stack[k] == u:
                            break
                    m = top - k
                    intra, low = _emit(
                        stack, k, top, up, done, indptr, indices, data, state, perm, level,
                        pindptr, pindices, pdata,
                    )  # fmt: skip
                    cstart[ncomp] = done
                    ncomp += 1
                    if intra:
                        nt_lo[nnt] = done
                        nt_hi[nnt] = done + m
                        nt_closed[nnt] = low >= 1.0 - 1e-12
                        nnt += 1
                        if m > 1:
                            cyclic += 1
                    if m > largest:
                        largest = m
                    done += m
                    if up + 1 > nlevels:
                        nlevels = up + 1
                    top = k
                    up += 1  # what the parent sees: one level below this component
                low_u = state[u]  # complete (not below _DONE) if it was just popped
                depth -= 1
                if depth >= 0:
                    if low_u < _DONE and low_u < state[call_v[depth]]:  # same component
                        state[call_v[depth]] = low_u
                        call_root[depth] = False
                    if up > call_up[depth]:
                        call_up[depth] = up
            if descend < 0:
                break
            v = descend
    cstart[ncomp] = n
    for k in range(n):
        pos[perm[k]] = k
    return ncomp, nlevels, nnt, largest, cyclic


def condense(indptr: Any, indices: Any) -> tuple[Any, Any, Any, Any, int]:
    """``(perm, pos, cstart, level, levels)`` for the graph whose CSR row ``j`` lists the
    holders of ``j``, in one pass over its edges (Tarjan's algorithm, iterative).

    The nodes are laid out in the order their strongly connected components complete: every
    holder of a node sits before it, unless the two are in one component; the members of a
    component are contiguous, component ``c`` at positions ``cstart[c]:cstart[c + 1]``.
    ``perm`` maps positions to nodes, ``pos`` is its inverse; ``level[k]`` is the level of the
    component at position ``k`` (0: no holder outside itself; else 1 + the highest level among
    its outside holders) and ``levels`` one more than the highest level.

    >>> # 0 holds 1; 1 and 2 hold each other; 2 holds 3
    >>> indptr, indices = np.array([0, 0, 2, 3, 4]), np.array([0, 2, 1, 2])
    >>> perm, pos, cstart, level, levels = condense(indptr, indices)
    >>> perm.tolist(), cstart.tolist(), level.tolist(), levels
    ([0, 1, 2, 3], [0, 1, 3, 4], [0, 1, 1, 2], 3)
    """
    idx = np.asarray(indices)
    out = prepare(np.asarray(indptr), idx, np.ones(idx.size))
    return out.perm, out.pos, out.cstart, out.level, out.levels


@njit(cache=True, nogil=True)
def _marks(pos: Any, member: Any) -> Any:  # pragma: no cover - compiled
    n = pos.size
    mark = np.zeros((n >> 6) + 1, dtype=np.uint64)
    for v in range(n):  # in node order: sequential reads, writes into a bitset in cache
        if member[v]:
            p = pos[v]
            mark[p >> 6] |= np.uint64(1) << np.uint64(p & 63)
    return mark


@njit(cache=True, nogil=True)
def _sweep(
    indptr: Any,
    indices: Any,
    data: Any,
    nt_lo: Any,
    nt_hi: Any,
    nt_here: Any,
    perm: Any,
    mark: Any,
    cut: bool,
    u: Any,
    out: Any,
    solved: int,
    j: int,
    q: int,
    small: int,
    window: int,
) -> int:  # pragma: no cover - compiled
    # Positions in order (every holder before what it holds): ``x_j = sum_e data_e u_{idx_e}``
    # and ``u_j = s_j + d_j x_j`` (``s_j``: position ``j`` a member; ``d_j = 1 - s_j`` when
    # chains are cut, else 1); ``x`` lands in ``out`` by node. ``mark`` (a bit per position)
    # holds the members, and every position once it is reached (a member, or a holder marked):
    # a position that is neither keeps ``u = x = 0`` (``u`` and ``out`` come zeroed) and costs
    # only a look at its holders' bits (a bitset of n / 8 bytes stays in cache), not a read of
    # their ``u``. ``dense``: most of the last ``window`` positions were reached, so every row is
    # read in full and a position is marked where its ``u`` is not 0. Positions ``solved:j``
    # were solved by the caller: marked on entry. A cyclic component marked ``nt_here`` is
    # solved in place (dense elimination with partial pivoting); any other stops the sweep: its
    # index returns.
    n = perm.size
    nnt = nt_lo.size
    one = np.uint64(1)
    for k in range(solved, j):
        mark[k >> 6] |= one << np.uint64(k & 63)
    b = np.empty((small, small))
    a = np.empty((small, small))
    ext = np.empty(small)
    y = np.empty(small)
    mem = np.empty(small, dtype=np.bool_)
    dense = False
    seen = hits = 0
    while True:
        stop = nt_lo[q] if q < nnt else n
        while j < stop:
            lo = indptr[j]
            hi = indptr[j + 1]
            word = j >> 6
            sh = np.uint64(j & 63)
            member = ((mark[word] >> sh) & one) != 0
            if dense:  # most positions reached here: every row read, no branch on its holders
                acc = 0.0
                for e in range(lo, hi):
                    acc += data[e] * u[indices[e]]
                v = (1.0 if cut else 1.0 + acc) if member else acc
                u[j] = v
                out[perm[j]] = acc
                nz = v != 0.0
                mark[word] |= np.uint64(nz) << sh
                hits += nz
            else:
                hit = member
                if not hit:
                    h = np.uint64(0)
                    for e in range(lo, hi):
                        k = indices[e]
                        h |= mark[k >> 6] >> np.uint64(k & 63)
                    hit = (h & one) != 0
                if hit:
                    acc = 0.0
                    for e in range(lo, hi):
                        acc += data[e] * u[indices[e]]
                    u[j] = (1.0 if cut else 1.0 + acc) if member else acc
                    out[perm[j]] = acc
                    mark[word] |= one << sh
                    hits += 1
            j += 1
            seen += 1
            if seen == window:  # the mode for the next window: by the share reached in this one
                dense = 2 * hits > seen
                seen = hits = 0
        if q >= nnt or not nt_here[q]:
            return q
        c0 = nt_lo[q]
        m = nt_hi[q] - c0
        reached = False
        for i in range(m):
            k = c0 + i
            mem[i] = ((mark[k >> 6] >> np.uint64(k & 63)) & one) != 0
            if mem[i]:
                reached = True
        if not reached:  # a member, or a holder outside that is reached?
            for e in range(indptr[c0], indptr[c0 + m]):
                k = indices[e]
                if k < c0 and ((mark[k >> 6] >> np.uint64(k & 63)) & one) != 0:
                    reached = True
                    break
        if not reached:  # (I - D B) u = 0: u = x = 0
            j = c0 + m
            q += 1
            continue
        for i in range(m):
            for c in range(m):
                b[i, c] = 0.0
            acc = 0.0
            for e in range(indptr[c0 + i], indptr[c0 + i + 1]):
                k = indices[e]
                if k >= c0:
                    b[i, k - c0] += data[e]
                else:
                    acc += data[e] * u[k]
            ext[i] = acc
            di = 0.0 if cut and mem[i] else 1.0
            y[i] = (1.0 if mem[i] else 0.0) + di * acc
            for c in range(m):
                a[i, c] = -di * b[i, c]
            a[i, i] += 1.0
        for col in range(m):  # elimination with partial pivoting
            piv = col
            for r in range(col + 1, m):
                if abs(a[r, col]) > abs(a[piv, col]):
                    piv = r
            if a[piv, col] == 0.0:
                return q  # singular: the caller's general path explains it
            if piv != col:
                for c in range(m):
                    a[col, c], a[piv, c] = a[piv, c], a[col, c]
                y[col], y[piv] = y[piv], y[col]
            for r in range(col + 1, m):
                f = a[r, col] / a[col, col]
                if f != 0.0:
                    for c in range(col, m):
                        a[r, c] -= f * a[col, c]
                    y[r] -= f * y[col]
        for i in range(m - 1, -1, -1):
            acc = y[i]
            for c in range(i + 1, m):
                acc -= a[i, c] * y[c]
            y[i] = acc / a[i, i]
        for i in range(m):
            k = c0 + i
            u[k] = y[i]
            mark[k >> 6] |= one << np.uint64(k & 63)
            acc = ext[i]
            for c in range(m):
                acc += b[i, c] * y[c]
            out[perm[k]] = acc
        j = c0 + m
        q += 1


class Prepared(NamedTuple):
    """What :func:`prepare` returns (see there)."""

    perm: Any
    pos: Any
    cstart: Any
    level: Any
    levels: int
    indptr: Any
    indices: Any
    data: Any
    nt_lo: Any
    nt_hi: Any
    nt_closed: Any
    largest: int
    cyclic: int


def prepare(indptr: Any, indices: Any, data: Any, ws: Workspace | None = None) -> Prepared:
    """Components, levels and the layout of the inflow CSR (row ``j``: the holders of ``j``) in
    one depth-first pass over its stakes (module doc), and the inflow renamed to the layout:

    ``perm``/``pos`` (position -> node and back; every holder before what it holds outside its
    own component, the members of a component together), ``cstart`` (component ``c`` at
    positions ``cstart[c]:cstart[c + 1]``), ``level`` (per position, its component's level),
    ``levels``; ``indptr, indices, data`` (the inflow with rows and columns renamed to
    positions); the components with stakes inside them (``nt_lo[q]:nt_hi[q]``, ``nt_closed``
    where every member is held entirely from inside: a closed cycle), the size of the largest
    component and how many have more than one member (``cyclic``).

    The arrays it writes come from ``ws`` (:func:`._pages.workspace`) where given.
    """
    indptr = np.asarray(indptr)
    n = int(indptr.size - 1)
    idx = np.asarray(indices)
    if idx.dtype != np.int32 or n >= 2**30:
        idx = np.asarray(idx, dtype=np.int64)
    data = np.asarray(data, dtype=np.float64)
    it, pt = idx.dtype, indptr.dtype
    if ws is None or ws.perm.dtype != it or ws.pindptr.dtype != pt or ws.pdata.size != idx.size:
        ws = workspace(n, idx.size, index=it, offset=pt)
    # the per-depth arrays and the lists of cyclic components: touched only as far as used
    stack, call_v = np.empty(n + 1, dtype=it), np.empty(n, dtype=it)
    call_e, call_up = np.empty(n, dtype=pt), np.empty(n, dtype=np.int64)
    call_root = np.empty(n, dtype=np.bool_)
    nt_lo, nt_hi = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    nt_closed = np.empty(n, dtype=np.bool_)
    ncomp, levels, nnt, big, cyc = _prepare(
        indptr, idx, data, n, ws.state, ws.perm, ws.cstart, ws.level, stack, call_v, call_e,
        call_up, call_root, ws.pindptr, ws.pindices, ws.pdata, nt_lo, nt_hi, nt_closed, ws.pos,
    )  # fmt: skip
    return Prepared(
        ws.perm, ws.pos, ws.cstart[: ncomp + 1], ws.level, int(levels), ws.pindptr, ws.pindices,
        ws.pdata, nt_lo[:nnt].copy(), nt_hi[:nnt].copy(), nt_closed[:nnt].copy(), int(big),
        int(cyc),
    )  # fmt: skip


def marks(pos: Any, member: Any) -> Any:
    """The bitset :func:`sweep` starts from: a bit per position (64 a ``uint64`` word), set at
    the positions ``pos[v]`` of the nodes ``v`` where the boolean ``member`` is true.

    >>> marks(np.array([2, 0, 1]), np.array([True, False, True])).tolist()  # positions 2, 1
    [6]
    """
    return _marks(np.asarray(pos), np.asarray(member, dtype=np.bool_))


def sweep(
    indptr: Any, indices: Any, data: Any, nt_lo: Any, nt_hi: Any, nt_here: Any,
    perm: Any, mark: Any, cut: bool, u: Any, out: Any, solved: int, j: int, q: int, small: int,
    window: int = WINDOW,
) -> int:  # fmt: skip
    """One pass over the positions from ``j`` (cyclic component ``q`` next): ``x_j`` the inflow
    ``sum W_ij u_i``, written to ``out[perm[j]]``, and ``u_j = s_j + d_j x_j`` (``s``: the
    members, set in the bitset ``mark`` by :func:`marks`; ``d = 1 - s`` with ``cut``, else 1);
    cyclic components with ``nt_here`` (at most ``small`` members) are solved in place by dense
    elimination. Only positions reached from a member are computed: ``u`` and ``out`` must come
    zeroed, and ``mark`` gains a bit for every position reached (positions ``solved:j``, solved
    by the caller, are marked on entry). Where more than half of the last ``window`` positions
    were reached, the next ``window`` read every row in full (the same answers; a branch on each
    row's bits costs more than it saves there). Returns the index of the first cyclic component
    left to the caller (``nt_lo.size`` when the pass is complete); positions from there on are
    untouched."""
    q = _sweep(
        indptr, indices, data, nt_lo, nt_hi, nt_here, perm, mark, cut, u, out, solved, j, q, small,
        window,
    )  # fmt: skip
    return int(q)


@njit(cache=True, nogil=True)
def _count(owned: Any, share: Any, indptr: Any) -> int:  # pragma: no cover - compiled
    # ``indptr[j + 1]``: the nonzero stakes in ``j``, then their running sum (the row starts)
    for j in range(indptr.size):
        indptr[j] = 0
    for k in range(owned.size):
        if share[k] != 0.0:
            indptr[owned[k] + 1] += 1
    acc = 0
    for j in range(indptr.size):
        acc += indptr[j]
        indptr[j] = acc
    return acc


@njit(cache=True, nogil=True)
def _scatter(
    owner: Any, owned: Any, share: Any, indptr: Any, indices: Any, data: Any
) -> None:  # pragma: no cover - compiled
    # ``indptr[j]`` walks from the start of row ``j`` to its end as the row fills (stakes keep
    # their order), which is where row ``j + 1`` starts: one shift restores the starts
    for k in range(owned.size):
        if share[k] != 0.0:
            j = owned[k]
            f = indptr[j]
            indices[f] = owner[k]
            data[f] = share[k]
            indptr[j] = f + 1
    for j in range(indptr.size - 1, 0, -1):
        indptr[j] = indptr[j - 1]
    indptr[0] = 0


@njit(cache=True, nogil=True)
def _overfull(indptr: Any, data: Any, limit: float) -> Any:  # pragma: no cover - compiled
    # rows whose stakes add up to more than ``limit``: how many, the first and its total
    count = 0
    first = -1
    first_total = 0.0
    for j in range(indptr.size - 1):
        acc = 0.0
        for e in range(indptr[j], indptr[j + 1]):
            acc += data[e]
        if acc > limit:
            if count == 0:
                first = j
                first_total = acc
            count += 1
    return count, first, first_total


BUCKET_BITS = 13
"""Rows per bucket of the two-pass fill, as a power of two (8,192 rows: a bucket's counts and
rows stay in the core's cache)."""


@njit(cache=True, nogil=True)
def _buckets(owned: Any, share: Any, shift: int, nb: int) -> Any:  # pragma: no cover - compiled
    # the nonzero stakes per bucket of rows (``owned >> shift``) and their running sum (the
    # buckets' starts)
    bstart = np.zeros(nb + 1, dtype=np.int64)
    for k in range(owned.size):
        if share[k] != 0.0:
            bstart[(owned[k] >> shift) + 1] += 1
    for b in range(nb):
        bstart[b + 1] += bstart[b]
    return bstart


@njit(cache=True, nogil=True)
def _fill_buckets(
    owner: Any,
    owned: Any,
    share: Any,
    shift: int,
    bstart: Any,
    t_owned: Any,
    t_owner: Any,
    t_share: Any,
) -> None:  # pragma: no cover - compiled
    # first pass: every nonzero stake to its bucket, in input order (one write stream per
    # bucket, sequential within it)
    nb = bstart.size - 1
    at = bstart[:nb].copy()
    for k in range(owned.size):
        if share[k] != 0.0:
            j = owned[k]
            b = j >> shift
            f = at[b]
            t_owned[f] = j
            t_owner[f] = owner[k]
            t_share[f] = share[k]
            at[b] = f + 1


@njit(cache=True, nogil=True)
def _fill_rows(
    n: int,
    shift: int,
    bstart: Any,
    t_owned: Any,
    t_owner: Any,
    t_share: Any,
    indptr: Any,
    indices: Any,
    data: Any,
) -> None:  # pragma: no cover - compiled
    # second pass, bucket by bucket: count its rows, their starts, and place its stakes (the
    # rows of one bucket are one stretch of the output, in cache); ``t_owned`` may be
    # ``indices`` itself: a bucket's stretch is read into ``scratch`` before it is written
    nb = bstart.size - 1
    width = 1 << shift
    cnt = np.zeros(width + 1, dtype=np.int64)
    big = 0
    for b in range(nb):
        if bstart[b + 1] - bstart[b] > big:
            big = bstart[b + 1] - bstart[b]
    scratch = np.empty(big, dtype=t_owned.dtype)
    indptr[0] = 0
    for b in range(nb):
        lo, hi = bstart[b], bstart[b + 1]
        r0 = b << shift
        r1 = min(n, r0 + width)
        for t in range(r1 - r0 + 1):
            cnt[t] = 0
        for f in range(lo, hi):
            scratch[f - lo] = t_owned[f]
            cnt[t_owned[f] - r0 + 1] += 1
        acc = lo
        for t in range(r1 - r0):
            acc += cnt[t + 1]
            cnt[t + 1] = acc - cnt[t + 1]  # the row's start
            indptr[r0 + t + 1] = acc
        for t in range(r1 - r0):
            cnt[t] = cnt[t + 1]
        for f in range(lo, hi):
            r = scratch[f - lo] - r0
            g = cnt[r]
            indices[g] = t_owner[f]
            data[g] = t_share[f]
            cnt[r] = g + 1


def overfull(indptr: Any, data: Any, limit: float) -> tuple[int, int, float]:
    """``(count, first, total)``: how many rows of the inflow add up to more than ``limit``,
    the first of them and its total (summed in the order of the stakes, as ``np.bincount``).

    >>> overfull(np.array([0, 2, 3]), np.array([0.7, 0.5, 0.9]), 1.0)
    (1, 0, 1.2)
    """
    count, first, total = _overfull(indptr, data, limit)
    return int(count), int(first), float(total)


def inflow_csr(
    owner: Any,
    owned: Any,
    share: Any,
    n: int,
    ws: Workspace | None = None,
    *,
    buckets: bool | None = None,
) -> tuple[Any, Any, Any]:
    """``(indptr, indices, data)`` of ``W^T`` (row ``j``: the holders of ``j``) from the stakes,
    by a counting sort (no sort within rows; stakes keep their input order within a row). Zero
    stakes are left out; duplicate stakes stay apart (products add them up). Indices are 32-bit
    where they fit. The arrays come from ``ws`` where given (its sizes: ``n`` and the number of
    nonzero stakes).

    Stakes listed in row order (or nearly: :func:`._pages.rows_in_order`) are counted and
    scattered directly, each pass sequential. Otherwise (ids in no order, the common case of
    a database's keys) a direct scatter makes one random write per stake; with ``ws`` the
    stakes go first to buckets of ``2**BUCKET_BITS`` rows (sequential writes into one stream
    per bucket, held in the workspace's ``pindices`` and ``pdata``, which the layout pass
    writes only later), then each bucket to its rows, whose stretch of the output stays in
    cache: the same arrays, bit for bit. ``buckets`` forces the choice (a workspace made
    with ``buckets=True`` maps those arrays first).

    >>> [a.tolist() for a in inflow_csr(np.array([0, 2, 1]), np.array([1, 1, 2]),
    ...                                 np.array([0.5, 0.25, 0.0]), 3)]
    [[0, 0, 2, 2], [0, 2], [0.5, 0.25]]
    """
    if ws is None:
        nnz = int(np.count_nonzero(share))
        idt = np.int32 if n < 2**31 and nnz < 2**31 else np.int64
        indptr = np.empty(n + 1, dtype=idt)
        indices, data = np.empty(nnz, dtype=idt), np.empty(nnz, dtype=np.float64)
    else:
        indptr, indices, data = ws.indptr, ws.indices, ws.data
    if buckets is None:
        buckets = not rows_in_order(owned)
    if not buckets or ws is None:
        # in row order already (or nearly): one count and one scatter, each sequential
        if int(_count(owned, share, indptr)) != data.size:
            raise ValueError(f"the workspace holds {data.size} stakes, not the nonzero ones")
        _scatter(owner, owned, share, indptr, indices, data)
        return indptr, indices, data
    shift = BUCKET_BITS
    nb = max(1, (n + (1 << shift) - 1) >> shift)
    bstart = _buckets(owned, share, shift, nb)
    if int(bstart[-1]) != data.size:
        raise ValueError(f"the workspace holds {data.size} stakes, not the nonzero ones")
    # rows in no order: stakes to buckets of rows first, then each bucket to its rows (two
    # passes with sequential writes instead of one with a random write per stake); the
    # inflow renamed to the layout (``pindices``, ``pdata``) is written only later, so its
    # arrays hold the buckets meanwhile
    _fill_buckets(owner, owned, share, shift, bstart, indices, ws.pindices, ws.pdata)
    _fill_rows(n, shift, bstart, indices, ws.pindices, ws.pdata, indptr, indices, data)
    return indptr, indices, data
