"""What trust costs: request latency in multi-user mode against the local mode, building the
visibility views of a cursor, and the audit log on a large import.

Run::

    python benchmarks/trust_overhead.py [--repeat 40]   # 200,000-row import, 3 rounds
    python benchmarks/trust_overhead.py --tiny    # smoke: 2 repeats, 1,000 rows, one round
    python benchmarks/trust_overhead.py --tiny --json    # the same, results as JSON

Requests go through the app in-process (no network) with the answer cache off, on the
bundled data with two organisations' private datasets loaded. Peers, measured in the same
run: the local single-user mode (no token, no views), and an import with the audit hook
replaced by a no-op.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import bundled_database  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from tests.trust_fixtures import build  # noqa: E402

from derisk.api import create_app  # noqa: E402
from derisk.data.loader import import_csv  # noqa: E402
from derisk.model.trust import Principal, Role  # noqa: E402
from derisk.store import DuckStore, guard  # noqa: E402

URLS = ("/api/overview", "/api/exposure/antimony", "/api/sources", "/api/owners/mp-materials")


def _median_ms(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: 2 repeats, 1,000 rows, one round"
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    rows, rounds = 200_000, 3
    if args.tiny:
        args.repeat, rows, rounds = 2, 1_000, 1
    say = (lambda *a, **k: print(*a, **k, file=sys.stderr)) if args.json else print
    out: dict[str, Any] = {"repeat": args.repeat, "requests": {}}
    tmp = Path(tempfile.mkdtemp(prefix="derisk-trust-bench-"))
    base = bundled_database(tmp / "bundled.duckdb")
    env = build(tmp / "two.duckdb", base, ("acme", "beta", "ops"))

    say(f"{'request':28} {'local ms':>9} {'admin ms':>9} {'org user ms':>12} {'ratio':>6}")
    local = TestClient(create_app(env.path, cache_size=0))
    multi = TestClient(create_app(env.path, cache_size=0, multi_user=True))
    root = {"Authorization": f"Bearer {env.tokens['root']}"}
    bev = {"Authorization": f"Bearer {env.tokens['bev']}"}
    for url in URLS:
        for c, h in ((local, {}), (multi, root), (multi, bev)):
            assert c.get(url, headers=h).status_code in (200, 404)
        a = _median_ms(lambda u=url: local.get(u), args.repeat)
        b = _median_ms(lambda u=url: multi.get(u, headers=root), args.repeat)
        c_ = _median_ms(lambda u=url: multi.get(u, headers=bev), args.repeat)
        out["requests"][url] = {"local_ms": a, "admin_ms": b, "org_user_ms": c_}
        say(f"{url:28} {a:9.2f} {b:9.2f} {c_:12.2f} {c_ / a:6.2f}")

    with DuckStore(env.path, read_only=True) as store:
        who = Principal("bev", Role.VIEWER, "beta")
        plain = _median_ms(lambda: store.con.cursor().close(), args.repeat)

        def scoped() -> None:
            cur = store.con.cursor()
            guard.apply_scope(cur, who)
            cur.close()

        views = _median_ms(scoped, args.repeat)
    out["cursor_ms"], out["cursor_with_views_ms"] = plain, views
    say(f"\nnew cursor {plain:.2f} ms; with visibility views {views:.2f} ms (reused per user)")

    big = tmp / "trade.csv"
    with big.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["fact_id", "reporter", "partner", "flow", "hs_code", "year", "source_id"])
        for i in range(rows):
            w.writerow([f"b{i}", "USA", "CHN", "import", f"{i:06d}", 2020,
                        "usgs-mcs2026-antimony"])  # fmt: skip
    runs: dict[str, list[float]] = {"audit off": [], "audit on": []}
    real = guard.audit_insert
    for _ in range(rounds):  # alternate, take medians: the machine is shared
        for label, hook in (("audit off", lambda *a, **k: None), ("audit on", real)):
            db = tmp / f"{label}.duckdb"
            db.write_bytes(base.read_bytes())
            guard.audit_insert = hook  # type: ignore[assignment]
            try:
                with DuckStore(db) as s:
                    t0 = time.perf_counter()
                    import_csv(s, "trade", big, dataset="big")
                    runs[label].append(time.perf_counter() - t0)
            finally:
                guard.audit_insert = real
    times = {k: statistics.median(v) for k, v in runs.items()}
    ratio = times["audit on"] / times["audit off"]
    shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        out["import"] = {"rows": rows, "rounds": rounds, **times, "ratio": ratio}
        print(json.dumps(out, indent=1))
        return
    print(
        f"import of {rows:,} trade rows: {times['audit off']:.2f} s without the audit log, "
        f"{times['audit on']:.2f} s with it (ratio {ratio:.2f})"
    )


if __name__ == "__main__":
    main()
