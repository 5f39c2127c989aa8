"""Result types of the engine commands (``derisk engine info|trace|lookthrough``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record

__all__ = ["EngineInfo", "EnginePlan", "EngineShares", "EngineTrace", "TopShare"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EngineInfo(Record):
    """Which engine runs and how it is configured (the local engine's versions and cores, or
    the Spark session's)."""

    schema: str = "derisk.engine-info/1"
    engine: str
    python: str | Absent = ABSENT
    numpy: str | Absent = ABSENT
    cores: int | Absent | None = ABSENT
    spark: str | Absent = ABSENT
    pyspark_pin: str | Absent = ABSENT
    connect: bool | Absent = ABSENT
    workdir: str | Absent = ABSENT
    master: str | Absent = ABSENT
    default_parallelism: int | Absent = ABSENT
    shuffle_partitions: str | Absent | None = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EngineTrace(Record):
    """Origins of every commodity-year of a flows file, written to ``out``."""

    schema: str = "derisk.engine-trace/1"
    engine: str
    flows: str
    production: str | None
    selected_countries: tuple[str, ...]
    rows: int
    commodity_years: int
    out: str
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EnginePlan(Record):
    """The shape of the ownership graph the engine solved (Spark adds its rounds)."""

    levels: int
    components: int
    largest_component: int
    cyclic_components: int
    trim_rounds: int | Absent = ABSENT
    level_rounds: int | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TopShare(Record):
    entity: str
    share: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EngineShares(Record):
    """Share of every entity held by an owner set, written to ``out``; the largest in ``top``."""

    ROWS: ClassVar[str | None] = "top"
    schema: str = "derisk.engine-shares/1"
    engine: str
    stakes: str
    interest: str
    members: int
    cut: bool
    entities: int
    held: int
    plan: EnginePlan
    top: tuple[TopShare, ...]
    out: str
    seconds: float
