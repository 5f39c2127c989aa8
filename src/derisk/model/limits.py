"""Limits on hostile input and unbounded work, in one place.

Every importer and endpoint refuses input past these limits with a clear error naming the file,
row and field, in bounded time and memory, and every chain enumeration stops at its bounds and
says so (``truncated: true``). Each limit can be changed by an environment variable
(``DERISK_LIMIT_<NAME>``, e.g. ``DERISK_LIMIT_CSV_CELL_BYTES=1000000``); docs/security.md lists
them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from derisk.errors import BadInputError


@dataclass(frozen=True)
class Limits:
    csv_cell_bytes: int = 1 << 20
    """Longest CSV cell (1 MiB)."""
    csv_line_bytes: int = 4 << 20
    """Longest CSV record or line of any line-oriented file (4 MiB)."""
    json_depth: int = 64
    """Deepest nesting of a JSON document or JSON Lines record."""
    json_record_bytes: int = 16 << 20
    """Largest single JSON Lines record (16 MiB)."""
    decompressed_bytes: int = 8 << 30
    """Most bytes read out of one compressed file or archive member (8 GiB)."""
    compression_ratio: int = 100
    """Most decompressed bytes per compressed byte (past a first MiB): zip bombs stop here."""
    article_bytes: int = 4 << 20
    """Largest news article page or text (4 MiB)."""
    chain_depth: int = 12
    """Longest ownership chain enumerated for an answer."""
    chain_results: int = 500
    """Most holdings (or owners) listed in one answer."""
    chain_seconds: float = 2.0
    """Time budget of one chain enumeration; past it the answer is marked truncated."""

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"DERISK_LIMIT_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = float(raw) if f.type == "float" else int(raw)
            except ValueError:
                raise BadInputError(
                    f"DERISK_LIMIT_{f.name.upper()}={raw!r} is not a number"
                ) from None
        return cls(**values)  # type: ignore[arg-type]


def limits() -> Limits:
    """The limits in force (defaults, changed by ``DERISK_LIMIT_*`` variables)."""
    return Limits.from_env()
