"""The access-control tables (organisations, users, API tokens, dataset access, load records
and the audit log) as the trust service reads and changes them: they live in the DuckDB
engine's guarded tables, so any other engine is refused with a clear error."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

import duckdb

from derisk.model.schema import columns
from derisk.model.trust import AuditEntry
from derisk.store import guard
from derisk.store.base import Store, StoreError, first_row
from derisk.store.duck import DuckStore

T = TypeVar("T")


class TokenOwner(NamedTuple):
    """A token's hash and state with its user's role, organisation and state."""

    token_hash: str
    revoked_at: str | None
    expires_at: str | None
    user_id: str
    role: str
    org_id: str | None
    disabled: bool


class DatasetLoad(NamedTuple):
    """Where a dataset was loaded from, how many rows, and when."""

    origin: str | None
    rows: int
    loaded_at: Any


def connection(store: Store) -> duckdb.DuckDBPyConnection:
    """The connection behind ``store``."""
    if not isinstance(store, DuckStore):
        raise StoreError(
            f"access control needs a DuckDB store; {type(store).__name__} does not provide one"
        )
    return store.con


@contextmanager
def transaction(store: Store) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """One transaction on ``store``'s connection and its audit transaction id."""
    con = connection(store)
    con.execute("BEGIN TRANSACTION")
    try:
        yield con, guard.new_txn()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    guard.changed()


def insert(con: duckdb.DuckDBPyConnection, row: Any) -> None:
    """Insert one row of an access-control table."""
    cols = [c.name for c in columns(type(row))]
    con.execute(
        f"INSERT INTO {guard.qualified(con, type(row).Meta.table)} "
        f"({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [getattr(row, c) for c in cols],
    )


def select(
    con: duckdb.DuckDBPyConnection,
    cls: type[T],
    where: Mapping[str, Any] | None = None,
    order_by: str | None = None,
) -> list[T]:
    """Rows of ``cls``'s table equal to ``where`` on the given columns, by ``order_by``."""
    cols = [c.name for c in columns(cls)]
    known = set(cols)
    conds = []
    params: list[Any] = []
    for k, v in (where or {}).items():
        if k not in known:
            raise KeyError(k)
        conds.append(f'"{k}" = ?')
        params.append(v)
    table = cls.Meta.table  # type: ignore[attr-defined]
    sql = f"SELECT {', '.join(cols)} FROM {guard.qualified(con, table)}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if order_by is not None:
        if order_by not in known:
            raise KeyError(order_by)
        sql += f' ORDER BY "{order_by}"'
    return [cls(*r) for r in con.execute(sql, params).fetchall()]


def set_user(con: duckdb.DuckDBPyConnection, user_id: str, role: str, disabled: bool) -> None:
    """Change a user's role and disabled flag."""
    con.execute(
        f"UPDATE {guard.qualified(con, 'app_user')} SET role = ?, disabled = ? WHERE user_id = ?",
        [role, disabled, user_id],
    )


def revoke_token(con: duckdb.DuckDBPyConnection, token_id: str, at: str) -> None:
    """Mark a token revoked at ``at``."""
    con.execute(
        f"UPDATE {guard.qualified(con, 'api_token')} SET revoked_at = ? WHERE token_id = ?",
        [at, token_id],
    )


def clear_access(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    """Remove the access record of ``dataset``."""
    con.execute(
        f"DELETE FROM {guard.qualified(con, 'dataset_access')} WHERE dataset = ?", [dataset]
    )


def token_owner(store: Store, token_id: str) -> TokenOwner | None:
    """The token ``token_id`` with its user (``None`` when there is none), read on a cursor of
    its own (a server authenticates requests from several threads at once)."""
    con = connection(store).cursor()
    try:
        return _token_owner(con, token_id)
    finally:
        con.close()


def _token_owner(con: duckdb.DuckDBPyConnection, token_id: str) -> TokenOwner | None:
    row = first_row(
        con.execute(
            f"SELECT t.token_hash, t.revoked_at, t.expires_at, u.user_id, u.role, u.org_id, "
            f"u.disabled FROM {guard.qualified(con, 'api_token')} t "
            f"JOIN {guard.qualified(con, 'app_user')} u USING (user_id) WHERE t.token_id = ?",
            [token_id],
        )
    )
    return None if row is None else TokenOwner(*row)


def dataset_loads(con: duckdb.DuckDBPyConnection) -> dict[str, DatasetLoad]:
    """dataset name -> its load record."""
    rows = con.execute(
        f"SELECT name, origin, rows, loaded_at FROM {guard.qualified(con, 'dataset')}"
    ).fetchall()
    return {str(r[0]): DatasetLoad(r[1], r[2], r[3]) for r in rows}


AUDIT_FILTERS = ("table_name", "dataset", "actor", "action", "txn")


def audit_entries(
    store: Store,
    equal: Mapping[str, Any],
    since: str | None,
    until: str | None,
    limit: int,
) -> tuple[int, list[AuditEntry]]:
    """How many audit entries match, and the newest ``limit`` of them: columns equal to
    ``equal`` (names in :data:`AUDIT_FILTERS`), at or after ``since``, before ``until``."""
    conds: list[str] = []
    params: list[Any] = []
    for col, val in equal.items():
        if col not in AUDIT_FILTERS:
            raise KeyError(col)
        conds.append(f'"{col}" = ?')
        params.append(val)
    if since is not None:
        conds.append('"at" >= ?')
        params.append(since)
    if until is not None:
        conds.append('"at" < ?')
        params.append(until)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    sel = ", ".join('"' + c.name + '"' for c in columns(AuditEntry))
    total = store.sql(f"SELECT count(*) FROM audit_log {where}", params)[0][0]
    rows = store.sql(
        f"SELECT {sel} FROM audit_log {where} ORDER BY audit_id DESC LIMIT ?", [*params, limit]
    )
    return int(total), [AuditEntry(*r) for r in rows]
