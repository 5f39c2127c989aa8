"""CEPII BACI (HS6, annual, reconciled bilateral flows) → ``trade`` rows.

A BACI release is a zip archive of yearly files ``BACI_HS22_Y2022_V202401.csv`` with the
columns ``t,i,j,k,v,q`` (year, exporter, importer, HS6 product, value in thousands of current
USD, quantity in metric tons, ``NA`` when unknown), plus ``country_codes_V202401.csv``
(``country_code,country_name,country_iso2,country_iso3``) and ``product_codes_HS22_V202401.csv``
(``code,description``). Give the archive, or yearly files (with ``--country-codes``).

Each BACI flow ``i → j`` is stored as an export reported by ``i`` (``reporter = i``,
``partner = j``, ``flow = export``) with value in USD and quantity in kg. BACI has already
reconciled importer and exporter reports, so the mirror choice of the origin tracing leaves it
unchanged. Rows are streamed; only products in the concordance (or ``products``) and, when
given, flows touching ``countries`` are kept.
"""

from __future__ import annotations

import csv
import re
import time
import zipfile
from collections.abc import Collection, Sequence
from pathlib import Path

from derisk.data.concordance import Concordance, load_concordance
from derisk.data.importers.trade_common import (
    Collector,
    TradeImport,
    country_from_iso,
    country_from_numeric,
    finish,
    open_member,
    parse_number,
)
from derisk.errors import BadInputError
from derisk.model.countries import UnknownCountry
from derisk.model.names import slug
from derisk.model.schema import Source
from derisk.progress import Progress
from derisk.store.base import Store

HEADER = ["t", "i", "j", "k", "v", "q"]
DATA_MEMBER = re.compile(r"BACI_.*_Y(\d{4})_V.*\.csv$", re.IGNORECASE)
CODES_MEMBER = re.compile(r"country_codes.*\.csv$", re.IGNORECASE)


def read_country_codes(
    text_lines: Sequence[str], label: str, col: Collector
) -> dict[str, str | None]:
    """BACI ``country_code → ISO alpha-3`` (``None`` for groups), from its country table."""
    out: dict[str, str | None] = {}
    reader = csv.DictReader(text_lines)
    fields = reader.fieldnames or []
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in fields), None)
    if "country_code" not in fields or iso_col is None:
        col.problem(
            label,
            1,
            "country_code, country_iso3",
            "not a BACI country table (need country_code and country_iso3)",
        )
        return out
    for lineno, rec in enumerate(reader, start=2):
        code = (rec.get("country_code") or "").strip()
        iso = (rec.get(iso_col) or "").strip()
        try:
            out[str(int(code))] = country_from_iso(iso) if iso else country_from_numeric(code)
        except (UnknownCountry, ValueError):
            try:
                out[str(int(code))] = country_from_numeric(code)
            except (UnknownCountry, ValueError) as exc:
                col.problem(label, lineno, "country_code", str(exc))
    return out


def _members(path: Path) -> tuple[list[tuple[Path, str | None]], list[tuple[Path, str]]]:
    """Data files and country tables in ``path`` (an archive or a plain file)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
        data: list[tuple[Path, str | None]] = [(path, n) for n in names if DATA_MEMBER.search(n)]
        codes = [(path, n) for n in names if CODES_MEMBER.search(n)]
        return data, codes
    return [(path, None)], []


def import_baci(
    store: Store,
    paths: Sequence[Path],
    *,
    country_codes: Path | None = None,
    products: Collection[str] | None = None,
    countries: Collection[str] | None = None,
    years: Collection[int] | None = None,
    source_id: str | None = None,
    dataset: str | None = None,
    title: str | None = None,
    concordance: Concordance | None = None,
    progress: Progress | None = None,
) -> TradeImport:
    """Import BACI files or archives (one source, one dataset); nothing is written on error."""
    t0 = time.perf_counter()
    if not paths:
        raise BadInputError("give at least one file")
    sid = source_id or "baci-" + slug(paths[0].name.split(".")[0], fallback="trade")
    conc = concordance or load_concordance()
    col = Collector(sid, conc, all_products=bool(products))
    prods = tuple(sorted({p.strip() for p in products or () if p.strip()}))
    keep_ctry = {c.upper() for c in countries} if countries else None
    code_map: dict[str, str | None] = {}
    data: list[tuple[Path, str | None]] = []
    for p in paths:
        if not p.exists():
            col.problem(str(p), 0, "-", "file not found")
            continue
        d, codes = _members(p)
        data.extend(d)
        for cp, cmember in codes:
            with open_member(cp, cmember) as op:
                code_map.update(read_country_codes(op.text.readlines(), op.label, col))
    if country_codes is not None:
        if not country_codes.exists():
            col.problem(str(country_codes), 0, "-", "file not found")
        else:
            with open_member(country_codes) as op:
                code_map.update(read_country_codes(op.text.readlines(), op.label, col))
    if not data and not col.problems:
        col.problem(", ".join(map(str, paths)), 0, "-", "no BACI_*_Y<year>_V*.csv data file found")
    cache: dict[str, str | None] = {}

    def country(code: str) -> str | None:
        if code not in cache:
            key = code.strip()
            key = str(int(key)) if key.isdigit() else key
            cache[code] = code_map[key] if key in code_map else country_from_numeric(code)
        return cache[code]

    def wanted(k: str) -> list[tuple[str, str]] | None:
        if prods:
            return conc.lookup(k) if k.startswith(prods) else None
        return col.wanted(k)

    want_cache: dict[str, list[tuple[str, str]] | None] = {}
    for path, member in data:
        if member is not None and years:
            ym = DATA_MEMBER.search(member)
            if ym and int(ym.group(1)) not in years:
                continue
        with open_member(path, member) as op:
            head = [h.strip().strip('"') for h in op.text.readline().strip().split(",")]
            if head != HEADER:
                col.problem(
                    op.label,
                    1,
                    ",".join(head)[:60],
                    "not a BACI file: the header must be t,i,j,k,v,q",
                )
                continue
            for lineno, line in enumerate(op.text, start=2):
                if not line.strip():
                    continue
                col.read += 1
                if progress and lineno % 200000 == 0:
                    progress(f"reading {op.label}", op.done(), op.total)
                cells = line.rstrip("\r\n").split(",")
                if len(cells) != 6:
                    col.problem(op.label, lineno, "-", f"{len(cells)} cells, expected 6")
                    continue
                t, i, j, k, v, q = (c.strip().strip('"') for c in cells)
                k = k.zfill(6)
                if k not in want_cache:
                    want_cache[k] = wanted(k) if k.isdigit() else None
                pairs = want_cache[k]
                if pairs is None:
                    col.skipped["product not selected"] += 1
                    continue
                try:
                    year = int(t)
                except ValueError:
                    col.problem(op.label, lineno, "t", f"{t!r} is not a year")
                    continue
                if years and year not in years:
                    col.skipped["year not selected"] += 1
                    continue
                try:
                    exp, imp = country(i), country(j)
                except (UnknownCountry, ValueError) as exc:
                    col.problem(op.label, lineno, "i/j", str(exc))
                    continue
                if exp is None or imp is None or (exp in ("WLD", "OTH") and imp in ("WLD", "OTH")):
                    col.skipped["country group"] += 1
                    continue
                if exp in ("WLD", "OTH"):
                    col.skipped["unspecified exporter"] += 1
                    continue
                if keep_ctry is not None and exp not in keep_ctry and imp not in keep_ctry:
                    col.skipped["country not selected"] += 1
                    continue
                try:
                    value = parse_number(v)
                except ValueError as exc:
                    col.problem(op.label, lineno, "v", f"{v!r} is not a value ({exc})")
                    continue
                try:
                    tons = parse_number(q)
                except ValueError as exc:
                    col.problem(op.label, lineno, "q", f"{q!r} is not a quantity ({exc})")
                    continue
                col.add(
                    op.label,
                    lineno,
                    reporter=exp,
                    partner=imp,
                    flow="export",
                    hs=k,
                    year=year,
                    month=None,
                    value=None if value is None else value * 1000.0,
                    qty=None if tons is None else tons * 1000.0,
                    pairs=pairs,
                )
            if progress:
                progress(f"reading {op.label}", op.total, op.total)
    source = Source(
        source_id=sid,
        publisher="CEPII",
        title=title or f"BACI bilateral trade flows: {', '.join(p.name for p in paths)}",
        url="http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
        confidence="M",
        precedence=30,
        licence="Etalab Open Licence 2.0 (cite Gaulier & Zignago 2010, CEPII WP 2010-23)",
        note="Reconciled mirror flows (exporter and importer reports); value and weight "
        "converted from thousand USD and metric tons.",
    )
    return finish(
        store, col, source, dataset=dataset or sid, files=[str(p) for p in paths], started=t0
    )
