"""Backup and restore of a DuckDB database file: a consistent copy with a manifest (schema
version, row counts and checksums of every known table), and a restore that cannot lose data
(see :func:`restore`). Opening copies of the file is engine work, so it lives in the store."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from derisk.errors import BadInputError
from derisk.model.record import JSONObject
from derisk.store import guard
from derisk.store.admin import transaction
from derisk.store.base import StoreError, first_row
from derisk.store.duck import SCHEMA_VERSION, DuckStore

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_SCHEMA = "derisk.backup-manifest/1"


def known_tables() -> list[str]:
    """Every table a derisk database of this version may hold (the only names restore reads)."""
    from derisk.model.schema import ROW_TYPES
    from derisk.model.trust import TRUST_TYPES

    return sorted(
        {c.Meta.table for c in (*ROW_TYPES, *TRUST_TYPES)} | {"schema_version", "dataset"}
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CopySummary:
    """What a backup or restore did: the files, and the schema version, missing tables and
    row counts of the checked copy (``manifest`` for a backup, ``previous`` for a restore)."""

    database: str
    backup: str
    manifest: str | None = None
    previous: str | None = None
    bytes: int | None = None
    schema_version: int
    missing_tables: tuple[str, ...]
    counts: Mapping[str, int]


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _table_facts(con: duckdb.DuckDBPyConnection) -> JSONObject:
    """Schema version, then row count and checksum of every known table of an open copy. Only
    known table names are read, quoted: a name in the file is never made into SQL. A table
    not known to this derisk is refused."""
    present = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    known = known_tables()
    unknown = sorted(present - set(known))
    if unknown:
        shown = ", ".join(repr(u[:60]) for u in unknown[:5])
        raise StoreError(f"the file holds tables derisk does not know ({shown}); not a backup")
    if "schema_version" not in present:
        raise StoreError("not a derisk database (no schema_version table)")
    row = first_row(con.execute("SELECT max(version) FROM schema_version"))
    version = int(row[0]) if row and row[0] is not None else 0
    tables: dict[str, dict[str, int | str]] = {}
    for t in known:
        if t not in present:
            continue
        n, digest = first_row(con.execute(f"SELECT count(*), bit_xor(hash(x)) FROM {_qi(t)} x"))
        tables[t] = {"rows": int(n), "checksum": str(digest or 0)}
    return {"schema_version": version, "tables": tables}


def _open_copy(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"{path} is not a derisk database: {exc}") from None


def _check_copy(path: Path) -> JSONObject:
    """Open a fresh copy of the database (replaying its WAL), check its schema and read every
    table: what the manifest records."""
    con = _open_copy(path, read_only=False)
    try:
        facts = _table_facts(con)
        if facts["schema_version"] > SCHEMA_VERSION:
            raise StoreError(
                f"{path} has schema version {facts['schema_version']}, newer than this derisk"
            )
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise StoreError(f"{path} cannot be read: {exc}") from None
    finally:
        con.close()
    return facts


def _counts(facts: JSONObject) -> dict[str, int]:
    return {t: int(v["rows"]) for t, v in facts["tables"].items()}


def _summary(facts: JSONObject, database: Path, backup: Path, **files: Any) -> CopySummary:
    return CopySummary(
        database=str(database),
        backup=str(backup),
        schema_version=int(facts["schema_version"]),
        missing_tables=tuple(t for t in known_tables() if t not in facts["tables"]),
        counts=_counts(facts),
        **files,
    )


def _lock(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open {path}: {exc}. Another process (a writable `derisk serve`?) holds "
            "it; stop it first"
        ) from None


def backup(db: Path, out: Path) -> CopySummary:
    """Copy the database to ``out`` consistently: while a read-only hold keeps writers out,
    copy the file and its WAL, then open the copy (folding the WAL in) and check it."""
    if not db.exists():
        raise StoreError(f"no database at {db}")
    if out.exists():
        raise BadInputError(f"{out} exists; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    wal = Path(str(db) + ".wal")
    hold = _lock(db, read_only=True)
    try:
        shutil.copyfile(db, tmp)
        if wal.exists():
            shutil.copyfile(wal, Path(str(tmp) + ".wal"))
    finally:
        hold.close()
    manifest_path = Path(str(out) + MANIFEST_SUFFIX)
    try:
        facts = _check_copy(tmp)
        manifest = {
            "schema": MANIFEST_SCHEMA,
            "file": out.name,
            "bytes": tmp.stat().st_size,
            "sha256": _sha256(tmp),
            "duckdb": duckdb.__version__,
            "created_at": guard.now(),
            **facts,
        }
        part = Path(str(manifest_path) + ".partial")
        part.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, out)
        os.replace(part, manifest_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        Path(str(manifest_path) + ".partial").unlink(missing_ok=True)
        raise
    return _summary(facts, db, out, manifest=str(manifest_path), bytes=out.stat().st_size)


def _verify(path: Path, manifest: JSONObject, *, same_engine: bool) -> JSONObject:
    """Open ``path`` read-only and compare it with the manifest (schema version, tables, row
    counts, checksums when the DuckDB version is the manifest's)."""
    con = _open_copy(path, read_only=True)
    try:
        facts = _table_facts(con)
    except duckdb.Error as exc:
        raise StoreError(f"{path} cannot be read: {exc}") from None
    finally:
        con.close()
    if facts["schema_version"] != manifest.get("schema_version"):
        raise StoreError(
            f"schema version {facts['schema_version']} differs from the manifest's "
            f"{manifest.get('schema_version')}"
        )
    if facts["schema_version"] > SCHEMA_VERSION:
        raise StoreError(f"schema version {facts['schema_version']} is newer than this derisk")
    want: Mapping[str, JSONObject] = manifest.get("tables") or {}
    if set(want) != set(facts["tables"]):
        raise StoreError(
            f"tables differ from the manifest: {sorted(set(want) ^ set(facts['tables']))}"
        )
    for t, got in facts["tables"].items():
        if got["rows"] != want[t].get("rows"):
            raise StoreError(f"table {t}: {got['rows']} rows, the manifest says {want[t]['rows']}")
        if same_engine and got["checksum"] != want[t].get("checksum"):
            raise StoreError(f"table {t}: checksum differs from the manifest")
    core = ("source", "entity", "stake", "dataset", "dataset_access", "app_user", "audit_log")
    missing = [t for t in core if t not in facts["tables"]]
    if missing:  # tables registered later are created on open; these every version has
        raise StoreError(f"not a complete derisk database: no table(s) {', '.join(missing)}")
    return facts


def restore(db: Path, src: Path, manifest_path: Path | None = None) -> CopySummary:
    """Replace the database with the backup ``src`` without any way to lose data.

    1. The manifest (``<backup>.manifest.json``, written by :func:`backup`) must be there and
       match the file's size and SHA-256: a truncated or altered backup is refused.
    2. The backup is copied next to the database, and the copy is opened read-only and checked
       against the manifest: schema version, the table set (known names only, read quoted),
       row counts and per-table checksums.
    3. The current database is kept as ``<db>.pre-restore``; the copy is renamed over the
       database (atomic), opened and checked again; if that fails, the previous database is
       put back. Nothing changes if any step fails.
    """
    if not src.exists():
        raise StoreError(f"no backup at {src}")
    manifest_path = manifest_path or Path(str(src) + MANIFEST_SUFFIX)
    if not manifest_path.exists():
        raise StoreError(
            f"no manifest at {manifest_path}: only a backup written by `derisk db backup` "
            "(file and manifest) can be restored"
        )
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{manifest_path} is not a backup manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        raise StoreError(f"{manifest_path} is not a backup manifest ({MANIFEST_SCHEMA})")
    size = src.stat().st_size
    if size != manifest.get("bytes") or _sha256(src) != manifest.get("sha256"):
        raise StoreError(
            f"{src} does not match its manifest ({size:,} bytes; the manifest says "
            f"{manifest.get('bytes')!r}): the backup is incomplete or changed"
        )
    same_engine = manifest.get("duckdb") == duckdb.__version__
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(f".{db.name}.restoring")
    previous = db.with_name(db.name + ".pre-restore")
    shutil.copyfile(src, tmp)
    try:
        if _sha256(tmp) != manifest["sha256"]:
            raise StoreError(f"the copy of {src} differs from it; not restoring")
        facts = _verify(tmp, manifest, same_engine=same_engine)
        if db.exists():
            hold = _lock(db, read_only=False)  # no one else may hold it; checkpoints the WAL
            hold.execute("CHECKPOINT")
            hold.close()
            if Path(str(db) + ".wal").exists():
                raise StoreError(f"{db}.wal is still there after a checkpoint; not restoring")
            shutil.copyfile(db, previous)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    os.replace(tmp, db)
    try:
        _verify(db, manifest, same_engine=same_engine)
        store = DuckStore(db)
        with store, transaction(store) as (con, txn):
            guard.record(con, txn, "restore", after={"from": str(src), **_counts(facts)})
    except BaseException:
        if previous.exists():
            os.replace(previous, db)  # put the previous database back
        else:
            db.unlink(missing_ok=True)
        raise
    return _summary(facts, db, src, previous=str(previous) if previous.exists() else None)


__all__ = ["MANIFEST_SCHEMA", "MANIFEST_SUFFIX", "CopySummary", "backup", "known_tables", "restore"]
