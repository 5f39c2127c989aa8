"""Concentration and exposure of one material stage, with unknowns kept explicit.

Notation (shares are fractions of the world total ``Q`` that the source states):

* country share ``s_c = q_c / Q``; where a source gives only shares, ``s_c`` is taken as given;
* unallocated share ``u = max(0, 1 - sum_c s_c - sum_b s_b)`` over named countries ``c`` and
  unnamed rank blocks ``b`` ("the 2nd and 3rd producers together"); it is its own line and is
  never counted as "not selected";
* ``HHI = sum_c s_c**2`` over named countries (the unallocated share taken as fragmented), with
  bounds that place each unnamed block and the unallocated share as concentrated as the data allow;
* ``top3 = sum of the three largest s_c`` (rank blocks count at their stated ranks);
* selected share ``S = sum_{c in K} s_c`` for the selected set ``K``, reported as bounds
  ``[S_lo, S_hi]``: ``S_lo`` counts only known figures; ``S_hi`` adds every share that a selected
  country could hold among the unknowns -- a withheld or unavailable figure of a selected country,
  the unallocated share when a selected country is not named, an unnamed rank block up to the
  share of the rank above it.
* a withheld figure ``U`` of country ``w`` that the source leaves out of its world total widens
  every share it touches, because the true world total is ``Q + U``: with ``U`` at most its cap
  ``U_max`` (another fact: the country's capacity, consumption, ...; infinite without one),
  a selected set without ``w`` has ``S in [S_lo * Q / (Q + U_max), S_hi]`` and a selected set
  with ``w`` has ``S_hi = (S_lo * Q + U_max) / (Q + U_max)`` (1 without a cap).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from derisk.errors import BadInputError

KNOWN = frozenset({"reported", "estimated", "zero"})
UNKNOWN = frozenset({"withheld", "not-available"})


@dataclass(frozen=True)
class Line:
    """One line of a source's table for a material stage and year.

    ``country`` is ISO alpha-3, or ``None`` for an unnamed rank block such as ``ranks="2-3"``.
    Give ``quantity`` (with the world total) or ``share``.
    """

    country: str | None
    status: str
    quantity: float | None = None
    share: float | None = None
    ranks: str | None = None
    in_world_total: bool | None = None
    cap: float | None = None  # most a withheld quantity can be, from another fact


@dataclass(frozen=True)
class CountryShare:
    country: str
    quantity: float | None
    share: float
    status: str


@dataclass(frozen=True)
class UnknownLine:
    country: str | None
    status: str
    share_bound: float | None
    bounded: bool
    note: str


@dataclass(frozen=True)
class Concentration:
    world_total: float | None
    shares: tuple[CountryShare, ...]
    unallocated_share: float
    overallocated_share: float
    hhi: float
    hhi_bounds: tuple[float, float]
    top3_share: float
    top_country: str | None
    top_share: float
    selected_countries: tuple[str, ...]
    selected_share: float
    selected_share_bounds: tuple[float, float]
    unknown: tuple[UnknownLine, ...] = field(default_factory=tuple)


def _block_size(ranks: str | None) -> int:
    if not ranks:
        return 1
    if "-" in ranks:
        a, b = ranks.split("-", 1)
        return int(b) - int(a) + 1
    return 1


def _max_hhi_of_block(total: float, members: int, cap: float) -> float:
    """Largest sum of squares of ``members`` parts >= 0 summing to ``total``, each <= cap."""
    rest, acc = total, 0.0
    for _ in range(members):
        part = min(rest, cap)
        acc += part * part
        rest -= part
        if rest <= 0:
            break
    return acc


def concentration(
    lines: Sequence[Line],
    world_total: float | None,
    selected: Iterable[str] = ("CHN",),
) -> Concentration:
    """Shares, HHI, top-3 share and the selected countries' share with bounds.

    ``world_total`` is the total the source states; when ``None`` the sum of the known
    quantities is used (and, for share-only sources, shares are taken as given).

    >>> c = concentration([Line("CHN", "reported", 60.0), Line("AUS", "reported", 30.0)], 100.0)
    >>> round(c.selected_share, 2), round(c.unallocated_share, 2), round(c.hhi, 2)
    (0.6, 0.1, 0.45)
    """
    sel = tuple(dict.fromkeys(selected))
    sel_set = set(sel)
    named_known = [ln for ln in lines if ln.country is not None and ln.status in KNOWN]
    total = world_total
    if total is None:
        qsum = sum(ln.quantity or 0.0 for ln in named_known if ln.quantity is not None)
        total = qsum if qsum > 0 else None

    def share_of(ln: Line) -> float:
        if ln.share is not None:
            return ln.share
        if ln.quantity is not None and total:
            return ln.quantity / total
        return 0.0

    shares = sorted(
        (
            CountryShare(ln.country, ln.quantity, share_of(ln), ln.status)
            for ln in named_known
            if ln.country is not None
        ),
        key=lambda s: (-s.share, s.country),
    )
    blocks = [ln for ln in lines if ln.country is None and ln.status in KNOWN]
    block_total = sum(share_of(b) for b in blocks)
    named_total = sum(s.share for s in shares)
    remainder = 1.0 - named_total - block_total
    unallocated = max(0.0, remainder)
    overallocated = max(0.0, -remainder)

    top_share = shares[0].share if shares else 0.0
    top_country = shares[0].country if shares else None

    # Top-3: rank blocks hold their stated ranks; named countries fill the other ranks in order.
    block_ranks: set[int] = set()
    top3 = 0.0
    for b in blocks:
        if b.ranks:
            first, _, last = b.ranks.partition("-")
            span = range(int(first), int(last or first) + 1)
            block_ranks.update(span)
            if max(span) <= 3:
                top3 += share_of(b)
    rank = 0
    for s in shares:
        rank += 1
        while rank in block_ranks:
            rank += 1
        if rank <= 3:
            top3 += s.share

    hhi = sum(s.share**2 for s in shares)
    hhi_hi = hhi
    for b in blocks:
        hhi_hi += _max_hhi_of_block(share_of(b), _block_size(b.ranks), top_share or 1.0)
    hhi_lo = hhi + sum(share_of(b) ** 2 / _block_size(b.ranks) for b in blocks)
    hhi_hi += unallocated**2
    hhi_point = hhi_lo

    # Selected share and its bounds.
    lo = sum(s.share for s in shares if s.country in sel_set)
    named_countries = {ln.country for ln in lines if ln.country is not None}
    unknown: list[UnknownLine] = []
    hi_extra = 0.0
    unbounded = False
    outside_cap_sel = 0.0  # most the selected countries' withheld outside figures add
    outside_cap_other = 0.0  # the same for other countries (inf: no cap)
    for ln in lines:
        if ln.country is None or ln.status not in UNKNOWN:
            continue
        outside = ln.in_world_total is False
        bounded = not outside and unallocated > 0
        if outside:
            cap = float("inf") if ln.cap is None else ln.cap
            if ln.country in sel_set:
                outside_cap_sel += cap
            else:
                outside_cap_other += cap
        capped = outside and ln.cap is not None and bool(total)
        note = (
            f"left out of the source's world total; at most {ln.cap:,.0f} by another fact"
            if capped
            else "left out of the source's world total; its size is unknown"
            if outside
            else "inside the world total; at most the unallocated share"
            if bounded
            else "no unallocated share left to bound it"
        )
        share_bound = unallocated if bounded else None
        if capped and total and ln.cap is not None:
            share_bound = ln.cap / (total + ln.cap)
        unknown.append(UnknownLine(ln.country, ln.status, share_bound, bounded or capped, note))
        if ln.country in sel_set:
            if bounded:
                hi_extra += unallocated
            elif not outside:
                unbounded = True
    unlisted_selected = [c for c in sel if c not in named_countries]
    if unallocated > 0:
        unknown.append(
            UnknownLine(
                None,
                "unallocated",
                unallocated,
                True,
                "world total not allocated to named countries by the source",
            )
        )
        if unlisted_selected:
            hi_extra += unallocated
    for b in blocks:
        members = _block_size(b.ranks)
        cap = top_share if top_share > 0 else 1.0
        possible = min(share_of(b), cap * min(members, len(unlisted_selected)))
        if unlisted_selected:
            hi_extra += possible
        unknown.append(
            UnknownLine(
                None,
                f"unnamed ranks {b.ranks}" if b.ranks else "unnamed",
                share_of(b),
                True,
                "countries the source does not name",
            )
        )
    hi = 1.0 if unbounded else min(1.0, lo + hi_extra)
    lo_w = lo
    if total and outside_cap_sel > 0:
        # The selected hold the withheld quantity too: at most (lo Q + U) / (Q + U).
        hi = (
            1.0
            if outside_cap_sel == float("inf")
            else max(hi, (lo * total + outside_cap_sel) / (total + outside_cap_sel))
        )
    if total and outside_cap_other > 0:
        # Others' withheld output is missing from the total: the selected may hold less.
        inf = outside_cap_other == float("inf")
        lo_w = 0.0 if inf else lo * total / (total + outside_cap_other)
    elif outside_cap_other > 0:
        lo_w = 0.0
    # When all is allocated, the remaining unknowns are withheld figures of other countries.
    return Concentration(
        world_total=total,
        shares=tuple(shares),
        unallocated_share=unallocated,
        overallocated_share=overallocated,
        hhi=hhi_point,
        hhi_bounds=(hhi_lo, min(1.0, hhi_hi)),
        top3_share=min(1.0, top3),
        top_country=top_country,
        top_share=top_share,
        selected_countries=sel,
        selected_share=lo,
        selected_share_bounds=(lo_w, max(lo, hi)),
        unknown=tuple(unknown),
    )


@dataclass(frozen=True)
class StagePoint:
    stage: str
    selected_share: float
    selected_share_bounds: tuple[float, float]
    hhi: float


def bottleneck(points: Sequence[StagePoint]) -> str | None:
    """The stage where the selected countries' share is highest.

    Ranked by the lower bound of the selected share, then by its upper bound, then by HHI:
    ``argmax_stage (S_lo, S_hi, HHI)``.

    >>> bottleneck([StagePoint("mining", 0.4, (0.4, 0.4), 0.2),
    ...             StagePoint("refining", 0.8, (0.8, 0.8), 0.6)])
    'refining'
    """
    if not points:
        return None
    best = max(points, key=lambda p: (p.selected_share, p.selected_share_bounds[1], p.hhi))
    return best.stage


def import_reliance(imports: float, exports: float, production: float) -> float:
    """Net import reliance ``IR = (imports - exports) / (production + imports - exports)``.

    >>> round(import_reliance(imports=80.0, exports=10.0, production=30.0), 3)
    0.7
    """
    consumption = production + imports - exports
    if consumption <= 0:
        raise BadInputError("apparent consumption must be positive")
    return (imports - exports) / consumption
