"""Calibrated confidence of proposed events, measured on real published articles that the
rules were not written from.

Every proposal falls in a *group* built from features that do not depend on the wording the
rules were written for (:func:`group_of`)::

    family / place / time / party [/ref] [/partial]

- ``family``: ``restriction`` (export restrictions), ``facility``, or ``deal`` (stakes,
  investments, supply deals, first exports, loans, grants);
- ``place``: ``lead`` when the event is stated in the first ``LEAD_SENTENCES`` sentences of
  the text, ``body`` when later (where news restates background and earlier measures);
- ``time``: ``old`` when its sentence names a year before the publication year or a date of
  the event lies more than ``OLD_DAYS`` days before publication, else ``current``;
- ``party``: ``new`` when a key organisation is not in the graph, else ``linked``;
- ``ref`` when a role came from a reference to an earlier sentence ("the company", "It");
  ``partial`` when the fields its type usually states were not found.

``data/calibration.yaml`` holds, per group, how many proposals of that group the extractor
made on **unseen** development articles (articles labelled after the rules were written and
not used to write them) and how many were right (matched a hand label). The confidence of a
proposal is the smoothed share right of the most specific group with at least ``MIN_COUNT``
proposals, dropping features from the right (``restriction/body/old/linked`` →
``restriction/body/old`` → ``restriction/body`` → ``restriction`` → all)::

    c = (right + 1) / (total + 2)                      (Laplace's rule of succession)

Attribution to unnamed sources ("people familiar with the matter") multiplies it by
``HEDGE_FACTOR``. So ``--auto-accept 0.8`` accepts the groups that were right at least about
80% of the time on text the rules had not seen; the measured accuracy per confidence bin is in
``docs/news.md``.

:func:`fit` turns scored proposals ``(group, right)`` into the table; the benchmark of real
articles reports them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

MIN_COUNT = 5
HEDGE_FACTOR = 0.6
LEAD_SENTENCES = 4
"""Sentences of the text (from 0) that count as its lead."""
OLD_DAYS = 180
"""An event dated more than this many days before publication is background."""

FAMILY = {
    "export_restriction": "restriction",
    "facility": "facility",
}
"""Event type → family; every other type is a ``deal``."""

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def family(etype: str) -> str:
    """``restriction``, ``facility`` or ``deal``.

    >>> family("offtake"), family("export_restriction")
    ('deal', 'restriction')
    """
    return FAMILY.get(etype, "deal")


def is_old(sentence: str, dates: Iterable[dt.date], published: dt.date | None) -> bool:
    """The sentence looks back: it names a year before the publication year, or a date of the
    event is more than ``OLD_DAYS`` days before publication.

    >>> is_old("In 2023 the country banned exports.", [], dt.date(2025, 2, 1))
    True
    >>> is_old("The country banned exports on Monday.", [dt.date(2025, 1, 27)], dt.date(2025, 2, 1))
    False
    """
    if published is None:
        return False
    if any(int(y) < published.year for y in _YEAR.findall(sentence)):
        return True
    return any((published - d).days > OLD_DAYS for d in dates)


def group_of(
    etype: str,
    *,
    lead: bool,
    old: bool,
    new: int,
    by_reference: bool,
    complete: bool,
) -> str:
    """Calibration group of a proposal.

    >>> group_of("offtake", lead=True, old=False, new=1, by_reference=False, complete=True)
    'deal/lead/current/new'
    >>> group_of(
    ...     "export_restriction", lead=False, old=True, new=0, by_reference=True, complete=False
    ... )
    'restriction/body/old/linked/ref/partial'
    """
    parts = [
        family(etype),
        "lead" if lead else "body",
        "old" if old else "current",
        "new" if new else "linked",
    ]
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


def _counts(prefix: list[str], tab: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    n = len(prefix)
    right = total = 0
    for k, (r, t) in tab.items():
        if k.split("/")[:n] == prefix:
            right, total = right + r, total + t
    return right, total


def calibrated(
    group: str, *, hedged: bool = False, counts: Mapping[str, tuple[int, int]] | None = None
) -> float:
    """Confidence of a proposal of ``group`` (see the module docstring).

    >>> calibrated("deal/lead/current/new", counts={"deal/lead/current/new": (7, 8)})
    0.8
    >>> calibrated("deal/body/old/new", counts={"deal/body/old/new": (1, 2), "deal/lead": (2, 4)})
    0.5
    """
    tab = counts if counts is not None else table()
    parts = group.split("/")
    right = total = 0
    for n in range(len(parts), -1, -1):
        right, total = _counts(parts[:n], tab)
        if total >= MIN_COUNT:
            break
    c = _smooth(right, total) if total else 0.5
    if hedged:
        c *= HEDGE_FACTOR
    return round(min(0.99, max(0.01, c)), 2)


def fit(scored: Iterable[tuple[str, bool]]) -> dict[str, dict[str, int]]:
    """The table from scored proposals ``(group, right)``.

    >>> fit([("deal/lead/current/new", True), ("deal/lead/current/new", False)])
    {'deal/lead/current/new': {'right': 1, 'total': 2}}
    """
    out: dict[str, dict[str, int]] = {}
    for group, right in scored:
        g = out.setdefault(group, {"right": 0, "total": 0})
        g["total"] += 1
        g["right"] += int(right)
    return dict(sorted(out.items()))
