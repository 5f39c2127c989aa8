"""The store interface. Engines implement it; services and front ends use only this."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from derisk.errors import StoreUnavailableError

T = TypeVar("T")


@dataclass(frozen=True)
class StoreStatus:
    path: str
    schema_version: int
    expected_version: int
    counts: dict[str, int]
    datasets: list[dict[str, Any]]


class StoreError(StoreUnavailableError):
    """A store that cannot be used as asked (missing, newer schema, ...)."""


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
    def writer(self, dataset: str = "user") -> AbstractContextManager[Writer]:
        """Atomic write: on any exception inside the block, nothing is written."""

    @abc.abstractmethod
    def rows(self, row_type: type[T], where: Mapping[str, Any] | None = None) -> list[T]:
        """Typed rows of one table, filtered by equality on the given columns."""

    @abc.abstractmethod
    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only parameterised query (engine dialect)."""

    @abc.abstractmethod
    def iter_sql(self, query: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
