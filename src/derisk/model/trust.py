"""Row types of who may see and change what: organisations, users, API tokens, dataset
access and the audit log.

These tables describe the store rather than the world, so they are kept apart from the fact
model: they are not in :data:`derisk.model.schema.ROW_TYPES` (no ``dataset`` column, never
removed with a dataset, never hidden by dataset visibility) and are listed in
:data:`TRUST_TYPES`, which the store creates on open.

Visibility: every fact row belongs to a dataset; a dataset is ``public`` or ``private`` to one
organisation (:class:`DatasetAccess`). A principal sees the public datasets and those of its
organisation; an admin and the local single-user mode see everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from derisk.model.schema import TableMeta


class Role(StrEnum):
    """What a user may do. Each role includes the ones before it."""

    VIEWER = "viewer"
    """Read every endpoint and command over visible data."""
    ANALYST = "analyst"
    """Also import data, review news, run scenarios (any write to its organisation's data)."""
    ADMIN = "admin"
    """Also manage organisations, users, tokens and dataset access; sees every dataset."""

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role includes ``needed``.

        >>> Role.ANALYST.allows(Role.VIEWER), Role.VIEWER.allows(Role.ANALYST)
        (True, False)
        """
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.ADMIN: 2}


class Access(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


PUBLIC_BY_DEFAULT = frozenset({"bundled", "news"})
"""Datasets that are public when no :class:`DatasetAccess` row says otherwise: the bundled
public data and the shared news review queue. Any other dataset without an access row is
visible only to admins (and to the local single-user mode) until it is shared or assigned."""

SHARED_WRITABLE = frozenset({"news"})
"""Public datasets an analyst may change through a reviewed path only (ingesting articles for
review, accepting or rejecting a proposal: accepting publishes its facts to everyone). Plain
imports and replacing them need an admin (:func:`derisk.store.guard.check_write`)."""


@dataclass(frozen=True)
class Organisation:
    Meta: ClassVar[TableMeta] = TableMeta(
        "organisation", ("org_id",), "Organisations owning private datasets", fact=False
    )
    org_id: str
    name: str
    created_at: str


@dataclass(frozen=True)
class User:
    """A user of a multi-user server; ``org_id`` ``None`` only for server admins."""

    Meta: ClassVar[TableMeta] = TableMeta("app_user", ("user_id",), "Users", fact=False)
    user_id: str
    role: str
    created_at: str
    org_id: str | None = None
    name: str | None = None
    disabled: bool = False


@dataclass(frozen=True)
class ApiToken:
    """An API token: only the SHA-256 of the secret is stored; ``token_id`` is its public half."""

    Meta: ClassVar[TableMeta] = TableMeta("api_token", ("token_id",), "API tokens", fact=False)
    token_id: str
    user_id: str
    token_hash: str
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class DatasetAccess:
    """Who sees a dataset: ``public``, or ``private`` to ``org_id``."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "dataset_access", ("dataset",), "Visibility of datasets", fact=False
    )
    dataset: str
    access: str
    set_by: str
    set_at: str
    org_id: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One change: who, when, what (action, table, dataset, keys), before and after (JSON),
    the sources of the rows, and where the change came from (command or request).
    Entries of one transaction share ``txn``."""

    Meta: ClassVar[TableMeta] = TableMeta("audit_log", ("audit_id",), "Audit log", fact=False)
    audit_id: str
    txn: str
    at: str
    actor: str
    action: str
    origin: str
    table_name: str | None = None
    dataset: str | None = None
    rows: int = 0
    keys: str | None = None
    before: str | None = None
    after: str | None = None
    source_ids: str | None = None


TRUST_TYPES: tuple[type[Any], ...] = (Organisation, User, ApiToken, DatasetAccess, AuditEntry)
"""Tables of this module, created on open next to the registered ones."""


@dataclass(frozen=True)
class Principal:
    """Who acts: a user of a multi-user server, or the local single-user operator.

    ``local`` principals (the CLI, ``make demo``) see and may change every dataset. Otherwise
    visibility follows :class:`DatasetAccess` and the role.
    """

    user_id: str
    role: Role
    org_id: str | None = None
    local: bool = False
    via: str = "cli"
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """What identified the principal (``token_id`` for an API token)."""

    @property
    def sees_everything(self) -> bool:
        """Local operators and admins are not limited by dataset visibility."""
        return self.local or self.role is Role.ADMIN

    @property
    def label(self) -> str:
        """How the principal appears in the audit log.

        >>> Principal("alice", Role.ANALYST, "acme", via="api").label
        'alice@acme'
        >>> Principal("local:sam", Role.ADMIN, local=True).label
        'local:sam'
        """
        return self.user_id if self.org_id is None else f"{self.user_id}@{self.org_id}"


def visible(access: dict[str, tuple[str, str | None]], dataset: str, who: Principal) -> bool:
    """Whether ``who`` sees ``dataset``, given ``access``: dataset -> (access, org).

    >>> acc = {"acme-supply": ("private", "acme"), "usgs": ("public", None)}
    >>> b = Principal("bob", Role.VIEWER, "beta")
    >>> [visible(acc, d, b) for d in ("acme-supply", "usgs", "bundled", "unassigned")]
    [False, True, True, False]
    """
    if who.sees_everything:
        return True
    if dataset in access:
        kind, org = access[dataset]
        return kind == Access.PUBLIC or (org is not None and org == who.org_id)
    return dataset in PUBLIC_BY_DEFAULT
