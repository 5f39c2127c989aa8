"""Every ``benchmarks/*.py`` runs as its docstring says, at its smoke size (``--tiny``).

Each benchmark found on disk must have an entry in :data:`SMOKE` (a new benchmark without one
fails ``test_benchmark_smoke``). The smoke run is ``python benchmarks/X.py --tiny`` (plus
``--json`` where the benchmark has it) in its own process, from the repository root, with a
fresh ``DERISK_DB``, ``HOME`` and temporary folder; it must exit 0 and its JSON must carry the
tiny sizes and sane timings. The runs are started together, a few at a time, when the first
test of this file needs one (most of a run is process start-up and Spark's JVM), and each test
waits for its own. Benchmarks that set up the bundled database copy the one the session built
(``DERISK_BENCH_BUNDLED_DB``, see ``benchmarks/benchlib``) instead of building their own.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz_targets import TARGETS

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
ON_DISK = sorted(p.name for p in BENCH.glob("*.py"))
TIMEOUT = 600  # seconds per benchmark: a hang fails the run, a loaded machine does not
WORKERS = 4


def _docstring(name: str) -> str:
    return ast.get_docstring(ast.parse((BENCH / name).read_text("utf-8"))) or ""


# --- what each smoke run must show ---------------------------------------------------------


def _allied(d: dict[str, Any]) -> None:
    assert (d["plants"], d["importers"], d["years"]) == (100, 10, 6)
    assert d["derisk_seconds_median_of_3"] >= 0 and d["peer_seconds_measured"] > 0
    assert d["peer_finished"] and d["max_abs_difference_club_secured"] < 1e-6


def _api_load(d: dict[str, Any]) -> None:
    assert (d["clients"], d["requests"]) == (2, 5)
    eps = {(r["endpoint"], r["server"]): r for r in d["rows"]}
    assert {"health", "overview", "exposure", "owners"} <= {e for e, _ in eps}
    for (_ep, server), r in eps.items():
        assert r["non_200"] == 0 and r["p50_ms"] > 0 and r["req_per_s"] > 0
        assert r["n"] == (10 if server == "cache on" else 2)


def _build_and_query(d: dict[str, Any]) -> None:
    assert d["repeat"] == 1 and d["overview_rows"] > 0
    for k in ("build_s", "peer_build_s", "overview_s", "peer_overview_s", "cli_overview_s"):
        assert d[k] > 0, k


def _certify(d: dict[str, Any]) -> None:
    # 1:100 tiers: 20 + 20 + 100 + 400 facilities and 200 product plants; links 20x10 +
    # 100x10 + 400x7 from the tiers, 200x6 into the product plants
    assert (d["products"], d["facilities"], d["links"]) == (200, 740, 5200)
    assert d["repeat"] == 1 and d["sample"] == 20 and d["batch_s"] > 0
    assert sum(d["verdict_counts"].values()) == 200 and d["peer_mismatches"] == 0
    assert all(v > 0 for v in d["peers_scaled_s"].values())


def _engines(rows: list[dict[str, Any]]) -> None:
    assert [r["case"].split(",")[0] for r in rows] == ["trade origins", "look-through"]
    for r in rows:
        for eng in ("local", "spark"):
            assert "error" not in r[eng], r[eng]
            assert r[eng]["seconds"] > 0 and r[eng]["result"]["engine"] == eng
        assert r["max_diff"] is not None and r["max_diff"] <= 1e-9
    assert rows[0]["local"]["result"]["commodity_years"] == 1
    assert rows[1]["stakes"] > 0 and rows[1]["local"]["result"]["held"] > 0


def _fuzz(rows: list[dict[str, Any]]) -> None:
    assert sorted(r["target"] for r in rows) == sorted(TARGETS)
    for r in rows:
        assert set(r) == {"target", "hypothesis"}  # hypothesis only
        h = r["hypothesis"]
        assert h["runs"] > 0 and h["seconds"] >= 1.0 and h["finding"] is None, r


def _hostile_files(d: dict[str, Any]) -> None:
    codes = {f["file"]: f["code"] for f in d["files"]}
    assert len(codes) == 3 and codes.pop("valid 3-row CSV (peer)") == 0
    assert all(c != 0 for c in codes.values()), codes
    assert all(f["seconds"] > 0 and f["peak_mb"] > 0 for f in d["files"])
    h = d["holdings"]
    assert h["asked"] == 5 and h["p95_s"] > 0 and h["truncated"]
    assert h["listed"] < h["total_holdings"] == h["ring"] - 1


def _monitor_impact(d: dict[str, Any]) -> None:
    assert (d["products"], d["links"], d["repeat"]) == (200, 5200, 1)
    assert d["baseline_answers"] == 200 and d["missed"] == 0
    assert d["downstream_products"] >= 1 and d["recomputed"] >= d["downstream_products"]
    assert d["impact_s"] > 0 and d["full_s"] > 0


def _news_eval(d: dict[str, Any]) -> None:
    assert d["articles"] > 0 and d["repeat"] == 1
    o = d["overall"]
    assert o["tp"] + o["fn"] == d["events"]
    assert d["articles_per_s"] > 0 and d["peer_articles_per_s"] > 0


def _news_dates_eval(d: dict[str, Any]) -> None:
    assert set(d) == {"derisk.news.dates", "dateparser.search_dates"}
    for r in d.values():
        assert r["cases"] == 6 and r["repeat"] == 1 and 0 <= r["right"] <= 6
        assert r["ms_per_sentence"] > 0


def _news_real_eval(d: dict[str, Any]) -> None:
    assert d["schema"] == "derisk.bench.news_real/1"
    assert d["split"] == "all" and d["articles"] == 4 and d["missing_articles"] == []
    o = d["overall"]
    assert o["tp"] + o["fn"] == 4  # the labelled events of the smoke corpus
    assert d["no_event_articles"] == 1
    th = d["throughput"]
    assert th["articles"] == 4 and th["repeat"] == 1 and th["median_s"] > 0


def _ownership(d: dict[str, Any]) -> None:
    (size,) = d["sizes"]
    assert size["n"] == 10_000 and size["stakes"] > size["n"]
    assert len(size["screen_runs"]) == 1 and size["screen_s"] > 0
    assert size["max_abs_diff"] < 1e-8
    assert d["networkx"] is None and d["load"] is None
    cli = d["cli"]
    assert cli["n"] == 10_000 and cli["derisk_s"] > 0 and cli["max_abs_diff"] < 1e-8


def _reroute_lp(d: dict[str, Any]) -> None:
    assert (d["nodes"], d["arcs"], d["repeat"]) == (502, 5000, 1)
    assert d["max_flow"] > 0 and d["blocked"] == 50
    assert len(d["measures"]) == 6
    assert all(m["wall_s"] > 0 and m["peer_s"] > 0 for m in d["measures"])


def _spark_components(d: dict[str, Any]) -> None:
    (row,) = d["rows"]
    assert 100 <= row["stakes"] <= 300 and row["components"] > 1
    for eng in ("local", "spark"):
        assert "error" not in row[eng], row[eng]
        assert row[eng]["seconds"] > 0 and row[eng]["engine"] == eng and row[eng]["held"] > 0
    assert row["spark"]["timings"]["buckets"] >= 1 and row["spark"]["timings"]["task_s"] > 0
    assert row["max_diff"] is not None and row["max_diff"] <= 1e-9
    assert d["projection"] is None  # the smoke size is too small to project from


def _trade(d: dict[str, Any]) -> None:
    assert (d["commodities"], d["countries"], d["repeat"]) == (50, 230, 1)
    assert d["flows"] > 0 and d["trace_batch_s"] > 0 and d["peer_s"] > 0
    assert d["max_abs_diff"] < 1e-9


def _trust_overhead(d: dict[str, Any]) -> None:
    assert d["repeat"] == 2 and len(d["requests"]) == 4
    assert all(v > 0 for r in d["requests"].values() for v in r.values())
    imp = d["import"]
    assert (imp["rows"], imp["rounds"]) == (1000, 1)
    assert imp["audit on"] > 0 and imp["audit off"] > 0


def _usgs_import(d: dict[str, Any]) -> None:
    assert (d["rows"], d["repeat"]) == (152, 1)  # one copy of the 152-row fixture
    assert d["production_facts"] > 0
    assert d["median_s"]["usgs-mcs"] > 0 and d["median_s"]["csv"] > 0


@dataclass(frozen=True)
class Smoke:
    check: Callable[[Any], None]
    json: str = "stdout"  # "stdout": --json prints it; "file": --json PATH writes it


SMOKE: dict[str, Smoke] = {
    "allied.py": Smoke(_allied),
    "api_load.py": Smoke(_api_load),
    "build_and_query.py": Smoke(_build_and_query),
    "certify.py": Smoke(_certify),
    "engines.py": Smoke(_engines, json="file"),
    "fuzz.py": Smoke(_fuzz),
    "hostile_files.py": Smoke(_hostile_files),
    "monitor_impact.py": Smoke(_monitor_impact),
    "news_dates_eval.py": Smoke(_news_dates_eval),
    "news_eval.py": Smoke(_news_eval),
    "news_real_eval.py": Smoke(_news_real_eval),
    "ownership.py": Smoke(_ownership, json="file"),
    "reroute_lp.py": Smoke(_reroute_lp),
    "spark_components.py": Smoke(_spark_components, json="file"),
    "trade.py": Smoke(_trade),
    "trust_overhead.py": Smoke(_trust_overhead),
    "usgs_import.py": Smoke(_usgs_import),
}
FIRST = (
    "engines.py",
    "spark_components.py",
    "api_load.py",
    "hostile_files.py",
)  # the longest start first


# --- running them --------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    code: int
    stdout: str
    stderr: str
    data: Any


def _run(name: str, work: Path, template: Path) -> Run:
    work.mkdir(parents=True)
    (work / "home").mkdir()
    (work / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DERISK_")}
    env.update(
        HOME=str(work / "home"),
        TMPDIR=str(work / "tmp"),
        DERISK_DB=str(work / "derisk.duckdb"),
        DERISK_BENCH_BUNDLED_DB=str(template),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]),
    )
    cmd = [sys.executable, f"benchmarks/{name}", "--tiny"]
    out_file = work / "out.json"
    smoke = SMOKE[name]
    cmd += ["--json", str(out_file)] if smoke.json == "file" else ["--json"]
    t0 = time.perf_counter()
    try:
        res = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        return Run(TIMEOUT, -1, str(exc.stdout or ""), f"timed out after {TIMEOUT} s", None)
    data = None
    if res.returncode == 0:
        text = out_file.read_text("utf-8") if smoke.json == "file" else res.stdout
        data = json.loads(text)
    return Run(time.perf_counter() - t0, res.returncode, res.stdout, res.stderr, data)


class Runs:
    """The smoke runs of the selected benchmarks, started together on a small pool."""

    def __init__(self, names: list[str], base: Path, template: Path) -> None:
        self.pool = ThreadPoolExecutor(max_workers=WORKERS)
        order = [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]
        self.futures: dict[str, Future[Run]] = {
            n: self.pool.submit(_run, n, base / n.removesuffix(".py"), template)
            for n in order
            if n in SMOKE
        }

    def result(self, name: str) -> Run:
        return self.futures[name].result()


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, built_db: Path
) -> Iterator[Runs]:
    names = sorted(
        {
            str(item.callspec.params["name"])
            for item in request.session.items
            if isinstance(item, pytest.Function)
            and item.module is request.module
            and hasattr(item, "callspec")
            and "name" in item.callspec.params
        }
    )
    r = Runs(names, tmp_path_factory.mktemp("bench-smoke"), built_db)
    yield r
    r.pool.shutdown(wait=True, cancel_futures=True)


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ON_DISK)
def test_benchmark_smoke(name: str, runs: Runs) -> None:
    if name not in SMOKE:
        pytest.fail(f"benchmarks/{name} has no smoke entry in {Path(__file__).name}")
    run = runs.result(name)
    print(f"benchmarks/{name} --tiny: {run.seconds:.1f} s")  # shown with -s or -rA
    assert run.code == 0, f"exit {run.code}\n{run.stderr[-3000:]}"
    SMOKE[name].check(run.data)


@pytest.mark.parametrize("name", ON_DISK)
def test_docstring_documents_the_smoke_run(name: str) -> None:
    doc = _docstring(name)
    assert f"python benchmarks/{name} --tiny" in doc, f"{name}: no `--tiny` run in its docstring"
    flag = "--json out.json" if SMOKE.get(name, Smoke(_trade)).json == "file" else "--json"
    assert f"python benchmarks/{name} --tiny {flag}" in doc, f"{name}: no `--tiny --json` run"
    assert "Run:" in doc


def test_every_benchmark_on_disk_has_a_smoke_entry() -> None:
    assert ON_DISK, "no benchmarks found"
    assert sorted(SMOKE) == ON_DISK


def test_no_benchmark_shadows_a_standard_library_module() -> None:
    names = {p.stem for p in BENCH.glob("*.py")} | {
        p.name for p in BENCH.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    assert names, "no benchmarks found"
    shadowing = sorted(n for n in names if n in sys.stdlib_module_names)
    assert shadowing == [], f"benchmarks named like standard-library modules: {shadowing}"
