"""Result types of re-sourcing: ``derisk reroute`` (country figures, ``derisk.reroute/1``),
its options, and the plan drawn as a flow diagram.

Fields are the ``--json`` keys in printed order (see :mod:`derisk.model.record`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record
from derisk.services.results import SourceMeta

__all__ = [
    "Binding",
    "CostBasis",
    "Excluded",
    "ExcludedEntity",
    "ExcludedGroup",
    "ExcludedPfe",
    "FlowLink",
    "FlowNode",
    "Freight",
    "NetworkSize",
    "PlanFlows",
    "PlanRow",
    "PriceRow",
    "ProcessingRate",
    "Reroute",
    "RerouteOptions",
    "RerouteSite",
    "StageGap",
    "StageSummary",
    "TradeUnitValue",
    "WithheldSite",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RerouteOptions:
    """What ``reroute`` answers: material, destination, demand (t/yr) and the exclusions.

    Without excluded countries, groups, entities or ``exclude_pfe``, China is excluded. The
    date the figures are read as of is the view's (``reroute(store.view(as_of=…), options)``).
    """

    material: str
    destination: str
    demand: float
    stage: str | None = None
    exclude_countries: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    exclude_entities: tuple[str, ...] = ()
    exclude_pfe: bool = False
    spare_only: bool = False
    max_country_share: float | None = None
    costs_path: Path | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExcludedGroup(Record):
    group: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExcludedEntity(Record):
    entity: str
    name: str
    kind: str
    sites: tuple[str, ...]
    effect: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExcludedPfe(Record):
    """Facilities of entities screening flags as prohibited foreign entities."""

    rule: str
    flagged_entities: int
    indeterminate_entities: int
    sites: tuple[str, ...]
    indeterminate_sites: tuple[str, ...]
    effect: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Excluded(Record):
    countries: tuple[str, ...]
    default: bool
    groups: tuple[ExcludedGroup, ...]
    entities: tuple[ExcludedEntity, ...]
    pfe: ExcludedPfe | None
    unknown_origin: bool


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PriceRow(Record):
    stage: str
    origin: str
    value: float | None
    basis: str | None
    source: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TradeUnitValue(Record):
    """An origin price from trade rows: value / tonnes (latest year)."""

    value: float
    year: int | None
    tonnes: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Freight(Record):
    default: float
    routes: Mapping[str, float]
    basis: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProcessingRate(Record):
    default: float | None
    by_country: Mapping[str, float]
    basis: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CostBasis(Record):
    currency: str
    unit: str
    prices: tuple[PriceRow, ...]
    trade_unit_values: Mapping[str, TradeUnitValue]
    freight: Freight
    processing: Mapping[str, ProcessingRate]
    yields: Mapping[str, float]
    files: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PlanRow(Record):
    """One arc of the least-cost plan carrying flow (t/yr of the arc's stage)."""

    KEYS: ClassVar[Mapping[str, str]] = {"from_": "from"}
    from_: str
    to: str
    stage: str
    kind: str
    quantity: float | None
    cost: float | None
    from_country: str | None
    to_country: str | None
    site: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Binding(Record):
    """A binding capacity or share cap, with its shadow prices."""

    constraint: str
    kind: str
    binds: tuple[str, ...]
    stage: str
    site: str | None
    country: str | None
    capacity: float | None
    flow: float | None
    shadow_price: float | None
    supply_shadow_price: float | None
    statement: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StageSummary(Record):
    stage: str
    year: int | None
    source_id: str | None
    data_kind: str | None
    eligible: float | None
    excluded: float | None
    unknown_origin: float | None
    withheld: tuple[str, ...]
    used: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WithheldSite(Record):
    """A site of the stage network (a withheld or unavailable figure carries no use)."""

    site: str
    stage: str
    country: str | None
    label: str
    production: float | None
    capacity: float | None
    available: float | None
    spare: float | None
    status: str | None
    basis: str
    year: int | None
    entity: str | None
    operator: str | None
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RerouteSite(Record):
    """A site of the modelled stages: its figures, whether it is excluded, what is used."""

    site: str
    stage: str
    country: str | None
    label: str
    production: float | None
    capacity: float | None
    available: float | None
    spare: float | None
    status: str | None
    basis: str
    year: int | None
    entity: str | None
    operator: str | None
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    note: str | None
    excluded: bool
    reason: str | None
    usable: float | None
    used: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StageGap(Record):
    """A stage left out of the modelled chain, and why."""

    stage: str
    reason: str
    effect: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NetworkSize(Record):
    nodes: int
    arcs: int
    method: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Reroute(Record):
    """``derisk reroute``: maximum supply avoiding the exclusions, the least-cost plan for the
    demand, and what binds."""

    ROWS: ClassVar[str | None] = "plan"
    schema: str = "derisk.reroute/1"
    material: str
    material_name: str
    destination: str
    destination_name: str
    demand: float | None
    unit: str
    stage: str
    stages: tuple[str, ...]
    as_of: str
    excluded: Excluded
    max_supply: float | None
    max_supply_upper: float | None
    delivered: float | None
    unmet: float | None
    cost: float | None
    cost_basis: CostBasis
    plan: tuple[PlanRow, ...]
    binding: tuple[Binding, ...]
    max_country_share: float | None
    spare_only: bool
    stage_summary: tuple[StageSummary, ...]
    sites: tuple[RerouteSite, ...]
    withheld: tuple[WithheldSite, ...]
    gaps: tuple[StageGap, ...]
    network: NetworkSize
    notes: tuple[str, ...]
    sources: tuple[SourceMeta, ...]


# -- the plan as a flow diagram ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FlowNode(Record):
    """A node of the plan's flow diagram: a site used by the plan (one column per stage), the
    destination, or the unmet demand."""

    name: str
    label: str
    country: str | Absent | None = ABSENT
    stage: str | Absent = ABSENT
    stage_name: str | Absent = ABSENT
    depth: int
    ref: str | Absent | None = ABSENT
    used: float | Absent = ABSENT
    available: float | Absent | None = ABSENT
    kind: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FlowLink(Record):
    """A band of the diagram: tonnes of ``stage`` material from ``source`` to ``target``."""

    source: str
    target: str
    value: float
    stage: str | Absent = ABSENT
    ref: str | Absent | None = ABSENT
    kind: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PlanFlows(Record):
    """The least-cost plan of a reroute result as a flow diagram (Sankey nodes and links)."""

    ROWS: ClassVar[str | None] = "links"
    nodes: tuple[FlowNode, ...]
    links: tuple[FlowLink, ...]
    columns: tuple[str, ...]
