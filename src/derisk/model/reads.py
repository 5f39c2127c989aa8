"""Typed rows of the store's reads that join or aggregate tables (see
:class:`derisk.store.view.View`); plain table rows are the schema's own dataclasses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

if TYPE_CHECKING:  # numpy is not imported by the model at run time
    import numpy.typing as npt

#: Named numpy arrays: the columns of a read (:class:`StakeColumns` as a mapping), or the arrays
#: of a prepared look-through structure (0-d arrays are its counts) that
#: :class:`derisk.store.prepared.PreparedCache` keeps and loads and
#: :meth:`derisk.analysis.ownership.FlatPlan.from_arrays` rebuilds the plan from.
NamedArrays: TypeAlias = "dict[str, npt.NDArray[Any]]"


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

    fact_id: npt.NDArray[Any]
    owner_id: npt.NDArray[Any]
    owned_id: npt.NDArray[Any]
    lo: npt.NDArray[Any]
    hi: npt.NDArray[Any]
    source_id: npt.NDArray[Any]
    ranged: npt.NDArray[Any]
