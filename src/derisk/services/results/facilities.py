"""Result types of the facility layer: plants, one plant, and allied supply.

Each record's fields are the JSON keys in printed order (``derisk.facilities/1``,
``derisk.facility/1``, ``derisk.allied/1``). Capacities are in the stage's comparison unit
(``unit``) unless named ``*_stated``; a capacity or share that cannot be known is ``null``.
Capacity by year is keyed by the year as text (``"2027"``), as JSON objects are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record
from derisk.services.results import SourceMeta

__all__ = [
    "Allied",
    "AlliedBindingPlant",
    "AlliedClubMember",
    "AlliedDemandSetAside",
    "AlliedExclusions",
    "AlliedFacility",
    "AlliedFromParentStage",
    "AlliedGap",
    "AlliedGroupExclusion",
    "AlliedMemberAllocation",
    "AlliedPfeExclusion",
    "AlliedPlantDifference",
    "AlliedUpstream",
    "AlliedWorldDemand",
    "AlliedYear",
    "CapacityByYear",
    "FacilitiesList",
    "FacilityBase",
    "FacilityCapacityTotal",
    "FacilityDetail",
    "FacilityFilters",
    "FacilityOwner",
    "FacilityPfeVerdict",
    "FacilityRow",
    "FacilityScreening",
    "FacilityShow",
]

#: year (as text) -> capacity in the stage's unit (null: unknown)
CapacityByYear = Mapping[str, float | None]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityOwner(Record):
    entity: str
    name: str
    percent: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityBase(Record):
    """The keys every plant row carries."""

    facility: str
    name: str
    country: str
    country_name: str
    material: str
    stage: str
    type: str | None
    product: str | None
    status: str
    capacity_stated: float | None
    unit_stated: str
    basis: str
    capacity: float | None
    unit: str
    start_year: int | None
    ramp_years: int | None
    end_year: int | None
    parent: str | None
    operator: str | None
    operator_name: str | None
    owners: tuple[FacilityOwner, ...]
    source_id: str
    status_source_id: str
    confidence: str | None
    latitude: float | None
    longitude: float | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityRow(FacilityBase):
    """A plant of ``derisk facilities list`` (``pfe``: its screening verdict, with --screen)."""

    capacity_by_year: CapacityByYear
    pfe: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityPfeVerdict(Record):
    rule: str | None
    verdict: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityDetail(FacilityBase):
    """One plant with capacity by year under each pipeline, screening and its expansions."""

    capacity_by_year: Mapping[str, CapacityByYear]
    pfe: FacilityPfeVerdict
    expansions: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedFacility(FacilityBase):
    """A plant of an allied-supply answer: eligible or why not (``stored_stage`` when the
    stage is answered from its parent stage's rows; ``pfe`` with --exclude-pfe)."""

    capacity_by_year: CapacityByYear
    eligible: bool
    stored_stage: str | Absent = ABSENT
    reason: str | None
    pfe: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityFilters(Record):
    material: str | None
    stage: str | None
    country: str | None
    status: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityScreening(Record):
    rule: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityCapacityTotal(Record):
    """Capacity of one material stage by year, in China and outside it."""

    material: str
    stage: str
    unit: str
    facilities: int
    china: CapacityByYear
    outside_china: CapacityByYear


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilitiesList(Record):
    """``derisk facilities list``: plants with capacity by year, totals and sources."""

    ROWS: ClassVar[str | None] = "facilities"
    schema: str = "derisk.facilities/1"
    as_of: str
    filters: FacilityFilters
    pipeline: str
    pipeline_weights: Mapping[str, float]
    years: tuple[int, ...]
    screening: FacilityScreening | None
    count: int
    totals: tuple[FacilityCapacityTotal, ...]
    facilities: tuple[FacilityRow, ...]
    sources: tuple[SourceMeta, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FacilityShow(Record):
    """``derisk facilities show``: one plant and its sources."""

    ROWS: ClassVar[str | None] = "sources"
    schema: str = "derisk.facility/1"
    as_of: str
    facility: FacilityDetail
    sources: tuple[SourceMeta, ...]


# -- allied supply ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedDemandSetAside(Record):
    """A bundled demand figure that an imported figure of the same year displaced."""

    quantity: float | None
    year: int
    source_id: str
    dataset: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedClubMember(Record):
    """A buyer of the club and the demand used for it (given, or the store's figure)."""

    member: str
    name: str
    kind: str
    countries: tuple[str, ...]
    demand: float | None
    demand_year: int | None
    demand_source: str | None
    demand_basis: str
    demand_dataset: str | None
    demand_set_aside: AlliedDemandSetAside | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedWorldDemand(Record):
    quantity: float | None
    year: int | None
    source_id: str | None
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedGroupExclusion(Record):
    group: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedPfeExclusion(Record):
    rule: str | None
    facilities: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedExclusions(Record):
    """What is excluded: countries (China by default), groups, entities, PFE-owned plants."""

    countries: tuple[str, ...]
    default: bool
    groups: tuple[AlliedGroupExclusion, ...]
    entities: tuple[str, ...]
    pfe: AlliedPfeExclusion | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedMemberAllocation(Record):
    member: str
    name: str
    demand: float | None
    allocation: float | None
    shortfall: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedBindingPlant(Record):
    """A plant whose remaining capacity binds the club's supply (shadow price > 0)."""

    facility: str
    name: str
    country: str
    capacity: float | None
    others_take: float | None
    left_for_club: float | None
    club_take: float | None
    shadow_price: float | None
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedPlantDifference(Record):
    """A plant whose capacity changed from the year before, and the effect on what is secured."""

    facility: str
    name: str
    country: str
    status: str
    eligible: bool
    reason: str | None
    capacity_change: float | None
    effect_on_secured: float | None
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedYear(Record):
    """One year of an allied-supply answer."""

    year: int
    world_demand: float | None
    club_demand: float | None
    others_demand: float | None
    capacity_total: float | None
    eligible_capacity: float | None
    excluded_capacity: float | None
    others_take_eligible: float | None
    left_for_club: float | None
    secured: float | None
    shortfall: float | None
    upstream_secured: float | None
    chain_secured: float | None
    club_short: bool
    members: tuple[AlliedMemberAllocation, ...]
    binding: tuple[AlliedBindingPlant, ...]
    difference: tuple[AlliedPlantDifference, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedUpstream(Record):
    """The stage upstream, from country figures, and what of it is eligible."""

    stage: str
    source_id: str | None
    year: int | None
    unit: str
    factor: float
    world_output: float | None
    eligible_capacity: float | None
    unknown_origin: float | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedGap(Record):
    what: str
    facilities: tuple[str, ...]
    effect: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlliedFromParentStage(Record):
    """A sub-stage answered from its parent stage's rows whose product is the sub-stage."""

    stage: str
    rule: str
    taken: tuple[str, ...]
    other_product: tuple[str, ...]
    product_not_stated: tuple[str, ...]
    own_rows: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Allied(Record):
    """``derisk reroute MATERIAL --stage S --club …``: the China-free (or other-exclusion-free)
    supply of a stage that a buyer or club secures each year, plant by plant."""

    ROWS: ClassVar[str | None] = "by_year"
    schema: str = "derisk.allied/1"
    material: str
    material_name: str
    stage: str
    stage_name: str
    unit: str
    as_of: str
    rule: str
    pipeline: str
    pipeline_weights: Mapping[str, float]
    years: tuple[int, ...]
    club: tuple[AlliedClubMember, ...]
    world_demand: AlliedWorldDemand
    demand_growth: float
    excluded: AlliedExclusions
    by_year: tuple[AlliedYear, ...]
    upstream: AlliedUpstream | None
    facilities: tuple[AlliedFacility, ...]
    gaps: tuple[AlliedGap, ...]
    assumptions: tuple[str, ...]
    notes: tuple[str, ...]
    from_parent_stage: AlliedFromParentStage | None
    sources: tuple[SourceMeta, ...]
