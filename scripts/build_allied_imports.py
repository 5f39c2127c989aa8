"""Build the allied-importer bundle (Korea, Japan, EU27) from ``data/sources/allied_imports``.

Usage::

    .venv/bin/python scripts/build_allied_imports.py [--raw DIR] [--out DIR] [--check]

Reads the transcribed raw files (see ``data/sources/allied_imports/SOURCES.md``):

* ``sources.csv`` -- one row per publication (publisher, URL, dates, confidence, licence);
* ``import_shares.csv`` -- an importer's import shares by origin country, in percent, as the
  source prints them (``share_pct``, with ``low_pct``/``high_pct`` where the source gives a
  range or a bound), or as tonnages (``quantity_t`` of ``total_t``) from which the share is
  computed here;
* ``stage_shares.csv`` -- world shares of new catalogue stages (polysilicon, wafers);
* ``stage_gaps.csv`` -- stages for which no public country-level figure was found.

and writes into ``src/derisk/data/bundled``: ``allied_sources.csv``,
``allied_import_sources.csv``, ``allied_shares.csv`` and ``stage_gaps.csv``, which the
database loader imports. For every (importer, material, category, period, source) the part
of the imports the source does not attribute to a named country is written as ``OTH``
(other countries, unknown split): it is never dropped and never read as zero for anyone.

Errors name the file, row and field; nothing is written when any row is wrong. ``--check``
compares the files it would write with the ones in ``--out`` and exits 1 on a difference.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from derisk.model.names import slug  # noqa: E402

DEFAULT_RAW = REPO / "data" / "sources" / "allied_imports"
DEFAULT_OUT = REPO / "src" / "derisk" / "data" / "bundled"

IMPORTERS = {"KOR", "JPN", "EU27", "USA"}
CONFIDENCE_PRECEDENCE = {"H": 30, "M": 50, "L": 70}
GAP_SOURCE = "derisk-stage-gap-search"
TOL = 1e-6

SOURCE_HEADER = [
    "source_id",
    "publisher",
    "title",
    "url",
    "published",
    "quote",
    "confidence",
    "precedence",
    "via",
    "licence",
    "note",
]
IMPORT_HEADER = [
    "fact_id",
    "importer",
    "material_id",
    "category",
    "country",
    "share",
    "period",
    "source_id",
    "stage_id",
    "valid_from",
    "valid_to",
    "note",
    "share_low",
    "share_high",
]
SHARE_HEADER = [
    "fact_id",
    "material_id",
    "stage_id",
    "year",
    "share",
    "source_id",
    "country",
    "ranks",
    "world_total",
    "unit",
    "valid_from",
    "valid_to",
    "note",
]
GAP_HEADER = [
    "fact_id",
    "material_id",
    "stage_id",
    "statement",
    "source_id",
    "searched",
    "checked",
    "valid_from",
    "valid_to",
    "note",
]


class BuildError(ValueError):
    """Raw rows that cannot be used; each problem names file, row and field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Raw:
    """The raw files, read as dictionaries, with their names for error messages."""

    sources: list[dict[str, str]]
    shares: list[dict[str, str]]
    stage_shares: list[dict[str, str]]
    gaps: list[dict[str, str]]


def read_table(path: Path, required: Sequence[str], problems: list[str]) -> list[dict[str, str]]:
    """Rows of a CSV file; missing columns and ragged rows are problems (row 1 = header)."""
    if not path.exists():
        problems.append(f"{path.name}: row 0, field -: file not found")
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path.name}: row 1, field {', '.join(missing)}: missing column(s)")
            return []
        rows = []
        for lineno, rec in enumerate(reader, start=2):
            if None in rec:
                problems.append(f"{path.name}: row {lineno}, field -: more cells than columns")
                continue
            rec = {k: (v or "").strip() for k, v in rec.items()}
            rec["_row"] = str(lineno)
            rows.append(rec)
    return rows


def read_raw(raw: Path) -> Raw:
    problems: list[str] = []
    out = Raw(
        sources=read_table(
            raw / "sources.csv",
            ["source_key", "publisher", "title", "url", "published", "confidence"],
            problems,
        ),
        shares=read_table(
            raw / "import_shares.csv",
            [
                "importer",
                "material_id",
                "stage_id",
                "category",
                "country",
                "share_pct",
                "low_pct",
                "high_pct",
                "quantity_t",
                "total_t",
                "period",
                "year_from",
                "year_to",
                "source_key",
                "note",
            ],
            problems,
        ),
        stage_shares=read_table(
            raw / "stage_shares.csv",
            ["material_id", "stage_id", "country", "share_pct", "year", "basis", "source_key"],
            problems,
        ),
        gaps=read_table(
            raw / "stage_gaps.csv",
            ["material_id", "stage_id", "statement", "searched", "checked"],
            problems,
        ),
    )
    if problems:
        raise BuildError(problems)
    return out


def _num(fname: str, row: dict[str, str], field: str, problems: list[str]) -> float | None:
    raw = row.get(field, "")
    if raw == "":
        return None
    try:
        val = float(raw)
    except ValueError:
        problems.append(f"{fname}: row {row['_row']}, field {field}: {raw!r} is not a number")
        return None
    if val < 0:
        problems.append(f"{fname}: row {row['_row']}, field {field}: {raw!r} is negative")
        return None
    return val


def _year(fname: str, row: dict[str, str], field: str, problems: list[str]) -> int | None:
    raw = row.get(field, "")
    if raw == "":
        return None
    if not re.fullmatch(r"(19|20)\d\d", raw):
        problems.append(f"{fname}: row {row['_row']}, field {field}: {raw!r} is not a year")
        return None
    return int(raw)


def _fmt(x: float) -> str:
    """A fraction with at most 6 decimals, no trailing zeros (stable text for the CSV)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _catalogue() -> dict[str, set[str]]:
    sys.path.insert(0, str(REPO / "src"))
    from derisk.model.catalog import load_catalog

    return {m.id: {s.id for s in m.stages} for m in load_catalog().materials}


def _countries() -> set[str]:
    sys.path.insert(0, str(REPO / "src"))
    from derisk.model import countries

    return {c[0] for c in countries.all_countries()}


def build_sources(raw: Raw, problems: list[str]) -> tuple[list[list[str]], set[str]]:
    rows: list[list[str]] = []
    keys: set[str] = set()
    for r in raw.sources:
        where = f"sources.csv: row {r['_row']}"
        key = r["source_key"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
            problems.append(f"{where}, field source_key: {key!r} is not a lowercase slug")
            continue
        if key in keys:
            problems.append(f"{where}, field source_key: {key!r} is defined twice")
            continue
        if r["confidence"] not in CONFIDENCE_PRECEDENCE:
            problems.append(f"{where}, field confidence: {r['confidence']!r} is not H, M or L")
            continue
        for field in ("publisher", "title", "url"):
            if not r[field]:
                problems.append(f"{where}, field {field}: required value is empty")
        published, note = "", r.get("note", "")
        if r["published"]:
            try:
                published = dt.date.fromisoformat(r["published"]).isoformat()
            except ValueError:
                if not re.fullmatch(r"\d{4}(-\d{2})?", r["published"]):
                    problems.append(f"{where}, field published: {r['published']!r} is not a date")
                    continue
                # A month or a year only: kept as text, never completed to an invented day.
                note = "; ".join(x for x in (f"published {r['published']}", note) if x)
        retrieved = r.get("retrieved", "")
        if retrieved:
            note = "; ".join(x for x in (note, f"retrieved {retrieved}") if x)
        keys.add(key)
        rows.append(
            [
                key,
                r["publisher"],
                r["title"],
                r["url"],
                published,
                "",
                r["confidence"],
                str(CONFIDENCE_PRECEDENCE[r["confidence"]]),
                r.get("via", ""),
                r.get("licence", ""),
                note,
            ]
        )
    rows.append(
        [
            GAP_SOURCE,
            "derisk maintainers",
            "Search for public country-level figures of catalogue stages",
            "",
            "",
            "",
            "M",
            "90",
            "data/sources/allied_imports/stage_gaps.csv in the derisk repository",
            "",
            "Record of which sources were searched and found no country-level figure",
        ]
    )
    keys.add(GAP_SOURCE)
    return rows, keys


@dataclass
class _Share:
    row: dict[str, str]
    country: str
    share: float
    low: float | None
    high: float | None


def build_import_sources(raw: Raw, keys: set[str], problems: list[str]) -> list[list[str]]:
    cat = _catalogue()
    isos = _countries()
    fname = "import_shares.csv"
    groups: dict[tuple[str, ...], list[_Share]] = {}
    for r in raw.shares:
        where = f"{fname}: row {r['_row']}"
        bad = len(problems)
        if r["importer"] not in IMPORTERS:
            problems.append(
                f"{where}, field importer: {r['importer']!r} is not one of {sorted(IMPORTERS)}"
            )
        if r["material_id"] not in cat:
            problems.append(f"{where}, field material_id: unknown material {r['material_id']!r}")
        elif r["stage_id"] and r["stage_id"] not in cat[r["material_id"]]:
            problems.append(
                f"{where}, field stage_id: material {r['material_id']!r} "
                f"has no stage {r['stage_id']!r}"
            )
        if r["country"] not in isos or r["country"] == r["importer"]:
            problems.append(f"{where}, field country: {r['country']!r} is not an origin country")
        if r["source_key"] not in keys:
            problems.append(f"{where}, field source_key: unknown source {r['source_key']!r}")
        for field in ("category", "period"):
            if not r[field]:
                problems.append(f"{where}, field {field}: required value is empty")
        pct = _num(fname, r, "share_pct", problems)
        lo = _num(fname, r, "low_pct", problems)
        hi = _num(fname, r, "high_pct", problems)
        qty = _num(fname, r, "quantity_t", problems)
        tot = _num(fname, r, "total_t", problems)
        y0 = _year(fname, r, "year_from", problems)
        y1 = _year(fname, r, "year_to", problems)
        if y0 is not None and y1 is not None and y1 < y0:
            problems.append(f"{where}, field year_to: {y1} is before year_from {y0}")
        if (qty is None) != (tot is None):
            problems.append(f"{where}, field quantity_t: quantity_t and total_t go together")
        share: float | None
        if qty is not None and tot is not None:
            if pct is not None:
                problems.append(
                    f"{where}, field share_pct: give a percentage or tonnages, not both"
                )
            if tot <= 0 or qty > tot:
                problems.append(f"{where}, field quantity_t: {qty} is not a part of total {tot}")
                continue
            share = qty / tot
        else:
            share = None if pct is None else pct / 100.0
        if share is None:
            problems.append(f"{where}, field share_pct: required (or quantity_t and total_t)")
            continue
        low = None if lo is None else lo / 100.0
        high = None if hi is None else hi / 100.0
        for field, val in (("share_pct", share), ("low_pct", low), ("high_pct", high)):
            if val is not None and val > 1.0 + TOL:
                problems.append(f"{where}, field {field}: {val * 100:g} is above 100")
        if low is not None and low > share + TOL:
            problems.append(f"{where}, field low_pct: {lo} is above the share")
        if high is not None and high < share - TOL:
            problems.append(f"{where}, field high_pct: {hi} is below the share")
        if len(problems) > bad:
            continue
        key = (r["importer"], r["material_id"], r["category"], r["period"], r["source_key"])
        grp = groups.setdefault(key, [])
        if any(s.country == r["country"] for s in grp):
            problems.append(f"{where}, field country: {r['country']!r} twice in the same category")
            continue
        if grp and (grp[0].row["stage_id"], grp[0].row["year_from"], grp[0].row["year_to"]) != (
            r["stage_id"],
            r["year_from"],
            r["year_to"],
        ):
            problems.append(
                f"{where}, field stage_id: stage or years differ from row {grp[0].row['_row']} "
                "of the same category"
            )
            continue
        grp.append(_Share(r, r["country"], share, low, high))
    out: list[list[str]] = []
    for (imp, mat, category, period, skey), grp in groups.items():
        first = grp[0].row
        total_lo = sum(s.low if s.low is not None else s.share for s in grp)
        total_hi = sum(s.high if s.high is not None else s.share for s in grp)
        total = sum(s.share for s in grp)
        if total_lo > 1.0 + 1e-3:
            problems.append(
                f"{fname}: row {first['_row']}, field share_pct: shares of {category!r} "
                f"({period}) add up to {total_lo * 100:.1f}%"
            )
            continue
        valid_from = f"{first['year_from']}-01-01" if first["year_from"] else ""
        valid_to = f"{first['year_to']}-12-31" if first["year_to"] else ""
        base = f"allied:{skey}:{imp}:{mat}:{slug(category)}:{slug(period)}"
        for s in grp:
            has_bounds = s.low is not None or s.high is not None
            out.append(
                [
                    f"{base}:{s.country}",
                    imp,
                    mat,
                    category,
                    s.country,
                    _fmt(s.share),
                    period,
                    skey,
                    first["stage_id"],
                    valid_from,
                    valid_to,
                    s.row["note"],
                    _fmt(s.low if s.low is not None else s.share) if has_bounds else "",
                    _fmt(s.high if s.high is not None else s.share) if has_bounds else "",
                ]
            )
        rest = max(0.0, 1.0 - total)
        rest_lo, rest_hi = max(0.0, 1.0 - total_hi), max(0.0, 1.0 - total_lo)
        if rest_hi > TOL:
            exact = abs(rest_lo - rest_hi) < TOL
            out.append(
                [
                    f"{base}:OTH",
                    imp,
                    mat,
                    category,
                    "OTH",
                    _fmt(min(max(rest, rest_lo), rest_hi)),
                    period,
                    skey,
                    first["stage_id"],
                    valid_from,
                    valid_to,
                    "Not attributed to a named country by the source (unknown split)",
                    "" if exact else _fmt(rest_lo),
                    "" if exact else _fmt(rest_hi),
                ]
            )
    return out


def build_stage_shares(raw: Raw, keys: set[str], problems: list[str]) -> list[list[str]]:
    cat = _catalogue()
    isos = _countries()
    fname = "stage_shares.csv"
    out = []
    for r in raw.stage_shares:
        where = f"{fname}: row {r['_row']}"
        bad = len(problems)
        if r["material_id"] not in cat or r["stage_id"] not in cat.get(r["material_id"], set()):
            problems.append(
                f"{where}, field stage_id: no catalogue stage {r['material_id']}/{r['stage_id']}"
            )
        if r["country"] not in isos:
            problems.append(f"{where}, field country: unknown ISO alpha-3 {r['country']!r}")
        if r["source_key"] not in keys:
            problems.append(f"{where}, field source_key: unknown source {r['source_key']!r}")
        pct = _num(fname, r, "share_pct", problems)
        year = _year(fname, r, "year", problems)
        if pct is None or pct > 100:
            problems.append(f"{where}, field share_pct: a percentage 0-100 is required")
        if year is None:
            problems.append(f"{where}, field year: a year is required (no invented years)")
        if len(problems) > bad or pct is None or year is None:
            continue
        basis = r["basis"]
        note = "; ".join(x for x in (f"basis: {basis}", r.get("note", "")) if x)
        out.append(
            [
                f"allied:{r['source_key']}:{r['material_id']}:{r['stage_id']}:{year}:{r['country']}",
                r["material_id"],
                r["stage_id"],
                str(year),
                _fmt(pct / 100.0),
                r["source_key"],
                r["country"],
                "",
                "",
                "",
                f"{year}-01-01",
                f"{year}-12-31",
                note,
            ]
        )
    return out


def build_gaps(raw: Raw, problems: list[str]) -> list[list[str]]:
    cat = _catalogue()
    fname = "stage_gaps.csv"
    out = []
    seen: set[tuple[str, str]] = set()
    for r in raw.gaps:
        where = f"{fname}: row {r['_row']}"
        if r["material_id"] not in cat or r["stage_id"] not in cat.get(r["material_id"], set()):
            problems.append(
                f"{where}, field stage_id: no catalogue stage {r['material_id']}/{r['stage_id']}"
            )
            continue
        if (r["material_id"], r["stage_id"]) in seen:
            problems.append(f"{where}, field stage_id: stage listed twice")
            continue
        if not r["statement"]:
            problems.append(f"{where}, field statement: required value is empty")
            continue
        try:
            checked = dt.date.fromisoformat(r["checked"]).isoformat()
        except ValueError:
            problems.append(f"{where}, field checked: {r['checked']!r} is not a date")
            continue
        seen.add((r["material_id"], r["stage_id"]))
        out.append(
            [
                f"gap:{r['material_id']}:{r['stage_id']}",
                r["material_id"],
                r["stage_id"],
                r["statement"],
                GAP_SOURCE,
                r["searched"],
                checked,
                checked,
                "",
                r.get("note", ""),
            ]
        )
    return out


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def build(raw_dir: Path) -> dict[str, str]:
    """File name -> CSV text of every output; raises :class:`BuildError` on bad input."""
    raw = read_raw(raw_dir)
    problems: list[str] = []
    sources, keys = build_sources(raw, problems)
    imports = build_import_sources(raw, keys, problems)
    shares = build_stage_shares(raw, keys, problems)
    gaps = build_gaps(raw, problems)
    if problems:
        raise BuildError(problems)
    return {
        "allied_sources.csv": _csv_text(SOURCE_HEADER, sources),
        "allied_import_sources.csv": _csv_text(IMPORT_HEADER, imports),
        "allied_shares.csv": _csv_text(SHARE_HEADER, shares),
        "stage_gaps.csv": _csv_text(GAP_HEADER, gaps),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", type=Path, default=DEFAULT_RAW)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = ap.parse_args(argv)
    try:
        files = build(args.raw)
    except BuildError as exc:
        print(f"error: {len(exc.problems)} problem(s):", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    if args.check:
        stale = [
            n
            for n, text in files.items()
            if not (args.out / n).exists() or (args.out / n).read_text("utf-8") != text
        ]
        for n in stale:
            print(f"out of date: {args.out / n}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n, text in files.items():
        tmp = args.out / (n + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.out / n)
        print(f"{args.out / n}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
