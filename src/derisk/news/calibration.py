"""Calibrated confidence of proposed events, measured on real published articles.

Every proposal falls in a *group*: its event type, whether a key organisation of it is not in
the graph (``new``) and whether a role came from a reference to an earlier sentence ("the
company", "It": ``ref``), and whether the fields its type usually states were found
(``partial`` when not). ``data/calibration.yaml`` holds, per group, how many proposals of
that group the extractor made on the development half of the real-article corpus and how
many of them were right (matched a hand label). The confidence of a proposal is the smoothed
share right of its group::

    c = (right + 1) / (total + 2)                      (Laplace's rule of succession)

backing off to the type's counts when the group has fewer than ``MIN_COUNT`` proposals, and to
all proposals when the type has fewer. Attribution to unnamed sources ("people familiar with
the matter") multiplies it by ``HEDGE_FACTOR``. So ``--auto-accept 0.8`` accepts the groups
that were right at least about 80% of the time on the development half; the measured
accuracy per confidence bin on both halves is in ``docs/news.md``.

:func:`fit` turns scored proposals ``(group, right)`` into the table; the benchmark of real
articles reports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

MIN_COUNT = 5
HEDGE_FACTOR = 0.6


def group_of(etype: str, *, new: int, by_reference: bool, complete: bool) -> str:
    """Calibration group of a proposal.

    >>> group_of("offtake", new=1, by_reference=False, complete=True)
    'offtake/new'
    >>> group_of("export_restriction", new=0, by_reference=True, complete=True)
    'export_restriction/linked/ref'
    """
    parts = [etype, "new" if new else "linked"]
    if by_reference:
        parts.append("ref")
    if not complete:
        parts.append("partial")
    return "/".join(parts)


def _smooth(right: int, total: int) -> float:
    return (right + 1) / (total + 2)


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[int, int]]:
    """``group → (right, total)`` as measured (``data/calibration.yaml``)."""
    raw: Any = yaml.safe_load(
        resources.files("derisk.news").joinpath("data/calibration.yaml").read_text("utf-8")
    )
    groups = raw.get("groups") or {}
    return {str(k): (int(v["right"]), int(v["total"])) for k, v in groups.items()}


def calibrated(group: str, *, hedged: bool = False, counts: dict[str, Any] | None = None) -> float:
    """Confidence of a proposal of ``group`` (see the module docstring).

    >>> calibrated("stake_acquisition/linked", counts={"stake_acquisition/linked": (8, 8)})
    0.9
    >>> calibrated("offtake/new", counts={"offtake/new": (1, 2), "offtake/linked": (3, 4)})
    0.62
    """
    tab = counts if counts is not None else table()
    etype = group.split("/")[0]
    right, total = tab.get(group, (0, 0))
    if total < MIN_COUNT:
        same = [v for k, v in tab.items() if k.split("/")[0] == etype]
        right, total = sum(r for r, _ in same), sum(t for _, t in same)
    if total < MIN_COUNT:
        right, total = sum(r for r, _ in tab.values()), sum(t for _, t in tab.values())
    c = _smooth(right, total) if total else 0.5
    if hedged:
        c *= HEDGE_FACTOR
    return round(min(0.99, max(0.01, c)), 2)


def fit(scored: Iterable[tuple[str, bool]]) -> dict[str, dict[str, int]]:
    """The table from scored proposals ``(group, right)``.

    >>> fit([("offtake/new", True), ("offtake/new", False)])
    {'offtake/new': {'right': 1, 'total': 2}}
    """
    out: dict[str, dict[str, int]] = {}
    for group, right in scored:
        g = out.setdefault(group, {"right": 0, "total": 0})
        g["total"] += 1
        g["right"] += int(right)
    return dict(sorted(out.items()))
