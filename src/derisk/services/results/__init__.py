"""Result types of the services: frozen records whose ``to_json()`` is the ``--json`` output.

Each record's fields are the JSON keys in printed order (see :mod:`derisk.model.record`); a
field holding ``ABSENT`` is a key that only some answers carry. The API's response models are
derived from these types (:mod:`derisk.api.models`), so a renamed key changes both at once.

This package's ``__init__`` holds the exposure, trade, ownership, look-up and source results;
each other service area keeps its result types in a module of its own here
(``derisk.services.results.<area>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, JSONObject, Record
from derisk.services.results.trade import ProductionBasis

__all__ = [
    "Alternative",
    "Bounds",
    "ChainStage",
    "Exposure",
    "ExposureNoFigures",
    "ImportCategory",
    "ImportReliance",
    "ImportShare",
    "ImporterExposure",
    "MaterialInfo",
    "Materials",
    "Overview",
    "OverviewRow",
    "ShareLine",
    "SourceLookup",
    "SourceMeta",
    "StageGapInfo",
    "StageInfo",
    "UnknownLine",
    "source_record",
]

#: [low, high] of a share or index (a bound is null only when it cannot be computed).
Bounds = tuple[float | None, float | None]


# -- sources ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SourceMeta(Record):
    """A source as results cite it (only ``source_id`` for an id with no stored source)."""

    source_id: str
    publisher: str | Absent | None = ABSENT
    title: str | Absent | None = ABSENT
    url: str | Absent | None = ABSENT
    published: str | Absent | None = ABSENT
    confidence: str | Absent | None = ABSENT
    precedence: int | Absent | None = ABSENT
    via: str | Absent | None = ABSENT
    note: str | Absent | None = ABSENT


def source_record(meta: Mapping[str, SourceMeta], source_id: str) -> SourceMeta:
    """The source ``source_id`` from :func:`derisk.services.common.source_meta`'s table
    (only its id when it is not stored)."""
    found = meta.get(source_id)
    return SourceMeta(source_id=source_id) if found is None else found


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SourceLookup(Record):
    """``derisk sources ID``: a source with the number of facts citing it, or one fact."""

    schema: str = "derisk.source/1"
    source: SourceMeta | None
    fact: JSONObject | None
    facts: int


# -- materials and overview ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StageInfo(Record):
    stage: str
    name: str
    kind: str
    hs_codes: tuple[str, ...]
    years: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MaterialInfo(Record):
    material: str
    name: str
    stages: tuple[StageInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Materials(Record):
    """``derisk materials``: materials, their stages, HS codes and years with data."""

    ROWS: ClassVar[str | None] = "materials"
    schema: str = "derisk.materials/1"
    materials: tuple[MaterialInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StageGapInfo(Record):
    """The statement that no public country-level figure was found for a stage."""

    statement: str
    searched: str | None
    checked: str | None
    source_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OverviewRow(Record):
    """One material x stage of the overview (a stage without figures carries fewer keys)."""

    material: str
    stage: str
    stage_name: str
    year: int | None
    year_stated: bool | Absent = ABSENT
    selected_share: float | Absent | None = ABSENT
    selected_share_bounds: Bounds | Absent = ABSENT
    top_country: str | Absent | None = ABSENT
    top_share: float | Absent | None = ABSENT
    top3_share: float | Absent | None = ABSENT
    hhi: float | Absent | None = ABSENT
    unallocated_share: float | Absent | None = ABSENT
    data_status: str
    public_figure: str | Absent | None = ABSENT
    gap: StageGapInfo | Absent | None = ABSENT
    source_id: str | Absent = ABSENT
    source_url: str | Absent | None = ABSENT
    confidence: str | Absent | None = ABSENT
    alternatives: int | Absent = ABSENT
    bottleneck: bool


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Overview(Record):
    """``derisk overview``: every material x stage with the selected share and its bounds."""

    ROWS: ClassVar[str | None] = "rows"
    schema: str = "derisk.overview/1"
    as_of: str
    selected_countries: tuple[str, ...]
    selected_group: str | None
    rows: tuple[OverviewRow, ...]


# -- exposure --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShareLine(Record):
    country: str | None
    name: str | None
    quantity: float | None
    share: float | None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UnknownLine(Record):
    country: str | None
    status: str
    share_bound: float | None
    bounded: bool
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Alternative(Record):
    source_id: str
    kind: str
    year: int | None
    top_country: str | None
    top_share: float | None
    top3_share: float | None
    selected_share: float | None
    selected_share_bounds: Bounds


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ChainStage(Record):
    """One stage of the material's chain (a stage without figures carries fewer keys)."""

    stage: str
    name: str
    year: int | None
    year_stated: bool | Absent = ABSENT
    selected_share: float | Absent | None = ABSENT
    selected_share_bounds: Bounds | Absent = ABSENT
    top_country: str | Absent | None = ABSENT
    top_share: float | Absent | None = ABSENT
    hhi: float | Absent | None = ABSENT
    data_status: str
    public_figure: str | Absent | None = ABSENT
    gap: StageGapInfo | Absent | None = ABSENT
    source_id: str | Absent = ABSENT
    confidence: str | Absent | None = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ImportShare(Record):
    country: str
    share: float | None
    share_bounds: Bounds | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ImportCategory(Record):
    category: str
    stage: str | None
    period: str | None
    source_id: str
    confidence: str | None
    sources: tuple[ImportShare, ...]
    selected_share: float | None
    other_share: float | None
    selected_share_bounds: Bounds


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ImportReliance(Record):
    year: int | None
    value: float | None
    raw: str | None
    source_id: str
    bounds: tuple[float, float] | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ImporterExposure(Record):
    """The importer's view: import sources by category, import reliance, trade origin."""

    ROWS: ClassVar[str | None] = "categories"
    importer: str
    stage: str | None
    categories: tuple[ImportCategory, ...]
    import_reliance: tuple[ImportReliance, ...]
    origin: OriginBlock | None
    other_stages: Mapping[str, tuple[str, ...]]
    data_status: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Exposure(Record):
    """``derisk exposure``: one stage in detail, every stage of the chain, the importer."""

    ROWS: ClassVar[str | None] = "shares"
    schema: str = "derisk.exposure/1"
    as_of: str
    material: str
    stage: str
    year: int | None
    year_stated: bool | Absent = ABSENT
    unit: str | None
    measure: str = "production"
    data_kind: str | None
    world_total: float | None
    shares: tuple[ShareLine, ...]
    unallocated_share: float | None
    overallocated_share: float | None
    hhi: float | None
    hhi_bounds: Bounds | None
    top3_share: float | None
    top_country: str | None
    top_share: float | None
    selected_countries: tuple[str, ...]
    selected_share: float | None
    selected_share_bounds: Bounds | None
    unknown: tuple[UnknownLine, ...]
    data_status: str
    public_figure: str | Absent | None = ABSENT
    gap: StageGapInfo | Absent | None = ABSENT
    confidence: str | None
    source_id: str | None
    sources: tuple[SourceMeta, ...]
    alternatives: tuple[Alternative, ...]
    stage_name: str
    selected_group: str | None
    chain: tuple[ChainStage, ...]
    bottleneck_stage: str | None
    importer: ImporterExposure | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExposureNoFigures(Exposure):
    """An exposure whose stage has no production figures, answered by the importer's sources
    alone (the same keys as :class:`Exposure`, in the order this answer has always had)."""

    ORDER: ClassVar[tuple[str, ...] | None] = (
        "schema", "as_of", "material", "stage", "stage_name", "year", "unit", "measure",
        "data_kind", "world_total", "shares", "unallocated_share", "overallocated_share", "hhi",
        "hhi_bounds", "top3_share", "top_country", "top_share", "selected_countries",
        "selected_group", "selected_share", "selected_share_bounds", "unknown", "confidence",
        "source_id", "sources", "alternatives", "chain", "bottleneck_stage", "data_status",
        "public_figure", "gap", "importer",
    )  # fmt: skip


# -- trade -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CountryShare(Record):
    country: str
    name: str
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ViaCountry(Record):
    """A third country the selected countries' material reaches the importer through."""

    country: str
    name: str
    share: float | None
    imports_share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Route(Record):
    route: tuple[str, ...]
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ChainedOrigin(Record):
    """The origin traced back through the earlier stages' trade."""

    stages: tuple[str, ...]
    origin_stage: str
    total_share: float | None
    unknown_share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EstimatedProduction(Record):
    country: str
    kg: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OriginBlock(Record):
    """Where an importer's imports of a stage come from: directly, through third countries,
    unknown; the top routes and the chain back to earlier stages."""

    ROWS: ClassVar[str | None] = "origins"
    material: str
    stage: str
    stage_name: str
    year: int
    period: str
    months: tuple[int, ...]
    importer: str
    selected_countries: tuple[str, ...]
    basis: str = "imports"
    unit: str = "kg"
    imports_kg: float | None
    supply_kg: float | None
    domestic_share_of_supply: float | None
    direct_share: float | None
    indirect_share: float | None
    total_share: float | None
    total_share_bounds: Bounds
    unknown_share: float | None
    shipped_from_selected_share: float | None
    supply_share: float | None
    indirect: tuple[ViaCountry, ...]
    origins: tuple[CountryShare, ...]
    top_routes: tuple[Route, ...]
    routes_share: float | None
    chained: ChainedOrigin | None
    estimated_production: tuple[EstimatedProduction, ...]
    production: ProductionBasis | None
    mirror: str
    filled_from_partner_reports: tuple[str, ...]
    hs_codes: tuple[str, ...]
    shared_hs_codes: Mapping[str, tuple[str, ...]]
    value_without_quantity_usd: float | None
    method: str
    data_years: tuple[int, ...]
    data_status: str
    concordance: str
    sources: tuple[SourceMeta, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TradeOrigin(OriginBlock):
    """``derisk trade origin``: the origin block as a document."""

    ORDER: ClassVar[tuple[str, ...] | None] = ("schema", "as_of", "selected_group")
    schema: str = "derisk.trade-origin/1"
    as_of: str
    selected_group: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SeriesPartner(Record):
    KEYS: ClassVar[Mapping[str, str]] = {"values_": "values"}  # values() is the mapping's
    country: str
    name: str
    values_: tuple[float | None, ...]
    total: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExportSeries(Record):
    """One HS code's monthly exports by destination."""

    key: str
    materials: tuple[str, ...]
    shared_hs: tuple[str, ...]
    months: tuple[str, ...]
    partners: tuple[SeriesPartner, ...]
    other: tuple[float | None, ...]
    other_partners: int
    total: tuple[float | None, ...]
    source_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TradeSeries(Record):
    """``derisk trade series``: monthly exports of a reporter by destination."""

    ROWS: ClassVar[str | None] = "series"
    schema: str = "derisk.trade-series/1"
    reporter: str
    flow: str = "export"
    measure: str
    unit: str
    series: tuple[ExportSeries, ...]
    sources: tuple[SourceMeta, ...]


# -- ownership -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EntityInfo(Record):
    id: str
    name: str
    kind: str
    country: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Stake(Record):
    """One stake of a chain: ``owner`` holds ``percent`` (up to ``percent_max``) of ``owned``."""

    owner: str
    owned: str
    percent: float
    percent_max: float | None
    fact_id: str
    source_id: str
    equity_as_voting: bool


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OwnershipChain(Record):
    """A chain of stakes and the share it carries (the product of its stakes)."""

    share: float
    entities: tuple[str, ...]
    names: tuple[str, ...]
    stakes: tuple[Stake, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Holder(Record):
    """A direct or look-through owner of the entity."""

    id: str
    name: str
    kind: str
    country: str | None
    direct_percent: float | None
    direct_percent_max: float | None
    direct_fact_id: str | None
    look_through: float
    look_through_bounds: tuple[float, float]
    integrated: float | None
    ultimate: bool
    paths: tuple[OwnershipChain, ...]
    paths_cover: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ControlWeight(Record):
    id: str
    control: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Control(Record):
    """Who controls the entity: chains of majorities (threshold) and the strongest holders
    (relative); no keys when the entity holds no stakes."""

    threshold: tuple[ControlWeight, ...] | Absent = ABSENT
    relative: tuple[ControlWeight, ...] | Absent = ABSENT
    ultimate_parent: str | Absent | None = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DeclaredInterest(Record):
    fact_id: str
    owner: str
    interest: str
    percent_min: float | None
    percent_max: float | None
    via: str | None
    source_id: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ControlRight(Record):
    fact_id: str
    holder: str | None
    right: str
    reason: str | None
    source_id: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CitedSource(Record):
    """A source as the ownership answers cite it (with the quote that supports the fact)."""

    source_id: str
    publisher: str | None
    title: str | None
    url: str | None
    published: str | None
    confidence: str | None
    quote: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Owners(Record):
    """``derisk owners``: direct and look-through holders, control, declared interests."""

    ROWS: ClassVar[str | None] = "owners"
    schema: str = "derisk.owners/1"
    as_of: str
    interest: str
    entity: EntityInfo
    known_direct_share: float
    unaccounted_share: float
    owners: tuple[Holder, ...]
    control: Control
    declared_interests: tuple[DeclaredInterest, ...]
    rights: tuple[ControlRight, ...]
    cycles: tuple[tuple[str, ...], ...]
    sources: tuple[CitedSource, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Holding(Record):
    id: str
    name: str
    direct_percent: float | None
    look_through: float
    look_through_bounds: tuple[float, float]
    paths: tuple[OwnershipChain, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ChainLimits(Record):
    holdings: int
    chain_depth: int
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Holdings(Record):
    """``derisk holdings``: everything an owner holds, directly and through chains."""

    ROWS: ClassVar[str | None] = "holdings"
    schema: str = "derisk.holdings/1"
    as_of: str
    interest: str
    owner: EntityInfo
    truncated: bool
    total_holdings: int
    limits: ChainLimits
    holdings: tuple[Holding, ...]
    sources: tuple[CitedSource, ...]


# -- look-up lists and sources ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CountryInfo(Record):
    iso3: str
    numeric: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GroupInfo(Record):
    group: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Countries(Record):
    """ISO 3166-1 countries (alpha-3, numeric, name) and the country groups with members."""

    ROWS: ClassVar[str | None] = "countries"
    schema: str = "derisk.countries/1"
    countries: tuple[CountryInfo, ...]
    groups: tuple[GroupInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ImporterInfo(Record):
    importer: str
    name: str
    materials: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Importers(Record):
    """Importing countries with import-source or import-reliance facts."""

    ROWS: ClassVar[str | None] = "importers"
    schema: str = "derisk.importers/1"
    material: str | None
    importers: tuple[ImporterInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EntityRow(Record):
    id: str
    name: str
    kind: str | None
    country: str | None
    source_id: str | None
    stakes: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Entities(Record):
    """``derisk entities``: entities with their kind, country and number of stakes."""

    ROWS: ClassVar[str | None] = "entities"
    schema: str = "derisk.entities/1"
    entities: tuple[EntityRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SourceListed(SourceMeta):
    """A source with the number of facts that cite it."""

    facts: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SourceList(Record):
    """Every source with the number of facts citing it, by precedence then id."""

    ROWS: ClassVar[str | None] = "sources"
    schema: str = "derisk.sources/1"
    sources: tuple[SourceListed, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SourceDetail(SourceMeta):
    """A source with its supporting quote and licence."""

    quote: str | None
    licence: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SourceFacts(Record):
    """A source and every fact that cites it (each fact with all its stored columns)."""

    ROWS: ClassVar[str | None] = "facts"
    schema: str = "derisk.source-facts/1"
    source: SourceDetail
    facts: tuple[JSONObject, ...]
