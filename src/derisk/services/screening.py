"""Screening: FEOC (DOE reading), SFE, FIE and PFE verdicts that explain themselves.

Every verdict is ``flagged``, ``clear`` or ``indeterminate``. Stakes known as ranges are
evaluated at both ends (``verdict_at_min``, ``verdict_at_max``): flagged when the lower ends
already pass a threshold, indeterminate when only the upper ends do (the ``settle`` list names
the ranged stakes whose exact size would decide it), and also indeterminate when a holder in
the screened set has an interest of unknown size above the entity. Rule versions, thresholds,
citations and confidence come from the rule pack (:mod:`derisk.rules.ownership`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast

import numpy as np

from derisk.analysis import ownership as eng
from derisk.engines import current as current_engine
from derisk.errors import BadInputError
from derisk.model.names import normalise_name
from derisk.model.record import ABSENT, Record
from derisk.rules.ownership import RULE_IDS, RuleVersion, rule_version
from derisk.services.ownership import (
    Layer,
    chain_record,
    check_layer,
    cited_sources,
    entity_names,
    load_layer,
    node_ids,
    prepare_layer,
    resolve_entity,
)
from derisk.services.results.screening import (
    DebtHolder,
    FlagTest,
    ListEntry,
    RightHeld,
    RuleCitation,
    RuleInfo,
    ScreenAll,
    ScreenComponent,
    ScreenCounts,
    ScreenEntity,
    ScreenRow,
    ScreenTest,
    SettleInterest,
    SettleItem,
    SettleStake,
    TagHeld,
    ThresholdTest,
    Verdict,
    VerdictTest,
)
from derisk.store.view import View

SCREEN_SCHEMA = "derisk.screen/1"
UNQUANTIFIED = ("unknown-interest", "other-influence-or-control", "appoint-board", "controls")

FLAGGED: Final = "flagged"
CLEAR: Final = "clear"
INDETERMINATE: Final = "indeterminate"


def _v(value: object) -> Verdict:
    """A verdict read from an array of verdicts (``numpy.str_``) as the literal it is."""
    return cast(Verdict, str(value))


def _verdict(at_min: bool, at_max: bool, unknown: bool = False) -> Verdict:
    if at_min:
        return FLAGGED
    if at_max or unknown:
        return INDETERMINATE
    return CLEAR


def _passes(value: float, threshold: float, comparison: str) -> bool:
    eps = 1e-12
    return value >= threshold - eps if comparison == ">=" else value > threshold + eps


@dataclass
class Context:
    """Everything screening needs on one date, computed once for one or all entities."""

    view: View
    when: dt.date
    ids: Any
    layers: dict[str, Layer]
    kind: Any
    country: Any
    covered: set[str]
    tags: dict[int, list[TagHeld]]
    lists: dict[int, list[ListEntry]]
    rights: list[RightHeld]
    plans: dict[tuple[str, str], Any] = field(default_factory=dict)  # the engine's plans
    shares: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)

    def plan(self, interest: str, bound: str) -> Any:
        layer = self.layers[interest]
        if bound == "hi" and not layer.ranged.any():
            bound = "lo"
        key = (interest, bound)
        if key not in self.plans:
            self.plans[key] = prepare_layer(self.view, layer.stakes(bound))
        return self.plans[key]

    def share(self, name: str, interest: str, bound: str, members: Any) -> Any:
        key = (name, interest, bound)
        if key not in self.shares:
            if not members.any():
                self.shares[key] = np.zeros(self.n)
            else:
                self.shares[key] = current_engine().set_share(self.plan(interest, bound), members)
        return self.shares[key]


def context(view: View) -> Context:
    """Everything screening needs, as of the view's date."""
    when = view.as_of
    ids = node_ids(view)
    layers = {k: load_layer(view, k, ids) for k in ("equity", "voting", "board", "debt")}
    for k in ("equity", "voting", "board"):
        check_layer(layers[k])
    n = len(ids)
    kind = np.full(n, "unknown", dtype=object)
    country = np.full(n, None, dtype=object)
    names: dict[str, list[int]] = {}
    for e in view.all_entities():
        eid, k, c, name, aliases = e.entity_id, e.kind, e.country, e.name, e.aliases
        i = int(np.searchsorted(ids, eid))
        kind[i], country[i] = k, c
        for nm in [name, *re.split(r"[|;]", aliases or "")]:
            key = normalise_name(nm) if nm and nm.strip() else ""
            if key:
                names.setdefault(key, []).append(i)
    covered = {m.iso3 for m in view.group_members("covered")}
    tags: dict[int, list[TagHeld]] = {}
    for t in view.entity_tags():
        i = int(np.searchsorted(ids, t.entity_id))
        if i < n and ids[i] == t.entity_id:
            tags.setdefault(i, []).append(
                TagHeld(tag=t.tag, country=t.country, source_id=t.source_id, note=t.note)
            )
    lists = _list_hits(view, ids, names)
    rights = [
        RightHeld(
            fact_id=r.fact_id,
            holder=r.holder_id,
            subject=r.subject_id,
            right=r.right_type,
            source_id=r.source_id,
        )
        for r in view.control_rights()
    ]
    return Context(view, when, ids, layers, kind, country, covered, tags, lists, rights)


def _list_hits(view: View, ids: Any, names: dict[str, list[int]]) -> dict[int, list[ListEntry]]:
    """Entries in force per node: for each list, the latest edition on or before the date
    (or, if none, the earliest edition's entries listed on or before the date)."""
    when = view.as_of
    editions: dict[str, list[dt.date]] = {}
    for lid, ed in view.list_editions():
        editions.setdefault(lid, []).append(ed)
    out: dict[int, list[ListEntry]] = {}
    for lid, eds in editions.items():
        past = [e for e in eds if e <= when]
        ed = past[-1] if past else eds[0]
        for r in view.list_entries(lid, ed):
            entry_id, name, aliases, section = r.entry_id, r.name, r.aliases, r.section
            eid, sid, vf = r.entity_id, r.source_id, r.valid_from
            hits: set[int] = set()
            how: Literal["entity id", "name"] = "entity id"
            if eid:
                i = int(np.searchsorted(ids, eid))
                if i < len(ids) and ids[i] == eid:
                    hits.add(i)
            if not hits:
                how = "name"
                for nm in [name, *re.split(r";", aliases or "")]:
                    hits.update(names.get(normalise_name(nm), []) if nm.strip() else [])
            for i in hits:
                out.setdefault(i, []).append(
                    ListEntry(
                        list=lid,
                        entry_id=entry_id,
                        name_as_listed=name,
                        section=section,
                        edition=ed.isoformat(),
                        listed_from=vf.isoformat() if vf else None,
                        matched_by=how,
                        source_id=sid,
                    )
                )
    return out


# -- the rules, vectorised over every entity --------------------------------------------------


@dataclass
class Check:
    """One test of a rule over every entity: a yes/no mask (``value``), a share at both ends
    compared with a threshold (``lo``, ``hi``), or another rule's verdicts (``verdict``)."""

    value: Any = None  # bool per node
    lo: Any = None  # share per node, stakes at their lower ends
    hi: Any = None
    threshold: float = 0.0
    comparison: str = ">="
    members: Any = None  # bool per node: the set whose share is measured
    members_hi: Any = None
    interest: str | None = None  # layer whose chains explain the share
    note: str | None = None
    confidence: str | None = None
    verdict: Any = None  # verdict per node
    holders: dict[int, tuple[int, str]] | None = None  # node -> (largest holder, layer)
    lists: list[str] | None = None
    rights: list[str] | None = None

    def flags(self, i: int) -> bool:
        """Whether this test alone flags entity ``i`` (at the lower ends)."""
        if self.value is not None:
            return bool(self.value[i])
        if self.lo is not None:
            return _passes(float(self.lo[i]), self.threshold, self.comparison)
        return self.verdict is not None and bool(self.verdict[i] == FLAGGED)


@dataclass
class Outcome:
    """Per-entity results of one rule: verdicts at both ends and the tests behind them."""

    at_min: Any  # bool per node
    at_max: Any
    unknown: Any  # bool: an interest of unknown size could decide it
    tests: dict[str, Check]  # test name -> arrays and parameters

    def verdicts(self) -> Any:
        return np.where(
            self.at_min, FLAGGED, np.where(self.at_max | self.unknown, INDETERMINATE, CLEAR)
        )


def _membership(ctx: Context, rv: RuleVersion) -> tuple[Any, Any, Any]:
    """Government set G (covered governments and their instrumentalities), jurisdiction mask,
    and the foreign-person set F (G, covered jurisdiction, covered nationals)."""
    covered = ctx.covered
    in_cov = np.array([c in covered for c in ctx.country], dtype=np.bool_)
    gov = (ctx.kind == "government") & in_cov
    juris = in_cov & (ctx.kind != "government")
    gov_tags = set(rv.params.get("government_tags", []))
    jur_tags = set(rv.params.get("jurisdiction", {}).get("tags", []))
    for i, ts in ctx.tags.items():
        for t in ts:
            if t.country in covered and t.tag in gov_tags:
                gov[i] = True
            if t.country in covered and (t.tag in jur_tags or t.tag == "nationality"):
                juris[i] = True
    return gov, juris, gov | juris


def _unknown_above(ctx: Context, holders: Any, held: Any) -> Any:
    """Entities below an interest of unknown size held by a member (or by what members hold)."""
    out = np.zeros(ctx.n, dtype=np.bool_)
    st = ctx.layers["equity"].stakes("lo")
    for r in ctx.rights:
        if r.right not in ("unknown-interest",) or not r.holder:
            continue
        h = int(np.searchsorted(ctx.ids, r.holder))
        s = int(np.searchsorted(ctx.ids, r.subject))
        if h < ctx.n and s < ctx.n and (holders[h] or held[h] > 0):
            out[eng.descendants(st, s)] = True
    return out


def _rights_mask(ctx: Context, holders: Any, kinds: set[str]) -> Any:
    out = np.zeros(ctx.n, dtype=np.bool_)
    for r in ctx.rights:
        if r.right in kinds and r.holder:
            h = int(np.searchsorted(ctx.ids, r.holder))
            s = int(np.searchsorted(ctx.ids, r.subject))
            if h < ctx.n and s < ctx.n and holders[h]:
                out[s] = True
    return out


def feoc(ctx: Context) -> Outcome:
    rv = rule_version("feoc", ctx.when)
    gov, juris, _ = _membership(ctx, rv)
    own = rv.params["ownership"]
    thr, cmp_ = float(own["threshold"]), str(own["comparison"])
    at_min = gov | juris
    at_max = at_min.copy()
    tests: dict[str, Check] = {
        "government-body": Check(value=gov, note="is a covered-nation government body"),
        "jurisdiction": Check(value=juris, note=rv.params["jurisdiction"]["note"]),
    }
    held_hi = np.zeros(ctx.n)
    for layer in own["layers"]:
        lo = ctx.share("gov", layer, "lo", gov)
        hi = ctx.share("gov", layer, "hi", gov)
        held_hi = np.maximum(held_hi, hi)
        at_min |= np.array([_passes(v, thr, cmp_) for v in lo]) if ctx.n < 50_000 else lo >= thr
        at_max |= hi >= thr - 1e-12
        tests[f"government-{layer}"] = Check(
            lo=lo, hi=hi, threshold=thr, comparison=cmp_, members=gov, interest=layer,
            note=own["note"],
        )  # fmt: skip
    rights = _rights_mask(ctx, gov, set(rv.params.get("control_rights", [])))
    at_min |= rights
    tests["control-rights"] = Check(value=rights, note="a government body holds a control right")
    unknown = _unknown_above(ctx, gov, held_hi) & ~at_min
    return Outcome(at_min, at_max, unknown, tests)


def sfe(ctx: Context) -> Outcome:
    rv = rule_version("sfe", ctx.when)
    lists = set(rv.params["lists"])
    listed = np.zeros(ctx.n, dtype=np.bool_)
    for i, hits in ctx.lists.items():
        if any(h.list in lists for h in hits):
            listed[i] = True
    f = feoc(ctx) if rv.params.get("include_feoc") else None
    fc = rv.params["foreign_controlled"]
    _gov, _juris, foreign = _membership(ctx, rule_version("feoc", ctx.when))
    thr, cmp_ = float(fc["threshold"]), str(fc["comparison"])
    at_min = listed.copy()
    at_max = listed.copy()
    tests: dict[str, Check] = {"listed": Check(value=listed, lists=list(rv.params["lists"]))}
    for layer in fc["layers"]:
        lo = ctx.share("foreign", layer, "lo", foreign)
        hi = ctx.share("foreign", layer, "hi", foreign)
        at_min |= lo > thr + 1e-12 if cmp_ == ">" else lo >= thr - 1e-12
        at_max |= hi > thr + 1e-12 if cmp_ == ">" else hi >= thr - 1e-12
        tests[f"foreign-controlled-{layer}"] = Check(
            lo=lo, hi=hi, threshold=thr, comparison=cmp_, members=foreign, interest=layer,
            note=fc["note"], confidence=fc.get("confidence"),
        )  # fmt: skip
    unknown = np.zeros(ctx.n, dtype=np.bool_)
    if f is not None:
        at_min |= f.at_min
        at_max |= f.at_max
        unknown |= f.unknown
        tests["feoc"] = Check(verdict=f.verdicts())
    return Outcome(at_min, at_max, unknown & ~at_min, tests)


def fie(ctx: Context, s: Outcome | None = None, focus: int | None = None) -> Outcome:
    rv = rule_version("fie", ctx.when)
    s = s or sfe(ctx)
    sfe_lo = s.at_min
    sfe_hi = s.at_max | s.unknown | s.at_min
    p = rv.params
    at_min = np.zeros(ctx.n, dtype=np.bool_)
    at_max = np.zeros(ctx.n, dtype=np.bool_)
    tests: dict[str, Check] = {}
    agg_max = np.zeros(ctx.n)
    for layer in p["aggregate"]["layers"]:
        lo = ctx.share("sfe-lo", layer, "lo", sfe_lo)
        hi = ctx.share("sfe-hi", layer, "hi", sfe_hi)
        thr = float(p["aggregate"]["threshold"])
        at_min |= lo >= thr - 1e-12
        at_max |= hi >= thr - 1e-12
        agg_max = np.maximum(agg_max, hi)
        tests[f"aggregate-{layer}"] = Check(
            lo=lo, hi=hi, threshold=thr, comparison=">=", members=sfe_lo, members_hi=sfe_hi,
            interest=layer, note=p["aggregate"]["note"],
        )  # fmt: skip
    # One SFE >= 25%: only where all SFEs together could reach it, then holder by holder.
    thr1 = float(p["single"]["threshold"])
    single_lo = np.zeros(ctx.n)
    single_hi = np.zeros(ctx.n)
    single_holder: dict[int, tuple[int, str]] = {}
    cand = set(np.flatnonzero(agg_max >= thr1 - 1e-12).tolist())
    if focus is not None and agg_max[focus] > 0:
        cand.add(focus)  # the screened entity gets its largest single holder even below 25%
    for t in sorted(cand):
        for layer in p["single"]["layers"]:
            lay = ctx.layers[layer]
            lt_lo = eng.look_through(lay.stakes("lo"), t)
            lt_hi = eng.look_through(lay.stakes("hi"), t) if lay.ranged.any() else lt_lo
            for nodes, vals, mask, arr, bound in (
                (lt_lo.nodes, lt_lo.corrected, sfe_lo, single_lo, "lo"),
                (lt_hi.nodes, lt_hi.corrected, sfe_hi, single_hi, "hi"),
            ):
                sel = mask[nodes]
                if sel.any():
                    k = int(np.argmax(np.where(sel, vals, -1)))
                    if vals[k] > arr[t]:
                        arr[t] = float(vals[k])
                        if bound == "lo":
                            single_holder[t] = (int(nodes[k]), layer)
    at_min |= single_lo >= thr1 - 1e-12
    at_max |= single_hi >= thr1 - 1e-12
    tests["single"] = Check(
        lo=single_lo, hi=single_hi, threshold=thr1, comparison=">=", holders=single_holder,
        note=p["single"]["note"],
    )  # fmt: skip
    # Debt: SFEs' share of each entity's debt (a debt holder counts by the SFE share in it).
    debt = ctx.layers["debt"]
    eq_lo = ctx.share("sfe-lo", "equity", "lo", sfe_lo)
    eq_hi = ctx.share("sfe-hi", "equity", "hi", sfe_hi)
    u_lo = np.where(sfe_lo, 1.0, eq_lo)
    u_hi = np.where(sfe_hi, 1.0, eq_hi)
    d_lo = np.bincount(debt.owned, weights=debt.lo * u_lo[debt.owner], minlength=ctx.n)
    d_hi = np.bincount(debt.owned, weights=debt.hi * u_hi[debt.owner], minlength=ctx.n)
    thr_d = float(p["debt"]["threshold"])
    at_min |= d_lo >= thr_d - 1e-12
    at_max |= d_hi >= thr_d - 1e-12
    tests["debt"] = Check(
        lo=d_lo, hi=d_hi, threshold=thr_d, comparison=">=", note=p["debt"]["note"]
    )
    rights = _rights_mask(ctx, sfe_lo, set(p["control_rights"]))
    at_min |= rights
    tests["control-rights"] = Check(value=rights, rights=list(p["control_rights"]))
    unknown = _unknown_above(ctx, sfe_hi, agg_max) & ~at_min
    return Outcome(at_min, at_max, unknown, tests)


def pfe(ctx: Context, focus: int | None = None) -> tuple[Outcome, Outcome, Outcome]:
    s = sfe(ctx)
    f = fie(ctx, s, focus)
    out = Outcome(
        s.at_min | f.at_min,
        s.at_max | f.at_max,
        (s.unknown | f.unknown) & ~(s.at_min | f.at_min),
        {"sfe": Check(verdict=s.verdicts()), "fie": Check(verdict=f.verdicts())},
    )
    return out, s, f


# -- explanations ------------------------------------------------------------------------------


def _r(x: float) -> float:
    return round(float(x), 9)


def _flag_test(ctx: Context, name: str, tst: Check, t: int) -> FlagTest:
    val = bool(tst.value[t])
    subject = str(ctx.ids[t])
    return FlagTest(
        test=name,
        result=FLAGGED if val else CLEAR,
        note=tst.note if tst.note else ABSENT,
        entries=tuple(ctx.lists[t]) if name == "listed" and t in ctx.lists else ABSENT,
        country=ctx.country[t] if name == "jurisdiction" and val else ABSENT,
        tags=tuple(ctx.tags.get(t, [])) if name == "jurisdiction" and val else ABSENT,
        rights=(
            tuple(r for r in ctx.rights if r.subject == subject)
            if name == "control-rights" and val
            else ABSENT
        ),
    )


def _threshold_test(
    ctx: Context, name: str, tst: Check, t: int, names: dict[str, str]
) -> ThresholdTest:
    lo, hi = float(tst.lo[t]), float(tst.hi[t])
    thr, cmp_ = tst.threshold, tst.comparison
    paths: tuple[Any, ...] | None = None
    holder: str | None = None
    interest: str | None = None
    if tst.interest is not None and lo > 0:
        lay = ctx.layers[tst.interest]
        members = np.flatnonzero(tst.members)
        chains = eng.top_chains(lay.stakes("lo"), members, t, k=5, total=lo)
        paths = tuple(chain_record(lay, c, names) for c in chains)
    if name == "single" and tst.holders is not None and t in tst.holders:
        h, interest = tst.holders[t]
        lay = ctx.layers[interest]
        holder = str(ctx.ids[h])
        chains = eng.top_chains(lay.stakes("lo"), [h], t, k=5, total=lo)
        paths = tuple(chain_record(lay, c, names) for c in chains)
    debt_holders: tuple[DebtHolder, ...] | None = None
    if name == "debt" and hi > 0:
        debt = ctx.layers["debt"]
        rows = np.flatnonzero(debt.owned == t)
        debt_holders = tuple(
            DebtHolder(holder=str(ctx.ids[debt.owner[k]]), percent=_r(100 * debt.lo[k]),
                       fact_id=str(debt.fact_id[k]), source_id=str(debt.source_id[k]))
            for k in rows
        )  # fmt: skip
    return ThresholdTest(
        test=name,
        value=_r(lo),
        bounds=(_r(lo), _r(hi)),
        threshold=thr,
        comparison=cmp_,
        result=_verdict(_passes(lo, thr, cmp_), _passes(hi, thr, cmp_)),
        note=tst.note,
        confidence=tst.confidence if tst.confidence else ABSENT,
        holder=ABSENT if holder is None else holder,
        interest=ABSENT if interest is None else interest,
        paths=ABSENT if paths is None else paths,
        debt_holders=ABSENT if debt_holders is None else debt_holders,
    )


def _explain_tests(
    ctx: Context, out: Outcome, t: int, names: dict[str, str]
) -> tuple[ScreenTest, ...]:
    res: list[ScreenTest] = []
    for name, tst in out.tests.items():
        if tst.verdict is not None:
            res.append(VerdictTest(test=name, result=_v(tst.verdict[t])))
        elif tst.lo is None:
            res.append(_flag_test(ctx, name, tst, t))
        else:
            res.append(_threshold_test(ctx, name, tst, t, names))
    return tuple(res)


def _settle(ctx: Context, t: int) -> tuple[SettleItem, ...]:
    """Ranged stakes above ``t`` and interests of unknown size: what would settle it."""
    out: list[SettleItem] = []
    for interest in ("equity", "voting", "board", "debt"):
        lay = ctx.layers[interest]
        if not lay.ranged.any():
            continue
        anc = eng.ancestors(lay.stakes("hi"), t)
        for k in np.flatnonzero(lay.ranged & np.isin(lay.owned, anc)).tolist():
            if any(o.fact_id == str(lay.fact_id[k]) for o in out):
                continue  # an equity range standing in for voting rights is listed once
            out.append(
                SettleStake(
                    fact_id=str(lay.fact_id[k]),
                    owner=str(ctx.ids[lay.owner[k]]),
                    owned=str(ctx.ids[lay.owned[k]]),
                    interest=interest,
                    percent_min=_r(100 * lay.lo[k]),
                    percent_max=_r(100 * lay.hi[k]),
                    source_id=str(lay.source_id[k]),
                )
            )
    anc_eq = set(eng.ancestors(ctx.layers["equity"].stakes("hi"), t).tolist())
    for r in ctx.rights:
        s = int(np.searchsorted(ctx.ids, r.subject))
        if r.right == "unknown-interest" and s in anc_eq:
            out.append(
                SettleInterest(
                    fact_id=r.fact_id,
                    holder=r.holder,
                    subject=r.subject,
                    right=r.right,
                    source_id=r.source_id,
                )
            )
    return tuple(out)


def _sources_of(items: object) -> set[str]:
    """Every ``source_id`` named anywhere in ``items`` (records, mappings, sequences)."""
    found: set[str] = set()
    if isinstance(items, Record):
        items = items.to_json()
    if isinstance(items, Mapping):
        for k, v in items.items():
            if k == "source_id" and isinstance(v, str):
                found.add(v)
            else:
                found |= _sources_of(v)
    elif isinstance(items, (list, tuple)):
        for v in items:
            found |= _sources_of(v)
    return found


def rule_info(rv: RuleVersion) -> RuleInfo:
    """The rule version as results describe it."""
    d = rv.describe()
    return RuleInfo(
        rule=d["rule"],
        title=d["title"],
        version=d["version"],
        effective_from=d["effective_from"],
        effective_to=d["effective_to"],
        confidence=d["confidence"],
        citations=tuple(RuleCitation(**c) for c in d["citations"]),
    )


def _outcomes(ctx: Context, rule: str, focus: int | None) -> tuple[Outcome, dict[str, Outcome]]:
    parts: dict[str, Outcome] = {}
    if rule == "feoc":
        out = feoc(ctx)
    elif rule == "sfe":
        out = sfe(ctx)
    elif rule == "fie":
        out = fie(ctx, focus=focus)
    else:
        out, parts["sfe"], parts["fie"] = pfe(ctx, focus)
    return out, parts


def _check_rule(rule: str) -> None:
    if rule not in RULE_IDS:
        raise BadInputError(f"unknown rule {rule!r}; one of {', '.join(RULE_IDS)}")


def screen_all(view: View, *, rule: str = "pfe") -> ScreenAll:
    """Every entity's verdict under ``rule`` on the view's date (one line each, flagged first)."""
    _check_rule(rule)
    when = view.as_of
    rv = rule_version(rule, when)
    ctx = context(view)
    out, _parts = _outcomes(ctx, rule, None)
    verdicts = out.verdicts()
    names = entity_names(view)
    rows: list[ScreenRow] = []
    for i in range(ctx.n):
        eid = str(ctx.ids[i])
        if eid not in names:
            continue
        rows.append(
            ScreenRow(
                id=eid,
                name=names[eid],
                verdict=_v(verdicts[i]),
                verdict_at_min=FLAGGED if out.at_min[i] else CLEAR,
                verdict_at_max=FLAGGED if (out.at_max[i] or out.at_min[i]) else CLEAR,
                flagged_by=tuple(k for k, tst in out.tests.items() if tst.flags(i)),
            )
        )
    order = {FLAGGED: 0, INDETERMINATE: 1, CLEAR: 2}
    rows.sort(key=lambda r: (order[r.verdict], r.id))
    n = {v: sum(1 for r in rows if r.verdict == v) for v in order}
    return ScreenAll(
        as_of=when.isoformat(),
        rule=rule_info(rv),
        counts=ScreenCounts(flagged=n[FLAGGED], indeterminate=n[INDETERMINATE], clear=n[CLEAR]),
        entities=tuple(rows),
    )


def screen_entity(view: View, entity: str, *, rule: str = "pfe") -> ScreenEntity:
    """One entity's verdict under ``rule`` on the view's date, with every test explained."""
    _check_rule(rule)
    when = view.as_of
    rv = rule_version(rule, when)
    ctx = context(view)
    ref = resolve_entity(view, entity)
    i = int(np.searchsorted(ctx.ids, ref.entity_id))
    out, parts = _outcomes(ctx, rule, i)
    verdicts = out.verdicts()
    names = entity_names(view)
    tests = _explain_tests(ctx, out, i, names)
    components = {
        k: ScreenComponent(
            rule=rule_info(rule_version(k, when)),
            verdict=_v(o.verdicts()[i]),
            tests=_explain_tests(ctx, o, i, names),
        )
        for k, o in parts.items()
    }
    settle = _settle(ctx, i) if verdicts[i] == INDETERMINATE else ()
    caveats = []
    eq = ctx.layers["equity"]
    recorded = float(eq.lo[eq.owned == i].sum())
    if recorded < 1 - 1e-9:
        caveats.append(
            f"holders of {100 * (1 - recorded):.4g}% of the equity are not recorded: the verdict "
            "rests on the recorded holders"
        )
    used = _sources_of(tests) | _sources_of(components) | _sources_of(settle)
    sources = cited_sources(view, sorted(used))
    low = [s.source_id for s in sources if s.confidence == "L"]
    if low:
        caveats.append("rests in part on unverified figures (confidence L): " + ", ".join(low))
    return ScreenEntity(
        as_of=when.isoformat(),
        rule=rule_info(rv),
        entity=ref.record(),
        verdict=_v(verdicts[i]),
        verdict_at_min=FLAGGED if out.at_min[i] else CLEAR,
        verdict_at_max=FLAGGED if (out.at_max[i] or out.at_min[i]) else CLEAR,
        tests=tests,
        components=components,
        settle=settle,
        caveats=tuple(caveats),
        sources=sources,
    )


def screen(
    view: View,
    entity: str | None = None,
    *,
    rule: str = "pfe",
    all_entities: bool = False,
) -> ScreenEntity | ScreenAll:
    """Screen one entity (with a full explanation) or every entity (one line each)."""
    _check_rule(rule)
    if entity is None and not all_entities:
        raise BadInputError("name an entity to screen, or screen all entities")
    if entity is not None and all_entities:
        raise BadInputError("give an entity or all entities, not both")
    if entity is None:
        return screen_all(view, rule=rule)
    return screen_entity(view, entity, rule=rule)
