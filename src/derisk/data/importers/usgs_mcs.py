"""Importer for the USGS Mineral Commodity Summaries (MCS) data-release CSV files.

USGS publishes each MCS edition with a data release on ScienceBase. Three of its CSV layouts
are read here; the layout is recognised from the header:

``data``
    ``MCS<year>_Commodities_Data.csv``, the long table: one row per chapter x section x
    country x statistic x year (columns ``MCS chapter, Section, Commodity, Country,
    Statistics, Statistics_detail, Unit, Year, Value, Notes, Is critical mineral 2025,
    Other notes``). Rows of the world production / capacity / reserves tables become
    :class:`~derisk.model.schema.Production`; "Net import reliance" rows of the salient
    statistics become :class:`~derisk.model.schema.ImportReliance`; "Import Sources" rows
    become :class:`~derisk.model.schema.ImportSource`.
``t7``
    ``MCS<year>_T7_Critical_Minerals_Salient.csv`` (Table 7): per critical mineral the
    world total production, the leading country's production and net import reliance.
``fig3``
    ``MCS<year>_Fig3_Major_Import_Sources.csv`` (Figure 3): U.S. import sources by country.

Cell values keep their meaning: ``W`` (withheld) and ``NA`` (not available) become
quantities of ``None`` with that status, never zero; an em dash (or ``-``, ``--``) is a
reported zero; ``>x`` / ``<x`` keep the bound as the quantity and the printed text in
``raw``. A year written ``2025e`` / ``2025_estimated``, or a note reading "Estimated.",
marks the figure as estimated. Quantities are converted to metric tons (the printed unit
is kept in ``note``).

Rows that cannot be mapped to the catalogue (a chapter or statistic derisk does not model)
are counted and reported as skipped with the reason. Malformed rows (a bad number, an
unknown country, a missing column, a duplicate key) refuse the whole import with
:class:`~derisk.data.csvio.ImportFailed` naming file, row and field; nothing is written.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypedDict

from derisk.data.csvio import ImportFailed, Problem
from derisk.data.loader import load_rows
from derisk.data.usgs_cells import Cell, parse_cell
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.model.names import slug
from derisk.model.schema import (
    OTHER,
    WORLD,
    Confidence,
    ImportReliance,
    ImportSource,
    Measure,
    Production,
    Source,
    Status,
)
from derisk.progress import Progress
from derisk.store.base import Store

DEFAULT_DATASET = "usgs-mcs"
PUBLISHER = "U.S. Geological Survey"
PUBLIC_DOMAIN = "Public domain (U.S. Government work)"
MCS_PAGE = (
    "https://www.usgs.gov/centers/national-minerals-information-center/mineral-commodity-summaries"
)
RELEASES: dict[int, tuple[dt.date, str]] = {
    2026: (
        dt.date(2026, 1, 30),
        "https://www.sciencebase.gov/catalog/item/696a75d5d4be0228872d3bf8",
    ),
}
"""Known editions: publication date and data-release page. Other editions use the MCS page."""

# --------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    name: str
    signature: str
    required: tuple[str, ...]
    title: str


DATA_COLUMNS = (
    "MCS chapter",
    "Section",
    "Commodity",
    "Country",
    "Statistics",
    "Statistics_detail",
    "Unit",
    "Year",
    "Value",
    "Notes",
)
LAYOUTS: tuple[Layout, ...] = (
    Layout("data", "MCS chapter", DATA_COLUMNS, "data release: commodity data (long format)"),
    Layout(
        "t7",
        "Critical_mineral",
        (
            "Source",
            "Year",
            "Units",
            "Critical_mineral",
            "Net_Import_Reliance",
            "Leading_source_country",
            "Leading_country_prod",
            "Leading_source_precent_world",
            "World_total_prod",
            "World_prod_notes",
        ),
        "data release: Table 7, critical minerals salient statistics",
    ),
    Layout(
        "fig3",
        "Commodity",
        ("Source", "Commodity", "Percent"),
        "data release: Figure 3, major import sources",
    ),
)
_FIG3_PERIOD = re.compile(r"^Import_Source_(\d{4})_(\d{2,4})$")

# --------------------------------------------------------------------------------------
# Mapping tables: USGS wording -> catalogue (derisk/model/materials.yaml)
# --------------------------------------------------------------------------------------

DATA_CHAPTERS: dict[str, tuple[str, dict[str, str]]] = {
    "ANTIMONY": ("antimony", {"mine production": "mining", "reserves": "mining"}),
    "BISMUTH": ("bismuth", {"refinery production": "refining"}),
    "CHROMIUM": ("chromium", {"mine production": "mining", "reserves": "mining"}),
    "COBALT": ("cobalt", {"mine production": "mining", "reserves": "mining"}),
    "COPPER": (
        "copper",
        {"mine production": "mining", "refinery production": "refining", "reserves": "mining"},
    ),
    "GALLIUM": ("gallium", {"primary production": "refining", "production capacity": "refining"}),
    "GERMANIUM": ("germanium", {"refinery production": "refining"}),
    "GRAPHITE (NATURAL)": ("graphite", {"mine production": "mining", "reserves": "mining"}),
    "INDIUM": ("indium", {"refinery production": "refining", "refinery capacity": "refining"}),
    "LITHIUM": ("lithium", {"mine production": "mining", "reserves": "mining"}),
    "MAGNESIUM METAL": (
        "magnesium",
        {"primary production": "refining", "production capacity": "refining"},
    ),
    "MANGANESE": ("manganese", {"mine production": "mining", "reserves": "mining"}),
    "MOLYBDENUM": ("molybdenum", {"mine production": "mining", "reserves": "mining"}),
    "NICKEL": ("nickel", {"mine production": "mining", "reserves": "mining"}),
    "NIOBIUM": ("niobium", {"mine production": "mining", "reserves": "mining"}),
    "RARE EARTHS": ("rare-earths", {"mine production": "mining", "reserves": "mining"}),
    "TANTALUM": ("tantalum", {"mine production": "mining", "reserves": "mining"}),
    "TELLURIUM": ("tellurium", {"refinery production": "refining"}),
    "TIN": ("tin", {"mine production": "mining", "reserves": "mining"}),
    "TUNGSTEN": ("tungsten", {"mine production": "mining", "reserves": "mining"}),
    "VANADIUM": ("vanadium", {"mine production": "mining", "reserves": "mining"}),
    "ZINC": ("zinc", {"mine production": "mining", "reserves": "mining"}),
}
"""``MCS chapter`` -> (material, {``Statistics_detail`` without ": rounded", lower case: stage}).

A world-table row whose detail is not listed is skipped (reported), never guessed. Salient
and import-source rows of a listed chapter belong to its material.
"""

MATERIAL_LABELS: dict[str, str] = {
    "antimony": "antimony",
    "bismuth": "bismuth",
    "chromium": "chromium",
    "cobalt": "cobalt",
    "copper": "copper",
    "gallium": "gallium",
    "germanium": "germanium",
    "graphite": "graphite",
    "graphite (natural)": "graphite",
    "indium": "indium",
    "lithium": "lithium",
    "magnesium": "magnesium",
    "magnesium (metal)": "magnesium",
    "magnesium metal": "magnesium",
    "manganese": "manganese",
    "molybdenum": "molybdenum",
    "nickel": "nickel",
    "niobium": "niobium",
    "niobium (columbium)": "niobium",
    "rare earths": "rare-earths",
    "rare earths (compounds and metals)": "rare-earths",
    "silicon": "silicon",
    "tantalum": "tantalum",
    "tellurium": "tellurium",
    "tin": "tin",
    "tungsten": "tungsten",
    "vanadium": "vanadium",
    "zinc": "zinc",
}
"""Commodity labels of Table 7 and Figure 3 (lower case, footnote digits removed) -> material.

A label with a qualifier that is not listed (``Aluminum (bauxite)``) is skipped: the
qualifier may name a form the catalogue does not model.
"""

T7_PRODUCTION_STAGE: dict[str, str] = {
    "antimony": "mining",
    "bismuth": "refining",
    "chromium": "mining",
    "cobalt": "mining",
    "gallium": "refining",
    "germanium": "refining",
    "graphite": "mining",
    "indium": "refining",
    "lithium": "mining",
    "magnesium": "refining",
    "manganese": "mining",
    "molybdenum": "mining",
    "nickel": "mining",
    "niobium": "mining",
    "rare-earths": "mining",
    "tantalum": "mining",
    "tellurium": "refining",
    "tin": "mining",
    "tungsten": "mining",
    "vanadium": "mining",
    "zinc": "mining",
}
"""Material -> the stage of the chapter's world table that Table 7's world production repeats.

Materials whose chapter prints several stages (copper: mine and refinery; silicon) are left
out: their Table 7 production is skipped, their net import reliance is still imported.
"""

UNITS: dict[str, Decimal] = {
    "metric tons": Decimal(1),
    "kilograms": Decimal("0.001"),
    "thousand metric tons": Decimal(1000),
    "million metric tons": Decimal(1_000_000),
}
"""Printed unit (before any comma) -> factor to metric tons."""

STATISTICS_MEASURE = {
    "production": Measure.PRODUCTION.value,
    "capacity": Measure.CAPACITY.value,
    "reserves": Measure.RESERVES.value,
}


# --------------------------------------------------------------------------------------
# Cell parsing
# --------------------------------------------------------------------------------------

_YEAR = re.compile(r"^(\d{4})\s*(e|_estimated|\(e\))?$", re.IGNORECASE)


def parse_value(raw: str) -> Cell:
    """Read one printed USGS value (:func:`derisk.data.usgs_cells.parse_cell`, the one reading
    the bundling script uses too).

    >>> parse_value("1,270").number, parse_value("W").status, parse_value("\u2014").status
    (Decimal('1270'), 'withheld', 'zero')
    >>> c = parse_value(">85,000,000"); (c.bound, c.number)
    ('>', Decimal('85000000'))
    """
    return parse_cell(raw)


def parse_year(raw: str) -> tuple[int, bool]:
    """(year, estimated) from ``2025``, ``2025e`` or ``2025_estimated``.

    >>> parse_year("2025_estimated"), parse_year("2024")
    ((2025, True), (2024, False))
    """
    m = _YEAR.match(raw.strip())
    if not m or not 1900 <= int(m.group(1)) <= 2100:
        raise BadInputError(f"{raw!r} is not a year")
    return int(m.group(1)), m.group(2) is not None


def parse_unit(raw: str) -> tuple[Decimal, str]:
    """(factor to metric tons, the printed unit) for a printed unit such as ``kilograms``.

    >>> parse_unit("kilograms")
    (Decimal('0.001'), 'kilograms')
    """
    base = raw.split(",")[0].strip().lower()
    if base not in UNITS:
        known = ", ".join(UNITS)
        raise BadInputError(f"unit {raw!r} cannot be converted to metric tons (known: {known})")
    return UNITS[base], raw.strip()


def parse_period(first: str, last: str) -> tuple[str, int, int]:
    """Period text and first/last year from ``2021`` and ``24`` (or ``2024``).

    >>> parse_period("2021", "24")
    ('2021-2024', 2021, 2024)
    """
    start = int(first)
    end = int(last) if len(last) == 4 else start - start % 100 + int(last)
    if end < start:
        raise BadInputError(f"period {first}-{last} ends before it starts")
    return f"{start}-{end}", start, end


def is_estimated(notes: str) -> bool:
    """True when one of the note's ``--``-separated parts starts with "Estimated".

    >>> is_estimated("Estimated. -- Excludes U.S. production."), is_estimated("Reported.")
    (True, False)
    """
    return any(p.strip().lower().startswith("estimated") for p in notes.split(" -- "))


def label_key(label: str) -> str:
    """A commodity label as looked up in :data:`MATERIAL_LABELS` (footnote digits removed).

    >>> label_key("Rare earths (compounds and metals)9")
    'rare earths (compounds and metals)'
    """
    return re.sub(r"\s+", " ", re.sub(r"\d+$", "", label.strip())).strip().lower()


def detail_key(detail: str) -> str:
    """A ``Statistics_detail`` as looked up in :data:`DATA_CHAPTERS`.

    >>> detail_key("Mine production: rounded")
    'mine production'
    """
    text = re.sub(r":\s*rounded$", "", detail.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip().lower()


def fraction(pct: Decimal) -> float:
    """A printed percentage as a fraction 0-1.

    >>> fraction(Decimal("74"))
    0.74
    """
    return float(pct / 100)


def _year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _join(*parts: str | None) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text or None


# --------------------------------------------------------------------------------------
# Parsed results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skip:
    file: str
    row: int
    reason: str


@dataclass
class ParsedFile:
    """One file parsed: its layout, the source it defines and its rows (with row numbers)."""

    path: Path
    name: str
    layout: str
    edition: int | None
    source: Source | None
    rows: list[tuple[Any, int, str]] = field(default_factory=list)  # (row, line, field)
    skipped: list[Skip] = field(default_factory=list)
    records: int = 0


class SkipGroup(TypedDict):
    """Skipped rows of one file for one reason: how many, and the first row numbers."""

    file: str
    reason: str
    count: int
    rows: list[int]


@dataclass(frozen=True)
class FileReport:
    file: str
    layout: str
    source_id: str | None
    source_reused: bool
    records: int
    rows: dict[str, int]
    already_present: int
    skipped: int


@dataclass(frozen=True)
class ImportReport:
    dataset: str
    replace: bool
    files: list[FileReport]
    rows: dict[str, int]
    skipped: list[Skip]
    already_present: int
    seconds: float

    def skipped_by_reason(self, examples: int = 5) -> list[SkipGroup]:
        """Skipped rows grouped by file and reason: count and the first row numbers."""
        groups: dict[tuple[str, str], list[int]] = {}
        for s in self.skipped:
            groups.setdefault((s.file, s.reason), []).append(s.row)
        return [
            SkipGroup(file=f, reason=r, count=len(rows), rows=rows[:examples])
            for (f, r), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1])))
        ]


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _read_records(path: Path) -> list[list[str]]:
    """CSV records of a file in UTF-8 (with or without BOM) or Windows-1252 (as USGS ships)."""
    from derisk.data.safeio import InputLimit, csv_cells
    from derisk.model.limits import limits

    cap = limits().csv_line_bytes * 16
    if path.stat().st_size > cap:  # USGS tables are kilobytes: a huge file is not one
        raise InputLimit(
            [Problem(path.name, 0, "-", f"larger than {cap:,} bytes: not a USGS MCS table")]
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    with csv_cells(path.name, lambda: reader.line_num):
        return list(reader)


def detect_layout(header: Sequence[str]) -> tuple[Layout, list[str]]:
    """The layout a header belongs to and the required columns it lacks.

    A layout is recognised by its signature column; without one, the layout sharing the most
    required columns is assumed (so that a damaged header still names what is missing).
    """
    cols = set(header)
    for lay in LAYOUTS:
        if lay.signature in cols and (lay.name != "fig3" or any(map(_FIG3_PERIOD.match, cols))):
            return lay, [c for c in lay.required if c not in cols]
    best = max(LAYOUTS, key=lambda lay: len(cols & set(lay.required)))
    missing = [c for c in best.required if c not in cols]
    if best.name == "fig3" and not any(map(_FIG3_PERIOD.match, cols)):
        missing.append("Import_Source_<year>_<yy>")
    return best, missing


def _edition(name: str, values: Iterable[str], edition: int | None) -> int | None:
    for v in values:
        m = re.search(r"MCS\s*(\d{4})", v, re.IGNORECASE)
        if m:
            return int(m.group(1))
    m = re.search(r"MCS(\d{4})", name, re.IGNORECASE)
    if m:
        return int(m.group(1))
    return edition


def _source(layout: Layout, edition: int, file_name: str) -> Source:
    published, url = RELEASES.get(edition, (None, MCS_PAGE))
    return Source(
        source_id=f"usgs-mcs{edition}-{layout.name}",
        publisher=PUBLISHER,
        title=f"Mineral Commodity Summaries {edition} {layout.title}",
        url=url,
        published=published,
        confidence=Confidence.HIGH.value,
        precedence=10,
        licence=PUBLIC_DOMAIN,
        note=f"Imported from {file_name} by derisk import usgs-mcs.",
    )


def parse_file(
    path: Path, problems: list[Problem], *, edition: int | None = None, display: str | None = None
) -> ParsedFile:
    """Parse one USGS MCS CSV file into rows; problems are appended to ``problems``."""
    name = display or path.name
    out = ParsedFile(path, name, "?", None, None)
    try:
        records = _read_records(path)
    except OSError as exc:
        problems.append(Problem(name, 0, "-", f"cannot read file: {exc.strerror}"))
        return out
    except UnicodeDecodeError as exc:  # neither UTF-8 nor Windows-1252
        byte = exc.object[exc.start]
        msg = f"not UTF-8 or Windows-1252 text (byte 0x{byte:02x})"
        problems.append(Problem(name, 0, "-", msg))
        return out
    if not records:
        problems.append(Problem(name, 1, "-", "empty file"))
        return out
    header = [h.strip() for h in records[0]]
    layout, missing = detect_layout(header)
    out.layout = layout.name
    if missing:
        problems.append(
            Problem(name, 1, ", ".join(missing), f"missing column(s) for USGS MCS {layout.name}")
        )
        return out
    idx = {h: i for i, h in enumerate(header)}
    body = records[1:]
    out.records = len(body)
    src_values = [r[idx["Source"]] for r in body if "Source" in idx and len(r) > idx["Source"]]
    ed = _edition(name, src_values, edition)
    if ed is None:
        problems.append(
            Problem(
                name,
                0,
                "-",
                "cannot tell the MCS edition (no 'Source' column and no MCS<year> in the file "
                "name); pass --edition",
            )
        )
        return out
    out.edition = ed
    out.source = _source(layout, ed, name)
    parser = {"data": _parse_data, "t7": _parse_t7, "fig3": _parse_fig3}[layout.name]
    start = len(problems)
    parser(out, header, body, problems)
    if len(problems) == start:
        _check_duplicates(out, problems)
    return out


class _Row:
    """One record with its line number; ``get`` reads a column, ``fail`` records a problem."""

    def __init__(
        self, file: str, line: int, header: list[str], cells: list[str], problems: list[Problem]
    ) -> None:
        self.file, self.line, self.problems = file, line, problems
        self.values = dict(zip(header, cells, strict=False))
        self.ok = True

    def get(self, col: str) -> str:
        return (self.values.get(col) or "").strip()

    def fail(self, col: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, col, message))
        self.ok = False

    def country(self, col: str) -> str:
        raw = self.get(col)
        low = raw.lower()
        if low.startswith("world total"):  # "World total", "World total (rounded)", ...
            return WORLD
        if low.startswith("other countries"):
            return OTHER
        try:
            return countries.resolve(raw)
        except countries.UnknownCountry:
            self.fail(col, f"unknown country {raw!r}")
            return ""

    def value(self, col: str) -> Cell:
        try:
            return parse_value(self.values.get(col) or "")
        except ValueError as exc:
            self.fail(col, str(exc))
            return Cell(Status.NOT_AVAILABLE.value)

    def year(self, col: str) -> tuple[int, bool]:
        try:
            return parse_year(self.get(col))
        except ValueError as exc:
            self.fail(col, str(exc))
            return 0, False

    def unit(self, col: str) -> tuple[Decimal, str]:
        try:
            return parse_unit(self.get(col))
        except ValueError as exc:
            self.fail(col, str(exc))
            return Decimal(1), ""


def _rows(
    pf: ParsedFile, header: list[str], body: list[list[str]], problems: list[Problem]
) -> Iterable[_Row]:
    for i, cells in enumerate(body):
        line = i + 2
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            more = "more" if len(cells) > len(header) else "fewer"
            problems.append(
                Problem(
                    pf.name,
                    line,
                    "-",
                    f"{more} cells ({len(cells)}) than header columns ({len(header)})",
                )
            )
            continue
        yield _Row(pf.name, line, header, cells, problems)


def _production(
    sid: str,
    material: str,
    stage: str,
    measure: str,
    country: str,
    year: int,
    raw: str,
    cell: Cell,
    estimated: bool,
    factor: Decimal,
    unit_note: str | None,
    note: str | None,
) -> Production:
    """A production row from a parsed cell; a withheld or missing figure stays ``None``."""
    start, end = _year_span(year)
    qty: float | None = None
    status = cell.status
    bound_note = None
    if cell.status == Status.ZERO.value:
        qty = 0.0
    elif cell.number is not None:
        qty = float(cell.number * factor)
        estimated = estimated or cell.status == Status.ESTIMATED.value
        status = Status.ESTIMATED.value if estimated else Status.REPORTED.value
        if cell.bound:
            bound_note = f"printed as a bound ({raw.strip()})"
    elif cell.status == "net-exporter":  # "E" has no meaning in a production table
        status = Status.NOT_AVAILABLE.value
    return Production(
        fact_id=f"{sid}:{material}:{stage}:{measure}:{country}:{year}",
        material_id=material,
        stage_id=stage,
        measure=measure,
        country=country,
        year=year,
        quantity=qty,
        unit="t",
        status=status,
        source_id=sid,
        raw=raw.strip() or None,
        valid_from=start,
        valid_to=end,
        note=_join(unit_note, bound_note, cell.note, note),
    )


def _reliance(sid: str, material: str, year: int, raw: str, cell: Cell) -> ImportReliance:
    """Net import reliance of the United States: the bound for ``>75``, 0 for ``E``."""
    start, end = _year_span(year)
    value: float | None
    if cell.number is not None:
        value = fraction(cell.number)
    elif cell.status == "net-exporter":
        value = 0.0
    else:
        value = None
    return ImportReliance(
        fact_id=f"{sid}:{material}:USA:{year}",
        importer="USA",
        material_id=material,
        year=year,
        source_id=sid,
        value=value,
        raw=raw.strip() or None,
        valid_from=start,
        valid_to=end,
    )


# -- long data file ----------------------------------------------------------------------


def _parse_data(
    pf: ParsedFile, header: list[str], body: list[list[str]], problems: list[Problem]
) -> None:
    assert pf.source is not None
    sid = pf.source.source_id
    pending: list[tuple[Production, int]] = []
    excludes_us: set[tuple[str, str, str, int]] = set()
    nir: dict[tuple[str, int], list[tuple[str, ImportReliance, int]]] = {}
    for r in _rows(pf, header, body, problems):
        chapter = r.get("MCS chapter")
        section = r.get("Section")
        statistic = r.get("Statistics")
        low_section = section.lower()
        if chapter.upper() not in DATA_CHAPTERS:
            pf.skipped.append(Skip(pf.name, r.line, f"chapter {chapter!r} is not in the catalogue"))
            continue
        material, stages = DATA_CHAPTERS[chapter.upper()]
        if low_section.startswith("world"):
            measure = STATISTICS_MEASURE.get(statistic.lower())
            detail = r.get("Statistics_detail")
            stage = stages.get(detail_key(detail or statistic))
            if measure is None or stage is None:
                pf.skipped.append(
                    Skip(
                        pf.name,
                        r.line,
                        f"{chapter}: world table line {statistic!r} / {detail!r} is not mapped "
                        "to a catalogue stage",
                    )
                )
                continue
            country = r.country("Country")
            year, est_year = r.year("Year")
            factor, unit = r.unit("Unit")
            cell = r.value("Value")
            if not r.ok:
                continue
            notes = r.get("Notes")
            unit_note = f"{detail}; USGS unit: {unit}"
            row = _production(
                sid,
                material,
                stage,
                measure,
                country,
                year,
                r.values.get("Value") or "",
                cell,
                est_year or is_estimated(notes),
                factor,
                unit_note,
                notes or None,
            )
            if country == WORLD and "excludes u.s." in notes.lower():
                excludes_us.add((material, stage, measure, year))
            pending.append((row, r.line))
        elif low_section.startswith("salient statistics"):
            if not statistic.lower().startswith("net import reliance"):
                pf.skipped.append(
                    Skip(
                        pf.name,
                        r.line,
                        "salient statistics other than net import reliance are not imported",
                    )
                )
                continue
            importer = r.country("Country")
            year, _ = r.year("Year")
            cell = r.value("Value")
            unit = r.get("Unit").lower()
            if unit not in ("", "percent"):
                r.fail("Unit", f"net import reliance must be in percent, not {unit!r}")
            if r.ok and importer != "USA":
                r.fail("Country", f"net import reliance is of the United States, not {importer}")
            if not r.ok:
                continue
            rel = _reliance(sid, material, year, r.values.get("Value") or "", cell)
            nir.setdefault((material, year), []).append(
                (detail_key(r.get("Statistics_detail")), rel, r.line)
            )
        elif low_section.startswith("import sources"):
            _data_import_source(pf, r, sid, material)
        else:
            pf.skipped.append(Skip(pf.name, r.line, f"section {section!r} is not imported"))
    for row, line in pending:
        if row.country == "USA" and (
            (row.material_id, row.stage_id, row.measure, row.year) in excludes_us
        ):
            row = dataclasses.replace(row, in_world_total=False)
        pf.rows.append((row, line, "Country"))
    for (material, _year), cands in nir.items():
        details = {d for d, _, _ in cands}
        if len(details) == 1:
            pf.rows.extend((rel, line, "Statistics_detail") for _, rel, line in cands)
            continue
        totals = [c for c in cands if "total" in c[0]]
        if len({d for d, _, _ in totals}) == 1:
            pf.rows.extend((rel, line, "Statistics_detail") for _, rel, line in totals)
            chosen = totals[0][0]
            for d, _, line in cands:
                if d != chosen:
                    pf.skipped.append(
                        Skip(pf.name, line, f"{material}: net import reliance of a part, not total")
                    )
            continue
        for _, _, line in cands:
            pf.skipped.append(
                Skip(
                    pf.name,
                    line,
                    f"{material}: several net import reliance lines and none is a total",
                )
            )


def _data_import_source(pf: ParsedFile, r: _Row, sid: str, material: str) -> None:
    printed = r.get("Country")
    if printed.lower() in ("total", "world total"):
        pf.skipped.append(Skip(pf.name, r.line, "import sources: total lines are not imported"))
        return
    country = r.country("Country")
    period_raw = r.get("Year")
    m = re.match(r"^(\d{4})\s*[\u2013\u2014-]\s*(\d{2}|\d{4})$", period_raw)
    period: tuple[str, int, int] | None = None
    if m:
        try:
            period = parse_period(m.group(1), m.group(2))
        except ValueError as exc:
            r.fail("Year", str(exc))
    elif re.match(r"^\d{4}$", period_raw):
        period = (period_raw, int(period_raw), int(period_raw))
    else:
        r.fail("Year", f"{period_raw!r} is not a year or a period such as 2021\u201324")
    cell = r.value("Value")
    if r.ok and cell.number is None:
        r.fail("Value", f"an import share must be a number, not {r.get('Value')!r}")
    if not r.ok or period is None or cell.number is None:
        return
    share = fraction(cell.number)
    if not 0.0 <= share <= 1.0:
        r.fail("Value", f"{r.get('Value')}% is not a percentage between 0 and 100")
        return
    category = r.get("Statistics_detail") or "all forms"
    text, first, last = period
    pf.rows.append(
        (
            ImportSource(
                fact_id=f"{sid}:{material}:{slug(category)}:{country}",
                importer="USA",
                material_id=material,
                category=category,
                country=country,
                share=share,
                period=text,
                source_id=sid,
                valid_from=dt.date(first, 1, 1),
                valid_to=dt.date(last, 12, 31),
            ),
            r.line,
            "Country",
        )
    )


# -- Table 7 ---------------------------------------------------------------------------------


def _parse_t7(
    pf: ParsedFile, header: list[str], body: list[list[str]], problems: list[Problem]
) -> None:
    assert pf.source is not None
    sid = pf.source.source_id
    for r in _rows(pf, header, body, problems):
        label = r.get("Critical_mineral")
        material = MATERIAL_LABELS.get(label_key(label))
        if material is None:
            pf.skipped.append(
                Skip(pf.name, r.line, f"{label_key(label)!r} is not in the catalogue")
            )
            continue
        year, est_year = r.year("Year")
        nir_raw = r.values.get("Net_Import_Reliance") or ""
        nir = r.value("Net_Import_Reliance")
        stage = T7_PRODUCTION_STAGE.get(material)
        rows: list[Any] = []
        if stage is not None:
            factor, unit = r.unit("Units")
            leader = r.country("Leading_source_country") if r.get("Leading_source_country") else ""
            lead = r.value("Leading_country_prod")
            world = r.value("World_total_prod")
            pct = r.get("Leading_source_precent_world")
            if pct:
                try:
                    parse_value(pct)
                except ValueError as exc:
                    r.fail("Leading_source_precent_world", str(exc))
            if not r.ok:
                continue
            world_notes = r.get("World_prod_notes")
            unit_note = f"USGS unit: {unit}"
            if leader:
                row = _production(
                    sid,
                    material,
                    stage,
                    Measure.PRODUCTION.value,
                    leader,
                    year,
                    r.values.get("Leading_country_prod") or "",
                    lead,
                    est_year,
                    factor,
                    unit_note,
                    f"leading country; {pct}% of world production as printed" if pct else None,
                )
                if leader == "USA" and "excludes u.s." in world_notes.lower():
                    row = dataclasses.replace(row, in_world_total=False)
                rows.append((row, "Leading_source_country"))
            rows.append(
                (
                    _production(
                        sid,
                        material,
                        stage,
                        Measure.PRODUCTION.value,
                        WORLD,
                        year,
                        r.values.get("World_total_prod") or "",
                        world,
                        est_year,
                        factor,
                        unit_note,
                        world_notes or None,
                    ),
                    "World_total_prod",
                )
            )
        else:
            pf.skipped.append(
                Skip(
                    pf.name,
                    r.line,
                    f"{material}: which stage Table 7's world production refers to is not mapped",
                )
            )
        if not r.ok:
            continue
        if nir_raw.strip():
            rows.append((_reliance(sid, material, year, nir_raw, nir), "Net_Import_Reliance"))
        pf.rows.extend((row, r.line, col) for row, col in rows)


# -- Figure 3 --------------------------------------------------------------------------------


def _parse_fig3(
    pf: ParsedFile, header: list[str], body: list[list[str]], problems: list[Problem]
) -> None:
    assert pf.source is not None and pf.edition is not None
    sid = pf.source.source_id
    country_col = next(h for h in header if _FIG3_PERIOD.match(h))
    m = _FIG3_PERIOD.match(country_col)
    assert m is not None
    period, first, last = parse_period(m.group(1), m.group(2))
    nir_year = pf.edition - 1
    nir_seen: dict[str, tuple[str, int]] = {}
    for r in _rows(pf, header, body, problems):
        label = r.get("Commodity")
        name, _, qualifier = label.partition(", ")
        material = MATERIAL_LABELS.get(label_key(label)) or MATERIAL_LABELS.get(label_key(name))
        if material is None:
            pf.skipped.append(
                Skip(pf.name, r.line, f"{label_key(label)!r} is not in the catalogue")
            )
            continue
        country = r.country(country_col)
        cell = r.value("Percent")
        pct = cell.number
        if r.ok and pct is None:
            r.fail("Percent", f"an import share must be a number, not {r.get('Percent')!r}")
        elif pct is not None and not 0 <= pct <= 100:
            r.fail("Percent", f"{r.get('Percent')} is not a percentage between 0 and 100")
        nir_raw = r.get("NIR")
        nir = r.value("NIR") if nir_raw else None
        if not r.ok or pct is None:
            continue
        category = qualifier.strip() or "all forms"
        pf.rows.append(
            (
                ImportSource(
                    fact_id=f"{sid}:{material}:{slug(category)}:{country}",
                    importer="USA",
                    material_id=material,
                    category=category,
                    country=country,
                    share=fraction(pct),
                    period=period,
                    source_id=sid,
                    valid_from=dt.date(first, 1, 1),
                    valid_to=dt.date(last, 12, 31),
                ),
                r.line,
                country_col,
            )
        )
        if nir is None:
            continue
        if material in nir_seen:
            if nir_seen[material][0] != nir_raw:
                r.fail(
                    "NIR",
                    f"{nir_raw!r} differs from {nir_seen[material][0]!r} for the same commodity "
                    f"at row {nir_seen[material][1]}",
                )
            continue
        nir_seen[material] = (nir_raw, r.line)
        pf.rows.append((_reliance(sid, material, nir_year, nir_raw, nir), r.line, "NIR"))


# --------------------------------------------------------------------------------------
# Keys, collisions and the import
# --------------------------------------------------------------------------------------

SUBSTANCE: dict[type[Any], tuple[str, ...]] = {
    Production: ("quantity", "status"),
    ImportReliance: ("value",),
    ImportSource: ("share",),
}
"""Columns that must agree when the same fact (same key) is already in the store."""


def _key(row: Any) -> tuple[Any, ...]:
    return (type(row).__name__, *(getattr(row, k) for k in type(row).Meta.key))


def _check_duplicates(pf: ParsedFile, problems: list[Problem]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for row, line, col in pf.rows:
        k = _key(row)
        if k in seen and seen[k] != line:
            keys = ", ".join(f"{n}={getattr(row, n)}" for n in type(row).Meta.key)
            problems.append(
                Problem(pf.name, line, col, f"duplicate key ({keys}), first at row {seen[k]}")
            )
        seen.setdefault(k, line)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _existing_facts(
    store: Store, source_ids: set[str], exclude: str | None
) -> dict[tuple[Any, ...], tuple[tuple[Any, ...], str]]:
    """Facts of these sources already in the store: key -> (substance values, dataset)."""
    out: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}
    if not source_ids:
        return out
    for cls, subst in SUBSTANCE.items():
        keys = list(cls.Meta.key)
        for got in store.view().stored_citing(cls, sorted(source_ids), exclude):
            key = tuple(getattr(got.row, k) for k in keys)
            out[(cls.__name__, *key)] = (tuple(getattr(got.row, c) for c in subst), got.dataset)
    return out


def import_usgs_mcs(
    store: Store,
    paths: Sequence[Path],
    *,
    dataset: str = DEFAULT_DATASET,
    replace: bool = False,
    edition: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import USGS MCS data-release CSV files atomically.

    Every file is parsed and checked first; then sources are reused when the store already
    has them (``usgs-mcs2026-t7`` of the bundled dataset, say), facts that are already in the
    store with the same values are left out (counted in ``already_present``), and a fact
    whose key is in the store with a different value refuses the import. Raises
    :class:`ImportFailed` naming file, row and field; on failure nothing changes.
    """
    t0 = time.perf_counter()
    problems: list[Problem] = []
    parsed: list[ParsedFile] = []
    names = [p.name for p in paths]
    for i, p in enumerate(paths):
        display = p.name if names.count(p.name) == 1 else str(p)
        if not p.exists():
            problems.append(Problem(display, 0, "-", "file not found"))
            continue
        pf = parse_file(p, problems, edition=edition, display=display)
        parsed.append(pf)
        if progress:
            progress(f"read {pf.name} ({pf.records} rows)", i + 1, len(paths))  # files
    if problems:
        raise ImportFailed(problems)
    # Keys must be unique across the files too.
    first: dict[tuple[Any, ...], tuple[str, int]] = {}
    for pf in parsed:
        for row, line, col in pf.rows:
            k = _key(row)
            if k in first and first[k][0] != pf.name:
                problems.append(
                    Problem(
                        pf.name,
                        line,
                        col,
                        f"same fact as {first[k][0]} row {first[k][1]} (source {row.source_id})",
                    )
                )
            first.setdefault(k, (pf.name, line))
    exclude = dataset if replace else None
    existing_sources = store.view().stored_ids(Source, "source_id", exclude)
    source_ids = {pf.source.source_id for pf in parsed if pf.source is not None}
    existing = _existing_facts(store, source_ids, exclude)
    to_write: dict[str, list[Any]] = {}
    reports: list[FileReport] = []
    defined: set[str] = set()
    skipped: list[Skip] = []
    present_total = 0
    for pf in parsed:
        assert pf.source is not None
        sid = pf.source.source_id
        reused = sid in existing_sources
        out: list[Any] = []
        if not reused and sid not in defined:
            out.append(pf.source)
            defined.add(sid)
        present = 0
        counts: dict[str, int] = {}
        for row, line, col in pf.rows:
            hit = existing.get(_key(row))
            if hit is not None:
                values, ds = hit
                for name, old in zip(SUBSTANCE[type(row)], values, strict=True):
                    new = getattr(row, name)
                    if not _same(new, old):
                        problems.append(
                            Problem(
                                pf.name,
                                line,
                                col,
                                f"{row.fact_id}: {name} {new!r} differs from {old!r} already "
                                f"in dataset {ds!r} under the same source",
                            )
                        )
                        break
                present += 1
                continue
            out.append(row)
            table = type(row).Meta.table
            counts[table] = counts.get(table, 0) + 1
        to_write[pf.name] = out
        present_total += present
        skipped.extend(pf.skipped)
        reports.append(
            FileReport(
                pf.name, pf.layout, sid, reused, pf.records, counts, present, len(pf.skipped)
            )
        )
    if problems:
        raise ImportFailed(problems)
    rep = load_rows(
        store,
        to_write,
        dataset=dataset,
        origin=", ".join(str(p) for p in paths),
        replace=replace,
        started=t0,
    )
    return ImportReport(
        dataset, replace, reports, rep.rows, skipped, present_total, time.perf_counter() - t0
    )


def catalogue_problems() -> list[str]:
    """Mapping-table entries that name a material or stage missing from the catalogue."""
    cat = load_catalog()
    out = []
    pairs = [(m, s) for m, stages in DATA_CHAPTERS.values() for s in stages.values()]
    pairs += list(T7_PRODUCTION_STAGE.items())
    for m, s in pairs:
        try:
            cat.material(m).stage(s)
        except KeyError as exc:
            out.append(str(exc.args[0]))
    for m in MATERIAL_LABELS.values():
        try:
            cat.material(m)
        except KeyError as exc:
            out.append(str(exc.args[0]))
    return out


__all__ = [
    "DATA_CHAPTERS",
    "DEFAULT_DATASET",
    "LAYOUTS",
    "MATERIAL_LABELS",
    "T7_PRODUCTION_STAGE",
    "UNITS",
    "Cell",
    "ImportReport",
    "catalogue_problems",
    "detect_layout",
    "import_usgs_mcs",
    "parse_file",
    "parse_value",
    "parse_year",
]
