"""derisk: critical-mineral supply-chain dependence, measured with sources.

The Python API is this package: ``db = derisk.open()`` opens the database the CLI uses and
answers with the same results (``db.exposure("antimony").to_frame()``); every error raised on
purpose derives from :class:`derisk.DeriskError`. See docs/python.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from derisk.errors import (
    BadInputError,
    ConflictError,
    DeriskError,
    EngineGapError,
    ForbiddenError,
    ImportRefusedError,
    NotFoundError,
    StoreUnavailableError,
)

if TYPE_CHECKING:  # pragma: no cover
    from derisk.database import Database, NewsQueue, open

__version__ = "0.1.0"

__all__ = [
    "BadInputError",
    "ConflictError",
    "Database",
    "DeriskError",
    "EngineGapError",
    "ForbiddenError",
    "ImportRefusedError",
    "NewsQueue",
    "NotFoundError",
    "StoreUnavailableError",
    "__version__",
    "open",
]

_LAZY = {"Database", "NewsQueue", "open"}


def __getattr__(name: str) -> Any:
    # The database layer (DuckDB, services) loads on first use, so `import derisk` stays light.
    if name in _LAZY:
        from derisk import database

        value = getattr(database, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'derisk' has no attribute {name!r}")
