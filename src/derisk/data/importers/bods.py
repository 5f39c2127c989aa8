"""Beneficial Ownership Data Standard (BODS) 0.4 importer: JSON arrays or JSON Lines.

Mapping (two streaming passes: the first learns each record's versions, the second writes):

* ``entity`` and ``person`` records -> :class:`Entity` (``state`` and ``stateBody`` ->
  ``government``; persons get the first nationality as country). The latest statement of a
  record gives its details; a ``closed`` record ends on its statement date.
* ``relationship`` records, one row per interest and version: a direct interest with a share
  -> :class:`Stake` (``exact``) or :class:`StakeRange` (``minimum``/``maximum``, exclusive
  bounds kept as the bound with a note); ``shareholding`` -> equity, ``votingRights`` ->
  voting, board interests with a share -> board. An ``indirect`` interest ->
  :class:`DeclaredInterest` (never added to the direct stakes: its components are).
  An interest without a share -> :class:`ControlRight` (board member, other influence,
  ``unknown-interest``...). An unspecified interested party (an object with a ``reason``)
  -> :class:`ControlRight` ``unspecified-owner`` with the reason code and description.
* Versions of a relationship follow each other: each applies from its interests' start date
  (or its statement date when the start is not new) until the next version starts; a
  ``closed`` statement ends the previous version on the interests' end date or its statement
  date.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derisk.data.csvio import Problem
from derisk.data.importers.streaming import (
    BatchWriter,
    iter_json,
    write_atomic,
)
from derisk.data.loader import LoadReport
from derisk.model import countries
from derisk.model.names import slug as make_slug
from derisk.model.ownership import ControlRight, DeclaredInterest, StakeRange
from derisk.model.record import JSONObject
from derisk.model.schema import Entity, Source, Stake
from derisk.progress import Progress, part
from derisk.store.base import Store, id_conflict_message

LAYER = {
    "shareholding": "equity",
    "votingRights": "voting",
    "appointmentOfBoard": "board",
    "boardMember": "board",
    "boardChair": "board",
}
RIGHT = {
    "boardMember": "board-member",
    "boardChair": "board-member",
    "appointmentOfBoard": "appoint-board",
    "seniorManagingOfficial": "senior-official",
    "otherInfluenceOrControl": "other-influence-or-control",
}
GOVERNMENT = {"state", "stateBody"}


def slug(text: str) -> str:
    """An id from a BODS or FtM record id (``x`` when nothing of it is left)."""
    return make_slug(text, fallback="x")


def _date(v: Any) -> dt.date | None:
    if not v or not isinstance(v, str):
        return None
    try:
        return dt.date.fromisoformat(v[:10])
    except ValueError:
        return None


def _country(code: Any) -> str | None:
    if not isinstance(code, str) or not code:
        return None
    try:
        return countries.resolve(code.split("-")[0])
    except countries.UnknownCountry:
        return None


@dataclass
class _Version:
    date: dt.date
    number: int
    status: str
    start: dt.date | None
    end: dt.date | None


@dataclass
class _Record:
    kind: str
    versions: list[_Version] = field(default_factory=list)


def import_bods(
    store: Store,
    path: Path,
    *,
    dataset: str = "bods",
    replace: bool = False,
    prefix: str = "",
    confidence: str = "M",
    progress: Progress | None = None,
) -> LoadReport:
    """Import one BODS 0.4 file (atomic; problems name the statement number and field)."""
    t0 = time.perf_counter()
    name = path.name
    records: dict[str, _Record] = {}
    problems: list[Problem] = []
    publishers: dict[str, JSONObject] = {}
    latest_pub: dt.date | None = None
    half = part(progress, 0, 2)  # two passes over the file: each is half of the work

    # pass 1: versions of every record
    for number, st in iter_json(path, half):
        if not isinstance(st, dict):
            problems.append(Problem(name, number, "-", "a statement must be a JSON object"))
            continue
        pub = st.get("publicationDetails") or {}
        version = str(pub.get("bodsVersion", ""))
        if version and not version.startswith("0.4"):
            problems.append(
                Problem(
                    name,
                    number,
                    "publicationDetails.bodsVersion",
                    f"BODS {version} is not supported (0.4 only)",
                )
            )
            continue
        for fld in ("recordId", "recordType", "recordDetails", "statementDate"):
            if not st.get(fld):
                problems.append(Problem(name, number, fld, "required field is missing"))
        if any(p.row == number for p in problems):
            continue
        rid, rtype = str(st["recordId"]), str(st["recordType"])
        if rtype not in ("entity", "person", "relationship"):
            problems.append(Problem(name, number, "recordType", f"unknown record type {rtype!r}"))
            continue
        sdate = _date(st["statementDate"])
        if sdate is None:
            problems.append(Problem(name, number, "statementDate", "not a date"))
            continue
        rec = records.setdefault(rid, _Record(rtype))
        if rec.kind != rtype:
            problems.append(Problem(name, number, "recordType", f"record {rid!r} changes type"))
            continue
        ints = st["recordDetails"].get("interests") or []
        starts = [d for d in (_date(i.get("startDate")) for i in ints) if d]
        ends = [d for d in (_date(i.get("endDate")) for i in ints) if d]
        rec.versions.append(
            _Version(
                sdate,
                number,
                str(st.get("recordStatus", "new")),
                min(starts) if starts else None,
                max(ends) if ends else None,
            )
        )
        publisher = (pub.get("publisher") or {}).get("name")
        if publisher:
            publishers.setdefault(publisher, pub)
        pdate = _date(pub.get("publicationDate"))
        if pdate and (latest_pub is None or pdate > latest_pub):
            latest_pub = pdate
    if problems:
        from derisk.data.csvio import ImportFailed

        raise ImportFailed(problems)

    windows = {rid: _windows(rec.versions) for rid, rec in records.items()}
    ids = {rid: prefix + slug(rid) for rid, rec in records.items() if rec.kind != "relationship"}
    # every dataset counts, visible or not: another organisation's entity is never shadowed
    clash = sorted(
        store.taken_ids("entity", "entity_id", list(ids.values()), dataset if replace else None)
    )
    source_id = f"bods-{prefix}{slug(path.stem)}"
    first: JSONObject = next(iter(publishers.values()), {})
    pub_obj = first.get("publisher") or {}
    source = Source(
        source_id=source_id,
        publisher=", ".join(publishers) or "unknown publisher",
        title=f"BODS 0.4 statements: {name}",
        url=pub_obj.get("url") or pub_obj.get("uri"),
        published=latest_pub,
        confidence=confidence,
        licence=first.get("license"),
        note=f"{len(records)} records imported from {name}",
    )

    def rows(bw: BatchWriter, probs: list[Problem]) -> None:
        for e in clash:
            probs.append(
                Problem(
                    name,
                    0,
                    "recordId",
                    id_conflict_message("entity", "entity_id", [e]) + " (or use --prefix)",
                )
            )
        if clash:
            return
        second = part(progress, 1, 2)
        for number, st in iter_json(path, second):
            rid = str(st["recordId"])
            rec = records[rid]
            win = windows[rid].get(number)
            if rec.kind == "relationship":
                if win is None:
                    continue
                _relationship(st, number, win, ids, source_id, name, bw, probs)
            elif number == rec.versions[-1].number:
                closed = rec.versions[-1].status == "closed"
                bw.add(_entity(st, ids[rid], source_id, closed, rec.versions[-1].date))

    return write_atomic(
        store,
        dataset=dataset,
        origin=str(path),
        replace=replace,
        sources=[source],
        rows=rows,
        started=t0,
    )


def _windows(versions: list[_Version]) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Statement number -> (valid_from, valid_to) for the versions that carry facts."""
    vs = sorted(versions, key=lambda v: (v.date, v.number))
    out: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    prev: tuple[int, dt.date | None] | None = None
    for v in vs:
        if v.status == "closed":
            if prev is not None:
                end = v.end or v.date
                out[prev[0]] = (prev[1], end)
            prev = None
            continue
        if prev is None:
            start = v.start or v.date
        else:
            start = v.start if v.start and prev[1] and v.start > prev[1] else v.date
            if prev[1] is not None and start <= prev[1]:
                start = v.date
            out[prev[0]] = (prev[1], start - dt.timedelta(days=1))
        out[v.number] = (start, v.end)
        prev = (v.number, start)
    return out


def _entity(st: JSONObject, eid: str, source_id: str, closed: bool, date: dt.date) -> Entity:
    d = st["recordDetails"]
    if st["recordType"] == "person":
        names = [n.get("fullName") for n in d.get("names") or [] if n.get("fullName")]
        nats = d.get("nationalities") or []
        kind = "person"
        label = names[0] if names else f"({d.get('personType', 'unknown')} person)"
        aliases = names[1:]
        country = _country(nats[0].get("code")) if nats else None
        note = f"BODS personType {d.get('personType')}"
    else:
        et = (d.get("entityType") or {}).get("type", "registeredEntity")
        kind = "government" if et in GOVERNMENT else "company"
        label = d.get("name") or f"({et})"
        aliases = list(d.get("alternateNames") or [])
        country = _country((d.get("jurisdiction") or {}).get("code"))
        sub = (d.get("entityType") or {}).get("subtype")
        note = f"BODS entityType {et}" + (f" ({sub})" if sub else "")
        if (d.get("publicListing") or {}).get("hasPublicListing"):
            note += "; publicly listed"
    return Entity(
        entity_id=eid,
        kind=kind,
        name=str(label),
        source_id=source_id,
        country=country,
        aliases=" | ".join(str(a) for a in aliases) or None,
        valid_to=date if closed else None,
        note=f"{note}; BODS recordId {st['recordId']}",
    )


def _share(share: JSONObject) -> tuple[float | None, float | None, str | None]:
    if "exact" in share:
        v = float(share["exact"])
        return v, v, None
    lo = share.get("minimum", share.get("exclusiveMinimum"))
    hi = share.get("maximum", share.get("exclusiveMaximum"))
    notes = [k for k in ("exclusiveMinimum", "exclusiveMaximum") if k in share]
    return (
        None if lo is None else float(lo),
        None if hi is None else float(hi),
        ("exclusive bound(s) kept as the bound: " + ", ".join(notes)) if notes else None,
    )


def _relationship(
    st: JSONObject,
    number: int,
    win: tuple[dt.date | None, dt.date | None],
    ids: dict[str, str],
    source_id: str,
    name: str,
    bw: BatchWriter,
    probs: list[Problem],
) -> None:
    d = st["recordDetails"]
    rid = str(st["recordId"])
    subject = d.get("subject")
    if not isinstance(subject, str) or subject not in ids:
        probs.append(
            Problem(
                name,
                number,
                "recordDetails.subject",
                f"relationship {rid!r}: unknown subject record {subject!r}",
            )
        )
        return
    owned = ids[subject]
    party = d.get("interestedParty")
    vf, vt = win
    base = f"{rid}@{number}"
    if isinstance(party, dict):
        bw.add(
            ControlRight(
                fact_id=base,
                subject_id=owned,
                right_type="unspecified-owner",
                source_id=source_id,
                reason=str(party.get("reason")) if party.get("reason") else None,
                valid_from=vf,
                valid_to=vt,
                note=party.get("description"),
            )
        )
        return
    if not isinstance(party, str) or party not in ids:
        probs.append(
            Problem(
                name,
                number,
                "recordDetails.interestedParty",
                f"relationship {rid!r}: unknown interested party {party!r}",
            )
        )
        return
    owner = ids[party]
    via = ", ".join(str(c) for c in d.get("componentRecords") or []) or None
    interests = d.get("interests") or [{}]
    summed: dict[str, float] = {}
    for k, it in enumerate(interests):
        fid = f"{base}#{k}"
        typ = it.get("type") or "unknown"
        start = max(filter(None, [vf, _date(it.get("startDate"))]), default=None)
        end = min(filter(None, [vt, _date(it.get("endDate"))]), default=None)
        if start and end and end < start:
            continue
        share = it.get("share")
        field_ = f"recordDetails.interests[{k}].share"
        lo = hi = None
        note = None
        if isinstance(share, dict) and share:
            try:
                lo, hi, note = _share(share)
            except (TypeError, ValueError):
                probs.append(Problem(name, number, field_, f"share {share!r} is not a number"))
                continue
            for v in (lo, hi):
                if v is not None and not 0 <= v <= 100:
                    probs.append(Problem(name, number, field_, f"{v} is not between 0 and 100"))
                    return
        note = "; ".join(filter(None, [note, f"BODS interest {typ}", it.get("details")]))
        layer = LAYER.get(typ)
        if it.get("directOrIndirect") == "indirect":
            bw.add(
                DeclaredInterest(
                    fact_id=fid,
                    owner_id=owner,
                    owned_id=owned,
                    interest=layer or "equity",
                    source_id=source_id,
                    percent_min=lo,
                    percent_max=hi,
                    via=via,
                    valid_from=start,
                    valid_to=end,
                    note=note,
                )
            )
        elif layer and (lo is not None or hi is not None):
            if lo is not None and lo == hi:
                key = f"{layer}"
                if key in summed:  # two direct holdings of one layer in one version add up
                    continue
                total = sum(
                    float(j["share"]["exact"])
                    for j in interests
                    if LAYER.get(j.get("type") or "") == layer
                    and j.get("directOrIndirect") != "indirect"
                    and isinstance(j.get("share"), dict)
                    and "exact" in j["share"]
                    and _date(j.get("startDate")) == _date(it.get("startDate"))
                )
                summed[key] = total
                bw.add(
                    Stake(fid, owner, owned, layer, min(total, 100.0), source_id, start, end, note)
                )
            else:
                bw.add(
                    StakeRange(
                        fid,
                        owner,
                        owned,
                        layer,
                        0.0 if lo is None else lo,
                        100.0 if hi is None else hi,
                        source_id,
                        start,
                        end,
                        note,
                    )
                )
        else:
            right = RIGHT.get(typ, "unknown-interest" if typ in ("unknown", *LAYER) else
                              "other-influence-or-control")  # fmt: skip
            bw.add(
                ControlRight(
                    fact_id=fid,
                    subject_id=owned,
                    right_type=right,
                    source_id=source_id,
                    holder_id=owner,
                    reason=None,
                    valid_from=start,
                    valid_to=end,
                    note="; ".join(filter(None, [note, f"component of {via}" if via else None])),
                )
            )


__all__ = ["import_bods"]
