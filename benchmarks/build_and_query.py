"""Build-time and overview latency, with peers measured in the same run.

* build: `build_database` (validate every bundled row, write in one transaction) vs the peer,
  DuckDB's own `read_csv_auto` loading the same files with no validation.
* overview: the `overview` service (every material x stage, with bounds) in-process, and the
  `derisk overview --json` command end to end (process start included), vs the peer, one SQL
  query computing only the top country share per material stage.

Targets (core issue): build < 10 s; `derisk overview --json` < 1 s once built.

Run::

    python benchmarks/build_and_query.py          # medians of 7 (the command: of 5)
    python benchmarks/build_and_query.py --tiny   # smoke: each measure once
    python benchmarks/build_and_query.py --tiny --json   # the same, results as JSON

The sizes are those of the bundled dataset either way; ``--tiny`` times each measure once and
queries the database its timed build wrote instead of building another.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from derisk.data.loader import BUNDLED_FILES, build_database, bundled_dir
from derisk.services.exposure import overview
from derisk.store import DuckStore

REPEAT = 7


def median_time(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--tiny", action="store_true", help="smoke run: each measure once")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    repeat, cli_repeat = (1, 1) if args.tiny else (REPEAT, 5)
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "bench.duckdb"
    n = [0]

    def build() -> None:
        n[0] += 1
        with DuckStore(tmp / f"b{n[0]}.duckdb") as s:
            build_database(s)

    def peer_build() -> None:
        n[0] += 1
        con = duckdb.connect(str(tmp / f"p{n[0]}.duckdb"))
        for name, _ in BUNDLED_FILES:
            path = bundled_dir() / name
            if path.exists():
                table = name.removesuffix(".csv")
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto(?)", [str(path)])
        con.close()

    t_build = median_time(build, repeat)
    t_peer_build = median_time(peer_build, repeat)

    if args.tiny:
        shutil.copyfile(tmp / "b1.duckdb", db)
    else:
        with DuckStore(db) as s:
            build_database(s)
    store = DuckStore(db, read_only=True)
    t_over = median_time(lambda: overview(store.view()), repeat)
    t_peer_over = median_time(
        lambda: store.sql(
            "SELECT material_id, stage_id, year, max(quantity) / max(quantity) FILTER "
            "(WHERE country = 'WLD') FROM production WHERE measure = 'production' "
            "GROUP BY ALL"
        ),
        repeat,
    )
    stages = len(overview(store.view())["rows"])
    store.close()
    exe = Path(sys.executable).with_name("derisk")
    env = dict(os.environ, DERISK_DB=str(db))

    def cli() -> None:
        subprocess.run([str(exe), "overview", "--json"], env=env, check=True, capture_output=True)

    t_cli = median_time(cli, repeat=cli_repeat)
    shutil.rmtree(tmp, ignore_errors=True)

    rows = [
        ("build database (bundled)", t_build, "duckdb read_csv_auto, no checks", t_peer_build),
        ("overview service", t_over, "one SQL top-share query", t_peer_over),
        ("`derisk overview --json` (process)", t_cli, "target 1 s", 1.0),
    ]
    if args.json:
        out = {
            "repeat": repeat,
            "overview_rows": stages,
            "build_s": t_build,
            "peer_build_s": t_peer_build,
            "overview_s": t_over,
            "peer_overview_s": t_peer_over,
            "cli_overview_s": t_cli,
            "targets_met": {"build": t_build < 10, "cli_overview": t_cli < 1},
        }
        print(json.dumps(out, indent=1))
        return
    print(f"{'measure':38} {'median s':>9}  {'peer':34} {'peer s':>8} {'ratio':>7}")
    for name, t, peer, tp in rows:
        print(f"{name:38} {t:9.3f}  {peer:34} {tp:8.3f} {t / tp:7.1f}x")


if __name__ == "__main__":
    main()
