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
import re
import secrets
from pathlib import Path
from typing import Any

from derisk.errors import BadInputError, NotFoundError
from derisk.model.record import ABSENT, Absent, JSONObject, fields_of
from derisk.model.schema import columns
from derisk.model.trust import (
    PUBLIC_BY_DEFAULT,
    Access,
    ApiToken,
    DatasetAccess,
    Organisation,
    Principal,
    Role,
    User,
)
from derisk.services.results.trust import (
    Audit,
    AuditRecord,
    BackupDone,
    DatasetAccessSet,
    DatasetInfo,
    Datasets,
    OrgAdded,
    OrgInfo,
    Orgs,
    RestoreDone,
    TokenInfo,
    TokenResult,
    Tokens,
    UserInfo,
    UserResult,
    Users,
    Whoami,
)
from derisk.store import guard
from derisk.store.admin import admin, admin_transaction, audit_entries, token_owner
from derisk.store.backup import MANIFEST_SCHEMA as MANIFEST_SCHEMA
from derisk.store.backup import MANIFEST_SUFFIX as MANIFEST_SUFFIX
from derisk.store.backup import backup as backup_copy
from derisk.store.backup import known_tables as known_tables
from derisk.store.backup import restore as restore_copy
from derisk.store.base import Store
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


def _require(store: Store, role: Role) -> Principal:
    who = admin(store).principal()
    if not who.role.allows(role):
        raise Forbidden(f"{who.label} has role {who.role}; this needs {role}")
    return who


def _as_dict(row: Any) -> JSONObject:
    """A stored row with every column (as the audit log records it)."""
    return {c.name: getattr(row, c.name) for c in columns(type(row))}


def _user(u: User) -> UserResult:
    return UserResult(
        user_id=u.user_id,
        role=u.role,
        created_at=u.created_at,
        org_id=u.org_id,
        name=u.name,
        disabled=bool(u.disabled),
    )


def _token(
    t: ApiToken, *, token: str | Absent = ABSENT, role: str | Absent = ABSENT
) -> TokenResult:
    """A token as shown (never its hash); the secret and role only when it is created."""
    return TokenResult(
        token_id=t.token_id,
        user_id=t.user_id,
        created_at=t.created_at,
        expires_at=t.expires_at,
        revoked_at=t.revoked_at,
        note=t.note,
        token=token,
        role=role,
    )


# -- organisations and users ---------------------------------------------------


def add_org(store: Store, org_id: str, name: str | None = None) -> OrgAdded:
    """Create an organisation (admin)."""
    _require(store, Role.ADMIN)
    _check_id("organisation id", org_id)
    with admin_transaction(store) as adm:
        if adm.select(Organisation, {"org_id": org_id}):
            raise BadInputError(f"organisation {org_id!r} already exists")
        org = Organisation(org_id, name or org_id, guard.now())
        adm.insert(org)
        adm.record("org-add", table="organisation", keys=[org_id], after=_as_dict(org))
    return OrgAdded(org_id=org.org_id, name=org.name, created_at=org.created_at)


def list_orgs(store: Store) -> Orgs:
    """Organisations with their users and private datasets (admin)."""
    _require(store, Role.ADMIN)
    adm = admin(store)
    users = adm.select(User)
    access = adm.select(DatasetAccess)
    return Orgs(
        organisations=tuple(
            OrgInfo(
                org_id=o.org_id,
                name=o.name,
                created_at=o.created_at,
                users=tuple(sorted(u.user_id for u in users if u.org_id == o.org_id)),
                datasets=tuple(sorted(a.dataset for a in access if a.org_id == o.org_id)),
            )
            for o in adm.select(Organisation, order_by="org_id")
        )
    )


def add_user(
    store: Store, user_id: str, role: str, org_id: str | None, name: str | None = None
) -> UserResult:
    """Create a user with a role in an organisation (admin). Only admins may have no
    organisation."""
    _require(store, Role.ADMIN)
    _check_id("user id", user_id)
    try:
        r = Role(role)
    except ValueError:
        raise BadInputError(f"role {role!r}: one of {', '.join(x.value for x in Role)}") from None
    with admin_transaction(store) as adm:
        if org_id is None and r is not Role.ADMIN:
            raise BadInputError(f"a {r} needs an organisation")
        if org_id is not None and not adm.select(Organisation, {"org_id": org_id}):
            raise NotFoundError(
                f"unknown organisation {org_id!r}; add it with `derisk admin org add`"
            )
        if adm.select(User, {"user_id": user_id}):
            raise BadInputError(f"user {user_id!r} already exists")
        user = User(user_id, r.value, guard.now(), org_id, name)
        adm.insert(user)
        adm.record("user-add", table="app_user", keys=[user_id], after=_as_dict(user))
    return _user(user)


def set_user(
    store: Store, user_id: str, *, role: str | None = None, disabled: bool | None = None
) -> UserResult:
    """Change a user's role or disable/enable it (admin). A disabled user's tokens stop
    working."""
    _require(store, Role.ADMIN)
    with admin_transaction(store) as adm:
        found = adm.select(User, {"user_id": user_id})
        if not found:
            raise NotFoundError(f"unknown user {user_id!r}")
        before = found[0]
        new_role = Role(role).value if role is not None else before.role
        new_disabled = before.disabled if disabled is None else disabled
        adm.set_user(user_id, new_role, new_disabled)
        after = adm.select(User, {"user_id": user_id})[0]
        adm.record(
            "user-change",
            table="app_user",
            keys=[user_id],
            before=_as_dict(before),
            after=_as_dict(after),
        )
    return _user(after)


def list_users(store: Store) -> Users:
    """Users with role, organisation and number of live tokens (admin)."""
    _require(store, Role.ADMIN)
    adm = admin(store)
    tokens = [t for t in adm.select(ApiToken) if _live(t)]
    return Users(
        users=tuple(
            UserInfo(
                **{k: v for k, v in fields_of(_user(u)).items() if k != "schema"},
                tokens=sum(1 for t in tokens if t.user_id == u.user_id),
            )
            for u in adm.select(User, order_by="user_id")
        )
    )


# -- tokens ----------------------------------------------------------------------


def _live(t: ApiToken, at: str | None = None) -> bool:
    at = at or guard.now()
    return t.revoked_at is None and (t.expires_at is None or t.expires_at > at)


def create_token(
    store: Store, user_id: str, *, days: int | None = None, note: str | None = None
) -> TokenResult:
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
    with admin_transaction(store) as adm:
        users = adm.select(User, {"user_id": user_id})
        if not users:
            raise NotFoundError(f"unknown user {user_id!r}; add it with `derisk admin user add`")
        row = ApiToken(token_id, user_id, token_hash(token), created, expires, None, note)
        adm.insert(row)
        shown = {k: v for k, v in _as_dict(row).items() if k != "token_hash"}
        adm.record("token-create", table="api_token", keys=[token_id], after=shown)
    return _token(row, token=token, role=users[0].role)


def revoke_token(store: Store, token_id: str) -> TokenResult:
    """Revoke a token by its id (admin); it stops working at once."""
    _require(store, Role.ADMIN)
    with admin_transaction(store) as adm:
        found = adm.select(ApiToken, {"token_id": token_id})
        if not found:
            raise NotFoundError(f"unknown token {token_id!r}")
        before = found[0]
        if before.revoked_at is None:
            adm.revoke_token(token_id, guard.now())
        after = adm.select(ApiToken, {"token_id": token_id})[0]
        adm.record(
            "token-revoke",
            table="api_token",
            keys=[token_id],
            before={"revoked_at": before.revoked_at},
            after={"revoked_at": after.revoked_at},
        )
    return _token(after)


def list_tokens(store: Store, user_id: str | None = None) -> Tokens:
    """Tokens (never their hashes) with their state: live, revoked or expired (admin)."""
    _require(store, Role.ADMIN)
    now = guard.now()
    rows = []
    owned = {"user_id": user_id} if user_id else None
    for t in admin(store).select(ApiToken, owned, order_by="created_at"):
        state = "revoked" if t.revoked_at else ("live" if _live(t, now) else "expired")
        shown = fields_of(_token(t))
        del shown["schema"], shown["token"], shown["role"]
        rows.append(TokenInfo(**shown, state=state))
    return Tokens(tokens=tuple(rows))


def authenticate(store: Store, token: str) -> Principal | None:
    """The principal of a bearer token, or ``None`` when it is malformed, unknown, revoked,
    expired, or its user is disabled. Compares hashes in constant time."""
    m = TOKEN.match(token)
    if not m:
        return None
    row = token_owner(store, m.group(1))
    if row is None:
        hmac.compare_digest(token_hash(token), "0" * 64)  # same work for unknown ids
        return None
    if not hmac.compare_digest(token_hash(token), str(row.token_hash)):
        return None
    expired = row.expires_at is not None and str(row.expires_at) <= guard.now()
    if row.revoked_at is not None or expired or row.disabled:
        return None
    return Principal(
        str(row.user_id), Role(row.role), row.org_id, via="api", extra={"token_id": m.group(1)}
    )


# -- datasets ----------------------------------------------------------------------


def set_access(
    store: Store, dataset: str, access: str, org_id: str | None = None
) -> DatasetAccessSet:
    """Make ``dataset`` public, or private to ``org_id`` (admin). The dataset need not exist
    yet: assign it before importing to keep it private from the first row."""
    who = _require(store, Role.ADMIN)
    kind = Access(access)
    if kind is Access.PRIVATE and not org_id:
        raise BadInputError("a private dataset needs an organisation")
    if kind is Access.PUBLIC:
        org_id = None
    with admin_transaction(store) as adm:
        if org_id is not None and not adm.select(Organisation, {"org_id": org_id}):
            raise NotFoundError(f"unknown organisation {org_id!r}")
        before = adm.select(DatasetAccess, {"dataset": dataset})
        adm.clear_access(dataset)
        row = DatasetAccess(dataset, kind.value, who.label, guard.now(), org_id)
        adm.insert(row)
        adm.record(
            "dataset-access",
            table="dataset_access",
            dataset=dataset,
            keys=[dataset],
            before=_as_dict(before[0]) if before else None,
            after=_as_dict(row),
        )
    return DatasetAccessSet(
        dataset=row.dataset,
        access=row.access,
        set_by=row.set_by,
        set_at=row.set_at,
        org_id=row.org_id,
    )


def list_datasets(store: Store) -> Datasets:
    """The datasets the acting principal can see, with access, owner and load record."""
    adm = admin(store)
    who = adm.principal()
    acc = adm.access_map()
    names = adm.visible_datasets(who)
    loads = adm.dataset_loads()
    out = []
    for d in names:
        kind, org = acc.get(d, ("public" if d in PUBLIC_BY_DEFAULT else "unassigned", None))
        load = loads.get(d)
        out.append(
            DatasetInfo(
                dataset=d,
                access=kind,
                org_id=org,
                rows=int(load.rows) if load else None,
                loaded_at=str(load.loaded_at) if load else None,
                origin=load.origin if load and who.sees_everything else None,
            )
        )
    return Datasets(datasets=tuple(out))


# -- who am I, audit -----------------------------------------------------------------


def whoami(store: Store, *, mode: str) -> Whoami:
    """The acting principal, its role and the datasets it sees."""
    adm = admin(store)
    who = adm.principal()
    return Whoami(
        mode=mode,
        user=who.label,
        user_id=who.user_id,
        org_id=who.org_id,
        role=who.role.value,
        local=who.local,
        datasets=tuple(adm.visible_datasets(who)),
    )


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
) -> Audit:
    """Audit entries, newest first, filtered by time, table, dataset, actor, action or
    transaction. Limited principals see only entries of datasets they can see."""
    if not 1 <= limit <= 10_000:
        raise BadInputError("limit must be between 1 and 10000")
    equal = {
        col: val
        for col, val in (
            ("table_name", table),
            ("dataset", dataset),
            ("actor", actor),
            ("action", action),
            ("txn", txn),
        )
        if val is not None
    }
    total, found = audit_entries(
        store,
        equal,
        _stamp(since, "since") if since is not None else None,
        _stamp(until, "until") if until is not None else None,
        limit,
    )

    def stored(text: str | None) -> Any:
        return json.loads(text) if text is not None else None

    entries = tuple(
        AuditRecord(
            audit_id=row.audit_id,
            txn=row.txn,
            at=row.at,
            actor=row.actor,
            action=row.action,
            origin=row.origin,
            table_name=row.table_name,
            dataset=row.dataset,
            rows=row.rows,
            keys_=stored(row.keys),
            before=stored(row.before),
            after=stored(row.after),
            source_ids=stored(row.source_ids),
        )
        for row in found
    )
    return Audit(total=int(total), entries=entries)


# -- backup and restore ----------------------------------------------------------------


def backup(db: Path, out: Path) -> BackupDone:
    """A consistent, checked copy of the database with its manifest
    (:func:`derisk.store.backup.backup`)."""
    done = backup_copy(db, out)
    assert done.manifest is not None and done.bytes is not None
    return BackupDone(
        database=done.database,
        backup=done.backup,
        manifest=done.manifest,
        bytes=done.bytes,
        schema_version=done.schema_version,
        missing_tables=done.missing_tables,
        counts=done.counts,
    )


def restore(db: Path, src: Path, manifest_path: Path | None = None) -> RestoreDone:
    """Replace the database with a checked backup (:func:`derisk.store.backup.restore`)."""
    done = restore_copy(db, src, manifest_path)
    return RestoreDone(
        database=done.database,
        backup=done.backup,
        previous=done.previous,
        schema_version=done.schema_version,
        missing_tables=done.missing_tables,
        counts=done.counts,
    )
