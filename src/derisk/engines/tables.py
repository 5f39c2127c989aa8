"""Table layouts that both engines read and write (Arrow in memory, Parquet on disk).

Trade flows (one row per flow; duplicates add up):
``year`` int, ``commodity`` string (e.g. an HS6 code), ``exporter`` string, ``importer``
string, ``quantity`` float (any one unit, e.g. kg or t). Exporter ``OTH`` is an unknown partner
(the quantity is the importer's unknown inflow ``u``); rows naming ``WLD`` are world totals and
are ignored; a flow from a country to itself is ignored.

Production (optional): ``year``, ``commodity``, ``country``, ``quantity`` (null or NaN:
unknown). A country without a row is unknown too: its production is set to the least value its
trade requires (see :mod:`derisk.analysis.trace_trade`).

Stakes (the derisk stake columns): ``owner_id``, ``owned_id``, ``percent`` (0-100), optionally
``interest`` (rows of other interests than the one asked are skipped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from derisk.analysis.ownership import Stakes
from derisk.errors import BadInputError, NotFoundError
from derisk.model.schema import OTHER, WORLD

UNKNOWN_PARTNERS = (OTHER,)
IGNORED_PARTNERS = (WORLD,)
FLOW_COLUMNS = ("year", "commodity", "exporter", "importer", "quantity")
PRODUCTION_COLUMNS = ("year", "commodity", "country", "quantity")
STAKE_COLUMNS = ("owner_id", "owned_id", "percent")


def trace_schema() -> pa.Schema:
    return pa.schema(
        [
            ("year", pa.int64()),
            ("commodity", pa.string()),
            ("country", pa.string()),
            ("supply", pa.float64()),
            ("production", pa.float64()),
            ("estimated", pa.bool_()),
            ("selected_share", pa.float64()),
            ("unknown_share", pa.float64()),
        ]
    )


def _missing(table: pa.Table, need: Sequence[str]) -> list[str]:
    return [c for c in need if c not in table.column_names]


def check_flows(flows: pa.Table, production: pa.Table | None) -> None:
    """Refuse tables without the needed columns or with negative or missing quantities."""
    miss = _missing(flows, FLOW_COLUMNS)
    if miss:
        raise BadInputError(f"trade flows lack column(s) {', '.join(miss)}")
    q = flows.column("quantity")
    if q.null_count or (len(q) and not pc.all(pc.greater_equal(q, 0)).as_py()):
        row = _first_bad(q)
        raise BadInputError(f"trade flows row {row}, field quantity: must be a number >= 0")
    if production is not None:
        miss = _missing(production, PRODUCTION_COLUMNS)
        if miss:
            raise BadInputError(f"production lacks column(s) {', '.join(miss)}")


def _first_bad(col: Any) -> int:
    vals = col.to_pylist()
    for i, v in enumerate(vals):
        if v is None or not (float(v) >= 0):
            return i + 1
    return 0


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """A Parquet file or directory (or a CSV file) as an Arrow table."""
    p = Path(path)
    try:
        if p.suffix.lower() == ".csv":
            import pyarrow.csv as pcsv

            t = pcsv.read_csv(p)
            return t.select(list(columns)) if columns else t
        return pq.read_table(p, columns=list(columns) if columns else None)
    except FileNotFoundError as e:
        raise NotFoundError(f"{p}: no such file or directory") from e
    except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError) as e:
        raise BadInputError(f"{p}: not a readable Parquet or CSV table ({e})") from e


def write_table(table: pa.Table, path: str | Path) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, p)


@dataclass(frozen=True)
class IdStakes:
    """Stakes read from a table, with string entity ids mapped to nodes ``0..n-1``."""

    ids: npt.NDArray[Any]  # sorted entity ids
    stakes: Stakes

    def nodes(self, entity_ids: Sequence[str]) -> npt.NDArray[np.int64]:
        want = np.asarray(list(entity_ids), dtype=object).astype(str)
        pos = np.searchsorted(self.ids, want)
        ok = (pos < len(self.ids)) & (self.ids[np.minimum(pos, len(self.ids) - 1)] == want)
        return np.asarray(pos[ok], dtype=np.int64)


def stakes_from_table(table: pa.Table, interest: str | None = "equity") -> IdStakes:
    """Stakes of one interest from a stake table (``percent`` 0-100 becomes a fraction)."""
    miss = _missing(table, STAKE_COLUMNS)
    if miss:
        raise BadInputError(f"stakes lack column(s) {', '.join(miss)}")
    if interest is not None and "interest" in table.column_names:
        table = table.filter(pc.equal(table.column("interest"), interest))
    owner = pc.cast(table.column("owner_id"), pa.string())
    owned = pc.cast(table.column("owned_id"), pa.string())
    pct = table.column("percent").to_numpy(zero_copy_only=False).astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(pct) | (pct < 0) | (pct > 100))
    if bad.size:
        raise BadInputError(
            f"stakes row {int(bad[0]) + 1}, field percent: must be between 0 and 100"
        )
    ids, codes = encode([owner, owned])
    return IdStakes(ids, Stakes(len(ids), codes[0], codes[1], pct / 100.0))


def encode(columns: Sequence[Any]) -> tuple[npt.NDArray[Any], list[npt.NDArray[np.int64]]]:
    """Sorted distinct strings of several Arrow columns, and each column as indices into them.

    >>> ids, (a, b) = encode([pa.array(["b", "a"]), pa.array(["c", "b"])])
    >>> ids.tolist(), a.tolist(), b.tolist()
    (['a', 'b', 'c'], [1, 0], [2, 1])
    """
    chunks = [c.chunks if isinstance(c, pa.ChunkedArray) else [c] for c in columns]
    lengths = [sum(len(ch) for ch in cs) for cs in chunks]
    every = pa.chunked_array([ch for cs in chunks for ch in cs], type=pa.string())
    # one hash pass: codes in order of first appearance, then renumbered in sorted order
    enc = pc.dictionary_encode(
        every.combine_chunks() if every.num_chunks else pa.array([], pa.string())
    )
    uniq = enc.dictionary
    order = np.asarray(pc.sort_indices(uniq).to_numpy(), dtype=np.int64)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    codes = rank[np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    cuts = np.cumsum([0, *lengths])
    out = [codes[cuts[k] : cuts[k + 1]] for k in range(len(columns))]
    return np.asarray(uniq.take(pa.array(order)).to_numpy(zero_copy_only=False), dtype=object), out
