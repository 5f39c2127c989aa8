"""Time and peak memory to refuse each hostile file, and p95 of `holdings` on a ring.

Each hostile file (made by tests/hostile_fixtures.py at the sizes that broke the first
version: a 2 MiB CSV cell, a 64 MiB CSV line, JSON nested 10^5 and 10^6 deep in BODS, FtM and
a news feed, a BACI zip holding one 2 GB line, a 3 GB BACI zip bomb, a 1 GB gzip bomb, a 30 MB
news page) is imported by the `derisk` command as an analyst (`DERISK_USER`) in a fresh
process on a copy of the bundled database; the process reports its wall time and peak RSS
(`ru_maxrss`); the time is counted after the process has loaded derisk and the importers
(their start-up is shown apart). Peer in the same run: importing a valid 3-row sources file
the same way. Then `holdings` is asked 40 times on a ring of 1,500
companies each holding 99% of the next (median, p95, answer size).

Goal: each refusal ≤ 5 s and ≤ 500 MB; holdings p95 ≤ 1 s with a bounded answer.

Run::

    python benchmarks/hostile_files.py            # every file at full size
    python benchmarks/hostile_files.py --quick    # the archives 16 times smaller
    python benchmarks/hostile_files.py --tiny     # smoke: 3 files, holdings asked 5 times
    python benchmarks/hostile_files.py --tiny --json    # the same, results as JSON

``--tiny`` imports the peer, the 2 MiB CSV cell and the news feed nested 10^5 deep (the
smallest hostile sizes, each refused the same way as at full size), makes no archives, and
asks ``holdings`` 5 times on the same ring. The run exits with status 1 when a hostile file is
accepted or the peer refused.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import bundled_database  # noqa: E402
from tests import hostile_fixtures as hf  # noqa: E402
from tests.ring_fixtures import write_ring  # noqa: E402

RUNNER = """
import importlib, json, resource, sys, time
t_start = time.perf_counter()
from derisk.cli import COMMAND_MODULES, build_app, main
build_app(COMMAND_MODULES)  # load every command and what it imports before the clock starts
for m in ("derisk.services.news", "derisk.data.importers.ftm", "derisk.data.importers.bods",
          "derisk.data.importers.baci", "derisk.data.importers.comtrade"):
    importlib.import_module(m)
t0 = time.perf_counter()
sys.argv = ["derisk"] + sys.argv[1:]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
print(json.dumps({"code": code, "seconds": time.perf_counter() - t0,
                  "startup": t0 - t_start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}),
      file=sys.stderr)
"""


def run(db: Path, args: list[str], user: str | None = "bob") -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if user:
        env["DERISK_USER"] = user
    res = subprocess.run(
        [sys.executable, "-c", RUNNER, *args, "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    out: dict[str, float] = json.loads(res.stderr.strip().splitlines()[-1])
    msg = res.stdout.strip().replace("\n", " ")
    out["message"] = msg[:160]  # type: ignore[assignment]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: 3 files, no archives, 5 holdings"
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args()
    big = 1 if a.quick else 16
    asks = 5 if a.tiny else 40
    say = (lambda *x, **k: print(*x, **k, file=sys.stderr)) if a.json else print
    tiny_cases = ("valid 3-row CSV (peer)", "CSV cell 2 MiB", "news feed nested 100,000")
    out: dict[str, Any] = {"files": []}
    tmp = Path(tempfile.mkdtemp(prefix="derisk-hostile-"))
    try:
        from derisk.data.loader import load_files
        from derisk.services import trust
        from derisk.store import DuckStore

        db = bundled_database(tmp / "derisk.duckdb")
        with DuckStore(db) as store:
            trust.add_org(store, "beta")
            trust.add_user(store, "bob", "analyst", "beta")
            trust.add_user(store, "bev", "viewer", "beta")
            trust.set_access(store, "beta-ring", "private", "beta")
            load_files(store, write_ring(tmp / "ring", 1500), dataset="beta-ring", replace=False)
        files = tmp / "files"
        files.mkdir()
        ok = files / "ok.csv"
        ok.write_text("source_id,publisher,title\nok-1,P,T\nok-2,P,T\nok-3,P,T\n")
        cases = [
            (
                "valid 3-row CSV (peer)",
                ["import", "csv", "sources", str(ok), "--dataset", "beta-ok"],
            ),
            (
                "CSV cell 2 MiB",
                [
                    "import",
                    "csv",
                    "sources",
                    str(hf.csv_cell(files, 2 * hf.MIB)),
                    "--dataset",
                    "beta-a",
                ],
            ),
        ]
        if not a.tiny:
            cases += [
                (
                    "CSV line 64 MiB",
                    [
                        "import",
                        "csv",
                        "sources",
                        str(hf.csv_line(files, 64 * hf.MIB)),
                        "--dataset",
                        "beta-a",
                    ],
                ),
            ]
        for depth in (100_000,) if a.tiny else (100_000, 1_000_000):
            cases += [
                (
                    f"BODS nested {depth:,}",
                    [
                        "import",
                        "bods",
                        str(hf.deep_json(files, depth, "bods")),
                        "--dataset",
                        "beta-b",
                    ],
                ),
                (
                    f"FtM nested {depth:,}",
                    [
                        "import",
                        "ftm",
                        str(hf.deep_json(files, depth, "ftm")),
                        "--dataset",
                        "beta-f",
                    ],
                ),
                (
                    f"news feed nested {depth:,}",
                    ["news", "ingest", str(hf.deep_json(files, depth, "news"))],
                ),
            ]
        if not a.tiny:
            t0 = time.perf_counter()
            line = hf.baci_long_line(files, 128 * hf.MIB * big)
            bomb = hf.baci_bomb(files, 192 * hf.MIB * big)
            gz = hf.comtrade_gzip_bomb(files, 64 * hf.MIB * big)
            lying = files / "lying.csv.gz"
            lying.write_bytes(gz.read_bytes()[:-4] + (1000).to_bytes(4, "little"))
            print(f"(made the archives in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            cases += [
                (
                    f"BACI zip, one {line.stat().st_size / hf.MIB:.1f} MiB -> {128 * big} MiB line",
                    ["import", "baci", str(line), "--dataset", "beta-baci"],
                ),
                (
                    f"BACI zip bomb {bomb.stat().st_size / hf.MIB:.1f} MiB -> {192 * big} MiB",
                    ["import", "baci", str(bomb), "--dataset", "beta-baci"],
                ),
                (
                    f"Comtrade gzip bomb -> {64 * big} MiB",
                    ["import", "comtrade", str(gz), "--dataset", "beta-ct"],
                ),
                (
                    "Comtrade gzip bomb, trailer lies",
                    ["import", "comtrade", str(lying), "--dataset", "beta-ct"],
                ),
                ("news page 30 MiB", ["news", "ingest", str(hf.news_page(files, 30 * hf.MIB))]),
            ]
        cases = [c for c in cases if not a.tiny or c[0] in tiny_cases]
        say(f"{'file':48} {'exit':>4} {'seconds':>8} {'startup':>8} {'peak MB':>8}  message")
        wrong = []
        for name, args in cases:
            r = run(db, args)
            msg = str(r["message"])[:90]
            out["files"].append({"file": name, **r})
            if (r["code"] == 0) != name.endswith("(peer)"):
                wrong.append(name)
            say(
                f"{name:48} {r['code']:>4} {r['seconds']:8.2f} {r['startup']:8.2f} "
                f"{r['peak_mb']:8.0f}  {msg}"
            )
        # holdings on the ring, in one process, as a viewer of the ring's organisation
        from derisk.model.trust import Principal, Role
        from derisk.services.ownership import holdings
        from derisk.store.guard import acting_as

        times = []
        with (
            DuckStore(db, read_only=True) as store,
            acting_as(Principal("bev", Role.VIEWER, "beta")),
        ):
            from derisk.store import guard

            guard.apply_scope(store.con)
            for i in range(asks):
                t = time.perf_counter()
                ans = holdings(store.view(), f"ring-{i}")
                times.append(time.perf_counter() - t)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        size = len(json.dumps(ans.to_json()))
        out["holdings"] = {
            "ring": 1500,
            "asked": len(times),
            "median_s": statistics.median(times),
            "p95_s": p95,
            "max_s": times[-1],
            "listed": len(ans["holdings"]),
            "total_holdings": ans["total_holdings"],
            "truncated": ans["truncated"],
            "answer_bytes": size,
        }
        say(
            f"holdings on a 1,500-company ring: median {statistics.median(times):.3f} s, "
            f"p95 {p95:.3f} s, max {times[-1]:.3f} s; {len(ans['holdings'])} of "
            f"{ans['total_holdings']} listed, truncated={ans['truncated']}, {size / 1024:.0f} KiB"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json:
        print(json.dumps(out, indent=1))
    if wrong:
        raise SystemExit(f"hostile file accepted or peer refused: {'; '.join(wrong)}")


if __name__ == "__main__":
    main()
