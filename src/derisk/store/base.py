"""The store interface. Engines implement it; services and front ends use only this."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from derisk.errors import ConflictError, StoreUnavailableError

if TYPE_CHECKING:
    from derisk.model.trust import Principal
    from derisk.store.prepared import PreparedCache
    from derisk.store.view import View

T = TypeVar("T")


@dataclass(frozen=True)
class DatasetStatus:
    """One loaded dataset: its name, where it came from, its rows, when it was loaded."""

    name: str
    origin: str | None
    rows: int | None
    loaded_at: str


@dataclass(frozen=True)
class StoreStatus:
    path: str
    schema_version: int
    expected_version: int
    counts: dict[str, int]
    datasets: tuple[DatasetStatus, ...]


def first_row(result: Any) -> Any:
    """The first row of an executed query, or ``None``, reading the result to its end.

    Every read in the store goes through ``fetchall`` (or this): DuckDB refuses further work on
    a connection (registering an Arrow table, for one) while a result is left unfinished, so
    the store never leaves one open — a ``fetchone()`` existence check used to break every
    later write in the same transaction.
    """
    rows = result.fetchall()
    return rows[0] if rows else None


class StoreError(StoreUnavailableError):
    """A store that cannot be used as asked (missing, newer schema, ...)."""


class IdConflict(ConflictError, ValueError):
    """Rows name ids already in use. Ids of sources, entities and single-key facts are unique
    across every dataset, so that no dataset's rows can shadow another's; the message is the
    same whether or not the caller could see the row holding the id. The user's to resolve
    (kind ``conflict``: HTTP 409, exit 1), not a bug; still a ``ValueError`` for callers that
    catch one."""


def id_conflict_message(table: str, column: str, ids: Sequence[Any]) -> str:
    shown = ", ".join(repr(str(i)) for i in list(ids)[:5])
    return (
        f"{table}.{column} {shown} already in use: ids are unique across every dataset of "
        "this database (including ones you cannot see); choose another id"
    )


class Writer(abc.ABC):
    """Adds rows inside one transaction; nothing is visible until the block ends cleanly."""

    @abc.abstractmethod
    def add(self, rows: Sequence[Any]) -> int:
        """Append rows of one schema type; returns how many were written."""

    @abc.abstractmethod
    def delete_dataset(self, dataset: str) -> int:
        """Remove every fact loaded under ``dataset`` (for a clean re-import)."""

    @abc.abstractmethod
    def record_dataset(self, dataset: str, origin: str, rows: int) -> None:
        """Note that ``dataset`` was loaded from ``origin``."""


class Store(abc.ABC):
    """A small interface over an embedded or remote engine."""

    path: Path | None

    @abc.abstractmethod
    def schema_version(self) -> int: ...

    @abc.abstractmethod
    def status(self) -> StoreStatus: ...

    @abc.abstractmethod
    def writer(
        self, dataset: str = "user", *, reviewed: bool = False
    ) -> AbstractContextManager[Writer]:
        """Atomic write: on any exception inside the block, nothing is written. ``reviewed``
        marks a reviewed path (news review), the only way a non-admin changes shared data."""

    @abc.abstractmethod
    def rows(self, row_type: type[T], where: Mapping[str, object] | None = None) -> list[T]:
        """Typed rows of one table, filtered by equality on the given columns."""

    @abc.abstractmethod
    def check_write(self, dataset: str, *, replace: bool = False) -> None:
        """Raise ``PermissionError`` unless the acting user may write (or replace) ``dataset``;
        importers ask before reading a file, so a refusal never depends on its contents."""

    @abc.abstractmethod
    def taken_ids(
        self, table: str, column: str, values: Sequence[Any], exclude_dataset: str | None = None
    ) -> set[Any]:
        """Which of ``values`` are already used as ``column`` of ``table`` in any dataset
        (visible or not; ``exclude_dataset`` aside, for a replace)."""

    @abc.abstractmethod
    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only parameterised query (engine dialect)."""

    @abc.abstractmethod
    def iter_sql(self, query: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def view(self, as_of: dt.date | None = None, principal: Principal | None = None) -> View:
        """Typed reads as of ``as_of`` (default today), seen by ``principal`` (default: the
        principal this store acts for). See :mod:`derisk.store.view`."""
        from derisk.store.view import View

        return View(self, as_of, principal)

    def prepared(self) -> PreparedCache | None:
        """Where prepared look-through structures are kept between processes (None: nowhere;
        see :mod:`derisk.store.prepared`)."""
        return None

    def scoped(self, principal: Principal) -> Store:
        """A store reading what ``principal`` may see (close it after use)."""
        raise NotImplementedError(f"{type(self).__name__} cannot act for another principal")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
