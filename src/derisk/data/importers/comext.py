"""Eurostat Comext bulk files (CN8, monthly) → EU27 import sources (``import_source`` rows).

Eurostat publishes the detailed EU trade data (dataset ``ext_go_detail``) as monthly bulk
archives ``full_v2_YYYYMM.7z``; each holds one comma-separated file ``full_YYYYMM.dat``::

    REPORTER,PARTNER,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA21,PRODUCT_CPA22,
    PRODUCT_BEC,PRODUCT_BEC5,PRODUCT_SECTION,FLOW,STAT_PROCEDURE,SUPPL_UNIT,PERIOD,
    VALUE_EUR,VALUE_NAC,QUANTITY_KG,QUANTITY_SUPPL_UNIT

(``TRADE_TYPE`` ``I`` intra-EU / ``E`` extra-EU; ``FLOW`` 1 import / 2 export; ``PERIOD``
``YYYYMM``; partners as ISO alpha-2 codes). The earlier layout (``DECLARANT,DECLARANT_ISO,
PARTNER,PARTNER_ISO,...,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY``) is read too. Give the
decompressed ``.dat``/``.csv`` files (or ``.gz``/``.zip``); 7-Zip archives must be unpacked
first (no 7z reader ships with derisk).

Only extra-EU imports (``TRADE_TYPE`` ``E``, ``FLOW`` 1) of codes the HS concordance maps to a
material stage are kept. They are summed over the 27 reporters and the months read, per CN
code's HS6 heading, and written as the import sources of the EU as one importer (``EU27``):
one category per HS6 code and year, each partner's share of the value in euros (the weight in
kg is kept in the note). Partner codes that are not countries (Eurostat's confidential or
unspecified partners, e.g. ``QP``-``QZ``) go to ``OTH`` -- unknown, never dropped. Codes
Eurostat masks for confidentiality (``XX`` in ``PRODUCT_NC``) cannot be mapped and are
counted as skipped. Errors name file, row and field; nothing is written on any error.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from derisk.data.concordance import Concordance, load_concordance
from derisk.data.csvio import ImportFailed, Problem
from derisk.data.importers.trade_common import open_member, parse_number
from derisk.data.loader import load_rows
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.schema import OTHER, ImportSource, Source
from derisk.store.base import Store

CURRENT = {
    "reporter": "REPORTER",
    "partner": "PARTNER",
    "trade_type": "TRADE_TYPE",
    "product": "PRODUCT_NC",
    "flow": "FLOW",
    "period": "PERIOD",
    "value": "VALUE_EUR",
    "kg": "QUANTITY_KG",
}
HISTORICAL = {
    "reporter": "DECLARANT_ISO",
    "partner": "PARTNER_ISO",
    "trade_type": "TRADE_TYPE",
    "product": "PRODUCT_NC",
    "flow": "FLOW",
    "period": "PERIOD",
    "value": "VALUE_IN_EUROS",
    "kg": "QUANTITY_IN_KG",
}
IMPORTER = countries.EU27
MAX_PROBLEMS = 200


@dataclass
class ComextImport:
    """What an import read and wrote."""

    source_id: str
    rows_read: int = 0
    rows_kept: int = 0
    written: int = 0
    periods: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _partner(code: str) -> str:
    """ISO alpha-3 of a Comext partner code, or ``OTH`` for a code that is not a country."""
    raw = code.strip().upper()
    if len(raw) != 2 or raw.startswith("Q") or raw in ("XX", "ZZ"):
        return OTHER
    try:
        return countries.resolve(raw)
    except countries.UnknownCountry:
        return OTHER


def _columns(header: list[str]) -> tuple[dict[str, int], dict[str, str]] | None:
    """Column positions and the layout (field -> column name) of a Comext header."""
    names = [h.strip().upper() for h in header]
    for layout in (CURRENT, HISTORICAL):
        if all(c in names for c in layout.values()):
            return {k: names.index(c) for k, c in layout.items()}, layout
    return None


def read_comext(
    paths: Sequence[Path],
    concordance: Concordance,
    report: ComextImport,
    problems: list[Problem],
) -> dict[tuple[str, str, str, str], dict[str, list[float]]]:
    """(hs6, material, stage, year) -> partner -> [value EUR, kg], summed over reporters."""
    agg: dict[tuple[str, str, str, str], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    skipped: dict[str, int] = defaultdict(int)
    periods: set[str] = set()
    for path in paths:
        name = path.name
        if not path.exists():
            problems.append(Problem(name, 0, "-", "file not found"))
            continue
        with open_member(path) as opened:
            reader = csv.reader(opened.text)
            header = next(reader, None)
            found = _columns(header or [])
            if found is None:
                want = ", ".join(CURRENT.values())
                problems.append(
                    Problem(name, 1, "header", f"not a Comext bulk file (need columns {want})")
                )
                continue
            cols, layout = found
            width = len(header or [])
            for lineno, rec in enumerate(reader, start=2):
                report.rows_read += 1
                if len(problems) >= MAX_PROBLEMS:
                    break
                if len(rec) != width:
                    problems.append(
                        Problem(name, lineno, "-", f"{len(rec)} cells, the header has {width}")
                    )
                    continue
                if rec[cols["trade_type"]].strip() != "E" or rec[cols["flow"]].strip() != "1":
                    skipped["intra-EU or export"] += 1
                    continue
                product = rec[cols["product"]].strip()
                if not product.isdigit():
                    skipped["product code masked for confidentiality"] += 1
                    continue
                stages = concordance.lookup(product)
                if not stages:
                    skipped["product not in the concordance"] += 1
                    continue
                period = rec[cols["period"]].strip()
                if len(period) != 6 or not period.isdigit() or not 1 <= int(period[4:]) <= 12:
                    problems.append(
                        Problem(name, lineno, layout["period"], f"{period!r} is not YYYYMM")
                    )
                    continue
                nums: list[float] = []
                for key in ("value", "kg"):
                    raw = rec[cols[key]]
                    try:
                        v = parse_number(raw)
                    except ValueError as exc:
                        problems.append(Problem(name, lineno, layout[key], f"{raw!r}: {exc}"))
                        break
                    nums.append(0.0 if v is None else v)
                else:
                    periods.add(period)
                    partner = _partner(rec[cols["partner"]])
                    for material, stage in stages:
                        cell = agg[(product[:6], material, stage, period[:4])][partner]
                        cell[0] += nums[0]
                        cell[1] += nums[1]
                    report.rows_kept += 1
    report.skipped = dict(skipped)
    report.periods = sorted(periods)
    return agg


def _period_label(year: str, months: list[str]) -> str:
    got = sorted(int(p[4:]) for p in months if p[:4] == year)
    if got == list(range(1, 13)):
        return year
    if len(got) == 1:
        return f"{year}-{got[0]:02d}"
    if got == list(range(got[0], got[-1] + 1)):
        return f"{year}-{got[0]:02d}/{got[-1]:02d}"
    return f"{year} (months {','.join(f'{m:02d}' for m in got)})"


def concordance_stages(
    agg: dict[tuple[str, str, str, str], dict[str, list[float]]], hs6: str, year: str
) -> set[tuple[str, str]]:
    """The material stages one HS6 code was counted under in a year."""
    return {(m, st) for (h, m, st, y) in agg if h == hs6 and y == year}


def import_comext(
    store: Store,
    paths: Sequence[Path],
    *,
    source_id: str | None = None,
    concordance: Concordance | None = None,
) -> ComextImport:
    """Import Comext bulk files as EU27 import sources; atomic (nothing written on error)."""
    t0 = time.perf_counter()
    if not paths:
        raise BadInputError("give at least one Comext file")
    sid = source_id or "eurostat-comext-" + "-".join(sorted(p.name.split(".")[0] for p in paths))[
        :80
    ].lower().replace("_", "-")
    report = ComextImport(sid)
    problems: list[Problem] = []
    agg = read_comext(paths, concordance or load_concordance(), report, problems)
    if problems:
        raise ImportFailed(problems)
    rows: list[ImportSource] = []
    for (hs6, material, stage, year), partners in sorted(agg.items()):
        total = sum(v for v, _ in partners.values())
        if total <= 0:
            continue
        label = _period_label(year, report.periods)
        y = int(year)
        # A confidential or unspecified partner may be any country: every named partner's
        # share is a lower bound, up to its share plus the confidential part.
        hidden = partners[OTHER][0] / total if OTHER in partners else 0.0
        shared = len(concordance_stages(agg, hs6, year)) > 1
        for partner, (value, kg) in sorted(partners.items(), key=lambda kv: -kv[1][0]):
            share = value / total
            bounded = hidden > 0 and partner != OTHER
            rows.append(
                ImportSource(
                    fact_id=f"{sid}:{hs6}:{material}:{stage}:{year}:{partner}",
                    importer=IMPORTER,
                    material_id=material,
                    category=f"HS {hs6} (extra-EU imports, by value)",
                    country=partner,
                    share=round(share, 6),
                    period=label,
                    source_id=sid,
                    stage_id=stage,
                    valid_from=dt.date(y, 1, 1),
                    valid_to=dt.date(y, 12, 31),
                    note=f"{value:,.0f} EUR, {kg:,.0f} kg"
                    + (" (partner confidential or unspecified)" if partner == OTHER else "")
                    + (" ; HS code shared by several materials" if shared else ""),
                    share_low=round(share, 6) if bounded else None,
                    share_high=round(min(1.0, share + hidden), 6) if bounded else None,
                )
            )
    source = Source(
        source_id=sid,
        publisher="Eurostat",
        title="Comext detailed international trade in goods (ext_go_detail), bulk files "
        + ", ".join(p.name for p in paths),
        url="https://ec.europa.eu/eurostat/comext/newxtweb/",
        confidence="H",
        precedence=20,
        licence="Eurostat copyright policy: reuse authorised with acknowledgement",
        note="Extra-EU imports summed over the 27 reporters; shares by value in euros.",
    )
    load_rows(store, {"comext": [source, *rows]}, dataset=sid, origin=sid, replace=True)
    report.written = len(rows)
    report.seconds = time.perf_counter() - t0
    return report
