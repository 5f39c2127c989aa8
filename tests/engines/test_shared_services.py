"""The commands give the same JSON on either engine: bundled data and generated graphs.

The local engine's output is the reference here; its own numbers are tested against published
figures and dense references elsewhere (tests/test_ownership_*, tests/test_trade_*).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from derisk.cli import app
from derisk.data.importers.comtrade import import_comtrade
from derisk.data.importers.examples import import_example
from derisk.data.loader import load_rows
from derisk.engines import Engine
from derisk.engines.local import LocalEngine
from derisk.model.schema import Entity, Source, Stake
from derisk.store import DuckStore
from tests.engines.test_shared_analysis import flows_table, random_layer
from tests.test_trade_service import _scenario

runner = CliRunner()


def run_json(*args: str) -> Any:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def both(spark_engine: Engine, *args: str) -> tuple[Any, Any]:
    """The command's JSON on the local engine and on Spark."""
    assert spark_engine.name == "spark"
    return run_json(*args, "--engine", "local"), run_json(*args, "--engine", "spark")


def test_screen_all_bundled(spark_engine: Engine, built_db: Path) -> None:
    local, spark = both(spark_engine, "screen", "--all", "--db", str(built_db))
    assert local["counts"]["flagged"] > 0  # the bundled data flag state-owned groups
    assert spark == local


def test_owners_bundled(spark_engine: Engine, built_db: Path) -> None:
    for entity in ("mp-materials", "china-rare-earth-group"):
        local, spark = both(spark_engine, "owners", entity, "--db", str(built_db))
        assert local["owners"], entity
        assert spark == local


def test_exposure_importer_origin(spark_engine: Engine, fresh_db: Path, tmp_path: Path) -> None:
    with DuckStore(fresh_db) as s:
        import_comtrade(s, [_scenario(tmp_path)])
        import_example(s, "china-exports")
    # antimony: the bottleneck stage (mining) is detailed; the oxide trade is another stage,
    # so it is named but not traced there. graphite: China's reported exports only, so
    # whatever is traced at a stage with trade data is Chinese.
    args: tuple[str, ...] = ("exposure", "antimony", "--importer", "USA", "--db", str(fresh_db))
    local, spark = both(spark_engine, *args)
    assert local["importer"]["origin"] is None
    assert "oxide" in local["importer"]["other_stages"]
    assert spark == local
    for stage in ("mining", "synthetic"):
        args = (
            "exposure",
            "graphite",
            "--stage",
            stage,
            "--importer",
            "USA",
            "--db",
            f"{fresh_db}",
        )
        local, spark = both(spark_engine, *args)
        assert local["importer"]["origin"] is not None, stage
        assert local["importer"]["origin"]["stage"] == stage
        assert spark == local
    assert local["importer"]["origin"]["total_share"] == 1.0


def generated_store(db: Path, seed: int, n: int = 40) -> None:
    """A store with a generated graph: cross-holdings and cycles, two Chinese state owners."""
    layer = random_layer(seed, n, 0.08, self_loops=False)
    ids = [f"gen-{i:03d}" for i in range(n)]
    src = Source("gen-src", "derisk tests", "generated ownership graph", confidence="M")
    ents = [
        Entity(ids[i], "government" if i < 2 else "company", f"Generated {i}", "gen-src",
               country="CHN" if i < 2 else ("AUS" if i % 3 else "CHN"))
        for i in range(n)
    ]  # fmt: skip
    stakes = [
        Stake(f"gen-stake-{k}", ids[int(o)], ids[int(d)], interest, round(100 * float(w), 6),
              "gen-src")
        for k, (o, d, w) in enumerate(zip(layer.owner, layer.owned, layer.share, strict=True))
        for interest in ("equity",)
    ]  # fmt: skip
    with DuckStore(db) as s:
        load_rows(s, {"generated": [src, *ents, *stakes]}, dataset="generated", origin="tests")


@pytest.mark.parametrize("seed", [3])
def test_screen_all_generated_graph(spark_engine: Engine, fresh_db: Path, seed: int) -> None:
    generated_store(fresh_db, seed)
    local, spark = both(spark_engine, "screen", "--all", "--rule", "feoc", "--db", str(fresh_db))
    gen = [e for e in local["entities"] if e["id"].startswith("gen-")]
    assert {e["verdict"] for e in gen} >= {"flagged", "clear"}
    assert spark == local
    local, spark = both(spark_engine, "owners", "gen-039", "--db", str(fresh_db))
    assert spark == local


def test_engine_commands_parquet(spark_engine: Engine, tmp_path: Path) -> None:
    flows, _ = flows_table(7, years=2, commodities=3)
    pq.write_table(flows, tmp_path / "flows.parquet")
    outs = {}
    for name in ("local", "spark"):
        out = tmp_path / f"origins-{name}.parquet"
        res = run_json(
            "engine", "trace", str(tmp_path / "flows.parquet"), "--out", str(out),
            "--countries", "CHN", "--engine", name,
        )  # fmt: skip
        assert res["schema"] == "derisk.engine-trace/1" and res["commodity_years"] == 6
        t = pq.read_table(out).to_pandas().sort_values(["year", "commodity", "country"])
        outs[name] = t.reset_index(drop=True)
    a, b = outs["local"], outs["spark"]
    assert a[["commodity", "country"]].equals(b[["commodity", "country"]])
    np.testing.assert_allclose(a["selected_share"], b["selected_share"], atol=1e-9)
    np.testing.assert_allclose(a["unknown_share"], b["unknown_share"], atol=1e-9)

    layer = random_layer(9, 30, 0.1, self_loops=True)
    stakes = pa.table(
        {
            "owner_id": [f"e{int(i):02d}" for i in layer.owner],
            "owned_id": [f"e{int(i):02d}" for i in layer.owned],
            "interest": ["equity"] * len(layer.owner),
            "percent": 100 * layer.share,
        }
    )
    pq.write_table(stakes, tmp_path / "stakes.parquet")
    shares = {}
    for name in ("local", "spark"):
        out = tmp_path / f"shares-{name}.parquet"
        res = run_json(
            "engine", "lookthrough", str(tmp_path / "stakes.parquet"), "--out", str(out),
            "--member", "e00", "--member", "e01", "--engine", name,
        )  # fmt: skip
        assert res["schema"] == "derisk.engine-shares/1"
        shares[name] = res
    lo, sp = shares["local"], shares["spark"]
    assert lo["held"] == sp["held"] > 0 and lo["entities"] == sp["entities"]
    assert [t["entity"] for t in lo["top"]] == [t["entity"] for t in sp["top"]]
    for x, y in zip(lo["top"], sp["top"], strict=True):
        assert x["share"] == pytest.approx(y["share"], abs=1e-9)
    ta = pq.read_table(tmp_path / "shares-local.parquet").to_pydict()
    tb = pq.read_table(tmp_path / "shares-spark.parquet").to_pydict()
    assert ta["entity"] == tb["entity"]
    np.testing.assert_allclose(ta["share"], tb["share"], atol=1e-9)


def _stakes_file(path: Path, s: Any) -> list[str]:
    """A stakes Parquet file of layer ``s`` with string ids; the ids, by node."""
    names = [f"n{int(i):03d}" for i in range(s.n)]
    pq.write_table(
        pa.table(
            {
                "owner_id": [names[int(i)] for i in s.owner],
                "owned_id": [names[int(i)] for i in s.owned],
                "percent": 100 * s.share,
            }
        ),
        path,
    )
    return names


@pytest.mark.parametrize("task_limit", [10_000, 40], ids=["all-in-tasks", "big-by-rounds"])
def test_lookthrough_files_by_components(
    spark_engine: Engine, tmp_path: Path, task_limit: int
) -> None:
    """From Parquet, many components: on Spark every component in a bucket task (one pass of
    per-partition forests merged on the driver), or, with one above the task limit, the
    round-based path; both equal to the dense reference and to the local engine."""
    from derisk.engines.spark import SparkEngine
    from derisk.services import engines as svc
    from tests.engines.conftest import limited
    from tests.engines.test_shared_analysis import many_components, reference_shares

    s = many_components(21, [1, 2, 2, 3, 3, 4, 5, 6, 8, 9, 12, 40, 60])
    names = _stakes_file(tmp_path / "stakes.parquet", s)
    mask = np.random.default_rng(3).random(s.n) < 0.15
    members = [names[i] for i in np.flatnonzero(mask)]
    want = reference_shares(s, mask, True)
    eng = limited(spark_engine, task_limit=task_limit)
    res = {}
    for e in (LocalEngine(), eng):
        out = tmp_path / f"shares-{e.name}.parquet"
        res[e.name] = svc.lookthrough_files(e, str(tmp_path / "stakes.parquet"), members, str(out))
        got = pq.read_table(out).to_pydict()
        assert got["entity"] == sorted(got["entity"])
        x = np.zeros(s.n)
        x[[names.index(n) for n in got["entity"]]] = got["share"]
        np.testing.assert_allclose(x, want, atol=1e-9, rtol=0)
    lo, sp_ = res["local"], res["spark"]
    assert (lo.entities, lo.held) == (sp_.entities, sp_.held)
    keys = ("levels", "components", "largest_component", "cyclic_components")
    assert [getattr(lo.plan, k) for k in keys] == [getattr(sp_.plan, k) for k in keys]
    assert isinstance(eng, SparkEngine)
    # the component path: forests merged on the driver, no labelling rounds
    assert ("forest_rows" in eng.timings) and eng.timings["weak_rounds"] == 0
    assert ("solve_job_s" in eng.timings) == (task_limit == 10_000)


@pytest.mark.parametrize(
    ("percent", "match"),
    [([40.0, 120.0], "field percent: must be between 0 and 100"), ([70.0, 60.0], "add up to 130%")],
)
def test_lookthrough_files_bad_stakes(
    spark_engine: Engine, tmp_path: Path, percent: list[float], match: str
) -> None:
    """A bad percent or an entity held above 100% is a clear error on either engine (on
    Spark raised in a task and handed up as itself)."""
    from derisk.errors import BadInputError
    from derisk.services import engines as svc

    pq.write_table(
        pa.table({"owner_id": ["a", "b"], "owned_id": ["c", "c"], "percent": percent}),
        tmp_path / "stakes.parquet",
    )
    for e in (LocalEngine(), spark_engine):
        with pytest.raises(BadInputError, match=match):
            svc.lookthrough_files(
                e, str(tmp_path / "stakes.parquet"), ["a"], str(tmp_path / "out.parquet")
            )
