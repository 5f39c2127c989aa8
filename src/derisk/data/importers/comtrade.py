"""UN Comtrade CSV/TSV files in their published layouts → ``trade`` rows.

Two layouts are recognised from the header (see docs/trade.md for where they are documented):

* **Comtrade Plus** (the current API's CSV, the web download, and the bulk files, which are
  tab-separated and may be gzipped): ``typeCode, freqCode, refPeriodId, refYear, refMonth,
  period, reporterCode, reporterISO, reporterDesc, flowCode, flowDesc, partnerCode, partnerISO,
  …, cmdCode, …, customsCode, mosCode, motCode, …, qtyUnitCode, qty, …, netWgt, …, cifvalue,
  fobvalue, primaryValue, …``. Bulk files carry the codes only (no ISO or description columns).
* **Legacy** (the former comtrade.un.org API and bulk CSV): ``Classification, Year, Period,
  Period Desc., Aggregate Level, Is Leaf Code, Trade Flow Code, Trade Flow, Reporter Code,
  Reporter, Reporter ISO, Partner Code, Partner, Partner ISO, …, Commodity Code, Commodity, Qty
  Unit Code, Qty Unit, Qty, …, Netweight (kg), Gross weight (kg), Trade Value (US$), …``.

Kept: flows M/X/RM/RX (legacy 1/2/4/3); totals only (mode of transport ``0``, customs procedure
``C00``, mode of supply ``0``, second partner ``0`` where the file has those columns, so that
breakdowns are not double counted); commodity codes the concordance maps (all numeric codes with
``all_products``). Quantity is the net weight in kg (or ``qty`` when its unit is kg, code 8);
value is ``primaryValue`` (legacy: ``Trade Value (US$)``).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from derisk.data.concordance import Concordance, load_concordance
from derisk.data.importers.trade_common import (
    Collector,
    SkipRow,
    TradeImport,
    country_from_iso,
    country_from_numeric,
    finish,
    open_member,
    parse_number,
)
from derisk.data.safeio import csv_cells
from derisk.errors import BadInputError
from derisk.model.countries import UnknownCountry
from derisk.model.names import slug
from derisk.model.schema import Source
from derisk.progress import Progress
from derisk.store.base import Store

PLUS_FLOWS = {"M": "import", "X": "export", "RM": "re-import", "RX": "re-export"}
LEGACY_FLOWS = {"1": "import", "2": "export", "4": "re-import", "3": "re-export"}
LEGACY_FLOW_NAMES = {
    "import": "import",
    "export": "export",
    "re-import": "re-import",
    "re-export": "re-export",
}

# canonical field -> accepted header names, per layout (first present wins)
PLUS = {
    "reporter": ["reporterCode"],
    "reporter_iso": ["reporterISO"],
    "partner": ["partnerCode"],
    "partner_iso": ["partnerISO"],
    "flow": ["flowCode"],
    "cmd": ["cmdCode"],
    "year": ["refYear"],
    "month": ["refMonth"],
    "period": ["period"],
    "freq": ["freqCode"],
    "netwgt": ["netWgt"],
    "qty": ["qty"],
    "qty_unit": ["qtyUnitCode"],
    "value": ["primaryValue"],
    "cif": ["cifvalue"],
    "fob": ["fobvalue"],
    "mot": ["motCode"],
    "customs": ["customsCode"],
    "mos": ["mosCode"],
    "partner2": ["partner2Code"],
}
LEGACY = {
    "reporter": ["Reporter Code"],
    "reporter_iso": ["Reporter ISO"],
    "partner": ["Partner Code"],
    "partner_iso": ["Partner ISO"],
    "flow": ["Trade Flow Code"],
    "flow_name": ["Trade Flow"],
    "cmd": ["Commodity Code"],
    "year": ["Year"],
    "period": ["Period"],
    "netwgt": ["Netweight (kg)", "Netweightkg", "NetWeight (kg)"],
    "qty": ["Qty"],
    "qty_unit": ["Qty Unit Code"],
    "value": ["Trade Value (US$)", "TradeValueUS", "Trade Value"],
    "cif": ["CIF Trade Value (US$)", "CIF TradeValue"],
    "fob": ["FOB Trade Value (US$)", "FOB Trade Value"],
    "mot": ["Mode of Transport Code"],
    "customs": ["Customs Proc. Code"],
    "partner2": ["2nd Partner Code"],
}
TOTAL_CODES = {
    "mot": {"", "0", "TOTAL"},
    "customs": {"", "C00"},
    "mos": {"", "0"},
    "partner2": {"", "0"},
}


def _index(header: list[str], spec: dict[str, list[str]]) -> dict[str, int]:
    pos = {h.strip(): i for i, h in enumerate(header)}
    out = {}
    for key, names in spec.items():
        for nm in names:
            if nm in pos:
                out[key] = pos[nm]
                break
    return out


def detect_layout(header: list[str]) -> str | None:
    names = {h.strip() for h in header}
    if "cmdCode" in names:
        return "plus"
    if "Commodity Code" in names:
        return "legacy"
    return None


def _country(cells: list[str], idx: dict[str, int], code_key: str, iso_key: str) -> str | None:
    code = cells[idx[code_key]].strip() if code_key in idx else ""
    if code:
        return country_from_numeric(code)
    iso = cells[idx[iso_key]].strip() if iso_key in idx else ""
    if iso:
        return country_from_iso(iso)
    raise UnknownCountry("empty country code")


def _parse_file(path: Path, col: Collector, progress: Progress | None) -> None:
    with open_member(path) as op, csv_cells(path.name, lambda: op.text.lineno):  # type: ignore[attr-defined]
        first = op.text.readline()
        if not first.strip():
            col.problem(op.label, 1, "-", "empty file")
            return
        delim = "\t" if first.count("\t") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delim))
        header = [h.strip().strip('"') for h in header]
        while header and header[-1] == "":
            header.pop()  # some downloads end each line with a separator
        layout = detect_layout(header)
        if layout is None:
            col.problem(
                op.label,
                1,
                "-",
                "not a UN Comtrade file: expected a cmdCode column (Comtrade Plus API/bulk) "
                "or a 'Commodity Code' column (legacy CSV)",
            )
            return
        spec = PLUS if layout == "plus" else LEGACY
        idx = _index(header, spec)
        need = [("flow", "flowCode / Trade Flow Code"), ("cmd", "cmdCode / Commodity Code")]
        missing = [label for key, label in need if key not in idx]
        if "reporter" not in idx and "reporter_iso" not in idx:
            missing.append("reporterCode / Reporter Code")
        if "partner" not in idx and "partner_iso" not in idx:
            missing.append("partnerCode / Partner Code")
        if "year" not in idx and "period" not in idx:
            missing.append("refYear or period / Year or Period")
        if "netwgt" not in idx and "qty" not in idx and "value" not in idx:
            missing.append("netWgt, qty or primaryValue")
        if missing:
            col.problem(op.label, 1, ", ".join(missing), f"missing column(s) ({layout} layout)")
            return
        ncols = len(header)
        flows = PLUS_FLOWS if layout == "plus" else LEGACY_FLOWS
        reader = csv.reader(op.text, delimiter=delim)
        for lineno, cells in enumerate(reader, start=2):
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            col.read += 1
            if progress and lineno % 20000 == 0:
                progress(f"reading {op.label}", op.done(), op.total)
            while len(cells) > ncols and cells[-1].strip() == "":
                cells.pop()
            if len(cells) != ncols:
                col.problem(op.label, lineno, "-", f"{len(cells)} cells, header has {ncols}")
                continue
            try:
                _row(op.label, lineno, cells, idx, header, layout, flows, col)
            except SkipRow as skip:
                col.skipped[str(skip)] += 1
        if progress:
            progress(f"reading {op.label}", op.total, op.total)


def _row(
    label: str,
    lineno: int,
    cells: list[str],
    idx: dict[str, int],
    header: list[str],
    layout: str,
    flows: dict[str, str],
    col: Collector,
) -> None:
    def cell(key: str) -> str:
        return cells[idx[key]].strip() if key in idx else ""

    for key, ok in TOTAL_CODES.items():
        if key in idx and cell(key) not in ok:
            raise SkipRow("breakdown row (transport mode, customs procedure or 2nd partner)")
    fcode = cell("flow").upper() if layout == "plus" else cell("flow")
    flow = flows.get(fcode)
    if flow is None and layout == "legacy" and not fcode:
        flow = LEGACY_FLOW_NAMES.get(cell("flow_name").lower())
    if flow is None:
        raise SkipRow(f"flow {fcode or '?'} (only M, X, RM, RX are kept)")
    hs = cell("cmd")
    if not hs.isdigit():
        raise SkipRow("aggregate commodity code (TOTAL, AG2, ...)")
    pairs = col.wanted(hs)
    if pairs is None:
        raise SkipRow("commodity not in the concordance")
    try:
        reporter = _country(cells, idx, "reporter", "reporter_iso")
    except UnknownCountry as exc:
        col.problem(
            label, lineno, header[idx.get("reporter", idx.get("reporter_iso", 0))], str(exc)
        )
        return
    try:
        partner = _country(cells, idx, "partner", "partner_iso")
    except UnknownCountry as exc:
        col.problem(label, lineno, header[idx.get("partner", idx.get("partner_iso", 0))], str(exc))
        return
    if reporter is None or partner is None:
        raise SkipRow("country group (EU and similar aggregates)")
    if reporter in ("WLD", "OTH"):
        raise SkipRow("reporter is a world or unspecified area")
    year, month = _period(label, lineno, cell, header, idx, col)
    if year is None:
        return
    nums: dict[str, float | None] = {}
    for key in ("netwgt", "qty", "value", "cif", "fob"):
        if key in idx:
            try:
                nums[key] = parse_number(cells[idx[key]])
            except ValueError as exc:
                col.problem(
                    label,
                    lineno,
                    header[idx[key]],
                    f"{cells[idx[key]]!r} is not a valid quantity or value ({exc})",
                )
                return
    qty = nums.get("netwgt")
    if not qty and cell("qty_unit") == "8":
        qty = nums.get("qty") or qty
    value = nums.get("value")
    if value is None:
        value = nums.get("cif") if flow in ("import", "re-import") else nums.get("fob")
    col.add(
        label,
        lineno,
        reporter=reporter,
        partner=partner,
        flow=flow,
        hs=hs,
        year=year,
        month=month,
        value=value,
        qty=qty,
        pairs=pairs,
    )


def _period(
    label: str,
    lineno: int,
    get: Callable[[str], str],
    header: list[str],
    idx: dict[str, int],
    col: Collector,
) -> tuple[int | None, int | None]:
    period = get("period")
    year_s = get("year")
    freq = get("freq").upper()
    month: int | None = None
    try:
        if len(period) == 6 and period.isdigit() and freq != "A":
            year, month = int(period[:4]), int(period[4:])
        elif year_s:
            year = int(float(year_s))
            m = get("month")
            if freq == "M" and m and m.isdigit() and 1 <= int(m) <= 12:
                month = int(m)
        else:
            year = int(period[:4])
    except (ValueError, OverflowError):  # "1e400" is a float but no year
        field = header[idx["period"]] if "period" in idx else header[idx["year"]]
        col.problem(label, lineno, field, f"period {period or year_s!r} is not YYYY or YYYYMM")
        return None, None
    if not 1900 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        field = header[idx["period"]] if "period" in idx else header[idx["year"]]
        col.problem(label, lineno, field, f"period {period or year_s!r} is out of range")
        return None, None
    return year, month


def import_comtrade(
    store: Store,
    paths: Sequence[Path],
    *,
    source_id: str | None = None,
    dataset: str | None = None,
    title: str | None = None,
    concordance: Concordance | None = None,
    all_products: bool = False,
    progress: Progress | None = None,
) -> TradeImport:
    """Import UN Comtrade files (one source, one dataset); nothing is written on any error."""
    t0 = time.perf_counter()
    if not paths:
        raise BadInputError("give at least one file")
    sid = source_id or "comtrade-" + slug(paths[0].name.split(".")[0], fallback="trade")
    conc = concordance or load_concordance()
    col = Collector(sid, conc, all_products)
    for p in paths:
        if not p.exists():
            col.problem(str(p), 0, "-", "file not found")
            continue
        _parse_file(p, col, progress)
    source = Source(
        source_id=sid,
        publisher="United Nations Statistics Division (UN Comtrade)",
        title=title or f"UN Comtrade extract: {', '.join(p.name for p in paths)}",
        url="https://comtradeplus.un.org/",
        confidence="H",
        precedence=25,
        licence="UN Comtrade terms of use (attribution to UN Comtrade required)",
        note="Reported by national customs; quantities are net weight (kg).",
    )
    return finish(
        store, col, source, dataset=dataset or sid, files=[str(p) for p in paths], started=t0
    )
