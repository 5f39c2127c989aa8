"""Importing a USGS MCS long file the size of the official one, against the generic CSV import.

The official ``MCS2026_Commodities_Data.csv`` has about 9,000 rows (3.2 MB). This builds a
file of that order from the verbatim fixture rows (tests/data/usgs/), repeating them
``--years`` times with the years shifted so that no key repeats, and measures, in one run
and on the same store engine:

* ``usgs-mcs``: ``import_usgs_mcs`` of that file into an empty store (parse, map, check,
  write);
* ``csv``: ``derisk import csv production`` of the very same facts written in the derisk CSV
  format (the generic reader and loader) into another empty store -- the peer.

Each is repeated ``--repeat`` times (fresh store each time); the table gives medians and the
ratio usgs-mcs / csv.

Run::

    python benchmarks/usgs_import.py [--years N] [--repeat N]   # about a minute on 2 cores
    python benchmarks/usgs_import.py --tiny    # smoke: one copy of the fixture, once
    python benchmarks/usgs_import.py --tiny --json    # the same, results as JSON
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

from derisk.data.csvio import write_rows
from derisk.data.importers.usgs_mcs import import_usgs_mcs
from derisk.data.loader import import_csv
from derisk.model.schema import Production, Source
from derisk.store import DuckStore

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "data"
    / "usgs"
    / "MCS2026_Commodities_Data.subset.csv"
)


def big_file(folder: Path, years: int) -> tuple[Path, int]:
    """The fixture rows repeated ``years`` times, shifted by two years each; (path, rows)."""
    with FIXTURE.open(newline="", encoding="utf-8") as fh:
        recs = list(csv.reader(fh))
    header, body = recs[0], recs[1:]
    yi = header.index("Year")
    out = [header]
    for k in range(years):
        for r in body:
            r2 = list(r)
            r2[yi] = str(int(r[yi]) - 2024 + 1900 + 2 * k)  # 2024/2025 -> 1900+2k, 1901+2k
            out.append(r2)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(out)
    path = folder / "MCS2026_Commodities_Data.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path, len(out) - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--years", type=int, default=60, help="copies of the fixture (152 rows each)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--tiny", action="store_true", help="smoke run: one copy, once")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    if args.tiny:
        args.years, args.repeat = 1, 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, n = big_file(folder, args.years)
        size_mb = path.stat().st_size / 1e6
        # The same facts in the derisk CSV format (from one import), and their source.
        with DuckStore(folder / "seed.duckdb") as s:
            import_usgs_mcs(s, [path])
            facts = s.rows(Production)
            sources = s.rows(Source)
        prod_csv = folder / "production.csv"
        src_csv = folder / "sources.csv"
        write_rows(prod_csv, facts, Production)
        write_rows(src_csv, sources, Source)
        times: dict[str, list[float]] = {"usgs-mcs": [], "csv": []}
        for i in range(args.repeat):
            with DuckStore(folder / f"u{i}.duckdb") as s:
                t0 = time.perf_counter()
                rep = import_usgs_mcs(s, [path])
                times["usgs-mcs"].append(time.perf_counter() - t0)
                assert rep.rows["production"] == len(facts)
            with DuckStore(folder / f"c{i}.duckdb") as s:
                import_csv(s, "sources", src_csv)
                t0 = time.perf_counter()
                rep2 = import_csv(s, "production", prod_csv)
                times["csv"].append(time.perf_counter() - t0)
                assert rep2.rows["production"] == len(facts)
    med = {k: statistics.median(v) for k, v in times.items()}
    if args.json:
        out = {
            "rows": n,
            "megabytes": size_mb,
            "production_facts": len(facts),
            "repeat": args.repeat,
            "median_s": med,
            "ratio": med["usgs-mcs"] / med["csv"],
        }
        print(json.dumps(out, indent=1))
        return
    print(f"long file: {n:,} rows, {size_mb:.1f} MB; {len(facts):,} production facts; "
          f"median of {args.repeat}")  # fmt: skip
    print(f"{'importer':<10} {'median s':>9} {'rows/s':>10} {'ratio':>7}")
    for k in ("usgs-mcs", "csv"):
        print(f"{k:<10} {med[k]:>9.3f} {n / med[k]:>10,.0f} {med[k] / med['csv']:>7.2f}")


if __name__ == "__main__":
    main()
