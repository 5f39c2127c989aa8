"""Helpers shared by the services: the not-found error, source metadata, candidate datasets.

The candidate datasets of a material stage and the choice of the headline among them are
described in :mod:`derisk.services.exposure` (module docstring); they live here because the
trace, exposure and other services all read them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from derisk.analysis.exposure import Line, concentration
from derisk.errors import NotFoundError
from derisk.model.schema import OTHER, WORLD
from derisk.store.base import Store

__all__ = [
    "EQUAL_COMPLETENESS",
    "LOWER_BOUND_NOTE",
    "NEARBY_YEARS",
    "PARTIAL_NOTE",
    "YEAR_UNSTATED_NOTE",
    "Candidate",
    "NotFound",
    "candidates",
    "completeness",
    "pick",
    "round_or_none",
    "share_world_total",
    "source_meta",
]

#: Marks a share row of a source that covers only some producers (see derisk.services.exposure).
PARTIAL_NOTE = "partial coverage:"
#: Marks a share row whose source states no year (the row's year is the publication's).
YEAR_UNSTATED_NOTE = "year not stated by the source"
#: Marks a share row that is a lower bound ("more than 50%").
LOWER_BOUND_NOTE = "a lower bound"
#: Years before the latest that still count as "nearby" for choosing and narrowing.
NEARBY_YEARS = 1
#: Completeness within this of the best counts as equal (then precedence decides).
EQUAL_COMPLETENESS = 0.05


class NotFound(NotFoundError):
    """Asked-for material, stage, group, year or source that is not in the store."""


@dataclass(frozen=True)
class Candidate:
    source_id: str
    kind: str  # "quantities" or "shares"
    year: int
    lines: tuple[Line, ...]
    world_total: float | None
    unit: str | None
    precedence: int
    partial: bool = False
    year_stated: bool = True
    lower_bound: bool = False


def source_meta(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.sql(
        "SELECT source_id, publisher, title, url, published, confidence, precedence, via, note "
        "FROM source"
    )
    out = {}
    for r in rows:
        out[r[0]] = {
            "source_id": r[0],
            "publisher": r[1],
            "title": r[2],
            "url": r[3],
            "published": r[4].isoformat() if r[4] else None,
            "confidence": r[5],
            "precedence": r[6],
            "via": r[7],
            "note": r[8],
        }
    return out


def candidates(
    store: Store, material: str | None, as_of: dt.date
) -> dict[tuple[str, str], list[Candidate]]:
    """All candidate datasets by (material, stage), every year."""
    meta = source_meta(store)
    filt = "" if material is None else " AND p.material_id = ?"
    params: list[Any] = [as_of, as_of] + ([material] if material else [])
    prod = store.sql(
        "SELECT p.material_id, p.stage_id, p.year, p.source_id, p.country, p.quantity, p.status, "
        "p.unit, p.in_world_total FROM production p JOIN source s USING (source_id) "
        "WHERE p.measure = 'production' AND (p.valid_from IS NULL OR p.valid_from <= ?) "
        "AND (s.published IS NULL OR s.published <= ?)" + filt,
        params,
    )
    grouped: dict[tuple[str, str, int, str], list[tuple[Any, ...]]] = defaultdict(list)
    for r in prod:
        grouped[(r[0], r[1], r[2], r[3])].append(r)
    # Caps on withheld figures: the country's stated capacity for the stage and year (any
    # source). A withheld output cannot exceed it.
    caps: dict[tuple[str, str, int, str], float] = {}
    for r in store.sql(
        "SELECT p.material_id, p.stage_id, p.year, p.country, min(p.quantity) "
        "FROM production p JOIN source s USING (source_id) "
        "WHERE p.measure = 'capacity' AND p.quantity IS NOT NULL "
        "AND (p.valid_from IS NULL OR p.valid_from <= ?) "
        "AND (s.published IS NULL OR s.published <= ?)" + filt + " GROUP BY ALL",
        params,
    ):
        caps[(r[0], r[1], r[2], r[3])] = float(r[4])
    out: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for (mat, stage, year, sid), rows in grouped.items():
        world = None
        lines = []
        unit = rows[0][7]
        for r in rows:
            if r[4] == WORLD:
                world = r[5]
            elif r[4] == OTHER:
                lines.append(Line(None, r[6], quantity=r[5]))
            else:
                cap = caps.get((mat, stage, year, r[4])) if r[6] in ("withheld",) else None
                lines.append(Line(r[4], r[6], quantity=r[5], in_world_total=r[8], cap=cap))
        # "Other countries" lines are unallocated to named countries: fold into a share block.
        fixed = []
        for ln in lines:
            if ln.country is None and ln.quantity is not None and world:
                fixed.append(Line(None, ln.status, share=ln.quantity / world, ranks=None))
            else:
                fixed.append(ln)
        prec = meta.get(sid, {}).get("precedence", 50)
        out[(mat, stage)].append(
            Candidate(sid, "quantities", year, tuple(fixed), world, unit, prec)
        )
    shares = store.sql(
        "SELECT h.material_id, h.stage_id, h.year, h.source_id, h.country, h.share, h.ranks, "
        "h.world_total, h.unit, h.note FROM share h JOIN source s USING (source_id) "
        "WHERE (h.valid_from IS NULL OR h.valid_from <= ?) "
        "AND (s.published IS NULL OR s.published <= ?)" + filt.replace("p.", "h."),
        params,
    )
    sgrouped: dict[tuple[str, str, int, str], list[tuple[Any, ...]]] = defaultdict(list)
    for r in shares:
        sgrouped[(r[0], r[1], r[2], r[3])].append(r)
    for (mat, stage, year, sid), rows in sgrouped.items():
        lines = [Line(r[4], "reported", share=r[5], ranks=r[6]) for r in rows]
        world = next((r[7] for r in rows if r[7] is not None), None)
        unit = next((r[8] for r in rows if r[8] is not None), None)
        prec = meta.get(sid, {}).get("precedence", 50)
        notes = [r[9] or "" for r in rows]
        out[(mat, stage)].append(
            Candidate(
                sid,
                "shares",
                year,
                tuple(lines),
                world,
                unit,
                prec,
                partial=any(PARTIAL_NOTE in n for n in notes),
                year_stated=not any(YEAR_UNSTATED_NOTE in n for n in notes),
                lower_bound=any(LOWER_BOUND_NOTE in n for n in notes),
            )
        )
    for cands in out.values():
        cands.sort(key=lambda c: (-c.year, c.precedence, c.kind != "quantities", c.source_id))
    return out


def share_world_total(c: Candidate) -> float | None:
    return c.world_total if c.kind == "quantities" else None


def round_or_none(x: float | None, nd: int = 6) -> float | None:
    """``x`` rounded to ``nd`` decimals as a float; ``None`` (unknown) for ``None`` or NaN.

    >>> round_or_none(1 / 3), round_or_none(None), round_or_none(float("nan")), round_or_none(2)
    (0.333333, None, None, 2.0)
    """
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) else round(value, nd)


def completeness(c: Candidate) -> float:
    """Share of the world total the candidate allocates (0 for a partial-coverage source).

    ``a = min(1, sum of named known shares + unnamed blocks)``.
    """
    if c.partial:
        return 0.0
    k = concentration(list(c.lines), share_world_total(c), ())
    return min(1.0, 1.0 - k.unallocated_share + k.overallocated_share)


def pick(cands: list[Candidate], year: int | None) -> tuple[Candidate | None, list[Candidate]]:
    """The headline candidate and the others (see the module docstring for the rule).

    With ``year`` given, only that year's candidates compete; otherwise the latest year's and
    those up to ``NEARBY_YEARS`` before it.
    """
    if not cands:
        return None, []
    if year is not None:
        pool = [c for c in cands if c.year == year]
    else:
        latest = max(c.year for c in cands)
        newest: dict[str, int] = {}
        for c in cands:
            newest[c.source_id] = max(newest.get(c.source_id, c.year), c.year)
        # One candidate per source: its latest year, if that is near the latest of all.
        pool = [
            c for c in cands if c.year == newest[c.source_id] and c.year >= latest - NEARBY_YEARS
        ]
    if not pool:
        return None, []
    comp = {id(c): completeness(c) for c in pool}
    best_a = max(comp.values())

    def key(c: Candidate) -> tuple[bool, bool, int, int, bool, str]:
        equal = comp[id(c)] >= best_a - EQUAL_COMPLETENESS
        return (not equal, c.partial, -c.year, c.precedence, c.kind != "quantities", c.source_id)

    ranked = sorted(pool, key=key)
    return ranked[0], ranked[1:]
