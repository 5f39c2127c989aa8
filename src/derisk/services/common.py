"""Helpers shared by the services: the not-found error, source metadata, candidate datasets.

The candidate datasets of a material stage and the choice of the headline among them are
described in :mod:`derisk.services.exposure` (module docstring); they live here because the
trace, exposure and other services all read them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from derisk.analysis.exposure import Line, concentration
from derisk.errors import NotFoundError
from derisk.model.record import ABSENT
from derisk.model.schema import OTHER, WORLD, Production, Share
from derisk.services.results import SourceMeta
from derisk.store.view import View

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


def source_meta(view: View) -> dict[str, SourceMeta]:
    """Every source visible in the view, as results cite it, by id (each record carries every
    key)."""
    return {
        r.source_id: SourceMeta(
            source_id=r.source_id,
            publisher=r.publisher,
            title=r.title,
            url=r.url,
            published=r.published.isoformat() if r.published else None,
            confidence=r.confidence,
            precedence=r.precedence,
            via=r.via,
            note=r.note,
        )
        for r in view.sources()
    }


def _precedence(meta: dict[str, SourceMeta], source_id: str) -> int:
    """The precedence of a source (50, the default, for one that is not stored)."""
    found = meta.get(source_id)
    return found.precedence if found is not None and isinstance(found.precedence, int) else 50


def candidates(view: View, material: str | None) -> dict[tuple[str, str], list[Candidate]]:
    """All candidate datasets by (material, stage), every year, known on the view's date."""
    meta = source_meta(view)
    grouped: dict[tuple[str, str, int, str], list[Production]] = defaultdict(list)
    for p in view.production(material):
        grouped[(p.material_id, p.stage_id, p.year, p.source_id)].append(p)
    # Caps on withheld figures: the country's stated capacity for the stage and year (any
    # source). A withheld output cannot exceed it.
    caps = {
        (c.material_id, c.stage_id, c.year, c.country): c.quantity
        for c in view.capacity_caps(material)
    }
    out: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for (mat, stage, year, sid), rows in grouped.items():
        world = None
        lines = []
        unit = rows[0].unit
        for r in rows:
            if r.country == WORLD:
                world = r.quantity
            elif r.country == OTHER:
                lines.append(Line(None, r.status, quantity=r.quantity))
            else:
                cap = caps.get((mat, stage, year, r.country)) if r.status in ("withheld",) else None
                lines.append(
                    Line(
                        r.country,
                        r.status,
                        quantity=r.quantity,
                        in_world_total=r.in_world_total,
                        cap=cap,
                    )
                )
        # "Other countries" lines are unallocated to named countries: fold into a share block.
        fixed = []
        for ln in lines:
            if ln.country is None and ln.quantity is not None and world:
                fixed.append(Line(None, ln.status, share=ln.quantity / world, ranks=None))
            else:
                fixed.append(ln)
        prec = _precedence(meta, sid)
        out[(mat, stage)].append(
            Candidate(sid, "quantities", year, tuple(fixed), world, unit, prec)
        )
    sgrouped: dict[tuple[str, str, int, str], list[Share]] = defaultdict(list)
    for h in view.shares(material):
        sgrouped[(h.material_id, h.stage_id, h.year, h.source_id)].append(h)
    for (mat, stage, year, sid), srows in sgrouped.items():
        lines = [Line(h.country, "reported", share=h.share, ranks=h.ranks) for h in srows]
        world = next((h.world_total for h in srows if h.world_total is not None), None)
        s_unit = next((h.unit for h in srows if h.unit is not None), None)
        prec = _precedence(meta, sid)
        notes = [h.note or "" for h in srows]
        out[(mat, stage)].append(
            Candidate(
                sid,
                "shares",
                year,
                tuple(lines),
                world,
                s_unit,
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


def cited_sources(view: View, ids: set[str], *, via: bool = True) -> tuple[SourceMeta, ...]:
    """The sources ``ids`` as results cite them, sorted by id (``via=False``: without the
    ``via`` key, as the facility answers print them)."""
    if not ids:
        return ()
    rows = sorted(view.sources_by_id(sorted(ids)), key=lambda s: s.source_id)
    return tuple(
        SourceMeta(
            source_id=r.source_id,
            publisher=r.publisher,
            title=r.title,
            url=r.url,
            published=r.published.isoformat() if r.published else None,
            confidence=r.confidence,
            via=r.via if via else ABSENT,
            note=r.note,
        )
        for r in rows
    )
