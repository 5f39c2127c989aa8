"""Response schemas of the core endpoints, for the OpenAPI document.

They describe the dicts the services return (the CLI's ``--json``); the API sends those dicts
as they are. Models allow extra keys so that a service may add fields in a compatible way.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from derisk.api.problems import PROBLEM_JSON, PROBLEM_SCHEMA

Bounds = list[float | None]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class PageInfo(Out):
    total: int
    limit: int
    offset: int
    next: int | None = Field(description="Offset of the next page, or null on the last page.")


class SourceMeta(Out):
    source_id: str
    publisher: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None
    confidence: str | None = None
    precedence: int | None = None
    via: str | None = None
    note: str | None = None


class StageInfo(Out):
    stage: str
    name: str
    kind: str
    hs_codes: list[str]
    years: list[int]


class MaterialInfo(Out):
    material: str
    name: str
    stages: list[StageInfo]


class MaterialsOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.materials/1"])
    materials: list[MaterialInfo]
    page: PageInfo


class OverviewRow(Out):
    material: str
    stage: str
    stage_name: str
    year: int | None
    year_stated: bool = True
    data_status: str
    selected_share: float | None = None
    selected_share_bounds: Bounds | None = None
    top_country: str | None = None
    top_share: float | None = None
    top3_share: float | None = None
    hhi: float | None = None
    unallocated_share: float | None = None
    source_id: str | None = None
    source_url: str | None = None
    confidence: str | None = None
    alternatives: int | None = None
    bottleneck: bool


class OverviewOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.overview/1"])
    as_of: str
    selected_countries: list[str]
    selected_group: str | None
    rows: list[OverviewRow]
    page: PageInfo


class ShareLine(Out):
    country: str | None
    name: str | None
    quantity: float | None
    share: float | None
    status: str


class Unknown(Out):
    country: str | None
    status: str
    share_bound: float | None
    bounded: bool
    note: str | None


class Alternative(Out):
    source_id: str
    kind: str
    year: int | None
    top_country: str | None
    top_share: float | None
    top3_share: float | None
    selected_share: float | None
    selected_share_bounds: Bounds


class ChainStage(Out):
    stage: str
    name: str
    year: int | None
    year_stated: bool = True
    data_status: str
    selected_share: float | None = None
    selected_share_bounds: Bounds | None = None
    top_country: str | None = None
    top_share: float | None = None
    hhi: float | None = None
    source_id: str | None = None
    confidence: str | None = None


class ImportCategory(Out):
    category: str
    stage: str | None
    period: str | None
    source_id: str
    sources: list[dict[str, Any]]
    selected_share: float | None
    other_share: float | None
    selected_share_bounds: Bounds


class ImporterOut(Out):
    importer: str
    categories: list[ImportCategory]
    import_reliance: list[dict[str, Any]]
    data_status: str


class ExposureOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.exposure/1"])
    as_of: str
    material: str
    stage: str
    stage_name: str
    year: int | None
    year_stated: bool = True
    unit: str | None
    measure: str
    data_kind: str | None
    world_total: float | None
    shares: list[ShareLine]
    unallocated_share: float | None
    overallocated_share: float | None
    hhi: float | None
    hhi_bounds: Bounds | None
    top3_share: float | None
    top_country: str | None
    top_share: float | None
    selected_countries: list[str]
    selected_group: str | None
    selected_share: float | None
    selected_share_bounds: Bounds | None
    unknown: list[Unknown]
    data_status: str
    confidence: str | None
    source_id: str | None
    sources: list[SourceMeta]
    alternatives: list[Alternative]
    chain: list[ChainStage]
    bottleneck_stage: str | None
    importer: ImporterOut | None


class SourceLookupOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.source/1"])
    source: SourceMeta | None
    fact: dict[str, Any] | None
    facts: int


class SourceListed(SourceMeta):
    facts: int


class SourcesOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.sources/1"])
    sources: list[SourceListed]
    page: PageInfo


class SourceFactsOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.source-facts/1"])
    source: SourceMeta
    facts: list[dict[str, Any]]
    page: PageInfo


class CountryInfo(Out):
    iso3: str
    numeric: str
    name: str


class GroupInfo(Out):
    group: str
    name: str
    members: list[str]


class CountriesOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.countries/1"])
    countries: list[CountryInfo]
    groups: list[GroupInfo]
    page: PageInfo


class ImporterInfo(Out):
    importer: str
    name: str
    materials: list[str]


class ImportersOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.importers/1"])
    material: str | None
    importers: list[ImporterInfo]


class HealthOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.health/1"])
    status: str
    database: str | None = Field(description="Path of the database file (admins only).")
    schema_version: int
    writable: bool
    version: str


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses, each a problem+json body."""
    return {
        s: {
            "description": "Problem details (RFC 9457)",
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for s in statuses
    }
