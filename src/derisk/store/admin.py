"""The access-control tables (organisations, users, API tokens, dataset access, load records
and the audit log) as the trust service reads and changes them: they live in the DuckDB
engine's guarded tables, so any other engine is refused with a clear error.

The trust service holds an :class:`Admin` (:func:`admin` to read, :func:`admin_transaction`
to change and audit in one transaction), never the connection behind it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

import duckdb

from derisk.model.schema import columns
from derisk.model.trust import AuditEntry, Principal
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


class Admin:
    """The access-control tables of one store, read and (inside :func:`admin_transaction`)
    changed and audited. It keeps the connection to itself: the trust service holds this,
    not a DuckDB connection."""

    __slots__ = ("_con", "_txn")

    def __init__(self, con: duckdb.DuckDBPyConnection, txn: str | None = None) -> None:
        self._con = con
        self._txn = txn

    # -- reads ------------------------------------------------------------------------------

    def principal(self) -> Principal:
        """The acting principal (:func:`derisk.store.guard.resolve_principal`)."""
        return guard.resolve_principal(self._con)

    def access_map(self) -> dict[str, tuple[str, str | None]]:
        """dataset -> (access, organisation) as assigned."""
        return guard.access_map(self._con)

    def visible_datasets(self, who: Principal) -> list[str]:
        """The datasets ``who`` may see."""
        return guard.visible_datasets(self._con, who)

    def dataset_loads(self) -> dict[str, DatasetLoad]:
        """dataset name -> its load record."""
        return dataset_loads(self._con)

    def select(
        self, cls: type[T], where: Mapping[str, object] | None = None, order_by: str | None = None
    ) -> list[T]:
        """Rows of ``cls``'s table equal to ``where`` on the given columns, by ``order_by``."""
        return select(self._con, cls, where, order_by)

    # -- writes (inside admin_transaction) --------------------------------------------------

    def _writing(self) -> str:
        if self._txn is None:
            raise StoreError("access-control changes need admin_transaction(store)")
        return self._txn

    def insert(self, row: Any) -> None:
        """Insert one row of an access-control table."""
        self._writing()
        insert(self._con, row)

    def set_user(self, user_id: str, role: str, disabled: bool) -> None:
        """Change a user's role and disabled flag."""
        self._writing()
        set_user(self._con, user_id, role, disabled)

    def revoke_token(self, token_id: str, at: str) -> None:
        """Mark a token revoked at ``at``."""
        self._writing()
        revoke_token(self._con, token_id, at)

    def clear_access(self, dataset: str) -> None:
        """Remove the access record of ``dataset``."""
        self._writing()
        clear_access(self._con, dataset)

    def record(
        self,
        action: str,
        *,
        table: str | None = None,
        dataset: str | None = None,
        keys: object = None,
        before: object = None,
        after: object = None,
    ) -> None:
        """Append one entry to the audit log, in this transaction (before and after are the
        JSON documents the log stores)."""
        guard.record(
            self._con,
            self._writing(),
            action,
            table=table,
            dataset=dataset,
            keys=keys,
            before=before,
            after=after,
        )


def admin(store: Store) -> Admin:
    """The access-control tables of ``store``, to read."""
    return Admin(connection(store))


@contextmanager
def admin_transaction(store: Store) -> Iterator[Admin]:
    """The access-control tables of ``store`` in one transaction, audited under one id:
    committed when the block ends, rolled back when it raises."""
    with transaction(store) as (con, txn):
        yield Admin(con, txn)


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
    where: Mapping[str, object] | None = None,
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
    names = ", ".join(f'"{c}"' for c in cols)  # quoted: the audit log has a column "at"
    sql = f"SELECT {names} FROM {guard.qualified(con, table)}"
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
    equal: Mapping[str, object],
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
