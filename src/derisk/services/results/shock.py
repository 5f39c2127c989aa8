"""Result types of the shock scenarios: ``derisk shock`` and ``derisk scenarios``.

Fields are the ``--json`` keys in printed order (see :mod:`derisk.model.record`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record
from derisk.services.results import SourceMeta

__all__ = [
    "ProductMonth",
    "ProductNode",
    "ScenarioInfo",
    "ScenarioProduct",
    "Scenarios",
    "Shock",
    "ShockBalance",
    "ShockCountry",
    "ShockMonth",
    "ShockRestriction",
    "ShockScenario",
    "ShockSummary",
    "StoreProduct",
]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScenarioInfo(Record):
    """A bundled scenario, the restriction facts it cites and those the store lacks."""

    id: str
    title: str
    material: str
    start: str
    months: int
    file: str
    facts: tuple[str, ...]
    missing_facts: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Scenarios(Record):
    """``derisk scenarios``: the bundled scenarios."""

    ROWS: ClassVar[str | None] = "scenarios"
    schema: str = "derisk.scenarios/1"
    scenarios: tuple[ScenarioInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockScenario(Record):
    id: str
    title: str
    description: str
    file: str
    material: str
    start: str
    months: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockCountry(Record):
    key: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockRestriction(Record):
    """A restriction as modelled: stages, targets and months, and its effect."""

    id: str
    fact: str | None
    issuer: str | None
    stages: tuple[str, ...]
    stages_not_modelled: tuple[str, ...]
    targets: tuple[str, ...]
    start: str
    end: str
    fraction: float
    note: str | None
    source_id: str | None
    scope: str | None
    suspended_until: str | None
    warning: str | Absent = ABSENT
    effect: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockMonth(Record):
    """One month x stage x country with demand (t per month)."""

    month: str
    stage: str
    country: str
    supply: float
    demand: float
    shortfall: float
    withheld: float
    substitution: float
    stock_draw: float
    stock_end: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockSummary(Record):
    """One stage x country over the horizon."""

    stage: str
    country: str
    name: str
    demand: float
    shortfall: float
    shortfall_share: float
    peak_shortfall: float
    peak_month: str | None
    first_short_month: str | None
    months_short: int
    withheld: float
    substitution: float
    stock_used: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProductNode(Record):
    stage: str
    country: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProductMonth(Record):
    month: str
    shortfall_share: float
    shortfall: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScenarioProduct(Record):
    """A product named by the scenario file (``origin`` = ``scenario``)."""

    id: str
    name: str
    country: str | None
    stage: str | None
    use: float | None
    note: str | None
    origin: str = "scenario"
    modelled: bool
    node: ProductNode | Absent = ABSENT
    months: tuple[ProductMonth, ...]
    worst_share: float | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StoreProduct(Record):
    """A product whose bill of materials in the store uses the material (``origin`` =
    ``store``)."""

    id: str
    name: str | None
    country: str | None
    stage: str | None
    use: float | None
    per_unit: float | None
    unit: str | None
    source_id: str | None
    origin: str = "store"
    modelled: bool
    node: ProductNode | Absent = ABSENT
    months: tuple[ProductMonth, ...]
    note: str | Absent = ABSENT
    worst_share: float | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShockBalance(Record):
    """The largest mass-balance error of the simulation (t) and the identities checked."""

    max_error: float
    relative: float
    checks: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Shock(Record):
    """``derisk shock``: shortfalls by month x stage x country, and by product."""

    ROWS: ClassVar[str | None] = "months"
    schema: str = "derisk.shock/1"
    scenario: ShockScenario
    material: str
    unit: str
    stages: tuple[str, ...]
    countries: tuple[ShockCountry, ...]
    restrictions: tuple[ShockRestriction, ...]
    assumptions: tuple[str, ...]
    months: tuple[ShockMonth, ...]
    summary: tuple[ShockSummary, ...]
    products: tuple[ScenarioProduct | StoreProduct, ...]
    balance: ShockBalance
    notes: tuple[str, ...]
    sources: tuple[SourceMeta, ...]
