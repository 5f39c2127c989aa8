"""Engine services: the heavy computations over Parquet files, on the local or Spark engine.

* :func:`trace_files`: origin of every country's supply for every commodity-year of a flows
  file (a BACI-sized year or 25 of them), written as Parquet;
* :func:`lookthrough_files`: the share of every entity held by an owner set through every chain
  of a stakes file (millions to billions of stakes), written as Parquet;
* :func:`engine_info`: which engine runs and how it is configured.

Both engines read and write the same layouts (:mod:`derisk.engines.tables`) and agree to 1e-9.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyarrow as pa

from derisk.engines import Engine
from derisk.engines.tables import read_table, stakes_from_table, write_table
from derisk.errors import BadInputError, NotFoundError
from derisk.services.results.engines import (
    EngineInfo,
    EnginePlan,
    EngineShares,
    EngineTrace,
    TopShare,
)

ENGINE_INFO_SCHEMA = "derisk.engine-info/1"
ENGINE_TRACE_SCHEMA = "derisk.engine-trace/1"
ENGINE_SHARES_SCHEMA = "derisk.engine-shares/1"
TOP = 10


def engine_info(engine: Engine) -> EngineInfo:
    """Which engine runs, and how it is configured."""
    facts = cast("Mapping[str, Any]", engine.describe())  # keys: EngineInfo's fields
    return EngineInfo(**facts)


def _need(path: str) -> None:
    """A local input file that does not exist is the user's mistake, named in the error."""
    if "://" not in path and not Path(path).exists():
        raise NotFoundError(f"{path}: no such file or directory")


def trace_files(
    engine: Engine,
    flows: str,
    production: str | None,
    selected: Sequence[str],
    out: str,
) -> EngineTrace:
    """Trace every commodity-year of ``flows`` (Parquet) and write the origins to ``out``."""
    for p in (flows, production):
        if p:
            _need(p)
    t0 = time.perf_counter()
    if engine.name == "spark":
        from derisk.engines.spark import SparkEngine

        assert isinstance(engine, SparkEngine)
        res = engine.trace_parquet(flows, production, selected, out)
        rows, groups = res.rows, res.groups
    else:
        table = engine.trace_table(
            read_table(flows), read_table(production) if production else None, selected
        )
        write_table(table, out)
        rows = table.num_rows
        keys = table.select(["year", "commodity"]).group_by(["year", "commodity"]).aggregate([])
        groups = keys.num_rows
    return EngineTrace(
        engine=engine.name,
        flows=flows,
        production=production,
        selected_countries=tuple(selected),
        rows=rows,
        commodity_years=groups,
        out=out,
        seconds=round(time.perf_counter() - t0, 3),
    )


def lookthrough_files(
    engine: Engine,
    stakes: str,
    members: Sequence[str],
    out: str,
    *,
    interest: str = "equity",
    cut: bool = True,
) -> EngineShares:
    """Share of every entity held by ``members`` through every chain of ``stakes`` (Parquet),
    written to ``out`` as ``entity, share`` (entities with a share above 0)."""
    _need(stakes)
    if not members:
        raise BadInputError("give the owner set: member ids or a members file")
    t0 = time.perf_counter()
    plan_info: EnginePlan
    if engine.name == "spark":
        from derisk.engines.spark import SparkEngine

        assert isinstance(engine, SparkEngine)
        res = engine.lookthrough_parquet(stakes, members, out, interest=interest, cut=cut)
        table = read_table(out) if "://" not in out else None
        held, entities = res.held, res.entities
        plan_info = EnginePlan(**res.plan)
    else:
        ids = stakes_from_table(read_table(stakes), interest)
        prepared = engine.prepare(ids.stakes)
        x = engine.set_share(prepared, ids.nodes(members).tolist(), cut=cut)
        keep = np.flatnonzero(x > 0)
        table = pa.table({"entity": ids.ids[keep].tolist(), "share": x[keep]})
        write_table(table, out)
        held, entities = int(keep.size), int(ids.stakes.n)
        plan_info = EnginePlan(
            levels=prepared.levels,
            components=prepared.components,
            largest_component=prepared.largest_component,
            cyclic_components=prepared.cyclic_components,
        )
    top: list[TopShare] = []
    if table is not None and table.num_rows:
        # the TOP largest shares (ties by entity id), sorting only the candidates
        shares = table["share"].to_numpy()
        cand = np.arange(shares.size)
        if shares.size > TOP:
            cut_at = np.partition(shares, shares.size - TOP)[shares.size - TOP]
            cand = np.flatnonzero(shares >= cut_at)
        names = np.asarray(table["entity"].take(pa.array(cand)).to_pylist())
        order = cand[np.lexsort((names, -shares[cand]))][:TOP]
        top = [
            TopShare(
                entity=str(table["entity"][int(i)]),
                share=round(float(table["share"][int(i)]), 9),
            )
            for i in order
        ]
    return EngineShares(
        engine=engine.name,
        stakes=stakes,
        interest=interest,
        members=len(set(members)),
        cut=cut,
        entities=entities,
        held=held,
        plan=plan_info,
        top=tuple(top),
        out=out,
        seconds=round(time.perf_counter() - t0, 3),
    )
