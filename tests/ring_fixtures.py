"""A ring of companies, each holding 99% of the next: the worst case of chain enumeration."""

from __future__ import annotations

from pathlib import Path


def write_ring(folder: Path, n: int, prefix: str = "ring") -> list[tuple[Path, str]]:
    """Files (path, kind) of a ring of ``n`` companies ``<prefix>-0 .. <prefix>-(n-1)``."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "sources.csv"
    src.write_text(f"source_id,publisher,title\n{prefix}-src,Test,Ring of holdings\n")
    ents = folder / "entities.csv"
    ents.write_text(
        "entity_id,kind,name,source_id,country\n"
        + "".join(f"{prefix}-{i},company,Ring {i},{prefix}-src,CAN\n" for i in range(n))
    )
    stakes = folder / "stakes.csv"
    stakes.write_text(
        "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
        + "".join(
            f"{prefix}-s{i},{prefix}-{i},{prefix}-{(i + 1) % n},equity,99,{prefix}-src,2020-01-01\n"
            for i in range(n)
        )
    )
    return [(src, "sources"), (ents, "entities"), (stakes, "stakes")]
