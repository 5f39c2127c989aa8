"""Typed rows of the store's reads that join or aggregate tables (see
:class:`derisk.store.view.View`); plain table rows are the schema's own dataclasses."""

from __future__ import annotations

from typing import NamedTuple


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
