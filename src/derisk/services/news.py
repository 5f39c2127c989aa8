"""News services: ingest articles into the review queue; list, show, accept, reject proposals.

Nothing read from the news changes the graph until a proposal is accepted (by a person, or
by ``auto_accept`` when the caller asks for it with a minimum confidence). Accepting writes,
in one transaction: a ``source`` row for the article (publisher, title, URL, date, the
sentence as ``quote``, confidence ``M`` when the extraction confidence is at least 0.75, else
``L``), ``entity`` rows for organisations not yet in the graph, the event's facts (``stake``
for a stake acquisition with a percentage, ``export_restriction``, a facility ``entity``) and
always a ``supply_event`` row, and the ``news_decision`` row that records it.

JSON schemas: ``derisk.news.ingest/1``, ``derisk.news.review/1``, ``derisk.news.proposal/1``,
``derisk.news.decision/1`` (documented in ``docs/news.md``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from derisk.errors import BadInputError
from derisk.model.catalog import load_catalog
from derisk.model.countries import all_countries
from derisk.model.event_fields import (
    OverrideValue,
    PartyField,
    ProposalFields,
    ProposedEntity,
    as_event_fields,
    field_value,
    load_fields,
    load_proposed,
    with_overrides,
)
from derisk.model.facilities import STAGE_UNITS, Facility
from derisk.model.names import slug
from derisk.model.news import (
    EventFields,
    EventJSON,
    LinkJSON,
    MentionJSON,
    NewEntityJSON,
    NewsArticle,
    NewsDecision,
    NewsProposal,
    SupplyEvent,
)
from derisk.model.record import ABSENT
from derisk.model.schema import (
    Confidence,
    Entity,
    EntityKind,
    ExportRestriction,
    Interest,
    Source,
    Stake,
)
from derisk.news.articles import extract, read_paths
from derisk.news.dates import add_period
from derisk.news.events import EVENT_TYPES, KEY_FIELDS
from derisk.news.lexicon import Lexicon
from derisk.news.pipeline import NewEntity, analyze, event_json, propose_entity, proposed_id
from derisk.progress import Progress
from derisk.services.common import NotFound
from derisk.services.results.news import (
    NewsArticleHead,
    NewsArticleMeta,
    NewsDecisionResult,
    NewsFactRef,
    NewsIngest,
    NewsIngestedArticle,
    NewsIngestEvent,
    NewsIngestSummary,
    NewsMention,
    NewsNewEntity,
    NewsProposalDecision,
    NewsProposalDetail,
    NewsProposalListed,
    NewsProposalShow,
    NewsReview,
)
from derisk.store.base import Store
from derisk.store.view import View

INGEST_SCHEMA = "derisk.news.ingest/1"
REVIEW_SCHEMA = "derisk.news.review/1"
PROPOSAL_SCHEMA = "derisk.news.proposal/1"
DECISION_SCHEMA = "derisk.news.decision/1"
NEWS_DATASET = "news"
NEWS_PRECEDENCE = 60

NUMERIC_FIELDS = frozenset({"percent", "amount", "quantity", "capacity"})
DATE_FIELDS = frozenset({"date", "start", "expiry"})
STATUSES = ("pending", "accepted", "rejected", "all")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def lexicon_from_store(store: Store) -> Lexicon:
    """Names to link: the store's entities plus the shipped country and material data."""
    rows = store.view().entities_by_id()
    return Lexicon.build([(e.entity_id, e.kind, e.name, e.aliases) for e in rows])


def _proposal_id(article_id: str, seq: int, ev: EventJSON) -> str:
    key = json.dumps([article_id, seq, ev["type"], ev["fields"], ev["sentence"]], sort_keys=True)
    return "p-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _statuses(view: View) -> dict[str, tuple[str, str]]:
    """proposal id -> (latest decision, when)."""
    out: dict[str, tuple[str, str]] = {}
    for d in view.news_decisions():
        out[d.proposal_id] = (d.decision, d.decided_at)
    return out


# --------------------------------------------------------------------------- ingest
def ingest(
    store: Store,
    paths: Sequence[Path],
    *,
    auto_accept: float | None = None,
    published: dt.date | None = None,
    progress: Progress | None = None,
    now: str | None = None,
) -> NewsIngest:
    """Read articles, extract events and queue them as proposals (one transaction).

    An article already in the store (same canonical URL, or same main text) proposes
    nothing. With ``auto_accept``, proposals at or above that confidence are accepted.
    """
    if auto_accept is not None and not 0.0 <= auto_accept <= 1.0:
        raise BadInputError(f"auto-accept {auto_accept} must be a confidence between 0 and 1")
    stamp = now or _now()
    lexicon = lexicon_from_store(store)
    catalog = load_catalog()
    heads = store.view().article_heads()
    known_ids = {a.article_id for a in heads}
    known_sha = {a.text_sha: a.article_id for a in heads}
    # per article read: its metadata, the duplicate it repeats (or None), its events as
    # (proposal id, extracted event) and the organisations it names that are not in the graph
    read: list[
        tuple[NewsArticleMeta, str | None, list[tuple[str, EventJSON]], tuple[NewsNewEntity, ...]]
    ] = []
    new_articles: list[NewsArticle] = []
    new_props: list[NewsProposal] = []
    for n_read, raw in enumerate(read_paths(paths), 1):
        art = extract(raw)
        if art.published is None and published is not None:
            art = dataclasses.replace(art, published=published)
        sha = hashlib.sha1(art.text.encode("utf-8")).hexdigest()
        meta = _meta(art.article_id, art.url, art.title, art.published, art.site, art.origin)
        if progress:
            progress(art.title or art.origin, n_read)  # articles read so far
        dup = art.article_id if art.article_id in known_ids else known_sha.get(sha)
        if dup is not None:
            read.append((meta, dup, [], ()))
            continue
        analysis = analyze(art, lexicon, catalog)
        events: list[tuple[str, EventJSON]] = []
        for seq, ev in enumerate(analysis.events):
            j = event_json(ev)
            pid = _proposal_id(art.article_id, seq, j)
            links: list[LinkJSON] = [
                {"field": f, "text": m.text, "id_or_null": m.id, "kind": m.kind}
                for f, m in ev.links.items()
            ]
            news_ents = [
                propose_entity(m, ev.sentence, ev.mentions).as_dict()
                for m in ev.links.values()
                if m.id is None
            ]
            new_props.append(
                NewsProposal(
                    pid,
                    art.article_id,
                    seq,
                    ev.type,
                    json.dumps(j["fields"]),
                    json.dumps({"mentions": j["entities"], "links": links}),
                    ev.sentence,
                    ev.confidence,
                    stamp,
                    json.dumps(news_ents),
                )
            )
            events.append((pid, j))
        new_articles.append(
            NewsArticle(
                art.article_id,
                art.text,
                sha,
                stamp,
                art.origin,
                art.url,
                art.title,
                art.published,
                art.site,
            )
        )
        known_ids.add(art.article_id)
        known_sha[sha] = art.article_id
        read.append((meta, None, events, tuple(_new_entity(n) for n in analysis.new_entities)))
    with store.writer(NEWS_DATASET, reviewed=True) as w:
        w.add(new_articles)
        w.add(new_props)
    accepted: set[str] = set()
    if auto_accept is not None:
        for _, _, events, _ in read:
            for pid, j in events:
                if j["confidence"] >= auto_accept:
                    accept(store, pid, decided_by="auto", now=stamp)
                    accepted.add(pid)
    results = tuple(
        NewsIngestedArticle(
            article=meta,
            status="new" if dup is None else "duplicate",
            duplicate_of=ABSENT if dup is None else dup,
            events=tuple(_ingest_event(pid, j, pid in accepted) for pid, j in events),
            new_entities=new_ents,
        )
        for meta, dup, events, new_ents in read
    )
    first = results[0] if results else None
    return NewsIngest(
        schema=INGEST_SCHEMA,
        article=first.article if first else None,
        events=first.events if first else (),
        articles=results,
        summary=NewsIngestSummary(
            read=len(results),
            new_articles=sum(1 for r in results if r.status == "new"),
            duplicates=sum(1 for r in results if r.status == "duplicate"),
            proposals=sum(len(r.events) for r in results),
            auto_accepted=len(accepted),
            auto_accept_min=auto_accept,
        ),
    )


def _meta(
    article_id: str,
    url: str | None,
    title: str | None,
    published: dt.date | None,
    site: str | None,
    origin: str,
) -> NewsArticleMeta:
    return NewsArticleMeta(
        article_id=article_id,
        url=url,
        title=title,
        published=published.isoformat() if published else None,
        site=site,
        origin=origin,
    )


def _new_entity(n: NewEntity) -> NewsNewEntity:
    return NewsNewEntity(
        name=n.name,
        proposed_id=n.proposed_id,
        kind=n.kind,
        country=n.country,
        country_from=n.country_from,
    )


def _ingest_event(pid: str, j: EventJSON, accepted: bool) -> NewsIngestEvent:
    return NewsIngestEvent(
        proposal_id=pid,
        status="accepted" if accepted else "pending",
        type=j["type"],
        fields=MappingProxyType(j["fields"]),
        sentence=j["sentence"],
        confidence=j["confidence"],
        entities=tuple(NewsMention(**m) for m in j["entities"]),
    )


# --------------------------------------------------------------------------- review
def _resolve_id(view: View, ident: str) -> str:
    ids = view.proposal_ids(ident)
    if not ids:
        raise NotFound(f"no proposal {ident!r}; run `derisk review list` to see them")
    if len(ids) > 1 and ids[0] != ident:
        raise BadInputError(f"{ident!r} is the start of {len(ids)} proposal ids; give more of it")
    return ids[0]


def _article_meta(view: View, article_id: str) -> NewsArticleMeta:
    a = view.rows(NewsArticle, {"article_id": article_id})[0]
    return _meta(a.article_id, a.url, a.title, a.published, a.site, a.origin)


def _summary(etype: str, fields: EventFields) -> str:
    keys = KEY_FIELDS[etype]
    extra = [
        k
        for k in (
            "percent",
            "amount",
            "currency",
            "target",
            "duration",
            "expiry",
            "quantity",
            "unit",
            "capacity",
            "date",
        )
        if k in fields and k not in keys
    ]
    return ", ".join(f"{k}={fields[k]}" for k in (*keys, *extra))


def list_proposals(
    view: View, status: str = "pending", event_type: str | None = None
) -> NewsReview:
    """Proposals by status (``pending``, ``accepted``, ``rejected`` or ``all``), newest first."""
    if status not in STATUSES:
        raise BadInputError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise BadInputError(f"unknown event type {event_type!r}; one of {', '.join(EVENT_TYPES)}")
    states = _statuses(view)
    arts = {
        a.article_id: NewsArticleHead(
            title=a.title,
            url=a.url,
            published=a.published.isoformat() if a.published else None,
            site=a.site,
        )
        for a in view.article_heads()
    }
    out = []
    for p in view.proposals():
        pid, aid, etype, fields = p.proposal_id, p.article_id, p.event_type, p.fields
        sentence, conf, created = p.sentence, p.confidence, p.created_at
        st = states.get(pid, ("pending", None))[0]
        if status != "all" and st != status:
            continue
        if event_type is not None and etype != event_type:
            continue
        f: EventFields = json.loads(fields)
        out.append(
            NewsProposalListed(
                proposal_id=pid,
                type=etype,
                status=st,
                confidence=conf,
                summary=_summary(etype, f),
                fields=MappingProxyType(f),
                sentence=sentence,
                article=arts.get(aid),
                created_at=created,
            )
        )
    return NewsReview(schema=REVIEW_SCHEMA, status=status, type=event_type, proposals=tuple(out))


def show(view: View, ident: str) -> NewsProposalShow:
    """One proposal with its article, sentence in context, entities and decisions."""
    pid = _resolve_id(view, ident)
    p = view.rows(NewsProposal, {"proposal_id": pid})[0]
    art = view.rows(NewsArticle, {"article_id": p.article_id})[0]
    decisions = tuple(
        NewsProposalDecision(
            decision=d.decision,
            decided_at=d.decided_at,
            decided_by=d.decided_by,
            source_id=d.source_id,
            facts=tuple(NewsFactRef(**x) for x in json.loads(d.facts)) if d.facts else (),
            note=d.note,
        )
        for d in sorted(view.rows(NewsDecision, {"proposal_id": pid}), key=lambda d: d.decided_at)
    )
    ents = json.loads(p.entities)
    para = next((line for line in art.text.splitlines() if p.sentence in line), p.sentence)
    return NewsProposalShow(
        schema=PROPOSAL_SCHEMA,
        proposal=NewsProposalDetail(
            proposal_id=pid,
            type=p.event_type,
            status=decisions[-1].decision if decisions else "pending",
            confidence=p.confidence,
            fields=MappingProxyType(json.loads(p.fields)),
            sentence=p.sentence,
            paragraph=para,
            # stored JSON of the shapes news ingest wrote; read-only like the record around it
            entities=tuple(cast(MentionJSON, MappingProxyType(x)) for x in ents["mentions"]),
            links=tuple(cast(LinkJSON, MappingProxyType(x)) for x in ents["links"]),
            new_entities=tuple(
                cast(NewEntityJSON, MappingProxyType(x)) for x in json.loads(p.new_entities)
            ),
            article=_article_meta(view, p.article_id),
            created_at=p.created_at,
            decisions=decisions,
        ),
    )


def _parse_overrides(overrides: dict[str, str]) -> dict[str, OverrideValue | None]:
    out: dict[str, OverrideValue | None] = {}
    for k, v in overrides.items():
        if v.strip().lower() in ("", "null", "none"):
            out[k] = None
        elif k in NUMERIC_FIELDS:
            try:
                out[k] = float(v)
            except ValueError:
                raise BadInputError(f"set {k}={v!r}: {k} must be a number") from None
        elif k in DATE_FIELDS:
            try:
                out[k] = dt.date.fromisoformat(v).isoformat()
            except ValueError:
                raise BadInputError(f"set {k}={v!r}: {k} must be a date (YYYY-MM-DD)") from None
        else:
            out[k] = v
    return out


def _date(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) and v else None


_FACILITY_TYPE = {
    "mining": "mine",
    "refining": "refinery",
    "chemical": "refinery",
    "smelting": "refinery",
    "separation": "separation-plant",
    "metal": "metal-plant",
    "component": "component-plant",
}


def _facts_for(
    store: Store,
    pid: str,
    etype: str,
    f: ProposalFields,
    source: Source,
    proposed: list[ProposedEntity] | None = None,
) -> tuple[list[Any], list[str]]:
    """Rows an accepted event writes (entities first), and notes on what it could not write.
    ``proposed``: the new organisations the extractor proposed (kind, country)."""
    new_by_id = {str(n.get("proposed_id")): n for n in proposed or []}
    catalog = load_catalog()
    iso3 = {c[0] for c in all_countries()}
    entity_names = {e.entity_id: e.name for e in store.view().all_entities()}
    rows: list[Any] = []
    notes: list[str] = []
    sid = source.source_id
    when = _date(f.get("date")) or source.published

    def party(field: PartyField) -> str | None:
        v = f.get(field)
        if v is None:
            return None
        v = str(v)
        if v in entity_names or (
            v in iso3 and field in ("issuer", "investor", "exporter", "lender", "grantor")
        ):
            return v
        eid = proposed_id(v)
        if eid not in entity_names:
            prop = new_by_id.get(eid, {})
            kind = EntityKind.GOVERNMENT.value if prop.get("kind") == "government" else None
            rows.append(
                Entity(
                    eid,
                    kind or EntityKind.COMPANY.value,
                    v,
                    sid,
                    country=prop.get("country") if prop.get("country") in iso3 else None,
                    note="proposed from news"
                    + (f" (country: {prop['country_from']})" if prop.get("country_from") else ""),
                )
            )
            entity_names[eid] = v
        return eid

    mat = f.get("material")
    if mat is not None:
        catalog.material(str(mat))  # raises KeyError for an unknown material
    places: tuple[Literal["destination", "location", "target"], ...] = (
        ("destination", "location", "target")
        if etype == "export_restriction"
        else ("destination", "location")
    )
    for k in places:
        v = f.get(k)
        if v is not None and v not in iso3:
            raise BadInputError(f"{k} {v!r} is not an ISO 3166-1 alpha-3 country code")
    ev = SupplyEvent(
        fact_id=f"news-{pid}",
        event_type=etype,
        subject_id="",
        source_id=sid,
        action=f.get("action"),
        material_id=mat,
        stage_id=f.get("stage"),
        percent=f.get("percent"),
        amount=f.get("amount"),
        currency=f.get("currency"),
        quantity=f.get("quantity", f.get("capacity")),
        unit=f.get("unit"),
        term=f.get("term") or f.get("duration"),
        fields=json.dumps(f, sort_keys=True),
        valid_from=when,
    )
    if etype == "stake_acquisition":
        owner, owned = party("acquirer"), party("target")
        assert owner is not None and owned is not None
        pct = f.get("percent")
        if pct is None:
            notes.append("no percentage stated: no stake row written (use --set percent=N)")
        elif not 0 < float(pct) <= 100:
            raise BadInputError(f"percent {pct} must be in (0, 100]")
        else:
            rows.append(
                Stake(
                    f"news-{pid}",
                    owner,
                    owned,
                    Interest.EQUITY.value,
                    float(pct),
                    sid,
                    valid_from=when,
                    note="from reviewed news",
                )
            )
        ev = _with(ev, subject_id=owner, object_id=owned)
    elif etype == "investment":
        ev = _with(ev, subject_id=party("investor") or "", object_id=party("target"))
    elif etype == "offtake":
        ev = _with(ev, subject_id=party("supplier") or "", object_id=party("buyer"))
    elif etype == "loan":
        ev = _with(ev, subject_id=party("lender") or "", object_id=party("borrower"))
    elif etype == "grant":
        ev = _with(ev, subject_id=party("grantor") or "", object_id=party("recipient"))
    elif etype == "first_export":
        ev = _with(ev, subject_id=party("exporter") or "", country=f.get("destination"))
    elif etype == "export_restriction":
        issuer = str(f["issuer"])
        if issuer not in iso3:
            raise BadInputError(f"issuer {issuer!r} is not an ISO 3166-1 alpha-3 country code")
        action = f["action"]
        start = _date(f.get("start")) or when
        expiry = _date(f.get("expiry"))
        if expiry is None and f.get("duration") and start is not None:
            expiry = add_period(start, str(f["duration"]))
        items = catalog.material(str(mat)).name if mat else "unspecified"
        target = f.get("target") or "WLD"
        if action == "imposed":
            er = ExportRestriction(
                f"news-{pid}", issuer, items, target, sid, mat, None, "imposed", start, expiry
            )
        elif action == "suspended":
            er = ExportRestriction(
                f"news-{pid}",
                issuer,
                items,
                target,
                sid,
                mat,
                None,
                "suspended",
                None,
                None,
                suspended_until=expiry,
                note=(
                    f"suspended from {start}"
                    + (f" until {expiry}" if expiry else "")
                    + (f" (announced {when})" if when else "")
                ),
            )
        elif action == "lifted":
            er = ExportRestriction(
                f"news-{pid}",
                issuer,
                items,
                target,
                sid,
                mat,
                None,
                "lifted",
                None,
                start,
                note="restriction lifted",
            )
        elif action == "extended":
            er = ExportRestriction(
                f"news-{pid}",
                issuer,
                items,
                target,
                sid,
                mat,
                None,
                "extended",
                None,
                _date(f.get("expiry")),
                note=f"restriction extended by {f['duration']}" if f.get("duration") else None,
            )
        elif action == "resumed":
            er = ExportRestriction(
                f"news-{pid}", issuer, items, target, sid, mat, None, "resumed", start, expiry
            )
        else:
            raise BadInputError(f"unknown restriction action {action!r}")
        rows.append(er)
        ev = _with(
            ev, subject_id=issuer, country=f.get("target"), valid_from=start, valid_to=expiry
        )
    elif etype == "facility":
        company = party("company")
        assert company is not None
        stage = f.get("stage")
        kind = None
        if mat and stage:
            kind = _FACILITY_TYPE.get(catalog.material(str(mat)).stage(str(stage)).kind)
        loc = f.get("location")
        fid = slug(
            "-".join(str(x) for x in (company, mat or "", stage or "", "facility", loc or "") if x)
        )
        action = f["action"]
        if fid not in entity_names:
            label = " ".join(
                str(x)
                for x in (entity_names.get(company, company), mat or "", stage or "", "facility")
                if x
            )
            rows.append(
                Entity(
                    fid,
                    EntityKind.FACILITY.value,
                    f"{label} ({loc})" if loc else label,
                    sid,
                    country=loc,
                    facility_type=kind,
                    material_id=mat,
                    stage_id=stage,
                    operator_id=company,
                    valid_from=when if action == "opening" else None,
                    valid_to=when if action == "closure" else None,
                    note=f"{action} reported in the news",
                )
            )
            entity_names[fid] = fid
        ev = _with(ev, subject_id=company, object_id=fid, country=loc)
        plant = _facility_row(store, fid, company, f, when, sid, notes)
        if plant is not None:
            rows.append(plant)
    rows.append(ev)
    return rows, notes


_REPORTED_TONNES = {None, "t", "t/yr", "tpa", "tonnes", "tons", "metric tons", "t per year"}


def _facility_row(
    store: Store,
    fid: str,
    company: str,
    f: ProposalFields,
    when: dt.date | None,
    sid: str,
    notes: list[str],
) -> Facility | None:
    """The facility-layer row of an accepted opening or expansion with a capacity (else a note)."""
    mat, stage, loc, cap = f.get("material"), f.get("stage"), f.get("location"), f.get("capacity")
    action = f.get("action")
    if action == "closure":
        notes.append(f"closure of {fid}: set end_year on its facility-layer row, if it has one")
        return None
    if not (mat and stage and loc and cap is not None and (mat, stage) in STAGE_UNITS):
        notes.append("no facility-layer row: material, stage, country and capacity are all needed")
        return None
    unit = str(f.get("unit")) if f.get("unit") is not None else None
    stage_u, table = STAGE_UNITS[(str(mat), str(stage))]
    if unit in table:
        stated = str(unit)
    elif unit in _REPORTED_TONNES:
        stated = stage_u
    else:
        notes.append(f"no facility-layer row: unit {unit!r} cannot be converted to {stage_u}")
        return None
    have = store.view().facility_ids()
    year = when.year if when else dt.date.today().year
    new_id = fid if fid not in have else f"{fid}-{action}-{year}"
    if new_id in have:
        notes.append(f"no facility-layer row: {new_id} is already in the facility layer")
        return None
    future = when is not None and when > dt.date.today()
    return Facility(
        facility_id=new_id,
        name=f"{fid} ({action} reported in the news)",
        country=str(loc),
        material_id=str(mat),
        stage_id=str(stage),
        status="construction" if future else "operating",
        capacity=float(cap),
        unit=stated,
        basis="product",
        source_id=sid,
        operator_id=company,
        start_year=year,
        ramp_years=1,
        parent_id=fid if new_id != fid and fid in have else None,
        note=f"{action} proposed from the news and accepted; capacity as reported"
        + (f" ({unit}, taken as {stage_u})" if stated != unit else ""),
    )


def _with(ev: SupplyEvent, **kw: Any) -> SupplyEvent:
    return SupplyEvent(**{**ev.__dict__, **kw})


def accept(
    store: Store,
    ident: str,
    overrides: dict[str, str] | None = None,
    *,
    decided_by: str = "user",
    now: str | None = None,
) -> NewsDecisionResult:
    """Accept a pending proposal: write its facts with the article as their source."""
    pid = _resolve_id(store.view(), ident)
    state = _statuses(store.view()).get(pid)
    if state is not None:
        raise BadInputError(f"proposal {pid} was already {state[0]} on {state[1]}")
    p = store.rows(NewsProposal, {"proposal_id": pid})[0]
    art = store.rows(NewsArticle, {"article_id": p.article_id})[0]
    fields = with_overrides(load_fields(p.fields), _parse_overrides(overrides or {}))
    for k in KEY_FIELDS[p.event_type]:
        if field_value(fields, k) in (None, ""):
            raise BadInputError(f"proposal {pid} needs {k!r} (set {k}=VALUE when accepting)")
    source = Source(
        source_id=f"news-{pid}",
        publisher=art.site or "unknown publisher",
        title=art.title or art.url or art.origin,
        url=art.url,
        published=art.published,
        quote=p.sentence,
        confidence=(Confidence.MEDIUM if p.confidence >= 0.75 else Confidence.LOW).value,
        precedence=NEWS_PRECEDENCE,
        via="derisk news review",
        note=f"proposal {pid}; extraction confidence {p.confidence:.2f}; decided by {decided_by}",
    )
    rows, notes = _facts_for(
        store, pid, p.event_type, fields, source, load_proposed(p.new_entities)
    )
    facts = tuple(
        NewsFactRef(
            table=type(r).Meta.table,
            id=getattr(r, "fact_id", None)
            or getattr(r, "entity_id", None)
            or getattr(r, "facility_id", None),
        )
        for r in rows
    )
    decision = NewsDecision(
        pid,
        "accepted",
        now or _now(),
        decided_by,
        json.dumps(fields),
        source.source_id,
        json.dumps([f.to_json() for f in facts]),
        "; ".join(notes) or None,
    )
    with store.writer(NEWS_DATASET, reviewed=True) as w:
        w.add([source])
        by_type: dict[type[Any], list[Any]] = {}
        for r in rows:
            by_type.setdefault(type(r), []).append(r)
        for group in by_type.values():
            w.add(group)
        w.add([decision])
    return NewsDecisionResult(
        schema=DECISION_SCHEMA,
        proposal_id=pid,
        decision="accepted",
        source_id=source.source_id,
        fields=MappingProxyType(as_event_fields(fields)),
        facts=facts,
        notes=tuple(notes),
    )


def reject(
    store: Store,
    ident: str,
    reason: str | None = None,
    *,
    decided_by: str = "user",
    now: str | None = None,
) -> NewsDecisionResult:
    """Reject a pending proposal (recorded; the graph does not change)."""
    pid = _resolve_id(store.view(), ident)
    state = _statuses(store.view()).get(pid)
    if state is not None:
        raise BadInputError(f"proposal {pid} was already {state[0]} on {state[1]}")
    with store.writer(NEWS_DATASET, reviewed=True) as w:
        w.add([NewsDecision(pid, "rejected", now or _now(), decided_by, note=reason)])
    return NewsDecisionResult(
        schema=DECISION_SCHEMA,
        proposal_id=pid,
        decision="rejected",
        source_id=None,
        fields=None,
        facts=(),
        notes=(reason,) if reason else (),
    )
