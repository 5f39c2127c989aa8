"""Ownership services: stakes in force on a date -> look-through analysis -> JSON-ready dicts.

Which stake is in force: a stake row applies from ``valid_from`` (empty: always) to
``valid_to`` (empty: open-ended). When several rows of one owner in one entity and interest
apply on the date, the one with the latest ``valid_from`` wins (a newer filing supersedes an
older one; an undated row loses to a dated one), then the source with the lowest
``precedence``, then the smaller fact id. Exact stakes (``stake``) and ranges
(``stake_range``) compete alike; an exact stake is a range with equal ends.

Layers: ``equity``, ``voting``, ``board`` and ``debt`` are separate. The voting layer takes an
entity's equity stakes where no voting stake of that entity is recorded (one share, one vote).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from derisk.analysis import ownership as eng
from derisk.engines import current as current_engine
from derisk.errors import BadInputError
from derisk.model.limits import limits
from derisk.model.names import normalise_name
from derisk.model.schema import Entity, Interest
from derisk.services.common import NotFound
from derisk.services.lookup import FIND_ENTITY
from derisk.services.results import (
    ChainLimits,
    CitedSource,
    Control,
    ControlRight,
    ControlWeight,
    DeclaredInterest,
    EntityInfo,
    Holder,
    Holding,
    Holdings,
    Owners,
    OwnershipChain,
    Stake,
)
from derisk.store.view import View

OWNERS_SCHEMA = "derisk.owners/1"
HOLDINGS_SCHEMA = "derisk.holdings/1"


def as_of_date(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


# -- entities ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRef:
    entity_id: str
    name: str
    kind: str
    country: str | None

    def record(self) -> EntityInfo:
        return EntityInfo(id=self.entity_id, name=self.name, kind=self.kind, country=self.country)


def entity_ref(view: View, entity_id: str) -> EntityRef:
    e = view.entity(entity_id)
    if e is None:
        return EntityRef(entity_id, entity_id, "unknown", None)
    return EntityRef(e.entity_id, e.name, e.kind, e.country)


def resolve_entity(view: View, text: str) -> EntityRef:
    """An entity by id, or by a name or alias that matches exactly one entity."""
    exact = view.entity(text)
    if exact is not None:
        return EntityRef(exact.entity_id, exact.name, exact.kind, exact.country)
    rows = view.all_entities()
    want = normalise_name(text)
    low = text.casefold().strip()

    def names(r: Entity) -> list[str]:
        alias = [a.strip() for a in re.split(r"[|;]", r.aliases or "") if a.strip()]
        return [r.name, *alias]

    def by_exact(r: Entity) -> bool:
        return any(n.casefold() == low for n in names(r))

    def by_normal(r: Entity) -> bool:
        return bool(want) and any(normalise_name(n) == want for n in names(r))

    def by_part(r: Entity) -> bool:
        return any(low in n.casefold() for n in names(r))

    for test in (by_exact, by_normal, by_part):
        hits = {r.entity_id: r for r in rows if test(r)}
        if len(hits) == 1:
            r = next(iter(hits.values()))
            return EntityRef(r.entity_id, r.name, r.kind, r.country)
        if len(hits) > 1:
            shown = ", ".join(f"{k} ({v.name})" for k, v in sorted(hits.items())[:8])
            raise BadInputError(f"{text!r} matches {len(hits)} entities: {shown}; give an id")
    raise NotFound(f"no entity matches {text!r}; {FIND_ENTITY}")


# -- layers ------------------------------------------------------------------------------------


@dataclass
class Layer:
    """One interest layer on a date: node ids, and each in-force stake with its bounds."""

    interest: str
    ids: Any  # numpy array of entity ids, sorted
    owner: Any
    owned: Any
    lo: Any  # fractions
    hi: Any
    fact_id: Any
    source_id: Any
    ranged: Any  # bool: a range, not an exact figure
    fallback: Any  # bool: an equity stake standing in for voting rights
    _stakes: dict[str, eng.Stakes] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    def stakes(self, bound: str = "lo") -> eng.Stakes:
        """The layer's stakes at a bound, built once (a layer's arrays are not changed after
        loading), so that their inflow matrix is built once too."""
        if bound not in self._stakes:
            share = self.lo if bound == "lo" else self.hi
            self._stakes[bound] = eng.Stakes(self.n, self.owner, self.owned, np.minimum(share, 1.0))
        return self._stakes[bound]

    def index(self, entity_id: str) -> int:
        i = int(np.searchsorted(self.ids, entity_id))
        if i >= len(self.ids) or self.ids[i] != entity_id:
            raise NotFound(f"entity {entity_id!r} has no node in the ownership graph")
        return i

    def edge(self, owner: int, owned: int) -> int:
        hit = np.flatnonzero((self.owner == owner) & (self.owned == owned))
        return int(hit[0])


def prepare_layer(view: View, stakes: eng.Stakes) -> Any:
    """The current engine's prepared layer. With the local engine, a large layer's structure is
    kept beside the store (:mod:`derisk.store.prepared`, keyed by the stakes' content), so
    another ``as_of`` date with the same stakes, or a new process, loads it instead."""
    engine = current_engine()
    kept = view.store.prepared()
    if kept is not None and engine.name == "local":
        from derisk.engines.local import LocalEngine

        if isinstance(engine, LocalEngine):
            return engine.prepare(stakes, kept)
    return engine.prepare(stakes)


def node_ids(view: View) -> Any:
    """Every entity id and every stake end, sorted (the graph's nodes)."""
    return view.ownership_nodes()


def _select(view: View, interest: str) -> dict[str, np.ndarray[Any, Any]]:
    cols = view.stake_columns(interest)
    return {k: np.asarray(v) for k, v in zip(cols._fields, cols, strict=True)}


def load_layer(view: View, interest: str, ids: Any = None) -> Layer:
    """The stakes of one interest in force on the view's date (see the module doc)."""
    if interest not in {i.value for i in Interest}:
        raise BadInputError(f"unknown interest {interest!r}; one of equity, voting, board, debt")
    ids = node_ids(view) if ids is None else ids
    cols = _select(view, interest)
    fallback = np.zeros(len(cols["fact_id"]), dtype=np.bool_)
    if interest == Interest.VOTING:
        eq = _select(view, Interest.EQUITY.value)
        keep = ~np.isin(eq["owned_id"], cols["owned_id"])
        cols = {k: np.concatenate([cols[k], eq[k][keep]]) for k in cols}
        fallback = np.concatenate([fallback, np.ones(int(keep.sum()), dtype=np.bool_)])
    owner = np.searchsorted(ids, cols["owner_id"].astype(str)).astype(np.int64)
    owned = np.searchsorted(ids, cols["owned_id"].astype(str)).astype(np.int64)
    lo = np.asarray(cols["lo"], dtype=np.float64) / 100.0
    hi = np.asarray(cols["hi"], dtype=np.float64) / 100.0
    return Layer(
        interest,
        ids,
        owner,
        owned,
        lo,
        hi,
        np.asarray(cols["fact_id"]).astype(str),
        np.asarray(cols["source_id"]).astype(str),
        np.asarray(cols["ranged"], dtype=np.bool_),
        fallback,
    )


def overfull(layer: Layer) -> list[tuple[str, float]]:
    """Entities whose holders (lower ends) add up to more than 100% on the date, with the
    share their holders add up to."""
    sums = eng.column_sums(layer.stakes("lo"))
    bad = np.flatnonzero(sums > 1 + eng.COLUMN_TOLERANCE)
    return [(str(layer.ids[j]), round(float(sums[j]), 6)) for j in bad]


def check_layer(layer: Layer) -> None:
    bad = overfull(layer)
    if bad:
        shown = ", ".join(f"{entity} ({100 * share:.4g}%)" for entity, share in bad[:5])
        raise BadInputError(
            f"{layer.interest} stakes add up to more than 100% in {shown}: sources overlap; "
            "end the older stakes (valid_to) or pick an as-of date"
        )


# -- source metadata and chains ----------------------------------------------------------------


def source_meta(view: View, ids: Sequence[str]) -> dict[str, CitedSource]:
    """The sources ``ids`` by id, as the ownership answers cite them."""
    if not ids:
        return {}
    return {
        r.source_id: CitedSource(
            source_id=r.source_id,
            publisher=r.publisher,
            title=r.title,
            url=r.url,
            published=r.published.isoformat() if r.published else None,
            confidence=r.confidence,
            quote=r.quote,
        )
        for r in view.sources_by_id(ids)
    }


def chain_record(layer: Layer, chain: eng.Chain, names: dict[str, str]) -> OwnershipChain:
    """A chain of stakes with the share it carries, its entities and their names."""
    stakes = []
    for a, b in zip(chain.nodes, chain.nodes[1:], strict=False):
        k = layer.edge(a, b)
        stakes.append(
            Stake(
                owner=str(layer.ids[a]),
                owned=str(layer.ids[b]),
                percent=round(100 * float(layer.lo[k]), 6),
                percent_max=round(100 * float(layer.hi[k]), 6) if layer.ranged[k] else None,
                fact_id=str(layer.fact_id[k]),
                source_id=str(layer.source_id[k]),
                equity_as_voting=bool(layer.fallback[k]),
            )
        )
    return OwnershipChain(
        share=round(chain.share, 9),
        entities=tuple(str(layer.ids[v]) for v in chain.nodes),
        names=tuple(names.get(str(layer.ids[v]), str(layer.ids[v])) for v in chain.nodes),
        stakes=tuple(stakes),
    )


def cited_sources(view: View, ids: Sequence[str]) -> tuple[CitedSource, ...]:
    """The sources ``ids`` as the ownership answers cite them (in the store's order)."""
    return tuple(source_meta(view, ids).values())


def entity_names(view: View) -> dict[str, str]:
    return {e.entity_id: e.name for e in view.all_entities()}


# -- owners and holdings -----------------------------------------------------------------------


def owners(
    view: View,
    entity: str,
    *,
    interest: str = "equity",
    min_share: float = 0.0,
    paths: int = 3,
) -> Owners:
    """Direct and look-through holders of an entity, with the chains that carry each share."""
    when = view.as_of
    target = resolve_entity(view, entity)
    layer = load_layer(view, interest)
    check_layer(layer)
    names = entity_names(view)
    meta = {e.entity_id: (e.kind, e.country) for e in view.all_entities()}
    try:
        t = layer.index(target.entity_id)
    except NotFound:
        t = -1
    holders: list[Holder] = []
    direct_known = 0.0
    sources: set[str] = set()
    cycles: list[list[str]] = []
    if t >= 0:
        lt_lo = current_engine().look_through(layer.stakes("lo"), t)
        lt_hi = current_engine().look_through(layer.stakes("hi"), t)
        hi_by = dict(zip(lt_hi.nodes.tolist(), lt_hi.corrected.tolist(), strict=True))
        direct = {
            int(o): k
            for k, (o, d) in enumerate(zip(layer.owner, layer.owned, strict=True))
            if d == t and layer.hi[k] > 0
        }  # fmt: skip  (a 0% row records no holding)
        direct_known = float(sum(layer.lo[k] for k in direct.values()))
        st_lo = layer.stakes("lo")
        for i, lo, integ in zip(
            lt_lo.nodes.tolist(), lt_lo.corrected.tolist(), lt_lo.integrated.tolist(), strict=True
        ):
            hi = hi_by.get(i, lo)
            if max(lo, hi) < min_share or max(lo, hi) <= 0:
                continue
            eid = str(layer.ids[i])
            k = direct.get(i)
            chains = eng.top_chains(st_lo, [i], t, k=paths, total=lo) if paths else []
            ch = tuple(chain_record(layer, c, names) for c in chains)
            for c in ch:
                sources.update(s.source_id for s in c.stakes)
            kind, country = meta.get(eid, ("unknown", None))
            holders.append(
                Holder(
                    id=eid,
                    name=names.get(eid, eid),
                    kind=kind,
                    country=country,
                    direct_percent=None if k is None else round(100 * float(layer.lo[k]), 6),
                    direct_percent_max=None
                    if k is None or not layer.ranged[k]
                    else round(100 * float(layer.hi[k]), 6),
                    direct_fact_id=None if k is None else str(layer.fact_id[k]),
                    look_through=round(lo, 9),
                    look_through_bounds=(round(lo, 9), round(hi, 9)),
                    integrated=None if not np.isfinite(integ) else round(integ, 9),
                    ultimate=bool(not np.any(layer.owned == i)),
                    paths=ch,
                    paths_cover=round(sum(c.share for c in ch) / lo, 6) if lo > 0 else None,
                )
            )
            if k is not None:
                sources.add(str(layer.source_id[k]))
        holders.sort(key=lambda h: (-float(h.look_through), str(h.id)))
        cycles = _cycles_above(layer, t)
    control = _control(layer, t) if t >= 0 else Control()
    declared = _declared(view, target.entity_id)
    rights = _rights(view, target.entity_id)
    sources.update(d.source_id for d in declared)
    sources.update(r.source_id for r in rights)
    return Owners(
        schema=OWNERS_SCHEMA,
        as_of=when.isoformat(),
        interest=interest,
        entity=target.record(),
        known_direct_share=round(direct_known, 9),
        unaccounted_share=round(max(0.0, 1.0 - direct_known), 9),
        owners=tuple(holders),
        control=control,
        declared_interests=declared,
        rights=rights,
        cycles=tuple(tuple(c) for c in cycles),
        sources=cited_sources(view, sorted(sources)),
    )


def _cycles_above(layer: Layer, t: int) -> list[list[str]]:
    """Groups of holders above ``t`` that hold each other in a cycle."""
    import scipy.sparse.csgraph as csgraph

    anc = eng.ancestors(layer.stakes("lo"), t)
    if len(anc) < 2:
        return []
    sub_mask = np.isin(layer.owner, anc) & np.isin(layer.owned, anc)
    st = eng.Stakes(layer.n, layer.owner[sub_mask], layer.owned[sub_mask], layer.lo[sub_mask])
    _ncomp, labels = csgraph.connected_components(st.matrix(), directed=True, connection="strong")
    out = []
    lab = labels[anc]
    for c in np.unique(lab):
        members = anc[lab == c]
        if len(members) > 1:
            out.append(sorted(str(layer.ids[m]) for m in members))
    return sorted(out)


def _control(layer: Layer, t: int) -> Control:
    """Who controls ``t`` under the threshold model (chains of majorities) and the strongest
    holders under the relative model (W_ij^2 / sum_l W_lj^2, integrated)."""
    out: dict[str, tuple[ControlWeight, ...]] = {}
    base = layer.stakes("lo")
    for model in (eng.ControlModel.THRESHOLD, eng.ControlModel.RELATIVE):
        c = eng.control_weights(base, model)
        lt = current_engine().look_through(c, t)
        vals = [
            ControlWeight(id=str(layer.ids[i]), control=round(float(v), 6))
            for i, v in zip(lt.nodes.tolist(), lt.corrected.tolist(), strict=True)
            if v > 1e-12
        ]
        vals.sort(key=lambda d: (-float(d.control), str(d.id)))
        out[model.value] = tuple(vals[:10])
    parents = [v.id for v in out["threshold"] if v.control >= 1 - 1e-12]
    ultimate = [p for p in parents if not any(
        layer.owned[k] == layer.index(p) and layer.lo[k] > 0.5 for k in range(len(layer.owned))
    )]  # fmt: skip
    return Control(
        threshold=out["threshold"],
        relative=out["relative"],
        ultimate_parent=ultimate[0] if ultimate else None,
    )


def _declared(view: View, entity_id: str) -> tuple[DeclaredInterest, ...]:
    return tuple(
        DeclaredInterest(
            fact_id=r.fact_id,
            owner=r.owner_id,
            interest=r.interest,
            percent_min=r.percent_min,
            percent_max=r.percent_max,
            via=r.via,
            source_id=r.source_id,
            note=r.note,
        )
        for r in view.declared_interests(entity_id)
    )


def _rights(view: View, entity_id: str) -> tuple[ControlRight, ...]:
    return tuple(
        ControlRight(
            fact_id=r.fact_id,
            holder=r.holder_id,
            right=r.right_type,
            reason=r.reason,
            source_id=r.source_id,
            note=r.note,
        )
        for r in view.control_rights(entity_id)
    )


def holdings(
    view: View,
    owner: str,
    *,
    interest: str = "equity",
    min_share: float = 0.0,
    paths: int = 1,
) -> Holdings:
    """Everything an owner holds, directly and through chains (Vitali-corrected shares).

    Bounded (:mod:`derisk.model.limits`): at most ``chain_results`` holdings (largest first),
    chains of at most ``chain_depth`` stakes, ``chain_seconds`` of chain search; an answer cut
    by any bound says ``truncated: true`` (shares are exact; only listings are cut)."""
    when = view.as_of
    ref = resolve_entity(view, owner)
    layer = load_layer(view, interest)
    check_layer(layer)
    names = entity_names(view)
    lim = limits()
    deadline = time.monotonic() + lim.chain_seconds
    out: list[Holding] = []
    sources: set[str] = set()
    truncated = False
    total = 0
    try:
        o = layer.index(ref.entity_id)
    except NotFound:
        o = -1
    if o >= 0:
        reach = eng.descendants(layer.stakes("lo"), o)
        if len(reach) > 1:
            en = current_engine()
            x_lo = en.set_share(prepare_layer(view, layer.stakes("lo")), [o])
            x_hi = (
                en.set_share(prepare_layer(view, layer.stakes("hi")), [o])
                if layer.ranged.any()
                else x_lo
            )
            st_lo = layer.stakes("lo")
            held = []
            for j in reach[1:].tolist():
                lo, hi = float(x_lo[j]), float(x_hi[j])
                if max(lo, hi) < min_share or max(lo, hi) <= 0:
                    continue
                held.append((lo, hi, j))
            total = len(held)
            # largest first, by id on ties; at most chain_results listed
            held.sort(key=lambda t: (-t[0], str(layer.ids[t[2]])))
            if len(held) > lim.chain_results:
                held = held[: lim.chain_results]
                truncated = True
            inflow = st_lo.inflow()
            for lo, hi, j in held:
                hit = np.flatnonzero((layer.owner == o) & (layer.owned == j))
                chains = []
                if paths and time.monotonic() < deadline:
                    chains = eng.top_chains(
                        st_lo,
                        [o],
                        j,
                        k=paths,
                        total=lo,
                        max_expansions=10_000,
                        max_depth=lim.chain_depth,
                        deadline=deadline,
                        inflow=inflow,
                    )
                if paths and not chains:
                    truncated = True  # reached only by chains past the depth or time bound
                ch = tuple(chain_record(layer, c, names) for c in chains)
                for c in ch:
                    sources.update(s.source_id for s in c.stakes)
                eid = str(layer.ids[j])
                out.append(
                    Holding(
                        id=eid,
                        name=names.get(eid, eid),
                        direct_percent=round(100 * float(layer.lo[hit[0]]), 6)
                        if hit.size
                        else None,
                        look_through=round(lo, 9),
                        look_through_bounds=(round(lo, 9), round(hi, 9)),
                        paths=ch,
                    )
                )
    out.sort(key=lambda h: (-float(h.look_through), str(h.id)))
    return Holdings(
        schema=HOLDINGS_SCHEMA,
        as_of=when.isoformat(),
        interest=interest,
        owner=ref.record(),
        truncated=truncated,
        total_holdings=total,
        limits=ChainLimits(
            holdings=lim.chain_results,
            chain_depth=lim.chain_depth,
            seconds=lim.chain_seconds,
        ),
        holdings=tuple(out),
        sources=cited_sources(view, sorted(sources)),
    )
