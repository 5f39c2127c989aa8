"""Faults: a process killed in the middle of a large import, readers during a write, backup
and restore.

A child process imports 200,000 trade rows through ``load_rows`` (the atomic path of every
importer) and is killed with SIGKILL while it writes (it says when its write transaction has
begun; the kill follows after various delays); a whole ``derisk import csv`` run of the same
rows is killed at a random moment. After each kill the store opens, holds
exactly what it held before (or, if the kill came after the commit, the whole import), and
the same import run again succeeds.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from derisk.api import create_app
from derisk.services import trust
from derisk.store import DuckStore, StoreError
from tests.web_server import running_app

ROWS = 200_000
ISO = ("USA", "DEU", "FRA", "JPN", "KOR", "CHN", "CAN", "AUS", "BRA", "IND")
DERISK = str(Path(sys.executable).with_name("derisk"))


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "trade.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["fact_id", "reporter", "partner", "flow", "hs_code", "year", "source_id", "value_usd"]
        )
        for i in range(ROWS):
            w.writerow(
                [
                    f"big-{i}",
                    ISO[i % 10],
                    ISO[(i // 10) % 10],
                    "import",
                    f"{i // 100:06d}",
                    2020,
                    "usgs-mcs2026-antimony",
                    float(i),
                ]
            )
    return path


def _state(path: Path) -> dict[str, Any]:
    """Row counts of every table, the datasets and the audit log size, after reopening."""
    with DuckStore(path) as store:  # writable: replays the WAL as a restarted server would
        st = store.status()
        audit = store.sql("SELECT count(*) FROM audit_log")[0][0]
        return {
            "counts": st.counts,
            "datasets": sorted((d["name"], d["rows"]) for d in st.datasets),
            "audit": audit,
        }


CHILD = textwrap.dedent(
    """
    import sys
    from contextlib import contextmanager
    from derisk.data.loader import load_rows
    from derisk.model.schema import Trade
    from derisk.store import DuckStore

    ISO = ("USA", "DEU", "FRA", "JPN", "KOR", "CHN", "CAN", "AUS", "BRA", "IND")
    rows = [
        Trade(fact_id=f"big-{i}", reporter=ISO[i % 10], partner=ISO[(i // 10) % 10],
              flow="import", hs_code=f"{i // 100:06d}", year=2020,
              source_id="usgs-mcs2026-antimony", value_usd=float(i))
        for i in range(int(sys.argv[2]))
    ]

    class Announcing(DuckStore):
        @contextmanager
        def writer(self, dataset="user"):
            with super().writer(dataset) as w:
                print("WRITING", flush=True)
                yield w

    with Announcing(sys.argv[1]) as store:  # the path every importer takes: load_rows
        load_rows(store, {"trade.csv": rows}, dataset="big", origin="kill test", replace=True)
    print("DONE", flush=True)
    """
)


def _import_again_and_check(db: Path, big_csv: Path, before: dict[str, Any]) -> None:
    res = subprocess.run(
        [
            DERISK,
            "import",
            "csv",
            "trade",
            str(big_csv),
            "--dataset",
            "big",
            "--replace",
            "--db",
            str(db),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["rows"] == {"trade": ROWS}
    after = _state(db)
    assert after["counts"]["trade"] == before["counts"]["trade"] + ROWS
    assert ("big", ROWS) in after["datasets"]


@pytest.mark.slow
def test_sigkill_while_writing_leaves_the_store_consistent(
    fresh_db: Path, big_csv: Path, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    before = _state(fresh_db)
    killed_in_write = 0
    for delay in (0.0, 0.4):
        db = tmp_path / f"k{delay}.duckdb"
        shutil.copyfile(fresh_db, db)
        child = subprocess.Popen(
            [sys.executable, str(script), str(db), str(ROWS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "WRITING", line
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        rest = child.stdout.read()
        child.stdout.close()
        killed_in_write += "DONE" not in rest
        assert _state(db) == before or "DONE" in rest  # nothing of the killed import is left
    assert killed_in_write == 2  # the kills did land inside the write transaction
    _import_again_and_check(db, big_csv, before)  # and the same import simply runs again


@pytest.mark.slow
def test_sigkill_at_random_moments_of_a_cli_import(
    fresh_db: Path, big_csv: Path, tmp_path: Path
) -> None:
    before = _state(fresh_db)
    delay = random.Random().uniform(1.0, 6.0)  # parse, validate, write or commit
    child = subprocess.Popen(
        [DERISK, "import", "csv", "trade", str(big_csv), "--dataset", "big", "--db", str(fresh_db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    code = child.wait(timeout=30)
    state = _state(fresh_db)
    if code == -signal.SIGKILL:
        assert state == before, f"killed after {delay:.2f} s"
    else:  # finished before the kill: all of it is there
        assert state["counts"]["trade"] == before["counts"]["trade"] + ROWS


def test_readers_keep_working_during_a_long_write(fresh_db: Path, big_csv: Path) -> None:
    """The server holds the one writable connection: reads run on their own cursors while
    an upload of 200,000 rows is written, and see the data before it until the commit."""
    app = create_app(fresh_db, writable=True, cache_size=0)
    body = big_csv.read_bytes()
    with running_app(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        first = client.get("/api/overview").json()
        done = threading.Event()
        result: dict[str, Any] = {}

        def upload() -> None:
            r = httpx.post(
                base + "/api/imports/trade?dataset=big",
                content=body,
                headers={"content-type": "text/csv"},
                timeout=300,
            )
            result["status"] = r.status_code
            done.set()

        t = threading.Thread(target=upload)
        t.start()
        reads = 0
        seen_rows: set[Any] = set()
        while not done.is_set():
            r = client.get("/api/overview")
            assert r.status_code == 200
            assert r.json() == first
            ds = {d["dataset"]: d["rows"] for d in client.get("/api/datasets").json()["datasets"]}
            seen_rows.add(ds.get("big"))
            reads += 1
        t.join()
        assert result["status"] == 200
        assert reads >= 3  # reads were answered while the write ran
        assert seen_rows <= {None, ROWS}  # never a partial import
        ds = {d["dataset"]: d["rows"] for d in client.get("/api/datasets").json()["datasets"]}
        assert ds["big"] == ROWS


def test_backup_and_restore(fresh_db: Path, tmp_path: Path) -> None:
    with DuckStore(fresh_db) as store:
        trust.add_org(store, "acme")
    before = _state(fresh_db)
    out = tmp_path / "backup.duckdb"
    res = subprocess.run(
        [DERISK, "db", "backup", str(out), "--db", str(fresh_db), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(res.stdout)
    assert info["schema"] == "derisk.backup/1" and info["counts"]["organisation"] == 1
    with pytest.raises(ValueError):  # never overwrites
        trust.backup(fresh_db, out)
    # change the live database, then restore: back to the backed-up state (+ one audit entry)
    with DuckStore(fresh_db) as store:
        trust.add_org(store, "beta")
    res = subprocess.run(
        [DERISK, "db", "restore", str(out), "--db", str(fresh_db), "--yes", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    after = _state(fresh_db)
    assert after["counts"] == before["counts"] and after["datasets"] == before["datasets"]
    assert after["audit"] == before["audit"] + 1
    with DuckStore(fresh_db) as store:
        assert store.sql("SELECT org_id FROM organisation") == [("acme",)]
        assert store.sql("SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1") == [
            ("restore",)
        ]


def test_restore_refuses_a_bad_file_and_changes_nothing(fresh_db: Path, tmp_path: Path) -> None:
    before = fresh_db.read_bytes()
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError):
        trust.restore(fresh_db, bad)
    assert fresh_db.read_bytes() == before
    assert not list(tmp_path.glob(".*restoring*"))
    other = tmp_path / "other.duckdb"
    import duckdb

    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    with pytest.raises(StoreError, match="not a derisk database"):
        trust.restore(fresh_db, other)
    assert fresh_db.read_bytes() == before


def test_backup_refuses_while_a_writer_holds_the_database(fresh_db: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "time.sleep(30)",
            str(fresh_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match="holds it"):
            trust.backup(fresh_db, tmp_path / "b.duckdb")
        assert not (tmp_path / "b.duckdb").exists()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    assert os.path.exists(fresh_db)
