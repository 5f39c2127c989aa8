"""Map the pages of fresh arrays on a second thread, ahead of the compiled kernels that write them.

A fresh array of hundreds of megabytes costs its first writer a page fault per page (the kernel
zeroes and maps each one): from a tenth of a second to a second per 240 MB on the development
machine (a virtual machine), and the compiled prepare of a large layer writes over a gigabyte of
new arrays. :class:`Prefault` hands the arrays, in the
order the kernels will need them, to one worker thread that asks the operating system to map
them in bulk (``madvise(MADV_POPULATE_WRITE)``, Linux 5.14 and later). That call releases the
interpreter lock and never changes the content of a page, so it may run while the kernel is
already writing the same array: what it maps first is a fault the kernel does not take. Where
the call is missing (another system, an older kernel) nothing is done and the kernels fault
their pages themselves, as before.

Nothing here imports numba: the thread starts mapping while numba is still being imported.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, NamedTuple

import numpy as np

MADV_POPULATE_WRITE = 23
"""``<linux/mman.h>``: populate (prefault) page tables writable, faulting in every page."""
CHUNK = 64 << 20
"""Bytes mapped per call (a kernel catching up with the thread meets mapped pages sooner)."""


def _madvise() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):  # pragma: no cover - a libc without madvise
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


_MADVISE = _madvise()


def _span(a: Any) -> tuple[int, int]:
    """The page-aligned start and the end of ``a``'s bytes (the page holding the first byte is
    the array's own, so mapping it as a whole is safe)."""
    start = int(a.ctypes.data)
    return start - start % mmap.PAGESIZE, start + int(a.nbytes)


def _populate(a: Any, lo: int, hi: int) -> bool:
    # ``a`` is passed (not only addresses): the array stays alive while this runs
    del a
    return _MADVISE is not None and _MADVISE(lo, hi - lo, MADV_POPULATE_WRITE) == 0


def populate(a: Any) -> bool:
    """Map every page of ``a`` (a contiguous array) for writing without changing its content;
    False where the system cannot (then the first writer takes the faults).

    >>> a = np.empty(1 << 20)
    >>> ok = populate(a)  # True on Linux 5.14 and later
    """
    if _MADVISE is None or not a.flags.c_contiguous or a.nbytes == 0:
        return False
    start, end = _span(a)
    return all(_populate(a, lo, min(lo + CHUNK, end)) for lo in range(start, end, CHUNK))


class Unpaged:
    """:class:`Prefault`'s allocation without a thread: the writer maps its own pages."""

    def add(self, a: Any) -> Any:
        return a

    def empty(self, shape: int, dtype: Any) -> Any:
        return np.empty(shape, dtype=dtype)


class Prefault(Unpaged):
    """One worker thread that maps the pages of the arrays given to :meth:`add`, in order, and
    runs other work given to :meth:`submit` (compiled kernels that release the lock) after them.
    On leaving the ``with`` block, mapping not started is dropped; submitted work is finished.

    >>> with Prefault() as pf:
    ...     a = pf.empty(1000, np.float64)
    ...     f = pf.submit(lambda: 2 + 2)
    >>> a.shape, f.result()
    ((1000,), 4)
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="derisk-prefault")
        self._mapping: list[Future[bool]] = []

    def add(self, a: Any) -> Any:
        """Queue ``a`` (a contiguous array) for mapping, a chunk at a time; returns it."""
        if _MADVISE is not None and a.flags.c_contiguous and a.nbytes >= CHUNK // 16:
            start, end = _span(a)
            for lo in range(start, end, CHUNK):
                self._mapping.append(self._pool.submit(_populate, a, lo, min(lo + CHUNK, end)))
        return a

    def empty(self, shape: int, dtype: Any) -> Any:
        """A new uninitialised array, queued for mapping."""
        return self.add(np.empty(shape, dtype=dtype))

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn`` on the worker after the arrays queued before it."""
        return self._pool.submit(fn)

    def __enter__(self) -> Prefault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for f in self._mapping:  # pages not mapped yet are the writer's own by now
            f.cancel()
        self._pool.shutdown(wait=True)


class Workspace(NamedTuple):
    """The arrays the compiled plan of a layer writes (:mod:`._graph`), allocated up front."""

    indptr: Any  # the inflow by the counting sort
    indices: Any
    data: Any
    state: Any  # the depth-first pass
    perm: Any
    level: Any
    cstart: Any
    pindptr: Any
    pindices: Any
    pdata: Any
    pos: Any


def rows_in_order(owned: Any, *, chunks: int = 16, width: int = 2048) -> bool:
    """Whether the stakes come listed (nearly) in row order -- fewer than one in 64 steps back
    from one owned entity to a smaller one -- judged on ``chunks`` runs of ``width`` stakes
    spread over the list (all of it when short): numpy only, before the kernels are loaded.

    >>> rows_in_order(np.arange(100_000)), rows_in_order(np.arange(100_000)[::-1])
    (True, False)
    """
    a = np.asarray(owned)
    if a.size <= chunks * width:
        runs = [a]
    else:
        step = (a.size - width) // (chunks - 1)
        runs = [a[k * step : k * step + width] for k in range(chunks)]
    back = sum(int(np.count_nonzero(np.diff(r) < 0)) for r in runs)
    total = sum(max(0, r.size - 1) for r in runs)
    return back * 64 <= total


def workspace(
    n: int,
    nnz: int,
    pages: Unpaged | None = None,
    *,
    index: Any = None,
    offset: Any = None,
    buckets: bool = False,
) -> Workspace:
    """The arrays for a layer of ``n`` entities and ``nnz`` nonzero stakes, in the order the
    kernels first write them (so that ``pages`` maps them in that order). Indices are 32-bit
    where they fit (the pass keeps positions below ``2**30``) unless ``index`` says otherwise;
    ``offset``: the type of the row starts (as ``index`` unless given).

    >>> ws = workspace(5, 7)
    >>> ws.indices.dtype.name, ws.pdata.shape, ws.state.dtype.name
    ('int32', (7,), 'int64')
    """
    pg = pages if pages is not None else Unpaged()
    it = index if index is not None else np.int32 if n < 2**30 and nnz < 2**31 else np.int64
    pt = offset if offset is not None else it
    indptr = pg.empty(n + 1, pt)
    indices = pg.empty(nnz, it)
    if buckets:
        # ids in no order: the inflow's stakes go to buckets held in ``pindices`` and ``pdata``
        # before ``data`` is written (:func:`._graph.inflow_csr`), so those are mapped first
        pindices = pg.empty(nnz, it)
        pdata = pg.empty(nnz, np.float64)
        data = pg.empty(nnz, np.float64)
        state = pg.empty(n, np.int64)
    else:
        data = pg.empty(nnz, np.float64)
        state = pg.empty(n, np.int64)
    perm, level = pg.empty(n, it), pg.empty(n, it)
    cstart, pindptr = pg.empty(n + 1, it), pg.empty(n + 1, pt)
    if not buckets:
        pindices = pg.empty(nnz, it)
        pdata = pg.empty(nnz, np.float64)
    return Workspace(
        indptr=indptr,
        indices=indices,
        data=data,
        state=state,
        perm=perm,
        level=level,
        cstart=cstart,
        pindptr=pindptr,
        pindices=pindices,
        pdata=pdata,
        pos=pg.empty(n, it),
    )
