"""How many catalogue stages rest on country-level quantities, and that the documented count holds.

A material x stage cell counts when its headline source (the one ``derisk overview`` shows)
gives production or capacity quantities for at least two named countries (not the world total,
not "other countries") and is a cited source (a URL). The README states the count; this test
recomputes it from the built database so the statement cannot go stale.
"""

from __future__ import annotations

import re
from pathlib import Path

from derisk.model import load_catalog
from derisk.services.common import source_meta
from derisk.services.exposure import overview
from derisk.store import DuckStore

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
AGGREGATES = frozenset({"WLD", "OTH"})
MIN_CELLS = 30


def quantity_cells(store: DuckStore) -> dict[tuple[str, str], int]:
    """(material, stage) -> named countries with a quantity in the headline source."""
    meta = source_meta(store.view())
    view = store.view()
    out: dict[tuple[str, str], int] = {}
    for row in overview(store.view())["rows"]:
        sid = row.get("source_id")
        src = meta.get(sid) if sid else None
        if src is None or not src.url:
            continue
        countries = {
            p.country
            for p in view.production(row["material"])
            if p.stage_id == row["stage"]
            and p.source_id == sid
            and p.quantity is not None
            and p.country not in AGGREGATES
        }
        if len(countries) >= 2:
            out[(row["material"], row["stage"])] = len(countries)
    return out


def documented() -> tuple[int, int]:
    m = re.search(r"\*\*Coverage\.\*\* (\d+) of (\d+) catalogue stages", README.read_text())
    assert m, "README.md states no coverage count ('**Coverage.** N of M catalogue stages')"
    return int(m.group(1)), int(m.group(2))


def test_at_least_thirty_cells_have_country_quantities(store: DuckStore) -> None:
    cells = quantity_cells(store)
    assert len(cells) >= MIN_CELLS, sorted(cells)


def test_the_readme_states_the_measured_count(store: DuckStore) -> None:
    stages = sum(len(m.stages) for m in load_catalog().materials)
    assert documented() == (len(quantity_cells(store)), stages)


def test_a_cell_without_quantities_does_not_count(store: DuckStore) -> None:
    cells = quantity_cells(store)
    # Shares-only headlines (IEA lithium refining, BGS nickel refining) and stages with no
    # public figure are not counted; USGS tables with named countries are.
    assert ("lithium", "refining") not in cells
    assert ("nickel", "refining") not in cells
    assert ("antimony", "oxide") not in cells
    assert cells[("aluminium", "alumina")] >= 15
    assert cells[("antimony", "mining")] >= 10
