"""Who acts on the store: dataset visibility, write permission and the audit log.

The acting :class:`~derisk.model.trust.Principal` is held in a context variable: the HTTP
API sets it per request from the bearer token, the CLI acts as ``$DERISK_USER`` when that is
set, and otherwise as the local single-user operator (``local:<os user>``, sees everything).

**Visibility** is enforced where every query passes: a connection opened for a limited
principal gets temporary views named like the tables (``production``, ``stake``, ...), each
``SELECT * FROM <db>.main.<table> WHERE dataset IN (visible datasets)``. DuckDB resolves an
unqualified name (and ``main.<name>``) to the temporary view first, so every service, command
and computation on that connection sees only visible rows; a look-through share computed for
one organisation never includes another's private stake. The visible dataset names are in a
temporary table filled with bound parameters (no SQL is assembled from dataset names).

**Writes** go to the qualified tables (``<db>.main.<table>``) through the store's writer,
which asks :func:`check_write` first and records every change in ``audit_log`` inside the same
transaction: an import that fails or is killed leaves neither rows nor audit entries.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import json
import os
import secrets
import shlex
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any, NotRequired, TypedDict

import duckdb

from derisk.errors import ForbiddenError
from derisk.model.schema import ROW_TYPES
from derisk.model.trust import (
    PUBLIC_BY_DEFAULT,
    SHARED_WRITABLE,
    Access,
    AuditEntry,
    Principal,
    Role,
    User,
    visible,
)
from derisk.store.base import first_row

AUDIT_ROWS = 100
"""Changes of at most this many rows keep every row (keys, before, after) in the audit log;
larger ones keep counts and the first and last rows."""


class DatasetLoadRecord(TypedDict):
    """A dataset's load record as the audit log stores it."""

    origin: str | None
    rows: int | None
    loaded_at: str


class DatasetSnapshot(TypedDict):
    """What a dataset held before it was removed, as the audit log stores it: row counts per
    table, its load record, and the rows themselves (column -> value) when there are few."""

    rows: dict[str, int]
    load: DatasetLoadRecord | None
    contents: NotRequired[dict[str, list[dict[str, object]]]]


_PRINCIPAL: ContextVar[Principal | None] = ContextVar("derisk_principal", default=None)
_ORIGIN: ContextVar[str | None] = ContextVar("derisk_origin", default=None)

VISIBLE_TABLE = "_derisk_visible"


class Forbidden(ForbiddenError):
    """The acting principal may not do this (HTTP 403)."""


def now() -> str:
    """UTC time as ISO 8601 with microseconds (sorts as text)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_principal() -> Principal:
    """The local single-user operator: the OS user, sees and may change everything."""
    try:
        name = getpass.getuser()
    except Exception:  # no user name in a bare container
        name = "unknown"
    return Principal(f"local:{name}", Role.ADMIN, local=True, via="cli")


@contextlib.contextmanager
def acting_as(principal: Principal | None, origin: str | None = None) -> Iterator[None]:
    """Act as ``principal`` (``None``: the default) for the block; ``origin`` names the request
    or command in the audit log."""
    t1 = _PRINCIPAL.set(principal)
    t2 = _ORIGIN.set(origin)
    try:
        yield
    finally:
        _PRINCIPAL.reset(t1)
        _ORIGIN.reset(t2)


def set_acting(principal: Principal | None, origin: str | None = None) -> None:
    """Set the acting principal for the rest of the current context (a request's task)."""
    _PRINCIPAL.set(principal)
    _ORIGIN.set(origin)


def acting_label(con: duckdb.DuckDBPyConnection | None = None) -> str:
    """How the acting principal is named in records it makes (news decisions, notes)."""
    p = _PRINCIPAL.get()
    if p is not None:
        return p.label
    return resolve_principal(con).label if con is not None else local_principal().label


def may_see_paths() -> bool:
    """Whether the acting principal may learn server file paths (admins, local operator)."""
    p = _PRINCIPAL.get()
    return p is None or p.sees_everything


def scope_key() -> tuple[str, str] | None:
    """Who asks, for keys of cached answers: answers differ by principal."""
    p = _PRINCIPAL.get()
    return None if p is None else (p.label, p.role.value)


def origin() -> str:
    """Where the current change comes from: the request, or the command line."""
    o = _ORIGIN.get()
    if o:
        return o
    prog = os.path.basename(sys.argv[0]) if sys.argv else ""
    if prog == "derisk":
        return ("cli: " + shlex.join(["derisk", *sys.argv[1:]]))[:500]
    return f"process: {prog or 'python'}"


def catalog(con: duckdb.DuckDBPyConnection) -> str:
    """The quoted catalog name of the database file (``"derisk"``)."""
    row = first_row(con.execute("SELECT current_database()"))
    name = str(row[0]) if row else "main"
    return '"' + name.replace('"', '""') + '"'


def qualified(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """``<db>.main.<table>``: the stored table, never a visibility view."""
    return f"{catalog(con)}.main.{table}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = first_row(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = ? AND table_catalog = current_database()",
            [table],
        )
    )
    return bool(row and row[0])


def resolve_principal(con: duckdb.DuckDBPyConnection) -> Principal:
    """The principal acting on ``con``: the context's, else ``$DERISK_USER``, else local."""
    p = _PRINCIPAL.get()
    if p is not None:
        return p
    name = os.environ.get("DERISK_USER")
    if not name:
        return local_principal()
    from derisk.store.base import StoreError

    if not _has_table(con, "app_user"):
        raise StoreError(f"DERISK_USER={name!r}: this database has no users yet")
    row = first_row(
        con.execute(
            f"SELECT user_id, role, org_id, disabled FROM {qualified(con, 'app_user')} "
            "WHERE user_id = ?",
            [name],
        )
    )
    if row is None or row[3]:
        raise StoreError(f"DERISK_USER={name!r} is not an active user of this database")
    return Principal(str(row[0]), Role(row[1]), row[2], via="cli")


def access_map(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """dataset -> (access, org) from ``dataset_access`` (stored table, unfiltered)."""
    if not _has_table(con, "dataset_access"):
        return {}
    return {
        str(r[0]): (str(r[1]), r[2])
        for r in con.execute(
            f"SELECT dataset, access, org_id FROM {qualified(con, 'dataset_access')}"
        ).fetchall()
    }


def visible_datasets(con: duckdb.DuckDBPyConnection, who: Principal) -> list[str]:
    """Names of the datasets ``who`` may see (every existing one for admins and local mode).

    For a limited principal this reads only ``dataset_access``: a dataset without an access
    row is visible to it only when it is public by default."""
    acc = access_map(con)
    if who.sees_everything:
        return sorted(set(acc) | set(existing_datasets(con)))
    return sorted(d for d in set(acc) | PUBLIC_BY_DEFAULT if visible(acc, d, who))


def existing_datasets(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every dataset name that has rows or a load record (unfiltered)."""
    parts = [f"SELECT DISTINCT dataset FROM {qualified(con, cls.Meta.table)}" for cls in ROW_TYPES]
    if _has_table(con, "dataset"):
        parts.append(f"SELECT name FROM {qualified(con, 'dataset')}")
    return sorted({str(r[0]) for r in con.execute(" UNION ".join(parts)).fetchall() if r[0]})


def dataset_exists(con: duckdb.DuckDBPyConnection, dataset: str) -> bool:
    """Whether any table holds rows of ``dataset`` or the dataset has a load record."""
    if _has_table(con, "dataset"):
        row = first_row(
            con.execute(f"SELECT 1 FROM {qualified(con, 'dataset')} WHERE name = ?", [dataset])
        )
        if row:
            return True
    for cls in ROW_TYPES:
        row = first_row(
            con.execute(
                f"SELECT 1 FROM {qualified(con, cls.Meta.table)} WHERE dataset = ? LIMIT 1",
                [dataset],
            )
        )
        if row:
            return True
    return False


def apply_scope(con: duckdb.DuckDBPyConnection, who: Principal | None = None) -> Principal:
    """Limit ``con`` to what the acting principal may see (nothing to do for admins and the
    local mode). Returns the principal."""
    who = who or resolve_principal(con)
    if who.sees_everything:
        return who
    names = visible_datasets(con, who)
    cat = catalog(con)
    have = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = 'main'"
        ).fetchall()
    }
    con.execute(f"CREATE OR REPLACE TEMP TABLE {VISIBLE_TABLE} (name VARCHAR)")
    if names:
        con.executemany(f"INSERT INTO temp.main.{VISIBLE_TABLE} VALUES (?)", [[n] for n in names])
    vis = f"(SELECT name FROM temp.main.{VISIBLE_TABLE})"
    views = [
        f"CREATE OR REPLACE TEMP VIEW {cls.Meta.table} AS "
        f"SELECT * FROM {cat}.main.{cls.Meta.table} WHERE dataset IN {vis}"
        for cls in ROW_TYPES
    ]
    if "dataset" in have:
        views.append(
            f"CREATE OR REPLACE TEMP VIEW dataset AS "
            f"SELECT * FROM {cat}.main.dataset WHERE name IN {vis}"
        )
    if "audit_log" in have:
        views.append(
            f"CREATE OR REPLACE TEMP VIEW audit_log AS "
            f"SELECT * FROM {cat}.main.audit_log WHERE dataset IN {vis}"
        )
    for t in ("api_token", "app_user", "organisation", "dataset_access"):
        if t in have:  # limited principals read none of these through the store
            views.append(f"CREATE OR REPLACE TEMP VIEW {t} AS SELECT * FROM {cat}.main.{t} LIMIT 0")
    con.execute(";\n".join(views))
    return who


# -- scoped cursors for a server ---------------------------------------------------------

_POOL: dict[tuple[Any, ...], list[duckdb.DuckDBPyConnection]] = {}
_POOL_LOCK = threading.Lock()
_POOL_IDLE = 8
_BORN: dict[int, int] = {}
"""id of a checked-out limited cursor -> generation it was built in."""
_generation = 0


def changed() -> None:
    """Data or dataset access changed: scoped cursors made before are not reused."""
    global _generation
    with _POOL_LOCK:
        _generation += 1
        stale = [c for cs in _POOL.values() for c in cs]
        _POOL.clear()
    for c in stale:
        with contextlib.suppress(duckdb.Error):
            c.close()


def _pool_key(base: duckdb.DuckDBPyConnection, who: Principal) -> tuple[Any, ...]:
    return (id(base), who.label, who.role.value, who.org_id, _generation)


def checkout(base: duckdb.DuckDBPyConnection) -> tuple[duckdb.DuckDBPyConnection, Principal]:
    """A cursor of ``base`` limited to the acting principal. Building the visibility views
    takes about 10 ms, so cursors of limited principals are kept for reuse
    (:func:`checkin`) until the next change."""
    who = resolve_principal(base)
    if who.sees_everything:
        return base.cursor(), who
    with _POOL_LOCK:
        gen = _generation
        idle = _POOL.get(_pool_key(base, who))
        cur = idle.pop() if idle else None
        if cur is not None:
            _BORN[id(cur)] = gen
            return cur, who
    cur = base.cursor()
    apply_scope(cur, who)
    with _POOL_LOCK:
        _BORN[id(cur)] = gen
    return cur, who


def checkin(
    base: duckdb.DuckDBPyConnection, cur: duckdb.DuckDBPyConnection, who: Principal
) -> None:
    """Give back a cursor from :func:`checkout` (closed unless it can be reused)."""
    if not who.sees_everything:
        with _POOL_LOCK:
            fresh = _BORN.pop(id(cur), None) == _generation
            idle = _POOL.setdefault(_pool_key(base, who), [])
            if fresh and len(idle) < _POOL_IDLE and len(_POOL) < 1024:
                idle.append(cur)
                return
    cur.close()


def owner_by_namespace(con: duckdb.DuckDBPyConnection, dataset: str) -> str | None:
    """The organisation whose namespace holds ``dataset``: names ``<org id>-<anything>``
    belong to that organisation (the longest matching organisation id wins)."""
    if not _has_table(con, "organisation"):
        return None
    orgs = [
        str(r[0])
        for r in con.execute(f"SELECT org_id FROM {qualified(con, 'organisation')}").fetchall()
    ]
    match = [o for o in orgs if dataset.startswith(o + "-") and len(dataset) > len(o) + 1]
    return max(match, key=len) if match else None


def _refuse(who: Principal, dataset: str, why: str) -> Forbidden:
    return Forbidden(f"{who.label} ({who.role}) may not change dataset {dataset!r}: {why}")


def check_write(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    *,
    reviewed: bool = False,
    replace: bool = False,
    dry_run: bool = False,
) -> Principal:
    """Raise :class:`Forbidden` unless the acting principal may change ``dataset``.

    Admins and the local operator may change anything. An analyst may change its
    organisation's private datasets, and create new ones only in its organisation's namespace
    (``<org id>-<name>``): a name is never claimed by whoever writes to it first. Shared
    (public) datasets change only through a reviewed path (``reviewed``: accepting or
    rejecting a news proposal, ingesting articles for review) and are never replaced by a
    non-admin. The refusal does not depend on whether the dataset exists, so it reveals
    nothing about other organisations' dataset names. ``dry_run`` checks without creating
    (importers ask first, before reading a file)."""
    who = resolve_principal(con)
    if who.sees_everything:
        return who
    if not who.role.allows(Role.ANALYST):
        raise _refuse(who, dataset, "read-only role")
    acc = access_map(con)
    shared_rule = (
        "shared datasets change only by review or by an admin"
        if not replace
        else "only an admin replaces a shared dataset"
    )
    own_rule = (
        f"write to your organisation's datasets ({who.org_id}-<name>) or ask an admin"
        if who.org_id
        else "ask an admin"
    )
    if dataset in acc:
        kind, org = acc[dataset]
        if kind == Access.PRIVATE.value:
            if org is not None and org == who.org_id:
                return who
            raise _refuse(who, dataset, own_rule)
        if reviewed and not replace and dataset in SHARED_WRITABLE:
            return who
        raise _refuse(who, dataset, shared_rule)
    if dataset in PUBLIC_BY_DEFAULT:
        if reviewed and not replace and dataset in SHARED_WRITABLE:
            return who
        raise _refuse(who, dataset, shared_rule)
    if who.org_id is None or owner_by_namespace(con, dataset) != who.org_id:
        raise _refuse(who, dataset, own_rule)
    if dataset_exists(con, dataset):  # loaded by an operator into the namespace, unassigned
        raise _refuse(who, dataset, "it was loaded by an admin; ask an admin to assign it")
    if dry_run:  # asked before parsing a file: nothing is created yet
        return who
    con.execute(
        f"INSERT INTO {qualified(con, 'dataset_access')} "
        "(dataset, access, set_by, set_at, org_id) VALUES (?, ?, ?, ?, ?)",
        [dataset, Access.PRIVATE.value, who.label, now(), who.org_id],
    )
    record(
        con,
        new_txn(),
        "dataset-create",
        dataset=dataset,
        table="dataset_access",
        after={"dataset": dataset, "access": "private", "org_id": who.org_id},
        who=who,
    )
    return who


def new_txn() -> str:
    """A sortable id for one transaction's audit entries."""
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


def _json(obj: Any) -> str | None:
    if obj is None:
        return None
    return json.dumps(obj, ensure_ascii=False, default=str, separators=(",", ":"))


def record(
    con: duckdb.DuckDBPyConnection,
    txn: str,
    action: str,
    *,
    table: str | None = None,
    dataset: str | None = None,
    rows: int = 0,
    keys: Any = None,
    before: Any = None,
    after: Any = None,
    source_ids: Sequence[str] | None = None,
    who: Principal | None = None,
) -> None:
    """Append one entry to the audit log (inside the caller's transaction)."""
    who = who or resolve_principal(con)
    entry = AuditEntry(
        audit_id=new_txn(),
        txn=txn,
        at=now(),
        actor=who.label,
        action=action,
        origin=origin(),
        table_name=table,
        dataset=dataset,
        rows=rows,
        keys=_json(keys),
        before=_json(before),
        after=_json(after),
        source_ids=_json(sorted(source_ids)) if source_ids else None,
    )
    names = [f.name for f in dataclasses.fields(AuditEntry) if f.name != "Meta"]
    con.execute(
        f"INSERT INTO {qualified(con, 'audit_log')} ({', '.join(_quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})",
        [getattr(entry, n) for n in names],
    )


def _row_dict(row: Any) -> dict[str, object]:
    """A stored row with every column, dates as ISO text (as the audit log records it)."""
    out = dataclasses.asdict(row)
    for k, v in out.items():
        if isinstance(v, dt.date):
            out[k] = v.isoformat()
    return out


def audit_insert(
    con: duckdb.DuckDBPyConnection, txn: str, dataset: str, rows: Sequence[Any]
) -> None:
    """Record an insert of ``rows`` (one type): every row when few, else counts and ends."""
    cls = type(rows[0])
    key = cls.Meta.key
    sources = {str(s) for r in rows if (s := getattr(r, "source_id", None)) is not None}
    if len(rows) <= AUDIT_ROWS:
        keys: Any = [[getattr(r, k, None) for k in key] for r in rows]
        after: Any = [_row_dict(r) for r in rows]
    else:
        keys = None
        after = {"rows": len(rows), "first": _row_dict(rows[0]), "last": _row_dict(rows[-1])}
    record(
        con,
        txn,
        "insert",
        table=cls.Meta.table,
        dataset=dataset,
        rows=len(rows),
        keys=keys,
        after=after,
        source_ids=sorted(sources)[:AUDIT_ROWS],
    )


def dataset_snapshot(con: duckdb.DuckDBPyConnection, dataset: str) -> DatasetSnapshot:
    """What a dataset holds before it is removed: row counts per table, and the rows
    themselves when there are at most :data:`AUDIT_ROWS` in all."""
    counts: dict[str, int] = {}
    for cls in ROW_TYPES:
        row = first_row(
            con.execute(
                f"SELECT count(*) FROM {qualified(con, cls.Meta.table)} WHERE dataset = ?",
                [dataset],
            )
        )
        if row and row[0]:
            counts[cls.Meta.table] = int(row[0])
    out: DatasetSnapshot = {"rows": counts, "load": dataset_record(con, dataset)}
    if 0 < sum(counts.values()) <= AUDIT_ROWS:
        from derisk.model.schema import TABLES, columns

        contents: dict[str, list[dict[str, object]]] = {}
        for table in counts:
            cols = [c.name for c in columns(TABLES[table])]
            sel = ", ".join('"' + c + '"' for c in cols)
            res = con.execute(
                f"SELECT {sel} FROM {qualified(con, table)} WHERE dataset = ?", [dataset]
            ).fetchall()
            contents[table] = [
                {
                    c: (v.isoformat() if isinstance(v, dt.date) else v)
                    for c, v in zip(cols, r, strict=True)
                }
                for r in res
            ]
        out["contents"] = contents
    return out


def dataset_record(con: duckdb.DuckDBPyConnection, dataset: str) -> DatasetLoadRecord | None:
    """The ``dataset`` table's row for ``dataset`` (origin, rows, loaded_at), if any."""
    row = first_row(
        con.execute(
            f"SELECT origin, rows, loaded_at FROM {qualified(con, 'dataset')} WHERE name = ?",
            [dataset],
        )
    )
    if row is None:
        return None
    return {"origin": row[0], "rows": row[1], "loaded_at": str(row[2])}


def user_row(con: duckdb.DuckDBPyConnection, user_id: str) -> User | None:
    """A user by id from the stored table."""
    from derisk.model.schema import columns

    cols = [c.name for c in columns(User)]
    row = first_row(
        con.execute(
            f"SELECT {', '.join(cols)} FROM {qualified(con, 'app_user')} WHERE user_id = ?",
            [user_id],
        )
    )
    return User(*row) if row else None
