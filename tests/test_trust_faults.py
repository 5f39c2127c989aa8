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
            "datasets": sorted((d.name, d.rows or 0) for d in st.datasets),
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
    good = tmp_path / "good.duckdb"
    trust.backup(fresh_db, good)
    manifest = json.loads(Path(str(good) + trust.MANIFEST_SUFFIX).read_text())
    assert manifest["tables"]["source"]["rows"] > 0 and manifest["sha256"]

    def refused(src: Path, match: str, manifest_path: Path | None = None) -> None:
        res = subprocess.run(
            [DERISK, "db", "restore", str(src), "--db", str(fresh_db), "--yes", "--json"]
            + (["--manifest", str(manifest_path)] if manifest_path else []),
            capture_output=True,
            text=True,
        )
        assert res.returncode != 0, res.stdout
        assert match in res.stdout + res.stderr, res.stdout + res.stderr
        assert fresh_db.read_bytes() == before
        assert not list(tmp_path.glob(".*restoring*"))
        with DuckStore(fresh_db, read_only=True) as store:  # still opens, same data
            assert (
                store.sql("SELECT count(*) FROM source")[0][0]
                == manifest["tables"]["source"]["rows"]
            )

    # half of a backup, with its manifest
    half = tmp_path / "half.duckdb"
    half.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(half, "does not match its manifest", Path(str(good) + trust.MANIFEST_SUFFIX))
    # a file without a manifest; not a database at all
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    refused(bad, "no manifest")
    # a database holding only schema_version, with a manifest that describes it honestly
    import duckdb

    only = tmp_path / "only.duckdb"
    con = duckdb.connect(str(only))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
    con.execute("INSERT INTO schema_version VALUES (1, now())")
    con.close()
    _forge_manifest(only)
    refused(only, "not a complete derisk database")
    # a table name that is SQL: never executed, refused as unknown
    evil = tmp_path / "evil.duckdb"
    shutil.copyfile(good, evil)
    marker = tmp_path / "pwned.csv"
    name = f"x\"; COPY (SELECT 1) TO '{marker}'; --"
    con = duckdb.connect(str(evil))
    con.execute(f'CREATE TABLE "{name.replace(chr(34), chr(34) * 2)}" (x INTEGER)')
    con.close()
    _forge_manifest(evil, manifest["tables"])  # the honest one would name the table
    refused(evil, "tables derisk does not know")
    assert not marker.exists()


def _forge_manifest(path: Path, tables: dict[str, Any] | None = None) -> None:
    """A manifest that matches the file byte for byte (as an attacker with the file could
    write): restore must still check what the file holds."""
    import hashlib

    import duckdb

    from derisk.store.backup import _table_facts

    if tables is None:
        con = duckdb.connect(str(path), read_only=True)
        tables = _table_facts(con)["tables"]
        con.close()
    data = path.read_bytes()
    Path(str(path) + trust.MANIFEST_SUFFIX).write_text(
        json.dumps(
            {
                "schema": trust.MANIFEST_SCHEMA,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "duckdb": duckdb.__version__,
                "schema_version": 1,
                "tables": tables,
            }
        )
    )


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
