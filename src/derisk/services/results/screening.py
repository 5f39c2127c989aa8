"""Result types of ownership screening (``derisk screen``, ``GET /api/screen``).

A verdict is ``flagged``, ``clear`` or ``indeterminate`` (see :mod:`derisk.services.screening`).
Screening one entity explains each test of the rule (:data:`ScreenTest`), the components of a
composite rule, what would settle an indeterminate verdict and the sources used; screening
every entity gives one :class:`ScreenRow` each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from derisk.model.record import ABSENT, Absent, Record
from derisk.services.results import CitedSource, EntityInfo, OwnershipChain

__all__ = [
    "DebtHolder",
    "FlagTest",
    "ListEntry",
    "RightHeld",
    "RuleCitation",
    "RuleInfo",
    "ScreenAll",
    "ScreenComponent",
    "ScreenCounts",
    "ScreenEntity",
    "ScreenRow",
    "ScreenTest",
    "SettleInterest",
    "SettleItem",
    "SettleStake",
    "TagHeld",
    "ThresholdTest",
    "Verdict",
    "VerdictTest",
]

#: the three verdicts
Verdict = Literal["flagged", "clear", "indeterminate"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RuleCitation(Record):
    """A citation of the rule pack (the law or guidance a rule reads)."""

    id: str
    title: str
    url: str | None
    confidence: str | None
    note: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RuleInfo(Record):
    """The version of a rule in force on the screening date."""

    rule: str
    title: str
    version: str
    effective_from: str | None
    effective_to: str | None
    confidence: str
    citations: tuple[RuleCitation, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ListEntry(Record):
    """An entry of a restricted-party list in force that names the entity."""

    list: str
    entry_id: str
    name_as_listed: str
    section: str | None
    edition: str
    listed_from: str | None
    matched_by: Literal["entity id", "name"]
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TagHeld(Record):
    """A tag of the entity (nationality, instrumentality…) with its country."""

    tag: str
    country: str | None
    source_id: str | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RightHeld(Record):
    """A control right (or an interest of unknown size) a holder has over a subject."""

    fact_id: str
    holder: str | None
    subject: str
    right: str
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DebtHolder(Record):
    holder: str
    percent: float
    fact_id: str
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class VerdictTest(Record):
    """A test that is another rule's verdict (SFE inside FIE, FEOC inside SFE)."""

    test: str
    result: Verdict


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FlagTest(Record):
    """A yes/no test (a government body, listed, a control right), with what made it so."""

    test: str
    result: Verdict
    note: str | Absent = ABSENT
    entries: tuple[ListEntry, ...] | Absent = ABSENT
    country: str | Absent | None = ABSENT
    tags: tuple[TagHeld, ...] | Absent = ABSENT
    rights: tuple[RightHeld, ...] | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ThresholdTest(Record):
    """A share compared with a threshold at both ends of the stakes' ranges (``bounds``),
    with the chains that carry it."""

    test: str
    value: float
    bounds: tuple[float, float]
    threshold: float
    comparison: str
    result: Verdict
    note: str | None
    confidence: str | Absent = ABSENT
    holder: str | Absent = ABSENT
    interest: str | Absent = ABSENT
    paths: tuple[OwnershipChain, ...] | Absent = ABSENT
    debt_holders: tuple[DebtHolder, ...] | Absent = ABSENT


#: one test of a rule, as the explanation lists it
ScreenTest = VerdictTest | FlagTest | ThresholdTest


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScreenComponent(Record):
    """A component rule of a composite rule (SFE and FIE of PFE) with its own tests."""

    rule: RuleInfo
    verdict: Verdict
    tests: tuple[ScreenTest, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SettleStake(Record):
    """A stake known as a range above the entity: its exact size would settle the verdict."""

    fact_id: str
    owner: str
    owned: str
    interest: str
    percent_min: float
    percent_max: float
    source_id: str
    what: str = "the exact size of this stake"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SettleInterest(RightHeld):
    """An interest of unknown size above the entity: its size would settle the verdict."""

    what: str = "the size of this interest"


SettleItem = SettleStake | SettleInterest


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScreenEntity(Record):
    """``derisk screen ENTITY``: the verdict with figures, thresholds, chains and sources."""

    ROWS: ClassVar[str | None] = "tests"
    schema: str = "derisk.screen/1"
    as_of: str
    rule: RuleInfo
    entity: EntityInfo
    verdict: Verdict
    verdict_at_min: Verdict
    verdict_at_max: Verdict
    tests: tuple[ScreenTest, ...]
    components: Mapping[str, ScreenComponent]
    settle: tuple[SettleItem, ...]
    caveats: tuple[str, ...]
    sources: tuple[CitedSource, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScreenCounts(Record):
    flagged: int
    indeterminate: int
    clear: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScreenRow(Record):
    """One entity's verdict and the tests that flag it."""

    id: str
    name: str
    verdict: Verdict
    verdict_at_min: Verdict
    verdict_at_max: Verdict
    flagged_by: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ScreenAll(Record):
    """``derisk screen --all``: one line per entity, flagged first."""

    ROWS: ClassVar[str | None] = "entities"
    schema: str = "derisk.screen/1"
    as_of: str
    rule: RuleInfo
    counts: ScreenCounts
    entities: tuple[ScreenRow, ...]
