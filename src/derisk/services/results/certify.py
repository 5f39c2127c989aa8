"""Result types of certification: certificates, batch verdicts, the rule list and products.

Field order is the ``--json`` key order; ``ABSENT`` marks a key only some answers carry
(see :mod:`derisk.model.record`). A certificate's ``parameters`` and ``findings`` differ by
rule kind: :class:`ShareParameters` / :class:`ShareFinding` for ``max-share`` rules,
:class:`MacrParameters` / :class:`CostFinding` for ``macr`` rules, :class:`NoParameters`
when the rule does not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record
from derisk.services.results import Bounds, SourceMeta
from derisk.services.results.trace import MissingItem, ScreeningStatus

__all__ = [
    "Certificate",
    "CertifyBatch",
    "CitationInfo",
    "CostEvidence",
    "CostFinding",
    "CountryRule",
    "Macr",
    "MacrParameters",
    "NoParameters",
    "PathEvidence",
    "ProductInfo",
    "Products",
    "RuleInfo",
    "RuleVersionInfo",
    "Rules",
    "ShareFinding",
    "ShareParameters",
    "StageVerdict",
    "StatisticEvidence",
    "StatisticRef",
    "ThresholdInfo",
    "VerdictLine",
]


# -- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CitationInfo(Record):
    """The law or guidance a rule rests on."""

    id: str
    title: str
    url: str | None
    confidence: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ThresholdInfo(Record):
    value: float
    confidence: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RuleVersionInfo(Record):
    """A dated version of a rule: a share threshold with its stages, or yearly thresholds."""

    version: str
    effective_from: str | None
    effective_to: str | None
    confidence: str
    note: str | None
    stages: tuple[str, ...] | Absent = ABSENT
    threshold: float | Absent = ABSENT
    thresholds: Mapping[str, ThresholdInfo] | Absent = ABSENT
    later: float | Absent | None = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CountryRule(Record):
    """The countries a rule names, as written in the pack (only the keys it gives)."""

    group: str | Absent = ABSENT
    countries: tuple[str, ...] | Absent = ABSENT
    not_in_group: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RuleInfo(Record):
    """A certification rule; ``max-share`` rules carry metric, countries and materials,
    ``macr`` rules the screening rule and the year basis."""

    rule: str
    title: str
    kind: str
    pack: str
    origin: str
    confidence: str
    applies_to: tuple[str, ...] | str
    citations: tuple[CitationInfo, ...]
    versions: tuple[RuleVersionInfo, ...]
    metric: str | Absent = ABSENT
    countries: CountryRule | Absent = ABSENT
    materials: Mapping[str, tuple[str, ...]] | Absent = ABSENT
    screening: str | Absent = ABSENT
    year_basis: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Rules(Record):
    """``derisk rule-packs``: every rule of the packaged packs (and of extra pack files)."""

    ROWS: ClassVar[str | None] = "rules"
    schema: str = "derisk.rules/1"
    rules: tuple[RuleInfo, ...]


# -- products ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProductInfo(Record):
    product: str
    name: str
    item_class: str
    facility: str
    country: str | None
    owner: str | None
    source_id: str
    materials: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Products(Record):
    """``derisk products``: products valid at the date with facility, country and materials."""

    ROWS: ClassVar[str | None] = "products"
    schema: str = "derisk.products/1"
    as_of: str
    products: tuple[ProductInfo, ...]


# -- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NoParameters(Record):
    """The parameters of a rule that does not apply: none (``{}``)."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShareParameters(Record):
    metric: str
    countries: str
    country_rule: CountryRule
    threshold: float
    stages: tuple[str, ...]
    materials: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MacrParameters(Record):
    year: int
    year_basis: str
    threshold: float
    threshold_confidence: str
    screening: str
    currency: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StageVerdict(Record):
    """A counted stage: the share of the rule's countries (traced; with statistics) and its
    status against the threshold."""

    material: str
    stage: str
    rule_stage: str
    share_bounds: Bounds
    statistical_share_bounds: Bounds
    threshold: float
    status: str
    statistical_status: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PathEvidence(Record):
    """A supply path (product end first) through the facility of a finding."""

    path: tuple[str | None, ...]
    links: tuple[str, ...]
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StatisticRef(Record):
    material: str
    stage: str
    year: int | None
    source_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class StatisticEvidence(Record):
    """A country-share statistic standing in for unnamed suppliers."""

    statistic: StatisticRef


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CostEvidence(Record):
    """A direct cost and the screening of its supplier."""

    cost: str
    screening: ScreeningStatus


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ShareFinding(Record):
    """A share of a counted stage's origin (``max-share`` rules)."""

    material: str
    stage: str
    rule_stage: str
    part: int
    country: str | None
    country_name: str | None
    entity: str | None
    entity_name: str | None
    operator: str | None
    operator_name: str | None
    share: float | None
    basis: str
    in_rule_countries: bool
    stage_status: str
    note: str | None
    evidence: tuple[PathEvidence | StatisticEvidence, ...]
    sources: tuple[SourceMeta, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CostFinding(Record):
    """A direct cost with its supplier's screening status (``macr`` rules)."""

    cost_id: str
    description: str
    material: str | None
    stage: str | None
    country: str | None
    entity: str | None
    entity_name: str | None
    amount: float
    currency: str
    share: float | None
    status: str
    basis: str
    evidence: tuple[CostEvidence, ...]
    sources: tuple[SourceMeta, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Macr(Record):
    """The material-assistance cost ratio: value (when exact), bounds, and the cost totals."""

    value: float | None
    bounds: Bounds
    exact_bounds: tuple[str | None, str | None]
    total: float
    pfe: float
    unscreened: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Certificate(Record):
    """``derisk certify PRODUCT --rule R``: the verdict with the evidence and what is missing."""

    ROWS: ClassVar[str | None] = "findings"
    schema: str = "derisk.certificate/1"
    product: str
    product_name: str
    item_class: str
    rule: str
    rule_title: str
    rule_kind: str
    rule_version: str
    rule_confidence: str
    rule_note: str | None
    citations: tuple[CitationInfo, ...]
    as_of: str
    verdict: str
    statistical_verdict: str
    reason: str
    parameters: ShareParameters | MacrParameters | NoParameters
    macr: Macr | Absent = ABSENT
    stages: tuple[StageVerdict, ...]
    findings: tuple[ShareFinding | CostFinding, ...]
    missing: tuple[MissingItem, ...]
    sources: tuple[SourceMeta, ...]
    low_confidence: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class VerdictLine(Record):
    product: str
    verdict: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CertifyBatch(Record):
    """``derisk certify --all``: the verdict of every product (or a list) under one rule."""

    ROWS: ClassVar[str | None] = "verdicts"
    schema: str = "derisk.certify-batch/1"
    rule: str
    rule_version: str
    as_of: str
    products: int
    counts: Mapping[str, int]
    verdicts: tuple[VerdictLine, ...]
