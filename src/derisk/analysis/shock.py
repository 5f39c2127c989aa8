"""Export-restriction shocks propagated month by month through a stage network.

Stages ``s = 0..S-1`` of one material, countries ``c, d = 0..C-1``. The baseline (one month):

* ``q[s, c]`` output of stage ``s`` in ``c``; ``X[s, c, d]`` shipments of stage-``s`` material
  from producer ``c`` to user ``d`` (a processor of stage ``s+1`` in ``d``, or a final consumer
  when ``s`` is the last stage), with ``sum_d X[s, c, d] = q[s, c]``;
* requirement of user ``d``: ``R[s, d] = sum_c X[s, c, d]``; a processor's yield
  ``y[s, d] = q[s, d] / R[s-1, d]``; producers with no input from the previous stage
  (mines, suppliers whose feed is not modelled) are *exogenous* and keep their output;
* spare capacity ``k[s, c]`` (per month), stocks of ``m[s, d]`` months of cover, ramp-up time
  ``r[s]`` months.

Each month ``t``, stage by stage from upstream:

1. output ``o[s, c] = q[s, c]`` if exogenous, else ``y[s, c] * used[s-1, c]``;
2. restrictions ``(issuer i, stages, targets T, [start, end), fraction f)`` withhold
   ``w[c, d] = 1 - prod_k (1 - f_k)`` of ``c``'s shipments to every target ``d != c``:
   ``ship[c, d] = o[s, c] * X[s, c, d] / q[s, c] * (1 - w[c, d])``; the withheld rest stays with
   the issuer (``retained``);
3. users receive ``recv[d] = sum_c ship[c, d]``; the gap ``R - recv`` is met first from spare
   capacity of producers not restricting that stage, available at the share
   ``min(1, (t - t0 + 1) / r[s])`` from the first month ``t0`` with a gap, allocated to users in
   proportion to their gaps, then from stocks;
4. ``used = recv + substitution + stock draw``; ``shortfall = R - used``.

Mass balance every month and stage: ``sum o = sum ship + sum retained``,
``sum substitution to users = sum substitution from producers``, ``used = recv + sub + draw``,
``stock_end = stock_start - draw``, and processors turn ``used`` into ``y * used`` of output
(``loss = (1 - y) * used``). Stocks drawn are not rebuilt within the horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from derisk.errors import BadInputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_TOL = 1e-9


@dataclass(frozen=True)
class ShockSystem:
    """Baseline of a stage network (monthly quantities). See the module docstring."""

    output: FloatArray  # (S, C)
    flows: FloatArray  # (S, C, C)
    exogenous: BoolArray  # (S, C)
    spare: FloatArray  # (S, C)
    cover: FloatArray  # (S, C): months of cover held by users of stage-s material
    ramp_months: FloatArray  # (S,)

    @property
    def shape(self) -> tuple[int, int]:
        s, c = self.output.shape
        return int(s), int(c)

    def requirement(self) -> FloatArray:
        """``R[s, d] = sum_c X[s, c, d]``."""
        return np.asarray(self.flows.sum(axis=1), dtype=np.float64)

    def yields(self) -> FloatArray:
        """``y[s, d] = q[s, d] / R[s-1, d]`` for processors (1 for exogenous producers)."""
        s_n, c_n = self.shape
        y = np.ones((s_n, c_n))
        req = self.requirement()
        for s in range(1, s_n):
            linked = ~self.exogenous[s]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(req[s - 1] > 0, self.output[s] / req[s - 1], 0.0)
            y[s] = np.where(linked, ratio, 1.0)
        return y

    def check(self) -> None:
        """Raise ``ValueError`` unless the baseline is consistent."""
        s_n, c_n = self.shape
        if self.flows.shape != (s_n, c_n, c_n):
            raise ValueError(f"flows must have shape {(s_n, c_n, c_n)}")
        for name in ("exogenous", "spare", "cover"):
            if getattr(self, name).shape != (s_n, c_n):
                raise ValueError(f"{name} must have shape {(s_n, c_n)}")
        if self.ramp_months.shape != (s_n,):
            raise ValueError(f"ramp_months must have shape {(s_n,)}")
        for name in ("output", "flows", "spare", "cover", "ramp_months"):
            arr = getattr(self, name)
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise ValueError(f"{name} must be finite and >= 0")
        shipped = self.flows.sum(axis=2)
        scale = max(1.0, float(self.output.max(initial=0.0)))
        bad = np.abs(shipped - self.output) > 1e-6 * scale
        if np.any(bad):
            s, c = np.argwhere(bad)[0]
            raise ValueError(
                f"stage {s}, country {c}: shipments {shipped[s, c]:g} != output "
                f"{self.output[s, c]:g}"
            )
        if not np.all(self.exogenous[0]):
            raise ValueError("every producer of the first stage is exogenous")
        req = self.requirement()
        for s in range(1, s_n):
            fed = self.exogenous[s] & (req[s - 1] > 0)
            if np.any(fed):
                c = int(np.flatnonzero(fed)[0])
                raise ValueError(
                    f"stage {s}, country {c} is exogenous but receives stage {s - 1} material"
                )
            orphan = (~self.exogenous[s]) & (req[s - 1] <= 0) & (self.output[s] > 0)
            if np.any(orphan):
                c = int(np.flatnonzero(orphan)[0])
                raise ValueError(
                    f"stage {s}, country {c} has output but no input: mark it exogenous"
                )


@dataclass(frozen=True)
class Restriction:
    """``issuer`` withholds ``fraction`` of its shipments of ``stages`` to ``targets``
    in months ``start <= t < end``."""

    issuer: int
    stages: tuple[int, ...]
    targets: BoolArray  # (C,)
    start: int
    end: int
    fraction: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.fraction <= 1.0:
            raise BadInputError("fraction withheld must be between 0 and 1")
        if self.end < self.start:
            raise BadInputError("a restriction cannot end before it starts")


@dataclass(frozen=True)
class ShockResult:
    """Arrays of shape ``(T, S, C)``; ``[t, s, d]`` is about users ``d`` of stage-``s`` material
    unless named for producers (``output``, ``retained``, ``substitution_from``)."""

    demand: FloatArray
    received: FloatArray
    withheld: FloatArray
    substitution: FloatArray
    stock_draw: FloatArray
    used: FloatArray
    shortfall: FloatArray
    stock_end: FloatArray
    output: FloatArray
    retained: FloatArray
    substitution_from: FloatArray
    loss: FloatArray
    initial_stock: FloatArray  # (S, C)

    def balance_errors(self) -> FloatArray:
        """Largest absolute violation of each balance identity, per month ``(T, 5)``."""
        t_n = self.demand.shape[0]
        out = np.zeros((t_n, 5))
        stock_start = np.concatenate([self.initial_stock[None], self.stock_end[:-1]], axis=0)
        out[:, 0] = np.abs(
            self.output.sum(axis=2) - self.received.sum(axis=2) - self.retained.sum(axis=2)
        ).max(axis=1)
        out[:, 1] = np.abs(self.substitution.sum(axis=2) - self.substitution_from.sum(axis=2)).max(
            axis=1
        )
        out[:, 2] = (
            np.abs(self.used - self.received - self.substitution - self.stock_draw)
            .reshape(t_n, -1)
            .max(axis=1)
        )
        out[:, 3] = (
            np.abs(self.stock_end - (stock_start - self.stock_draw)).reshape(t_n, -1).max(axis=1)
        )
        out[:, 4] = np.abs(self.demand - self.used - self.shortfall).reshape(t_n, -1).max(axis=1)
        return out


def _withheld_share(
    restrictions: Sequence[Restriction], t: int, s: int, c_n: int
) -> tuple[FloatArray, BoolArray]:
    keep = np.ones((c_n, c_n))
    restricting = np.zeros(c_n, dtype=bool)
    for r in restrictions:
        if r.start <= t < r.end and s in r.stages and r.fraction > 0:
            row = np.where(r.targets, 1.0 - r.fraction, 1.0)
            row[r.issuer] = 1.0  # no restriction on domestic use
            keep[r.issuer] *= row
            restricting[r.issuer] = True
    return 1.0 - keep, restricting


def simulate(system: ShockSystem, restrictions: Sequence[Restriction], months: int) -> ShockResult:
    """Run the monthly model for ``months`` months (see the module docstring).

    >>> # one stage, China (0) ships 6 t/month to the US (1) and 4 to itself; the US holds
    >>> # 1 month of cover; a full ban from month 1 for 2 months; no spare capacity.
    >>> sysm = ShockSystem(
    ...     output=np.array([[10.0, 0.0]]),
    ...     flows=np.array([[[4.0, 6.0], [0.0, 0.0]]]),
    ...     exogenous=np.array([[True, True]]),
    ...     spare=np.zeros((1, 2)), cover=np.array([[0.0, 1.0]]), ramp_months=np.array([3.0]),
    ... )
    >>> ban = Restriction(0, (0,), np.array([False, True]), 1, 3, 1.0)
    >>> simulate(sysm, [ban], 4).shortfall[:, 0, 1].tolist()
    [0.0, 0.0, 6.0, 0.0]
    """
    system.check()
    if months < 1:
        raise BadInputError("months must be >= 1")
    s_n, c_n = system.shape
    for r in restrictions:
        if not 0 <= r.issuer < c_n or r.targets.shape != (c_n,):
            raise BadInputError("restriction issuer or targets do not match the countries")
        if any(not 0 <= s < s_n for s in r.stages):
            raise BadInputError("restriction names a stage outside the network")
    req = system.requirement()
    y = system.yields()
    with np.errstate(divide="ignore", invalid="ignore"):
        alloc = np.where(
            system.output[:, :, None] > 0, system.flows / system.output[:, :, None], 0.0
        )
    shape = (months, s_n, c_n)
    res = {
        k: np.zeros(shape)
        for k in (
            "demand",
            "received",
            "withheld",
            "substitution",
            "stock_draw",
            "used",
            "shortfall",
            "stock_end",
            "output",
            "retained",
            "substitution_from",
            "loss",
        )
    }
    initial = system.cover * req
    stock = initial.copy()
    first_gap: list[int | None] = [None] * s_n
    for t in range(months):
        for s in range(s_n):
            if s == 0:
                out = system.output[0].copy()
            else:
                used_prev = res["used"][t, s - 1]
                out = np.where(system.exogenous[s], system.output[s], y[s] * used_prev)
                res["loss"][t, s - 1] = np.where(
                    system.exogenous[s], 0.0, used_prev - y[s] * used_prev
                )
            w, restricting = _withheld_share(restrictions, t, s, c_n)
            planned = out[:, None] * alloc[s]
            ship = planned * (1.0 - w)
            recv = ship.sum(axis=0)
            gap = np.maximum(req[s] - recv, 0.0)
            gap[gap < _TOL * max(1.0, float(req[s].max(initial=0.0)))] = 0.0
            total_gap = float(gap.sum())
            sub_to = np.zeros(c_n)
            sub_from = np.zeros(c_n)
            if total_gap > 0:
                if first_gap[s] is None:
                    first_gap[s] = t
                ramp_n = float(system.ramp_months[s])
                start = first_gap[s] or 0
                ramp = 1.0 if ramp_n <= 0 else min(1.0, (t - start + 1) / ramp_n)
                avail = np.where(restricting, 0.0, system.spare[s] * ramp)
                total_sub = min(float(avail.sum()), total_gap)
                if total_sub > 0:
                    sub_to = gap / total_gap * total_sub
                    sub_from = avail / float(avail.sum()) * total_sub
            need = np.maximum(req[s] - recv - sub_to, 0.0)
            draw = np.minimum(stock[s], need)
            stock[s] = stock[s] - draw
            used = recv + sub_to + draw
            res["demand"][t, s] = req[s]
            res["received"][t, s] = recv
            res["withheld"][t, s] = (planned - ship).sum(axis=0)
            res["substitution"][t, s] = sub_to
            res["stock_draw"][t, s] = draw
            res["used"][t, s] = used
            res["shortfall"][t, s] = req[s] - used
            res["stock_end"][t, s] = stock[s]
            res["output"][t, s] = out
            res["retained"][t, s] = out - ship.sum(axis=1)
            res["substitution_from"][t, s] = sub_from
    return ShockResult(initial_stock=initial, **res)


def product_shortfall(use: FloatArray, demand: FloatArray, shortfall: FloatArray) -> FloatArray:
    """Shortfall of products that use material at a node: ``use_p * shortfall / demand``.

    ``use`` (P,) is each product's monthly use of the material; ``demand`` and ``shortfall``
    (T, P) are the node's monthly requirement and shortfall. A node with no demand gives 0.

    >>> product_shortfall(np.array([2.0]), np.array([[10.0], [10.0]]), np.array([[0.0], [5.0]]))
    array([[0.],
           [1.]])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(demand > 0, shortfall / demand, 0.0)
    return np.asarray(frac * use[None, :], dtype=np.float64)


__all__ = ["Restriction", "ShockResult", "ShockSystem", "product_shortfall", "simulate"]
