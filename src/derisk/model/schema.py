"""The derisk schema, defined once.

Every table in the store and every typed row object comes from the frozen
dataclasses below. A field's Python type gives its SQL type (``str`` ->
VARCHAR, ``float`` -> DOUBLE, ``int`` -> INTEGER, ``date`` -> DATE,
``bool`` -> BOOLEAN); ``X | None`` makes it nullable. ``Meta`` on a class
names its table, primary key and documentation.

Every fact table carries ``source_id`` (a row of :class:`Source`) and a
validity interval ``valid_from`` / ``valid_to`` (``valid_to`` ``None`` means
open-ended). Unknown is a value: ``status`` says whether a quantity was
reported, estimated, withheld, not available or zero, and a withheld
quantity is stored as ``None`` -- never as zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, TypeVar


class Status(StrEnum):
    """How a quantity is known. USGS prints W, NA and an em dash for the last three."""

    REPORTED = "reported"
    ESTIMATED = "estimated"
    WITHHELD = "withheld"
    NOT_AVAILABLE = "not-available"
    ZERO = "zero"


KNOWN_STATUSES = frozenset({Status.REPORTED, Status.ESTIMATED, Status.ZERO})


class Measure(StrEnum):
    PRODUCTION = "production"
    CAPACITY = "capacity"
    RESERVES = "reserves"
    # The most a withheld figure can be, implied by other published figures of the same source
    # (import reliance, imports and exports, stocks): caps the figure, is not a figure itself.
    UPPER_BOUND = "upper-bound"


class Confidence(StrEnum):
    """[H] primary or official, or two agreeing sources; [M] one good secondary; [L] unverified."""

    HIGH = "H"
    MEDIUM = "M"
    LOW = "L"


class EntityKind(StrEnum):
    COMPANY = "company"
    GOVERNMENT = "government"
    PERSON = "person"
    FACILITY = "facility"


class FacilityType(StrEnum):
    MINE = "mine"
    REFINERY = "refinery"
    SEPARATION_PLANT = "separation-plant"
    METAL_PLANT = "metal-plant"
    COMPONENT_PLANT = "component-plant"


class Interest(StrEnum):
    EQUITY = "equity"
    VOTING = "voting"
    DEBT = "debt"
    BOARD = "board"


WORLD = "WLD"
"""Pseudo country code for a world total as a source states it."""
OTHER = "OTH"
"""Pseudo country code for "other countries" lines in a source."""


@dataclass(frozen=True)
class TableMeta:
    table: str
    key: tuple[str, ...]
    doc: str
    fact: bool = True


@dataclass(frozen=True)
class Source:
    """Where a fact comes from. ``precedence``: lower wins when sources disagree."""

    Meta: ClassVar[TableMeta] = TableMeta("source", ("source_id",), "Sources of facts", fact=False)
    source_id: str
    publisher: str
    title: str
    url: str | None = None
    published: dt.date | None = None
    quote: str | None = None
    confidence: str = Confidence.HIGH.value
    precedence: int = 50
    via: str | None = None
    licence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Country:
    Meta: ClassVar[TableMeta] = TableMeta("country", ("iso3",), "ISO 3166-1 countries", fact=False)
    iso3: str
    name: str
    iso2: str | None = None
    numeric: str | None = None


@dataclass(frozen=True)
class CountryGroup:
    Meta: ClassVar[TableMeta] = TableMeta(
        "country_group", ("group_id",), "Named country groups", fact=False
    )
    group_id: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class GroupMember:
    Meta: ClassVar[TableMeta] = TableMeta(
        "group_member", ("group_id", "iso3", "valid_from"), "Dated, sourced group membership"
    )
    group_id: str
    iso3: str
    source_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Material:
    Meta: ClassVar[TableMeta] = TableMeta("material", ("material_id",), "Materials", fact=False)
    material_id: str
    name: str


@dataclass(frozen=True)
class Stage:
    Meta: ClassVar[TableMeta] = TableMeta(
        "stage", ("material_id", "stage_id"), "Processing stages of a material", fact=False
    )
    material_id: str
    stage_id: str
    seq: int
    name: str
    kind: str
    hs_codes: str = ""


@dataclass(frozen=True)
class Entity:
    """A company, government body, person or facility."""

    Meta: ClassVar[TableMeta] = TableMeta("entity", ("entity_id",), "Entities")
    entity_id: str
    kind: str
    name: str
    source_id: str
    country: str | None = None
    facility_type: str | None = None
    material_id: str | None = None
    stage_id: str | None = None
    operator_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    aliases: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Production:
    """Production, capacity or reserves of a material stage in a country and year.

    ``country`` is ISO alpha-3, or ``WLD`` for the world total the source states,
    or ``OTH`` for a source's "other countries" line.
    """

    Meta: ClassVar[TableMeta] = TableMeta(
        "production",
        ("material_id", "stage_id", "measure", "country", "year", "source_id"),
        "Production, capacity and reserves",
    )
    fact_id: str
    material_id: str
    stage_id: str
    measure: str
    country: str
    year: int
    quantity: float | None
    unit: str
    status: str
    source_id: str
    raw: str | None = None
    in_world_total: bool | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Share:
    """A share of world output where a source gives only shares.

    Either ``country`` names one country, or ``country`` is ``None`` and
    ``ranks`` names the rank positions the share covers (``"2-3"``: the second
    and third producers together, not named by the source).
    """

    Meta: ClassVar[TableMeta] = TableMeta(
        "share", ("material_id", "stage_id", "year", "country", "ranks", "source_id"), "Shares"
    )
    fact_id: str
    material_id: str
    stage_id: str
    year: int
    share: float
    source_id: str
    country: str | None = None
    ranks: str | None = None
    world_total: float | None = None
    unit: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Trade:
    """Bilateral trade: ``reporter`` reports a flow with ``partner``."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "trade",
        ("reporter", "partner", "flow", "hs_code", "year", "month", "source_id"),
        "Bilateral trade",
    )
    fact_id: str
    reporter: str
    partner: str
    flow: str
    hs_code: str
    year: int
    source_id: str
    month: int | None = None
    material_id: str | None = None
    stage_id: str | None = None
    value_usd: float | None = None
    quantity_kg: float | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class ImportSource:
    """Share of an importer's imports of a product category coming from a country."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "import_source",
        ("importer", "material_id", "category", "country", "period", "source_id"),
        "Import sources",
    )
    fact_id: str
    importer: str
    material_id: str
    category: str
    country: str
    share: float
    period: str
    source_id: str
    stage_id: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None
    share_low: float | None = None
    share_high: float | None = None
    """Bounds where the source gives a range or a bound ("more than 70%"); empty when exact."""


@dataclass(frozen=True)
class ImportReliance:
    """Net import reliance as a share of apparent consumption (``raw`` keeps ``>75`` etc.)."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "import_reliance", ("importer", "material_id", "year", "source_id"), "Import reliance"
    )
    fact_id: str
    importer: str
    material_id: str
    year: int
    source_id: str
    value: float | None = None
    raw: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Stake:
    """``owner_id`` holds ``percent`` of ``owned_id``'s ``interest`` (equity/voting/debt/board)."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "stake", ("owner_id", "owned_id", "interest", "valid_from", "source_id"), "Stakes"
    )
    fact_id: str
    owner_id: str
    owned_id: str
    interest: str
    percent: float
    source_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class ExportRestriction:
    Meta: ClassVar[TableMeta] = TableMeta("export_restriction", ("fact_id",), "Export restrictions")
    fact_id: str
    issuer: str
    items: str
    target: str
    source_id: str
    material_id: str | None = None
    stage_id: str | None = None
    scope: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    suspended_until: dt.date | None = None
    note: str | None = None


ROW_TYPES: list[type[Any]] = [
    Source,
    Country,
    CountryGroup,
    GroupMember,
    Material,
    Stage,
    Entity,
    Production,
    Share,
    Trade,
    ImportSource,
    ImportReliance,
    Stake,
    ExportRestriction,
]
"""Every row type, in table-creation order. Area modules add theirs with :func:`register`."""
TABLES: dict[str, type[Any]] = {cls.Meta.table: cls for cls in ROW_TYPES}

R = TypeVar("R")


def register(cls: type[R]) -> type[R]:
    """Class decorator: add a row type (with a ``Meta``) defined in another model module."""
    table = cls.Meta.table  # type: ignore[attr-defined]
    if table in TABLES and TABLES[table] is not cls:
        raise ValueError(f"table {table!r} is defined twice")
    if table not in TABLES:
        ROW_TYPES.append(cls)
        TABLES[table] = cls
    return cls


@dataclass(frozen=True)
class Column:
    name: str
    py_type: type[Any]
    sql_type: str
    nullable: bool
    default: Any = field(default=None)
    has_default: bool = False


_SQL = {str: "VARCHAR", int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN", dt.date: "DATE"}


def columns(row_type: type[Any]) -> list[Column]:
    """The columns of a row type, in declaration order."""
    hints = typing.get_type_hints(row_type)
    out: list[Column] = []
    for f in dataclasses.fields(row_type):
        hint = hints[f.name]
        nullable = False
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            nullable = len(args) < len(typing.get_args(hint))
            hint = args[0]
        has_default = f.default is not dataclasses.MISSING
        default = f.default if has_default else None
        out.append(Column(f.name, hint, _SQL[hint], nullable, default, has_default))
    return out


def fact_tables() -> list[str]:
    return [cls.Meta.table for cls in ROW_TYPES if cls.Meta.fact]
