"""The stage network of a material, built from the store's facts.

Nodes are *sites*: a country (or a facility, or a block of output the source does not assign
to a country) producing one stage of a material. Every site keeps the facts it comes from.

Per stage, the figures come from one source and year, chosen like the exposure service does:
the latest year with usable figures, then the lowest source ``precedence``, tonnage tables
before share tables. Usable means:

* a production table (``production`` rows, measure ``production``): each country's output;
  ``capacity`` rows of the same stage and year add known capacity, ``spare = capacity -
  output``; the source's "other countries" line and any part of its world total that the
  listed countries do not cover become sites of unknown origin;
* a share table with a world total (``share`` rows): ``share x world total`` per country,
  marked ``statistical``; unnamed rank blocks and the unallocated rest become sites of
  unknown origin. Shares without a world total give no tonnage: the stage has no usable data.

Withheld or unavailable figures are unknown, not zero: such sites are listed (``withheld``)
with no capacity, and results say so. Facility rows (``facility_capacity``) become their own
sites, carved out of their country's total.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.model.rows import FacilityFigure
from derisk.model.schema import OTHER, WORLD, Production, Share
from derisk.services.common import NotFound
from derisk.store.view import View

KNOWN = ("reported", "estimated", "zero")


@dataclass(frozen=True)
class Site:
    """One producer of a stage. ``available`` is what the network may use (t/yr)."""

    site_id: str
    material: str
    stage: str
    seq: int
    country: str | None
    label: str
    production: float | None
    capacity: float | None
    available: float
    spare: float | None
    status: str
    basis: str  # quantity | statistical | unallocated | facility | withheld
    year: int
    fact_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    entity_id: str | None = None
    operator_id: str | None = None
    note: str | None = None

    @property
    def known_origin(self) -> bool:
        return self.country is not None


@dataclass(frozen=True)
class StageData:
    material: str
    stage: str
    seq: int
    name: str
    year: int | None = None
    source_id: str | None = None
    kind: str | None = None  # quantities | shares
    unit: str | None = None
    world_total: float | None = None
    sites: tuple[Site, ...] = ()
    withheld: tuple[Site, ...] = ()
    note: str | None = None

    @property
    def has_data(self) -> bool:
        return any(s.available > 0 for s in self.sites)


@dataclass(frozen=True)
class StageNetwork:
    material: str
    name: str
    as_of: dt.date
    stages: tuple[StageData, ...]
    notes: tuple[str, ...] = field(default=())

    def stage(self, stage_id: str) -> StageData:
        for s in self.stages:
            if s.stage == stage_id:
                return s
        known = ", ".join(s.stage for s in self.stages)
        raise NotFound(f"material {self.material!r} has no stage {stage_id!r} (stages: {known})")

    def stages_with_data(self) -> list[str]:
        return [s.stage for s in self.stages if s.has_data]

    def chain(self, target: str | None = None) -> tuple[list[StageData], list[dict[str, str]]]:
        """Stages to model up to ``target`` (default: the last stage with data).

        The chain is the longest run of stages with data that ends at ``target``; the stages
        left out are returned as gaps with the reason.
        """
        if target is None:
            with_data = [s for s in self.stages if s.has_data]
            if not with_data:
                raise NotFound(
                    f"no stage of {self.material} has usable capacity figures; import "
                    "production or capacity facts (derisk import csv production FILE)"
                )
            target = with_data[-1].stage
        end = self.stage(target)
        if not end.has_data:
            have = ", ".join(self.stages_with_data()) or "none"
            raise NotFound(
                f"no usable capacity figures for {self.material} {target}"
                f" ({end.note or 'no data'}); stages with figures: {have}"
            )
        idx = [s.stage for s in self.stages].index(target)
        start = idx
        while start > 0 and self.stages[start - 1].has_data:
            start -= 1
        gaps = []
        for s in self.stages[:start]:
            gaps.append(
                {
                    "stage": s.stage,
                    "reason": s.note or "no usable figures",
                    "effect": "upstream of the modelled chain: its origin is not checked",
                }
            )
        for s in self.stages[idx + 1 :]:
            gaps.append({"stage": s.stage, "reason": "after the requested stage", "effect": ""})
        return list(self.stages[start : idx + 1]), gaps


@dataclass
class _Candidate:
    stage: str
    source_id: str
    year: int
    kind: str
    precedence: int
    rows: list[Production] = field(default_factory=list)  # kind "quantities"
    share_rows: list[Share] = field(default_factory=list)  # kind "shares"


def _candidates(
    view: View, material: str
) -> tuple[dict[str, list[_Candidate]], dict[tuple[str, int], list[Production]]]:
    prec = view.precedences()
    grouped: dict[tuple[str, str, int], list[Production]] = defaultdict(list)
    capacity: dict[tuple[str, int], list[Production]] = defaultdict(list)
    for r in view.figures(material, ("production", "capacity")):
        if r.measure == "production":
            grouped[(r.stage_id, r.source_id, r.year)].append(r)
        else:
            capacity[(r.stage_id, r.year)].append(r)
    out: dict[str, list[_Candidate]] = defaultdict(list)
    for (stage, sid, year), rows in grouped.items():
        out[stage].append(_Candidate(stage, sid, year, "quantities", prec.get(sid, 50), rows))
    sgrouped: dict[tuple[str, str, int], list[Share]] = defaultdict(list)
    for h in view.shares(material):
        sgrouped[(h.stage_id, h.source_id, h.year)].append(h)
    for (stage, sid, year), srows in sgrouped.items():
        out[stage].append(
            _Candidate(stage, sid, year, "shares", prec.get(sid, 50), share_rows=srows)
        )
    for cands in out.values():
        cands.sort(key=lambda c: (-c.year, c.precedence, c.kind != "quantities", c.source_id))
    return out, capacity


def _usable(c: _Candidate) -> bool:
    if c.kind == "quantities":
        return any(
            r.country not in (WORLD,) and r.quantity is not None and r.quantity > 0 for r in c.rows
        )
    return any(r.world_total is not None for r in c.share_rows)


def _quantity_sites(
    material: str,
    seq: int,
    c: _Candidate,
    capacity_rows: list[Production],
) -> tuple[list[Site], list[Site], float | None, str | None]:
    sites: list[Site] = []
    withheld: list[Site] = []
    world = None
    unit = c.rows[0].unit if c.rows else None
    cap: dict[str, tuple[float | None, str, str, str]] = {}
    for r in capacity_rows:
        cap[r.country] = (r.quantity, r.status, r.fact_id, r.source_id)
    named_total = 0.0
    seen: set[str] = set()
    for r in sorted(c.rows, key=lambda r: r.country):
        country, qty, status, fact = r.country, r.quantity, r.status, r.fact_id
        if country == WORLD:
            world = qty
            continue
        seen.add(country)
        cq = cap.get(country)
        capacity = cq[0] if cq and cq[1] in KNOWN else None
        facts = (fact,) + ((cq[2],) if cq else ())
        srcs = tuple(dict.fromkeys((c.source_id,) + ((cq[3],) if cq else ())))
        if country == OTHER:
            if qty:
                named_total += qty
                sites.append(
                    Site(
                        f"{material}:{c.stage}:other",
                        material,
                        c.stage,
                        seq,
                        None,
                        "other countries (not named by the source)",
                        qty,
                        None,
                        qty,
                        None,
                        status,
                        "unallocated",
                        c.year,
                        facts,
                        srcs,
                    )
                )
            continue
        if status not in KNOWN or qty is None:
            withheld.append(
                Site(
                    f"{material}:{c.stage}:{country}",
                    material,
                    c.stage,
                    seq,
                    country,
                    country,
                    None,
                    capacity,
                    0.0,
                    None,
                    status,
                    "withheld",
                    c.year,
                    facts,
                    srcs,
                    note="quantity unknown: not counted as available",
                )
            )
            continue
        named_total += qty
        avail = max(qty, capacity) if capacity is not None else qty
        if avail <= 0:
            continue
        spare = max(capacity - qty, 0.0) if capacity is not None else None
        sites.append(
            Site(
                f"{material}:{c.stage}:{country}",
                material,
                c.stage,
                seq,
                country,
                country,
                qty,
                capacity,
                avail,
                spare,
                status,
                "quantity",
                c.year,
                facts,
                srcs,
            )
        )
    # capacity rows for countries with no production line
    for country, (qty, status, fact, sid) in sorted(cap.items()):
        if country in seen or country in (WORLD, OTHER) or status not in KNOWN or not qty:
            continue
        sites.append(
            Site(
                f"{material}:{c.stage}:{country}",
                material,
                c.stage,
                seq,
                country,
                country,
                None,
                qty,
                qty,
                None,
                status,
                "quantity",
                c.year,
                (fact,),
                (sid,),
                note="capacity only; output not reported",
            )
        )
    if world is not None:
        rest = world - named_total
        if rest > 1e-9 * max(world, 1.0):
            note = "part of the stated world total not assigned to a listed country"
            if withheld:
                note += " (includes withheld figures)"
            sites.append(
                Site(
                    f"{material}:{c.stage}:unallocated",
                    material,
                    c.stage,
                    seq,
                    None,
                    "unallocated (world total less listed countries)",
                    rest,
                    None,
                    rest,
                    None,
                    "estimated",
                    "unallocated",
                    c.year,
                    tuple(r.fact_id for r in c.rows if r.country == WORLD),
                    (c.source_id,),
                    note=note,
                )
            )
    return sites, withheld, world, unit


def _share_sites(material: str, seq: int, c: _Candidate) -> tuple[list[Site], float, str | None]:
    world = next(r.world_total for r in c.share_rows if r.world_total is not None)
    unit = next((r.unit for r in c.share_rows if r.unit is not None), None)
    sites: list[Site] = []
    total = 0.0
    for r in sorted(
        c.share_rows, key=lambda r: (r.country is None, r.country or "", r.ranks or "")
    ):
        country, share, ranks, fact = r.country, r.share, r.ranks, r.fact_id
        q = share * world
        total += share
        if q <= 0:
            continue
        if country is not None:
            sites.append(
                Site(
                    f"{material}:{c.stage}:{country}",
                    material,
                    c.stage,
                    seq,
                    country,
                    country,
                    q,
                    None,
                    q,
                    None,
                    "statistical",
                    "statistical",
                    c.year,
                    (fact,),
                    (c.source_id,),
                    note=f"share {share:.3f} x world total {world:,.0f}",
                )
            )
        else:
            sites.append(
                Site(
                    f"{material}:{c.stage}:ranks-{ranks}",
                    material,
                    c.stage,
                    seq,
                    None,
                    f"producers ranked {ranks} (not named by the source)",
                    q,
                    None,
                    q,
                    None,
                    "statistical",
                    "unallocated",
                    c.year,
                    (fact,),
                    (c.source_id,),
                    note=f"share {share:.3f} x world total {world:,.0f}",
                )
            )
    if total < 1 - 1e-9:
        q = (1 - total) * world
        sites.append(
            Site(
                f"{material}:{c.stage}:unallocated",
                material,
                c.stage,
                seq,
                None,
                "unallocated (not named by the source)",
                q,
                None,
                q,
                None,
                "statistical",
                "unallocated",
                c.year,
                tuple(r.fact_id for r in c.share_rows),
                (c.source_id,),
                note=f"1 - listed shares = {1 - total:.3f} of world total {world:,.0f}",
            )
        )
    return sites, world, unit


def _facility_sites(view: View, material: str, seqs: dict[str, int]) -> dict[str, list[Site]]:
    latest: dict[tuple[str, str], dict[str, FacilityFigure]] = {}
    for r in view.facility_figures(material):
        slot = latest.setdefault((r.entity_id, r.stage_id), {})
        if r.measure not in slot:
            slot[r.measure] = r
    out: dict[str, list[Site]] = defaultdict(list)
    for (entity, stage), by_measure in sorted(latest.items()):
        prod, capr = by_measure.get("production"), by_measure.get("capacity")
        ref = capr or prod
        assert ref is not None
        q = prod.quantity if prod and prod.status in KNOWN else None
        cap = capr.quantity if capr and capr.status in KNOWN else None
        avail = max(x for x in (q, cap, 0.0) if x is not None)
        facts = tuple(r.fact_id for r in (prod, capr) if r is not None)
        srcs = tuple(dict.fromkeys(r.source_id for r in (prod, capr) if r is not None))
        known = avail > 0
        out[stage].append(
            Site(
                f"{material}:{stage}:{entity}",
                material,
                stage,
                seqs.get(stage, 0),
                ref.country,
                ref.name or entity,
                q,
                cap,
                avail,
                (cap - q) if cap is not None and q is not None else None,
                ref.status if known else "withheld",
                "facility" if known else "withheld",
                ref.year,
                facts,
                srcs,
                entity_id=entity,
                operator_id=ref.operator_id,
                note=None if known else "quantity unknown: not counted as available",
            )
        )
    return out


def build_stage_network(view: View, material: str, *, year: int | None = None) -> StageNetwork:
    """Sites of every stage of ``material`` on the view's date (see the module docstring)."""
    cat = load_catalog()
    try:
        spec = cat.material(material)
    except KeyError as exc:
        raise NotFound(str(exc.args[0])) from None
    when = view.as_of
    cands, capacity = _candidates(view, material)
    seqs = {s.id: s.seq for s in spec.stages}
    facilities = _facility_sites(view, material, seqs)
    stages = []
    notes = []
    for st in spec.stages:
        usable = [
            c for c in cands.get(st.id, []) if _usable(c) and (year is None or c.year <= year)
        ]
        skipped = [c for c in cands.get(st.id, []) if not _usable(c)]
        fac = facilities.get(st.id, [])
        if not usable:
            why = "no figures in the store"
            if skipped:
                why = (
                    "shares without a world total ("
                    + ", ".join(sorted({f"{c.source_id} {c.year}" for c in skipped}))
                    + ")"
                )
            if fac:
                stages.append(
                    StageData(
                        material,
                        st.id,
                        st.seq,
                        st.name,
                        max(s.year for s in fac),
                        None,
                        "facilities",
                        "t",
                        None,
                        tuple(s for s in fac if s.basis == "facility"),
                        tuple(s for s in fac if s.basis == "withheld"),
                        note=f"facility figures only; country totals: {why}",
                    )
                )
            else:
                stages.append(StageData(material, st.id, st.seq, st.name, note=why))
            continue
        c = usable[0]
        if c.kind == "quantities":
            sites, withheld, world, unit = _quantity_sites(
                material, st.seq, c, capacity.get((st.id, c.year), [])
            )
        else:
            sites, world, unit = _share_sites(material, st.seq, c)
            withheld = []
        if fac:
            sites = _carve(sites, fac)
            withheld = withheld + [s for s in fac if s.basis == "withheld"]
        stages.append(
            StageData(
                material,
                st.id,
                st.seq,
                st.name,
                c.year,
                c.source_id,
                c.kind,
                unit,
                world,
                tuple(sites),
                tuple(withheld),
            )
        )
        if len(usable) > 1:
            notes.append(
                f"{st.id}: used {c.source_id} {c.year}; also available: "
                + ", ".join(f"{o.source_id} {o.year}" for o in usable[1:4])
            )
    return StageNetwork(material, spec.name, when, tuple(stages), tuple(notes))


def _carve(sites: list[Site], facilities: list[Site]) -> list[Site]:
    """Facilities become their own sites; their country's site keeps the rest."""
    used: dict[str | None, float] = defaultdict(float)
    for f in facilities:
        if f.basis == "facility":
            used[f.country] += f.available
    out = []
    for s in sites:
        if s.known_origin and s.basis in ("quantity", "statistical") and used.get(s.country):
            rest = max(s.available - used[s.country], 0.0)
            s = replace(
                s,
                available=rest,
                note=(s.note + "; " if s.note else "")
                + f"less {used[s.country]:,.6g} t/yr at listed facilities",
            )
        out.append(s)
    out.extend(f for f in facilities if f.basis == "facility")
    return out


def country_name(code: str | None) -> str:
    if code is None:
        return "unknown origin"
    try:
        return countries.name(code)
    except Exception:  # pragma: no cover - unknown pseudo codes
        return code


__all__ = [
    "Site",
    "StageData",
    "StageNetwork",
    "build_stage_network",
    "country_name",
]
