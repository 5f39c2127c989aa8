"""Monitoring: watchlists, answers that depend on facts, and alerts when an answer changes.

A watch item (:class:`~derisk.model.monitor.WatchItem`) names something a user depends on: a
product under a rule pack and date, an entity (screened for FEOC and the other ownership
rules), a material and stage (the selected countries' share), an importer, a country (export
restrictions it issues or faces) or a facility. Its *answer* is computed with the same
services as the commands (``certify``, ``screen``, ``exposure``) and stored with the fact keys
it used (the dependency index, :class:`~derisk.model.monitor.WatchDep`).

:func:`run` reads what changed since its last pass from the audit log -- every write of the
store is recorded there, row by row for small changes: accepted news proposals, imports,
dataset removals -- turns the changed rows into fact keys (``entity:<id>``, ``material:<id>``,
``country:<iso3>``, ``product:<id>``), widens entity keys down the supply links (a supplier's
change reaches every product downstream), looks the keys up in the index and recomputes only
the answers found, plus those whose ``next_change`` date has come (a rule version starting, a
licence window closing) and all rule-dependent answers when the rule packs changed. A large
import recorded only as counts recomputes the watch kinds that read its table.

**Organisations.** Watch items, answers and alerts live in the dataset ``monitor-<org>``,
private to the organisation; answers are computed on a store limited to what that
organisation may see (:func:`derisk.store.guard.checkout`), so an alert, digest or webhook
never carries another organisation's private facts.

JSON schemas: ``derisk.monitor.watchlist/1``, ``derisk.monitor.run/1``, ``derisk.alerts/1``,
``derisk.monitor.calendar/1`` (documented in ``docs/monitoring.md``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, cast

from derisk.errors import BadInputError
from derisk.model.catalog import load_catalog
from derisk.model.monitor import (
    WATCH_KINDS,
    Alert,
    AlertReason,
    AlertSource,
    AlertState,
    MonitorCursor,
    WatchAnswer,
    WatchDep,
    WatchItem,
)
from derisk.model.record import fields_of
from derisk.model.schema import ROW_TYPES
from derisk.model.trust import Principal, Role
from derisk.progress import Progress
from derisk.services.common import NotFound
from derisk.services.lookup import FIND_ENTITY
from derisk.services.results.monitor import ALERT_SCHEMA as ALERT_SCHEMA
from derisk.services.results.monitor import ALERTS_SCHEMA as ALERTS_SCHEMA
from derisk.services.results.monitor import CALENDAR_SCHEMA as CALENDAR_SCHEMA
from derisk.services.results.monitor import RUN_SCHEMA as RUN_SCHEMA
from derisk.services.results.monitor import WATCH_SCHEMA as WATCH_SCHEMA
from derisk.services.results.monitor import (
    AlertInfo,
    Alerts,
    AlertStateSet,
    Calendar,
    CalendarEvent,
    MonitorRun,
    RuleChange,
    RunChanges,
    WatchAdded,
    WatchAnswerInfo,
    WatchInfo,
    Watchlist,
    WatchListed,
    WatchRemoved,
)
from derisk.store import DuckStore, guard
from derisk.store.base import Store
from derisk.store.monitoring import drop_watch_answers, ensure_private_dataset, retire_rows
from derisk.store.monitoring import upstream_view as _upstream_view
from derisk.store.view import View

ALERT_STATES = ("unread", "read", "acknowledged", "muted")
SHARE_STEP = 0.005
"""A share answer changes when it moves by at least half a percentage point."""

ENTITY_COLUMNS = (
    "entity_id",
    "owner_id",
    "owned_id",
    "holder_id",
    "subject_id",
    "object_id",
    "supplier_id",
    "customer_id",
    "facility_id",
    "operator_id",
)
COUNTRY_COLUMNS = ("country", "iso3", "issuer", "target", "importer", "exporter", "partner")
KIND_TABLES: dict[str, frozenset[str]] = {
    "product": frozenset({"product", "bom_line", "supply_link", "entity", "export_restriction"}),
    "entity": frozenset({"stake", "stake_range", "control_right", "entity_tag", "entity"}),
    "facility": frozenset({"entity", "supply_link"}),
    "material": frozenset({"production", "share", "trade", "export_restriction"}),
    "importer": frozenset({"trade", "import_source", "import_reliance", "production", "share"}),
    "country": frozenset({"export_restriction"}),
}
"""For a large change recorded only as counts: the watch kinds that read each table."""


def _now() -> str:
    return guard.now()


def _today() -> dt.date:
    return dt.date.today()


def _watch_rows(store: Store, ids: Sequence[str]) -> list[WatchItem]:
    return store.view().live_watch_items(ids)


# -- who owns what ------------------------------------------------------------------------------


def acting(source: Store | View) -> Principal:
    """The user a store acts for, or a view reads for (its own principal, else its store's)."""
    if isinstance(source, View):
        return source.principal or acting(source.store)
    p = getattr(source, "principal", None)
    return p if isinstance(p, Principal) else guard.local_principal()


def dataset_of(org_id: str | None) -> str:
    """The dataset holding an organisation's watchlists, answers and alerts."""
    return f"monitor-{org_id}" if org_id else "monitor"


_SYSTEM = Principal("monitor", Role.ADMIN, local=True, via="monitor")


@contextlib.contextmanager
def _monitor_writer(store: Store, org_id: str | None, by: Principal) -> Iterator[Any]:
    """Write monitoring rows of ``org_id`` (any member may keep its watchlist and alert states:
    the service checks ownership, the rows go to the organisation's private dataset)."""
    ds = dataset_of(org_id)
    label = Principal(f"{by.label} via monitor", Role.ADMIN, local=True, via=by.via)
    with guard.acting_as(label, guard.origin()), store.writer(ds) as w:
        if org_id:
            ensure_private_dataset(store, ds, org_id, "monitor", _now())
        yield w


def _live_watch(store: Store | View, owner: str | None = None) -> list[WatchItem]:
    items = [w for w in store.rows(WatchItem) if w.removed_at is None]
    removed = {w.watch_id for w in store.rows(WatchItem) if w.removed_at is not None}
    items = [w for w in items if w.watch_id not in removed]
    if owner is not None:
        items = [w for w in items if w.owner == owner]
    return sorted(items, key=lambda w: w.watch_id)


def _watch_json(w: WatchItem) -> WatchInfo:
    return WatchInfo(
        watch_id=w.watch_id,
        kind=w.kind,
        target=w.target,
        owner=w.owner,
        org=w.org_id,
        material=w.material_id,
        stage=w.stage_id,
        countries=tuple(w.countries.split(",")) if w.countries else None,
        rule=w.rule_id,
        on_date=w.on_date.isoformat() if w.on_date else None,
        created_at=w.created_at,
        note=w.note,
    )


def _check_target(store: Store, kind: str, target: str, material: str | None) -> list[str]:
    """Raise for a target that cannot exist; return notes for one that is not (yet) known."""
    notes: list[str] = []
    if kind == "product":
        if not store.view().product_exists(target):
            raise NotFound(f"no product {target!r}; `derisk products` lists them")
    elif kind == "entity":
        if not store.view().entity_exists(target):
            raise NotFound(f"no entity {target!r}; {FIND_ENTITY}")
    elif kind == "material":
        load_catalog().material(target)
    elif kind in ("country", "importer"):
        if not store.view().country_exists(target):
            raise BadInputError(f"{target!r} is not an ISO 3166-1 alpha-3 country code")
        if kind == "importer":
            if material is None:
                raise BadInputError("an importer watch needs a material")
            load_catalog().material(material)
    elif kind == "facility" and not store.view().entity_exists(target, "facility"):
        notes.append(
            f"no facility {target!r} in the store yet: the item is kept by id and its answer "
            "is 'unknown' until a facility record with that id appears"
        )
    return notes


def add_watch(
    store: Store,
    kind: str,
    target: str,
    *,
    material: str | None = None,
    stage: str | None = None,
    countries: Sequence[str] | None = None,
    rule: str | None = None,
    on_date: dt.date | None = None,
    note: str | None = None,
) -> WatchAdded:
    """Add a watch item for the acting user (and organisation)."""
    if kind not in WATCH_KINDS:
        raise BadInputError(f"unknown watch kind {kind!r}; one of {', '.join(WATCH_KINDS)}")
    if kind == "product" and not rule:
        raise BadInputError("a product watch needs a rule (e.g. dfars-252.225-7052)")
    if rule and kind == "product":
        from derisk.services.certify import get_rule

        get_rule(rule)
    if rule and kind == "entity":
        from derisk.rules.ownership import RULE_IDS

        if rule not in RULE_IDS:
            raise BadInputError(f"unknown screening rule {rule!r}; one of {', '.join(RULE_IDS)}")
    if kind == "material" and stage:
        load_catalog().material(target).stage(stage)
    notes = _check_target(store, kind, target, material)
    who = acting(store)
    cs = ",".join(c.strip().upper() for c in countries if c.strip()) if countries else None
    key = json.dumps([who.label, kind, target, material, stage, cs, rule, str(on_date)])
    wid = "w-" + hashlib.sha1(key.encode()).hexdigest()[:10]
    if any(w.watch_id == wid for w in _live_watch(store)):
        raise BadInputError(f"already watched as {wid}")
    item = WatchItem(
        wid,
        who.user_id,
        kind,
        target,
        _now(),
        who.org_id,
        material,
        stage,
        cs,
        rule,
        on_date,
        None,
        note,
    )
    with _monitor_writer(store, who.org_id, who) as w:
        retire_rows(store, "watch_item", [wid])  # an earlier removal record of the same item
        w.add([item])
    return WatchAdded(added=_watch_json(item), notes=tuple(notes))


def remove_watch(store: Store, watch_id: str) -> WatchRemoved:
    who = acting(store)
    mine = [w for w in _live_watch(store) if w.watch_id == watch_id]
    if not mine or (not who.sees_everything and mine[0].owner != who.user_id):
        raise NotFound(f"no watch item {watch_id!r} of yours; `derisk monitor watch list`")
    gone = dataclasses.replace(mine[0], removed_at=_now())
    with _monitor_writer(store, mine[0].org_id, who) as w:
        retire_rows(store, "watch_item", [watch_id])
        w.add([dataclasses.replace(gone, watch_id=watch_id)])
    return WatchRemoved(removed=_watch_json(gone))


def list_watch(view: View) -> Watchlist:
    """The watch items of the user the view reads for (every visible one for the local
    operator and admins)."""
    who = acting(view)
    items = _live_watch(view, None if who.sees_everything else who.user_id)
    answers = latest_answers(view, [w.watch_id for w in items])
    out = []
    for w in items:
        a = answers.get(w.watch_id)
        out.append(
            WatchListed(
                **fields_of(_watch_json(w)),
                answer=None
                if a is None
                else WatchAnswerInfo(value=a.value, text=a.text, as_of=a.as_of.isoformat()),
            )
        )
    return Watchlist(items_=tuple(out))


def latest_answers(
    source: Store | View, ids: Sequence[str] | None = None
) -> dict[str, WatchAnswer]:
    view = source if isinstance(source, View) else source.view()
    return {a.watch_id: a for a in view.latest_answers(ids)}


# -- answers ------------------------------------------------------------------------------------


@dataclass
class Answer:
    value: str
    text: str
    as_of: dt.date
    reasons: Sequence[AlertReason] = field(default_factory=list)
    sources: Sequence[AlertSource] = field(default_factory=list)
    deps: set[str] = field(default_factory=set)
    number: float | None = None
    next_change: dt.date | None = None
    subject: str = ""


_SOURCE_KEYS = ("source_id", "publisher", "title", "url", "published", "quote", "confidence")


def _src(s: Mapping[str, object]) -> AlertSource:
    """The keys of a result's cited source that an alert keeps (those it has)."""
    return cast(AlertSource, {k: s.get(k) for k in _SOURCE_KEYS if k in s})


def _names(view: View, ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return view.entity_names(ids)


def _upstream_entities(view: View, eid: str) -> set[str]:
    return view.upstream_owners(eid)


def _rule_pack_hash() -> str:
    h = hashlib.sha256()
    for pkg in ("derisk.rules",):
        root = resources.files(pkg)
        stack = [root]
        while stack:
            node = stack.pop()
            for child in sorted(node.iterdir(), key=lambda c: c.name):
                if child.is_dir():
                    stack.append(child)
                elif child.name.endswith((".yaml", ".yml")):
                    h.update(child.name.encode())
                    h.update(child.read_bytes())
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def _next_rule_change(rule_id: str, after: dt.date) -> dt.date | None:
    from derisk.services.certify import get_rule

    rule = get_rule(rule_id)
    starts = [v.effective_from for v in rule.versions if v.effective_from is not None]
    later = sorted(d for d in starts if d is not None and d > after)
    return later[0] if later else None


def answer_product(view: View, w: WatchItem) -> Answer:
    today = view.as_of
    from derisk.services.certify import certify

    when = w.on_date or today
    rule = w.rule_id or ""
    cert = certify(view.at(when), w.target, rule)
    verdict = str(cert["verdict"])
    reasons: list[AlertReason] = []
    if cert.get("reason"):
        reasons.append({"text": str(cert["reason"])})
    found = [f for f in cert.get("findings", []) if f.get("in_rule_countries") and f.get("share")]
    found.sort(key=lambda f: (f.get("basis") != "traced", -float(f["share"])))
    for f in found:
        who = f.get("operator_name") or f.get("entity_name")
        where = f.get("country_name") or f.get("country")
        via = f" through {who}" if who and f.get("basis") == "traced" else ""
        reasons.append(
            {
                "text": f"{f['stage']} of {f['material']} in {where}{via} "
                f"({100 * float(f['share']):.1f}%, {f['basis']})",
                "entity": f.get("entity"),
                "sources": [_src(s) for s in f.get("sources", [])],
            }
        )
    deps = {f"product:{w.target}", f"rule:{rule}"}
    deps.update(d.key for d in view.product_dependencies([w.target]))
    return Answer(
        value=verdict,
        text=f"{w.target} under {cert['rule']} on {when}: {verdict}",
        as_of=when,
        reasons=reasons[:8],
        sources=[_src(s) for s in cert.get("sources", [])][:20],
        deps=deps,
        next_change=None if w.on_date else _next_rule_change(rule, when),
        subject=f"{w.target} under {cert['rule']}",
    )


def answer_entity(view: View, w: WatchItem) -> Answer:
    today = view.as_of
    from derisk.services.screening import screen

    rule = w.rule_id or "feoc"
    res = screen(view, w.target, rule=rule)
    verdict = str(res["verdict"])
    names = _names(view, [w.target])
    reasons: list[AlertReason] = []
    for t in res.get("tests", []):
        if t.get("result") not in ("flagged", "indeterminate"):
            continue
        text = str(t["test"])
        if t.get("value") is not None:
            text += f": {100 * float(t['value']):.4g}%"
            if t.get("threshold") is not None:
                text += f" (threshold {100 * float(t['threshold']):.4g}%)"
        for p in t.get("paths", [])[:3]:
            chain = " → ".join(p.get("names", []))
            pcts = ", ".join(f"{s['percent']:.4g}%" for s in p.get("stakes", []))
            reasons.append(
                {
                    "text": f"{text} via {chain} ({pcts})",
                    "facts": [s["fact_id"] for s in p.get("stakes", [])],
                    "source_ids": [s["source_id"] for s in p.get("stakes", [])],
                }
            )
        if not t.get("paths"):
            reasons.append({"text": text})
    deps = {f"entity:{e}" for e in _upstream_entities(view, w.target)}
    label = names.get(w.target, w.target)
    return Answer(
        value=verdict,
        text=f"{label} under {rule.upper()}: {verdict}",
        as_of=today,
        reasons=reasons[:8],
        sources=[_src(s) for s in res.get("sources", [])][:20],
        deps=deps,
        subject=f"{label} ({rule.upper()})",
    )


def _countries(w: WatchItem) -> tuple[str, ...]:
    return tuple(w.countries.split(",")) if w.countries else ("CHN",)


def _share_value(x: float | None) -> str:
    return "unknown" if x is None else f"{100 * x:.1f}%"


def answer_material(view: View, w: WatchItem) -> Answer:
    today = view.as_of
    from derisk.services.exposure import exposure

    sel = _countries(w)
    res = exposure(view, w.target, w.stage_id, selected=sel)
    share = res.get("selected_share")
    label = f"{'+'.join(sel)}-origin share of {w.target} ({res.get('stage')})"
    return Answer(
        value=_share_value(share),
        text=f"{label}: {_share_value(share)} ({res.get('year')})",
        as_of=today,
        reasons=[{"text": f"{res.get('data_status')}; top country {res.get('top_country')}"}],
        sources=[_src(s) for s in res.get("sources", [])][:20],
        deps={f"material:{w.target}"},
        number=None if share is None else float(share),
        subject=label,
    )


def _source_rows(view: View, ids: Iterable[str | None]) -> list[AlertSource]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return []
    rows = sorted(view.sources_by_id(ids), key=lambda s: s.source_id)
    return [
        {
            "source_id": s.source_id,
            "publisher": s.publisher,
            "title": s.title,
            "url": s.url,
            "published": str(s.published) if s.published is not None else None,
            "quote": s.quote,
            "confidence": s.confidence,
        }
        for s in rows
    ]


def answer_importer(view: View, w: WatchItem) -> Answer:
    today = view.as_of
    """The selected countries' share of the importer's imports of a material: the import-source
    category of the watched stage (or the all-forms one), as the importer's statistics give it."""
    from derisk.services.exposure import importer_exposure

    sel = _countries(w)
    mat = w.material_id or ""
    res = importer_exposure(view, w.target, mat, sel, stage=w.stage_id)
    cats = [c for c in res.get("categories", []) if c.get("stage") == w.stage_id]
    cat = cats[0] if cats else None
    share = None if cat is None else cat.get("selected_share")
    what = f"{mat} {w.stage_id}" if w.stage_id else mat
    label = f"{w.target}'s {'+'.join(sel)}-origin share of {what} imports"
    reasons: list[AlertReason] = []
    if cat is not None:
        top = ", ".join(f"{x['country']} {100 * x['share']:.0f}%" for x in cat["sources"][:5])
        reasons.append(
            {
                "text": f"{cat['category']} ({cat.get('period')}): {top}",
                "source_ids": [cat.get("source_id")],
            }
        )
    else:
        reasons.append({"text": f"no import-source statistics of {what} for {w.target}"})
    return Answer(
        value=_share_value(share),
        text=f"{label}: {_share_value(share)}",
        as_of=today,
        reasons=reasons,
        sources=_source_rows(view, [c.get("source_id") for c in ([cat] if cat else [])]),
        deps={f"material:{mat}", f"country:{w.target}"},
        number=None if share is None else float(share),
        subject=label,
    )


def answer_country(view: View, w: WatchItem) -> Answer:
    today = view.as_of
    rows = view.active_restrictions(w.target)
    reasons: list[AlertReason] = [
        {
            "text": f"{r.issuer} restricts {r.items} to {r.target}"
            + (f" until {r.valid_to}" if r.valid_to else "")
        }
        for r in rows
    ]
    ends = sorted(
        d for r in rows for d in (r.valid_to, r.suspended_until) if d is not None and d >= today
    )
    sources: list[AlertSource] = [
        {
            "source_id": r.source_id,
            "publisher": r.publisher,
            "title": r.title,
            "url": r.url,
            "quote": r.quote,
        }
        for r in rows
        if r.source_id
    ]
    return Answer(
        value=f"{len(rows)} active: " + ", ".join(str(r.fact_id) for r in rows)
        if rows
        else "none active",
        text=f"export restrictions issued by or against {w.target}: {len(rows)}",
        as_of=today,
        reasons=reasons[:12],
        sources=sources[:20],
        deps={f"country:{w.target}"},
        number=float(len(rows)),
        next_change=ends[0] + dt.timedelta(days=1) if ends else None,
        subject=f"export restrictions of {w.target}",
    )


def answer_facility(view: View, w: WatchItem) -> Answer:
    today = view.as_of
    rows = view.cited_entities(w.target, "facility")
    if not rows:
        return Answer(
            value="unknown",
            text=f"facility {w.target}: no record in this store (kept by id)",
            as_of=today,
            deps={f"entity:{w.target}", f"facility:{w.target}"},
            subject=f"facility {w.target}",
        )
    e = rows[0]
    name, country, op, vf, vt = e.name, e.country, e.operator_id, e.valid_from, e.valid_to
    sid, pub, title, url, quote = e.source_id, e.publisher, e.title, e.url, e.quote
    status = "closed" if vt is not None and vt < today else "operating"
    if vf is not None and vf > today:
        status = "planned"
    ops = _names(view, [op]) if op else {}
    return Answer(
        value=f"{status}; operator {op or 'unknown'}; {country or 'country unknown'}",
        text=f"{name}: {status}, operated by {ops.get(op, op) if op else 'unknown'}",
        as_of=today,
        reasons=[{"text": f"{name} in {country}"}],
        sources=[{"source_id": sid, "publisher": pub, "title": title, "url": url, "quote": quote}]
        if sid
        else [],
        deps={f"entity:{w.target}", f"facility:{w.target}"} | ({f"entity:{op}"} if op else set()),
        next_change=next((d for d in (vf, vt) if d is not None and d > today), None),
        subject=name,
    )


ANSWERS: dict[str, Callable[[View, WatchItem], Answer]] = {
    "product": answer_product,
    "entity": answer_entity,
    "material": answer_material,
    "importer": answer_importer,
    "country": answer_country,
    "facility": answer_facility,
}


def compute(view: View, w: WatchItem) -> Answer:
    """The answer of one watch item on the view's date, or an 'error' answer saying why it
    cannot be computed."""
    today = view.as_of
    try:
        return ANSWERS[w.kind](view, w)
    except (NotFound, KeyError, ValueError) as exc:
        msg = str(exc.args[0]) if exc.args else str(exc)
        return Answer(
            value="unavailable",
            text=f"{w.kind} {w.target}: {msg}",
            as_of=w.on_date or today,
            reasons=[{"text": msg}],
            deps={f"{'entity' if w.kind == 'facility' else w.kind}:{w.target}"},
            subject=f"{w.kind} {w.target}",
        )


# -- what changed ----------------------------------------------------------------------------


@dataclass
class Changes:
    keys: set[str] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)
    entries: int = 0
    last_audit: str | None = None


STAT_TABLES = frozenset(
    {
        "production",
        "share",
        "trade",
        "import_source",
        "import_reliance",
        "export_restriction",
        "supply_event",
    }
)
"""Tables whose rows are about a material or a country as a whole (statistics, trade,
restrictions): they give ``material:`` and ``country:`` keys. A row of an entity, a supply
link or a BOM line names a material or country as an attribute and reaches answers through
its entity, facility and product keys instead."""


def _row_keys(table: str, row: Mapping[str, object]) -> set[str]:
    """Fact keys of one changed row.

    >>> sorted(_row_keys("stake", {"owner_id": "a", "owned_id": "b", "percent": 26.0}))
    ['entity:a', 'entity:b']
    >>> sorted(_row_keys("production", {"material_id": "antimony", "country": "CHN"}))
    ['country:CHN', 'material:antimony']
    >>> sorted(_row_keys("entity", {"entity_id": "m", "material_id": "x", "country": "AUS"}))
    ['entity:m']
    """
    keys: set[str] = set()
    for c in ENTITY_COLUMNS:
        v = row.get(c)
        if isinstance(v, str) and v:
            keys.add(f"entity:{v}")
    for c in ("product_id", "component_id"):
        v = row.get(c)
        if isinstance(v, str) and v:
            keys.add(f"product:{v}")
    if table not in STAT_TABLES:
        return keys
    for c in COUNTRY_COLUMNS:
        v = row.get(c)
        if isinstance(v, str) and len(v) == 3:
            keys.add(f"country:{v}")
    v = row.get("material_id")
    if isinstance(v, str) and v:
        keys.add(f"material:{v}")
    return keys


_FACT_TABLES = frozenset(cls.Meta.table for cls in ROW_TYPES if cls.Meta.fact)


def changes_since(store: Store, audit_id: str | None) -> Changes:
    """Fact keys of every change recorded in the audit log after ``audit_id``."""
    ch = Changes()
    for aid, action, table, after, before in store.view().audit_changes_after(audit_id or ""):
        ch.last_audit = str(aid)
        if action == "delete-dataset":
            snap = json.loads(before) if before else {}
            for t, rs in (snap.get("contents") or {}).items():
                for r in rs:
                    ch.keys |= _row_keys(t, r)
            if not snap.get("contents"):
                ch.tables |= set((snap.get("rows") or {}).keys()) & _FACT_TABLES
            ch.entries += 1
            continue
        if action != "insert" or table not in _FACT_TABLES:
            continue
        ch.entries += 1
        data = json.loads(after) if after else None
        if isinstance(data, list):
            for r in data:
                ch.keys |= _row_keys(str(table), r)
        else:
            ch.tables.add(str(table))
    return ch


def expand(store: Store, keys: set[str]) -> set[str]:
    """Widen entity keys to the facilities they are or operate and everything downstream of
    those along supply links (``facility:<id>``), level by level (one scan of the links each)."""
    ents = sorted(k[7:] for k in keys if k.startswith("entity:"))
    out = set(keys)
    if not ents:
        return out
    view = store.view()
    front = sorted(view.entities_or_operated(ents) | set(ents))
    seen = set(front)
    while front:
        front = sorted(view.customers_of(front) - seen)
        seen.update(front)
    out |= {f"facility:{f}" for f in seen}
    return out


def affected_watch(store: Store, keys: set[str], tables: set[str]) -> set[str]:
    """Live watch ids whose last answer used any of ``keys``, or whose kind reads one of
    ``tables`` (a change recorded only as counts)."""
    hit: set[str] = set()
    if keys:
        hit = set(store.view().watch_ids_depending_on(sorted(keys)))
    if tables:
        kinds = [k for k, ts in KIND_TABLES.items() if ts & tables]
        hit |= set(store.view().live_watch_ids(kinds=kinds or [""]))
    return hit


# -- the pass ---------------------------------------------------------------------------------


@contextlib.contextmanager
def org_view(store: Store, org_id: str | None) -> Iterator[Store]:
    """``store`` as ``org_id`` sees it (the local view for the local operator's items)."""
    if org_id is None or not isinstance(store, DuckStore):
        yield store
        return
    who = Principal(f"monitor@{org_id}", Role.VIEWER, org_id, via="monitor")
    with guard.acting_as(who):
        scoped = store.for_request()  # a pooled cursor limited to the organisation's view
    try:
        with guard.acting_as(who):
            yield scoped
    finally:
        scoped.close()


def _direction(before: WatchAnswer, after: Answer) -> str:
    if before.number is not None and after.number is not None:
        d = 100 * (after.number - before.number)
        return f"{'rises' if d > 0 else 'falls'} {abs(d):.1f} points"
    return f"becomes {after.value}"


def _title(w: WatchItem, before: WatchAnswer, after: Answer) -> str:
    if w.kind == "product":
        return f"{after.subject} becomes {after.value} on {after.as_of}"
    if w.kind == "entity":
        rule = (w.rule_id or "feoc").upper()
        return f"{after.subject.rsplit(' (', 1)[0]} is now {rule}-{after.value}"
    if after.number is not None and before.number is not None and w.kind != "country":
        return f"{after.subject} {_direction(before, after)}"
    return f"{after.subject}: {before.value} → {after.value}"


def _severity(w: WatchItem, after: Answer) -> str:
    bad = {"non-compliant", "flagged", "closed"}
    return "high" if after.value in bad else "info"


def _changed(before: WatchAnswer, after: Answer) -> bool:
    if before.number is not None and after.number is not None and before.value != after.value:
        return abs(after.number - before.number) >= SHARE_STEP or before.value in (
            "unknown",
            "unavailable",
        )
    return before.value != after.value


@dataclass
class RunReport:
    computed: int = 0
    baseline: int = 0
    alerts: list[AlertInfo] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))


RESTRICT_MAX = 5_000
"""Up to this many products are recomputed on their upstream supply graph only."""


@contextlib.contextmanager
def upstream_view(store: Store, product_ids: Sequence[str]) -> Iterator[Store]:
    """``store`` with ``supply_link`` cut to the links upstream of the products (and of their
    sub-components): a product's verdict depends on nothing else, so certifying a few products
    reads a few thousand links instead of the whole graph. The cut is taken from the store as
    the caller sees it (an organisation's view stays limited to it)."""
    with _upstream_view(store, product_ids, acting(store)) as view:
        yield view


def batch_products(
    store: Store, ws: Sequence[WatchItem], today: dt.date, old: dict[str, WatchAnswer]
) -> dict[str, Answer]:
    """Answers of product watches from the batch engine
    (:func:`derisk.services.certify.certify_many`), on the upstream graph only when they are
    few. A watch whose verdict changed is answered in full (with reasons and sources)."""
    from derisk.services.certify import certify_many

    groups: dict[tuple[str, dt.date], list[WatchItem]] = defaultdict(list)
    for w in ws:
        if w.kind == "product" and w.rule_id:
            groups[(w.rule_id, w.on_date or today)].append(w)
    out: dict[str, Answer] = {}
    for (rule, when), group in groups.items():
        pids = sorted({w.target for w in group})
        small = len(pids) <= RESTRICT_MAX
        with upstream_view(store, pids) if small else contextlib.nullcontext(store) as view:
            try:
                res = certify_many(view.view(as_of=when), rule, product_ids=pids)
            except (NotFound, KeyError, ValueError):
                continue  # each is answered (or its error explained) one by one
            verdicts = {v["product"]: v["verdict"] for v in res["verdicts"]}
            deps: dict[str, set[str]] = defaultdict(set)
            for dep in view.view().product_dependencies(pids):
                deps[dep.product_id].add(dep.key)
            nxt = _next_rule_change(rule, when)
            for w in group:
                v = verdicts.get(w.target)
                prev = old.get(w.watch_id)
                if v is None:
                    continue
                if prev is not None and prev.value != v:
                    if small:
                        out[w.watch_id] = compute(view.view(as_of=today), w)
                    continue  # answered in full on the whole store
                out[w.watch_id] = Answer(
                    value=v,
                    text=f"{w.target} under {res['rule']} on {when}: {v}",
                    as_of=when,
                    deps=deps[w.target] | {f"product:{w.target}", f"rule:{rule}"},
                    next_change=None if w.on_date else nxt,
                    subject=f"{w.target} under {res['rule']}",
                )
    return out


def evaluate(
    store: Store,
    items: Sequence[WatchItem],
    today: dt.date,
    *,
    why: dict[str, str],
    report: RunReport,
    progress: Progress | None = None,
    full: bool = False,
) -> None:
    """Recompute ``items`` (grouped by organisation, each on its organisation's view), store
    their answers and dependency keys and raise an alert for every changed answer."""
    by_org: dict[str | None, list[WatchItem]] = defaultdict(list)
    for w in items:
        by_org[w.org_id].append(w)
    stamp = _now()
    for org, ws in sorted(by_org.items(), key=lambda kv: kv[0] or ""):
        answers: list[WatchAnswer] = []
        deps: list[WatchDep] = []
        alerts: list[Alert] = []
        with org_view(store, org) as view:
            old = latest_answers(view, [w.watch_id for w in ws])
            quick = batch_products(view, ws, today, old)
            for i, w in enumerate(ws):
                a = quick.get(w.watch_id) or compute(view.view(as_of=today), w)
                report.computed += 1
                report.reasons[why.get(w.watch_id, "changed facts")] += 1
                if progress and len(ws) > 100 and i % 100 == 0:
                    progress(f"{org or 'local'}: {i + 1}/{len(ws)}", i + 1, len(ws))
                prev = old.get(w.watch_id)
                answers.append(
                    WatchAnswer(
                        w.watch_id,
                        stamp,
                        a.value,
                        a.text,
                        json.dumps(a.reasons, default=str),
                        json.dumps(a.sources, default=str),
                        a.as_of,
                        a.number,
                        a.next_change,
                    )
                )
                deps.extend(WatchDep(w.watch_id, k, stamp) for k in sorted(a.deps))
                if prev is None:
                    report.baseline += 1
                    continue
                if not _changed(prev, a):
                    continue
                aid = (
                    "a-" + hashlib.sha1(f"{w.watch_id}|{stamp}|{a.value}".encode()).hexdigest()[:12]
                )
                alert = Alert(
                    aid,
                    w.watch_id,
                    w.owner,
                    w.kind,
                    _title(w, prev, a),
                    prev.value,
                    a.value,
                    json.dumps(a.reasons, default=str),
                    json.dumps(a.sources, default=str),
                    stamp,
                    a.as_of,
                    org,
                    _severity(w, a),
                )
                alerts.append(alert)
        with _monitor_writer(store, org, _SYSTEM) as wr:
            # only the latest answer and index keys are kept
            drop_watch_answers(store, [a.watch_id for a in answers])
            wr.add(answers)
            wr.add(deps)
            wr.add(alerts)
        report.alerts.extend(alert_json(a, "unread") for a in alerts)


def _cursor(store: Store) -> MonitorCursor | None:
    rows = store.rows(MonitorCursor, {"name": "audit"})
    return max(rows, key=lambda c: c.at) if rows else None


def run(
    store: Store,
    *,
    today: dt.date | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> MonitorRun:
    """One monitoring pass over every watch item: recompute the answers that depend on what
    changed since the last pass (or every answer with ``full``) and raise alerts."""
    who = acting(store)
    if not who.sees_everything:
        raise guard.Forbidden("`derisk monitor run` needs the local operator or an admin")
    t0 = dt.datetime.now()
    today = today or _today()
    view = store.view()
    watched = view.live_watch_count()
    cur = _cursor(store)
    rules_hash = _rule_pack_hash()
    ch = changes_since(store, cur.audit_id if cur else None)
    why: dict[str, str] = {}
    if full:
        why = {i: "full recompute" for i in view.live_watch_ids()}
    else:
        for i in view.unanswered_watch_ids():
            why[i] = "new watch item"
        keys = expand(store, ch.keys)
        for i in affected_watch(store, keys, ch.tables):
            why.setdefault(i, "changed facts")
        due = view.watch_ids_due(today)
        if due:
            live = set(view.live_watch_ids(ids=due))
            for i, a in latest_answers(store, due).items():
                if i in live and a.next_change is not None and a.next_change <= today:
                    why.setdefault(i, f"date crossed {a.next_change}")
        if cur is not None and cur.rules_hash != rules_hash:
            for i in view.live_watch_ids(kinds=("product", "entity")):
                why.setdefault(i, "rule packs changed")
    todo = _watch_rows(store, sorted(why))
    report = RunReport()
    evaluate(store, todo, today, why=why, report=report, progress=progress, full=full)
    last = changes_since(store, ch.last_audit or (cur.audit_id if cur else None)).last_audit
    with _monitor_writer(store, None, _SYSTEM) as wr:
        wr.add(
            [
                MonitorCursor(
                    "audit",
                    _now(),
                    last or ch.last_audit or (cur.audit_id if cur else ""),
                    rules_hash,
                )
            ]
        )
    return MonitorRun(
        today=today.isoformat(),
        watched=watched,
        changes=RunChanges(
            audit_entries=ch.entries, keys_=len(ch.keys), tables=tuple(sorted(ch.tables))
        ),
        recomputed=report.computed,
        baseline=report.baseline,
        why=dict(report.reasons),
        seconds=round((dt.datetime.now() - t0).total_seconds(), 3),
        alerts=tuple(report.alerts),
    )


# -- alerts -----------------------------------------------------------------------------------


def alert_json(a: Alert, state: str) -> AlertInfo:
    return AlertInfo(
        alert_id=a.alert_id,
        watch_id=a.watch_id,
        kind=a.kind,
        title=a.title,
        before=a.before,
        after=a.after,
        effective=a.effective.isoformat(),
        severity=a.severity,
        reasons=tuple(json.loads(a.reasons)),
        sources=tuple(json.loads(a.sources)),
        created_at=a.created_at,
        owner=a.owner,
        org=a.org_id,
        state=state,
    )


def _states(source: Store | View) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in sorted(source.rows(AlertState), key=lambda s: s.at):
        out[s.alert_id] = s.state
    return out


def _visible_alerts(source: Store | View) -> list[Alert]:
    who = acting(source)
    rows = source.rows(Alert)
    if not who.sees_everything:
        rows = [a for a in rows if a.owner == who.user_id and a.org_id == who.org_id]
    return sorted(rows, key=lambda a: (a.created_at, a.alert_id), reverse=True)


def list_alerts(view: View, *, state: str = "open", limit: int | None = None) -> Alerts:
    """The alerts of the user the view reads for, newest first. ``state``: ``open`` (not
    acknowledged or muted), ``all``, or one of :data:`ALERT_STATES`."""
    if state not in ("open", "all", *ALERT_STATES):
        raise BadInputError(f"unknown state {state!r}; open, all, {', '.join(ALERT_STATES)}")
    states = _states(view)
    visible = _visible_alerts(view)
    out = []
    for a in visible:
        st = states.get(a.alert_id, "unread")
        if state == "open" and st in ("acknowledged", "muted"):
            continue
        if state not in ("open", "all") and st != state:
            continue
        out.append(alert_json(a, st))
    counts = {s: 0 for s in ALERT_STATES}
    for a in visible:
        counts[states.get(a.alert_id, "unread")] += 1
    return Alerts(state=state, counts=counts, alerts=tuple(out[:limit] if limit else out))


def set_state(store: Store, alert_id: str, state: str) -> AlertStateSet:
    """Mark one of the acting user's alerts ``read``, ``acknowledged``, ``muted`` or ``unread``;
    muting an alert also mutes later alerts of the same watch item."""
    if state not in ALERT_STATES:
        raise BadInputError(f"unknown state {state!r}; one of {', '.join(ALERT_STATES)}")
    who = acting(store)
    found = [a for a in _visible_alerts(store) if a.alert_id.startswith(alert_id)]
    if not found:
        raise NotFound(f"no alert {alert_id!r} of yours; `derisk alerts state all` lists them")
    if len(found) > 1:
        raise BadInputError(f"{alert_id!r} is the start of {len(found)} alert ids; give more of it")
    a = found[0]
    with _monitor_writer(store, a.org_id, who) as w:
        w.add([AlertState(a.alert_id, state, _now(), who.label)])
    return AlertStateSet(alert=alert_json(a, state))


def muted_watches(source: Store | View) -> set[str]:
    states = _states(source)
    return {a.watch_id for a in source.rows(Alert) if states.get(a.alert_id) == "muted"}


def atom(view: View, base_url: str = "http://127.0.0.1:8000") -> str:
    """The alerts of the user the view reads for, as an Atom 1.0 feed."""
    from xml.sax.saxutils import escape

    who = acting(view)
    alerts = list_alerts(view, state="all", limit=200).alerts
    updated = alerts[0]["created_at"] if alerts else "1970-01-01T00:00:00Z"  # stable when empty
    feed_id = f"urn:derisk:alerts:{who.label}"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>derisk alerts for {escape(who.label)}</title>",
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{escape(updated)}</updated>",
        f'<link rel="alternate" href="{escape(base_url)}/alerts"/>',
    ]
    for a in alerts:
        body = [f"{a['before']} → {a['after']}"]
        body += [r.get("text", "") for r in a["reasons"]]
        body += [
            f"source: {s.get('title')} ({s.get('url') or s.get('source_id')})"
            + (f" — “{s['quote']}”" if s.get("quote") else "")
            for s in a["sources"]
        ]
        parts += [
            "<entry>",
            f"<title>{escape(a['title'])}</title>",
            f"<id>urn:derisk:alert:{escape(a['alert_id'])}</id>",
            f"<updated>{escape(a['created_at'])}</updated>",
            f'<link rel="alternate" href="{escape(base_url)}/alerts#{escape(a["alert_id"])}"/>',
            f"<summary>{escape(chr(10).join(body))}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


# -- calendar ---------------------------------------------------------------------------------


def calendar(view: View, *, days: int = 90) -> Calendar:
    """Upcoming rule changes and licence expiries, from the view's date on, that touch the
    watchlist of the user the view reads for."""
    from derisk.services.certify import certify, get_rule

    today = view.as_of
    end = today + dt.timedelta(days=days)
    who = acting(view)
    items = _live_watch(view, None if who.sees_everything else who.user_id)
    events: list[CalendarEvent] = []
    by_rule: dict[str, list[WatchItem]] = defaultdict(list)
    for w in items:
        if w.kind == "product" and w.rule_id and w.on_date is None:
            by_rule[w.rule_id].append(w)
    for rid, ws in sorted(by_rule.items()):
        rule = get_rule(rid)
        for v in rule.versions:
            start = v.effective_from
            if start is None or not today < start <= end:
                continue
            failing: list[RuleChange] = []
            for w in ws:
                try:
                    now_v = certify(view, w.target, rid)["verdict"]
                    then_v = certify(view.at(start), w.target, rid)["verdict"]
                except (NotFound, KeyError, ValueError):
                    continue
                if then_v != now_v:
                    failing.append(RuleChange(product=w.target, now=now_v, then=then_v))
            n_bad = sum(1 for f in failing if f.then == "non-compliant")
            events.append(
                CalendarEvent(
                    date=start.isoformat(),
                    in_days=(start - today).days,
                    kind="rule-change",
                    rule=rid,
                    version=v.version,
                    text=f"in {(start - today).days} days {rid} version {v.version} makes "
                    f"{n_bad} of your {len(ws)} watched product(s) non-compliant",
                    changes=tuple(failing),
                )
            )
    mats = {w.target for w in items if w.kind == "material"}
    mats |= {w.material_id for w in items if w.kind in ("importer",) and w.material_id}
    ctys = {w.target for w in items if w.kind in ("country", "importer")}
    for r in view.restrictions_ending(today, end):
        fid, issuer, target, its, mat = r.fact_id, r.issuer, r.target, r.items, r.material_id
        vt, su, sid = r.valid_to, r.suspended_until, r.source_id
        if mat not in mats and issuer not in ctys and target not in ctys:
            continue
        when = su if su is not None and today <= su <= end else vt
        assert when is not None  # the row was read for one of these dates in the window
        what = "suspension ends" if when == su else "restriction window ends"
        events.append(
            CalendarEvent(
                date=when.isoformat(),
                in_days=(when - today).days,
                kind="licence-expiry",
                fact_id=fid,
                source_id=sid,
                text=f"{issuer}'s {its} {what} for {target} on {when}",
            )
        )
    events.sort(key=lambda e: (e.date, e.kind))
    return Calendar(today=today.isoformat(), days=days, events=tuple(events))


def new_secret() -> str:
    return secrets.token_hex(24)
