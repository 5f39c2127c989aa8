"""Typed pieces of the trade results that are not results of their own.

:class:`ProductionBasis` is the production figure set an origin trace used (the ``production``
object of ``derisk trade origin --json``); :class:`ConcordanceListing` is ``derisk trade
concordance --json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record

__all__ = ["ConcordanceEntry", "ConcordanceListing", "ProductionBasis"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProductionBasis(Record):
    """The production figures behind an origin trace: their year and source, with the
    countries known and unknown; or only ``note`` when their unit cannot be converted."""

    year: int
    source_id: str
    unit: str | Absent | None = ABSENT
    countries_known: int | Absent = ABSENT
    countries_unknown: tuple[str, ...] | Absent = ABSENT
    note: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ConcordanceEntry(Record):
    """An HS code's material and stage, with the other materials its code also covers."""

    hs_code: str
    material_id: str
    stage_id: str
    note: str
    shared_with: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ConcordanceListing(Record):
    """``derisk trade concordance``: the HS concordance in use and where it comes from."""

    ROWS: ClassVar[str | None] = "entries"
    schema: str = "derisk.trade-concordance/1"
    path: str
    entries: tuple[ConcordanceEntry, ...]
