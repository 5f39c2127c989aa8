"""Typed pieces of the trade results that are not results of their own.

:class:`ProductionBasis` is the production figure set an origin trace used (the ``production``
object of ``derisk trade origin --json``).
"""

from __future__ import annotations

from dataclasses import dataclass

from derisk.model.record import ABSENT, Absent, Record

__all__ = ["ProductionBasis"]


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
