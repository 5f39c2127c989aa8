"""Result types of the imports (``derisk import …``, ``derisk db init``).

Every importer reports through one of these records (built by :mod:`derisk.services.imports`),
so the CLI and the API print the same object for the same import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.record import ABSENT, Absent, Record

__all__ = [
    "ComextImportResult",
    "DbDataset",
    "DbInitResult",
    "DbStatus",
    "ImportResult",
    "TradeImportResult",
    "UsgsFile",
    "UsgsImportResult",
    "UsgsSkipGroup",
    "UsgsSkipped",
]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ImportResult(Record):
    """Rows written per table into a dataset (``derisk import csv|bods|ftm|stakes-bulk``)."""

    schema: str = "derisk.import/1"
    dataset: str
    rows: Mapping[str, int]
    seconds: float
    #: entities of the example products already in the graph (``import example products``)
    reused_entities: tuple[str, ...] | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DbInitResult(Record):
    """``derisk db init`` / ``db reset``: the database built and its rows per table."""

    schema: str = "derisk.db-init/1"
    path: str
    rows: Mapping[str, int]
    seconds: float
    schema_version: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DbDataset(Record):
    """A loaded dataset as ``derisk db status`` lists it."""

    name: str
    origin: str | None
    rows: int | None
    loaded_at: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DbStatus(Record):
    """``derisk db status``: schema version, rows per table and the loaded datasets."""

    ROWS: ClassVar[str | None] = "datasets"
    schema: str = "derisk.db-status/1"
    path: str
    schema_version: int
    expected_version: int
    counts: Mapping[str, int]
    datasets: tuple[DbDataset, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TradeImportResult(Record):
    """``derisk import comtrade|baci|example china-exports``: trade rows written per flow."""

    ROWS: ClassVar[str | None] = "skipped"
    schema: str = "derisk.trade-import/1"
    dataset: str
    source_id: str
    files: tuple[str, ...]
    rows_read: int
    rows_imported: int
    skipped: Mapping[str, int]
    flows: Mapping[str, int]
    years: tuple[int, ...]
    hs_codes: tuple[str, ...]
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ComextImportResult(Record):
    """``derisk import comext``: EU27 import-source rows written from Comext bulk files."""

    ROWS: ClassVar[str | None] = "skipped"
    schema: str = "derisk.import-comext/1"
    source_id: str
    rows_read: int
    rows_kept: int
    import_source_rows: int
    periods: tuple[str, ...]
    skipped: Mapping[str, int]
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UsgsFile(Record):
    """One MCS data-release file of an import: its layout, source and what it wrote."""

    KEYS: ClassVar[Mapping[str, str]] = {"records_": "records"}  # records() is the record's
    file: str
    layout: str
    source_id: str | None
    source_reused: bool
    records_: int
    rows: Mapping[str, int]
    already_present: int
    skipped: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UsgsSkipGroup(Record):
    """Skipped rows of one file for one reason: how many, and the first row numbers."""

    file: str
    reason: str
    count: int
    rows: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UsgsSkipped(Record):
    total: int
    by_reason: tuple[UsgsSkipGroup, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UsgsImportResult(Record):
    """``derisk import usgs-mcs``: the files read, rows written and rows skipped by reason."""

    ROWS: ClassVar[str | None] = "files"
    schema: str = "derisk.import-usgs-mcs/1"
    dataset: str
    replace: bool
    files: tuple[UsgsFile, ...]
    rows: Mapping[str, int]
    already_present: int
    skipped: UsgsSkipped
    seconds: float
