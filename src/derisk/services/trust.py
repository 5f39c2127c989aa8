"""Organisations, users, API tokens, dataset access, the audit log, backup and restore.

Every function returns a JSON-ready dict with a ``schema`` key (documented in
``docs/security.md``). Managing organisations, users, tokens and dataset access needs the
admin role (the local operator has it); reading the audit log shows a limited principal only
the entries of datasets it can see (the store's visibility views do the filtering).

Tokens are ``drk_<token id>_<secret>``: the id is public (listed, revoked by it), the secret
is shown once; the store keeps only ``sha256(token)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from derisk.errors import BadInputError, NotFoundError
from derisk.model.schema import columns
from derisk.model.trust import (
    PUBLIC_BY_DEFAULT,
    Access,
    ApiToken,
    AuditEntry,
    DatasetAccess,
    Organisation,
    Principal,
    Role,
    User,
)
from derisk.store import DuckStore, StoreError, guard
from derisk.store.base import Store, first_row
from derisk.store.duck import SCHEMA_VERSION
from derisk.store.guard import Forbidden

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOKEN = re.compile(r"^drk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")


def _check_id(kind: str, value: str) -> str:
    if not SLUG.match(value):
        raise BadInputError(
            f"{kind} {value!r} is not valid: use 1-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex (FIPS 180-2 test vector below).

    >>> token_hash("abc")
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    return hashlib.sha256(token.encode()).hexdigest()


def _con(store: Store) -> duckdb.DuckDBPyConnection:
    """The connection behind ``store``: users, tokens, access and the audit log live in the
    DuckDB engine's guarded tables, so any other engine is refused with a clear error."""
    if not isinstance(store, DuckStore):
        raise StoreError(
            f"access control needs a DuckDB store; {type(store).__name__} does not provide one"
        )
    return store.con


def _require(store: Store, role: Role) -> Principal:
    who = guard.resolve_principal(_con(store))
    if not who.role.allows(role):
        raise Forbidden(f"{who.label} has role {who.role}; this needs {role}")
    return who


@contextmanager
def _txn(store: Store) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    con = _con(store)
    con.execute("BEGIN TRANSACTION")
    try:
        yield con, guard.new_txn()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    guard.changed()


def _insert(con: duckdb.DuckDBPyConnection, row: Any) -> None:
    cols = [c.name for c in columns(type(row))]
    con.execute(
        f"INSERT INTO {guard.qualified(con, type(row).Meta.table)} "
        f"({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [getattr(row, c) for c in cols],
    )


def _all(con: duckdb.DuckDBPyConnection, cls: type[Any], where: str = "", params: Any = ()) -> Any:
    cols = [c.name for c in columns(cls)]
    sql = f"SELECT {', '.join(cols)} FROM {guard.qualified(con, cls.Meta.table)} {where}"
    return [cls(*r) for r in con.execute(sql, list(params)).fetchall()]


def _as_dict(row: Any) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in columns(type(row))}


# -- organisations and users ---------------------------------------------------


def add_org(store: Store, org_id: str, name: str | None = None) -> dict[str, Any]:
    """Create an organisation (admin)."""
    _require(store, Role.ADMIN)
    _check_id("organisation id", org_id)
    with _txn(store) as (con, txn):
        if _all(con, Organisation, "WHERE org_id = ?", [org_id]):
            raise BadInputError(f"organisation {org_id!r} already exists")
        org = Organisation(org_id, name or org_id, guard.now())
        _insert(con, org)
        guard.record(con, txn, "org-add", table="organisation", keys=[org_id], after=_as_dict(org))
    return {"schema": "derisk.org/1", **_as_dict(org)}


def list_orgs(store: Store) -> dict[str, Any]:
    """Organisations with their users and private datasets (admin)."""
    _require(store, Role.ADMIN)
    con = _con(store)
    users = _all(con, User)
    access = _all(con, DatasetAccess)
    return {
        "schema": "derisk.orgs/1",
        "organisations": [
            {
                **_as_dict(o),
                "users": sorted(u.user_id for u in users if u.org_id == o.org_id),
                "datasets": sorted(a.dataset for a in access if a.org_id == o.org_id),
            }
            for o in _all(con, Organisation, "ORDER BY org_id")
        ],
    }


def add_user(
    store: Store, user_id: str, role: str, org_id: str | None, name: str | None = None
) -> dict[str, Any]:
    """Create a user with a role in an organisation (admin). Only admins may have no
    organisation."""
    _require(store, Role.ADMIN)
    _check_id("user id", user_id)
    try:
        r = Role(role)
    except ValueError:
        raise BadInputError(f"role {role!r}: one of {', '.join(x.value for x in Role)}") from None
    with _txn(store) as (con, txn):
        if org_id is None and r is not Role.ADMIN:
            raise BadInputError(f"a {r} needs an organisation")
        if org_id is not None and not _all(con, Organisation, "WHERE org_id = ?", [org_id]):
            raise NotFoundError(
                f"unknown organisation {org_id!r}; add it with `derisk admin org add`"
            )
        if _all(con, User, "WHERE user_id = ?", [user_id]):
            raise BadInputError(f"user {user_id!r} already exists")
        user = User(user_id, r.value, guard.now(), org_id, name)
        _insert(con, user)
        guard.record(con, txn, "user-add", table="app_user", keys=[user_id], after=_as_dict(user))
    return {"schema": "derisk.user/1", **_as_dict(user)}


def set_user(
    store: Store, user_id: str, *, role: str | None = None, disabled: bool | None = None
) -> dict[str, Any]:
    """Change a user's role or disable/enable it (admin). A disabled user's tokens stop
    working."""
    _require(store, Role.ADMIN)
    with _txn(store) as (con, txn):
        found = _all(con, User, "WHERE user_id = ?", [user_id])
        if not found:
            raise NotFoundError(f"unknown user {user_id!r}")
        before = found[0]
        new_role = Role(role).value if role is not None else before.role
        new_disabled = before.disabled if disabled is None else disabled
        con.execute(
            f"UPDATE {guard.qualified(con, 'app_user')} SET role = ?, disabled = ? "
            "WHERE user_id = ?",
            [new_role, new_disabled, user_id],
        )
        after = _all(con, User, "WHERE user_id = ?", [user_id])[0]
        guard.record(
            con,
            txn,
            "user-change",
            table="app_user",
            keys=[user_id],
            before=_as_dict(before),
            after=_as_dict(after),
        )
    return {"schema": "derisk.user/1", **_as_dict(after)}


def list_users(store: Store) -> dict[str, Any]:
    """Users with role, organisation and number of live tokens (admin)."""
    _require(store, Role.ADMIN)
    con = _con(store)
    tokens = [t for t in _all(con, ApiToken) if _live(t)]
    return {
        "schema": "derisk.users/1",
        "users": [
            {**_as_dict(u), "tokens": sum(1 for t in tokens if t.user_id == u.user_id)}
            for u in _all(con, User, "ORDER BY user_id")
        ],
    }


# -- tokens ----------------------------------------------------------------------


def _live(t: ApiToken, at: str | None = None) -> bool:
    at = at or guard.now()
    return t.revoked_at is None and (t.expires_at is None or t.expires_at > at)


def create_token(
    store: Store, user_id: str, *, days: int | None = None, note: str | None = None
) -> dict[str, Any]:
    """A new API token for ``user_id`` (admin). The secret is in this answer only."""
    _require(store, Role.ADMIN)
    if days is not None and not 1 <= days <= 3650:
        raise BadInputError("days must be between 1 and 3650")
    token_id = secrets.token_hex(6)
    token = f"drk_{token_id}_{secrets.token_urlsafe(32)}"
    created = guard.now()
    expires = None
    if days is not None:
        when = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        expires = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with _txn(store) as (con, txn):
        users = _all(con, User, "WHERE user_id = ?", [user_id])
        if not users:
            raise NotFoundError(f"unknown user {user_id!r}; add it with `derisk admin user add`")
        row = ApiToken(token_id, user_id, token_hash(token), created, expires, None, note)
        _insert(con, row)
        shown = {k: v for k, v in _as_dict(row).items() if k != "token_hash"}
        guard.record(con, txn, "token-create", table="api_token", keys=[token_id], after=shown)
    return {"schema": "derisk.token/1", **shown, "token": token, "role": users[0].role}


def revoke_token(store: Store, token_id: str) -> dict[str, Any]:
    """Revoke a token by its id (admin); it stops working at once."""
    _require(store, Role.ADMIN)
    with _txn(store) as (con, txn):
        found = _all(con, ApiToken, "WHERE token_id = ?", [token_id])
        if not found:
            raise NotFoundError(f"unknown token {token_id!r}")
        before = found[0]
        if before.revoked_at is None:
            con.execute(
                f"UPDATE {guard.qualified(con, 'api_token')} SET revoked_at = ? WHERE token_id = ?",
                [guard.now(), token_id],
            )
        after = _all(con, ApiToken, "WHERE token_id = ?", [token_id])[0]
        guard.record(
            con,
            txn,
            "token-revoke",
            table="api_token",
            keys=[token_id],
            before={"revoked_at": before.revoked_at},
            after={"revoked_at": after.revoked_at},
        )
    out = {k: v for k, v in _as_dict(after).items() if k != "token_hash"}
    return {"schema": "derisk.token/1", **out}


def list_tokens(store: Store, user_id: str | None = None) -> dict[str, Any]:
    """Tokens (never their hashes) with their state: live, revoked or expired (admin)."""
    _require(store, Role.ADMIN)
    where, params = ("WHERE user_id = ?", [user_id]) if user_id else ("", [])
    now = guard.now()
    rows = []
    for t in _all(_con(store), ApiToken, where + " ORDER BY created_at", params):
        state = "revoked" if t.revoked_at else ("live" if _live(t, now) else "expired")
        d = {k: v for k, v in _as_dict(t).items() if k != "token_hash"}
        rows.append({**d, "state": state})
    return {"schema": "derisk.tokens/1", "tokens": rows}


def authenticate(con: duckdb.DuckDBPyConnection, token: str) -> Principal | None:
    """The principal of a bearer token, or ``None`` when it is malformed, unknown, revoked,
    expired, or its user is disabled. Compares hashes in constant time."""
    m = TOKEN.match(token)
    if not m:
        return None
    row = first_row(
        con.execute(
            f"SELECT t.token_hash, t.revoked_at, t.expires_at, u.user_id, u.role, u.org_id, "
            f"u.disabled FROM {guard.qualified(con, 'api_token')} t "
            f"JOIN {guard.qualified(con, 'app_user')} u USING (user_id) WHERE t.token_id = ?",
            [m.group(1)],
        )
    )
    if row is None:
        hmac.compare_digest(token_hash(token), "0" * 64)  # same work for unknown ids
        return None
    if not hmac.compare_digest(token_hash(token), str(row[0])):
        return None
    if row[1] is not None or (row[2] is not None and str(row[2]) <= guard.now()) or row[6]:
        return None
    return Principal(str(row[3]), Role(row[4]), row[5], via="api", extra={"token_id": m.group(1)})


# -- datasets ----------------------------------------------------------------------


def set_access(
    store: Store, dataset: str, access: str, org_id: str | None = None
) -> dict[str, Any]:
    """Make ``dataset`` public, or private to ``org_id`` (admin). The dataset need not exist
    yet: assign it before importing to keep it private from the first row."""
    who = _require(store, Role.ADMIN)
    kind = Access(access)
    if kind is Access.PRIVATE and not org_id:
        raise BadInputError("a private dataset needs an organisation")
    if kind is Access.PUBLIC:
        org_id = None
    with _txn(store) as (con, txn):
        if org_id is not None and not _all(con, Organisation, "WHERE org_id = ?", [org_id]):
            raise NotFoundError(f"unknown organisation {org_id!r}")
        before = _all(con, DatasetAccess, "WHERE dataset = ?", [dataset])
        con.execute(
            f"DELETE FROM {guard.qualified(con, 'dataset_access')} WHERE dataset = ?", [dataset]
        )
        row = DatasetAccess(dataset, kind.value, who.label, guard.now(), org_id)
        _insert(con, row)
        guard.record(
            con,
            txn,
            "dataset-access",
            table="dataset_access",
            dataset=dataset,
            keys=[dataset],
            before=_as_dict(before[0]) if before else None,
            after=_as_dict(row),
        )
    return {"schema": "derisk.dataset-access/1", **_as_dict(row)}


def list_datasets(store: Store) -> dict[str, Any]:
    """The datasets the acting principal can see, with access, owner and load record."""
    con = _con(store)
    who = guard.resolve_principal(con)
    acc = guard.access_map(con)
    names = guard.visible_datasets(con, who)
    loads = {
        str(r[0]): r[1:]
        for r in con.execute(
            f"SELECT name, origin, rows, loaded_at FROM {guard.qualified(con, 'dataset')}"
        ).fetchall()
    }
    out = []
    for d in names:
        kind, org = acc.get(d, ("public" if d in PUBLIC_BY_DEFAULT else "unassigned", None))
        load = loads.get(d)
        out.append(
            {
                "dataset": d,
                "access": kind,
                "org_id": org,
                "rows": int(load[1]) if load else None,
                "loaded_at": str(load[2]) if load else None,
                "origin": load[0] if load and who.sees_everything else None,
            }
        )
    return {"schema": "derisk.datasets/1", "datasets": out}


# -- who am I, audit -----------------------------------------------------------------


def whoami(store: Store, *, mode: str) -> dict[str, Any]:
    """The acting principal, its role and the datasets it sees."""
    who = guard.resolve_principal(_con(store))
    return {
        "schema": "derisk.whoami/1",
        "mode": mode,
        "user": who.label,
        "user_id": who.user_id,
        "org_id": who.org_id,
        "role": who.role.value,
        "local": who.local,
        "datasets": guard.visible_datasets(_con(store), who),
    }


def _stamp(value: str, name: str) -> str:
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInputError(
            f"{name} {value!r} is not a date or time (YYYY-MM-DD[THH:MM:SS])"
        ) from None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit(
    store: Store,
    *,
    since: str | None = None,
    until: str | None = None,
    table: str | None = None,
    dataset: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    txn: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Audit entries, newest first, filtered by time, table, dataset, actor, action or
    transaction. Limited principals see only entries of datasets they can see."""
    if not 1 <= limit <= 10_000:
        raise BadInputError("limit must be between 1 and 10000")
    conds: list[str] = []
    params: list[Any] = []
    for col, val in (
        ("table_name", table),
        ("dataset", dataset),
        ("actor", actor),
        ("action", action),
        ("txn", txn),
    ):
        if val is not None:
            conds.append(f'"{col}" = ?')
            params.append(val)
    if since is not None:
        conds.append('"at" >= ?')
        params.append(_stamp(since, "since"))
    if until is not None:
        conds.append('"at" < ?')
        params.append(_stamp(until, "until"))
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    cols = [c.name for c in columns(AuditEntry)]
    sel = ", ".join('"' + c + '"' for c in cols)
    total = store.sql(f"SELECT count(*) FROM audit_log {where}", params)[0][0]
    res = store.sql(
        f"SELECT {sel} FROM audit_log {where} ORDER BY audit_id DESC LIMIT ?", [*params, limit]
    )
    entries = []
    for r in res:
        e = dict(zip(cols, r, strict=True))
        for k in ("keys", "before", "after", "source_ids"):
            e[k] = json.loads(e[k]) if e[k] is not None else None
        entries.append(e)
    return {"schema": "derisk.audit/1", "total": int(total), "entries": entries}


# -- backup and restore -----------------------------------------------------------------


MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_SCHEMA = "derisk.backup-manifest/1"


def known_tables() -> list[str]:
    """Every table a derisk database of this version may hold (the only names restore reads)."""
    from derisk.model.schema import ROW_TYPES
    from derisk.model.trust import TRUST_TYPES

    return sorted(
        {c.Meta.table for c in (*ROW_TYPES, *TRUST_TYPES)} | {"schema_version", "dataset"}
    )


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _table_facts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
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
    tables: dict[str, dict[str, Any]] = {}
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


def _check_copy(path: Path) -> dict[str, Any]:
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


def _summary(facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": facts["schema_version"],
        "missing_tables": [t for t in known_tables() if t not in facts["tables"]],
        "counts": {t: v["rows"] for t, v in facts["tables"].items()},
    }


def _lock(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open {path}: {exc}. Another process (a writable `derisk serve`?) holds "
            "it; stop it first"
        ) from None


def backup(db: Path, out: Path) -> dict[str, Any]:
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
    return {
        "schema": "derisk.backup/1",
        "database": str(db),
        "backup": str(out),
        "manifest": str(manifest_path),
        "bytes": out.stat().st_size,
        **_summary(facts),
    }


def _verify(path: Path, manifest: dict[str, Any], *, same_engine: bool) -> dict[str, Any]:
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
    want: dict[str, dict[str, Any]] = manifest.get("tables") or {}
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


def restore(db: Path, src: Path, manifest_path: Path | None = None) -> dict[str, Any]:
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
        with store, _txn(store) as (con, txn):
            guard.record(con, txn, "restore", after={"from": str(src), **_summary(facts)["counts"]})
    except BaseException:
        if previous.exists():
            os.replace(previous, db)  # put the previous database back
        else:
            db.unlink(missing_ok=True)
        raise
    return {
        "schema": "derisk.restore/1",
        "database": str(db),
        "backup": str(src),
        "previous": str(previous) if previous.exists() else None,
        **_summary(facts),
    }
