"""The shared engine suite: every test runs on the local engine and on Spark (local mode).

One SparkSession serves the whole test session (``local[2]``, two shuffle partitions, no UI,
checkpoints under pytest's temporary directory); it is started by the first test that needs it.

Declared gaps: a (engine, gap) pair listed in :data:`GAPS` marks the test a strict expected
failure that must raise :class:`~derisk.engines.EngineGap` -- a wrong answer or any other error
still fails the test, and a gap that starts working fails it too (strict).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from derisk.engines import Engine, EngineGap
from derisk.engines.local import LocalEngine

GAPS: dict[tuple[str, str], str] = {
    ("spark", "cycle-larger-than-a-task"): (
        "inside a component above DERISK_SPARK_TASK_LIMIT stakes (solved by level rounds), a "
        "cycle of holdings is solved in one Spark task: cycles above "
        "DERISK_SPARK_COMPONENT_LIMIT entities are refused"
    ),
    ("spark", "holders-beyond-collect-limit"): (
        "one entity's holders are collected to the driver: more than "
        "DERISK_SPARK_HOLDERS_COLLECT of them are refused"
    ),
}


def declare_gap(request: pytest.FixtureRequest, engine: Engine, gap: str) -> None:
    """Mark the running test a strict expected failure if ``engine`` has declared ``gap``."""
    reason = GAPS.get((engine.name, gap))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, raises=EngineGap, reason=reason))


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from derisk.engines.spark import SparkEngine, SparkSettings

    work = tmp_path_factory.mktemp("spark")
    settings = SparkSettings(
        master="local[2]",
        workdir=str(work),
        conf={
            "spark.sql.shuffle.partitions": "2",
            "spark.driver.memory": "1g",
            "spark.local.dir": str(work / "local"),
            "spark.sql.warehouse.dir": str(work / "warehouse"),
        },
    )
    eng = SparkEngine(settings=settings)
    SparkEngine._default = eng  # `--engine spark` in CLI tests joins this session
    yield eng
    SparkEngine._default = None
    eng.close()
    eng.spark.stop()


@pytest.fixture(scope="session")
def spark_distributed(spark_engine: Engine) -> Engine:
    """The same session with every step on Spark (no driver shortcut for small graphs) and
    every component by level rounds (none solved whole in one task)."""
    from dataclasses import replace

    from derisk.engines.spark import SparkEngine

    assert isinstance(spark_engine, SparkEngine)
    settings = replace(spark_engine.settings, driver_limit=0, task_limit=0)
    return SparkEngine(spark_engine.spark, settings)


@pytest.fixture(params=["local", "spark"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn (Spark: weakly connected components of small graphs on the driver,
    each solved whole in one task)."""
    if request.param == "local":
        return LocalEngine()
    eng: Engine = request.getfixturevalue("spark_engine")
    return eng


@pytest.fixture(params=["local", "spark"])
def graph_engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn (Spark: trimming, colouring and levels all on Spark, no component
    solved whole in one task)."""
    if request.param == "local":
        return LocalEngine()
    eng: Engine = request.getfixturevalue("spark_distributed")
    return eng


class SparkLimits(TypedDict, total=False):
    """The limits of :class:`derisk.engines.spark.SparkSettings` a test may lower."""

    driver_limit: int
    component_limit: int
    holders_collect_limit: int
    task_limit: int
    bucket_stakes: int


def limited(engine: Engine, **limits: Unpack[SparkLimits]) -> Engine:
    """``engine`` with lower Spark limits (the local engine has none)."""
    from dataclasses import replace

    if engine.name != "spark":
        return engine
    from derisk.engines.spark import SparkEngine

    assert isinstance(engine, SparkEngine)
    return SparkEngine(engine.spark, replace(engine.settings, **limits))


__all__ = ["GAPS", "Path", "declare_gap", "limited"]
