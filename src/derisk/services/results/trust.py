"""Result types of the trust services (:mod:`derisk.services.trust`): organisations, users,
API tokens, dataset access, ``whoami`` and the audit log.

Each record's ``to_json()`` is the ``--json`` object of the matching ``derisk admin …``,
``derisk whoami`` and ``derisk audit`` command and the body of its API endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from derisk.model.record import ABSENT, Absent, Record

__all__ = [
    "Audit",
    "AuditRecord",
    "BackupDone",
    "DatasetAccessSet",
    "DatasetInfo",
    "Datasets",
    "OrgAdded",
    "OrgInfo",
    "Orgs",
    "RestoreDone",
    "TokenInfo",
    "TokenResult",
    "Tokens",
    "UserInfo",
    "UserResult",
    "Users",
    "Whoami",
]

#: A JSON value as the audit log stored it (keys, before and after of a change: free-form).
StoredJSON = Any


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OrgAdded(Record):
    """``derisk admin org add``: the new organisation."""

    schema: str = "derisk.org/1"
    org_id: str
    name: str
    created_at: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OrgInfo(Record):
    org_id: str
    name: str
    created_at: str
    users: tuple[str, ...]
    datasets: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Orgs(Record):
    """``derisk admin org list``: organisations with their users and private datasets."""

    ROWS: ClassVar[str | None] = "organisations"
    schema: str = "derisk.orgs/1"
    organisations: tuple[OrgInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UserResult(Record):
    """``derisk admin user add`` / ``set``: the user as stored after the change."""

    schema: str = "derisk.user/1"
    user_id: str
    role: str
    created_at: str
    org_id: str | None
    name: str | None
    disabled: bool


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UserInfo(Record):
    user_id: str
    role: str
    created_at: str
    org_id: str | None
    name: str | None
    disabled: bool
    tokens: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Users(Record):
    """``derisk admin user list``: users with role, organisation and live tokens."""

    ROWS: ClassVar[str | None] = "users"
    schema: str = "derisk.users/1"
    users: tuple[UserInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TokenResult(Record):
    """``derisk admin token create`` (with the secret ``token``, shown once, and the user's
    ``role``) and ``revoke`` (without them)."""

    schema: str = "derisk.token/1"
    token_id: str
    user_id: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    note: str | None
    token: str | Absent = ABSENT
    role: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TokenInfo(Record):
    token_id: str
    user_id: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    note: str | None
    state: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Tokens(Record):
    """``derisk admin token list``: tokens (never their hashes) and their state."""

    ROWS: ClassVar[str | None] = "tokens"
    schema: str = "derisk.tokens/1"
    tokens: tuple[TokenInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DatasetAccessSet(Record):
    """``derisk admin dataset share`` / ``private``: the access row written."""

    schema: str = "derisk.dataset-access/1"
    dataset: str
    access: str
    set_by: str
    set_at: str
    org_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DatasetInfo(Record):
    dataset: str
    access: str
    org_id: str | None
    rows: int | None
    loaded_at: str | None
    origin: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Datasets(Record):
    """``derisk admin dataset list`` / ``GET /api/datasets``: the datasets the caller sees."""

    ROWS: ClassVar[str | None] = "datasets"
    schema: str = "derisk.datasets/1"
    datasets: tuple[DatasetInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Whoami(Record):
    """``derisk whoami`` / ``GET /api/whoami``: the acting principal and what it sees."""

    schema: str = "derisk.whoami/1"
    mode: str
    user: str
    user_id: str
    org_id: str | None
    role: str
    local: bool
    datasets: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AuditRecord(Record):
    """One audit log entry; ``keys``, ``before`` and ``after`` are the stored JSON."""

    KEYS: ClassVar[Mapping[str, str]] = {"keys_": "keys"}  # keys() is the mapping's

    audit_id: str
    txn: str
    at: str
    actor: str
    action: str
    origin: str
    table_name: str | None
    dataset: str | None
    rows: int
    keys_: StoredJSON
    before: StoredJSON
    after: StoredJSON
    source_ids: StoredJSON


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Audit(Record):
    """``derisk audit`` / ``GET /api/audit``: entries, newest first, and how many matched."""

    ROWS: ClassVar[str | None] = "entries"
    schema: str = "derisk.audit/1"
    total: int
    entries: tuple[AuditRecord, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class BackupDone(Record):
    """``derisk db backup``: the checked copy, its manifest, and what it holds."""

    schema: str = "derisk.backup/1"
    database: str
    backup: str
    manifest: str
    bytes: int
    schema_version: int
    missing_tables: tuple[str, ...]
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RestoreDone(Record):
    """``derisk db restore``: the database replaced, and where the previous one is kept."""

    schema: str = "derisk.restore/1"
    database: str
    backup: str
    previous: str | None
    schema_version: int
    missing_tables: tuple[str, ...]
    counts: Mapping[str, int]
