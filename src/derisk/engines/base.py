"""The engine interface: where look-through ownership and trade-origin tracing are computed.

Two engines answer the same questions to 1e-9:

* ``local`` (:mod:`derisk.engines.local`, the default): numpy/scipy in this process, through the
  pure functions of :mod:`derisk.analysis.ownership` and :mod:`derisk.analysis.trace_trade`;
* ``spark`` (:mod:`derisk.engines.spark`): Apache Spark, in local mode or on a cluster
  (``spark-submit`` or Spark Connect); pyspark is imported only there.

The engine is chosen by ``--engine local|spark`` on the commands that use one, else by
``$DERISK_ENGINE``, else ``local``. Services ask :func:`current` for the engine in force;
front ends set it with :func:`using`.

Operations (every engine implements all of them):

* ``origin_shares(p, T, u)``: re-export-corrected origin of every country's supply for one
  commodity and period (see :func:`derisk.analysis.trace_trade.origin_shares`);
* ``trace_table(flows, production, selected)``: the same for many commodity-years at once, as
  tables (one row per commodity-year and country with supply);
* ``prepare(stakes)`` once per interest layer, then ``set_share(prepared, members, cut)``: the
  share of every entity held by an owner set through every chain
  (:func:`derisk.analysis.ownership.set_share`);
* ``look_through(stakes, target)``: every holder's integrated and Vitali-corrected share of one
  entity (:func:`derisk.analysis.ownership.look_through`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from derisk.errors import BadInputError, EngineGapError

if TYPE_CHECKING:  # keep ``import derisk.engines`` light: no scipy, pyarrow or pyspark
    import pyarrow as pa

    from derisk.analysis.ownership import LookThrough, Stakes
    from derisk.analysis.trace_trade import Origins

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: What an engine says of itself (:meth:`Engine.describe`): name, versions, configuration.
EngineFacts = Mapping[str, str | int | bool | None]

ENGINES = ("local", "spark")
ENGINE_ENV = "DERISK_ENGINE"

TRACE_COLUMNS = (
    "year",
    "commodity",
    "country",
    "supply",
    "production",
    "estimated",
    "selected_share",
    "unknown_share",
)
"""Columns of :meth:`Engine.trace_table`'s result, in order (``selected_share`` and
``unknown_share`` are fractions of the country's supply pool ``s_j``)."""

SHARE_COLUMNS = ("entity", "share")
"""Columns of a bulk look-through result: an entity id and the share the owner set holds."""


class EngineGap(EngineGapError):
    """A declared limit of one engine: the question has an answer, this engine does not give it.

    Raised instead of a partial or approximate answer; the shared test suite lists each gap as
    a strict expected failure.
    """


@runtime_checkable
class Engine(Protocol):
    """What every engine computes (see the module docstring)."""

    name: str

    def origin_shares(
        self, production: FloatArray, trade: FloatArray, unknown_inflow: FloatArray | None = None
    ) -> Origins: ...

    def trace_table(
        self, flows: pa.Table, production: pa.Table | None, selected: Sequence[str]
    ) -> pa.Table: ...

    def prepare(self, stakes: Stakes) -> Any: ...

    def set_share(
        self, prepared: Any, members: BoolArray | Sequence[int], *, cut: bool = True
    ) -> FloatArray: ...

    def look_through(self, stakes: Stakes, target: int) -> LookThrough: ...

    def describe(self) -> EngineFacts: ...


_CURRENT: contextvars.ContextVar[Engine | None] = contextvars.ContextVar(
    "derisk_engine", default=None
)


def engine_name(name: str | None = None) -> str:
    """The engine to use: ``name``, else ``$DERISK_ENGINE``, else ``local``.

    >>> engine_name("spark"), engine_name("LOCAL")
    ('spark', 'local')
    """
    chosen = (name or os.environ.get(ENGINE_ENV) or "local").strip().lower()
    if chosen not in ENGINES:
        raise BadInputError(f"unknown engine {chosen!r}; one of {', '.join(ENGINES)}")
    return chosen


def get_engine(name: str | None = None) -> Engine:
    """An engine by name (``spark`` starts or joins the Spark session configured by
    ``$DERISK_SPARK_*``, see :mod:`derisk.engines.spark`)."""
    chosen = engine_name(name)
    if chosen == "spark":
        try:
            from derisk.engines.spark import SparkEngine
        except ImportError as exc:
            raise EngineGap(
                f"the Spark engine needs pyspark ({exc.name} is missing): "
                "pip install 'derisk[spark]'"
            ) from None
        return SparkEngine.default()
    from derisk.engines.local import LocalEngine

    return LocalEngine()


def current() -> Engine:
    """The engine in force: the one set by :func:`using`, else :func:`get_engine`'s default."""
    eng = _CURRENT.get()
    if eng is None:
        eng = get_engine(None)
    return eng


@contextlib.contextmanager
def using(engine: Engine | str | None) -> Iterator[Engine]:
    """Run the enclosed service calls on ``engine`` (an engine, a name, or ``None``: default)."""
    eng = engine if isinstance(engine, Engine) else get_engine(engine)
    token = _CURRENT.set(eng)
    try:
        yield eng
    finally:
        _CURRENT.reset(token)
