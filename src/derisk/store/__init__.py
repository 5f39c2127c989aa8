"""The store: embedded DuckDB by default, behind :class:`derisk.store.base.Store`."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from derisk.store.base import Store, StoreError, StoreStatus, Writer
from derisk.store.duck import SCHEMA_VERSION, DuckStore, as_dict


def default_db_path() -> Path:
    """``$DERISK_DB`` if set, else ``derisk.duckdb`` in the user's data directory."""
    env = os.environ.get("DERISK_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("derisk")) / "derisk.duckdb"


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> DuckStore:
    """Open the store at ``path`` (default :func:`default_db_path`)."""
    return DuckStore(path or default_db_path(), read_only=read_only, create=not read_only)


__all__ = [
    "SCHEMA_VERSION",
    "DuckStore",
    "Store",
    "StoreError",
    "StoreStatus",
    "Writer",
    "as_dict",
    "default_db_path",
    "open_store",
]
