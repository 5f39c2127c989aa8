"""HTTP API under load: 50 concurrent clients on loopback against `derisk serve`.

Each client sends its requests one after another (closed loop) for a fixed count (200 each; 40
for the uncached peer); latency is measured per request from send to full body. Endpoints:
overview (three selections), exposure (every material, with the US as importer) and owners
(every entity that has holders).

Peers measured in the same run, on the same data and the same client:
* `health`: the cheapest endpoint (no database work): the floor set by HTTP and the client.
* `cache off`: the same endpoints on a server started with `--cache-size 0`, every answer
  computed from the database.

Target (issue 8): p95 < 100 ms for overview, exposure and owners with 50 concurrent clients.

Run::

    python benchmarks/api_load.py [--clients 50] [--requests 200]
    python benchmarks/api_load.py --tiny    # smoke: 2 clients x 5 requests, 10 owners
    python benchmarks/api_load.py --tiny --json    # the same, results as JSON

``--tiny`` sends 5 requests per client (1 to the uncached server) from 2 clients and asks
``owners`` for the first 10 entities only (every target is first asked once, to warm up).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from benchlib import bundled_database

from derisk.model.catalog import load_catalog
from derisk.store import DuckStore

TIME_LIMIT = 120.0  # seconds per scenario, whatever the counts
TINY_OWNERS = 10  # --tiny: owners of the first 10 entities (of ~200)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, cache_size: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).parent / "derisk"
    cmd = [str(exe), "serve", "--db", str(db), "--port", str(port)]
    cmd += ["--cache-size", str(cache_size)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded machine starts the server slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def urls(endpoint: str, owners: list[str]) -> list[str]:
    mats = load_catalog().ids()
    if endpoint == "health":
        return ["/api/health"]
    if endpoint == "overview":
        return ["/api/overview", "/api/overview?group=covered", "/api/overview?countries=CHN,RUS"]
    if endpoint == "exposure":
        return [f"/api/exposure/{m}?importer=USA" for m in mats]
    if endpoint == "owners":
        return [f"/api/owners/{quote(e, safe='')}" for e in owners]  # ids may be non-ASCII
    raise ValueError(endpoint)


async def _client(
    host: str, port: int, targets: list[str], n: int, lat: list[float], stop: float
) -> int:
    """One keep-alive HTTP/1.1 connection sending ``n`` GETs in turn; returns non-200 count."""
    reader, writer = await asyncio.open_connection(host, port)
    bad = 0
    try:
        for k in range(n):
            if time.monotonic() > stop:
                break
            path = targets[k % len(targets)]
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            bad += status != 200
    finally:
        writer.close()
    return bad


async def load(
    base: str, targets: list[str], clients: int, per_client: int
) -> tuple[list[float], int, float]:
    """Latencies (s) of clients x per_client requests, non-200 answers, and wall time (s).

    The client is a minimal asyncio HTTP/1.1 one (keep-alive, Content-Length bodies): a
    general-purpose async client costs more CPU per request than the server does here, and on
    two cores it would measure itself.
    """
    host, port = base.removeprefix("http://").split(":")
    lat: list[float] = []
    stop = time.monotonic() + TIME_LIMIT
    # warm-up: every target once (fills the cache of a caching server)
    await _client(host, int(port), targets, len(targets), [], stop)
    offsets = [targets[i % len(targets) :] + targets[: i % len(targets)] for i in range(clients)]
    t0 = time.perf_counter()
    bads = await asyncio.gather(
        *(_client(host, int(port), offsets[i], per_client, lat, stop) for i in range(clients))
    )
    return lat, sum(bads), time.perf_counter() - t0


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1]


def owners_available(base: str) -> list[str]:
    spec = httpx.get(base + "/openapi.json", timeout=60).json()
    if not any(p.startswith("/api/owners") for p in spec["paths"]):
        return []
    with DuckStore(DB, read_only=True) as store:
        rows = store.sql("SELECT DISTINCT owned_id FROM stake ORDER BY 1")
    return [r[0] for r in rows]


DB = Path(tempfile.mkdtemp()) / "load.duckdb"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200, help="requests per client")
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run: 2 clients x 5 requests, 10 owners"
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    if args.tiny:
        args.clients, args.requests = 2, 5
    say = (lambda *a, **k: print(*a, **k, file=sys.stderr)) if args.json else print
    bundled_database(DB)
    say(
        f"{args.clients} concurrent clients x {args.requests} requests each, loopback, "
        f"{os.cpu_count()} cores"
    )
    rows = []
    for label, cache in (("cache on", 2048), ("cache off", 0)):
        proc, base = start_server(DB, cache)
        try:
            owners = owners_available(base)
            if args.tiny:  # every target is warmed up once: the first few owners are enough
                owners = owners[:TINY_OWNERS]
            endpoints = ["health", "overview", "exposure"] + (["owners"] if owners else [])
            for ep in endpoints:
                if ep == "health" and cache == 0:
                    continue
                targets = urls(ep, owners)
                # the uncached peer is ~100x slower: a fifth of the requests keeps the run short
                n = args.requests if cache else max(1, args.requests // 5)
                lat, bad, wall = asyncio.run(load(base, targets, args.clients, n))
                ms = [x * 1000 for x in lat]
                rows.append(
                    (
                        ep,
                        label,
                        len(ms),
                        bad,
                        statistics.median(ms),
                        pct(ms, 95),
                        pct(ms, 99),
                        len(ms) / wall,
                    )
                )
        finally:
            proc.terminate()
            proc.wait(10)
    shutil.rmtree(DB.parent, ignore_errors=True)
    if args.json:
        keys = ("endpoint", "server", "n", "non_200", "p50_ms", "p95_ms", "p99_ms", "req_per_s")
        out = {
            "clients": args.clients,
            "requests": args.requests,
            "rows": [dict(zip(keys, r, strict=True)) for r in rows],
        }
        print(json.dumps(out, indent=1))
        return
    floor = next(r for r in rows if r[0] == "health")
    print(
        f"\n{'endpoint':<10} {'server':<10} {'n':>6} {'non-200':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p95/health':>10} {'target':>8}"
    )
    for ep, label, n, bad, p50, p95, p99, rps in rows:
        ratio = p95 / floor[5]
        ok = "" if ep == "health" else ("met" if p95 < 100 else "MISSED")
        if label == "cache off" and ep != "health":
            ok = "(peer)"
        print(
            f"{ep:<10} {label:<10} {n:>6} {bad:>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
            f"{rps:>8.0f} {ratio:>10.2f} {ok:>8}"
        )
    on = {r[0]: r for r in rows if r[1] == "cache on"}
    off = {r[0]: r for r in rows if r[1] == "cache off"}
    for ep in off:
        print(f"{ep}: cache off / cache on p95 = {off[ep][5] / on[ep][5]:.1f}x")


if __name__ == "__main__":
    main()
