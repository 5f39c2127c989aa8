"""Optional example datasets shipped with derisk (``derisk import example NAME``).

``china-exports``: China's exports by partner, monthly 2017–2024, for HS 250410, 380110 and
811292 (``deep_dive_hs6_monthly.csv``), and the rare-earth product group
(``country_monthly_stats.csv``, group "Rare Earths"), from UN Comtrade as compiled by the GitHub
repository qennis/ChinaCriticalMineralComtrade (see ``derisk/data/examples/china_exports/
README.txt``). The rare-earth group adds several Chinese tariff lines together, so it has no
HS code of its own: its rows carry ``hs_code = "group:rare-earths"`` and
``material_id = rare-earths``; the origin tracing ignores them (no concordance entry), the
export-destination series shows them.
"""

from __future__ import annotations

import csv
import time
from importlib import resources
from pathlib import Path

from derisk.data.concordance import load_concordance
from derisk.data.importers.trade_common import (
    Collector,
    TradeImport,
    country_from_name,
    finish,
    parse_number,
)
from derisk.errors import UnknownIdError
from derisk.model.countries import UnknownCountry
from derisk.model.schema import Source
from derisk.progress import Progress
from derisk.store.base import Store

EXAMPLES = {"china-exports": "China's exports by partner, monthly 2017-2024 (UN Comtrade)"}
SOURCE_ID = "comtrade-china-exports-qennis"
RARE_EARTH_GROUP = "group:rare-earths"


def example_dir() -> Path:
    return Path(str(resources.files("derisk.data.examples").joinpath("china_exports")))


def _period(raw: str) -> tuple[int, int]:
    y, m = raw.strip()[:7].split("-")
    return int(y), int(m)


def import_example(store: Store, name: str, progress: Progress | None = None) -> TradeImport:
    """Load an example dataset into its own dataset (``example-<name>``), replacing it."""
    if name not in EXAMPLES:
        raise UnknownIdError(f"unknown example {name!r}; examples: {', '.join(EXAMPLES)}")
    t0 = time.perf_counter()
    base = example_dir()
    col = Collector(SOURCE_ID, load_concordance(), all_products=True)
    hs6 = base / "deep_dive_hs6_monthly.csv"
    groups = base / "country_monthly_stats.csv"
    for path, kind in ((hs6, "hs6"), (groups, "group")):
        with path.open(newline="", encoding="utf-8") as fh:
            for lineno, rec in enumerate(csv.DictReader(fh), start=2):
                col.read += 1
                if kind == "group" and rec["broad_group"] != "Rare Earths":
                    col.skipped["group other than Rare Earths (HS6 rows used instead)"] += 1
                    continue
                try:
                    partner = country_from_name(rec["partner_name"])
                except UnknownCountry as exc:
                    col.problem(path.name, lineno, "partner_name", str(exc))
                    continue
                try:
                    year, month = _period(rec["period_dt"])
                    value = parse_number(rec["val"])
                    qty = parse_number(rec["qty"])
                except ValueError as exc:
                    col.problem(path.name, lineno, "period_dt/val/qty", str(exc))
                    continue
                if kind == "hs6":
                    hs = rec["hs6"].strip()
                    pairs = col.concordance.lookup(hs)
                else:
                    hs, pairs = RARE_EARTH_GROUP, [("rare-earths", "")]
                col.add(
                    path.name,
                    lineno,
                    reporter="CHN",
                    partner=partner,
                    flow="export",
                    hs=hs,
                    year=year,
                    month=month,
                    value=value,
                    qty=qty,
                    pairs=pairs,
                )
        if progress:
            progress(f"reading {path.name}", 1, 1)
    source = Source(
        source_id=SOURCE_ID,
        publisher="United Nations Statistics Division (UN Comtrade)",
        title="China's exports of graphite, gallium/germanium and rare-earth products by "
        "partner, monthly 2017-2024",
        url="https://github.com/qennis/ChinaCriticalMineralComtrade",
        confidence="M",
        precedence=60,
        via="GitHub qennis/ChinaCriticalMineralComtrade @ 44040f49dab67c29fd358d004b54ccb58fc14dbd,"
        " data_output/tables",
        licence="No licence stated by the compiler; UN Comtrade terms of use apply (cite UN "
        "Comtrade)",
        note="China-reported exports (Comtrade API v1, reporter 156, flow X); the partner lists "
        "are the compiler's selection. qty is net weight in kg; 0 kg with a value is read as "
        "not reported.",
    )
    return finish(
        store, col, source, dataset=f"example-{name}", files=[str(hs6), str(groups)], started=t0
    )
