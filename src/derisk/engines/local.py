"""The local engine: numpy and scipy in this process (the default).

It wraps the pure functions of :mod:`derisk.analysis.ownership` (condensation, levels and block
solves: :func:`~derisk.analysis.ownership.plan`, :func:`~derisk.analysis.ownership.set_share`,
:func:`~derisk.analysis.ownership.look_through`) and :mod:`derisk.analysis.trace_trade`
(:func:`~derisk.analysis.trace_trade.origin_shares` for one commodity,
:func:`~derisk.analysis.trace_trade.trace_batch` for many commodities of one year at once).
"""

from __future__ import annotations

import hashlib
import os
import platform
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from derisk.analysis import ownership as own
from derisk.analysis import trace_trade as tt
from derisk.engines.base import TRACE_COLUMNS, BoolArray, EngineFacts, FloatArray
from derisk.engines.tables import (
    IGNORED_PARTNERS,
    UNKNOWN_PARTNERS,
    check_flows,
    encode,
    trace_schema,
)

if TYPE_CHECKING:
    from derisk.store.prepared import PreparedCache

PLAN_CACHE_STAKES = 40_000_000
"""Prepared layers kept for reuse, in stakes (least recently used dropped first)."""

_PLANS: OrderedDict[bytes, tuple[int, own.Prepared]] = OrderedDict()
_PLANS_LOCK = threading.Lock()


PREPARED_FORMAT = b"flat/1"
"""Changes whenever the layout of a kept prepared structure does (so old ones are not used)."""


def stakes_digest(stakes: own.Stakes) -> bytes:
    """A SHA-256 of a layer's content: the same stakes (say at two ``as_of`` dates between
    which nothing changed) give the same digest, so their prepared structure is reused.
    Node indices are hashed as 32-bit integers where they fit (the same content either way)."""
    h = hashlib.sha256(PREPARED_FORMAT + np.int64(stakes.n).tobytes())
    narrow = stakes.n < 2**31
    for arr in (stakes.owner, stakes.owned, stakes.share):
        a = np.ascontiguousarray(arr)
        if narrow and a.dtype.kind in "iu":
            a = np.ascontiguousarray(a, dtype=np.int32)
        h.update(np.int64(a.size).tobytes() + a.dtype.str.encode())
        h.update(a.data)
    return h.digest()


class LocalEngine:
    """numpy/scipy in this process."""

    name = "local"

    def describe(self) -> EngineFacts:
        return {
            "engine": self.name,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cores": os.cpu_count(),
        }

    # -- trade -----------------------------------------------------------------------------

    def origin_shares(
        self, production: FloatArray, trade: FloatArray, unknown_inflow: FloatArray | None = None
    ) -> tt.Origins:
        return tt.origin_shares(production, trade, unknown_inflow)

    def trace_table(
        self, flows: pa.Table, production: pa.Table | None, selected: Sequence[str]
    ) -> pa.Table:
        """Origins of every commodity-year of ``flows`` with :func:`trace_batch` per year.

        ``flows``: ``year, commodity, exporter, importer, quantity`` (exporter ``OTH``: partner
        unknown; ``WLD`` rows are ignored); ``production``: ``year, commodity, country,
        quantity`` (null or NaN: unknown; a country without a row is unknown too).
        """
        check_flows(flows, production)
        keep = pc.invert(
            pc.or_(
                pc.is_in(pc.cast(flows["exporter"], pa.string()), pa.array(IGNORED_PARTNERS)),
                pc.is_in(
                    pc.cast(flows["importer"], pa.string()),
                    pa.array([*IGNORED_PARTNERS, *UNKNOWN_PARTNERS]),
                ),
            )
        )
        flows = flows.filter(keep)
        fy = flows["year"].to_numpy().astype(np.int64)
        fq = flows["quantity"].to_numpy().astype(np.float64)
        if production is not None and production.num_rows:
            py = production["year"].to_numpy().astype(np.int64)
            pq = pc.cast(production["quantity"], pa.float64()).fill_null(np.nan).to_numpy()
            pcols = [production["commodity"], production["country"]]
        else:
            py, pq = np.zeros(0, dtype=np.int64), np.zeros(0)
            pcols = [pa.array([], pa.string()), pa.array([], pa.string())]
        cids, (fc, pc_) = encode([pc.cast(flows["commodity"], pa.string()), pcols[0]])
        names, (fe, fi, pn) = encode(
            [pc.cast(flows["exporter"], pa.string()), pc.cast(flows["importer"], pa.string()),
             pcols[1]]
        )  # fmt: skip
        unk_code = int(np.searchsorted(names, UNKNOWN_PARTNERS[0]))
        if unk_code >= len(names) or names[unk_code] != UNKNOWN_PARTNERS[0]:
            unk_code = -1
        unknown = fe == unk_code
        parts: dict[str, list[Any]] = {c: [] for c in TRACE_COLUMNS}
        for year in np.unique(fy).tolist():
            ysel = fy == year
            comms, kf = np.unique(fc[ysel], return_inverse=True)
            psel = (py == year) & np.isin(pc_, comms)
            codes = np.unique(np.concatenate([fe[ysel & ~unknown], fi[ysel], pn[psel]]))
            n, k = len(codes), len(comms)
            pos = np.full(len(names) + 1, -1, dtype=np.int64)
            pos[codes] = np.arange(n)
            ei, ii = pos[fe[ysel]], pos[fi[ysel]]
            q = fq[ysel]
            unk = unknown[ysel]
            uin = np.zeros((k, n))
            np.add.at(uin, (kf[unk], ii[unk]), q[unk])
            prod = np.full((k, n), np.nan)
            prod[np.searchsorted(comms, pc_[psel]), pos[pn[psel]]] = pq[psel]
            kn, en, jn, qn = kf[~unk], ei[~unk], ii[~unk], q[~unk]
            b = tt.trace_batch(kn, en, jn, qn, prod, uin)
            sel = [int(pos[c]) for c in np.flatnonzero(np.isin(names, list(selected)))]
            sel = [i for i in sel if i >= 0]
            if sel:  # one batched solve for both origin sets
                share, unknown_share = b.shares_from([sel, [n]])
            else:
                share, unknown_share = np.zeros((k, n)), b.unknown_share()
            supply = b.supply[:, :n]
            filled = b.production  # unknown -> max(0, exports - imports - u), flagged
            rk, rj = np.nonzero(supply > 0)
            parts["year"].append(np.full(rk.size, year, dtype=np.int64))
            parts["commodity"].append(cids[comms[rk]])
            parts["country"].append(names[codes[rj]])
            parts["supply"].append(supply[rk, rj])
            parts["production"].append(filled[rk, rj])
            parts["estimated"].append(b.estimated[rk, rj])
            parts["selected_share"].append(share[rk, rj])
            parts["unknown_share"].append(unknown_share[rk, rj])
        if not parts["year"]:
            return trace_schema().empty_table()
        out = {c: np.concatenate(v) for c, v in parts.items()}
        return pa.Table.from_pydict(out, schema=trace_schema())

    # -- ownership -------------------------------------------------------------------------

    def prepare(self, stakes: own.Stakes, kept: PreparedCache | None = None) -> own.Prepared:
        """:func:`~derisk.analysis.ownership.plan`, reused while the layer is unchanged: from
        memory in this process, else from ``kept`` (prepared structures kept beside the store,
        :mod:`derisk.store.prepared`), where a large layer's new plan is also kept."""
        key = stakes_digest(stakes)
        with _PLANS_LOCK:
            hit = _PLANS.get(key)
            if hit is not None:
                _PLANS.move_to_end(key)
                return hit[1]
        prepared: own.Prepared | None = None
        if kept is not None:
            arrays = kept.load(key.hex())
            if arrays is not None and int(arrays["n"]) == stakes.n:
                prepared = own.FlatPlan.from_arrays(arrays)
        if prepared is None:
            prepared = own.plan(stakes)
            if kept is not None and isinstance(prepared, own.FlatPlan):
                kept.save(key.hex(), prepared.arrays())
        size = int(stakes.share.size)
        if size <= PLAN_CACHE_STAKES:
            with _PLANS_LOCK:
                _PLANS[key] = (size, prepared)
                while sum(v[0] for v in _PLANS.values()) > PLAN_CACHE_STAKES:
                    _PLANS.popitem(last=False)
        return prepared

    def set_share(
        self, prepared: Any, members: BoolArray | Sequence[int], *, cut: bool = True
    ) -> FloatArray:
        return own.set_share(prepared, members, cut=cut)

    def look_through(self, stakes: own.Stakes, target: int) -> own.LookThrough:
        return own.look_through(stakes, target)
