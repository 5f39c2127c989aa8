"""Longer fuzzing of every importer (``make fuzz``): hypothesis, and atheris (coverage-guided,
libFuzzer) when it is installed.

Run::

    python benchmarks/fuzz.py [--seconds 60] [--engine both|hypothesis|atheris] [TARGET ...]
    python benchmarks/fuzz.py --tiny    # smoke: every target about a second, hypothesis only
    python benchmarks/fuzz.py --tiny --json    # the same, results as JSON

``--tiny`` is ``--seconds 1 --engine hypothesis`` with hypothesis drawing in batches of 5
examples (instead of 200), so that no target overruns its second by much.

Each target (``tests/fuzz_targets.py``) gets ``--seconds`` with each engine, on its own copy
of a database built from the bundled data. A finding (an unclean exception, or a write on a
refused import) stops that target and is printed with the input that caused it; atheris
also saves it as ``out/fuzz/<target>/crash-*``. Prints a table: executions, executions per
second, and atheris' rate as a ratio of hypothesis' on the same target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import bundled_database  # noqa: E402
from tests.fuzz_targets import TARGETS, Unclean, check  # noqa: E402

OUT = ROOT / "out" / "fuzz"


def run_hypothesis(name: str, seconds: float, db: Path, batch: int = 200) -> dict[str, Any]:
    from hypothesis import HealthCheck, given, settings
    from tests.test_trust_fuzz import inputs

    from derisk.store import DuckStore

    target = TARGETS[name]
    work = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    count = 0
    finding = None
    t0 = time.perf_counter()
    with DuckStore(db) as store:

        @given(data=inputs(target))
        @settings(
            max_examples=batch,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def once(data: bytes) -> None:
            nonlocal count
            count += 1
            check(target, store, work, data)

        # run for ``seconds``, and on until the first execution (a batch may draw none, and
        # a loaded machine may spend the whole budget starting up), but never a minute over
        while finding is None and (
            time.perf_counter() - t0 < seconds
            or (count == 0 and time.perf_counter() - t0 < seconds + 60)
        ):
            try:
                once()
            except Unclean as exc:
                finding = str(exc)
    took = time.perf_counter() - t0
    shutil.rmtree(work, ignore_errors=True)
    return {"runs": count, "seconds": took, "finding": finding}


CHILD = """
import sys, atheris
from pathlib import Path
sys.path.insert(0, {root!r})
with atheris.instrument_imports():
    import derisk.data.csvio, derisk.data.importers.usgs_mcs, derisk.data.importers.comtrade
    import derisk.data.importers.baci, derisk.data.importers.bods, derisk.data.importers.ftm
    import derisk.data.importers.streaming, derisk.news.articles, derisk.services.news
from tests.fuzz_targets import TARGETS, check
from derisk.store import DuckStore
target = TARGETS[{name!r}]
store = DuckStore({db!r})
work = Path({work!r})
count = Path({count!r})
n = 0
def one(data):
    global n
    n += 1
    if n % 50 == 0:
        count.write_text(str(n))
    check(target, store, work, data)
atheris.Setup([sys.argv[0], {corpus!r}, "-max_total_time={seconds}", "-rss_limit_mb=4096",
               "-artifact_prefix=" + {artifacts!r}, "-print_final_stats=1"], one)
atheris.Fuzz()
"""


def run_atheris(name: str, seconds: float, db: Path) -> dict[str, Any]:
    target = TARGETS[name]
    base = Path(tempfile.mkdtemp(prefix=f"atheris-{name}-"))
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "seed").write_bytes(target.seed())
    artifacts = OUT / name
    artifacts.mkdir(parents=True, exist_ok=True)
    count = base / "count"
    script = base / "child.py"
    script.write_text(
        CHILD.format(
            root=str(ROOT),
            name=name,
            db=str(db),
            work=str(base / "work"),
            count=str(count),
            corpus=str(corpus),
            seconds=int(seconds),
            artifacts=str(artifacts) + "/",
        )
    )
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=seconds + 300
    )
    took = time.perf_counter() - t0
    runs = 0
    for line in res.stderr.splitlines():  # libFuzzer: "stat::number_of_executed_units: N"
        if "number_of_executed_units" in line:
            runs = int(line.rsplit(":", 1)[1])
    if not runs and count.exists():
        runs = int(count.read_text() or 0)
    finding = None
    if res.returncode != 0:
        tail = [ln for ln in res.stderr.splitlines() if "Unclean" in ln or "Error" in ln]
        finding = (tail[-1] if tail else res.stderr[-400:]).strip()
    shutil.rmtree(base, ignore_errors=True)
    return {"runs": runs, "seconds": took, "finding": finding}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("targets", nargs="*", default=sorted(TARGETS))
    ap.add_argument("--seconds", type=float, default=60.0, help="per target and engine")
    ap.add_argument("--engine", choices=("both", "hypothesis", "atheris"), default="both")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: about 1 s per target, hypothesis only"
    )
    args = ap.parse_args()
    batch = 200
    if args.tiny:
        args.seconds, args.engine, batch = 1.0, "hypothesis", 5
    try:
        import atheris  # noqa: F401

        have_atheris = True
    except ImportError:
        have_atheris = False
    engines = ["hypothesis", "atheris"] if args.engine == "both" else [args.engine]
    if "atheris" in engines and not have_atheris:
        print("atheris is not installed (pip install atheris); running hypothesis only")
        engines = [e for e in engines if e != "atheris"]
    rows = []
    base = Path(tempfile.mkdtemp(prefix="derisk-fuzz-"))
    built = bundled_database(base / "derisk.duckdb")
    for name in args.targets:
        if name not in TARGETS:
            ap.error(f"unknown target {name!r}; one of {', '.join(sorted(TARGETS))}")
        row: dict[str, Any] = {"target": name}
        for engine in engines:
            db = base / f"{name}-{engine}.duckdb"
            shutil.copyfile(built, db)
            if engine == "hypothesis":
                row[engine] = run_hypothesis(name, args.seconds, db, batch)
            else:
                row[engine] = run_atheris(name, args.seconds, db)
            print(f"{name:20} {engine:10} {json.dumps(row[engine])}", file=sys.stderr)
        rows.append(row)
    shutil.rmtree(base, ignore_errors=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"\n{'target':20} " + " ".join(f"{e + ' runs':>16} {'runs/s':>8}" for e in engines)
              + ("  atheris/hypothesis" if len(engines) == 2 else "") + "  findings")  # fmt: skip
        for r in rows:
            cells = []
            rates = []
            for e in engines:
                x = r[e]
                rate = x["runs"] / x["seconds"] if x["seconds"] else 0.0
                rates.append(rate)
                cells.append(f"{x['runs']:>16} {rate:>8.1f}")
            ratio = f"  {rates[1] / rates[0]:>18.2f}" if len(rates) == 2 and rates[0] else ""
            found = "; ".join(f"{e}: {r[e]['finding']}" for e in engines if r[e]["finding"])
            print(f"{r['target']:20} " + " ".join(cells) + ratio + f"  {found or 'none'}")
    return 1 if any(r[e]["finding"] for r in rows for e in engines) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
