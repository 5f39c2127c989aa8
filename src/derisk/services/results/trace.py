"""Result types of product tracing (``derisk trace``) and of the screening status it shows.

Field order is the ``--json`` key order; ``ABSENT`` marks a key only some answers carry
(see :mod:`derisk.model.record`). :class:`MissingItem` and :class:`ScreeningStatus` are shared
with the certificates (:mod:`derisk.services.results.certify`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record
from derisk.services.results import SourceMeta

__all__ = [
    "AskWhom",
    "BalanceRow",
    "CountryOrigin",
    "EntityOrigin",
    "MaterialTraceResult",
    "MissingItem",
    "PartInfo",
    "ScreeningStatus",
    "StagePart",
    "StatisticalSource",
    "SupplyLinkInfo",
    "Trace",
    "TraceEntity",
    "TraceFacility",
    "TracePathInfo",
    "TraceProduct",
    "TraceStage",
]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScreeningStatus(Record):
    """An entity's screening verdict under one rule (``pfe``/``not-pfe``/``unknown``, ...).

    ``screened_entity`` is the entity screened (a facility's operator); the detailed form adds
    the rule version and the sources of the screening."""

    verdict: str
    explanation: str | None
    screened_entity: str | Absent | None = ABSENT
    screen_verdict: str | Absent = ABSENT
    rule_version: str | Absent | None = ABSENT
    sources: tuple[str, ...] | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AskWhom(Record):
    """The entity to ask for a missing fact."""

    entity: str | None
    name: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MissingItem(Record):
    """A fact that would settle an unknown, and whom to ask (keys depend on ``kind``)."""

    kind: str
    material: str | Absent | None = ABSENT
    cost_id: str | Absent | None = ABSENT
    facility: str | None
    facility_name: str | Absent = ABSENT
    line_id: str | Absent = ABSENT
    unknown_share_of_input: float | Absent | None = ABSENT
    share_of_product: float | None
    stages: tuple[str, ...]
    ask: AskWhom | None
    message: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TraceProduct(Record):
    product: str
    name: str
    item_class: str
    facility: str
    facility_name: str | None
    country: str | None
    owner: str | None
    owner_name: str | None
    source_id: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PartInfo(Record):
    """One way the material reaches the product: a direct BOM line or a sub-component."""

    part: int
    line_id: str
    component: str | None
    weight: float | None
    unit: str | None
    start: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CountryOrigin(Record):
    country: str
    name: str
    share: float | None
    traced: float | None
    statistical: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EntityOrigin(Record):
    """A share of a stage's origin by (country, facility, basis)."""

    country: str | None
    country_name: str | None
    entity: str | None
    entity_name: str | None
    operator: str | None
    operator_name: str | None
    share: float | None
    basis: str
    integrated: bool
    screening: Mapping[str, str | None]
    source_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StagePart(Record):
    part: int
    by_country: tuple[CountryOrigin, ...]
    unknown_share: float | None
    by_entity: tuple[EntityOrigin, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StatisticalSource(Record):
    source_id: str
    year: int | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TraceStage(Record):
    stage: str
    name: str
    kind: str
    rule_stage: str
    position: int
    statistical_source: StatisticalSource | None
    parts: tuple[StagePart, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TraceFacility(Record):
    facility: str
    name: str
    country: str | None
    facility_type: str | None
    stage: str
    operator: str | None
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SupplyLinkInfo(Record):
    link_id: str
    supplier: str
    customer: str
    share: float
    source_id: str
    stage: str | None
    quantity: float | None
    unit: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class BalanceRow(Record):
    """Mass balance of one facility: linked and unknown share of its input, and the share of
    the product's material that passes through it."""

    facility: str
    position: int
    linked_share: float | None
    unknown_share: float | None
    through_share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TracePathInfo(Record):
    part: int
    facilities: tuple[str | None, ...]
    links: tuple[str, ...]
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MaterialTraceResult(Record):
    """One material of the product traced upstream, stage by stage."""

    ROWS: ClassVar[str | None] = "stages"
    material: str
    material_name: str
    position: int
    parts: tuple[PartInfo, ...]
    stages: tuple[TraceStage, ...]
    facilities: tuple[TraceFacility, ...]
    links: tuple[SupplyLinkInfo, ...]
    balance: tuple[BalanceRow, ...]
    paths: tuple[TracePathInfo, ...]
    paths_truncated: bool


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TraceEntity(Record):
    name: str
    kind: str
    country: str | None
    facility_type: str | None
    operator: str | None
    source_id: str
    screening: Mapping[str, ScreeningStatus]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Trace(Record):
    """``derisk trace``: a product's materials traced back to the mines, with the evidence."""

    ROWS: ClassVar[str | None] = "materials"
    schema: str = "derisk.trace/1"
    as_of: str
    product: TraceProduct
    materials: tuple[MaterialTraceResult, ...]
    entities: Mapping[str, TraceEntity]
    missing: tuple[MissingItem, ...]
    sources: tuple[SourceMeta, ...]
