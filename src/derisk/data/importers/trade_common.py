"""Shared plumbing of the trade importers: country codes, streamed reading, atomic loading."""

from __future__ import annotations

import gzip
import io
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pycountry

from derisk.data.concordance import Concordance
from derisk.data.csvio import ImportFailed, Problem
from derisk.data.loader import load_rows
from derisk.data.safeio import Bounded, BoundedText, check_declared
from derisk.errors import BadInputError
from derisk.model import countries
from derisk.model.schema import OTHER, WORLD, Source, Trade
from derisk.store.base import Store

MAX_PROBLEMS = 200

# UN Comtrade / BACI numeric codes that are not ISO 3166-1 numeric codes (UN Comtrade reference
# tables, "Reporters"/"Partners"; BACI's country_codes file uses the same numbers). ``WLD`` is a
# world total, ``OTH`` an unspecified partner; ``None`` marks a group of countries (skipped).
SPECIAL_CODES: dict[int, str | None] = {
    0: WORLD,  # World
    842: "USA",  # USA (Comtrade reporter code)
    841: "USA",  # USA and Puerto Rico (before 1981)
    251: "FRA",  # France (incl. Monaco)
    381: "ITA",  # Italy (incl. San Marino, Vatican)
    579: "NOR",  # Norway (incl. Svalbard)
    699: "IND",  # India
    757: "CHE",  # Switzerland (incl. Liechtenstein)
    490: "TWN",  # "Other Asia, nes": Taiwan in practice (BACI's code S19)
    58: "BEL",  # Belgium-Luxembourg (before 1999)
    711: "ZAF",  # Southern African Customs Union (before 2000)
    280: "DEU",  # Fed. Rep. of Germany (before 1991)
    736: "SDN",  # Sudan (before 2012)
    720: "YEM",  # Democratic Yemen (former)
    886: "YEM",  # Yemen Arab Republic (former)
    97: None,  # EU-27/28 aggregate
    918: None,  # European Union
    899: OTHER,  # Areas, nes
    839: OTHER,  # Special categories
    837: OTHER,  # Bunkers
    838: OTHER,  # Free zones
    568: OTHER,  # Other Europe, nes
    577: OTHER,  # Other Africa, nes
    636: OTHER,  # Rest of America, nes
    637: OTHER,  # North and Central America, nes
    527: OTHER,  # Oceania, nes
    290: OTHER,  # Northern Africa, nes
    879: OTHER,  # Western Asia, nes
    697: OTHER,  # Europe EFTA, nes
    492: OTHER,  # Europe EU, nes
    471: OTHER,  # CACM, nes
    473: OTHER,  # LAIA, nes
    536: OTHER,  # Neutral Zone
    530: OTHER,  # Netherlands Antilles (former)
    891: OTHER,  # Serbia and Montenegro (former)
    200: OTHER,  # Czechoslovakia (former)
    810: OTHER,  # USSR (former)
    890: OTHER,  # Yugoslavia (former)
}
SPECIAL_ISO: dict[str, str | None] = {
    "W00": WORLD,
    "WLD": WORLD,
    "S19": "TWN",
    "_X": OTHER,
    "X1": OTHER,
    "XX": OTHER,
    "EUR": None,
}
NAME_ALIASES = {"uae": "ARE", "united arab emirates": "ARE", "czech rep.": "CZE"}


class SkipRow(Exception):
    """A row that is valid but not imported (counted under a reason)."""


def country_from_numeric(code: str) -> str | None:
    """ISO alpha-3, ``WLD``, ``OTH`` or ``None`` (a group) for a UN Comtrade/BACI numeric code.

    >>> country_from_numeric("842"), country_from_numeric("156"), country_from_numeric("899")
    ('USA', 'CHN', 'OTH')
    """
    raw = code.strip()
    if not raw.lstrip("-").isdigit():
        raise countries.UnknownCountry(f"{code!r} is not a numeric country code")
    num = int(raw)
    if num in SPECIAL_CODES:
        return SPECIAL_CODES[num]
    found = pycountry.countries.get(numeric=f"{num:03d}") if 0 < num < 1000 else None
    if found is None:
        raise countries.UnknownCountry(f"unknown country code {code.strip()!r}")
    return str(found.alpha_3)


def country_from_iso(code: str) -> str | None:
    raw = code.strip().upper()
    if raw in SPECIAL_ISO:
        return SPECIAL_ISO[raw]
    return countries.resolve(raw)


def country_from_name(name: str) -> str:
    key = name.strip().lower()
    if key in NAME_ALIASES:
        return NAME_ALIASES[key]
    return countries.resolve(name)


class _Counting(io.RawIOBase):
    """Counts bytes read from a binary stream (for progress on compressed or zipped input)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


@dataclass
class Opened:
    label: str
    text: IO[str]
    total: int
    counter: _Counting

    def done(self) -> int:
        return self.counter.count


@contextmanager
def open_member(path: Path, member: str | None = None) -> Iterator[Opened]:
    """Text stream of a CSV/TSV file, a ``.gz`` file, or one member of a ``.zip`` archive."""
    if member is not None or zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [member] if member else [n for n in zf.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise BadInputError(f"{path}: give one member of the archive ({len(names)} found)")
            info = zf.getinfo(names[0])
            label = f"{path.name}:{names[0]}"
            check_declared(label, info.file_size, info.compress_size)
            with zf.open(info) as raw:
                # the member's declared sizes are not trusted: bytes are counted as they come
                counter = _Counting(Bounded(raw, label, max(info.compress_size, 1)))  # type: ignore[arg-type]
                text = io.TextIOWrapper(
                    io.BufferedReader(counter), encoding="utf-8-sig", errors="replace", newline=""
                )
                yield Opened(label, BoundedText(text, label), info.file_size, counter)  # type: ignore[arg-type]
        return
    size = path.stat().st_size
    with path.open("rb") as fh:
        counter = _Counting(fh)
        buffered = io.BufferedReader(counter)
        stream: Any = buffered
        if path.suffix == ".gz":
            if size >= 18:  # the trailer's ISIZE: the (last member's) size mod 2**32
                fh.seek(size - 4)
                check_declared(path.name, int.from_bytes(fh.read(4), "little"), size)
                fh.seek(0)
            unzipped = gzip.GzipFile(fileobj=buffered)
            stream = io.BufferedReader(
                Bounded(unzipped, path.name, size, consumed=lambda: counter.count)
            )
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        yield Opened(path.name, BoundedText(text, path.name), size, counter)  # type: ignore[arg-type]


@dataclass
class Collector:
    """Rows, problems and skip counts of one import, with duplicate-key detection."""

    source_id: str
    concordance: Concordance
    all_products: bool = False
    rows: list[Trade] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    read: int = 0
    extra_problems: int = 0
    _seen: dict[tuple[Any, ...], tuple[str, int]] = field(default_factory=dict)

    def problem(self, file: str, row: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(file, row, column, message))
        else:
            self.extra_problems += 1

    def wanted(self, hs: str) -> list[tuple[str, str]] | None:
        """Concordance pairs of a code, or ``None`` when the code is not imported."""
        pairs = self.concordance.lookup(hs)
        if not pairs and not self.all_products:
            return None
        return pairs

    def add(
        self,
        file: str,
        row: int,
        *,
        reporter: str,
        partner: str,
        flow: str,
        hs: str,
        year: int,
        month: int | None,
        value: float | None,
        qty: float | None,
        pairs: list[tuple[str, str]],
    ) -> None:
        key = (reporter, partner, flow, hs, year, month)
        if key in self._seen:
            f0, r0 = self._seen[key]
            self.problem(
                file,
                row,
                "-",
                f"duplicate flow {reporter}->{partner} {flow} {hs} {year}"
                + (f"-{month:02d}" if month else "")
                + f" (first at {f0}, row {r0}); a file with breakdowns must be filtered to totals",
            )
            return
        self._seen[key] = (file, row)
        if qty is not None and qty == 0 and value:
            qty = None  # Comtrade prints 0 kg when the weight was not reported
        mat, stage = pairs[0] if len(pairs) == 1 else (None, None)
        period = f"{year}" + (f"-{month:02d}" if month else "")
        self.rows.append(
            Trade(
                fact_id=f"{self.source_id}:{reporter}:{partner}:{flow}:{hs}:{period}",
                reporter=reporter,
                partner=partner,
                flow=flow,
                hs_code=hs,
                year=year,
                source_id=self.source_id,
                month=month,
                material_id=mat,
                stage_id=stage or None,
                value_usd=value,
                quantity_kg=qty,
            )
        )

    def fail_if_problems(self) -> None:
        if self.problems:
            probs = list(self.problems)
            if self.extra_problems:
                probs.append(Problem("-", 0, "-", f"{self.extra_problems} more problems"))
            raise ImportFailed(probs)


@dataclass(frozen=True)
class TradeImport:
    dataset: str
    source_id: str
    files: list[str]
    rows_read: int
    rows: int
    skipped: dict[str, int]
    flows: dict[str, int]
    years: list[int]
    hs_codes: list[str]
    seconds: float


def finish(
    store: Store,
    col: Collector,
    source: Source,
    *,
    dataset: str,
    files: list[str],
    started: float,
) -> TradeImport:
    """Refuse the import if anything was wrong; else write source and rows in one transaction.

    The dataset's earlier rows (an earlier import of the same name) are replaced.
    """
    col.fail_if_problems()
    if not col.rows:
        raise ImportFailed(
            [
                Problem(
                    ", ".join(files),
                    0,
                    "-",
                    "no trade rows to import (skipped: "
                    + (", ".join(f"{k} {v}" for k, v in col.skipped.items()) or "none")
                    + "); use --all-products or a concordance covering the file's codes",
                )
            ]
        )
    load_rows(
        store,
        {"source": [source], "trade": col.rows},
        dataset=dataset,
        origin=", ".join(files),
        replace=True,
    )
    flows = Counter(r.flow for r in col.rows)
    return TradeImport(
        dataset=dataset,
        source_id=source.source_id,
        files=files,
        rows_read=col.read,
        rows=len(col.rows),
        skipped=dict(col.skipped),
        flows=dict(flows),
        years=sorted({r.year for r in col.rows}),
        hs_codes=sorted({r.hs_code for r in col.rows}),
        seconds=time.perf_counter() - started,
    )


def parse_number(raw: str) -> float | None:
    """A float, or ``None`` for an empty or ``NA`` cell; raises ``ValueError`` otherwise."""
    s = raw.strip().strip('"')
    if s == "" or s.upper() in ("NA", "N/A", "NAN", "NULL"):
        return None
    v = float(s)
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    if v < 0:
        raise ValueError("negative")
    return v
