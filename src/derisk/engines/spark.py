"""The Spark engine: look-through ownership and trade-origin tracing on Apache Spark.

pyspark is imported here only (``pip install 'derisk[spark]'``: pyspark 4.1, which runs on
Java 17 or 21). The session comes from, in order: an active session (under ``spark-submit``),
``$DERISK_SPARK_REMOTE`` (a Spark Connect URL, ``sc://host:15002``), or a new session on
``$DERISK_SPARK_MASTER`` (default ``local[2]``). ``$DERISK_SPARK_CONF`` names a file of
``spark.*`` settings (``key value`` or ``key=value`` lines, as ``spark-defaults.conf``), and
``$DERISK_SPARK_WORKDIR`` the directory or URI for checkpoints (on a cluster: storage every
executor reaches, e.g. ``hdfs:///tmp/derisk`` or ``s3a://bucket/derisk``).

**Trade-origin tracing** is distributed by commodity-year: flows (and production) are grouped by
``(year, commodity)`` and each group's origin matrix ``C = (I − ŝ⁻¹Tᵀ)⁻¹ ŝ⁻¹p̂`` is solved in
its task with :func:`derisk.analysis.trace_trade.origin_shares` (a group is at most one
commodity's countries, ~230). The result has one row per commodity-year and country.

**Look-through ownership** (share of every entity held by an owner set ``S``,
``u_j = s_j + d_j Σ_i W_ij u_i``, ``x_j = Σ_i W_ij u_i``, ``d = 1 − s`` when chains are cut at
the first member) *by components*: weakly connected components are labelled (on the driver up
to ``driver_limit`` links, else on Spark by hooking and pointer jumping, rounds growing as the
logarithm of the component size); components up to ``task_limit`` stakes are packed into buckets
of about ``bucket_stakes`` stakes and each bucket is solved whole in one task with the local
algorithm (:func:`derisk.analysis.ownership.plan` and :func:`~derisk.analysis.ownership.set_share`);
larger components (all of them with ``task_limit = 0``) by iterative joins over the condensed
graph (*level rounds*):

1. *Strongly connected components*, exactly: the graph is trimmed (entities with no holder or
   no holding among the remaining ones are removed, round after round, by joins); the
   remaining core is split into components on the driver with scipy when it has at most
   ``driver_limit`` links, else on Spark by colouring (forward propagation of the least
   id, then backward marking inside each colour; repeated until the core is empty).
2. *Levels* of the condensed graph (longest chain of holders above a component) by rounds of
   joins, and every stake labelled with the level of the entity it is in; stakes are written
   partitioned by that level.
3. *Sweep*: level by level, the inflow ``Σ_i W_ij u_i`` from earlier levels is one join and
   aggregation; entities outside cycles take ``u = s + d·inflow``; each cyclic component is
   solved exactly, ``(I − D B) u = rhs``, in one task (dense LU, or sparse LU above 1,500
   members), with the same closed-cycle rules as the local engine. ``x`` is a last join.

From a Parquet file (:meth:`SparkEngine.lookthrough_parquet`) components are found without
rounds: each partition labels its own stakes' components and hands up a forest, the driver
merges the forests and packs the components into buckets, and one shuffle brings each bucket
to its task (four Spark jobs in all; see the method's docstring).

Every round writes its result to Parquet under the work directory and reads it back, so query
plans stay one round long. One holder's look-through (``owners``) searches its holders by rounds
of joins and solves the (small) subgraph they form on the driver.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from derisk.analysis import ownership as own
from derisk.analysis import trace_trade as tt
from derisk.engines.base import TRACE_COLUMNS, BoolArray, EngineFacts, EngineGap, FloatArray
from derisk.engines.tables import IGNORED_PARTNERS, UNKNOWN_PARTNERS, check_flows, trace_schema
from derisk.errors import BadInputError
from derisk.progress import report

if TYPE_CHECKING:  # Spark frames and sessions are handled as Any (classic and Connect differ)
    DataFrame = Any
    SparkSession = Any

PYSPARK_PIN = "4.1.4"
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": "4g",
    "spark.sql.session.timeZone": "UTC",
}
TRACE_SCHEMA_DDL = (
    "year long, commodity string, country string, supply double, production double, "
    "estimated boolean, selected_share double, unknown_share double"
)


def _read_conf_file(path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in Path(path).read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" in line and (" " not in line or line.index("=") < line.index(" ")):
            key, _, val = line.partition("=")
        else:
            key, _, val = line.partition(" ")
        out[key.strip()] = val.strip()
    return out


class ParquetTrace(NamedTuple):
    """What :meth:`SparkEngine.trace_parquet` wrote: rows, and commodity-years traced."""

    rows: int
    groups: int


class ParquetShares(NamedTuple):
    """What :meth:`SparkEngine.lookthrough_parquet` wrote, and the plan's shape."""

    entities: int
    held: int
    plan: dict[str, int]


@dataclass
class SparkSettings:
    """Where and how the Spark engine runs (see the module docstring for the variables)."""

    master: str = "local[2]"
    remote: str | None = None
    conf: dict[str, str] = field(default_factory=dict)
    workdir: str | None = None
    driver_limit: int = 5_000_000
    """Links up to which components and levels are computed on the driver (collected); above
    it, the graph is trimmed on Spark and the core collected if it is within this limit, else
    split into components by colouring on Spark. 0: everything on Spark."""
    component_limit: int = 200_000
    """Largest cyclic component solved in one task; a larger one raises :class:`EngineGap`."""
    holders_collect_limit: int = 2_000_000
    """Largest holder subgraph (links) of one entity that ``look_through`` collects."""
    task_limit: int = 2_000_000
    """Largest weakly connected component (in stakes) solved whole in one task with the local
    algorithm; larger components are solved by level rounds. 0: every component by level
    rounds."""
    bucket_stakes: int = 500_000
    """Stakes per task (about) when small components are packed into tasks."""
    merge_limit: int = 20_000_000
    """Largest stake file (rows) whose per-partition component forests are merged on the
    driver in :meth:`SparkEngine.lookthrough_parquet` (about 24 bytes per forest row, at most
    one per entity and partition); above it, the components are labelled by Spark rounds."""

    @classmethod
    def from_env(cls) -> SparkSettings:
        env = os.environ
        conf = _read_conf_file(env["DERISK_SPARK_CONF"]) if env.get("DERISK_SPARK_CONF") else {}
        return cls(
            master=env.get("DERISK_SPARK_MASTER", "local[2]"),
            remote=env.get("DERISK_SPARK_REMOTE") or None,
            conf=conf,
            workdir=env.get("DERISK_SPARK_WORKDIR") or None,
            driver_limit=int(env.get("DERISK_SPARK_DRIVER_LIMIT", 5_000_000)),
            component_limit=int(env.get("DERISK_SPARK_COMPONENT_LIMIT", 200_000)),
            holders_collect_limit=int(env.get("DERISK_SPARK_HOLDERS_COLLECT", 2_000_000)),
            task_limit=int(env.get("DERISK_SPARK_TASK_LIMIT", 2_000_000)),
            bucket_stakes=int(env.get("DERISK_SPARK_BUCKET_STAKES", 500_000)),
            merge_limit=int(env.get("DERISK_SPARK_MERGE_LIMIT", 20_000_000)),
        )


def start_session(settings: SparkSettings) -> SparkSession:
    """The Spark session: the active one, Spark Connect, or a new one on ``settings.master``."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder: Any = SparkSession.builder.appName("derisk")
    if settings.remote:
        builder = builder.remote(settings.remote)
        if settings.remote.startswith("local"):  # a Connect server in this process, for tests
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            for k, v in LOCAL_DEFAULTS.items():
                builder = builder.config(k, v)
        for k, v in settings.conf.items():
            builder = builder.config(k, v)
        return builder.getOrCreate()
    if "PYSPARK_GATEWAY_PORT" in os.environ and "DERISK_SPARK_MASTER" not in os.environ:
        # started by spark-submit: its master, executors and memory apply as given
        for k, v in settings.conf.items():
            builder = builder.config(k, v)
        return builder.getOrCreate()
    master = settings.conf.get("spark.master", settings.master)
    if master.startswith("local"):
        # workers run this interpreter (the one with derisk, numpy and scipy)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        for k, v in LOCAL_DEFAULTS.items():
            builder = builder.config(k, v)
    builder = builder.master(master)
    for k, v in settings.conf.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# -- tasks run on the executors (module-level: shipped by reference) -----------------------


def _origin_task(pdf: pd.DataFrame) -> pd.DataFrame:
    """One commodity-period given as dense entries: kind T (i, j, q), P (i, p), U (i, u)."""
    n = int(pdf["n"].iloc[0])
    t = np.zeros((n, n))
    p = np.full(n, np.nan)
    u = np.zeros(n)
    kind = pdf["kind"].to_numpy()
    a = pdf["a"].to_numpy(dtype=np.int64)
    b = pdf["b"].to_numpy(dtype=np.int64)
    v = pdf["v"].to_numpy(dtype=np.float64)
    m = kind == "T"
    t[a[m], b[m]] = v[m]
    m = kind == "P"
    p[a[m]] = v[m]
    m = kind == "U"
    u[a[m]] = v[m]
    o = tt.origin_shares(p, t, u)
    return pd.DataFrame(
        {
            "g": np.full(n, int(pdf["g"].iloc[0]), dtype=np.int64),
            "row": np.arange(n, dtype=np.int64),
            "production": o.production,
            "estimated": o.estimated,
            "unknown_inflow": o.unknown_inflow,
            "supply": o.supply,
            "sourceless": o.sourceless,
            "shares": list(o.shares),
        }
    )


def _trace_task(
    key: tuple[Any, ...], flows: pd.DataFrame, prod: pd.DataFrame, selected: tuple[str, ...]
) -> pd.DataFrame:
    """One commodity-year: dense ``T``, ``p``, ``u`` over the group's countries, then ``C``."""
    if flows.empty:
        return pd.DataFrame({c: [] for c in TRACE_COLUMNS})
    year, commodity = int(key[0]), str(key[1])
    exp = flows["exporter"].astype(str).to_numpy()
    imp = flows["importer"].astype(str).to_numpy()
    q = flows["quantity"].to_numpy(dtype=np.float64)
    unknown = np.isin(exp, UNKNOWN_PARTNERS)
    pc_ = prod["country"].astype(str).to_numpy() if not prod.empty else np.zeros(0, dtype=str)
    pq = prod["quantity"].to_numpy(dtype=np.float64) if not prod.empty else np.zeros(0)
    codes = np.unique(np.concatenate([exp[~unknown], imp, pc_]))
    n = len(codes)
    ei = np.searchsorted(codes, exp[~unknown])
    ii = np.searchsorted(codes, imp)
    t = np.zeros((n, n))
    known = ei != ii[~unknown]
    np.add.at(t, (ei[known], ii[~unknown][known]), q[~unknown][known])
    u = np.zeros(n)
    np.add.at(u, ii[unknown], q[unknown])
    p = np.full(n, np.nan)
    if pc_.size:
        p[np.searchsorted(codes, pc_)] = pq
    o = tt.origin_shares(p, t, u)
    sel = [int(np.searchsorted(codes, c)) for c in selected if c in set(codes.tolist())]
    share = o.share_from(sel) if sel else np.zeros(n)
    keep = o.supply > 0
    return pd.DataFrame(
        {
            "year": np.full(int(keep.sum()), year, dtype=np.int64),
            "commodity": [commodity] * int(keep.sum()),
            "country": codes[keep],
            "supply": o.supply[keep],
            "production": o.production[keep],
            "estimated": o.estimated[keep],
            "selected_share": share[keep],
            "unknown_share": o.shares[keep, n],
        }
    )


def _component_task(nodes: pd.DataFrame, links: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Solve ``(I − D B) u = rhs`` for one cyclic component (rules as the local engine)."""
    ids = nodes["id"].to_numpy(dtype=np.int64)
    if ids.size == 0:
        return pd.DataFrame({"id": np.zeros(0, dtype=np.int64), "u": np.zeros(0)})
    m = ids.size
    if m > limit:
        raise EngineGap(
            f"a cycle of {m} entities is larger than the Spark engine solves in one task "
            f"({limit}; set DERISK_SPARK_COMPONENT_LIMIT)"
        )
    order = np.argsort(ids)
    ids, d, rhs = (
        ids[order],
        nodes["d"].to_numpy(dtype=np.float64)[order],
        nodes["rhs"].to_numpy(dtype=np.float64)[order],
    )
    closed = bool(nodes["closed"].iloc[0])
    row = np.searchsorted(ids, links["dst"].to_numpy(dtype=np.int64))
    col = np.searchsorted(ids, links["src"].to_numpy(dtype=np.int64))
    b = sp.csr_matrix((links["w"].to_numpy(dtype=np.float64), (row, col)), shape=(m, m))
    if closed and bool((d == 1).all()):
        if np.abs(rhs).max(initial=0.0) > 0:
            raise own.ClosedCycleError(
                "chains of holdings enter a closed cycle (a group held entirely by itself)"
            )
        u = np.zeros(m)
    else:
        mat = sp.identity(m, format="csr") - sp.diags(d) @ b
        if m <= own.DENSE_LIMIT:
            try:
                u = np.asarray(sla.solve(mat.toarray(), rhs), dtype=np.float64)
            except (sla.LinAlgError, np.linalg.LinAlgError) as exc:
                raise own.ClosedCycleError("a closed cycle of holdings") from exc
        else:
            u = np.asarray(spla.splu(mat.tocsc()).solve(rhs), dtype=np.float64)
            if not np.all(np.isfinite(u)):
                raise own.ClosedCycleError(f"a closed cycle inside a component of {m} nodes")
    return pd.DataFrame({"id": ids, "u": u})


BUCKET_DDL = (
    "id long, x double, levels long, components long, largest long, cyclic long, "
    "stakes long, seconds double"
)


def _bucket_task(pdf: pd.DataFrame, cut: bool) -> pd.DataFrame:
    """Whole weakly connected components (one bucket of them), solved with the local algorithm.

    Rows: the bucket's stakes ``src, dst, w`` and member flags ``sm, dm`` of their ends. Out:
    ``(id, x)`` for every entity held (x > 0), and one row with ``id = -1`` carrying the
    bucket's plan statistics and the seconds the task took.
    """
    import time

    t0 = time.perf_counter()
    src = pdf["src"].to_numpy(dtype=np.int64)
    dst = pdf["dst"].to_numpy(dtype=np.int64)
    k = src.size
    ids, inv = np.unique(np.concatenate([src, dst]), return_inverse=True)
    inv = np.asarray(inv, dtype=np.int64).ravel()
    m = int(ids.size)
    st = own.Stakes(m, inv[:k], inv[k:], pdf["w"].to_numpy(dtype=np.float64))
    mask = np.zeros(m, dtype=np.bool_)
    mask[inv[:k][pdf["sm"].to_numpy(dtype=np.bool_)]] = True
    mask[inv[k:][pdf["dm"].to_numpy(dtype=np.bool_)]] = True
    p = own.plan(st)
    x = own.set_share(p, mask, cut=cut) if mask.any() else np.zeros(m)
    keep = np.flatnonzero(x > 0)
    zi = np.zeros(keep.size + 1, dtype=np.int64)
    out = pd.DataFrame(
        {
            "id": np.append(ids[keep], -1),
            "x": np.append(x[keep], 0.0),
            "levels": zi,
            "components": zi.copy(),
            "largest": zi.copy(),
            "cyclic": zi.copy(),
            "stakes": zi.copy(),
            "seconds": np.zeros(keep.size + 1),
        }
    )
    last = keep.size
    out.loc[last, ["levels", "components", "largest", "cyclic", "stakes"]] = [
        p.levels, p.components, p.largest_component, p.cyclic_components, k,
    ]  # fmt: skip
    out.loc[last, "seconds"] = time.perf_counter() - t0
    return out


FOREST_DDL = "v long, r long, k long, seconds double"


def _forest_task(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Weakly connected components of one partition's stakes (``hs, hd``: 64-bit hashes of
    the two ends), as a forest: ``(v, r, k)`` for every entity ``v`` of the partition, ``r``
    the least entity of its component in the partition, ``k`` the partition's stakes in that
    component on the row ``v = r`` (0 elsewhere). One row carries the task's CPU seconds."""
    import time

    t0 = time.process_time()
    parts = list(batches)
    if not parts:
        return
    hs = np.concatenate([b.column("hs").to_numpy() for b in parts]).astype(np.int64)
    hd = np.concatenate([b.column("hd").to_numpy() for b in parts]).astype(np.int64)
    k = hs.size
    if k == 0:
        return
    ids, inv = np.unique(np.concatenate([hs, hd]), return_inverse=True)
    inv = np.asarray(inv, dtype=np.int64).ravel()
    m = int(ids.size)
    g = sp.csr_matrix((np.ones(k, dtype=np.int8), (inv[:k], inv[k:])), shape=(m, m))
    nc, lab = csgraph.connected_components(g, directed=False)
    lab = np.asarray(lab, dtype=np.int64)
    # ids are sorted: the first node of each label is its least
    _u, first = np.unique(lab, return_index=True)
    root = ids[first]
    cnt = np.bincount(lab[inv[:k]], minlength=int(nc))
    r = root[lab]
    kk = np.where(ids == r, cnt[lab], 0).astype(np.int64)
    sec = np.zeros(m)
    sec[0] = time.process_time() - t0
    yield pa.RecordBatch.from_arrays(
        [pa.array(ids), pa.array(r), pa.array(kk), pa.array(sec)], names=["v", "r", "k", "seconds"]
    )


ASSIGN_DDL = "bucket int, owner_id string, owned_id string, percent double"
STRING_BUCKET_DDL = (
    "entity string, share double, levels long, components long, largest long, cyclic long, "
    "stakes long, nodes long, held long, seconds double"
)


def _assign_task(
    batches: Iterator[pa.RecordBatch], keys: np.ndarray[Any, Any], vals: np.ndarray[Any, Any]
) -> Iterator[pa.RecordBatch]:
    """Each stake with its bucket (the bucket of the component of its owned entity, looked up
    by the entity's hash in the sorted ``keys``); percent checked on the way. The id columns
    pass through as Arrow (no Python strings)."""
    for b in batches:
        if b.num_rows == 0:
            continue
        pct = b.column("percent").to_numpy(zero_copy_only=False).astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(pct) | (pct < 0) | (pct > 100))
        if bad.size:
            i = int(bad[0])
            raise BadInputError(
                f"stake {b.column('owner_id')[i].as_py()} -> {b.column('owned_id')[i].as_py()}"
                ", field percent: must be between 0 and 100"
            )
        hd = b.column("hd").to_numpy().astype(np.int64)
        pos = np.minimum(np.searchsorted(keys, hd), keys.size - 1)
        if not np.array_equal(keys[pos], hd):  # every entity was labelled in the first pass
            raise EngineGap("an entity missing from the component labels (input changed?)")
        yield pa.RecordBatch.from_arrays(
            [pa.array(vals[pos]), b.column("owner_id"), b.column("owned_id"), pa.array(pct)],
            names=["bucket", "owner_id", "owned_id", "percent"],
        )


def _string_bucket_task(table: pa.Table, members: pa.Array, cut: bool) -> pa.Table:
    """Whole weakly connected components (one bucket), string ids, solved with the local
    algorithm. Out: ``(entity, share)`` for every entity held, and one row with a null entity
    carrying the bucket's plan statistics, entities, entities held and the task's CPU
    seconds."""
    import time

    import pyarrow.compute as pc

    from derisk.engines.tables import encode

    t0 = time.process_time()
    w = table.column("percent").to_numpy().astype(np.float64) / 100.0
    k = w.size
    uniq, (src, dst) = encode([table.column("owner_id"), table.column("owned_id")])
    m = int(uniq.size)
    sums = np.bincount(dst, weights=w, minlength=m)
    over = np.flatnonzero(sums > 1 + own.COLUMN_TOLERANCE)
    if over.size:  # uniq is sorted: the first is the least id
        j = int(over[0])
        raise BadInputError(
            f"the stakes in entity {uniq[j]} add up to {100 * sums[j]:.4g}% (more than 100%)"
        )
    st = own.Stakes(m, src, dst, w)
    mask = np.asarray(
        pc.is_in(pa.array(uniq, type=pa.string()), value_set=members).to_numpy(
            zero_copy_only=False
        ),
        dtype=np.bool_,
    )
    p = own.plan(st)
    x = own.set_share(p, mask, cut=cut) if mask.any() else np.zeros(m)
    keep = np.flatnonzero(x > 0)
    zi = np.zeros(keep.size + 1, dtype=np.int64)
    stats = [p.levels, p.components, p.largest_component, p.cyclic_components, k, m, keep.size]
    cols: dict[str, npt.ArrayLike] = {
        "entity": pa.array([*uniq[keep].tolist(), None], type=pa.string()),
        "share": np.append(x[keep], 0.0),
    }
    for name, val in zip(
        ("levels", "components", "largest", "cyclic", "stakes", "nodes", "held"),
        stats,
        strict=True,
    ):
        col = zi.copy()
        col[-1] = val
        cols[name] = col
    sec = np.zeros(keep.size + 1)
    sec[-1] = time.process_time() - t0
    cols["seconds"] = sec
    return pa.table(cols)


def _parquet_rows(path: str) -> int | None:
    """Rows of a local Parquet file or directory from its footers (no Spark job); None for
    storage pyarrow cannot list here (then Spark counts)."""
    import pyarrow.parquet as pq

    if "://" in path and not path.startswith("file://"):
        return None
    try:
        ds = pq.ParquetDataset(path.removeprefix("file://"))
        return int(sum(f.metadata.num_rows for f in ds.fragments))
    except (OSError, ValueError, pa.ArrowException):
        return None


def _solve_arrow(table, members, cut):  # type: ignore[no-untyped-def]
    """:func:`_string_bucket_task` without type hints: pyspark 4.1's ``applyInArrow`` fails
    when it tries to read them through a ``functools.partial`` (it then takes a table)."""
    return _string_bucket_task(table, members, cut)


_ERRORS: tuple[tuple[str, type[Exception]], ...] = (
    ("ClosedCycleError", own.ClosedCycleError),
    ("EngineGap", EngineGap),
    ("BadInputError", BadInputError),
)


def _reraise(exc: Exception) -> None:
    """A task's ClosedCycleError or EngineGap, raised again on the driver as itself."""
    text = str(exc)
    for name, cls in _ERRORS:
        mark = f"{name}: "
        if mark in text:
            msg = text.split(mark, 1)[1].splitlines()[0].strip()
            raise cls(msg) from None


def structure(src: Any, dst: Any, w: Any) -> dict[str, np.ndarray[Any, Any]]:
    """Components, levels and closed cycles of a (small) layer on the driver, with scipy.

    Same columns as the Spark path: ``id``, ``comp`` (least id of the component), ``level``
    (longest chain of components above), ``special`` (in a cycle: two or more members, or a
    self-holding) and ``closed`` (every member fully held from inside its component).

    >>> c = structure(np.array([0, 1, 2]), np.array([1, 2, 1]), np.array([.5, .4, .3]))
    >>> c["comp"].tolist(), c["level"].tolist(), c["special"].tolist()
    ([0, 1, 1], [0, 1, 1], [False, True, True])
    """
    ids, inv = np.unique(np.concatenate([src, dst]), return_inverse=True)
    m, k = ids.size, np.asarray(src).size
    si, di = inv[:k], inv[k:]
    g = sp.csr_matrix((np.ones(k), (si, di)), shape=(m, m))
    ncomp, labels = csgraph.connected_components(g, directed=True, connection="strong")
    labels = np.asarray(labels, dtype=np.int64)
    least = np.full(int(ncomp), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(least, labels, ids)
    sizes = np.bincount(labels, minlength=int(ncomp))
    loops = np.zeros(int(ncomp), dtype=np.bool_)
    loops[labels[si[si == di]]] = True
    special = (sizes > 1) | loops
    cs, cd = labels[si], labels[di]
    same = cs == cd
    inside = np.bincount(di[same], weights=np.asarray(w)[same], minlength=m)
    least_in = np.full(int(ncomp), np.inf)
    np.minimum.at(least_in, labels, inside)
    closed = special & (least_in >= 1 - 1e-12)
    # longest chain above each component (Kahn's order over the condensed graph)
    pairs = np.unique(np.stack([cs[~same], cd[~same]], axis=1), axis=0)
    level = np.zeros(int(ncomp), dtype=np.int64)
    indeg = (
        np.bincount(pairs[:, 1], minlength=int(ncomp))
        if pairs.size
        else np.zeros(int(ncomp), dtype=np.int64)
    )
    order = np.argsort(pairs[:, 0], kind="stable") if pairs.size else np.zeros(0, np.int64)
    by_src = pairs[order] if pairs.size else pairs
    starts = np.searchsorted(by_src[:, 0], np.arange(int(ncomp) + 1)) if pairs.size else None
    frontier = np.flatnonzero(indeg == 0)
    while frontier.size and starts is not None:
        nxt: list[int] = []
        for c in frontier.tolist():
            for t in by_src[starts[c] : starts[c + 1], 1].tolist():
                level[t] = max(level[t], level[c] + 1)
                indeg[t] -= 1
                if indeg[t] == 0:
                    nxt.append(t)
        frontier = np.asarray(nxt, dtype=np.int64)
    return {
        "id": ids.astype(np.int64),
        "comp": least[labels],
        "level": level[labels],
        "special": special[labels],
        "closed": closed[labels],
    }


# -- plans ---------------------------------------------------------------------------------


@dataclass
class SparkPlan:
    """A layer prepared on Spark: components, levels, and stakes partitioned by level."""

    n: int
    path: str
    levels: int
    special_levels: list[int]
    components: int
    largest_component: int
    cyclic_components: int
    trim_rounds: int = 0
    level_rounds: int = 0
    small: str | None = None
    """Parquet of the stakes of components solved whole in tasks (``bucket, src, dst, w``)."""
    big: SparkPlan | None = None
    """The level plan of the components above the task limit (None: there are none)."""
    weak_components: int = 0
    weak_rounds: int = 0
    largest_weak: int = 0
    """Stakes in the largest weakly connected component."""
    big_components: int = 0
    graph_nodes: int = 0
    """Entities with at least one stake."""
    solved: bool = False
    """Plan statistics of the task-solved components are known (after the first query)."""


class SparkEngine:
    """Apache Spark (local mode, ``spark-submit`` or Spark Connect)."""

    name = "spark"
    _default: SparkEngine | None = None
    _lock = threading.Lock()

    def __init__(
        self,
        spark: SparkSession | None = None,
        settings: SparkSettings | None = None,
    ) -> None:
        self.settings = settings or SparkSettings.from_env()
        self.spark: Any = spark or start_session(self.settings)
        base = self.settings.workdir or tempfile.gettempdir()
        self.run_dir = f"{base.rstrip('/')}/derisk-spark-{uuid.uuid4().hex[:12]}"
        self._count = 0
        self.last: str | None = None
        self.timings: dict[str, float] = {}
        """Seconds and rounds of the last prepare and query (for benchmarks)."""

    @classmethod
    def default(cls) -> SparkEngine:
        """One engine (and session) per process, configured from the environment."""
        with cls._lock:
            if cls._default is None:
                cls._default = cls()
                atexit.register(cls._default.close)
            return cls._default

    def describe(self) -> EngineFacts:
        conf: dict[str, str | int] = {}
        if not self.settings.remote:
            sc = self.spark.sparkContext
            conf = {"master": sc.master, "default_parallelism": sc.defaultParallelism}
        return {
            "engine": self.name,
            "spark": str(self.spark.version),
            "pyspark_pin": PYSPARK_PIN,
            "connect": bool(self.settings.remote),
            "workdir": self.run_dir,
            **conf,
            "shuffle_partitions": self.spark.conf.get("spark.sql.shuffle.partitions"),
        }

    def close(self) -> None:
        """Remove this engine's checkpoints (local work directories only)."""
        if "://" not in self.run_dir or self.run_dir.startswith("file://"):
            shutil.rmtree(self.run_dir.removeprefix("file://"), ignore_errors=True)

    # -- checkpoints -----------------------------------------------------------------------

    def _path(self, tag: str) -> str:
        self._count += 1
        return f"{self.run_dir}/{self._count:06d}-{tag}"

    def _ckpt(self, df: DataFrame, tag: str) -> DataFrame:
        """Write ``df`` to Parquet and read it back: the plan restarts from the files.
        The path is kept in ``self.last`` (for :meth:`_rm` once the frame is superseded)."""
        path = self._path(tag)
        df.write.mode("overwrite").parquet(path)
        self.last = path
        return self.spark.read.parquet(path)

    def _rm(self, path: str | None) -> None:
        """Delete a superseded checkpoint (local work directories only)."""
        if path and ("://" not in path or path.startswith("file://")):
            shutil.rmtree(path.removeprefix("file://"), ignore_errors=True)

    def _frame(self, columns: Mapping[str, npt.ArrayLike], ddl: str) -> DataFrame:
        """A Spark frame from numpy columns (Arrow; works over Spark Connect too)."""
        return self.spark.createDataFrame(pd.DataFrame(columns), schema=ddl)

    # -- trade -----------------------------------------------------------------------------

    def origin_shares(
        self, production: FloatArray, trade: FloatArray, unknown_inflow: FloatArray | None = None
    ) -> tt.Origins:
        """:func:`~derisk.analysis.trace_trade.origin_shares`, solved in a Spark task."""
        production = np.asarray(production, dtype=np.float64)
        trade = np.asarray(trade, dtype=np.float64)
        u = None if unknown_inflow is None else np.asarray(unknown_inflow, dtype=np.float64)
        tt._check(production, trade, u)
        n = production.shape[0]
        ti, tj = np.nonzero(trade)
        known = np.flatnonzero(~np.isnan(production))
        ui = np.flatnonzero(u) if u is not None else np.zeros(0, dtype=np.int64)
        kinds = ["T"] * ti.size + ["P"] * known.size + ["U"] * ui.size
        a = np.concatenate([ti, known, ui]).astype(np.int64)
        b = np.concatenate([tj, np.zeros(known.size + ui.size, dtype=np.int64)])
        v = np.concatenate(
            [trade[ti, tj], production[known], u[ui] if u is not None else np.zeros(0)]
        )
        if a.size == 0:  # nothing known: one placeholder entry keeps the group
            kinds, a, b, v = ["U"], np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1)
        df = self._frame(
            {"g": np.zeros(a.size, np.int64), "n": np.full(a.size, n, np.int64), "kind": kinds,
             "a": a, "b": b, "v": v},
            "g long, n long, kind string, a long, b long, v double",
        )  # fmt: skip
        out = (
            df.groupBy("g")
            .applyInPandas(
                _origin_task,
                "g long, row long, production double, estimated boolean, "
                "unknown_inflow double, supply double, sourceless boolean, shares array<double>",
            )
            .toPandas()
            .sort_values("row")
        )
        return tt.Origins(
            production=out["production"].to_numpy(dtype=np.float64),
            estimated=out["estimated"].to_numpy(dtype=np.bool_),
            unknown_inflow=out["unknown_inflow"].to_numpy(dtype=np.float64),
            supply=out["supply"].to_numpy(dtype=np.float64),
            shares=np.ascontiguousarray(np.stack(out["shares"].to_list()).astype(np.float64)),
            sourceless=out["sourceless"].to_numpy(dtype=np.bool_),
        )

    def trace_frame(
        self, flows: DataFrame, production: DataFrame | None, selected: Sequence[str]
    ) -> DataFrame:
        """Origins of every commodity-year of a flows frame (one task per commodity-year)."""
        from pyspark.sql import functions as F

        f = flows.select(
            F.col("year").cast("long").alias("year"),
            F.col("commodity").cast("string").alias("commodity"),
            F.col("exporter").cast("string").alias("exporter"),
            F.col("importer").cast("string").alias("importer"),
            F.col("quantity").cast("double").alias("quantity"),
        )
        bad = f.where(F.col("quantity").isNull() | (F.col("quantity") < 0)).limit(1).collect()
        if bad:
            r = bad[0]
            raise BadInputError(
                f"trade flows row ({r['year']}, {r['commodity']}, {r['exporter']}, "
                f"{r['importer']}), field quantity: must be a number >= 0"
            )
        f = f.where(
            ~F.col("exporter").isin(*IGNORED_PARTNERS)
            & ~F.col("importer").isin(*IGNORED_PARTNERS, *UNKNOWN_PARTNERS)
        )
        if production is None:
            p = self._frame(
                {"year": np.zeros(0, np.int64), "commodity": [], "country": [],
                 "quantity": np.zeros(0)},
                "year long, commodity string, country string, quantity double",
            )  # fmt: skip
        else:
            p = production.select(
                F.col("year").cast("long").alias("year"),
                F.col("commodity").cast("string").alias("commodity"),
                F.col("country").cast("string").alias("country"),
                F.col("quantity").cast("double").alias("quantity"),
            )
        task = functools.partial(_trace_task, selected=tuple(selected))
        return (
            f.groupBy("year", "commodity")
            .cogroup(p.groupBy("year", "commodity"))
            .applyInPandas(task, TRACE_SCHEMA_DDL)
        )

    def trace_table(
        self, flows: pa.Table, production: pa.Table | None, selected: Sequence[str]
    ) -> pa.Table:
        check_flows(flows, production)
        fdf = self.spark.createDataFrame(flows.to_pandas())
        pdf = (
            self.spark.createDataFrame(
                production.to_pandas(),
                schema="year long, commodity string, country string, quantity double",
            )
            if production is not None and production.num_rows
            else None
        )
        out = self.trace_frame(fdf, pdf, selected).toPandas()
        out = out.sort_values(["year", "commodity", "country"], kind="stable")
        return pa.Table.from_pandas(out, schema=trace_schema(), preserve_index=False)

    def trace_parquet(
        self, flows: str, production: str | None, selected: Sequence[str], out: str
    ) -> ParquetTrace:
        """Parquet in, Parquet out (partitioned by year): the path for data on a cluster."""
        fdf = self.spark.read.parquet(flows)
        pdf = self.spark.read.parquet(production) if production else None
        res = self.trace_frame(fdf, pdf, selected)
        res.sortWithinPartitions("commodity", "country").write.mode("overwrite").partitionBy(
            "year"
        ).parquet(out)
        back = self.spark.read.parquet(out)
        return ParquetTrace(
            rows=back.count(), groups=back.select("year", "commodity").distinct().count()
        )

    # -- ownership: plan -------------------------------------------------------------------

    def stakes_frame(self, stakes: own.Stakes) -> DataFrame:
        return self._frame(
            {"src": stakes.owner.astype(np.int64), "dst": stakes.owned.astype(np.int64),
             "w": stakes.share.astype(np.float64)},
            "src long, dst long, w double",
        )  # fmt: skip

    def prepare(self, stakes: own.Stakes) -> SparkPlan:
        """Components, levels and level-partitioned stakes of a layer (see the module doc)."""
        return self.prepare_frame(self.stakes_frame(stakes), stakes.n)

    def prepare_frame(self, links: DataFrame, n: int) -> SparkPlan:
        """Plan a layer given as a ``(src, dst, w)`` frame over nodes ``0..n-1``."""
        from pyspark.sql import functions as F

        e = self._ckpt(links.groupBy("src", "dst").agg(F.sum("w").alias("w")), "stakes")
        e_path = self.last
        over = (
            e.groupBy("dst").agg(F.sum("w").alias("s")).where(F.col("s") > 1 + own.COLUMN_TOLERANCE)
        )
        bad = over.orderBy("dst").limit(1).collect()
        if bad:
            j, total = int(bad[0]["dst"]), float(bad[0]["s"])
            more = over.count() - 1
            raise BadInputError(
                f"the stakes in node {j} add up to {100 * total:.4g}% (more than 100%)"
                + (f", and in {more} other node(s)" if more else "")
            )
        live = e.where(F.col("w") > 0)
        count = live.count()
        if count == 0:  # no stake: nothing is held
            self._rm(e_path)
            return SparkPlan(n, "", 0, [], n, 1 if n else 0, 0)
        if self.settings.task_limit > 0:
            plan = self._prepare_components(live, n, count)
        else:
            plan = self._prepare_levels(live, n, count)
        self._rm(e_path)
        return plan

    def _prepare_components(self, live: DataFrame, n: int, count: int) -> SparkPlan:
        """Weakly connected components: those up to ``task_limit`` stakes are packed into
        buckets solved whole in one task each; the larger ones get a level plan."""
        from pyspark.sql import functions as F

        t0 = time.perf_counter()
        labels, rounds = self._weak_labels(live, count)
        labels_path = self.last
        self.timings["weak_s"] = time.perf_counter() - t0
        self.timings["weak_rounds"] = rounds
        ce = self._ckpt(
            live.join(labels.select(F.col("id").alias("src"), "cc"), "src"), "weak-stakes"
        )
        ce_path = self.last
        limit = self.settings.task_limit
        sizes = ce.groupBy("cc").agg(F.count("*").alias("k"))
        row = sizes.agg(
            F.count("*").alias("comps"),
            F.max("k").alias("largest"),
            F.sum(F.when(F.col("k") > limit, F.col("k")).otherwise(0)).alias("big_stakes"),
            F.sum((F.col("k") > limit).cast("long")).alias("big"),
        ).collect()[0]
        nodes = labels.count()
        big_stakes, nbig = int(row["big_stakes"] or 0), int(row["big"] or 0)
        small_stakes = count - big_stakes
        path = self._path("plan")
        small = None
        if small_stakes:
            parts = int(self.spark.conf.get("spark.sql.shuffle.partitions") or 2)
            buckets = max(parts, -(-small_stakes // max(1, self.settings.bucket_stakes)))
            keep = ce
            if nbig:
                keep = ce.join(sizes.where(F.col("k") > limit).select("cc"), "cc", "left_anti")
            small = f"{path}/small"
            keep.select(
                F.pmod(F.xxhash64("cc"), F.lit(buckets)).alias("bucket"), "src", "dst", "w"
            ).write.mode("overwrite").parquet(small)
        sub = None
        if nbig:
            report(f"{nbig} component(s) above {limit} stakes: level rounds")
            blinks = ce.join(sizes.where(F.col("k") > limit).select("cc"), "cc", "left_semi")
            sub = self._prepare_levels(blinks.select("src", "dst", "w"), n, big_stakes)
        self._rm(ce_path)
        self._rm(labels_path)
        self.timings["prepare_components_s"] = time.perf_counter() - t0
        return SparkPlan(
            n=n,
            path=path,
            levels=sub.levels if sub else 0,
            special_levels=sub.special_levels if sub else [],
            components=n,
            largest_component=1 if n else 0,
            cyclic_components=0,
            trim_rounds=sub.trim_rounds if sub else 0,
            level_rounds=sub.level_rounds if sub else 0,
            small=small,
            big=sub,
            weak_components=int(row["comps"]),
            weak_rounds=rounds,
            largest_weak=int(row["largest"] or 0),
            big_components=nbig,
            graph_nodes=nodes,
        )

    def _weak_labels(self, live: DataFrame, count: int) -> tuple[DataFrame, int]:
        """``(id, cc)`` for every entity with a stake, ``cc`` the least id of its weakly
        connected component, and the number of Spark rounds it took (0: on the driver).

        On Spark, by hooking and pointer jumping: the links are kept as pairs of current roots
        ``(a, b)``, ``a < b``; in a round every root ``b`` hooks onto its least neighbour
        ``a`` (so every root that has a smaller neighbour moves), the hooks are followed to
        their ends by pointer jumping (doubling: ⌈log₂ chain⌉ joins), the links are renamed to
        the new roots and those inside one tree dropped. Each root merges with a neighbour
        tree or receives one, so the rounds grow about as the logarithm of the component
        size. Every entity is hooked at most once: the union of the rounds' hooks is a forest
        of depth at most the number of rounds, resolved at the end by pointer jumping."""
        from pyspark.sql import functions as F

        if count <= self.settings.driver_limit:
            pdf = live.select("src", "dst").toPandas()
            src = pdf["src"].to_numpy(dtype=np.int64)
            dst = pdf["dst"].to_numpy(dtype=np.int64)
            ids, inv = np.unique(np.concatenate([src, dst]), return_inverse=True)
            m, k = ids.size, src.size
            g = sp.csr_matrix((np.ones(k), (inv[:k], inv[k:])), shape=(m, m))
            nc, lab = csgraph.connected_components(g, directed=True, connection="weak")
            least = np.full(int(nc), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(least, lab, ids)
            out = self._ckpt(self._frame({"id": ids, "cc": least[lab]}, "id long, cc long"), "cc")
            return out, 0
        e = self._ckpt(
            live.where(F.col("src") != F.col("dst"))
            .select(F.least("src", "dst").alias("a"), F.greatest("src", "dst").alias("b"))
            .distinct(),
            "undirected",
        )
        e_path = self.last
        hooks: list[str] = []
        rounds = 0
        while e.limit(1).count():
            rounds += 1
            hook, hook_path = self._jump(e.groupBy("b").agg(F.min("a").alias("p")))
            hooks.append(hook_path)
            pa = hook.select(F.col("b").alias("a"), F.col("p").alias("pa"))
            pb = hook.select("b", F.col("p").alias("pb"))
            x, y = F.coalesce("pa", "a"), F.coalesce("pb", "b")
            nxt = self._ckpt(
                e.join(pa, "a", "left")
                .join(pb, "b", "left")
                .where(x != y)
                .select(F.least(x, y).alias("a"), F.greatest(x, y).alias("b"))
                .distinct(),
                "undirected",
            )
            self._rm(e_path)
            e, e_path = nxt, self.last
            report(f"components: weak round {rounds}")
        self._rm(e_path)
        nodes = live.select(F.col("src").alias("id")).union(live.select(F.col("dst").alias("id")))
        if hooks:
            par, par_path = self._jump(
                functools.reduce(
                    lambda p, q: p.union(q), (self.spark.read.parquet(h) for h in hooks)
                )
            )
            out = self._ckpt(
                nodes.distinct()
                .join(par.withColumnRenamed("b", "id"), "id", "left")
                .select("id", F.coalesce("p", "id").alias("cc")),
                "cc",
            )
            self._rm(par_path)
        else:
            out = self._ckpt(nodes.distinct().select("id", F.col("id").alias("cc")), "cc")
        for h in hooks:
            self._rm(h)
        return out, rounds

    def _jump(self, pointers: DataFrame) -> tuple[DataFrame, str]:
        """Pointer jumping on ``(b, p)`` pointers (``p < b``, acyclic) until every ``p`` is a
        root (not itself a ``b``): each pass doubles the distance covered."""
        from pyspark.sql import functions as F

        cur = self._ckpt(pointers, "hook")
        cur_path = self.last
        while True:
            up = cur.select(F.col("b").alias("p"), F.col("p").alias("pp"))
            nxt = self._ckpt(
                cur.join(up, "p", "left").select(
                    "b", F.coalesce("pp", "p").alias("p"), F.col("pp").isNotNull().alias("moved")
                ),
                "hook",
            )
            self._rm(cur_path)
            cur_path = str(self.last)
            moved = nxt.where("moved").limit(1).count()
            cur = nxt.select("b", "p")
            if not moved:
                return cur, cur_path

    def _prepare_levels(self, live: DataFrame, n: int, count: int) -> SparkPlan:
        """The level plan (module doc: components, levels, stakes partitioned by level)."""
        from pyspark.sql import functions as F

        trim_rounds = level_rounds = 0
        if count <= self.settings.driver_limit:
            report(f"components and levels on the driver ({count} links)")
            pdf = live.toPandas()
            cols = structure(
                pdf["src"].to_numpy(dtype=np.int64),
                pdf["dst"].to_numpy(dtype=np.int64),
                pdf["w"].to_numpy(dtype=np.float64),
            )
            nodes = self._frame(
                cols, "id long, comp long, level long, special boolean, closed boolean"
            )
        else:
            nodes, trim_rounds, level_rounds = self._structure(live)
        a = nodes.select(F.col("id").alias("src"), F.col("comp").alias("scomp"))
        b = nodes.select(
            F.col("id").alias("dst"), F.col("comp").alias("dcomp"), F.col("level").alias("lvl")
        )
        path = self._path("plan")
        live.join(a, "src").join(b, "dst").select(
            "src", "dst", "w", "lvl", (F.col("scomp") == F.col("dcomp")).alias("internal"),
            F.col("dcomp").alias("comp"),
        ).write.mode("overwrite").partitionBy("lvl").parquet(f"{path}/edges")  # fmt: skip
        nodes.write.mode("overwrite").partitionBy("level").parquet(f"{path}/nodes")
        stats = (
            self.spark.read.parquet(f"{path}/nodes")
            .groupBy("comp")
            .agg(F.count("*").alias("size"), F.max("level").alias("level"),
                 F.max(F.col("special").cast("int")).alias("special"))
            .groupBy("level", "special")
            .agg(F.count("*").alias("components"), F.max("size").alias("largest"),
                 F.sum((F.col("size") > 1).cast("int")).alias("cyclic"),
                 F.sum("size").alias("nodes"))
            .collect()
        )  # fmt: skip
        return SparkPlan(
            n=n,
            path=path,
            levels=max((int(r["level"]) + 1 for r in stats), default=0),
            special_levels=sorted({int(r["level"]) for r in stats if r["special"]}),
            # entities without a stake are components of their own, as in the local plan
            components=sum(int(r["components"]) for r in stats)
            + n
            - sum(int(r["nodes"]) for r in stats),
            largest_component=max((int(r["largest"]) for r in stats), default=1 if n else 0),
            cyclic_components=sum(int(r["cyclic"]) for r in stats),
            trim_rounds=trim_rounds,
            level_rounds=level_rounds,
            graph_nodes=sum(int(r["nodes"]) for r in stats),
            solved=True,
        )

    def _structure(self, live: DataFrame) -> tuple[DataFrame, int, int]:
        """``(id, comp, level, special, closed)`` for every node, computed on Spark."""
        from pyspark.sql import functions as F

        report("components: trimming")
        core, trim_rounds = self._trim(
            live.where(F.col("src") != F.col("dst")).select("src", "dst")
        )
        comps = self._components(core)
        nodes = (
            live.select(F.col("src").alias("id"))
            .union(live.select(F.col("dst").alias("id")))
            .distinct()
            .join(comps, "id", "left")
            .withColumn("comp", F.coalesce("comp", "id"))
        )
        selfloop = live.where(F.col("src") == F.col("dst")).select(
            F.col("src").alias("id"), F.lit(True).alias("selfloop")
        )
        sizes = nodes.groupBy("comp").agg(F.count("*").alias("size"))
        nodes = self._ckpt(
            nodes.join(sizes, "comp")
            .join(selfloop, "id", "left")
            .select(
                "id",
                "comp",
                ((F.col("size") > 1) | F.coalesce("selfloop", F.lit(False))).alias("special"),
            ),
            "nodes",
        )
        report("levels")
        levels, level_rounds = self._levels(live, nodes)
        a = nodes.select(F.col("id").alias("src"), F.col("comp").alias("scomp"))
        b = nodes.select(F.col("id").alias("dst"), F.col("comp").alias("dcomp"))
        inside = (
            live.join(a, "src")
            .join(b, "dst")
            .where(F.col("scomp") == F.col("dcomp"))
            .groupBy("dst")
            .agg(F.sum("w").alias("inside"))
        )
        closed = (
            nodes.where("special")
            .join(inside, nodes.id == inside.dst, "left")
            .groupBy("comp")
            .agg(F.min(F.coalesce("inside", F.lit(0.0))).alias("least"))
            .select("comp", (F.col("least") >= 1 - 1e-12).alias("closed"))
        )
        out = self._ckpt(
            nodes.join(levels, "comp")
            .join(closed, "comp", "left")
            .select(
                "id",
                "comp",
                F.col("level").cast("long").alias("level"),
                "special",
                F.coalesce("closed", F.lit(False)).alias("closed"),
            ),
            "structure",
        )
        return out, trim_rounds, level_rounds

    def _trim(self, links: DataFrame) -> tuple[DataFrame, int]:
        """Drop, round after round, entities with no holder or no holding left: the core."""
        from pyspark.sql import functions as F

        cur = self._ckpt(links, "links")
        cur_path = self.last
        count = cur.count()
        rounds = 0
        while count:
            rounds += 1
            ins = cur.select(F.col("dst").alias("id")).distinct()
            outs = cur.select(F.col("src").alias("id")).distinct()
            keep = ins.join(outs, "id")
            nxt = cur.join(keep.withColumnRenamed("id", "src"), "src", "left_semi").join(
                keep.withColumnRenamed("id", "dst"), "dst", "left_semi"
            )
            nxt = self._ckpt(nxt.select("src", "dst"), "trim")
            n2 = nxt.count()
            self._rm(cur_path)
            cur, cur_path = nxt, self.last
            report(f"components: trim round {rounds}, {n2} links left")
            if n2 == count:
                break
            count = n2
        return cur, rounds

    def _components(self, core: DataFrame) -> DataFrame:
        """``(id, comp)`` for every entity in a cycle of two or more (``comp``: least id)."""
        count = core.count()
        if 0 < count <= self.settings.driver_limit:
            pdf = core.toPandas()
            if pdf.empty:
                return self._frame(
                    {"id": np.zeros(0, np.int64), "comp": np.zeros(0, np.int64)},
                    "id long, comp long",
                )
            src = pdf["src"].to_numpy(dtype=np.int64)
            dst = pdf["dst"].to_numpy(dtype=np.int64)
            ids, inv = np.unique(np.concatenate([src, dst]), return_inverse=True)
            m = ids.size
            g = sp.csr_matrix((np.ones(src.size), (inv[: src.size], inv[src.size :])), (m, m))
            _nc, labels = csgraph.connected_components(g, directed=True, connection="strong")
            least = np.full(int(labels.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(least, labels, ids)
            sizes = np.bincount(labels)
            keep = sizes[labels] > 1
            return self._frame({"id": ids[keep], "comp": least[labels[keep]]}, "id long, comp long")
        return self._colour(core)

    def _colour(self, core: DataFrame) -> DataFrame:
        """Components by colouring on Spark (for cores too large for the driver)."""
        from pyspark.sql import functions as F

        found: list[DataFrame] = []
        cur = core
        outer = 0
        while cur.count():
            outer += 1
            ids = cur.select(F.col("src").alias("id")).union(cur.select(F.col("dst").alias("id")))
            col = self._ckpt(ids.distinct().select("id", F.col("id").alias("c")), "colour")
            col_path = self.last
            inner = 0
            while True:  # forward: c = least id among the entity and everything above it
                inner += 1
                m = cur.join(col, cur.src == col.id).groupBy("dst").agg(F.min("c").alias("m"))
                nxt = col.join(m, col.id == m.dst, "left").select(
                    "id",
                    F.least("c", F.coalesce("m", "c")).alias("c"),
                    (F.coalesce(F.col("m"), F.col("c")) < F.col("c")).alias("changed"),
                )
                nxt = self._ckpt(nxt, "colour")
                changed = nxt.where("changed").limit(1).count()
                self._rm(col_path)
                col, col_path = nxt.select("id", "c"), self.last
                report(f"components: colouring pass {outer}, round {inner}")
                if not changed:
                    break
            a = col.select(F.col("id").alias("src"), F.col("c").alias("cs"))
            b = col.select(F.col("id").alias("dst"), F.col("c").alias("cd"))
            same = self._ckpt(
                cur.join(a, "src").join(b, "dst").where(F.col("cs") == F.col("cd"))
                .select("src", "dst", F.col("cs").alias("c")),
                "same",
            )  # fmt: skip
            mark = self._ckpt(col.where(F.col("id") == F.col("c")), "mark")
            mark_path = self.last
            size = mark.count()
            while True:  # backward: what reaches its colour's root inside the colour
                back = same.join(mark.select(F.col("id").alias("dst"), "c"), ["dst", "c"])
                nxt = self._ckpt(
                    back.select(F.col("src").alias("id"), "c").union(mark).distinct(), "mark"
                )
                n2 = nxt.count()
                self._rm(mark_path)
                mark, mark_path = nxt, self.last
                if n2 == size:
                    break
                size = n2
            found.append(mark.select("id", F.col("c").alias("comp")))
            done = mark.select("id")
            cur = cur.join(done.withColumnRenamed("id", "src"), "src", "left_anti").join(
                done.withColumnRenamed("id", "dst"), "dst", "left_anti"
            )
            cur, _ = self._trim(cur.select("src", "dst"))
        if not found:
            return self._frame(
                {"id": np.zeros(0, np.int64), "comp": np.zeros(0, np.int64)},
                "id long, comp long",
            )
        allc = functools.reduce(lambda x, y: x.union(y), found)
        sizes = allc.groupBy("comp").agg(F.count("*").alias("k")).where(F.col("k") > 1)
        return self._ckpt(allc.join(sizes.select("comp"), "comp").select("id", "comp"), "comps")

    def _levels(self, live: DataFrame, nodes: DataFrame) -> tuple[DataFrame, int]:
        """``(comp, level)``: the longest chain of holders above each component (rounds of
        Kahn's order over the condensed links: the round in which a component's last holder
        component is placed)."""
        from pyspark.sql import functions as F

        a = nodes.select(F.col("id").alias("src"), F.col("comp").alias("cs"))
        b = nodes.select(F.col("id").alias("dst"), F.col("comp").alias("cd"))
        cedges = self._ckpt(
            live.join(a, "src").join(b, "dst").where(F.col("cs") != F.col("cd"))
            .select("cs", "cd").distinct(),
            "condensed",
        )  # fmt: skip
        cedges_path = self.last
        # Kahn's order by rounds: a component is placed once all its holders' components are;
        # its level is the round. Each round touches the links out of the last frontier only.
        indeg = cedges.groupBy(F.col("cd").alias("comp")).agg(F.count("*").alias("rem"))
        comps = nodes.select("comp").distinct()
        rem = self._ckpt(
            comps.join(indeg, "comp", "left").select(
                "comp", F.coalesce("rem", F.lit(0)).cast("long").alias("rem")
            ),
            "pending",
        )
        rem_path = self.last
        ldir = self._path("levels")
        frontier = rem.where(F.col("rem") == 0).select("comp")
        rounds = 0
        while True:
            frontier.write.mode("overwrite").parquet(f"{ldir}/level={rounds}")
            front = self.spark.read.parquet(f"{ldir}/level={rounds}")
            if not front.limit(1).count():
                self._rm(f"{ldir}/level={rounds}")
                break
            rounds += 1
            report(f"levels: round {rounds}")
            dec = (
                cedges.join(F.broadcast(front.withColumnRenamed("comp", "cs")), "cs")
                .groupBy(F.col("cd").alias("comp"))
                .agg(F.count("*").alias("k"))
            )
            nxt = self._ckpt(
                rem.join(front, "comp", "left_anti")
                .join(dec, "comp", "left")
                .select(
                    "comp",
                    (F.col("rem") - F.coalesce("k", F.lit(0))).alias("rem"),
                    F.col("k").isNotNull().alias("hit"),
                ),
                "pending",
            )
            self._rm(rem_path)
            rem, rem_path = nxt, self.last
            frontier = rem.where((F.col("rem") == 0) & F.col("hit")).select("comp")
        self._rm(rem_path)
        lv = self.spark.read.parquet(ldir).select("comp", "level")
        self._rm(cedges_path)
        return lv, rounds

    # -- ownership: queries ----------------------------------------------------------------

    def set_share(
        self, prepared: Any, members: BoolArray | Sequence[int], *, cut: bool = True
    ) -> FloatArray:
        """Share of every entity held by ``members`` (local node indices), swept on Spark."""
        plan: SparkPlan = prepared
        mask = own._mask(plan.n, members)
        idx = np.flatnonzero(mask).astype(np.int64)
        mdf = self._frame({"id": idx}, "id long")
        res = self.sweep(plan, mdf, cut=cut).toPandas()
        self._rm(self.last)
        out = np.zeros(plan.n)
        out[res["id"].to_numpy(dtype=np.int64)] = res["x"].to_numpy(dtype=np.float64)
        return out

    def sweep(self, plan: SparkPlan, members: DataFrame, *, cut: bool = True) -> DataFrame:
        """``(id, x)`` for every held entity: components up to the task limit in one task
        each (packed in buckets), larger ones by the level-by-level sweep of the module doc.
        The frame is a checkpoint whose path is left in ``self.last``."""
        from pyspark.sql import functions as F

        mem = members.select(F.col("id").cast("long").alias("id")).distinct()
        if plan.small is None and plan.big is None:
            return self._sweep_levels(plan, mem, cut=cut)
        t0 = time.perf_counter()
        parts: list[DataFrame] = []
        paths: list[str | None] = []
        if plan.small is not None:
            parts.append(self._sweep_small(plan, mem, cut=cut))
            paths.append(self.last)
        if plan.big is not None:
            t1 = time.perf_counter()
            parts.append(self._sweep_levels(plan.big, mem, cut=cut))
            paths.append(self.last)
            self.timings["levels_sweep_s"] = time.perf_counter() - t1
        if len(parts) == 1:
            self.timings["sweep_s"] = time.perf_counter() - t0
            return parts[0]
        x = self._ckpt(parts[0].union(parts[1]), "shares")
        for path in paths:
            self._rm(path)
        self.timings["sweep_s"] = time.perf_counter() - t0
        return x

    def _sweep_small(self, plan: SparkPlan, mem: DataFrame, *, cut: bool) -> DataFrame:
        """Every bucket of whole components solved in one task (:func:`_bucket_task`)."""
        from pyspark.sql import functions as F

        t0 = time.perf_counter()
        e = self.spark.read.parquet(str(plan.small))
        ms = mem.select(F.col("id").alias("src"), F.lit(True).alias("sm"))
        md = mem.select(F.col("id").alias("dst"), F.lit(True).alias("dm"))
        e = (
            e.join(ms, "src", "left")
            .join(md, "dst", "left")
            .select(
                "bucket", "src", "dst", "w",
                F.coalesce("sm", F.lit(False)).alias("sm"),
                F.coalesce("dm", F.lit(False)).alias("dm"),
            )
        )  # fmt: skip
        res = e.groupBy("bucket").applyInPandas(
            functools.partial(_bucket_task, cut=cut), BUCKET_DDL
        )
        try:
            out = self._ckpt(res, "bucket-shares")
        except Exception as exc:
            _reraise(exc)
            raise
        st = (
            out.where(F.col("id") < 0)
            .agg(
                F.max("levels").alias("levels"), F.sum("components").alias("components"),
                F.max("largest").alias("largest"), F.sum("cyclic").alias("cyclic"),
                F.sum("stakes").alias("stakes"), F.sum("seconds").alias("seconds"),
                F.count("*").alias("buckets"),
            )
            .collect()[0]
        )  # fmt: skip
        self.timings.update(
            small_sweep_s=time.perf_counter() - t0,
            task_s=float(st["seconds"] or 0.0),
            task_stakes=float(st["stakes"] or 0),
            buckets=float(st["buckets"] or 0),
        )
        if not plan.solved:  # the statistics of the whole layer, as the local plan gives them
            big = plan.big
            levels = int(st["levels"] or 0)
            comps = int(st["components"] or 0) + plan.n - plan.graph_nodes
            largest = int(st["largest"] or 0)
            cyclic = int(st["cyclic"] or 0)
            if big is not None:
                levels = max(levels, big.levels)
                comps += big.components - (big.n - big.graph_nodes)
                largest = max(largest, big.largest_component)
                cyclic += big.cyclic_components
            plan.levels, plan.components = levels, comps
            plan.largest_component, plan.cyclic_components = largest, cyclic
            plan.solved = True
        return out.where(F.col("id") >= 0).select("id", "x")

    def _sweep_levels(self, plan: SparkPlan, mem: DataFrame, *, cut: bool = True) -> DataFrame:
        """``(id, x)`` by the level-by-level sweep of the module doc."""
        from pyspark.sql import functions as F

        mem = mem.withColumn("s", F.lit(1.0))
        if plan.levels == 0:
            self.last = None
            return self._frame({"id": np.zeros(0, np.int64), "x": np.zeros(0)}, "id long, x double")
        udir = self._path("sweep")
        edges = self.spark.read.parquet(f"{plan.path}/edges")
        nodes = self.spark.read.parquet(f"{plan.path}/nodes")
        task = functools.partial(_component_task, limit=self.settings.component_limit)
        for lvl in range(plan.levels):
            report(f"sweep: level {lvl + 1} of {plan.levels}", lvl + 1, plan.levels)
            nl = nodes.where(F.col("level") == lvl).join(mem, "id", "left")
            nl = nl.withColumn("s", F.coalesce("s", F.lit(0.0)))
            if lvl:
                prev = self.spark.read.parquet(udir)
                ext = edges.where((F.col("lvl") == lvl) & ~F.col("internal"))
                inflow = (
                    ext.join(prev, ext.src == prev.id)
                    .groupBy("dst")
                    .agg(F.sum(F.col("w") * F.col("u")).alias("inflow"))
                )
                nl = nl.join(inflow, nl.id == inflow.dst, "left").drop("dst")
                nl = nl.withColumn("inflow", F.coalesce("inflow", F.lit(0.0)))
            else:
                nl = nl.withColumn("inflow", F.lit(0.0))
            d = (F.lit(1.0) - F.col("s")) if cut else F.lit(1.0)
            nl = nl.withColumn("d", d).withColumn("rhs", F.col("s") + F.col("d") * F.col("inflow"))
            u = nl.where(~F.col("special")).select("id", F.col("rhs").alias("u"))
            if lvl in plan.special_levels:
                inner = edges.where((F.col("lvl") == lvl) & F.col("internal")).select(
                    "comp", "src", "dst", "w"
                )
                solved = (
                    nl.where("special")
                    .select("comp", "id", "d", "rhs", "closed")
                    .groupBy("comp")
                    .cogroup(inner.groupBy("comp"))
                    .applyInPandas(task, "id long, u double")
                )
                u = u.union(solved)
            try:
                u.write.mode("overwrite").parquet(f"{udir}/level={lvl}")
            except Exception as exc:
                _reraise(exc)
                raise
        allu = self.spark.read.parquet(udir)
        x = self._ckpt(
            edges.join(allu, edges.src == allu.id)
            .groupBy("dst")
            .agg(F.sum(F.col("w") * F.col("u")).alias("x"))
            .select(F.col("dst").alias("id"), "x"),
            "shares",
        )
        self._rm(udir)
        return x

    def lookthrough_parquet(
        self,
        stakes: str,
        members: Sequence[str],
        out: str,
        *,
        interest: str = "equity",
        cut: bool = True,
    ) -> ParquetShares:
        """Parquet stakes (string ids) in, ``entity, share`` Parquet out: the cluster path.

        By components (``task_limit > 0`` and at most ``merge_limit`` stakes), in four Spark
        jobs: (1) every partition of the file labels the weakly connected components of its
        own stakes (64-bit hashes of the ids; scipy) and hands up the forest ``entity → least
        entity of its partition component``, which the driver merges into global components
        and packs into buckets of about ``bucket_stakes`` stakes; (2) every stake goes to its
        component's bucket and each bucket is solved whole in one task with the local
        algorithm on the string ids (so a hash collision can only put two components in one
        bucket, never change an answer); (3–4) the shares are sorted by entity and written.
        A component above ``task_limit`` stakes, or a larger file, takes the round-based path
        (:meth:`_lookthrough_rounds`: ids encoded on Spark, labels by hooking rounds, level
        rounds for the big components)."""
        t0 = time.perf_counter()
        raw = self._stakes_parquet(stakes, interest)
        if self.settings.task_limit > 0:
            rows = _parquet_rows(stakes)
            if rows is None:  # not a local file: count on Spark
                rows = raw.count()
            self.timings["count_s"] = time.perf_counter() - t0
            if 0 < rows <= self.settings.merge_limit:
                done = self._lookthrough_components(raw, rows, members, out, cut=cut)
                if done is not None:
                    return done
        return self._lookthrough_rounds(raw, members, out, cut=cut)

    def _stakes_parquet(self, stakes: str, interest: str) -> DataFrame:
        """``owner_id, owned_id, percent`` of one interest from a stakes Parquet file."""
        from pyspark.sql import functions as F

        raw = self.spark.read.parquet(stakes)
        miss = [c for c in ("owner_id", "owned_id", "percent") if c not in raw.columns]
        if miss:
            raise BadInputError(f"stakes lack column(s) {', '.join(miss)}")
        if "interest" in raw.columns:
            raw = raw.where(F.col("interest") == interest)
        return raw.select(
            F.col("owner_id").cast("string").alias("owner_id"),
            F.col("owned_id").cast("string").alias("owned_id"),
            F.col("percent").cast("double").alias("percent"),
        )

    def _lookthrough_components(
        self, raw: DataFrame, rows: int, members: Sequence[str], out: str, *, cut: bool
    ) -> ParquetShares | None:
        """The component path of :meth:`lookthrough_parquet`; None when a component is
        above the task limit (the caller takes the round-based path)."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        t0 = time.perf_counter()
        hashed = raw.select(
            "owner_id", "owned_id", "percent",
            F.xxhash64("owner_id").alias("hs"), F.xxhash64("owned_id").alias("hd"),
        )  # fmt: skip
        report("components: per-partition forests")
        forest = hashed.select("hs", "hd").mapInArrow(_forest_task, FOREST_DDL).toPandas()
        t1 = time.perf_counter()
        c1 = time.process_time()
        v = forest["v"].to_numpy(dtype=np.int64)
        r = forest["r"].to_numpy(dtype=np.int64)
        kk = forest["k"].to_numpy(dtype=np.int64)
        forest_task_s = float(forest["seconds"].sum())
        del forest
        keys, vi = np.unique(v, return_inverse=True)
        vi = np.asarray(vi, dtype=np.int64).ravel()
        ri = np.searchsorted(keys, r)
        m = int(keys.size)
        cross = vi != ri
        g = sp.csr_matrix(
            (np.ones(int(cross.sum()), dtype=np.int8), (vi[cross], ri[cross])), shape=(m, m)
        )
        nc, lab = csgraph.connected_components(g, directed=False)
        lab = np.asarray(lab, dtype=np.int64)
        size = np.bincount(lab[ri], weights=kk, minlength=int(nc)).astype(np.int64)
        rows = int(kk.sum())
        del v, r, kk, vi, ri, g, cross
        limit = self.settings.task_limit
        largest = int(size.max(initial=0))
        self.timings.update(
            forest_job_s=t1 - t0,
            forest_task_s=forest_task_s,
            forest_rows=float(lab.size),
            merge_s=time.perf_counter() - t1,
            merge_cpu_s=time.process_time() - c1,
            weak_s=time.perf_counter() - t0,
            weak_rounds=0,
            weak_components=float(nc),
            largest_weak=float(largest),
        )
        if largest > limit:
            report(f"a component of {largest} stakes is above the task limit: level rounds")
            return None
        parts = int(self.spark.conf.get("spark.sql.shuffle.partitions") or 2)
        target = max(1, min(self.settings.bucket_stakes, -(-rows // max(1, parts))))
        # components in label order, cut into buckets of about ``target`` stakes
        before = np.cumsum(size) - size
        bucket = (before // target).astype(np.int32)
        vals = bucket[lab]
        del lab, size, before
        t2 = time.perf_counter()
        assign = functools.partial(_assign_task, keys=keys, vals=vals)
        solve = functools.partial(
            _solve_arrow,
            members=pa.array(sorted({str(x) for x in members}), type=pa.string()),
            cut=cut,
        )
        res = (
            hashed.select("owner_id", "owned_id", "percent", "hd")
            .mapInArrow(assign, ASSIGN_DDL)
            .groupBy("bucket")
            .applyInArrow(solve, STRING_BUCKET_DDL)
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        try:
            report("components: solving buckets")
            st = (
                res.where(F.col("entity").isNull())
                .agg(
                    F.max("levels").alias("levels"), F.sum("components").alias("components"),
                    F.max("largest").alias("largest"), F.sum("cyclic").alias("cyclic"),
                    F.sum("stakes").alias("stakes"), F.sum("nodes").alias("nodes"),
                    F.sum("held").alias("held"), F.sum("seconds").alias("seconds"),
                    F.count("*").alias("buckets"),
                )
                .collect()[0]
            )  # fmt: skip
            t3 = time.perf_counter()
            report("writing shares")
            res.where(F.col("entity").isNotNull()).select("entity", "share").orderBy(
                "entity"
            ).write.mode("overwrite").parquet(out)
        except Exception as exc:
            _reraise(exc)
            raise
        finally:
            res.unpersist()
        self.timings.update(
            solve_job_s=t3 - t2,
            write_s=time.perf_counter() - t3,
            task_s=float(st["seconds"] or 0.0),
            task_stakes=float(st["stakes"] or 0),
            buckets=float(st["buckets"] or 0),
            components_s=time.perf_counter() - t0,
        )
        return ParquetShares(
            entities=int(st["nodes"] or 0),
            held=int(st["held"] or 0),
            plan={
                "levels": int(st["levels"] or 0),
                "components": int(st["components"] or 0),
                "largest_component": int(st["largest"] or 0),
                "cyclic_components": int(st["cyclic"] or 0),
                "trim_rounds": 0,
                "level_rounds": 0,
            },
        )

    def _lookthrough_rounds(
        self, raw: DataFrame, members: Sequence[str], out: str, *, cut: bool
    ) -> ParquetShares:
        """:meth:`lookthrough_parquet` with ids encoded on Spark and the plan of
        :meth:`prepare_frame` (labels by rounds, level rounds above the task limit)."""
        from pyspark.sql import functions as F

        bad = (
            raw.where(
                F.col("percent").isNull()
                | F.isnan("percent")
                | (F.col("percent") < 0)
                | (F.col("percent") > 100)
            )
            .limit(1)
            .collect()
        )
        if bad:
            r = bad[0]
            raise BadInputError(
                f"stake {r['owner_id']} -> {r['owned_id']}, field percent: must be between "
                "0 and 100"
            )
        ids = self._ckpt(
            raw.select(F.col("owner_id").alias("entity"))
            .union(raw.select(F.col("owned_id").alias("entity")))
            .distinct()
            .withColumn("id", F.monotonically_increasing_id()),
            "ids",
        )
        links = (
            raw.join(ids.select(F.col("entity").alias("owner_id"), F.col("id").alias("src")),
                     "owner_id")
            .join(ids.select(F.col("entity").alias("owned_id"), F.col("id").alias("dst")),
                  "owned_id")
            .select("src", "dst", (F.col("percent") / 100.0).alias("w"))
        )  # fmt: skip
        entities = ids.count()
        plan = self.prepare_frame(links, entities)
        mdf = self.spark.createDataFrame(pd.DataFrame({"entity": list(dict.fromkeys(members))}))
        mem = ids.join(mdf, "entity").select("id")
        x = self.sweep(plan, mem, cut=cut)
        x_path = self.last
        x.where(F.col("x") > 0).join(ids, "id").select("entity", F.col("x").alias("share")).orderBy(
            "entity"
        ).write.mode("overwrite").parquet(out)
        self._rm(x_path)
        held = self.spark.read.parquet(out).count()
        return ParquetShares(
            entities=int(entities),
            held=int(held),
            plan={
                "levels": plan.levels,
                "components": plan.components,
                "largest_component": plan.largest_component,
                "cyclic_components": plan.cyclic_components,
                "trim_rounds": plan.trim_rounds,
                "level_rounds": plan.level_rounds,
            },
        )

    def look_through(self, stakes: own.Stakes, target: int) -> own.LookThrough:
        """Holders of ``target`` found by rounds of joins on Spark, then solved exactly on
        their subgraph (:func:`derisk.analysis.ownership.look_through`)."""
        from pyspark.sql import functions as F

        links = self._ckpt(self.stakes_frame(stakes), "holders")
        links_path = self.last
        seen = np.array([target], dtype=np.int64)
        order = [seen]
        frontier = seen
        limit = self.settings.holders_collect_limit
        while frontier.size:
            fdf = F.broadcast(self._frame({"dst": frontier}, "dst long"))
            got = links.join(fdf, "dst").select("src").distinct().toPandas()["src"]
            cand = np.setdiff1d(got.to_numpy(dtype=np.int64), seen)
            if cand.size:
                order.append(cand)
                seen = np.union1d(seen, cand)
                if seen.size > limit:
                    raise EngineGap(
                        f"node {target} has more than {limit} holders: larger than the Spark "
                        "engine collects for one entity (set DERISK_SPARK_HOLDERS_COLLECT)"
                    )
            frontier = cand
        nodes = np.concatenate(order)
        ndf = F.broadcast(self._frame({"id": nodes}, "id long"))
        sub = (
            links.join(ndf.withColumnRenamed("id", "src"), "src", "left_semi")
            .join(ndf.withColumnRenamed("id", "dst"), "dst", "left_semi")
            .toPandas()
        )
        self._rm(links_path)
        local = np.empty(int(nodes.max()) + 1, dtype=np.int64)
        local[nodes] = np.arange(nodes.size)
        st = own.Stakes(
            nodes.size,
            local[sub["src"].to_numpy(dtype=np.int64)],
            local[sub["dst"].to_numpy(dtype=np.int64)],
            sub["w"].to_numpy(dtype=np.float64),
        )
        lt = own.look_through(st, 0)
        return own.LookThrough(target, nodes[lt.nodes], lt.integrated, lt.corrected)
