"""FollowTheMoney importer: entities of the ``followthemoney`` model, as JSON Lines or an array.

Parsed with the package's own model (``model.get_proxy``), so schema inheritance is honoured:

* ``LegalEntity`` and descendants (``Company``, ``Organization``, ``PublicBody``, ``Person``...)
  -> :class:`Entity` (``PublicBody`` -> government, ``Person`` -> person, others -> company),
  country from ``jurisdiction``, ``country`` or ``mainCountry``;
* ``Ownership`` (``owner``, ``asset``, ``percentage``, ``startDate``, ``endDate``) -> a
  :class:`Stake`, or a :class:`StakeRange` when the percentage is a range such as ``25-50``
  or ``>25``; an ownership without a percentage -> :class:`ControlRight` ``unknown-interest``;
* ``Directorship`` -> :class:`ControlRight` ``board-member``; ``Debt`` with ``amount`` is not a
  share and is counted as skipped. Other schemata are counted as skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

from derisk.data.csvio import ImportFailed, Problem
from derisk.data.importers.bods import slug
from derisk.data.importers.streaming import BatchWriter, iter_json, write_atomic
from derisk.data.loader import LoadReport
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.ownership import ControlRight, StakeRange
from derisk.model.schema import Entity, Source, Stake
from derisk.progress import Progress
from derisk.store.base import Store

RANGE = re.compile(r"^\s*(?:(>=?|<=?)\s*)?([\d.]+)\s*%?\s*(?:[-–to]+\s*([\d.]+)\s*%?)?\s*$")


def parse_percentage(text: str) -> tuple[float, float]:
    """``"25"`` -> (25, 25); ``"25-50%"`` -> (25, 50); ``">75"`` -> (75, 100); ``"<25"`` -> (0, 25).

    >>> parse_percentage("25 - 50%"), parse_percentage(">75"), parse_percentage("12.5")
    ((25.0, 50.0), (75.0, 100.0), (12.5, 12.5))
    """
    m = RANGE.match(text)
    if not m:
        raise BadInputError(f"{text!r} is not a percentage or a range")
    op, a, b = m.group(1), float(m.group(2)), m.group(3)
    if b is not None:
        return a, float(b)
    if op and op.startswith(">"):
        return a, 100.0
    if op and op.startswith("<"):
        return 0.0, a
    return a, a


def _date(v: str | None) -> dt.date | None:
    if not v:
        return None
    try:
        return dt.date.fromisoformat(v[:10]) if len(v) >= 10 else None
    except ValueError:
        return None


def _country(proxy: Any) -> str | None:
    for prop in ("jurisdiction", "country", "mainCountry", "nationality"):
        if proxy.schema.get(prop) is None:
            continue
        v = proxy.first(prop)
        if v:
            try:
                return countries.resolve(str(v).split("-")[0])
            except countries.UnknownCountry:
                continue
    return None


def import_ftm(
    store: Store,
    path: Path,
    *,
    dataset: str = "ftm",
    replace: bool = False,
    prefix: str = "",
    confidence: str = "M",
    progress: Progress | None = None,
) -> LoadReport:
    """Import FollowTheMoney entities (atomic; problems name the record number and property)."""
    from followthemoney import model
    from followthemoney.exc import InvalidData

    t0 = time.perf_counter()
    name = path.name
    source_id = f"ftm-{prefix}{slug(path.stem)}"
    source = Source(source_id, "FollowTheMoney entities", f"FollowTheMoney file {name}",
                    confidence=confidence)  # fmt: skip
    skipped: dict[str, int] = {}

    def rows(bw: BatchWriter, probs: list[Problem]) -> None:
        pending: list[tuple[int, Any]] = []
        seen: set[str] = set()
        for number, data in iter_json(path, progress):
            try:
                proxy = model.get_proxy(data)
            except (InvalidData, TypeError, KeyError, AttributeError) as exc:
                probs.append(Problem(name, number, "schema", f"not a FollowTheMoney entity: {exc}"))
                continue
            if proxy.id is None:
                probs.append(Problem(name, number, "id", "entity has no id"))
                continue
            sch = proxy.schema
            if sch.is_a("LegalEntity"):
                kind = (
                    "person" if sch.is_a("Person")
                    else "government" if sch.is_a("PublicBody") else "company"
                )  # fmt: skip
                names = proxy.get("name")
                eid = prefix + slug(proxy.id)
                seen.add(eid)
                bw.add(
                    Entity(
                        entity_id=eid,
                        kind=kind,
                        name=names[0] if names else proxy.id,
                        source_id=source_id,
                        country=_country(proxy),
                        aliases=" | ".join(names[1:] + proxy.get("alias")) or None,
                        note=f"FollowTheMoney {sch.name} {proxy.id}",
                    )
                )
            elif sch.is_a("Ownership") or sch.is_a("Directorship"):
                pending.append((number, proxy))
            else:
                skipped[sch.name] = skipped.get(sch.name, 0) + 1
        for number, proxy in pending:
            own = proxy.schema.is_a("Ownership")
            a_prop, b_prop = ("owner", "asset") if own else ("director", "organization")
            a, b = proxy.first(a_prop), proxy.first(b_prop)
            bad = False
            for prop, ref in ((a_prop, a), (b_prop, b)):
                if not ref or prefix + slug(str(ref)) not in seen:
                    probs.append(Problem(name, number, prop, f"unknown entity {ref!r}"))
                    bad = True
            if bad:
                continue
            holder, subject = prefix + slug(str(a)), prefix + slug(str(b))
            vf, vt = _date(proxy.first("startDate")), _date(proxy.first("endDate"))
            fid = f"{prefix}{slug(proxy.id)}"
            pct = proxy.first("percentage") if own else None
            if pct:
                try:
                    lo, hi = parse_percentage(pct)
                except ValueError as exc:
                    probs.append(Problem(name, number, "percentage", str(exc)))
                    continue
                if not 0 <= lo <= hi <= 100:
                    probs.append(
                        Problem(name, number, "percentage", f"{pct!r} is not within 0-100")
                    )
                    continue
                if lo == hi:
                    bw.add(Stake(fid, holder, subject, "equity", lo, source_id, vf, vt))
                else:
                    bw.add(StakeRange(fid, holder, subject, "equity", lo, hi, source_id, vf, vt))
            else:
                bw.add(
                    ControlRight(
                        fid,
                        subject,
                        "unknown-interest" if own else "board-member",
                        source_id,
                        holder_id=holder,
                        valid_from=vf,
                        valid_to=vt,
                        note=proxy.first("role") or proxy.schema.name,
                    )
                )

    try:
        rep = write_atomic(
            store, dataset=dataset, origin=str(path), replace=replace, sources=[source],
            rows=rows, started=t0,
        )  # fmt: skip
    except ImportFailed:
        raise
    if skipped:
        rep.rows.update({f"skipped:{k}": v for k, v in skipped.items()})
    return rep
