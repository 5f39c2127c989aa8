"""Typed rows of the store's reads that join or aggregate tables (see
:class:`derisk.store.view.View`); plain table rows are the schema's own dataclasses."""

from __future__ import annotations

from typing import Any, NamedTuple


class CapacityCap(NamedTuple):
    """The least capacity stated for a material stage in a country and year."""

    material_id: str
    stage_id: str
    year: int
    country: str
    quantity: float


class TradeFlow(NamedTuple):
    """A trade row with its source's precedence (50 when the source is not stored)."""

    reporter: str
    partner: str
    flow: str
    hs_code: str
    year: int
    month: int | None
    quantity_kg: float | None
    value_usd: float | None
    source_id: str
    precedence: int
    material_id: str | None
    stage_id: str | None


class RankedFigure(NamedTuple):
    """A production figure with its source's precedence (50 when the source is not stored)."""

    year: int
    source_id: str
    country: str
    quantity: float | None
    status: str
    unit: str
    precedence: int


class StakeColumns(NamedTuple):
    """The stakes of one interest in force on a date, as numpy columns (one row per owner and
    owned pair: the latest start, then the source of lowest precedence, then the fact id).
    ``lo``/``hi`` are percents (equal for an exact stake); ``ranged`` marks a stake range."""

    fact_id: Any
    owner_id: Any
    owned_id: Any
    lo: Any
    hi: Any
    source_id: Any
    ranged: Any
