"""The embedded DuckDB store."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from derisk.model.schema import ROW_TYPES, TABLES, TableMeta, columns
from derisk.model.trust import TRUST_TYPES, Principal
from derisk.store import guard
from derisk.store.base import (
    DatasetStatus,
    IdConflict,
    Store,
    StoreError,
    StoreStatus,
    Writer,
    first_row,
    id_conflict_message,
)
from derisk.store.prepared import PreparedCache

T = TypeVar("T")

SCHEMA_VERSION = 1


def _arrow_types() -> dict[type[Any], Any]:
    import pyarrow as pa  # imported on first write: keeps read-only commands quick to start

    return {
        str: pa.string(),
        int: pa.int64(),
        float: pa.float64(),
        bool: pa.bool_(),
        dt.date: pa.date32(),
    }


def _q(name: str) -> str:
    """A quoted SQL identifier (column names may be keywords such as ``right``)."""
    return '"' + name.replace('"', '""') + '"'


def ddl(row_type: type[Any]) -> str:
    """``CREATE TABLE`` statement for a row type (its columns from :func:`columns`)."""
    meta: TableMeta = row_type.Meta
    cols = [
        f"{_q(c.name)} {c.sql_type}{'' if c.nullable else ' NOT NULL'}" for c in columns(row_type)
    ]
    return f"CREATE TABLE IF NOT EXISTS {meta.table} (\n  " + ",\n  ".join(cols) + "\n)"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every registered table that is missing (additive; safe to run on each open)."""
    for cls in ROW_TYPES:
        con.execute(ddl(cls))
        con.execute(
            f"ALTER TABLE {cls.Meta.table} ADD COLUMN IF NOT EXISTS dataset VARCHAR DEFAULT 'user'"
        )
    for cls in TRUST_TYPES:  # users, tokens, dataset access, audit log: no dataset column
        con.execute(ddl(cls))


def missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    have = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    return [cls.Meta.table for cls in (*ROW_TYPES, *TRUST_TYPES) if cls.Meta.table not in have]


def drifted_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Existing tables whose columns differ from the model's (``dataset`` aside)."""
    have: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall():
        have.setdefault(table, set()).add(column)
    out = []
    for cls in ROW_TYPES:
        cols = have.get(cls.Meta.table)
        if cols is None:
            continue
        want = {c.name for c in columns(cls)}
        if not want <= cols:
            out.append(cls.Meta.table)
    return out


def _migration_1(con: duckdb.DuckDBPyConnection) -> None:
    ensure_tables(con)
    con.execute(
        "CREATE TABLE IF NOT EXISTS dataset (name VARCHAR PRIMARY KEY, origin VARCHAR, "
        "rows INTEGER, loaded_at TIMESTAMP)"
    )


MIGRATIONS: dict[int, Any] = {1: _migration_1}
"""Schema migrations: version -> function applying it. Each runs inside a transaction."""


class _DuckWriter(Writer):
    """Writes to the stored tables (``<db>.main.<table>``, past any visibility view) and
    records each change in the audit log (:mod:`derisk.store.guard`) in the same transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection, dataset: str) -> None:
        self.con = con
        self.dataset = dataset
        self.txn = guard.new_txn()
        self.replaced = False

    def add(self, rows: Sequence[Any]) -> int:
        """Append rows of one type: columns go to DuckDB as one Arrow table (fast bulk path)."""
        if not rows:
            return 0
        import pyarrow as pa

        types = _arrow_types()
        cls = type(rows[0])
        table = cls.Meta.table
        cols = columns(cls)
        arrays = [pa.array([getattr(r, c.name) for r in rows], type=types[c.py_type]) for c in cols]
        arrays.append(pa.array([self.dataset] * len(rows), type=pa.string()))
        batch = pa.table(arrays, names=[c.name for c in cols] + ["dataset"])
        view = f"_derisk_add_{table}"
        self.con.register(view, batch)
        try:
            if len(cls.Meta.key) == 1:
                self._check_ids(table, cls.Meta.key[0], view)
            names = ", ".join(_q(c.name) for c in cols)
            self.con.execute(
                f"INSERT INTO {guard.qualified(self.con, table)} ({names}, dataset) "
                f"SELECT {names}, dataset FROM {view}"
            )
        finally:
            with contextlib.suppress(duckdb.Error):  # an aborted transaction keeps its own error
                self.con.unregister(view)
        guard.audit_insert(self.con, self.txn, self.dataset, rows)
        return len(rows)

    def _check_ids(self, table: str, column: str, view: str) -> None:
        """Refuse ids already stored (in any dataset) or repeated in the batch."""
        k = _q(column)
        dup = self.con.execute(
            f"SELECT {k} FROM {view} GROUP BY {k} HAVING count(*) > 1 ORDER BY 1 LIMIT 5"
        ).fetchall()
        taken = self.con.execute(
            f"SELECT DISTINCT v.{k} FROM {view} v JOIN {guard.qualified(self.con, table)} t "
            f"ON t.{k} = v.{k} ORDER BY 1 LIMIT 5"
        ).fetchall()
        ids = sorted({r[0] for r in (*dup, *taken)}, key=str)
        if ids:
            raise IdConflict(id_conflict_message(table, column, ids))

    def delete_dataset(self, dataset: str) -> int:
        guard.check_write(self.con, dataset, replace=True)
        before = guard.dataset_snapshot(self.con, dataset)
        n = 0
        for cls in ROW_TYPES:
            res = first_row(
                self.con.execute(
                    f"DELETE FROM {guard.qualified(self.con, cls.Meta.table)} WHERE dataset = ?",
                    [dataset],
                )
            )
            n += int(res[0]) if res else 0
        # the load record stays: the replacing import rewrites it (record_dataset)
        if n:
            guard.record(
                self.con, self.txn, "delete-dataset", dataset=dataset, rows=n, before=before
            )
        return n

    def record_dataset(self, dataset: str, origin: str, rows: int) -> None:
        """Record the dataset's origin and its total row count (over every table)."""
        if dataset != self.dataset:
            guard.check_write(self.con, dataset)
        before = guard.dataset_record(self.con, dataset)
        rows = 0
        for cls in ROW_TYPES:
            res = first_row(
                self.con.execute(
                    f"SELECT count(*) FROM {guard.qualified(self.con, cls.Meta.table)} "
                    "WHERE dataset = ?",
                    [dataset],
                )
            )
            rows += int(res[0]) if res else 0
        table = guard.qualified(self.con, "dataset")
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # update in place: deleting and re-inserting a primary key in one transaction trips
        # DuckDB 1.1's over-eager constraint check
        if before is not None:
            self.con.execute(
                f"UPDATE {table} SET origin = ?, rows = ?, loaded_at = ? WHERE name = ?",
                [origin, rows, stamp, dataset],
            )
        else:
            self.con.execute(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?)", [dataset, origin, rows, stamp]
            )
        guard.record(
            self.con,
            self.txn,
            "load-dataset",
            table="dataset",
            dataset=dataset,
            rows=rows,
            before=before,
            after=guard.dataset_record(self.con, dataset),
        )


class DuckStore(Store):
    """DuckDB file store. ``DuckStore(path)`` opens (and migrates) or creates the file."""

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists():
            if not create or read_only:
                raise StoreError(f"no database at {self.path}; run `derisk db init` to build it")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self._migrate()
        elif self.schema_version() != SCHEMA_VERSION or missing_tables(self.con):
            raise StoreError(
                f"{self.path} has schema version {self.schema_version()} and lacks tables "
                f"{missing_tables(self.con)}; this derisk expects version {SCHEMA_VERSION}: "
                "run `derisk db init` to migrate"
            )
        self.principal = guard.apply_scope(self.con)

    # -- schema ---------------------------------------------------------------
    def schema_version(self) -> int:
        exists = first_row(
            self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            )
        )
        if not exists or not exists[0]:
            return 0
        row = first_row(self.con.execute("SELECT max(version) FROM schema_version"))
        return int(row[0]) if row and row[0] is not None else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {current}, newer than this derisk "
                f"({SCHEMA_VERSION}); upgrade derisk"
            )
        if current == SCHEMA_VERSION:
            drift = drifted_tables(self.con)
            if drift:
                raise StoreError(
                    f"{self.path}: tables {', '.join(drift)} do not have the columns this derisk "
                    "expects (the file was made by a different build of schema version "
                    f"{SCHEMA_VERSION}); back it up (`derisk db backup`) and run "
                    "`derisk db reset --yes` to rebuild it"
                )
            if missing_tables(self.con):
                ensure_tables(self.con)
            return
        self.con.execute("BEGIN")
        try:
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)"
            )
            for v in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[v](self.con)
                self.con.execute(
                    "INSERT INTO schema_version VALUES (?, ?)",
                    [v, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
                )
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    # -- reading --------------------------------------------------------------
    def status(self) -> StoreStatus:
        counts = {
            t: int(first_row(self.con.execute(f"SELECT count(*) FROM {t}"))[0]) for t in TABLES
        }
        ds = tuple(
            DatasetStatus(name=r[0], origin=r[1], rows=r[2], loaded_at=str(r[3]))
            for r in self.con.execute(
                "SELECT name, origin, rows, loaded_at FROM dataset ORDER BY name"
            ).fetchall()
        )
        return StoreStatus(str(self.path), self.schema_version(), SCHEMA_VERSION, counts, ds)

    def rows(self, row_type: type[T], where: Mapping[str, object] | None = None) -> list[T]:
        cols = [c.name for c in columns(row_type)]
        table = row_type.Meta.table  # type: ignore[attr-defined]
        sql = f"SELECT {', '.join(_q(c) for c in cols)} FROM {table}"
        params: list[Any] = []
        if where:
            valid = set(cols) | {"dataset"}
            parts = []
            for k, v in where.items():
                if k not in valid:
                    raise KeyError(f"{table} has no column {k!r}")
                if v is None:
                    parts.append(f"{_q(k)} IS NULL")
                else:
                    parts.append(f"{_q(k)} = ?")
                    params.append(v)
            sql += " WHERE " + " AND ".join(parts)
        return [row_type(*r) for r in self.con.execute(sql, params).fetchall()]

    def check_write(self, dataset: str, *, replace: bool = False) -> None:
        guard.check_write(self.con, dataset, replace=replace, dry_run=True)

    def taken_ids(
        self, table: str, column: str, values: Sequence[Any], exclude_dataset: str | None = None
    ) -> set[Any]:
        if table not in TABLES or column not in {c.name for c in columns(TABLES[table])}:
            raise KeyError(f"{table} has no column {column!r}")
        wanted = sorted({v for v in values if v is not None}, key=str)
        if not wanted:
            return set()
        sql = (
            f"SELECT DISTINCT {_q(column)} FROM {guard.qualified(self.con, table)} "
            f"WHERE {_q(column)} IN (SELECT unnest(?))"
        )
        params: list[Any] = [wanted]
        if exclude_dataset is not None:
            sql += " AND dataset <> ?"
            params.append(exclude_dataset)
        return {r[0] for r in self.con.execute(sql, params).fetchall()}

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(query, list(params)).fetchall()

    def iter_sql(self, query: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        cur = self.con.execute(query, list(params))
        while True:
            chunk = cur.fetchmany(10_000)
            if not chunk:
                return
            yield from chunk

    # -- writing --------------------------------------------------------------
    @contextmanager
    def writer(self, dataset: str = "user", *, reviewed: bool = False) -> Iterator[Writer]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            guard.check_write(self.con, dataset, reviewed=reviewed)
            yield _DuckWriter(self.con, dataset)
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
            guard.changed()  # visibility of the new rows may differ: rebuild scoped cursors

    def scoped(self, principal: Principal) -> DuckStore:
        """A store on a cursor of this one limited to what ``principal`` may see. A store
        already limited to one principal acts for no other."""
        if not self.principal.sees_everything and principal != self.principal:
            raise guard.Forbidden(
                f"a store acting for {self.principal.label} cannot read as {principal.label}"
            )
        return _ScopedDuckStore(self, principal)

    def for_request(self) -> DuckStore:
        """A store on a cursor of this one limited to the acting principal, for one request
        of a server: the cursor comes from a pool (:func:`derisk.store.guard.checkout`) and
        goes back when the returned store is closed."""
        return _PooledDuckStore(self)

    def close(self) -> None:
        self.con.close()

    def prepared(self) -> PreparedCache | None:
        """Prepared look-through structures in ``<database>.prepared/`` beside the file."""
        if self.path is None or str(self.path) == ":memory:":
            return None
        return PreparedCache(self.path.with_name(self.path.name + ".prepared"))


class _PooledDuckStore(DuckStore):
    """A :class:`DuckStore` on a pooled cursor of an open store (one per request)."""

    def __init__(self, base: DuckStore) -> None:  # the base store already opened and checked
        self.path = base.path
        self._base = base.con
        self.con, self.principal = guard.checkout(base.con)  # sees the request's data only

    def close(self) -> None:
        guard.checkin(self._base, self.con, self.principal)


class _ScopedDuckStore(DuckStore):
    """A :class:`DuckStore` on its own cursor of an open store, scoped to one principal."""

    def __init__(self, base: DuckStore, who: Principal) -> None:  # base is open and checked
        self.path = base.path
        self.con = base.con.cursor()
        self.principal = guard.apply_scope(self.con, who)


def as_dict(row: Any) -> dict[str, object]:
    """A row object as a JSON-ready object with every column (dates as ISO strings): the
    columns of whichever table the row is of, so the values are ``object``, to be narrowed."""
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in dataclasses.asdict(row).items()
    }
